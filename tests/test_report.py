"""The board report (``kg.report``, ``kg report``, ``kg map``, ``GET /report``) on the small demo.

Every figure a finding states is recomputed here from the person network (networkx, hand counts)
or from the bundle's CSV files, never read back from the code under test: the period and as-of
date from phases.csv and the dated records, the leavers from roles.csv, the most closed group and
its share of ties kept inside (counted tie end by tie end), the E-I index on each layer, the top
bridge as the argmax of ``nx.betweenness_centrality_subset``, the cross-sector links lost when the
key people leave, hybrids' betweenness, the brokers lost and gained since the phase before. The
page is checked for external resources, escaping, its SVG maps, and the pseudonymised version for
names. Browser checks (no script, phone width, print to PDF) are in test_report_browser.py.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import statistics
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.config import get_settings
from kg.errors import AnalysisError, InvalidParameter, NotFound
from kg.ingest import ingest_path
from kg.model import Node, NodeLabel, RelType
from kg.queries import analyses
from kg.report import ReportQuestion, findings, render_report, write_outputs
from kg.store.sqlite import SQLiteStore

XSS_NAME = "<img src=x onerror=alert(1)>"
MINUS = "\u2212"


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, small_bundle) -> Path:
    """``KG_DATA_DIR`` holding the small demo partnership, imported once for the module."""
    folder = tmp_path_factory.mktemp("report-data")
    with SQLiteStore(folder / "carebridge.sqlite") as store:
        ingest_path(store, small_bundle)
    return folder


@pytest.fixture(scope="module")
def store(data_dir):
    s = SQLiteStore(data_dir / "carebridge.sqlite")
    yield s
    s.close()


@pytest.fixture(scope="module")
def result(store) -> dict:
    return findings(store, by="sector", between=("acute", "community"), seed=0)


@pytest.fixture(scope="module")
def G(store) -> nx.Graph:
    """The network of the report's default period (the partnership as it is now)."""
    return analyses.person_graph(store)


@pytest.fixture(scope="module")
def report_html(store) -> str:
    return render_report(store, by="sector", between=("acute", "community"), seed=0)


def csv_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(line for line in f if not line.startswith("#"))]


@pytest.fixture(scope="module")
def now(small_bundle) -> dict:
    """The default period, worked out from the bundle alone: the as-of date is the latest date
    on any dated record (roles, attendance, asset links, ties) that is not in the future; the
    period is the latest phase begun by then, cut at it."""
    dates = []
    for name, columns in (("roles", ("start", "end")), ("attendance", ("start", "end")),
                          ("asset_links", ("date",)), ("ties", ("start", "end"))):
        for row in csv_rows(small_bundle / f"{name}.csv"):
            dates += [row[c] for c in columns if row.get(c)]
    as_of = max(d for d in dates if d <= date.today().isoformat())
    begun = [p for p in csv_rows(small_bundle / "phases.csv") if p["start"] <= as_of]
    phase = max(begun, key=lambda p: p["start"])
    return {"as_of": as_of, "phase": phase, "start": phase["start"],
            "end": min(phase["end"], as_of)}


@pytest.fixture(scope="module")
def leavers(small_bundle, now) -> dict:
    """People whose every role ended before the period's end, from roles.csv: id -> name."""
    ends: dict = {}
    for r in csv_rows(small_bundle / "roles.csv"):
        ends.setdefault(r["person_id"], []).append(r["end"] or "9999-12-31")
    names = {p["id"]: p["name"] for p in csv_rows(small_bundle / "people.csv")}
    return {pid: names[pid] for pid, e in ends.items() if max(e) < now["end"]}


def unique_names(small_bundle, ids) -> dict:
    """The names of ``ids`` that no one else in people.csv shares (the demo repeats a few)."""
    people = csv_rows(small_bundle / "people.csv")
    counts: dict = {}
    for p in people:
        counts[p["name"]] = counts.get(p["name"], 0) + 1
    return {p["id"]: p["name"] for p in people if p["id"] in ids and counts[p["name"]] == 1}


def finding(result: dict, topic: str) -> dict:
    found = [f for f in result["findings"] if f["topic"] == topic]
    assert len(found) == 1, f"expected one {topic} finding, got {len(found)}"
    return found[0]


def signed(x: float) -> str:
    text = f"{x:+.2f}"
    return "0.00" if float(text) == 0 else text.replace("-", MINUS)


def as_percent(x: float, digits: int) -> str:
    """A share written by hand as the report writes it: ``digits`` decimals, two significant
    figures below 10 ** (1 - digits) percent."""
    value = 100 * x
    if value == 0:
        return "0%"
    if value < 10 ** (1 - digits):
        return f"{value:#.2g}".rstrip(".") + "%"
    return f"{value:.{digits}f}%"


