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
from kg.analysis.betweenness import DEFAULT_SAMPLES, between_groups_betweenness, betweenness
from kg.analysis.brokerage import BROKERAGE_ROLES, brokerage_roles
from kg.analysis.brokers import explain_broker, rank_brokers
from kg.analysis.structural_holes import structural_holes
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


def with_distance(G):
    """A copy whose ties carry ``distance = 1/weight``: networkx's weighted shortest paths."""
    H = G.copy()
    for _, _, d in H.edges(data=True):
        d["distance"] = 1.0 / d.get("weight", 1)
    return H


def power_of_two_weights(G, seed):
    """Tie weights 1/4 .. 4: sums of their inverses are exact in floating point, so networkx's
    exact comparison of path lengths and igraph's tolerant one find the same shortest paths."""
    G = G.copy()
    rng = random.Random(seed)
    for _, _, d in G.edges(data=True):
        d["weight"] = rng.choice([0.25, 0.5, 1.0, 2.0, 4.0])
    return G


@pytest.mark.parametrize("normalized", [True, False])
def test_exact_betweenness_equals_networkx(karate, cowork, normalized):
    for G in [karate, cowork, *random_graphs()]:
        result = betweenness(G, normalized=normalized)
        assert result.exact and result.sample_size is None and result.error_estimate is None
        assert result.paths == "hops"
        assert_close(result.values, nx.betweenness_centrality(G, normalized=normalized))


def test_exact_betweenness_lazega_advice_directed(advice):
    assert_close(betweenness(advice).values, nx.betweenness_centrality(advice))


@pytest.mark.parametrize("normalized", [True, False])
def test_weighted_betweenness_equals_networkx_with_inverse_weights(karate, advice, normalized):
    graphs = [power_of_two_weights(G, 3) for G in (karate, advice, *random_graphs())]
    for G in graphs:
        result = betweenness(G, normalized=normalized, paths="weighted")
        assert result.exact and result.paths == "weighted"
        want = nx.betweenness_centrality(with_distance(G), normalized=normalized,
                                         weight="distance")
        assert_close(result.values, want)
        # Weights do change who carries the paths.
        assert result.values != pytest.approx(betweenness(G, normalized=normalized).values)


def test_weighted_paths_skip_ties_of_weight_zero():
    G = power_of_two_weights(random_graphs()[0], 4)
    dropped = list(G.edges())[:10]
    for u, v in dropped:
        G[u][v]["weight"] = 0
    H = G.copy()
    H.remove_edges_from(dropped)
    H = with_distance(H)
    assert_close(betweenness(G, paths="weighted").values,
                 nx.betweenness_centrality(H, weight="distance"))


def all_shortest_paths(G, paths):
    """Every shortest path of every ordered pair, enumerated by networkx."""
    H = with_distance(G) if paths == "weighted" else G
    weight = "distance" if paths == "weighted" else None
    return {
        (s, t): list(nx.all_shortest_paths(H, s, t, weight=weight))
        for s in G
        for t in G
        if s != t and nx.has_path(G, s, t)
    }


def pivot_counts(G, pivot, routes, sources, targets, *, as_source, as_target):
    """Brute force of the pivot rule: every shortest path of a pair the pivot ends counts
    1/sigma for each node inside it -- in full when the node is more hops from the pivot than
    from the other end, half when halfway, not at all when nearer the pivot."""
    z = dict.fromkeys(G, 0.0)

    def count(path, pivot_first):
        for i, v in enumerate(path[1:-1], start=1):
            to_pivot, to_other = (i, len(path) - 1 - i) if pivot_first else (
                len(path) - 1 - i, i)
            share = 1.0 if to_pivot > to_other else 0.5 if to_pivot == to_other else 0.0
            z[v] += share / len(routes_of)

    for (s, t), routes_of in routes.items():
        if as_source and s == pivot and t in targets:
            for path in routes_of:
                count(path, pivot_first=True)
        if as_target and t == pivot and s in sources:
            for path in routes_of:
                count(path, pivot_first=False)
    return z


def brute_total(G, pivots, members, counts):
    """Unbiased total over ``members`` and its standard error, from per-pivot counts."""
    estimate, error = {}, {}
    for v in G:
        sample = [counts[p][v] for p in pivots if p != v]
        population = len(members) - (v in members)
        k = len(sample)
        estimate[v] = population * float(np.mean(sample))
        error[v] = population * math.sqrt((1 - k / population) * np.var(sample, ddof=1) / k)
    return estimate, error


