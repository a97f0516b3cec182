"""Broker metrics against independent references: networkx on Zachary's karate club, the Lazega
law firm (co-work ties, undirected, offices as groups; advice ties, directed, for brokerage
roles) and seeded random graphs; Gould--Fernandez counts on hand-worked graphs and a brute-force
enumeration."""

from __future__ import annotations

import json
import math
import random

import networkx as nx
import numpy as np
import pytest
from _lazega import read_lazega

from kg.analysis import _fast
from kg.analysis.brokers import (
    BROKERAGE_ROLES,
    DEFAULT_SAMPLES,
    between_groups_betweenness,
    betweenness,
    brokerage_roles,
    explain_broker,
    rank_brokers,
    structural_holes,
)
from kg.errors import InvalidParameter, NotFound

TOL = 1e-9


def assert_close(got: dict, want: dict, tol: float = TOL) -> None:
    assert got.keys() == want.keys()
    for v in want:
        a, b = got[v], want[v]
        if isinstance(b, float) and math.isnan(b):
            assert math.isnan(a), v
        else:
            assert a == pytest.approx(b, abs=tol, rel=0), v


@pytest.fixture(scope="module")
def karate():
    return nx.karate_club_graph()


@pytest.fixture(scope="module")
def cowork():
    return read_lazega("cowork", directed=False)


@pytest.fixture(scope="module")
def advice():
    return read_lazega("advice", directed=True)


def random_graphs():
    """Seeded graphs with isolated nodes and several components, both kinds of direction."""
    undirected = nx.gnp_random_graph(150, 0.03, seed=11)
    directed = nx.gnp_random_graph(150, 0.03, seed=12, directed=True)
    rng = random.Random(5)
    for G in (undirected, directed):
        G.add_nodes_from(["isolated-1", "isolated-2"])
        for u, v in G.edges():
            G[u][v]["weight"] = rng.choice([0.5, 1.0, 2.0, 3.5])
        nx.set_node_attributes(G, {v: rng.choice("ABC") for v in G}, "group")
    return [undirected, directed]


# --- betweenness -----------------------------------------------------------------------------


@pytest.mark.parametrize("normalized", [True, False])
def test_exact_betweenness_equals_networkx(karate, cowork, normalized):
    for G in [karate, cowork, *random_graphs()]:
        result = betweenness(G, normalized=normalized)
        assert result.exact and result.sample_size is None and result.error_estimate is None
        assert_close(result.values, nx.betweenness_centrality(G, normalized=normalized))


def test_exact_betweenness_lazega_advice_directed(advice):
    assert_close(betweenness(advice).values, nx.betweenness_centrality(advice))


@pytest.mark.parametrize("normalized", [True, False])
def test_sampled_betweenness_equals_networkx_with_same_pivots(normalized):
    # networkx draws its k pivots with random.Random(seed); ours are the same, so the estimates
    # must agree exactly, including networkx's separate scaling of pivot nodes.
    for G in random_graphs():
        result = betweenness(G, normalized=normalized, exact_max_nodes=50, samples=40, seed=3)
        assert not result.exact and result.sample_size == 40
        want = nx.betweenness_centrality(G, k=40, normalized=normalized, seed=3)
        assert_close(result.values, want)


def test_sampled_betweenness_finds_the_top_brokers_and_reports_its_error():
    G = nx.powerlaw_cluster_graph(3000, 3, 0.3, seed=5)
    # The exact reference is igraph's (checked against networkx above); networkx itself would
    # take about a minute on this graph.
    exact_values = betweenness(G).values
    sampled = betweenness(G, exact_max_nodes=1000, samples=300, seed=2)
    assert sampled.sample_size == 300

    def top(values):
        return set(sorted(values, key=values.get, reverse=True)[:20])

    assert len(top(exact_values) & top(sampled.values)) >= 18
    errors = {v: abs(sampled.values[v] - exact_values[v]) for v in G}
    # The reported error estimate is the largest per-node standard error: the worst observed
    # error stays within three of it, and most of the 100 largest values lie within two of
    # their own standard errors.
    assert max(errors.values()) <= 3 * sampled.error_estimate
    leaders = sorted(exact_values, key=exact_values.get, reverse=True)[:100]
    covered = [errors[v] <= 2 * sampled.standard_errors[v] for v in leaders]
    assert np.mean(covered) >= 0.75


