"""The Neo4j backend: what can be checked without a server (errors, the Cypher it builds) and
contract cases its data layout makes tricky, run on every reachable backend."""

from __future__ import annotations

import re
import time
from dataclasses import astuple
from datetime import date

import pytest

from kg.errors import BackendUnavailable, ConfigError
from kg.model import REL_ENDPOINTS, Node, NodeLabel, Relationship, RelType

try:
    from kg.store import neo4j as neo4j_store
except ImportError:  # the driver is an optional extra; the contract cases below still run
    neo4j_store = None
needs_driver = pytest.mark.skipif(neo4j_store is None, reason="pip install 'carebridge[neo4j]'")

UNREACHABLE = "bolt://127.0.0.1:1"  # nothing listens on port 1


@needs_driver
def test_unreachable_server_raises_backend_unavailable_with_next_steps():
    began = time.monotonic()
    with pytest.raises(BackendUnavailable) as err:
        neo4j_store.Neo4jStore(UNREACHABLE, "neo4j", "secret", connection_timeout=2)
    assert time.monotonic() - began < 30
    message = str(err.value)
    assert f"cannot reach Neo4j at {UNREACHABLE}" in message
    assert "KG_NEO4J_URI" in message and "docker compose up" in message
    assert "secret" not in message
    assert "\n" not in message  # one readable line, not the driver's block


@needs_driver
def test_open_store_with_neo4j_settings_reports_the_same(monkeypatch, tmp_path):
    from kg.config import Settings
    from kg.store import open_store

    monkeypatch.chdir(tmp_path)
    settings = Settings(backend="neo4j", neo4j_uri=UNREACHABLE)
    with pytest.raises(BackendUnavailable, match="KG_NEO4J_URI"):
        open_store(settings)


@needs_driver
def test_a_uri_that_is_not_neo4j_is_a_config_error():
    with pytest.raises(ConfigError, match="KG_NEO4J_URI 'ftp://db:7687'"):
        neo4j_store.Neo4jStore("ftp://db:7687", "neo4j", "x")


# -- the Cypher text -------------------------------------------------------------------------
ALLOWED = {label.value for label in NodeLabel} | {t.value for t in RelType} | {"CarebridgeMeta"}
# `(n:Label`, `[r:TYPE]`, `(:Label`: every label or type named in a pattern
NAMED = re.compile(r"[(\[]\w*:(`?)(\w+)")


def all_statements() -> list[tuple[str, str]]:
    out = [("schema", s) for s in neo4j_store.SCHEMA]
    meta = (neo4j_store._REVISION, neo4j_store._BUMP, neo4j_store._INIT, neo4j_store._LOCK)
    out += [("meta", s) for s in meta]
    for label, q in neo4j_store.NODE_QUERIES.items():
        out += [(label.value, s) for s in astuple(q)]
    for type_, q in neo4j_store.REL_QUERIES.items():
        out += [(type_.value, s) for s in astuple(q)]
    return out


@needs_driver
def test_every_statement_names_only_allow_listed_labels_and_types():
    statements = all_statements()
    assert len(statements) > 100
    for owner, text in statements:
        names = {m.group(2) for m in NAMED.finditer(text)}
        assert names, text
        assert names <= ALLOWED, text
        if owner in {t.value for t in RelType}:  # a relationship statement: its type and ends
            src, dst = REL_ENDPOINTS[RelType(owner)]
            assert names <= {owner, src.value, dst.value}, text
        elif owner == "meta":
            assert names == {neo4j_store.META_LABEL} == {"CarebridgeMeta"}, text
        elif owner != "schema":
            assert names == {owner}, text


@needs_driver
def test_values_are_parameters_never_text():
    for _, text in all_statements():
        # the only map literals bind an id to a parameter's field, or name the meta node
        literals = re.findall(r"\{[^}]*\}", text)
        for literal in literals:
            assert re.fullmatch(r"\{id: (x\.(id|source|target)|'meta')\}", literal), text
        rest = re.sub(r"\{[^}]*\}", "", text)
        assert "{" not in rest and "}" not in rest, text  # no unfilled placeholder
        assert "'" not in rest and '"' not in rest, text  # no quoted value in a statement


