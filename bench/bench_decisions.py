"""Time the three decision questions on a demo partnership.

    .venv/bin/python bench/bench_decisions.py [--size medium] [--seed 7] [--judge]

Generates the demo bundle (``kg.demo.generate_bundle``), imports it into a temporary SQLite
store, reads the period's person and tie networks once (timed apart: every question shares
them), then times each question through the service layer (:mod:`kg.queries.decisions`), each
computed afresh:

- ``introductions --by sector --between acute community --top 10`` (goal: <= 10 s on medium,
  network included) and ``--within mental_health``;
- ``direction`` (brokerage up, down and across on the directed ties);
- ``profile``, ``profile --by sector`` and ``profile --per-phase`` (four phases).

``--judge`` also measures every candidate introduction exactly (no scoring sample, no cap; a
few minutes on medium) and reports how much of that best list's total gain the default answer
reaches, and whether its first introduction is the best one.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def timed(label: str, fn, rows: list):
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    rows.append((label, seconds))
    print(f"{label:<58} {seconds:8.2f} s", flush=True)
    return value


def judge(store, answer: dict) -> None:
    """Exact gain of every candidate (the analysis without its scoring shortcut)."""
    import kg.analysis.introductions as intro
    from kg.model import RelType
    from kg.queries import analyses
    from kg.queries.snapshot import load_snapshot

    G = analyses.person_graph(store)
    forums: dict = {}
    for r in load_snapshot(store).rels(RelType.ATTENDS):
        if r.source in G:
            forums.setdefault(r.target, set()).add(r.source)
    left = {v for v, p in G.nodes(data="in_post") if p is False}
    cap = intro._MAX_CANDIDATES
    intro._MAX_CANDIDATES = 10**9
    try:
        start = time.perf_counter()
        full = intro.suggest_introductions(G, "sector", between=("acute", "community"),
                                           exclude=left, forums=forums, shortlist=10**9)
    finally:
        intro._MAX_CANDIDATES = cap
    best = sum(r["gain"] for r in full["introductions"])
    got = sum(r["gain"] for r in answer["introductions"])
    print(f"judge: {full['candidates']['measured']:,} candidates measured exactly in "
          f"{time.perf_counter() - start:.1f} s; the default list reaches {got / best:.1%} of "
          f"the best list's total gain; first introduction "
          f"{'is' if answer['introductions'][0]['gain'] >= full['introductions'][0]['gain'] - 1e-15 else 'is not'}"  # noqa: E501
          f" the best one")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="medium", choices=("small", "medium", "large"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--judge", action="store_true",
                        help="also measure every candidate introduction exactly")
    args = parser.parse_args()

    from kg.demo import generate_bundle
    from kg.ingest import ingest_path
    from kg.queries import analyses, decisions
    from kg.queries.snapshot import clear_cache
    from kg.store.sqlite import SQLiteStore

    rows: list = []
    with tempfile.TemporaryDirectory() as folder:
        bundle = Path(folder) / "bundle"
        generate_bundle(bundle, size=args.size, seed=args.seed)
        store = SQLiteStore(Path(folder) / "carebridge.sqlite")
        ingest_path(store, bundle)
        clear_cache()
        G = timed("person and tie networks (snapshot, projection)",
                  lambda: (analyses.person_graph(store), analyses.tie_graph(store))[0], rows)
        D = analyses.tie_graph(store)
        print(f"{len(G):,} people, {G.number_of_edges():,} ties in the person network, "
              f"{D.number_of_edges():,} directed ties; period: "
              f"{analyses.current_period(store).label}")
        answer = timed("introductions --between acute community --top 10",
                       lambda: decisions.introductions(store, by="sector",
                                                       between=("acute", "community")), rows)
        c = answer["candidates"]
        print(f"  {c['total']:,} candidates ({c['shared_contact']:,} through a contact, "
              f"{c['shared_forum']:,} at a forum, {c['best_placed']:,} best placed, "
              f"{c['sample']:,} sampled), {c['measured']} measured exactly; all ten made: "
              f"+{100 * answer['combined']['gain'] / answer['before']['efficiency']:.2f}% "
              f"cross-group efficiency")
        timed("introductions --within mental_health --top 10",
              lambda: decisions.introductions(store, by="sector", within="mental_health"), rows)
        direction = timed("direction", lambda: decisions.brokerage_direction(store), rows)
        print(f"  {direction['answer']}")
        timed("profile", lambda: decisions.profile(store), rows)
        timed("profile --by sector", lambda: decisions.profile(store, by="sector"), rows)
        clear_cache()
        timed("profile --per-phase (networks of every phase included)",
              lambda: decisions.profile(store, per_phase=True), rows)
        clear_cache()
        timed("introductions, cold (networks included)",
              lambda: decisions.introductions(store, by="sector",
                                              between=("acute", "community")), rows)
        if args.judge:
            judge(store, answer)
        store.close()


if __name__ == "__main__":
    main()
