"""The fast paths of issue 12 against independent computations: networkx for betweenness split
across processes and for efficiency, networkx's edge views for the edge arrays, the store's own
record-by-record reads for the columnar snapshot and its file on disk, and counts by hand (sets
and sums over the relationships) for the projection's ties and shared forums."""

from __future__ import annotations

import itertools
import os
from collections import defaultdict

import networkx as nx
import numpy as np
import pytest
from forking import fails_in_child

from kg.analysis import _fast
from kg.analysis.betweenness import between_groups_betweenness, betweenness
from kg.analysis.projection import person_network, tie_network
from kg.analysis.risk import removal_impact
from kg.ingest import ingest_path
from kg.model import NodeLabel, RelType
from kg.queries import snapshot as snapshots
from kg.store import snapshot_files
from kg.store.base import GraphSnapshot
from kg.store.sqlite import ColumnarSnapshot, SQLiteStore


@pytest.fixture
def split_always(monkeypatch):
    """Every computation that can be split across processes is split (when it can fork)."""
    monkeypatch.setattr(_fast, "PARALLEL_MIN_WORK", 0)
    monkeypatch.setattr(_fast, "workers", lambda: 2 if hasattr(os, "fork") else 1)


def grouped(n=240, seed=4):
    G = nx.connected_watts_strogatz_graph(n, 6, 0.2, seed=seed)
    rng = np.random.default_rng(seed)
    nx.set_node_attributes(G, {v: ("a", "b", "c")[v % 3] for v in G}, "side")
    # Powers of two: path lengths 1/w add up exactly, so equal lengths tie in networkx too.
    nx.set_edge_attributes(G, {e: float(2 ** rng.integers(0, 3)) for e in G.edges()}, "weight")
    return G


@pytest.mark.parametrize("paths", ["hops", "weighted"])
def test_betweenness_split_across_processes_equals_networkx(split_always, paths):
    G = grouped()
    for u, v, w in G.edges(data="weight"):
        G[u][v]["distance"] = 1.0 / w
    weight = "distance" if paths == "weighted" else None
    exact = nx.betweenness_centrality(G, weight=weight)
    ours = betweenness(G, paths=paths).values
    assert max(abs(ours[v] - exact[v]) for v in G) < 1e-12
    a = [v for v in G if G.nodes[v]["side"] == "a"]
    b = [v for v in G if G.nodes[v]["side"] == "b"]
    subset = nx.betweenness_centrality_subset(G, a, b, normalized=True, weight=weight)
    between = between_groups_betweenness(G, "side", "a", "b", paths=paths).values
    assert max(abs(between[v] - subset[v]) for v in G) < 1e-12


def test_directed_betweenness_split_equals_networkx(split_always):
    D = nx.gnp_random_graph(150, 0.04, seed=2, directed=True)
    exact = nx.betweenness_centrality(D)
    ours = betweenness(D).values
    assert max(abs(ours[v] - exact[v]) for v in D) < 1e-12


def test_the_parts_run_in_processes_of_their_own(split_always):
    parent = os.getpid()
    elsewhere = _fast.split_sum(lambda part: np.array([float(os.getpid() != parent)]),
                                list(range(10)), work=1e12)
    assert elsewhere.tolist() == [1.0]  # one part here, one in a child


def test_a_part_that_fails_in_its_process_is_computed_again(split_always):
    parent = os.getpid()

    def compute(part):
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return np.asarray([sum(part), len(part)], dtype=float)

    items = list(range(1, 101))
    assert _fast.split_sum(compute, items, work=1e12).tolist() == [5050.0, 100.0]


@pytest.mark.parametrize("kind", [nx.Graph, nx.DiGraph, nx.MultiGraph])
def test_edge_arrays_list_every_edge_once_with_its_weight(kind):
    G = kind()
    G.add_edge("a", "b", weight="2.5")  # numeric text counts, as float() reads it
    G.add_edge("b", "c")  # no weight: 1
    G.add_edge("c", "a", weight=0)
    G.add_edge("c", "c", weight=7)  # a self-loop is dropped
    if G.is_multigraph():
        G.add_edge("a", "b", weight=1)
    nodes, index = _fast.node_index(G)
    src, dst, w = _fast.edge_arrays(G, index, "weight")
    got = sorted((nodes[u], nodes[v], x) if G.is_directed() else
                 (*sorted((nodes[u], nodes[v])), x) for u, v, x in zip(src, dst, w, strict=True))
    want = sorted((u, v, float(d)) if G.is_directed() else (*sorted((u, v)), float(d))
                  for u, v, d in G.edges(data="weight", default=1) if u != v)
    assert got == want
    G.add_edge("a", "d", weight="heavy")
    with pytest.raises(Exception, match="numeric"):
        _fast.edge_arrays(G, _fast.node_index(G)[1], "weight")