def test_betweenness_small_graph_is_exact_even_when_sampling_requested(karate):
    result = betweenness(karate, exact_max_nodes=0, samples=34)
    assert result.exact
    assert_close(result.values, nx.betweenness_centrality(karate))


def test_betweenness_rejects_bad_arguments(karate):
    with pytest.raises(InvalidParameter):
        betweenness("not a graph")
    with pytest.raises(InvalidParameter):
        betweenness(karate, samples=0)
    with pytest.raises(InvalidParameter):
        betweenness(karate, exact_max_nodes=-1)


# --- between-groups betweenness --------------------------------------------------------------


def members(G, attribute, value):
    return [v for v, g in G.nodes(data=attribute) if g == value]


@pytest.mark.parametrize("normalized", [True, False])
def test_between_groups_equals_networkx_subset(karate, cowork, advice, normalized):
    cases = [
        (karate, "club", "Mr. Hi", "Officer"),
        (karate, "club", "Officer", "Mr. Hi"),
        (cowork, "office", "Boston", "Hartford"),
        (cowork, "office", "Providence", "Boston"),
        (advice, "office", "Hartford", "Boston"),
    ] + [(G, "group", "A", "C") for G in random_graphs()]
    for G, attribute, a, b in cases:
        result = between_groups_betweenness(G, attribute, a, b, normalized=normalized)
        assert result.exact and result.sample_size is None
        got = result.values
        want = nx.betweenness_centrality_subset(
            G, members(G, attribute, a), members(G, attribute, b), normalized=normalized
        )
        assert_close(got, want)


def _sampled_case():
    """An undirected graph whose group A (the smaller, so the sources) is sampled."""
    G = nx.gnp_random_graph(120, 0.05, seed=21)
    rng = random.Random(8)
    nx.set_node_attributes(G, {v: "A" if rng.random() < 0.35 else "B" for v in G}, "group")
    sources = members(G, "group", "A")
    assert len(sources) < len(members(G, "group", "B"))
    return G, sources, members(G, "group", "B")


@pytest.mark.parametrize("normalized", [True, False])
def test_sampled_between_groups_scales_the_pivots_paths(normalized):
    """With pivots P drawn from A, a node's estimate is networkx's subset betweenness from P,
    times the sources it could have had over the pivots it had."""
    G, sources, targets = _sampled_case()
    k = 12
    result = between_groups_betweenness(G, "group", "A", "B", normalized=normalized,
                                        exact_max_sources=5, samples=k, seed=3)
    assert not result.exact and result.sample_size == k and result.error_estimate > 0
    pivots = random.Random(3).sample(sources, k)
    from_pivots = nx.betweenness_centrality_subset(G, pivots, targets, normalized=normalized)
    source_set = set(sources)
    want = {}
    for v, value in from_pivots.items():
        could = len(sources) - (v in source_set)
        had = k - (v in pivots)
        want[v] = value * could / had
    assert_close(result.values, want)


def test_sampled_between_groups_is_unbiased_and_its_error_honest():
    """Averaged over many seeds the estimate meets networkx's exact value, and the reported
    standard errors cover the seed-to-seed spread."""
    G, sources, targets = _sampled_case()
    exact = nx.betweenness_centrality_subset(G, sources, targets, normalized=True)
    runs = [between_groups_betweenness(G, "group", "A", "B", exact_max_sources=5, samples=10,
                                       seed=s) for s in range(300)]
    mean = {v: sum(r.values[v] for r in runs) / len(runs) for v in G}
    spread = {v: float(np.std([r.values[v] for r in runs])) for v in G}
    for v in G:
        assert mean[v] == pytest.approx(exact[v], abs=4 * spread[v] / math.sqrt(len(runs)) + 1e-12)
    busiest = max(exact, key=exact.get)
    reported = np.mean([r.standard_errors[busiest] for r in runs])
    assert 0.5 < reported / spread[busiest] < 2.0


