"""Metrics exports (``kg.analysis.export``) and the pseudonymisation key (``kg.queries.pseudonym``).

Every export is read back by the readers researchers use (networkx, igraph, the csv module) and
compared with the metrics that went in; the privacy functions are checked on a table whose
equivalence classes are counted by hand; the key is created by many threads and processes at
once.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import math
import multiprocessing
import os
import re
import stat
import threading
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import networkx as nx
import pytest
from bundle_reading import present

from kg.analysis.brokers import structural_holes
from kg.analysis.export import (
    PERSON_COLUMNS,
    QUASI_IDENTIFIERS,
    equivalence_classes,
    export_metadata,
    export_metrics,
    k_anonymise,
    pseudonym,
    spreadsheet_safe,
    suppress_small_groups,
    uniqueness,
)
from kg.errors import ConfigError, InvalidParameter
from kg.queries import analyses as A
from kg.queries import pseudonym as P
from kg.queries.pseudonym import pseudonym_key

igraph = pytest.importorskip("igraph")

KEY = b"k" * 32
FLOATS = ("weighted_degree", "betweenness", "constraint", "effective_size")
INTS = ("community", "degree", "coordinator", "itinerant", "representative", "gatekeeper",
        "liaison")
TEXT = ("organisation", "team", "sector", "profession", "role_kind", "level")


# -- a small network with isolated people ---------------------------------------------------
def small_case():
    """Five people in a triangle and two isolated ones, metrics computed by networkx and
    Burt's measures (NaN for the isolated); one isolated person's constraint is None instead."""
    G = nx.Graph()
    G.add_edge("P1", "P2", weight=2.0, layer_ties=2.0)
    G.add_edge("P2", "P3", weight=0.5, layer_forums=0.5)
    G.add_edge("P1", "P3", weight=1.0, layer_ties=1.0)
    G.add_edge("P3", "P4", weight=1.5, layer_ties=1.0, layer_forums=0.5)
    G.add_edge("P4", "P5", weight=1.0, layer_ties=1.0)
    G.add_nodes_from(["P6", "P7"])
    bc = nx.betweenness_centrality(G)
    constraint, effective = structural_holes(G)
    assert math.isnan(constraint["P6"]) and math.isnan(effective["P7"])
    orgs = {"P1": "ORG-A", "P2": "ORG-A", "P3": "ORG-B", "P4": "ORG-B", "P5": "ORG-B",
            "P6": "ORG-A", "P7": "ORG-B"}
    people = {}
    for i, v in enumerate(sorted(G)):
        people[v] = {
            "name": f"Person {v}", "organisation": orgs[v], "team": f"{orgs[v]}-T{i % 2}",
            "sector": "acute" if orgs[v] == "ORG-A" else "community",
            "profession": "nurse" if i % 3 else "doctor", "role_kind": "clinical",
            "level": "frontline", "hybrid": i == 2, "community": i // 3,
            "degree": G.degree(v), "weighted_degree": float(G.degree(v, weight="weight")),
            "betweenness": bc[v], "constraint": constraint[v], "effective_size": effective[v],
            "coordinator": i, "itinerant": 0, "representative": 2 * i, "gatekeeper": 1,
            "liaison": 0,
        }
    people["P7"]["constraint"] = None  # None and NaN both mean "undefined"
    groups = [{"group": "ORG-A", "size": 3, "internal": 1, "external": 1, "ei_index": 0.0},
              {"group": "ORG-B", "size": 4, "internal": 2, "external": 1, "ei_index": -1 / 3}]
    parameters = {"by": "organisation", "seed": 0, "window": [None, None],
                  "layers": ["ties", "forums"], "min_weight": 0.05,
                  "metrics": {"constraint": "Burt's constraint (weighted)"}}
    return G, people, groups, parameters


def defined(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def assert_node_values(attrs: dict, expected: dict, *, pseudonymised: bool) -> None:
    """A node's attributes as read back equal the input metrics; undefined ones are absent."""
    for column in PERSON_COLUMNS[1:]:
        want = expected.get(column)
        if column == "name" and pseudonymised:
            assert column not in attrs
        elif not defined(want):
            assert column not in attrs, column
        elif column in FLOATS:
            assert attrs[column] == want and isinstance(attrs[column], float), column
        else:
            assert attrs[column] == want and type(attrs[column]) is type(want), column


