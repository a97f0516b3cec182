"""Silos: which groups keep their ties inside, in plain words, with the E-I index beneath.

The headline counts what a reader pictures: of the ties the group's people have, the share that
stay inside the group. A tie inside the group is one of *two* of its members' ties, a tie out of
it one of one, so with I ties inside and E out the share is 2I / (2I + E), not I / (I + E)
(which is the share of the group's *edges*, not of its people's ties).
"""

from __future__ import annotations

from kg import labels
from kg.measures import percent, show
from kg.report.wording import (
    MIN_GROUP,
    by_word,
    group_in_sentence,
    group_label,
    groups_word,
    small_group,
)

__all__ = ["LAYER_ORDER", "finding", "layer_rows", "own_share", "rows"]

#: The layers whose E-I the report sets beside the combined figure, in this order.
LAYER_ORDER = ("ties", "forums", "assets", "teams")


def own_share(internal: int, external: int) -> float | None:
    """Of the ties a group's people have, the share that stay inside the group."""
    ends = 2 * internal + external
    return 2 * internal / ends if ends else None


def _who(by: str, value, names: dict) -> tuple[str, str]:
    """(the group's people, where "inside" is) for a sentence."""
    if by == "sector":
        return f"{group_label(by, value)} staff", f"inside {group_in_sentence(by, value)}"
    if by in ("organisation", "team"):
        return f"Staff of {group_label(by, value, names)}", f"inside their {by}"
    if by in ("profession", "level"):
        many = labels.plural(by, value)
        return many[:1].upper() + many[1:], f"among {many}"
    return (f"Staff in the group \u201c{group_label(by, value, names)}\u201d ({by_word(by)})",
            "inside the group")


def _layers(data: dict) -> dict | None:
    """Per-layer E-I of the silos answer: ``{"layers", "by_layer" (whole network), "groups":
    [{"group", "size", "ei_index", "by_layer"}]}``, or None when the answer has none."""
    result = data["silos"] or {}
    whole = result.get("by_layer")
    if not isinstance(whole, dict) or not whole:
        return None
    return {"layers": [x for x in LAYER_ORDER if x in whole] + [x for x in whole
                                                               if x not in LAYER_ORDER],
            "by_layer": whole,
            "groups": [g for g in result.get("groups", []) if g.get("by_layer")]}


def layer_rows(data: dict) -> tuple[list[str], list[dict]]:
    """The layers present and, per group shown, its E-I combined and on each layer."""
    found = _layers(data)
    if not found:
        return [], []
    names = found["layers"]
    by = data["parameters"]["by"]
    out = []
    for g in found["groups"]:
        hidden = small_group(data, g.get("size"))
        out.append({
            "group": g["group"],
            "label": group_label(by, g["group"], data["names"]["groups"]),
            "withheld": hidden,
            "combined": None if hidden else g.get("ei_index"),
            "layers": {x: None if hidden else (g.get("by_layer", {}).get(x) or {}).get("ei_index")
                       for x in names},
        })
    return names, out


def rows(data: dict) -> list[dict]:
    """Every group of the silos answer with its share of ties kept inside; groups of fewer than
    :data:`MIN_GROUP` people are marked ``withheld`` in the pseudonymised report."""
    result = data["silos"]
    if not result:
        return []
    by = data["parameters"]["by"]
    out = []
    for r in result["groups"]:
        hidden = small_group(data, r["size"])
        out.append(r | {
            "label": group_label(by, r["group"], data["names"]["groups"]),
            "own_share": own_share(r["internal"], r["external"]),
            "withheld": hidden,
        })
    return out


