"""Time ``kg analyse all`` against the naive networkx pipeline; score it against the demo's truth.

    .venv/bin/python bench/bench_analyse.py                       # medium: timing + scores
    .venv/bin/python bench/bench_analyse.py --size large --skip-naive   # time and peak memory
    .venv/bin/python bench/bench_analyse.py --size large --skip-naive --skip-between --reuse

1. **Speed.** The demo partnership (``--size medium``: 5,000 people; ``large``: 100,000 people and
   about a million ties) is generated with ``--seed`` into ``bench/out/`` and imported into a fresh
   SQLite store, in a child process so this process's peak memory is the analysis alone. Then,
   with the cache cleared, it times the snapshot, the projection (person and tie networks) and
   :func:`kg.queries.analyses.analyse_all` (communities, silos, brokers with constraint and
   brokerage roles between acute and community, hybrids, key-person risk for the top 10), and,
   on the same person network, the pipeline a researcher would write: python-louvain
   ``best_partition``, exact ``nx.betweenness_centrality``, ``nx.constraint`` and
   ``nx.effective_size`` (weighted, default calls). Goals: medium ≤ 5 s and ≥ 20× faster than the
   naive pipeline; large ≤ 120 s and ≤ 6 GB peak memory. A second cold pass times each question
   on its own (``--no-breakdown`` skips it).
2. **Right answers** against ``truth.json``: NMI (and ARI) of the detected communities against the
   planted ones; precision at k of the planted brokers among the top-k brokers (k = number of
   planted brokers), ranked between acute and community (the ``--between`` ranking) and by plain
   betweenness; precision at k of the planted silos among the groups with the lowest E-I index.

``--reuse`` keeps an existing bundle and store in ``bench/out/`` (the large one takes half a
minute to generate and import). ``--skip-between`` leaves the acute-community ranking out of
``analyse_all`` and instead times it from 200 sampled sources, extrapolated: on the large
partnership that ranking is exact (every acute person is a source) and dominates the run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOALS = {"medium": {"seconds": 5.0, "speedup": 20.0}, "large": {"seconds": 120.0, "gb": 6.0}}


def prepare(size: str, seed: int, out: Path, reuse: bool) -> dict:
    """Generate the bundle and import it into a fresh store; returns paths and timings."""
    from kg.demo import generate_bundle
    from kg.ingest import ingest_path
    from kg.store.sqlite import SQLiteStore

    bundle, db = out / "bundle", out / "carebridge.sqlite"
    info = {"bundle": str(bundle), "db": str(db), "generate_s": None, "import_s": None}
    if reuse and (bundle / "truth.json").exists() and db.exists():
        return info
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    start = time.perf_counter()
    generate_bundle(bundle, size=size, seed=seed)
    info["generate_s"] = time.perf_counter() - start
    store = SQLiteStore(db)
    start = time.perf_counter()
    ingest_path(store, bundle)
    info["import_s"] = time.perf_counter() - start
    store.close()
    return info


def peak_gb() -> float:
    """Peak resident memory of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def line(label: str, seconds: float | None, note: str = "") -> None:
    s = f"{seconds:10.2f} s" if seconds is not None else " " * 12
    # Flushed at once: on the large partnership a step can take minutes.
    print(f"  {label:<44}{s}  {note}", flush=True)


def between_pair(G, between):
    groups = {a for _, a in G.nodes(data="sector")}
    return tuple(between) if between and set(between) <= groups else None


def cold_analyse_all(store, seed: int, between) -> tuple[dict, dict]:
    """analyse_all from an empty cache: snapshot and projection timed apart, then the rest."""
    from kg.queries import analyses as A
    from kg.queries.snapshot import clear_cache, load_snapshot

    clear_cache()
    t = {}
    t["snapshot"], _ = timed(lambda: load_snapshot(store))
    line("snapshot (read the store)", t["snapshot"])
    t["projection"], (G, _) = timed(lambda: (A.person_graph(store), A.tie_graph(store)))
    line("projection (person + tie networks)", t["projection"],
         f"{G.number_of_nodes():,} people, {G.number_of_edges():,} ties")
    t["analyse_all"], result = timed(lambda: A.analyse_all(store, seed=seed, between=between))
    bt = result["brokers"]["betweenness"]
    how = ("exact" if bt["exact"] else
           f"sampled, {bt['sample_size']} pivots, error estimate {bt['error_estimate']:.1e}")
    line("analyse_all (5 questions)", t["analyse_all"], f"betweenness {how}")
    t["total"] = t["snapshot"] + t["projection"] + t["analyse_all"]
    line("total", t["total"])
    return t, result


