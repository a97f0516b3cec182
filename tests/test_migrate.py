"""``kg migrate`` and :func:`kg.store.migrate.copy_store`: a whole graph copied from a SQLite store
into another store (SQLite always, Neo4j when ``KG_NEO4J_URI`` is set), once and idempotently."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kg.ingest import ingest_path
from kg.model import Node, NodeLabel, RelType
from kg.store.base import GraphStore
from kg.store.migrate import copy_store
from kg.store.sqlite import SQLiteStore


@pytest.fixture
def source(tmp_path, small_bundle):
    with SQLiteStore(tmp_path / "source.sqlite") as s:
        ingest_path(s, small_bundle)
        yield s


def rel_rows(store: GraphStore) -> dict[RelType, set[tuple]]:
    snap = store.snapshot()
    return {
        t: {
            (r.key, r.source, r.target, r.start, r.end, r.weight, repr(sorted(r.props.items())),
             r.source_file, r.imported_at)
            for r in snap.rels(t)
        }
        for t in RelType
    }  # fmt: skip


def node_rows(store: GraphStore) -> dict[NodeLabel, list[tuple]]:
    return {
        label: [(n.id, n.props, n.source, n.imported_at) for n in store.find_nodes(label)]
        for label in NodeLabel
    }


def test_copy_holds_every_record_with_its_provenance(source, store):
    result = copy_store(source, store)
    counts = source.counts()
    assert store.counts() == counts
    assert result.nodes_created == sum(counts["nodes"].values()) > 900
    assert result.relationships_created == sum(counts["relationships"].values()) > 5000
    assert result.nodes_updated == result.relationships_updated == 0
    assert result.revision == store.revision() >= 1

    assert store.snapshot().nodes == source.snapshot().nodes
    assert rel_rows(store) == rel_rows(source)  # keys, endpoints, dates, weights, provenance
    assert node_rows(store) == node_rows(source)
    person = store.find_nodes(NodeLabel.PERSON, limit=1)[0]
    assert person.source == "people.csv" and person.imported_at
    dated = [r for r in store.relationships(RelType.HOLDS_ROLE) if r.start is not None]
    assert dated and all(isinstance(r.start.year, int) for r in dated)


def test_second_copy_changes_nothing(source, store):
    copy_store(source, store)
    counts, rev = store.counts(), store.revision()
    again = copy_store(source, store)
    assert not again.changed
    assert again.revision == rev and store.revision() == rev
    assert store.counts() == counts


def test_copy_after_an_edit_updates_in_place(source, store):
    copy_store(source, store)
    rev = store.revision()
    (tie,) = source.relationships(RelType.TIE)[:1]
    tie.weight = (tie.weight or 1.0) + 10
    person = source.get_node(NodeLabel.PERSON, tie.source)
    person.props["profession"] = "pharmacist"
    source.upsert([person], [tie])
    result = copy_store(source, store)
    assert (result.nodes_created, result.nodes_updated) == (0, 1)
    assert (result.relationships_created, result.relationships_updated) == (0, 1)
    assert store.revision() > rev
    assert store.get_node(NodeLabel.PERSON, person.id).props["profession"] == "pharmacist"
    (copied,) = [r for r in store.relationships(RelType.TIE, source=tie.source) if r.key == tie.key]
    assert copied.weight == tie.weight
    assert store.counts() == source.counts()


def test_copy_keeps_records_the_target_already_had(source, tmp_path):
    with SQLiteStore(tmp_path / "target.sqlite") as target:
        target.upsert([Node(NodeLabel.PERSON, "only-in-target", {"name": "Kept"})])
        copy_store(source, target)
        assert target.get_node(NodeLabel.PERSON, "only-in-target").props == {"name": "Kept"}
        assert target.counts()["nodes"]["Person"] == source.counts()["nodes"]["Person"] + 1


def test_progress_reports_every_record_against_the_total(source, tmp_path):
    seen: list[tuple[int, int]] = []
    with SQLiteStore(tmp_path / "target.sqlite") as target:
        copy_store(source, target, progress=lambda n, total: seen.append((n, total)))
    counts = source.counts()
    total = sum(counts["nodes"].values()) + sum(counts["relationships"].values())
    assert sum(n for n, _ in seen) == total
    assert {t for _, t in seen} == {total}


# -- the command -----------------------------------------------------------------------------
@pytest.fixture
def cli(tmp_path, monkeypatch, small_bundle):
    """The ``kg`` app with KG_DATA_DIR holding the small demo partnership."""
    from kg.cli import app
    from kg.config import get_settings

    data = tmp_path / "data"
    monkeypatch.setenv("KG_DATA_DIR", str(data))
    monkeypatch.setenv("KG_BACKEND", "sqlite")
    get_settings.cache_clear()
    with SQLiteStore(data / "carebridge.sqlite") as s:
        ingest_path(s, small_bundle)
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()


def test_cli_migrate_to_sqlite_copies_then_changes_nothing(cli, tmp_path):
    target = tmp_path / "backup" / "copy.sqlite"
    first = cli("migrate", "--to", "sqlite", "--target-path", str(target), "-q")
    assert first.exit_code == 0, first.output
    assert "922 created" in first.output and "Migrated" in first.output
    with SQLiteStore(tmp_path / "data" / "carebridge.sqlite") as s, SQLiteStore(target) as t:
        assert t.counts() == s.counts()
        rev = t.revision()
    second = cli("migrate", "--to", "sqlite", "--target-path", str(target), "-q")
    assert second.exit_code == 0, second.output
    assert "Nodes: 0 created, 0 updated" in second.output
    assert "already held data" in second.output
    with SQLiteStore(target) as t:
        assert t.revision() == rev


def test_cli_migrate_refuses_bad_arguments(cli, tmp_path):
    missing = cli("migrate", "--to", "sqlite")
    assert missing.exit_code == 2 and "--target-path" in missing.output
    same = cli(
        "migrate", "--to", "sqlite", "--target-path", str(tmp_path / "data/carebridge.sqlite")
    )
    assert same.exit_code == 1 and "same store" in same.output
    unknown = cli("migrate", "--to", "postgres")
    assert unknown.exit_code == 2 and "neo4j or sqlite" in unknown.output


def test_cli_migrate_without_a_source_store_says_where_it_looked(cli, tmp_path, monkeypatch):
    from kg.config import get_settings

    monkeypatch.setenv("KG_DATA_DIR", str(tmp_path / "empty"))
    get_settings.cache_clear()
    result = cli("migrate", "--to", "sqlite", "--target-path", str(tmp_path / "t.sqlite"))
    assert result.exit_code == 1
    assert "no store at" in result.output and "KG_DATA_DIR" in result.output
    assert not (tmp_path / "empty").exists() and not (tmp_path / "t.sqlite").exists()


def test_cli_migrate_to_unreachable_neo4j_fails_clearly(cli, monkeypatch):
    pytest.importorskip("neo4j")
    from kg.config import get_settings

    monkeypatch.setenv("KG_NEO4J_URI", "bolt://127.0.0.1:1")  # nothing listens on port 1
    get_settings.cache_clear()
    result = cli("migrate", "--to", "neo4j", "-q")
    assert result.exit_code == 1
    text = " ".join(result.output.split())  # rich wraps long lines
    assert "cannot reach Neo4j at bolt://127.0.0.1:1" in text
    assert "KG_NEO4J_URI" in text and "docker compose up" in text


def test_cli_migrate_to_neo4j_needs_a_uri(cli, monkeypatch, tmp_path):
    from kg.config import get_settings

    monkeypatch.delenv("KG_NEO4J_URI", raising=False)
    monkeypatch.chdir(tmp_path)  # and no .env file that could name one
    get_settings.cache_clear()
    result = cli("migrate", "--to", "neo4j", "-q")
    assert result.exit_code == 1 and "KG_NEO4J_URI" in result.output