@needs_driver
def test_builders_refuse_names_off_the_allow_list():
    with pytest.raises(ValueError):
        neo4j_store._node_queries("Person) DETACH DELETE n //")
    with pytest.raises(ValueError):
        neo4j_store._rel_queries("TIE]->() DELETE r //")
    assert neo4j_store._node_queries("Person") == neo4j_store.NODE_QUERIES[NodeLabel.PERSON]


# -- contract cases the Neo4j layout makes tricky (every reachable backend) -------------------
def test_properties_named_like_bookkeeping_round_trip_and_filter(store):
    phase = Node(
        NodeLabel.PHASE,
        "PH1",
        {"name": "Joint venture", "start": "2019-01-01", "id": "legacy-7", "kg_props": "x"},
    )
    store.upsert([phase])
    assert store.get_node(NodeLabel.PHASE, "PH1").props == phase.props
    assert [n.id for n in store.find_nodes(NodeLabel.PHASE, {"id": "legacy-7"})] == ["PH1"]
    assert store.find_nodes(NodeLabel.PHASE, {"id": "PH1"}) == []
    assert store.count_nodes(NodeLabel.PHASE, {"start": "2019-01-01"}) == 1
    assert store.count_nodes(NodeLabel.PHASE, {"kg_props": "x"}) == 1


def test_nested_properties_round_trip_and_are_idempotent(store):
    props = {"name": "A", "tags": ["ot", "discharge"], "extra": {"band": 7, "ok": True}}
    p = [Node(NodeLabel.PERSON, "p0", props), Node(NodeLabel.PERSON, "p1", {"name": "B"})]
    tie = Relationship(
        RelType.TIE, "p0|p1|advice", "p0", "p1", date(2014, 1, 1), date(2015, 6, 30), 2.5,
        {"kind": "advice", "notes": ["met at forum"], "start": "kept in props"},
    )  # fmt: skip
    store.upsert(p, [tie])
    rev = store.revision()
    assert store.get_node(NodeLabel.PERSON, "p0").props == props
    (got,) = store.relationships(RelType.TIE)
    assert (got.start, got.end, got.weight, got.props) == (tie.start, tie.end, 2.5, tie.props)
    again = store.upsert(p, [tie])
    assert not again.changed and store.revision() == rev


def test_moving_a_relationship_endpoint_updates_it(store):
    p = [Node(NodeLabel.PERSON, f"p{i}", {"name": str(i)}) for i in range(3)]
    store.upsert(p, [Relationship(RelType.TIE, "k", "p0", "p1", props={"kind": "advice"})])
    result = store.upsert(
        [], [Relationship(RelType.TIE, "k", "p0", "p2", props={"kind": "advice"})]
    )
    assert (result.relationships_created, result.relationships_updated) == (0, 1)
    (rel,) = store.relationships(RelType.TIE)
    assert rel.target == "p2"
    assert store.relationships(RelType.TIE, target="p1") == []


@needs_driver
def test_no_statement_tests_a_parameter_for_null():
    # `($x IS NULL OR a.id = $x)` keeps the planner from using an index: one statement per variant.
    for _, text in all_statements():
        assert not re.search(r"\$\w+\s+IS\s+(NOT\s+)?NULL", text, re.IGNORECASE), text


@needs_driver
def test_the_write_lock_is_one_statement_on_the_meta_node():
    lock = neo4j_store._LOCK
    assert {m.group(2) for m in NAMED.finditer(lock)} == {"CarebridgeMeta"}
    assert re.fullmatch(r"MATCH \(m:CarebridgeMeta \{id: 'meta'\}\) SET m\._lock = true", lock)