@pytest.fixture
def demo_store(small_bundle, tmp_path):
    s = SQLiteStore(tmp_path / "kg.sqlite")
    ingest_path(s, small_bundle)
    yield s
    s.close()


def record_by_record(store, start=None, end=None) -> dict:
    """Relationships active in the window, read one type at a time through the store's API."""
    return {t: [r for r in store.relationships(t) if r.active_in(start, end)] for t in RelType}


def test_columnar_snapshot_reads_what_the_store_holds(demo_store):
    period = snapshots.current_period(demo_store)
    for window in [(None, None), (period.start, period.end)]:
        snap = demo_store.snapshot(*window)
        assert isinstance(snap, ColumnarSnapshot)
        expected = record_by_record(demo_store, *window)
        for t in RelType:
            assert snap.rels(t) == expected[t], t
            for name in ("kind", "count"):  # coded, and read from each row's props
                values = snap.columns(t).prop(name)
                assert list(values) == [r.props.get(name) for r in expected[t]], (t, name)
        for label in NodeLabel:
            assert snap.nodes[label] == {n.id: n.props for n in demo_store.find_nodes(label)}


def test_snapshot_file_is_used_only_for_the_store_it_was_read_from(demo_store):
    snapshots.clear_cache()
    folder = demo_store.path.with_name(demo_store.path.name + ".snapshots")
    first = snapshots.load_snapshot(demo_store)
    files = list(folder.glob("r*.npz"))
    assert len(files) == 1 and oct(files[0].stat().st_mode & 0o777) == "0o600"
    snapshots.clear_cache()
    again = snapshots.load_snapshot(demo_store)  # from the file
    assert again is not first and again.nodes == first.nodes
    for t in RelType:
        assert again.rels(t) == first.rels(t)
    # A write moves the revision: the next read comes from the store, and the old file goes.
    person = next(iter(first.nodes[NodeLabel.PERSON]))
    node = demo_store.get_node(NodeLabel.PERSON, person)
    node.props["name"] = "Renamed Person"
    demo_store.upsert([node])
    snapshots.clear_cache()
    fresh = snapshots.load_snapshot(demo_store)
    assert fresh.nodes[NodeLabel.PERSON][person]["name"] == "Renamed Person"
    assert [f.name for f in folder.glob("r*.npz")] == [f"r{fresh.revision}_" + files[0].name.split(
        "_", 1)[1]]
    # A file filed under another store's identity (same path and revision) is not read.
    path = next(folder.glob("r*.npz"))
    identity = demo_store.snapshot_identity()
    assert snapshot_files.load(path, identity[:-1] + ("another import",), fresh.window) is None
    assert snapshot_files.load(path, identity, fresh.window) is not None


def test_snapshot_files_are_bounded_by_the_least_recently_used(demo_store, monkeypatch):
    monkeypatch.setattr(snapshot_files, "MAX_FILES", 2)
    folder = demo_store.path.with_name(demo_store.path.name + ".snapshots")
    for window in ("2016-01-01:2016-12-31", "2017-01-01:2017-12-31", "2018-01-01:2018-12-31"):
        snapshots.clear_cache()
        snapshots.load_snapshot(demo_store, window=window)
    names = sorted(f.name for f in folder.glob("r*.npz"))
    assert len(names) == 2 and not any("2016-01-01" in name for name in names)


def test_an_unwritable_folder_only_means_no_file(demo_store, monkeypatch):
    snapshots.clear_cache()
    monkeypatch.setattr(snapshot_files, "folder_of", lambda path: demo_store.path / "not-a-folder")
    snap = snapshots.load_snapshot(demo_store)
    assert snap.nodes[NodeLabel.PERSON]


def test_projection_ties_and_shared_forums_match_counts_by_hand(demo_store):
    snap = demo_store.snapshot()
    G = person_network(snap, min_weight=0)
    ties = defaultdict(float)
    for r in snap.rels(RelType.TIE):
        if r.source != r.target and r.source in G and r.target in G:
            ties[frozenset((r.source, r.target))] += 1.0 if r.weight is None else r.weight
    forums = defaultdict(set)
    for r in snap.rels(RelType.ATTENDS):
        forums[r.source].add(r.target)
    sizes = defaultdict(int)
    for r in {(r.source, r.target) for r in snap.rels(RelType.ATTENDS)}:
        sizes[r[1]] += 1
    for u, v, d in G.edges(data=True):
        assert d["layer_ties"] == pytest.approx(ties.get(frozenset((u, v)), 0.0))
        shared = sorted(f for f in forums[u] & forums[v] if 2 <= sizes[f] <= 500)
        assert list(d["forums"]) == shared
    assert sum(1 for u, v in itertools.combinations(G, 2) if frozenset((u, v)) in ties
               and ties[frozenset((u, v))] > 0 and not G.has_edge(u, v)) == 0
    # Both readings of the snapshot (columns, or the objects) give the same networks.
    plain = GraphSnapshot(snap.revision, snap.window, snap.nodes,
                          {t: snap.rels(t) for t in RelType})
    assert nx.utils.edges_equal(person_network(plain, min_weight=0).edges(data=True),
                                G.edges(data=True))
    D = tie_network(snap)
    want = defaultdict(lambda: [0.0, set()])
    for r in snap.rels(RelType.TIE):
        if r.source != r.target and r.source in D and r.target in D:
            want[(r.source, r.target)][0] += 1.0 if r.weight is None else r.weight
            want[(r.source, r.target)][1].add(r.props.get("kind"))
    assert {(u, v): (pytest.approx(d["weight"]), set(d["kinds"]))
            for u, v, d in D.edges(data=True)} == {k: (w, k_) for k, (w, k_) in want.items()}


