"""Change: how silos and the top brokers moved in the step into the report's period.

The figures are :func:`kg.queries.analyses.change`'s (the service layer's comparison of two
periods), never recomputed here.
"""

from __future__ import annotations

from kg.measures import show
from kg.report.gather import EI_MOVE
from kg.report.wording import (
    MIN_GROUP,
    by_word,
    day,
    group_in_sentence,
    group_label,
    groups_word,
    how_many,
    join,
    person,
    phase_name,
    small_group,
    span,
)

__all__ = ["finding", "people_count", "period_name", "rows"]


def period_name(data: dict, side: str) -> str:
    """The name of one side (``"from"`` or ``"to"``) of the change: a phase's name and years,
    else its dates."""
    r = data["change"]
    p = (r.get("periods") or {}).get(side) or {}
    found = {x["id"]: x for x in data["summary"]["phases"]}
    if p.get("phase") in found:
        return phase_name(found[p["phase"]])
    now = data["parameters"]["period"]
    if side == "to" and now.get("phase") in found and (p.get("start"), p.get("end")) == (
            now["start"], now["end"]):
        # The report's own phase, cut at the as-of date.
        phase = found[now["phase"]]
        return (f"{phase.get('name') or phase['id']} "
                f"({str(now['start'])[:4]} to {day(now['end'])})")
    return span(p.get("start"), p.get("end"))


def people_count(data: dict, n: int) -> str:
    """A count of people; in the pseudonymised report, 1 to 4 reads "fewer than 5"."""
    if data["parameters"].get("pseudonymise") and 0 < n < MIN_GROUP:
        return f"fewer than {MIN_GROUP}"
    return f"{n:,}"


def _sizes(data: dict) -> dict:
    return {r["group"]: r["size"] for r in (data["silos"] or {}).get("groups", [])}


def rows(data: dict) -> list[dict]:
    """Each group's E-I before and after, its move, and whether it hardened or softened
    (a move of at least :data:`kg.report.gather.EI_MOVE`); small groups withheld when
    pseudonymised."""
    r = data["change"]
    if not r:
        return []
    by = data["parameters"]["by"]
    sizes = _sizes(data)
    out = []
    for s in r["silos"]:
        if s["ei_before"] is None or s["ei_after"] is None:
            continue
        if data["parameters"].get("pseudonymise") and small_group(data, sizes.get(s["group"])):
            continue
        moved = s["change"]
        out.append(s | {
            "label": group_label(by, s["group"], data["names"]["groups"]),
            "verdict": ("opened up" if moved >= EI_MOVE else "hardened" if moved <= -EI_MOVE
                        else "little change"),
        })
    return out


def finding(data: dict, notes: list) -> dict | None:
    """The change finding: silos opened or hardened, brokers lost and gained."""
    r = data["change"]
    if not r:
        return None
    by = data["parameters"]["by"]
    top = data["parameters"]["change_top"]
    first, last = period_name(data, "from"), period_name(data, "to")
    moves = rows(data)
    softened = sorted([s for s in moves if s["verdict"] == "opened up"],
                      key=lambda s: -s["change"])
    hardened = sorted([s for s in moves if s["verdict"] == "hardened"],
                      key=lambda s: s["change"])
    brokers = r["brokers"]
    lost, gained, left = brokers["lost"], brokers["gained"], brokers["lost_who_left"]
    names = data["names"]["groups"]

    def most(s):
        return f"{group_in_sentence(by, s['group'], names)} the most"

    words = []
    for moved, verb in ((softened, "opened up"), (hardened, "hardened")):
        if not moved:
            continue
        if len(moved) == len(moves) > 1:
            share = f"every {by_word(by)}"
        elif verb == "hardened" and softened:
            share = f"{len(moved)}"
        else:
            share = f"{len(moved)} of {len(moves)} {groups_word(by)}"
        words.append(f"{share} {verb} ({most(moved[0])})")
    if not words:
        words.append("silos barely moved")
    headline = (f"From {first} to {last}, {join(words)}; {len(lost)} of the top {top} brokers "
                + ("was" if len(lost) == 1 else "were") + " lost"
                + (f" ({how_many(len(left), len(lost))} left the partnership)" if lost else "")
                + f" and {len(gained)} new " + ("one" if len(gained) == 1 else "ones")
                + " emerged.")
    detail = ""
    if lost:
        detail += f"Lost from the top {top}: {_names(data, lost)}. "
    if gained:
        detail += f"New in the top {top}: {_names(data, gained)}. "
    people = r["people"]
    left_n, joined_n = people["left"], people["joined"]
    detail += ((f"{people_count(data, left_n)} {'person' if left_n == 1 else 'people'} left"
                if left_n else "No one left")
               + f" and {people_count(data, joined_n) if joined_n else 'no one'} joined "
               "between the two periods.")
    stats = []
    for s in softened[:3] + hardened[:3]:
        stats.append(f"{s['label']} E\u2013I {show('ei_index', s['ei_before'])} \u2192 "
                     f"{show('ei_index', s['ei_after'])}")
    whole = r.get("silos_whole") or {}
    text = ("; ".join(stats) + ". ") if stats else ""
    if whole.get("ei_before") is not None and whole.get("ei_after") is not None:
        text += (f"Whole network E\u2013I {show('ei_index', whole['ei_before'])} \u2192 "
                 f"{show('ei_index', whole['ei_after'])}. ")
    text += (f"A {by_word(by)} opened up or hardened when its E\u2013I index moved by at least "
             f"{EI_MOVE}; brokers are the top {top} by share of shortest paths in each period.")
    hidden = len([s for s in r["silos"] if s["ei_before"] is not None
                  and s["ei_after"] is not None]) - len(moves)
    if hidden:
        notes.append(f"change: {hidden} {groups_word(by)} of fewer than {MIN_GROUP} people are "
                     "withheld from this pseudonymised report")
    return {
        "topic": "change",
        "headline": headline,
        "detail": detail.strip(),
        "statistics": text.strip(),
        "figures": {
            "from": (r.get("periods") or {}).get("from"),
            "to": (r.get("periods") or {}).get("to"),
            "silos": moves,
            "silos_whole": whole,
            "brokers_lost": [_row(data, b) for b in lost],
            "brokers_gained": [_row(data, b) for b in gained],
            "brokers_lost_who_left": [_row(data, b) for b in left],
            "people": {k: people[k] for k in ("before", "after", "left", "joined", "stayed")},
        },
    }


def _row(data: dict, b: dict) -> dict:
    # gather() describes the people of both periods; the fallback never shows a name in the
    # pseudonymised report.
    if b["id"] in data["people"]:
        return {"id": b["id"], "name": person(data, b["id"])}
    return {"id": b["id"], "name": "a former member of staff"
            if data["parameters"].get("pseudonymise") else b.get("name")}


def _names(data: dict, rows_: list[dict], limit: int = 6) -> str:
    shown = [_row(data, b)["name"] or b["id"] for b in rows_[:limit]]
    if len(rows_) > limit:
        shown.append(f"{len(rows_) - limit} more")
    return join(shown)
