"""Silos (E-I index and its two-sided permutation test, E-I per layer, block density, partition
agreement) and the change between periods, checked against hand counts, an exhaustive
enumeration of label permutations and scikit-learn."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import networkx as nx
import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from kg.analysis.change import compare_periods
from kg.analysis.projection import person_network
from kg.analysis.silos import (
    N_PERMUTATIONS,
    density_matrix,
    ei_by_layer,
    ei_index,
    partition_agreement,
)
from kg.errors import InvalidParameter
from kg.model import NodeLabel, Relationship, RelType
from kg.store.base import GraphSnapshot


def ei_by_hand(edges, label) -> dict:
    """Exact E-I (as Fractions) of each group and of the whole network ("*"), by counting."""
    internal: dict = {}
    external: dict = {}
    for a, b in edges:
        for g in {label[a], label[b]}:
            internal.setdefault(g, 0)
            external.setdefault(g, 0)
        if label[a] == label[b]:
            internal[label[a]] += 1
        else:
            external[label[a]] += 1
            external[label[b]] += 1
    out = {g: Fraction(external[g] - internal[g], external[g] + internal[g]) for g in internal}
    n_int = sum(internal.values())
    out["*"] = Fraction(len(edges) - 2 * n_int, len(edges))
    return out


# --- the E-I index -------------------------------------------------------------------------


def test_ei_index_hand_worked():
    # Group a: triangle (3 internal ties); group b: one internal tie; one a-b tie.
    G = nx.Graph([(1, 2), (2, 3), (1, 3), (4, 5), (3, 4)])
    nx.set_node_attributes(G, {1: "a", 2: "a", 3: "a", 4: "b", 5: "b"}, "team")
    result = ei_index(G, "team", n_permutations=0)
    rows = {r["group"]: r for r in result["groups"]}
    assert (rows["a"]["internal"], rows["a"]["external"]) == (3, 1)
    assert rows["a"]["ei_index"] == pytest.approx((1 - 3) / 4)
    assert rows["b"]["ei_index"] == pytest.approx((1 - 1) / 2)
    assert (result["internal"], result["external"]) == (4, 1)
    assert result["ei_index"] == pytest.approx((1 - 4) / 5)
    assert [r["group"] for r in result["groups"]] == ["a", "b"]  # most closed first
    assert rows["a"]["share_reached"] == 1.0
    # No permutations, no test.
    for row in (result, rows["a"], rows["b"]):
        for key in ("expected_ei", "p_closed", "p_open", "p_value", "direction"):
            assert row[key] is None
    assert result["n_permutations"] == 0


def test_many_groups_hand_worked():
    # 12 people in 6 pairs, 11 ties: more group pairs (36) than ties.
    edges = [(0, 1), (2, 3), (0, 2), (4, 5), (5, 6), (6, 7), (8, 9), (9, 10), (10, 11), (6, 8),
             (7, 9)]
    label = {v: "pqrstu"[v // 2] for v in range(12)}
    G = nx.Graph(edges)
    nx.set_node_attributes(G, label, "g")
    result = ei_index(G, "g", n_permutations=0)
    counts = {"p": (1, 1), "q": (1, 1), "r": (1, 1), "s": (1, 3), "t": (1, 3), "u": (1, 1)}
    for row in result["groups"]:
        assert (row["internal"], row["external"]) == counts[row["group"]]
        assert row["ei_index"] == pytest.approx(float(ei_by_hand(edges, label)[row["group"]]))
    assert (result["internal"], result["external"]) == (6, 5)


def test_ties_are_counted_not_weighted_and_people_without_a_group_are_left_out():
    G = nx.Graph()
    G.add_edge(1, 2, weight=50.0)
    G.add_edge(1, 3, weight=0.1)
    G.add_edge(3, 4, weight=1.0)  # 4 has no team: this tie is left out
    G.add_node(5, team="c")  # a group without ties: no index, no test
    nx.set_node_attributes(G, {1: "a", 2: "a", 3: "b"}, "team")
    rows = {r["group"]: r for r in ei_index(G, "team", n_permutations=99)["groups"]}
    assert (rows["a"]["internal"], rows["a"]["external"]) == (1, 1)
    assert rows["a"]["ei_index"] == 0.0
    assert (rows["b"]["internal"], rows["b"]["external"]) == (0, 1)
    assert rows["c"]["ei_index"] is None and rows["c"]["p_value"] is None
    assert [r["group"] for r in ei_index(G, "team", n_permutations=0)["groups"]][-1] == "c"


EIGHT_NODES = [
    # hand-drawn: groups a and b fairly closed, c open
    ([(0, 1), (1, 2), (0, 3), (2, 6), (3, 4), (4, 5), (5, 6), (6, 7), (7, 1), (3, 5), (2, 4),
      (0, 2)], "aaabbbcc"),
    # nx.gnm_random_graph(8, 12, seed=0): middling p-values both ways
    ([(0, 4), (0, 1), (0, 6), (1, 2), (1, 4), (1, 5), (1, 7), (2, 4), (3, 5), (4, 7), (5, 6),
      (6, 7)], "aaabbbcc"),
    # the same graph in four pairs: more group pairs (16) than ties (12), the other way of
    # counting
    ([(0, 4), (0, 1), (0, 6), (1, 2), (1, 4), (1, 5), (1, 7), (2, 4), (3, 5), (4, 7), (5, 6),
      (6, 7)], "aabbccdd"),
]


@pytest.mark.parametrize(("edges", "labels"), EIGHT_NODES)
def test_p_values_match_an_exhaustive_enumeration_of_label_permutations(edges, labels):
    # Every one of the 8! orderings of the labels is equally likely under the null, so the exact
    # one-sided p-values are the shares of orderings whose E-I is as low (as high) as observed.
    observed = ei_by_hand(edges, labels)
    low = dict.fromkeys(observed, 0)
    high = dict.fromkeys(observed, 0)
    orderings = 0
    for perm in itertools.permutations(labels):
        sim = ei_by_hand(edges, perm)
        orderings += 1
        for g in observed:
            low[g] += sim[g] <= observed[g]
            high[g] += sim[g] >= observed[g]
    assert orderings == math.factorial(8)
    G = nx.Graph(edges)
    nx.set_node_attributes(G, dict(enumerate(labels)), "g")
    m = 9999
    result = ei_index(G, "g", n_permutations=m, seed=4)
    rows = {r["group"]: r for r in result["groups"]} | {"*": result}
    for g, row in rows.items():
        assert row["ei_index"] == pytest.approx(float(observed[g]))
        for key, count in (("p_closed", low[g]), ("p_open", high[g])):
            exact = count / orderings
            # Phipson-Smyth's (1 + b)/(1 + m) sits up to 1/(m + 1) above the exact p-value.
            tolerance = 4 * math.sqrt(exact * (1 - exact) / m) + 1 / (m + 1)
            assert abs(row[key] - exact) <= tolerance, (g, key, row[key], exact)
        assert row["p_value"] == min(1.0, 2 * min(row["p_closed"], row["p_open"]))


def planted() -> nx.Graph:
    """30 people: a 10-person silo (a clique), a 10-person group whose every tie leaves it, and
    a 10-person mixed group."""
    G = nx.Graph()
    silo, open_, mixed = range(10), range(10, 20), range(20, 30)
    G.add_edges_from(itertools.combinations(silo, 2))
    G.add_edges_from([(0, 20), (5, 25)])
    rng = np.random.default_rng(3)
    for v in open_:
        G.add_edges_from((v, int(w)) for w in rng.choice(list(mixed), 3, replace=False))
    G.add_edges_from((20 + i, 20 + (i + 1) % 10) for i in range(10))
    for vs, name in ((silo, "silo"), (open_, "open"), (mixed, "mixed")):
        nx.set_node_attributes(G, dict.fromkeys(vs, name), "g")
    return G


def test_a_planted_silo_is_closed_and_a_planted_open_group_is_open():
    result = ei_index(planted(), "g", seed=2)
    rows = {r["group"]: r for r in result["groups"]}
    floor = 1 / (N_PERMUTATIONS + 1)
    silo, open_ = rows["silo"], rows["open"]
    assert silo["ei_index"] == pytest.approx((2 - 45) / 47)
    assert silo["p_closed"] == floor and silo["p_open"] > 0.5
    assert silo["direction"] == "closed" and silo["p_value"] == 2 * floor
    assert open_["ei_index"] == 1.0 and open_["ei_index"] > open_["expected_ei"]
    assert open_["p_open"] == floor and open_["p_closed"] > 0.5
    assert open_["direction"] == "open" and open_["p_value"] == 2 * floor
    assert result["n_permutations"] == N_PERMUTATIONS and result["alpha"] == 0.05


def test_two_cliques_are_silos_and_random_labels_are_neither():
    two_cliques = nx.disjoint_union(nx.complete_graph(8), nx.complete_graph(8))
    two_cliques.add_edge(0, 8)
    nx.set_node_attributes(two_cliques, {v: "a" if v < 8 else "b" for v in two_cliques}, "g")
    closed = ei_index(two_cliques, "g", n_permutations=499, seed=1)
    assert all(r["p_closed"] < 0.01 and r["direction"] == "closed" for r in closed["groups"])
    assert closed["direction"] == "closed"
    rng = np.random.default_rng(0)
    random_graph = nx.gnp_random_graph(40, 0.2, seed=2)
    nx.set_node_attributes(random_graph, {v: rng.choice(["a", "b"]) for v in random_graph}, "g")
    chance = ei_index(random_graph, "g", n_permutations=499, seed=1)
    assert all(r["p_value"] > 0.05 and r["direction"] == "neither" for r in chance["groups"])
    assert chance["direction"] == "neither"
    assert ei_index(two_cliques, "g", seed=5) == ei_index(two_cliques, "g", seed=5)


def test_direction_needs_enough_permutations_and_alpha_sets_the_level():
    two_cliques = nx.disjoint_union(nx.complete_graph(8), nx.complete_graph(8))
    nx.set_node_attributes(two_cliques, {v: "a" if v < 8 else "b" for v in two_cliques}, "g")
    few = ei_index(two_cliques, "g", n_permutations=19, seed=0)  # two-sided p >= 2/20
    assert {r["direction"] for r in few["groups"]} == {"neither"}
    assert {r["direction"] for r in ei_index(two_cliques, "g", n_permutations=19, seed=0,
                                             alpha=0.2)["groups"]} == {"closed"}


@pytest.mark.parametrize("bad", [{"n_permutations": -1}, {"n_permutations": True},
                                 {"n_permutations": 9.5}, {"alpha": 0}, {"alpha": 1.5},
                                 {"seed": -1}])
def test_bad_arguments_are_refused(bad):
    G = nx.Graph([(1, 2)])
    nx.set_node_attributes(G, "a", "g")
    with pytest.raises(InvalidParameter):
        ei_index(G, "g", **bad)
    with pytest.raises(InvalidParameter):
        ei_index(G, "nothing")
    with pytest.raises(TypeError):
        ei_index(G, "g", permutations=9)  # the parameter is n_permutations


# --- E-I per layer: the summit --------------------------------------------------------------

SECTORS = "ABCD"


def summit_parts():
    """40 people in four sectors of ten. Direct ties: a ring inside each sector (10 internal
    ties per sector) and A0-B0, B0-C0, C0-D0, D0-A0 (2 external ties per sector). One one-day
    forum of 20: people 0-4 of every sector."""
    people = [f"{s}{i}" for s in SECTORS for i in range(10)]
    ties = [(f"{s}{i}", f"{s}{(i + 1) % 10}") for s in SECTORS for i in range(10)]
    ties += [(f"{a}0", f"{b}0") for a, b in zip(SECTORS, SECTORS[1:] + SECTORS[0], strict=True)]
    summit = [f"{s}{i}" for s in SECTORS for i in range(5)]
    return people, ties, summit


# Hand counts. Ties: per sector I = 10, E = 2; whole I = 40, E = 4. Forums: the 190 summit
# pairs, per sector I = C(5, 2) = 10, E = 5 x 15 = 75; whole I = 40, E = 150. Combined: the
# ring ties 0-1, 1-2, 2-3, 3-4 (4 per sector) and the four 0-0 cross ties are also summit
# pairs, so per sector I = 10 + 10 - 4 = 16, E = 75; whole I = 64, E = 150.
SUMMIT = {
    "ties": {"sector": (10, 2), "whole": (40, 4)},
    "forums": {"sector": (10, 75), "whole": (40, 150)},
    "combined": {"sector": (16, 75), "whole": (64, 150)},
}


def check_summit(result):
    assert result["layers"] == ["ties", "forums"]

    def check(row, internal, external):
        assert (row["internal"], row["external"]) == (internal, external)
        assert row["ei_index"] == pytest.approx((external - internal) / (external + internal))

    check(result, *SUMMIT["combined"]["whole"])
    for layer in ("ties", "forums"):
        check(result["by_layer"][layer], *SUMMIT[layer]["whole"])
    assert [g["group"] for g in result["groups"]] == list(SECTORS)
    for g in result["groups"]:
        assert g["size"] == 10
        check(g, *SUMMIT["combined"]["sector"])
        for layer in ("ties", "forums"):
            check(g["by_layer"][layer], *SUMMIT[layer]["sector"])
        # Closed on working ties, open through the one meeting.
        assert g["by_layer"]["ties"]["ei_index"] < 0 < g["by_layer"]["forums"]["ei_index"]


def test_ei_by_layer_hand_built_summit():
    people, ties, summit = summit_parts()
    G = nx.Graph(layers=["ties", "forums"])
    G.add_nodes_from(people)
    for a, b in ties:
        G.add_edge(a, b, layer_ties=1.0, layer_forums=0.0)
    for a, b in itertools.combinations(summit, 2):
        if G.has_edge(a, b):
            G[a][b]["layer_forums"] = 1 / 19
        else:
            G.add_edge(a, b, layer_ties=0.0, layer_forums=1 / 19)
    nx.set_node_attributes(G, {p: p[0] for p in people}, "sector")
    result = ei_by_layer(G, "sector")
    check_summit(result)
    # The combined figure is the one ei_index gives.
    plain = ei_index(G, "sector", n_permutations=0)
    assert (result["ei_index"], result["internal"], result["external"]) == (
        plain["ei_index"], plain["internal"], plain["external"])
    # One layer on its own; a layer no edge carries is refused.
    assert ei_by_layer(G, "sector", layers="forums")["layers"] == ["forums"]
    for bad in (["teams"], []):
        with pytest.raises(InvalidParameter):
            ei_by_layer(G, "sector", layers=bad)


def test_ei_by_layer_on_the_projected_person_network():
    # The same partnership through the projection: a 20-person forum gives each pair
    # 1/19 > min_weight 0.05, so every summit pair is an edge.
    people, ties, summit = summit_parts()
    snapshot = GraphSnapshot(
        1,
        nodes={NodeLabel.PERSON: {p: {"name": p} for p in people}},
        relationships={
            RelType.TIE: [Relationship(RelType.TIE, f"{a}-{b}", a, b) for a, b in ties],
            RelType.ATTENDS: [Relationship(RelType.ATTENDS, p, p, "SUMMIT") for p in summit],
        },
    )
    G = person_network(snapshot, layers=["ties", "forums"])
    nx.set_node_attributes(G, {p: p[0] for p in people}, "sector")
    check_summit(ei_by_layer(G, "sector"))


# --- block density and partition agreement --------------------------------------------------


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
    assert got["items"] == 80


@pytest.mark.parametrize(("a", "b"), [
    ([0, 0, 0], [5, 5, 5]),  # one group each: the ARI is 0/0
    ([0, 1, 2], [2, 0, 1]),  # singletons each
    ([0, 0, 0], [0, 1, 2]),
    ([7], [3]),  # one item
    (["x", "x", "y", "y", "z"], [1, 1, 1, 2, 2]),
])
def test_partition_agreement_edge_cases_equal_scikit_learn(a, b):
    got = partition_agreement(dict(enumerate(a)), dict(enumerate(b)))
    assert got["nmi"] == pytest.approx(normalized_mutual_info_score(a, b))
    assert got["ari"] == pytest.approx(adjusted_rand_score(a, b))


def test_partition_agreement_skips_unlabelled_items():
    got = partition_agreement({1: "x", 2: "x", 3: "y", 4: None, 5: "y"}, {1: 0, 2: 0, 3: 1, 4: 1})
    assert got == {"nmi": 1.0, "ari": 1.0, "items": 3}
    with pytest.raises(InvalidParameter):
        partition_agreement({1: "x"}, {2: "y"})


# --- change between periods -----------------------------------------------------------------


def test_compare_periods_tests_both_ways_and_names_the_people_lost():
    group = {v: "a" if v < 8 else "b" for v in range(17)}
    before = nx.gnp_random_graph(16, 0.4, seed=11)  # ties ignore the groups
    after = nx.disjoint_union(nx.complete_graph(8), nx.complete_graph(8))  # two silos
    after = nx.relabel_nodes(after, {15: 16})  # 15 leaves, 16 joins
    after.add_edge(0, 8)
    for G in (before, after):
        nx.set_node_attributes(G, {v: group[v] for v in G}, "sector")
        nx.set_node_attributes(G, {v: f"Person {v}" for v in G}, "name")
    result = compare_periods(before, after, top=3, seed=1)
    assert result["people_lost"] == [{"id": 15, "name": "Person 15"}]
    assert result["people_gained"] == [{"id": 16, "name": "Person 16"}]
    assert all(isinstance(n, int) for n in result["people"].values())  # counts only, as before
    assert (result["people"]["left"], result["people"]["joined"],
            result["people"]["stayed"]) == (1, 1, 15)
    assert result["n_permutations"] == N_PERMUTATIONS and result["alpha"] == 0.05
    e_before = ei_by_hand(list(before.edges()), group)
    e_after = ei_by_hand(list(after.edges()), group)
    assert [row["group"] for row in result["silos"]] == ["a", "b"]
    for row in result["silos"] + [result["silos_whole"]]:
        g = row.get("group", "*")
        assert row["ei_before"] == pytest.approx(float(e_before[g]))
        assert row["ei_after"] == pytest.approx(float(e_after[g]))
        assert row["change"] == pytest.approx(float(e_after[g] - e_before[g]))
        assert row["direction_before"] == "neither" and row["p_before"] > 0.05
        assert row["direction_after"] == "closed" and row["p_closed_after"] < 0.01
        for when in ("before", "after"):
            assert row[f"p_{when}"] == min(1.0, 2 * min(row[f"p_closed_{when}"],
                                                        row[f"p_open_{when}"]))
    assert set(result["brokers"]) == {"before", "after", "gained", "lost", "lost_who_left",
                                      "kept"}
    assert 0 <= result["communities"]["nmi_stayers"] <= 1
    with pytest.raises(InvalidParameter):
        compare_periods(before, after, n_permutations=-1)
    with pytest.raises(InvalidParameter):
        compare_periods(before, after, alpha=2)