def _statistics(by: str, shown: list[dict], result: dict, permutations: int,
                layers: dict | None, names: dict) -> str:
    """E-I, what chance gives and the test, per group shown; then the layers of the first."""
    parts = []
    for i, r in enumerate(shown):
        chance = ""
        if r.get("expected_ei") is not None:
            chance = (f"{show('ei_index', r['expected_ei'])} if ties ignored {by_word(by)}; "
                      if i == 0 else f"{show('ei_index', r['expected_ei'])}; ")
        p = show("p_value", r.get("p_value"), permutations=permutations, sides=2)
        parts.append(f"{group_label(by, r['group'], names)} {show('ei_index', r['ei_index'])} "
                     f"({chance}{p}{', two-sided' if i == 0 else ''})")
    text = (f"E\u2013I index: {', '.join(parts)}; whole network "
            f"{show('ei_index', result['ei_index'])}.")
    per = next((g for g in (layers or {}).get("groups", []) if g["group"] == shown[0]["group"]),
               None)
    if per:
        bits = [f"{labels.in_sentence('layer', x)} {show('ei_index', v['ei_index'])}"
                for x in LAYER_ORDER if (v := per.get("by_layer", {}).get(x))
                and v.get("ei_index") is not None]
        if bits:
            text += (f" On each layer, {group_in_sentence(by, shown[0]['group'], names)}: "
                     + ", ".join(bits) + ".")
    return text


def finding(data: dict, notes: list) -> dict | None:
    """The silos finding: the most closed groups, their share of ties kept inside."""
    result = data["silos"]
    if not result:
        return None
    by = data["parameters"]["by"]
    names = data["names"]["groups"]
    permutations = data["parameters"]["permutations"]
    every = [r for r in rows(data) if r["ei_index"] is not None]
    if not every:
        notes.append(f"silos: no {by_word(by)} has any tie, so no E\u2013I index could be "
                     "computed")
        return None
    shown_rows = [r for r in every if not r["withheld"]]
    withheld = len(every) - len(shown_rows)
    if withheld:
        notes.append(f"silos: {withheld} {groups_word(by)} of fewer than {MIN_GROUP} people are "
                     "withheld from this pseudonymised report")
    if not shown_rows:
        return None
    closed = [r for r in shown_rows if r["ei_index"] < 0][:3]
    shown = closed or shown_rows[:1]
    layers = _layers(data)

    def sentence(r):
        who, where = _who(by, r["group"], names)
        return f"{who} keep {percent(r['own_share'], 0)} of their ties {where}"

    first = shown[0]
    if closed:
        lead = sentence(first)
        if first.get("direction") == "closed":
            lead += f", more than chance would give if ties ignored {by_word(by)}"
        elif first.get("p_value") is not None:
            lead += f", about what chance would give if ties ignored {by_word(by)}"
        headline = lead + "."
        rest = [sentence(r) for r in shown[1:]]
        detail = ("Next most closed: " + "; ".join(rest) + ". ") if rest else ""
    else:
        headline = (f"No {by_word(by)} is a silo: every one has more ties out than in. The most "
                    f"closed: {sentence(first)}.")
        detail = ""
    inside = result["internal"] / (result["internal"] + result["external"]) if (
        result["internal"] + result["external"]) else None
    detail += (f"Across the whole network, {percent(inside, 0)} of links join two people of "
               f"the same {by_word(by)}.")
    if layers:
        driver = _driver(first, layers)
        if driver:
            detail += " " + driver
    stats = _statistics(by, shown, result, permutations, layers, names)
    return {
        "topic": "silos",
        "headline": headline,
        "detail": detail.strip(),
        "statistics": stats,
        "figures": {
            "by": by,
            "whole_network_ei": result["ei_index"],
            "groups": [
                {k: r.get(k) for k in ("group", "label", "size", "internal", "external",
                                       "own_share", "ei_index", "expected_ei", "p_value",
                                       "direction")}
                for r in shown
            ],
            "withheld_groups": withheld,
            "permutations": permutations,
            "layers": layers and {"layers": layers.get("layers"),
                                  "by_layer": layers.get("by_layer")},
        },
    }


def _driver(row: dict, layers: dict) -> str:
    """Which layer keeps the group most closed, in words (when the layers differ)."""
    per = next((g for g in layers["groups"] if g["group"] == row["group"]), None)
    if not per:
        return ""
    values = {x: v["ei_index"] for x in LAYER_ORDER
              if (v := per.get("by_layer", {}).get(x)) and v.get("ei_index") is not None}
    if len(values) < 2:
        return ""
    most = min(values, key=values.get)
    least = max(values, key=values.get)
    if values[least] - values[most] < 0.2:
        return "The picture is much the same on direct ties, shared forums and shared assets."
    return (f"It is most closed on {labels.in_sentence('layer', most)} and most open on "
            f"{labels.in_sentence('layer', least)}.")
