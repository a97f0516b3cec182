"""A roster survey's definition: its questions, their tie kinds and scales, dates and consent.

A definition arrives as a small TOML or JSON file, as command-line options, or both (an option
replaces the file's value of the same field). :func:`parse_definition` checks every field and
reports every problem at once, each naming the field, before anything is written.

A roster survey ("who do you go to for advice about discharge?", each answer picked from the
list of everyone surveyed) is the usual instrument of organisational network analysis: a roster
makes recall more complete and reliable than free recall of names [1]_ [2]_. Each question
records one kind of tie; its optional scale (frequency or strength) becomes the tie's weight,
by default the position of the answer on the scale (``monthly, weekly, daily`` give 1, 2, 3).

References
----------
.. [1] S. P. Borgatti, M. G. Everett and J. C. Johnson, *Analyzing Social Networks*, Sage,
   2013, ch. 4 (research design: roster versus free recall, response rates).
.. [2] P. V. Marsden, "Network data and measurement", *Annual Review of Sociology* 16, 1990,
   435-463.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kg.errors import Problem
from kg.ingest.formats import parse_date
from kg.model import Sector, TieKind
from kg.survey.errors import SurveyDefinitionError
from kg.survey.limits import MAX_QUESTIONS

__all__ = [
    "Question",
    "ScalePoint",
    "SurveyDefinition",
    "load_definition_file",
    "parse_definition",
    "parse_scale",
]

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
MAX_FILE_BYTES = 1 << 20
MAX_SCALE_POINTS = 10
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # tab and line feed allowed
_KEYS = {"id", "name", "opens", "closes", "consent", "questions", "roster"}
_QUESTION_KEYS = {"id", "text", "kind", "scale"}
_ROSTER_KEYS = {"organisations", "sectors", "in_post"}
_LIMITS = {"name": 200, "consent": 10_000, "text": 500, "label": 80}


@dataclass(frozen=True, slots=True)
class ScalePoint:
    """One answer on a question's scale and the tie weight it gives."""

    label: str
    weight: float


@dataclass(frozen=True, slots=True)
class Question:
    """One name-generator question: its text, the kind of tie an answer records, its scale."""

    id: str
    text: str
    kind: TieKind
    scale: tuple[ScalePoint, ...] = ()

    def weight(self, label: str | None) -> float | None:
        """The tie weight of an answer: the scale point's weight, ``None`` without a scale.

        Raises ``ValueError`` for a label that is not on the scale.

        Examples
        --------
        >>> q = Question("q1", "Advice?", TieKind.ADVICE, parse_scale("monthly, weekly, daily"))
        >>> q.weight("weekly")
        2.0
        >>> Question("q2", "Referral?", TieKind.REFERRAL).weight(None) is None
        True
        """
        if not self.scale:
            if label is not None:
                raise ValueError("this question has no scale")
            return None
        for point in self.scale:
            if point.label == label:
                return point.weight
        raise ValueError(f"{label!r} is not on the scale")

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "text": self.text,
            "kind": self.kind.value,
            "scale": [{"label": p.label, "weight": p.weight} for p in self.scale],
        }


@dataclass(frozen=True, slots=True)
class SurveyDefinition:
    """What a survey asks, of whom, when, and with what consent text."""

    id: str
    name: str
    opens: date
    closes: date
    consent: str
    questions: tuple[Question, ...]
    organisations: tuple[str, ...] = ()  # the roster: people at these (or their teams) ...
    sectors: tuple[Sector, ...] = ()  # ... and in these sectors; empty = no such filter
    in_post: bool = True  # only people whose role covers the opening date

    def question(self, id: str) -> Question | None:
        return next((q for q in self.questions if q.id == id), None)

    def as_dict(self) -> dict:
        """The definition as plain JSON types; :func:`parse_definition` reads it back."""
        return {
            "id": self.id,
            "name": self.name,
            "opens": self.opens.isoformat(),
            "closes": self.closes.isoformat(),
            "consent": self.consent,
            "questions": [q.as_dict() for q in self.questions],
            "roster": {
                "organisations": list(self.organisations),
                "sectors": [s.value for s in self.sectors],
                "in_post": self.in_post,
            },
        }