@pytest.fixture(params=[False, True], ids=["plain", "pseudonymised"])
def case(request):
    G, people, groups, parameters = small_case()
    key = KEY if request.param else None
    code = {p: pseudonym(p, KEY) if key else p for p in people}
    return SimpleNamespace(G=G, people=people, groups=groups, parameters=parameters, key=key,
                           code=code, back={c: p for p, c in code.items()})


def test_graphml_with_isolated_people_reads_in_networkx_and_igraph(case, tmp_path):
    content = export_metrics(case.G, case.people, case.groups, case.parameters,
                             format="graphml", pseudonym_key=case.key)
    # Each attribute is declared once, with one type (igraph refuses a file that repeats one).
    root = ET.fromstring(content)
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    keys = Counter((k.get("for"), k.get("attr.name")) for k in root.findall("g:key", ns))
    assert keys and max(keys.values()) == 1
    assert b"NaN" not in content and b"None" not in content

    H = nx.read_graphml(io.BytesIO(content))
    assert set(H) == set(case.code.values())
    assert {frozenset(case.back[x] for x in e) for e in H.edges()} == {
        frozenset(e) for e in case.G.edges()}
    for u, v, d in case.G.edges(data=True):
        assert H[case.code[u]][case.code[v]] == d  # weight and layers, exactly
    for p, row in case.people.items():
        assert_node_values(H.nodes[case.code[p]], row, pseudonymised=bool(case.key))
    # Graph metadata: typed values, nested ones flattened, no Python repr, nothing undefined.
    assert H.graph["seed"] == 0 and H.graph["min_weight"] == 0.05
    assert H.graph["pseudonymised"] is bool(case.key)
    assert json.loads(H.graph["layers"]) == ["ties", "forums"]
    assert H.graph["metrics.constraint"] == "Burt's constraint (weighted)"
    assert "window" not in H.graph  # [None, None]: the whole period, nothing to state
    assert (H.graph["network.people"], H.graph["network.ties"]) == (7, 5)
    assert not any("None" in str(v) or "{'" in str(v) for v in H.graph.values())

    path = tmp_path / "m.graphml"
    path.write_bytes(content)
    g = igraph.Graph.Read_GraphML(str(path))
    assert g.vcount() == 7 and g.ecount() == 5
    by_id = {v["id"]: v for v in g.vs}
    for p, row in case.people.items():
        v = by_id[case.code[p]]
        for column in FLOATS:  # igraph fills a value a node lacks with NaN
            want = row[column]
            assert (math.isnan(v[column]) if not defined(want) else v[column] == want), column
        assert v["degree"] == row["degree"] and v["organisation"] == row["organisation"]
        assert bool(v["hybrid"]) is row["hybrid"]
    assert g["seed"] == 0 and bool(g["pseudonymised"]) is bool(case.key)
    weights = {frozenset(case.back[g.vs[i]["id"]] for i in e.tuple): e["weight"] for e in g.es}
    assert weights == {frozenset((u, v)): d["weight"] for u, v, d in case.G.edges(data=True)}


def test_gexf_with_isolated_people_reads_in_networkx(case):
    content = export_metrics(case.G, case.people, case.groups, case.parameters, format="gexf",
                             pseudonym_key=case.key)
    H = nx.read_gexf(io.BytesIO(content))
    assert set(H) == set(case.code.values())
    for u, v, d in case.G.edges(data=True):
        assert H[case.code[u]][case.code[v]]["weight"] == d["weight"]
    for p, row in case.people.items():
        attrs = {k: v for k, v in H.nodes[case.code[p]].items() if k != "label"}
        assert_node_values(attrs, row, pseudonymised=bool(case.key))
    # GEXF has no graph attributes: the same typed metadata ride in <meta><description>.
    root = ET.fromstring(content)
    ns = {"g": "http://www.gexf.net/1.2draft"}
    attrs = root.findall("g:graph/g:attributes/g:attribute", ns)
    titles = Counter(a.get("title") for a in attrs)
    assert max(titles.values()) == 1
    meta = json.loads(root.find("g:meta/g:description", ns).text)
    assert meta["seed"] == 0 and meta["pseudonymised"] is bool(case.key)
    assert "window" not in meta


