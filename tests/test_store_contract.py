"""The store contract: every backend must pass these, against the real database."""

from __future__ import annotations

import multiprocessing
from datetime import date

import pytest

from kg.errors import InvalidParameter, StoreError
from kg.model import Node, NodeLabel, Relationship, RelType

P, ORG = NodeLabel.PERSON, NodeLabel.ORGANISATION


def people(n: int) -> list[Node]:
    return [Node(P, f"p{i}", {"name": f"Person {i}", "profession": "nurse"}) for i in range(n)]


def tie(a: str, b: str, *, kind="advice", start=None, end=None, weight=1.0) -> Relationship:
    return Relationship(
        RelType.TIE, f"{a}|{b}|{kind}", a, b, start, end, weight, {"kind": kind}, "ties.csv"
    )


def test_empty_store_counts_every_label_and_type(store):
    counts = store.counts()
    assert set(counts["nodes"]) == {label.value for label in NodeLabel}
    assert set(counts["relationships"]) == {t.value for t in RelType}
    assert sum(counts["nodes"].values()) == 0


def test_upsert_creates_then_is_idempotent(store):
    r1 = store.upsert(people(3), [tie("p0", "p1"), tie("p1", "p2")])
    assert (r1.nodes_created, r1.relationships_created) == (3, 2)
    rev = store.revision()
    r2 = store.upsert(people(3), [tie("p0", "p1"), tie("p1", "p2")])
    assert not r2.changed
    assert store.revision() == rev  # nothing changed, so analysis caches stay valid
    assert store.counts()["nodes"]["Person"] == 3
    assert store.counts()["relationships"]["TIE"] == 2


def test_changed_row_updates_in_place_and_moves_revision(store):
    store.upsert(people(2), [tie("p0", "p1", weight=1.0)])
    rev = store.revision()
    changed = Node(P, "p1", {"name": "Person 1", "profession": "social worker"})
    result = store.upsert([changed], [tie("p0", "p1", weight=3.5)])
    assert result.nodes_updated == 1 and result.nodes_created == 0
    assert result.relationships_updated == 1 and result.relationships_created == 0
    assert store.revision() > rev
    assert store.get_node(P, "p1").props["profession"] == "social worker"
    (rel,) = store.relationships(RelType.TIE)
    assert rel.weight == 3.5
    assert store.counts()["relationships"]["TIE"] == 1


def test_missing_endpoint_writes_nothing(store):
    store.upsert(people(1))
    rev = store.revision()
    with pytest.raises(StoreError):
        store.upsert(people(3)[1:], [tie("p0", "ghost")])
    assert store.counts()["nodes"]["Person"] == 1  # the nodes in the failed call were rolled back
    assert store.revision() == rev


def test_find_nodes_filters_pages_and_orders(store):
    orgs = [
        Node(ORG, "o1", {"name": "Acute Trust", "sector": "acute"}),
        Node(ORG, "o2", {"name": "Community Trust", "sector": "community"}),
        Node(ORG, "o3", {"name": "Second Acute", "sector": "acute"}),
    ]
    store.upsert(orgs)
    acute = store.find_nodes(ORG, {"sector": "acute"})
    assert [n.id for n in acute] == ["o1", "o3"]
    assert store.count_nodes(ORG, {"sector": "acute"}) == 2
    assert [n.id for n in store.find_nodes(ORG, limit=1, offset=1)] == ["o2"]
    assert store.get_node(ORG, "missing") is None
    with pytest.raises(InvalidParameter):
        store.find_nodes(ORG, {"sector') OR 1=1 --": "x"})


def test_filter_values_are_data_not_query_text(store):
    store.upsert([Node(ORG, "o1", {"name": "x' OR '1'='1", "sector": "acute"})])
    assert store.find_nodes(ORG, {"name": "x' OR '1'='1"})[0].id == "o1"
    assert store.find_nodes(ORG, {"name": "' OR '1'='1"}) == []


