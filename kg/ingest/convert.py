"""Check a bundle's tables row by row and turn them into nodes and relationships.

Every defect is collected as a :class:`~kg.errors.Problem` naming file, row and column; nothing
stops at the first. References may point at ids defined in the bundle or already in the store.

What identifies a row (so that importing it again with a corrected field updates it in place):

- organisations, people, forums, assets, phases, interventions: ``id``;
- roles, attendance, ties: ``id`` when the file has that column and the row a value, otherwise
  roles by person, organisation and start (roles one person takes up at one organisation on the
  same day are told apart by their order in the file), attendance by person, forum and start, and
  ties by source, target, kind and start;
- asset links: person, asset and relation.

A start date is part of a dated record's identity: one pair's advice tie recorded in 2014 and again
in 2016 is two ties, and each may arrive in a bundle of its own. Dates are keyed in their one
canonical form, ``YYYY-MM-DD``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from kg.errors import Problem
from kg.ingest.formats import (
    BOUNDARY_ATTRIBUTES,
    FILES,
    MAX_COUNT,
    MAX_WEIGHT,
    FileSpec,
    parse_boundary,
    parse_date,
)
from kg.ingest.reader import ProblemLog, Table, shown
from kg.model import (
    AssetRelation,
    InterventionTarget,
    Node,
    NodeLabel,
    Relationship,
    RelType,
)

__all__ = ["Records", "convert_tables"]

SPECS = {spec.name: spec for spec in FILES}
# The label of the ids each file defines.
DEFINES = {
    "organisations": NodeLabel.ORGANISATION,
    "people": NodeLabel.PERSON,
    "forums": NodeLabel.FORUM,
    "assets": NodeLabel.ASSET,
    "phases": NodeLabel.PHASE,
    "interventions": NodeLabel.INTERVENTION,
}

# Lookup tables for the closed vocabularies: one dict probe per cell on the hot path.
_ENUMS: dict[type[StrEnum], dict[str, StrEnum]] = {
    e: {m.value: m for m in e} for spec in FILES for e in spec.vocabularies.values()
}


def _weight(text: str) -> float:
    """A tie's weight, or ``ValueError`` saying what is wrong; one rule for both tie paths."""
    try:
        weight = float(text)
    except ValueError:
        raise ValueError(f"{shown(text)} is not a number") from None
    if not 0 < weight <= MAX_WEIGHT:  # also false for nan
        raise ValueError(f"{shown(text)}: a weight is more than 0 and at most {MAX_WEIGHT:,.0f}")
    return weight


