"""The brokers answer takes both rankings from one set of searches and files the overall one
for the other answers: checked against networkx (exact) and against the estimators called on
their own (sampled), on the small demo partnership."""

from __future__ import annotations

import networkx as nx
import pytest

from kg.analysis import betweenness as bt
from kg.ingest import ingest_path
from kg.queries import analyses as A
from kg.queries.snapshot import clear_cache, is_cached
from kg.store.sqlite import SQLiteStore

BETWEEN = ("acute", "community")


@pytest.fixture(scope="module")
def demo(small_bundle, tmp_path_factory):
    store = SQLiteStore(tmp_path_factory.mktemp("rankings") / "kg.sqlite")
    ingest_path(store, small_bundle)
    yield store
    store.close()


def _pairs_through(G, a, b) -> dict:
    """Between-groups betweenness by brute force: for each ordered pair (s in a, t in b) the
    share of s-t shortest paths through each inner node, normalised as networkx normalises."""
    n = G.number_of_nodes()
    out = dict.fromkeys(G, 0.0)
    for s in a:
        for t in b:
            if s == t or not nx.has_path(G, s, t):
                continue
            paths = list(nx.all_shortest_paths(G, s, t))
            for p in paths:
                for v in p[1:-1]:
                    out[v] += 1.0 / len(paths)
    return {v: x / ((n - 1) * (n - 2)) for v, x in out.items()}


def test_exact_rankings_equal_networkx_and_brute_force(demo):
    clear_cache()
    result = A.brokers(demo, by="sector", between=BETWEEN, top=None)
    G = A.person_graph(demo)
    expected = nx.betweenness_centrality(G)
    a = [v for v, s in G.nodes(data="sector") if s == BETWEEN[0]]
    b = [v for v, s in G.nodes(data="sector") if s == BETWEEN[1]]
    through = _pairs_through(G, a, b)
    for row in result["brokers"]:
        assert row["betweenness"] == pytest.approx(expected[row["id"]], abs=1e-12)
        assert row["score"] == pytest.approx(through[row["id"]], abs=1e-12)
    assert result["betweenness"]["exact"] and result["between_groups"]["exact"]


def test_the_overall_ranking_is_filed_for_the_other_answers(demo, monkeypatch):
    clear_cache()
    A.brokers(demo, by="sector", between=BETWEEN)
    key = (0, "hops") + A.net_key()
    assert is_cached(demo, "betweenness", key, revision=demo.revision())

    def fail(*args, **kwargs):
        raise AssertionError("betweenness computed a second time")

    monkeypatch.setattr(A, "betweenness", fail)
    hybrids = A.hybrids(demo)
    G = A.person_graph(demo)
    expected = nx.betweenness_centrality(G)
    for row in hybrids["hybrids"]:
        assert row["score"] == pytest.approx(expected[row["id"]], abs=1e-12)


def test_sampled_overall_ranking_is_the_one_betweenness_draws(demo, monkeypatch):
    """Above the exact limit, the shared searches give the overall estimate exactly as
    :func:`kg.analysis.betweenness.betweenness` gives it from the same seed."""
    clear_cache()
    monkeypatch.setattr(A, "exact_max_nodes", lambda: 50)
    monkeypatch.setattr(bt, "DEFAULT_SAMPLES", 40)  # fewer pivots than people: estimated
    G = A.person_graph(demo)
    result = A.brokers(demo, by="sector", between=BETWEEN, top=None, seed=3)
    alone = bt.betweenness(G, seed=3, exact_max_nodes=50)
    assert not result["betweenness"]["exact"]
    for row in result["brokers"]:
        assert row["betweenness"] == pytest.approx(alone.values[row["id"]], abs=1e-12)
    # Groups this small are searched from every member of the smaller one.
    assert result["between_groups"]["exact"]
    clear_cache()