# -- what the store sends, recorded by a stand-in for the driver (no server runs here) ----------
class _Result:
    def __init__(self, rows: list):
        self.rows = rows

    def __iter__(self):
        return iter(self.rows)

    def single(self):
        return self.rows[0] if self.rows else None

    def consume(self):
        class _Summary:
            class counters:  # noqa: N801 (the driver's attribute name)
                nodes_deleted = relationships_deleted = 1

        return _Summary()


class _Record(tuple):
    def values(self):
        return list(self)


class _Tx:
    def __init__(self, log: list):
        self.log = log

    def run(self, query: str, params=None):
        self.log.append(query)
        if query in (neo4j_store._BUMP, neo4j_store._REVISION) or "count(" in query:
            return _Result([_Record([7])])
        return _Result([])


class _Session:
    def __init__(self, driver, config):
        self.driver, self.config = driver, config

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def _attempts(self, work, args):
        # Run the transaction function as the driver does when a transient error makes it retry.
        result = None
        for _ in range(self.driver.attempts):
            self.driver.transactions.append([])
            result = work(_Tx(self.driver.transactions[-1]), *args)
        return result

    def execute_write(self, work, *args):
        return self._attempts(work, args)

    def execute_read(self, work, *args):
        return self._attempts(work, args)


class _Driver:
    def __init__(self, attempts: int = 1):
        self.attempts = attempts
        self.transactions: list[list[str]] = []
        self.sessions: list[dict] = []

    def session(self, **config):
        self.sessions.append(config)
        return _Session(self, config)


def recorded_store(attempts: int = 1):
    store = neo4j_store.Neo4jStore.__new__(neo4j_store.Neo4jStore)
    store.uri, store.user, store.database = "bolt://recorded", "neo4j", None
    store._driver = _Driver(attempts)
    store._bookmarks = object()
    return store


@needs_driver
def test_every_write_transaction_takes_the_lock_first():
    store = recorded_store()
    p = [Node(NodeLabel.PERSON, f"p{i}", {"name": str(i)}) for i in range(2)]
    store.upsert(p, [Relationship(RelType.TIE, "k", "p0", "p1", props={"kind": "advice"})])
    store.delete_nodes(NodeLabel.PERSON, ["p0"])
    store.delete_relationships(RelType.TIE, ["k"])
    store.clear()
    writes = store._driver.transactions
    assert len(writes) == 4
    for statements in writes:
        assert statements[0] == neo4j_store._LOCK, statements[:2]
        assert neo4j_store._LOCK not in statements[1:]


@needs_driver
def test_progress_is_reported_once_though_the_driver_retries():
    store = recorded_store(attempts=2)
    p = [Node(NodeLabel.PERSON, f"p{i}", {"name": str(i)}) for i in range(3)]
    ties = [Relationship(RelType.TIE, "k", "p0", "p1", props={"kind": "advice"})]
    reported: list[int] = []
    result = store.upsert(p, ties, progress=reported.append)
    assert len(store._driver.transactions) == 2  # the function ran twice
    assert sum(reported) == 4  # each record once
    assert result.nodes_created == 3 and result.relationships_created == 1  # not doubled


@needs_driver
def test_relationships_uses_one_statement_per_filter():
    store = recorded_store()
    q = neo4j_store.REL_QUERIES[RelType.TIE]
    for kwargs, query in [
        ({}, q.list),
        ({"source": "p0"}, q.list_from),
        ({"target": "p1"}, q.list_to),
        ({"source": "p0", "target": "p1"}, q.list_between),
    ]:
        store._driver.transactions.clear()
        store.relationships(RelType.TIE, **kwargs)
        assert store._driver.transactions == [[query]]
    assert len({q.list, q.list_from, q.list_to, q.list_between}) == 4


@needs_driver
def test_every_session_shares_the_bookmark_manager():
    # A read in a new session sees the write just made in another (causal consistency).
    store = recorded_store()
    store.upsert([Node(NodeLabel.PERSON, "p0", {"name": "A"})])
    store.revision()
    store.counts()
    assert len(store._driver.sessions) == 3
    assert all(s["bookmark_manager"] is store._bookmarks for s in store._driver.sessions)
