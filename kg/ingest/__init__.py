"""Import a partnership bundle, or a network file another tool wrote: all or nothing, idempotent.

>>> from kg.store.sqlite import SQLiteStore          # doctest: +SKIP
>>> report = ingest_path(SQLiteStore("kg-data/carebridge.sqlite"), "my-bundle/")  # doctest: +SKIP
>>> report = ingest_path(store, "network.graphml",                                # doctest: +SKIP
...                      mapping=Mapping.from_options(["club=organisation"], ["sector=other"]))

Every problem is reported at once (file, row or line, column) through
:class:`~kg.errors.ImportValidationError`, and then nothing is written. A valid import is written
in one transaction; importing it again changes nothing, and a changed row updates in place.
Network files (GraphML, GEXF, Pajek, UCINET DL, NetDraw VNA, edge lists, Kumu and Polinode
spreadsheets, wide survey exports) are first read into the bundle's tables by
:mod:`kg.ingest.foreign`, so they pass the same checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from kg.errors import ImportValidationError, InvalidParameter
from kg.gcpause import gc_paused
from kg.ingest.convert import convert_tables
from kg.ingest.foreign import FORMATS, Mapping, detect_format, read_foreign, relabel_problems
from kg.ingest.formats import FILES, FORMAT_VERSION
from kg.ingest.reader import read_bundle
from kg.store.base import GraphStore, WriteResult

__all__ = ["FILES", "FORMATS", "FORMAT_VERSION", "IngestReport", "Mapping", "ingest_path"]

# progress(stage, advance, total): stage is "validate" or "write"; total is known up front.
IngestProgress = Callable[[str, int, int], None]


@dataclass
class IngestReport:
    """What an import found and did."""

    path: str
    dry_run: bool
    format: str = "bundle"
    rows: dict[str, int] = field(default_factory=dict)
    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    written: WriteResult | None = None

    def as_dict(self) -> dict:
        out = asdict(self)
        out["written"] = None if self.written is None else asdict(self.written)
        return out


def ingest_path(
    store: GraphStore,
    path: str | Path,
    *,
    dry_run: bool = False,
    progress: IngestProgress | None = None,
    fmt: str | None = None,
    mapping: Mapping | None = None,
) -> IngestReport:
    """Validate the bundle or network file at ``path`` and, unless ``dry_run``, write it.

    Parameters
    ----------
    store : GraphStore
    path : str or Path
        A bundle folder or ``.xlsx``, or a network file (see :mod:`kg.ingest.foreign`).
    dry_run : bool
        Check everything, write nothing.
    progress : callable, optional
        ``progress(stage, advance, total)``.
    fmt : str, optional
        One of :data:`FORMATS`; by default told from the extension (or the file's first bytes).
    mapping : Mapping, optional
        For network files: which attribute is which field, recodings, defaults.

    Raises
    ------
    ImportValidationError
        Listing every problem found; the store is left untouched.
    InvalidParameter
        An unknown ``fmt``, or a mapping given for a bundle.
    """
    path = Path(path)
    if fmt is not None and fmt not in FORMATS:
        raise InvalidParameter(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt is None:
        fmt = detect_format(path)  # None: read_foreign says what is wrong with the path
    if fmt == "bundle" and mapping not in (None, Mapping()):
        raise InvalidParameter(
            "a mapping (--map, --default, --mapping-file) applies to network files; a bundle "
            "already names its columns"
        )
    with gc_paused():  # millions of small records, no cycles
        return _ingest(store, path, dry_run, progress, fmt, mapping)


def _ingest(
    store: GraphStore,
    path: Path,
    dry_run: bool,
    progress: IngestProgress | None,
    fmt: str | None,
    mapping: Mapping | None,
) -> IngestReport:
    if fmt == "bundle":
        tables, problems, notes = read_bundle(path)
    else:
        tables, problems, notes = read_foreign(path, fmt, mapping, store=store)
    imported_at = datetime.now(UTC).isoformat(timespec="seconds")
    records = convert_tables(tables, stored_ids=store.existing_ids, imported_at=imported_at)
    problems += relabel_problems(records.problems, tables)
    if problems:
        raise ImportValidationError(problems)

    rows = records.rows
    if fmt != "bundle":  # tables made from one file: name them, not CSV files that do not exist
        rows = {name.removesuffix(".csv"): n for name, n in rows.items()}
    report = IngestReport(str(path), dry_run, fmt or "bundle", rows=rows, notes=notes)
    for node in records.nodes:
        report.nodes[node.label.value] = report.nodes.get(node.label.value, 0) + 1
    for rel in records.relationships:
        report.relationships[rel.type.value] = report.relationships.get(rel.type.value, 0) + 1
    if progress:
        progress("validate", sum(records.rows.values()), sum(records.rows.values()))
    if not dry_run:
        total = len(records.nodes) + len(records.relationships)
        report.written = store.upsert(
            records.nodes,
            records.relationships,
            progress=(lambda n: progress("write", n, total)) if progress else None,
        )
    return report
