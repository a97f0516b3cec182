"""``kg analyse impact`` and ``kg analyse interventions``: what worked, on the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from kg.cli.analyse_cmds import By, Format, MinWeight, Seed, _emit, _store, analyse_app

Choice = Annotated[str | None, typer.Option(
    help="A phase (id or name) or START:END (ISO dates) instead of the default: the phase "
    "either side of the date.")]


def _period_words(p: dict) -> str:
    return f"{p['label']} ({p['rule']})"


@analyse_app.command("impact")
def impact_cmd(
    intervention: Annotated[str, typer.Argument(help="The intervention's id "
                                                "(kg analyse interventions lists them).")],
    before: Choice = None, after: Choice = None, by: By = "sector", seed: Seed = 0,
    layers: Annotated[str, typer.Option(
        help="Comma-separated layers the ties are counted on (default: direct ties only, so "
        "a new forum's own co-membership is not counted as ties it formed).")] = "ties",
    min_weight: MinWeight = 0.05,
    # Defaults live in kg.analysis.impact; importing it here would slow every kg command.
    boot: Annotated[int | None, typer.Option(
        help="Bootstrap resamples of the interval (default 999).")] = None,
    level: Annotated[float | None, typer.Option(
        help="Coverage of the interval (default 0.95).")] = None,
    min_effect: Annotated[float | None, typer.Option(
        help="The smallest change that matters, as a share of the target's ties before "
        "(default 0.1).")] = None,
    fmt: Format = "table",
) -> None:
    """Did an intervention work? Its target's ties before and after its date, against a
    comparison over the same windows (a difference in differences), with a bootstrap interval
    and a verdict in plain words, which says when the data cannot tell.

    Example: [bold]kg analyse impact INT-DISCHARGE[/bold] or
    [bold]kg analyse impact INT-JV --before PH3 --after PH4 --format json[/bold]
    """
    from kg.queries import impact as queries

    chosen = tuple(x.strip() for x in layers.split(",") if x.strip())
    given = {k: v for k, v in (("n_boot", boot), ("level", level), ("min_effect", min_effect))
             if v is not None}
    with _store() as store:
        r = queries.impact(store, intervention, before=before, after=after, by=by, seed=seed,
                           layers=chosen, min_weight=min_weight, **given)
    rows = _rows(r)
    if fmt == "table":
        from kg.cli.store_cmds import console

        p = r["parameters"]
        console.print(f"[bold]{r['headline']}[/bold]")
        console.print(f"Before: {_period_words(p['before'])}; after: "
                      f"{_period_words(p['after'])}; windows: {p['windows']}.")
        for note in r["notes"]:
            console.print(f"Note: {note}.")
    _emit(r, fmt, rows, ["measure", "target_before", "target_after", "comparison_before",
                         "comparison_after", "difference", "low", "high"],
          f"{r['measure']} against {_comparison_words(r['comparison'])}")
    if fmt == "table":
        from kg.cli.store_cmds import console

        console.print(r["caveat"])


def _comparison_words(c: dict) -> str:
    if c["kind"] == "boundary":
        pairs = c["pairs"]
        return ("every other boundary of " + c["attribute"]) if isinstance(pairs, str) else (
            "; ".join(" | ".join(p) for p in pairs))
    who = c["people"]
    return who if isinstance(who, str) else f"{who} people"


def _rows(r: dict) -> list[dict]:
    """One row per measure: the target and the comparison before and after, the difference in
    differences and its interval (``low``, ``high``)."""
    t, c = r["ties"]["target"], r["ties"]["comparison"]
    e, ei, reach = r["effect"], r["ei"], r["reach"]

    def row(measure, tb, ta, cb, ca, diff=None, interval=None):
        low, high = interval or (None, None)
        return {"measure": measure, "target_before": tb, "target_after": ta,
                "comparison_before": cb, "comparison_after": ca, "difference": diff,
                "low": low, "high": high}

    return [
        row("ties", t["before"], t["after"], c["before"], c["after"], e["ties"],
            e["interval"]),
        row("ties formed", None, t["formed"], None, c["formed"]),
        row("ties lost", None, t["lost"], None, c["lost"]),
        row("tie density", t["density_before"], t["density_after"], c["density_before"],
            c["density_after"], e["density"]),
        row("E-I index", ei["target_before"], ei["target_after"], ei["comparison_before"],
            ei["comparison_after"], ei["difference"], ei["interval"]),
        row(f"reach ({reach['steps']} steps)", reach["target_before"], reach["target_after"],
            reach["comparison_before"], reach["comparison_after"], reach["difference"]),
    ]


@analyse_app.command("interventions")
def interventions_cmd(fmt: Format = "table") -> None:
    """The interventions in the store (interventions.csv), in date order: what
    [bold]kg analyse impact[/bold] can ask about.

    Example: [bold]kg analyse interventions[/bold]
    """
    from kg.queries import impact as queries

    with _store() as store:
        r = queries.interventions(store)
    _emit(r, fmt, r["interventions"], ["id", "date", "kind", "name", "target_kind", "targets"],
          f"{r['count']} interventions")
