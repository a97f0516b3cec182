"""Rates per caller, in memory: how often one key (or one survey link) may make the server work.

:class:`TokenBucket` is Turner's token bucket: a burst of ``capacity`` requests, then
``per_minute`` a minute.

References
----------
.. [1] J. Turner, "New directions in communications (or which way to the information age?)",
   IEEE Communications Magazine 24(10), 1986 (the token bucket).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

__all__ = ["TokenBucket"]


class TokenBucket:
    """A token bucket per key, in memory: ``capacity`` at once, refilled at ``per_minute``.

    Parameters
    ----------
    per_minute : float
        Sustained rate allowed per key.
    capacity : int, optional
        The burst allowed after a quiet spell (default: one minute's worth).
    max_keys : int
        Keys kept at most; the least recently used go first (a full bucket is what a new key
        gets anyway, so forgetting one only forgives it early).
    clock : callable
        Seconds, monotonic (a test passes its own).

    Examples
    --------
    >>> now = [0.0]
    >>> bucket = TokenBucket(60, capacity=2, clock=lambda: now[0])
    >>> [bucket.take("a") for _ in range(3)]
    [0.0, 0.0, 1.0]
    >>> now[0] = 1.0
    >>> bucket.take("a")
    0.0
    """

    def __init__(self, per_minute: float, *, capacity: int | None = None,
                 max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic):
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.rate = per_minute / 60.0
        self.capacity = float(capacity if capacity is not None else per_minute)
        if self.capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend one token of ``key``: 0.0 when allowed, else the seconds until one is free."""
        with self._lock:
            now = self.clock()
            tokens, last = self._buckets.pop(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return wait
