"""The report's maps, drawn on the server as inline SVG, so they show and print without script.

The picture is the interactive map's own: :func:`page_data` reads the nodes (positions from the
server-side layout, sizes, colour codes), lines and colour categories out of the map page that
:mod:`kg.queries.maps` renders (and caches), and :func:`draw` turns them into an ``<svg>`` of
circles and lines with the few top people labelled. The interactive map is linked beside it.

Every piece of text from the data goes through :func:`markupsafe.escape`.
"""

from __future__ import annotations

import json
import math
import re

from markupsafe import Markup, escape

from kg.labels import MISSING_COLOUR

__all__ = ["EDGE_COLOURS", "MAX_PLAIN_EDGES", "draw", "legend", "page_data"]

#: The interactive map's line colours (kg/maps/assets/map.js): plain ties faint, a top broker's
#: ties dark, direct ties between the two groups purple.
EDGE_COLOURS = ("rgba(120,120,120,0.22)", "rgba(30,30,30,0.38)", "rgba(106,81,163,0.75)")
#: Beyond this many plain lines only the heaviest are drawn: the page stays small and the
#: picture the same (faint lines merge into a grey wash anyway).
MAX_PLAIN_EDGES = 4000
#: The drawing's width in CSS pixels before it is scaled to the page.
WIDTH = 960
MAX_HEIGHT = 720
LABEL_PX = 13
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"

_DATA = re.compile(r'<script type="application/json" id="carebridge-data">(.*?)</script>', re.S)


def page_data(html: str) -> dict | None:
    """The graph a map page draws (its ``carebridge-data`` JSON), or None if it has none."""
    found = _DATA.search(html or "")
    if not found:
        return None
    try:
        data = json.loads(found.group(1))
    except ValueError:
        return None
    return data if isinstance(data, dict) and data.get("nodes") else None


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _colour(data: dict, node: dict) -> str:
    index = data.get("colorBy") or 0
    try:
        cats = data["attributes"][index]["categories"]
        return cats[node["g"][index]]["color"]
    except (KeyError, IndexError, TypeError):
        return MISSING_COLOUR


def _text_width(text: str, px: float) -> float:
    return 0.58 * px * len(text) + 4  # a system sans-serif averages a little over half an em


def draw(
    data: dict,
    *,
    title: str,
    desc: str,
    labels: dict | None = None,
    label_top: int = 0,
    titles: bool | set = True,
) -> Markup:
    """One map as an ``<svg>``: lines, circles (ringed for the top people) and labels.

    Parameters
    ----------
    data : dict
        A map page's graph (:func:`page_data`).
    title, desc : str
        Read by screen readers (``<title>``, ``<desc>``).
    labels : dict, optional
        Node key -> label text, drawn first (the top people); missing keys take no label.
    label_top : int
        Also label this many more nodes by the map's own rank (``r``), space permitting.
    titles : bool or set
        Give every circle a hover tooltip with its label (False: none, for the pseudonymised
        report; a set of node keys: only those, e.g. the people in post).
    """
    nodes = data["nodes"]
    xs = [n["x"] for n in nodes]
    ys = [n["y"] for n in nodes]
    reach = max((n.get("size") or 0) for n in nodes) + 4
    span_x = max(max(xs) - min(xs) + 2 * reach, 1.0)
    span_y = max(max(ys) - min(ys) + 2 * reach, 1.0)
    scale = min(WIDTH / span_x, MAX_HEIGHT / span_y)
    pad = 28.0  # room for labels at the edge
    width = span_x * scale + 2 * pad
    height = span_y * scale + 2 * pad

    def at(n):
        return ((n["x"] - min(xs) + reach) * scale + pad, (n["y"] - min(ys) + reach) * scale + pad)

    def radius(n):
        # Never smaller than a visible dot, whatever the scale.
        return max((n.get("size") or 6) * scale, 2.2)

    pos = {n["id"]: at(n) for n in nodes}
    body = []
    edges = data.get("edges") or []
    plain = [e for e in edges if not e.get("hl")]
    dropped = 0
    if len(plain) > MAX_PLAIN_EDGES:
        dropped = len(plain) - MAX_PLAIN_EDGES
        plain = sorted(plain, key=lambda e: -(e.get("width") or 0))[:MAX_PLAIN_EDGES]
    # One path per kind of line and width (to a quarter pixel) keeps the page small.
    paths: dict = {}
    for level, group in ((0, plain), (2, [e for e in edges if e.get("hl") == 2]),
                         (1, [e for e in edges if e.get("hl") == 1])):
        for e in group:
            a, b = pos.get(e["from"]), pos.get(e["to"])
            if a and b:
                w = round(4 * max(0.5, (e.get("width") or 1) * scale)) / 4
                paths.setdefault((level, w), []).append(
                    f"M{_num(a[0])} {_num(a[1])}L{_num(b[0])} {_num(b[1])}")
    for (level, w), segments in paths.items():
        body.append(f'<path d="{"".join(segments)}" fill="none" stroke="{EDGE_COLOURS[level]}" '
                    f'stroke-width="{_num(w)}" stroke-linecap="round"/>')
    order = sorted(nodes, key=lambda n: (bool(n.get("ring")), n.get("size") or 0))
    for n in order:
        x, y = pos[n["id"]]
        ring = ' stroke="#111" stroke-width="2.5"' if n.get("ring") else \
            ' stroke="#fff" stroke-width="0.6"'
        named = titles is True or (isinstance(titles, set) and n.get("key") in titles)
        tip = f"<title>{escape(n.get('label') or '')}</title>" if named else ""
        body.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(radius(n))}" '
                    f'fill="{escape(_colour(data, n))}"{ring}>{tip}</circle>')
    body += _labels(nodes, pos, radius, labels or {}, label_top, width, height)
    return Markup(
        f'<svg class="map-svg" role="img" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'width="{_num(width)}" height="{_num(height)}" font-family="{FONT}" '
        f'data-nodes="{len(nodes)}" data-lines-left-out="{dropped}">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>" + "".join(body) + "</svg>"
    )


