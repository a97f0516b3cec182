"""Person networks projected from a hand-made partnership, weights worked out by hand."""

from __future__ import annotations

import csv
import gc

import networkx as nx
import numpy as np
import pytest

from kg.analysis.projection import _fill, person_attributes, person_network, tie_network
from kg.errors import InvalidParameter
from kg.ingest import ingest_path
from kg.queries.snapshot import load_snapshot
from kg.store.sqlite import SQLiteStore

BUNDLE = {
    "organisations": [("id", "name", "sector", "parent_id"),
                      ("ACUTE", "Hospital", "acute", ""), ("WARD", "Ward 1", "acute", "ACUTE"),
                      ("LA", "Council", "social_care", "")],
    "people": [("id", "name", "profession"), ("A", "Ann", "nurse"), ("B", "Bob", "ot"),
               ("C", "Cat", "social_worker"), ("D", "Dan", "nurse"), ("E", "Eve", "gp"),
               ("F", "Fay", "nurse")],
    "roles": [("person_id", "organisation_id", "title", "kind", "level", "start", "end"),
              ("A", "WARD", "Staff nurse", "clinical", "frontline", "2014-01-01", ""),
              ("A", "WARD", "Ward manager", "managerial", "middle", "2015-01-01", ""),
              ("B", "ACUTE", "OT", "clinical", "frontline", "2013-01-01", "2014-12-31"),
              ("B", "ACUTE", "Service manager", "managerial", "middle", "2015-01-01", ""),
              ("C", "LA", "Team manager", "hybrid", "middle", "2013-01-01", ""),
              ("D", "LA", "Social worker", "clinical", "frontline", "2013-01-01", ""),
              ("E", "LA", "Adviser", "clinical", "frontline", "2013-01-01", ""),
              ("F", "ACUTE", "Staff nurse", "clinical", "frontline", "2013-01-01", "2013-12-31")],
    "forums": [("id", "name", "kind"), ("F1", "Small forum", "community_of_practice"),
               ("F2", "Big event", "engagement_event")],
    "attendance": [("person_id", "forum_id"), ("A", "F1"), ("B", "F1"), ("C", "F1"),
                   ("A", "F2"), ("B", "F2"), ("C", "F2"), ("D", "F2"), ("E", "F2")],
    "ties": [("source_id", "target_id", "kind", "weight", "start", "end"),
             ("A", "B", "advice", "2", "2014-01-01", ""),
             ("B", "A", "information", "1", "2014-01-01", ""),
             ("D", "E", "referral", "", "2013-01-01", "2013-06-30"),
             ("F", "A", "advice", "1", "2013-01-01", "2013-12-31")],
}


@pytest.fixture
def store(tmp_path):
    folder = tmp_path / "bundle"
    folder.mkdir()
    for name, rows in BUNDLE.items():
        with (folder / f"{name}.csv").open("w", newline="") as fh:
            csv.writer(fh).writerows(rows)
    s = SQLiteStore(tmp_path / "kg.sqlite")
    ingest_path(s, folder)
    yield s
    s.close()


def test_forums_are_weighted_by_size_and_ties_summed(store):
    G = person_network(store.snapshot(), min_weight=0)
    ab = G["A"]["B"]
    # F1 has 3 members: 1/2 per pair; F2 has 5: 1/4 per pair.
    assert ab["layer_forums"] == pytest.approx(0.5 + 0.25)
    assert ab["layer_ties"] == pytest.approx(3.0)  # A->B 2 plus B->A 1, direction ignored
    assert ab["weight"] == pytest.approx(3.75)
    assert ab["forums"] == ("F1", "F2")
    assert G["D"]["E"]["layer_forums"] == pytest.approx(0.25)
    assert G["D"]["E"]["layer_ties"] == pytest.approx(1.0)  # a tie without weight counts 1
    assert G["C"]["D"]["weight"] == pytest.approx(0.25)


def test_min_weight_drops_pairs_linked_only_by_a_big_event(store):
    G = person_network(store.snapshot(), layers=["forums"], min_weight=0.3)
    assert G.has_edge("A", "C")  # 0.5 + 0.25 from the small forum and the event
    assert not G.has_edge("C", "D")  # only the 5-person event: 0.25
    assert G.graph["layers"] == ["forums"]


