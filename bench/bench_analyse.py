"""Time ``kg analyse all`` step by step beside each step's floor; score it against the demo's truth.

    .venv/bin/python bench/bench_analyse.py                       # medium: timing + scores
    .venv/bin/python bench/bench_analyse.py --size large --skip-naive   # time and peak memory
    .venv/bin/python bench/bench_analyse.py --size large --skip-naive --skip-between --reuse

1. **Speed.** The demo partnership (``--size medium``: 5,000 people; ``large``: 100,000 people and
   about a million ties) is generated with ``--seed`` into ``bench/out/`` and imported into a fresh
   SQLite store, in a child process so this process's peak memory is the analysis alone. Then,
   with the cache cleared, it times the snapshot (the first read after the import, from SQLite;
   it files the snapshot on disk), the projection (person and tie networks) and
   :func:`kg.queries.analyses.analyse_all` (communities, silos, brokers with constraint and
   brokerage roles between acute and community, hybrids, key-person risk for the top 10).
   ``analyse_all`` computes the two broker rankings (overall and between the groups, from one
   set of searches) in forked processes while communities and silos are found.

   A second cold pass (``--no-breakdown`` skips it) times each step on its own beside its
   **floor**: the same work done by the compiled library alone, on arrays prepared beforehand,
   in the same run -- sqlite3 fetching the rows (or numpy loading the snapshot's file),
   scipy.sparse projecting the memberships and summing the ties, igraph's Louvain with the same
   restarts, numpy's permutations of the group labels, igraph's exact betweenness overall and
   between the groups (or scipy's breadth-first searches from the same number of pivots, when
   estimated), igraph's constraint,
   scipy's Mann-Whitney test, igraph's articulation points and the efficiency searches. Seconds
   are wall time; "cpu" adds the forked children's time to this process's. Then a fresh
   ``kg analyse all --format json`` process is timed, as a user would run it.

   On the same person network, the pipeline a researcher would write: python-louvain
   ``best_partition``, exact ``nx.betweenness_centrality``, ``nx.constraint`` and
   ``nx.effective_size`` (weighted, default calls). Goals: medium <= 5 s and >= 20x faster than
   the naive pipeline; large <= 60 s and <= 3 GB peak memory, no step over 15 s.
2. **Right answers** against ``truth.json``: NMI (and ARI) of the detected communities against the
   planted ones; precision at k of the planted brokers among the top-k brokers (k = number of
   planted brokers), ranked between acute and community (the ``--between`` ranking) and by plain
   betweenness; precision at k of the planted silos among the groups with the lowest E-I index.

``--reuse`` keeps an existing bundle and store in ``bench/out/`` (the large one takes a few
minutes to generate and import). ``--skip-between`` leaves the acute-community ranking out of
``analyse_all`` and instead times it from 200 sampled sources, extrapolated to every source.
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
GOALS = {"medium": {"seconds": 5.0, "speedup": 20.0},
         "large": {"seconds": 60.0, "gb": 3.0, "step": 15.0}}


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


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the forked searches)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def timed_cpu(fn):
    """(wall seconds, cpu seconds, value)."""
    cpu, start = cpu_seconds(), time.perf_counter()
    value = fn()
    return time.perf_counter() - start, cpu_seconds() - cpu, value


def line(label: str, seconds: float | None, note: str = "") -> None:
    s = f"{seconds:10.2f} s" if seconds is not None else " " * 12
    # Flushed at once: on the large partnership a step can take minutes.
    print(f"  {label:<44}{s}  {note}", flush=True)


def step_line(label: str, wall: float, cpu: float, floor: float | None, what: str) -> None:
    ratio = f"{wall / floor:6.1f}x" if floor else "      "
    floor_s = f"{floor:8.2f} s" if floor is not None else " " * 10
    print(f"  {label:<34}{wall:8.2f} s {cpu:8.2f} s  {floor_s} {ratio}  {what}", flush=True)


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
    line("snapshot (read the store)", t["snapshot"],
         f"floor: sqlite3 fetching the rows {floor_snapshot_sqlite(store):.2f} s")
    t["projection"], (G, _) = timed(lambda: (A.person_graph(store), A.tie_graph(store)))
    line("projection (person + tie networks)", t["projection"],
         f"{G.number_of_nodes():,} people, {G.number_of_edges():,} ties")
    t["analyse_all"], result = timed(lambda: A.analyse_all(store, seed=seed, between=between))
    bt = result["brokers"]["betweenness"]
    rows = result["brokers"]["brokers"]
    certain = next((i for i, r in enumerate(rows) if r["rank_range"][0] != r["rank_range"][1]),
                   len(rows))
    how = ("exact" if bt["exact"] else
           f"sampled, {bt['sample_size']} pivots, error estimate {bt['error_estimate']:.1e}; "
           f"first {certain} of {len(rows)} broker places certain")
    line("analyse_all (5 questions)", t["analyse_all"], f"betweenness {how}")
    t["total"] = t["snapshot"] + t["projection"] + t["analyse_all"]
    line("total", t["total"])
    return t, result


def breakdown(store, seed: int, between) -> tuple[dict, dict]:
    """Each step of analyse_all timed on its own from an empty cache, in its order, beside its
    floor (the same work in the compiled library alone)."""
    from kg.queries import analyses as A
    from kg.queries.snapshot import clear_cache, load_snapshot

    clear_cache()
    steps = {}
    print(f"  {'step':<34}{'wall':>10} {'cpu':>10}  {'floor':>10} {'ratio':>7}  floor is")

    def step(label, fn, floor_fn, what):
        wall, cpu, value = timed_cpu(fn)
        floor = floor_fn(value) if floor_fn else None
        steps[label] = {"wall": wall, "cpu": cpu, "floor": floor}
        step_line(label, wall, cpu, floor, what)
        return value

    snap = step("snapshot (from its file)", lambda: load_snapshot(store),
                lambda _: floor_snapshot_file(store), "numpy loading the snapshot's file")
    G = step("person network", lambda: A.person_graph(store),
             lambda G: floor_person_network(snap, G),
             "scipy.sparse: two-mode products, ties summed")
    step("tie network", lambda: A.tie_graph(store), lambda D: floor_tie_network(snap, D),
         "scipy.sparse: directed ties summed")
    pair = between_pair(G, between)
    parts = {}
    parts["communities"] = step(
        "communities", lambda: A.communities(store, seed=seed),
        lambda r: floor_communities(G, seed, r["restarts"]), "igraph Louvain, same restarts")
    parts["silos"] = step("silos (sector, 999 permutations)",
                          lambda: A.silos(store, by="sector", seed=seed),
                          lambda _: floor_silos(G, "sector", seed), "numpy: 999 relabellings")
    bet, among = step(
        "rankings (overall" + (" + between)" if pair else ")"),
        lambda: A.broker_rankings(store, by="sector", between=pair, seed=seed),
        lambda r: floor_rankings(G, pair, *r, seed),
        "igraph exact / scipy searches, one core" + (", both" if pair else ""))
    parts["brokers"] = step(
        f"brokers (sector{', between' if pair else ''})",
        lambda: A.brokers(store, by="sector", between=pair, seed=seed),
        lambda r: floor_brokers(G), "igraph constraint (roles, explanations: none)")
    parts["hybrids"] = step("hybrids", lambda: A.hybrids(store, seed=seed),
                            lambda _: floor_hybrids(G, bet.values), "scipy Mann-Whitney U")
    parts["risk"] = step("risk (top 10)", lambda: A.risk(store, by="sector", top=10, seed=seed),
                         lambda r: floor_risk(G, r), "igraph cut points + efficiency searches")
    everything = A.analyse_all(store, seed=seed, between=between)
    # Same parameters as analyse_all: it must have answered entirely from the cache.
    assert all(everything[k] is parts[k] for k in parts), "breakdown differs from analyse_all"
    wall = sum(v["wall"] for v in steps.values())
    cpu = sum(v["cpu"] for v in steps.values())
    floor = sum(v["floor"] or 0.0 for v in steps.values())
    print(f"  {'total':<34}{wall:8.2f} s {cpu:8.2f} s  {floor:8.2f} s {wall / floor:6.1f}x",
          flush=True)
    slowest = max(steps, key=lambda k: steps[k]["wall"])
    steps["total"] = {"wall": wall, "cpu": cpu, "floor": floor, "slowest": slowest}
    return steps, everything


# --- floors: the same work in the compiled library alone, on arrays prepared beforehand --------


def floor_snapshot_sqlite(store) -> float:
    """sqlite3 fetching every row the snapshot reads (no parsing, no objects)."""
    import sqlite3

    from kg.model import NodeLabel, RelType
    from kg.queries.snapshot import current_period
    from kg.store.sqlite import _SNAPSHOT_RELS

    p = current_period(store)
    hi = p.end.isoformat() if p.end else "9999-12-31"
    lo = p.start.isoformat() if p.start else "0001-01-01"
    conn = sqlite3.connect(store.path)
    start = time.perf_counter()
    for label in NodeLabel:
        conn.execute("SELECT id, props FROM nodes WHERE label = ? ORDER BY id",
                     (label.value,)).fetchall()
    for t in RelType:
        conn.execute(_SNAPSHOT_RELS, (t.value, hi, lo)).fetchall()
    seconds = time.perf_counter() - start
    conn.close()
    return seconds


def floor_snapshot_file(store) -> float | None:
    """numpy loading every array of the snapshot's file."""
    import numpy as np

    from kg.store.snapshot_files import folder_of

    files = sorted(folder_of(store.path).glob("r*.npz"), key=lambda f: f.stat().st_mtime)
    if not files:
        return None
    start = time.perf_counter()
    with np.load(files[-1], allow_pickle=False) as npz:
        for name in npz.files:
            npz[name]
    return time.perf_counter() - start


