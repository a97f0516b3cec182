"""One person's record: roles, forums, ties and network metrics (``GET /people/{id}``,
``kg person ID``).

The whole history is read once per revision into an index by person, so a page of person
lookups costs dictionary reads, not a store query per role and forum.
"""

from __future__ import annotations

from kg.errors import NotFound
from kg.model import NodeLabel, RelType
from kg.queries import analyses
from kg.queries.snapshot import cached, current_period, load_snapshot
from kg.store.base import GraphStore

__all__ = ["person_detail"]


def _index(store: GraphStore) -> dict:
    def compute():
        snap = load_snapshot(store, window="all")
        roles = snap.nodes.get(NodeLabel.ROLE, {})
        forums = snap.nodes.get(NodeLabel.FORUM, {})
        orgs = snap.nodes.get(NodeLabel.ORGANISATION, {})
        at = {r.source: r.target for r in snap.rels(RelType.AT_ORGANISATION)}
        out: dict = {}

        def entry(pid):
            return out.setdefault(pid, {"roles": [], "forums": [], "ties": {"out": 0, "in": 0}})

        for held in snap.rels(RelType.HOLDS_ROLE):
            entry(held.source)["roles"].append({
                **roles.get(held.target, {}), "id": held.target,
                "organisation_id": at.get(held.target),
                "organisation_name": orgs.get(at.get(held.target), {}).get("name"),
                "start": held.start, "end": held.end})
        for att in snap.rels(RelType.ATTENDS):
            entry(att.source)["forums"].append({
                "id": att.target, "name": forums.get(att.target, {}).get("name"),
                "start": att.start, "end": att.end, **att.props})
        for tie in snap.rels(RelType.TIE):
            entry(tie.source)["ties"]["out"] += 1
            entry(tie.target)["ties"]["in"] += 1
        for rows in out.values():
            rows["roles"].sort(key=lambda r: (str(r["start"] or ""), r["id"]))
            rows["forums"].sort(key=lambda r: (str(r["start"] or ""), r["id"]))
        return out

    return cached(store, "person_index", (), compute)


def person_detail(store: GraphStore, person_id: str, *, window=None, phase=None,
                  as_of=None) -> dict:
    """A person's roles and forums over the whole history, direct ties out and in, and their
    network metrics in the period (None when they are not in its network), with the period.

    Raises
    ------
    NotFound
        No person has this id.
    """
    node = store.get_node(NodeLabel.PERSON, person_id)
    if node is None:
        raise NotFound("person", person_id)
    found = _index(store).get(person_id, {"roles": [], "forums": [], "ties": {"out": 0, "in": 0}})
    net = {"window": window, "phase": phase, "as_of": as_of}
    return {
        "node": node,
        **found,
        "metrics": analyses.person_metrics(store, **net).get(person_id),
        "period": current_period(store, window, phase, as_of).as_dict(),
    }
