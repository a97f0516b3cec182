"""Communities and silos checked against networkx, scikit-learn, published values and
hand-worked graphs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from kg.analysis.communities import (
    METHODS,
    detect_communities,
    modularity,
    profile_communities,
)
from kg.analysis.silos import density_matrix, ei_index, partition_agreement
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


def test_ei_index_hand_worked():
    # Group a: triangle (3 internal ties); group b: one internal tie; one a-b tie.
    G = nx.Graph([(1, 2), (2, 3), (1, 3), (4, 5), (3, 4)])
    nx.set_node_attributes(G, {1: "a", 2: "a", 3: "a", 4: "b", 5: "b"}, "team")
    result = ei_index(G, "team", permutations=0)
    rows = {r["group"]: r for r in result["groups"]}
    assert (rows["a"]["internal"], rows["a"]["external"]) == (3, 1)
    assert rows["a"]["ei_index"] == pytest.approx((1 - 3) / 4)
    assert rows["b"]["ei_index"] == pytest.approx((1 - 1) / 2)
    assert result["ei_index"] == pytest.approx((1 - 4) / 5)
    assert [r["group"] for r in result["groups"]] == ["a", "b"]  # most closed first
    assert rows["a"]["share_reached"] == 1.0


def test_permutation_test_tells_silos_from_chance():
    two_cliques = nx.disjoint_union(nx.complete_graph(8), nx.complete_graph(8))
    two_cliques.add_edge(0, 8)
    nx.set_node_attributes(two_cliques, {v: "a" if v < 8 else "b" for v in two_cliques}, "g")
    closed = ei_index(two_cliques, "g", permutations=499, seed=1)
    assert all(r["p_value"] < 0.01 for r in closed["groups"])
    rng = np.random.default_rng(0)
    random_graph = nx.gnp_random_graph(40, 0.2, seed=2)
    nx.set_node_attributes(random_graph, {v: rng.choice(["a", "b"]) for v in random_graph}, "g")
    chance = ei_index(random_graph, "g", permutations=499, seed=1)
    assert all(r["p_value"] > 0.05 for r in chance["groups"])
    assert ei_index(two_cliques, "g", seed=5) == ei_index(two_cliques, "g", seed=5)


def test_density_matrix_hand_worked():
    G = nx.Graph([(1, 2), (2, 3), (3, 4)])
    nx.set_node_attributes(G, {1: "a", 2: "a", 3: "b", 4: "b"}, "g")
    m = density_matrix(G, "g")
    assert m["ties"] == [[1, 1], [1, 1]]
    assert m["density"] == [[1.0, 0.25], [0.25, 1.0]]


@pytest.mark.parametrize("seed", range(4))
def test_partition_agreement_equals_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, 6, 80), rng.integers(0, 4, 80)
    got = partition_agreement(dict(enumerate(a)), dict(enumerate(b)))
    assert got["nmi"] == pytest.approx(normalized_mutual_info_score(a, b))
    assert got["ari"] == pytest.approx(adjusted_rand_score(a, b))