def breakdown(store, seed: int, between) -> tuple[dict, dict]:
    """Each question of analyse_all timed on its own, from an empty cache, in its order."""
    from kg.queries import analyses as A
    from kg.queries.snapshot import clear_cache, load_snapshot

    clear_cache()
    steps = {}

    def step(label, fn):
        steps[label], value = timed(fn)
        line(label, steps[label])
        return value

    step("snapshot", lambda: load_snapshot(store))
    G = step("person network", lambda: A.person_graph(store))
    step("tie network", lambda: A.tie_graph(store))
    pair = between_pair(G, between)
    parts = {
        "communities": step("communities", lambda: A.communities(store, seed=seed)),
        "silos": step("silos (sector, 999 permutations)",
                      lambda: A.silos(store, by="sector", seed=seed)),
        "brokers": step(f"brokers (sector{', between' if pair else ''})",
                        lambda: A.brokers(store, by="sector", between=pair, seed=seed)),
        "hybrids": step("hybrids", lambda: A.hybrids(store, seed=seed)),
        "risk": step("risk (top 10)", lambda: A.risk(store, by="sector", top=10, seed=seed)),
    }
    everything = step("analyse_all afterwards (cache hit)",
                      lambda: A.analyse_all(store, seed=seed, between=between))
    # Same parameters as analyse_all: it must have answered entirely from the cache.
    assert all(everything[k] is parts[k] for k in parts), "breakdown differs from analyse_all"
    return steps, everything


def probe_between(G, between, sources: int, seed: int) -> None:
    """Time between-groups betweenness from a sample of the first group, extrapolated."""
    import random

    from kg.analysis._fast import node_index, to_igraph

    a = [v for v, s in G.nodes(data="sector") if s == between[0]]
    b = [v for v, s in G.nodes(data="sector") if s == between[1]]
    nodes, index = node_index(G)
    graph = to_igraph(G, index)
    sample = random.Random(seed).sample(a, min(sources, len(a)))
    seconds, _ = timed(lambda: graph.betweenness(
        sources=[index[v] for v in sample], targets=[index[v] for v in b], directed=False))
    line(f"between-groups, {len(sample)} of {len(a):,} sources", seconds,
         f"extrapolated to all {len(a):,} {between[0]} sources: "
         f"{seconds * len(a) / len(sample):,.0f} s")


def naive_pipeline(G, seed: int) -> dict:
    import community as community_louvain
    import networkx as nx

    out = {}
    out["louvain_s"], out["partition"] = timed(
        lambda: community_louvain.best_partition(G, weight="weight", random_state=seed))
    out["betweenness_s"], out["betweenness"] = timed(lambda: nx.betweenness_centrality(G))
    out["constraint_s"], _ = timed(lambda: nx.constraint(G, weight="weight"))
    out["effective_size_s"], _ = timed(lambda: nx.effective_size(G, weight="weight"))
    out["total"] = sum(out[k] for k in ("louvain_s", "betweenness_s", "constraint_s",
                                        "effective_size_s"))
    return out


def precision(found: list, planted: list) -> float:
    return len(set(found) & set(planted)) / len(planted) if planted else float("nan")


