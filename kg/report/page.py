"""The board report page and the files written beside it.

The page is one HTML document that reads, prints and opens offline without script: Jinja2 with
autoescape on renders every name and title as text; charts and maps are inline SVG drawn on the
server (:mod:`kg.report.charts`, :mod:`kg.report.svgmap`), and each map links to its interactive
version (a file beside the report, or the API's ``/maps/...``).
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from markupsafe import Markup, escape

from kg import __version__, labels
from kg.errors import CarebridgeError
from kg.measures import MEASURES, show
from kg.queries import maps as map_views
from kg.report import charts, svgmap
from kg.report.findings import bridges as bridges_finding
from kg.report.findings import build_findings
from kg.report.findings import change as change_finding
from kg.report.findings import communities as communities_finding
from kg.report.findings import risk as risk_finding
from kg.report.findings import silos as silos_finding
from kg.report.gather import gather
from kg.report.question import ReportQuestion
from kg.report.wording import (
    MIN_GROUP,
    TOPIC_NAMES,
    by_word,
    group_in_sentence,
    group_label,
    groups_word,
    period_words,
    phase_name,
)
from kg.store.base import GraphStore

__all__ = [
    "LINKS",
    "render_report",
    "report_and_findings",
    "write_outputs",
    "write_outputs_and_findings",
]

#: Communities listed in the report's table (communities of practice first, then the largest).
COMMUNITY_ROWS = 15
#: Top bridges labelled by name on the bridges map (the rest by their number in the table).
MAP_NAMED = 5
#: Where the interactive maps are: files beside the report, the API, or not linked.
LINKS = ("files", "api", None)


@functools.cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["measure"] = lambda value, measure: show(measure, value)
    env.filters["swatch"] = swatch
    source = importlib.resources.files("kg.report").joinpath("templates", "report.html.j2")
    return env.from_string(source.read_text("utf-8"))



def _safe_name(text: str) -> str:
    # Ids come from data: keep a file name to plain characters and inside out_dir.
    return re.sub(r"[^A-Za-z0-9._-]+", "_", str(text)).strip("._") or "x"


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _unbroken_dates(text: str) -> Markup:
    """Text with its ISO dates kept on one line (a browser may break a line at a hyphen)."""
    return Markup(_DATE.sub(lambda m: f'<span class="date">{m.group(0)}</span>',
                            str(escape(text))))


def _summary_line(p: dict) -> str:
    sectors = ", ".join(labels.in_sentence("sector", s) for s in p["sectors"])
    return (f"{p['in_post']:,} people in post in {p['organisations']:,} organisations"
            + (f" ({sectors})" if sectors else "") + ".")


def _tiles(p: dict, data: dict) -> list[tuple[str, str]]:
    tiles = [
        (f"{p['in_post']:,}", "people in post"),
        (f"{p['organisations']:,}", "organisations" + (f" ({p['teams']} teams)"
                                                       if p["teams"] else "")),
        (f"{len(p['sectors'])}", "sectors"),
        (f"{p['forums']:,}", "forums meeting"),
        (f"{p['assets']:,}", "knowledge assets in use"),
        (f"{p['ties']:,}", "reported ties"),
        (f"{p['links_in_network']:,}", "links between people"),
    ]
    if data.get("communities"):
        tiles.append((f"{len(data['communities']['communities'])}", "communities"))
    return tiles


def _silo_charts(data: dict) -> tuple:
    result = data["silos"]
    if not result:
        return None, None, []
    by = data["parameters"]["by"]
    names = data["names"]["groups"]
    rows = silos_finding.rows(data)
    shown = [r for r in rows if not r["withheld"]]
    ei = charts.ei_bars(
        [{"label": r["label"], "value": r["ei_index"], "expected": r["expected_ei"],
          "p": show("p_value", r["p_value"], permutations=data["parameters"]["permutations"],
                    sides=2)}
         for r in shown], what=by_word(by)) if shown else None
    matrix = result["matrix"]
    density = None
    if 1 < len(matrix["groups"]) <= 16:  # beyond that a heatmap is unreadable on a page
        hidden = {r["group"] for r in rows if r["withheld"]}
        density = charts.density_heatmap(
            [group_label(by, g, names) for g in matrix["groups"]], matrix["density"],
            what=by_word(by),
            withheld={i for i, g in enumerate(matrix["groups"]) if g in hidden})
    return ei, density, rows


def _headcounts(data: dict) -> dict:
    """People per group of the grouping in the period's network: what open vocabularies
    (organisations, professions) are coloured by, on the maps and here."""
    return dict(Counter(g for _, g in data["graph"].nodes(data=data["parameters"]["by"])))


def _bridges(data: dict) -> tuple[list, object, object]:
    rows = bridges_finding.rows(data)
    if not rows:
        return [], None, None
    by = data["parameters"]["by"]
    names = data["names"]["groups"]
    a, b = data["parameters"]["between"]
    colours = charts.group_colours(by, _headcounts(data))
    out = []
    for r in rows:
        out.append(r | {
            "colour": colours.get(r["group"], charts.OPEN),
            "group_label": group_label(by, r["group"], names),
            "ties_a": r["ties_into"].get(a, 0),
            "ties_b": r["ties_into"].get(b, 0),
            "forum_names": [f["name"] for f in r["forums"]],
        })
    pseudonymised = data["question"].pseudonymise
    chart = charts.broker_bars(
        [{"label": r["name"] if not pseudonymised else f"#{i} {r['role'] or ''}".strip(),
          "sub": r["organisation"], "value": r["share_of_paths"],
          "colour": r["colour"], "hybrid": r["hybrid"]} for i, r in enumerate(out, 1)],
        title=f"Top bridges between {group_in_sentence(by, a, names)} and "
              f"{group_in_sentence(by, b, names)}",
    )
    seen = list(dict.fromkeys(r["group"] for r in out))
    key = charts.colour_key([(group_label(by, g, names), colours[g]) for g in seen])
    return out, chart, key


def _phase_chart(data: dict):
    per_phase = data.get("phase_silos")
    if not per_phase:
        return None
    by = data["parameters"]["by"]
    names = data["names"]["groups"]
    groups = sorted({g for p in per_phase for g in p["ei"]}, key=str)
    if data["question"].pseudonymise:
        # A group small in any phase is left out of the whole chart.
        groups = [g for g in groups
                  if all((p["size"].get(g) or MIN_GROUP) >= MIN_GROUP for p in per_phase)]
    if not groups:
        return None
    # Groups of earlier phases that are gone now still need a colour of their own.
    colours = charts.group_colours(by, {g: 0 for g in groups} | _headcounts(data))
    series = [{"label": group_label(by, g, names), "colour": colours[g],
               "values": [p["ei"].get(g) for p in per_phase]} for g in groups]
    return charts.phase_lines([p["phase"].get("name") or p["phase"]["id"] for p in per_phase],
                              series, what=by_word(by))


def _map_link(data: dict, view: str, links: str | None) -> str | None:
    """Where the interactive version of a map is."""
    q = data["question"]
    if links is None or q.pseudonymise:
        return None  # the interactive maps name people
    if links == "files":
        return f"maps/{_file_name(view, data)}"
    query: list[tuple[str, str]] = []
    if view == "bridges":
        query = [("by", q.by)] + [("between", g) for g in q.between]
    query += list(q.period_given.items()) + [("seed", str(q.seed))]
    return f"/maps/{view}?{urlencode(query)}"


def _file_name(view: str, data: dict) -> str:
    """A map's file name: the view (the pair for bridges) and the period asked for."""
    q = data["question"]
    if view == "bridges":
        view = "bridges-" + "-".join(_safe_name(g) for g in q.between)
    return view + "".join(f"-{_safe_name(v)}" for v in q.period_given.values()) + ".html"


