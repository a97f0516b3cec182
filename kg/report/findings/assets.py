"""Knowledge assets: which minutes, pathways and protocols travel between sectors."""

from __future__ import annotations

from kg.report.wording import join

__all__ = ["finding"]


def finding(data: dict, notes: list) -> dict | None:
    """The assets finding: how many assets are used or written in more than one sector."""
    r = data["assets"]
    if not r or not r["summary"]["assets"]:
        return None
    s = r["summary"]
    widest = r["assets"][:3]
    if not widest or not widest[0]["sectors_reached"]:
        return None
    headline = (f"{s['crossing_sectors']:,} of {s['assets']:,} knowledge assets are used or "
                "written in more than one sector.")
    named = [f"{a['title'] or a['id']} ({a['sectors_reached']} sectors, "
             f"{a['organisations_reached']} organisations)" for a in widest]
    detail = (f"The widest reach: {join(named)}. {s['crossing_organisations']:,} assets cross "
              "organisations. Minutes, pathways and protocols that travel are how practice "
              "moves between services.")
    return {
        "topic": "assets",
        "headline": headline,
        "detail": detail,
        "statistics": "",
        "figures": {"summary": s, "widest": [
            {k: a[k] for k in ("id", "title", "kind", "sectors_reached",
                               "organisations_reached")} for a in widest]},
    }