def ingest_copy(tmp_path: Path, bundle: Path, *, drop: tuple[str, ...] = ()) -> SQLiteStore:
    """A fresh store of the demo bundle, optionally without some of its files."""
    folder = tmp_path / "bundle"
    shutil.copytree(bundle, folder)
    for name in drop:
        (folder / name).unlink()
    store = SQLiteStore(tmp_path / "kg.sqlite")
    ingest_path(store, folder)
    return store


# -- hand computations ------------------------------------------------------------------------


def ei_by_hand(G: nx.Graph, labels: dict, edges=None) -> dict:
    """Per group: (internal, external, E-I) with ties counted once, self-loops ignored."""
    internal: dict = {}
    external: dict = {}
    for u, v in (G.edges() if edges is None else edges):
        a, b = labels.get(u), labels.get(v)
        if u == v or a is None or b is None:
            continue
        if a == b:
            internal[a] = internal.get(a, 0) + 1
        else:
            external[a] = external.get(a, 0) + 1
            external[b] = external.get(b, 0) + 1
    out = {}
    for g in set(internal) | set(external):
        i, e = internal.get(g, 0), external.get(g, 0)
        out[g] = (i, e, (e - i) / (e + i))
    return out


def ties_kept_inside(G: nx.Graph, attribute: str, group) -> float:
    """Of the ties the group's people have, the share to someone of the same group: every
    member's ties counted one by one (a tie inside is counted from both its ends)."""
    inside = total = 0
    for v, g in G.nodes(data=attribute):
        if g != group:
            continue
        for w in G[v]:
            other = G.nodes[w].get(attribute)
            if w == v or other is None:
                continue
            total += 1
            inside += other == group
    return inside / total


def top_by_betweenness(G: nx.Graph, k: int = 20) -> tuple[list, dict]:
    bc = nx.betweenness_centrality(G)
    return sorted(bc, key=lambda v: (-bc[v], v))[:k], bc