def _iso(d: date | None) -> str:
    return "" if d is None else d.isoformat()


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

    def __init__(self, table: Table, spec: FileSpec, log: ProblemLog):
        self.table = table
        self.spec = spec
        self.log = log
        self.line = 0
        self.ok = True
        self.index: dict[str, int] = {}
        for i, name in enumerate(table.header):
            if name in self.index:
                # the second would silently overwrite the first, row after row
                first = self.index[name] + 1
                message = f"column {name!r} appears twice (columns {first} and {i + 1}); keep one"
                self.problem(name, message, line=table.header_line)
            elif name:
                self.index[name] = i
        width = len(table.header)
        # Rows are padded to width + 1, so an optional column absent from the header reads as
        # the empty padding cell: one list index per cell on the hot path, no branches.
        self.pos = {col: self.index.get(col, width) for col in spec.columns}
        self.extras = [
            (i, name) for i, name in enumerate(table.header) if name and name not in spec.columns
        ]
        self.people: dict = {}  # ids of people defined so far, for fast reference checks
        self.values: list[str] = []
        for col in spec.required:
            if col not in self.index:
                message = "required column is missing from the header"
                self.problem(col, message, line=table.header_line)
        self.usable = self.ok
        self.width = width

    def problem(self, column: str | None, message: str, *, line: int | None = None) -> None:
        self.ok = False
        self.log.add(
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

    def enum(self, col: str, *, required: bool = True) -> StrEnum | None:
        value = self.text(col, required=required)
        if value is None:
            return None
        members = _ENUMS[self.spec.vocabularies[col]]
        member = members.get(value.lower())
        if member is None:
            guess = () if self.log.full else difflib.get_close_matches(value.lower(), members)
            hint = f" (did you mean {guess[0]!r}?)" if guess else ""  # the closest one
            self.problem(col, f"unknown value {shown(value)}{hint}; allowed: {', '.join(members)}")
        return member

    def date(self, col: str, *, required: bool = False) -> date | None:
        value = self.text(col, required=required)
        if value is None:
            return None
        try:
            return parse_date(value)
        except ValueError:
            self.problem(col, f"{shown(value)} is not a date in YYYY-MM-DD form")
            return None

    def weight(self, col: str) -> float | None:
        value = self.text(col)
        if value is None:
            return None
        try:
            return _weight(value)
        except ValueError as exc:
            self.problem(col, str(exc))
            return None

    def count(self, col: str) -> int | None:
        value = self.text(col)
        if value is None:
            return None
        if not (value.isascii() and value.isdigit()) or int(value) > MAX_COUNT:
            self.problem(col, f"{shown(value)} is not a whole number from 0 to {MAX_COUNT:,}")
            return None
        return int(value)

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
    stored_relationships: Callable[[RelType], list[Relationship]] | None = None,
) -> Records:
    """Check every table and build the records.

    ``stored_ids`` resolves references to the store; ``stored_relationships`` (a store's
    :meth:`~kg.store.base.GraphStore.relationships`) gives the stored organisation parents, so a
    parent cycle made of this bundle and an earlier one is refused too. When it is not given and
    ``stored_ids`` is a store's own method, that store is asked.
    """
    if stored_relationships is None:
        stored_relationships = getattr(getattr(stored_ids, "__self__", None), "relationships", None)
    out = Records()
    log = ProblemLog()
    defined: dict[NodeLabel, dict[str, tuple[str, int]]] = {label: {} for label in NodeLabel}
    refs: list[_Ref] = []
    rel_keys: dict[tuple[RelType, str], tuple[str, int]] = {}
    parents: dict[str, tuple[str, int]] = {}  # organisation -> (parent, row)
    unreadable: set[NodeLabel] = set()  # labels whose file is in the bundle but unusable
    state = _State(out, defined, refs, rel_keys, parents, imported_at)

    for spec in FILES:
        table = tables.get(spec.name)
        if table is None:
            continue
        out.rows[spec.filename] = len(table.rows)
        label = DEFINES.get(spec.name)
        if not table.header and not table.complete:
            if label:
                unreadable.add(label)
            continue
        rows = _Rows(table, spec, log)
        if label and not (rows.usable and table.complete):
            unreadable.add(label)
        rows.people = defined[NodeLabel.PERSON]
        convert = _CONVERTERS[spec.name]
        for _ in rows:
            convert(rows, state)

    _check_references(refs, defined, stored_ids, unreadable, log)
    organisations = tables.get("organisations")
    if parents and organisations is not None:
        _check_parent_cycles(parents, organisations.filename, stored_relationships, log)
    out.problems = log.result()
    return out


class _State:
    """What the converters share while walking the bundle."""

    def __init__(self, out, defined, refs, rel_keys, parents, imported_at):
        self.out, self.defined, self.refs = out, defined, refs
        self.rel_keys, self.parents, self.imported_at = rel_keys, parents, imported_at
        # same-day roles of one person at one organisation, by their natural key
        self.roles: dict[str, list[tuple[Node, Relationship, Relationship]]] = {}

    def define(self, rows: _Rows, label: NodeLabel, id_: str | None) -> bool:
        if id_ is None:
            return False
        first = self.defined[label].get(id_)
        if first is not None:
            rows.problem("id", f"duplicate id {shown(id_)} (first in row {first[1]})")
            return False
        self.defined[label][id_] = (rows.table.filename, rows.line)
        return True

    def ref(self, rows: _Rows, label: NodeLabel, col: str, *, required: bool = True) -> str | None:
        value = rows.text(col, required=required)
        if value is not None:
            self.ref_value(rows, label, value, col)
        return value

    def ref_value(self, rows: _Rows, label: NodeLabel, value: str, col: str) -> None:
        """A reference to ``value`` found inside a cell of ``col`` (one of several there)."""
        if value not in self.defined[label]:
            self.refs.append(_Ref(label, value, rows.table.filename, rows.line, col))

    def add_rel(self, rows: _Rows, rel: Relationship, what: str) -> None:
        first = self.rel_keys.get((rel.type, rel.key))
        if first is not None:
            rows.problem(None, f"duplicate {what} (same as row {first[1]})")
            return
        self.rel_keys[(rel.type, rel.key)] = (rows.table.filename, rows.line)
        rel.source_file, rel.imported_at = rows.table.filename, self.imported_at
        self.out.relationships.append(rel)

    def add_node(self, rows: _Rows, label: NodeLabel, id_: str, props: dict) -> Node:
        props.update(rows.extra_props())
        node = Node(label, id_, props, rows.table.filename, self.imported_at)
        self.out.nodes.append(node)
        return node


