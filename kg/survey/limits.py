"""How much a respondent's link may send, and how often.

The link is the only credential of a respondent's page, so whoever holds one (or tries many)
must not be able to fill the survey store or tie up the server. The sizes bound one request;
:class:`TokenBucket` bounds the rate per link (Turner 1986's token bucket: a burst of
``capacity`` requests, then ``rate`` per second).

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

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_NAMES",
    "MAX_QUERY_CHARS",
    "MAX_QUESTIONS",
    "MATCHES",
    "READS_PER_MINUTE",
    "WRITES_PER_MINUTE",
    "TokenBucket",
]

MAX_BODY_BYTES = 64 * 1024  # one save of every answer: 20 questions x 200 names fit easily
MAX_NAMES = 200  # names per question
MAX_QUESTIONS = 20
MAX_QUERY_CHARS = 100  # a type-ahead query
MATCHES = 20  # names a type-ahead answer lists at most
WRITES_PER_MINUTE = 30  # saves, consents and opt-outs per link
READS_PER_MINUTE = 240  # type-ahead lookups per link (a fast typist makes about 5 a second)


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
