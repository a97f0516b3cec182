"""A foreign network becomes the bundle's tables: people, organisations, roles and ties.

The tables are exactly what the CSV reader produces (:class:`~kg.ingest.reader.Table`: header,
rows with their source lines), so the bundle's own checks and conversion
(:func:`~kg.ingest.convert.convert_tables`) validate them and name each problem's file and line.
The rules, in the order they apply:

- **People.** Each node is a person whose id is the node's id in the file (or the attribute
  mapped to ``id``), so importing the file again changes nothing. ``name`` comes from the
  attribute named (or mapped) so, else a node ``label``, else the stored person's name, else the
  id. ``profession`` and ``band`` likewise; every other attribute is kept as a property (its name
  lower-cased, other characters as ``_``). A person the store already holds keeps what the file
  does not say, and is not rewritten when the file says nothing new. In an edge list, the ids
  named by the edges are the people.
- **Organisations.** A node's ``organisation`` is matched to a stored organisation by id, then by
  name (case and spacing ignored; several matches are a problem); otherwise it becomes a new
  organisation whose id is the value itself when it is already an id (no spaces, such as
  ``ORG-ACUTE``) and ``ORG-`` plus its words in capitals otherwise (``Westbridge Trust`` ->
  ``ORG-WESTBRIDGE-TRUST``): the same name gives the same id on every import. A new organisation
  needs a ``sector`` (an attribute, a mapped one, or ``--default sector=...``); one that lacks it
  is a problem, never a guess. A ``team`` becomes an organisation within it (id: the value when
  it is an id, else the organisation's id plus the team's words).
- **Roles.** A person with an organisation holds a role there (at the team when given), with
  ``role_kind`` and ``level`` from attributes or defaults (the bundle requires both), ``title``
  from an attribute or ``member``. A stored person who already holds a role at that
  organisation keeps it as stored (the bundle is where roles are kept up to date).
- **Ties.** Each edge is a tie from source to target: an undirected edge one tie from the node
  the file names first, a mutual edge a tie each way. ``kind`` from an attribute, else
  ``--default kind=...``, else ``collaboration`` (with a note); ``weight``, ``start`` and ``end``
  from attributes. An edge from a node to itself is left out, with a note.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field

from kg.errors import Problem
from kg.ingest.foreign.mapping import (
    DROP,
    EDGE_FIELDS,
    NODE_FIELDS,
    Mapping,
)
from kg.ingest.foreign.network import ForeignNetwork
from kg.ingest.foreign.roster import Roster
from kg.ingest.reader import Table
from kg.model import RoleKind, RoleLevel, Sector

__all__ = ["DEFAULT_TIE_KIND", "ForeignTable", "derived_id", "network_tables", "organisation_id",
           "relabel_problems"]

DEFAULT_TIE_KIND = "collaboration"
DEFAULT_TITLE = "member"
_ID_SHAPED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
_PEOPLE = ("id", "name", "profession", "band")
_TIES = ("source_id", "target_id", "kind", "weight", "start", "end")
_ALLOWED = {
    "sector": ", ".join(m.value for m in Sector),
    "role_kind": ", ".join(m.value for m in RoleKind),
    "level": ", ".join(m.value for m in RoleLevel),
}


@dataclass
class ForeignTable(Table):
    """A bundle table read from a foreign file; ``sources`` maps its columns to the file's names."""

    sources: dict[str, str] = field(default_factory=dict)


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[A-Z0-9]+", text.upper()))


def derived_id(value: str, prefix: str) -> str:
    """``prefix`` and the words of ``value`` in capitals: the same value gives the same id.

    >>> derived_id("Alex Morgan", "P-")
    'P-ALEX-MORGAN'
    """
    value = value.strip()
    slug = _slug(value) or "X"
    if len(slug) > 48:  # keep ids short; the hash keeps them distinct and stable
        slug = slug[:40].rstrip("-") + "-" + hashlib.sha1(value.encode()).hexdigest()[:6].upper()
    return prefix + slug


