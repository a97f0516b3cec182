"""Whom to introduce (:mod:`kg.analysis.introductions`): every gain is checked by adding the tie
to a copy of the graph and re-measuring the cross-group efficiency with networkx shortest paths,
and the best introduction against a brute-force search over every eligible pair."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import numpy as np
import pytest
from bundle_reading import in_post

from kg.analysis.introductions import suggest_introductions
from kg.errors import InvalidParameter


def cross(G, side_a, side_b) -> dict:
    """Cross-group distances by networkx BFS: {(a, b): hops or None}."""
    out = {}
    for a in side_a:
        dist = nx.single_source_shortest_path_length(G, a)
        for b in side_b:
            out[(a, b)] = dist.get(b)
    return out


def efficiency(distances: dict) -> float:
    return sum(1 / d for d in distances.values() if d) / len(distances)


def brute_gain(G, side_a, side_b, u, v, *, counts=True) -> tuple:
    """Gain, pairs shortened, newly connected and given another route, by adding u-v."""
    before = cross(G, side_a, side_b)
    H = G.copy()
    H.add_edge(u, v)
    after = cross(H, side_a, side_b)
    if not counts:
        return (efficiency(after) - efficiency(before),)
    shortened = sum(1 for p in before if after[p] is not None
                    and (before[p] is None or after[p] < before[p]))
    connected = sum(1 for p in before if before[p] is None and after[p] is not None)
    routes = sum(1 for p in before if before[p] is not None and after[p] == before[p]
                 and nx.shortest_path_length(H, *p) == before[p]
                 and _uses(H, p, u, v, before[p]))
    return efficiency(after) - efficiency(before), shortened, connected, routes


def _uses(H, pair, u, v, length) -> bool:
    """Some shortest path of ``pair`` runs over the tie u-v."""
    a, b = pair
    du, dv = (nx.single_source_shortest_path_length(H, x) for x in (a, b))
    return du.get(u, -9) + 1 + dv.get(v, -9) == length or du.get(v, -9) + 1 + dv.get(u, -9) \
        == length


def sides(G, attribute, a, b=None):
    side_a = [v for v, g in G.nodes(data=attribute) if g == a]
    side_b = [v for v, g in G.nodes(data=attribute) if (g == b if b is not None else g != a)]
    return side_a, side_b


def two_clusters(seed=3, n=14, p_in=0.35, bridges=2) -> nx.Graph:
    """Two random clusters (acute, community) with a few bridges and some unsorted people."""
    rng = random.Random(seed)
    G = nx.Graph()
    for side, offset in (("acute", 0), ("community", n)):
        members = list(range(offset, offset + n))
        G.add_nodes_from(members, sector=side)
        G.add_edges_from((u, v) for u, v in itertools.combinations(members, 2)
                         if rng.random() < p_in)
    for _ in range(bridges):
        G.add_edge(rng.randrange(n), n + rng.randrange(n))
    G.add_node(99, sector="social_care")
    G.add_edges_from([(99, 1), (99, n + 1)])
    for v in G:
        G.nodes[v]["name"] = f"Person {v}"
    return G


def test_barbell_gain_by_hand():
    """Two 5-cliques (0-4 acute, 5-9 community) joined by 4-5; the bridge ends are overloaded
    at the 50th percentile of degree. Every eligible pair is alike: 0-6 takes one cross pair
    from 3 hops to 1 and six from 3 to 2: gain (2/3 + 6/6) / 25 = 1/15. It gives 11 pairs
    another shortest route: 1-3 with 7-9 (3 hops either way), 0-5 and 4-6 (2 hops)."""
    G = nx.barbell_graph(5, 0)
    nx.set_node_attributes(G, {v: "acute" if v < 5 else "community" for v in G}, "sector")
    r = suggest_introductions(G, "sector", between=("acute", "community"), top=16,
                              overload_percentile=50, max_per_person=4)
    assert r["overload"]["threshold"] == 4.0 and r["overload"]["people"] == 2
    assert r["before"]["efficiency"] == pytest.approx((16 / 3 + 8 / 2 + 1) / 25)
    rows = r["introductions"]
    assert len(rows) == 16  # every pair of non-bridge members, none of them 4 or 5
    for row in rows:
        assert {row["id_a"], row["id_b"]} & {4, 5} == set()
        assert row["gain"] == pytest.approx(1 / 15, abs=1e-12)
        assert (row["pairs_shortened"], row["pairs_connected"], row["pairs_new_route"]) == \
            (7, 0, 11)
        assert row["distance"] == 3
        assert row["route"] == "along a chain of 2 contacts"
        assert [p["id"] for p in row["via"]["chain"]] == [4, 5]
        assert row["group_a"] == "acute" and row["group_b"] == "community"


def test_gains_equal_networkx_and_the_best_pair_is_the_brute_force_best():
    G = two_clusters()
    side_a, side_b = sides(G, "sector", "acute", "community")
    r = suggest_introductions(G, "sector", between=("acute", "community"), top=8,
                              overload_percentile=None, max_per_person=8, seed=1)
    rows = r["introductions"]
    assert len(rows) == 8
    assert r["exact"] is True
    assert r["before"]["efficiency"] == pytest.approx(efficiency(cross(G, side_a, side_b)))
    for row in rows:
        gain, shortened, connected, routes = brute_gain(G, side_a, side_b, row["id_a"],
                                                        row["id_b"])
        assert row["gain"] == pytest.approx(gain, abs=1e-12)
        assert (row["pairs_shortened"], row["pairs_connected"], row["pairs_new_route"]) == \
            (shortened, connected, routes)
        assert not G.has_edge(row["id_a"], row["id_b"])
        assert row["distance"] == nx.shortest_path_length(G, row["id_a"], row["id_b"])
    # Brute force over every untied cross pair: nothing beats the first row.
    best = max(brute_gain(G, side_a, side_b, a, b, counts=False)[0] for a in side_a for b in side_b
               if not G.has_edge(a, b))
    assert rows[0]["gain"] == pytest.approx(best, abs=1e-12)
    gains = [row["gain"] for row in rows]
    assert gains == sorted(gains, reverse=True)
    # Making all eight: efficiency by networkx with every tie added.
    H = G.copy()
    H.add_edges_from((row["id_a"], row["id_b"]) for row in rows)
    assert r["combined"]["efficiency_after"] == pytest.approx(
        efficiency(cross(H, side_a, side_b)), abs=1e-12)


def test_a_disconnected_partnership_counts_newly_connected_pairs():
    G = nx.Graph()
    G.add_edges_from([(0, 1), (1, 2), (10, 11), (11, 12), (2, 20), (20, 21)])
    groups = {0: "acute", 1: "acute", 2: "acute", 20: "acute", 21: "community",
              10: "community", 11: "community", 12: "community"}
    nx.set_node_attributes(G, groups, "sector")
    side_a, side_b = sides(G, "sector", "acute", "community")
    r = suggest_introductions(G, "sector", between=("acute", "community"), top=3,
                              overload_percentile=None)
    assert r["before"]["connected_share"] == pytest.approx(4 / 16)
    top = r["introductions"][0]
    gain, shortened, connected, _ = brute_gain(G, side_a, side_b, top["id_a"], top["id_b"])
    assert top["pairs_connected"] == connected > 0
    assert top["gain"] == pytest.approx(gain, abs=1e-12)
    assert top["distance"] is None and top["route"] == "directly (no path between them)"
    best = max(brute_gain(G, side_a, side_b, a, b, counts=False)[0] for a in side_a for b in side_b
               if not G.has_edge(a, b))
    assert top["gain"] == pytest.approx(best, abs=1e-12)


def test_within_a_silo_the_other_side_is_everyone_else():
    G = two_clusters(seed=5)
    side_a, side_b = sides(G, "sector", "community")
    assert 99 in side_b  # social care is outside the silo too
    r = suggest_introductions(G, "sector", within="community", top=5,
                              overload_percentile=None, max_per_person=5)
    assert r["sides"]["a"] == "community" and r["sides"]["b"] == "outside"
    assert r["sides"]["size_b"] == len(side_b)
    for row in r["introductions"]:
        assert row["group_a"] == "community" and row["group_b"] != "community"
        gain = brute_gain(G, side_a, side_b, row["id_a"], row["id_b"])[0]
        assert row["gain"] == pytest.approx(gain, abs=1e-12)
    best = max(brute_gain(G, side_a, side_b, a, b, counts=False)[0] for a in side_a for b in side_b
               if not G.has_edge(a, b))
    assert r["introductions"][0]["gain"] == pytest.approx(best, abs=1e-12)


def test_excluded_and_overloaded_people_are_never_proposed():
    G = two_clusters(seed=7)
    degrees = dict(G.degree())
    threshold = np.percentile(list(degrees.values()), 80)
    overloaded = {v for v, d in degrees.items() if d > threshold}
    opted_out = {2, 3, 16}
    r = suggest_introductions(G, "sector", between=("acute", "community"), top=50,
                              exclude=opted_out, overload_percentile=80, max_per_person=50)
    assert r["overload"]["threshold"] == pytest.approx(threshold)
    assert r["excluded"] == 3
    named = set()
    for row in r["introductions"]:
        named |= {row["id_a"], row["id_b"]}
        named |= {p["id"] for p in row["via"]["contacts"] + row["via"]["chain"]}
        for p in row["via"]["contacts"]:
            assert p["overloaded"] == (p["id"] in overloaded)
    assert not named & opted_out
    endpoints = {x for row in r["introductions"] for x in (row["id_a"], row["id_b"])}
    assert not endpoints & overloaded
    assert r["introductions"]  # plenty of others remain


def test_introducers_are_common_contacts_and_shared_forums():
    G = two_clusters(seed=11)
    forums = {"F-MDT": {0, 1, 14, 15, 99}, "F-BIG": set(G)}
    r = suggest_introductions(G, "sector", between=("acute", "community"), top=30,
                              forums=forums, overload_percentile=None, max_per_person=30)
    seen_forum = False
    for row in r["introductions"]:
        a, b = row["id_a"], row["id_b"]
        common = set(nx.common_neighbors(G, a, b))
        assert {p["id"] for p in row["via"]["contacts"]} <= common
        assert len(row["via"]["contacts"]) == min(3, len(common))
        shared = [f for f, m in forums.items() if a in m and b in m]
        assert [f["id"] for f in row["via"]["forums"]] == sorted(
            shared, key=lambda f: len(forums[f]))
        seen_forum |= "shared_forum" in row["found_by"]
        if common:
            assert row["route"] == "through a shared contact"
            assert "shared_contact" in row["found_by"]
    assert seen_forum
    # Closure only: every pair has a contact or a forum in common.
    closed = suggest_introductions(G, "sector", between=("acute", "community"), top=30,
                                   overload_percentile=None, closure_only=True,
                                   forums={"F-MDT": forums["F-MDT"]})
    for row in closed["introductions"]:
        assert row["via"]["contacts"] or row["via"]["forums"]


def test_each_person_is_proposed_at_most_max_per_person_times():
    G = two_clusters(seed=13)
    r = suggest_introductions(G, "sector", between=("acute", "community"), top=12,
                              overload_percentile=None, max_per_person=1)
    ends = [x for row in r["introductions"] for x in (row["id_a"], row["id_b"])]
    assert len(ends) == len(set(ends))


def test_the_answer_is_seeded():
    G = two_clusters(seed=17, n=30)
    one = suggest_introductions(G, "sector", between=("acute", "community"), seed=4,
                                shortlist=20, sample=50)
    two = suggest_introductions(G, "sector", between=("acute", "community"), seed=4,
                                shortlist=20, sample=50)
    assert one == two


@pytest.mark.parametrize("kwargs", [
    {},
    {"between": ("acute",)},
    {"between": ("acute", "acute")},
    {"between": ("acute", "nowhere")},
    {"within": "nowhere"},
    {"between": ("acute", "community"), "within": "acute"},
    {"between": ("acute", "community"), "top": 0},
    {"between": ("acute", "community"), "exclude": "P1"},
    {"between": ("acute", "community"), "overload_percentile": 0},
    {"between": ("acute", "community"), "forums": [1, 2]},
    {"between": ("acute", "community"), "max_per_person": 0},
    {"between": ("acute", "community"), "closure_only": "yes"},
])
def test_bad_arguments_are_refused_up_front(kwargs):
    with pytest.raises(InvalidParameter):
        suggest_introductions(two_clusters(), "sector", **kwargs)
    with pytest.raises(InvalidParameter):
        suggest_introductions({"not": "a graph"}, "sector", within="acute")


# -- the service, the command line and the API on the small demo ------------------------------


def test_service_names_only_people_in_post_and_measures_gains_on_the_period_network(demo):
    from kg.queries import analyses, decisions

    store, bundle = demo.store, demo.bundle
    r = decisions.introductions(store, by="sector", between=("acute", "community"), top=5)
    period = analyses.current_period(store)
    assert r["parameters"]["period"] == period.as_dict()
    staff = in_post(bundle, period.in_post_on.isoformat())
    G = analyses.person_graph(store)
    side_a, side_b = sides(G, "sector", "acute", "community")
    assert len(r["introductions"]) == 5
    for row in r["introductions"]:
        people = {row["id_a"], row["id_b"]} | {p["id"] for p in row["via"]["contacts"]
                                               + row["via"]["chain"]}
        assert people <= staff
        if row["rank"] <= 2:  # networkx re-measures the first two
            assert row["gain"] == pytest.approx(brute_gain(
                G, side_a, side_b, row["id_a"], row["id_b"], counts=False)[0], abs=1e-12)
        for forum in row["via"]["forums"]:
            assert forum["name"]
    left = {v for v, p in G.nodes(data="in_post") if p is False}
    assert r["excluded_detail"]["left"] == len(left)
    # Opted out: never proposed, never named, counted.
    first = r["introductions"][0]["id_a"]
    again = decisions.introductions(store, by="sector", between=("acute", "community"), top=5,
                                    exclude=[first])
    named = {x for row in again["introductions"] for x in (row["id_a"], row["id_b"])}
    assert first not in named and again["excluded_detail"]["opted_out"] == 1
    assert again["parameters"]["excluded_people"] == 1


def test_within_a_silo_and_bad_options(demo):
    from kg.queries import decisions

    store = demo.store
    r = decisions.introductions(store, by="sector", within="mental_health", top=3)
    assert all(row["group_a"] == "mental_health" != row["group_b"]
               for row in r["introductions"])
    for kwargs in ({"by": "sector"}, {"by": "nope", "within": "acute"},
                   {"by": "sector", "between": ("acute",)},
                   {"by": "sector", "within": "acute", "top": 0},
                   {"by": None, "within": "acute"}):
        with pytest.raises(InvalidParameter):
            decisions.introductions(store, **kwargs)


def test_command_line_and_api_give_the_same_answer(demo):
    out = demo.cli_json("analyse", "introductions", "--by", "sector", "--between", "acute",
                        "community", "--top", "4")
    table = demo.cli("analyse", "introductions", "--within", "acute", "--top", "2", "--format",
                     "csv")
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines()[0].startswith("rank,id_a,name_a,id_b,name_b,distance")
    assert len(table.stdout.splitlines()) == 3
    client = demo.api()
    got = client.get("/analysis/introductions?by=sector&between=acute&between=community&top=4")
    assert got.status_code == 200, got.text
    assert got.json() == out
    for url in ("/analysis/introductions?by=sector", "/analysis/introductions?by=nope&within=a",
                "/analysis/introductions?between=a&between=b&between=c",
                "/analysis/introductions?within=nowhere", "/analysis/introductions?top=0"):
        bad = client.get(url)
        assert 400 <= bad.status_code < 500 and bad.json()["detail"], url
