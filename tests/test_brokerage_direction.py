"""Brokerage up, down and across (:mod:`kg.analysis.brokerage_direction`): counts against a
hand-worked graph and a brute-force enumeration of two-paths on networkx, statistics against
scipy on those brute-force counts and a pairwise count for Cliff's delta."""

from __future__ import annotations

import random
import warnings

import networkx as nx
import numpy as np
import pytest
from scipy import stats

from kg.analysis.brokerage_direction import (
    COUNTS,
    LEVEL_ORDER,
    brokerage_direction,
    compare_direction,
)
from kg.errors import InvalidParameter

RANK = {lv: i for i, lv in enumerate(LEVEL_ORDER)}


def hand_graph() -> nx.DiGraph:
    D = nx.DiGraph()
    people = {
        "f1": ("frontline", "nurse"), "f2": ("frontline", "physio"),
        "m": ("middle", "nurse"), "m2": ("middle", "physio"),
        "s": ("senior", "manager"), "e": ("executive", "manager"), "x": (None, "nurse"),
    }
    for v, (level, profession) in people.items():
        D.add_node(v, level=level, profession=profession, name=v.upper())
    D.add_edges_from([("f1", "m"), ("m", "s"), ("m", "f2"), ("s", "m"), ("f2", "m"),
                      ("m", "e"), ("f1", "s"), ("e", "m2"), ("m2", "f1"), ("x", "m")])
    return D


def test_counts_on_a_hand_worked_graph():
    """m brokers f1->f2 (across), f1->e, s->e, f2->s, f2->e (up), s->f2 (down), x->s, x->f2,
    x->e (x's level unknown); f1->m->s is closed by f1->s, s->m->s and f2->m->f2 return.
    Only s->e joins one profession. e brokers m->m2 (across), m2 brokers e->f1 (down), f1
    brokers m2->m (across) and m2->s (up); s's only two-path f1->s->m is closed by f1->m."""
    c = brokerage_direction(hand_graph())
    expected_m = dict.fromkeys(COUNTS, 0) | {
        "two_paths": 9, "upward": 4, "downward": 1, "across": 1, "level_unknown": 3,
        "same_profession": 1, "other_profession": 8, "upward_same_profession": 1,
        "upward_other_profession": 3, "downward_other_profession": 1,
        "across_other_profession": 1}
    assert c["m"] == expected_m
    assert c["m2"] == dict.fromkeys(COUNTS, 0) | {
        "two_paths": 1, "downward": 1, "other_profession": 1, "downward_other_profession": 1}
    assert c["e"] == dict.fromkeys(COUNTS, 0) | {
        "two_paths": 1, "across": 1, "other_profession": 1, "across_other_profession": 1}
    assert c["f1"] == dict.fromkeys(COUNTS, 0) | {
        "two_paths": 2, "across": 1, "upward": 1, "other_profession": 2,
        "upward_other_profession": 1, "across_other_profession": 1}
    for v in ("s", "f2", "x"):
        assert c[v] == dict.fromkeys(COUNTS, 0)


def brute(D: nx.DiGraph) -> dict:
    """Every open two-path a -> b -> c, one loop at a time."""
    out = {v: dict.fromkeys(COUNTS, 0) for v in D}
    for b in D:
        for a in D.predecessors(b):
            for c in D.successors(b):
                if a == c or D.has_edge(a, c) or a == b or c == b:
                    continue
                row = out[b]
                row["two_paths"] += 1
                la, lc = D.nodes[a].get("level"), D.nodes[c].get("level")
                pa, pc = D.nodes[a].get("profession"), D.nodes[c].get("profession")
                if la in RANK and lc in RANK:
                    way = ("upward" if RANK[lc] > RANK[la] else
                           "downward" if RANK[lc] < RANK[la] else "across")
                    row[way] += 1
                else:
                    way = None
                    row["level_unknown"] += 1
                if pa is None or pc is None:
                    row["profession_unknown"] += 1
                    continue
                kind = "same" if pa == pc else "other"
                row[f"{kind}_profession"] += 1
                if way:
                    row[f"{way}_{kind}_profession"] += 1
    return out


