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
    out += [("meta", s) for s in (neo4j_store._REVISION, neo4j_store._BUMP, neo4j_store._INIT)]
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
