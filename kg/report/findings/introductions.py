"""Who to introduce: the new ties that would most bring the two groups together."""

from __future__ import annotations

from kg.report.wording import group_label, join, person

__all__ = ["finding"]

#: Introductions the finding names.
SHOWN = 3


def _introducer(data: dict, row: dict) -> str:
    via, forums = row["via"], data["names"]["forums"]
    if via.get("contacts"):
        return f"{person(data, via['contacts'][0]['id'])} knows both"
    if via.get("forums"):
        f = via["forums"][0]
        return f"both attend {forums.get(f['id']) or f.get('name') or f['id']}"
    chain = via.get("chain") or []
    if chain:
        return f"{join([person(data, c['id'] if isinstance(c, dict) else c) for c in chain])} " \
               "can pass the introduction along"
    return "no one links them yet"


def finding(data: dict, notes: list) -> dict | None:
    """The introductions finding: the few pairs whose meeting would shorten most paths between
    the two groups, with who could introduce them."""
    r = data.get("introductions")
    if not r or not r.get("introductions"):
        return None
    by = data["parameters"]["by"]
    a, b = data["parameters"]["between"]
    names = data["names"]["groups"]
    rows = r["introductions"][:SHOWN]
    pairs = [f"{person(data, x['id_a'])} with {person(data, x['id_b'])}" for x in rows]
    count = {1: "One introduction", 2: "Two introductions", 3: "Three introductions"}[len(rows)]
    headline = (f"{count} would do most to bring "
                f"{group_label(by, a, names)} and {group_label(by, b, names)} closer: "
                + join(pairs) + ".")
    who = [f"{person(data, x['id_a'])} and {person(data, x['id_b'])}: {_introducer(data, x)}"
           for x in rows]
    total = sum(x["pairs_shortened"] for x in rows)
    detail = ("Who could make each introduction: " + "; ".join(who) + f". Together they "
              f"would shorten the routes between {total:,} pairs of people on the two sides. "
              "People who already carry many ties across are not proposed, so the work of "
              "bridging is shared; nor is anyone who opted out of a survey.")
    statistics = (f"Gain: the rise in mean 1/steps between everyone on the two sides when the tie "
                  f"is added, measured by adding it (the first: {rows[0]['gain']:.4f}, "
                  f"{rows[0]['gain_share']:.1%} of today's). Not proposed as already "
                  f"overloaded: {r['overload']['rule']}.")
    return {
        "topic": "introductions",
        "headline": headline,
        "detail": detail,
        "statistics": statistics,
        "figures": {"introductions": [
            {k: x[k] for k in ("id_a", "id_b", "gain", "gain_share", "pairs_shortened",
                               "pairs_connected")} for x in rows]},
    }