def organisation_id(value: str) -> str:
    """The id an organisation named ``value`` gets when the store does not hold it.

    >>> organisation_id("ORG-ACUTE"), organisation_id("Westbridge Hospitals NHS Trust")
    ('ORG-ACUTE', 'ORG-WESTBRIDGE-HOSPITALS-NHS-TRUST')
    """
    value = value.strip()
    return value if _ID_SHAPED.match(value) else derived_id(value, "ORG-")


def _prop_name(attribute: str) -> str:
    name = re.sub(r"[^0-9a-z]+", "_", attribute.casefold()).strip("_") or "attribute"
    return "_" + name if name[0].isdigit() else name[:64]


@dataclass
class _Plan:
    """How one scope's attributes (node or edge) feed fields and properties."""

    fields: dict[str, list[str]]  # field -> attributes in order of preference
    extras: dict[str, str]  # attribute -> property name
    dropped: list[str]
    unused: list[str]  # mapped to something that means nothing here


@dataclass
class _Org:
    id: str
    name: str
    line: int
    stored: bool
    sector: str | None = None
    parent: str | None = None  # for teams
    sector_line: int = 0


def network_tables(
    net: ForeignNetwork, mapping: Mapping, roster: Roster
) -> tuple[dict[str, ForeignTable], list[Problem], list[str]]:
    """The bundle tables of ``net``, with the problems and notes of the conversion.

    Parameters
    ----------
    net : ForeignNetwork
        What a format reader read.
    mapping : Mapping
        Attribute renames, recodings and defaults.
    roster : Roster
        The store's people and organisations, to link to rather than rewrite.
    """
    return _Converter(net, mapping, roster).run()


