"""Time the broker analysis against the naive networkx pipeline, side by side.

    .venv/bin/python bench/bench_brokers.py [--people 5000] [--overlap-people 20000] [--seed 7]

Network: the medium demo partnership's person network when ``kg.demo`` and
``kg.analysis.projection`` are both available (``--demo``), otherwise a seeded synthetic
partnership person graph (teams inside organisations inside sectors, cross-organisation ties,
hybrid brokers and small multi-agency forums), with a directed tie network for the
Gould--Fernandez roles.

Part 1 (about 5,000 people) times Carebridge's functions and the pipeline a researcher would
write with networkx on the same graph and prints seconds and speed-ups:

- betweenness: ``kg.analysis.betweenness.betweenness`` (igraph, exact) vs
  ``nx.betweenness_centrality`` (exact, full run), and on weighted paths (ours only);
- between-groups betweenness vs ``nx.betweenness_centrality_subset`` (full run);
- constraint and effective size: ``structural_holes`` vs networkx's per-node formulas
  (``nodes=...``), timed on a random subsample of people and extrapolated (said in the output),
  and vs networkx 3.6's vectorised default calls (whose weighted effective size is wrong,
  networkx PR #8906, so both are shown);
- brokerage roles, explanation, hybrids and key-person risk (no networkx equivalent: ours only).

Part 2 (about 20,000 people) measures the top-20 overlap of sampled betweenness (default pivots)
with exact betweenness (igraph), the share of people more than two of their own standard errors
from the exact value (about 5 % when the errors are calibrated), plus timings. A full run takes
about 5 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import random
import time

import networkx as nx
import numpy as np

from kg.analysis.betweenness import DEFAULT_SAMPLES, between_groups_betweenness, betweenness
from kg.analysis.brokerage import brokerage_roles
from kg.analysis.brokers import rank_brokers
from kg.analysis.hybrids import compare_hybrids
from kg.analysis.risk import key_person_risk
from kg.analysis.structural_holes import structural_holes

SECTORS = ("acute", "community", "social care", "primary care", "voluntary")
SECTOR_SHARE = (0.35, 0.25, 0.2, 0.12, 0.08)


def synthetic_partnership(n: int, seed: int) -> tuple[nx.Graph, nx.DiGraph]:
    """A seeded person network of about ``n`` people and its directed tie network.

    Teams of about 15 (ties with probability 0.35), a few more ties inside the organisation,
    occasional cross-organisation ties, 3 % hybrid brokers with ties into other sectors, and
    forums of 6-20 people drawn across organisations (sparse co-membership ties).
    """
    rng = np.random.default_rng(seed)
    n_orgs = max(5, n // 400)
    org_sector = rng.choice(len(SECTORS), size=n_orgs, p=SECTOR_SHARE)
    org_sector[: len(SECTORS)] = np.arange(len(SECTORS))
    org = rng.integers(0, n_orgs, size=n)
    team = np.empty(n, dtype=np.int64)
    next_team = 0
    for o in range(n_orgs):
        members = np.flatnonzero(org == o)
        n_teams = max(1, len(members) // 15)
        team[members] = next_team + rng.integers(0, n_teams, size=len(members))
        next_team += n_teams
    hybrid = rng.random(n) < 0.03
    sector = org_sector[org]

    edges: list[np.ndarray] = []
    for t in range(next_team):
        members = np.flatnonzero(team == t)
        if len(members) < 2:
            continue
        i, j = np.triu_indices(len(members), 1)
        keep = rng.random(len(i)) < 0.35
        edges.append(np.stack([members[i[keep]], members[j[keep]]], axis=1))
    by_org = [np.flatnonzero(org == o) for o in range(n_orgs)]
    for person in range(n):
        pool = by_org[org[person]]
        k = rng.poisson(3)
        if k and len(pool) > 1:
            edges.append(np.stack([np.full(k, person), rng.choice(pool, k)], axis=1))
        k = rng.poisson(0.4)
        if k:
            edges.append(np.stack([np.full(k, person), rng.integers(0, n, k)], axis=1))
    for person in np.flatnonzero(hybrid):
        others = np.flatnonzero(sector != sector[person])
        k = rng.poisson(10)
        if k:
            edges.append(np.stack([np.full(k, person), rng.choice(others, k)], axis=1))
    for _ in range(n // 40):
        members = rng.choice(n, size=int(rng.integers(6, 21)), replace=False)
        i, j = np.triu_indices(len(members), 1)
        keep = rng.random(len(i)) < 0.3
        edges.append(np.stack([members[i[keep]], members[j[keep]]], axis=1))
    pairs = np.concatenate(edges)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    pairs = np.unique(np.sort(pairs, axis=1), axis=0)
    weights = rng.choice([0.25, 0.5, 1.0, 2.0, 3.0], size=len(pairs))

    G = nx.Graph()
    for p in range(n):
        G.add_node(
            p,
            name=f"Person {p}",
            organisation=f"O{org[p]}",
            sector=SECTORS[sector[p]],
            team=f"T{team[p]}",
            hybrid=bool(hybrid[p]),
        )
    G.add_weighted_edges_from(
        (int(u), int(v), float(w)) for (u, v), w in zip(pairs, weights, strict=True)
    )
    # Directed ties: each tie points one way at random, a third of them both ways.
    D = nx.DiGraph()
    D.add_nodes_from(G.nodes(data=True))
    direction = rng.random(len(pairs))
    for (u, v), d in zip(pairs.tolist(), direction, strict=True):
        if d < 0.33:
            D.add_edge(u, v)
            D.add_edge(v, u)
        elif d < 0.66:
            D.add_edge(u, v)
        else:
            D.add_edge(v, u)
    return G, D


def demo_network(seed: int):
    """The medium demo partnership's person and tie networks, when the projection exists."""
    import tempfile
    from pathlib import Path

    from kg.analysis import projection  # noqa: F401 - availability check
    from kg.demo import generate_bundle
    from kg.ingest import ingest_path
    from kg.queries.snapshot import load_snapshot
    from kg.store.sqlite import SQLiteStore

    out = Path(tempfile.mkdtemp(prefix="bench-brokers-"))
    generate_bundle(out / "bundle", size="medium", seed=seed)
    store = SQLiteStore(out / "kg.sqlite")
    ingest_path(store, out / "bundle")
    snapshot = load_snapshot(store)
    return projection.person_network(snapshot), projection.tie_network(snapshot)


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def row(label: str, ours: float | None, naive: float | None, note: str = "") -> None:
    ours_s = f"{ours:9.3f}" if ours is not None else " " * 9
    naive_s = f"{naive:9.2f}" if naive is not None else " " * 9
    ratio = f"{naive / ours:8.1f}x" if ours and naive else " " * 9
    print(f"  {label:<38}{ours_s} s {naive_s} s {ratio}  {note}")


