"""The board report (``kg.report``, ``kg report``, ``kg map``) on the small demo partnership.

Every figure a finding states is recomputed here from the person network (networkx, hand counts)
or from the store's own records, never read back from the code under test: the most closed group
and its E-I index, the top bridge as the argmax of ``nx.betweenness_centrality_subset``, the
cross-sector links lost when the key people leave, hybrids' betweenness, the brokers lost and
gained between the first and last phase. The page is checked for external resources and for
escaping, and (marked ``browser``) loaded in Debian's chromium.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import statistics
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from browser_support import PAINTED, Watched
from typer.testing import CliRunner

from kg.cli import app
from kg.config import get_settings
from kg.errors import AnalysisError, InvalidParameter
from kg.ingest import ingest_path
from kg.model import Node, NodeLabel, RelType
from kg.queries import analyses
from kg.report import findings, render_report, write_outputs
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
    return analyses.person_graph(store)


@pytest.fixture(scope="module")
def top_bridge(G) -> str:
    """The argmax of networkx's between-groups betweenness, acute to community."""
    acute = [v for v, s in G.nodes(data="sector") if s == "acute"]
    community = [v for v, s in G.nodes(data="sector") if s == "community"]
    scores = nx.betweenness_centrality_subset(G, acute, community)
    best = max(scores.values())
    winners = sorted(v for v, x in scores.items() if x >= best - 1e-12)
    assert len(winners) == 1, "a tie for the top bridge would make the test ambiguous"
    return winners[0]


@pytest.fixture(scope="module")
def report_html(store) -> str:
    return render_report(store, by="sector", between=("acute", "community"), seed=0)


def finding(result: dict, topic: str) -> dict:
    found = [f for f in result["findings"] if f["topic"] == topic]
    assert len(found) == 1, f"expected one {topic} finding, got {len(found)}"
    return found[0]


def signed(x: float) -> str:
    text = f"{x:+.2f}"
    return "0.00" if float(text) == 0 else text.replace("-", MINUS)


def ingest_copy(tmp_path: Path, bundle: Path, *, drop: tuple[str, ...] = ()) -> SQLiteStore:
    """A fresh store of the demo bundle, optionally without some of its files."""
    folder = tmp_path / "bundle"
    shutil.copytree(bundle, folder)
    for name in drop:
        (folder / name).unlink()
    store = SQLiteStore(tmp_path / "kg.sqlite")
    ingest_path(store, folder)
    return store


def csv_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(line for line in f if not line.startswith("#"))]


# -- hand computations ------------------------------------------------------------------------


def ei_by_hand(G: nx.Graph, labels: dict) -> dict:
    """Per group: (internal, external, E-I) with ties counted once, self-loops ignored."""
    internal: dict = {}
    external: dict = {}
    for u, v in G.edges():
        a, b = labels.get(u), labels.get(v)
        if u == v or a is None or b is None:
            continue
        if a == b:
            internal[a] = internal.get(a, 0) + 1
        else:
            external[a] = external.get(a, 0) + 1
            external[b] = external.get(b, 0) + 1
    groups = set(internal) | set(external)
    out = {}
    for g in groups:
        i, e = internal.get(g, 0), external.get(g, 0)
        out[g] = (i, e, (e - i) / (e + i))
    return out


def top_by_betweenness(G: nx.Graph, k: int = 20) -> tuple[list, dict]:
    bc = nx.betweenness_centrality(G)
    return sorted(bc, key=lambda v: (-bc[v], v))[:k], bc


# -- the findings -----------------------------------------------------------------------------


def test_findings_are_a_short_json_ready_list_in_plain_words(result):
    # Strict JSON (no default=) proves every value is JSON-ready.
    text = json.dumps(result, allow_nan=False)
    assert json.loads(text)["findings"]
    topics = [f["topic"] for f in result["findings"]]
    assert 5 <= len(topics) <= 8
    assert {"silos", "bridges", "key_person_risk", "communities", "change", "hybrids"} <= set(
        topics)
    for f in result["findings"]:
        assert set(f) == {"topic", "headline", "detail", "figures"}
        assert f["headline"].endswith(".") and len(f["headline"]) < 400
        assert "None" not in f["headline"] and "nan" not in f["headline"].lower()
    assert result["notes"] == []


