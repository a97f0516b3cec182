"""Check a bundle's tables row by row and turn them into nodes and relationships.

Every defect is collected as a :class:`~kg.errors.Problem` naming file, row and column; nothing
stops at the first. References may point at ids defined in the bundle or already in the store.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from kg.errors import Problem
from kg.ingest.formats import FILES, FileSpec
from kg.ingest.reader import Table
from kg.model import (
    AssetKind,
    AssetRelation,
    ForumKind,
    Node,
    NodeLabel,
    Relationship,
    RelType,
    RoleKind,
    RoleLevel,
    Sector,
    TieKind,
)

__all__ = ["Records", "convert_tables"]

SPECS = {spec.name: spec for spec in FILES}

# Lookup tables for the closed vocabularies: one dict probe per cell on the hot path.
_ENUMS: dict[type[StrEnum], dict[str, StrEnum]] = {
    e: {m.value: m for m in e}
    for e in (Sector, RoleKind, RoleLevel, ForumKind, AssetKind, AssetRelation, TieKind)
}


@dataclass
class Records:
    """What a valid bundle becomes."""

    nodes: list[Node] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # data rows read per file
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _Ref:
    label: NodeLabel
    id: str
    file: str
    row: int
    column: str


class _Rows:
    """Walks one table, giving checked cell values and recording problems."""

    def __init__(self, table: Table, spec: FileSpec, problems: list[Problem]):
        self.table = table
        self.spec = spec
        self.problems = problems
        self.index = {name: i for i, name in enumerate(table.header)}
        width = len(table.header)
        # Rows are padded to width + 1, so an optional column absent from the header reads as
        # the empty padding cell: one list index per cell on the hot path, no branches.
        self.pos = {col: self.index.get(col, width) for col in spec.columns}
        self.extras = [
            (i, name) for i, name in enumerate(table.header) if name and name not in spec.columns
        ]
        self.line = 0
        self.people: dict = {}  # ids of people defined so far, for fast reference checks
        self.values: list[str] = []
        self.ok = True
        for col in spec.required:
            if col not in self.index:
                self.problem(col, "required column is missing from the header", line=1)
        self.usable = all(col in self.index for col in spec.required)
        self.width = width

    def problem(self, column: str | None, message: str, *, line: int | None = None) -> None:
        self.ok = False
        self.problems.append(
            Problem(self.table.filename, self.line if line is None else line, column, message)
        )

    def __iter__(self):
        if not self.usable:
            return
        width = self.width
        for line, values in self.table.rows:
            self.line, self.ok = line, True
            if len(values) > width:
                self.values = values
                self.problem(None, f"{len(values)} values but the header has {width} columns")
                continue
            self.values = values + [""] * (width + 1 - len(values))
            yield line

    def text(self, col: str, *, required: bool = False) -> str | None:
        value = self.values[self.pos[col]].strip()
        if not value:
            if required:
                self.problem(col, "a value is required")
            return None
        return value

    def enum(self, col: str, enum: type[StrEnum], *, required: bool = True) -> StrEnum | None:
        value = self.text(col, required=required)
        if value is None:
            return None
        member = _ENUMS[enum].get(value.lower())
        if member is None:
            allowed = ", ".join(_ENUMS[enum])
            self.problem(col, f"unknown value {value!r}; allowed: {allowed}")
        return member

    def date(self, col: str, *, required: bool = False) -> date | None:
        value = self.text(col, required=required)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problem(col, f"{value!r} is not a date in YYYY-MM-DD form")
            return None

    def number(self, col: str, *, integer: bool = False) -> float | int | None:
        value = self.text(col)
        if value is None:
            return None
        try:
            number = int(value) if integer else float(value)
        except ValueError:
            kind = "a whole number" if integer else "a number"
            self.problem(col, f"{value!r} is not {kind}")
            return None
        if not math.isfinite(number) or number < 0:
            self.problem(col, f"{value!r} must be a finite number, zero or more")
            return None
        return number

    def period(self) -> tuple[date | None, date | None]:
        start, end = self.date("start"), self.date("end")
        if start and end and end < start:
            self.problem("end", f"end {end} is before start {start}")
        return start, end

    def extra_props(self) -> dict:
        values = self.values
        return {name: values[i].strip() for i, name in self.extras if values[i].strip()}


def convert_tables(
    tables: dict[str, Table],
    *,
    stored_ids: Callable[[NodeLabel, set[str]], set[str]],
    imported_at: str,
) -> Records:
    """Check every table and build the records; ``stored_ids`` resolves references to the store."""
    out = Records()
    defined: dict[NodeLabel, dict[str, tuple[str, int]]] = {label: {} for label in NodeLabel}
    refs: list[_Ref] = []
    rel_keys: dict[tuple[RelType, str], tuple[str, int]] = {}
    parents: dict[str, str] = {}

    def define(rows: _Rows, label: NodeLabel, id_: str | None, what: str | None = None) -> bool:
        if id_ is None:
            return False
        first = defined[label].get(id_)
        if first is not None:
            message = f"duplicate {what or f'id {id_!r}'} (first in row {first[1]})"
            rows.problem(None if what else "id", message)
            return False
        defined[label][id_] = (rows.table.filename, rows.line)
        return True

    def ref(rows: _Rows, label: NodeLabel, col: str, *, required: bool = True) -> str | None:
        value = rows.text(col, required=required)
        if value is not None and value not in defined[label]:
            refs.append(_Ref(label, value, rows.table.filename, rows.line, col))
        return value

    def add_rel(rows: _Rows, rel: Relationship, what: str) -> None:
        first = rel_keys.get((rel.type, rel.key))
        if first is not None:
            rows.problem(None, f"duplicate {what} (same as row {first[1]})")
            return
        rel_keys[(rel.type, rel.key)] = (rows.table.filename, rows.line)
        rel.source_file, rel.imported_at = rows.table.filename, imported_at
        out.relationships.append(rel)

    def add_node(rows: _Rows, label: NodeLabel, id_: str, props: dict) -> None:
        props.update(rows.extra_props())
        out.nodes.append(Node(label, id_, props, rows.table.filename, imported_at))

    for spec in FILES:
        table = tables.get(spec.name)
        if table is None:
            continue
        out.rows[spec.filename] = len(table.rows)
        rows = _Rows(table, spec, out.problems)
        rows.people = defined[NodeLabel.PERSON]
        convert = _CONVERTERS[spec.name]
        for _ in rows:
            convert(rows, define, ref, add_node, add_rel, parents)

    _check_references(refs, defined, stored_ids, out.problems)
    _check_parent_cycles(parents, tables, out.problems)
    return out


def _organisation(rows, define, ref, add_node, add_rel, parents):
    id_ = rows.text("id", required=True)
    name = rows.text("name", required=True)
    sector = rows.enum("sector", Sector)
    parent = ref(rows, NodeLabel.ORGANISATION, "parent_id", required=False)
    if parent is not None and parent == id_:
        rows.problem("parent_id", "an organisation cannot be part of itself")
    if not define(rows, NodeLabel.ORGANISATION, id_) or not rows.ok:
        return
    add_node(rows, NodeLabel.ORGANISATION, id_, {"name": name, "sector": sector.value})
    if parent is not None:
        parents[id_] = parent
        add_rel(rows, Relationship(RelType.PART_OF, id_, id_, parent), "parent")


def _person(rows, define, ref, add_node, add_rel, parents):
    id_ = rows.text("id", required=True)
    name = rows.text("name", required=True)
    props = {"name": name}
    for col in ("profession", "band"):
        value = rows.text(col)
        if value is not None:
            props[col] = value
    if define(rows, NodeLabel.PERSON, id_) and rows.ok:
        add_node(rows, NodeLabel.PERSON, id_, props)


def _role(rows, define, ref, add_node, add_rel, parents):
    person = ref(rows, NodeLabel.PERSON, "person_id")
    org = ref(rows, NodeLabel.ORGANISATION, "organisation_id")
    title = rows.text("title", required=True)
    kind = rows.enum("kind", RoleKind)
    level = rows.enum("level", RoleLevel)
    start, end = rows.period()
    if not rows.ok:
        return
    role_id = f"{person}|{org}|{title}|{start or ''}"
    props = {"title": title, "kind": kind.value, "level": level.value}
    if not define(rows, NodeLabel.ROLE, role_id, "role (same person, organisation, title, start)"):
        return
    add_node(rows, NodeLabel.ROLE, role_id, props)
    add_rel(rows, Relationship(RelType.HOLDS_ROLE, role_id, person, role_id, start, end), "role")
    add_rel(rows, Relationship(RelType.AT_ORGANISATION, role_id, role_id, org, start, end), "role")


def _forum(rows, define, ref, add_node, add_rel, parents):
    id_ = rows.text("id", required=True)
    name = rows.text("name", required=True)
    kind = rows.enum("kind", ForumKind)
    org = ref(rows, NodeLabel.ORGANISATION, "organisation_id", required=False)
    cadence = rows.text("cadence")
    if not define(rows, NodeLabel.FORUM, id_) or not rows.ok:
        return
    props = {"name": name, "kind": kind.value}
    if cadence is not None:
        props["cadence"] = cadence
    add_node(rows, NodeLabel.FORUM, id_, props)
    if org is not None:
        add_rel(rows, Relationship(RelType.CONVENED_BY, id_, id_, org), "convener")


def _attendance(rows, define, ref, add_node, add_rel, parents):
    person = ref(rows, NodeLabel.PERSON, "person_id")
    forum = ref(rows, NodeLabel.FORUM, "forum_id")
    start, end = rows.period()
    count = rows.number("count", integer=True)
    if not rows.ok:
        return
    props = rows.extra_props()
    if count is not None:
        props["count"] = count
    key = f"{person}|{forum}|{start or ''}"
    rel = Relationship(RelType.ATTENDS, key, person, forum, start, end, None, props)
    add_rel(rows, rel, "attendance (same person, forum and start)")


def _asset(rows, define, ref, add_node, add_rel, parents):
    id_ = rows.text("id", required=True)
    title = rows.text("title", required=True)
    kind = rows.enum("kind", AssetKind)
    forum = ref(rows, NodeLabel.FORUM, "forum_id", required=False)
    created = rows.date("created")
    if not define(rows, NodeLabel.ASSET, id_) or not rows.ok:
        return
    props = {"title": title, "kind": kind.value}
    if created is not None:
        props["created"] = created.isoformat()
    add_node(rows, NodeLabel.ASSET, id_, props)
    if forum is not None:
        add_rel(rows, Relationship(RelType.PRODUCED, id_, forum, id_, created), "producer")


def _asset_link(rows, define, ref, add_node, add_rel, parents):
    person = ref(rows, NodeLabel.PERSON, "person_id")
    asset = ref(rows, NodeLabel.ASSET, "asset_id")
    relation = rows.enum("relation", AssetRelation)
    when = rows.date("date")
    if not rows.ok:
        return
    type_ = RelType.AUTHORED if relation is AssetRelation.AUTHORED else RelType.USES
    rel = Relationship(
        type_, f"{person}|{asset}", person, asset, when, None, None, rows.extra_props()
    )
    add_rel(rows, rel, f"{relation.value} link (same person and asset)")


_TIE_KINDS = {m.value: m.value for m in TieKind}


def _tie(rows, define, ref, add_node, add_rel, parents):
    # Ties are most of a large bundle: a row that is plainly valid takes this inline path; any
    # doubt falls through to the checked path below, which names the problem.
    v, p = rows.values, rows.pos
    source, target = v[p["source_id"]].strip(), v[p["target_id"]].strip()
    kind = _TIE_KINDS.get(v[p["kind"]].strip().lower())
    raw_w, raw_s, raw_e = v[p["weight"]].strip(), v[p["start"]].strip(), v[p["end"]].strip()
    people = rows.people
    if kind and source and target and source != target and source in people and target in people:
        try:
            weight = float(raw_w) if raw_w else None
            start = date.fromisoformat(raw_s) if raw_s else None
            end = date.fromisoformat(raw_e) if raw_e else None
        except ValueError:
            pass
        else:
            if (weight is None or 0 <= weight < math.inf) and not (start and end and end < start):
                props = rows.extra_props() if rows.extras else {}
                props["kind"] = kind
                key = f"{source}|{target}|{kind}|{raw_s}"
                rel = Relationship(RelType.TIE, key, source, target, start, end, weight, props)
                add_rel(rows, rel, "tie (same source, target, kind and start)")
                return
    _tie_checked(rows, define, ref, add_node, add_rel, parents)


def _tie_checked(rows, define, ref, add_node, add_rel, parents):
    source = ref(rows, NodeLabel.PERSON, "source_id")
    target = ref(rows, NodeLabel.PERSON, "target_id")
    kind = rows.enum("kind", TieKind)
    weight = rows.number("weight")
    start, end = rows.period()
    if source is not None and source == target:
        rows.problem("target_id", "a tie needs two different people")
    if not rows.ok:
        return
    props = rows.extra_props()
    props["kind"] = kind.value
    key = f"{source}|{target}|{kind.value}|{start or ''}"
    rel = Relationship(RelType.TIE, key, source, target, start, end, weight, props)
    add_rel(rows, rel, "tie (same source, target, kind and start)")


def _phase(rows, define, ref, add_node, add_rel, parents):
    id_ = rows.text("id", required=True)
    name = rows.text("name", required=True)
    start = rows.date("start", required=True)
    end = rows.date("end", required=True)
    if start and end and end < start:
        rows.problem("end", f"end {end} is before start {start}")
    if define(rows, NodeLabel.PHASE, id_) and rows.ok:
        props = {"name": name, "start": start.isoformat(), "end": end.isoformat()}
        add_node(rows, NodeLabel.PHASE, id_, props)


_CONVERTERS = {
    "organisations": _organisation,
    "people": _person,
    "roles": _role,
    "forums": _forum,
    "attendance": _attendance,
    "assets": _asset,
    "asset_links": _asset_link,
    "ties": _tie,
    "phases": _phase,
}


def _check_references(refs, defined, stored_ids, problems: list[Problem]) -> None:
    by_label: dict[NodeLabel, set[str]] = {}
    for r in refs:
        if r.id not in defined[r.label]:
            by_label.setdefault(r.label, set()).add(r.id)
    known = {label: stored_ids(label, ids) for label, ids in by_label.items()}
    for r in refs:
        if r.id not in defined[r.label] and r.id not in known.get(r.label, ()):
            problems.append(
                Problem(r.file, r.row, r.column, f"no {r.label.value} with id {r.id!r} exists")
            )


def _check_parent_cycles(parents: dict[str, str], tables, problems: list[Problem]) -> None:
    reported: set[str] = set()
    for start in parents:
        seen = [start]
        node = parents.get(start)
        while node is not None and node not in seen:
            seen.append(node)
            node = parents.get(node)
        if node is not None and start not in reported:
            cycle = seen[seen.index(node) :]
            reported.update(cycle)
            filename = tables["organisations"].filename
            problems.append(
                Problem(filename, None, "parent_id", f"parent cycle: {' -> '.join(cycle + [node])}")
            )