def small_cases():
    """Small graphs (so every shortest path can be enumerated), tie weights powers of two."""
    undirected = power_of_two_weights(nx.connected_watts_strogatz_graph(28, 4, 0.3, seed=2), 1)
    directed = power_of_two_weights(nx.gnp_random_graph(28, 0.15, seed=5, directed=True), 2)
    for G in (undirected, directed):
        nx.set_node_attributes(G, {v: "A" if v % 3 == 0 else "B" for v in G}, "group")
    return [undirected, directed]


@pytest.mark.parametrize("paths", ["hops", "weighted"])
def test_sampled_betweenness_follows_the_pivot_rule(paths):
    """The estimate and its standard error equal a brute-force count over networkx's
    enumeration of every shortest path, for the pivots random.Random(seed) draws."""
    for G in small_cases():
        n, k = G.number_of_nodes(), 9
        result = betweenness(G, exact_max_nodes=5, samples=k, seed=7, paths=paths)
        assert not result.exact and result.sample_size == k and result.paths == paths
        routes = all_shortest_paths(G, paths)
        pivots = random.Random(7).sample(list(G), k)
        everyone = set(G)
        counts = {p: pivot_counts(G, p, routes, everyone, everyone, as_source=True,
                                  as_target=True) for p in pivots}
        estimate, error = brute_total(G, pivots, everyone, counts)
        scale = 1 / ((n - 1) * (n - 2))
        assert_close(result.values, {v: estimate[v] * scale for v in G})
        for v in G:
            if result.standard_errors[v] is not None:
                assert result.standard_errors[v] == pytest.approx(error[v] * scale, abs=TOL)
            else:
                assert error[v] == 0  # no pivot counted a path through v


@pytest.mark.parametrize("paths", ["hops", "weighted"])
def test_sampled_between_groups_follows_the_pivot_rule(paths):
    """Between groups, pivots are drawn from both groups: from A counting their paths to B,
    from B counting their paths from A; the two independent estimates add."""
    for G in small_cases():
        n, k = G.number_of_nodes(), 6
        A = [v for v in G if G.nodes[v]["group"] == "A"]
        B = [v for v in G if G.nodes[v]["group"] == "B"]
        result = between_groups_betweenness(G, "group", "A", "B", exact_max_sources=3,
                                            samples=k, seed=4, paths=paths)
        assert not result.exact and result.sample_size == k
        routes = all_shortest_paths(G, paths)
        rng = random.Random(4)
        from_a, from_b = rng.sample(A, k), rng.sample(B, k)
        counts_a = {p: pivot_counts(G, p, routes, set(A), set(B), as_source=True,
                                    as_target=False) for p in from_a}
        counts_b = {p: pivot_counts(G, p, routes, set(A), set(B), as_source=False,
                                    as_target=True) for p in from_b}
        est_a, err_a = brute_total(G, from_a, set(A), counts_a)
        est_b, err_b = brute_total(G, from_b, set(B), counts_b)
        scale = 1 / ((n - 1) * (n - 2))
        assert_close(result.values, {v: (est_a[v] + est_b[v]) * scale for v in G})
        for v in G:
            want = math.hypot(err_a[v], err_b[v]) * scale
            got = result.standard_errors[v]
            assert (got is None and want == 0) or got == pytest.approx(want, abs=TOL)


@pytest.mark.parametrize("paths", ["hops", "weighted"])
def test_every_node_as_pivot_gives_the_exact_value(paths):
    """Each path is counted at exactly one of its ends, so the pivot counts summed over every
    node equal networkx's exact betweenness: the estimator is unbiased."""
    from kg.analysis.betweenness import _contributions, _PathGraph

    for G in [power_of_two_weights(g, 6) for g in random_graphs()]:
        nodes, index = _fast.node_index(G)
        net = _PathGraph(G, index, paths=paths, weight="weight")
        H = with_distance(G)
        weight = "distance" if paths == "weighted" else None
        pair_factor = 1 if G.is_directed() else 2  # networkx halves undirected counts
        everyone = np.ones(len(nodes), dtype=bool)
        total = sum(z for z, _ in _contributions(net, np.arange(len(nodes)), everyone,
                                                 everyone, as_source=True, as_target=True))
        want = nx.betweenness_centrality(H, normalized=False, weight=weight)
        assert_close(dict(zip(nodes, total / pair_factor, strict=True)), want)
        group = np.array([G.nodes[v]["group"] for v in nodes])
        a, b = group == "A", group == "C"
        total = sum(z for z, _ in _contributions(net, np.flatnonzero(a), a, b, as_source=True,
                                                 as_target=False))
        total = total + sum(z for z, _ in _contributions(net, np.flatnonzero(b), a, b,
                                                         as_source=False, as_target=True))
        want = nx.betweenness_centrality_subset(
            H, [v for v, g in zip(nodes, group, strict=True) if g == "A"],
            [v for v, g in zip(nodes, group, strict=True) if g == "C"],
            normalized=False, weight=weight)
        assert_close(dict(zip(nodes, total / pair_factor, strict=True)), want)