def test_partnership_summary_counts_the_bundle(result, small_bundle, store):
    p = result["partnership"]
    assert p["people"] == len(csv_rows(small_bundle / "people.csv"))
    assert p["ties"] == len(csv_rows(small_bundle / "ties.csv"))
    assert p["forums"] == len(csv_rows(small_bundle / "forums.csv"))
    orgs = csv_rows(small_bundle / "organisations.csv")
    assert p["organisations"] == sum(1 for o in orgs if not o.get("parent_id"))
    assert p["revision"] == store.revision()
    phases = csv_rows(small_bundle / "phases.csv")
    assert [x["id"] for x in p["phases"]] == [r["id"] for r in phases]
    dates = [r[k] for r in csv_rows(small_bundle / "ties.csv") for k in ("start", "end") if r[k]]
    assert p["period"]["start"] <= min(dates) and p["period"]["end"] >= max(dates)


def test_silos_name_the_most_closed_sector_with_its_hand_computed_ei(result, G):
    f = finding(result, "silos")
    by_hand = ei_by_hand(G, dict(G.nodes(data="sector")))
    closed = min(by_hand, key=lambda g: by_hand[g][2])
    first = f["figures"]["groups"][0]
    assert first["group"] == closed
    internal, external, ei = by_hand[closed]
    assert first["ei_index"] == pytest.approx(ei, abs=1e-12)
    share = internal / (internal + external)
    assert first["internal_share"] == pytest.approx(share)
    assert f"{share:.0%} of their ties" in f["headline"]
    assert f"E\u2013I {signed(ei)}" in f["headline"]
    # The groups named next are the next most closed, in order.
    ranked = sorted((g for g in by_hand if by_hand[g][2] < 0), key=lambda g: by_hand[g][2])
    assert [g["group"] for g in f["figures"]["groups"]] == ranked[:3]
    # An independent permutation test (own RNG) agrees that the group is far more closed than
    # its size explains, as the stated p-value says.
    nodes = [v for v, s in G.nodes(data="sector") if s is not None]
    labels = np.array([G.nodes[v]["sector"] for v in nodes])
    rng = np.random.default_rng(12345)
    as_low = 0
    for _ in range(199):
        shuffled = dict(zip(nodes, rng.permutation(labels), strict=True))
        as_low += ei_by_hand(G, shuffled)[closed][2] <= ei
    assert (1 + as_low) / 200 <= 0.01
    assert first["p_value"] <= 0.01 and "p \u2264 0.001" in f["headline"]


