"""The embedded default backend: one SQLite file in WAL mode.

Several processes may read while one writes (WAL). Each thread gets its own connection, so the
HTTP API can read concurrently; writes are serialised by SQLite's own lock (``BEGIN IMMEDIATE``).
Properties are stored as canonical JSON (sorted keys), which makes "did this row change?" a string
comparison inside the ``ON CONFLICT ... WHERE`` clause: re-importing an unchanged bundle writes
nothing and leaves the revision where it was.

A snapshot is read one relationship type at a time, in key order, into columns
(:class:`ColumnarSnapshot`): repeated ids, dates and file names are held once, and the objects
are built only for the types a caller reads.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path

import numpy as np
import orjson

from kg.errors import StoreError
from kg.model import REL_ENDPOINTS, Node, NodeLabel, Relationship, RelType
from kg.store import snapshot_files
from kg.store._connections import ThreadConnections
from kg.store.base import (
    GraphSnapshot,
    GraphStore,
    Progress,
    WriteResult,
    check_endpoints,
    check_property_name,
    check_window,
)

__all__ = ["SQLiteStore"]

SCHEMA_VERSION = 1
BATCH = 20_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES ('revision', '0'), ('schema_version', '1');
CREATE TABLE IF NOT EXISTS nodes (
    label TEXT NOT NULL,
    id TEXT NOT NULL,
    props TEXT NOT NULL,
    source TEXT,
    imported_at TEXT,
    PRIMARY KEY (label, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rels (
    type TEXT NOT NULL,
    key TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    start TEXT,
    "end" TEXT,
    weight REAL,
    props TEXT NOT NULL,
    source_file TEXT,
    imported_at TEXT,
    PRIMARY KEY (type, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rels_by_source ON rels(type, source);
CREATE INDEX IF NOT EXISTS rels_by_target ON rels(type, target);
"""

_UPSERT_NODE = """
INSERT INTO nodes(label, id, props, source, imported_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT(label, id) DO UPDATE SET
    props = excluded.props, source = excluded.source, imported_at = excluded.imported_at
WHERE nodes.props IS NOT excluded.props OR nodes.source IS NOT excluded.source
"""

_UPSERT_REL = """
INSERT INTO rels(type, key, source, target, start, "end", weight, props, source_file, imported_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(type, key) DO UPDATE SET
    source = excluded.source, target = excluded.target, start = excluded.start,
    "end" = excluded."end", weight = excluded.weight, props = excluded.props,
    source_file = excluded.source_file, imported_at = excluded.imported_at
WHERE rels.source IS NOT excluded.source OR rels.target IS NOT excluded.target
   OR rels.start IS NOT excluded.start OR rels."end" IS NOT excluded."end"
   OR rels.weight IS NOT excluded.weight OR rels.props IS NOT excluded.props
   OR rels.source_file IS NOT excluded.source_file
"""

_REL_COLUMNS = 'type, key, source, target, start, "end", weight, props, source_file, imported_at'


def _dumps(props: dict) -> str:
    # canonical form (sorted keys) so "did it change?" is a string comparison in SQL
    return orjson.dumps(props, option=orjson.OPT_SORT_KEYS, default=str).decode()


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _date(s: str | None) -> date | None:
    return None if s is None else date.fromisoformat(s)


def _node_row(n: Node) -> tuple:
    return (n.label.value, n.id, _dumps(n.props), n.source, n.imported_at)


def _rel_row(r: Relationship) -> tuple:
    return (
        r.type.value,
        r.key,
        r.source,
        r.target,
        _iso(r.start),
        _iso(r.end),
        r.weight,
        _dumps(r.props),
        r.source_file,
        r.imported_at,
    )


def _node(row: tuple) -> Node:
    label, id_, props, source, imported_at = row
    return Node(NodeLabel(label), id_, orjson.loads(props), source, imported_at)


def _rel(row: tuple) -> Relationship:
    type_, key, source, target, start, end, weight, props, source_file, imported_at = row
    return Relationship(
        RelType(type_),
        key,
        source,
        target,
        _date(start),
        _date(end),
        weight,
        orjson.loads(props),
        source_file,
        imported_at,
    )


# One relationship type active in a window, in key order (the primary key's), with the
# properties the analyses read from every row extracted by SQLite itself.
_SNAPSHOT_RELS = (
    "SELECT key, source, target, start, \"end\", weight, props, source_file, imported_at, "
    "json_extract(props, '$.kind') "
    "FROM rels WHERE type = ? AND (start IS NULL OR start <= ?) AND (\"end\" IS NULL "
    "OR \"end\" >= ?) ORDER BY key"
)