def _map_pages(store: GraphStore, data: dict) -> dict:
    """The interactive map pages the report draws and links (cached by the service layer)."""
    q = data["question"]
    net = q.period_given
    out = {"organisations": map_views.organisations(store, seed=q.seed, **net)}
    if data["brokers"] and bridges_finding.rows(data):
        out["bridges"] = map_views.bridges(store, by=q.by, between=q.between, seed=q.seed, **net)
    return out


def _svg_maps(data: dict, pages: dict, bridges: list[dict], links: str | None) -> dict:
    pseudonymised = data["question"].pseudonymise
    out: dict = {"organisations": None, "bridges": None}
    org = svgmap.page_data(pages.get("organisations", ""))
    if org:
        out["organisations"] = {
            "svg": svgmap.draw(org, title="Organisations and the links between their staff",
                               desc=f"{len(org['nodes'])} organisations, sized by their people",
                               labels={n["key"]: n.get("label") or "" for n in org["nodes"]}),
            "legend": svgmap.legend(org),
            "link": _map_link(data, "organisations", links),
            "count": len(org["nodes"]),
        }
    bri = svgmap.page_data(pages.get("bridges", ""))
    if bri:
        # The table's ranking (people in post) numbers and rings the people on the map.
        keys = {str(r["id"]): i for i, r in enumerate(bridges, 1)}
        labels_ = {k: (f"{i} {bridges[i - 1]['name']}" if i <= MAP_NAMED and not pseudonymised
                       else str(i)) for k, i in keys.items()}
        for n in bri["nodes"]:
            n["ring"] = n.get("key") in keys
        out["bridges"] = {
            "svg": svgmap.draw(bri, title="Map of the bridges", labels=labels_,
                               desc=f"{len(bri['nodes'])} people of the two groups and between "
                                    "them; the top bridges ringed and numbered",
                               # Current maps name only people in post, as the tables do.
                               titles=set() if pseudonymised else {
                                   str(k) for k, v in data["people"].items() if v["in_post"]}),
            "legend": svgmap.legend(bri),
            "link": _map_link(data, "bridges", links),
            "count": len(bri["nodes"]),
        }
    return out