def test_attributes_follow_teams_up_and_detect_hybrids(store):
    attrs = person_attributes(store.snapshot())
    assert attrs["A"]["organisation"] == "ACUTE" and attrs["A"]["team"] == "WARD"
    assert attrs["A"]["sector"] == "acute"
    assert attrs["A"]["hybrid"] is True  # clinical and managerial roles held at once
    assert attrs["B"]["hybrid"] is False  # one after the other
    assert attrs["C"]["hybrid"] is True  # a hybrid role
    assert attrs["A"]["role_kind"] == "managerial"  # the latest role is the main one
    assert attrs["B"]["organisation"] == "ACUTE" and attrs["B"]["team"] is None


def test_a_window_keeps_only_people_present_in_it(store):
    snap = load_snapshot(store, window="2015-01-01:2015-12-31")
    G = person_network(snap, min_weight=0)
    assert "F" not in G  # left in 2013
    assert not G.has_edge("D", "E") or G["D"]["E"]["layer_ties"] == 0
    whole = person_network(store.snapshot(), min_weight=0)
    assert "F" in whole and whole.has_edge("A", "F")


def test_tie_network_keeps_direction(store):
    D = tie_network(store.snapshot())
    assert D["A"]["B"]["weight"] == 2 and D["B"]["A"]["weight"] == 1
    assert D.has_edge("F", "A") and not D.has_edge("A", "F")


def test_bad_arguments_are_refused(store):
    with pytest.raises(InvalidParameter, match="layer"):
        person_network(store.snapshot(), layers=["friends"])
    with pytest.raises(InvalidParameter, match="min_weight"):
        person_network(store.snapshot(), min_weight=-1)


def test_the_cyclic_collector_is_left_as_it_was(store):
    # The networks are built with the collector paused: it must come back, error or not.
    assert gc.isenabled()
    person_network(store.snapshot())
    with pytest.raises(InvalidParameter):
        person_network(store.snapshot(), layers=["friends"])
    assert gc.isenabled()
    gc.disable()
    try:
        tie_network(store.snapshot())
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("directed", [False, True])
def test_direct_fill_builds_the_graph_networkx_would(directed):
    # _fill writes networkx's adjacency itself: it must give what add_nodes_from and
    # add_edges_from give, down to the order of each node's neighbours and the shared data.
    rng = np.random.default_rng(3)
    nodes = [f"P{i}" for i in rng.permutation(60)]
    attrs = {p: {"name": p, "roles": [p]} for p in nodes}
    pairs = sorted({(int(u), int(v)) for u, v in rng.integers(0, 60, size=(400, 2)) if u != v})
    if not directed:  # an undirected pair once, either way round
        pairs = list({frozenset(p): p for p in pairs}.values())
    pairs = [pairs[i] for i in rng.permutation(len(pairs))]
    heads, tails = np.array(pairs).T
    data = [{"weight": float(k), "kinds": ("advice",)} for k in range(len(pairs))]
    expected = nx.DiGraph(revision=1) if directed else nx.Graph(revision=1)
    expected.add_nodes_from((p, attrs[p]) for p in nodes)
    expected.add_edges_from((nodes[u], nodes[v], dict(d)) for (u, v), d in zip(pairs, data,
                                                                                strict=True))
    got = nx.DiGraph(revision=1) if directed else nx.Graph(revision=1)
    _fill(got, nodes, attrs, heads, tails, data)
    assert list(got.nodes(data=True)) == list(expected.nodes(data=True))
    assert list(got.edges(data=True)) == list(expected.edges(data=True))
    assert got.graph == expected.graph
    views = ["_succ", "_pred"] if directed else ["_adj"]
    for view in views:
        assert [(u, list(nbrs)) for u, nbrs in getattr(got, view).items()] == [
            (u, list(nbrs)) for u, nbrs in getattr(expected, view).items()]
    for u, v, d in got.edges(data=True):  # one dict per edge, seen from both ends
        assert (got._pred[v][u] if directed else got._adj[v][u]) is d
    assert all(got.nodes[p] is not attrs[p] for p in nodes)  # attributes copied
    empty = nx.DiGraph() if directed else nx.Graph()
    none = np.zeros(0, dtype=np.int64)
    _fill(empty, nodes, attrs, none, none, [])
    assert list(empty.nodes) == nodes and empty.number_of_edges() == 0