def score(store, truth: dict, result: dict, seed: int, naive: dict | None, between) -> None:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from kg.queries import analyses as A

    print("\nRight answers (truth.json)")
    planted = {m: c["id"] for c in truth["communities"] for m in c["members"]}
    detected = {m: c["id"] for c in result["communities"]["communities"] for m in c["members"]}
    people = sorted(set(planted) & set(detected))
    a, b = [planted[p] for p in people], [detected[p] for p in people]
    kinds = {}
    for c in truth["communities"]:
        kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
    print(f"  communities: {len(set(b))} detected vs {len(set(a))} planted {kinds} on "
          f"{len(people)} people")
    print(f"    NMI {normalized_mutual_info_score(a, b):.3f}, ARI {adjusted_rand_score(a, b):.3f}")
    if naive:
        c = [naive["partition"][p] for p in people]
        print(f"    (python-louvain, naive pipeline: NMI {normalized_mutual_info_score(a, c):.3f}"
              f", ARI {adjusted_rand_score(a, c):.3f})")

    brokers = [x["id"] for x in truth["brokers"]]
    k = len(brokers)
    print(f"  brokers: precision at k={k} of the planted hybrid brokers")
    if between:
        ranked = [x["id"] for x in A.brokers(store, by="sector", between=between, top=k,
                                             seed=seed)["brokers"]]
        print(f"    between {between[0]} and {between[1]} (--between ranking): "
              f"{precision(ranked, brokers):.3f}")
    plain = [x["id"] for x in A.brokers(store, top=k, seed=seed)["brokers"]]
    print(f"    plain betweenness:                               {precision(plain, brokers):.3f}")
    top20 = result["brokers"]["brokers"][:20]
    print(f"    of analyse_all's top 20 brokers: {sum(x['id'] in brokers for x in top20)} planted")

    for attribute, planted_silos in truth["silos"].items():
        if attribute not in A.GROUPINGS or not isinstance(planted_silos, list):
            continue
        groups = A.silos(store, by=attribute, seed=seed)["groups"]
        # A group without ties has no E-I index: it cannot be ranked as closed.
        lowest = sorted((g for g in groups if g["ei_index"] is not None),
                        key=lambda g: g["ei_index"])
        ranked = [g["group"] for g in lowest]
        k = len(planted_silos)
        closed = ", ".join(f"{g['group']} ({g['ei_index']:.2f})" for g in lowest[:k])
        p = precision(ranked[:k], planted_silos)
        print(f"  silos by {attribute}: precision at k={k} {p:.3f}; lowest E-I: {closed}; "
              f"planted: {', '.join(planted_silos)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("small", "medium", "large"), default="medium")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-naive", action="store_true", help="do not run the networkx "
                        "pipeline (it takes hours on the large partnership)")
    parser.add_argument("--reuse", action="store_true", help="keep an existing bundle and store")
    parser.add_argument("--no-breakdown", action="store_true", help="skip the per-question pass")
    parser.add_argument("--no-score", action="store_true", help="skip scoring against truth")
    parser.add_argument("--skip-between", action="store_true", help="analyse_all without the "
                        "acute-community ranking; time that ranking on a sample of sources")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    out = args.out / f"analyse-{args.size}-seed{args.seed}"

    if args.prepare_only:
        print(json.dumps(prepare(args.size, args.seed, out, args.reuse)))
        return

    import networkx as nx

    from kg.queries import analyses as A
    from kg.store.sqlite import SQLiteStore

    print(f"bench_analyse: {args.size} demo partnership, seed {args.seed}; Python "
          f"{platform.python_version()}, networkx {nx.__version__}, {os.cpu_count()} cores")
    # Generation and import run in a child so the peak memory below is the analysis alone.
    child = subprocess.run(
        [sys.executable, __file__, "--prepare-only", "--size", args.size, "--seed",
         str(args.seed), "--out", str(args.out)] + (["--reuse"] if args.reuse else []),
        check=True, capture_output=True, text=True)
    info = json.loads(child.stdout.strip().splitlines()[-1])
    store = SQLiteStore(Path(info["db"]))
    truth = json.loads((Path(info["bundle"]) / "truth.json").read_text(encoding="utf-8"))
    base_gb = peak_gb()

    print("\nPreparation (child process)")
    line("generate bundle", info["generate_s"], "reused" if info["generate_s"] is None else "")
    line("import into a fresh SQLite store", info["import_s"])

    between = None if args.skip_between else ("acute", "community")
    print("\nkg analyse all, cold cache" + ("" if between else " (no --between ranking)"))
    t, result = cold_analyse_all(store, args.seed, between)
    G = A.person_graph(store)
    peak = peak_gb()
    print(f"  peak memory {peak:.2f} GB (process before analysis: {base_gb:.2f} GB)")
    if args.skip_between:
        probe_between(G, ("acute", "community"), 200, args.seed)

    if not args.no_breakdown:
        print("\nPer question, a second cold pass")
        del result  # so the second pass does not hold two copies
        _, result = breakdown(store, args.seed, between)
        peak = max(peak, peak_gb())

    naive = None
    if not args.skip_naive:
        print("\nNaive pipeline on the same person network (networkx + python-louvain)")
        naive = naive_pipeline(G, args.seed)
        line("python-louvain best_partition", naive["louvain_s"])
        line("nx.betweenness_centrality (exact)", naive["betweenness_s"])
        line("nx.constraint (weighted)", naive["constraint_s"])
        line("nx.effective_size (weighted)", naive["effective_size_s"])
        line("total", naive["total"])
        ours = A.betweenness_of(store, seed=args.seed)
        exact = naive["betweenness"]
        overlap = len(set(sorted(ours, key=lambda v: (-ours[v], v))[:20])
                      & set(sorted(exact, key=lambda v: (-exact[v], v))[:20])) / 20
        worst = max(abs(ours[v] - exact[v]) for v in exact)
        print(f"  agreement: top-20 betweenness overlap {overlap:.0%} with exact, largest "
              f"|difference| {worst:.1e}")

    print("\nSummary")
    print(f"  {'measure':<44}{'value':>12}  goal")
    goal = GOALS.get(args.size, {})
    if "seconds" in goal:
        met = "met" if t["total"] <= goal["seconds"] else "NOT met"
        print(f"  {'analyse all, cold, incl. snapshot+projection':<44}{t['total']:10.2f} s  "
              f"<= {goal['seconds']:g} s: {met}"
              + ("" if between else " (without the --between ranking)"))
    else:
        print(f"  {'analyse all, cold, incl. snapshot+projection':<44}{t['total']:10.2f} s")
    if naive:
        ratio, ratio_analysis = naive["total"] / t["total"], naive["total"] / t["analyse_all"]
        met = ("met" if ratio >= goal["speedup"] else "NOT met") if "speedup" in goal else ""
        print(f"  {'speed-up vs naive (ours incl. snapshot+proj.)':<44}{ratio:10.1f} x  "
              + (f">= {goal['speedup']:g}x: {met}" if met else ""))
        print(f"  {'speed-up vs naive (analysis only)':<44}{ratio_analysis:10.1f} x")
    if "gb" in goal:
        met = "met" if peak <= goal["gb"] else "NOT met"
        print(f"  {'peak memory (analysis process)':<44}{peak:10.2f} GB <= {goal['gb']:g} GB: "
              f"{met}")
    else:
        print(f"  {'peak memory (analysis process)':<44}{peak:10.2f} GB")

    if not args.no_score:
        score(store, truth, result, args.seed, naive, between)
    store.close()


if __name__ == "__main__":
    main()