def _render(store: GraphStore, data: dict, doc: dict, *, maps: bool, links: str | None) -> str:
    p = data["parameters"]
    q = data["question"]
    by = q.by
    names = data["names"]["groups"]
    partnership = doc["partnership"]
    ei_chart, density_chart, silo_rows = _silo_charts(data)
    layer_names, layer_rows = silos_finding.layer_rows(data)
    bridges, broker_chart, broker_key = _bridges(data)
    between = q.between
    command = (f"kg report --by {by}" + (f" --between {between[0]} {between[1]}"
                                         if between else "")
               + "".join(f" --{k.replace('_', '-')} {v}" for k, v in q.period_given.items())
               + f" --seed {q.seed}" + (" --pseudonymise" if q.pseudonymise else ""))
    risk_rows = risk_finding.rows(data)
    communities = communities_finding.rows(data)
    parameter_rows = [
        ("Period", period_words(p["period"])),
        ("Grouping", labels.attribute_label(by)),
        ("Bridges between", " and ".join(group_label(by, g, names) for g in between)
         if between else "none"),
        ("Seed (Louvain, permutations, map layout)", q.seed),
        ("Layers of the person network", ", ".join(labels.label("layer", x)
                                                   for x in p["layers"])),
        ("Minimum link weight", p["min_weight"]),
        ("E\u2013I permutations", p["permutations"]),
        ("Key people removed together", p["risk_top"]),
        ("Top brokers compared between periods", p["change_top"]),
        ("Store backend and revision", f"{store.backend}, revision {p['revision']}"),
        ("Phases", "; ".join(phase_name(x) for x in partnership["phases"]) or "none"),
    ]
    change = data.get("change")
    pages = _map_pages(store, data) if maps else {}
    context = {
        "title": "Collaboration across the partnership",
        "version": __version__,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "partnership": partnership,
        "covers": _unbroken_dates(period_words(p["period"])),
        "summary_line": _summary_line(partnership),
        "tiles": _tiles(partnership, data),
        "findings": doc["findings"],
        "notes": doc["notes"],
        "topic_names": TOPIC_NAMES,
        "by_word": by_word(by),
        "groups_word": groups_word(by),
        "pseudonymised": q.pseudonymise,
        "min_group": MIN_GROUP,
        "ei_chart": ei_chart,
        "density_chart": density_chart,
        "silo_rows": silo_rows,
        "layer_names": [labels.label("layer", x) for x in layer_names],
        "layer_keys": layer_names,
        "layer_rows": layer_rows,
        "layer_whole": (data["silos"] or {}).get("by_layer") or {},
        "whole_ei": (data["silos"] or {}).get("ei_index"),
        "bridges": bridges,
        "broker_chart": broker_chart,
        "broker_key": broker_key,
        "between_words": [group_in_sentence(by, g, names) for g in between],
        "between_labels": [group_label(by, g, names) for g in between],
        "risk_rows": risk_rows,
        # Columns that are all zero say nothing; the note under the table says it instead.
        "risk_cutoff": any(r["cross_pairs_disconnected"] or r["group_pairs_unlinked"]
                           for r in risk_rows),
        "risk_combined": (data["risk"] or {}).get("combined") or {},
        "communities": communities[:COMMUNITY_ROWS],
        "communities_hidden": max(0, len(communities) - COMMUNITY_ROWS),
        "phase_chart": _phase_chart(data),
        "change": change,
        "change_rows": change_finding.rows(data) if change else [],
        "change_from": change_finding.period_name(data, "from") if change else "",
        "change_to": change_finding.period_name(data, "to") if change else "",
        "maps": _svg_maps(data, pages, bridges, links),
        "measures": MEASURES,
        "parameters": p,
        "parameter_rows": parameter_rows,
        "command": command,
    }
    return _template().render(**context)


