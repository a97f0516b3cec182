"""Read a bundle (a folder of CSV files or one ``.xlsx`` workbook) into plain tables.

Reading never raises on bad content: every defect becomes a :class:`~kg.errors.Problem`, so one
run reports them all. Lines starting with ``#`` are comments (templates carry an example row so).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from kg.errors import Problem
from kg.ingest.formats import FILES

__all__ = ["Table", "read_bundle"]

KNOWN = {spec.name for spec in FILES}


@dataclass
class Table:
    """One file of a bundle: its header and its data rows with their 1-based line numbers."""

    filename: str
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def read_bundle(path: Path) -> tuple[dict[str, Table], list[Problem], list[str]]:
    """Return ``(tables by file name, problems, notes)`` for a folder or an ``.xlsx`` file."""
    path = Path(path)
    if path.is_dir():
        return _read_folder(path)
    if path.suffix.lower() == ".xlsx" and path.is_file():
        return _read_workbook(path)
    what = "does not exist" if not path.exists() else "is neither a folder nor an .xlsx workbook"
    return {}, [Problem(str(path), None, None, f"{what}; give a bundle folder or an .xlsx")], []


def _clean_header(raw: list[str]) -> list[str]:
    return [h.strip().lower() for h in raw]


def _read_folder(folder: Path) -> tuple[dict[str, Table], list[Problem], list[str]]:
    tables: dict[str, Table] = {}
    problems: list[Problem] = []
    notes: list[str] = []
    for file in sorted(folder.glob("*.csv")):
        name = file.stem.lower()
        if name not in KNOWN:
            notes.append(f"{file.name}: not part of the format, ignored")
            continue
        try:
            with file.open(newline="", encoding="utf-8-sig") as fh:
                table = _read_csv(file.name, fh)
        except (UnicodeDecodeError, csv.Error, OSError) as exc:
            problems.append(Problem(file.name, None, None, f"cannot read the file: {exc}"))
            continue
        if table is None:
            problems.append(Problem(file.name, 1, None, "the file is empty; a header is required"))
            continue
        tables[name] = table
    if not tables and not problems:
        names = ", ".join(spec.filename for spec in FILES)
        problems.append(
            Problem(folder.name, None, None, f"no bundle files found (expected {names})")
        )
    return tables, problems, notes


def _read_csv(filename: str, fh) -> Table | None:
    table: Table | None = None
    reader = csv.reader(fh)
    for values in reader:
        line = reader.line_num
        if not values or (values[0].startswith("#")):
            continue
        if table is None:
            table = Table(filename, _clean_header(values))
            continue
        if len(values) == 1 and not values[0].strip():
            continue
        table.rows.append((line, values))
    return table


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_workbook(path: Path) -> tuple[dict[str, Table], list[Problem], list[str]]:
    from openpyxl import load_workbook

    tables: dict[str, Table] = {}
    problems: list[Problem] = []
    notes: list[str] = []
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a corrupt file
        return {}, [Problem(path.name, None, None, f"cannot read the workbook: {exc}")], []
    try:
        for ws in wb.worksheets:
            name = ws.title.strip().lower().removesuffix(".csv")
            where = f"{path.name}[{ws.title}]"
            if name not in KNOWN:
                notes.append(f"{where}: not part of the format, ignored")
                continue
            table: Table | None = None
            for line, row in enumerate(ws.iter_rows(values_only=True), start=1):
                values = [_cell(v) for v in row]
                while values and values[-1] == "":
                    values.pop()
                if not values or values[0].startswith("#"):
                    continue
                if table is None:
                    table = Table(where, _clean_header(values))
                else:
                    table.rows.append((line, values))
            if table is None:
                problems.append(Problem(where, 1, None, "the sheet is empty; a header is required"))
            else:
                tables[name] = table
    finally:
        wb.close()
    if not tables and not problems:
        problems.append(Problem(path.name, None, None, "no sheets named like bundle files"))
    return tables, problems, notes
