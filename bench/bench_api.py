"""Load the HTTP API with concurrent clients and print latency percentiles and errors.

    .venv/bin/python bench/bench_api.py [--size medium] [--clients 20] [--seconds 30]

Builds the demo partnership (``bench/out/api-<size>``; reused when present), starts ``kg serve``
in its own process on a loopback port, warms the cache (the first, cold request of each route is
timed and printed: that is the baseline the cache saves), then runs ``--clients`` concurrent
clients for ``--seconds`` against each route in turn and prints requests, errors, throughput and
p50/p95/p99 latency, and the ratio of the cold request to the cached p95. Goal (issue 4): p95 of
``/analysis/brokers`` <= 50 ms with zero errors on the medium partnership.

The load comes from ``wrk`` when it is installed (``apt-get install wrk``: a C client, so the
figures are the server's), else from an asyncio ``httpx`` client in this process (whose own
cost then shows in the latencies). Only loopback traffic; every loop is bounded by time and count.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import time
from pathlib import Path

import httpx
from _wrk import ROOT, free_port, load_wrk, start_server, summary

KEY = "bench-viewer-key"
ROUTES = [
    ("/analysis/brokers", {"by": "sector", "between": ["acute", "community"]}),
    ("/maps/network", {}),
]
MAX_REQUESTS = 200_000  # a hard cap per route, whatever the duration
WRK_HEADERS = (f"X-API-Key: {KEY}", "Accept-Encoding: gzip")


def prepare(size: str, data: Path) -> None:
    from kg.demo import generate_bundle
    from kg.ingest import ingest_path
    from kg.store.sqlite import SQLiteStore

    bundle = data / "bundle"
    if not (bundle / "truth.json").exists():
        print(f"generating the {size} demo partnership ...", flush=True)
        generate_bundle(bundle, size=size, seed=7)
    with SQLiteStore(data / "carebridge.sqlite") as store:
        t = time.perf_counter()
        ingest_path(store, bundle)
        print(f"store ready ({time.perf_counter() - t:.1f} s)", flush=True)


async def load(base: str, path: str, params: dict, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base, headers={"X-API-Key": KEY}, limits=limits, timeout=30
    ) as client:

        async def worker() -> None:
            nonlocal errors
            while time.monotonic() < stop and len(latencies) + errors < MAX_REQUESTS:
                t = time.perf_counter()
                try:
                    r = await client.get(path, params=params)
                    await r.aread()
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    latencies.append(time.perf_counter() - t)
                else:
                    errors += 1

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.monotonic() - started
    return summary(latencies, errors, elapsed)


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
    port = free_port()
    proc = start_server(data, port, f"{KEY}:viewer")
    base = f"http://127.0.0.1:{port}"
    try:
        cold = {}
        for path, params in ROUTES:
            t = time.perf_counter()
            r = httpx.get(base + path, params=params, headers={"X-API-Key": KEY}, timeout=600)
            r.raise_for_status()
            cold[path] = (time.perf_counter() - t) * 1000
        use_wrk = shutil.which("wrk") is not None and not args.httpx
        results = {}
        for path, params in ROUTES:
            if use_wrk:
                url = str(httpx.URL(path, params=params))
                results[path] = load_wrk(base, [url], args.clients, args.seconds, WRK_HEADERS)
            else:
                results[path] = asyncio.run(load(base, path, params, args.clients, args.seconds))
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    print(
        f"\n{args.clients} concurrent clients, {args.seconds:.0f} s per route, "
        f"{args.size} partnership, cache warm"
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
    brokers = results["/analysis/brokers"]
    ok = brokers["p95"] <= 50 and all(r["errors"] == 0 for r in results.values())
    print(f"\ngoal (/analysis/brokers p95 <= 50 ms, zero errors): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
