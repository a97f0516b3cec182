"""Which period an answer describes: by default, the partnership as it is now.

Every answer covers one :class:`Period`, resolved from what the caller asked:

- nothing: **now**. The as-of date is ``as_of`` when given, else the latest start or end date in
  the data that is not in the future (:meth:`GraphStore.latest_date`). The period is the latest
  phase that has begun by then (cut at the as-of date) when the store has phases, otherwise the
  :data:`LOOKBACK_DAYS` days up to the as-of date.
- ``window="START:END"`` (either side may be blank): that window.
- ``phase="PH2"`` (id or name): that phase.
- ``window="all"``: the whole history, on purpose.

People are *in post* at the end of the period when one of their roles covers that date (or when
the data records no roles at all); current rankings name only them
(:func:`kg.analysis.projection.person_attributes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from kg.errors import InvalidParameter, NotFound
from kg.ingest.formats import parse_date as strict_date
from kg.model import NodeLabel
from kg.store.base import GraphStore

__all__ = ["ALL", "LOOKBACK_DAYS", "Period", "phases", "resolve_period"]

#: Without phases, "now" is the year up to the as-of date.
LOOKBACK_DAYS = 365
#: The window value that asks for the whole history.
ALL = "all"


@dataclass(frozen=True)
class Period:
    """A resolved period: its dates, the as-of date and the rule that chose it."""

    start: date | None
    end: date | None
    as_of: date | None
    rule: str  # "latest phase", "look-back", "phase", "window" or "whole history"
    phase: str | None = None  # the phase id when a phase was chosen
    phase_name: str | None = None

    @property
    def key(self) -> tuple:
        """What cached results depend on."""
        return (self.start, self.end, self.as_of)

    @property
    def in_post_on(self) -> date | None:
        """The date "in post" refers to: the end of the period, else the as-of date."""
        return self.end or self.as_of

    @property
    def names_leavers(self) -> bool:
        """Whole-history answers name leavers too (flagged); current ones only people in post."""
        return self.rule == "whole history"

    @property
    def label(self) -> str:
        """The period in words, e.g. ``"Joint venture (PH4), 2018-04-01 to 2019-06-30"``."""
        span = f"{_text(self.start, 'the start')} to {_text(self.end, 'the end')}"
        if self.start is None and self.end is None:
            span = "the whole history"
        if self.phase:
            name = f"{self.phase_name} ({self.phase})" if self.phase_name else self.phase
            return f"{name}, {span}"
        return span

    def as_dict(self) -> dict:
        """The JSON form carried by every answer."""
        return {
            "start": _iso(self.start),
            "end": _iso(self.end),
            "as_of": _iso(self.as_of),
            "rule": self.rule,
            "phase": self.phase,
            "label": self.label,
        }


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _text(d: date | None, missing: str) -> str:
    return d.isoformat() if d else missing


def phases(store: GraphStore) -> list[dict]:
    """The named phases in the store, in date order: ``[{"id", "name", "start", "end"}]``."""
    rows = [
        {"id": n.id, "name": n.props.get("name"), "start": n.props.get("start"),
         "end": n.props.get("end")}
        for n in store.find_nodes(NodeLabel.PHASE)
    ]
    return sorted(rows, key=lambda r: (str(r["start"]), r["id"]))


def parse_date(text: str | date | None, what: str) -> date | None:
    """A ``YYYY-MM-DD`` date (blank is ``None``); anything else is refused, saying what to send."""
    if text is None or isinstance(text, date):
        return text
    text = text.strip()
    if not text:
        return None
    try:
        return strict_date(text)
    except ValueError:
        raise InvalidParameter(f"{what} {text!r} is not a date in YYYY-MM-DD form") from None


def resolve_period(
    store: GraphStore,
    window: str | None = None,
    phase: str | None = None,
    as_of: str | date | None = None,
    *,
    today: date | None = None,
) -> Period:
    """The period an answer covers (module docstring); raises for a bad window or phase."""
    if window and phase:
        raise InvalidParameter("give a window or a phase, not both")
    as_of = parse_date(as_of, "as-of date")
    if as_of and (window or phase):
        raise InvalidParameter(
            "the as-of date chooses the default period; leave it out when giving a window or "
            "a phase")
    latest = store.latest_date(today or date.today())
    if phase:
        return _phase_period(store, phase, latest)
    if window and window.strip().lower() == ALL:
        return Period(None, None, latest, "whole history")
    if window:
        start, end = _window(window)
        return Period(start, end, min(end, latest) if end and latest else end or latest, "window")
    now = as_of or latest or (today or date.today())
    begun = [p for p in phases(store) if (d := parse_date(str(p["start"] or ""), "phase start"))
             and d <= now]
    if begun:
        p = begun[-1]
        start = parse_date(str(p["start"]), "phase start")
        end = parse_date(str(p["end"] or ""), "phase end")
        return Period(start, min(end, now) if end else now, now, "latest phase", p["id"],
                      p["name"])
    return Period(now - timedelta(days=LOOKBACK_DAYS - 1), now, now, "look-back")


def _phase_period(store: GraphStore, phase: str, latest: date | None) -> Period:
    wanted = phase.strip().lower()
    for p in phases(store):
        if wanted in (str(p["id"]).lower(), str(p["name"] or "").lower()):
            start = parse_date(str(p["start"] or ""), "phase start")
            end = parse_date(str(p["end"] or ""), "phase end")
            as_of = min(end, latest) if end and latest else end or latest
            return Period(start, end, as_of, "phase", p["id"], p["name"])
    known = ", ".join(f"{p['id']} ({p['name']})" for p in phases(store)) or "none"
    raise NotFound("phase", phase, hint=f"phases in the store: {known}")


def _window(window: str) -> tuple[date | None, date | None]:
    if ":" not in window:
        raise InvalidParameter(
            f"window {window!r} must be START:END (e.g. 2014-07-01:2016-06-30) or 'all'")
    lo, hi = window.split(":", 1)
    start, end = parse_date(lo, "window start"), parse_date(hi, "window end")
    if start and end and end < start:
        raise InvalidParameter(f"window {window!r} ends before it starts")
    return start, end
