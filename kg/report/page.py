"""The board report page and the files written beside it.

The page is one HTML document that opens offline and prints: Jinja2 with autoescape on renders
every name and title as text; the charts are inline SVG (:mod:`kg.report.charts`); the maps are
whole map pages placed in ``<iframe srcdoc="...">``, attribute-escaped by the same autoescape and
sandboxed (scripts only, no access to the report), so the report stays a single file.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.resources
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import jinja2

from kg.errors import CarebridgeError
from kg.queries import maps as map_views
from kg.report import charts
from kg.report.findings import (
    CHANGE_TOP,
    EI_MOVE,
    SECTOR_NAMES,
    _in_sentence,
    _phase_name,
    _score,
    bridge_rows,
    build_findings,
    fmt_p,
    gather,
    group_label,
)
from kg.store.base import GraphStore

__all__ = ["render_report", "report_and_findings", "write_outputs"]

#: Communities listed in the report's table (communities of practice first, then the largest).
COMMUNITY_ROWS = 15
TOPIC_NAMES = {
    "silos": "Silos",
    "bridges": "Bridges",
    "key_person_risk": "Key-person risk",
    "hybrids": "Hybrid managers",
    "communities": "Communities of practice",
    "change": "Change over time",
    "assets": "Knowledge assets",
}
KIND_LABELS = {
    "community_of_practice": "Community of practice",
    "organisational_cluster": "Organisational cluster",
    "cross_boundary_network": "Cross-boundary network",
}


@functools.cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["score"] = _score
    source = importlib.resources.files("kg.report").joinpath("templates", "report.html.j2")
    return env.from_string(source.read_text("utf-8"))


def _version() -> str:
    try:
        return importlib.metadata.version("carebridge")
    except importlib.metadata.PackageNotFoundError:
        return "dev"


def _by_word(by: str) -> str:
    return by.replace("_", " ")


def _summary_line(p: dict) -> str:
    sectors = ", ".join(SECTOR_NAMES.get(s, (s,))[0].lower() for s in p["sectors"])
    period = ""
    if p["period"]["start"] or p["period"]["end"]:
        period = f"; data from {p['period']['start'] or '?'} to {p['period']['end'] or '?'}"
    return (f"{p['people']:,} people in {p['organisations']:,} organisations"
            + (f" ({sectors})" if sectors else "") + period + ".")


def _tiles(p: dict, data: dict) -> list[tuple[str, str]]:
    tiles = [
        (f"{p['people']:,}", "people"),
        (f"{p['organisations']:,}", "organisations" + (f" ({p['teams']} teams)"
                                                       if p["teams"] else "")),
        (f"{len(p['sectors'])}", "sectors"),
        (f"{p['forums']:,}", "forums"),
        (f"{p['assets']:,}", "knowledge assets"),
        (f"{p['ties']:,}", "reported ties"),
        (f"{p['links_in_network']:,}", "links in the network"),
    ]
    if data.get("communities"):
        tiles.append((f"{len(data['communities']['communities'])}", "communities"))
    if p["phases"]:
        tiles.append((f"{len(p['phases'])}", "phases"))
    return tiles


def _silo_charts(data: dict) -> tuple:
    result = data["silos"]
    if not result:
        return None, None
    by = data["parameters"]["by"]
    names = data["names"]["groups"]
    rows = [{"label": group_label(by, r["group"], names), "value": r["ei_index"],
             "expected": r["expected_ei"],
             "p": fmt_p(r["p_value"], result["parameters"]["permutations"])}
            for r in result["groups"]]
    ei = charts.ei_bars(rows, what=_by_word(by))
    matrix = result["matrix"]
    density = None
    if 1 < len(matrix["groups"]) <= 16:  # beyond that a heatmap is unreadable on a page
        labels = [group_label(by, g, names) for g in matrix["groups"]]
        density = charts.density_heatmap(labels, matrix["density"], what=_by_word(by))
    return ei, density


def _bridges(data: dict) -> tuple[list, object, object]:
    rows = bridge_rows(data)
    if not rows:
        return [], None, None
    by = data["parameters"]["by"]
    names = data["names"]["groups"]
    a, b = data["parameters"]["between"]
    colours = charts.group_colours(by, [r["group"] for r in rows] + [a, b])
    out = []
    for r in rows:
        out.append(r | {
            "colour": colours.get(r["group"], charts.OPEN),
            "group_label": group_label(by, r["group"], names),
            "ties_a": r["ties_into"].get(a, 0),
            "ties_b": r["ties_into"].get(b, 0),
            "forum_names": [f["name"] for f in r["forums"]],
        })
    chart = charts.broker_bars(
        [{"label": r["name"] or r["id"], "sub": r["organisation"], "value": r["share_of_paths"],
          "colour": r["colour"], "hybrid": r["hybrid"]} for r in out],
        title=f"Top bridges between {_in_sentence(by, a, names)} and "
              f"{_in_sentence(by, b, names)}",
    )
    seen = list(dict.fromkeys(r["group"] for r in out))
    key = charts.colour_key([(group_label(by, g, names), colours[g]) for g in seen])
    return out, chart, key


def _risk_rows(data: dict) -> list[dict]:
    if not data["risk"]:
        return []
    by = data["parameters"]["by"]
    names = data["names"]["groups"]
    return [p | {"group_label": group_label(by, p["group"], names)}
            for p in data["risk"]["people"]]


def _community_rows(data: dict) -> list[dict]:
    if not data["communities"]:
        return []
    rows = []
    for c in data["communities"]["communities"]:
        forum = c["anchoring_forums"][0] if c["anchoring_forums"] else None
        rows.append({
            "id": c["id"],
            "kind": KIND_LABELS.get(c["kind"], c["kind"]),
            "size": c["size"],
            "organisations": [f"{o.get('name') or o['value']} ({o['share']:.0%})"
                              for o in c["organisations"][:3]],
            "forum": (forum["name"] or forum["id"]) if forum else None,
            "forum_share": forum["share"] if forum else None,
        })
    # Communities of practice first: they are what the board asks about; then the largest.
    rows.sort(key=lambda r: (r["kind"] != KIND_LABELS["community_of_practice"], -r["size"],
                             r["id"]))
    return rows


def _phase_chart(data: dict):
    per_phase = data.get("phase_silos")
    if not per_phase:
        return None, []
    by = data["parameters"]["by"]
    names = data["names"]["groups"]
    groups = sorted({g for p in per_phase for g in p["ei"]}, key=str)
    if not groups:
        return None, []
    colours = charts.group_colours(by, groups)
    series = [{"label": group_label(by, g, names), "colour": colours[g],
               "values": [p["ei"].get(g) for p in per_phase]} for g in groups]
    chart = charts.phase_lines([p["phase"].get("name") or p["phase"]["id"] for p in per_phase],
                               series, what=_by_word(by))
    def moved(step, key):
        if step[key] and len(step[key]) == len(step["silos"]):
            return [f"every {_by_word(by)}"]
        return [group_label(by, g, names) for g in step[key]]

    steps = [{
        "from_name": _phase_name(s["from"]), "to_name": _phase_name(s["to"]),
        "lost": len(s["lost"]), "left": len(s["lost_who_left"]), "gained": len(s["gained"]),
        "hardened": moved(s, "hardened"), "softened": moved(s, "softened"),
    } for s in data["steps"] or []]
    return chart, steps


def _maps(store: GraphStore, data: dict, seed: int) -> dict:
    out = {"organisations": None, "bridges": None}
    out["organisations"] = map_views.organisations(store, seed=seed)
    if data["brokers"]:
        p = data["parameters"]
        out["bridges"] = map_views.bridges(store, by=p["by"], between=tuple(p["between"]),
                                           seed=seed)
    return out


def _render(store: GraphStore, data: dict, doc: dict, *, seed: int, maps: bool) -> str:
    p = data["parameters"]
    by = p["by"]
    names = data["names"]["groups"]
    partnership = doc["partnership"]
    ei_chart, density_chart = _silo_charts(data)
    bridges, broker_chart, broker_key = _bridges(data)
    phase_chart, steps = _phase_chart(data)
    between = p["between"] or []
    command = f"kg report --by {by}" + (f" --between {between[0]} {between[1]}"
                                        if between else "") + f" --seed {seed}"
    parameter_rows = [
        ("Grouping", by),
        ("Bridges between", " and ".join(between) if between else "none"),
        ("Seed (Louvain, permutations)", seed),
        ("Layers of the person network", ", ".join(p["layers"])),
        ("Minimum link weight", p["min_weight"]),
        ("E\u2013I permutations", p["permutations"]),
        ("Key people removed together", p["risk_top"]),
        ("Top brokers compared between phases", p["change_top"]),
        ("Store backend and revision", f"{store.backend}, revision {p['revision']}"),
        ("Phases", "; ".join(_phase_name(x) for x in partnership["phases"]) or "none"),
    ]
    context = {
        "title": "Collaboration across the partnership",
        "version": _version(),
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "partnership": partnership,
        "summary_line": _summary_line(partnership),
        "tiles": _tiles(partnership, data),
        "findings": doc["findings"],
        "notes": doc["notes"],
        "topic_names": TOPIC_NAMES,
        "by_word": _by_word(by),
        "ei_chart": ei_chart,
        "density_chart": density_chart,
        "bridges": bridges,
        "broker_chart": broker_chart,
        "broker_key": broker_key,
        "between_words": [_in_sentence(by, g, names) for g in between],
        "between_labels": [group_label(by, g, names) for g in between],
        "risk_rows": _risk_rows(data),
        # Columns that are all zero say nothing; the note under the table says it instead.
        "risk_cutoff": any(r["cross_pairs_disconnected"] or r["group_pairs_unlinked"]
                           for r in _risk_rows(data)),
        "risk_combined": (data["risk"] or {}).get("combined") or {},
        "communities": _community_rows(data)[:COMMUNITY_ROWS],
        "communities_hidden": max(0, len(_community_rows(data)) - COMMUNITY_ROWS),
        "phase_chart": phase_chart,
        "steps": steps,
        "change_top": CHANGE_TOP,
        "ei_move": EI_MOVE,
        "maps": _maps(store, data, seed) if maps else {"organisations": None, "bridges": None},
        "parameters": p,
        "parameter_rows": parameter_rows,
        "command": command,
    }
    return _template().render(**context)


def render_report(
    store: GraphStore,
    *,
    by: str = "sector",
    between=("acute", "community"),
    seed: int = 0,
    maps: bool = True,
) -> str:
    """The board report: one printable, self-contained HTML page.

    Parameters
    ----------
    store : GraphStore
    by : str, default "sector"
        Grouping for silos, bridges and key-person risk.
    between : (str, str), default ("acute", "community")
        The two groups whose bridges are ranked and mapped.
    seed : int, default 0
        Seed of every random step and of the map layouts.
    maps : bool, default True
        Embed the organisations and bridges maps (about 1 MB each); False gives a light page.

    Returns
    -------
    str
        The HTML document: title, the partnership in numbers, the headline findings, SVG charts
        (E-I index per group, block density, top bridges, E-I across phases), tables, the
        embedded maps and the parameters used. Nothing is fetched when it opens; every name is
        escaped.

    Raises
    ------
    AnalysisError
        The store holds nothing to analyse.
    InvalidParameter
        Unknown ``by`` or a malformed ``between``.
    """
    data = gather(store, by=by, between=between, seed=seed)
    return _render(store, data, build_findings(data), seed=seed, maps=maps)


def report_and_findings(
    store: GraphStore,
    *,
    by: str = "sector",
    between=("acute", "community"),
    seed: int = 0,
    maps: bool = True,
) -> tuple[str, dict]:
    """The report page and the findings document from one pass over the analyses.

    Parameters and errors as :func:`render_report`; returns ``(html, findings)`` where
    ``findings`` is what :func:`kg.report.findings` returns.
    """
    data = gather(store, by=by, between=between, seed=seed)
    doc = build_findings(data)
    return _render(store, data, doc, seed=seed, maps=maps), doc


def _safe_name(text: str) -> str:
    # Ids come from data: keep a file name to plain characters and inside out_dir.
    return re.sub(r"[^A-Za-z0-9._-]+", "_", str(text)).strip("._") or "x"


def write_outputs(
    store: GraphStore,
    out_dir: str | Path,
    *,
    seed: int = 0,
    by: str = "sector",
    between=("acute", "community"),
) -> dict[str, Path]:
    """Write the report, the findings and the maps into ``out_dir``.

    Files: ``report.html``, ``findings.json``, and under ``maps/``: ``network.html``,
    ``bridges-A-B.html`` (when both groups are present), ``communities.html``,
    ``organisations.html`` and ``ego-ID.html`` (the top bridge, or the top broker by
    betweenness when there is no bridge ranking).

    Parameters
    ----------
    store : GraphStore
    out_dir : str or Path
        Created if needed; existing files of the same names are replaced.
    seed : int, default 0
    by, between
        As in :func:`render_report`.

    Returns
    -------
    dict
        ``{"report", "findings", "network", "bridges", "communities", "organisations",
        "ego"}`` -> path written (``bridges`` and ``ego`` only when they could be drawn).

    Raises
    ------
    AnalysisError
        The store holds nothing to analyse (nothing is written).
    """
    data = gather(store, by=by, between=between, seed=seed)
    doc = build_findings(data)
    html = _render(store, data, doc, seed=seed, maps=True)
    out = Path(out_dir)
    (out / "maps").mkdir(parents=True, exist_ok=True)
    pages: dict[str, tuple[str, str]] = {
        "network": ("maps/network.html", map_views.network(store, seed=seed)),
        "communities": ("maps/communities.html", map_views.community_map(store, seed=seed)),
        "organisations": ("maps/organisations.html", map_views.organisations(store, seed=seed)),
    }
    if data["brokers"]:
        a, b = data["parameters"]["between"]
        pages["bridges"] = (f"maps/bridges-{_safe_name(a)}-{_safe_name(b)}.html",
                            map_views.bridges(store, by=by, between=(a, b), seed=seed))
    rows = bridge_rows(data)
    top = rows[0]["id"] if rows else None
    if top is None:
        bet = (data["risk"] or {}).get("people") or []
        top = bet[0]["id"] if bet else None
    if top is not None:
        try:
            pages["ego"] = (f"maps/ego-{_safe_name(top)}.html",
                            map_views.ego(store, top, hops=1, seed=seed))
        except CarebridgeError:
            pass  # the person is not drawable; the other files still stand
    written = {}
    for name, (rel, text) in [("report", ("report.html", html)),
                              ("findings", ("findings.json", json.dumps(
                                  doc, indent=2, ensure_ascii=False, default=str) + "\n"))
                              ] + list(pages.items()):
        path = out / rel
        path.write_text(text, encoding="utf-8")
        written[name] = path
    return written