def _labels(nodes, pos, radius, labels: dict, label_top: int, width, height) -> list[str]:
    """Labels placed without overlapping each other or the bigger circles, the given ones
    first, then by the map's rank."""
    wanted = [(n, labels[n["key"]], True) for n in nodes if n.get("key") in labels]
    wanted.sort(key=lambda t: (t[0].get("r") or math.inf))
    if label_top:
        ranked = sorted((n for n in nodes if n.get("key") not in labels),
                        key=lambda n: (n.get("r") or math.inf))
        wanted += [(n, n.get("label") or "", False) for n in ranked[:label_top]]
    circles = [(pos[n["id"]], radius(n)) for n in nodes if radius(n) >= 6 or n.get("ring")]
    placed: list[tuple] = []
    out = []

    def clear(box) -> bool:
        x, y, w, h = box
        if x < 0 or y < 0 or x + w > width or y + h > height:
            return False
        for px, py, pw, ph in placed:
            if x < px + pw and px < x + w and y < py + ph and py < y + h:
                return False
        return True

    def covers(box, me) -> bool:
        x, y, w, h = box
        for (cx, cy), r in circles:
            if (cx, cy) != me and x < cx + r and cx - r < x + w and y < cy + r and cy - r < y + h:
                return True
        return False

    for n, text, strong in wanted:
        if not text:
            continue
        (x, y), r = pos[n["id"]], radius(n) + 2
        w, h = _text_width(text, LABEL_PX), LABEL_PX + 3
        spots = [(x - w / 2, y + r), (x - w / 2, y - r - h), (x + r + 2, y - h / 2),
                 (x - r - 2 - w, y - h / 2)]
        tries = [(s, True) for s in spots] + ([(s, False) for s in spots] if strong else [])
        for (bx, by), avoid in tries:
            box = (bx, by, w, h)
            if not clear(box) or (avoid and covers(box, (x, y))):
                continue
            placed.append(box)
            weight = ' font-weight="600"' if strong else ""
            out.append(f'<text x="{_num(bx + 2)}" y="{_num(by + h - 4)}" font-size="{LABEL_PX}"'
                       f'{weight} fill="#111" stroke="#fff" stroke-width="3.5" '
                       f'stroke-linejoin="round" paint-order="stroke">{escape(text)}</text>')
            break
    return out


def legend(data: dict) -> list[dict]:
    """The colour categories drawn, with how many circles each has: ``[{"name", "colour",
    "count"}]``, as the interactive map's legend lists them."""
    index = data.get("colorBy") or 0
    try:
        cats = data["attributes"][index]["categories"]
    except (KeyError, IndexError, TypeError):
        return []
    counts = [0] * len(cats)
    for n in data["nodes"]:
        try:
            counts[n["g"][index]] += 1
        except (IndexError, KeyError, TypeError):
            continue
    return [{"name": c["name"], "colour": c["color"], "count": counts[i]}
            for i, c in enumerate(cats) if counts[i]]
