"""The private helpers of kg.analysis._fast: the one igraph copy of a networkx graph (simple,
for path counts; full, for modularity), and the split of a sum over forked children when a
child crashes, is killed, hangs or sends back less than its part."""

from __future__ import annotations

import networkx as nx
import pytest

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
