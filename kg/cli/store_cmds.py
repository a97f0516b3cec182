"""Store verbs: ``kg template``, ``kg ingest``, ``kg stats``, ``kg migrate``."""

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
from kg.config import get_settings
from kg.errors import CarebridgeError, ImportValidationError, InvalidParameter
from kg.ingest import FILES, FORMATS, IngestReport, Mapping, ingest_path
from kg.ingest.template import write_templates
from kg.store import GraphStore, open_store
from kg.store.migrate import copy_store

console = Console(stderr=True)


@app.command("template")
def template(
    target: Annotated[
        Path,
        typer.Argument(help="A folder for the CSV templates, or FILE.xlsx for one workbook."),
    ],
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
) -> None:
    """Write empty templates of the import format, each with a commented example row.

    A folder gets one CSV file per file of the format, whose comments list the allowed values
    of its closed columns. A name ending in .xlsx gets one workbook with a sheet per file and
    dropdowns of the allowed values. Fill them in, then run
    [bold]kg ingest TARGET --dry-run[/bold] to check them.

    Examples:
      [bold]kg template my-partnership/[/bold]
      [bold]kg template partnership.xlsx[/bold]
    """
    try:
        paths = write_templates(target, overwrite=force)
    except FileExistsError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    if target.suffix.lower() == ".xlsx":
        sheets = ", ".join(spec.name for spec in FILES)
        console.print(f"  {target}  [dim]sheets: {sheets}[/dim]")
        console.print(f"Wrote the workbook. Next: fill it in, then kg ingest {target} --dry-run")
        return
    for spec, path in zip(FILES, paths, strict=True):
        console.print(f"  {path}  [dim]{spec.about}[/dim]")
    console.print(f"Wrote {len(paths)} templates. Next: fill them in, then kg ingest {target}")


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
    title = "Import" if report.format == "bundle" else f"Import ({report.format})"
    table = Table(title=title + (" (dry run: nothing written)" if report.dry_run else ""))
    table.add_column("file" if report.format == "bundle" else "became")
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
        Path,
        typer.Argument(
            help="A bundle folder or .xlsx workbook, or a network file another tool wrote."
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check everything, write nothing.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            help=f"The file's format: {', '.join(FORMATS)}. Default: told from the extension "
            "(.graphml .gexf .net .paj .dl .vna .csv; a folder or .xlsx is a bundle unless its "
            "sheets are Kumu's or Polinode's). A survey export always needs --from survey.",
            case_sensitive=False,
        ),
    ] = None,
    maps: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="ATTRIBUTE=FIELD says which attribute of the file is which field "
            "(club=organisation; \"advice_*=advice\" for survey columns); FIELD:VALUE=NEW recodes"
            " a value (sector:Hospital=acute). Repeat as needed.",
        ),
    ] = None,
    defaults: Annotated[
        list[str] | None,
        typer.Option(
            "--default",
            help="FIELD=VALUE where the file gives none (sector=other, role_kind=clinical, "
            "level=frontline, kind=advice). Repeat as needed.",
        ),
    ] = None,
    mapping_file: Annotated[
        Path | None,
        typer.Option(
            "--mapping-file",
            help="A TOML file with \\[map], \\[values.FIELD] and \\[defaults] tables (the "
            "options above win over it).",
        ),
    ] = None,
) -> None:
    """Import a partnership bundle, or a network file, into the store (KG_DATA_DIR).

    The import is [bold]all or nothing[/bold]: every problem is listed with its file, row (or
    line) and column, and then nothing is written. Importing the same file again changes
    nothing; a changed row is updated in place. See [bold]kg template[/bold] for the bundle.

    Network files (GraphML, GEXF, Pajek, UCINET DL, NetDraw VNA, an edge list CSV, Kumu or
    Polinode spreadsheets, a wide survey export): nodes become people and edges ties. Node
    attributes named like the bundle's fields (name, organisation, team, sector, profession,
    band, title, role_kind, level) are used; --map says which other attribute is which; the
    rest are kept as properties. A new organisation needs a sector (an attribute or
    --default sector=...), and people at one need role_kind and level.

    Examples:
      [bold]kg ingest my-partnership/ --dry-run[/bold]
      [bold]kg ingest partnership.xlsx[/bold]
      [bold]kg ingest network.graphml --map club=organisation --default sector=other[/bold]
      [bold]kg ingest lazega.paj --map office=organisation --mapping-file lazega.toml[/bold]
      [bold]kg ingest responses.csv --from survey --map "Q3_*=advice"[/bold]
    """
    fmt = from_.lower() if from_ else None
    if fmt is not None and fmt not in FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--from")
    mapping = None
    if maps or defaults or mapping_file:
        try:
            mapping = Mapping.from_options(maps or (), defaults or (), mapping_file)
        except InvalidParameter as exc:
            raise typer.BadParameter(str(exc), param_hint="--map/--default") from None
    with open_store() as store, _progress_bar(not quiet) as progress:
        try:
            report = ingest_path(
                store, path, dry_run=dry_run, progress=progress, fmt=fmt, mapping=mapping
            )
        except ImportValidationError as exc:
            console.print(f"[red]{len(exc.problems)} problem(s); nothing was imported.[/red]")
            for problem in exc.problems[:200]:
                console.print(f"  - {problem}", markup=False, highlight=False)
            if len(exc.problems) > 200:
                console.print(f"  ... and {len(exc.problems) - 200} more")
            console.print("Fix the rows above and run the same command again.")
            raise typer.Exit(1) from None
        except InvalidParameter as exc:
            console.print(f"[red]error:[/red] {exc}", highlight=False)
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


