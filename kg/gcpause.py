"""The cyclic garbage collector paused while millions of small records are built.

Importing a bundle or projecting a network allocates millions of dicts, lists and tuples but no
reference cycles, while the collector, set off by the allocations, goes over the whole heap
again and again: up to half the time on a large partnership. :func:`gc_paused` pauses it
meanwhile. The collector is the process's, so pauses are counted across threads and it resumes,
as it was, when the last one ends.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

__all__ = ["gc_paused"]

_LOCK = threading.Lock()
_PAUSE = {"depth": 0, "was_enabled": False}


@contextmanager
def gc_paused():
    """Pause the cyclic collector for a ``with`` block (or a function, as a decorator)."""
    with _LOCK:
        if _PAUSE["depth"] == 0:
            _PAUSE["was_enabled"] = gc.isenabled()
            gc.disable()
        _PAUSE["depth"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _PAUSE["depth"] -= 1
            if _PAUSE["depth"] == 0 and _PAUSE["was_enabled"]:
                gc.enable()