def share_outside_two_errors(result, exact):
    """Share of nodes more than two standard errors from the exact value, and how many had no
    standard error (no pivot counted a path through them)."""
    outside, undetermined = [], 0
    for v, want in exact.items():
        se = result.standard_errors[v]
        if se is None:
            undetermined += 1
            continue
        outside.append(abs(result.values[v] - want) > 2 * se + 1e-15)
    return outside, undetermined


@pytest.mark.parametrize(("paths", "most"), [("hops", 0.09), ("weighted", 0.12)])
def test_sampled_standard_errors_are_calibrated(paths, most):
    """Over many seeds, about 5 % of people lie more than two of their own standard errors
    from networkx's exact value -- overall and between two groups -- where a person's
    dependencies are as skewed as in a clustered, scale-free network (networkx's estimator
    with the same pivots: about 25 %). Weighted shortest paths are nearly unique, so more of a
    person's betweenness hangs on few pivots: 8 to 10 % here."""
    G = power_of_two_weights(nx.powerlaw_cluster_graph(300, 2, 0.3, seed=1), 1)
    rng = random.Random(1)
    nx.set_node_attributes(G, {v: "A" if rng.random() < 0.4 else "B" for v in G}, "group")
    H = with_distance(G)
    weight = "distance" if paths == "weighted" else None
    exact = nx.betweenness_centrality(H, weight=weight)
    exact_between = nx.betweenness_centrality_subset(
        H, members(G, "group", "A"), members(G, "group", "B"), normalized=True, weight=weight)
    overall, between, undetermined = [], [], 0
    for seed in range(30):
        result = betweenness(G, exact_max_nodes=10, samples=100, seed=seed, paths=paths)
        outside, missing = share_outside_two_errors(result, exact)
        overall += outside
        undetermined += missing
        result = between_groups_betweenness(G, "group", "A", "B", exact_max_sources=10,
                                            samples=50, seed=seed, paths=paths)
        outside, missing = share_outside_two_errors(result, exact_between)
        between += outside
        undetermined += missing
    assert 0.02 <= np.mean(overall) <= most
    assert 0.02 <= np.mean(between) <= most
    if paths == "hops":
        assert undetermined <= 0.01 * 2 * 30 * len(G)


def test_sampled_estimate_beats_networkx_estimate_with_the_same_pivots():
    G = nx.powerlaw_cluster_graph(300, 2, 0.3, seed=1)
    exact = nx.betweenness_centrality(G)
    ours, theirs = [], []
    for seed in range(6):
        ours.append(betweenness(G, exact_max_nodes=10, samples=60, seed=seed).values)
        theirs.append(nx.betweenness_centrality(G, k=60, seed=seed))

    def rms(runs):
        return math.sqrt(np.mean([(run[v] - exact[v]) ** 2 for run in runs for v in G]))

    assert rms(ours) < 0.6 * rms(theirs)


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
    assert max(errors.values()) <= 4 * sampled.error_estimate
    covered = [errors[v] <= 2 * se for v, se in sampled.standard_errors.items() if se is not None]
    assert 0.88 <= np.mean(covered) <= 0.98
    leaders = sorted(exact_values, key=exact_values.get, reverse=True)[:100]
    assert np.mean([errors[v] <= 2 * sampled.standard_errors[v] for v in leaders]) >= 0.85


def test_standard_error_is_zero_on_no_path_and_none_when_unmeasured():
    # K6 without the tie 0-1, plus x tied to 2 and 3 (themselves tied) and y tied to 0 and 1.
    # x is on no shortest path, so its estimate 0 is exact. y carries one of the five shortest
    # paths between 0 and 1 -- a pair only pivots 0 and 1 count; drawn without them, the
    # sample cannot measure y's error.
    G = nx.complete_graph(6)
    G.remove_edge(0, 1)
    G.add_edges_from([("x", 2), ("x", 3), ("y", 0), ("y", 1)])
    nodes = list(G)
    seed = next(s for s in range(100) if not {0, 1} & set(random.Random(s).sample(nodes, 3)))
    result = betweenness(G, exact_max_nodes=3, samples=3, seed=seed)
    assert result.values["x"] == 0 and result.standard_errors["x"] == 0.0
    assert nx.betweenness_centrality(G)["y"] > 0
    assert result.values["y"] == 0 and result.standard_errors["y"] is None
    json.dumps(result.standard_errors)


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
    with pytest.raises(InvalidParameter, match="paths"):
        betweenness(karate, paths="metres")
    G = nx.path_graph(4)
    G[1][2]["weight"] = -1
    with pytest.raises(InvalidParameter, match="negative"):
        betweenness(G, paths="weighted")
    G[1][2]["weight"] = "strong"
    with pytest.raises(InvalidParameter):
        betweenness(G, paths="weighted")
    betweenness(G)  # hop paths do not read weights


