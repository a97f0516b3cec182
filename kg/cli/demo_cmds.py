"""``kg demo``: the main job, end to end, on the demo partnership."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kg.cli import app
from kg.cli.analyse_cmds import AsOf, Phase, Window
from kg.cli.serve_cmds import Host, Port, run_server
from kg.cli.store_cmds import console, print_counts, print_ingest_report
from kg.config import get_settings
from kg.errors import ConfigError
from kg.ingest import ingest_path
from kg.store import open_store


@app.command("demo-data")
def demo_data(
    out: Annotated[Path, typer.Argument(help="Folder to write the bundle and truth.json into.")],
    size: Annotated[
        str,
        typer.Option(help="small (~300 people), medium (~5,000) or large (~100,000, ~1M ties)."),
    ] = "small",
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same bundle.")]
    = 7,
) -> None:
    """Write a generated demo partnership as a bundle (format v1), with its planted truth.

    Three boroughs with an acute trust, a community trust, a mental health trust, adult social
    care, GP practices, voluntary organisations and a commissioner; forums (discharge forums,
    an OT collaborative, palliative care champions, learning communities, peer learning, boards,
    engagement events), knowledge assets and dated ties over four phases (2013-2019).
    truth.json lists the planted silos, brokers and communities, for scoring analysis.

    Example: [bold]kg demo-data ./demo --size medium --seed 7[/bold], then
    [bold]kg ingest ./demo[/bold]
    """
    from kg.demo import generate_bundle

    with console.status(f"Generating the {size} demo partnership ..."):
        truth = generate_bundle(out, size=size, seed=seed)
    counts = truth["counts"]
    console.print(
        f"Wrote {out}: {counts['people']:,} people, {counts['ties']:,} ties, "
        f"{counts['forums']:,} forums, {len(truth['brokers'])} planted brokers "
        f"(truth.json). Next: [bold]kg ingest {out}[/bold]"
    )


def _make_room_for_demo(store, data_dir: Path, size: str, seed: int) -> None:
    """One demo partnership per store, never a blend: another demo's data is replaced (and
    said so); a store holding anything else is left alone and the demo stops."""
    marker = data_dir / "demo.json"
    wanted = {"size": size, "seed": seed}
    previous = json.loads(marker.read_text()) if marker.exists() else None
    holds_data = any(store.counts()["nodes"].values())
    if previous == wanted:
        return
    if holds_data and previous is None:
        raise ConfigError(
            f"the store in {data_dir} already holds a partnership that is not the demo; run "
            "the demo in a folder of its own, e.g. KG_DATA_DIR=./demo-data kg demo")
    if holds_data:
        console.print(f"Replacing the {previous['size']} demo partnership (seed "
                      f"{previous['seed']}) in {data_dir} with the {size} one (seed {seed}).")
        store.clear()
    data_dir.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(wanted))


@app.command("demo")
def demo(
    size: Annotated[
        str, typer.Option(help="Demo partnership size: small (~300 people) or medium (~5,000).")
    ] = "small",
    seed: Annotated[int, typer.Option(help="Random seed of the generated partnership.")] = 7,
    serve: Annotated[bool, typer.Option(
        "--serve/--no-serve", help="Serve the API when done (--no-serve stops after the "
        "report).")] = True,
    host: Host = "127.0.0.1",
    port: Port = 8000,
    window: Window = None,
    phase: Phase = None,
    as_of: AsOf = None,
) -> None:
    """Run the whole job on a generated demo partnership, on the embedded store.

    Three boroughs with acute, community, mental health and social care, GP practices,
    voluntary organisations and a commissioner, their forums and knowledge assets, 2013-2019.

    1. Build the partnership and import it into KG_DATA_DIR (a second run changes nothing).

    2. Analyse it: communities, silos, brokers between acute and community, hybrids, risk,
    for the partnership as it is now (or the period --window, --phase or --as-of give).

    3. Write the maps, findings.json and the board report into KG_OUTPUT_DIR.

    4. Serve the API and print the addresses to open (unless --no-serve).

    Example: [bold]kg demo --size small[/bold]
    """
    from kg.cli.analyse_cmds import period_line, print_findings
    from kg.demo import generate_bundle
    from kg.queries import analyses
    from kg.report import write_outputs

    if size not in ("small", "medium"):
        raise typer.BadParameter(
            "use small or medium (large is for benchmarks)", param_hint="--size"
        )
    settings = get_settings()
    bundle = Path(settings.data_dir) / f"demo-bundle-{size}-{seed}"
    if not (bundle / "truth.json").exists():
        with console.status(f"Generating the {size} demo partnership in {bundle} ..."):
            generate_bundle(bundle, size=size, seed=seed)
    with open_store(settings) as store:
        _make_room_for_demo(store, Path(settings.data_dir), size, seed)
        report = ingest_path(store, bundle)
        print_ingest_report(report)
        counts = store.counts()
        counts["revision"] = store.revision()
        print_counts(counts, title=f"Store at {settings.data_dir}, revision {counts['revision']}")
        period = {"window": window, "phase": phase, "as_of": as_of}
        with console.status("Analysing: communities, silos, brokers, hybrids, risk ..."):
            findings = analyses.analyse_all(store, by="sector", between=analyses.DEFAULT_BETWEEN,
                                            **period)
        console.print(period_line(findings["silos"]))
        print_findings(findings, "sector")
        with console.status(f"Writing maps and the board report to {settings.output_dir} ..."):
            written = write_outputs(store, Path(settings.output_dir), **period)
    for name, path in written.items():
        console.print(f"  {name:28} {path}")
    console.print(f"Open [bold]{written.get('report', settings.output_dir)}[/bold] in a browser "
                  "(works offline).")
    if serve:
        run_server(settings, host, port)
