"""The brokers answer takes both rankings from one set of searches and files the overall one
for the other answers: checked against networkx (exact) and against the estimators called on
their own (sampled), on the small demo partnership."""

from __future__ import annotations

import networkx as nx
import pytest
from forking import fails_in_child

from kg.analysis import betweenness as bt
from kg.ingest import ingest_path
from kg.queries import analyses as A
from kg.queries import networks
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

    monkeypatch.setattr(networks, "betweenness", fail)
    hybrids = A.hybrids(demo)
    G = A.person_graph(demo)
    expected = nx.betweenness_centrality(G)
    for row in hybrids["hybrids"]:
        assert row["score"] == pytest.approx(expected[row["id"]], abs=1e-12)


def test_sampled_overall_ranking_is_the_one_betweenness_draws(demo, monkeypatch):
    """Above the exact limit, the shared searches give the overall estimate exactly as
    :func:`kg.analysis.betweenness.betweenness` gives it from the same seed."""
    clear_cache()
    monkeypatch.setattr(networks, "exact_max_nodes", lambda: 50)
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


def test_analyse_all_computes_the_rankings_beside_the_other_answers(demo, monkeypatch):
    """The rankings analyse_all starts in forked processes equal networkx and brute force."""
    clear_cache()
    started = []
    real = networks.start_broker_betweenness
    monkeypatch.setattr(networks, "start_broker_betweenness",
                        lambda *a, **k: started.append(1) or real(*a, **k))
    from kg.analysis import brokers as brokers_module

    def again(*args, **kwargs):
        raise AssertionError("the between-groups ranking computed a second time")

    monkeypatch.setattr(brokers_module, "between_groups_betweenness", again)
    everything = A.analyse_all(demo, by="sector", between=BETWEEN)
    assert started == [1]
    G = A.person_graph(demo)
    expected = nx.betweenness_centrality(G)
    through = _pairs_through(G, *([v for v, s in G.nodes(data="sector") if s == group]
                                  for group in BETWEEN))
    rows = everything["brokers"]["brokers"]
    assert rows and everything["brokers"]["between_groups"]["exact"]
    for row in rows:
        assert row["betweenness"] == pytest.approx(expected[row["id"]], abs=1e-12)
        assert row["score"] == pytest.approx(through[row["id"]], abs=1e-12)
    assert everything["brokers"] is A.brokers(demo, by="sector", between=BETWEEN)


def _grouped(n=300, seed=5):
    G = nx.connected_watts_strogatz_graph(n, 6, 0.2, seed=seed)
    nx.set_node_attributes(G, {v: ("a", "b", "c")[v % 3] for v in G}, "side")
    return G


def test_rankings_started_in_the_background_equal_the_direct_call(monkeypatch):
    G = _grouped()
    exact = nx.betweenness_centrality(G)
    overall, between = bt.start_broker_betweenness(G, "side", "a", "b").result()
    direct = bt.broker_betweenness(G, "side", "a", "b")
    assert overall.exact and max(abs(overall.values[v] - exact[v]) for v in G) < 1e-12
    assert between.values == pytest.approx(direct[1].values, abs=1e-15)
    # Sampled, from the shared pivots: the same seeded estimate as the direct call.
    options = dict(exact_max_nodes=100, exact_max_sources=20, samples=120, seed=4)
    overall, between = bt.start_broker_betweenness(G, "side", "a", "b", **options).result()
    direct = bt.broker_betweenness(G, "side", "a", "b", **options)
    assert not between.exact and between.sample_size == direct[1].sample_size
    assert between.values == pytest.approx(direct[1].values, abs=1e-15)
    assert between.standard_errors == pytest.approx(direct[1].standard_errors, abs=1e-15)
    assert overall.values == pytest.approx(direct[0].values, abs=1e-15)
    # A child that fails: the pair is computed on .result() instead.
    monkeypatch.setattr(bt, "broker_betweenness", fails_in_child(bt.broker_betweenness))
    again, _ = bt.start_broker_betweenness(G, "side", "a", "b").result()
    assert max(abs(again.values[v] - exact[v]) for v in G) < 1e-12