def test_csv_is_plain_one_row_per_person_and_round_trips(case):
    content = export_metrics(case.G, case.people, case.groups, case.parameters,
                             pseudonym_key=case.key).decode("utf-8")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == list(PERSON_COLUMNS)  # the header on line 1: no comment lines
    assert len(rows) == 1 + len(case.people)
    assert all(len(r) == len(PERSON_COLUMNS) for r in rows)
    by_id = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert set(by_id) == set(case.code.values())
    for p, want in case.people.items():
        got = by_id[case.code[p]]
        assert got["name"] == ("" if case.key else want["name"])
        for column in FLOATS:
            assert (got[column] == "" if not defined(want[column])
                    else float(got[column]) == want[column]), column
        for column in INTS:
            assert int(got[column]) == want[column]
        for column in TEXT:
            assert got[column] == want[column]
        assert got["hybrid"] == str(want["hybrid"])
    assert "nan" not in content.lower()


def test_sidecar_and_json_carry_the_metadata(case):
    args = (case.G, case.people, case.groups, case.parameters)
    sidecar = json.loads(export_metadata(*args, pseudonym_key=case.key))
    doc = json.loads(export_metrics(*args, format="json", pseudonym_key=case.key))
    assert {k: v for k, v in doc.items() if k != "people"} == sidecar
    assert sidecar["parameters"]["window"] == [None, None]
    assert sidecar["parameters"]["pseudonymised"] is bool(case.key)
    assert sidecar["network"] == {"people": 7, "ties": 5}
    assert sidecar["columns"]["betweenness"] == "number"
    assert sidecar["columns"]["degree"] == "integer"
    assert sidecar["columns"]["hybrid"] == "boolean"
    assert [g["group"] for g in sidecar["groups"]] == ["ORG-A", "ORG-B"]
    people = {p["id"]: p for p in doc["people"]}
    assert people[case.code["P6"]]["constraint"] is None  # JSON null, never NaN
    assert people[case.code["P7"]]["constraint"] is None
    assert people[case.code["P1"]]["constraint"] == case.people["P1"]["constraint"]
    if case.key:
        # pseudonymised: rows in code order, which says nothing of the ids
        assert [p["id"] for p in doc["people"]] == sorted(case.code.values())
        privacy = sidecar["privacy"]
        assert privacy["k"] is None and privacy["after"] is None
        assert privacy["before"]["records"] == 7
    else:
        assert sidecar["privacy"] is None


# -- spreadsheet safety ---------------------------------------------------------------------
@pytest.mark.parametrize(("value", "safe"), [
    ('=HYPERLINK("http://evil.example","Click")', '\'=HYPERLINK("http://evil.example","Click")'),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("-", "'-"),
    ("-inf", "'-inf"),
    ("-2", "-2"),  # plain numbers stay numbers
    ("+0.5", "+0.5"),
    ("-1.5e-3", "-1.5e-3"),
    ("Ward 3", "Ward 3"),
    ("a=b", "a=b"),  # only the first character matters
    ("", ""),
    (-2.5, -2.5),
    (-3, -3),
    (True, True),
    (None, None),
])
def test_spreadsheet_safe(value, safe):
    assert spreadsheet_safe(value) == safe