def max_difference(a: dict, b: dict, nodes=None) -> float:
    nodes = list(a) if nodes is None else nodes
    return max(
        (abs(a[v] - b[v]) for v in nodes if not (np.isnan(a[v]) and np.isnan(b[v]))), default=0
    )


def part_one(G: nx.Graph, D: nx.DiGraph, seed: int, holes_sample: int) -> None:
    n, m = G.number_of_nodes(), G.number_of_edges()
    print(f"\nPart 1: person network with {n} people and {m} ties ({D.number_of_edges()} arcs)")
    print(f"  {'step':<38}{'ours':>11} {'networkx':>11} {'speed-up':>9}")
    totals = {"ours": 0.0, "naive": 0.0}

    t_ours, ours = timed(lambda: betweenness(G, exact_max_nodes=max(5000, n)))
    t_nx, ref = timed(lambda: nx.betweenness_centrality(G))
    row("betweenness (exact)", t_ours, t_nx, f"max |diff| {max_difference(ours.values, ref):.1e}")
    totals["ours"] += t_ours
    totals["naive"] += t_nx
    t_weighted, _ = timed(lambda: betweenness(G, exact_max_nodes=max(5000, n), paths="weighted"))
    row("betweenness (exact, weighted paths)", t_weighted, None, "distance 1/weight")

    a, b = "acute", "community"
    sources = [v for v, s in G.nodes(data="sector") if s == a]
    targets = [v for v, s in G.nodes(data="sector") if s == b]
    t_ours, ours_sub = timed(lambda: between_groups_betweenness(G, "sector", a, b).values)
    t_nx, ref_sub = timed(
        lambda: nx.betweenness_centrality_subset(G, sources, targets, normalized=True)
    )
    row(
        f"between {a} and {b}",
        t_ours,
        t_nx,
        f"max |diff| {max_difference(ours_sub, ref_sub):.1e}",
    )

    t_ours, (constraint, effective) = timed(lambda: structural_holes(G))
    rng = random.Random(seed)
    subsample = rng.sample(list(G), min(holes_sample, n))
    t_c, ref_c = timed(lambda: nx.constraint(G, nodes=subsample, weight="weight"))
    t_e, ref_e = timed(lambda: nx.effective_size(G, nodes=subsample, weight="weight"))
    per_node = (t_c + t_e) * n / len(subsample)
    row(
        "constraint + effective size",
        t_ours,
        per_node,
        f"networkx per-node formulas timed on {len(subsample)} people, extrapolated x"
        f"{n / len(subsample):.0f}; max |diff| constraint "
        f"{max_difference(constraint, ref_c, subsample):.1e}, effective size "
        f"{max_difference(effective, ref_e, subsample):.1e}",
    )
    t_vec_c, vec_c = timed(lambda: nx.constraint(G, weight="weight"))
    t_vec_e, vec_e = timed(lambda: nx.effective_size(G, weight="weight"))
    row(
        "  vs networkx 3.6 vectorised defaults",
        t_ours,
        t_vec_c + t_vec_e,
        f"constraint max |diff| {max_difference(constraint, vec_c):.1e}; its weighted "
        f"effective size is wrong (PR #8906): max |diff| {max_difference(effective, vec_e):.1e}",
    )
    totals["ours"] += t_ours
    # The naive pipeline is what a researcher would write: the default networkx calls.
    totals["naive"] += t_vec_c + t_vec_e

    t_roles, _ = timed(lambda: brokerage_roles(D, "sector"))
    row("Gould-Fernandez roles (sector)", t_roles, None, "no networkx equivalent")
    t_rank, ranking = timed(
        lambda: rank_brokers(G, by="sector", between=(a, b), directed=D, top=20, seed=seed)
    )
    row("rank_brokers --by sector --between", t_rank, None, "everything above, explained")
    t_rank_all, _ = timed(lambda: rank_brokers(G, by="organisation", directed=D, seed=seed))
    row("rank_brokers --by organisation (all)", t_rank_all, None)
    t_hyb, hyb = timed(lambda: compare_hybrids(G, ours.values, seed=seed))
    row(
        "compare_hybrids (9,999 permutations)",
        t_hyb,
        None,
        f"Cliff's delta {hyb['cliffs_delta']:.2f}, p {hyb['p_value']:.1e}",
    )
    t_risk, risk = timed(lambda: key_person_risk(G, "organisation", top=10, seed=seed))
    row(
        "key_person_risk --top 10",
        t_risk,
        None,
        f"{risk['candidates']['evaluated']} of {risk['candidates']['of']} people evaluated "
        f"({risk['candidates']['rule']}); top 10 together: "
        f"{risk['combined']['share_still_connected']:.3f} of cross pairs still connected",
    )
    totals["ours"] += t_roles
    print(
        f"  {'pipeline: betweenness + holes + roles':<38}{totals['ours']:9.3f} s "
        f"{totals['naive']:9.2f} s {totals['naive'] / totals['ours']:8.1f}x  "
        "(networkx: exact betweenness + default constraint and effective size)"
    )
    print(f"  top broker between {a} and {b}: {ranking['brokers'][0]['id']}")