def random_hierarchy(seed: int, n: int = 60, p: float = 0.08) -> nx.DiGraph:
    rng = random.Random(seed)
    D = nx.gnp_random_graph(n, p, seed=seed, directed=True)
    for v in D:
        D.nodes[v]["level"] = rng.choice([*LEVEL_ORDER, None, "frontline", "frontline"])
        D.nodes[v]["profession"] = rng.choice(["nurse", "doctor", "ot", None])
        D.nodes[v]["hybrid"] = D.nodes[v]["level"] == "middle" and rng.random() < 0.6
    return D


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_equal_a_brute_force_enumeration(seed):
    D = random_hierarchy(seed)
    assert brokerage_direction(D) == brute(D)


def test_large_enumeration_is_chunked_without_changing_counts(monkeypatch):
    import kg.analysis.brokerage_direction as bd

    D = random_hierarchy(4, n=80, p=0.1)
    whole = brokerage_direction(D)
    monkeypatch.setattr(bd, "_CHUNK", 7)
    assert brokerage_direction(D) == whole


def test_an_undirected_graph_is_ties_both_ways():
    G = nx.path_graph(3)
    nx.set_node_attributes(G, {0: "frontline", 1: "middle", 2: "senior"}, "level")
    c = brokerage_direction(G)[1]
    assert (c["two_paths"], c["upward"], c["downward"]) == (2, 1, 1)


def test_statistics_match_scipy_on_brute_force_counts():
    D = random_hierarchy(9, n=120, p=0.06)
    counts = brute(D)
    r = compare_direction(D, brokerage_direction(D))
    hybrids = [v for v in D if D.nodes[v]["hybrid"]]
    others = [v for v in D if D.nodes[v]["level"] == "middle" and not D.nodes[v]["hybrid"]]
    assert (r["n_hybrid"], r["n_other_middle"]) == (len(hybrids), len(others))

    def share(v, key):
        row = counts[v]
        levelled = row["upward"] + row["downward"] + row["across"]
        return row[key] / levelled if levelled else None

    up = [share(v, "upward") for v in hybrids if share(v, "upward") is not None]
    down = [share(v, "downward") for v in hybrids if share(v, "upward") is not None]
    paired = r["upward_vs_downward"]
    assert paired["n"] == len(up)
    assert paired["mean_upward_share"] == pytest.approx(np.mean(up))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = stats.wilcoxon(up, down, zero_method="wilcox")
    assert paired["p_value"] == pytest.approx(reference.pvalue)
    # Rank-biserial by Kerby's rule from the signed ranks of the non-zero differences.
    diffs = [u - d for u, d in zip(up, down, strict=True) if u != d]
    ranks = stats.rankdata([abs(x) for x in diffs])
    favour = sum(rk for rk, x in zip(ranks, diffs, strict=True) if x > 0)
    assert paired["rank_biserial"] == pytest.approx((2 * favour - ranks.sum()) / ranks.sum())
    # Cliff's delta by counting every hybrid-other pair.
    h = [share(v, "upward") for v in hybrids if share(v, "upward") is not None]
    o = [share(v, "upward") for v in others if share(v, "upward") is not None]
    delta = sum((x > y) - (x < y) for x in h for y in o) / (len(h) * len(o))
    versus = r["versus_other_middle"]["upward_share"]
    assert versus["cliffs_delta"] == pytest.approx(delta)
    assert versus["p_value"] == pytest.approx(
        stats.mannwhitneyu(h, o, alternative="two-sided").pvalue)
    # Totals add up the brute-force rows.
    assert r["totals"]["hybrid"]["upward"] == sum(counts[v]["upward"] for v in hybrids)
    assert r["totals"]["everyone"]["two_paths"] == sum(c["two_paths"] for c in counts.values())