def test_top_bridge_is_the_argmax_of_networkx_subset_betweenness(result, G, store, top_bridge):
    f = finding(result, "bridges")
    top = f["figures"]["brokers"][0]
    assert top["id"] == top_bridge
    name = store.get_node(NodeLabel.PERSON, top_bridge).props["name"]
    assert f["headline"].startswith(name)
    # Share of acute-community shortest paths through the person: networkx's un-normalised
    # subset betweenness counts each undirected pair half, hence the 2.
    acute = [v for v, s in G.nodes(data="sector") if s == "acute"]
    community = [v for v, s in G.nodes(data="sector") if s == "community"]
    raw = nx.betweenness_centrality_subset(G, acute, community)[top_bridge]
    share = 2 * raw / (len(acute) * len(community))
    assert top["share_of_paths"] == pytest.approx(share, rel=1e-9)
    words = f"{share:.1%}" if share < 0.095 else f"{share:.0%}"
    assert f"on {words} of the shortest paths" in f["headline"]
    # Role and organisation as the store records them.
    titles, orgs = set(), set()
    parents = {r.source: r.target for r in store.relationships(RelType.PART_OF)}
    for held in store.relationships(RelType.HOLDS_ROLE, source=top_bridge):
        titles.add(store.get_node(NodeLabel.ROLE, held.target).props["title"])
        for at in store.relationships(RelType.AT_ORGANISATION, source=held.target):
            org = at.target
            while org in parents:
                org = parents[org]
            orgs.add(store.get_node(NodeLabel.ORGANISATION, org).props["name"])
    assert top["role"] in titles and top["role"] in f["headline"]
    assert top["organisation"] in orgs and top["organisation"] in f["headline"]
    # The forums named are ones the bridge attends together with someone from the other side.
    own = G.nodes[top_bridge]["sector"]
    other = [v for v in acute + community if G.nodes[v]["sector"] != own]
    attends: dict = {}
    for r in store.relationships(RelType.ATTENDS):
        attends.setdefault(r.source, set()).add(r.target)
    shared = attends.get(top_bridge, set()) & set().union(*(attends.get(v, set()) for v in other))
    assert top["forums"], "the top bridge should meet the other side somewhere"
    for forum in top["forums"]:
        assert forum["id"] in shared
        assert forum["name"] == store.get_node(NodeLabel.FORUM, forum["id"]).props["name"]
    assert top["forums"][0]["name"] in f["headline"]


def test_key_person_risk_matches_hand_counted_cross_sector_links(result, G, store):
    f = finding(result, "key_person_risk")
    removed = f["figures"]["removed"]
    expected = analyses.risk(store, by="sector", top=10)["people"]
    assert sorted(removed) == sorted(p["id"] for p in expected)
    sector = dict(G.nodes(data="sector"))
    cross = [(u, v) for u, v in G.edges() if u != v and sector[u] and sector[v]
             and sector[u] != sector[v]]
    gone = set(removed)
    lost = [e for e in cross if e[0] in gone or e[1] in gone]
    assert f["figures"]["cross_ties_before"] == len(cross)
    assert f["figures"]["cross_ties_lost"] == len(lost)
    assert f"{len(lost) / len(cross):.0%} of its cross-sector links" in f["headline"]
    assert f"({len(lost):,} of {len(cross):,})" in f["headline"]

    def connected_cross_pairs(H, people):
        where = {v: i for i, c in enumerate(nx.connected_components(H)) for v in c}
        return sum(1 for a in people for b in people
                   if a < b and sector[a] and sector[b] and sector[a] != sector[b]
                   and where[a] == where[b])

    stay = [v for v in G if v not in gone]
    before = connected_cross_pairs(G, stay)
    after = connected_cross_pairs(G.subgraph(stay), stay)
    if after == before:
        assert "still could" in f["detail"]
    else:
        assert f"only {after / before:.0%}" in f["detail"]


def store_hybrids(store) -> set:
    """People holding a hybrid role, or a clinical and a managerial role at the same time."""
    out = set()
    roles = {n.id: n.props for n in store.find_nodes(NodeLabel.ROLE)}
    held: dict = {}
    for r in store.relationships(RelType.HOLDS_ROLE):
        held.setdefault(r.source, []).append((r.start, r.end, roles[r.target]["kind"]))
    for person, rows in held.items():
        if any(k == "hybrid" for *_, k in rows):
            out.add(person)
        for s1, e1, k1 in rows:
            for s2, e2, k2 in rows:
                if k1 == "clinical" and k2 == "managerial" and (s1 is None or e2 is None
                                                               or s1 <= e2) and (
                        s2 is None or e1 is None or s2 <= e1):
                    out.add(person)
    return out


