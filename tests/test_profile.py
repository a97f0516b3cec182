"""The network at a glance (:mod:`kg.analysis.profile`): every descriptive measure against
networkx, key players against an exhaustive search of every set, core-periphery against a
planted core and a correlation computed with numpy."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from kg.analysis.profile import (
    MEASURES,
    core_periphery,
    fragmentation,
    key_players,
    network_profile,
    profile_groups,
)
from kg.errors import InvalidParameter


def messy_graph() -> nx.Graph:
    """Karate club, a separate triangle with a tail, and two isolates."""
    G = nx.karate_club_graph()
    G.add_edges_from([(100, 101), (101, 102), (102, 100), (102, 103)])
    G.add_nodes_from([200, 201])
    return G


def directed_version(G: nx.Graph, seed: int = 0) -> nx.DiGraph:
    rng = np.random.default_rng(seed)
    D = nx.DiGraph()
    D.add_nodes_from(G)
    for u, v in G.edges():
        pick = rng.integers(3)
        D.add_edges_from([(u, v)] if pick == 0 else [(v, u)] if pick == 1 else [(u, v), (v, u)])
    return D


def test_measures_equal_networkx():
    G = messy_graph()
    D = directed_version(G)
    p = network_profile(G, D, key_player_count=2)
    assert set(MEASURES) <= set(p)
    assert (p["people"], p["ties"]) == (G.number_of_nodes(), G.number_of_edges())
    assert p["density"] == pytest.approx(nx.density(G))
    assert p["tie_density"] == pytest.approx(nx.density(D))
    assert p["reciprocity"] == pytest.approx(nx.reciprocity(D))
    assert p["transitivity"] == pytest.approx(nx.transitivity(G))
    largest = G.subgraph(max(nx.connected_components(G), key=len))
    assert p["average_path_length"] == pytest.approx(nx.average_shortest_path_length(largest))
    assert p["diameter"] == nx.diameter(largest)
    assert p["paths_exact"] is True
    assert p["components"] == nx.number_connected_components(G)
    assert p["largest_component"] == len(largest)
    assert p["isolates"] == nx.number_of_isolates(G)
    core = nx.core_number(G)
    assert p["max_core"] == max(core.values())
    for row in p["k_cores"]:
        assert row["shell"] == sum(1 for c in core.values() if c == row["k"])
        assert row["core"] == len(nx.k_core(G, row["k"]))
    degrees = [d for _, d in G.degree()]
    n = len(degrees)
    assert p["degree_centralisation"] == pytest.approx(
        sum(max(degrees) - d for d in degrees) / ((n - 1) * (n - 2)))
    assert p["mean_degree"] == pytest.approx(np.mean(degrees))


def test_centralisation_is_one_for_a_star_and_zero_for_a_clique():
    assert network_profile(nx.star_graph(6))["degree_centralisation"] == 1.0
    assert network_profile(nx.complete_graph(6))["degree_centralisation"] == 0.0


def test_sampled_paths_estimate_and_bound_the_exact_ones():
    G = nx.connected_watts_strogatz_graph(300, 6, 0.1, seed=2)
    exact = network_profile(G, key_player_count=0)
    sampled = network_profile(G, key_player_count=0, exact_max_nodes=100, samples=60, seed=1)
    assert sampled["paths_exact"] is False and sampled["paths_sources"] == 60
    assert sampled["diameter"] <= exact["diameter"] == nx.diameter(G)
    assert sampled["average_path_length"] == pytest.approx(exact["average_path_length"],
                                                           rel=0.05)


def brute_fragmentation(G: nx.Graph, removed) -> float:
    H = G.copy()
    H.remove_nodes_from(removed)
    n = H.number_of_nodes()
    return 1 - sum(len(c) * (len(c) - 1) for c in nx.connected_components(H)) / (n * (n - 1))


def test_two_stars_joined_lose_everything_without_their_hubs():
    G = nx.star_graph(5)  # hub 0, leaves 1-5
    G.add_edges_from([(10, x) for x in range(11, 15)] + [(0, 10)])
    r = key_players(G, 2)
    assert sorted(r["set"]) == [0, 10] and r["fragmentation"] == 1.0
    assert r["fragmentation_before"] == 0.0


def test_only_eligible_people_are_chosen_but_everyone_stays_in_the_network():
    G = nx.star_graph(5)
    G.add_edges_from([(10, x) for x in range(11, 15)] + [(0, 10)])
    r = key_players(G, 2, eligible=[v for v in G if v != 0])
    assert 0 not in r["set"] and 10 in r["set"]
    assert r["fragmentation"] == pytest.approx(brute_fragmentation(G, r["set"]))
    assert network_profile(G, key_player_count=1, eligible=[1, 2])["key_players"]["set"] == []


def lollipops() -> nx.Graph:
    """A 6-clique with a tail 0-20-21-...-25, and a second tail from 1: 1-30-31-32. 20 and 21
    each cut off nearly the same tail; 30 cuts off a different piece."""
    G = nx.complete_graph(6)
    nx.add_path(G, [0, 20, 21, 22, 23, 24, 25])
    nx.add_path(G, [1, 30, 31, 32])
    return G


@pytest.mark.parametrize("k", [1, 2, 3])
def test_key_players_are_the_exhaustive_best_and_beat_one_at_a_time(k):
    G = lollipops()
    r = key_players(G, k)
    best = max(brute_fragmentation(G, s) for s in itertools.combinations(G, k))
    assert r["fragmentation"] == pytest.approx(best)
    assert r["fragmentation"] == pytest.approx(brute_fragmentation(G, r["set"]))
    singles = {v: brute_fragmentation(G, [v]) for v in G}
    alone = sorted(G, key=lambda v: (-singles[v], v))[:k]
    assert r["one_at_a_time"]["set"] == alone
    assert r["one_at_a_time"]["fragmentation"] == pytest.approx(brute_fragmentation(G, alone))
    if k == 2:  # 0 and 20 cut off the same tail; the best pair cuts two different pieces
        assert r["one_at_a_time"]["fragmentation"] < r["fragmentation"]


def test_a_ring_is_cut_by_two_people_together_though_no_one_cuts_it_alone():
    r = key_players(nx.cycle_graph(12), 2)
    assert r["one_at_a_time"]["set"] == []
    assert r["fragmentation"] == pytest.approx(
        max(brute_fragmentation(nx.cycle_graph(12), s)
            for s in itertools.combinations(range(12), 2)))


def test_a_network_no_one_can_fragment_says_so():
    r = key_players(nx.complete_graph(8), 3)
    assert r["set"] == [] and r["fragmentation"] == 0.0 and "no set of 3" in r["note"]


def test_fragmentation_counts_pairs_that_cannot_reach_each_other():
    assert fragmentation([4], 4) == 0.0
    assert fragmentation([1, 1, 1], 3) == 1.0
    assert fragmentation([2, 2], 4) == pytest.approx(1 - 4 / 12)


def planted(core=8, periphery=30, noise=0, seed=0) -> nx.Graph:
    rng = np.random.default_rng(seed)
    G = nx.complete_graph(core)
    for p in range(core, core + periphery):
        G.add_edges_from((p, int(c)) for c in rng.choice(core, 2, replace=False))
    peri = list(range(core, core + periphery))
    for _ in range(noise):
        a, b = rng.choice(peri, 2, replace=False)
        G.add_edge(int(a), int(b))
    return G


def fit_by_numpy(G: nx.Graph, core: set) -> float:
    """Correlation of observed ties with the ideal pattern over core-core and
    periphery-periphery pairs, by numpy."""
    observed, ideal = [], []
    for u, v in itertools.combinations(G, 2):
        if (u in core) != (v in core):
            continue
        observed.append(1.0 if G.has_edge(u, v) else 0.0)
        ideal.append(1.0 if u in core else 0.0)
    return float(np.corrcoef(observed, ideal)[0, 1])


def test_a_planted_core_is_recovered_with_a_perfect_fit():
    r = core_periphery(planted())
    assert sorted(r["core"]) == list(range(8)) and r["correlation"] == pytest.approx(1.0)
    assert r["density_core"] == 1.0 and r["density_periphery"] == 0.0
    assert r["density_core_periphery"] == pytest.approx(60 / (8 * 30))


def test_a_noisy_core_is_still_found_and_its_fit_is_the_numpy_correlation():
    G = planted(noise=12, seed=3)
    r = core_periphery(G)
    assert sorted(r["core"]) == list(range(8))
    assert r["correlation"] == pytest.approx(fit_by_numpy(G, set(r["core"])))
    # No single move improves the fit (the local search's stopping rule), by numpy.
    for v in G:
        moved = set(r["core"]) ^ {v}
        if 1 < len(moved) < len(G) - 1:
            assert fit_by_numpy(G, moved) <= r["correlation"] + 1e-12


def test_core_periphery_ties_variant_scores_the_off_diagonal_as_tied():
    G = nx.star_graph(6)
    r = core_periphery(G, core_periphery_ties=True)
    assert r["core"] == [0] and r["correlation"] == pytest.approx(1.0)


def test_group_profiles_describe_each_group_s_own_ties():
    G = messy_graph()
    for v in G:
        G.nodes[v]["sector"] = "acute" if v in range(0, 17) else "community"
    D = directed_version(G, seed=1)
    rows = profile_groups(G, "sector", D)
    assert [r["group"] for r in rows] == ["community", "acute"]  # largest first
    for row in rows:
        members = [v for v in G if G.nodes[v]["sector"] == row["group"]]
        sub = G.subgraph(members)
        assert row["people"] == len(members) and row["ties"] == sub.number_of_edges()
        assert row["density"] == pytest.approx(nx.density(sub))
        assert row["transitivity"] == pytest.approx(nx.transitivity(sub))
        assert row["reciprocity"] == pytest.approx(nx.reciprocity(D.subgraph(members)))
        assert row["components"] == nx.number_connected_components(sub)
        assert "key_players" not in row


def test_bad_arguments_are_refused():
    with pytest.raises(InvalidParameter):
        network_profile("graph")
    with pytest.raises(InvalidParameter):
        network_profile(nx.path_graph(3), key_player_count=-1)
    with pytest.raises(InvalidParameter):
        network_profile(nx.path_graph(3), samples=0)
    with pytest.raises(InvalidParameter):
        key_players(nx.path_graph(3), 0)
    with pytest.raises(InvalidParameter):
        core_periphery(nx.path_graph(3), max_moves=-1)
    with pytest.raises(InvalidParameter):
        profile_groups(nx.path_graph(3), "sector")  # no one has a sector


# -- the service, the command line and the API on the small demo ------------------------------


def test_service_profiles_the_period_each_group_and_each_phase(demo):
    from kg.queries import analyses, decisions

    store = demo.store
    r = decisions.profile(store, by="sector", per_phase=True, key_players=3)
    assert r["parameters"]["period"] == analyses.current_period(store).as_dict()
    G, D = analyses.person_graph(store), analyses.tie_graph(store)
    p = r["profile"]
    assert p["density"] == pytest.approx(nx.density(G))
    assert p["reciprocity"] == pytest.approx(nx.reciprocity(D))
    assert p["transitivity"] == pytest.approx(nx.transitivity(G))
    assert p["max_core"] == max(nx.core_number(G).values())
    assert p["average_path_length"] == pytest.approx(nx.average_shortest_path_length(
        G.subgraph(max(nx.connected_components(G), key=len))))
    for person in p["core_periphery"]["core"] + p["key_players"]["set"]:
        assert G.nodes[person["id"]]["in_post"] is True
    acute = next(g for g in r["groups"] if g["group"] == "acute")
    members = [v for v, s in G.nodes(data="sector") if s == "acute"]
    assert acute["density"] == pytest.approx(nx.density(G.subgraph(members)))
    assert [ph["phase"] for ph in r["phases"]] == ["PH1", "PH2", "PH3", "PH4"]
    for ph in r["phases"]:
        Gp = analyses.person_graph(store, phase=ph["phase"])
        assert ph["profile"]["ties"] == Gp.number_of_edges()
        assert ph["period"]["phase"] == ph["phase"]
    first = r["changes"][0]
    assert (first["from"], first["to"]) == ("PH1", "PH2")
    ties = next(m for m in first["measures"] if m["measure"] == "ties")
    assert ties["change"] == r["phases"][1]["profile"]["ties"] - r["phases"][0]["profile"]["ties"]
    assert {g["group"] for g in first["groups"]} <= {g["group"] for g in r["groups"]}


def test_command_line_and_api_give_the_same_answer(demo):
    out = demo.cli_json("analyse", "profile", "--by", "sector", "--key-players", "2")
    per_phase = demo.cli("analyse", "profile", "--per-phase", "--format", "csv")
    assert per_phase.exit_code == 0, per_phase.output
    assert per_phase.stdout.splitlines()[0] == "measure,PH1,PH2,PH3,PH4"
    client = demo.api()
    got = client.get("/analysis/profile?by=sector&key_players=2")
    assert got.status_code == 200, got.text
    assert got.json() == out
    for url in ("/analysis/profile?by=nope", "/analysis/profile?key_players=-1",
                "/analysis/profile?window=garbage"):
        assert client.get(url).status_code == 422, url