def test_csv_export_neutralises_formulas_and_keeps_negative_numbers():
    G = nx.Graph([("=1+1", "P2")])
    G.add_node("P3")
    people = {
        "=1+1": {"name": '=HYPERLINK("http://evil.example","Click")', "team": "+cmd|' /C calc'!A0",
                 "profession": "@SUM(A1)", "degree": 1, "betweenness": -0.25},
        "P2": {"name": "-2+3", "team": "\tT1", "profession": "-2", "degree": 1},
        "P3": {"name": "\rx", "organisation": "ORG-A", "degree": 0},
    }
    rows = list(csv.DictReader(io.StringIO(export_metrics(G, people, [], {}).decode())))
    got = {r["id"]: r for r in rows}
    assert set(got) == {"'=1+1", "P2", "P3"}  # an id is a text cell too
    assert got["'=1+1"]["name"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert got["'=1+1"]["team"] == "'+cmd|' /C calc'!A0"
    assert got["'=1+1"]["profession"] == "'@SUM(A1)"
    assert float(got["'=1+1"]["betweenness"]) == -0.25  # a number, written as one
    assert got["P2"]["name"] == "'-2+3" and got["P2"]["team"] == "'\tT1"
    assert got["P2"]["profession"] == "-2"
    assert got["P3"]["name"] == "'\rx"
    for r in rows:
        assert not any(v[:1] in ("=", "+", "@", "\t", "\r") for v in r.values())


# -- privacy: hand-counted equivalence classes ----------------------------------------------
def hand_table() -> dict:
    """Eight people; on (organisation, team, profession, level) the classes are {1, 2} and six
    people alone, by construction."""
    rows = {
        1: ("A", "A-T1", "nurse", "frontline"),
        2: ("A", "A-T1", "nurse", "frontline"),
        3: ("A", "A-T2", "nurse", "frontline"),
        4: ("A", "A-T2", "district_nurse", "frontline"),
        5: ("A", "A-T2", "doctor", "middle"),
        6: ("A", "A-T1", "consultant", "senior"),
        7: ("B", "B-T1", "social_worker", "frontline"),
        8: ("B", "B-T1", "care_manager", "frontline"),
    }
    return {i: {"organisation": o, "team": t, "profession": p, "level": lv,
                "sector": "acute" if o == "A" else "social_care", "role_kind": "clinical",
                "hybrid": False, "degree": i}
            for i, (o, t, p, lv) in rows.items()}


def test_uniqueness_and_classes_of_the_hand_table():
    table = hand_table()
    classes = equivalence_classes(table)
    assert sorted(classes.values()) == [[1, 2], [3], [4], [5], [6], [7], [8]]
    assert uniqueness(table) == {"records": 8, "classes": 7, "unique": 6, "smallest_class": 1}
    assert uniqueness({}) == {"records": 0, "classes": 0, "unique": 0, "smallest_class": None}


def test_k2_generalises_team_profession_and_level_and_suppresses_nobody():
    table = hand_table()
    out, report = k_anonymise(table, 2)
    # team -> organisation: {1,2,3} nurses; profession -> group: {1..4} nursing, {7,8} social
    # work, 5 and 6 medical but middle vs senior; level -> manager: {5,6}.
    assert report["steps"] == ["team", "profession", "level"]
    assert sorted(equivalence_classes(out).values()) == [[1, 2, 3, 4], [5, 6], [7, 8]]
    assert report["suppressed"] == 0
    assert report["before"]["unique"] == 6
    assert report["after"] == {"records": 8, "classes": 3, "unique": 0, "smallest_class": 2}
    assert out[5] == {**table[5], "team": "A", "profession": "medical", "level": "manager"}
    assert out[7]["profession"] == "social_work" and out[7]["team"] == "B"
    assert table == hand_table()  # the input is not modified


def test_k3_skips_a_step_that_saves_nobody_then_suppresses():
    table = hand_table()
    out, report = k_anonymise(table, 3)
    # After team and profession the classes are {1,2,3,4}, {5}, {6}, {7,8}: coarser levels
    # would merge 5 and 6 into a pair, still below 3, so that step is skipped and 5-8 are
    # suppressed.
    assert report["steps"] == ["team", "profession"]
    assert report["suppressed"] == 4
    assert report["after"] == {"records": 4, "classes": 1, "unique": 0, "smallest_class": 4}
    for i in (5, 6, 7, 8):
        assert all(out[i][a] is None for a in QUASI_IDENTIFIERS)
        assert out[i]["degree"] == i  # metrics are kept
    assert out[6]["level"] is None and out[1]["level"] == "frontline"


def test_organisation_step_and_bad_arguments():
    out, report = k_anonymise(hand_table(), 3, steps=("organisation",))
    # Organisation and team -> sector: the nurses 1, 2, 3 meet (acute, acute, nurse,
    # frontline); 4 to 8 stay alone and are suppressed.
    assert report["steps"] == ["organisation"] and report["suppressed"] == 5
    assert out[1]["organisation"] == out[1]["team"] == "acute" and out[1]["profession"] == "nurse"
    assert sorted(equivalence_classes(out).values())[0] == [1, 2, 3]
    for bad in (1, 0, 2.5, True):
        with pytest.raises(InvalidParameter, match="k must be"):
            k_anonymise(hand_table(), bad)
    with pytest.raises(InvalidParameter, match="unknown generalisation step 'shoe'"):
        k_anonymise(hand_table(), 2, steps=("team", "shoe"))
    with pytest.raises(InvalidParameter, match="records must map"):
        k_anonymise([1, 2], 2)


def test_small_groups_are_withheld_in_pseudonymised_exports_only():
    G, people, groups, parameters = small_case()
    groups = groups + [{"group": "ORG-C", "size": 5, "ei_index": 0.2}]
    plain = json.loads(export_metadata(G, people, groups, parameters))["groups"]
    assert plain == groups
    meta = json.loads(export_metadata(G, people, groups, parameters, pseudonym_key=KEY))
    by = {g["group"]: g for g in meta["groups"]}
    assert by["ORG-A"] == {"group": "ORG-A", "size": None, "internal": None, "external": None,
                           "ei_index": None, "suppressed": "fewer than 5 people"}
    assert by["ORG-B"]["size"] is None and by["ORG-B"]["suppressed"] == "fewer than 5 people"
    assert by["ORG-C"] == {**groups[2], "suppressed": None}  # five people: kept
    assert meta["privacy"]["groups_withheld"] == 2
    looser = json.loads(export_metadata(G, people, groups, parameters, pseudonym_key=KEY,
                                        min_group_size=3))
    assert [g["suppressed"] for g in looser["groups"]] == [None, None, None]
    # A row without a size is counted from the people by the grouping in the parameters.
    counted = suppress_small_groups([{"group": "ORG-B", "e": 1}], 4, people=people,
                                    by="organisation")
    assert counted == [{"group": "ORG-B", "e": 1, "suppressed": None}]  # P3, P4, P5, P7
    assert suppress_small_groups([{"group": "X"}], 2)[0]["suppressed"] == "group size unknown"


def test_export_arguments_are_checked():
    G, people, groups, parameters = small_case()
    with pytest.raises(InvalidParameter, match="unknown format 'xlsx'"):
        export_metrics(G, people, groups, parameters, format="xlsx")
    with pytest.raises(InvalidParameter, match="k-anonymity applies to pseudonymised"):
        export_metrics(G, people, groups, parameters, k_anonymity=5)
    with pytest.raises(InvalidParameter, match="min_group_size"):
        export_metrics(G, people, groups, parameters, pseudonym_key=KEY, min_group_size=0)
    with pytest.raises(InvalidParameter, match="pseudonym key"):
        export_metrics(G, people, groups, parameters, pseudonym_key=b"")
    with pytest.raises(InvalidParameter, match="people must map"):
        export_metrics(G, [1, 2], groups, parameters)


# -- the small demo partnership (the ``demo`` fixture of conftest.py) ------------------------


def test_metrics_export_formats_are_readable_by_networkx(demo):
    # Moved from test_queries_cli.py (the CLI writes what metrics_export returns).
    G = demo.G
    text = {fmt: A.metrics_export(demo.store, format=fmt)[0] for fmt in
            ("csv", "json", "graphml", "gexf")}
    rows = list(csv.DictReader(io.StringIO(text["csv"].decode("utf-8"))))  # header on line 1
    assert {r["id"] for r in rows} == set(G) and len(rows) == G.number_of_nodes()
    for r in rows:
        assert float(r["betweenness"]) == pytest.approx(demo.bc[r["id"]], abs=1e-12)
        assert int(r["degree"]) == G.degree(r["id"])
        assert r["name"] == spreadsheet_safe(demo.names[r["id"]])
    doc = json.loads(text["json"])
    assert doc["parameters"]["seed"] == 0 and doc["parameters"]["pseudonymised"] is False
    assert {p["id"] for p in doc["people"]} == set(G)
    assert {g["group"] for g in doc["groups"]} == {o for _, o in G.nodes(data="organisation")}
    for fmt, read in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        H = read(io.BytesIO(text[fmt]))
        assert set(H) == set(G), fmt
        assert {frozenset(e) for e in H.edges()} == {frozenset(e) for e in G.edges()}, fmt
        u, v = next(iter(G.edges()))
        assert H[u][v]["weight"] == pytest.approx(G[u][v]["weight"])
        top = max(demo.bc, key=demo.bc.get)
        assert H.nodes[top]["betweenness"] == pytest.approx(demo.bc[top])


def test_pseudonymised_export_hides_people_and_keeps_codes_stable(demo, tmp_path):
    # Moved from test_queries_cli.py.
    key = pseudonym_key(tmp_path)
    args = {"csv": {"format": "csv"}, "csv-again": {"format": "csv"},
            "graphml": {"format": "graphml"}, "gexf": {"format": "gexf"},
            "json-ph3": {"format": "json", "phase": "PH3"}}
    text = {name: A.metrics_export(demo.store, pseudonymise=True, key=key, **kw)[0].decode()
            for name, kw in args.items()}
    # Codes as the export module documents them: HMAC-SHA256(key, id), 12 hex digits.
    code = {p: "X-" + hmac.new(key, p.encode(), hashlib.sha256).hexdigest()[:12]
            for p in demo.names}
    names = list(demo.names.values())
    identifying = re.compile("|".join(re.escape(x) for x in [*demo.names, *names, key.hex()]))
    for name, body in text.items():
        assert identifying.search(body) is None, (name, identifying.search(body))
    assert text["csv"] == text["csv-again"]  # stable across exports
    rows = list(csv.DictReader(io.StringIO(text["csv"])))
    assert [r["id"] for r in rows] == sorted(code[p] for p in demo.G)  # in code order
    assert all(r["name"] == "" for r in rows)
    by_code = {c: p for p, c in code.items()}
    for fmt, read in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        H = read(io.BytesIO(text[fmt].encode()))
        assert {frozenset(by_code[x] for x in e) for e in H.edges()} == {
            frozenset(e) for e in demo.G.edges()}, fmt
    ph3 = json.loads(text["json-ph3"])
    assert {p["id"] for p in ph3["people"]} == {
        code[p] for p in present(demo.bundle, "2016-07-01", "2017-12-31")}
    assert ph3["parameters"]["pseudonymised"] is True


def test_demo_k_anonymous_export_read_back(demo, tmp_path):
    G = demo.G
    people = A.person_metrics(demo.store)
    G2 = G.copy()
    G2.add_node("P-ALONE")  # someone isolated, whose constraint is undefined
    people = {**people, "P-ALONE": {"organisation": "ORG-ACUTE", "degree": 0,
                                    "constraint": float("nan")}}
    sizes = Counter(p.get("organisation") for p in people.values())
    groups = [{"group": g, "size": n, "internal": 1} for g, n in sizes.items()]
    args = (G2, people, groups, {"by": "organisation", "seed": 0})
    kw = {"pseudonym_key": KEY, "k_anonymity": 5}
    meta = json.loads(export_metadata(*args, **kw))
    privacy = meta["privacy"]
    rows = list(csv.DictReader(io.StringIO(export_metrics(*args, **kw).decode())))
    assert len(rows) == len(people)
    # Hand count on what a reader sees: the quasi-identifier columns of the CSV.
    before = Counter(tuple(p.get(a) for a in QUASI_IDENTIFIERS) for p in people.values())
    assert privacy["before"]["unique"] == sum(1 for n in before.values() if n == 1) > 0
    assert privacy["before"]["smallest_class"] == 1
    after = Counter(tuple(r[a] for a in QUASI_IDENTIFIERS) for r in rows)
    withheld = after.pop(("",) * len(QUASI_IDENTIFIERS), 0)
    assert min(after.values()) >= 5 == privacy["k"]
    assert withheld == privacy["suppressed"] and 0 < withheld < len(rows) / 2
    assert privacy["after"]["smallest_class"] == min(after.values())
    path = tmp_path / "k5.graphml"
    path.write_bytes(export_metrics(*args, format="graphml", **kw))
    g = igraph.Graph.Read_GraphML(str(path))
    assert g.vcount() == len(people) and g["privacy.k"] == 5
    H = nx.read_graphml(path)
    assert H.graph["privacy.k"] == 5
    assert H.graph["privacy.suppressed"] == privacy["suppressed"]
    nx.read_gexf(io.BytesIO(export_metrics(*args, format="gexf", **kw)))


# -- the pseudonymisation key ---------------------------------------------------------------
def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_key_is_created_once_with_mode_0600(tmp_path):
    d = tmp_path / "new" / "data"  # created on the way
    key = pseudonym_key(d)
    assert len(key) == 32 and mode(d / "pseudonym.key") == 0o600
    assert pseudonym_key(d) == key == (d / "pseudonym.key").read_bytes()
    assert sorted(p.name for p in d.iterdir()) == ["pseudonym.key"]  # no temporary left


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o277])
def test_key_mode_is_0600_whatever_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        pseudonym_key(tmp_path)
    finally:
        os.umask(old)
    assert mode(tmp_path / "pseudonym.key") == 0o600


