"""Hybrid comparison and key-person risk against independent computations: brute-force pair
counts, scipy's tests, exhaustive permutations, networkx connectivity and efficiency, and
hand-worked removals."""

from __future__ import annotations

import itertools
import json
import random
import statistics
from collections import Counter

import networkx as nx
import numpy as np
import pytest
from _lazega import read_lazega
from scipy import stats

from kg.analysis.betweenness import betweenness
from kg.analysis.hybrids import compare_hybrids
from kg.analysis.risk import key_person_risk, removal_impact
from kg.errors import InvalidParameter, NotFound

# --- hybrids ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def karate_hybrids():
    G = nx.karate_club_graph()
    rng = random.Random(4)
    flagged = set(rng.sample(sorted(G), 8)) | {0, 33}  # the two leaders broker most
    nx.set_node_attributes(G, {v: v in flagged for v in G}, "hybrid")
    return G, nx.betweenness_centrality(G)


def test_effect_sizes_match_brute_force(karate_hybrids):
    G, scores = karate_hybrids
    result = compare_hybrids(G, scores, seed=1, n_permutations=2000)
    hybrid = [scores[v] for v in G if G.nodes[v]["hybrid"]]
    other = [scores[v] for v in G if not G.nodes[v]["hybrid"]]
    assert (result["n_hybrid"], result["n_other"]) == (len(hybrid), len(other))
    # Cliff's delta by counting every hybrid/other pair.
    signs = [np.sign(x - y) for x in hybrid for y in other]
    assert result["cliffs_delta"] == pytest.approx(sum(signs) / len(signs))
    assert result["rank_biserial"] == result["cliffs_delta"]
    # Cohen's d from the textbook pooled standard deviation.
    n1, n2 = len(hybrid), len(other)
    pooled = (
        ((n1 - 1) * statistics.variance(hybrid) + (n2 - 1) * statistics.variance(other))
        / (n1 + n2 - 2)
    ) ** 0.5
    diff = statistics.mean(hybrid) - statistics.mean(other)
    assert result["cohens_d"] == pytest.approx(diff / pooled)
    assert result["mean_hybrid"] == pytest.approx(statistics.mean(hybrid))
    assert result["median_other"] == pytest.approx(statistics.median(other))
    assert result["p_value"] == pytest.approx(
        stats.mannwhitneyu(hybrid, other, alternative="two-sided").pvalue
    )
    json.dumps(result, allow_nan=False)


def test_permutation_p_value_agrees_with_scipy(karate_hybrids):
    G, scores = karate_hybrids
    result = compare_hybrids(G, scores, seed=2, n_permutations=9999)
    hybrid = np.array([scores[v] for v in G if G.nodes[v]["hybrid"]])
    other = np.array([scores[v] for v in G if not G.nodes[v]["hybrid"]])
    reference = stats.permutation_test(
        (hybrid, other),
        # Two-sided as |difference in means| (scipy's "two-sided" doubles the smaller tail
        # instead, which differs for the skewed null distribution of betweenness).
        lambda x, y: abs(np.mean(x) - np.mean(y)),
        n_resamples=9999,
        alternative="greater",
        random_state=7,
    ).pvalue
    # Two Monte Carlo estimates of the same p-value: within a few standard errors.
    se = np.sqrt(reference * (1 - reference) / 9999) + 1e-3
    assert abs(result["permutation_p_value"] - reference) <= 4 * se


def test_permutation_p_value_against_exhaustive_enumeration():
    # Eight people, three hybrids: all 56 relabellings enumerated give the exact p-value.
    G = nx.path_graph(8)
    values = [0.0, 0.1, 0.35, 0.9, 0.2, 0.6, 0.05, 0.8]
    hybrids = {3, 5, 7}
    nx.set_node_attributes(G, {v: v in hybrids for v in G}, "hybrid")
    scores = dict(enumerate(values))
    observed = np.mean([values[i] for i in hybrids]) - np.mean(
        [values[i] for i in G if i not in hybrids]
    )
    extreme = 0
    splits = list(itertools.combinations(range(8), 3))
    for split in splits:
        rest = [values[i] for i in range(8) if i not in split]
        d = np.mean([values[i] for i in split]) - np.mean(rest)
        extreme += abs(d) >= abs(observed) - 1e-12
    exact = extreme / len(splits)  # 2/56: the observed split and its mirror image in |d|
    result = compare_hybrids(G, scores, seed=3, n_permutations=20000)
    assert result["permutation_p_value"] == pytest.approx(exact, abs=0.01)
    assert result["cliffs_delta"] == pytest.approx(1.0)
    ranked = [row["id"] for row in result["hybrids"]]
    assert ranked == [3, 7, 5]
    assert [row["rank"] for row in result["hybrids"]] == [1, 2, 3]