def _gathered(store: GraphStore, question: ReportQuestion | None, asked: dict) -> tuple:
    """The analyses for the question (given, as keywords, or both) and the findings of them."""
    data = gather(store, ReportQuestion.of(question, **asked))
    return data, build_findings(data)


def report_and_findings(
    store: GraphStore,
    question: ReportQuestion | None = None,
    *,
    maps: bool = True,
    links: str | None = "files",
    **asked,
) -> tuple[str, dict]:
    """The report page and the findings document from one pass over the analyses.

    Parameters and errors as :func:`render_report`; returns ``(html, findings)`` where
    ``findings`` is what :func:`kg.report.findings` returns.
    """
    data, doc = _gathered(store, question, asked)
    return _render(store, data, doc, maps=maps, links=links), doc


def render_report(
    store: GraphStore,
    question: ReportQuestion | None = None,
    *,
    maps: bool = True,
    links: str | None = "files",
    **asked,
) -> str:
    """The board report: one printable, self-contained HTML page that needs no script.

    Parameters
    ----------
    store : GraphStore
    question : ReportQuestion, optional
        Grouping, the two groups whose bridges are ranked and mapped, period, seed (also of
        the map layouts) and pseudonymisation; by default ``ReportQuestion()``: by sector,
        bridges between acute and community, the partnership as it is now, seed 0, named.
        The pseudonymised report describes people by role, never names them, withholds
        figures about fewer than :data:`kg.report.wording.MIN_GROUP` people, and says so.
    maps : bool, default True
        Draw the organisations and bridges maps (inline SVG).
    links : {"files", "api", None}, default "files"
        Where each map's interactive version is linked: ``maps/NAME.html`` beside the report
        (:func:`write_outputs` writes them), the API's ``/maps/...``, or nowhere. The
        pseudonymised report never links them (they name people).
    **asked
        Fields of :class:`~kg.report.question.ReportQuestion` (``by``, ``between``, ``seed``,
        ``window``, ``phase``, ``as_of``, ``pseudonymise``), replacing those of ``question``.

    Returns
    -------
    str
        The HTML document. Nothing is fetched when it opens; every name is escaped.

    Raises
    ------
    AnalysisError
        The period holds nothing to analyse.
    InvalidParameter, NotFound
        Unknown ``by``, a malformed ``between``, window or date, or an unknown phase.
    """
    return report_and_findings(store, question, maps=maps, links=links, **asked)[0]


def write_outputs(store: GraphStore, out_dir: str | Path, question: ReportQuestion | None = None,
                  **options) -> dict[str, Path]:
    """Write the report, the findings and the maps into ``out_dir``; see
    :func:`write_outputs_and_findings` for the options. Returns name -> path written."""
    return write_outputs_and_findings(store, out_dir, question, **options)[0]