#: Properties kept as columns of their own (``RelColumns.prop``): the tie kind, read for every
#: tie by the projection.
COLUMN_PROPS = ("kind",)


class RelColumns:
    """The relationships of one type in a snapshot as columns, built into objects only on demand.

    Fields with few distinct values (``source``, ``target``, ``start``, ``end``,
    ``source_file``, ``imported_at`` and the :data:`COLUMN_PROPS`) are kept as integer codes
    into a table of the distinct values (:meth:`codes`), so a million ties hold a few thousand
    ids and dates once each and the projection can index people with arrays. ``weight`` is an
    array (:meth:`weights`); ``key`` and ``props`` (canonical JSON text) are lists, or one JSON
    text each, parsed the first time they are read. :meth:`relationships` gives the
    :class:`~kg.model.Relationship` objects, built once.
    """

    CODED = ("source", "target", "start", "end", "source_file", "imported_at")
    TEXT = ("key", "props")

    def __init__(self, rel_type: RelType, coded: dict, text: dict, weight: np.ndarray,
                 has_weight: np.ndarray):
        self.type = rel_type
        self._coded = coded  # name -> (codes, table)
        self._text = text  # name -> list, or JSON bytes until first read
        self._weight = weight
        self._has_weight = has_weight
        self._objects: list[Relationship] | None = None
        self._props: dict[str, list] = {}

    @classmethod
    def from_rows(cls, rel_type: RelType, rows: list[tuple]) -> RelColumns:
        """Columns from ``_SNAPSHOT_RELS`` rows."""
        names = ("key", "source", "target", "start", "end", "weight", "props", "source_file",
                 "imported_at") + tuple(f"prop:{p}" for p in COLUMN_PROPS)
        cols = dict(zip(names, zip(*rows, strict=True), strict=True)) if rows else {
            name: () for name in names}
        coded = {name: _encode(cols[name]) for name in cls.CODED}
        for p in COLUMN_PROPS:
            values = cols[f"prop:{p}"]
            # SQLite gives JSON true/false as 1/0 and objects as text: those are parsed instead.
            if all(v is None or type(v) is str for v in values):
                coded[f"prop:{p}"] = _encode(values)
        weight = np.array([0.0 if w is None else w for w in cols["weight"]], dtype=float)
        has_weight = np.array([w is not None for w in cols["weight"]], dtype=bool)
        return cls(rel_type, coded, {"key": list(cols["key"]), "props": list(cols["props"])},
                   weight, has_weight)

    def __len__(self) -> int:
        return len(self._weight)

    def codes(self, name: str) -> tuple[np.ndarray, list] | None:
        """``(codes, table)`` of a coded field (``table[codes[i]]`` is row i's value), or None
        for a property that is not kept coded."""
        return self._coded.get(f"prop:{name}" if name in COLUMN_PROPS else name)

    def values(self, name: str) -> list:
        """One field of every row, in order (``props``: the JSON text)."""
        if name in self._text:
            if isinstance(self._text[name], bytes):
                self._text[name] = orjson.loads(self._text[name])
            return self._text[name]
        if name == "weight":
            return [float(w) if h else None
                    for w, h in zip(self._weight.tolist(), self._has_weight.tolist(), strict=True)]
        codes, table = self._coded[name]
        return [table[c] for c in codes.tolist()]

    def weights(self, default: float) -> np.ndarray:
        """The weights as floats, ``default`` where a row has none."""
        return np.where(self._has_weight, self._weight, default)

    def prop(self, name: str) -> list:
        """``props.get(name)`` of every row, in order."""
        if self.codes(name) is not None:
            return self.values(f"prop:{name}")
        if name not in self._props:
            loads = orjson.loads
            self._props[name] = [loads(p).get(name) for p in self.values("props")]
        return self._props[name]

    def relationships(self) -> list[Relationship]:
        """The rows as :class:`~kg.model.Relationship` objects (built once)."""
        if self._objects is None:
            loads, t = orjson.loads, self.type
            dates: dict = {None: None}
            for name in ("start", "end"):
                for d in self._coded[name][1]:
                    if d not in dates:
                        dates[d] = date.fromisoformat(d)
            self._objects = [
                Relationship(t, k, s, d, dates[a], dates[b], w, loads(p), f, at)
                for k, s, d, a, b, w, p, f, at in zip(
                    self.values("key"), self.values("source"), self.values("target"),
                    self.values("start"), self.values("end"), self.values("weight"),
                    self.values("props"), self.values("source_file"),
                    self.values("imported_at"), strict=True)
            ]
        return self._objects

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """Every column as arrays (strings as JSON bytes), for a file of numpy arrays."""
        out = {f"{prefix}weight": self._weight, f"{prefix}has_weight": self._has_weight}
        for name, (codes, table) in self._coded.items():
            out[f"{prefix}codes:{name}"] = codes
            out[f"{prefix}table:{name}"] = _json_array(table)
        for name in self.TEXT:
            value = self._text[name]
            out[f"{prefix}text:{name}"] = np.frombuffer(
                value if isinstance(value, bytes) else orjson.dumps(value), dtype=np.uint8)
        return out

    @classmethod
    def from_arrays(cls, rel_type: RelType, arrays, prefix: str) -> RelColumns:
        """The inverse of :meth:`to_arrays` (``arrays``: a mapping of name to array)."""
        coded = {}
        for name in (*cls.CODED, *(f"prop:{p}" for p in COLUMN_PROPS)):
            if f"{prefix}codes:{name}" in arrays:
                coded[name] = (arrays[f"{prefix}codes:{name}"],
                               orjson.loads(arrays[f"{prefix}table:{name}"].tobytes()))
        text = {name: arrays[f"{prefix}text:{name}"].tobytes() for name in cls.TEXT}
        return cls(rel_type, coded, text, arrays[f"{prefix}weight"],
                   arrays[f"{prefix}has_weight"])