def load_definition_file(path: Path) -> dict:
    """Read a definition file (``.toml`` or ``.json``) into a dict.

    Raises
    ------
    SurveyDefinitionError
        The file is missing, too large (over 1 MB), not UTF-8, or not valid TOML or JSON.
    """
    name = path.name

    def refuse(message: str) -> SurveyDefinitionError:
        return SurveyDefinitionError([Problem(name, None, None, message)])

    suffix = path.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise refuse("a survey definition is a .toml or .json file")
    if not path.is_file():
        raise refuse("no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise refuse("over 1 MB: a survey definition is a few lines")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse("not UTF-8 text") from None
    try:
        data = tomllib.loads(text) if suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise refuse(f"not valid {suffix[1:].upper()}: {exc}") from None
    if not isinstance(data, dict):
        raise refuse("the file must hold one table (TOML) or object (JSON)")
    return data


def parse_scale(value) -> tuple[ScalePoint, ...]:
    """A scale from ``"monthly, weekly, daily"``, a list of labels or of ``{label, weight}``.

    Labels alone weigh 1, 2, 3, ... in the order given (least first); explicit weights must be
    positive numbers up to 1,000,000. Raises ``ValueError`` saying what is wrong.

    Examples
    --------
    >>> [(p.label, p.weight) for p in parse_scale("monthly, weekly, daily")]
    [('monthly', 1.0), ('weekly', 2.0), ('daily', 3.0)]
    >>> [p.weight for p in parse_scale([{"label": "a little", "weight": 0.5},
    ...                                 {"label": "a lot", "weight": 2}])]
    [0.5, 2.0]
    """
    if value is None or value == "" or value == []:
        return ()
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",")]
    if not isinstance(value, list):
        raise ValueError("a scale is a list of labels, or of {label, weight} tables")
    if len(value) > MAX_SCALE_POINTS:
        raise ValueError(f"a scale has at most {MAX_SCALE_POINTS} points")
    points: list[ScalePoint] = []
    for i, item in enumerate(value, start=1):
        if isinstance(item, str):
            label, weight = item, float(i)
        elif isinstance(item, dict) and set(item) <= {"label", "weight"} and "label" in item:
            label, weight = item["label"], item.get("weight", i)
            if isinstance(weight, bool) or not isinstance(weight, int | float):
                raise ValueError(f"point {i}: the weight must be a number")
            weight = float(weight)
            if not (math.isfinite(weight) and 0 < weight <= 1_000_000):
                raise ValueError(f"point {i}: the weight must be more than 0, at most 1,000,000")
        else:
            raise ValueError(f"point {i}: a label, or a table with label and weight")
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f"point {i}: the label is empty")
        label = label.strip()
        if len(label) > _LIMITS["label"] or _CONTROL.search(label):
            raise ValueError(f"point {i}: a label is one line of at most 80 characters")
        if any(p.label.casefold() == label.casefold() for p in points):
            raise ValueError(f"point {i}: the label {label!r} is given twice")
        points.append(ScalePoint(label, weight))
    if len(points) == 1:
        raise ValueError("a scale needs at least two points (or none)")
    return tuple(points)