def floor_person_network(snap, G) -> float:
    """The sparse core of the projection: ties summed, each layer's membership matrix B and
    B diag(1/(n-1)) B^T, the layers added and thresholded -- without networkx."""
    import numpy as np
    import scipy.sparse as sp

    from kg.analysis.projection import _affiliations, _ties

    index = {p: i for i, p in enumerate(G)}
    n = len(index)
    a, b, w, _ = _ties(snap, index)
    keep = (a >= 0) & (b >= 0) & (a != b)
    a, b, w = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep]), w[keep]
    layers = []
    for layer in ("forums", "assets"):
        rows, cols, vals, scaled = [], [], [], []
        for c, members in enumerate(_affiliations(snap, layer).values()):
            members = {p: x for p, x in members.items() if p in index}
            if 2 <= len(members) <= 500:
                for p, x in members.items():
                    rows.append(index[p])
                    cols.append(c)
                    vals.append(x)
                    scaled.append(x / (len(members) - 1))
        layers.append((np.array(rows), np.array(cols), np.array(vals), np.array(scaled)))
    start = time.perf_counter()
    total = sp.csr_matrix((w, (a, b)), shape=(n, n))
    for rows, cols, vals, scaled in layers:
        if len(rows):
            B = sp.csr_matrix((vals, (rows, cols)), shape=(n, int(cols.max()) + 1))
            S = sp.csr_matrix((scaled, (rows, cols)), shape=B.shape)
            total = total + sp.triu(B @ S.T, k=1)
    total = sp.triu(total, k=1).tocoo()
    kept = total.data >= G.graph.get("min_weight", 0.05)
    total.row[kept], total.col[kept]
    return time.perf_counter() - start


