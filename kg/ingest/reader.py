"""Read a bundle (a folder of CSV files or one ``.xlsx`` workbook) into plain tables.

Reading never raises on bad content: every defect becomes a :class:`~kg.errors.Problem`, so one
run reports them all. Lines starting with ``#`` are comments (templates carry an example row so).

What is refused here, because it is about the file rather than a row's meaning: a file or sheet
whose name is not part of the format (reported first, with the name it probably should have), a
file that is not a regular file or is too large to be a bundle, text that is not UTF-8, a quote
left open (the rows after it would run together into one value), control characters in a value
(they make GraphML and GEXF exports ill-formed), a line break inside a value of one of the
format's own columns, and an Excel formula with no saved value or an Excel error value.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

from kg.errors import Problem
from kg.ingest.formats import FILES, FileSpec

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_PROBLEMS",
    "ProblemLog",
    "Table",
    "cell_text",
    "read_bundle",
    "shown",
]

KNOWN: dict[str, FileSpec] = {spec.name: spec for spec in FILES}
# The 100,000-person demo's largest file (ties) is about 45 MB; a file many times that is not a
# partnership, and reading it would exhaust memory before any row could be checked.
MAX_FILE_BYTES = 512 * 2**20
MAX_ROWS = 5_000_000  # per file or sheet; bounds what a small, highly compressed .xlsx can unpack
MAX_PROBLEMS = 200  # listed per stage; the rest are counted, so an answer stays small

# C0 and C1 controls and the two non-characters; tab, line feed and carriage return are text.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# The same in UTF-8 bytes, found without a character class (which scans at a few dozen MB/s):
# deleting every other byte leaves the C0 controls; C1 and the non-characters have a lead byte.
_NOT_C0 = bytes(b for b in range(256) if b in b"\t\n\r" or (b >= 0x20 and b != 0x7F))
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_NONCHAR_UTF8 = re.compile(rb"\xef\xbf[\xbe\xbf]")
_BREAK = re.compile("[\r\n]")
_EXCEL_ERRORS = frozenset(
    {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!"}
)
# A cell formula in a worksheet part: <f>, <f t="shared" ...> or a prefixed <x:f>.
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


@dataclass
class Table:
    """One file of a bundle: its header and its data rows with their 1-based line numbers.

    ``complete`` is false when the file is in the bundle but could not be read in full, so the
    rows that refer to its ids are not reported one by one as references to nothing.
    """

    filename: str
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    header_line: int = 1
    complete: bool = True


class ProblemLog:
    """Problems up to a limit, then only a count: a crafted bundle cannot make the answer huge."""

    def __init__(self, limit: int = MAX_PROBLEMS):
        self.limit = limit
        self.listed: list[Problem] = []
        self.more = 0
        self._files: set[str] = set()

    @property
    def full(self) -> bool:
        """True once problems are only counted: no need to word them with care any more."""
        return len(self.listed) >= self.limit

    def add(self, problem: Problem) -> None:
        if len(self.listed) < self.limit:
            self.listed.append(problem)
        else:
            self.more += 1
            self._files.add(problem.file)

    def result(self) -> list[Problem]:
        if not self.more:
            return list(self.listed)
        files = ", ".join(sorted(self._files)[:5]) + (", ..." if len(self._files) > 5 else "")
        message = f"{self.more:,} more problems not listed (in {files}); fix those above first"
        return [*self.listed, Problem(self.listed[-1].file, None, None, message)]


def shown(value: str, limit: int = 40) -> str:
    """A cell value quoted in a message, shortened: a message must not carry a whole file."""
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}... ({len(value):,} characters)"


def read_bundle(path: Path) -> tuple[dict[str, Table], list[Problem], list[str]]:
    """Return ``(tables by file name, problems, notes)`` for a folder or an ``.xlsx`` file.

    Problems with the names of files or sheets come first: they explain most of what follows.
    """
    path = Path(path)
    if path.is_dir():
        bundle = _Bundle(path.name, ".csv")
        _read_folder(path, bundle)
    elif path.suffix.lower() == ".xlsx" and path.is_file():
        bundle = _Bundle(path.name, "")
        _read_workbook(path, bundle)
    else:
        what = (
            "does not exist" if not path.exists() else "is neither a folder nor an .xlsx workbook"
        )
        return {}, [Problem(str(path), None, None, f"{what}; give a bundle folder or an .xlsx")], []
    return bundle.finish()


class _Bundle:
    """What reading found so far: tables, problems (names first), notes."""

    def __init__(self, name: str, suffix: str):
        self.name, self.suffix = name, suffix  # suffix: how a file's name ends (".csv" or none)
        self.tables: dict[str, Table] = {}
        self.names = ProblemLog()  # problems with the names of files or sheets
        self.problems = ProblemLog()
        self.notes: list[str] = []
        self.guessed: dict[str, str] = {}  # format name -> the misnamed file that is probably it

    def unknown(self, where: str, name: str, empty: bool) -> None:
        if empty:
            self.notes.append(f"{where}: not part of the format and empty, ignored")
            return
        known = [spec.name + self.suffix for spec in FILES]
        guess = [] if self.names.full else difflib.get_close_matches(name + self.suffix, known)
        if guess:
            self.guessed.setdefault(guess[0].removesuffix(self.suffix), where)
            hint = f"did you mean {guess[0]!r}? Rename it"
        else:
            hint = f"the format's names are {', '.join(known)}; rename it or take it out"
        self.names.add(Problem(where, None, None, f"not part of the format; {hint}"))

    def add(self, name: str, table: Table) -> None:
        first = self.tables.get(name)
        if first is not None:
            message = f"a second {name}{self.suffix} (the first is {first.filename}); keep one"
            self.names.add(Problem(table.filename, None, None, message))
            return
        self.tables[name] = table

    def finish(self) -> tuple[dict[str, Table], list[Problem], list[str]]:
        for name, where in self.guessed.items():
            # Stands for the misnamed file: references to its ids are not each a problem.
            self.tables.setdefault(name, Table(where, [], complete=False))
        problems = self.names.result() + self.problems.result()
        if not self.tables and not problems:
            names = ", ".join(spec.name + self.suffix for spec in FILES)
            what = "no bundle files found" if self.suffix else "no sheets named like bundle files"
            problems.append(Problem(self.name, None, None, f"{what} (expected {names})"))
        return self.tables, problems, self.notes


def _clean_header(raw: list[str]) -> list[str]:
    return [h.strip().lower() for h in raw]


def _one_line_columns(header: list[str], spec: FileSpec) -> list[bool]:
    # The format's own columns hold one-line values; an extra column may hold notes.
    return [name in spec.columns for name in header]


def _check_cells(
    table: Table, line: int, values: list[str], one_line: list[bool], log: ProblemLog
) -> None:
    """Refuse control characters anywhere, and line breaks in the format's own columns."""
    header = table.header
    for i, value in enumerate(values):
        column = header[i] if i < len(header) else None
        found = _CONTROL.search(value)
        if found:
            code = f"U+{ord(found.group()):04X}"
            message = f"control character {code} in the value; remove it (exports cannot hold it)"
            log.add(Problem(table.filename, line, column, message))
        elif i < len(one_line) and one_line[i] and _BREAK.search(value):
            message = f"a line break inside the value {shown(value)}; keep it on one line"
            log.add(Problem(table.filename, line, column, message))