def test_16_threads_creating_the_key_at_once_all_get_the_same_key(tmp_path):
    for attempt in range(10):
        d = tmp_path / str(attempt)
        barrier = threading.Barrier(16)
        keys: list = []

        def create(d=d, barrier=barrier, keys=keys):
            barrier.wait()
            keys.append(pseudonym_key(d))

        threads = [threading.Thread(target=create) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(keys) == 16 and len(set(keys)) == 1 and len(keys[0]) == 32
        assert (d / "pseudonym.key").read_bytes() == keys[0]
        assert mode(d / "pseudonym.key") == 0o600
        assert [p.name for p in d.iterdir()] == ["pseudonym.key"]


def _create_in_process(directory, barrier, results):
    barrier.wait()
    results.put(pseudonym_key(directory))


def test_processes_creating_the_key_at_once_all_get_the_same_key(tmp_path):
    ctx = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    for attempt in range(3):
        d = tmp_path / str(attempt)
        barrier, results = ctx.Barrier(6), ctx.Queue()
        procs = [ctx.Process(target=_create_in_process, args=(str(d), barrier, results))
                 for _ in range(6)]
        for p in procs:
            p.start()
        keys = [results.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(timeout=60)
            assert p.exitcode == 0
        assert len(set(keys)) == 1 and len(keys[0]) == 32
        assert (d / "pseudonym.key").read_bytes() == keys[0]
        assert mode(d / "pseudonym.key") == 0o600


def test_a_creator_that_loses_the_race_reads_the_winners_key(tmp_path, monkeypatch):
    real_link = os.link
    won: list = []

    def link_after_a_rival(src, dst):
        # Another creator publishes its key between our check and our link.
        monkeypatch.setattr(P.os, "link", real_link)
        won.append(pseudonym_key(tmp_path))
        return real_link(src, dst)

    monkeypatch.setattr(P.os, "link", link_after_a_rival)
    key = pseudonym_key(tmp_path)
    assert won and key == won[0]
    assert [p.name for p in tmp_path.iterdir()] == ["pseudonym.key"]


def test_a_readable_key_is_narrowed_and_a_damaged_one_refused(tmp_path, monkeypatch):
    path = tmp_path / "pseudonym.key"
    path.write_bytes(b"x" * 32)
    path.chmod(0o644)
    assert pseudonym_key(tmp_path) == b"x" * 32 and mode(path) == 0o600
    path.write_bytes(b"")
    monkeypatch.setattr(P, "_WAIT_SECONDS", 0.0)
    with pytest.raises(ConfigError, match="holds 0 bytes"):
        pseudonym_key(tmp_path)
