"""``kg demo``: the main job, end to end, on the demo partnership."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli import app
from kg.cli.store_cmds import console, print_counts, print_ingest_report
from kg.config import get_settings
from kg.ingest import ingest_path
from kg.store import open_store


@app.command("demo")
def demo(
    size: Annotated[
        str, typer.Option(help="Demo partnership size: small (~300 people) or medium (~5,000).")
    ] = "small",
    seed: Annotated[int, typer.Option(help="Random seed of the generated partnership.")] = 7,
) -> None:
    """Run the whole job on a generated demo partnership, on the embedded store.

    Builds the demo partnership (three boroughs: acute, community, mental health and social
    care, GP practices, voluntary organisations, a commissioner, their forums and knowledge
    assets over 2013-2019), imports it into KG_DATA_DIR, and prints what the store holds.

    Example: [bold]kg demo --size small[/bold]
    """
    from kg.demo import generate_bundle

    if size not in ("small", "medium"):
        raise typer.BadParameter(
            "use small or medium (large is for benchmarks)", param_hint="--size"
        )
    settings = get_settings()
    bundle = Path(settings.data_dir) / f"demo-bundle-{size}-{seed}"
    if not (bundle / "truth.json").exists():
        console.print(f"Generating the {size} demo partnership in {bundle} ...")
        generate_bundle(bundle, size=size, seed=seed)
    with open_store(settings) as store:
        report = ingest_path(store, bundle)
        print_ingest_report(report)
        counts = store.counts()
        counts["revision"] = store.revision()
    print_counts(counts, title=f"Store at {settings.data_dir}, revision {counts['revision']}")