def test_the_split_modules_are_still_importable_from_brokers():
    from kg.analysis import betweenness as betweenness_module
    from kg.analysis import brokers

    assert brokers.betweenness is betweenness_module.betweenness
    assert brokers.structural_holes is structural_holes
    assert brokers.brokerage_roles is brokerage_roles
    assert set(brokers.__all__) == {"RANK_Z", "explain_broker", "rank_brokers", "rank_ranges"}


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
        weighted = power_of_two_weights(G, 8)
        got = between_groups_betweenness(weighted, attribute, a, b, normalized=normalized,
                                         paths="weighted")
        want = nx.betweenness_centrality_subset(
            with_distance(weighted), members(G, attribute, a), members(G, attribute, b),
            normalized=normalized, weight="distance")
        assert got.paths == "weighted"
        assert_close(got.values, want)


def _sampled_case():
    """An undirected graph whose group A (the smaller, so the sources) is sampled."""
    G = nx.gnp_random_graph(120, 0.05, seed=21)
    rng = random.Random(8)
    nx.set_node_attributes(G, {v: "A" if rng.random() < 0.35 else "B" for v in G}, "group")
    sources = members(G, "group", "A")
    assert len(sources) < len(members(G, "group", "B"))
    return G, sources, members(G, "group", "B")


def test_sampled_between_groups_is_unbiased_and_its_error_honest():
    """Averaged over many seeds the estimate meets networkx's exact value, and the reported
    standard errors match the seed-to-seed spread."""
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
    assert 0.7 < reported / spread[busiest] < 1.4


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
                                       "error_estimate": None, "paths": "hops"}
    with pytest.raises(InvalidParameter, match="precomputed"):
        rank_brokers(karate, precomputed=betweenness(nx.path_graph(5)))


def test_rank_brokers_shape_and_order(karate):
    result = rank_brokers(karate, by="club", top=5)
    assert set(result) == {"brokers", "betweenness", "between_groups", "parameters"}
    assert result["between_groups"] is None  # no between=(a, b) asked
    assert result["betweenness"] == {"exact": True, "sample_size": None, "error_estimate": None,
                                     "paths": "hops"}
    assert result["parameters"]["paths"] == "hops"
    assert result["parameters"]["path_weight"] is None
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


def test_rank_brokers_on_weighted_paths(karate):
    G = power_of_two_weights(karate, 5)
    result = rank_brokers(G, by="club", between=("Mr. Hi", "Officer"), paths="weighted")
    H = with_distance(G)
    overall = nx.betweenness_centrality(H, weight="distance")
    between = nx.betweenness_centrality_subset(
        H, members(G, "club", "Mr. Hi"), members(G, "club", "Officer"), normalized=True,
        weight="distance")
    for row in result["brokers"]:
        assert row["score"] == pytest.approx(between[row["id"]], abs=TOL)
        assert row["betweenness"] == pytest.approx(overall[row["id"]], abs=TOL)
    assert result["betweenness"]["paths"] == result["between_groups"]["paths"] == "weighted"
    assert result["parameters"]["paths"] == "weighted"
    assert result["parameters"]["path_weight"] == "weight"
    with pytest.raises(InvalidParameter, match="paths"):
        rank_brokers(G, paths="weighted", precomputed=betweenness(G))
    with pytest.raises(InvalidParameter, match="paths"):
        rank_brokers(G, paths="metres")


def test_a_network_within_the_exact_limit_gets_exact_between_group_scores():
    """The size limit for exact betweenness covers the between-groups scores too: a network
    under it is exact however large the source group; over it, the sources are sampled."""
    G = nx.gnp_random_graph(2300, 0.002, seed=4, directed=True)
    nx.set_node_attributes(G, {v: "A" if v < 2100 else "B" for v in G}, "group")
    within = rank_brokers(G, by="group", between=("A", "B"), top=3)
    assert within["between_groups"]["exact"] is True
    # The overall betweenness is passed in (exact), so only the between-groups part samples.
    over = rank_brokers(G, by="group", between=("A", "B"), top=3, exact_max_nodes=1000,
                        precomputed=betweenness(G))
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
