"""Who a survey asks: the people in the graph store, with what tells two namesakes apart.

Each roster entry keeps the person's id, name, email (when the store knows one: a person's
``email`` property, from an extra ``email`` column of ``people.csv``), and the organisation,
team, role title and sector of the role they hold on the survey's opening date. That is all a
respondent sees of a colleague, and what response rates are grouped by.

The roster is read once, when the survey is created (and topped up when it is created again),
and kept with the survey: answers then refer to a fixed list, and a later import cannot change
what someone was asked about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from kg.errors import Problem
from kg.model import NodeLabel, RelType
from kg.store.base import GraphStore

__all__ = ["RosterEntry", "build_roster"]

_EMAIL = re.compile(r"[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+")


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One person on a survey's roster."""

    person_id: str
    name: str
    email: str = ""
    organisation_id: str = ""  # the top-level organisation (a team's parent)
    organisation: str = ""
    team: str = ""  # the team's name when the role is in a team
    role: str = ""  # the role title
    sector: str = ""

    @property
    def where(self) -> str:
        """Team and organisation in words, as a respondent sees them."""
        return ", ".join(x for x in (self.team, self.organisation) if x)


def _covers(start: date | None, end: date | None, on: date) -> bool:
    return (start is None or start <= on) and (end is None or on <= end)


def build_roster(
    store: GraphStore,
    *,
    on: date,
    organisations: Iterable[str] = (),
    sectors: Iterable[str] = (),
    in_post: bool = True,
    source: str = "roster",
) -> tuple[list[RosterEntry], list[Problem]]:
    """The people a survey opening on ``on`` asks, in id order, and any problems found.

    Parameters
    ----------
    store : GraphStore
        The partnership.
    on : date
        The opening date: each person's role is the one they hold then (the most recent to
        start, when several do).
    organisations, sectors : iterables of str
        Keep only people whose role is at these organisations (or teams within them), and in
        these sectors. Empty: no such filter.
    in_post : bool
        Keep only people holding a role on ``on`` (everyone, when the store records no roles).
    source : str
        What problems name as their file.

    Returns
    -------
    (entries, problems)
        ``problems`` names each organisation id the store does not have, and an empty roster.
    """
    organisations = set(organisations)
    sectors = set(sectors)
    problems: list[Problem] = []
    orgs = {n.id: n.props for n in store.find_nodes(NodeLabel.ORGANISATION)}
    for org in sorted(organisations - set(orgs)):
        problems.append(Problem(source, None, "roster.organisations",
                                f"no organisation with id {org!r} exists in the store"))
    parent = {r.source: r.target for r in store.relationships(RelType.PART_OF)}

    def top(org: str) -> str:
        seen = {org}
        while org in parent and parent[org] not in seen:  # cycles are refused on import
            org = parent[org]
            seen.add(org)
        return org

    titles = {n.id: n.props.get("title", "") for n in store.find_nodes(NodeLabel.ROLE)}
    role_org = {r.source: r.target for r in store.relationships(RelType.AT_ORGANISATION)}
    held: dict[str, list] = {}
    for r in store.relationships(RelType.HOLDS_ROLE):
        held.setdefault(r.source, []).append(r)
    records_roles = bool(held)

    entries: list[RosterEntry] = []
    for person in store.find_nodes(NodeLabel.PERSON):
        current = [r for r in held.get(person.id, []) if _covers(r.start, r.end, on)]
        if in_post and records_roles and not current:
            continue
        # the most recent role to start, ties broken by id: one role per person, stably
        current.sort(key=lambda r: (r.start or date.min, r.key), reverse=True)
        unit = role_org.get(current[0].target, "") if current else ""
        org = top(unit) if unit else ""
        unit_props = orgs.get(unit, {})
        org_props = orgs.get(org, {})
        sector = org_props.get("sector") or unit_props.get("sector", "")
        if organisations and not ({unit, org} & organisations):
            continue
        if sectors and sector not in sectors:
            continue
        email = str(person.props.get("email", "")).strip()
        entries.append(
            RosterEntry(
                person_id=person.id,
                name=str(person.props.get("name") or person.id),
                email=email if _EMAIL.fullmatch(email) else "",
                organisation_id=org,
                organisation=str(org_props.get("name", org)),
                team=str(unit_props.get("name", "")) if unit != org else "",
                role=str(titles.get(current[0].target, "")) if current else "",
                sector=str(sector),
            )
        )
    if not entries and not problems:
        problems.append(Problem(source, None, "roster",
                                f"no one in the store matches the roster on {on}: check the "
                                "organisations, sectors and opening date (in_post keeps only "
                                "people holding a role on the opening date)"))
    return entries, problems
