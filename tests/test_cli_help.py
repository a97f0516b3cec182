"""--help reads at any terminal width: each paragraph of a command's help is one line for the
terminal to wrap, list items keep theirs."""

from __future__ import annotations

import typer.testing

from kg.cli import _reflow, app


def test_paragraphs_become_lines_and_lists_stay():
    text = """First line
    goes on.

    Options:
    - one
      more
    - two"""
    assert _reflow(text) == "First line goes on.\n\nOptions:\n- one more\n- two"


def test_help_is_not_cut_at_the_source_line_breaks():
    result = typer.testing.CliRunner().invoke(app, ["report", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    # At 200 columns a 96-character source line would end early if its break were kept.
    assert "the latest phase (or the year up to the latest date" in " ".join(
        line.strip() for line in result.output.splitlines() if "latest phase" in line)