def write_outputs_and_findings(
    store: GraphStore,
    out_dir: str | Path,
    question: ReportQuestion | None = None,
    *,
    report_name: str = "report.html",
    findings: bool = True,
    every_map: bool = True,
    maps: bool = True,
    pdf: bool = False,
    **asked,
) -> tuple[dict[str, Path], dict]:
    """Write the report, the findings and the maps into ``out_dir``; also return the findings.

    Files: ``report.html`` (or ``report_name``), ``findings.json``, and under ``maps/``: the
    organisations and bridges maps the report links to; with ``every_map`` also
    ``network.html``, ``communities.html`` and ``ego-ID.html`` (the top bridge, or the top
    broker by betweenness when there is no bridge ranking); with ``pdf`` the report as PDF
    beside it. Map names carry the period asked for (``bridges-acute-community-PH2.html``).
    The pseudonymised report is written alone (the maps and findings name people).

    Parameters
    ----------
    store : GraphStore
    out_dir : str or Path
        Created if needed; existing files of the same names are replaced.
    question : ReportQuestion, optional
        As in :func:`render_report`.
    report_name : str
        The report's file name.
    findings : bool, default True
        Also write ``findings.json``.
    every_map : bool, default True
        Also write the network, communities and ego maps.
    maps : bool, default True
        Draw and write any map at all (False: a light page, no map files).
    pdf : bool, default False
        Print the report to PDF with Chromium (:func:`kg.report.pdf.html_to_pdf`).
    **asked
        Fields of the question, as in :func:`render_report`.

    Returns
    -------
    (dict, dict)
        Name (``report``, ``findings``, ``pdf``, ``organisations``, ``bridges``, ``network``,
        ``communities``, ``ego``) -> path written; and the findings document.

    Raises
    ------
    AnalysisError
        The period holds nothing to analyse (nothing is written).
    PdfUnavailable
        ``pdf`` was asked for and Chromium cannot be driven (the HTML is written first).
    """
    data, doc = _gathered(store, question, asked)
    q = data["question"]
    html = _render(store, data, doc, maps=maps, links="files")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    texts: dict[str, tuple[str, str]] = {"report": (report_name, html)}
    if findings and not q.pseudonymise:
        texts["findings"] = ("findings.json", json.dumps(doc, indent=2, ensure_ascii=False,
                                                         default=str) + "\n")
    if maps and not q.pseudonymise:
        net = q.period_given
        for view, page in _map_pages(store, data).items():
            texts[view] = (f"maps/{_file_name(view, data)}", page)
        if every_map:
            texts["network"] = (f"maps/{_file_name('network', data)}",
                                map_views.network(store, seed=q.seed, **net))
            texts["communities"] = (f"maps/{_file_name('communities', data)}",
                                    map_views.community_map(store, seed=q.seed, **net))
            texts.update(_ego_page(store, data))
    written = {}
    for name, (rel, text) in texts.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written[name] = path
    if pdf:
        from kg.report.pdf import html_to_pdf

        path = written["report"].with_suffix(".pdf")
        path.write_bytes(html_to_pdf(html))
        written["pdf"] = path
    return written, doc


def _ego_page(store: GraphStore, data: dict) -> dict:
    rows = bridges_finding.rows(data)
    top = rows[0]["id"] if rows else None
    if top is None:
        people = (data["risk"] or {}).get("people") or []
        top = people[0]["id"] if people else None
    if top is None:
        return {}
    q = data["question"]
    try:
        page = map_views.ego(store, top, hops=1, seed=q.seed, **q.period_given)
    except CarebridgeError:
        return {}  # the person is not drawable; the other files still stand
    return {"ego": (f"maps/{_file_name(f'ego-{_safe_name(top)}', data)}", page)}


def swatch(colour: str) -> Markup:
    """A colour swatch that prints (an SVG circle, not a background colour)."""
    return Markup(f'<svg class="swatch" width="12" height="12" viewBox="0 0 12 12" '
                  f'aria-hidden="true"><circle cx="6" cy="6" r="5.5" fill="{escape(colour)}"/>'
                  "</svg>")
