"""The self-contained HTML page every map is rendered into.

The page inlines vis-network (the copy bundled with pyvis), its stylesheet and our own script, so it
opens offline and fetches nothing. All text is escaped: the heading and notes by Jinja's autoescape,
the graph data as JSON inside a ``<script type="application/json">`` block with ``<``, ``>``, ``&``
and the JavaScript line separators escaped, and the page script only ever writes text with
``textContent`` (never ``innerHTML``).
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections.abc import Iterable
from pathlib import Path

import jinja2
import orjson
from markupsafe import Markup

from kg.errors import CarebridgeError

__all__ = ["render_page", "script_json"]

_JSON_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}
_SCRIPT_CLOSE = re.compile(r"<(/script|!--)", re.IGNORECASE)
_STYLE_CLOSE = re.compile(r"</style", re.IGNORECASE)


def script_json(value) -> str:
    """JSON text that is safe to place inside a ``<script>`` element.

    orjson writes NaN and infinities as ``null``, so the page's ``JSON.parse`` never fails on them.
    """
    text = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")
    return text.translate(_JSON_ESCAPES)


def _inline_script(source: str) -> Markup:
    # ``<\/script`` means the same inside JavaScript strings and regexes but cannot end the element.
    return Markup(_SCRIPT_CLOSE.sub(lambda m: "<\\" + m.group(1), source))


def _inline_style(source: str) -> Markup:
    return Markup(_STYLE_CLOSE.sub("<\\\\/style", source))


def _asset_text(name: str) -> str:
    return importlib.resources.files("kg.maps").joinpath("assets", name).read_text("utf-8")


@functools.cache
def _vis_network() -> tuple[Markup, Markup]:
    """vis-network's script and stylesheet, read once from the copy shipped inside pyvis."""
    root = Path(str(importlib.resources.files("pyvis")))
    candidates = sorted(
        (
            p
            for p in root.glob("**/vis-*/vis-network.min.js")
            if (p.parent / "vis-network.css").exists()
        ),
        key=lambda p: tuple(int(x) for x in re.findall(r"\d+", p.parent.name)),
    )
    if not candidates:
        raise CarebridgeError(
            "vis-network was not found inside the installed pyvis package; reinstall pyvis>=0.3.2"
        )
    newest = candidates[-1]
    return (
        _inline_script(newest.read_text("utf-8")),
        _inline_style((newest.parent / "vis-network.css").read_text("utf-8")),
    )


@functools.cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(_asset_text("map.html.j2"))


@functools.cache
def _page_assets() -> tuple[Markup, Markup]:
    return _inline_script(_asset_text("map.js")), _inline_style(_asset_text("map.css"))


def render_page(
    data: dict,
    *,
    title: str,
    subtitle: str | None = None,
    banner: str | None = None,
    notes: Iterable[str] = (),
) -> str:
    """Render one map page.

    Parameters
    ----------
    data : dict
        The graph for the page script: ``nodes``, ``edges``, ``attributes``, ``colorBy`` and
        optional ``legendExtra`` (see :mod:`kg.maps._build`).
    title, subtitle : str
        Plain text shown at the top (escaped).
    banner : str, optional
        Plain text shown in a highlighted box, e.g. to say the view is aggregated.
    notes : iterable of str
        Plain-text notes under the legend.
    """
    vis_js, vis_css = _vis_network()
    page_js, page_css = _page_assets()
    return _template().render(
        title=title,
        subtitle=subtitle,
        banner=banner,
        notes=list(notes),
        data_json=Markup(script_json(data)),
        vis_js=vis_js,
        vis_css=vis_css,
        page_js=page_js,
        page_css=page_css,
    )