def _encode(values) -> tuple[np.ndarray, list]:
    """Integer codes and the table of distinct values, in order of first appearance."""
    table: dict = {}
    codes = np.fromiter((table.setdefault(v, len(table)) for v in values), dtype=np.int32,
                        count=len(values))
    return codes, list(table)


def _json_array(value) -> np.ndarray:
    return np.frombuffer(orjson.dumps(value), dtype=np.uint8)


class _LazyRelationships(Mapping):
    """``snapshot.relationships`` of a :class:`ColumnarSnapshot`: each type's objects are built
    the first time that type is asked for."""

    def __init__(self, columns: dict):
        self._columns = columns

    def __getitem__(self, rel_type) -> list[Relationship]:
        return self._columns[rel_type].relationships()

    def __iter__(self):
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


class ColumnarSnapshot(GraphSnapshot):
    """A :class:`~kg.store.base.GraphSnapshot` that keeps relationships as columns.

    It reads like any snapshot (``rels(type)``, ``relationships[type]`` build the objects on
    first use); :meth:`columns` hands the projection a type's columns without building them,
    and :mod:`kg.store.snapshot_files` files them on disk as they are.
    """

    def __init__(self, revision: int, window: tuple, nodes: dict, columns: dict):
        super().__init__(revision, window, nodes, _LazyRelationships(columns))
        self._columns = columns
        self.identity: tuple | None = None  # the store it was read from, when known

    def columns(self, rel_type: RelType) -> RelColumns | None:
        """The relationships of ``rel_type`` as columns (None for a type not read)."""
        return self._columns.get(rel_type)