def test_snapshot_window_keeps_overlapping_relationships(store):
    store.upsert(
        people(4),
        [
            tie("p0", "p1", start=date(2013, 1, 1), end=date(2014, 12, 31)),
            tie("p1", "p2", start=date(2016, 1, 1)),
            tie("p2", "p3"),  # undated: always active
        ],
    )
    snap = store.snapshot(date(2015, 1, 1), date(2015, 12, 31))
    assert {(r.source, r.target) for r in snap.rels(RelType.TIE)} == {("p2", "p3")}
    snap = store.snapshot(date(2014, 6, 1), date(2016, 6, 1))
    assert len(snap.rels(RelType.TIE)) == 3
    whole = store.snapshot()
    assert whole.revision == store.revision()
    assert set(whole.nodes[P]) == {"p0", "p1", "p2", "p3"}
    (r,) = [r for r in whole.rels(RelType.TIE) if r.source == "p0"]
    assert r.start == date(2013, 1, 1) and r.props["kind"] == "advice"


def test_delete_node_removes_its_relationships(store):
    store.upsert(people(3), [tie("p0", "p1"), tie("p1", "p2")])
    assert store.delete_nodes(P, ["p1"]) == 1
    assert store.counts()["relationships"]["TIE"] == 0
    assert store.existing_ids(P, ["p0", "p1", "p2"]) == {"p0", "p2"}


def test_delete_relationships_and_clear_move_revision(store):
    store.upsert(people(2), [tie("p0", "p1")])
    rev = store.revision()
    assert store.delete_relationships(RelType.TIE, ["p0|p1|advice"]) == 1
    assert store.revision() > rev
    store.clear()
    assert sum(store.counts()["nodes"].values()) == 0


def test_relationships_by_source_and_target(store):
    store.upsert(people(3), [tie("p0", "p1"), tie("p0", "p2"), tie("p1", "p2")])
    assert {r.target for r in store.relationships(RelType.TIE, source="p0")} == {"p1", "p2"}
    assert {r.source for r in store.relationships(RelType.TIE, target="p2")} == {"p0", "p1"}


def test_provenance_is_kept(store):
    stamp = "2026-01-01T00:00"
    store.upsert([Node(P, "p0", {"name": "A"}, source="people.csv", imported_at=stamp)])
    node = store.get_node(P, "p0")
    assert node.source == "people.csv" and node.imported_at == stamp


def _write_more(path: str) -> None:
    from kg.store.sqlite import SQLiteStore

    with SQLiteStore(path) as s:
        s.upsert(people(50))


def test_sqlite_survives_reopen_and_a_second_process(tmp_path):
    from kg.store.sqlite import SQLiteStore

    path = tmp_path / "kg.sqlite"
    with SQLiteStore(path) as s:
        s.upsert(people(5))
        rev = s.revision()
    proc = multiprocessing.get_context("spawn").Process(target=_write_more, args=(str(path),))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 0
    with SQLiteStore(path) as s:
        assert s.counts()["nodes"]["Person"] == 50
        assert s.revision() > rev


def test_sqlite_reader_opens_and_reads_while_an_import_is_writing(tmp_path):
    """WAL lets readers read while one process writes; opening the store must not write."""
    import threading
    import time

    from kg.store.sqlite import SQLiteStore

    path = tmp_path / "kg.sqlite"
    with SQLiteStore(path) as s:
        s.upsert(people(3))
    writing, release = threading.Event(), threading.Event()

    def hold(_written: int) -> None:  # progress is called inside the write transaction
        writing.set()
        release.wait(60)

    def write() -> None:
        with SQLiteStore(path) as w:
            w.upsert(people(10), progress=hold)

    seen: dict = {}

    def read() -> None:
        with SQLiteStore(path) as r:
            seen.update(
                people=r.counts()["nodes"]["Person"],
                revision=r.revision(),
                snapshot=len(r.snapshot().nodes[P]),
                node=r.get_node(P, "p0").id,
            )

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert writing.wait(30)
        reader = threading.Thread(target=read, daemon=True)
        began = time.monotonic()
        reader.start()
        reader.join(10)
        waited = time.monotonic() - began
    finally:
        release.set()
        writer.join(60)
    reader.join(70)
    assert waited < 5, f"the reader waited {waited:.1f} s for the writer"
    assert seen == {"people": 3, "revision": 1, "snapshot": 3, "node": "p0"}  # before the import
    with SQLiteStore(path) as s:
        assert s.counts()["nodes"]["Person"] == 10


def test_sqlite_new_store_gets_its_schema_once(tmp_path):
    from kg.store.sqlite import SQLiteStore

    path = tmp_path / "new" / "kg.sqlite"
    with SQLiteStore(path) as s:
        assert s.revision() == 0 and sum(s.counts()["nodes"].values()) == 0
    with SQLiteStore(path) as s:  # reopening finds the schema and writes nothing
        assert s.revision() == 0
