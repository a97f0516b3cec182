"""The maps for notebooks: the same nodes, positions, colours and tooltips as a
:class:`pyvis.network.Network`, for researchers who work in Jupyter."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping

from kg.errors import InvalidParameter

__all__ = ["page_data", "to_pyvis"]

_DATA_BLOCK = re.compile(
    r'<script type="application/json" id="carebridge-data">(.*?)</script>', re.DOTALL
)
_EDGE_COLOURS = ("rgba(120,120,120,0.35)", "rgba(25,25,25,0.6)", "#6a51a3")


def page_data(page: str) -> dict:
    """The data a map page draws (nodes, edges, colour-by attributes), read back from its HTML.

    >>> import networkx as nx
    >>> from kg.maps import network_map
    >>> len(page_data(network_map(nx.path_graph(3)))["nodes"])
    3
    """
    found = _DATA_BLOCK.search(page) if isinstance(page, str) else None
    if not found:
        raise InvalidParameter("not a Carebridge map page: it has no carebridge-data block")
    return json.loads(found.group(1))


def _title(lines) -> str:
    # vis-network shows a string title as text, but pyvis switches to innerHTML when any title
    # holds "href": escaped, a name stays text either way.
    return "\n".join(html.escape(str(line), quote=True) for line in lines)


def to_pyvis(
    map_data: Mapping | str,
    *,
    color_by: str | None = None,
    labels: str = "top",
    height: str = "700px",
    cdn_resources: str = "in_line",
    notebook: bool = True,
):
    """A :class:`pyvis.network.Network` of a map: the same people (or groups), positions,
    colours, sizes and ties, physics off.

    Parameters
    ----------
    map_data : dict or str
        A map page (the HTML any ``*_map`` function returns) or the data read from one with
        :func:`page_data`.
    color_by : str, optional
        Key of the colouring (``"sector"``, ``"organisation"``, ...); default: the page's.
    labels : {"top", "all"}
        "top" labels only those the page labels before zooming (the top by its measure and the
        ringed people); "all" labels everyone.
    height, cdn_resources, notebook
        Passed to :class:`pyvis.network.Network` ("in_line" keeps the notebook offline).

    Returns
    -------
    pyvis.network.Network

    Examples
    --------
    >>> import networkx as nx
    >>> from kg.maps import network_map
    >>> net = to_pyvis(network_map(nx.karate_club_graph(), color_by="club"))
    >>> len(net.nodes), len(net.edges)
    (34, 78)
    """
    from pyvis.network import Network

    data = page_data(map_data) if isinstance(map_data, str) else map_data
    if labels not in ("top", "all"):
        raise InvalidParameter("labels must be 'top' or 'all'")
    attributes = data.get("attributes") or []
    keys = [a["key"] for a in attributes]
    if color_by is not None and color_by not in keys:
        raise InvalidParameter(f"color_by must be one of {', '.join(keys)}, got {color_by!r}")
    index = keys.index(color_by) if color_by is not None else data.get("colorBy", 0)
    categories = attributes[index]["categories"] if attributes else []
    top = data.get("labelTop", 12)

    net = Network(height=height, width="100%", notebook=notebook, cdn_resources=cdn_resources)
    for n in data["nodes"]:
        fill = categories[n["g"][index]]["color"] if categories else "#97c2fc"
        shown = labels == "all" or n.get("ring") or n.get("r", 0) < top
        net.add_node(
            n["id"],
            label=str(n["label"]) if shown else " ",
            title=_title(n["info"]),
            x=n["x"],
            y=n["y"],
            size=n["size"],
            color={"background": fill, "border": "#111111" if n.get("ring") else fill},
            borderWidth=4 if n.get("ring") else 1,
            physics=False,
        )
    for e in data["edges"]:
        options = {"width": e["width"], "color": _EDGE_COLOURS[e.get("hl", 0)]}
        if e.get("info"):
            options["title"] = _title(e["info"])
        net.add_edge(e["from"], e["to"], **options)
    net.toggle_physics(False)
    return net
