"""Charts for the board report, drawn server-side as inline SVG (no script, nothing fetched).

Each function returns :class:`markupsafe.Markup` holding one ``<svg>`` element with a ``<title>``
and ``<desc>`` for screen readers. Every piece of text that comes from data goes through
:func:`markupsafe.escape`, so a name such as ``<img src=x onerror=alert(1)>`` is drawn as text.
Numbers are written as :mod:`kg.measures` says; colours come from :mod:`kg.labels`, so a sector
has the same colour here as on every map.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from kg import labels
from kg.measures import show, signed

__all__ = [
    "broker_bars",
    "colour_key",
    "density_heatmap",
    "ei_bars",
    "group_colours",
    "phase_lines",
]

CLOSED = "#B5482F"
OPEN = "#2F6F9F"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


def group_colours(by: str, headcounts: dict) -> dict:
    """One colour per group, as every map colours it (:func:`kg.labels.colours`): fixed for
    sectors and the other closed vocabularies, by headcount (biggest first) for the rest."""
    return labels.colours(by, headcounts)


def _num(x: float) -> str:
    # Short coordinates keep the page small and are exact enough for a screen.
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _clip(text, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _text(x, y, content, *, size=12, anchor="start", weight=None, fill="#222", extra="") -> str:
    w = f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{_num(x)}" y="{_num(y)}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{fill}"{w}{extra}>{escape(content)}</text>')


def _svg(width: float, height: float, title: str, desc: str, body: list[str], css_class: str):
    return Markup(
        # Inline in HTML the SVG namespace is implied, so no xmlns address is needed.
        f'<svg class="chart {css_class}" role="img" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="{_num(width)}" '
        f'height="{_num(height)}" font-family="{FONT}">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
        + "".join(body)
        + "</svg>"
    )


def ei_bars(rows: Sequence[dict], *, what: str = "sector", title: str | None = None) -> Markup:
    """Horizontal bars of the E-I index per group, from -1 (silo) to +1 (all ties outside).

    Parameters
    ----------
    rows : sequence of dict
        ``{"label", "value" (E-I), "expected" (optional, under random mixing), "p" (text)}``,
        drawn in the order given.
    what : str
        The grouping, for the caption ("sector").
    title : str, optional
    """
    width, label_w, value_w = 700, 170, 150
    x0, x1 = label_w + 10, width - value_w
    top, row_h = 34, 28
    height = top + row_h * len(rows) + 46

    def x(v):
        return x0 + (max(-1.0, min(1.0, v)) + 1) / 2 * (x1 - x0)

    body = []
    for tick in (-1, -0.5, 0, 0.5, 1):
        colour = "#888" if tick == 0 else "#ddd"
        body.append(f'<line x1="{_num(x(tick))}" x2="{_num(x(tick))}" y1="{top - 6}" '
                    f'y2="{_num(top + row_h * len(rows))}" stroke="{colour}" stroke-width="1"/>')
        body.append(_text(x(tick), top - 12, signed(tick) if tick else "0", size=11,
                          anchor="middle", fill="#555"))
    for i, r in enumerate(rows):
        y = top + i * row_h
        v = r.get("value")
        body.append(_text(label_w, y + 18, _clip(r["label"], 26), anchor="end"))
        if v is None:
            body.append(_text(x(0) + 6, y + 18, "no ties", size=11, fill="#777"))
            continue
        a, b = sorted((x(0), x(v)))
        colour = CLOSED if v < 0 else OPEN
        body.append(f'<rect x="{_num(a)}" y="{y + 6}" width="{_num(max(b - a, 1))}" height="16" '
                    f'fill="{colour}" rx="2"/>')
        if r.get("expected") is not None:
            ex = x(r["expected"])
            body.append(f'<path d="M{_num(ex)} {y + 7} l5 7 l-5 7 l-5 -7 z" fill="#fff" '
                        f'stroke="#222" stroke-width="1.2"/>')
        p_text = f", {r['p']}" if r.get("p") else ""
        body.append(_text(x1 + 8, y + 18, f"{signed(v)}{p_text}", size=12))
    base = top + row_h * len(rows)
    body.append(_text(x(-1), base + 18, "\u2190 ties stay inside", size=11, fill=CLOSED))
    body.append(_text(x(1), base + 18, "ties reach out \u2192", size=11, fill=OPEN,
                      anchor="end"))
    body.append(f'<path d="M{_num(x0)} {base + 30} l5 7 l-5 7 l-5 -7 z" fill="#fff" '
                f'stroke="#222" stroke-width="1.2"/>')
    body.append(_text(x0 + 10, base + 41, f"E\u2013I expected if ties ignored {what} "
                      "(labels shuffled)", size=11, fill="#444"))
    desc = "; ".join(f"{r['label']}: {signed(r.get('value'))}" for r in rows)
    return _svg(width, height + 8, title or f"E\u2013I index by {what}", desc, body, "ei")


def broker_bars(rows: Sequence[dict], *, unit: str = "of paths", title: str) -> Markup:
    """Horizontal bars of the top brokers' between-group scores.

    Parameters
    ----------
    rows : sequence of dict
        ``{"label" (name), "sub" (organisation or group), "value" (0-1 share), "colour",
        "hybrid" (bool)}``, best first.
    unit : str
        Printed after each percentage.
    title : str
    """
    width, label_w, value_w = 700, 250, 110
    x0, x1 = label_w + 10, width - value_w
    top, row_h = 10, 34
    peak = max((r["value"] or 0 for r in rows), default=0) or 1
    body = []
    for i, r in enumerate(rows):
        y = top + i * row_h
        mark = "\u25c6 " if r.get("hybrid") else ""
        body.append(_text(label_w, y + 14, mark + _clip(r["label"], 32), anchor="end",
                          weight="600"))
        if r.get("sub"):
            body.append(_text(label_w, y + 28, _clip(r["sub"], 40), anchor="end", size=10.5,
                              fill="#555"))
        w = (r["value"] or 0) / peak * (x1 - x0)
        body.append(f'<rect x="{x0}" y="{y + 6}" width="{_num(max(w, 1))}" height="18" '
                    f'fill="{escape(r.get("colour") or OPEN)}" rx="2"/>')
        body.append(_text(x0 + w + 6, y + 20, f"{show('between_groups', r['value'])} {unit}",
                          size=12))
    base = top + row_h * len(rows)
    body.append(_text(x0, base + 14, "\u25c6 hybrid middle manager", size=11, fill="#444"))
    desc = "; ".join(f"{r['label']}: {show('between_groups', r['value'])}" for r in rows)
    return _svg(width, base + 24, title, desc, body, "brokers")


def colour_key(items: Sequence[tuple[str, str]]) -> Markup:
    """A one-line key of coloured squares: ``[(label, colour)]``."""
    width, x, body = 700, 0.0, []
    for label, colour in items:
        body.append(f'<rect x="{_num(x)}" y="3" width="11" height="11" fill="{escape(colour)}" '
                    'rx="2"/>')
        body.append(_text(x + 15, 13, label, size=11, fill="#333"))
        x += 22 + 6.6 * len(str(label))
    return _svg(max(width, x), 18, "Colour key", ", ".join(lbl for lbl, _ in items), body, "key")


def density_heatmap(names: Sequence[str], density: Sequence[Sequence[float]], *,
                    what: str = "sector", withheld: frozenset | set = frozenset()) -> Markup:
    """Block density: the share of possible ties that exist, within and between groups.

    Parameters
    ----------
    names : sequence of str
        Group names, in the order of the matrix rows and columns.
    density : square matrix of float
        ``density[i][j]``: ties between groups i and j over the pairs that could be tied.
    what : str
        The grouping, for the caption.
    withheld : set of int
        Rows (and columns) whose figures are withheld (groups too small to show): drawn grey
        with a dash.
    """
    k = len(names)
    cell, label_w, head = 58, 150, 110
    # Room on the right for the last rotated column label.
    width = label_w + cell * k + 110
    height = head + cell * k + 30
    peak = max((float(v or 0) for i, row in enumerate(density) for j, v in enumerate(row)
                if i not in withheld and j not in withheld), default=0) or 1
    body = []
    for j, lab in enumerate(names):
        cx = label_w + j * cell + cell / 2
        body.append(_text(cx, head - 8, _clip(lab, 20), size=11, anchor="start",
                          extra=f' transform="rotate(-40 {_num(cx)} {head - 8})"'))
    for i, lab in enumerate(names):
        y = head + i * cell
        body.append(_text(label_w - 8, y + cell / 2 + 4, _clip(lab, 22), size=11, anchor="end"))
        for j in range(k):
            hidden = i in withheld or j in withheld
            v = 0.0 if hidden else float(density[i][j] or 0)
            # A square-root scale keeps the thin ties between groups visible beside the
            # dense diagonal.
            t = min(1.0, math.sqrt(v / peak)) if peak else 0
            light, dark = (247, 251, 255), (8, 48, 107)
            rgb = tuple(round(a + (b - a) * t) for a, b in zip(light, dark, strict=True))
            fill = "#e6e6e6" if hidden else f"rgb{rgb}"
            x = label_w + j * cell
            stroke = ' stroke="#222" stroke-width="1.5"' if i == j else ' stroke="#fff"'
            body.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" '
                        f'fill="{fill}"{stroke}/>')
            text = "\u2013" if hidden else show("density", v)
            body.append(_text(x + cell / 2, y + cell / 2 + 4, text, size=11, anchor="middle",
                              fill="#fff" if t > 0.55 else "#222"))
    body.append(_text(label_w, height - 8, "Share of possible ties that exist; outlined: "
                      f"inside one {what}. Darker = denser.", size=11, fill="#444"))
    desc = "; ".join(
        f"{names[i]}\u2013{names[j]}: " + ("withheld" if i in withheld or j in withheld
                                            else show("density", float(density[i][j] or 0)))
        for i in range(k) for j in range(i, k)
    )
    return _svg(max(width, 560), height, f"Tie density within and between each {what}", desc,
                body, "density")


def _wrap(text: str, limit: int) -> list[str]:
    words, lines, line = str(text).split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > limit:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    if line:
        lines.append(line)
    return lines[:3] or [""]


def phase_lines(phases: Sequence[str], series: Sequence[dict], *, what: str = "sector") -> Markup:
    """E-I index of each group across the phases, one line per group.

    Parameters
    ----------
    phases : sequence of str
        Phase names, in time order (the x axis).
    series : sequence of dict
        ``{"label", "colour", "values": [E-I or None per phase]}``.
    what : str
        The grouping, for the caption.
    """
    # Wide margins so the first and last phase names can sit centred under their points.
    width, left, right = 760, 100, 200
    top, plot_h = 16, 220
    x0, x1 = left, width - right
    n = len(phases)

    def x(i):
        return x0 + (x1 - x0) * (i / (n - 1) if n > 1 else 0.5)

    def y(v):
        return top + (1 - (max(-1.0, min(1.0, v)) + 1) / 2) * plot_h

    body = []
    for tick in (-1, -0.5, 0, 0.5, 1):
        dash = "" if tick else ' stroke-dasharray="4 3"'
        colour = "#888" if tick == 0 else "#e3e3e3"
        body.append(f'<line x1="{x0}" x2="{x1}" y1="{_num(y(tick))}" y2="{_num(y(tick))}" '
                    f'stroke="{colour}"{dash}/>')
        body.append(_text(x0 - 8, y(tick) + 4, signed(tick) if tick else "0", size=11,
                          anchor="end", fill="#555"))
    for i, name in enumerate(phases):
        body.append(f'<line x1="{_num(x(i))}" x2="{_num(x(i))}" y1="{top}" '
                    f'y2="{top + plot_h}" stroke="#f0f0f0"/>')
        limit = max(10, int((x1 - x0) / max(n - 1, 1) / 6.5))
        for k, line in enumerate(_wrap(name, min(limit, 24))):
            body.append(_text(x(i), top + plot_h + 18 + 13 * k, line, size=11, anchor="middle",
                              fill="#333"))
    ends = []
    for s in series:
        points = [(x(i), y(v)) for i, v in enumerate(s["values"]) if v is not None]
        if not points:
            continue
        colour = escape(s.get("colour") or OPEN)
        path = " ".join(f"{'M' if k == 0 else 'L'}{_num(px)} {_num(py)}"
                        for k, (px, py) in enumerate(points))
        body.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2.2"/>')
        for px, py in points:
            body.append(f'<circle cx="{_num(px)}" cy="{_num(py)}" r="3.2" fill="{colour}"/>')
        ends.append([points[-1][1], s["label"], colour, s["values"][-1]])
    # Nudge the end labels apart so that close lines keep readable names.
    ends.sort(key=lambda e: e[0])
    for k in range(1, len(ends)):
        ends[k][0] = max(ends[k][0], ends[k - 1][0] + 13)
    for ly, label, colour, last in ends:
        body.append(_text(x1 + 8, ly + 4, f"{_clip(label, 20)} {signed(last)}", size=11,
                          fill=colour, weight="600"))
    height = max(top + plot_h + 76, (ends[-1][0] + 12) if ends else 0)
    body.append(_text(x0, height - 4, f"E\u2013I index per {what} in each phase "
                      "(\u22121 = every tie inside; +1 = every tie outside)", size=11,
                      fill="#444"))
    desc = "; ".join(f"{s['label']}: " + ", ".join(signed(v) for v in s["values"])
                     for s in series)
    return _svg(width, height, f"Silos over time, by {what}", desc, body, "phases")