def _regular_file(path: Path, where: str, log: ProblemLog) -> bool:
    """True if ``path`` is a regular file within the size limit (symbolic links followed)."""
    try:
        info = path.stat()
    except OSError as exc:
        log.add(Problem(where, None, None, f"cannot read the file: {exc.strerror or exc}"))
        return False
    if not stat.S_ISREG(info.st_mode):
        message = "not a regular file (a device, pipe or folder); give the file itself"
        log.add(Problem(where, None, None, message))
        return False
    if info.st_size > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // 2**20
        message = f"the file is larger than {limit:,} MB, the limit for one file; split it"
        log.add(Problem(where, None, None, message if limit else "the file is larger than allowed"))
        return False
    return True


# -- a folder of CSV files ----------------------------------------------------------------------
def _read_folder(folder: Path, bundle: _Bundle) -> None:
    files = sorted(
        p for p in folder.iterdir() if p.suffix.lower() == ".csv" and not p.name.startswith(".")
    )
    for file in files:
        name = file.stem.lower()
        spec = KNOWN.get(name)
        if spec is None:
            try:
                empty = file.stat().st_size == 0
            except OSError:
                empty = False
            bundle.unknown(file.name, name, empty)
            continue
        bundle.add(name, _read_csv(file, spec, bundle.problems))