def _suggest(word: str, allowed) -> str:
    close = difflib.get_close_matches(word, list(allowed), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _date_of(value) -> date:
    if isinstance(value, date):  # TOML reads 2026-03-01 as a date already
        return value
    if not isinstance(value, str):
        raise ValueError("write the date as YYYY-MM-DD")
    return parse_date(value.strip())


def parse_definition(data: dict, source: str = "survey definition") -> SurveyDefinition:
    """Check a definition (as read from TOML/JSON, or built from options) and return it.

    Parameters
    ----------
    data : dict
        ``id``, ``name``, ``opens``, ``closes``, ``consent``, ``questions`` (each ``id``
        (default ``q1``, ``q2``, ...), ``text``, ``kind``, optional ``scale``) and an optional
        ``roster`` table (``organisations``, ``sectors``, ``in_post``).
    source : str
        What problems name as their file.

    Raises
    ------
    SurveyDefinitionError
        Listing every problem, each naming its field.

    Examples
    --------
    >>> d = parse_definition({"id": "discharge", "name": "Discharge", "opens": "2026-03-01",
    ...     "closes": "2026-03-21", "consent": "I agree.",
    ...     "questions": [{"text": "Whom do you ask for advice?", "kind": "advice",
    ...                    "scale": ["monthly", "weekly", "daily"]}]})
    >>> d.questions[0].id, d.questions[0].kind.value, d.questions[0].weight("daily")
    ('q1', 'advice', 3.0)
    """
    problems: list[Problem] = []

    def problem(where: str | None, message: str) -> None:
        problems.append(Problem(source, None, where, message))

    for key in sorted(set(data) - _KEYS):
        problem(key, "not a field of a survey definition" + _suggest(key, _KEYS))

    def text(key: str, value, limit: int, *, lines: bool = False, where: str | None = None):
        where = where or key
        if value is None or (isinstance(value, str) and not value.strip()):
            problem(where, "required")
            return ""
        if not isinstance(value, str):
            problem(where, "must be text")
            return ""
        value = value.strip()
        if len(value) > limit:
            problem(where, f"at most {limit:,} characters")
        if _CONTROL.search(value) or (not lines and "\n" in value):
            problem(where, "a control character or line break" if not lines
                    else "a control character")
        return value

    survey_id = data.get("id")
    if not isinstance(survey_id, str) or not ID_PATTERN.fullmatch(survey_id):
        problem("id", "required: letters, digits, - and _, at most 64, such as discharge-2026")
        survey_id = ""
    name = text("name", data.get("name"), _LIMITS["name"])
    consent = text("consent", data.get("consent"), _LIMITS["consent"], lines=True)
    dates: dict[str, date | None] = {}
    for key in ("opens", "closes"):
        raw = data.get(key)
        if raw is None:
            problem(key, "required (YYYY-MM-DD)")
            dates[key] = None
            continue
        try:
            dates[key] = _date_of(raw)
        except ValueError:
            problem(key, f"{str(raw)[:40]!r} is not a date written YYYY-MM-DD")
            dates[key] = None
    if dates["opens"] and dates["closes"] and dates["closes"] < dates["opens"]:
        problem("closes", f"{dates['closes']} is before the opening date {dates['opens']}")

    questions: list[Question] = []
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        problem("questions", "at least one question, each with text and a tie kind")
        raw_questions = []
    elif len(raw_questions) > MAX_QUESTIONS:
        problem("questions", f"at most {MAX_QUESTIONS} questions")
    seen: set[str] = set()
    kinds = [k.value for k in TieKind]
    for i, raw in enumerate(raw_questions[:MAX_QUESTIONS], start=1):
        at = f"questions[{i}]"
        if not isinstance(raw, dict):
            problem(at, "a table with text and kind (and optionally id and scale)")
            continue
        for key in sorted(set(raw) - _QUESTION_KEYS):
            problem(f"{at}.{key}", "not a field of a question" + _suggest(key, _QUESTION_KEYS))
        qid = raw.get("id", f"q{i}")
        if not isinstance(qid, str) or not ID_PATTERN.fullmatch(qid):
            problem(f"{at}.id", "letters, digits, - and _, at most 64")
        elif qid in seen:
            problem(f"{at}.id", f"{qid!r} is the id of an earlier question")
        seen.add(str(qid))
        qtext = text("text", raw.get("text"), _LIMITS["text"], where=f"{at}.text")
        raw_kind = raw.get("kind")
        kind = None
        if not isinstance(raw_kind, str) or not raw_kind.strip():
            problem(f"{at}.kind", f"required: one of {', '.join(kinds)}")
        else:
            key = raw_kind.strip().lower()
            if key in kinds:
                kind = TieKind(key)
            else:
                problem(f"{at}.kind", f"unknown tie kind {raw_kind[:40]!r}"
                        + _suggest(key, kinds) + f"; allowed: {', '.join(kinds)}")
        try:
            scale = parse_scale(raw.get("scale"))
        except ValueError as exc:
            problem(f"{at}.scale", str(exc))
            scale = ()
        if kind is not None:
            questions.append(Question(str(qid), qtext, kind, scale))

    roster = data.get("roster") or {}
    organisations: tuple[str, ...] = ()
    sectors: tuple[Sector, ...] = ()
    in_post = True
    if not isinstance(roster, dict):
        problem("roster", "a table with organisations, sectors and in_post")
        roster = {}
    for key in sorted(set(roster) - _ROSTER_KEYS):
        problem(f"roster.{key}", "not a field of the roster" + _suggest(key, _ROSTER_KEYS))
    orgs = roster.get("organisations", [])
    if not isinstance(orgs, list) or not all(isinstance(o, str) and o.strip() for o in orgs):
        problem("roster.organisations", "a list of organisation ids")
    else:
        organisations = tuple(dict.fromkeys(o.strip() for o in orgs))
    raw_sectors = roster.get("sectors", [])
    allowed = [s.value for s in Sector]
    if not isinstance(raw_sectors, list):
        problem("roster.sectors", f"a list of sectors: {', '.join(allowed)}")
    else:
        found = []
        for s in raw_sectors:
            key = str(s).strip().lower()
            if key in allowed:
                found.append(Sector(key))
            else:
                problem("roster.sectors", f"unknown sector {str(s)[:40]!r}"
                        + _suggest(key, allowed) + f"; allowed: {', '.join(allowed)}")
        sectors = tuple(dict.fromkeys(found))
    raw_in_post = roster.get("in_post", True)
    if not isinstance(raw_in_post, bool):
        problem("roster.in_post", "true or false")
    else:
        in_post = raw_in_post

    if problems:
        raise SurveyDefinitionError(problems)
    return SurveyDefinition(
        id=survey_id,
        name=name,
        opens=dates["opens"],
        closes=dates["closes"],
        consent=consent,
        questions=tuple(questions),
        organisations=organisations,
        sectors=sectors,
        in_post=in_post,
    )