def _organisation(rows: _Rows, s: _State) -> None:
    id_ = rows.text("id", required=True)
    name = rows.text("name", required=True)
    sector = rows.enum("sector")
    parent = s.ref(rows, NodeLabel.ORGANISATION, "parent_id", required=False)
    if parent is not None and parent == id_:
        rows.problem("parent_id", "an organisation cannot be part of itself")
    if not s.define(rows, NodeLabel.ORGANISATION, id_) or not rows.ok:
        return
    s.add_node(rows, NodeLabel.ORGANISATION, id_, {"name": name, "sector": sector.value})
    if parent is not None:
        s.parents[id_] = (parent, rows.line)
        s.add_rel(rows, Relationship(RelType.PART_OF, id_, id_, parent), "parent")


def _person(rows: _Rows, s: _State) -> None:
    id_ = rows.text("id", required=True)
    name = rows.text("name", required=True)
    props = {"name": name}
    for col in ("profession", "band"):
        value = rows.text(col)
        if value is not None:
            props[col] = value
    if s.define(rows, NodeLabel.PERSON, id_) and rows.ok:
        s.add_node(rows, NodeLabel.PERSON, id_, props)


def _role(rows: _Rows, s: _State) -> None:
    person = s.ref(rows, NodeLabel.PERSON, "person_id")
    org = s.ref(rows, NodeLabel.ORGANISATION, "organisation_id")
    title = rows.text("title", required=True)
    kind = rows.enum("kind")
    level = rows.enum("level")
    start, end = rows.period()
    given = rows.text("id")
    if given is not None and not s.define(rows, NodeLabel.ROLE, given):
        return
    if not rows.ok:
        return
    natural = f"{person}|{org}|{_iso(start)}"
    same_day = s.roles.setdefault(natural, []) if given is None else []
    role_id = given or (f"{natural}|{len(same_day) + 1}" if same_day else natural)
    if len(same_day) == 1:  # a second role from the same day: the first gets its number too
        _rekey_role(same_day[0], f"{natural}|1")
    props = {"title": title, "kind": kind.value, "level": level.value}
    node = s.add_node(rows, NodeLabel.ROLE, role_id, props)
    # Role ids are unique by construction (or checked by define): no duplicate check needed.
    held = Relationship(RelType.HOLDS_ROLE, role_id, person, role_id, start, end)
    at = Relationship(RelType.AT_ORGANISATION, role_id, role_id, org, start, end)
    for rel in (held, at):
        rel.source_file, rel.imported_at = rows.table.filename, s.imported_at
        s.out.relationships.append(rel)
    if given is None:
        same_day.append((node, held, at))


def _rekey_role(role: tuple[Node, Relationship, Relationship], role_id: str) -> None:
    node, held, at = role
    node.id = held.key = held.target = at.key = at.source = role_id


def _forum(rows: _Rows, s: _State) -> None:
    id_ = rows.text("id", required=True)
    name = rows.text("name", required=True)
    kind = rows.enum("kind")
    org = s.ref(rows, NodeLabel.ORGANISATION, "organisation_id", required=False)
    cadence = rows.text("cadence")
    if not s.define(rows, NodeLabel.FORUM, id_) or not rows.ok:
        return
    props = {"name": name, "kind": kind.value}
    if cadence is not None:
        props["cadence"] = cadence
    s.add_node(rows, NodeLabel.FORUM, id_, props)
    if org is not None:
        s.add_rel(rows, Relationship(RelType.CONVENED_BY, id_, id_, org), "convener")


def _attendance(rows: _Rows, s: _State) -> None:
    person = s.ref(rows, NodeLabel.PERSON, "person_id")
    forum = s.ref(rows, NodeLabel.FORUM, "forum_id")
    start, end = rows.period()
    count = rows.count("count")
    given = rows.text("id")
    if not rows.ok:
        return
    props = rows.extra_props()
    if count is not None:
        props["count"] = count
    key = given or f"{person}|{forum}|{_iso(start)}"
    rel = Relationship(RelType.ATTENDS, key, person, forum, start, end, None, props)
    s.add_rel(rows, rel, "attendance id" if given else "attendance (same person, forum and start)")