def _read_csv(file: Path, spec: FileSpec, log: ProblemLog) -> Table:
    broken = Table(file.name, [], complete=False)
    if not _regular_file(file, file.name, log):
        return broken
    try:
        with file.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        log.add(Problem(file.name, None, None, f"cannot read the file: {exc.strerror or exc}"))
        return broken
    if len(data) > MAX_FILE_BYTES:  # it grew after the check
        log.add(Problem(file.name, None, None, "the file is larger than the limit for one file"))
        return broken
    try:
        str(data, "utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = f"cannot read the file: not UTF-8 text (line {line}); save it as CSV UTF-8"
        log.add(Problem(file.name, line, None, message))
        return broken
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    # Most files hold no control character at all: one scan of the bytes spares a check per cell.
    return _parse_csv(file.name, text, spec, log, check_all=_has_control(data))


def _has_control(data: bytes) -> bool:
    return bool(
        data.translate(None, _NOT_C0) or _C1_UTF8.search(data) or _NONCHAR_UTF8.search(data)
    )


def _parse_csv(filename: str, text, spec: FileSpec, log: ProblemLog, *, check_all: bool) -> Table:
    table: Table | None = None
    one_line: list[bool] = []
    reader = csv.reader(text, strict=True)  # strict: a quote left open is an error, not a value
    last = 0  # the last line of the previous record: a record spans last + 1 .. line_num
    try:
        for values in reader:
            first, last = last + 1, reader.line_num
            if not values or values[0].startswith("#"):
                continue
            if table is None:
                table = Table(filename, _clean_header(values), header_line=first)
                one_line = _one_line_columns(table.header, spec)
                if check_all:
                    _check_cells(table, first, values, [], log)
                continue
            if len(values) == 1 and not values[0].strip():
                continue
            if check_all or last > first:
                _check_cells(table, first, values, one_line, log)
            if len(table.rows) >= MAX_ROWS:
                log.add(Problem(filename, first, None, f"more than {MAX_ROWS:,} rows; split it"))
                table.complete = False
                break
            table.rows.append((first, values))
    except csv.Error as exc:
        log.add(Problem(filename, last + 1, None, _quoting(str(exc), last + 1, reader.line_num)))
        table = table or Table(filename, [])
        table.complete = False
    if table is None:
        log.add(Problem(filename, 1, None, "the file is empty; a header is required"))
        table = Table(filename, [], complete=False)
    return table


def _quoting(error: str, start: int, line: int) -> str:
    """Say what a CSV parse error means for the person who has to fix the file."""
    if "field limit" in error:
        return (
            f"a value longer than {csv.field_size_limit():,} characters: is a quote opened "
            f"in row {start} left open?"
        )
    if "end of data" in error:
        return (
            f"the quote opened in row {start} is never closed, so every row after it ran "
            "together into one value; close the quote"
        )
    if line > start:
        return (
            f"a quote opened in row {start} is not closed on that row, so rows {start} to {line} "
            'ran together; close the quote (a quote inside a quoted value is written "")'
        )
    return f'a misplaced quote ({error}); quote the whole value and write a quote inside it as ""'


# -- one .xlsx workbook ---------------------------------------------------------------------------
def cell_text(value) -> str:
    """A worksheet cell as text: dates in ISO form, whole numbers without ``.0``."""
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


def _formula_cells(path: Path) -> dict[str, dict[int, list[int]]]:
    """Formulas with no saved value: ``{sheet title: {row: [column index, ...]}}``.

    Reading saved values (``data_only``) shows such a formula as an empty cell, which would
    silently erase a stored value. openpyxl shows a formula whose saved value is an empty string
    (``=IF(..., "", ...)``) as empty too, so the sheet's XML is asked. Only a workbook with
    formulas in it is parsed twice.
    """
    from openpyxl.utils.cell import coordinate_to_tuple

    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        parts = [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        if not any(_has_formula(archive, part) for part in parts):
            return {}
        # Every producer (Excel, LibreOffice, openpyxl, xlsxwriter) writes the workbook here.
        sheets = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
        found: dict[str, dict[int, list[int]]] = {}
        for sheet in sheets.iter():
            if _local(sheet.tag) != "sheet":
                continue
            rel_id = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), None)
            target = targets.get(rel_id, "")
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            if part not in names:
                continue
            with archive.open(part) as fh:
                for _, cell in ElementTree.iterparse(fh):
                    if _local(cell.tag) != "c":
                        continue
                    inside = {_local(child.tag): child.text for child in cell}
                    # Excel saves a formula's empty text as <v></v> on a "str" cell; an empty
                    # value on a number cell (how openpyxl writes a formula) is none at all.
                    saved = inside.get("v") or (cell.get("t") == "str" and "v" in inside)
                    if "f" in inside and not saved and cell.get("r"):
                        row, col = coordinate_to_tuple(cell.get("r"))
                        found.setdefault(sheet.get("name"), {}).setdefault(row, []).append(col - 1)
                    cell.clear()
        return found


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]  # the name without its XML namespace


