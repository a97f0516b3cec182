"""Import: every defect reported with file, row and column; all or nothing; idempotent."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.errors import ImportValidationError
from kg.ingest import ingest_path
from kg.ingest.template import write_templates
from kg.model import NodeLabel, RelType

VALID = {
    "organisations": [
        ["id", "name", "sector", "parent_id"],
        ["ACUTE", "Westbridge Hospitals", "acute", ""],
        ["ACUTE-OT", "Acute OT team", "acute", "ACUTE"],
        ["COMM", "Community Health Trust", "community", ""],
    ],
    "people": [
        ["id", "name", "profession", "band", "pronouns"],
        ["P1", "Alex Morgan", "occupational_therapist", "7", "they"],
        ["P2", "Sam Lee", "nurse", "6", ""],
        ["P3", "Kim Patel", "social_worker", "", ""],
    ],
    "roles": [
        ["person_id", "organisation_id", "title", "kind", "level", "start", "end"],
        ["P1", "ACUTE-OT", "OT lead", "hybrid", "middle", "2014-01-01", ""],
        ["P2", "COMM", "District nurse", "clinical", "frontline", "", ""],
    ],
    "forums": [
        ["id", "name", "kind", "organisation_id", "cadence"],
        ["F1", "Discharge Forum", "mdt", "ACUTE", "monthly"],
    ],
    "attendance": [
        ["person_id", "forum_id", "start", "end", "count"],
        ["P1", "F1", "2014-02-01", "2015-01-01", "10"],
        ["P2", "F1", "", "", ""],
    ],
    "assets": [
        ["id", "title", "kind", "forum_id", "created"],
        ["A1", "Forum minutes", "minutes", "F1", "2014-03-01"],
    ],
    "asset_links": [
        ["person_id", "asset_id", "relation", "date"],
        ["P1", "A1", "authored", "2014-03-01"],
        ["P2", "A1", "uses", ""],
    ],
    "ties": [
        ["source_id", "target_id", "kind", "weight", "start", "end"],
        ["P1", "P2", "advice", "2", "2014-01-01", ""],
        ["P2", "P3", "referral", "", "", ""],
    ],
    "phases": [
        ["id", "name", "start", "end"],
        ["PH1", "Commissioning", "2013-01-01", "2014-06-30"],
    ],
    "interventions": [
        ["id", "name", "kind", "date", "target_kind", "targets"],
        ["I1", "Discharge Forum launched", "new_forum", "2014-03-01", "forums", "F1"],
    ],
}


def write_bundle(folder: Path, tables: dict[str, list[list[str]]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows)
    return folder


def edited(**changes) -> dict:
    tables = json.loads(json.dumps(VALID))
    for name, rows in changes.items():
        tables[name] = rows
    return tables


def test_valid_bundle_imports_every_entity(store, tmp_path):
    report = ingest_path(store, write_bundle(tmp_path / "b", VALID))
    counts = store.counts()
    assert counts["nodes"] == {
        "Person": 3,
        "Role": 2,
        "Organisation": 3,
        "Forum": 1,
        "KnowledgeAsset": 1,
        "Phase": 1,
        "Intervention": 1,
    }
    rels = counts["relationships"]
    assert rels["TIE"] == 2 and rels["ATTENDS"] == 2 and rels["PART_OF"] == 1
    assert rels["HOLDS_ROLE"] == 2 and rels["AT_ORGANISATION"] == 2
    assert rels["AUTHORED"] == 1 and rels["USES"] == 1 and rels["PRODUCED"] == 1
    assert rels["CONVENED_BY"] == 1 and rels["TARGETS_FORUM"] == 1
    assert report.written.nodes_created == 12
    p1 = store.get_node(NodeLabel.PERSON, "P1")
    assert p1.props == {
        "name": "Alex Morgan",
        "profession": "occupational_therapist",
        "band": "7",
        "pronouns": "they",
    }  # extra column kept
    assert p1.source == "people.csv" and p1.imported_at  # provenance
    (att,) = store.relationships(RelType.ATTENDS, source="P1")
    assert att.props["count"] == 10 and att.start.isoformat() == "2014-02-01"


def test_reimport_changes_no_counts_and_changed_row_updates_in_place(store, tmp_path):
    folder = write_bundle(tmp_path / "b", VALID)
    ingest_path(store, folder)
    counts, rev = store.counts(), store.revision()
    again = ingest_path(store, folder)
    assert store.counts() == counts and store.revision() == rev
    assert not again.written.changed

    tables = edited()
    tables["people"][2][2] = "district_nurse"
    tables["ties"][1][3] = "5"
    ingest_path(store, write_bundle(tmp_path / "b2", tables))
    assert store.counts() == counts
    assert store.get_node(NodeLabel.PERSON, "P2").props["profession"] == "district_nurse"
    (t,) = store.relationships(RelType.TIE, source="P1")
    assert t.weight == 5.0
    assert store.revision() > rev


BAD_CASES = [
    # (file, row index in the table, column, new value, file, row, column, words in message)
    ("organisations", 1, 2, "hospital", "organisations.csv", 2, "sector", "unknown value"),
    ("people", 2, 0, "", "people.csv", 3, "id", "required"),
    ("people", 2, 0, "P1", "people.csv", 3, "id", "duplicate"),
    ("roles", 1, 0, "P9", "roles.csv", 2, "person_id", "no Person with id 'P9'"),
    ("roles", 1, 5, "2014-13-01", "roles.csv", 2, "start", "not a date"),
    ("roles", 1, 6, "2013-01-01", "roles.csv", 2, "end", "before start"),
    ("roles", 2, 3, "wizard", "roles.csv", 3, "kind", "allowed: clinical"),
    ("ties", 1, 3, "lots", "ties.csv", 2, "weight", "not a number"),
    ("ties", 2, 1, "P2", "ties.csv", 3, "target_id", "two different people"),
    ("attendance", 1, 4, "ten", "attendance.csv", 2, "count", "whole number"),
    ("asset_links", 1, 2, "likes", "asset_links.csv", 2, "relation", "allowed: authored, uses"),
    ("forums", 1, 3, "NOPE", "forums.csv", 2, "organisation_id", "no Organisation"),
]


@pytest.mark.parametrize("case", BAD_CASES, ids=[f"{c[4]}:{c[6]}:{c[7]}" for c in BAD_CASES])
def test_bad_cell_is_located_and_nothing_is_written(store, tmp_path, case):
    name, ri, ci, value, file, row, column, words = case
    tables = edited()
    tables[name][ri][ci] = value
    with pytest.raises(ImportValidationError) as err:
        ingest_path(store, write_bundle(tmp_path / "b", tables))
    located = [p for p in err.value.problems if (p.file, p.row, p.column) == (file, row, column)]
    assert located, err.value.problems
    assert words in located[0].message
    assert sum(store.counts()["nodes"].values()) == 0  # nothing half-written
    assert store.revision() == 0


def test_all_problems_are_reported_at_once(store, tmp_path):
    tables = edited()
    tables["organisations"][1][2] = "hospital"
    tables["ties"][1][3] = "lots"
    tables["people"][1][1] = ""
    with pytest.raises(ImportValidationError) as err:
        ingest_path(store, write_bundle(tmp_path / "b", tables))
    files = {p.file for p in err.value.problems}
    assert {"organisations.csv", "ties.csv", "people.csv"} <= files
    assert "nothing was imported" in str(err.value)


def test_missing_header_column_and_unreadable_file(store, tmp_path):
    tables = edited(people=[["id", "profession"], ["P1", "nurse"]])
    folder = write_bundle(tmp_path / "b", tables)
    (folder / "ties.csv").write_bytes(b"source_id,target_id,kind\n\xff\xfe\x00bad")
    with pytest.raises(ImportValidationError) as err:
        ingest_path(store, folder)
    got = {(p.file, p.row, p.column) for p in err.value.problems}
    assert ("people.csv", 1, "name") in got
    assert any(p.file == "ties.csv" and "cannot read" in p.message for p in err.value.problems)
    assert store.revision() == 0


def test_failed_import_leaves_earlier_data_untouched(store, tmp_path):
    ingest_path(store, write_bundle(tmp_path / "ok", VALID))
    counts, rev = store.counts(), store.revision()
    tables = edited()
    tables["people"].append(["P4", "New Person", "gp", "", ""])
    tables["ties"].append(["P4", "P1", "advice", "x", "", ""])
    with pytest.raises(ImportValidationError):
        ingest_path(store, write_bundle(tmp_path / "bad", tables))
    assert store.counts() == counts and store.revision() == rev
    assert store.get_node(NodeLabel.PERSON, "P4") is None


def test_later_bundle_may_refer_to_stored_ids(store, tmp_path):
    ingest_path(store, write_bundle(tmp_path / "a", VALID))
    extra = {"ties": [["source_id", "target_id", "kind"], ["P3", "P1", "information"]]}
    ingest_path(store, write_bundle(tmp_path / "b", extra))
    assert store.counts()["relationships"]["TIE"] == 3


def test_parent_cycle_is_refused(store, tmp_path):
    tables = edited()
    tables["organisations"][1][3] = "ACUTE-OT"  # ACUTE -> ACUTE-OT -> ACUTE
    with pytest.raises(ImportValidationError) as err:
        ingest_path(store, write_bundle(tmp_path / "b", tables))
    assert any("cycle" in p.message for p in err.value.problems)


def test_dry_run_checks_but_writes_nothing(store, tmp_path):
    report = ingest_path(store, write_bundle(tmp_path / "b", VALID), dry_run=True)
    assert report.written is None and report.nodes["Person"] == 3
    assert store.revision() == 0


def test_xlsx_workbook_imports_like_the_folder(store, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in VALID.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append([int(v) if v.isdigit() else v for v in row])  # Excel stores numbers
    path = tmp_path / "partnership.xlsx"
    wb.save(path)
    ingest_path(store, path)
    assert store.counts()["nodes"]["Person"] == 3
    assert store.get_node(NodeLabel.PERSON, "P1").props["band"] == "7"
    bad = Workbook()
    bad.active.title = "ties"
    bad.active.append(["source_id", "target_id", "kind"])
    bad.active.append(["P1", "P2", "gossip"])
    bad.save(tmp_path / "bad.xlsx")
    with pytest.raises(ImportValidationError) as err:
        ingest_path(store, tmp_path / "bad.xlsx")
    (p,) = err.value.problems
    assert (p.file, p.row, p.column) == ("bad.xlsx[ties]", 2, "kind")


def test_templates_import_as_an_empty_bundle(store, tmp_path):
    write_templates(tmp_path / "t")
    report = ingest_path(store, tmp_path / "t")
    assert set(report.rows) == {f"{n}.csv" for n in VALID}
    assert sum(store.counts()["nodes"].values()) == 0
    with pytest.raises(FileExistsError):
        write_templates(tmp_path / "t")


def test_cli_ingest_reports_problems_and_exits_nonzero(tmp_path, monkeypatch):
    from kg.cli import app

    monkeypatch.setenv("KG_DATA_DIR", str(tmp_path / "data"))
    from kg.config import get_settings

    get_settings.cache_clear()
    tables = edited()
    tables["ties"][1][2] = "gossip"
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(write_bundle(tmp_path / "bad", tables)), "-q"])
    assert result.exit_code == 1
    assert "ties.csv, row 2, column 'kind'" in result.output
    ok = runner.invoke(app, ["ingest", str(write_bundle(tmp_path / "ok", VALID)), "-q"])
    assert ok.exit_code == 0, ok.output
    stats = runner.invoke(app, ["stats", "--format", "json"])
    data = json.loads(stats.stdout)
    assert data["nodes"]["Person"] == 3 and data["relationships"]["TIE"] == 2
    assert data["revision"] >= 1
    get_settings.cache_clear()


# -- identity: what a row is, so that a corrected field updates it in place -----------------------
def ties_only(*rows: list[str], header=("source_id", "target_id", "kind", "weight", "start")):
    return {"ties": [list(header), *[list(r) for r in rows]]}


@pytest.mark.parametrize("spelling", ["20140101", "2014-W01-3", "2014-1-1", " 2014-01-01T00:00"])
def test_a_date_is_exactly_yyyy_mm_dd(store, tmp_path, spelling):
    # Python's date.fromisoformat takes 20140101 and 2014-W01-3 too; the format says YYYY-MM-DD.
    ingest_path(store, write_bundle(tmp_path / "a", VALID))
    with pytest.raises(ImportValidationError) as err:
        bundle = ties_only(["P1", "P2", "advice", "3", spelling])
        ingest_path(store, write_bundle(tmp_path / "b", bundle))
    (p,) = err.value.problems
    assert (p.file, p.row, p.column) == ("ties.csv", 2, "start")
    assert "YYYY-MM-DD" in p.message
    assert store.counts()["relationships"]["TIE"] == 2


def test_the_same_tie_alone_later_updates_the_one_imported_with_its_people(store, tmp_path):
    # The first import takes the fast path (people in the bundle), the second the checked one.
    ingest_path(store, write_bundle(tmp_path / "a", VALID))
    again = ties_only(["P1", "P2", "advice", "9", "2014-01-01"])
    ingest_path(store, write_bundle(tmp_path / "b", again))
    assert store.counts()["relationships"]["TIE"] == 2
    (t,) = store.relationships(RelType.TIE, source="P1")
    assert t.weight == 9.0


def test_correcting_a_role_updates_it_in_place(store, tmp_path):
    ingest_path(store, write_bundle(tmp_path / "a", VALID))
    tables = edited()
    tables["roles"][1][2] = "OT team lead"  # title
    tables["roles"][2][3] = "hybrid"  # kind
    tables["roles"][2][6] = "2016-03-31"  # end
    ingest_path(store, write_bundle(tmp_path / "b", tables))
    assert store.counts()["nodes"]["Role"] == 2
    roles = {n.props["title"]: n.props for n in store.find_nodes(NodeLabel.ROLE)}
    assert set(roles) == {"OT team lead", "District nurse"}
    assert roles["District nurse"]["kind"] == "hybrid"
    (held,) = store.relationships(RelType.HOLDS_ROLE, source="P2")
    assert held.end.isoformat() == "2016-03-31"
    assert store.counts()["relationships"]["HOLDS_ROLE"] == 2


def test_same_day_roles_at_one_organisation_are_kept_apart_and_correctable(store, tmp_path):
    # A hybrid recorded as two roles held at once: same person, organisation and start.
    tables = edited()
    tables["roles"] += [
        ["P3", "COMM", "Senior social worker", "clinical", "middle", "2015-01-01", ""],
        ["P3", "COMM", "Team manager", "managerial", "middle", "2015-01-01", ""],
    ]
    ingest_path(store, write_bundle(tmp_path / "a", tables))
    assert store.counts()["nodes"]["Role"] == 4
    tables["roles"][4][2] = "Team manager (acting)"
    ingest_path(store, write_bundle(tmp_path / "b", tables))
    titles = sorted(n.props["title"] for n in store.find_nodes(NodeLabel.ROLE))
    assert titles == ["District nurse", "OT lead", "Senior social worker", "Team manager (acting)"]


def test_an_id_column_lets_any_field_of_a_role_tie_or_attendance_be_corrected(store, tmp_path):
    tables = edited()
    for name, ids in (("roles", "R"), ("ties", "T"), ("attendance", "A")):
        ids = ["id", f"{ids}1", f"{ids}2"]
        tables[name] = [row + [i] for row, i in zip(tables[name], ids, strict=True)]
    ingest_path(store, write_bundle(tmp_path / "a", tables))
    counts = store.counts()
    tables["roles"][1][5] = "2014-02-01"  # a corrected start
    tables["ties"][1][4] = "2014-02-01"
    tables["attendance"][1][2] = "2014-03-01"
    ingest_path(store, write_bundle(tmp_path / "b", tables))
    assert store.counts() == counts
    assert store.get_node(NodeLabel.ROLE, "R1").props["title"] == "OT lead"
    (t,) = store.relationships(RelType.TIE, source="P1")
    assert (t.key, t.start.isoformat()) == ("T1", "2014-02-01")
    (a,) = store.relationships(RelType.ATTENDS, source="P1")
    assert a.start.isoformat() == "2014-03-01"


def test_dated_ties_of_one_pair_are_kept_apart_across_bundles(store, tmp_path):
    # Survey waves: each wave's bundle holds the pair's tie for its own period.
    ingest_path(store, write_bundle(tmp_path / "a", VALID))
    wave = ties_only(["P1", "P2", "advice", "4", "2016-01-01"])
    ingest_path(store, write_bundle(tmp_path / "b", wave))
    starts = sorted(t.start.isoformat() for t in store.relationships(RelType.TIE, source="P1"))
    assert starts == ["2014-01-01", "2016-01-01"]


# -- bad files --------------------------------------------------------------------------------
def test_a_duplicate_column_is_refused(store, tmp_path):
    tables = edited(people=[["id", "name", "name"], ["P1", "Alex", "nurse"]])
    with pytest.raises(ImportValidationError) as err:
        ingest_path(store, write_bundle(tmp_path / "b", tables))
    first = err.value.problems[0]
    assert (first.file, first.row, first.column) == ("people.csv", 1, "name")
    assert "twice" in first.message
    # the people could not be read: their references are not reported one by one
    assert not any("no Person" in p.message for p in err.value.problems)


def test_an_unterminated_quote_is_refused_not_swallowed(store, tmp_path):
    folder = write_bundle(tmp_path / "b", VALID)
    (folder / "people.csv").write_text(
        'id,name,profession\nP1,"Alex Morgan,ot\nP2,Sam Lee,nurse\nP3,Kim Patel,sw\n'
    )
    with pytest.raises(ImportValidationError) as err:
        ingest_path(store, folder)
    (p,) = [p for p in err.value.problems if p.file == "people.csv"]
    assert p.row == 2 and "quote" in p.message, p
    assert not any("no Person" in p.message for p in err.value.problems)


def test_a_quote_that_closes_rows_later_is_refused(store, tmp_path):
    folder = write_bundle(tmp_path / "b", VALID)
    (folder / "people.csv").write_text(
        'id,name,profession\nP1,"Alex Morgan,ot\nP2,Sam Lee,nurse\nP3,"Kim Patel",sw\n'
    )
    with pytest.raises(ImportValidationError) as err:
        ingest_path(store, folder)
    (p,) = [p for p in err.value.problems if p.file == "people.csv"]
    assert p.row == 2 and "quote" in p.message and "4" in p.message, p


def test_a_device_or_oversized_file_is_refused_before_reading(store, tmp_path, monkeypatch):
    import kg.ingest.reader as reader

    folder = write_bundle(tmp_path / "b", VALID)
    (folder / "people.csv").unlink()
    (folder / "people.csv").symlink_to("/dev/zero")
    with pytest.raises(ImportValidationError) as err:
        ingest_path(store, folder)
    (p,) = [p for p in err.value.problems if p.file == "people.csv"]
    assert "not a regular file" in p.message
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", 64)
    (folder / "people.csv").unlink()
    write_bundle(folder, {"people": VALID["people"]})
    with pytest.raises(ImportValidationError) as err:
        ingest_path(store, folder)
    assert any(p.file == "people.csv" and "larger than" in p.message for p in err.value.problems)


@pytest.mark.parametrize(
    "cell, column, words",
    [
        ("Alex\x00Morgan", "name", "U+0000"),
        ("Alex\x01", "name", "U+0001"),
        ("nurse\x1b[31m", "profession", "U+001B"),
        ("they\x7f", "pronouns", "U+007F"),  # an extra column too
        ("Alex\nMorgan", "name", "line break"),
    ],
)
def test_control_characters_are_refused(store, tmp_path, cell, column, words):
    tables = edited()
    col = tables["people"][0].index(column)
    tables["people"][1][col] = cell
    with pytest.raises(ImportValidationError) as err:
        ingest_path(store, write_bundle(tmp_path / "b", tables))
    (p,) = err.value.problems
    assert (p.file, p.row, p.column) == ("people.csv", 2, column)
    assert words in p.message


def test_tab_and_line_breaks_in_an_extra_column_are_kept(store, tmp_path):
    tables = edited()
    tables["people"][1][4] = "they/them\nsince 2015\tok"
    ingest_path(store, write_bundle(tmp_path / "b", tables))
    assert store.get_node(NodeLabel.PERSON, "P1").props["pronouns"] == "they/them\nsince 2015\tok"


@pytest.mark.parametrize("weight", ["1e308", "0", "-1", "inf", "nan", "1000001"])
def test_a_weight_must_be_positive_finite_and_sane(store, tmp_path, weight):
    tables = edited()
    tables["ties"][1][3] = weight
    with pytest.raises(ImportValidationError) as err:
        ingest_path(store, write_bundle(tmp_path / "b", tables))
    (p,) = err.value.problems
    assert (p.file, p.row, p.column) == ("ties.csv", 2, "weight")


def test_a_parent_cycle_split_over_two_imports_is_refused(store, tmp_path):
    ingest_path(store, write_bundle(tmp_path / "a", VALID))  # ACUTE-OT is part of ACUTE
    moved = ["ACUTE", "Westbridge", "acute", "ACUTE-OT"]
    orgs = {"organisations": [VALID["organisations"][0], moved]}
    rev = store.revision()
    with pytest.raises(ImportValidationError) as err:
        ingest_path(store, write_bundle(tmp_path / "b", orgs))
    (p,) = err.value.problems
    assert (p.file, p.row, p.column) == ("organisations.csv", 2, "parent_id")
    assert "ACUTE -> ACUTE-OT -> ACUTE" in p.message
    assert store.revision() == rev


def test_a_formula_with_no_saved_value_is_refused_naming_the_cell(store, tmp_path):
    from openpyxl import Workbook

    ingest_path(store, write_bundle(tmp_path / "a", VALID))  # P1's band is 7
    wb = Workbook()
    ws = wb.active
    ws.title = "people"
    ws.append(["id", "name", "profession", "band"])
    ws.append(["P1", "Alex Morgan", "occupational_therapist", "=3+4"])  # openpyxl saves no value
    wb.save(tmp_path / "people.xlsx")
    with pytest.raises(ImportValidationError) as err:
        ingest_path(store, tmp_path / "people.xlsx")
    (p,) = err.value.problems
    assert (p.file, p.row, p.column) == ("people.xlsx[people]", 2, "band")
    assert "D2" in p.message and "formula" in p.message
    assert store.get_node(NodeLabel.PERSON, "P1").props["band"] == "7"


def test_a_formula_whose_saved_value_is_empty_is_an_empty_cell(store, tmp_path):
    # =IF(..., "", ...) saved by Excel: <c t="str"><f>...</f><v></v></c>. A blank, not a gap.
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "organisations"
    ws.append(["id", "name", "sector", "parent_id"])
    ws.append(["A", "Acute", "acute", '=IF(TRUE,"","B")'])
    wb.save(tmp_path / "raw.xlsx")
    with zipfile.ZipFile(tmp_path / "raw.xlsx") as src:
        with zipfile.ZipFile(tmp_path / "saved.xlsx", "w") as out:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename.startswith("xl/worksheets/"):
                    assert b'<c r="D2"><f>' in data  # as openpyxl writes it: no value
                    data = data.replace(b'<c r="D2">', b'<c r="D2" t="str">')
                out.writestr(item, data)
    ingest_path(store, tmp_path / "saved.xlsx")
    assert store.relationships(RelType.PART_OF) == []


# -- messages that lead to the cause ----------------------------------------------------------
def test_a_misnamed_sheet_is_reported_first_with_the_name_it_should_have(store, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in VALID.items():
        ws = wb.create_sheet("People1" if name == "people" else name)
        for row in rows:
            ws.append(row)
    wb.save(tmp_path / "p.xlsx")
    with pytest.raises(ImportValidationError) as err:
        ingest_path(store, tmp_path / "p.xlsx")
    (p,) = err.value.problems  # not one per reference to a person
    assert p.file == "p.xlsx[People1]" and "did you mean 'people'" in p.message


def test_a_misnamed_file_is_reported_first_with_the_name_it_should_have(store, tmp_path):
    folder = write_bundle(tmp_path / "b", VALID)
    (folder / "people.csv").rename(folder / "People1.csv")
    with pytest.raises(ImportValidationError) as err:
        ingest_path(store, folder)
    (p,) = err.value.problems
    assert p.file == "People1.csv" and "did you mean 'people.csv'" in p.message


def test_an_unknown_value_suggests_the_closest_allowed_one(store, tmp_path):
    tables = edited()
    tables["organisations"][3][2] = "Comunity"
    with pytest.raises(ImportValidationError) as err:
        ingest_path(store, write_bundle(tmp_path / "b", tables))
    (p,) = err.value.problems
    assert "did you mean 'community'" in p.message and "allowed:" in p.message


def test_problems_are_capped_and_long_values_shortened(store, tmp_path):
    rows = [["P1", "P2", "gossip" + "x" * 5000] for _ in range(5000)]
    tables = edited(ties=[["source_id", "target_id", "kind"], *rows])
    with pytest.raises(ImportValidationError) as err:
        ingest_path(store, write_bundle(tmp_path / "b", tables))
    problems = err.value.problems
    assert len(problems) <= 201
    assert "4,800 more" in problems[-1].message
    assert max(len(p.message) for p in problems) < 400


# -- templates --------------------------------------------------------------------------------
def test_csv_templates_list_the_allowed_values(tmp_path):
    write_templates(tmp_path / "t")
    text = (tmp_path / "t" / "organisations.csv").read_text()
    assert "sector: acute, community, mental_health" in text
    assert "tie kind" not in text and "kind: advice" in (tmp_path / "t" / "ties.csv").read_text()


def test_xlsx_template_has_every_sheet_an_example_and_dropdowns(store, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "partnership.xlsx"
    write_templates(path)
    wb = load_workbook(path)
    assert wb.sheetnames == list(VALID)
    ws = wb["organisations"]
    header = [c.value for c in ws[2]]
    assert header == ["id", "name", "sector", "parent_id"]
    assert ws["A3"].value.startswith("#")  # the example row is a comment
    (dv,) = ws.data_validations.dataValidation
    assert dv.type == "list" and "acute" in dv.formula1 and "C4" in dv.sqref
    lists = wb["roles"].data_validations.dataValidation
    kinds = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in lists}
    assert set(kinds) == {"D3", "E3"} and "hybrid" in kinds["D3"] and "middle" in kinds["E3"]
    report = ingest_path(store, path)  # an empty bundle
    assert set(report.rows) == {f"{n}.csv" for n in VALID}
    assert sum(store.counts()["nodes"].values()) == 0
    with pytest.raises(FileExistsError):
        write_templates(path)


def test_cli_template_writes_a_workbook(tmp_path):
    from kg.cli import app

    result = CliRunner().invoke(app, ["template", str(tmp_path / "p.xlsx")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "p.xlsx").is_file()  # a workbook, not a folder named like one
    assert "sheets" in result.output
