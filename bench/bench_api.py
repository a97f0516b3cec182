"""Load the HTTP API with concurrent clients and print latency percentiles and errors.

    .venv/bin/python bench/bench_api.py [--size medium] [--clients 20] [--seconds 30]

Builds the demo partnership's bundle (``bench/out/api-<size>``; reused when present) and imports
it with ``kg ingest`` into a new, empty store, so nothing of an earlier run is left (no cached
snapshot file either); starts ``kg serve`` in its own process on a loopback port; times the
first, cold request of each route (the first answer after an import); then runs ``--clients``
concurrent clients for ``--seconds`` against each route in turn and prints requests, errors,
throughput and p50/p95/p99 latency, and the ratio of the cold request to the cached p95.

Then, while one costly new question computes (brokers over the whole history, ``window=all``:
a new snapshot, network and betweenness), it loads ``/health``, a cached answer and a person's
record, each with a few paced clients, and prints their p50/p95 beside the same load's when the
server is idle: a computation must not hold up the other requests.

Goals (issue 12, medium partnership, 20 clients): cached answers p95 <= 20 ms with zero errors;
the first answer after an import <= 3 s per route; during a computation, the other routes keep
their usual time: p95 within the same 20 ms (the ratio to their idle p95 is printed too).

The load comes from ``wrk`` when it is installed (``apt-get install wrk``: a C client, so the
figures are the server's), else from threads of ``httpx`` clients in this process (whose own
cost then shows in the latencies). Only loopback traffic; every loop is bounded by time and count.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

import httpx
from _wrk import ROOT, finish_wrk, free_port, load_httpx, load_wrk, start_server, start_wrk

KEY = "bench-viewer-key"
BROKERS = ("/analysis/brokers", {"by": "sector", "between": ["acute", "community"]})
ROUTES = [BROKERS, ("/maps/network", {})]
# A question no route above has asked: a new period, so a new snapshot, network and betweenness.
COSTLY = ("/analysis/brokers", {**BROKERS[1], "window": "all"})
MAX_REQUESTS = 200_000  # a hard cap per route, whatever the duration
WRK_HEADERS = (f"X-API-Key: {KEY}", "Accept-Encoding: gzip")
GOAL_P95_MS = 20.0
GOAL_COLD_MS = 3000.0
# The load beside a computation: a few clients per route, each pausing between requests, so
# the figures are each request's time rather than a queue behind a saturated server.
DURING_CLIENTS = 2
DURING_PAUSE_MS = 20


def prepare(size: str, data: Path) -> None:
    """The bundle (generated once), imported by ``kg ingest`` into a new store."""
    from kg.demo import generate_bundle

    bundle = data / "bundle"
    if not (bundle / "truth.json").exists():
        print(f"generating the {size} demo partnership ...", flush=True)
        generate_bundle(bundle, size=size, seed=7)
    for old in data.glob("carebridge.sqlite*"):  # the store, its WAL and snapshot files
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    t = time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).parent / "kg"), "ingest", str(bundle)],
                          env=dict(os.environ, KG_DATA_DIR=str(data)), cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"kg ingest failed:\n{done.stdout}{done.stderr}")
    print(f"kg ingest into a new store: {time.perf_counter() - t:.1f} s", flush=True)


def url_of(path: str, params: dict) -> str:
    return str(httpx.URL(path, params=params))


def during_computation(base: str, seconds: float) -> tuple[dict, dict, float]:
    """p50/p95 of cheap routes, idle and while :data:`COSTLY` computes; and its time (ms)."""
    headers = {"X-API-Key": KEY}
    person = httpx.get(base + "/people?limit=1", headers=headers).json()["items"][0]["id"]
    cheap = {"/health": "/health", "cached answer": url_of(*BROKERS),
             "/people/{id}": f"/people/{person}"}
    for url in cheap.values():  # the cached answer is cached, the rest have run once
        httpx.get(base + url, headers=headers, timeout=600).raise_for_status()

    def load(bound: float) -> dict:
        return {name: start_wrk(base, [url], DURING_CLIENTS, bound, WRK_HEADERS,
                                delay_ms=DURING_PAUSE_MS) for name, url in cheap.items()}

    running = load(seconds)
    idle = {name: finish_wrk(r) for name, r in running.items()}
    done = threading.Event()
    took = [float("nan")]

    def ask() -> None:
        t = time.perf_counter()
        try:
            httpx.get(base + url_of(*COSTLY), headers=headers, timeout=600).raise_for_status()
            took[0] = (time.perf_counter() - t) * 1000
        finally:
            done.set()

    running = load(600)  # stopped when the computation is over
    time.sleep(0.5)  # the load under way before the question
    asker = threading.Thread(target=ask)
    asker.start()
    done.wait(600)
    busy = {name: finish_wrk(r, stop=True) for name, r in running.items()}
    asker.join()
    return idle, busy, took[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="medium", choices=["small", "medium"])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--httpx", action="store_true", help="load with httpx even if wrk is installed"
    )
    args = parser.parse_args()

    data = ROOT / "bench" / "out" / f"api-{args.size}"
    prepare(args.size, data)
    # The machine may be shared: a cold answer's time depends on the cores left to it.
    print("load average before the cold requests: "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    port = free_port()
    proc = start_server(data, port, f"{KEY}:viewer")
    base = f"http://127.0.0.1:{port}"
    use_wrk = shutil.which("wrk") is not None and not args.httpx
    during = None
    try:
        cold = {}
        for path, params in ROUTES:
            t = time.perf_counter()
            r = httpx.get(base + path, params=params, headers={"X-API-Key": KEY}, timeout=600)
            r.raise_for_status()
            cold[path] = (time.perf_counter() - t) * 1000
        results = {}
        for path, params in ROUTES:
            load = load_wrk if use_wrk else partial(load_httpx, max_requests=MAX_REQUESTS)
            results[path] = load(base, [url_of(path, params)], args.clients, args.seconds,
                                 WRK_HEADERS)
        if use_wrk:
            during = during_computation(base, min(args.seconds, 10))
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    print(
        f"\n{args.clients} concurrent clients, {args.seconds:.0f} s per route, "
        f"{args.size} partnership, cache warm (cold: the first request after kg ingest)"
    )
    head = (
        "route",
        "cold ms",
        "requests",
        "errors",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "cold/p95",
    )
    print("{:20} {:>9} {:>9} {:>7} {:>8} {:>8} {:>8} {:>8} {:>9}".format(*head))
    for path, r in results.items():
        print(
            f"{path:20} {cold[path]:>9.0f} {r['requests']:>9,} {r['errors']:>7} "
            f"{r['rps']:>8.0f} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['p99']:>8.1f} "
            f"{cold[path] / r['p95']:>8.0f}x"
        )
    cached_ok = all(r["p95"] <= GOAL_P95_MS and r["errors"] == 0 for r in results.values())
    cold_ok = all(ms <= GOAL_COLD_MS for ms in cold.values())
    print(f"\ngoal (cached p95 <= {GOAL_P95_MS:.0f} ms on each route, zero errors): "
          f"{'met' if cached_ok else 'NOT met'}")
    print(f"goal (first answer after an import <= {GOAL_COLD_MS / 1000:.0f} s on each route): "
          f"{'met' if cold_ok else 'NOT met'}")
    if during is None:
        print("(the load during a computation needs wrk)")
        return
    idle, busy, took = during
    print(f"\nwhile {url_of(*COSTLY)} computes ({took:,.0f} ms), {DURING_CLIENTS} clients per "
          f"route, each pausing {DURING_PAUSE_MS} ms between requests:")
    print("{:16} {:>10} {:>10} {:>10} {:>10} {:>8} {:>12}".format(
        "route", "idle p50", "idle p95", "busy p50", "busy p95", "errors", "busy/idle p95"))
    during_ok = True
    for name in idle:
        i, b = idle[name], busy[name]
        ratio = b["p95"] / i["p95"]
        during_ok &= b["p95"] <= GOAL_P95_MS and b["errors"] == 0
        print(f"{name:16} {i['p50']:>10.2f} {i['p95']:>10.2f} {b['p50']:>10.2f} "
              f"{b['p95']:>10.2f} {b['errors']:>8} {ratio:>12.1f}x")
    print(f"\ngoal (during a computation, p95 <= {GOAL_P95_MS:.0f} ms on each, zero errors): "
          f"{'met' if during_ok else 'NOT met'}")


if __name__ == "__main__":
    main()