def floor_tie_network(snap, D) -> float:
    import scipy.sparse as sp

    from kg.analysis.projection import _ties

    index = {p: i for i, p in enumerate(D)}
    a, b, w, _ = _ties(snap, index)
    keep = (a >= 0) & (b >= 0) & (a != b)
    start = time.perf_counter()
    sp.csr_matrix((w[keep], (a[keep], b[keep])), shape=(len(index), len(index))).sum_duplicates()
    return time.perf_counter() - start


def _igraph(G, weight=None):
    import igraph as ig

    from kg.analysis._fast import edge_arrays, node_index

    _, index = node_index(G)
    src, dst, w = edge_arrays(G, index, weight)
    graph = ig.Graph(n=len(index), edges=list(zip(src.tolist(), dst.tolist(), strict=True)),
                     directed=G.is_directed())
    return graph, w.tolist(), index


def floor_communities(G, seed: int, restarts: int) -> float:
    import random

    graph, w, _ = _igraph(G, "weight")
    start = time.perf_counter()
    for r in range(restarts):
        random.seed(seed + r)
        graph.community_multilevel(weights=w)
    return time.perf_counter() - start


def floor_silos(G, attribute: str, seed: int) -> float:
    import numpy as np

    from kg.analysis._fast import edge_arrays, group_codes, node_index

    _, index = node_index(G)
    u, v, _ = edge_arrays(G, index)
    codes = group_codes(a for _, a in G.nodes(data=attribute))
    k = int(codes.max()) + 1
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    for _ in range(999):
        g = rng.permutation(codes)
        np.bincount(g[u] * k + g[v], minlength=k * k)  # ties per pair of groups: E and I
    return time.perf_counter() - start


