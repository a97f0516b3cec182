"""How each measure is shown to a reader: one home for its name, its meaning and its number.

The analyses return raw values (normalised betweenness, E-I indices, p-values); pages, maps,
the board report and the command line show them through :func:`show`, so one person's bridging
reads "11.1% of paths" wherever it appears, never "0.00518" in one place and "score 0.0052" in
another.

- :data:`MEASURES` -- each measure's name, what it means in a sentence and how it is written.
- :func:`show` -- a value in its measure's form (``show("ei_index", -0.384)`` is ``"−0.38"``).
- :func:`percent`, :func:`signed`, :func:`p_value` -- the three forms, for other numbers.
- :func:`between_groups_share` -- a between-groups betweenness score as the plain share of the
  shortest paths between the two groups that run through the person.

Examples
--------
>>> show("betweenness", 0.00518)
'0.52%'
>>> show("between_groups", 0.111), show("ei_index", -0.3846), show("ei_index", 0.2)
('11.1%', '−0.38', '+0.20')
>>> show("tie_share", 0.786), show("density", 0.05), show("density", 0.0059)
('79%', '5.0%', '0.59%')
>>> p_value(0.001, permutations=999), p_value(0.002, 999, sides=2), p_value(0.0312)
('p ≤ 0.001', 'p ≤ 0.002', 'p = 0.03')
>>> MEASURES["betweenness"].name
'Share of shortest paths'
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "MEASURES",
    "Measure",
    "between_groups_share",
    "find",
    "p_value",
    "percent",
    "rank",
    "show",
    "signed",
]

MINUS = "\u2212"


@dataclass(frozen=True)
class Measure:
    """A measure as a reader meets it."""

    name: str  # a column heading or legend title
    meaning: str  # what it means, for a glossary or a tooltip
    form: str  # "percent", "signed", "decimal" or "p"
    digits: int = 1  # decimals of the form (a percentage's decimals for "percent")


MEASURES: dict[str, Measure] = {
    "betweenness": Measure(
        "Share of shortest paths",
        "of the shortest paths between every pair of other people, the share that run through "
        "the person (normalised betweenness centrality, Freeman 1977)", "percent", 1),
    "between_groups": Measure(
        "Share of paths between the two groups",
        "of the shortest paths between one person in each of the two groups, the share that "
        "run through the person (betweenness restricted to the two groups, Brandes 2008)",
        "percent", 1),
    "ei_index": Measure(
        "E\u2013I index",
        "(ties outside the group \u2212 ties inside) / all its ties: \u22121 when every tie "
        "stays inside, +1 when every tie leaves (Krackhardt and Stern 1988)", "signed", 2),
    "tie_share": Measure(
        "Share of ties",
        "of the ties people have, the share that stay inside their own group", "percent", 0),
    "density": Measure(
        "Density",
        "of the pairs of people who could be linked, the share that are", "percent", 0),
    "cliffs_delta": Measure(
        "Cliff's delta",
        "how often someone in the first group scores above someone in the second, minus how "
        "often below: from \u22121 to +1, 0 for no difference (Cliff 1993)", "signed", 2),
    "modularity": Measure(
        "Modularity",
        "how much more the links fall inside communities than chance would give: 0 for none, "
        "above 0.3 for clear communities (Newman 2006)", "decimal", 2),
    "efficiency": Measure(
        "Efficiency",
        "the average of 1 / (steps between two people) over every pair: how short the routes "
        "between people are (Latora and Marchiori 2001)", "decimal", 3),
    "degree": Measure(
        "Degree centrality", "of the other people, the share they are tied to directly",
        "percent", 1),
    "connections": Measure("Connections", "people they are tied to directly", "decimal", 0),
    "headcount": Measure("People", "how many people the group has", "decimal", 0),
    "p_value": Measure(
        "p",
        "how often chance alone (labels shuffled at random) gives a result at least as "
        "extreme", "p", 3),
}


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def percent(x: float | None, digits: int = 1) -> str:
    """A share as a percentage with ``digits`` decimals; a small non-zero share keeps two
    significant figures (``0.0052`` is ``0.52%``, not ``0.5%`` or ``0%``)."""
    if _missing(x):
        return "n/a"
    value = 100 * float(x)
    if value == 0:
        return "0%"
    if abs(value) < 10 ** (1 - digits):
        return f"{value:#.2g}".rstrip(".") + "%"  # "5.0%", not "5%" beside "4.4%"
    return f"{value:.{digits}f}%"


def signed(x: float | None, digits: int = 2) -> str:
    """``-0.384`` as ``−0.38`` (a true minus sign), ``0.2`` as ``+0.20``, zero unsigned."""
    if _missing(x):
        return "n/a"
    text = f"{float(x):+.{digits}f}"
    if float(text) == 0:
        return f"{0:.{digits}f}"
    return text.replace("-", MINUS)


def rank(row: dict) -> str:
    """A ranked row's place: ``3`` when certain, ``3 (2–5)`` when its score's error allows
    places 2 to 5 (``row["rank"]``, ``row["rank_range"]``:
    :func:`kg.analysis.brokers.rank_ranges`)."""
    place = row.get("rank")
    if place is None:
        return ""
    low, high = row.get("rank_range") or (place, place)
    return str(place) if low == high else f"{place} ({low}–{high})"


def p_value(p: float | None, permutations: int | None = None, sides: int = 1) -> str:
    """A p-value in words: ``p ≤ 0.001`` at the floor of a permutation test, ``p < 0.001``.

    A two-sided permutation p-value (twice the smaller one-sided one) has its floor at
    2/(m+1): pass ``sides=2``.
    """
    if _missing(p):
        return "p n/a"
    if permutations:
        floor = sides / (permutations + 1)
        if p <= floor * (1 + 1e-9):
            # A permutation test cannot give less than 1/(m+1); say so rather than "< 0.001".
            return f"p \u2264 {floor:.2g}"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def show(measure: str, value, **context) -> str:
    """``value`` written as :data:`MEASURES` says for ``measure`` (``context``:
    ``permutations`` and ``sides`` for a p-value)."""
    m = MEASURES[measure]
    if m.form == "percent":
        return percent(value, m.digits)
    if m.form == "signed":
        return signed(value, m.digits)
    if m.form == "p":
        return p_value(value, context.get("permutations"), context.get("sides", 1))
    return "n/a" if _missing(value) else f"{float(value):.{m.digits}f}"


def find(name: str | None) -> str | None:
    """The code of a measure named by its code or its reader's name (``"Share of shortest
    paths"`` is ``"betweenness"``), or None."""
    if not name:
        return None
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    for code, m in MEASURES.items():
        if key in (code, m.name.lower().replace("-", "_").replace(" ", "_")):
            return code
    return None


def between_groups_share(score: float | None, n: int, size_a: int, size_b: int) -> float | None:
    """A normalised between-groups betweenness as a plain share of paths.

    The score (as :func:`kg.analysis.brokers.between_groups_betweenness` and networkx normalise
    it) is the sum over pairs of one person in each group of the share of their shortest paths
    through the person, divided by (n-1)(n-2); over the ``size_a * size_b`` pairs it is the
    share of the paths between the two groups that the person carries.

    >>> round(between_groups_share(0.005, 101, 10, 20), 4)
    0.2475
    """
    if _missing(score) or not size_a or not size_b or n <= 2:
        return None
    return float(score) * (n - 1) * (n - 2) / (size_a * size_b)