class Sections(HTMLParser):
    """The text of each ``<section id=...>`` and of each ``<p class="headline">``, as a browser
    shows it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: dict[str, str] = {}
        self.headlines: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self._section = None
        self._headline = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "section":
            self._section = attrs.get("id")
            self.text.setdefault(self._section, "")
        if tag == "p" and attrs.get("class") == "headline":
            self._headline = True
            self.headlines.append("")

    def handle_endtag(self, tag):
        if tag == "p":
            self._headline = False
        if tag == "section":
            self._section = None

    def handle_data(self, data):
        if self._section:
            self.text[self._section] += data
        if self._headline:
            self.headlines[-1] += data


def parse(page: str) -> Sections:
    parser = Sections()
    parser.feed(page)
    return parser


EXTERNAL = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)


def external_sources(text: str) -> list[str]:
    """src/href of script, link, img, iframe and the like that leave the file."""
    found = []
    for tag, attrs in parse(text).tags:
        for key in ("src", "href"):
            value = attrs.get(key)
            if tag in ("script", "link", "img", "iframe", "source", "embed") and value and (
                    EXTERNAL.match(value)):
                found.append(f"<{tag} {key}={value}>")
    found += re.findall(r"@import|url\(\s*['\"]?\s*(?:https?:)?//", text, re.IGNORECASE)
    return found


# -- the period -------------------------------------------------------------------------------


def test_the_report_covers_the_partnership_as_it_is_now(result, report_html, now):
    period = result["partnership"]["period"]
    phase = now["phase"]
    assert (period["start"], period["end"], period["as_of"]) == (
        now["start"], now["end"], now["as_of"])
    assert period["phase"] == phase["id"]
    # The header says it in words: the phase, its dates, the rule, the as-of date, in post.
    covers = re.sub(r"<[^>]+>", "", re.search(r"<b>Covers:</b>(.*?)</p>", report_html,
                                              re.S).group(1))
    assert f"{phase['name']} ({phase['id']}), {now['start']} to {now['end']}" in covers
    assert "the latest phase" in covers and f"as of {now['as_of']}" in covers
    assert "people in post on that date" in covers
    # Every analysis the report read was for that period.
    assert result["parameters"]["period"] == period


def test_the_default_report_names_no_leaver_in_bridges_or_risk(result, report_html, G,
                                                                leavers, small_bundle):
    # The test means something only if leavers are in the period's network at all.
    assert set(leavers) & set(G), "someone left during the period: they shape the network"
    bridges = finding(result, "bridges")["figures"]["brokers"]
    risk = finding(result, "key_person_risk")["figures"]["people"]
    assert not {b["id"] for b in bridges} & set(leavers)
    assert not {p["id"] for p in risk} & set(leavers)
    # Nor does the page, in the tables, the charts or the map's labels and tooltips.
    sections = parse(report_html).text
    named = unique_names(small_bundle, leavers)
    assert set(named) & set(G)
    for name in named.values():
        assert name not in sections["bridges"], name
        assert name not in sections["risk"], name


def test_period_options_choose_the_period_and_the_change_before_it(store, small_bundle):
    phases = csv_rows(small_bundle / "phases.csv")
    out = findings(store, phase="PH2")
    period = out["partnership"]["period"]
    assert (period["start"], period["end"]) == (phases[1]["start"], phases[1]["end"])
    change = finding(out, "change")["figures"]
    assert change["from"]["phase"] == "PH1" and change["to"]["phase"] == "PH2"
    as_of = findings(store, as_of="2017-03-01")["partnership"]["period"]
    assert as_of["phase"] == "PH3" and as_of["end"] == "2017-03-01"
    window = findings(store, window="2018-06-01:2019-05-31")
    figures = finding(window, "change")["figures"]
    # A window is compared with the window of the same length just before it.
    assert (figures["from"]["start"], figures["from"]["end"]) == ("2017-06-01", "2018-05-31")
    with pytest.raises(NotFound, match="phase"):
        findings(store, phase="PH9")
    with pytest.raises(InvalidParameter):
        findings(store, window="yesterday")


# -- the findings -----------------------------------------------------------------------------


def test_findings_are_a_short_json_ready_list_in_plain_words(result):
    text = json.dumps(result, allow_nan=False)  # strict JSON: every value is JSON-ready
    assert json.loads(text)["findings"]
    topics = [f["topic"] for f in result["findings"]]
    assert {"silos", "bridges", "key_person_risk", "communities", "change", "hybrids"} <= set(
        topics)
    for f in result["findings"]:
        assert set(f) == {"topic", "headline", "detail", "statistics", "figures"}
        assert f["headline"].endswith(".") and len(f["headline"]) < 400
        assert "None" not in f["headline"] and "nan" not in f["headline"].lower()
        # Statistics go beneath, not in the headline; codes become words.
        for jargon in ("E\u2013I", "Cliff", "modularity", "p =", "p \u2264", "_"):
            assert jargon not in f["headline"], (jargon, f["headline"])
    assert result["notes"] == []


def test_partnership_summary_counts_the_period(result, G, small_bundle, store):
    p = result["partnership"]
    assert p["people"] == len(csv_rows(small_bundle / "people.csv"))
    assert p["in_post"] == sum(1 for _, x in G.nodes(data="in_post") if x)
    assert p["links_in_network"] == G.number_of_edges()
    orgs = csv_rows(small_bundle / "organisations.csv")
    assert p["organisations"] == sum(1 for o in orgs if not o.get("parent_id"))
    assert p["revision"] == store.revision()
    assert [x["id"] for x in p["phases"]] == [r["id"] for r in csv_rows(
        small_bundle / "phases.csv")]
    # Ties in the period: those whose dates overlap it.
    start, end = p["period"]["start"], p["period"]["end"]
    ties = [t for t in csv_rows(small_bundle / "ties.csv")
            if (not t["start"] or t["start"] <= end) and (not t["end"] or t["end"] >= start)]
    assert p["ties"] == len(ties)


def test_silos_say_the_share_of_ties_kept_inside_counted_by_hand(result, G):
    f = finding(result, "silos")
    by_hand = ei_by_hand(G, dict(G.nodes(data="sector")))
    closed = min(by_hand, key=lambda g: by_hand[g][2])
    first = f["figures"]["groups"][0]
    assert first["group"] == closed
    internal, external, ei = by_hand[closed]
    assert first["ei_index"] == pytest.approx(ei, abs=1e-12)
    share = ties_kept_inside(G, "sector", closed)
    assert first["own_share"] == pytest.approx(share)
    assert f"keep {share:.0%} of their ties inside" in f["headline"]
    # Not the share of the group's edges, which reads lower and is what was said before.
    wrong = internal / (internal + external)
    assert f"{wrong:.0%}" != f"{share:.0%}"
    assert f"keep {wrong:.0%}" not in f["headline"]
    # The E-I index and the p-value are beneath, in the statistics.
    assert f["statistics"].startswith(f"E\u2013I index: {first['label']} {signed(ei)} (")
    assert "two-sided" in f["statistics"]
    ranked = sorted((g for g in by_hand if by_hand[g][2] < 0), key=lambda g: by_hand[g][2])
    assert [g["group"] for g in f["figures"]["groups"]] == ranked[:3]


def test_ei_per_layer_is_counted_on_each_layers_ties(result, G, report_html):
    sector = dict(G.nodes(data="sector"))
    f = finding(result, "silos")
    layers = f["figures"]["layers"]
    assert layers and set(layers["layers"]) >= {"ties", "forums", "assets"}
    section = parse(report_html).text["silos"]
    for layer in ("ties", "forums", "assets"):
        edges = [(u, v) for u, v, d in G.edges(data=True) if (d.get(f"layer_{layer}") or 0) > 0]
        by_hand = ei_by_hand(G, sector, edges)
        internal = sum(i for i, _, _ in by_hand.values())
        whole = (len(edges) - 2 * internal) / len(edges)
        assert layers["by_layer"][layer]["ei_index"] == pytest.approx(whole, abs=1e-12)
        closed = f["figures"]["groups"][0]["group"]
        assert signed(by_hand[closed][2]) in f["statistics"]
        assert signed(whole) in section
    assert "index on each layer" in report_html


def test_top_bridge_is_the_argmax_of_networkx_subset_betweenness_in_post(result, G, store):
    f = finding(result, "bridges")
    acute = [v for v, s in G.nodes(data="sector") if s == "acute"]
    community = [v for v, s in G.nodes(data="sector") if s == "community"]
    scores = nx.betweenness_centrality_subset(G, acute, community)
    in_post = [v for v in scores if G.nodes[v]["in_post"]]
    best = max(scores[v] for v in in_post)
    winners = sorted(v for v in in_post if scores[v] >= best - 1e-12)
    assert len(winners) == 1
    top = f["figures"]["brokers"][0]
    assert top["id"] == winners[0]
    name = store.get_node(NodeLabel.PERSON, top["id"]).props["name"]
    assert f["headline"].startswith(name)
    # Share of acute-community shortest paths through the person: networkx's un-normalised
    # subset betweenness counts each undirected pair half, hence the 2.
    raw = nx.betweenness_centrality_subset(G, acute, community, normalized=False)[top["id"]]
    share = 2 * raw / (len(acute) * len(community))
    assert top["share_of_paths"] == pytest.approx(share, rel=1e-9)
    words = as_percent(share, 1)
    assert f"{words} of the shortest paths" in f["headline"]
    # One measure, one number: the table says the same.
    row = re.search(r"<td>1</td>.*?</tr>", render_report(store, maps=False), re.S).group(0)
    assert f">{words}<" in row
    # The forums named are ones the bridge attends with someone from the other side.
    own = G.nodes[top["id"]]["sector"]
    other = [v for v in acute + community if G.nodes[v]["sector"] != own]
    attends: dict = {}
    for r in store.relationships(RelType.ATTENDS):
        attends.setdefault(r.source, set()).add(r.target)
    shared = attends.get(top["id"], set()) & set().union(*(attends.get(v, set())
                                                           for v in other))
    for forum in top["forums"]:
        assert forum["id"] in shared
        assert forum["name"] == store.get_node(NodeLabel.FORUM, forum["id"]).props["name"]


def test_key_person_risk_matches_hand_counted_cross_sector_links(result, G):
    f = finding(result, "key_person_risk")
    removed = set(f["figures"]["removed"])
    sector = dict(G.nodes(data="sector"))
    cross = [(u, v) for u, v in G.edges() if u != v and sector[u] and sector[v]
             and sector[u] != sector[v]]
    lost = [e for e in cross if e[0] in removed or e[1] in removed]
    assert f["figures"]["cross_ties_before"] == len(cross)
    assert f["figures"]["cross_ties_lost"] == len(lost)
    assert f"{len(lost) / len(cross):.0%} of its links across sectors" in f["headline"]
    assert f"({len(lost):,} of {len(cross):,})" in f["headline"]
    assert all(G.nodes[v]["in_post"] for v in removed)


def test_hybrids_finding_agrees_with_networkx_betweenness(result, G):
    f = finding(result, "hybrids")
    bc = nx.betweenness_centrality(G)
    # Hybrids at other levels are compared with neither group.
    h = [bc[v] for v, a in G.nodes(data=True) if a["hybrid"]]
    o = [bc[v] for v, a in G.nodes(data=True) if not a["hybrid_any"]]
    fig = f["figures"]
    assert fig["n_hybrid"] == len(h) and fig["n_other"] == len(o)
    assert fig["median_hybrid"] == pytest.approx(statistics.median(h), abs=1e-12)
    # The medians are written as shares of shortest paths, as everywhere else.
    assert (f"lies on {as_percent(statistics.median(h), 1)} of the shortest paths"
            in f["headline"])
    assert f"against {as_percent(statistics.median(o), 1)} for everyone else" in f["headline"]
    assert "Cliff's delta" in f["statistics"] and "middle level" in f["statistics"]


def test_communities_of_practice_named_span_organisations_around_their_forum(result, G, store):
    f = finding(result, "communities")
    named = f["figures"]["communities_of_practice"]
    assert named, "the demo partnership plants communities of practice"
    members = {c["id"]: c["members"] for c in analyses.communities(store)["communities"]}
    attends: dict = {}
    for r in store.relationships(RelType.ATTENDS):
        attends.setdefault(r.target, set()).add(r.source)
    for c in named:
        people = members[c["id"]]
        assert len(people) == c["size"]
        assert len({G.nodes[v]["organisation"] for v in people}) >= 2
        forum = c["forum"]
        share = len(set(people) & attends[forum["id"]]) / len(people)
        assert share == pytest.approx(forum["share"])
    assert f"{len(named)} communities of practice" in f["headline"]
    assert "modularity" in f["statistics"] and "modularity" not in f["headline"]


def test_change_names_the_brokers_lost_and_gained_since_the_phase_before(result, store, now):
    f = finding(result, "change")
    before = {"PH2": "PH1", "PH3": "PH2", "PH4": "PH3"}[now["phase"]["id"]]
    assert f["figures"]["from"]["phase"] == before
    G1 = analyses.person_graph(store, phase=before)
    # The phase as it is now: cut at the as-of date when that falls before its end.
    cut = now["end"] != now["phase"]["end"]
    G2 = (analyses.person_graph(store, window=f"{now['start']}:{now['end']}") if cut
          else analyses.person_graph(store, phase=now["phase"]["id"]))
    assert (f["figures"]["to"]["start"], f["figures"]["to"]["end"]) == (now["start"],
                                                                        now["end"])
    top1, bc1 = top_by_betweenness(G1)
    top2, bc2 = top_by_betweenness(G2)
    cut1, cut2 = bc1[top1[-1]], bc2[top2[-1]]
    lost = [b["id"] for b in f["figures"]["brokers_lost"]]
    gained = [b["id"] for b in f["figures"]["brokers_gained"]]
    for v in lost:  # against networkx, allowing only for float ties at the 20th place
        assert bc1[v] >= cut1 - 1e-12
        assert v not in G2 or bc2[v] <= cut2 + 1e-12
    for v in gained:
        assert bc2[v] >= cut2 - 1e-12
        assert v not in G1 or bc1[v] <= cut1 + 1e-12
    left = {b["id"] for b in f["figures"]["brokers_lost_who_left"]}
    assert left == {v for v in lost if v not in G2}
    was = "was" if len(lost) == 1 else "were"
    assert f"{len(lost)} of the top 20 brokers {was} lost" in f["headline"]
    e1 = ei_by_hand(G1, dict(G1.nodes(data="sector")))
    e2 = ei_by_hand(G2, dict(G2.nodes(data="sector")))
    for row in f["figures"]["silos"]:
        assert row["ei_before"] == pytest.approx(e1[row["group"]][2], abs=1e-12)
        assert row["ei_after"] == pytest.approx(e2[row["group"]][2], abs=1e-12)


def test_absent_groups_and_no_phases_are_skipped_with_a_note(tmp_path, small_bundle):
    with ingest_copy(tmp_path, small_bundle, drop=("phases.csv",)) as s:
        out = findings(s, by="sector", between=("acute", "nowhere"))
        topics = {f["topic"] for f in out["findings"]}
        assert "bridges" not in topics
        assert {"silos", "key_person_risk", "communities"} <= topics
        assert any("bridges" in n and "'nowhere'" in n for n in out["notes"])
        # Without phases "now" is the year to the as-of date, compared with the year before.
        assert out["partnership"]["period"]["rule"] == "look-back"
        page = render_report(s, between=("acute", "nowhere"), maps=False)
        assert "Not covered, or withheld" in page and "nowhere" in page
        assert 'id="bridges"' not in page
        by_org = findings(s, by="organisation")
        silo = finding(by_org, "silos")
        names = {n.props["name"] for n in s.find_nodes(NodeLabel.ORGANISATION)}
        assert silo["figures"]["groups"][0]["label"] in names
        assert silo["headline"].startswith("Staff of ")


def test_empty_store_says_there_is_nothing_to_analyse(tmp_path):
    with SQLiteStore(tmp_path / "empty.sqlite") as s:
        for call in (lambda: findings(s), lambda: render_report(s),
                     lambda: write_outputs(s, tmp_path / "out")):
            with pytest.raises(AnalysisError, match="nothing to analyse"):
                call()
        assert not (tmp_path / "out").exists()


def test_bad_parameters_are_refused(store):
    with pytest.raises(InvalidParameter, match="unknown grouping"):
        findings(store, by="shoe_size")
    with pytest.raises(InvalidParameter, match="two different groups"):
        findings(store, between=("acute", "acute"))
    # The question is checked when it is made, before any store is read.
    with pytest.raises(InvalidParameter, match="unknown grouping"):
        ReportQuestion(by="shoe_size")
    with pytest.raises(InvalidParameter, match="two different groups"):
        ReportQuestion(between=("acute",))


def test_a_question_asks_what_its_keywords_ask(store, result):
    asked = ReportQuestion(phase="PH2", seed=0)
    in_phase = findings(store, asked)
    assert in_phase == findings(store, phase="PH2")
    assert in_phase["parameters"]["phase"] == "PH2" and in_phase != result
    # Keywords given beside a question replace its fields.
    assert findings(store, asked, phase=None) == result


# -- the page ---------------------------------------------------------------------------------


def map_data(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="carebridge-data">(.*?)'
                                r"</script>", page, re.S).group(1))


def test_page_is_one_offline_file_that_needs_no_script(report_html, result, store):
    assert report_html.startswith("<!DOCTYPE html>")
    assert external_sources(report_html) == []
    tags = parse(report_html).tags
    names = [t for t, _ in tags]
    # No script and no frames: charts and maps are drawn on the server.
    assert "script" not in names and "iframe" not in names
    svgs = [a for t, a in tags if t == "svg" and "map-svg" in a.get("class", "")]
    assert len(svgs) == 2
    assert names.count("svg") >= 6
    assert parse(report_html).headlines == [f["headline"] for f in result["findings"]]
    assert "@media print" in report_html and "break-before: page" in report_html
    assert f"revision {store.revision()}" in report_html
    assert "kg report --by sector --between acute community --seed 0" in report_html
    # Each map links to its interactive page, written beside the report.
    links = [a["href"] for t, a in tags if t == "a" and a.get("href", "").startswith("maps/")]
    assert links == ["maps/bridges-acute-community.html", "maps/organisations.html"]


def test_the_maps_are_the_interactive_maps_drawn_as_svg(report_html, store, G):
    from kg.queries import maps as views

    bridges = map_data(views.bridges(store, by="sector", between=("acute", "community")))
    section = report_html[report_html.index('id="bridges"'):report_html.index('id="risk"')]
    svg = re.search(r'<svg class="map-svg".*?</svg>', section, re.S).group(0)
    circles = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)" fill="(#\w+)"', svg)
    assert len(circles) == len(bridges["nodes"])
    # Same layout: every circle sits at the map's position, shifted and scaled by one factor
    # on both axes (the picture is not stretched).
    xs, ys = [n["x"] for n in bridges["nodes"]], [n["y"] for n in bridges["nodes"]]
    cxs, cys = [float(c[0]) for c in circles], [float(c[1]) for c in circles]
    scale = (max(cxs) - min(cxs)) / (max(xs) - min(xs))
    assert (max(cys) - min(cys)) / (max(ys) - min(ys)) == pytest.approx(scale, rel=1e-3)
    drawn = sorted(zip(cxs, cys, strict=True))
    for n in bridges["nodes"]:
        px = min(cxs) + scale * (n["x"] - min(xs))
        py = min(cys) + scale * (n["y"] - min(ys))
        assert min(abs(px - cx) + abs(py - cy) for cx, cy in drawn) < 0.3
    # Colours are the map's categories; the legend has a swatch of each colour drawn.
    colours = {c["color"] for c in bridges["attributes"][bridges["colorBy"]]["categories"]}
    assert {c[3] for c in circles} <= colours
    legend = re.search(r'<ul class="legend">(.*?)</ul>', section, re.S).group(1)
    for colour in {c[3] for c in circles}:
        assert f'fill="{colour}"' in legend
    # The top bridges of the table (people in post) are the ones ringed on the map.
    figures = finding(findings(store), "bridges")["figures"]
    drawn = {n["key"] for n in bridges["nodes"]}
    ringed = re.findall(r'stroke="#111" stroke-width="2.5"', svg)
    shown = sum(1 for b in figures["brokers"] if str(b["id"]) in drawn)
    assert shown >= 1 and shown <= len(ringed) <= figures["top"]


def test_injected_markup_in_a_name_is_shown_as_text(tmp_path, small_bundle, result):
    top = finding(result, "bridges")["figures"]["brokers"][0]["id"]
    with ingest_copy(tmp_path, small_bundle) as s:
        node = s.get_node(NodeLabel.PERSON, top)
        s.upsert([Node(NodeLabel.PERSON, top, {**node.props, "name": XSS_NAME})])
        page = render_report(s)
        out = findings(s)
    assert finding(out, "bridges")["headline"].startswith(XSS_NAME)
    assert XSS_NAME not in page
    assert parse(page).headlines[1].startswith(XSS_NAME)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    tags = parse(page).tags
    assert not any(t == "img" for t, _ in tags)
    for t, a in tags:
        assert not any(k.startswith("on") for k in a), f"event handler on <{t}>"


def test_pseudonymised_report_names_no_one_and_withholds_small_groups(store, small_bundle, G):
    page = render_report(store, pseudonymise=True)
    people = csv_rows(small_bundle / "people.csv")
    for p in people:
        assert p["name"] not in page, p["name"]
        assert p["id"] not in page, p["id"]
    # People are described by role and organisation instead.
    text = parse(page).text
    assert " at Riverside University Hospitals NHS Trust" in text["findings"]
    assert "Pseudonymised for wider circulation" in page
    assert "maps/" not in page  # the interactive maps name people: not linked
    # By profession, groups of fewer than five people are withheld, and the page says so.
    by_prof = render_report(store, by="profession", between=None, pseudonymise=True,
                            maps=False)
    sizes: dict = {}
    for _, prof in G.nodes(data="profession"):
        sizes[prof] = sizes.get(prof, 0) + 1
    small = {p for p, n in sizes.items() if p and n < 5}
    assert small, "the demo has professions of fewer than five people"
    rows = re.findall(r"<tr><td>([^<]+)</td><td class=\"withheld\"", by_prof)
    from kg.labels import label

    assert {label("profession", p) for p in small} <= set(rows)
    assert "fewer than 5 people are withheld" in by_prof


def test_write_outputs_writes_the_report_findings_and_every_map(store, tmp_path, result):
    written = write_outputs(store, tmp_path / "out", seed=0)
    top = finding(result, "bridges")["figures"]["brokers"][0]["id"]
    expected = {
        "report": "report.html",
        "findings": "findings.json",
        "network": "maps/network.html",
        "bridges": "maps/bridges-acute-community.html",
        "communities": "maps/communities.html",
        "organisations": "maps/organisations.html",
        "ego": f"maps/ego-{top}.html",
    }
    assert {k: p.relative_to(tmp_path / "out").as_posix() for k, p in written.items()} == expected
    for name, path in written.items():
        text = path.read_text(encoding="utf-8")
        assert path.stat().st_size > 1000, name
        if name != "findings":
            assert text.startswith("<!DOCTYPE html>") and external_sources(text) == [], name
    doc = json.loads(written["findings"].read_text(encoding="utf-8"))
    assert finding(doc, "bridges")["figures"]["brokers"][0]["id"] == top


# -- the command line and the API -------------------------------------------------------------


@pytest.fixture
def cli(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("KG_DATA_DIR", str(data_dir))
    monkeypatch.setenv("KG_OUTPUT_DIR", str(tmp_path / "kg-out"))
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()


def test_kg_report_writes_the_page_and_its_maps_and_prints_the_headlines(cli, tmp_path,
                                                                         result, now):
    r = cli("report", "--seed", "0")
    assert r.exit_code == 0, r.output
    out = tmp_path / "kg-out"
    page = (out / "report.html").read_text(encoding="utf-8")
    assert external_sources(page) == []
    assert (out / "maps" / "bridges-acute-community.html").exists()
    assert (out / "maps" / "organisations.html").exists()
    top = finding(result, "bridges")["headline"]
    assert "1. Silos:" in r.output and "2. Bridges: " + top[:20] in r.output
    assert f"Covers: {now['phase']['name']}" in r.output
    own = tmp_path / "board.html"
    r = cli("report", "-o", str(own), "--phase", "PH2", "--between", "acute", "social_care",
            "--no-maps")
    assert r.exit_code == 0, r.output
    text = own.read_text(encoding="utf-8")
    assert 'class="map-svg"' not in text and "social care" in text.lower()
    assert "Devolved multidisciplinary experimentation (PH2)" in text
    r = cli("report", "-o", str(tmp_path / "wide.html"), "--pseudonymise", "--as-of",
            "2019-01-31")
    assert r.exit_code == 0, r.output
    wide = re.sub(r"<[^>]+>", "", (tmp_path / "wide.html").read_text(encoding="utf-8"))
    assert "as of 2019-01-31" in wide
    assert not (tmp_path / "maps").exists()  # no map that names people beside it


@pytest.mark.parametrize(
    ("args", "path"),
    [
        (("network", "--color-by", "sector"), "maps/network.html"),
        (("network", "--phase", "PH2"), "maps/network-PH2.html"),
        (("network", "--as-of", "2017-03-01"), "maps/network-2017-03-01.html"),
        (("bridges", "--by", "sector", "--between", "acute", "community"),
         "maps/bridges-acute-community.html"),
        (("communities", "--community", "1"), "maps/community-1.html"),
        (("organisations",), "maps/organisations.html"),
    ],
)
def test_kg_map_writes_each_view(cli, tmp_path, args, path):
    r = cli("map", *args)
    assert r.exit_code == 0, r.output
    text = (tmp_path / "kg-out" / path).read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and external_sources(text) == []


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("map", "nonsense"), 2, "'nonsense' is not one of"),
        (("map", "ego", "--person", "NOPE"), 1, "person 'NOPE' not found"),
        (("map", "ego"), 2, "needs --person"),
        (("map", "network", "--phase", "PH9"), 1, "phase 'PH9' not found"),
        (("report", "--by", "shoe_size"), 1, "unknown grouping 'shoe_size'"),
        (("report", "--phase", "PH9"), 1, "phase 'PH9' not found"),
        (("report", "--as-of", "soon"), 1, "not a date in YYYY-MM-DD form"),
    ],
)
def test_bad_cli_input_exits_non_zero_with_a_clear_message(cli, args, code, message):
    r = cli(*args)
    assert r.exit_code == code, r.output
    assert message in " ".join(r.output.split()), r.output
    assert "Traceback" not in r.output


def test_served_report_takes_the_period_and_links_the_api_maps(data_dir, small_bundle):
    from fastapi.testclient import TestClient

    from api import create_app
    from kg.config import Settings

    settings = Settings(data_dir=data_dir, output_dir=data_dir / "out", api_keys="k-view:viewer")
    application = create_app(settings)
    try:
        client = TestClient(application, client=("10.1.2.3", 40000))
        headers = {"X-API-Key": "k-view"}
        r = client.get("/report?phase=PH2", headers=headers)
        assert r.status_code == 200 and "default-src 'none'" in r.headers[
            "content-security-policy"]
        assert "Devolved multidisciplinary experimentation (PH2)" in r.text
        hrefs = re.findall(r'href="(/maps/[^"]+)"', r.text)
        assert hrefs and all("phase=PH2" in h for h in hrefs)
        assert client.get(hrefs[0].replace("&amp;", "&"), headers=headers).status_code == 200
        wide = client.get("/report?pseudonymise=true", headers=headers).text
        for p in csv_rows(small_bundle / "people.csv")[:50]:
            assert p["name"] not in wide
        assert client.get("/report?as_of=soon", headers=headers).status_code == 422
    finally:
        application.state.store.close()


def test_what_worked_recovers_the_planted_interventions(result, small_bundle):
    """The demo plants interventions with a known effect and one with none (truth.json)."""
    truth = json.loads((small_bundle / "truth.json").read_text())["interventions"]
    item = next(f for f in result["findings"] if f["topic"] == "worked")
    found = {r["id"]: r["direction"] for r in item["figures"]["interventions"]}
    assert set(found) == {planted["id"] for planted in truth}
    for planted in truth:
        if planted["effect"] == "positive":
            assert found[planted["id"]] == "more", planted["id"]
        else:
            assert found[planted["id"]] in {"cannot tell", "too small to matter"}, planted["id"]
    assert all(p["name"] in item["detail"] for p in truth)


def test_who_to_introduce_names_untied_pairs_across_the_two_sides(result, G):
    item = next(f for f in result["findings"] if f["topic"] == "introductions")
    rows = item["figures"]["introductions"]
    assert rows
    for row in rows:
        a, b = row["id_a"], row["id_b"]
        assert not G.has_edge(a, b)  # not yet tied, in the report's own network
        assert {G.nodes[a]["sector"], G.nodes[b]["sector"]} == {"acute", "community"}
        assert G.nodes[a]["in_post"] and G.nodes[b]["in_post"]
        assert G.nodes[a]["name"] in item["headline"] and G.nodes[b]["name"] in item["headline"]
