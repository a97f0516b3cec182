"""``kg analyse introductions | direction | profile``: three questions for decisions."""

from __future__ import annotations

from typing import Annotated

import typer

from kg.cli.analyse_cmds import (
    AsOf,
    By,
    Format,
    Layers,
    MinWeight,
    Phase,
    Seed,
    Window,
    _emit,
    _net,
    _store,
    analyse_app,
)

__all__ = ["direction_cmd", "introductions_cmd", "profile_cmd"]

#: Profile measures shown per group in a table (all are in the JSON).
GROUP_COLUMNS = ["group", "people", "ties", "density", "reciprocity", "transitivity",
                 "average_path_length", "diameter", "degree_centralisation", "components",
                 "max_core", "core_periphery_correlation"]


def _via(row: dict) -> str:
    via = row["via"]
    if via["contacts"]:
        return "; ".join(f"{p['name'] or p['id']} (contact)" for p in via["contacts"])
    if via["forums"]:
        return "; ".join(f"{f.get('name') or f['id']} (forum)" for f in via["forums"])
    if via["chain"]:
        return "chain: " + " > ".join(p["name"] or p["id"] for p in via["chain"])
    return ""


@analyse_app.command("introductions")
def introductions_cmd(
    by: By = "sector",
    between: Annotated[tuple[str, str] | None, typer.Option(
        help="Bring two groups of --by together, e.g. --between acute community.")] = None,
    within: Annotated[str | None, typer.Option(
        help="Or open up one group: who in it should meet whom elsewhere.")] = None,
    top: Annotated[int, typer.Option(help="How many introductions to list.")] = 10,
    exclude: Annotated[list[str] | None, typer.Option(
        help="A person never to propose or name (repeat the option), e.g. who opted out.")]
    = None,
    closure_only: Annotated[bool, typer.Option(
        "--closure-only", help="Only pairs with a contact or a forum in common.")] = False,
    seed: Seed = 0, window: Window = None, phase: Phase = None, as_of: AsOf = None,
    layers: Layers = "ties,forums,assets", min_weight: MinWeight = 0.05, fmt: Format = "table",
) -> None:
    """Whom to introduce: pairs of people not yet tied, one on each side, whose tie would most
    raise the cross-group efficiency (mean 1/hops between the two sides), with who could make
    the introduction. Overloaded brokers (degree above the 95th percentile) and leavers are not
    proposed.

    Example: [bold]kg analyse introductions --by sector --between acute community --top 10
    [/bold] or [bold]kg analyse introductions --by sector --within mental_health[/bold]
    """
    from kg.queries import decisions

    with _store() as store:
        r = decisions.introductions(store, by=by, between=between, within=within, top=top,
                                    seed=seed, exclude=exclude, closure_only=closure_only,
                                    **_net(window, phase, layers, min_weight, as_of))
    rows = [{**row, "introduced_by": _via(row), "gain_percent": 100 * row["gain_share"]
             if row["gain_share"] is not None else None} for row in r["introductions"]]
    before, sides = r["before"], r["sides"]
    combined = r["combined"]
    title = (f"Introductions between {sides['a']} and {sides['b']}: cross-group efficiency "
             f"{before['efficiency']:.4f}" if before["efficiency"] is not None else
             "Introductions: no cross-group pairs")
    if combined and before["efficiency"]:
        title += (f"; all {combined['introductions']} made: +"
                  f"{100 * combined['gain'] / before['efficiency']:.2f}%")
    title += f" (overloaded: {r['overload']['rule']})"
    _emit(r, fmt, rows, ["rank", "id_a", "name_a", "id_b", "name_b", "distance",
                         "gain_percent", "pairs_shortened", "pairs_connected", "route",
                         "introduced_by"], title)


@analyse_app.command("direction")
def direction_cmd(
    top: Annotated[int, typer.Option(help="How many brokers to list.")] = 20,
    window: Window = None, phase: Phase = None, as_of: AsOf = None, fmt: Format = "table",
) -> None:
    """Brokerage up, down and across: each person's open two-paths a -> b -> c on the
    directed ties, by whether c is above, below or level with a (frontline < middle < senior
    < executive) and whether a and c share a profession; do hybrid middle managers broker
    upward as well as downward (Wilcoxon, rank-biserial; Cliff's delta against other middle
    managers)?

    Example: [bold]kg analyse direction --format json[/bold]
    """
    from kg.queries import decisions

    with _store() as store:
        r = decisions.brokerage_direction(store, top=top, window=window, phase=phase,
                                          as_of=as_of)
    _emit(r, fmt, r["people"], ["id", "name", "level", "hybrid", "two_paths", "upward",
                                "downward", "across", "upward_share", "downward_share",
                                "other_profession_share"], r["answer"])


@analyse_app.command("profile")
def profile_cmd(
    by: Annotated[str | None, typer.Option(
        help="Also profile each group's own network (e.g. sector).")] = None,
    per_phase: Annotated[bool, typer.Option(
        "--per-phase", help="Every phase, and the change between consecutive phases.")]
    = False,
    key_players: Annotated[int, typer.Option(
        help="Size of the key-player set (Borgatti 2006); 0 skips it.")] = 5,
    seed: Seed = 0, window: Window = None, phase: Phase = None, as_of: AsOf = None,
    layers: Layers = "ties,forums,assets", min_weight: MinWeight = 0.05, fmt: Format = "table",
) -> None:
    """The whole network at a glance: density, reciprocity, path length and diameter,
    transitivity, degree centralisation, components, k-cores, core-periphery fit and the
    key-player set (and the top people one at a time); per group with --by, per phase with
    --per-phase.

    Example: [bold]kg analyse profile --by sector --per-phase[/bold]
    """
    from kg.queries import decisions

    with _store() as store:
        r = decisions.profile(store, by=by, per_phase=per_phase, key_players=key_players,
                              seed=seed, **_net(window, phase, layers, min_weight, as_of))
    p = r["profile"]
    kp = p.get("key_players") or {}
    title = "Network profile"
    if kp:
        who = ", ".join(x["name"] or x["id"] for x in kp["set"])
        title += (f"; key players: {who} (fragmentation {kp['fragmentation']:.3f})" if who
                  else f"; {kp['note']}")
    if per_phase:
        ids = [ph["phase"] for ph in r["phases"]]
        rows = [{"measure": m, **{ph["phase"]: ph["profile"].get(m) for ph in r["phases"]}}
                for m in r["measures"]]
        _emit(r, fmt, rows, ["measure", *ids], title + " per phase")
    elif by:
        _emit(r, fmt, r["groups"], GROUP_COLUMNS, title + f"; groups by {by}")
    else:
        _emit(r, fmt, [{"measure": m, "value": p.get(m)} for m in r["measures"]],
              ["measure", "value"], title)
