"""Communities and silos checked against networkx, scikit-learn, published values and
hand-worked graphs."""

from __future__ import annotations

import networkx as nx
import pytest

from kg.analysis.communities import (
    METHODS,
    detect_communities,
    modularity,
    profile_communities,
)
from kg.analysis.silos import partition_agreement
from kg.errors import InvalidParameter
from tests._lazega import read_lazega


@pytest.mark.parametrize("method", METHODS)
def test_modularity_equals_networkx_and_communities_are_connected(method):
    G = nx.karate_club_graph()
    found = detect_communities(G, method=method, seed=3)
    assert found["modularity"] == pytest.approx(nx.community.modularity(G, found["communities"]))
    assert sorted(v for c in found["communities"] for v in c) == sorted(G)
    assert all(nx.is_connected(G.subgraph(c)) for c in found["communities"])


def test_karate_modularity_reaches_the_published_optimum():
    # Brandes et al. (2008) proved the maximum modularity of the unweighted karate club is
    # 0.4198 (4 communities); Blondel et al. (2008) report 0.42 for Louvain.
    G = nx.Graph(nx.karate_club_graph().edges())
    best = max(detect_communities(G, method=m, seed=s, weight=None)["modularity"]
               for m in METHODS for s in range(5))
    assert 0.415 <= best <= 0.41979 + 1e-6


def test_resolution_and_seed():
    G = nx.karate_club_graph()
    a = detect_communities(G, seed=1)
    assert detect_communities(G, seed=1)["communities"] == a["communities"]
    fine = detect_communities(G, seed=1, resolution=2.0)
    assert len(fine["communities"]) > len(a["communities"])
    assert modularity(G, fine["communities"], resolution=2.0) == pytest.approx(
        nx.community.modularity(G, fine["communities"], resolution=2.0))
    with pytest.raises(InvalidParameter):
        detect_communities(G, resolution=0)
    with pytest.raises(InvalidParameter):
        detect_communities(G, method="girvan")


def test_lazega_offices_match_communities_partly():
    G = read_lazega("cowork", directed=False)
    found = detect_communities(G, seed=0, weight=None)
    assert found["modularity"] == pytest.approx(
        nx.community.modularity(G, found["communities"], weight=None))
    where = {v: i for i, c in enumerate(found["communities"]) for v in c}
    office = dict(G.nodes(data="office"))
    agree = partition_agreement(where, office)
    assert 0.0 < agree["nmi"] < 1.0


def test_profiles_classify_the_three_kinds():
    G = nx.Graph()
    one_org = [f"o{i}" for i in range(6)]
    cop = [f"c{i}" for i in range(6)]
    mixed = [f"m{i}" for i in range(6)]
    for group in (one_org, cop, mixed):
        G.add_edges_from((a, b) for i, a in enumerate(group) for b in group[i + 1:])
    for v in one_org:
        G.nodes[v].update(organisation="ORG1", profession="nurse")
    for i, v in enumerate(cop):
        G.nodes[v].update(organisation=f"ORG{i % 3}", profession=["ot", "nurse", "sw"][i % 3])
    for i, v in enumerate(mixed):
        G.nodes[v].update(organisation=f"ORG{i % 3}", profession=["ot", "nurse", "sw"][i % 3])
    forums_of = {v: {"F-OT"} for v in cop}
    kinds = [p["kind"] for p in profile_communities(G, [set(one_org), set(cop), set(mixed)],
                                                     forums_of=forums_of)]
    assert kinds == ["organisational_cluster", "community_of_practice", "cross_boundary_network"]