def test_compare_hybrids_without_hybrids_reports_why(karate_hybrids):
    G, scores = karate_hybrids
    result = compare_hybrids(G, scores, attribute="no-such-flag")
    assert result["n_hybrid"] == 0 and result["cliffs_delta"] is None
    assert result["note"]
    assert result["hybrids"] == []


def test_compare_hybrids_rejects_bad_arguments(karate_hybrids):
    G, scores = karate_hybrids
    with pytest.raises(InvalidParameter):
        compare_hybrids(G, list(scores.values()))
    with pytest.raises(InvalidParameter):
        compare_hybrids(G, scores, n_permutations=0)


# --- removal impact --------------------------------------------------------------------------


def two_teams():
    # A = {a1, a2, a3}, B = {b1, b2}. Ties: a1-a2, a2-a3, a2-b1 (weight 2), a3-b1, b1-b2.
    G = nx.Graph()
    G.add_edge("a1", "a2")
    G.add_edge("a2", "a3")
    G.add_edge("a2", "b1", weight=2.0)
    G.add_edge("a3", "b1")
    G.add_edge("b1", "b2")
    org = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B"}
    nx.set_node_attributes(G, org, "org")
    return G


def test_removal_impact_hand_worked():
    # Remove a2. People left: a1, a3 (A), b1, b2 (B): 2 x 2 = 4 cross pairs, all connected
    # before; after, a1 is cut off, so only a3-b1 and a3-b2 stay connected: 2/4.
    # Cross ties: a2-b1 and a3-b1 (2); a2-b1 (weight 2) is lost. A-B keep a direct tie (a3-b1).
    impact = removal_impact(two_teams(), ["a2"], "org")
    assert impact["cross_group_pairs"] == 4
    assert (impact["connected_before"], impact["connected_after"]) == (4, 2)
    assert impact["share_still_connected"] == pytest.approx(0.5)
    assert (impact["cross_ties_before"], impact["cross_ties_lost"]) == (2, 1)
    assert impact["cross_weight_lost"] == pytest.approx(2.0)
    assert impact["group_pairs_linked_after"] == 1 and impact["group_pairs_unlinked"] == []
    # Remove b1 as well: no A-B tie remains and no A-B pair is connected.
    both = removal_impact(two_teams(), ["a2", "b1"], "org")
    assert both["connected_after"] == 0 and both["group_pairs_unlinked"] == [["A", "B"]]
    G = two_teams()
    assert impact["efficiency_before"] == pytest.approx(nx.global_efficiency(G))
    G.remove_node("a2")
    assert impact["efficiency_after"] == pytest.approx(nx.global_efficiency(G))


def connected_cross_pairs(G, attribute, people):
    """Independent count with networkx components."""
    count = 0
    for component in nx.connected_components(G):
        for u, v in itertools.combinations([p for p in component if p in people], 2):
            if G.nodes[u][attribute] != G.nodes[v][attribute]:
                count += 1
    return count


def test_removal_impact_matches_networkx_on_lazega():
    G = read_lazega("cowork", directed=False)
    top = sorted(nx.betweenness_centrality(G).items(), key=lambda x: -x[1])[:8]
    removed = [v for v, _ in top]
    impact = removal_impact(G, removed, "office")
    stays = set(G) - set(removed)
    H = G.subgraph(stays)
    assert impact["connected_before"] == connected_cross_pairs(G, "office", stays)
    assert impact["connected_after"] == connected_cross_pairs(H, "office", stays)
    lost = [
        (u, v)
        for u, v in G.edges()
        if G.nodes[u]["office"] != G.nodes[v]["office"] and (u in removed or v in removed)
    ]
    assert impact["cross_ties_lost"] == len(lost)
    assert impact["efficiency_before"] == pytest.approx(nx.global_efficiency(G), abs=1e-12)
    assert impact["efficiency_after"] == pytest.approx(nx.global_efficiency(H), abs=1e-12)
    json.dumps(impact, allow_nan=False)


