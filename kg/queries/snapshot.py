"""Read the store once per revision: snapshots by window or phase, cached.

``load_snapshot(store, window="2014-07-01:2016-06-30")`` or ``load_snapshot(store,
phase="PH2")`` (a phase id or name from ``phases.csv``). The cache keys on the store's location
and revision, so any write makes the next read fresh; nothing stale is ever served.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date

from kg.errors import InvalidParameter, NotFound
from kg.model import NodeLabel
from kg.store.base import GraphSnapshot, GraphStore

__all__ = ["cached", "clear_cache", "load_snapshot", "parse_window", "phases", "store_key"]

_CACHE: OrderedDict = OrderedDict()
_LOCK = threading.Lock()
_MAX_ENTRIES = 128  # networks, analyses, encoded answers and pages of a few periods
_BUILDING: dict = {}  # key -> lock, so concurrent requests compute a value once


def store_key(store: GraphStore) -> tuple:
    """Identifies a store across open handles: backend and location."""
    where = getattr(store, "path", None) or getattr(store, "uri", None) or id(store)
    return (store.backend, str(where), getattr(store, "database", None))


def cached(store: GraphStore, name: str, params: tuple, compute: Callable[[], object]):
    """Return ``compute()`` for ``(store, revision, name, params)``, computing it once."""
    key = (store_key(store), store.revision(), name, params)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        building = _BUILDING.setdefault(key, threading.Lock())
    with building:
        with _LOCK:
            if key in _CACHE:
                return _CACHE[key]
        value = compute()
        with _LOCK:
            _CACHE[key] = value
            _BUILDING.pop(key, None)
            while len(_CACHE) > _MAX_ENTRIES:
                _CACHE.popitem(last=False)
    return value


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()


def phases(store: GraphStore) -> list[dict]:
    """The named phases in the store, in date order: ``[{"id", "name", "start", "end"}]``."""
    rows = [
        {"id": n.id, "name": n.props.get("name"), "start": n.props.get("start"),
         "end": n.props.get("end")}
        for n in store.find_nodes(NodeLabel.PHASE)
    ]
    return sorted(rows, key=lambda r: (str(r["start"]), r["id"]))


def _date(text: str, what: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidParameter(f"{what} {text!r} is not a date in YYYY-MM-DD form") from None


def parse_window(
    store: GraphStore, window: str | None = None, phase: str | None = None
) -> tuple[date | None, date | None]:
    """``(start, end)`` from ``"START:END"`` (either side may be blank) or a phase id or name."""
    if window and phase:
        raise InvalidParameter("give a window or a phase, not both")
    if phase:
        wanted = phase.strip().lower()
        for p in phases(store):
            if wanted in (str(p["id"]).lower(), str(p["name"] or "").lower()):
                return _date(str(p["start"] or ""), "phase start"), _date(
                    str(p["end"] or ""), "phase end")
        known = ", ".join(f"{p['id']} ({p['name']})" for p in phases(store)) or "none"
        raise NotFound("phase", phase, hint=f"phases in the store: {known}")
    if not window:
        return None, None
    if ":" not in window:
        raise InvalidParameter(f"window {window!r} must be START:END, e.g. 2014-07-01:2016-06-30")
    lo, hi = window.split(":", 1)
    start, end = _date(lo, "window start"), _date(hi, "window end")
    if start and end and end < start:
        raise InvalidParameter(f"window {window!r} ends before it starts")
    return start, end


def load_snapshot(
    store: GraphStore, *, window: str | None = None, phase: str | None = None
) -> GraphSnapshot:
    """The store's graph (or the part active in a window or phase), read once per revision."""
    start, end = parse_window(store, window, phase)
    return cached(store, "snapshot", (start, end), lambda: store.snapshot(start, end))

