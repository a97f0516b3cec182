"""``kg ingest`` of network files other tools write (inputs in tests/data/formats, sourced there).

Files a reference tool wrote (networkx: GraphML, GEXF, Pajek; the Lazega Pajek project) are read
back with that tool's reader and the import is compared with it: people, names, organisations,
sectors, roles, ties, kinds, weights. Hand-typed files (UCINET DL, NetDraw VNA, Kumu, Polinode,
edge list, survey, a Gephi-style GEXF 1.3) are compared with the network their specification says
they hold. Then the defects: a dangling edge, a duplicate id, vocabulary outside Carebridge's, an
ambiguous survey name, each named by file, line and column, and nothing written.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kg.analysis.projection import person_attributes
from kg.errors import ImportValidationError, InvalidParameter
from kg.ingest import Mapping, ingest_path
from kg.ingest.foreign import LIMITS, detect_format, read_foreign
from kg.model import NodeLabel, RelType
from kg.store.sqlite import SQLiteStore

DATA = Path(__file__).resolve().parent / "data" / "formats"
LAZEGA = Path(__file__).resolve().parent / "data" / "lazega" / "Lazega-Law-Firm.paj"
ROLES = ["role_kind=clinical", "level=frontline"]


def mapping(maps=(), defaults=()) -> Mapping:
    return Mapping.from_options(maps, defaults)


def ties(store) -> dict[tuple[str, str, str], float | None]:
    """(source, target, kind) -> weight of every tie in the store."""
    out = {}
    for r in store.relationships(RelType.TIE):
        key = (r.source, r.target, r.props["kind"])
        assert key not in out
        out[key] = r.weight
    return out


def problems(store, path, **kw) -> list:
    with pytest.raises(ImportValidationError) as info:
        ingest_path(store, path, **kw)
    return info.value.problems


def assert_nothing_written(store) -> None:
    counts = store.counts()
    assert not any(counts["nodes"].values()) and not any(counts["relationships"].values())


# -- files written by networkx, compared with networkx reading them ----------------------------
def _reference(path: Path) -> nx.Graph:
    if path.suffix == ".graphml":
        return nx.read_graphml(path)
    if path.suffix == ".gexf":
        return nx.read_gexf(path)
    return nx.read_pajek(path)


@pytest.mark.parametrize("name", ["care.graphml", "care.gexf", "care.net"])
def test_reference_files_import_as_networkx_reads_them(store, name):
    path = DATA / name
    report = ingest_path(store, path)
    R = _reference(path)
    assert report.format == detect_format(path)

    snap = store.snapshot()
    attrs = person_attributes(snap)
    assert set(attrs) == set(R.nodes)
    for node, d in R.nodes(data=True):
        mine = attrs[node]
        assert mine["name"] == d["name"]
        assert mine["organisation_name"] == d.get("organisation")
        assert mine["team_name"] == d.get("team")
        for field in ("sector", "profession", "role_kind", "level"):
            assert mine[field] == d.get(field), (node, field)
    assert snap.node_props(NodeLabel.PERSON, "P01")["pronouns"] == "they"

    expected = {(u, v, d["kind"]): float(d["weight"]) for u, v, d in R.edges(data=True)}
    assert ties(store) == expected

    again = ingest_path(store, path)
    assert not again.written.changed  # idempotent


def test_karate_clubs_become_organisations_through_a_mapping(store):
    path = DATA / "karate.graphml"
    ingest_path(store, path, mapping=mapping(["club=organisation"], ["sector=other", *ROLES]))
    R = nx.read_graphml(path)
    attrs = person_attributes(store.snapshot())
    assert {p: a["organisation_name"] for p, a in attrs.items()} == dict(R.nodes(data="club"))
    assert {a["sector"] for a in attrs.values()} == {"other"}
    mine = ties(store)
    assert len(mine) == R.number_of_edges()  # undirected: one tie per edge
    for (u, v, kind), weight in mine.items():
        assert kind == "collaboration" and R[u][v]["weight"] == weight


def test_carebridge_graphml_export_gives_back_the_same_person_network(small_bundle, tmp_path):
    from kg.queries import analyses

    with SQLiteStore(tmp_path / "a.sqlite") as a, SQLiteStore(tmp_path / "b.sqlite") as b:
        ingest_path(a, small_bundle)
        content, _, _ = analyses.metrics_export(a, format="graphml", pseudonymise=False, key=None)
        exported = tmp_path / "network.graphml"
        exported.write_bytes(content)
        report = ingest_path(b, exported)
        assert report.format == "graphml"
        G1, G2 = analyses.person_graph(a), analyses.person_graph(b)
        assert set(G1) == set(G2)
        assert {frozenset(e) for e in G1.edges} == {frozenset(e) for e in G2.edges}
        for u, v, w in G1.edges(data="weight"):
            assert math.isclose(G2[u][v]["weight"], w)
        # What the export says of each person comes back. (Whether someone is a hybrid manager
        # is read from their dated role history, which the export does not carry.)
        for field in ("name", "organisation", "team", "sector", "profession", "role_kind",
                      "level"):
            assert dict(G1.nodes(data=field)) == dict(G2.nodes(data=field)), field
        assert not ingest_path(b, exported).written.changed


# -- hand-typed files, compared with what their specification says they hold -------------------
def test_gephi_gexf_mixes_directed_undirected_and_mutual_edges(store):
    ingest_path(store, DATA / "gephi_mixed.gexf")
    assert ties(store) == {
        ("a", "b", "advice"): 2.0,
        ("b", "c", "referral"): None,  # undirected: one tie, from the node named first
        ("c", "d", "collaboration"): 1.5,  # mutual: a tie each way; no kind: the default
        ("d", "c", "collaboration"): 1.5,
    }
    attrs = person_attributes(store.snapshot())
    assert attrs["a"]["name"] == "Ann Hale" and attrs["a"]["sector"] == "community"  # default
    assert attrs["b"]["sector"] == "acute" and attrs["d"]["organisation"] is None
    assert store.get_node(NodeLabel.PERSON, "a").props["years_in_post"] == "7"


DL = {
    "fullmatrix_labels.dl": {
        (u, v): 1.0
        for u, row in zip("barry david lin pat russ".split(),
                          ["01110", "10001", "10010", "10101", "01010"], strict=True)
        for v, cell in zip("barry david lin pat russ".split(), row, strict=True)
        if cell == "1"
    },
    "fullmatrix_embedded.dl": {
        ("Bill", "Jim"): 1.0, ("Jan", "Sue"): 1.0, ("Jan", "Zoe"): 2.0, ("Jim", "Bill"): 1.0,
        ("Jim", "Sue"): 1.0, ("Sue", "Jan"): 3.0, ("Sue", "Jim"): 1.0, ("Zoe", "Jan"): 1.0,
    },
    "edgelist1_embedded.dl": {
        ("george", "sally"): 2.0, ("george", "jim"): 1.0, ("sally", "jim"): 1.5,
        ("billy", "george"): 1.0, ("jane", "jim"): 1.0,
    },
    "nodelist1.dl": {
        ("1", "2"): 1.0, ("1", "3"): 1.0, ("2", "1"): 1.0, ("4", "1"): 1.0, ("4", "2"): 1.0,
        ("4", "3"): 1.0,
    },
    "lowerhalf.dl": {("b", "a"): 1.0, ("c", "b"): 1.0, ("d", "a"): 2.0, ("d", "c"): 1.0},
}


@pytest.mark.parametrize("name", sorted(DL))
def test_ucinet_dl_formats(store, name):
    ingest_path(store, DATA / name)
    assert ties(store) == {(u, v, "collaboration"): w for (u, v), w in DL[name].items()}
    people = {n.id for n in store.find_nodes(NodeLabel.PERSON)}
    assert people == {x for pair in DL[name] for x in pair}


def test_dl_matrices_are_tie_kinds_by_their_labels(store):
    ingest_path(store, DATA / "edgelist1_matrices.dl")
    assert ties(store) == {
        ("Alex Morgan", "Sam Lee", "advice"): 1.0,
        ("Sam Lee", "Kim Patel", "advice"): 2.5,
        ("Dev Shah", "Alex Morgan", "advice"): 1.0,
        ("Kim Patel", "Alex Morgan", "referral"): 1.0,
    }


def test_vna_gephi_example(store):
    ingest_path(store, DATA / "gephi_example.vna")
    assert ties(store) == {
        ("j101", "w067", "collaboration"): 1.0, ("w067", "j101", "collaboration"): 2.0,
        ("j101", "b303", "collaboration"): 1.0, ("w067", "b303", "collaboration"): 5.0,
    }
    joe = store.get_node(NodeLabel.PERSON, "j101").props
    assert joe == {"name": "joe", "gender": "male", "age": "56"}


def test_vna_relation_columns_are_tie_kinds(store):
    ingest_path(store, DATA / "relations.vna", mapping=mapping(["friendship=other"]))
    assert ties(store) == {
        ("HOLLY", "PAM", "advice"): 1.0, ("PAT", "HOLLY", "advice"): 2.0,
        ("PAT", "HOLLY", "other"): 1.0, ("PAULINE", "PAT", "other"): 1.0,
    }
    attrs = person_attributes(store.snapshot())
    assert attrs["PAM"]["role_kind"] == "hybrid" and attrs["PAT"]["sector"] == "acute"


def test_edge_list_links_to_stored_people_without_rewriting_them(store, tmp_path):
    bundle = tmp_path / "b"
    bundle.mkdir()
    (bundle / "people.csv").write_text("id,name,profession\nP1,Alex Morgan,nurse\n")
    ingest_path(store, bundle)
    report = ingest_path(store, DATA / "ties.csv")
    assert report.format == "edgelist"
    assert store.get_node(NodeLabel.PERSON, "P1").props == {"name": "Alex Morgan",
                                                            "profession": "nurse"}
    assert store.get_node(NodeLabel.PERSON, "P4").props == {"name": "P4"}
    assert ties(store) == {
        ("P1", "P2", "advice"): 2.0, ("P2", "P3", "referral"): None,
        ("P3", "P1", "collaboration"): 1.5, ("P3", "P4", "advice"): 1.0,
    }
    tie = store.relationships(RelType.TIE, source="P3", target="P4")[0]
    assert tie.props["note"] == "cover for leave, weekends"


def test_a_file_links_to_stored_organisations_and_roles_without_rewriting_them(store, tmp_path):
    bundle = tmp_path / "b"
    bundle.mkdir()
    (bundle / "organisations.csv").write_text("id,name,sector\nACUTE,Westbridge Hospitals,acute\n")
    (bundle / "people.csv").write_text("id,name\nP1,Alex Morgan\n")
    (bundle / "roles.csv").write_text(
        "person_id,organisation_id,title,kind,level\nP1,ACUTE,OT lead,hybrid,middle\n")
    ingest_path(store, bundle)
    G = nx.DiGraph()
    G.add_node("P1", organisation="westbridge  hospitals")  # matched by name: case, spacing
    G.add_node("P9", name="New Starter", organisation="ACUTE")  # matched by id
    G.add_edge("P9", "P1", kind="advice")
    nx.write_graphml(G, tmp_path / "net.graphml")
    report = ingest_path(store, tmp_path / "net.graphml", mapping=mapping(defaults=ROLES))
    assert any("stored role was kept" in n for n in report.notes)
    attrs = person_attributes(store.snapshot())
    assert (attrs["P1"]["organisation"], attrs["P1"]["role_kind"]) == ("ACUTE", "hybrid")
    assert attrs["P1"]["name"] == "Alex Morgan" and attrs["P1"]["roles"] == ["OT lead"]
    assert (attrs["P9"]["organisation"], attrs["P9"]["role_kind"]) == ("ACUTE", "clinical")
    assert store.get_node(NodeLabel.ORGANISATION, "ACUTE").props["name"] == "Westbridge Hospitals"
    assert store.count_nodes(NodeLabel.ORGANISATION) == 1


KUMU = {
    ("Alex Morgan", "Kim Patel", "advice"): 2.0,
    ("Sam Lee", "Alex Morgan", "referral"): 1.0,
    ("Sam Lee", "Kim Patel", "referral"): 1.0,
    ("Kim Patel", "Dev Shah", "collaboration"): None,  # mutual: a tie each way
    ("Dev Shah", "Kim Patel", "collaboration"): None,
    ("Dev Shah", "Alex Morgan", "information"): 0.5,
}


def _workbook(folder: Path, sheets: dict[str, str], out: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for sheet, file in sheets.items():
        ws = wb.create_sheet(sheet)
        with (folder / file).open(newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                ws.append([float(c) if c.replace(".", "", 1).isdigit() else c for c in row])
    wb.create_sheet("Notes (ignore)").append(["not data"])
    wb.save(out)
    return out


def test_kumu_csv_pair_and_workbook(store, tmp_path):
    folder = DATA / "kumu"
    assert detect_format(folder) == detect_format(folder / "elements.csv") == "kumu"
    ingest_path(store, folder, mapping=mapping(defaults=ROLES))
    assert ties(store) == KUMU
    attrs = person_attributes(store.snapshot())
    assert attrs["Dev Shah"]["sector"] == "social_care"
    assert store.get_node(NodeLabel.PERSON, "Alex Morgan").props["tags"] == "ot|discharge"

    book = _workbook(folder, {"Elements": "elements.csv", "Connections": "connections.csv"},
                     tmp_path / "map.xlsx")
    assert detect_format(book) == "kumu"
    report = ingest_path(store, book, mapping=mapping(defaults=ROLES))
    assert ties(store) == KUMU and not report.written.relationships_created


def test_polinode_workbook(store, tmp_path):
    book = _workbook(DATA / "polinode", {"Nodes": "nodes.csv", "Edges": "edges.csv"},
                     tmp_path / "polinode.xlsx")
    assert detect_format(book) == "polinode"
    ingest_path(store, book)
    assert ties(store) == {
        ("Alex Morgan", "Kim Patel", "advice"): 2.0, ("Sam Lee", "Alex Morgan", "advice"): 1.0,
        ("Kim Patel", "Sam Lee", "supervision"): 3.0,
    }
    attrs = person_attributes(store.snapshot())
    assert attrs["Kim Patel"]["role_kind"] == "managerial"  # "Role Kind" is role_kind


def test_lazega_project_with_a_mapping_file_matches_its_reader(store, tmp_path):
    from _lazega import read_lazega

    toml = tmp_path / "lazega.toml"
    toml.write_text(
        '[map]\noffice = "organisation"\nstatus = "level"\n'
        '[values.organisation]\n1 = "Boston"\n2 = "Hartford"\n3 = "Providence"\n'
        '[values.level]\n1 = "senior"\n2 = "frontline"\n'
        '[values.kind]\nfriendship = "other"\nco-work = "collaboration"\n'
        '[defaults]\nsector = "other"\nrole_kind = "clinical"\n'
    )
    ingest_path(store, LAZEGA, mapping=Mapping.from_options(file=toml))
    mine = ties(store)
    for relation, kind in (("advice", "advice"), ("friendship", "other"),
                           ("cowork", "collaboration")):
        G = read_lazega(relation, directed=True)
        expected = {(G.nodes[u]["name"], G.nodes[v]["name"]) for u, v in G.edges}
        assert {(s, t) for s, t, k in mine if k == kind} == expected, relation
    G = read_lazega("advice", directed=True)
    attrs = person_attributes(store.snapshot())
    for _, d in G.nodes(data=True):
        assert attrs[d["name"]]["organisation_name"] == d["office"]
        assert attrs[d["name"]]["level"] == ("senior" if d["status"] == "partner" else "frontline")


# -- the survey: names matched to the roster, never guessed ------------------------------------
@pytest.fixture
def roster(store, tmp_path):
    bundle = tmp_path / "roster"
    bundle.mkdir()
    (bundle / "people.csv").write_text(
        "id,name\nP1,Alex Morgan\nP2,Sam Lee\nP3,Kim Patel\nP4,Chris Jones\nP5,Chris Jones\n"
    )
    ingest_path(store, bundle)
    return store


def test_survey_names_are_matched_to_the_roster(roster):
    report = ingest_path(roster, DATA / "survey.csv", fmt="survey")
    assert ties(roster) == {
        ("P1", "P3", "advice"): None,  # "kim patel": case ignored
        ("P1", "P-DANA-FOX", "advice"): None,  # "Fox, Dana": a respondent in the same file
        ("P1", "P2", "referral"): None,
        ("P-DANA-FOX", "P1", "advice"): None,  # "none" is no answer
        ("P-DANA-FOX", "P2", "referral"): None,  # an id matches as it is
        ("P2", "P3", "advice"): None,  # named twice: one tie
        ("P2", "P-DANA-FOX", "advice"): None,
    }
    assert any("themself" in n for n in report.notes)  # Alex named Alex
    assert roster.get_node(NodeLabel.PERSON, "P1").props == {"name": "Alex Morgan"}
    dana = person_attributes(roster.snapshot())["P-DANA-FOX"]
    assert dana["name"] == "Dana Fox" and dana["sector"] == "social_care"
    assert not ingest_path(roster, DATA / "survey.csv", fmt="survey").written.changed


def test_survey_ambiguous_and_unmatched_names_are_problems(roster):
    before = roster.revision()
    found = problems(roster, DATA / "survey_problems.csv", fmt="survey")
    where = {(p.file, p.row, p.column) for p in found}
    assert where == {
        ("survey_problems.csv", 2, "advice_1"),  # Chris Jones: P4 or P5
        ("survey_problems.csv", 3, "advice_1"),  # "Sam": matches no one
        ("survey_problems.csv", 3, "referral_1"),  # Jordan Blake: matches no one
    }
    ambiguous = next(p for p in found if p.row == 2)
    assert "P4 (Chris Jones)" in ambiguous.message and "P5 (Chris Jones)" in ambiguous.message
    assert roster.revision() == before and not ties(roster)


# -- defects: named by file, line and column; nothing written -----------------------------------
def test_dangling_edge(store):
    found = problems(store, DATA / "dangling.graphml")
    assert [(p.file, p.row, p.column) for p in found] == [("dangling.graphml", 8, "target")]
    assert "'n9'" in found[0].message
    assert_nothing_written(store)


def test_duplicate_id(store):
    found = problems(store, DATA / "duplicate.graphml")
    assert [(p.file, p.row, p.column) for p in found] == [("duplicate.graphml", 7, "id")]
    assert "first at line 5" in found[0].message
    assert_nothing_written(store)


def test_bad_vocabulary_names_the_files_own_attributes(store):
    m = mapping(["trust=organisation", "trust_type=sector"], ROLES)
    found = problems(store, DATA / "bad_vocabulary.graphml", mapping=m)
    assert {(p.file, p.row, p.column) for p in found} == {
        ("bad_vocabulary.graphml", 8, "trust_type"),  # sector 'hospital'
        ("bad_vocabulary.graphml", 16, "relation"),  # tie kind 'friendship'
    }
    assert all("allowed:" in p.message for p in found)
    assert_nothing_written(store)
    # recoding the values makes the same file valid
    m = mapping(["trust=organisation", "trust_type=sector", "sector:hospital=acute",
                 "kind:friendship=other"], ROLES)
    ingest_path(store, DATA / "bad_vocabulary.graphml", mapping=m)
    assert ties(store) == {("n0", "n1", "other"): None}


def test_pajek_arc_to_a_missing_vertex(store):
    found = problems(store, DATA / "dangling.net")
    assert [(p.file, p.row, p.column) for p in found] == [("dangling.net", 7, "to")]


def test_missing_sector_and_role_are_problems_not_guesses(store):
    found = problems(store, DATA / "karate.graphml", mapping=mapping(["club=organisation"]))
    assert sorted((p.row, p.column) for p in found if p.column == "sector") == [(7, "sector"),
                                                                                  (34, "sector")]
    assert {p.column for p in found if p.row is None} == {"role_kind", "level"}
    assert_nothing_written(store)


def test_a_doctype_is_refused_before_any_entity_expands(store):
    found = problems(store, DATA / "doctype.graphml")
    assert [(p.row, p.column) for p in found] == [(2, None)] and "DOCTYPE" in found[0].message


def test_a_file_over_the_limits_fails_clearly(store, monkeypatch):
    monkeypatch.setattr(LIMITS, "max_records", 10)
    found = problems(store, DATA / "karate.graphml")
    assert len(found) == 1 and "more than 10 nodes and edges" in found[0].message
    monkeypatch.setattr(LIMITS, "max_bytes", 1000)
    found = problems(store, DATA / "karate.graphml")
    assert len(found) == 1 and "MB limit" in found[0].message
    assert_nothing_written(store)


def test_malformed_files_name_their_line(tmp_path):
    bad = tmp_path / "cut.graphml"
    bad.write_text((DATA / "care.graphml").read_text()[:900])
    tables, found, _ = read_foreign(bad, None)
    assert not tables and found[0].row and "not well-formed" in found[0].message
    vna = tmp_path / "short.vna"
    vna.write_text("*node data\nID name\nA Ann\nB\n")
    _, found, _ = read_foreign(vna, None)
    assert [(p.row, p.message[:8]) for p in found] == [(4, "1 values")]


# -- options --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "maps, defaults, message",
    [
        (["club=department"], [], "unknown field 'department'"),
        (["club"], [], "ATTRIBUTE=FIELD"),
        ([], ["sector=hospital"], "unknown sector 'hospital'"),
        ([], ["name=x"], "cannot have a default"),
        (["kind:friendship=enemy"], [], "unknown kind 'enemy'"),
    ],
)
def test_mapping_options_are_checked_up_front(maps, defaults, message):
    with pytest.raises(InvalidParameter, match=message):
        Mapping.from_options(maps, defaults)


def test_detect_format(tmp_path):
    assert detect_format(DATA / "care.net") == "pajek"
    assert detect_format(LAZEGA) == "pajek"
    txt = tmp_path / "export.txt"
    txt.write_text("DL N=2\ndata:\n0 1\n1 0\n")
    assert detect_format(txt) == "dl"
    assert detect_format(tmp_path / "unknown.bin") is None


# -- command line and HTTP API ---------------------------------------------------------------------
def test_cli_ingest_with_map_and_default(tmp_path, monkeypatch):
    from kg.cli import app
    from kg.config import get_settings

    monkeypatch.setenv("KG_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        path = str(DATA / "karate.graphml")
        bad = runner.invoke(app, ["ingest", path, "-q", "--map", "club=organisation"])
        assert bad.exit_code == 1
        assert "karate.graphml, row 7, column 'sector'" in bad.output
        args = ["ingest", path, "-q", "--map", "club=organisation", "--default", "sector=other",
                "--default", "role_kind=clinical", "--default", "level=frontline"]
        first = runner.invoke(app, args)
        assert first.exit_code == 0, first.output
        assert "graphml" in first.output and "78 undirected" in first.output
        again = runner.invoke(app, args)
        assert "Nodes: 0 created, 0 updated" in again.output
        wrong = runner.invoke(app, ["ingest", path, "--map", "club=department"])
        assert wrong.exit_code == 2 and "department" in wrong.output
    finally:
        get_settings.cache_clear()


def test_api_ingests_a_network_file(tmp_path):
    from api import create_app
    from kg.config import Settings

    app = create_app(Settings(data_dir=tmp_path / "data", api_keys="k-admin:admin"))
    client = TestClient(app, client=("10.1.2.3", 40000))
    store = app.state.store
    headers = {"X-API-Key": "k-admin"}

    def post(name, content, **params):
        return client.post("/ingest", params=params, headers=headers,
                           files={"file": (name, content, "application/octet-stream")})

    karate = (DATA / "karate.graphml").read_bytes()
    r = post("karate.graphml", karate, map="club=organisation")
    assert r.status_code == 422
    assert {"file": "karate.graphml", "row": 7, "column": "sector"} in [
        {k: p[k] for k in ("file", "row", "column")} for p in r.json()["problems"]]
    assert_nothing_written(store)
    params = {"map": "club=organisation", "default": ["sector=other", *ROLES]}
    r = post("karate.graphml", karate, **params)
    assert r.status_code == 200, r.text
    assert r.json()["format"] == "graphml" and r.json()["nodes"]["Person"] == 34
    assert not post("karate.graphml", karate, **params).json()["written"]["nodes_created"]
    # a survey is only read as one when asked; a bad mapping is a 422
    survey = (DATA / "survey.csv").read_bytes()
    assert post("survey.csv", survey, format="survey", dry_run="true").status_code == 422
    assert post("x.graphml", karate, map="club=nowhere").status_code == 422
    buf = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buf, "w") as z:
        for f in (DATA / "kumu").glob("*.csv"):
            z.write(f, f"map/{f.name}")
    r = post("kumu.zip", buf.getvalue(), default=ROLES)
    assert r.status_code == 200, r.text
    assert r.json()["format"] == "kumu"