def test_hybrids_finding_agrees_with_networkx_betweenness(result, G, store):
    f = finding(result, "hybrids")
    hybrids = store_hybrids(store) & set(G)
    ranked, bc = top_by_betweenness(G, len(G))
    h = [bc[v] for v in G if v in hybrids]
    o = [bc[v] for v in G if v not in hybrids]
    fig = f["figures"]
    assert fig["n_hybrid"] == len(h) and fig["n_other"] == len(o)
    assert fig["median_hybrid"] == pytest.approx(statistics.median(h), abs=1e-12)
    assert fig["median_other"] == pytest.approx(statistics.median(o), abs=1e-12)
    top10 = sum(1 for v in ranked[:10] if v in hybrids)
    assert fig["hybrids_in_top10"] == top10

    def score(x):
        return f"{x:.3f}" if x >= 0.01 or x == 0 else f"{x:.2g}"

    assert f"{score(statistics.median(h))} against {score(statistics.median(o))}" in f["headline"]
    more = statistics.median(h) > statistics.median(o)
    assert ("broker far more" in f["headline"] or "broker more" in f["headline"]) == more


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
        organisations = {G.nodes[v]["organisation"] for v in people}
        assert len(organisations) >= 2, "a community of practice spans organisations"
        forum = c["forum"]
        share = len(set(people) & attends[forum["id"]]) / len(people)
        assert share == pytest.approx(forum["share"])
        assert forum["name"] == store.get_node(NodeLabel.FORUM, forum["id"]).props["name"]
    assert f"{len(named)} communities of practice" in f["headline"]
    for c in named[:3]:
        assert c["forum"]["name"] in f["detail"]


def test_change_names_the_brokers_lost_and_gained_from_first_to_last_phase(result, store):
    f = finding(result, "change")
    assert f["figures"]["from"]["id"] == "PH1" and f["figures"]["to"]["id"] == "PH4"
    G1 = analyses.person_graph(store, phase="PH1")
    G4 = analyses.person_graph(store, phase="PH4")
    top1, bc1 = top_by_betweenness(G1)
    top4, bc4 = top_by_betweenness(G4)
    cut1, cut4 = bc1[top1[-1]], bc4[top4[-1]]
    lost = [b["id"] for b in f["figures"]["brokers_lost"]]
    gained = [b["id"] for b in f["figures"]["brokers_gained"]]
    # Against networkx, allowing only for float ties exactly at the 20th place.
    for v in lost:
        assert bc1[v] >= cut1 - 1e-12
        assert v not in G4 or bc4[v] <= cut4 + 1e-12
    for v in gained:
        assert bc4[v] >= cut4 - 1e-12
        assert v not in G1 or bc1[v] <= cut1 + 1e-12
    # And everyone clearly in the first top 20 and clearly out of the last is named as lost.
    clearly_lost = {v for v in top1 if bc1[v] > cut1 + 1e-12
                    and (v not in G4 or bc4[v] < cut4 - 1e-12)}
    assert clearly_lost <= set(lost)
    left = {b["id"] for b in f["figures"]["brokers_lost_who_left"]}
    assert left == {v for v in lost if v not in G4}
    assert f"{len(lost)} of the top 20 brokers were lost" in f["headline"]
    # The same answer as kg analyse change --from PH1 --to PH4.
    same = analyses.change(store, from_="PH1", to="PH4", top=20)["brokers"]
    assert lost == [b["id"] for b in same["lost"]]
    assert gained == [b["id"] for b in same["gained"]]
    # E-I of each sector before and after, by hand.
    e1 = ei_by_hand(G1, dict(G1.nodes(data="sector")))
    e4 = ei_by_hand(G4, dict(G4.nodes(data="sector")))
    for row in f["figures"]["silos"]:
        assert row["ei_before"] == pytest.approx(e1[row["group"]][2], abs=1e-12)
        assert row["ei_after"] == pytest.approx(e4[row["group"]][2], abs=1e-12)
    opened = sum(1 for g in e1 if g in e4 and e4[g][2] - e1[g][2] >= 0.05)
    if opened:
        assert f"{opened} of {len(set(e1) & set(e4))} sectors opened up" in f["headline"]