def test_sampled_efficiency_before_after_and_change_within_their_errors():
    G = nx.connected_watts_strogatz_graph(900, 6, 0.1, seed=3)
    nx.set_node_attributes(G, {v: v % 3 for v in G}, "org")
    removed = [0, 1, 2, 450]
    impact = removal_impact(G, removed, "org", efficiency_samples=300, seed=5)
    assert not impact["efficiency_exact"] and impact["efficiency_samples"] == 300
    before = nx.global_efficiency(G)
    H = G.copy()
    H.remove_nodes_from(removed)
    after = nx.global_efficiency(H)
    assert abs(impact["efficiency_before"] - before) <= 4 * impact["efficiency_standard_error"]
    assert abs(impact["efficiency_after"] - after) <= 4 * impact[
        "efficiency_after_standard_error"]
    assert abs(impact["efficiency_change"] - (after - before)) <= 4 * impact[
        "efficiency_change_standard_error"]
    # The change is paired: its error is far below either level's.
    assert impact["efficiency_change_standard_error"] < impact["efficiency_standard_error"] / 3
    exact = removal_impact(G, removed, "org", efficiency_samples=len(G))
    assert exact["efficiency_exact"]
    assert exact["efficiency_change"] == pytest.approx(after - before, abs=1e-12)


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("paths", ["hops", "weighted"])
def test_pivot_contributions_over_every_node_sum_to_networkx(split_always, paths, directed):
    """Each pair is counted once over all pivots (at its end farther from the node it passes),
    so with every node a pivot, the per-pivot searches, split across processes, add up to the
    exact betweenness."""
    from kg.analysis import betweenness as B

    G = nx.gnp_random_graph(120, 0.05, seed=6, directed=directed)
    G.add_nodes_from(range(120, 124))  # unreached people
    for u, v in G.edges():
        G[u][v]["weight"] = float(2 ** ((u * v) % 3))
        G[u][v]["distance"] = 1.0 / G[u][v]["weight"]
    nodes, index = _fast.node_index(G)
    net = B._PathGraph(G, index, paths=paths, weight="weight")
    everyone = np.ones(len(G), dtype=bool)
    sums = B._pivot_sums(net, np.arange(len(G)), everyone, everyone, as_source=True,
                         as_target=True)
    scale = B._scale(len(G), normalized=True, directed=directed)
    exact = nx.betweenness_centrality(G, weight="distance" if paths == "weighted" else None)
    assert np.allclose(sums[0] * scale, [exact[v] for v in nodes], rtol=0, atol=1e-12)


