"""Communities of practice: groups of people that span organisations around a shared forum."""

from __future__ import annotations

from kg import labels
from kg.measures import MEASURES, percent, show
from kg.report.wording import MIN_GROUP, count, join, small_group

__all__ = ["finding", "rows"]

_COP = "community_of_practice"


def rows(data: dict) -> list[dict]:
    """Every community, communities of practice first then the largest; in the pseudonymised
    report communities of fewer than :data:`MIN_GROUP` people are left out."""
    if not data["communities"]:
        return []
    out = []
    for c in data["communities"]["communities"]:
        if small_group(data, c["size"]):
            continue
        forum = c["anchoring_forums"][0] if c["anchoring_forums"] else None
        out.append({
            "id": c["id"],
            "kind": c["kind"],
            "kind_label": labels.label("community_kind", c["kind"]),
            "size": c["size"],
            "organisations": [f"{o.get('name') or o['value']} ({percent(o['share'], 0)})"
                              for o in c["organisations"][:3]],
            "n_organisations": c["n_organisations"],
            "forum": (forum["name"] or forum["id"]) if forum else None,
            "forum_id": forum["id"] if forum else None,
            "forum_share": forum["share"] if forum else None,
        })
    # Communities of practice first: they are what the board asks about; then the largest.
    out.sort(key=lambda r: (r["kind"] != _COP, -r["size"], r["id"]))
    return out


def finding(data: dict, notes: list) -> dict | None:
    """The communities finding: how many communities of practice, around which forums."""
    r = data["communities"]
    if not r or not r["communities"]:
        return None
    found = rows(data)
    hidden = len(r["communities"]) - len(found)
    if hidden:
        notes.append(f"communities: {count(hidden, 'community', 'communities')} of fewer than "
                     f"{MIN_GROUP} people are withheld from this pseudonymised report")
    if not found:
        return None
    kinds: dict = {}
    for c in found:
        kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
    parts = [f"{kinds[k]} " + (labels.plural("community_kind", k) if kinds[k] != 1
                               else labels.in_sentence("community_kind", k))
             for k in sorted(kinds, key=lambda k: (k != _COP, -kinds[k], k))]
    cops = [c for c in found if c["kind"] == _COP]
    headline = f"{count(len(found), 'community', 'communities')} of people: {join(parts)}."
    if cops:
        headline = (f"{count(len(cops), 'community of practice', 'communities of practice')} "
                    f"{'spans' if len(cops) == 1 else 'span'} organisations, among "
                    f"{len(found)} communities in all ({join(parts)}).")
    described = []
    figures = []
    for c in cops:
        where = f"around {c['forum']}" if c["forum"] else "without a shared forum"
        orgs = [o.rsplit(" (", 1)[0] for o in c["organisations"]]
        described.append(f"{where} ({c['size']} people from {join(orgs)})")
        figures.append({"id": c["id"], "size": c["size"],
                        "forum": c["forum_id"] and {"id": c["forum_id"], "name": c["forum"],
                                                    "share": c["forum_share"]},
                        "organisations": orgs,
                        "n_organisations": c["n_organisations"]})
    detail = ""
    if described:
        more = len(described) - 3
        detail = ("The communities of practice gather " + "; ".join(described[:3])
                  + (f"; and {more} more (see the table)" if more > 0 else "") + ". ")
    detail += ("A community of practice spans organisations around a shared forum or "
               "profession; an organisational cluster stays inside one organisation.")
    return {
        "topic": "communities",
        "headline": headline,
        "detail": detail,
        "statistics": (f"Louvain communities, modularity {show('modularity', r['modularity'])} "
                       f"({MEASURES['modularity'].meaning})."),
        "figures": {"count": len(found), "kinds": kinds, "modularity": r["modularity"],
                    "withheld": hidden, "communities_of_practice": figures},
    }
