"""Key-person risk: what the partnership would lose if its key brokers left."""

from __future__ import annotations

from kg.measures import MEASURES, percent, show
from kg.report.wording import by_word, group_label, join, person

__all__ = ["finding", "rows"]


def rows(data: dict) -> list[dict]:
    """The key people (in post at the end of the period), with their group's name."""
    if not data["risk"]:
        return []
    by = data["parameters"]["by"]
    names = data["names"]["groups"]
    return [p | {"name": person(data, p["id"]),
                 "group_label": group_label(by, p["group"], names)}
            for p in data["risk"]["people"]]


def finding(data: dict, notes: list) -> dict | None:
    """The risk finding: the cross-group links lost if the key people left together."""
    result = data["risk"]
    if not result or not result["people"]:
        return None
    by = data["parameters"]["by"]
    names = data["names"]["groups"]
    c = result["combined"]
    k = len(result["people"])
    what = f"links across {by_word(by)}s" if by != "hybrid" else "links across groups"
    headline = (
        f"If the {k} key people left together, the partnership would lose "
        f"{percent(c['cross_ties_lost_share'], 0)} of its {what} "
        f"({c['cross_ties_lost']:,} of {c['cross_ties_before']:,})"
    )
    unlinked = [" and ".join(group_label(by, g, names) for g in pair)
                for pair in c["group_pairs_unlinked"]]
    if unlinked:
        headline += f", and {join(unlinked)} would lose their last direct link"
    headline += "."
    people = [f"{r['name']} ({r['group_label']}, {r['cross_ties_lost']} such links)"
              for r in rows(data)[:3]]
    still = c["share_still_connected"]
    reach = ("everyone who could reach someone in another group still could"
             if still is not None and still >= 1 else
             f"only {percent(still, 0)} of people in different groups who were connected still "
             "would be")
    eff_b, eff_a = c["efficiency_before"], c["efficiency_after"]
    detail = f"Most at risk: {join(people)}. After the {k} left, {reach}"
    stats = ""
    if eff_b:
        detail += (f", and the network's efficiency (how short the routes between people are) "
                   f"would fall by {percent((eff_b - eff_a) / eff_b, 0)}")
        stats = (f"Network efficiency {show('efficiency', eff_b)} before, "
                 f"{show('efficiency', eff_a)} after; {MEASURES['efficiency'].name.lower()}: "
                 f"{MEASURES['efficiency'].meaning}. ")
    stats += "Only people in post at the end of the period are ranked."
    return {
        "topic": "key_person_risk",
        "headline": headline,
        "detail": detail + ".",
        "statistics": stats,
        "figures": {
            "by": by,
            "removed": list(c["removed"]),
            "people": [{k2: p.get(k2) for k2 in ("id", "name", "group", "cross_ties_lost",
                                                 "cross_pairs_disconnected",
                                                 "group_pairs_unlinked", "betweenness",
                                                 "in_post")} for p in rows(data)],
            "cross_ties_before": c["cross_ties_before"],
            "cross_ties_lost": c["cross_ties_lost"],
            "cross_ties_lost_share": c["cross_ties_lost_share"],
            "share_still_connected": still,
            "group_pairs_unlinked": c["group_pairs_unlinked"],
            "efficiency_before": eff_b,
            "efficiency_after": eff_a,
        },
    }
