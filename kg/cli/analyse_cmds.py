"""``kg analyse ...`` and ``kg export metrics``: the questions, on the command line."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kg.cli import app
from kg.cli.store_cmds import console
from kg.config import get_settings
from kg.errors import InvalidParameter
from kg.store import open_store

analyse_app = typer.Typer(
    help=(
        "Find silos, brokers and communities of practice in the stored partnership.\n\n"
        "By default every answer describes the partnership as it is now: the latest phase (or "
        "the year up to the latest date in the data, or to [bold]--as-of DATE[/bold]), naming "
        "only people in post at its end; the answer says which period it covers. "
        "[bold]--window START:END[/bold], [bold]--phase NAME[/bold] or [bold]--window all[/bold] "
        "(the whole history) choose another period; [bold]--layers[/bold] and "
        "[bold]--min-weight[/bold] choose how "
        "the person network is built, [bold]--seed[/bold], and [bold]--format table|json|csv"
        "[/bold]. JSON output is what the HTTP API returns."
    ),
    rich_markup_mode="rich",
    no_args_is_help=True,
)
export_app = typer.Typer(help="Export metrics for R, UCINET or Gephi.", no_args_is_help=True,
                         rich_markup_mode="rich")
app.add_typer(analyse_app, name="analyse")
app.add_typer(export_app, name="export")

Format = Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")]
Window = Annotated[str | None, typer.Option(help="This period instead of now: START:END (ISO "
                                            "dates; either side may be blank), or 'all' for "
                                            "the whole history.")]
Phase = Annotated[str | None, typer.Option(help="This named phase (id or name) instead of now.")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="What 'now' means (YYYY-MM-DD; "
                                          "default: the latest date in the data).")]
Layers = Annotated[str, typer.Option(help="Comma-separated layers of the person network: ties, "
                                     "forums, assets, teams.")]
MinWeight = Annotated[float, typer.Option(help="Drop person pairs linked by less than this "
                                          "(forum co-membership adds 1/(n-1) per forum).")]
Seed = Annotated[int, typer.Option(help="Seed of every random step (Louvain, sampling, "
                                   "permutations).")]
Paths = Annotated[str, typer.Option(help="Shortest paths count hops (default), or are "
                                    "'weighted': a tie of weight w is a step of 1/w.")]
By = Annotated[str, typer.Option(help="Grouping: organisation, team, sector, profession, "
                                 "role_kind, level or hybrid.")]


def _net(window, phase, layers, min_weight, as_of=None) -> dict:
    chosen = tuple(x.strip() for x in layers.split(",") if x.strip())
    return {"window": window, "phase": phase, "layers": chosen, "min_weight": min_weight,
            "as_of": as_of}


def period_line(result: dict) -> str:
    """The period an answer covers, in words: ``Period: ... (latest phase, as of ...)``."""
    p = (result.get("parameters") or {}).get("period")
    if not p:
        return ""
    return f"Period: {p['label']} ({p['rule']}; as of {p['as_of'] or 'no dated records'})"


def _emit(result: dict, fmt: str, rows: list[dict], columns: list[str], title: str, *,
          words: dict[str, str] | None = None, shown: dict[str, str] | None = None) -> None:
    """Print an answer: JSON as the API gives it, CSV with the raw values, or a table for
    people. ``words`` maps a column to the attribute whose codes it holds, so a table says
    "Mental health" where JSON and CSV keep ``mental_health``; ``shown`` maps a column to its
    measure (:mod:`kg.measures`), so a table writes it as every page does."""
    if fmt == "json":
        sys.stdout.write(json.dumps(result, indent=1, default=str) + "\n")
    elif fmt == "csv":
        from kg.analysis.export import spreadsheet_safe

        out = io.StringIO()
        # CRLF, as RFC 4180: a value holding a bare \r is then quoted, not split
        w = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore",
                           lineterminator="\r\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: spreadsheet_safe(_cell(r.get(k))) for k in columns})
        sys.stdout.write(out.getvalue())
    elif fmt == "table":
        from kg.labels import label
        from kg.measures import show

        words, shown = words or {}, shown or {}

        def text(r, c):
            if r.get(c) is None:
                return ""
            if c in words:
                return label(words[c], r[c])
            if c in shown:
                return show(shown[c], r[c])
            return _cell(r[c], short=True)

        table = Table(title=title, title_justify="left", caption=period_line(result) or None,
                      caption_justify="left")
        cells = [[text(r, c) for c in columns] for r in rows]
        for i, c in enumerate(columns):
            header = c.replace("_", " ")
            # Never split a word or a number: columns are at least as wide as their longest
            # word (numbers and ids do not wrap at all); longer words end in an ellipsis.
            numeric = all(_is_number(row[i]) for row in cells) and bool(cells)
            longest = max([len(w) for w in header.split()]
                          + [len(w) for row in cells for w in str(row[i]).split()], default=1)
            table.add_column(header, overflow="ellipsis", no_wrap=numeric or c == "id",
                             min_width=min(longest, 16), justify="right" if numeric else "left")
        for row in cells:
            table.add_row(*row)
        console.print(table)
    else:
        raise InvalidParameter(f"unknown format {fmt!r}; use table, json or csv")


def _is_number(text: str) -> bool:
    try:
        float(text.rstrip("%").replace("\u2212", "-"))
    except ValueError:
        return text == ""
    return True


def _cell(value, *, short=False) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}" if short else repr(value)
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "; ".join(f"{v.get('name') or v.get('value') or v.get('id')}"
                             + (f" ({v['share']:.0%})" if "share" in v else "") for v in value)
        return ", ".join(map(str, value[:8])) + (" ..." if short and len(value) > 8 else "")
    if isinstance(value, dict):
        if short:  # Gould-Fernandez roles in words, the commonest first: "coordinator 54, ..."
            ranked = sorted(((k, v) for k, v in value.items() if v), key=lambda kv: -kv[1])
            return ", ".join(f"{k} {v}" for k, v in ranked[:3]) or "none"
        return " ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def _store():
    return open_store(get_settings())


@analyse_app.command("communities")
def communities_cmd(
    method: Annotated[str, typer.Option(help="louvain, leiden or python-louvain.")] = "louvain",
    resolution: Annotated[float, typer.Option(help=">1: more, smaller communities.")] = 1.0,
    seed: Seed = 0, window: Window = None, phase: Phase = None, as_of: AsOf = None,
    layers: Layers = "ties,forums,assets", min_weight: MinWeight = 0.05, fmt: Format = "table",
) -> None:
    """Communities (Louvain), profiled and classified: community of practice, organisational
    cluster or cross-boundary network.

    Example: [bold]kg analyse communities --phase PH2 --format json[/bold]
    """
    from kg.queries import analyses

    with _store() as store:
        r = analyses.communities(store, method=method, resolution=resolution, seed=seed,
                                 **_net(window, phase, layers, min_weight, as_of))
    _emit(r, fmt, r["communities"], ["id", "size", "kind", "organisations", "sectors",
                                      "professions", "anchoring_forums"],
          f"{len(r['communities'])} communities, modularity {r['modularity']:.3f} "
          f"({r['restarts_note']}; runs {r['modularity_spread']['min']:.3f} to "
          f"{r['modularity_spread']['max']:.3f})"
          + (f"; quality at resolution {r['resolution']:g}: {r['quality']:.3f}"
             if r["resolution"] != 1 else ""))


@analyse_app.command("silos")
def silos_cmd(
    by: By = "organisation", permutations: Annotated[int | None, typer.Option(
        help="Label permutations for the p-values (default 999).")] = None,
    seed: Seed = 0, window: Window = None, phase: Phase = None, as_of: AsOf = None,
    layers: Layers = "ties,forums,assets", min_weight: MinWeight = 0.05, fmt: Format = "table",
) -> None:
    """Which groups keep their ties inside: E-I index per group (-1 = perfect silo) with a
    permutation p-value, the group x group density matrix, and how well communities match
    the groups (NMI, ARI).

    Example: [bold]kg analyse silos --by sector[/bold]
    """
    from kg.measures import show
    from kg.queries import analyses

    with _store() as store:
        more = {} if permutations is None else {"n_permutations": permutations}
        r = analyses.silos(store, by=by, seed=seed, **more,
                           **_net(window, phase, layers, min_weight, as_of))
    agreement = r["agreement"] or {}
    cols = (["group", "size", "ei_index", "expected_ei", "direction", "p_value"]
            if fmt == "table" else
            ["group", "size", "ei_index", "expected_ei", "p_closed", "p_open", "p_value",
             "direction", "internal", "external", "share_reached"])
    _emit(r, fmt, r["groups"], cols, words={"group": by},
          shown={"ei_index": "ei_index", "expected_ei": "ei_index"},
          title=f"Silos by {by}: whole-network E-I {show('ei_index', r['ei_index'])}; "
          f"communities vs {by}: NMI {agreement.get('nmi', 0):.2f}, "
          f"ARI {agreement.get('ari', 0):.2f} (p two-sided, {r['n_permutations']} "
          "permutations)")


@analyse_app.command("brokers")
def brokers_cmd(
    by: Annotated[str | None, typer.Option(help="Grouping for brokerage roles (e.g. sector).")]
    = None,
    between: Annotated[tuple[str, str] | None, typer.Option(
        help="Rank by shortest paths carried between two groups of --by, e.g. "
        "--between acute community.")] = None,
    top: Annotated[int, typer.Option(help="How many to list.")] = 20,
    seed: Seed = 0, window: Window = None, phase: Phase = None, as_of: AsOf = None,
    layers: Layers = "ties,forums,assets", min_weight: MinWeight = 0.05, fmt: Format = "table",
    paths: Paths = "hops",
) -> None:
    """Who bridges: betweenness, Burt's constraint and effective size, Gould-Fernandez roles;
    with --between, who carries the paths between two groups, and through which forums.

    Example: [bold]kg analyse brokers --by sector --between acute community[/bold]
    """
    from kg import measures
    from kg.queries import analyses

    with _store() as store:
        r = analyses.brokers(store, by=by, between=between, top=top, seed=seed, paths=paths,
                             **_net(window, phase, layers, min_weight, as_of))
    rows = []
    for b in r["brokers"]:
        row = dict(b)
        exp = b.get("explanation") or {}
        row["via_forums"] = [f.get("name") or f.get("forum") for f in exp.get("forums", [])][:3]
        row["paths_carried"] = b.get("shown")
        row["place"] = measures.rank(b)
        rows.append(row)
    # People read the share of paths as everywhere else; a CSV keeps the raw numbers.
    if fmt == "table":  # what an OD lead reads; JSON and CSV carry every measure
        cols = ["place", "id", "name", "paths_carried"] + (["group", "roles"] if by else
                                                           ["constraint", "effective_size"])
    else:
        cols = ["rank", "rank_range", "id", "name", "share_of_paths", "score", "error",
                "betweenness", "constraint", "effective_size"] + (
                    ["group", "roles", "via_forums"] if by else [])
    bt = r["betweenness"]
    how = "exact" if bt.get("exact") else f"sampled ({bt.get('sample_size')} pivots)"
    _emit(r, fmt, rows, cols, f"Brokers ({how} betweenness, paths in {bt.get('paths', paths)})",
          words={"group": by} if by else None)
    if fmt == "table" and by:
        console.print("Through which forums (each broker's forums with the most ties across):")
        for row in rows[:10]:
            if row["via_forums"]:
                console.print(f"  {row['name'] or row['id']}: {'; '.join(row['via_forums'])}")


@analyse_app.command("hybrids")
def hybrids_cmd(
    seed: Seed = 0, window: Window = None, phase: Phase = None, as_of: AsOf = None,
    layers: Layers = "ties,forums,assets", min_weight: MinWeight = 0.05, fmt: Format = "table",
    paths: Paths = "hops",
) -> None:
    """Do hybrid clinical-managerial managers broker more than others? Effect sizes (Cliff's
    delta, Cohen's d), Mann-Whitney and permutation p-values, and the hybrids ranked.

    Example: [bold]kg analyse hybrids --format json[/bold]
    """
    from kg.queries import analyses

    with _store() as store:
        r = analyses.hybrids(store, seed=seed, paths=paths,
                             **_net(window, phase, layers, min_weight, as_of))
    title = (f"{r['n_hybrid']} hybrids vs {r['n_other']} others: Cliff's delta "
             f"{_cell(r['cliffs_delta'], short=True)}, p = {_cell(r['p_value'], short=True)}")
    _emit(r, fmt, r.get("hybrids", []), ["rank", "id", "name", "score"], title)


@analyse_app.command("risk")
def risk_cmd(
    by: By = "sector",
    top: Annotated[int, typer.Option(help="How many key people to rank (and remove together).")]
    = 10,
    remove: Annotated[list[str] | None, typer.Option(
        help="Person ids to remove instead (repeat the option).")] = None,
    seed: Seed = 0, window: Window = None, phase: Phase = None, as_of: AsOf = None,
    layers: Layers = "ties,forums,assets", min_weight: MinWeight = 0.05, fmt: Format = "table",
    paths: Paths = "hops",
) -> None:
    """What if they leave? Cross-boundary connectivity lost when people go: pairs of groups
    still connected, cross-boundary ties lost, efficiency; and the key-person risk ranking.

    Example: [bold]kg analyse risk --by sector --top 10[/bold] or
    [bold]kg analyse risk --remove P000103 --remove P000236[/bold]
    """
    from kg.queries import analyses

    with _store() as store:
        r = analyses.risk(store, by=by, top=top, remove=remove, seed=seed, paths=paths,
                          **_net(window, phase, layers, min_weight, as_of))
    if remove:
        impact = r["impact"]
        rows = [{"measure": k, "value": v} for k, v in impact.items()
                if not isinstance(v, list | dict)]
        _emit(r, fmt, rows, ["measure", "value"], f"Removing {', '.join(remove)}")
    else:
        _emit(r, fmt, r["people"], ["rank", "id", "name", "group", "cross_ties_lost",
                                    "cross_pairs_disconnected", "group_pairs_unlinked",
                                    "betweenness"], f"Key-person risk by {by}")


@analyse_app.command("change")
def change_cmd(
    from_: Annotated[str | None, typer.Option(
        "--from", help="Phase (id or name) or START:END (default: the phase before the "
        "latest).")] = None,
    to: Annotated[str | None, typer.Option(
        "--to", help="Phase (id or name) or START:END (default: the latest phase).")] = None,
    by: By = "sector", top: Annotated[int, typer.Option(help="Top brokers compared.")] = 20,
    seed: Seed = 0, layers: Layers = "ties,forums,assets", min_weight: MinWeight = 0.05,
    fmt: Format = "table",
) -> None:
    """How silos, brokers and communities moved between two periods; brokers gained and lost.

    Example: [bold]kg analyse change --from PH2 --to PH3[/bold]
    """
    from kg.queries import analyses

    with _store() as store:
        r = analyses.change(store, from_=from_, to=to, by=by, top=top, seed=seed,
                            layers=tuple(x for x in layers.split(",") if x),
                            min_weight=min_weight)
    b = r["brokers"]
    pa = r["parameters"]
    title = (f"{pa['from']} -> {pa['to']}: {len(b['gained'])} brokers gained, "
             f"{len(b['lost'])} lost ({len(b['lost_who_left'])} left); people left "
             f"{r['people']['left']}, joined {r['people']['joined']}")
    _emit(r, fmt, r["silos"], ["group", "ei_before", "ei_after", "change"], title)


@analyse_app.command("assets")
def assets_cmd(
    top: Annotated[int | None, typer.Option(help="How many to list.")] = 20,
    window: Window = None, phase: Phase = None, as_of: AsOf = None, fmt: Format = "table",
) -> None:
    """Which knowledge assets (pathways, minutes, protocols...) reach across organisations and
    sectors.

    Example: [bold]kg analyse assets --top 10[/bold]
    """
    from kg.queries import analyses

    with _store() as store:
        r = analyses.assets(store, top=top, window=window, phase=phase, as_of=as_of)
    s = r["summary"]
    _emit(r, fmt, r["assets"], ["id", "title", "kind", "sectors_reached",
                                "organisations_reached", "authors", "users"],
          f"{s['crossing_sectors']} of {s['assets']} assets cross sectors")


@analyse_app.command("all")
def all_cmd(
    by: By = "sector",
    between: Annotated[tuple[str, str], typer.Option(help="The two groups to bridge.")] = (
        "acute", "community"),
    seed: Seed = 0, window: Window = None, phase: Phase = None, as_of: AsOf = None,
    layers: Layers = "ties,forums,assets", min_weight: MinWeight = 0.05, fmt: Format = "table",
) -> None:
    """Communities, silos, brokers, hybrids and key-person risk (top 10), in one go.

    Example: [bold]kg analyse all --format json > findings.json[/bold]
    """
    from kg.queries import analyses

    with _store() as store, console.status("Analysing ...") as status:
        r = analyses.analyse_all(
            store, by=by, between=between, seed=seed,
            progress=lambda step: status.update(f"Analysing: {step} ..."),
            **_net(window, phase, layers, min_weight, as_of))
    if fmt == "json":
        _emit(r, fmt, [], [], "")
        return
    print_findings(r, by, fmt)


def print_findings(r: dict, by: str, fmt: str = "table") -> None:
    """The answers of :func:`kg.queries.analyses.analyse_all` as a short table, in words."""
    from kg.labels import label, plural
    from kg.measures import p_value, show

    c, h = r["communities"], r["hybrids"]
    from kg.labels import in_sentence

    kinds = ", ".join(
        f"{n} {plural('community_kind', k) if n != 1 else in_sentence('community_kind', k)}"
        for k, n in sorted(c["kinds"].items(), key=lambda kv: -kv[1]))
    rows = [
        {"question": "communities", "answer": f"{len(c['communities'])}: {kinds} (modularity "
         f"{show('modularity', c['modularity'])})"},
        {"question": f"most closed {by}", "answer": ", ".join(
            f"{label(by, g['group'])} (E\u2013I {show('ei_index', g['ei_index'])})"
            for g in r["silos"]["groups"][:3])},
        {"question": "top brokers", "answer": ", ".join(
            f"{b['name']} ({b['id']}, {b.get('shown', '')})" for b in r["brokers"]["brokers"][:5])},
        {"question": "hybrid middle managers broker more?", "answer":
         f"Cliff's delta {show('cliffs_delta', h['cliffs_delta'])}, {p_value(h['p_value'])} "
         f"({h['n_hybrid']} hybrid middle managers)"},
        {"question": "key-person risk", "answer": ", ".join(
            f"{p['name']} ({p['id']})" for p in r["risk"]["people"][:5])},
    ]
    _emit(r["silos"], fmt, rows, ["question", "answer"], "Findings")


@export_app.command("metrics")
def export_metrics_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, json, graphml or gexf.")]
    = "csv",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write "
                                                "(default: standard output).")] = None,
    pseudonymise: Annotated[bool, typer.Option(
        help="Replace ids with stable codes and drop names (the key stays in KG_DATA_DIR); "
        "group figures over fewer than --min-group-size people are withheld.")]
    = False,
    k_anonymity: Annotated[int | None, typer.Option(
        help="With --pseudonymise: generalise, then withhold attributes, until every person "
        "shares them with at least K-1 others.")] = None,
    min_group_size: Annotated[int, typer.Option(
        help="With --pseudonymise: withhold group figures over fewer people.")] = 5,
    by: By = "organisation", seed: Seed = 0, window: Window = None, phase: Phase = None,
    as_of: AsOf = None, layers: Layers = "ties,forums,assets", min_weight: MinWeight = 0.05,
) -> None:
    """Every person-level metric and attribute, group-level metrics, and the parameters and
    seed used. GraphML and GEXF hold the person network itself for Gephi, R or UCINET.

    The CSV is plain (header on line 1); with -o, its parameters, group rows and privacy
    report go beside it in FILE.meta.json.

    Example: [bold]kg export metrics --format graphml --pseudonymise -o network.graphml[/bold]
    """
    from kg.queries import analyses

    settings = get_settings()
    key = analyses.pseudonym_key(settings.data_dir) if pseudonymise else None
    options = dict(pseudonymise=pseudonymise, key=key, by=by, seed=seed,
                   k_anonymity=k_anonymity, min_group_size=min_group_size,
                   **_net(window, phase, layers, min_weight, as_of))
    with _store() as store:
        content, _, name = analyses.metrics_export(store, format=fmt, **options)
        meta = analyses.metrics_metadata(store, **options)[0] if output and fmt == "csv" else None
    if output:
        output.write_bytes(content)
        console.print(f"Wrote {output} ({len(content):,} bytes)")
        if meta is not None:
            sidecar = output.with_name(output.name + ".meta.json")
            sidecar.write_bytes(meta)
            console.print(f"Wrote {sidecar} (parameters, groups, privacy)")
    else:
        sys.stdout.buffer.write(content)