def _asset(rows: _Rows, s: _State) -> None:
    id_ = rows.text("id", required=True)
    title = rows.text("title", required=True)
    kind = rows.enum("kind")
    forum = s.ref(rows, NodeLabel.FORUM, "forum_id", required=False)
    created = rows.date("created")
    if not s.define(rows, NodeLabel.ASSET, id_) or not rows.ok:
        return
    props = {"title": title, "kind": kind.value}
    if created is not None:
        props["created"] = created.isoformat()
    s.add_node(rows, NodeLabel.ASSET, id_, props)
    if forum is not None:
        s.add_rel(rows, Relationship(RelType.PRODUCED, id_, forum, id_, created), "producer")


def _asset_link(rows: _Rows, s: _State) -> None:
    person = s.ref(rows, NodeLabel.PERSON, "person_id")
    asset = s.ref(rows, NodeLabel.ASSET, "asset_id")
    relation = rows.enum("relation")
    when = rows.date("date")
    if not rows.ok:
        return
    type_ = RelType.AUTHORED if relation is AssetRelation.AUTHORED else RelType.USES
    rel = Relationship(
        type_, f"{person}|{asset}", person, asset, when, None, None, rows.extra_props()
    )
    s.add_rel(rows, rel, f"{relation.value} link (same person and asset)")


_TIE_KINDS = {m.value: m.value for m in SPECS["ties"].vocabularies["kind"]}
_SAME_TIE = "tie (same source, target, kind and start)"


def _tie(rows: _Rows, s: _State) -> None:
    # Ties are most of a large bundle: a row that is plainly valid takes this inline path; any
    # doubt falls through to the checked path below, which names the problem. Both parse and key
    # with the same functions, so a tie has one identity whichever path it takes.
    v, p = rows.values, rows.pos
    source, target = v[p["source_id"]].strip(), v[p["target_id"]].strip()
    kind = _TIE_KINDS.get(v[p["kind"]].strip().lower())
    raw_w, raw_s, raw_e = v[p["weight"]].strip(), v[p["start"]].strip(), v[p["end"]].strip()
    people = rows.people
    if kind and source and target and source != target and source in people and target in people:
        try:
            weight = _weight(raw_w) if raw_w else None
            start = parse_date(raw_s) if raw_s else None
            end = parse_date(raw_e) if raw_e else None
        except ValueError:
            pass
        else:
            if not (start and end and end < start):
                props = rows.extra_props() if rows.extras else {}
                props["kind"] = kind
                given = v[p["id"]].strip()
                # parse_date took raw_s, so raw_s is already the canonical text of start
                key = given or f"{source}|{target}|{kind}|{raw_s}"
                rel = Relationship(RelType.TIE, key, source, target, start, end, weight, props)
                s.add_rel(rows, rel, "tie id" if given else _SAME_TIE)
                return
    _tie_checked(rows, s)


def _tie_checked(rows: _Rows, s: _State) -> None:
    source = s.ref(rows, NodeLabel.PERSON, "source_id")
    target = s.ref(rows, NodeLabel.PERSON, "target_id")
    kind = rows.enum("kind")
    weight = rows.weight("weight")
    start, end = rows.period()
    given = rows.text("id")
    if source is not None and source == target:
        rows.problem("target_id", "a tie needs two different people")
    if not rows.ok:
        return
    props = rows.extra_props()
    props["kind"] = kind.value
    key = given or f"{source}|{target}|{kind.value}|{_iso(start)}"  # as on the inline path
    rel = Relationship(RelType.TIE, key, source, target, start, end, weight, props)
    s.add_rel(rows, rel, "tie id" if given else _SAME_TIE)


def _phase(rows: _Rows, s: _State) -> None:
    id_ = rows.text("id", required=True)
    name = rows.text("name", required=True)
    start = rows.date("start", required=True)
    end = rows.date("end", required=True)
    if start and end and end < start:
        rows.problem("end", f"end {end} is before start {start}")
    if s.define(rows, NodeLabel.PHASE, id_) and rows.ok:
        props = {"name": name, "start": start.isoformat(), "end": end.isoformat()}
        s.add_node(rows, NodeLabel.PHASE, id_, props)


# What each kind of intervention target names, and the relationship that points at it.
_TARGETS = {
    InterventionTarget.PEOPLE: (NodeLabel.PERSON, RelType.TARGETS_PERSON),
    InterventionTarget.FORUMS: (NodeLabel.FORUM, RelType.TARGETS_FORUM),
    InterventionTarget.ORGANISATIONS: (NodeLabel.ORGANISATION, RelType.TARGETS_ORGANISATION),
}
_TARGET_REL = {label: type_ for label, type_ in _TARGETS.values()}