class SQLiteStore(ThreadConnections, GraphStore):
    """A graph store in one SQLite file (created with its folder if absent).

    Parameters
    ----------
    path : path-like
        The database file, e.g. ``kg-data/carebridge.sqlite``.
    """

    backend = "sqlite"

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._init_connections(("cache_size=-200000",))  # 200 MB page cache for big imports
        conn = None
        try:
            conn = self._conn()
            found = self._schema_version(conn)
            if found is None:
                # A new store. Only now is opening a write: an existing store is opened with
                # reads alone, so a reader never queues behind an import holding the write lock.
                conn.executescript(f"BEGIN IMMEDIATE;{_SCHEMA}COMMIT;")
                found = self._schema_version(conn)
        except sqlite3.DatabaseError as exc:
            if conn is not None and conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from exc
        if found != SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {found}; this Carebridge reads {SCHEMA_VERSION}"
            )

    @staticmethod
    def _schema_version(conn: sqlite3.Connection) -> int | None:
        """The store's schema version, or ``None`` when the schema has yet to be created."""
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
            return None
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return None if row is None else int(row[0])

    @staticmethod
    def _bump(conn: sqlite3.Connection) -> int:
        conn.execute(
            "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"
            " WHERE key = 'revision'"
        )
        return int(conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0])

    # -- writes ---------------------------------------------------------------------------
    def upsert(
        self,
        nodes: Iterable[Node] = (),
        relationships: Iterable[Relationship] = (),
        *,
        progress: Progress | None = None,
    ) -> WriteResult:
        nodes = list(nodes)
        relationships = list(relationships)
        result = WriteResult()
        with self._write() as conn:
            result.nodes_created, result.nodes_updated = self._upsert_batches(
                conn, "nodes", _UPSERT_NODE, nodes, _node_row, progress
            )
            # the nodes above are written in this transaction, so the query sees them
            check_endpoints(relationships, lambda label, _ids: self._ids(conn, label))
            result.relationships_created, result.relationships_updated = self._upsert_batches(
                conn, "rels", _UPSERT_REL, relationships, _rel_row, progress
            )
            result.revision = self._bump(conn) if result.changed else self._revision(conn)
        return result

    @classmethod
    def _upsert_batches(
        cls,
        conn: sqlite3.Connection,
        table: str,
        sql: str,
        records: list,
        row: Callable[[Node | Relationship], tuple],
        progress: Progress | None,
    ) -> tuple[int, int]:
        """Write ``records`` with ``sql`` in batches of ``BATCH`` rows; (created, updated)."""
        before = conn.total_changes
        count = cls._count(conn, table)
        for i in range(0, len(records), BATCH):
            chunk = records[i : i + BATCH]
            conn.executemany(sql, [row(r) for r in chunk])  # built per batch: bounded memory
            if progress:
                progress(len(chunk))
        created = cls._count(conn, table) - count
        # an unchanged row is skipped by the upsert's WHERE, so changes beyond new rows are updates
        return created, conn.total_changes - before - created

    @staticmethod
    def _count(conn: sqlite3.Connection, table: str) -> int:
        # table is one of two literals chosen by this module, never caller input
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608

    @staticmethod
    def _ids(conn: sqlite3.Connection, label: NodeLabel) -> set[str]:
        rows = conn.execute("SELECT id FROM nodes WHERE label = ?", (label.value,))
        return {row[0] for row in rows}

    @staticmethod
    def _revision(conn: sqlite3.Connection) -> int:
        return int(conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0])

    def delete_nodes(self, label: NodeLabel, ids: Sequence[str]) -> int:
        label = NodeLabel(label)
        ids = list(ids)
        with self._write() as conn:
            before = conn.total_changes
            for type_, (src, dst) in REL_ENDPOINTS.items():
                if src == label:
                    conn.executemany(
                        "DELETE FROM rels WHERE type = ? AND source = ?",
                        [(type_.value, i) for i in ids],
                    )
                if dst == label:
                    conn.executemany(
                        "DELETE FROM rels WHERE type = ? AND target = ?",
                        [(type_.value, i) for i in ids],
                    )
            rels_gone = conn.total_changes - before
            conn.executemany(
                "DELETE FROM nodes WHERE label = ? AND id = ?", [(label.value, i) for i in ids]
            )
            gone = conn.total_changes - before - rels_gone
            if gone or rels_gone:
                self._bump(conn)
        return gone

    def delete_relationships(self, type: RelType, keys: Sequence[str]) -> int:
        type = RelType(type)
        with self._write() as conn:
            before = conn.total_changes
            conn.executemany(
                "DELETE FROM rels WHERE type = ? AND key = ?", [(type.value, k) for k in keys]
            )
            gone = conn.total_changes - before
            if gone:
                self._bump(conn)
        return gone

    def clear(self) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM rels")
            conn.execute("DELETE FROM nodes")
            self._bump(conn)

    # -- reads ----------------------------------------------------------------------------
    def get_node(self, label: NodeLabel, id: str) -> Node | None:
        row = (
            self._conn()
            .execute(
                "SELECT label, id, props, source, imported_at FROM nodes"
                " WHERE label = ? AND id = ?",
                (NodeLabel(label).value, id),
            )
            .fetchone()
        )
        return None if row is None else _node(row)

    @staticmethod
    def _where(label: NodeLabel, filters: dict[str, str] | None) -> tuple[str, list]:
        clauses = ["label = ?"]
        params: list = [NodeLabel(label).value]
        for name, value in (filters or {}).items():
            # the property path is a bound parameter too; the name check keeps paths simple
            clauses.append("json_extract(props, ?) = ?")
            params += [f"$.{check_property_name(name)}", value]
        return " AND ".join(clauses), params

    def find_nodes(
        self,
        label: NodeLabel,
        filters: dict[str, str] | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Node]:
        where, params = self._where(label, filters)
        sql = f"SELECT label, id, props, source, imported_at FROM nodes WHERE {where} ORDER BY id"  # noqa: S608
        sql += " LIMIT ? OFFSET ?"
        params += [-1 if limit is None else int(limit), int(offset)]
        return [_node(r) for r in self._conn().execute(sql, params)]

    def count_nodes(self, label: NodeLabel, filters: dict[str, str] | None = None) -> int:
        where, params = self._where(label, filters)
        sql = f"SELECT COUNT(*) FROM nodes WHERE {where}"  # noqa: S608 (clauses are fixed text)
        return self._conn().execute(sql, params).fetchone()[0]

    def existing_ids(self, label: NodeLabel, ids: Iterable[str]) -> set[str]:
        wanted = set(ids)
        if not wanted:
            return set()
        rows = self._conn().execute(
            "SELECT id FROM nodes WHERE label = ?", (NodeLabel(label).value,)
        )
        return {r[0] for r in rows if r[0] in wanted}

    def relationships(
        self,
        type: RelType,
        *,
        source: str | None = None,
        target: str | None = None,
    ) -> list[Relationship]:
        sql = f"SELECT {_REL_COLUMNS} FROM rels WHERE type = ?"  # noqa: S608 (fixed columns)
        params: list = [RelType(type).value]
        if source is not None:
            sql += " AND source = ?"
            params.append(source)
        if target is not None:
            sql += " AND target = ?"
            params.append(target)
        sql += " ORDER BY key"
        return [_rel(r) for r in self._conn().execute(sql, params)]

    def snapshot(self, start: date | None = None, end: date | None = None) -> GraphSnapshot:
        """The graph active in the window: from its file beside the store when one holds this
        revision and identity (:mod:`kg.store.snapshot_files`), else read from the rows and
        filed there for the next process."""
        check_window(start, end)
        folder = snapshot_files.folder_of(self.path)
        identity = self.snapshot_identity()
        snap = snapshot_files.load(folder / snapshot_files.file_name(identity, start, end),
                                   identity, (start, end))
        if snap is None:
            snap = self._read_snapshot(start, end)
            snapshot_files.save(folder, snap)
        return snap

    def _read_snapshot(self, start: date | None, end: date | None) -> ColumnarSnapshot:
        hi = "9999-12-31" if end is None else end.isoformat()
        lo = "0001-01-01" if start is None else start.isoformat()
        loads = orjson.loads
        with self._read() as conn:
            revision = self._revision(conn)
            identity = self._identity(conn)
            nodes = {}
            for label in NodeLabel:
                rows = conn.execute(
                    "SELECT id, props FROM nodes WHERE label = ? ORDER BY id", (label.value,)
                ).fetchall()
                nodes[label] = {id_: loads(props) for id_, props in rows}
            columns = {}
            for rel_type in RelType:
                rows = conn.execute(_SNAPSHOT_RELS, (rel_type.value, hi, lo)).fetchall()
                columns[rel_type] = RelColumns.from_rows(rel_type, rows)
        snap = ColumnarSnapshot(revision, (start, end), nodes, columns)
        snap.identity = identity
        return snap

    def snapshot_identity(self) -> tuple:
        """What a snapshot read now would be filed under on disk (:mod:`kg.store.snapshot_files`):
        the revision, the file, and the first node and last relationship with their import
        times, so a store deleted and imported again at the same path is told apart."""
        with self._read() as conn:
            return self._identity(conn)

    def _identity(self, conn: sqlite3.Connection) -> tuple:
        try:
            stat = self.path.stat()
            where = [stat.st_dev, stat.st_ino]
        except OSError:
            where = [None, None]
        first = conn.execute("SELECT label, id, imported_at FROM nodes ORDER BY label, id "
                             "LIMIT 1").fetchone()
        last = conn.execute("SELECT type, key, imported_at FROM rels ORDER BY type DESC, "
                            "key DESC LIMIT 1").fetchone()
        return (self._revision(conn), *where, *(first or ()), *(last or ()))

    def latest_date(self, not_after: date) -> date | None:
        bound = not_after.isoformat()
        with self._read() as conn:
            row = conn.execute(
                'SELECT MAX(d) FROM (SELECT MAX(start) AS d FROM rels WHERE start <= ? '
                'UNION ALL SELECT MAX("end") FROM rels WHERE "end" <= ?)',
                (bound, bound),
            ).fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    def counts(self) -> dict[str, dict[str, int]]:
        with self._read() as conn:
            nodes = {label.value: 0 for label in NodeLabel}
            for label, n in conn.execute("SELECT label, COUNT(*) FROM nodes GROUP BY label"):
                nodes[label] = n
            rels = {t.value: 0 for t in RelType}
            for type_, n in conn.execute("SELECT type, COUNT(*) FROM rels GROUP BY type"):
                rels[type_] = n
        return {"nodes": nodes, "relationships": rels}

    def revision(self) -> int:
        return self._revision(self._conn())
