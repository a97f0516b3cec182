"""Words for the board report: groups, people, periods and lists, in plain English.

Codes become words through :mod:`kg.labels` (the one home of labels and colours) and measures
become numbers through :mod:`kg.measures` (the one home of how each measure is written); this
module only puts them into sentences. Nothing here computes a figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from kg import labels

__all__ = [
    "MIN_GROUP",
    "TOPIC_NAMES",
    "by_word",
    "count",
    "day",
    "group_in_sentence",
    "group_label",
    "groups_word",
    "how_many",
    "join",
    "period_words",
    "person",
    "phase_name",
    "small_group",
    "span",
    "with_article",
]

#: Sections of the report, in the order a board reads them.
TOPIC_NAMES = {
    "silos": "Silos",
    "bridges": "Bridges",
    "key_person_risk": "Key-person risk",
    "hybrids": "Hybrid managers",
    "communities": "Communities of practice",
    "change": "Change",
    "worked": "What worked",
    "introductions": "Who to introduce",
    "assets": "Knowledge assets",
}

#: In the pseudonymised report, a figure about fewer people than this is withheld (a common
#: small-numbers rule for releasing health and care statistics).
MIN_GROUP = 5

# What the period rule means, after "the".
_RULES = {
    "latest phase": "the latest phase",
    "look-back": "the year up to the as-of date",
    "phase": "the phase asked for",
    "window": "the window asked for",
    "whole history": "the whole history",
}


def join(items: Sequence) -> str:
    """``["a", "b", "c"]`` as ``"a, b and c"``."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def count(n: int, one: str, many: str) -> str:
    """``3, "forum", "forums"`` as ``"3 forums"`` (thousands separated)."""
    return f"{n:,} {one if n == 1 else many}"


def how_many(part: int, whole: int) -> str:
    """``2, 2`` -> "both", ``0, 3`` -> "none", ``3, 3`` -> "all", else the number."""
    if part == 0:
        return "none"
    if part == whole:
        return "both" if whole == 2 else ("it" if whole == 1 else "all")
    return str(part)


def with_article(phrase: str) -> str:
    """``"occupational therapist"`` as ``"an occupational therapist"``."""
    if not phrase:
        return phrase
    return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase


def by_word(by: str) -> str:
    """The grouping inside a sentence: ``role_kind`` -> ``kind of role``."""
    words = labels.attribute_label(by)
    return words[:1].lower() + words[1:]


def groups_word(by: str) -> str:
    """The grouping's plural: ``sectors``, ``kinds of role``, ``organisations``."""
    words = by_word(by)
    if words.startswith("kind of "):
        return "kinds of " + words.removeprefix("kind of ")
    if by == "hybrid":
        return "groups"
    return words + "s"


def group_label(by: str, value, names: dict | None = None) -> str:
    """A group's name on its own: "Mental health", an organisation's name, "Middle manager"."""
    if by in ("organisation", "team") and value is not None:
        return (names or {}).get(value) or str(value)
    return labels.label(by, value)


def group_in_sentence(by: str, value, names: dict | None = None) -> str:
    """A group's name inside a sentence: "mental health services", "Westbridge Council"."""
    if by in ("organisation", "team") and value is not None:
        return group_label(by, value, names)
    return labels.in_sentence(by, value).removeprefix("the ")


def phase_name(p: dict | None) -> str:
    """``{"id": "PH2", "name": "Devolved ..."}`` as ``"Devolved ... (2014–2016)"``."""
    if not p:
        return ""
    a, b = str(p.get("start") or "")[:4], str(p.get("end") or "")[:4]
    years = f"{a}\u2013{b}" if a and b and a != b else (a or b)
    return f"{p.get('name') or p['id']}" + (f" ({years})" if years else "")


def day(text: str | None) -> str:
    """``"2018-06-01"`` as ``"1 Jun 2018"``; anything else as it is."""
    try:
        d = date.fromisoformat(str(text))
    except ValueError:
        return str(text or "")
    return f"{d.day} {d:%b %Y}"


def span(start: str | None, end: str | None) -> str:
    """A window in words: ``"1 Jun 2018 – 31 May 2019"``."""
    return f"{day(start) if start else 'the start'} – {day(end) if end else 'the end'}"


def period_words(period: dict) -> str:
    """The period an answer covers, for the report's header.

    ``"Joint venture (PH4), 2018-01-01 to 2019-11-30 \u2014 the latest phase, as of
    2019-11-30; people in post on that date"``.
    """
    rule = _RULES.get(period.get("rule"), period.get("rule") or "")
    as_of = period.get("as_of")
    if period.get("rule") == "whole history":
        return ("The whole history" + (f", to {as_of}" if as_of else "")
                + "; everyone who held a role at any time (people who have left are marked)")
    text = f"{period['label']} \u2014 {rule}"
    if as_of:
        text += f", as of {as_of}"
    on = period.get("end") or as_of
    if on == as_of:
        return text + "; people in post on that date"
    return text + (f"; people in post on {on}" if on else "")


def person(data: dict, pid) -> str:
    """How a person is named in the report: their name, or in the pseudonymised report a
    description of their role ("a therapy team lead at Riverside University Hospitals")."""
    who = data["people"].get(pid) or {}
    if data["parameters"].get("pseudonymise"):
        return who.get("description") or "a member of staff"
    return who.get("name") or str(pid)


def small_group(data: dict, size: int | None) -> bool:
    """True when a figure about ``size`` people must be withheld in the pseudonymised report."""
    return bool(data["parameters"].get("pseudonymise")) and (size or 0) < MIN_GROUP
