"""The ``kg`` command line. Each verb group lives in its own module and registers on :data:`app`."""

from __future__ import annotations

import inspect
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


def _reflow(text: str | None) -> str | None:
    """A docstring's paragraphs as single lines, so the terminal wraps them at its own width
    (typer keeps the source's line breaks, which leaves ragged lines on a narrow terminal).
    List items (``- ``) and lines after a trailing colon keep their own line."""
    if not text:
        return text
    out = []
    for paragraph in inspect.cleandoc(text).split("\n\n"):
        lines = paragraph.split("\n")
        joined = [lines[0]]
        for line in lines[1:]:
            if line.lstrip().startswith(("- ", "* ", "\b")) or joined[-1].endswith(":"):
                joined.append(line)
            else:
                joined[-1] = f"{joined[-1]} {line.strip()}"
        out.append("\n".join(joined))
    return "\n\n".join(out)


def _reflow_help(group: typer.Typer) -> None:
    """:func:`_reflow` every command's help in ``group`` and the groups under it."""
    for command in group.registered_commands:
        command.help = _reflow(command.help or inspect.getdoc(command.callback))
    for sub in group.registered_groups:
        sub.help = _reflow(sub.help)
        if sub.typer_instance is not None:
            sub.typer_instance.info.help = _reflow(sub.typer_instance.info.help)
            _reflow_help(sub.typer_instance)


_reflow_help(app)


def main() -> None:
    """Entry point: domain errors become a clear message and exit code 1, never a traceback."""
    try:
        app()
    except CarebridgeError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(1)
