"""An import killed at any moment (kill -9, a power cut) leaves the store as it was before or as
it is after, never half-written; and readers keep answering while an import writes."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from kg.ingest import ingest_path
from kg.store.sqlite import SQLiteStore

IMPORT = (
    "import sys\n"
    "from kg.ingest import ingest_path\n"
    "from kg.store.sqlite import SQLiteStore\n"
    "ingest_path(SQLiteStore(sys.argv[1]), sys.argv[2])\n"
)


@pytest.fixture(scope="module")
def full_counts(small_bundle, tmp_path_factory):
    with SQLiteStore(tmp_path_factory.mktemp("whole") / "kg.sqlite") as store:
        ingest_path(store, small_bundle)
        return store.counts()


def _empty(counts: dict) -> bool:
    return not any(counts["nodes"].values()) and not any(counts["relationships"].values())


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_an_import_killed_at_random_moments_is_all_or_nothing(small_bundle, tmp_path,
                                                              full_counts):
    rng = random.Random(20261130)
    # One kill before Python has started, kills spread over the import, and one run left to
    # finish: whatever the machine's speed, both ends are seen and every kill in between must
    # leave one of them.
    delays = [0.02] + sorted(rng.uniform(0.2, 3.0) for _ in range(4)) + [None]
    outcomes = set()
    for attempt, delay in enumerate(delays):
        path = tmp_path / f"kg-{attempt}.sqlite"
        SQLiteStore(path).close()  # the store exists, empty, before the import starts
        proc = subprocess.Popen([sys.executable, "-c", IMPORT, str(path), str(small_bundle)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if delay is not None:
            time.sleep(delay)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        with SQLiteStore(path) as store:
            counts = store.counts()
        assert _empty(counts) or counts == full_counts, f"half-written after kill {attempt}"
        outcomes.add("before" if _empty(counts) else "after")
    assert outcomes == {"before", "after"}


def test_readers_answer_while_an_import_writes(small_bundle, tmp_path, full_counts):
    path = tmp_path / "kg.sqlite"
    SQLiteStore(path).close()
    seen, errors = [], []
    done = threading.Event()

    def read():
        with SQLiteStore(path) as store:
            while not done.is_set():
                try:
                    counts = store.counts()
                    seen.append(_empty(counts) or counts == full_counts)
                except Exception as exc:  # noqa: BLE001 - any failure is the finding
                    errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for r in readers:
        r.start()
    with SQLiteStore(path) as store:
        ingest_path(store, small_bundle)
    done.set()
    for r in readers:
        r.join(timeout=30)
    assert not errors
    assert seen and all(seen)  # every read saw the store before or after, never between
