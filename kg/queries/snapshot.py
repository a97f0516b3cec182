"""Read the store once per revision: the period an answer covers, and its snapshot, cached.

``load_snapshot(store)`` reads the partnership as it is now (:mod:`kg.queries.period`);
``load_snapshot(store, window="2014-07-01:2016-06-30")``, ``phase="PH2"`` or ``window="all"``
read another period. The cache keys on the store's location and revision, so any write makes the
next read fresh; nothing stale is ever served.

The cache holds two kinds of value with separate bounds: a few large ones (snapshots and
networks, hundreds of MB each on a large partnership) and many small ones (analyses, encoded
answers and pages, bounded in bytes when their size is known), so a stream of distinct small
questions cannot evict the networks, nor many periods fill the memory.

A snapshot of the embedded SQLite store is also filed on disk, as arrays, beside the store
(``carebridge.sqlite.snapshots/``), under the store's revision and identity
(:meth:`kg.store.sqlite.SQLiteStore.snapshot_identity`): a fresh process (the CLI, a restarted
server) loads it in a fraction of the time it takes to read and parse every row again. A file
is used only when the store still has that revision and identity; writing a new revision's
file removes the older ones. A folder that cannot be written just means no file.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import orjson

from kg.queries.period import Period, phases, resolve_period
from kg.store.base import GraphSnapshot, GraphStore

__all__ = [
    "cached",
    "clear_cache",
    "current_period",
    "is_cached",
    "load_snapshot",
    "phases",
    "store_key",
]

#: Values that are whole networks: at most this many are kept.
LARGE = frozenset({"snapshot", "person_graph", "tie_graph", "betweenness", "broker_betweenness"})
MAX_LARGE = 6
MAX_SMALL = 512
MAX_SMALL_BYTES = 256 * 1024 * 1024

_LOCK = threading.Lock()
_LARGE: OrderedDict = OrderedDict()
_SMALL: OrderedDict = OrderedDict()
_small_bytes = 0
_BUILDING: dict = {}  # key -> lock, so concurrent requests compute a value once


def store_key(store: GraphStore) -> tuple:
    """Identifies a store across open handles: backend and location."""
    where = getattr(store, "path", None) or getattr(store, "uri", None) or id(store)
    return (store.backend, str(where), getattr(store, "database", None))


def _size(value) -> int:
    return len(value) if isinstance(value, bytes | str) else 0


def cached(store: GraphStore, name: str, params: tuple, compute: Callable[[], object],
           *, revision: int | None = None):
    """Return ``compute()`` for ``(store, revision, name, params)``, computing it once.

    ``revision`` defaults to the store's current one; pass the revision a value was computed
    from when it is known, so an answer is never filed under a revision it does not hold.
    """
    if revision is None:
        revision = store.revision()
    key = (store_key(store), revision, name, params)
    table = _LARGE if name in LARGE else _SMALL
    with _LOCK:
        if key in table:
            table.move_to_end(key)
            return table[key]
        building = _BUILDING.setdefault(key, threading.Lock())
    try:
        with building:
            with _LOCK:
                if key in table:
                    return table[key]
            value = compute()
            # Filed under the revision only if no write landed while it was computed (revisions
            # only move forward, so equal before and after means every read saw this one).
            if store.revision() == revision:
                _put(table, key, value)
    finally:
        with _LOCK:
            _BUILDING.pop(key, None)  # released even when compute() raised
    return value


def is_cached(store: GraphStore, name: str, params: tuple, *, revision: int) -> bool:
    """Whether :func:`cached` holds this value already (a look, no computation)."""
    key = (store_key(store), revision, name, params)
    with _LOCK:
        return key in (_LARGE if name in LARGE else _SMALL)


def _put(table: OrderedDict, key, value) -> None:
    global _small_bytes
    with _LOCK:
        table[key] = value
        if table is _LARGE:
            while len(table) > MAX_LARGE:
                table.popitem(last=False)
            return
        _small_bytes += _size(value)
        while len(table) > MAX_SMALL or (_small_bytes > MAX_SMALL_BYTES and len(table) > 1):
            _, old = table.popitem(last=False)
            _small_bytes -= _size(old)


def clear_cache() -> None:
    global _small_bytes
    with _LOCK:
        _LARGE.clear()
        _SMALL.clear()
        _small_bytes = 0


def current_period(
    store: GraphStore, window: str | None = None, phase: str | None = None,
    as_of: str | date | None = None,
) -> Period:
    """The period an answer covers (:func:`kg.queries.period.resolve_period`), cached."""
    return cached(store, "period", (window, phase, str(as_of) if as_of else None),
                  lambda: resolve_period(store, window, phase, as_of))


def load_snapshot(
    store: GraphStore, *, window: str | None = None, phase: str | None = None,
    as_of: str | date | None = None,
) -> GraphSnapshot:
    """The part of the store's graph active in the period, read once per revision."""
    p = current_period(store, window, phase, as_of)
    return cached(store, "snapshot", (p.start, p.end), lambda: _read(store, p.start, p.end))


