"""How much a respondent's link may send, and how often.

The link is the only credential of a respondent's page, so whoever holds one (or tries many)
must not be able to fill the survey store or tie up the server. The sizes bound one request;
the rates are enforced per link at the edge (:class:`api.ratelimit.TokenBucket`).
"""

from __future__ import annotations

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_NAMES",
    "MAX_QUERY_CHARS",
    "MAX_QUESTIONS",
    "MATCHES",
    "READS_PER_MINUTE",
    "WRITES_PER_MINUTE",
]

MAX_BODY_BYTES = 64 * 1024  # one save of every answer: 20 questions x 200 names fit easily
MAX_NAMES = 200  # names per question
MAX_QUESTIONS = 20
MAX_QUERY_CHARS = 100  # a type-ahead query
MATCHES = 20  # names a type-ahead answer lists at most
WRITES_PER_MINUTE = 30  # saves, consents and opt-outs per link
READS_PER_MINUTE = 240  # type-ahead lookups per link (a fast typist makes about 5 a second)
