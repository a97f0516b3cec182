"""The service layer (``kg.queries.analyses``) and ``kg analyse`` / ``kg export metrics`` on the
small demo partnership, checked against networkx and hand counts on the same person network.

One store per module: the bundle is imported once into ``$KG_DATA_DIR/carebridge.sqlite`` and
both the library calls and the command line read it (they share the revision cache).
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import sys

import networkx as nx
import pytest
from bundle_reading import in_post, present, read_rows

from kg.cli import main
from kg.config import get_settings
from kg.errors import InvalidParameter, NotFound
from kg.ingest import ingest_path
from kg.queries import analyses as A
from kg.store.sqlite import SQLiteStore

COMMUNITY_KINDS = {"community_of_practice", "organisational_cluster", "cross_boundary_network"}
ROLES = {"coordinator", "itinerant", "representative", "gatekeeper", "liaison"}
PHASE3 = ("2016-07-01", "2017-12-31")  # PH3 in the demo's phases.csv, read back in a test


def top_by(G: nx.Graph, k: int) -> list:
    """The top ``k`` by networkx betweenness, ties broken by id (how change ranks)."""
    bc = nx.betweenness_centrality(G)
    return sorted(G, key=lambda v: (-bc[v], str(v)))[:k]


def ei_by_hand(G: nx.Graph, attribute: str) -> dict:
    """(internal, external) edge counts per group, one edge at a time."""
    counts: dict = {}
    for u, v in G.edges():
        a, b = G.nodes[u][attribute], G.nodes[v][attribute]
        if a == b:
            counts.setdefault(a, [0, 0])[0] += 1
        else:
            counts.setdefault(a, [0, 0])[1] += 1
            counts.setdefault(b, [0, 0])[1] += 1
    return counts


def top_ids(values: dict, k: int) -> set:
    """Ids whose value is at least the k-th largest (ties at the cut-off all count)."""
    cut = sorted(values.values(), reverse=True)[k - 1]
    return {v for v, x in values.items() if x >= cut - 1e-12}


# -- service layer -----------------------------------------------------------------------------


def test_person_network_holds_every_person_of_the_bundle(demo):
    everyone = A.person_graph(demo.store, window="all")
    assert set(everyone) == set(demo.names)
    assert everyone.number_of_edges() > len(demo.names)  # a network, not a scatter of dots
    # By default: the people present in the latest phase, up to the latest date.
    period = A.current_period(demo.store)
    assert set(demo.G) == present(demo.bundle, period.start.isoformat(), period.end.isoformat())


def test_communities_partition_the_network_connected_with_networkx_modularity(demo):
    r = A.communities(demo.store)
    assert isinstance(r["modularity"], float)
    members = [c["members"] for c in r["communities"]]
    flat = [m for ms in members for m in ms]
    assert len(flat) == len(set(flat)) and set(flat) == set(demo.G)
    assert len({c["id"] for c in r["communities"]}) == len(members)
    for c in r["communities"]:
        assert c["kind"] in COMMUNITY_KINDS
        assert nx.is_connected(demo.G.subgraph(c["members"])), c["id"]
    assert r["all_connected"] is True
    assert r["modularity"] == pytest.approx(
        nx.community.modularity(demo.G, [set(m) for m in members], weight="weight"), abs=1e-9)
    assert r["modularity"] > 0.3  # the demo plants teams and communities of practice
    json.dumps(r, allow_nan=False)  # JSON-ready, no NaN


@pytest.mark.parametrize("by", ["sector", "organisation"])
def test_silos_ei_index_and_matrix_match_hand_counts(demo, by):
    r = A.silos(demo.store, by=by)
    G = demo.G
    counts = ei_by_hand(G, by)
    sizes: dict = {}
    for _, g in G.nodes(data=by):
        sizes[g] = sizes.get(g, 0) + 1
    assert r["attribute"] == by
    assert {g["group"] for g in r["groups"]} == set(sizes)
    for g in r["groups"]:
        internal, external = counts.get(g["group"], (0, 0))
        assert (g["internal"], g["external"], g["size"]) == (internal, external,
                                                             sizes[g["group"]])
        if internal + external:
            assert g["ei_index"] == pytest.approx((external - internal) / (external + internal))
        assert 0 < g["p_value"] <= 1
    eis = [g["ei_index"] for g in r["groups"] if g["ei_index"] is not None]
    assert eis == sorted(eis)  # most closed first
    total_internal = sum(c[0] for c in counts.values())
    total_external = G.number_of_edges() - total_internal
    assert (r["internal"], r["external"]) == (total_internal, total_external)
    assert r["ei_index"] == pytest.approx((total_external - total_internal) / G.number_of_edges())
    # The block matrix: ties and density between every pair of groups.
    names = r["matrix"]["groups"]
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            ties = sum(1 for u, v in G.edges() if {G.nodes[u][by], G.nodes[v][by]} == {a, b}
                       and (a != b or G.nodes[u][by] == a))
            assert r["matrix"]["ties"][i][j] == ties
            pairs = sizes[a] * (sizes[a] - 1) / 2 if a == b else sizes[a] * sizes[b]
            assert r["matrix"]["density"][i][j] == pytest.approx(
                ties / pairs if pairs else 0, abs=1e-6)
    assert 0 <= r["agreement"]["nmi"] <= 1


def test_sector_silos_are_significant_in_the_demo(demo):
    # Planted: acute and mental health keep their ties inside. Their E-I must be below what
    # shuffled labels give, with a small permutation p-value.
    groups = {g["group"]: g for g in A.silos(demo.store, by="sector")["groups"]}
    for sector in ("acute", "mental_health"):
        assert groups[sector]["ei_index"] < groups[sector]["expected_ei"]
        assert groups[sector]["p_value"] <= 0.01


def test_brokers_rank_by_networkx_betweenness_with_burt_measures(demo):
    r = A.brokers(demo.store, top=10)
    rows = r["brokers"]
    assert len(rows) == 10 and r["betweenness"]["exact"] is True
    for row in rows:
        assert {"id", "name", "score", "betweenness", "constraint", "effective_size"} <= set(row)
        assert "roles" not in row  # roles only with --by
        assert row["score"] == row["betweenness"] == pytest.approx(demo.bc[row["id"]], abs=1e-12)
        assert row["name"] == demo.names[row["id"]]
    scores = [row["score"] for row in rows]
    assert scores == sorted(scores, reverse=True)
    assert {row["id"] for row in rows} <= top_ids(demo.bc, 10)
    # networkx's per-node formulas take about a second per broker here: check two of them.
    checked = [rows[0], rows[-1]]
    ids = [row["id"] for row in checked]
    want_c = nx.constraint(demo.G, nodes=ids, weight="weight")
    want_e = nx.effective_size(demo.G, nodes=ids, weight="weight")
    for row in checked:
        assert row["constraint"] == pytest.approx(want_c[row["id"]], rel=1e-9)
        assert row["effective_size"] == pytest.approx(want_e[row["id"]], rel=1e-9)


def test_brokers_between_acute_and_community_match_networkx_subset(demo):
    G = demo.G
    acute = [v for v, s in G.nodes(data="sector") if s == "acute"]
    community = [v for v, s in G.nodes(data="sector") if s == "community"]
    want = nx.betweenness_centrality_subset(G, acute, community, normalized=True)
    r = A.brokers(demo.store, by="sector", between=("acute", "community"), top=15)
    rows = r["brokers"]
    assert r["parameters"]["between"] == ["acute", "community"]
    for row in rows:
        assert row["score"] == pytest.approx(want[row["id"]], abs=1e-12)
        assert row["betweenness"] == pytest.approx(demo.bc[row["id"]], abs=1e-12)
        assert set(row["roles"]) == ROLES and all(
            isinstance(n, int) and n >= 0 for n in row["roles"].values())
        assert row["group"] == G.nodes[row["id"]]["sector"]
    assert [row["score"] for row in rows] == sorted((row["score"] for row in rows), reverse=True)
    assert {row["id"] for row in rows} <= top_ids(want, 15)
    # A between-groups ranking is not the plain one: someone outside acute/community paths
    # ranks differently (else --between would be decoration).
    assert [row["id"] for row in rows] != [row["id"] for row in A.brokers(
        demo.store, top=15)["brokers"]]
    top = rows[0]
    assert set(top["explanation"]["bridged_groups"]) == {"acute", "community"}


def test_brokerage_roles_use_directed_ties(demo):
    # Gould-Fernandez counts of the top broker, brute force on ties.csv (source -> target):
    # open two-paths a -> b -> c with a != c and no tie a -> c.
    sector = dict(A.person_graph(demo.store, window="all").nodes(data="sector"))
    out: dict = {}
    for r in read_rows(demo.bundle, "ties.csv"):
        if r["source_id"] != r["target_id"]:
            out.setdefault(r["source_id"], set()).add(r["target_id"])
    into: dict = {}
    for a, targets in out.items():
        for b in targets:
            into.setdefault(b, set()).add(a)
    row = A.brokers(demo.store, by="sector", top=1, window="all")["brokers"][0]
    b = row["id"]
    want = dict.fromkeys(ROLES, 0)
    for a in into.get(b, ()):
        for c in out.get(b, ()):
            if a == c or c in out.get(a, ()):
                continue
            ga, gb, gc = sector[a], sector[b], sector[c]
            if ga == gb == gc:
                want["coordinator"] += 1
            elif ga == gc:
                want["itinerant"] += 1
            elif ga == gb:
                want["representative"] += 1
            elif gb == gc:
                want["gatekeeper"] += 1
            else:
                want["liaison"] += 1
    assert row["roles"] == want


def test_hybrids_compare_networkx_betweenness(demo):
    r = A.hybrids(demo.store)
    hybrid = {v for v, h in demo.G.nodes(data="hybrid") if h}
    elsewhere = {v for v, h in demo.G.nodes(data="hybrid_any") if h} - hybrid
    assert r["n_hybrid"] == len(hybrid)
    assert r["n_other"] == len(demo.G) - len(hybrid) - len(elsewhere)  # other levels apart
    assert {h["id"] for h in r["other_hybrids"]} <= elsewhere
    assert r["mean_hybrid"] == pytest.approx(sum(demo.bc[v] for v in hybrid) / len(hybrid))
    here = in_post(demo.bundle, A.current_period(demo.store).in_post_on.isoformat())
    assert [h["id"] for h in r["hybrids"]] == sorted(hybrid & here,
                                                     key=lambda v: (-demo.bc[v], v))
    # The demo plants hybrid middle managers as brokers.
    assert r["cliffs_delta"] > 0.5 and r["p_value"] < 0.01


def test_risk_of_removing_a_broker_matches_networkx(demo):
    G = demo.G
    who = A.brokers(demo.store, top=1)["brokers"][0]["id"]
    r = A.risk(demo.store, by="sector", remove=[who])
    impact = r["impact"]
    cross = [(u, v) for u, v in G.edges() if G.nodes[u]["sector"] != G.nodes[v]["sector"]]
    assert impact["cross_ties_before"] == len(cross)
    assert impact["cross_ties_lost"] == sum(1 for e in cross if who in e)
    H = G.copy()
    H.remove_node(who)
    assert impact["efficiency_before"] == pytest.approx(nx.global_efficiency(G))
    assert impact["efficiency_after"] == pytest.approx(nx.global_efficiency(H))
    with pytest.raises(NotFound, match="P999999"):
        A.risk(demo.store, remove=["P999999"])


def test_key_person_risk_ranks_by_cross_ties_lost(demo):
    r = A.risk(demo.store, by="sector", top=5)
    G = demo.G
    assert len(r["people"]) == 5 and [p["rank"] for p in r["people"]] == [1, 2, 3, 4, 5]
    for p in r["people"]:
        lost = sum(1 for u in G[p["id"]] if G.nodes[u]["sector"] != G.nodes[p["id"]]["sector"])
        assert p["cross_ties_lost"] == lost
    assert sorted(r["combined"]["removed"]) == sorted(p["id"] for p in r["people"])


def test_results_are_cached_by_revision(demo):
    s = demo.store
    assert A.person_graph(s) is A.person_graph(s)
    assert A.communities(s) is A.communities(s)
    assert A.silos(s, by="sector") is A.silos(s, by="sector")
    everything = A.analyse_all(s)
    assert set(everything) == {"communities", "silos", "brokers", "hybrids", "risk"}
    # analyse_all answers from the same cache entries as the single questions.
    assert everything["brokers"] is A.brokers(s, by="sector", between=("acute", "community"))
    assert everything["silos"] is A.silos(s, by="sector")
    assert A.silos(s, by="sector", seed=1) is not A.silos(s, by="sector")


def test_an_import_that_changes_data_gives_fresh_results(demo, tmp_path):
    store = SQLiteStore(tmp_path / "kg.sqlite")
    try:
        ingest_path(store, demo.bundle)
        before = A.silos(store, by="sector")
        G = A.person_graph(store)
        # Re-importing the same bundle changes nothing: same revision, same cached answer.
        rev = store.revision()
        ingest_path(store, demo.bundle)
        assert store.revision() == rev and A.silos(store, by="sector") is before
        # A new tie between an acute and a voluntary person who were not linked at all.
        acute = sorted(v for v, s in G.nodes(data="sector") if s == "acute")
        voluntary = sorted(v for v, s in G.nodes(data="sector") if s == "voluntary")
        a, b = next((a, b) for a in acute for b in voluntary if not G.has_edge(a, b))
        changed = tmp_path / "bundle"
        shutil.copytree(demo.bundle, changed)
        with open(changed / "ties.csv", "a", encoding="utf-8") as f:
            f.write(f"{a},{b},collaboration,1,,\n")
        ingest_path(store, changed)
        assert store.revision() > rev
        after = A.silos(store, by="sector")
        assert after is not before
        assert A.person_graph(store).has_edge(a, b)
        old = {g["group"]: g["external"] for g in before["groups"]}
        new = {g["group"]: g["external"] for g in after["groups"]}
        assert new["acute"] == old["acute"] + 1 and new["voluntary"] == old["voluntary"] + 1
        assert all(new[g] == old[g] for g in old if g not in ("acute", "voluntary"))
    finally:
        store.close()


def test_phase_and_window_restrict_to_people_present(demo):
    phases = {r["id"]: r for r in read_rows(demo.bundle, "phases.csv")}
    assert (phases["PH3"]["start"], phases["PH3"]["end"]) == PHASE3
    want = present(demo.bundle, *PHASE3)
    assert 0 < len(want) < len(demo.names)  # turnover: someone is missing from PH3
    G3 = A.person_graph(demo.store, phase="PH3")
    assert set(G3) == want
    assert set(A.person_graph(demo.store, phase="top-down reversal")) == want  # by name too
    assert set(A.person_graph(demo.store, window=":".join(PHASE3))) == want
    found = A.communities(demo.store, phase="PH3")
    assert {m for c in found["communities"] for m in c["members"]} == want
    assert found["parameters"]["window"] == list(PHASE3)
    assert {b["id"] for b in A.brokers(demo.store, phase="PH3", top=30)["brokers"]} <= want
    # An open-ended window: everyone present from 2018 on.
    assert set(A.person_graph(demo.store, window="2018-01-01:")) == present(
        demo.bundle, "2018-01-01", None)


def test_change_lists_brokers_gained_and_lost_between_phases(demo):
    r = A.change(demo.store, from_="PH2", to="PH3", top=20)
    # Change ranks everyone active in each period (leavers included: they are what is lost).
    before = top_by(A.person_graph(demo.store, phase="PH2"), 20)
    after = top_by(A.person_graph(demo.store, phase="PH3"), 20)
    b = r["brokers"]
    assert [x["id"] for x in b["before"]] == before
    assert [x["id"] for x in b["after"]] == after
    assert [x["id"] for x in b["gained"]] == [v for v in after if v not in before]
    assert [x["id"] for x in b["lost"]] == [v for v in before if v not in after]
    G3 = A.person_graph(demo.store, phase="PH3")
    assert [x["id"] for x in b["lost_who_left"]] == [
        x["id"] for x in b["lost"] if x["id"] not in G3]
    p2, p3 = set(A.person_graph(demo.store, phase="PH2")), set(G3)
    assert r["people"] == {"before": len(p2), "after": len(p3), "left": len(p2 - p3),
                           "joined": len(p3 - p2), "stayed": len(p2 & p3)}
    assert r["from"] == ["2014-07-01", "2016-06-30"] and r["to"] == list(PHASE3)


def test_assets_reach_matches_asset_links(demo):
    r = A.assets(demo.store, window="all")
    links: dict = {}
    for row in read_rows(demo.bundle, "asset_links.csv"):
        links.setdefault(row["asset_id"], []).append(row)
    sector = dict(A.person_graph(demo.store, window="all").nodes(data="sector"))
    assert r["summary"]["assets"] == len(read_rows(demo.bundle, "assets.csv")) == len(r["assets"])
    for a in r["assets"]:
        rows = links.get(a["id"], [])
        assert a["authors"] == len({x["person_id"] for x in rows if x["relation"] == "authored"})
        assert a["users"] == len({x["person_id"] for x in rows if x["relation"] == "uses"})
        assert a["sectors"] == sorted({sector[x["person_id"]] for x in rows})
    reached = [a["sectors_reached"] for a in r["assets"]]
    assert reached == sorted(reached, reverse=True)  # widest reach first
    assert r["summary"]["crossing_sectors"] == sum(n > 1 for n in reached)
    assert [a["id"] for a in A.assets(demo.store, top=3, window="all")["assets"]] == [
        a["id"] for a in r["assets"][:3]]


def test_bad_parameters_raise_domain_errors(demo):
    with pytest.raises(InvalidParameter, match="colour"):
        A.silos(demo.store, by="colour")
    with pytest.raises(NotFound, match="PH9"):
        A.communities(demo.store, phase="PH9")
    with pytest.raises(InvalidParameter, match="not a date"):
        A.brokers(demo.store, window="2016-13-01:2017-01-01")
    with pytest.raises(InvalidParameter, match="needs a grouping"):
        A.brokers(demo.store, between=("acute", "community"))


# -- command line --------------------------------------------------------------------------------


def test_cli_communities_json(demo):
    data = demo.cli_json("analyse", "communities")
    assert data["modularity"] == pytest.approx(A.communities(demo.store)["modularity"])
    for c in data["communities"]:
        assert {"id", "members", "kind"} <= set(c) and c["kind"] in COMMUNITY_KINDS
    assert sorted(m for c in data["communities"] for m in c["members"]) == sorted(demo.G)


def test_cli_silos_json_and_csv(demo):
    data = demo.cli_json("analyse", "silos", "--by", "sector")
    counts = ei_by_hand(demo.G, "sector")
    for g in data["groups"]:
        assert {"group", "ei_index", "p_value"} <= set(g)
        internal, external = counts[g["group"]]
        assert g["ei_index"] == pytest.approx((external - internal) / (external + internal))
    assert set(data["matrix"]) >= {"groups", "ties", "density"}
    result = demo.cli("analyse", "silos", "--by", "sector", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["group"] for r in rows] == [g["group"] for g in data["groups"]]
    assert float(rows[0]["ei_index"]) == pytest.approx(data["groups"][0]["ei_index"])


def test_cli_brokers_default_and_between(demo):
    plain = demo.cli_json("analyse", "brokers", "--top", "5")
    assert [b["id"] for b in plain["brokers"]] == [
        b["id"] for b in A.brokers(demo.store, top=5)["brokers"]]
    for b in plain["brokers"]:
        assert b["score"] == pytest.approx(demo.bc[b["id"]])
    G = demo.G
    acute = [v for v, s in G.nodes(data="sector") if s == "acute"]
    community = [v for v, s in G.nodes(data="sector") if s == "community"]
    want = nx.betweenness_centrality_subset(G, acute, community, normalized=True)
    data = demo.cli_json("analyse", "brokers", "--by", "sector", "--between", "acute",
                    "community", "--top", "10")
    rows = data["brokers"]
    assert len(rows) == 10
    for b in rows:
        assert {"id", "name", "score", "betweenness", "constraint", "effective_size",
                "roles"} <= set(b)
        assert set(b["roles"]) == ROLES
        assert b["score"] == pytest.approx(want[b["id"]], abs=1e-12)
    assert {b["id"] for b in rows} <= top_ids(want, 10)
    table = demo.cli("analyse", "brokers", "--by", "sector", "--between", "acute", "community",
                "--top", "3")
    # The table is for people: it folds long cells at the terminal width, so check its frame.
    assert table.exit_code == 0 and "Brokers (exact betweenness, paths in hops)" in table.output
    # People read the share of acute-community paths each carries, as in the report: the
    # networkx score rescaled by hand to the |acute| x |community| pairs.
    n = G.number_of_nodes()
    for row in rows:
        share = want[row["id"]] * (n - 1) * (n - 2) / (len(acute) * len(community))
        assert row["share_of_paths"] == pytest.approx(share)
        assert row["shown"] == f"{100 * share:.1f}%" or share < 0.01


def test_cli_phase_and_window(demo):
    data = demo.cli_json("analyse", "communities", "--phase", "PH3")
    assert {m for c in data["communities"] for m in c["members"]} == present(demo.bundle, *PHASE3)
    window = ("2015-01-01", "2015-12-31")
    data = demo.cli_json("analyse", "brokers", "--window", ":".join(window), "--top", "1000")
    # Present in the window and, being a current ranking, in post at its end.
    assert {b["id"] for b in data["brokers"]} == present(demo.bundle, *window) & in_post(
        demo.bundle, window[1])
    assert data["parameters"]["period"]["rule"] == "window"


def test_cli_change_and_all(demo):
    data = demo.cli_json("analyse", "change", "--from", "PH2", "--to", "PH3", "--top", "10")
    before = top_by(A.person_graph(demo.store, phase="PH2"), 10)
    after = top_by(A.person_graph(demo.store, phase="PH3"), 10)
    assert [b["id"] for b in data["brokers"]["gained"]] == [v for v in after if v not in before]
    assert [b["id"] for b in data["brokers"]["lost"]] == [v for v in before if v not in after]
    table = demo.cli("analyse", "change", "--from", "PH2", "--to", "PH3")
    assert table.exit_code == 0 and "brokers gained" in table.output
    everything = demo.cli_json("analyse", "all")
    assert set(everything) == {"communities", "silos", "brokers", "hybrids", "risk"}
    assert everything["brokers"]["parameters"]["between"] == ["acute", "community"]
    # --format csv gives CSV on standard output (it used to print the table to stderr).
    result = demo.cli("analyse", "all", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["question"] for r in rows][:2] == ["communities", "most closed sector"]
    top = everything["brokers"]["brokers"][0]
    assert f"{top['name']} ({top['id']}, {top['shown']})" in rows[2]["answer"]


BAD_INPUT = [
    (["analyse", "silos", "--by", "colour"], "unknown grouping 'colour'"),
    (["analyse", "brokers", "--by", "shoe_size"], "unknown grouping 'shoe_size'"),
    (["analyse", "communities", "--phase", "PH9"], "phase 'PH9' not found"),
    (["analyse", "change", "--from", "PH2", "--to", "PH9"], "phase 'PH9' not found"),
    (["analyse", "brokers", "--window", "2016-13-01:2017-01-01"], "not a date"),
    (["analyse", "silos", "--window", "2017-01-01:2016-01-01"], "ends before it starts"),
    (["analyse", "hybrids", "--window", "last-year"], "START:END"),
    (["analyse", "risk", "--remove", "P999999"], "person 'P999999' not found"),
    (["analyse", "brokers", "--by", "sector", "--between", "acute", "nowhere"], "nowhere"),
    (["export", "metrics", "--format", "xlsx"], "unknown format 'xlsx'"),
    # --top -1 used to drop the last asset silently (rows[:-1]); 0 listed them all.
    (["analyse", "assets", "--top", "-1"], "top must be a positive integer"),
    (["analyse", "brokers", "--top", "0"], "top must be a positive integer"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT, ids=[" ".join(a) for a, _ in BAD_INPUT])
def test_cli_bad_input_exits_nonzero_with_a_message(demo, args, message, monkeypatch, capsys):
    # Through kg.cli.main, the installed `kg` entry point: CliRunner on `app` would bypass the
    # place where domain errors become one-line messages.
    monkeypatch.setattr(sys, "argv", ["kg", *args])
    monkeypatch.setenv("KG_DATA_DIR", str(demo.data))
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as exit_:
            main()
    finally:
        get_settings.cache_clear()
    out, err = capsys.readouterr()
    assert exit_.value.code not in (0, None)
    assert message in err
    assert "Traceback" not in out + err and out == ""


def test_json_is_finite(demo):
    # Researchers load the JSON in R and JavaScript: no NaN/Infinity tokens anywhere.
    for r in (A.silos(demo.store, by="organisation"), A.brokers(demo.store, by="sector", top=50),
              A.hybrids(demo.store), A.risk(demo.store, top=3)):
        text = json.dumps(r, default=str)
        assert "NaN" not in text and "Infinity" not in text
        assert all(math.isfinite(b["score"]) for b in r.get("brokers", []))
