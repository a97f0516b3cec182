"""The Neo4j backend, for a partnership that runs a server (``pip install 'carebridge[neo4j]'``).

Data layout
-----------
Each node carries the label of its :class:`~kg.model.NodeLabel` and the properties ``id`` (unique
per label, backed by a constraint), ``kg_props`` (the properties as canonical JSON, which is what
is read back), ``kg_source`` and ``kg_imported_at`` (provenance), plus a copy of every scalar
property under its own name so that filters and hand-written Cypher (Browser, Bloom) can use it.
Relationships carry ``key`` (indexed per type), ``start``/``end`` (Neo4j dates), ``weight``,
``kg_props``, ``kg_source_file``, ``kg_imported_at`` and the scalar copies. One
``(:CarebridgeMeta {id: 'meta'})`` node holds the ``revision``.

Safety
------
Every Cypher statement is built once, at import, from the allow-listed enum values
(:data:`NODE_QUERIES`, :data:`REL_QUERIES`); everything else is a parameter.

Writes
------
One upsert is one managed write transaction, however many ``UNWIND`` batches it needs. Each batch
first reads what is stored for its ids or keys and writes only the records that differ, so
re-importing unchanged data writes nothing and leaves the revision where it was.

Every write transaction first takes a write lock on the meta node (:data:`_LOCK`), as SQLite's
``BEGIN IMMEDIATE`` does: writers queue there, so two imports cannot both read "absent" and then
both create one relationship. Sessions share one bookmark manager, so a read sees the write this
store just made, whichever server of a cluster answers it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import orjson
from neo4j import GraphDatabase, ManagedTransaction
from neo4j.exceptions import (
    AuthError,
    ConfigurationError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from kg.errors import BackendUnavailable, ConfigError, StoreError
from kg.model import REL_ENDPOINTS, Node, NodeLabel, Relationship, RelType
from kg.store.base import (
    GraphSnapshot,
    GraphStore,
    Progress,
    WriteResult,
    check_endpoints,
    check_property_name,
    check_window,
)

__all__ = ["META_LABEL", "NODE_QUERIES", "REL_QUERIES", "SCHEMA", "Neo4jStore"]

SCHEMA_VERSION = 1
BATCH = 5_000  # rows per UNWIND
META_LABEL = "CarebridgeMeta"
# Bookkeeping names; a property with one of these names lives only in kg_props.
NODE_RESERVED = frozenset({"id", "kg_props", "kg_source", "kg_imported_at"})
REL_RESERVED = frozenset({"key", "start", "end", "weight", "kg_props", "kg_source_file"})
REL_RESERVED |= {"kg_imported_at"}
_NODE_COLS = "n.id, n.kg_props, n.kg_source, n.kg_imported_at"
_REL_COLS = (
    "r.`key`, a.id, b.id, r.`start`, r.`end`, r.weight, "
    "r.kg_props, r.kg_source_file, r.kg_imported_at"
)
# Filters are parallel lists of property names and values, so no name enters the query text.
_FILTER = (
    "all(i IN range(0, size($filter_names) - 1) WHERE n[$filter_names[i]] = $filter_values[i])"
)
_META = f"MATCH (m:{META_LABEL} {{id: 'meta'}})"
_REVISION = f"{_META} RETURN m.revision"
_BUMP = f"{_META} SET m.revision = m.revision + 1 RETURN m.revision"
_LOCK = f"{_META} SET m._lock = true"  # the first statement of every write transaction
_INIT = (
    f"MERGE (m:{META_LABEL} {{id: 'meta'}}) "
    "ON CREATE SET m.revision = 0, m.schema_version = $schema_version RETURN m.schema_version"
)


@dataclass(frozen=True)
class NodeQueries:
    ids: str  # which of $wanted_ids exist, with what an upsert compares
    write: str
    get: str
    find: str
    count_where: str
    all: str
    count: str
    delete: str
    delete_all: str


@dataclass(frozen=True)
class RelQueries:
    stored: str  # what is stored for $wanted_keys
    delete: str
    create: str
    list: str  # one statement per filter, so each can use the id constraints' indexes
    list_from: str
    list_to: str
    list_between: str
    window: str
    count: str


def _node_queries(label: NodeLabel) -> NodeQueries:
    label = NodeLabel(label)  # refuses anything off the allow-list
    n = f"(n:{label.value})"
    return NodeQueries(
        ids=(
            f"UNWIND $wanted_ids AS wanted MATCH {n} WHERE n.id = wanted "
            "RETURN n.id, n.kg_props, n.kg_source"
        ),
        write=f"UNWIND $batch AS x MERGE (n:{label.value} {{id: x.id}}) SET n = x.props",
        get=f"MATCH {n} WHERE n.id = $node_id RETURN {_NODE_COLS}",
        find=f"MATCH {n} WHERE {_FILTER} RETURN {_NODE_COLS} ORDER BY n.id SKIP $skip_rows",
        count_where=f"MATCH {n} WHERE {_FILTER} RETURN count(n)",
        all=f"MATCH {n} RETURN n.id, n.kg_props",
        count=f"MATCH {n} RETURN count(n)",
        delete=f"UNWIND $wanted_ids AS wanted MATCH {n} WHERE n.id = wanted DETACH DELETE n",
        delete_all=f"MATCH {n} DETACH DELETE n",
    )


def _rel_queries(type_: RelType) -> RelQueries:
    type_ = RelType(type_)
    src, dst = REL_ENDPOINTS[type_]
    path = f"(a:{src.value})-[r:{type_.value}]->(b:{dst.value})"
    return RelQueries(
        stored=(
            f"UNWIND $wanted_keys AS wanted MATCH {path} WHERE r.`key` = wanted RETURN {_REL_COLS}"
        ),
        delete=(
            f"UNWIND $wanted_keys AS wanted MATCH ()-[r:{type_.value}]->() "
            "WHERE r.`key` = wanted DELETE r"
        ),
        create=(
            f"UNWIND $batch AS x MATCH (a:{src.value} {{id: x.source}}) "
            f"MATCH (b:{dst.value} {{id: x.target}}) "
            f"CREATE (a)-[r:{type_.value}]->(b) SET r = x.props"
        ),
        list=f"MATCH {path} RETURN {_REL_COLS} ORDER BY r.`key`",
        list_from=f"MATCH {path} WHERE a.id = $source_id RETURN {_REL_COLS} ORDER BY r.`key`",
        list_to=f"MATCH {path} WHERE b.id = $target_id RETURN {_REL_COLS} ORDER BY r.`key`",
        list_between=(
            f"MATCH {path} WHERE a.id = $source_id AND b.id = $target_id "
            f"RETURN {_REL_COLS} ORDER BY r.`key`"
        ),
        # An open side of the window is passed as the first or last date there is.
        window=(
            f"MATCH {path} WHERE (r.`start` IS NULL OR r.`start` <= $window_end) "
            f"AND (r.`end` IS NULL OR r.`end` >= $window_start) RETURN {_REL_COLS}"
        ),
        count=f"MATCH ()-[r:{type_.value}]->() RETURN count(r)",
    )


NODE_QUERIES: dict[NodeLabel, NodeQueries] = {label: _node_queries(label) for label in NodeLabel}
# The latest start or end date on or before $not_after, per relationship type.
LATEST_DATE: dict[RelType, str] = {
    t: (
        f"MATCH ()-[r:{t.value}]->() UNWIND [r.`start`, r.`end`] AS d "
        "WITH d WHERE d IS NOT NULL AND d <= $not_after RETURN max(d)"
    )
    for t in RelType
}
REL_QUERIES: dict[RelType, RelQueries] = {t: _rel_queries(t) for t in RelType}
# Community edition has no relationship uniqueness constraint: an index, and upserts by key.
SCHEMA: list[str] = [
    f"CREATE CONSTRAINT kg_{label}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
    for label in [*(label.value for label in NodeLabel), META_LABEL]
] + [
    f"CREATE INDEX kg_{t.value}_key IF NOT EXISTS FOR ()-[r:{t.value}]-() ON (r.`key`)"
    for t in RelType
]


def _dumps(props: dict) -> str:
    # canonical form, as in the SQLite store, so "did it change?" is a string comparison
    return orjson.dumps(props, option=orjson.OPT_SORT_KEYS, default=str).decode()


def _scalars(props: dict, reserved: frozenset) -> dict:
    """The properties Neo4j can hold as they are; the rest exist only in ``kg_props``."""
    return {
        k: v
        for k, v in props.items()
        if k not in reserved
        and (isinstance(v, str | bool | float) or (isinstance(v, int) and -(2**63) <= v < 2**63))
    }


def _node_row(n: Node) -> dict:
    fields = {"id": n.id, "kg_props": _dumps(n.props), "kg_source": n.source}
    fields["kg_imported_at"] = n.imported_at
    return {"id": n.id, "props": {**_scalars(n.props, NODE_RESERVED), **fields}}


def _rel_row(r: Relationship) -> dict:
    weight = None if r.weight is None else float(r.weight)  # REAL, as in SQLite
    fields = {"key": r.key, "start": r.start, "end": r.end, "weight": weight}
    fields |= {"kg_props": _dumps(r.props), "kg_source_file": r.source_file}
    fields["kg_imported_at"] = r.imported_at
    return {
        "source": r.source,
        "target": r.target,
        "props": {**_scalars(r.props, REL_RESERVED), **fields},
    }


def _native(value):
    return value.to_native() if hasattr(value, "to_native") else value


def _rel(type_: RelType, rec) -> Relationship:
    key, src, dst, start, end, weight, props, source_file, imported_at = rec.values()
    return Relationship(
        type_, key, src, dst, _native(start), _native(end), weight,
        orjson.loads(props), source_file, imported_at,
    )  # fmt: skip


def _batches(items: list, size: int = BATCH) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Neo4jStore(GraphStore):
    """A graph store in a Neo4j 5 database (community edition is enough).

    Parameters
    ----------
    uri : str
        e.g. ``bolt://localhost:7687`` or ``neo4j://host:7687``.
    user, password : str
        The login.
    database : str, optional
        The database name; the server's default when ``None``.
    connection_timeout : float
        Seconds to wait for the server before giving up with
        :class:`~kg.errors.BackendUnavailable`.
    """

    backend = "neo4j"

    def __init__(
        self,
        uri: str,
        user: str = "neo4j",
        password: str = "neo4j",
        *,
        database: str | None = None,
        connection_timeout: float = 15.0,
    ):
        self.uri = uri
        self.database = database
        self.user = user
        self._bookmarks = GraphDatabase.bookmark_manager()
        try:
            self._driver = GraphDatabase.driver(
                uri,
                auth=(user, password),
                connection_timeout=connection_timeout,
                # IF NOT EXISTS answers with an informational notice; only warnings matter
                notifications_min_severity="WARNING",
            )
        except (ConfigurationError, ValueError) as exc:
            raise ConfigError(f"KG_NEO4J_URI {uri!r} is not usable: {exc}") from exc
        try:
            with self._errors("connecting"):
                self._driver.verify_connectivity()
                with self._session() as session:
                    for statement in SCHEMA:
                        session.run(statement).consume()
                    found = session.execute_write(
                        lambda tx: tx.run(_INIT, {"schema_version": SCHEMA_VERSION}).single()[0]
                    )
        except BaseException:
            self._driver.close()
            raise
        if found != SCHEMA_VERSION:
            self._driver.close()
            raise StoreError(
                f"{uri} has schema version {found}; this Carebridge reads {SCHEMA_VERSION}"
            )

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Turn driver failures into Carebridge errors that say what to do next."""
        try:
            yield
        except AuthError as exc:
            raise BackendUnavailable(
                f"Neo4j at {self.uri} refused user {self.user!r} ({exc.message}); "
                "check KG_NEO4J_USER and KG_NEO4J_PASSWORD"
            ) from exc
        except (ServiceUnavailable, SessionExpired) as exc:
            reason = " ".join(str(exc).split())  # the driver's text spans lines
            raise BackendUnavailable(
                f"cannot reach Neo4j at {self.uri} while {doing} ({reason}); check KG_NEO4J_URI "
                "and that the server is running, e.g. `docker compose up -d neo4j`"
            ) from exc
        except (Neo4jError, DriverError) as exc:
            raise StoreError(f"Neo4j failed while {doing}: {exc}") from exc

    def _session(self):
        return self._driver.session(database=self.database, bookmark_manager=self._bookmarks)

    def _read(self, work, *args):
        with self._errors("reading"), self._session() as session:
            return session.execute_read(work, *args)

    def _write(self, work, *args):
        """Run ``work(tx, *args)`` in a write transaction that holds the write lock throughout.

        The driver may run ``work`` again after a transient error, so it must have no effect
        outside the transaction (progress is reported by the caller, after the commit).
        """

        def locked(tx, *args):
            tx.run(_LOCK).consume()  # first: before anything is read that a write relies on
            return work(tx, *args)

        with self._errors("writing"), self._session() as session:
            return session.execute_write(locked, *args)

    @staticmethod
    def _rows(tx: ManagedTransaction, query: str, **params) -> list:
        return [rec.values() for rec in tx.run(query, params)]

    # -- writes ---------------------------------------------------------------------------
    def upsert(
        self,
        nodes: Iterable[Node] = (),
        relationships: Iterable[Relationship] = (),
        *,
        progress: Progress | None = None,
    ) -> WriteResult:
        by_label: dict[NodeLabel, dict[str, Node]] = {}
        for n in nodes:  # the last of duplicate ids wins, as when written one by one
            by_label.setdefault(NodeLabel(n.label), {})[n.id] = n
        by_type: dict[RelType, dict[str, Relationship]] = {}
        for r in relationships:
            by_type.setdefault(RelType(r.type), {})[r.key] = r
        result = self._write(self._upsert, by_label, by_type)
        if progress:  # once, after the commit: the transaction function may run more than once
            groups = [*by_label.values(), *by_type.values()]
            progress(sum(len(group) for group in groups))
        return result

    def _upsert(self, tx, by_label: dict, by_type: dict) -> WriteResult:
        result = WriteResult()  # built afresh if the driver retries the transaction
        self._check_endpoints(tx, by_label, by_type)
        for label, group in by_label.items():
            q = NODE_QUERIES[label]
            for chunk in _batches(list(group.values())):
                ids = [n.id for n in chunk]
                stored = {r[0]: (r[1], r[2]) for r in self._rows(tx, q.ids, wanted_ids=ids)}
                rows = []
                for n in chunk:
                    row = _node_row(n)
                    old = stored.get(n.id)
                    if old != (row["props"]["kg_props"], n.source):
                        rows.append(row)
                        result.nodes_created += old is None
                        result.nodes_updated += old is not None
                if rows:
                    tx.run(q.write, {"batch": rows}).consume()
        for type_, group in by_type.items():
            q = REL_QUERIES[type_]
            for chunk in _batches(list(group.values())):
                keys = [r.key for r in chunk]
                stored = {
                    r[0]: tuple(map(_native, r[1:8]))
                    for r in self._rows(tx, q.stored, wanted_keys=keys)
                }
                changed, rows = [], []
                for r in chunk:
                    row = _rel_row(r)
                    old = stored.get(r.key)
                    new = (r.source, r.target, r.start, r.end, r.weight)
                    if old != (*new, row["props"]["kg_props"], r.source_file):
                        rows.append(row)
                        result.relationships_created += old is None
                        if old is not None:  # endpoints may have moved: replace it
                            result.relationships_updated += 1
                            changed.append(r.key)
                if changed:
                    tx.run(q.delete, {"wanted_keys": changed}).consume()
                if rows:
                    tx.run(q.create, {"batch": rows}).consume()
        result.revision = tx.run(_BUMP if result.changed else _REVISION).single()[0]
        return result

    def _check_endpoints(self, tx, by_label: dict, by_type: dict) -> None:
        def present(label: NodeLabel, ids: set[str]) -> set[str]:
            written = by_label.get(label, {}).keys()  # in this transaction, with the ties
            found = self._rows(tx, NODE_QUERIES[label].ids, wanted_ids=list(ids - written))
            return written | {r[0] for r in found}

        check_endpoints((r for group in by_type.values() for r in group.values()), present)

    def _delete(self, query: str, params: dict) -> tuple[int, int]:
        def work(tx):
            counters = tx.run(query, params).consume().counters
            gone = (counters.nodes_deleted, counters.relationships_deleted)
            if any(gone):
                tx.run(_BUMP).consume()
            return gone

        return self._write(work)

    def delete_nodes(self, label: NodeLabel, ids: Sequence[str]) -> int:
        return self._delete(NODE_QUERIES[NodeLabel(label)].delete, {"wanted_ids": list(set(ids))})[
            0
        ]

    def delete_relationships(self, type: RelType, keys: Sequence[str]) -> int:
        return self._delete(REL_QUERIES[RelType(type)].delete, {"wanted_keys": list(set(keys))})[1]

    def clear(self) -> None:
        def work(tx):
            for q in NODE_QUERIES.values():
                tx.run(q.delete_all).consume()
            tx.run(_BUMP).consume()

        self._write(work)

    # -- reads ----------------------------------------------------------------------------
    def get_node(self, label: NodeLabel, id: str) -> Node | None:
        label = NodeLabel(label)
        rows = self._read(lambda tx: self._rows(tx, NODE_QUERIES[label].get, node_id=id))
        return self._nodes(label, rows)[0] if rows else None

    @staticmethod
    def _nodes(label: NodeLabel, rows: list) -> list[Node]:
        return [Node(label, i, orjson.loads(p), s, at) for i, p, s, at in rows]

    def find_nodes(
        self,
        label: NodeLabel,
        filters: dict[str, str] | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Node]:
        label = NodeLabel(label)
        filters = {check_property_name(k): v for k, v in (filters or {}).items()}
        if filters.keys() & NODE_RESERVED:
            # such a name holds bookkeeping in Neo4j: compare the stored JSON instead
            found = [
                n
                for n in self.find_nodes(label)
                if all(n.props.get(k) == v for k, v in filters.items())
            ]
            return found[offset : None if limit is None else offset + limit]
        query = NODE_QUERIES[label].find
        params = {"filter_names": list(filters), "filter_values": list(filters.values())}
        params["skip_rows"] = int(offset)
        if limit is not None:
            query += " LIMIT $max_rows"
            params["max_rows"] = int(limit)
        return self._nodes(label, self._read(lambda tx: self._rows(tx, query, **params)))

    def count_nodes(self, label: NodeLabel, filters: dict[str, str] | None = None) -> int:
        label = NodeLabel(label)
        filters = {check_property_name(k): v for k, v in (filters or {}).items()}
        if filters.keys() & NODE_RESERVED:
            return len(self.find_nodes(label, filters))
        params = {"filter_names": list(filters), "filter_values": list(filters.values())}
        query = NODE_QUERIES[label].count_where
        return self._read(lambda tx: tx.run(query, params).single()[0])

    def existing_ids(self, label: NodeLabel, ids: Iterable[str]) -> set[str]:
        wanted = list(set(ids))
        if not wanted:
            return set()
        query = NODE_QUERIES[NodeLabel(label)].ids
        return {r[0] for r in self._read(lambda tx: self._rows(tx, query, wanted_ids=wanted))}

    def relationships(
        self,
        type: RelType,
        *,
        source: str | None = None,
        target: str | None = None,
    ) -> list[Relationship]:
        type = RelType(type)
        q = REL_QUERIES[type]
        if source is None:
            query = q.list if target is None else q.list_to
        else:
            query = q.list_from if target is None else q.list_between
        params = {"source_id": source, "target_id": target}
        rows = self._read(lambda tx: list(tx.run(query, params)))
        return [_rel(type, rec) for rec in rows]

    def snapshot(self, start: date | None = None, end: date | None = None) -> GraphSnapshot:
        check_window(start, end)

        def work(tx):
            snap = GraphSnapshot(revision=tx.run(_REVISION).single()[0], window=(start, end))
            for label, q in NODE_QUERIES.items():
                snap.nodes[label] = {i: orjson.loads(p) for i, p in self._rows(tx, q.all)}
            for type_, q in REL_QUERIES.items():
                window = {"window_start": start or date.min, "window_end": end or date.max}
                recs = tx.run(q.window, window)
                snap.relationships[type_] = [_rel(type_, rec) for rec in recs]
            # Neo4j reads are read-committed: an unchanged revision proves no write landed
            # between the queries above.
            return snap if tx.run(_REVISION).single()[0] == snap.revision else None

        for _ in range(5):
            snap = self._read(work)
            if snap is not None:
                return snap
        raise StoreError("the graph kept changing while it was read; try again")

    def latest_date(self, not_after: date) -> date | None:
        def work(tx):
            found = [tx.run(q, {"not_after": not_after}).single()[0] for q in LATEST_DATE.values()]
            found = [_native(d) for d in found if d is not None]
            return max(found, default=None)

        return self._read(work)

    def counts(self) -> dict[str, dict[str, int]]:
        def work(tx):
            return {
                "nodes": {k.value: tx.run(q.count).single()[0] for k, q in NODE_QUERIES.items()},
                "relationships": {
                    t.value: tx.run(q.count).single()[0] for t, q in REL_QUERIES.items()
                },
            }

        return self._read(work)

    def revision(self) -> int:
        return self._read(lambda tx: tx.run(_REVISION).single()[0])

    def close(self) -> None:
        self._driver.close()