def test_absent_groups_and_no_phases_are_skipped_with_a_note(tmp_path, small_bundle):
    with ingest_copy(tmp_path, small_bundle, drop=("phases.csv",)) as s:
        out = findings(s, by="sector", between=("acute", "nowhere"))
        topics = {f["topic"] for f in out["findings"]}
        assert "bridges" not in topics and "change" not in topics
        assert {"silos", "key_person_risk", "communities"} <= topics
        assert any("bridges" in n and "'nowhere'" in n for n in out["notes"])
        assert any("change" in n and "no named phases" in n for n in out["notes"])
        page = render_report(s, between=("acute", "nowhere"), maps=False)
        assert "Not covered in this report" in page and "nowhere" in page
        assert 'id="bridges"' not in page and 'id="change"' not in page
        # Grouped by organisation, "acute" is not an organisation: bridges skipped, silos named
        # by the organisations' names.
        by_org = findings(s, by="organisation")
        assert "bridges" not in {f["topic"] for f in by_org["findings"]}
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


# -- the page ---------------------------------------------------------------------------------


class Tags(HTMLParser):
    """Every start tag with its attributes, in document order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


class Headlines(HTMLParser):
    """The text of every ``<p class="headline">``, as a browser would show it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        if tag == "p" and ("class", "headline") in attrs:
            self._inside = True
            self.found.append("")

    def handle_endtag(self, tag):
        if tag == "p":
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.found[-1] += data


def headlines_of(text: str) -> list[str]:
    parser = Headlines()
    parser.feed(text)
    return parser.found


def tags_of(text: str) -> list[tuple[str, dict]]:
    parser = Tags()
    parser.feed(text)
    return parser.tags


EXTERNAL = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)


def external_sources(text: str) -> list[str]:
    """src/href of script, link, img, iframe (and the maps inside srcdoc) that leave the file."""
    found = []
    for tag, attrs in tags_of(text):
        for key in ("src", "href"):
            value = attrs.get(key)
            if tag in ("script", "link", "img", "iframe", "source", "embed") and value and (
                    EXTERNAL.match(value)):
                found.append(f"<{tag} {key}={value}>")
        if tag == "iframe" and attrs.get("srcdoc"):
            found += external_sources(attrs["srcdoc"])
    found += re.findall(r"@import|url\(\s*['\"]?\s*(?:https?:)?//", text, re.IGNORECASE)
    return found


def test_page_is_one_offline_file_with_charts_maps_and_parameters(report_html, result, store):
    assert report_html.startswith("<!DOCTYPE html>")
    assert external_sources(report_html) == []
    # Regex over the raw page too: no src/href of these elements points at http(s) anywhere.
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*[\"']?\s*https?:",
                         report_html, re.IGNORECASE)
    tags = tags_of(report_html)
    frames = [a for t, a in tags if t == "iframe"]
    assert len(frames) == 2
    for a in frames:
        assert "src" not in a and a["srcdoc"].startswith("<!DOCTYPE html>")
        assert "allow-same-origin" not in a.get("sandbox", "")
        # The embedded map is a whole page, and its own names are data, not markup.
        assert "carebridge-data" in a["srcdoc"]
    assert [t for t, _ in tags].count("svg") >= 4
    assert headlines_of(report_html) == [f["headline"] for f in result["findings"]]
    assert "@media print" in report_html and "break-before: page" in report_html
    assert f"revision {store.revision()}" in report_html
    assert "kg report --by sector --between acute community --seed 0" in report_html


def test_injected_markup_in_a_name_is_shown_as_text(tmp_path, small_bundle, top_bridge):
    with ingest_copy(tmp_path, small_bundle) as s:
        node = s.get_node(NodeLabel.PERSON, top_bridge)
        s.upsert([Node(NodeLabel.PERSON, top_bridge, {**node.props, "name": XSS_NAME})])
        page = render_report(s)
        out = findings(s)
    assert finding(out, "bridges")["headline"].startswith(XSS_NAME)
    assert XSS_NAME not in page
    # The browser shows the name as text in the headline: escaped in the source, intact after.
    assert headlines_of(page)[1].startswith(XSS_NAME)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    tags = tags_of(page)
    assert not any(t == "img" for t, _ in tags)
    for t, a in tags:
        if t == "iframe":
            inner = a["srcdoc"]
            assert XSS_NAME not in inner and not any(x == "img" for x, _ in tags_of(inner))
        assert not any(k.startswith("on") for k in a), f"event handler on <{t}>"


