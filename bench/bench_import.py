"""Import speed and memory on the demo partnership (issue: import the large bundle in <= 90 s
with <= 3 GB peak memory; re-import in <= 90 s).

Runs each step in a fresh process so peak memory (ru_maxrss) belongs to that step alone, and puts
a floor beside it: the same CSV rows copied into SQLite with no checks at all (csv.reader +
executemany into one flat table per file), i.e. the cost of moving the bytes.

    python bench/bench_import.py --size large        # about 2-3 minutes in all
    python bench/bench_import.py --size medium
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STEP = r"""
import json, resource, sys, time
from pathlib import Path
mode, bundle, db = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
t = time.perf_counter()
if mode == "floor":
    import csv, sqlite3
    con = sqlite3.connect(db)
    rows = 0
    for f in sorted(bundle.glob("*.csv")):
        with f.open(newline="", encoding="utf-8") as fh:
            r = csv.reader(fh)
            header = next(r)
            cols = ",".join(f"c{i}" for i in range(len(header)))
            con.execute(f"CREATE TABLE IF NOT EXISTS {f.stem} ({cols})")
            data = list(r)
            rows += len(data)
            marks = ",".join("?" * len(header))
            con.executemany(f"INSERT INTO {f.stem} VALUES ({marks})", data)
    con.commit()
else:
    from kg.ingest import ingest_path
    from kg.store.sqlite import SQLiteStore
    with SQLiteStore(db) as store:
        report = ingest_path(store, bundle)
        rows = sum(report.rows.values())
        written = report.as_dict()
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": rows, "seconds": seconds, "peak_mb": peak}))
"""


def run_step(mode: str, bundle: Path, db: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", STEP, mode, str(bundle), str(db)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="large", choices=("small", "medium", "large"))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from kg.demo import generate_bundle

    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    bundle = work / "bundle"
    t = time.perf_counter()
    truth = generate_bundle(bundle, size=args.size, seed=args.seed)
    print(f"generated {args.size} bundle: {truth['counts']} in {time.perf_counter() - t:.1f} s")
    results = {
        "floor (no checks, flat tables)": run_step("floor", bundle, work / "floor.sqlite"),
        "kg import": run_step("kg", bundle, work / "kg.sqlite"),
        "kg re-import (idempotent)": run_step("kg", bundle, work / "kg.sqlite"),
    }
    floor = results["floor (no checks, flat tables)"]["seconds"]
    header = ("step", "rows", "seconds", "rows/s", "peak MB", "vs floor")
    print("\n{:34} {:>10} {:>8} {:>10} {:>8} {:>8}".format(*header))
    for name, r in results.items():
        print(f"{name:34} {r['rows']:>10,} {r['seconds']:>8.1f} {r['rows'] / r['seconds']:>10,.0f} "
              f"{r['peak_mb']:>8,.0f} {r['seconds'] / floor:>7.1f}x")
    if args.size == "large":
        ok = all(r["seconds"] <= 90 and r["peak_mb"] <= 3072 for n, r in results.items()
                 if n.startswith("kg"))
        print(f"\ngoal (<= 90 s and <= 3 GB each, on this machine): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