def _has_formula(archive: zipfile.ZipFile, part: str) -> bool:
    tail = b""
    with archive.open(part) as fh:
        while chunk := fh.read(1 << 20):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


_NO_SAVED_VALUE = (
    "holds a formula with no saved value (a file written by a program, not Excel?); open and "
    "save it in a spreadsheet, or paste the values"
)


def _cell_problem(table: Table, line: int, i: int, what: str) -> Problem:
    """A problem with the cell in column ``i`` of ``line``, named as Excel names it (``C7``)."""
    from openpyxl.utils import get_column_letter

    header = table.header
    column = header[i] if i < len(header) else None
    return Problem(table.filename, line, column, f"cell {get_column_letter(i + 1)}{line} {what}")


def _read_workbook(path: Path, bundle: _Bundle) -> None:
    from openpyxl import load_workbook

    log = bundle.problems
    if not _regular_file(path, path.name, log):
        return
    try:
        formulas = _formula_cells(path)
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl and zipfile raise many types for a corrupt file
        log.add(Problem(path.name, None, None, f"cannot read the workbook: {exc}"))
        return
    try:
        for ws in wb.worksheets:
            name = ws.title.strip().lower().removesuffix(".csv")
            where = f"{path.name}[{ws.title}]"
            spec = KNOWN.get(name)
            if spec is None:
                empty = not any(
                    v is not None for row in ws.iter_rows(values_only=True) for v in row
                )
                bundle.unknown(where, name, empty)
                continue
            in_sheet = formulas.get(ws.title, {})
            table: Table | None = None
            one_line: list[bool] = []
            for line, row in enumerate(ws.iter_rows(values_only=True), start=1):
                values = [cell_text(v) for v in row]
                while values and values[-1] == "":
                    values.pop()
                if not values or values[0].startswith("#"):
                    continue
                if table is None:
                    table = Table(where, _clean_header(values), header_line=line)
                    one_line = _one_line_columns(table.header, spec)
                    continue
                if len(table.rows) >= MAX_ROWS:
                    log.add(Problem(where, line, None, f"more than {MAX_ROWS:,} rows; split it"))
                    table.complete = False
                    break
                _check_cells(table, line, values, one_line, log)
                for i in in_sheet.get(line, ()):
                    log.add(_cell_problem(table, line, i, _NO_SAVED_VALUE))
                for i, value in enumerate(values):
                    if value in _EXCEL_ERRORS:
                        error = f"shows Excel's error {value}; correct its formula"
                        log.add(_cell_problem(table, line, i, error))
                table.rows.append((line, values))
            if table is None:
                log.add(Problem(where, 1, None, "the sheet is empty; a header is required"))
                table = Table(where, [], complete=False)
            bundle.add(name, table)
    finally:
        wb.close()