def test_write_outputs_writes_the_report_findings_and_every_map(store, tmp_path, top_bridge):
    written = write_outputs(store, tmp_path / "out", seed=0)
    expected = {
        "report": "report.html",
        "findings": "findings.json",
        "network": "maps/network.html",
        "bridges": "maps/bridges-acute-community.html",
        "communities": "maps/communities.html",
        "organisations": "maps/organisations.html",
        "ego": f"maps/ego-{top_bridge}.html",
    }
    assert {k: p.relative_to(tmp_path / "out").as_posix() for k, p in written.items()} == expected
    for name, path in written.items():
        text = path.read_text(encoding="utf-8")
        assert path.stat().st_size > 1000, name
        if name != "findings":
            assert text.startswith("<!DOCTYPE html>") and external_sources(text) == [], name
    doc = json.loads(written["findings"].read_text(encoding="utf-8"))
    assert finding(doc, "bridges")["figures"]["brokers"][0]["id"] == top_bridge
    assert top_bridge in written["ego"].read_text(encoding="utf-8")


# -- the command line -------------------------------------------------------------------------


@pytest.fixture
def cli(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("KG_DATA_DIR", str(data_dir))
    monkeypatch.setenv("KG_OUTPUT_DIR", str(tmp_path / "kg-out"))
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()


def test_kg_report_writes_the_page_and_prints_the_headlines(cli, tmp_path, store, top_bridge):
    r = cli("report", "--seed", "0")
    assert r.exit_code == 0, r.output
    page = tmp_path / "kg-out" / "report.html"
    assert page.exists() and external_sources(page.read_text(encoding="utf-8")) == []
    name = store.get_node(NodeLabel.PERSON, top_bridge).props["name"]
    assert "1. Silos:" in r.output and "2. Bridges: " + name in r.output
    own = tmp_path / "board.html"
    r = cli("report", "-o", str(own), "--by", "sector", "--between", "acute", "social_care",
            "--no-maps")
    assert r.exit_code == 0, r.output
    text = own.read_text(encoding="utf-8")
    assert "<iframe" not in text and "social care" in text.lower()


@pytest.mark.parametrize(
    ("args", "path"),
    [
        (("network", "--color-by", "sector"), "maps/network.html"),
        (("network", "--phase", "PH2"), "maps/network-PH2.html"),
        (("bridges", "--by", "sector", "--between", "acute", "community"),
         "maps/bridges-acute-community.html"),
        (("communities",), "maps/communities.html"),
        (("communities", "--community", "1"), "maps/community-1.html"),
        (("organisations",), "maps/organisations.html"),
    ],
)
def test_kg_map_writes_each_view(cli, tmp_path, args, path):
    r = cli("map", *args)
    assert r.exit_code == 0, r.output
    text = (tmp_path / "kg-out" / path).read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and external_sources(text) == []


def test_kg_map_ego_draws_the_person_and_their_contacts(cli, tmp_path, G, top_bridge):
    out = tmp_path / "ego.html"
    r = cli("map", "ego", "--person", top_bridge, "--hops", "1", "-o", str(out))
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="carebridge-data">(.*?)'
                                r"</script>", text, re.S).group(1))
    drawn = {n.get("key") for n in data["nodes"]}
    assert drawn == {top_bridge, *G[top_bridge]}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("map", "nonsense"), 2, "'nonsense' is not one of"),
        (("map", "ego", "--person", "NOPE"), 1, "person 'NOPE' not found"),
        (("map", "ego"), 2, "needs --person"),
        (("map", "network", "--person", "P000001"), 2, "does not apply to the network view"),
        (("map", "communities", "--community", "999"), 1, "communities, 1 to"),
        (("map", "bridges", "--between", "acute", "nowhere"), 1, "sector 'nowhere' not found"),
        (("map", "network", "--phase", "PH9"), 1, "phase 'PH9' not found"),
        (("report", "--by", "shoe_size"), 1, "unknown grouping 'shoe_size'"),
    ],
)
def test_bad_cli_input_exits_non_zero_with_a_clear_message(cli, args, code, message):
    r = cli(*args)
    assert r.exit_code == code, r.output
    assert message in " ".join(r.output.split()), r.output
    assert "Traceback" not in r.output


