"""Read the store once per revision: the period an answer covers, and its snapshot, cached.

``load_snapshot(store)`` reads the partnership as it is now (:mod:`kg.queries.period`);
``load_snapshot(store, window="2014-07-01:2016-06-30")``, ``phase="PH2"`` or ``window="all"``
read another period. The cache keys on the store's location and revision, so any write makes the
next read fresh; nothing stale is ever served.

The cache holds two kinds of value with separate bounds: a few large ones (snapshots and
networks, hundreds of MB each on a large partnership) and many small ones (analyses, encoded
answers and pages, bounded in bytes when their size is known), so a stream of distinct small
questions cannot evict the networks, nor many periods fill the memory.

The embedded SQLite store also files each snapshot it reads on disk, so a fresh process reads
it back in a fraction of the time (:mod:`kg.store.snapshot_files`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date

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
    return cached(store, "snapshot", (p.start, p.end), lambda: store.snapshot(p.start, p.end))