def test_hybrids_who_broker_only_downward_are_told_so():
    """Six hybrid middle managers each pass a senior's word down to frontline staff, never
    upward; four other middle managers pass frontline word up."""
    D = nx.DiGraph()
    D.add_node("S", level="senior", profession="manager")
    for i in range(6):
        D.add_node(f"H{i}", level="middle", profession="nurse", hybrid=True)
        for j in range(i + 1):
            D.add_node(f"F{i}.{j}", level="frontline", profession="nurse")
            D.add_edges_from([("S", f"H{i}"), (f"H{i}", f"F{i}.{j}")])
    for i in range(4):
        D.add_node(f"M{i}", level="middle", profession="manager")
        D.add_node(f"G{i}", level="frontline", profession="nurse")
        D.add_edges_from([(f"G{i}", f"M{i}"), (f"M{i}", "S")])
    r = compare_direction(D)
    paired = r["upward_vs_downward"]
    assert (paired["n"], paired["n_downward_more"], paired["rank_biserial"]) == (6, 6, -1.0)
    assert paired["p_value"] < 0.05
    assert "more downward than upward" in r["answer"]
    versus = r["versus_other_middle"]["upward_share"]
    assert versus["cliffs_delta"] == -1.0 and (versus["n_hybrid"], versus["n_other"]) == (6, 4)
    # S passes each middle manager's word to each hybrid: 4 x 6 two-paths, all across.
    rows = {row["id"]: row for row in r["people"]}
    assert r["people"][0]["id"] == "S" and rows["S"]["across"] == 24
    assert rows["H5"]["downward"] == 6 and rows["H5"]["downward_share"] == 1.0


def test_too_few_hybrids_give_no_test_but_a_sentence():
    D = hand_graph()
    r = compare_direction(D)  # no one is flagged hybrid
    assert r["upward_vs_downward"]["n"] == 0 and r["upward_vs_downward"]["p_value"] is None
    assert r["answer"].startswith("Too few hybrid middle managers")


@pytest.mark.parametrize("kwargs", [{"order": ()}, {"order": ("a", "a")}, {"level": ""},
                                    {"profession": 3}])
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(InvalidParameter):
        brokerage_direction(hand_graph(), **kwargs)
    with pytest.raises(InvalidParameter):
        brokerage_direction([("a", "b")])
    with pytest.raises(InvalidParameter):
        compare_direction(hand_graph(), counts=[1])


# -- the service, the command line and the API on the small demo ------------------------------


def test_service_counts_the_period_s_ties_and_names_people_in_post(demo):
    from kg.queries import analyses, decisions

    store = demo.store
    r = decisions.brokerage_direction(store, top=5)
    assert r["parameters"]["period"] == analyses.current_period(store).as_dict()
    D = analyses.tie_graph(store)
    counts = brute(D)
    assert len(r["people"]) == 5
    for row in r["people"]:
        assert D.nodes[row["id"]]["in_post"] is True and row["in_post"] is True
        assert {k: row[k] for k in COUNTS} == counts[row["id"]]
    everyone = sorted((-c["two_paths"], str(v)) for v, c in counts.items()
                      if D.nodes[v]["in_post"] and c["two_paths"])
    assert [row["id"] for row in r["people"]] == [v for _, v in everyone[:5]]
    hybrids = {v for v in D if D.nodes[v].get("hybrid") and D.nodes[v]["in_post"]
               and counts[v]["two_paths"]}
    assert {row["id"] for row in r["hybrids"]} == hybrids
    assert r["totals"]["hybrid"]["upward"] == sum(
        counts[v]["upward"] for v in D if D.nodes[v].get("hybrid"))
    assert r["answer"].startswith("Hybrid middle managers broker")


def test_command_line_and_api_give_the_same_answer(demo):
    out = demo.cli_json("analyse", "direction", "--top", "3", "--phase", "PH2")
    client = demo.api()
    got = client.get("/analysis/direction?top=3&phase=PH2")
    assert got.status_code == 200, got.text
    assert got.json() == out
    assert got.json()["parameters"]["period"]["phase"] == "PH2"
    assert client.get("/analysis/direction?top=0").status_code == 422
