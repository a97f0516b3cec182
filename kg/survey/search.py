"""Type-ahead over a survey's roster: any word of a name, from its first letters.

A respondent types part of a colleague's name ("sam", "sam kh", "khan s") and gets at most 20
people whose name has, for every word typed, a word starting with it. The index is one sorted
list of every (normalised) word of every name, so each typed word is a prefix range found by
binary search; the rarest typed word's range is walked in order and the others are checked per
person. On a 100,000-person roster a lookup takes well under a millisecond
(``bench/bench_survey.py``).

Normalising folds case and accents and drops apostrophes, so "Siobhán O'Neill" is found by
"siobhan oneill", "o'ne" or "ONEILL".
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence

__all__ = ["RosterIndex", "name_words"]

_APOSTROPHES = re.compile(r"['\u2019\u2018`\u02bc]")
_SPLIT = re.compile(r"[\W_]+")
_SCAN_LIMIT = 50_000  # entries walked at most per lookup: a bound on the worst case


def name_words(text: str) -> list[str]:
    """The normalised words of a name or query (case and accents folded, apostrophes dropped).

    Examples
    --------
    >>> name_words("Siobhán O'Neill-Hughes")
    ['siobhan', 'oneill', 'hughes']
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = _APOSTROPHES.sub("", plain)
    return [w for w in _SPLIT.split(plain) if w]


def _after(prefix: str) -> str:
    """The smallest string greater than every string that starts with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class RosterIndex:
    """A prefix index of the words of names.

    Parameters
    ----------
    entries : sequence of (key, name)
        ``key`` is what a lookup returns (an int), ``name`` what it matches.

    Examples
    --------
    >>> index = RosterIndex([(1, "Sam Khan"), (2, "Samira Patel"), (3, "Ruth Sampson"),
    ...                      (4, "Sam Khan")])
    >>> index.search("sam")
    ([1, 4, 2, 3], False)
    >>> index.search("kh sa")
    ([1, 4], False)
    >>> index.search("sam", limit=2, exclude=1)
    ([4, 2], True)
    """

    def __init__(self, entries: Sequence[tuple[int, str]]):
        rows = []
        self._words: list[tuple[str, ...]] = []
        self._keys: list[int] = []
        for position, (key, name) in enumerate(entries):
            words = tuple(name_words(name))
            self._words.append(words)
            self._keys.append(key)
            folded = " ".join(words)
            for w in set(words):
                rows.append((w, folded, position))
        rows.sort()
        self._index = [w for w, _, _ in rows]
        self._owner = [p for _, _, p in rows]

    def __len__(self) -> int:
        return len(self._keys)

    def search(self, query: str, *, limit: int = 20,
               exclude: int | None = None) -> tuple[list[int], bool]:
        """Keys of up to ``limit`` names matching every word of ``query``, and whether more do.

        Ordered by the matched word, then the whole name: "sam" lists Sam Khan before Samira
        Patel. ``exclude`` (the respondent's own key) is never listed.
        """
        typed = list(dict.fromkeys(name_words(query)))
        if not typed or limit < 1:
            return [], False
        ranges = []
        for word in typed:
            lo = bisect_left(self._index, word)
            hi = bisect_left(self._index, _after(word), lo)
            if lo == hi:
                return [], False
            ranges.append((hi - lo, lo, hi, word))
        ranges.sort()
        _, lo, hi, driver = ranges[0]
        others = [w for _, _, _, w in ranges[1:]]
        found: list[int] = []
        seen: set[int] = set()
        for i in range(lo, min(hi, lo + _SCAN_LIMIT)):
            position = self._owner[i]
            if position in seen:
                continue
            seen.add(position)
            key = self._keys[position]
            if key == exclude:
                continue
            words = self._words[position]
            if others and not all(any(w.startswith(o) for w in words) for o in others):
                continue
            if len(found) == limit:
                return found, True
            found.append(key)
        return found, hi - lo > _SCAN_LIMIT