def test_sampled_efficiency_is_within_its_standard_error():
    G = nx.connected_watts_strogatz_graph(700, 6, 0.1, seed=3)
    nx.set_node_attributes(G, {v: v % 3 for v in G}, "org")
    impact = removal_impact(G, [0, 1, 2], "org", efficiency_samples=150, seed=5)
    assert not impact["efficiency_exact"] and impact["efficiency_samples"] == 150
    exact = nx.global_efficiency(G)
    assert abs(impact["efficiency_before"] - exact) <= 4 * impact["efficiency_standard_error"]


def test_removal_impact_rejects_unknown_people_and_bad_arguments():
    with pytest.raises(NotFound):
        removal_impact(two_teams(), ["nobody"], "org")
    with pytest.raises(InvalidParameter):
        removal_impact(two_teams(), "a2", "org")
    with pytest.raises(InvalidParameter):
        removal_impact(two_teams(), ["a2"], "no-such-attribute")


# --- key-person risk -------------------------------------------------------------------------


def test_key_person_risk_hand_worked_barbell():
    # Two cliques, left {0..3} and right {5..8}, joined through node 4 (tagged "right").
    # Removing 4 disconnects all 4 x 4 left/right pairs left; removing 3 (the left clique's
    # door) disconnects {0, 1, 2} from {4, ..., 8}: 3 x 5 = 15; removing 5 (the right door)
    # disconnects {0..3} from {6, 7, 8}: 4 x 3 = 12 (4 stays with the left clique). Every
    # other person disconnects nobody.
    G = nx.barbell_graph(4, 1)
    nx.set_node_attributes(G, {v: "left" if v < 4 else "right" for v in G}, "org")
    risk = key_person_risk(G, "org", top=4)
    people = risk["people"]
    assert [row["id"] for row in people[:3]] == [4, 3, 5]
    assert [row["cross_pairs_disconnected"] for row in people] == [16, 15, 12, 0]
    assert people[0]["group_pairs_unlinked"] == 1
    assert sorted(risk["combined"]["removed"]) == sorted(row["id"] for row in people)
    json.dumps(risk, allow_nan=False)


def brute_force_alone(G, attribute):
    """Remove each person in turn and recount with networkx: cross-group pairs disconnected,
    group pairs left without a direct tie, cross-boundary ties and weight lost."""

    def group(v):
        return G.nodes[v].get(attribute)

    def connected_pairs(H, people):
        total = 0
        for component in nx.connected_components(H):
            sizes = Counter(group(v) for v in component if v in people and group(v) is not None)
            total += sum(a * b for (g, a), (h, b) in itertools.combinations(sizes.items(), 2))
        return total

    def linked(H):
        return {frozenset((group(a), group(b))) for a, b in H.edges()
                if None not in (group(a), group(b)) and group(a) != group(b)}

    before_links = linked(G)
    out = {}
    for v in G:
        stays = set(G) - {v}
        H = G.subgraph(stays)
        cross = [u for u in G[v] if u != v and None not in (group(u), group(v))
                 and group(u) != group(v)]
        out[v] = {
            "cross_pairs_disconnected": connected_pairs(G, stays) - connected_pairs(H, stays),
            "group_pairs_unlinked": len(before_links - linked(H)),
            "cross_ties_lost": len(cross),
            "cross_weight_lost": float(sum(G[v][u].get("weight", 1) for u in cross)),
        }
    return out


def ranked(people, measures, reference):
    """key_person_risk's order: pairs disconnected, group pairs unlinked, weight lost, ties
    lost, betweenness, id."""
    return sorted(people, key=lambda v: (
        -measures[v]["cross_pairs_disconnected"], -measures[v]["group_pairs_unlinked"],
        -measures[v]["cross_weight_lost"], -measures[v]["cross_ties_lost"], -reference[v],
        str(v)))


def brute_force_ranking(G, attribute, reference):
    measures = brute_force_alone(G, attribute)
    return ranked(G, measures, reference), measures


def assert_rows_match(risk, measures):
    for row in risk["people"]:
        want = measures[row["id"]]
        assert {key: row[key] for key in want} == pytest.approx(want), row["id"]


def test_key_person_risk_matches_brute_force_on_lazega():
    G = read_lazega("cowork", directed=False)
    reference = nx.betweenness_centrality(G)
    expected, measures = brute_force_ranking(G, "office", reference)
    risk = key_person_risk(G, "office", top=len(G))
    assert risk["candidates"] == {"rule": "everyone", "count": len(G), "evaluated": len(G),
                                  "of": len(G), "articulation_points": len(
                                      list(nx.articulation_points(G)))}
    assert [row["id"] for row in risk["people"]] == expected
    assert_rows_match(risk, measures)
    top5 = key_person_risk(G, "office", top=5)
    assert top5["combined"] == removal_impact(G, expected[:5], "office")


