"""``kg report`` and ``kg map VIEW``: the board report and the maps, written as HTML files."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kg.cli import app
from kg.cli.analyse_cmds import AsOf, Phase, Window
from kg.cli.store_cmds import console
from kg.config import get_settings
from kg.errors import CarebridgeError
from kg.store import open_store


class View(StrEnum):
    """The maps ``kg map`` draws."""

    network = "network"
    ego = "ego"
    bridges = "bridges"
    communities = "communities"
    organisations = "organisations"


Seed = Annotated[int, typer.Option(help="Seed of every random step (Louvain, permutations, "
                                   "map layout): the same seed and data give the same output.")]
By = Annotated[str, typer.Option(help="Grouping: organisation, team, sector, profession, "
                                 "role_kind, level or hybrid.")]


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def _safe(text: str) -> str:
    # Ids and phase names become file names: plain characters only.
    return re.sub(r"[^A-Za-z0-9._-]+", "_", str(text)).strip("._") or "x"


def _fail(exc: Exception) -> typer.Exit:
    """Print a domain error as one clear line; the caller raises the returned Exit(1)."""
    typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
    return typer.Exit(1)


@app.command("report")
def report_cmd(
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="File to write (default: $KG_OUTPUT_DIR/report.html).")] = None,
    by: By = "sector",
    between: Annotated[tuple[str, str], typer.Option(
        help="The two groups of --by whose bridges are ranked and mapped.")] = (
        "acute", "community"),
    window: Window = None,
    phase: Phase = None,
    as_of: AsOf = None,
    seed: Seed = 0,
    pseudonymise: Annotated[bool, typer.Option(
        "--pseudonymise", help="For wider circulation: people described by role, never "
        "named; figures about fewer than 5 people withheld; no maps that name people.")]
    = False,
    pdf: Annotated[bool, typer.Option(
        "--pdf", help="Also print the report to PDF beside it (needs Playwright and "
        "Chromium).")] = False,
    maps: Annotated[bool, typer.Option(
        "--maps/--no-maps", help="Draw the organisations and bridges maps (and write their "
        "interactive versions under maps/); --no-maps gives a light page.")] = True,
) -> None:
    """Write the board report: one printable page with the headline findings, charts and maps.

    By default the report describes the partnership as it is now: the latest phase (or the
    year up to the latest date in the data, or to --as-of DATE), naming only people in post at
    its end; --window START:END, --phase NAME or --window all choose another period. The page
    says which period it covers, opens offline, needs no script and prints on A4: the
    partnership in numbers; the findings in plain words with the statistics beneath (silos,
    bridges between two groups, key-person risk, hybrid middle managers, communities of
    practice, change since the period before, knowledge assets); charts; the bridges and
    organisations maps, each linked to its interactive version (written under maps/); and the
    parameters, for reproducing it. The headlines are printed.

    Examples: [bold]kg report[/bold], [bold]kg report -o board-2024-q3.html --pdf[/bold],
    [bold]kg report --phase PH2[/bold], [bold]kg report --pseudonymise -o wider.html[/bold],
    [bold]kg report --by sector --between acute social_care --seed 3[/bold]
    """
    from kg.report.page import write_outputs_and_findings
    from kg.report.pdf import PdfUnavailable, html_to_pdf
    from kg.report.question import ReportQuestion

    settings = get_settings()
    path = output or Path(settings.output_dir) / "report.html"
    try:
        question = ReportQuestion(by=by, between=between, seed=seed, window=window, phase=phase,
                                  as_of=as_of, pseudonymise=pseudonymise)
        with open_store(settings) as store:
            with console.status("Analysing the partnership ..."):
                written, doc = write_outputs_and_findings(
                    store, path.parent, question, report_name=path.name, findings=False,
                    every_map=False, maps=maps)
    except CarebridgeError as exc:
        raise _fail(exc) from None
    from kg.report.wording import TOPIC_NAMES  # here: the report package is slow to import

    typer.echo(f"Covers: {doc['partnership']['period']['label']}")
    for i, f in enumerate(doc["findings"], start=1):
        typer.echo(f"{i}. {TOPIC_NAMES.get(f['topic'], f['topic'])}: {f['headline']}")
    for note in doc["notes"]:
        typer.echo(f"   note: {note}")
    html = path.read_text(encoding="utf-8")
    extra = [p for name, p in written.items() if name != "report"]
    console.print(f"Wrote {path} ({_size(len(html.encode('utf-8')))})"
                  + (f" and the interactive maps it links: {', '.join(map(str, extra))}"
                     if extra else "") + "; open it in a browser (it prints on A4).")
    if pdf:
        try:
            with console.status("Printing to PDF with Chromium ..."):
                data = html_to_pdf(html)
        except PdfUnavailable as exc:
            raise _fail(exc) from None
        target = path.with_suffix(".pdf")
        target.write_bytes(data)
        console.print(f"Wrote {target} ({_size(len(data))}).")


@app.command("map")
def map_cmd(
    view: Annotated[View, typer.Argument(
        help="network, ego, bridges, communities or organisations.", show_default=False)],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="File to write (default: $KG_OUTPUT_DIR/maps/VIEW.html).")]
    = None,
    person: Annotated[str | None, typer.Option(help="ego: the person's id.")] = None,
    hops: Annotated[int | None, typer.Option(help="ego: how many steps out (1-4).")] = None,
    by: Annotated[str | None, typer.Option(help="bridges: the grouping the two groups belong "
                                           "to (default sector).")] = None,
    between: Annotated[tuple[str, str] | None, typer.Option(
        help="bridges: the two groups (default acute community).")] = None,
    top: Annotated[int | None, typer.Option(help="bridges: how many top brokers to ring "
                                            "(default 10).")] = None,
    color_by: Annotated[str | None, typer.Option(
        help="network, ego, organisations: colour by organisation, sector, community, "
        "profession, role_kind, level or hybrid.")] = None,
    community: Annotated[int | None, typer.Option(
        help="communities: draw the people of community N (numbered as on the map and in "
        "kg analyse communities) instead of one node per community.")] = None,
    window: Window = None,
    phase: Phase = None,
    as_of: AsOf = None,
    layers: Annotated[str, typer.Option(help="Comma-separated layers of the person network: "
                                        "ties, forums, assets, teams.")] = "ties,forums,assets",
    min_weight: Annotated[float, typer.Option(help="Drop person pairs linked by less than "
                                              "this.")] = 0.05,
    seed: Seed = 0,
) -> None:
    """Write one interactive map as a self-contained HTML page (opens offline).

    Views: [bold]network[/bold] (everyone, sized by betweenness; large networks are
    aggregated), [bold]ego[/bold] (one person's contacts, --person, --hops),
    [bold]bridges[/bold] (who carries the paths between two groups, --by, --between),
    [bold]communities[/bold] (one node per community, or --community N to drill in) and
    [bold]organisations[/bold] (links aggregated between organisations). Like every answer, a
    map shows the partnership as it is now unless --window, --phase or --as-of say otherwise.

    Examples: [bold]kg map network --color-by sector --phase PH2[/bold],
    [bold]kg map ego --person P000103 --hops 2[/bold],
    [bold]kg map bridges --by sector --between acute social_care[/bold],
    [bold]kg map communities --community 3 -o cop-3.html[/bold]
    """
    from kg.queries import maps

    given = {"--person": person, "--hops": hops, "--by": by, "--between": between,
             "--top": top, "--color-by": color_by, "--community": community}
    applies = {
        View.network: {"--color-by"},
        View.ego: {"--person", "--hops", "--color-by"},
        View.bridges: {"--by", "--between", "--top"},
        View.communities: {"--community"},
        View.organisations: {"--color-by"},
    }[view]
    stray = [k for k, v in given.items() if v is not None and k not in applies]
    if stray:
        verb = "does" if len(stray) == 1 else "do"
        raise typer.BadParameter(
            f"{', '.join(stray)} {verb} not apply to the {view.value} view; it takes "
            f"{', '.join(sorted(applies))}", param_hint="VIEW")
    if view is View.ego and not person:
        raise typer.BadParameter("the ego view needs --person ID (see kg analyse brokers for "
                                 "ids)", param_hint="--person")
    if community is not None and community < 1:
        raise typer.BadParameter("communities are numbered from 1", param_hint="--community")
    net = {"window": window, "phase": phase, "as_of": as_of, "min_weight": min_weight,
           "layers": tuple(x.strip() for x in layers.split(",") if x.strip())}
    # The file name carries the period asked for, as the report's map files do.
    suffix = "".join(f"-{_safe(v)}" for v in (window, phase, as_of) if v)
    try:
        with open_store(get_settings()) as store:
            if view is View.network:
                html = maps.network(store, color_by=color_by or "organisation", seed=seed, **net)
                name = "network"
            elif view is View.ego:
                html = maps.ego(store, person, hops=hops or 1,
                                color_by=color_by or "organisation", seed=seed, **net)
                name = f"ego-{_safe(person)}"
            elif view is View.bridges:
                from kg.queries.analyses import DEFAULT_BETWEEN

                pair = tuple(between or DEFAULT_BETWEEN)
                html = maps.bridges(store, by=by or "sector", between=pair, top=top or 10,
                                    seed=seed, **net)
                name = f"bridges-{_safe(pair[0])}-{_safe(pair[1])}"
            elif view is View.communities:
                html = maps.community_map(store, community=community, seed=seed, **net)
                name = "communities" if community is None else f"community-{community}"
            else:
                html = maps.organisations(store, color_by=color_by or "sector", seed=seed, **net)
                name = "organisations"
    except CarebridgeError as exc:
        raise _fail(exc) from None
    path = output or Path(get_settings().output_dir) / "maps" / f"{name}{suffix}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    console.print(f"Wrote {path} ({_size(len(html.encode('utf-8')))}); open it in a browser.")
