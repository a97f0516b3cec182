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
    }
    rels = counts["relationships"]
    assert rels["TIE"] == 2 and rels["ATTENDS"] == 2 and rels["PART_OF"] == 1
    assert rels["HOLDS_ROLE"] == 2 and rels["AT_ORGANISATION"] == 2
    assert rels["AUTHORED"] == 1 and rels["USES"] == 1 and rels["PRODUCED"] == 1
    assert rels["CONVENED_BY"] == 1
    assert report.written.nodes_created == 11
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