def _intervention(rows: _Rows, s: _State) -> None:
    id_ = rows.text("id", required=True)
    name = rows.text("name", required=True)
    kind = rows.enum("kind")
    when = rows.date("date", required=True)
    target_kind = rows.enum("target_kind")
    raw = rows.text("targets", required=True)
    description = rows.text("description")
    attribute, targets, label = None, [], None
    if raw is not None and target_kind is InterventionTarget.BOUNDARY:
        attribute, targets = _boundary(rows, s, raw)
        if attribute in ("organisation", "team"):
            label = NodeLabel.ORGANISATION
    elif raw is not None and target_kind is not None:
        label = _TARGETS[target_kind][0]
        targets = list(dict.fromkeys(t.strip() for t in raw.split(";") if t.strip()))
        if not targets:
            rows.problem("targets", f"{shown(raw)} names no id; separate ids with ';'")
        for target in targets:
            s.ref_value(rows, label, target, "targets")
    if not s.define(rows, NodeLabel.INTERVENTION, id_) or not rows.ok:
        return
    props = {"name": name, "kind": kind.value, "date": when.isoformat(),
             "target_kind": target_kind.value, "targets": targets}
    if attribute is not None:
        props["attribute"] = attribute
    if description is not None:
        props["description"] = description
    s.add_node(rows, NodeLabel.INTERVENTION, id_, props)
    if label is None:  # a boundary between sectors, professions...: nothing to point at
        return
    type_ = _TARGET_REL[label]
    for target in targets:
        s.add_rel(rows, Relationship(type_, f"{id_}|{target}", id_, target), "target")


def _boundary(rows: _Rows, s: _State, raw: str) -> tuple[str | None, list[str]]:
    """``sector:acute|community``: the attribute and its groups, each checked."""
    try:
        attribute, groups = parse_boundary(raw)
    except ValueError as exc:
        rows.problem("targets", f"{shown(raw)}: {exc}")
        return None, []
    vocabulary = BOUNDARY_ATTRIBUTES[attribute]
    if vocabulary is not None:
        members = _ENUMS.get(vocabulary) or {m.value: m for m in vocabulary}
        for group in groups:
            if group.lower() not in members:
                guess = () if rows.log.full else difflib.get_close_matches(group.lower(), members)
                hint = f" (did you mean {guess[0]!r}?)" if guess else ""
                rows.problem("targets", f"unknown {attribute} {shown(group)}{hint}; allowed: "
                             f"{', '.join(members)}")
        groups = tuple(dict.fromkeys(g.lower() for g in groups))
        if len(groups) < 2:
            rows.problem("targets", f"{shown(raw)}: a boundary needs two different groups")
    elif attribute in ("organisation", "team"):
        for group in groups:
            s.ref_value(rows, NodeLabel.ORGANISATION, group, "targets")
    return attribute, list(groups)


_CONVERTERS: dict[str, Callable[[_Rows, _State], None]] = {
    "organisations": _organisation,
    "people": _person,
    "roles": _role,
    "forums": _forum,
    "attendance": _attendance,
    "assets": _asset,
    "asset_links": _asset_link,
    "ties": _tie,
    "phases": _phase,
    "interventions": _intervention,
}


def _check_references(refs, defined, stored_ids, unreadable, log: ProblemLog) -> None:
    # A file that could not be read is already a problem; each reference to its ids is not.
    refs = [r for r in refs if r.id not in defined[r.label] and r.label not in unreadable]
    by_label: dict[NodeLabel, set[str]] = {}
    for r in refs:
        by_label.setdefault(r.label, set()).add(r.id)
    known = {label: stored_ids(label, ids) for label, ids in by_label.items()}
    for r in refs:
        if r.id not in known[r.label]:
            message = f"no {r.label.value} with id {shown(r.id)} exists"
            log.add(Problem(r.file, r.row, r.column, message))


def _check_parent_cycles(
    parents: dict[str, tuple[str, int]],
    filename: str,
    stored_relationships: Callable[[RelType], list[Relationship]] | None,
    log: ProblemLog,
) -> None:
    # The bundle's parents replace the stored ones of the same organisations; the rest stand.
    stored = stored_relationships(RelType.PART_OF) if stored_relationships else []
    up = {r.source: r.target for r in stored}
    up.update((org, parent) for org, (parent, _) in parents.items())
    reported: set[str] = set()
    for start, (_, row) in parents.items():
        if start in reported:
            continue
        chain = [start]
        node = up.get(start)
        while node is not None and node != start and node not in chain:
            chain.append(node)
            node = up.get(node)
        if node == start:
            reported.update(chain)
            cycle = " -> ".join([*chain, start])
            log.add(Problem(filename, row, "parent_id", f"parent cycle: {cycle}"))
