"""Check what a respondent sends before it is saved: every problem named, in their words.

A save is the respondent's whole set of answers, one list per question of the people named
(by their roster key ``r``, which is all the page knows of them) and, where the question has
a scale, the answer on it::

    {"answers": {"advice": [{"r": 12, "value": "weekly"}, {"r": 40, "value": "daily"}],
                 "referral": []}}

A question left out is answered with no one. Problems are phrased for the person at the
keyboard ("Say how often for Sam Khan"), not for a developer.
"""

from __future__ import annotations

from collections.abc import Callable

from kg.survey.definition import SurveyDefinition
from kg.survey.errors import AnswerProblems
from kg.survey.limits import MAX_NAMES
from kg.survey.roster import RosterEntry

__all__ = ["check_answers"]


def check_answers(
    definition: SurveyDefinition,
    payload: object,
    *,
    respondent_r: int,
    lookup: Callable[[set[int]], dict[int, RosterEntry]],
) -> dict[str, list[tuple[str, str | None]]]:
    """The answers to store, as question id -> [(person id named, scale answer)].

    Parameters
    ----------
    definition : SurveyDefinition
        The survey answered.
    payload : object
        The decoded JSON body.
    respondent_r : int
        The respondent's own roster key (naming oneself is refused).
    lookup : callable
        Roster entries by key, for the keys named (unknown keys are left out).

    Raises
    ------
    AnswerProblems
        Listing every problem; nothing is saved.
    """
    problems: list[str] = []
    if not isinstance(payload, dict) or not isinstance(payload.get("answers", {}), dict):
        raise AnswerProblems(['send {"answers": {question: [{"r": ..., "value": ...}]}}'])
    raw = payload.get("answers", {})
    for qid in raw:
        if definition.question(str(qid)) is None:
            problems.append(f"there is no question {str(qid)[:40]!r} in this survey")
    keys: set[int] = set()
    checked = []  # the questions whose list can be checked name by name
    for q in definition.questions:
        items = raw.get(q.id, [])
        if not isinstance(items, list):
            problems.append(f"the answer to “{q.text}” must be a list of names")
            continue
        if len(items) > MAX_NAMES:
            problems.append(f"at most {MAX_NAMES} names for “{q.text}”; you gave {len(items)}")
            continue
        checked.append((q, items))
        for item in items:
            r = item.get("r") if isinstance(item, dict) else None
            if isinstance(r, int) and not isinstance(r, bool):
                keys.add(r)
    found = lookup(keys) if keys else {}
    out: dict[str, list[tuple[str, str | None]]] = {}
    for q, items in checked:
        labels = [p.label for p in q.scale]
        chosen: list[tuple[str, str | None]] = []
        seen: set[int] = set()
        for n, item in enumerate(items, start=1):
            if not isinstance(item, dict) or set(item) - {"r", "value"}:
                problems.append(f"name {n} for “{q.text}” is not {{\"r\": ..., \"value\": ...}}")
                continue
            r = item.get("r")
            entry = found.get(r) if isinstance(r, int) and not isinstance(r, bool) else None
            if entry is None:
                problems.append(f"name {n} for “{q.text}” is not on the list of people")
                continue
            if r == respondent_r:
                problems.append(f"you named yourself for “{q.text}”: name other people")
                continue
            if r in seen:
                problems.append(f"{entry.name} is named twice for “{q.text}”")
                continue
            seen.add(r)
            value = item.get("value")
            if labels:
                if value is None or value == "":
                    problems.append(f"choose an answer for {entry.name} (“{q.text}”)")
                    continue
                if value not in labels:
                    problems.append(f"for {entry.name} (“{q.text}”) choose one of: "
                                    + ", ".join(labels))
                    continue
            elif value not in (None, ""):
                problems.append(f"“{q.text}” takes names only, no answer for {entry.name}")
                continue
            chosen.append((entry.person_id, value if labels else None))
        out[q.id] = chosen
    if problems:
        raise AnswerProblems(problems)
    return out
