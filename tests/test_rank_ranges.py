"""Which places of a ranking are certain: rank ranges against their definition counted pair by
pair, and against the exact ranks networkx gives when the scores are sampled."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from kg.analysis.betweenness import BetweennessResult, betweenness
from kg.analysis.brokers import RANK_Z, rank_brokers, rank_ranges
from kg.errors import InvalidParameter


def _by_pairs(values: dict, errors: dict, z: float) -> dict:
    out = {}
    for v in values:
        lo_v, hi_v = values[v] - z * errors[v], values[v] + z * errors[v]
        above = sum(1 for u in values if values[u] - z * errors[u] > hi_v)
        reach = sum(1 for u in values if values[u] + z * errors[u] >= lo_v)
        out[v] = (1 + above, reach)
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ranges_equal_the_definition_pair_by_pair(seed):
    rng = np.random.default_rng(seed)
    values = {f"p{i}": float(x) for i, x in enumerate(np.round(rng.random(120), 2))}
    errors = {v: float(e) for v, e in zip(values, rng.random(120) * 0.03, strict=True)}
    result = BetweennessResult(values, False, 50, max(errors.values()), errors)
    assert rank_ranges(result) == _by_pairs(values, errors, RANK_Z)
    among = list(values)[::3]
    assert rank_ranges(result, among) == _by_pairs({v: values[v] for v in among}, errors,
                                                   RANK_Z)


def test_exact_scores_have_certain_ranks_but_ties_share_theirs():
    result = BetweennessResult({"a": 0.5, "b": 0.2, "c": 0.2, "d": 0.0}, True, None, None)
    assert rank_ranges(result) == {"a": (1, 1), "b": (2, 3), "c": (2, 3), "d": (4, 4)}
    with pytest.raises(InvalidParameter):
        rank_ranges(result, z=-1)


def test_sampled_ranges_hold_the_exact_ranks():
    """With 95 % intervals per score, nearly every exact rank lies in its sampled range."""
    G = nx.connected_watts_strogatz_graph(700, 6, 0.1, seed=3)
    exact = nx.betweenness_centrality(G)
    exact_rank = {v: i + 1 for i, v in enumerate(sorted(G, key=lambda v: (-exact[v], v)))}
    held = total = 0
    for seed in range(3):
        sampled = betweenness(G, exact_max_nodes=100, samples=150, seed=seed)
        ranges = rank_ranges(sampled)
        top = sorted(G, key=lambda v: -sampled.values[v])[:100]
        held += sum(ranges[v][0] <= exact_rank[v] <= ranges[v][1] for v in top)
        total += len(top)
        assert any(lo < hi for lo, hi in ranges.values())  # a sample leaves some ranks open
    assert held / total >= 0.9


def test_broker_rows_carry_rank_range_and_error_among_the_eligible():
    G = nx.karate_club_graph()
    eligible = [v for v in G if v % 2 == 0]
    exact = rank_brokers(G, eligible=eligible)
    rows = exact["brokers"]
    assert [r["id"] for r in rows] == sorted(
        eligible, key=lambda v: (-nx.betweenness_centrality(G)[v], str(v)))
    assert [r["rank"] for r in rows] == list(range(1, len(eligible) + 1))
    assert all(r["error"] is None for r in rows)
    # Exact: a rank is certain unless its score is exactly tied (the leaves score 0).
    assert rows[0]["rank_range"] == [1, 1]
    # 500 pivots of 700 people: estimated.
    sampled = rank_brokers(nx.connected_watts_strogatz_graph(700, 6, 0.1, seed=3),
                           exact_max_nodes=100, seed=1, top=50)
    assert not sampled["betweenness"]["exact"]
    for r in sampled["brokers"]:
        assert r["rank_range"][0] <= r["rank"] <= r["rank_range"][1]
    assert any(r["error"] for r in sampled["brokers"])


def test_the_report_says_which_places_are_certain():
    from kg.report.findings.bridges import _certainty

    rows = [{"rank": 1, "rank_range": [1, 1]}, {"rank": 2, "rank_range": [2, 2]},
            {"rank": 3, "rank_range": [3, 5]}, {"rank": 4, "rank_range": [3, 6]}]
    text = _certainty({"brokers": rows, "between_groups": {"exact": False, "sample_size": 500}})
    assert "500 people's shortest paths" in text
    assert "The first 2 places are certain" in text and "3 (3\u20135)" in text
    assert _certainty({"brokers": rows, "between_groups": {"exact": True}}) == ""