@app.command("person")
def person(
    person_id: Annotated[str, typer.Argument(help="The person's id, e.g. P000103.")],
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    window: Annotated[str | None, typer.Option(help="Metrics for this period (START:END or "
                                               "'all') instead of now.")] = None,
    phase: Annotated[str | None, typer.Option(help="Metrics for this phase instead.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="What 'now' means.")] = None,
) -> None:
    """One person: roles and forums over the whole history, direct ties, and their network
    measures now (or in the period given). The same record as GET /people/{id}.

    Example: [bold]kg person P000103[/bold]
    """
    from kg.queries.people import person_detail

    with open_store() as store:
        found = person_detail(store, person_id, window=window, phase=phase, as_of=as_of)
    node = found.pop("node")
    if format == "json":
        typer.echo(json.dumps({"id": node.id, **node.props, **found}, indent=1, default=str))
        return
    table = Table(title=f"{node.props.get('name') or node.id} ({node.id})", title_justify="left",
                  caption=f"Measures: {found['period']['label']} ({found['period']['rule']})",
                  caption_justify="left")
    table.add_column("what")
    table.add_column("detail", overflow="fold")
    for r in found["roles"]:
        where = r.get("organisation_name") or r.get("organisation_id")
        table.add_row("role", f"{r.get('title')} at {where} "
                      f"({r['start'] or '...'} to {r['end'] or 'now'})")
    for f in found["forums"]:
        table.add_row("forum", f"{f.get('name') or f['id']}")
    table.add_row("ties", f"{found['ties']['out']} out, {found['ties']['in']} in")
    for key, value in (found["metrics"] or {}).items():
        if key in ("betweenness", "constraint", "effective_size", "degree", "community"):
            table.add_row(key.replace("_", " "), "" if value is None else f"{value:.4g}")
    console.print(table)


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


@app.command("migrate")
def migrate(
    to: Annotated[
        str, typer.Option("--to", help="The target backend: neo4j or sqlite.", case_sensitive=False)
    ],
    target_path: Annotated[
        Path | None,
        typer.Option("--target-path", help="The SQLite file to write (with --to sqlite)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Copy the whole graph from the configured store into another one.

    It reads the store named by KG_BACKEND (with KG_DATA_DIR for SQLite) and writes to the
    Neo4j server named by KG_NEO4J_URI, KG_NEO4J_USER, KG_NEO4J_PASSWORD and KG_NEO4J_DATABASE,
    or to a SQLite file (a backup, or a copy to take away). The copy is [bold]one transaction[/bold]
    and keeps provenance; running it again changes nothing. Records the target already holds are
    kept. Counts of both stores are printed at the end.

    Examples:
      [bold]KG_NEO4J_URI=bolt://localhost:7687 KG_NEO4J_PASSWORD=... kg migrate --to neo4j[/bold]
      [bold]kg migrate --to sqlite --target-path backups/carebridge-2026-01.sqlite[/bold]
    """
    to = to.lower()
    if to not in ("neo4j", "sqlite"):
        raise typer.BadParameter("use neo4j or sqlite", param_hint="--to")
    if to == "sqlite" and target_path is None:
        raise typer.BadParameter("--to sqlite needs --target-path FILE", param_hint="--target-path")
    if to == "neo4j" and target_path is not None:
        raise typer.BadParameter("only for --to sqlite", param_hint="--target-path")
    settings = get_settings()
    if settings.backend == "sqlite" and not settings.sqlite_path.exists():
        console.print(
            f"[red]error:[/red] there is no store at {settings.sqlite_path}; set KG_DATA_DIR "
            "to the folder that holds carebridge.sqlite"
        )
        raise typer.Exit(1)
    if settings.backend == to and (
        to == "neo4j" or target_path.resolve() == settings.sqlite_path.resolve()
    ):
        console.print("[red]error:[/red] the source and the target are the same store")
        raise typer.Exit(1)
    try:
        with open_store(settings) as source, _open_target(to, target_path) as target:
            before = target.counts()
            with _progress_bar(not quiet) as update:
                result = copy_store(
                    source,
                    target,
                    progress=(lambda n, total: update("write", n, total)) if update else None,
                )
            rows = [source.counts(), target.counts()]
            names = (f"source ({source.backend})", f"target ({target.backend})")
    except CarebridgeError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    if any(before["nodes"].values()) or any(before["relationships"].values()):
        console.print("[yellow]note:[/yellow] the target already held data; it was kept")
    console.print(
        f"Nodes: {result.nodes_created:,} created, {result.nodes_updated:,} updated. "
        f"Relationships: {result.relationships_created:,} created, "
        f"{result.relationships_updated:,} updated. Target revision {result.revision}."
    )
    table = Table(title="Migrated")
    for column in ("kind", "name", *names):
        table.add_column(column, justify="right" if column in names else "left")
    short = []
    for kind, group in (("node", "nodes"), ("relationship", "relationships")):
        for name, n in rows[0][group].items():
            m = rows[1][group].get(name, 0)
            table.add_row(kind, name, f"{n:,}", f"{m:,}")
            if m < n:
                short.append(name)
    Console().print(table)
    if short:  # cannot happen after a committed copy, unless another writer deleted records
        console.print(f"[red]The target holds fewer {', '.join(short)} than the source.[/red]")
        raise typer.Exit(1)


def _open_target(to: str, path: Path | None) -> GraphStore:
    if to == "sqlite":
        from kg.store.sqlite import SQLiteStore

        return SQLiteStore(path)
    return open_store(get_settings(), backend="neo4j")
