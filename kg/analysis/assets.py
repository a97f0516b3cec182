"""Knowledge assets: which reach across organisations and sectors.

A pure function of a snapshot and the people's attributes. An asset *reaches* an organisation
or sector when someone there authored or uses it; the forum that produced it is its origin.
Minutes that stay in one team are the silo's paperwork; a pathway used across acute, community
and social care is a boundary object [1]_.

References
----------
.. [1] S. L. Star and J. R. Griesemer, "Institutional ecology, 'translations' and boundary
   objects", Social Studies of Science 19(3):387-420, 1989.
"""

from __future__ import annotations

from collections import defaultdict

from kg.errors import InvalidParameter
from kg.model import NodeLabel, RelType
from kg.store.base import GraphSnapshot

__all__ = ["asset_reach"]


def asset_reach(snapshot: GraphSnapshot, people: dict[str, dict], *, top: int | None = None):
    """Rank knowledge assets by the sectors and organisations they reach.

    Parameters
    ----------
    snapshot : GraphSnapshot
    people : dict
        Person id -> attributes (:func:`kg.analysis.projection.person_attributes`).
    top : int, optional
        Keep the first ``top`` assets.

    Returns
    -------
    dict
        ``{"assets": [{"id", "title", "kind", "forum", "authors", "users", "organisations",
        "sectors", "organisations_reached", "sectors_reached", "crosses_organisations"}],
        "summary": {"assets", "crossing_organisations", "crossing_sectors"}}``, widest reach
        first.

    Examples
    --------
    >>> from kg.model import Relationship
    >>> snap = GraphSnapshot(1, nodes={NodeLabel.ASSET: {"A1": {"title": "Pathway"}}},
    ...     relationships={RelType.USES: [Relationship(RelType.USES, "k", "P1", "A1")]})
    >>> asset_reach(snap, {"P1": {"organisation": "O1", "sector": "acute"}})["assets"][0][
    ...     "sectors"]
    ['acute']
    """
    if top is not None and (not isinstance(top, int) or top < 1):
        raise InvalidParameter("top must be a positive integer")
    assets = snapshot.nodes.get(NodeLabel.ASSET, {})
    origin = {r.target: r.source for r in snapshot.rels(RelType.PRODUCED)}
    authors, users = defaultdict(set), defaultdict(set)
    for r in snapshot.rels(RelType.AUTHORED):
        authors[r.target].add(r.source)
    for r in snapshot.rels(RelType.USES):
        users[r.target].add(r.source)
    rows = []
    for aid, props in assets.items():
        everyone = authors[aid] | users[aid]
        orgs = {people.get(p, {}).get("organisation") for p in everyone} - {None}
        sectors = {people.get(p, {}).get("sector") for p in everyone} - {None}
        rows.append({
            "id": aid,
            "title": props.get("title"),
            "kind": props.get("kind"),
            "forum": origin.get(aid),
            "authors": len(authors[aid]),
            "users": len(users[aid]),
            "organisations": sorted(orgs),
            "sectors": sorted(sectors),
            "organisations_reached": len(orgs),
            "sectors_reached": len(sectors),
            "crosses_organisations": len(orgs) > 1,
        })
    rows.sort(key=lambda r: (-r["sectors_reached"], -r["organisations_reached"],
                             -(r["authors"] + r["users"]), r["id"]))
    summary = {
        "assets": len(rows),
        "crossing_organisations": sum(r["organisations_reached"] > 1 for r in rows),
        "crossing_sectors": sum(r["sectors_reached"] > 1 for r in rows),
    }
    return {"assets": rows[:top] if top is not None else rows, "summary": summary}