def part_two(n: int, seed: int) -> None:
    G, _ = synthetic_partnership(n, seed)
    print(
        f"\nPart 2: sampled vs exact betweenness, {G.number_of_nodes()} people, "
        f"{G.number_of_edges()} ties"
    )
    t_exact, exact = timed(lambda: betweenness(G, exact_max_nodes=n + 1))
    print(f"  exact (igraph)                          {t_exact:8.2f} s")

    def top20(values):
        return set(sorted(values, key=lambda v: (-values[v], v))[:20])

    reference = top20(exact.values)
    ranked = sorted(exact.values.values(), reverse=True)
    # Why overlap is hard: how far apart the brokers around rank 20 are.
    print(
        f"  exact values at ranks 15, 20, 25, 30: "
        f"{', '.join(f'{ranked[r - 1]:.3e}' for r in (15, 20, 25, 30))}"
    )
    for k in (DEFAULT_SAMPLES, 2 * DEFAULT_SAMPLES):
        t, sampled = timed(lambda k=k: betweenness(G, exact_max_nodes=5000, samples=k, seed=seed))
        overlap = len(reference & top20(sampled.values)) / 20
        worst = max(abs(sampled.values[v] - exact.values[v]) for v in G)
        errors = sampled.standard_errors
        outside = [abs(sampled.values[v] - exact.values[v]) > 2 * errors[v]
                   for v in G if errors[v] is not None]
        print(
            f"  sampled, {k:4d} pivots                    {t:8.2f} s  top-20 overlap "
            f"{overlap:.0%}, error estimate {sampled.error_estimate:.2e}, worst observed "
            f"error {worst:.2e}, speed-up {t_exact / t:.0f}x"
        )
        print(
            f"    outside two standard errors: {np.mean(outside):.1%} of "
            f"{len(outside)} people (calibrated: about 5 %); no error measurable for "
            f"{sum(e is None for e in errors.values())}"
        )
        top = sorted(reference, key=lambda v: -exact.values[v])
        se = np.median([sampled.standard_errors[v] for v in top])
        print(f"    median standard error of the exact top 20: {se:.2e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--overlap-people", type=int, default=20000)
    parser.add_argument("--holes-sample", type=int, default=150)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--demo", action="store_true", help="use the medium demo partnership")
    args = parser.parse_args()
    if args.demo:
        G, D = demo_network(args.seed)
        print("network: medium demo partnership person network (kg.analysis.projection)")
    else:
        G, D = synthetic_partnership(args.people, args.seed)
        print(f"network: synthetic partnership, seed {args.seed}")
    part_one(G, D, args.seed, args.holes_sample)
    if args.overlap_people:
        part_two(args.overlap_people, args.seed)


if __name__ == "__main__":
    main()