def _searches(G, pivots: int, seed: int) -> float:
    """scipy's breadth-first search from ``pivots`` people (distances only)."""
    import numpy as np
    from scipy.sparse.csgraph import breadth_first_order

    from kg.analysis._fast import adjacency, binary, node_index

    _, index = node_index(G)
    A = binary(adjacency(G, index))
    chosen = np.random.default_rng(seed).choice(len(index), size=min(pivots, len(index)),
                                                replace=False)
    start = time.perf_counter()
    for p in chosen.tolist():
        breadth_first_order(A, p, directed=True)  # A is symmetric already
    return time.perf_counter() - start


def floor_rankings(G, pair, overall, between, seed: int) -> float:
    """igraph's exact betweenness (with the between-groups pairs searched from the smaller
    group), or scipy's searches from the pivots the estimates used."""
    if overall.exact:
        graph, _, index = _igraph(G)
        start = time.perf_counter()
        graph.betweenness(directed=False)
        if pair is not None:
            sides = [[index[v] for v, s in G.nodes(data="sector") if s == g] for g in pair]
            sources, targets = sorted(sides, key=len)
            graph.betweenness(directed=False, sources=sources, targets=targets)
        return time.perf_counter() - start
    pivots = overall.sample_size
    if between is not None and between.exact:  # a group small enough to search from
        pivots += min(sum(1 for _, s in G.nodes(data="sector") if s == g) for g in pair)
    return _searches(G, pivots, seed)


def floor_brokers(G) -> float:
    graph, w, _ = _igraph(G, "weight")
    start = time.perf_counter()
    graph.constraint(weights=w)
    return time.perf_counter() - start


def floor_hybrids(G, scores: dict) -> float:
    from scipy.stats import mannwhitneyu

    hybrid = [scores[v] for v, h in G.nodes(data="hybrid") if h]
    others = [scores[v] for v, h in G.nodes(data="hybrid") if not h]
    start = time.perf_counter()
    if hybrid and others:
        mannwhitneyu(hybrid, others, alternative="two-sided")
    return time.perf_counter() - start


def floor_risk(G, result) -> float:
    import numpy as np

    graph, _, index = _igraph(G)
    combined = result.get("combined", {})
    gone = [index[row["id"]] for row in result.get("people", []) if row["id"] in index]
    after = graph.induced_subgraph(sorted(set(range(len(index))) - set(gone)))
    k = combined.get("efficiency_samples") or after.vcount()
    sources = np.random.default_rng(0).choice(after.vcount(), size=min(k, after.vcount()),
                                              replace=False).tolist()
    start = time.perf_counter()
    graph.articulation_points()
    after.harmonic_centrality(vertices=sources, mode="all")
    if combined.get("efficiency_exact"):
        graph.harmonic_centrality(mode="all")
    return time.perf_counter() - start


def fresh_process(out: Path) -> tuple[float, float]:
    """``kg analyse all --format json`` in a fresh process, as a user would run it: (wall, cpu
    of the process and its children)."""
    env = {**os.environ, "KG_BACKEND": "sqlite", "KG_DATA_DIR": str(out)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "analyse", "all",
                    "--format", "json"], check=True, env=env, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


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

    steps = None
    if not args.no_breakdown:
        print("\nEach step, a second cold pass (snapshot from its file), beside its floor")
        del result  # so the second pass does not hold two copies
        steps, result = breakdown(store, args.seed, between)
        peak = max(peak, peak_gb())

    print("\nA fresh process: kg analyse all --format json")
    fresh = fresh_process(Path(info["db"]).parent)
    line("wall (cpu incl. children)", fresh[0], f"cpu {fresh[1]:.2f} s; load average "
         f"{os.getloadavg()[0]:.1f}")

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
    met = ("met" if fresh[0] <= goal["seconds"] else "NOT met") if "seconds" in goal else ""
    print(f"  {'kg analyse all, fresh process':<44}{fresh[0]:10.2f} s  "
          + (f"<= {goal['seconds']:g} s: {met}" if met else ""))
    if steps is not None:
        total = steps["total"]
        print(f"  {'steps / their floors':<44}{total['wall']:10.2f} s  floors "
              f"{total['floor']:.2f} s ({total['wall'] / total['floor']:.1f}x)")
        slowest = total["slowest"]
        note = ""
        if "step" in goal:
            ok = steps[slowest]["wall"] <= goal["step"]
            note = f"<= {goal['step']:g} s: {'met' if ok else 'NOT met'}"
        print(f"  {'slowest step: ' + slowest:<44}{steps[slowest]['wall']:10.2f} s  {note}")
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
