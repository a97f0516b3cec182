"""Community detection checked against networkx, leidenalg, published values and threads.

Modularity is always recomputed with ``networkx.community.modularity``; connectivity with
``networkx.is_connected``; the karate club's best modularity, 0.4198 (4 communities), was proved
optimal by Brandes et al. (2008, IEEE TKDE 20(2)).
"""

from __future__ import annotations

import random
import threading
import time

import igraph as ig
import leidenalg
import networkx as nx
import numpy as np
import pytest

from kg.analysis._igraph_rng import seeded_igraph
from kg.analysis.communities import (
    METHODS,
    detect_communities,
    modularity,
    profile_communities,
)
from kg.analysis.silos import partition_agreement
from kg.errors import InvalidParameter
from kg.maps._layout import layout_positions
from tests._lazega import read_lazega

KARATE_OPTIMUM = 0.41979  # Brandes et al. 2008: 0.419790...
KEYS = {"communities", "modularity", "quality", "method", "resolution", "seed", "restarts",
        "restarts_note", "best_restart", "modularity_spread", "split_disconnected"}


def karate(weighted: bool) -> nx.Graph:
    G = nx.karate_club_graph()
    return G if weighted else nx.Graph(G.edges())


def random_weighted(n: int, seed: int) -> nx.Graph:
    """Sparse random graph with exponential tie strengths: plain Louvain sometimes leaves one
    of its communities disconnected on these."""
    G = nx.gnm_random_graph(n, 2 * n, seed=seed)
    strengths = np.random.default_rng(seed).exponential(size=G.number_of_edges())
    for (u, v), w in zip(G.edges, strengths, strict=True):
        G[u][v]["weight"] = float(w)
    return G


def as_groups(nodes, membership) -> list[set]:
    groups: dict = {}
    for v, c in zip(nodes, membership, strict=True):
        groups.setdefault(c, set()).add(v)
    return list(groups.values())


# --- modularity is networkx's ------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("weighted", [True, False])
def test_modularity_equals_networkx_and_communities_are_connected(method, weighted):
    G = karate(weighted)
    w = "weight" if weighted else None
    found = detect_communities(G, method=method, seed=3, weight=w)
    assert set(found) == KEYS
    assert found["modularity"] == pytest.approx(
        nx.community.modularity(G, found["communities"], weight=w), abs=1e-12)
    assert found["quality"] == found["modularity"]  # resolution 1
    assert sorted(v for c in found["communities"] for v in c) == sorted(G)
    assert all(nx.is_connected(G.subgraph(c)) for c in found["communities"])
    sizes = [len(c) for c in found["communities"]]
    assert sizes == sorted(sizes, reverse=True)


def test_modularity_counts_self_loops_as_networkx_does():
    G = nx.karate_club_graph()
    G.add_edge(0, 0, weight=3.0)
    G.add_edge(33, 33, weight=1.0)
    parts = [set(range(17)), set(range(17, 34))]
    for res in (0.5, 1.0, 2.0):
        assert modularity(G, parts, resolution=res) == pytest.approx(
            nx.community.modularity(G, parts, resolution=res))
    found = detect_communities(G, seed=0)
    assert found["modularity"] == pytest.approx(
        nx.community.modularity(G, found["communities"]))


# --- Louvain restarts reach the optimum ---------------------------------------------------

@pytest.mark.parametrize("seed", range(10))
def test_karate_best_of_restarts_reaches_the_published_optimum(seed):
    G = karate(weighted=False)
    found = detect_communities(G, seed=seed, weight=None)
    independent = nx.community.modularity(G, found["communities"], weight=None)
    assert KARATE_OPTIMUM - 0.001 <= independent <= KARATE_OPTIMUM + 1e-5
    assert found["restarts"] == 10
    spread = found["modularity_spread"]
    assert spread["min"] <= spread["median"] <= spread["max"] == found["modularity"]


def test_weighted_karate_reaches_leidens_best():
    # Tie strengths as imported ("weight", Zachary's interaction counts): no published
    # optimum, so compare with the best leidenalg finds on its own over many seeds.
    G = karate(weighted=True)
    g = ig.Graph(n=34, edges=list(G.edges()))
    g.es["weight"] = [d["weight"] for _, _, d in G.edges(data=True)]
    leiden_best = max(
        nx.community.modularity(G, as_groups(range(34), leidenalg.find_partition(
            g, leidenalg.ModularityVertexPartition, weights="weight", seed=s).membership))
        for s in range(30)
    )
    assert leiden_best > KARATE_OPTIMUM  # the weighted optimum differs from the unweighted one
    for seed in range(10):
        found = detect_communities(G, seed=seed)
        got = nx.community.modularity(G, found["communities"])
        assert got >= leiden_best - 0.001
        assert got <= leiden_best + 1e-9