def test_between_groups_rejects_unknown_group(karate):
    with pytest.raises(InvalidParameter, match="Officer"):
        between_groups_betweenness(karate, "club", "Mr. Hi", "Nobody")
    with pytest.raises(InvalidParameter):
        between_groups_betweenness(karate, "no-such-attribute", "a", "b")


# --- structural holes ------------------------------------------------------------------------


def networkx_holes(G, weight, nodes=None):
    # networkx's per-node formulas (nodes=...) are the reference: its vectorised
    # effective_size (nodes=None) is wrong for weighted or directed graphs (networkx PR #8906).
    # They are slow on dense graphs, hence the optional subset of nodes.
    nodes = list(G) if nodes is None else nodes
    return (
        nx.constraint(G, nodes=nodes, weight=weight),
        nx.effective_size(G, nodes=nodes, weight=weight),
    )


def assert_holes_match(G, weight, nodes=None):
    constraint, effective = structural_holes(G, weight=weight)
    want_constraint, want_effective = networkx_holes(G, weight, nodes)
    for v in want_constraint:
        if G.is_directed() and G.out_degree(v) == 0:
            # networkx marks NaN where a node has no successors; we mark NaN only where it has
            # no tie at all.
            continue
        for got, want in ((constraint[v], want_constraint[v]), (effective[v], want_effective[v])):
            if math.isnan(want):
                assert math.isnan(got), v
            else:
                assert got == pytest.approx(want, abs=TOL, rel=0), v


@pytest.mark.parametrize("weight", [None, "weight"])
def test_structural_holes_equal_networkx(karate, cowork, weight):
    assert_holes_match(karate, weight)
    assert_holes_match(random_graphs()[0], weight)
    assert_holes_match(cowork, weight, nodes=[1, 2, 17, 26, 40, 65, 71])


def test_structural_holes_unweighted_match_networkx_vectorised_path(cowork):
    constraint, effective = structural_holes(cowork, weight=None)
    assert_close(constraint, nx.constraint(cowork))
    assert_close(effective, nx.effective_size(cowork))


@pytest.mark.parametrize("weight", [None, "weight"])
def test_structural_holes_directed_equal_networkx(advice, weight):
    D = random_graphs()[1]
    assert_holes_match(D, weight)
    assert_holes_match(advice, weight, nodes=[1, 26, 40, 71])
    constraint, _ = structural_holes(D, weight=weight)
    assert math.isnan(constraint["isolated-1"])
    # networkx's vectorised constraint agrees everywhere, NaN convention included.
    assert_close(constraint, nx.constraint(D, weight=weight))


def test_structural_holes_in_small_chunks_give_the_same_answer(cowork, monkeypatch):
    whole = structural_holes(cowork)
    monkeypatch.setattr(_fast, "_CHUNK_ENTRIES", 50)
    chunked = structural_holes(cowork)
    assert_close(chunked[0], whole[0], tol=1e-12)
    assert_close(chunked[1], whole[1], tol=1e-12)


def test_structural_holes_hand_worked_star():
    # A star: the hub's five contacts are unconnected, so each takes 1/5 of the hub's ties and
    # there is no indirect constraint: C = 5 * (1/5)^2 = 0.2 and effective size = 5. Each leaf
    # has one contact: C = 1, effective size 1.
    G = nx.star_graph(5)
    constraint, effective = structural_holes(G)
    assert constraint[0] == pytest.approx(0.2)
    assert effective[0] == pytest.approx(5.0)
    assert constraint[1] == pytest.approx(1.0)
    assert effective[1] == pytest.approx(1.0)


def test_structural_holes_isolated_node_is_nan_and_negative_weight_rejected():
    G = nx.Graph([(1, 2)])
    G.add_node(3)
    constraint, effective = structural_holes(G)
    assert math.isnan(constraint[3]) and math.isnan(effective[3])
    G[1][2]["weight"] = -1
    with pytest.raises(InvalidParameter):
        structural_holes(G)