# --- snapshots filed on disk ---------------------------------------------------------------------

#: Bumped whenever the layout of a snapshot file changes: files of another format are ignored.
DISK_FORMAT = 1
#: Snapshot files kept beside a store (periods of the current revision), the least recently
#: used removed first: a large partnership's file is about 150 MB.
MAX_FILES = 6


def _read(store: GraphStore, start: date | None, end: date | None) -> GraphSnapshot:
    """The snapshot from its file when there is a current one, else from the store (then filed)."""
    folder = _folder(store)
    if folder is None:
        return store.snapshot(start, end)
    identity = store.snapshot_identity()
    snap = _load(folder / _file_name(identity, start, end), identity, (start, end))
    if snap is None:
        snap = store.snapshot(start, end)
        if getattr(snap, "identity", None) is not None:
            _save(folder, snap)
    return snap


def _folder(store: GraphStore) -> Path | None:
    """Where a store's snapshot files go (None: a store that cannot name its identity)."""
    path = getattr(store, "path", None)
    if path is None or not hasattr(store, "snapshot_identity"):
        return None
    return Path(path).with_name(Path(path).name + ".snapshots")


def _file_name(identity: tuple, start: date | None, end: date | None) -> str:
    ends = "_".join(d.isoformat() if d else "open" for d in (start, end))
    return f"r{identity[0]}_{ends}.npz"


def _load(path: Path, identity: tuple, window: tuple) -> GraphSnapshot | None:
    from kg.model import NodeLabel, RelType
    from kg.store.sqlite import ColumnarSnapshot, RelColumns

    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        os.utime(path)  # recently used: kept when older periods' files are removed
        meta = orjson.loads(arrays.pop("meta").tobytes())
        if (meta.get("format") != DISK_FORMAT or tuple(meta["identity"]) != tuple(identity)
                or meta["window"] != [d.isoformat() if d else None for d in window]):
            return None
        nodes = {NodeLabel(label): orjson.loads(arrays.pop(f"nodes:{label}").tobytes())
                 for label in meta["labels"]}
        columns = {RelType(t): RelColumns.from_arrays(RelType(t), arrays, f"{t}/")
                   for t in meta["types"]}
    except (OSError, ValueError, KeyError, TypeError):  # absent, partial or of another version
        return None
    # A vocabulary the code has since grown (a new label or type) reads as present and empty.
    nodes = {label: nodes.get(label, {}) for label in NodeLabel}
    if set(RelType) - set(columns):
        return None
    snap = ColumnarSnapshot(identity[0], window, nodes, columns)
    snap.identity = identity
    return snap


def _save(folder: Path, snap) -> None:
    """File the snapshot (atomically: written aside, then renamed) and drop older revisions."""
    identity = snap.identity
    arrays = {}
    for label, nodes in snap.nodes.items():
        arrays[f"nodes:{label.value}"] = np.frombuffer(orjson.dumps(nodes), dtype=np.uint8)
    types = []
    for rel_type in snap.relationships:
        arrays.update(snap.columns(rel_type).to_arrays(f"{rel_type.value}/"))
        types.append(rel_type.value)
    meta = {"format": DISK_FORMAT, "identity": list(identity),
            "window": [d.isoformat() if d else None for d in snap.window],
            "labels": [label.value for label in snap.nodes], "types": types}
    arrays["meta"] = np.frombuffer(orjson.dumps(meta), dtype=np.uint8)
    name = _file_name(identity, *snap.window)
    writing = None
    try:
        folder.mkdir(exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".writing-", suffix=".npz",
                                         delete=False) as out:
            writing = Path(out.name)
            np.savez(out, **arrays)
        os.replace(writing, folder / name)
        writing = None
        kept = []
        for old in folder.glob("r*_*.npz"):
            revision = old.name[1:].split("_", 1)[0]
            if revision.isdigit() and int(revision) < identity[0]:
                old.unlink(missing_ok=True)
            else:
                kept.append((old.stat().st_mtime, old))
        for _, old in sorted(kept, key=lambda x: x[0], reverse=True)[MAX_FILES:]:
            old.unlink(missing_ok=True)
    except OSError:
        # A read-only or full disk: the snapshot still serves this process.
        if writing is not None:
            writing.unlink(missing_ok=True)