def test_kg_report_on_an_empty_store_exits_with_a_message(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("KG_OUTPUT_DIR", str(tmp_path / "out"))
    get_settings.cache_clear()
    try:
        r = CliRunner().invoke(app, ["report"])
    finally:
        get_settings.cache_clear()
    assert r.exit_code == 1
    assert "nothing to analyse" in r.output
    assert not (tmp_path / "out" / "report.html").exists()


# -- in a real browser ------------------------------------------------------------------------

@pytest.mark.browser
def test_report_loads_offline_in_chromium_and_its_maps_draw(browser, report_html, tmp_path):
    path = tmp_path / "report.html"
    path.write_text(report_html, encoding="utf-8")
    watched = Watched(browser, path, viewport=(1200, 900))
    page = watched.page
    try:
        charts = page.locator("svg.chart")
        assert charts.count() >= 4
        for i in range(charts.count()):
            box = charts.nth(i).bounding_box()
            assert box and box["width"] > 200 and box["height"] > 15
        iframes = page.locator("iframe")
        assert iframes.count() == 2
        for i in range(iframes.count()):
            # Browsers paint a frame only once it scrolls into view.
            iframes.nth(i).scroll_into_view_if_needed()
            frame = iframes.nth(i).element_handle().content_frame()
            frame.wait_for_function("window.carebridgeReady === true", timeout=20_000)
            expected = frame.evaluate("window.carebridgeData.nodes.length")
            assert expected > 0
            assert frame.evaluate("window.carebridgeNetwork.body.data.nodes.length") == expected
            assert frame.evaluate(PAINTED) > 100, "the map's canvas is blank"
        text = page.inner_text("body")
        assert "Headline findings" in text and "About this report" in text
        assert all(u.startswith(("file://", "data:", "about:")) for u in watched.requests)
        assert watched.failed == [] and watched.errors == [] and watched.dialogs == []
        # In print, the contents bar goes.
        page.emulate_media(media="print")
        assert not page.locator("nav.toc").is_visible()
        page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
    finally:
        watched.close()


@pytest.mark.browser
def test_injected_name_stays_text_in_chromium(browser, tmp_path, small_bundle, top_bridge):
    folder = tmp_path / "xss"
    folder.mkdir()
    with ingest_copy(folder, small_bundle) as s:
        node = s.get_node(NodeLabel.PERSON, top_bridge)
        s.upsert([Node(NodeLabel.PERSON, top_bridge, {**node.props, "name": XSS_NAME})])
        page_html = render_report(s)
    path = tmp_path / "report.html"
    path.write_text(page_html, encoding="utf-8")
    watched = Watched(browser, path, viewport=(1200, 900))
    try:
        page = watched.page
        assert XSS_NAME in page.inner_text("#findings")
        assert page.locator("img").count() == 0
        for i in range(page.locator("iframe").count()):
            page.locator("iframe").nth(i).scroll_into_view_if_needed()
            frame = page.locator("iframe").nth(i).element_handle().content_frame()
            frame.wait_for_function("window.carebridgeReady === true", timeout=20_000)
            assert frame.evaluate("document.querySelectorAll('img').length") == 0
        assert watched.dialogs == [] and watched.errors == []
    finally:
        watched.close()