# --- Gould--Fernandez brokerage roles ---------------------------------------------------------


def brute_force_roles(D, attribute):
    """Enumerate every two-path a -> b -> c, a != c, with no tie a -> c."""
    groups = dict(D.nodes(data=attribute))
    out = {v: dict.fromkeys(BROKERAGE_ROLES, 0) for v in D}
    for b in D:
        for a in D.predecessors(b):
            for c in D.successors(b):
                if len({a, b, c}) < 3 or D.has_edge(a, c):
                    continue
                ga, gb, gc = groups[a], groups[b], groups[c]
                if ga == gb == gc:
                    role = "coordinator"
                elif ga == gc:
                    role = "itinerant"
                elif ga == gb:
                    role = "representative"
                elif gb == gc:
                    role = "gatekeeper"
                else:
                    role = "liaison"
                out[b][role] += 1
    return out


def roles_graph(edges, groups):
    D = nx.DiGraph(edges)
    nx.set_node_attributes(D, groups, "org")
    return D


def test_brokerage_coordinator_and_itinerant_hand_worked():
    # a1 -> a2 -> a3: a2 mediates inside A (coordinator).
    # a1 -> b1 -> a3: b1, outside A, mediates between two members of A (itinerant).
    # No other two-path exists (a1 has no in-ties, a3 no out-ties).
    D = roles_graph(
        [("a1", "a2"), ("a2", "a3"), ("a1", "b1"), ("b1", "a3")],
        {"a1": "A", "a2": "A", "a3": "A", "b1": "B"},
    )
    roles = brokerage_roles(D, "org")
    assert roles["a2"] == {**dict.fromkeys(BROKERAGE_ROLES, 0), "coordinator": 1}
    assert roles["b1"] == {**dict.fromkeys(BROKERAGE_ROLES, 0), "itinerant": 1}
    assert sum(roles["a1"].values()) == sum(roles["a3"].values()) == 0
    # A direct tie a1 -> a3 closes both triads: neither a2 nor b1 brokers any more.
    D.add_edge("a1", "a3")
    assert all(sum(r.values()) == 0 for r in brokerage_roles(D, "org").values())


def test_brokerage_gatekeeper_representative_liaison_hand_worked():
    # Groups A = {a1, a2}, B = {b1, b2}, C = {c1}. Ties:
    # a1->a2, a2->b1, b1->b2, a1->b1, b2->b1, b1->c1, c1->a1.
    # Two-paths by broker (a -> b -> c, a != c):
    #   a1: c1->a1->a2 (C,A,A), no c1->a2: gatekeeper; c1->a1->b1 (C,A,B), no c1->b1: liaison.
    #   a2: a1->a2->b1 is closed by a1->b1: not counted.
    #   b1: a2->b1->b2 (A,B,B) gatekeeper; a2->b1->c1 (A,B,C) liaison;
    #       a1->b1->b2 (A,B,B) gatekeeper; a1->b1->c1 (A,B,C) liaison (c1->a1 runs the other
    #       way and does not close it); b2->b1->b2 has a == c: not a two-path;
    #       b2->b1->c1 (B,B,C) representative.
    #   b2: b1->b2->b1 has a == c.
    #   c1: b1->c1->a1 (B,C,A), no b1->a1: liaison.
    D = roles_graph(
        [
            ("a1", "a2"),
            ("a2", "b1"),
            ("b1", "b2"),
            ("a1", "b1"),
            ("b2", "b1"),
            ("b1", "c1"),
            ("c1", "a1"),
        ],
        {"a1": "A", "a2": "A", "b1": "B", "b2": "B", "c1": "C"},
    )
    zero = dict.fromkeys(BROKERAGE_ROLES, 0)
    assert brokerage_roles(D, "org") == {
        "a1": {**zero, "gatekeeper": 1, "liaison": 1},
        "a2": zero,
        "b1": {**zero, "gatekeeper": 2, "liaison": 2, "representative": 1},
        "b2": zero,
        "c1": {**zero, "liaison": 1},
    }


