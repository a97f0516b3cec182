"""Bridges: who carries the shortest paths between two groups, and through which forums."""

from __future__ import annotations

from kg.measures import MEASURES, between_groups_share, rank, show
from kg.report.wording import group_in_sentence, join, person

__all__ = ["finding", "rows"]


def rows(data: dict) -> list[dict]:
    """The ranked bridges (people in post at the end of the period), with role, organisation,
    the share of the two groups' shortest paths each carries and the forums where they meet the
    other side."""
    result = data["brokers"]
    if not result:
        return []
    G = data["graph"]
    by = data["parameters"]["by"]
    a, b = data["parameters"]["between"]
    sizes = {g: sum(1 for _, x in G.nodes(data=by) if x == g) for g in (a, b)}
    forum_names = data["names"]["forums"]
    out = []
    for row in result["brokers"]:
        if not row["score"]:
            break  # everyone after carries no path between the groups
        attrs = G.nodes[row["id"]]
        exp = row.get("explanation") or {}
        own = attrs.get(by)
        # Forums on the person's ties into the side(s) of the bridge they are not on.
        forums: list = []
        for e in exp.get("groups", []):
            if e["group"] != own:
                forums += [f for f in e["forums"] if f not in forums]
        if not forums:
            forums = [f["forum"] for f in exp.get("forums", [])]
        ties = {e["group"]: e["ties"] for e in exp.get("groups", [])}
        who = data["people"].get(row["id"], {})
        out.append({
            "id": row["id"],
            "place": rank(row),
            "name": person(data, row["id"]),
            "role": who.get("role"),
            "organisation": who.get("organisation"),
            "team": who.get("team"),
            "group": own,
            "hybrid": bool(attrs.get("hybrid")),
            "in_post": row.get("in_post", who.get("in_post", True)),
            "score": row["score"],
            "share_of_paths": between_groups_share(row["score"], G.number_of_nodes(),
                                                   sizes[a], sizes[b]),
            "ties_into": {g: ties.get(g, 0) for g in (a, b)},
            "forums": [{"id": f, "name": forum_names.get(f) or f} for f in forums[:3]],
        })
    return out


def _certainty(result: dict) -> str:
    """How far an estimated ranking can be read: which leading places are certain."""
    how = result.get("between_groups") or result.get("betweenness") or {}
    if how.get("exact", True):
        return ""
    rows = result["brokers"]
    certain = next((i for i, r in enumerate(rows) if r["rank_range"][0] != r["rank_range"][1]),
                   len(rows))
    first = (f"The first {certain} places are certain" if certain > 1 else
             "The first place is certain" if certain == 1 else "No place is certain")
    shown = f" (for example {rank(rows[certain])})" if certain < len(rows) else ""
    return (f" The scores are estimated from {how.get('sample_size')} people's shortest paths: "
            f"{first}; after that a place may be any within its range{shown}, which allows "
            "for the estimate's error (95% for each score).")


def _who(data: dict, row: dict) -> str:
    if data["parameters"].get("pseudonymise"):
        return row["name"]  # already the role description
    bits = [x for x in (row.get("role"), row.get("organisation")) if x]
    return f"{row['name']} ({', '.join(bits)})" if bits else str(row["name"])


def finding(data: dict, notes: list) -> dict | None:
    """The bridges finding: the strongest bridge between the two groups and the next two."""
    if not data["brokers"]:
        return None
    by = data["parameters"]["by"]
    a, b = data["parameters"]["between"]
    names = data["names"]["groups"]
    la, lb = group_in_sentence(by, a, names), group_in_sentence(by, b, names)
    found = rows(data)
    if not found:
        return {
            "topic": "bridges",
            "headline": f"No one bridges {la} and {lb}: no path in the network joins them.",
            "detail": "Every shortest path between the two groups is missing; they are "
                      "separate islands in the data.",
            "statistics": "",
            "figures": {"by": by, "between": [a, b], "brokers": []},
        }
    top = found[0]
    via = [f["name"] for f in top["forums"][:2]]
    lead = _who(data, top)
    headline = (f"{lead[:1].upper() + lead[1:]} is the strongest bridge between {la} and {lb}: "
                f"{show('between_groups', top['share_of_paths'])} of the shortest paths between "
                "their staff run through this one person"
                + (f", who meets the other side mostly at {join(via)}" if via else "") + ".")
    others = []
    for r in found[1:3]:
        fw = [f["name"] for f in r["forums"][:2]]
        others.append(f"{_who(data, r)}, {show('between_groups', r['share_of_paths'])} of paths"
                      + (f" (via {join(fw)})" if fw else ""))
    detail = ("Next: " + "; ".join(others) + ". ") if others else ""
    hybrids = sum(r["hybrid"] for r in found)
    count = (f"All {hybrids} top bridges are" if hybrids == len(found) > 1
             else f"{hybrids} of the top {len(found)} bridges are")
    detail += f"{count} hybrid middle managers."
    return {
        "topic": "bridges",
        "headline": headline,
        "detail": detail,
        "statistics": (f"{MEASURES['between_groups'].name}: {MEASURES['between_groups'].meaning}"
                       ". Only people in post at the end of the period are ranked."
                       + _certainty(data["brokers"])),
        "figures": {"by": by, "between": [a, b],
                    "brokers": found[:5],
                    "hybrids_in_top": hybrids, "top": len(found)},
    }
