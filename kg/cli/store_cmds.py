"""Store verbs: ``kg template``, ``kg ingest``, ``kg stats``."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg.cli import app
from kg.errors import ImportValidationError
from kg.ingest import FILES, IngestReport, ingest_path
from kg.ingest.template import write_templates
from kg.store import open_store

console = Console(stderr=True)


@app.command("template")
def template(
    folder: Annotated[Path, typer.Argument(help="Folder to write the empty CSV templates into.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
) -> None:
    """Write empty CSV templates of the import format, each with a commented example row.

    Fill them in (or copy them into one .xlsx workbook, one sheet per file), then run
    [bold]kg ingest FOLDER --dry-run[/bold] to check them.

    Example: [bold]kg template my-partnership/[/bold]
    """
    try:
        paths = write_templates(folder, overwrite=force)
    except FileExistsError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    for spec, path in zip(FILES, paths, strict=True):
        console.print(f"  {path}  [dim]{spec.about}[/dim]")
    console.print(f"Wrote {len(paths)} templates. Next: fill them in, then kg ingest {folder}")


@contextmanager
def _progress_bar(enabled: bool):
    if not enabled:
        yield None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    tasks: dict[str, int] = {}

    def update(stage: str, advance: int, total: int) -> None:
        if stage not in tasks:
            label = "Checking rows" if stage == "validate" else "Writing records"
            tasks[stage] = bar.add_task(label, total=total)
        bar.advance(tasks[stage], advance)

    with bar:
        yield update


def print_ingest_report(report: IngestReport) -> None:
    table = Table(title="Import" + (" (dry run: nothing written)" if report.dry_run else ""))
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, n in report.rows.items():
        table.add_row(name, f"{n:,}")
    console.print(table)
    for note in report.notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    w = report.written
    if w is not None:
        console.print(
            f"Nodes: {w.nodes_created:,} created, {w.nodes_updated:,} updated. "
            f"Relationships: {w.relationships_created:,} created, "
            f"{w.relationships_updated:,} updated. Revision {w.revision}."
        )


@app.command("ingest")
def ingest(
    path: Annotated[
        Path, typer.Argument(help="A bundle folder of CSV files, or one .xlsx workbook.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check everything, write nothing.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Import a partnership bundle into the store (KG_DATA_DIR, default ./kg-data).

    The import is [bold]all or nothing[/bold]: every problem in the bundle is listed with its
    file, row and column, and then nothing is written. Importing the same bundle again changes
    nothing; a changed row is updated in place. See [bold]kg template[/bold] for the format.

    Examples:
      [bold]kg ingest my-partnership/ --dry-run[/bold]
      [bold]kg ingest partnership.xlsx[/bold]
    """
    with open_store() as store, _progress_bar(not quiet) as progress:
        try:
            report = ingest_path(store, path, dry_run=dry_run, progress=progress)
        except ImportValidationError as exc:
            console.print(f"[red]{len(exc.problems)} problem(s); nothing was imported.[/red]")
            for problem in exc.problems[:200]:
                console.print(f"  - {problem}", markup=False, highlight=False)
            if len(exc.problems) > 200:
                console.print(f"  ... and {len(exc.problems) - 200} more")
            console.print("Fix the rows above and run the same command again.")
            raise typer.Exit(1) from None
    print_ingest_report(report)


@app.command("stats")
def stats(
    format: Annotated[
        str, typer.Option("--format", "-f", help="table or json.", case_sensitive=False)
    ] = "table",
) -> None:
    """Print how many nodes and relationships of each kind the store holds, and its revision.

    JSON form: {"nodes": {"Person": n, ...}, "relationships": {"TIE": n, ...}, "revision": r}

    Example: [bold]kg stats --format json[/bold]
    """
    if format not in ("table", "json"):
        raise typer.BadParameter("use table or json", param_hint="--format")
    with open_store() as store:
        counts = store.counts()
        counts["revision"] = store.revision()
        backend = store.backend
    if format == "json":
        typer.echo(json.dumps(counts, indent=2))
        return
    print_counts(counts, title=f"Store ({backend}), revision {counts['revision']}")


def print_counts(counts: dict, *, title: str) -> None:
    table = Table(title=title)
    table.add_column("kind")
    table.add_column("name")
    table.add_column("count", justify="right")
    for label, n in counts["nodes"].items():
        table.add_row("node", label, f"{n:,}")
    for type_, n in counts["relationships"].items():
        table.add_row("relationship", type_, f"{n:,}")
    Console().print(table)