def test_brokerage_undirected_graph_reads_ties_both_ways():
    # Path x - y - z with groups X, Y, Z: y brokers x->y->z and z->y->x, both liaison.
    G = nx.path_graph(["x", "y", "z"])
    nx.set_node_attributes(G, {"x": "X", "y": "Y", "z": "Z"}, "org")
    assert brokerage_roles(G, "org")["y"]["liaison"] == 2


def test_brokerage_equals_brute_force(advice, karate):
    cases = [(advice, "office"), (advice, "practice"), (karate.to_directed(), "club")]
    for seed in range(4):
        D = nx.gnp_random_graph(90, 0.07, seed=seed, directed=True)
        rng = random.Random(seed)
        # Include people with an unknown group: they form a group of their own.
        nx.set_node_attributes(D, {v: rng.choice(["A", "B", "C", None]) for v in D}, "org")
        cases.append((D, "org"))
    for D, attribute in cases:
        assert brokerage_roles(D, attribute) == brute_force_roles(D, attribute)


def test_brokerage_rejects_missing_attribute(advice):
    with pytest.raises(InvalidParameter):
        brokerage_roles(advice, "no-such-attribute")


# --- explain and rank ------------------------------------------------------------------------


def forum_graph():
    # p (acute) ties to a1, a2 (acute) and c1 (community) and s1 (social care); the ties to c1
    # and s1 run through the discharge forum F1, the tie to s1 also through F2.
    G = nx.Graph()
    G.add_edge("p", "a1", weight=2.0, forums=())
    G.add_edge("p", "a2", weight=1.0, forums=("F3",))
    G.add_edge("p", "c1", weight=1.5, forums=("F1",))
    G.add_edge("p", "s1", weight=0.5, forums=("F1", "F2"))
    G.add_edge("c1", "s1", weight=1.0, forums=())
    sectors = {"p": "acute", "a1": "acute", "a2": "acute", "c1": "community", "s1": "social"}
    nx.set_node_attributes(G, sectors, "sector")
    nx.set_node_attributes(G, {"p": "Pat"}, "name")
    return G


def test_explain_broker_hand_worked():
    info = explain_broker(forum_graph(), "p", "sector")
    assert info["group"] == "acute" and info["name"] == "Pat"
    assert info["ties"] == 4 and info["cross_group_ties"] == 2
    assert info["cross_group_share"] == pytest.approx(0.5)
    by_group = {row["group"]: row for row in info["groups"]}
    assert by_group["acute"]["ties"] == 2 and by_group["acute"]["weight"] == pytest.approx(3.0)
    assert by_group["acute"]["people"] == ["a1", "a2"]  # strongest first
    assert by_group["community"]["forums"] == ["F1"]
    assert by_group["social"]["forums"] == ["F1", "F2"]
    assert info["forums"] == [
        {"forum": "F1", "cross_group_ties": 2},
        {"forum": "F2", "cross_group_ties": 1},
    ]
    restricted = explain_broker(forum_graph(), "p", "sector", groups=("acute", "community"))
    assert [row["group"] for row in restricted["groups"]] == ["acute", "community"]
    assert restricted["bridged_groups"] == ["acute", "community"]


def test_explain_broker_unknown_person():
    with pytest.raises(NotFound):
        explain_broker(forum_graph(), "nobody", "sector")


def test_rank_brokers_reuses_a_precomputed_betweenness(karate):
    fresh = rank_brokers(karate, by="club", between=("Mr. Hi", "Officer"), top=5)
    reused = rank_brokers(karate, by="club", between=("Mr. Hi", "Officer"), top=5,
                          precomputed=betweenness(karate))
    assert reused == fresh
    assert fresh["between_groups"] == {"exact": True, "sample_size": None,
                                       "error_estimate": None}
    with pytest.raises(InvalidParameter, match="precomputed"):
        rank_brokers(karate, precomputed=betweenness(nx.path_graph(5)))