def test_restarts_are_reproducible_and_more_never_hurts():
    G = random_weighted(300, 4)
    one = detect_communities(G, seed=5, restarts=1)
    assert one["restarts"] == 1 and one["best_restart"] == 0
    assert one["modularity_spread"] == dict.fromkeys(("min", "median", "max"),
                                                     one["modularity"])
    previous = one["modularity"]
    for r in (2, 5, 10):
        found = detect_communities(G, seed=5, restarts=r)
        assert found == detect_communities(G, seed=5, restarts=r)
        # the first runs of a longer search are the runs of a shorter one
        assert found["modularity"] >= previous
        previous = found["modularity"]
    assert detect_communities(G, seed=5)["restarts"] == 10
    assert "10" in detect_communities(G, seed=5)["restarts_note"]


def test_large_networks_get_fewer_restarts(monkeypatch):
    import kg.analysis.communities as module

    monkeypatch.setattr(module, "LARGE_NETWORK_TIES", 50)
    found = detect_communities(karate(weighted=False), weight=None)
    assert found["restarts"] == module.LARGE_NETWORK_RESTARTS < module.RESTARTS
    assert "fewer" in found["restarts_note"]
    assert detect_communities(karate(weighted=False), weight=None, restarts=7)["restarts"] == 7


# --- resolution ---------------------------------------------------------------------------

def test_resolution_reports_standard_modularity_and_quality_apart():
    G = karate(weighted=False)
    coarse = detect_communities(G, seed=1, weight=None, resolution=0.5)
    parts = coarse["communities"]
    assert coarse["resolution"] == 0.5
    assert coarse["modularity"] == pytest.approx(
        nx.community.modularity(G, parts, weight=None, resolution=1))
    assert coarse["modularity"] <= KARATE_OPTIMUM + 1e-5
    assert coarse["quality"] == pytest.approx(
        nx.community.modularity(G, parts, weight=None, resolution=0.5))
    assert coarse["quality"] > KARATE_OPTIMUM  # not a modularity: above its maximum
    spread = coarse["modularity_spread"]
    assert spread["min"] <= coarse["modularity"] <= spread["max"] <= KARATE_OPTIMUM + 1e-5


def test_resolution_and_seed():
    G = nx.karate_club_graph()
    a = detect_communities(G, seed=1)
    assert detect_communities(G, seed=1)["communities"] == a["communities"]
    fine = detect_communities(G, seed=1, resolution=2.0)
    assert len(fine["communities"]) > len(a["communities"])
    assert fine["modularity"] == pytest.approx(
        nx.community.modularity(G, fine["communities"]))
    assert modularity(G, fine["communities"], resolution=2.0) == pytest.approx(
        nx.community.modularity(G, fine["communities"], resolution=2.0))


# --- connected communities ----------------------------------------------------------------

def test_disconnected_louvain_communities_are_split():
    # Find graphs on which one plain igraph Louvain run (seeded as detect_communities seeds its
    # first run) leaves a community disconnected, judged by networkx.
    cases = []
    for graph_seed in range(3):
        G = random_weighted(200, graph_seed)
        g = ig.Graph(n=len(G), edges=list(G.edges()))
        g.es["weight"] = [d["weight"] for _, _, d in G.edges(data=True)]
        for seed in range(10):
            with seeded_igraph(seed):
                raw = as_groups(range(len(G)), g.community_multilevel(weights="weight").membership)
            if not all(nx.is_connected(G.subgraph(c)) for c in raw):
                cases.append((G, seed, raw))
    assert cases, "no disconnected Louvain community to test the split on"
    for G, seed, raw in cases:
        found = detect_communities(G, seed=seed, restarts=1)
        assert found["split_disconnected"] >= 1
        assert all(nx.is_connected(G.subgraph(c)) for c in found["communities"])
        assert found["modularity"] == pytest.approx(
            nx.community.modularity(G, found["communities"]))
        # splitting raises modularity: the split partition beats the raw one
        assert found["modularity"] > nx.community.modularity(G, raw)


@pytest.mark.parametrize("method", METHODS)
def test_communities_are_connected_over_many_seeds(method):
    graphs = [random_weighted(120, 1), nx.relaxed_caveman_graph(12, 6, 0.3, seed=2),
              nx.Graph(nx.karate_club_graph().edges())]
    for G in graphs:
        for seed in range(6):
            found = detect_communities(G, method=method, seed=seed, restarts=2)
            assert sorted(v for c in found["communities"] for v in c) == sorted(G)
            assert all(nx.is_connected(G.subgraph(c)) for c in found["communities"])


def test_isolated_people_and_empty_networks():
    G = nx.Graph([(1, 2), (2, 3), (1, 3)])
    G.add_nodes_from([4, 5])
    found = detect_communities(G)
    assert sorted(map(sorted, found["communities"])) == [[1, 2, 3], [4], [5]]
    assert found["modularity"] == pytest.approx(
        nx.community.modularity(G, found["communities"]))
    empty = detect_communities(nx.Graph())
    assert set(empty) == KEYS
    assert empty["communities"] == [] and empty["modularity"] == 0.0
    edgeless = detect_communities(nx.empty_graph(3))
    assert edgeless["modularity"] == 0.0 and len(edgeless["communities"]) == 3


