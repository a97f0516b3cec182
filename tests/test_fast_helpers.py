"""The private helpers of kg.analysis._fast: the one igraph copy of a networkx graph (simple,
for path counts; full, for modularity), and the split of a sum over forked children when a
child crashes, is killed, hangs or sends back less than its part."""

from __future__ import annotations

import os
import signal
import time

import networkx as nx
import numpy as np
import pytest
from forking import assert_gone, record_forks

from kg.analysis import _fast


def awkward(kind):
    """Self-loops, a missing weight, numeric text, and (in a multigraph) a parallel edge."""
    G = kind()
    G.add_edge("a", "b", weight="2.5")
    G.add_edge("b", "c")
    G.add_edge("c", "a", weight=0)
    G.add_edge("c", "c", weight=7)
    G.add_edge("d", "a", weight=3)
    if G.is_multigraph():
        G.add_edge("a", "b", weight=1)
    return G


@pytest.mark.parametrize("kind", [nx.Graph, nx.MultiGraph])
def test_full_igraph_copy_keeps_every_edge_in_networkx_order(kind):
    G = awkward(kind)
    nodes, index = _fast.node_index(G)
    g = _fast.to_igraph(G, index, simple=False, weight="weight")
    assert g.vcount() == len(nodes) and not g.is_directed()
    assert g.get_edgelist() == [(index[u], index[v]) for u, v in G.edges()]
    assert g.es["weight"] == [float(w) for _, _, w in G.edges(data="weight", default=1)]
    unweighted = _fast.to_igraph(G, index, simple=False)
    assert unweighted.get_edgelist() == g.get_edgelist()
    assert "weight" not in unweighted.es.attributes()
    for *_, d in G.edges(data=True):  # numbers, for networkx's own sum
        if "weight" in d:
            d["weight"] = float(d["weight"])
    parts = [{"a", "b"}, {"c", "d"}]
    membership = [0 if v in parts[0] else 1 for v in nodes]
    assert g.modularity(membership, weights="weight") == pytest.approx(
        nx.community.modularity(G, parts, weight="weight"), abs=1e-12)


@pytest.mark.parametrize("kind", [nx.Graph, nx.DiGraph, nx.MultiGraph])
def test_simple_igraph_copy_drops_loops_and_parallel_edges(kind):
    G = awkward(kind)
    _, index = _fast.node_index(G)
    g = _fast.to_igraph(G, index)
    assert g.is_simple() and g.is_directed() == G.is_directed()
    want = {(index[u], index[v]) if G.is_directed() else tuple(sorted((index[u], index[v])))
            for u, v in G.edges() if u != v}
    assert set(g.get_edgelist()) == want and g.ecount() == len(want)
    with pytest.raises(ValueError, match="unweighted"):
        _fast.to_igraph(G, index, weight="weight")


def test_a_weight_that_is_not_a_number_is_refused():
    G = nx.Graph([("a", "b", {"weight": "heavy"})])
    with pytest.raises(_fast.InvalidParameter, match="numeric"):
        _fast.to_igraph(G, _fast.node_index(G)[1], simple=False, weight="weight")


@pytest.fixture
def forks(monkeypatch):
    """Every split in three parts, two of them in children; the children's ids are kept."""
    return record_forks(monkeypatch, parent_waits=False)


def raise_error():
    raise RuntimeError("the child fails")


def hang():
    time.sleep(120)


# What the child with the last items does instead of its part (None: goes on with it).
MISBEHAVIOURS = {
    "raises": raise_error,
    "exits": lambda: os._exit(3),
    "is killed": lambda: os.kill(os.getpid(), signal.SIGKILL),
    "hangs": hang,
    "sends too little": lambda: np.zeros(1),
}


@pytest.mark.parametrize("misbehaviour", list(MISBEHAVIOURS))
def test_a_child_that_fails_or_hangs_has_its_part_computed_in_the_parent(
    forks, monkeypatch, misbehaviour
):
    monkeypatch.setattr(_fast, "CHILD_WAIT_MIN", 0.5)  # a hang is seen in half a second
    parent = os.getpid()
    items = list(range(1, 301))

    def compute(part):
        if os.getpid() != parent and 300 in part:  # one child of two misbehaves
            wrong = MISBEHAVIOURS[misbehaviour]()
            if wrong is not None:
                return wrong
        return np.asarray([sum(part), len(part), sum(i * i for i in part)], dtype=float)

    alone = compute(items)
    began = time.monotonic()
    got = _fast.split_sum(compute, items, work=1e12)
    assert got.tolist() == alone.tolist() == [45150.0, 300.0, 9045050.0]
    assert len(forks) == 2
    assert time.monotonic() - began < 30
    assert_gone(forks)


def test_the_other_child_still_counts_when_one_fails(forks, monkeypatch):
    parent = os.getpid()
    by = {}

    def compute(part):
        if os.getpid() != parent:
            if 300 in part:
                os._exit(3)
            return np.asarray([0.0, 1.0])  # marks a part summed in its own process
        by.setdefault("here", []).append(len(part))
        return np.asarray([float(len(part)), 0.0])

    got = _fast.split_sum(compute, list(range(1, 301)), work=1e12)
    assert got.tolist() == [200.0, 1.0]  # the first and the failed part here, one elsewhere
    assert by["here"] == [100, 100]
    assert_gone(forks)


def test_an_error_in_the_parent_leaves_no_child_behind(forks):
    parent = os.getpid()

    def compute(part):
        if os.getpid() == parent:
            raise KeyError("the parent fails")
        time.sleep(120)  # children still at work when the parent gives up

    with pytest.raises(KeyError):
        _fast.split_sum(compute, list(range(30)), work=1e12)
    assert len(forks) == 2
    assert_gone(forks)