def test_risk_efficiency_from_the_betweenness_searches_is_within_its_errors(split_always,
                                                                           monkeypatch):
    """Sampled betweenness hands its pivots' harmonic sums to key-person risk, which then only
    searches after the removal: the estimates stay within their errors of networkx."""
    from kg.analysis import risk as risk_module
    from kg.analysis.risk import key_person_risk

    monkeypatch.setattr(risk_module, "EFFICIENCY_EXACT_MAX_NODES", 1000)

    G = nx.connected_watts_strogatz_graph(1500, 6, 0.1, seed=8)
    nx.set_node_attributes(G, {v: ("a", "b", "c")[v % 3] for v in G}, "org")
    bet = betweenness(G, exact_max_nodes=1000, samples=200, seed=2)
    reach = nx.harmonic_centrality(G)
    assert bet.pivot_reach and all(
        abs(value - reach[v] / (len(G) - 1)) < 1e-12 for v, value in bet.pivot_reach.items())
    risk = key_person_risk(G, "org", top=5, precomputed=bet)
    impact = risk["combined"]
    assert not impact["efficiency_exact"] and impact["efficiency_samples"] <= 200
    H = G.copy()
    H.remove_nodes_from(row["id"] for row in risk["people"])
    before, after = nx.global_efficiency(G), nx.global_efficiency(H)
    assert abs(impact["efficiency_before"] - before) <= 4 * impact["efficiency_standard_error"]
    assert abs(impact["efficiency_change"] - (after - before)) <= 4 * impact[
        "efficiency_change_standard_error"]


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("paths", ["hops", "weighted"])
def test_shared_searches_over_every_node_sum_to_networkx(split_always, paths, directed):
    """One search per pivot counts everyone's pairs and the pairs between the two groups; with
    every node a pivot both add up to networkx's exact values."""
    from kg.analysis import betweenness as B

    G = nx.gnp_random_graph(110, 0.05, seed=9, directed=directed)
    for u, v in G.edges():
        G[u][v]["weight"] = float(2 ** ((u + v) % 3))
        G[u][v]["distance"] = 1.0 / G[u][v]["weight"]
    nodes, index = _fast.node_index(G)
    a = np.array([v % 3 == 0 for v in nodes])
    b = np.array([v % 3 == 1 for v in nodes])
    net = B._PathGraph(G, index, paths=paths, weight="weight")
    sums = B._shared_sums(net, np.arange(len(G)), a, b)
    weight = "distance" if paths == "weighted" else None
    scale = B._scale(len(G), normalized=True, directed=directed)
    exact = nx.betweenness_centrality(G, weight=weight)
    assert np.allclose(sums[0] * scale, [exact[v] for v in nodes], rtol=0, atol=1e-12)
    subset = nx.betweenness_centrality_subset(
        G, [v for v, x in zip(nodes, a, strict=True) if x],
        [v for v, x in zip(nodes, b, strict=True) if x], normalized=True, weight=weight)
    # Each pair between the groups is counted once, at one of its ends (networkx's normalised
    # subset values do not halve undirected counts).
    assert np.allclose((sums[4] + sums[7]) * scale, [subset[v] for v in nodes], rtol=0,
                       atol=1e-12)


def test_broker_betweenness_estimates_lie_within_their_errors(split_always):
    from kg.analysis.betweenness import broker_betweenness

    G = grouped(700, seed=11)
    overall, between = broker_betweenness(G, "side", "a", "b", exact_max_nodes=100,
                                          exact_max_sources=50, samples=250, seed=3)
    assert not overall.exact and not between.exact and overall.pivot_reach
    exact = nx.betweenness_centrality(G)
    a = [v for v in G if G.nodes[v]["side"] == "a"]
    b = [v for v in G if G.nodes[v]["side"] == "b"]
    subset = nx.betweenness_centrality_subset(G, a, b, normalized=True)
    for result, truth in ((overall, exact), (between, subset)):
        judged = [v for v in G if result.standard_errors[v]]
        off = sum(abs(result.values[v] - truth[v]) > 3 * result.standard_errors[v]
                  for v in judged)
        assert len(judged) > 500 and off / len(judged) < 0.1
    # Small or exact cases are each function's own answer.
    small_overall, small_between = broker_betweenness(G, "side", "a", "b")
    assert small_overall.exact and small_between.exact
    assert max(abs(small_between.values[v] - subset[v]) for v in G) < 1e-12
    with pytest.raises(Exception, match="different"):
        broker_betweenness(G, "side", "a", "a")


def test_betweenness_started_in_the_background_equals_networkx(monkeypatch):
    from kg.analysis.betweenness import start_betweenness

    G = grouped(300, seed=5)
    pending = start_betweenness(G)
    exact = nx.betweenness_centrality(G)  # computed here meanwhile
    result = pending.result()
    assert result.exact and max(abs(result.values[v] - exact[v]) for v in G) < 1e-12
    sampled = start_betweenness(G, exact_max_nodes=100, samples=120, seed=4).result()
    assert not sampled.exact and sampled.sample_size == 120 and sampled.pivot_reach
    judged = [v for v in G if sampled.standard_errors[v]]
    off = sum(abs(sampled.values[v] - exact[v]) > 3 * sampled.standard_errors[v] for v in judged)
    assert off / len(judged) < 0.1
    reach = nx.harmonic_centrality(G)
    assert all(abs(x - reach[v] / (len(G) - 1)) < 1e-12 for v, x in sampled.pivot_reach.items())
    # A child that fails, or none to be had: the answer is computed on .result() instead.
    from kg.analysis import betweenness as module

    monkeypatch.setattr(module, "betweenness", fails_in_child(module.betweenness))
    again = start_betweenness(G).result()
    assert max(abs(again.values[v] - exact[v]) for v in G) < 1e-12

    def no_process(compute, items):
        raise OSError("no more processes")

    monkeypatch.setattr(_fast, "_fork", no_process)
    here = start_betweenness(G).result()
    assert max(abs(here.values[v] - exact[v]) for v in G) < 1e-12