class _Converter:
    def __init__(self, net: ForeignNetwork, mapping: Mapping, roster: Roster):
        self.net = net
        self.mapping = mapping
        self.roster = roster
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.orgs: dict[str, _Org] = {}  # key (normalised name) -> org
        self.teams: dict[str, _Org] = {}  # team id -> team
        self.people: dict[str, str] = {}  # file node id -> person id
        self.person_lines: dict[str, int] = {}
        self.implicit: dict[str, int] = {}  # edge-list people -> first line naming them
        self.unusable: set[str] = set()  # organisations that cannot be written (no sector)

    # -- planning -----------------------------------------------------------------------------
    def plan(self, attributes: list[str], scope: str, reserved: tuple[str, ...]) -> _Plan:
        own = NODE_FIELDS if scope == "node" else EDGE_FIELDS
        ranked: dict[str, list[tuple[int, str]]] = defaultdict(list)
        extras, dropped, unused = {}, [], []
        for attr in attributes:
            target, rank = self.mapping.target(attr, scope)
            if target == DROP:
                dropped.append(attr)
            elif target in own:
                ranked[target].append((rank, attr))
            else:
                if target is not None:
                    unused.append(f"{attr}={target}")
                extras[attr] = None
        fields = {f: [a for _, a in sorted(c)] for f, c in ranked.items()}
        for candidates in fields.values():
            for attr in candidates[1:]:  # a lesser spelling (a label beside a name) is kept too
                extras[attr] = None
        taken = set(reserved)
        for attr in extras:
            name = _prop_name(attr)
            while name in taken:
                name += "_"
            taken.add(name)
            extras[attr] = name
        return _Plan(fields, extras, dropped, unused)

    def value(self, plan: _Plan, attrs: dict[str, str], fld: str) -> str | None:
        candidates = plan.fields.get(fld)
        if candidates:
            for attr in candidates:
                raw = attrs.get(attr)
                if raw and not raw.isspace():
                    return self.mapping.recode(fld, raw)
        return self.mapping.defaults.get(fld) or None

    def column(self, plan: _Plan, fld: str) -> str:
        names = plan.fields.get(fld)
        return names[0] if names else fld

    # -- run ----------------------------------------------------------------------------------
    def run(self):
        net = self.net
        node_plan = self.plan(list(dict.fromkeys(a for n in net.nodes for a in n.attrs)),
                              "node", _PEOPLE)
        edge_plan = self.plan(list(dict.fromkeys(a for e in net.edges for a in e.attrs)),
                              "edge", _TIES)
        people, roles = self.nodes(node_plan)
        ties = self.edges(edge_plan)
        people.rows += self.implicit_people()
        organisations = self.organisation_rows(node_plan)
        roles = self.check_roles(roles, node_plan)
        self.describe(node_plan, edge_plan)
        tables = {}
        for name, table in (("organisations", organisations), ("people", people),
                            ("roles", roles), ("ties", ties)):
            if table is not None and table.rows:
                tables[name] = table
        return tables, self.problems, self.notes

    # -- nodes --------------------------------------------------------------------------------
    def nodes(self, plan: _Plan):
        net = self.net
        id_attrs = plan.fields.get("id", [])
        ids = []
        for node in net.nodes:
            pid = next((node.attrs[a].strip() for a in id_attrs if node.attrs.get(a, "").strip()),
                       node.id)
            ids.append(pid)
        stored = self.roster.people(ids)
        held = self.roster.organisations_of(stored) if stored else {}
        kept_roles = 0
        extra_names = list(plan.extras.values())
        people = ForeignTable(net.node_file, [],
                              sources={"id": id_attrs[0] if id_attrs else net.id_column,
                                       "name": self.column(plan, "name"),
                                       "profession": self.column(plan, "profession"),
                                       "band": self.column(plan, "band"),
                                       **{p: a for a, p in plan.extras.items()}})
        roles: list[tuple[int, list[str]]] = []
        self.named_by_id = 0
        for node, pid in zip(net.nodes, ids, strict=True):
            line = node.line or 0
            first = self.person_lines.get(pid)
            if first is not None:
                where = f"line {first}" if first else "earlier"
                self.problems.append(Problem(net.node_file, line or None, people.sources["id"],
                                             f"duplicate id {pid!r} (first at {where})"))
                continue
            self.person_lines[pid] = line
            self.people[node.id] = pid
            attrs = node.attrs
            if attrs.get("label") == node.id:  # networkx and Gephi repeat the id as a label
                attrs = {k: v for k, v in attrs.items() if k != "label"}
            row = self.person_row(plan, attrs, pid, stored.get(pid), extra_names)
            if row is not None:
                people.rows.append((line, row))
            org = self.value(plan, attrs, "organisation")
            team = self.value(plan, attrs, "team")
            if team and not org:
                self.problems.append(Problem(
                    net.node_file, line or None, self.column(plan, "team"),
                    f"team {team!r} needs an organisation (give the node an organisation "
                    "attribute, or --default organisation=...)"))
                continue
            if org:
                role = self.role(plan, attrs, pid, org, team, line)
                if role is not None and role[1] in held.get(pid, ()):
                    kept_roles += 1  # the store's role there stands: the bundle is its source
                elif role is not None:
                    roles.append((line, role))
        people.header = list(_PEOPLE) + extra_names  # stored people may have added properties
        if kept_roles:
            self.notes.append(f"{net.node_file}: {kept_roles:,} people already hold a role at "
                              "the organisation the file names; their stored role was kept")
        return people, roles

    def person_row(self, plan, attrs, pid, stored, extra_names) -> list[str] | None:
        values = {f: self.value(plan, attrs, f) for f in ("name", "profession", "band")}
        extras = {plan.extras[a]: str(v).strip() for a, v in attrs.items()
                  if a in plan.extras and str(v).strip()}
        if stored is not None:
            merged = {k: str(v) for k, v in stored.items() if v not in (None, "")}
            merged.update({k: v for k, v in values.items() if v})
            merged.update(extras)
            if merged == stored:
                return None  # the file says nothing new about this person: link, do not rewrite
            values = {f: merged.pop(f, None) for f in ("name", "profession", "band")}
            extras = merged
            extra_names.extend(k for k in extras if k not in extra_names)
        if not values["name"]:
            values["name"] = pid
            self.named_by_id += 1
        row = [pid, values["name"], values["profession"] or "", values["band"] or ""]
        row += [extras.get(name, "") for name in extra_names]
        return row

    def role(self, plan, attrs, pid, org_value, team_value, line) -> list[str] | None:
        sector = self.value(plan, attrs, "sector")
        org = self.organisation(org_value, sector, line, plan)
        if org is None:
            return None
        where = org
        if team_value:
            where = self.team(team_value, org, line, plan)
            if where is None:
                return None
        return [
            pid, where.id,
            self.value(plan, attrs, "title") or DEFAULT_TITLE,
            self.value(plan, attrs, "role_kind") or "",
            self.value(plan, attrs, "level") or "",
            self.value(plan, attrs, "start") or "",
            self.value(plan, attrs, "end") or "",
        ]

    def organisation(self, value: str, sector: str | None, line: int, plan) -> _Org | None:
        key = " ".join(value.casefold().split())
        org = self.orgs.get(key)
        if org is None:
            stored = self.roster.organisations()
            if value in stored:
                org = _Org(value, value, line, True, stored[value].get("sector"))
            else:
                named = self.roster.organisations_named(value)
                if len(named) > 1:
                    self.problems.append(Problem(
                        self.net.node_file, line or None, self.column(plan, "organisation"),
                        f"organisation {value!r} matches {len(named)} stored organisations "
                        f"({', '.join(sorted(named)[:5])}); write the id instead"))
                    return None
                if named:
                    org = _Org(named[0], value, line, True, stored[named[0]].get("sector"))
                else:
                    new_id = organisation_id(value)
                    if new_id in stored:
                        self.notes.append(f"organisation {value!r} is linked to the stored "
                                          f"{new_id} ({stored[new_id].get('name')})")
                    org = _Org(new_id, value, line, new_id in stored,
                               stored.get(new_id, {}).get("sector"))
            self.orgs[key] = org
            if not org.stored:
                org.sector = None
        if sector:
            if org.stored:
                if org.sector and sector.lower() != str(org.sector).lower():
                    self.notes.append(f"organisation {value!r} is {org.sector!r} in the store; the "
                                      f"file's sector {sector!r} was not applied")
            elif org.sector is None:
                org.sector, org.sector_line = sector, line
            elif sector.lower() != org.sector.lower():
                self.problems.append(Problem(
                    self.net.node_file, line or None, self.column(plan, "sector"),
                    f"organisation {value!r} is given sector {sector!r} here but "
                    f"{org.sector!r} at line {org.sector_line}"))
        return org

    def team(self, value: str, org: _Org, line: int, plan) -> _Org | None:
        team_id = value if _ID_SHAPED.match(value) else f"{org.id}-{_slug(value) or 'TEAM'}"
        team = self.teams.get(team_id)
        if team is None:
            stored = team_id in self.roster.organisations()
            team = _Org(team_id, value, line, stored, parent=org.id)
            self.teams[team_id] = team
        elif team.parent != org.id:
            self.problems.append(Problem(
                self.net.node_file, line or None, self.column(plan, "team"),
                f"team {value!r} is in {org.name!r} here but in another organisation at line "
                f"{team.line}"))
            return None
        return team

    def organisation_rows(self, plan) -> ForeignTable:
        org_col = self.column(plan, "organisation")
        table = ForeignTable(self.net.node_file, ["id", "name", "sector", "parent_id"],
                             sources={"id": org_col, "name": org_col,
                                      "sector": self.column(plan, "sector"),
                                      "parent_id": org_col})
        sector_col = self.column(plan, "sector")
        for org in self.orgs.values():
            if org.stored:
                continue
            if not org.sector:
                self.unusable.add(org.id)
                self.problems.append(Problem(
                    self.net.node_file, org.line or None, sector_col,
                    f"organisation {org.name!r} has no sector: give its people a sector "
                    f"attribute (or --map ATTRIBUTE=sector), or --default sector=VALUE "
                    f"({_ALLOWED['sector']})"))
                continue
            table.rows.append((org.line, [org.id, org.name, org.sector, ""]))
        by_id = {o.id: o for o in self.orgs.values()}
        for team in self.teams.values():
            parent = by_id.get(team.parent)
            if team.stored:
                continue
            if parent is None or parent.id in self.unusable:
                self.unusable.add(team.id)
                continue
            sector = parent.sector or ""
            table.rows.append((team.line, [team.id, team.name, str(sector), parent.id]))
        return table

    def check_roles(self, roles, plan) -> ForeignTable | None:
        table = ForeignTable(self.net.node_file,
                             ["person_id", "organisation_id", "title", "kind", "level", "start",
                              "end"],
                             sources={"person_id": self.net.id_column,
                                      "organisation_id": self.column(plan, "organisation"),
                                      "title": self.column(plan, "title"),
                                      "kind": self.column(plan, "role_kind"),
                                      "level": self.column(plan, "level"),
                                      "start": self.column(plan, "start"),
                                      "end": self.column(plan, "end")})
        if not roles:
            return table
        whole = False
        for fld in ("role_kind", "level"):
            if not plan.fields.get(fld) and not self.mapping.defaults.get(fld):
                whole = True
                self.problems.append(Problem(
                    self.net.node_file, None, fld,
                    f"{len(roles):,} people have an organisation but the file gives no "
                    f"{fld.replace('_', ' ')} of their role: add a {fld} attribute, map one "
                    f"(--map ATTRIBUTE={fld}), or give --default {fld}=VALUE ({_ALLOWED[fld]})"))
        if not whole:  # roles at an organisation without a sector were reported with it
            table.rows = [r for r in roles if r[1][1] not in self.unusable]
        return table

    # -- edges --------------------------------------------------------------------------------
    def edges(self, plan: _Plan) -> ForeignTable:
        net = self.net
        extra_names = list(plan.extras.values())
        columns = net.edges[0].columns if net.edges else ("source", "target")
        table = ForeignTable(net.edge_file, list(_TIES) + extra_names,
                             sources={"source_id": columns[0], "target_id": columns[1],
                                      "kind": self.column(plan, "kind"),
                                      "weight": self.column(plan, "weight"),
                                      "start": self.column(plan, "start"),
                                      "end": self.column(plan, "end"),
                                      **{p: a for a, p in plan.extras.items()}})
        implicit = self.implicit
        self.loops = self.defaulted = self.undirected = self.mutual = 0
        first_loop = None
        stored: set[str] = set()
        if net.declared_nodes:  # an edge may name a stored person; any other is dangling
            undeclared = {e for edge in net.edges for e in (edge.source, edge.target)
                          if e not in self.people}
            stored = set(self.roster.people(undeclared))
        for edge in net.edges:
            source = self.people.get(edge.source, edge.source)
            target = self.people.get(edge.target, edge.target)
            line = edge.line or 0
            if net.declared_nodes:
                dangling = [(col, end) for col, end, node in
                            ((edge.columns[0], source, edge.source),
                             (edge.columns[1], target, edge.target))
                            if node not in self.people and end not in stored]
                for col, end in dangling:
                    self.problems.append(Problem(
                        net.edge_file, line or None, col,
                        f"the edge names {end!r}, a node the file does not declare and the "
                        "store does not hold"))
                if dangling:
                    continue
            if source == target:
                self.loops += 1
                first_loop = first_loop or line
                continue
            if not net.declared_nodes:
                for end in (source, target):
                    if end not in self.people and end not in implicit:
                        implicit[end] = line
            kind = self.value(plan, edge.attrs, "kind")
            if kind is None:
                kind = DEFAULT_TIE_KIND
                self.defaulted += 1
            row = [source, target, kind,
                   self.value(plan, edge.attrs, "weight") or "",
                   self.value(plan, edge.attrs, "start") or "",
                   self.value(plan, edge.attrs, "end") or ""]
            row += [str(edge.attrs.get(a, "")).strip() for a in plan.extras]
            table.rows.append((line, row))
            if edge.direction == "mutual":
                self.mutual += 1
                table.rows.append((line, [target, source] + row[2:]))
            elif edge.direction == "undirected":
                self.undirected += 1
        if self.loops:
            self.notes.append(f"{net.edge_file}: {self.loops:,} edge(s) from a person to "
                              f"themself (first at line {first_loop}) left out: a tie joins two "
                              "people")
        return table

    def implicit_people(self) -> list[tuple[int, list[str]]]:
        """People rows for the ids an edge list names (those the store holds are linked to)."""
        implicit = self.implicit
        if not implicit:
            return []
        stored = self.roster.people(implicit)
        new = [(pid, line) for pid, line in implicit.items() if pid not in stored]
        if new:
            self.notes.append(f"{self.net.edge_file}: {len(new):,} people named by the edges are "
                              "not in the store; they were added with their id as their name")
        if stored:
            self.notes.append(f"{self.net.edge_file}: {len(stored):,} people named by the edges "
                              "are already in the store and were linked to")
        return [(line, [pid, pid, "", ""]) for pid, line in new]

    # -- notes --------------------------------------------------------------------------------
    def describe(self, node_plan: _Plan, edge_plan: _Plan) -> None:
        net = self.net
        if self.named_by_id:
            self.notes.append(f"{net.node_file}: {self.named_by_id:,} people have no name in the "
                              "file; their id is their name (map a name with --map ATTR=name)")
        if self.defaulted:
            self.notes.append(f"{net.edge_file}: {self.defaulted:,} tie(s) have no kind; imported"
                              f" as {DEFAULT_TIE_KIND!r} (set --default kind=... or map one)")
        if self.undirected:
            self.notes.append(f"{net.edge_file}: {self.undirected:,} undirected edge(s), each "
                              "imported as one tie from the person the file names first")
        if self.mutual:
            self.notes.append(f"{net.edge_file}: {self.mutual:,} mutual edge(s), each imported as"
                              " a tie each way")
        for scope, plan in (("node", node_plan), ("edge", edge_plan)):
            kept = [a for a, p in plan.extras.items() if a not in
                    {x for c in plan.fields.values() for x in c}]
            if kept:
                more = f" and {len(kept) - 12} more" if len(kept) > 12 else ""
                self.notes.append(f"{scope} attributes kept as properties: "
                                  f"{', '.join(kept[:12])}{more}")
            if plan.dropped:
                self.notes.append(f"{scope} attributes left out: {', '.join(plan.dropped)}")
            if plan.unused:
                self.notes.append(f"mappings that mean nothing for {scope}s of this format, "
                                  f"ignored: {', '.join(plan.unused)}")


def relabel_problems(problems: list[Problem], tables: dict) -> list[Problem]:
    """Name each problem's column as the foreign file does (``club`` rather than ``sector``).

    Problems of bundle tables (or any file whose tables are not :class:`ForeignTable`) pass
    unchanged. A problem is matched to its table by file name and row.
    """
    foreign = [t for t in tables.values() if isinstance(t, ForeignTable)]
    if not foreign or not problems:
        return problems
    wanted = {(p.file, p.row) for p in problems if p.column}
    owner: dict[tuple[str, int | None], ForeignTable] = {}
    for table in foreign:
        if (table.filename, 1) in wanted:
            owner.setdefault((table.filename, 1), table)
        for line, _ in table.rows:
            if (table.filename, line) in wanted:
                owner.setdefault((table.filename, line), table)
    out = []
    for p in problems:
        table = owner.get((p.file, p.row))
        if table is not None and p.column in table.sources:
            p = Problem(p.file, p.row, table.sources[p.column], p.message)
        out.append(p)
    return out