def test_rank_brokers_shape_and_order(karate):
    result = rank_brokers(karate, by="club", top=5)
    assert set(result) == {"brokers", "betweenness", "between_groups", "parameters"}
    assert result["between_groups"] is None  # no between=(a, b) asked
    assert result["betweenness"] == {"exact": True, "sample_size": None, "error_estimate": None}
    reference = nx.betweenness_centrality(karate)
    expected = sorted(karate, key=lambda v: (-reference[v], str(v)))[:5]
    assert [row["id"] for row in result["brokers"]] == expected
    constraint = nx.constraint(karate, weight="weight")
    roles = brute_force_roles(karate.to_directed(), "club")
    for row in result["brokers"]:
        assert {
            "id",
            "name",
            "score",
            "betweenness",
            "constraint",
            "effective_size",
            "roles",
            "group",
            "groups",
            "explanation",
        } <= set(row)
        assert row["score"] == pytest.approx(reference[row["id"]], abs=TOL)
        assert row["constraint"] == pytest.approx(constraint[row["id"]], abs=TOL)
        assert row["roles"] == roles[row["id"]]
    json.dumps(result)


def test_rank_brokers_between_two_groups(cowork):
    advice = read_lazega("advice", directed=True)
    result = rank_brokers(cowork, by="office", between=("Hartford", "Boston"), directed=advice)
    want = nx.betweenness_centrality_subset(
        cowork,
        members(cowork, "office", "Hartford"),
        members(cowork, "office", "Boston"),
        normalized=True,
    )
    scores = [row["score"] for row in result["brokers"]]
    assert scores == sorted(scores, reverse=True)
    for row in result["brokers"]:
        assert row["score"] == pytest.approx(want[row["id"]], abs=TOL)
    assert result["parameters"]["between"] == ["Hartford", "Boston"]
    assert result["brokers"][0]["explanation"]["bridged_groups"]
    roles = brute_force_roles(advice, "office")
    assert all(row["roles"] == roles[row["id"]] for row in result["brokers"])


def test_rank_brokers_without_groups_and_with_isolated_people():
    G = nx.path_graph(4)
    G.add_node(99)
    result = rank_brokers(G)
    assert "roles" not in result["brokers"][0]
    isolated = next(row for row in result["brokers"] if row["id"] == 99)
    assert isolated["constraint"] is None  # NaN is not valid JSON
    json.dumps(result, allow_nan=False)


def test_rank_brokers_rejects_bad_arguments(karate):
    with pytest.raises(InvalidParameter, match="by="):
        rank_brokers(karate, between=("Mr. Hi", "Officer"))
    with pytest.raises(InvalidParameter):
        rank_brokers(karate, by="club", between="Mr. Hi")
    with pytest.raises(InvalidParameter):
        rank_brokers(karate, top=0)


def test_a_network_within_the_exact_limit_gets_exact_between_group_scores():
    """The size limit for exact betweenness covers the between-groups scores too: a network
    under it is exact however large the source group; over it, the sources are sampled."""
    G = nx.gnp_random_graph(2300, 0.002, seed=4, directed=True)
    nx.set_node_attributes(G, {v: "A" if v < 2100 else "B" for v in G}, "group")
    within = rank_brokers(G, by="group", between=("A", "B"), top=3)
    assert within["between_groups"]["exact"] is True
    over = rank_brokers(G, by="group", between=("A", "B"), top=3, exact_max_nodes=1000)
    assert over["between_groups"]["exact"] is False
    assert over["between_groups"]["sample_size"] == DEFAULT_SAMPLES


def test_the_exact_limit_is_a_setting(monkeypatch):
    from kg.config import Settings, get_settings
    from kg.queries import analyses

    monkeypatch.setenv("KG_EXACT_MAX_NODES", "20000")
    get_settings.cache_clear()
    try:
        assert analyses.exact_max_nodes() == 20000
        assert analyses.net_key()[-1] == 20000  # cached answers follow the setting
    finally:
        get_settings.cache_clear()
    with pytest.raises(ValueError):
        Settings(exact_max_nodes=-1)