def trap():
    """A clustered core of 300 people in three sectors, where one low-degree member y is the
    only contact of x, whose only contact is p, the one person of a fourth sector. Removing y or
    x cuts p (and x) off from everyone, yet neither carries many shortest paths."""
    G = nx.powerlaw_cluster_graph(300, 3, 0.1, seed=3)
    rng = random.Random(3)
    nx.set_node_attributes(G, {v: rng.choice("ABC") for v in G}, "sector")
    y = min(G, key=lambda v: (G.degree(v), v))
    G.add_edge(y, "x")
    G.add_edge("x", "p")
    G.nodes["x"]["sector"] = "A"
    G.nodes["p"]["sector"] = "D"
    return G


def test_key_person_risk_finds_a_cut_vertex_with_low_betweenness():
    G = trap()
    reference = nx.betweenness_centrality(G)
    by_betweenness = sorted(G, key=lambda v: (-reference[v], str(v)))
    expected, measures = brute_force_ranking(G, "sector", reference)
    # The old rule evaluated only the top max(3 x top, 30) by betweenness: both cut vertices
    # are far below that, and everyone it did evaluate disconnects nobody.
    assert by_betweenness.index(expected[0]) >= 30 and by_betweenness.index("x") >= 30
    assert all(measures[v]["cross_pairs_disconnected"] == 0 for v in by_betweenness[:30])
    risk = key_person_risk(G, "sector", top=len(G))
    assert [row["id"] for row in risk["people"]] == expected
    assert_rows_match(risk, measures)
    y = next(v for v in G["x"] if v != "p")
    assert {row["id"] for row in risk["people"][:2]} == {"x", y}
    cut_vertices = set(nx.articulation_points(G))
    assert risk["candidates"]["articulation_points"] == len(cut_vertices)
    # Restricted to the top 20 by betweenness, the articulation points are still evaluated.
    some = key_person_risk(G, "sector", top=5, n_candidates=20)
    assert some["candidates"]["rule"] == "top 20 by betweenness and every articulation point"
    evaluated = set(by_betweenness[:20]) | cut_vertices
    assert some["candidates"]["evaluated"] == len(evaluated)
    assert [row["id"] for row in some["people"]] == ranked(evaluated, measures, reference)[:5]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_key_person_risk_equals_brute_force_with_many_cut_vertices(seed):
    """Sparse forests of small trees joined by a few extra ties, isolated people and people
    of unknown group: many articulation points, component roots with one or several
    children, pieces with and without group members."""
    rng = random.Random(seed)
    G = nx.random_labeled_tree(60, seed=seed)
    G.add_edges_from((rng.randrange(60), rng.randrange(60)) for _ in range(8))
    G.remove_edges_from(list(G.edges())[::9])
    G.remove_edges_from(nx.selfloop_edges(G))
    G.add_nodes_from([60, 61])
    for u, v in G.edges():
        G[u][v]["weight"] = rng.choice([1, 2, 3])
    nx.set_node_attributes(G, {v: rng.choice(["A", "B", "C", None]) for v in G}, "org")
    reference = nx.betweenness_centrality(G)
    expected, measures = brute_force_ranking(G, "org", reference)
    risk = key_person_risk(G, "org", top=len(G))
    assert [row["id"] for row in risk["people"]] == expected
    assert_rows_match(risk, measures)
    assert risk["candidates"]["articulation_points"] == len(list(nx.articulation_points(G)))
    json.dumps(risk, allow_nan=False)


def test_key_person_risk_with_given_candidates_and_bad_arguments():
    G = two_teams()
    risk = key_person_risk(G, "org", top=1, candidates=(v for v in ["a3", "b1"]))
    assert risk["candidates"]["rule"] == "given"
    assert (risk["candidates"]["evaluated"], risk["candidates"]["of"]) == (2, 5)
    assert risk["people"][0]["id"] == "b1"  # cuts b2 off from A
    with pytest.raises(NotFound):
        key_person_risk(G, "org", candidates=["nobody"])
    with pytest.raises(InvalidParameter):
        key_person_risk(G, "org", top=0)
    with pytest.raises(InvalidParameter, match="paths"):
        key_person_risk(G, "org", paths="weighted", precomputed=betweenness(G))
