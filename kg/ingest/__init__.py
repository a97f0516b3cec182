"""Import a partnership bundle into the store: all or nothing, idempotent.

>>> from kg.store.sqlite import SQLiteStore          # doctest: +SKIP
>>> report = ingest_path(SQLiteStore("kg-data/carebridge.sqlite"), "my-bundle/")  # doctest: +SKIP

Every problem in the bundle is reported at once (file, row, column) through
:class:`~kg.errors.ImportValidationError`, and then nothing is written. A valid bundle is written
in one transaction; importing it again changes nothing, and a changed row updates in place.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from kg.errors import ImportValidationError
from kg.ingest.convert import convert_tables
from kg.ingest.formats import FILES, FORMAT_VERSION
from kg.ingest.reader import read_bundle
from kg.store.base import GraphStore, WriteResult

__all__ = ["FILES", "FORMAT_VERSION", "IngestReport", "ingest_path"]

# progress(stage, advance, total): stage is "validate" or "write"; total is known up front.
IngestProgress = Callable[[str, int, int], None]


@dataclass
class IngestReport:
    """What an import found and did."""

    path: str
    dry_run: bool
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
) -> IngestReport:
    """Validate the bundle at ``path`` and, unless ``dry_run``, write it in one transaction.

    Raises
    ------
    ImportValidationError
        Listing every problem found; the store is left untouched.
    """
    path = Path(path)
    # Millions of small records: the cyclic GC would rescan them all, over and over, for nothing.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _ingest(store, path, dry_run, progress)
    finally:
        if gc_was_enabled:
            gc.enable()


def _ingest(
    store: GraphStore, path: Path, dry_run: bool, progress: IngestProgress | None
) -> IngestReport:
    tables, problems, notes = read_bundle(path)
    imported_at = datetime.now(UTC).isoformat(timespec="seconds")
    records = convert_tables(tables, stored_ids=store.existing_ids, imported_at=imported_at)
    problems += records.problems
    if problems:
        raise ImportValidationError(problems)

    report = IngestReport(str(path), dry_run, rows=records.rows, notes=notes)
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
