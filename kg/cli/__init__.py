"""The ``kg`` command line. Each verb group lives in its own module and registers on :data:`app`."""

from __future__ import annotations

import sys

import typer

from kg.errors import CarebridgeError

app = typer.Typer(
    name="kg",
    help=(
        "Carebridge: map who collaborates with whom in a health and social care partnership, "
        "and find silos, brokers and communities of practice.\n\n"
        "Start with [bold]kg demo[/bold] for a worked example, or [bold]kg template DIR[/bold] "
        "to get the import format. Data lives in KG_DATA_DIR (default ./kg-data)."
    ),
    rich_markup_mode="rich",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# Importing the modules registers their commands on ``app``.
import kg.cli.decision_cmds  # noqa: E402,F401  (kg analyse introductions, direction, profile)
import kg.cli.impact_cmds  # noqa: E402,F401  (kg analyse impact, interventions)
from kg.cli import analyse_cmds, demo_cmds, report_cmds, serve_cmds, store_cmds, survey_cmds  # noqa: E402,F401,E501


def main() -> None:
    """Entry point: domain errors become a clear message and exit code 1, never a traceback."""
    try:
        app()
    except CarebridgeError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(1)