# --- igraph's random generator: one lock, private state -----------------------------------

@pytest.fixture
def yielding_igraph(monkeypatch):
    """Make igraph's seeded calls give up the GIL first, as a busy server would, so that
    without the lock another thread could swap igraph's generator in between."""
    for name in ("community_multilevel", "layout_fruchterman_reingold"):
        original = getattr(ig.Graph, name)

        def pausing(self, *args, _original=original, **kwargs):
            time.sleep(0.0005)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(ig.Graph, name, pausing)


def _in_threads(jobs: dict, rounds: int) -> dict:
    """Run each job ``rounds`` times in its own thread, all at once; collect the answers."""
    answers = {name: [] for name in jobs}
    errors = []
    start = threading.Barrier(len(jobs))

    def work(name):
        try:
            start.wait()
            for _ in range(rounds):
                answers[name].append(jobs[name]())
        except Exception as error:  # reported in the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(name,)) for name in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return answers


def test_concurrent_seeded_runs_give_their_single_threaded_answers(yielding_igraph):
    G = random_weighted(150, 0)
    nodes = list(range(40))
    edges = [(i, (i * 7 + 3) % 40, 1.0) for i in range(40)] + [(i, i + 1, 2.0) for i in range(39)]
    jobs = {
        "seed 1": lambda: detect_communities(G, seed=1, restarts=3)["communities"],
        "seed 2": lambda: detect_communities(G, seed=2, restarts=3)["communities"],
        "layout": lambda: layout_positions(nodes, edges, seed=3).tolist(),
    }
    alone = {name: job() for name, job in jobs.items()}
    assert alone["seed 1"] != alone["seed 2"]  # else a mix-up could not show
    answers = _in_threads(jobs, rounds=10)
    for name, got in answers.items():
        assert all(a == alone[name] for a in got), name


def test_global_random_is_neither_used_nor_rewound(yielding_igraph):
    G = random_weighted(150, 7)
    random.seed(2024)
    state = random.getstate()
    detect_communities(G, seed=1)
    assert random.getstate() == state

    # Another thread drawing from `random` while communities are detected sees an undisturbed
    # sequence (seeding igraph by saving and restoring random's state would rewind it).
    random.seed(99)
    expected = [random.random() for _ in range(200_000)]
    random.seed(99)
    done = threading.Event()
    drawn = []

    def draw():
        while not done.is_set() and len(drawn) < len(expected):
            drawn.append(random.random())
            if len(drawn) % 100 == 0:
                time.sleep(0)

    thread = threading.Thread(target=draw)
    thread.start()
    try:
        for seed in range(5):
            detect_communities(G, seed=seed, restarts=2)
    finally:
        done.set()
        thread.join()
    assert drawn == expected[:len(drawn)]


def test_seeded_igraph_restores_the_previous_generator():
    def draw():
        return ig.Graph.Erdos_Renyi(n=30, m=40).get_edgelist()

    with seeded_igraph(5):
        outer_first = draw()
        with seeded_igraph(6):  # reentrant in one thread
            inner = draw()
        outer_second = draw()
    with seeded_igraph(5):
        assert draw() == outer_first
        assert draw() == outer_second  # the inner block did not consume the outer generator
    with seeded_igraph(6):
        assert draw() == inner
    with pytest.raises(RuntimeError), seeded_igraph(5):
        raise RuntimeError
    # back on igraph's default: the global `random` module
    random.seed(11)
    a = draw()
    random.seed(11)
    assert draw() == a
    with pytest.raises(InvalidParameter):
        with seeded_igraph("x"):
            pass
    with seeded_igraph(np.int64(5)):
        assert draw() == outer_first


# --- argument checks ----------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [
    {"resolution": 0}, {"resolution": -1.0}, {"resolution": float("nan")},
    {"resolution": float("inf")}, {"resolution": True}, {"method": "girvan"},
    {"seed": 1.5}, {"seed": "1"}, {"seed": True}, {"restarts": 0}, {"restarts": -2},
    {"restarts": 2.0}, {"restarts": True},
])
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(InvalidParameter):
        detect_communities(nx.karate_club_graph(), **kwargs)


def test_bad_graphs_are_refused():
    with pytest.raises(InvalidParameter):
        detect_communities(nx.DiGraph([(1, 2)]))
    with pytest.raises(InvalidParameter):
        detect_communities(nx.Graph([(1, 2, {"weight": -1.0})]))
    with pytest.raises(InvalidParameter):
        detect_communities(nx.Graph([(1, 2, {"weight": float("nan")})]))
    with pytest.raises(InvalidParameter):
        modularity(nx.path_graph(3), [{0, 1}, {1, 2}])  # 1 twice


# --- moved from test_communities_silos.py -------------------------------------------------

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
