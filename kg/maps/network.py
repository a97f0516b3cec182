"""Maps of individual people: the whole network and one person's ego network."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import networkx as nx

from kg.errors import InvalidParameter, NotFound
from kg.maps._build import (
    ATTRIBUTE_LABELS,
    check_color_by,
    check_graph,
    person_map_data,
)
from kg.maps._page import render_page

__all__ = ["ego_map", "network_map"]


def _check_positive_int(name: str, value, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidParameter(f"{name} must be an integer >= {minimum}, got {value!r}")


def _colour_words(color_by) -> str:
    if isinstance(color_by, Mapping):
        return "group"
    return ATTRIBUTE_LABELS.get(color_by, color_by).lower()


def _period(G: nx.Graph) -> str:
    window = G.graph.get("window")
    if not window:
        return ""
    if isinstance(window, list | tuple) and len(window) == 2:
        start, end = (str(w) if w else "..." for w in window)
        return f"; period {start} to {end}"
    return f"; period {window}"


def network_map(
    G: nx.Graph,
    *,
    color_by: str | Mapping = "organisation",
    size_by: Mapping | None = None,
    size_label: str | None = None,
    title: str | None = None,
    max_nodes: int = 1500,
    communities: Sequence[set] | None = None,
    seed: int = 0,
) -> str:
    """The whole person network as one self-contained interactive HTML page.

    Parameters
    ----------
    G : networkx.Graph
        Person graph as made by :func:`kg.analysis.projection.person_network`: node attributes
        ``name``, ``organisation``, ``organisation_name``, ``sector``, ``profession``,
        ``role_kind``, ``level``, ``hybrid``; edge attribute ``weight`` (and optionally the layer
        weights and ``forums``).
    color_by : str or mapping, default "organisation"
        Initial colouring: a person attribute (organisation, sector, profession, role_kind, level,
        hybrid), ``"community"`` (needs ``communities``), or a mapping node -> group name. The page
        lets the reader switch between attributes.
    size_by : mapping node -> float, optional
        A brokerage metric (e.g. betweenness) to size nodes by; area grows with the value.
    size_label : str, optional
        Name of that metric for the legend and tooltips.
    title : str, optional
        Page heading (plain text).
    max_nodes : int, default 1500
        Above this many people the map shows one node per community (when ``communities`` is
        given) or per organisation instead, and says so in a banner, so the browser never hangs.
    communities : sequence of sets, optional
        Person communities, e.g. from Louvain; adds a "Community" colouring.
    seed : int
        Seed of the layout, so the same graph is drawn the same way.

    Returns
    -------
    str
        An HTML document with no external scripts or stylesheets.

    Raises
    ------
    InvalidParameter
        Unknown ``color_by``, or a bad ``max_nodes``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> html = network_map(G, color_by="club", seed=7)
    >>> html.startswith("<!DOCTYPE html>")
    True

    References
    ----------
    vis-network, https://visjs.github.io/vis-network/ (rendering, bundled offline).
    """
    check_graph(G)
    _check_positive_int("max_nodes", max_nodes)
    check_color_by(G, color_by, communities)
    n, m = G.number_of_nodes(), G.number_of_edges()
    if n > max_nodes:
        from kg.maps.aggregate import aggregated_page

        by = "community" if communities is not None else "organisation"
        return aggregated_page(
            G,
            by=by,
            communities=communities,
            title=title or "Collaboration network",
            banner=(
                f"This network has {n:,} people, more than the {max_nodes:,} this view draws "
                f"one by one, so each node here is one {by} sized by headcount. Open the {by} "
                "map or a person's ego map to see individuals."
            ),
            seed=seed,
        )
    data = person_map_data(
        G,
        list(G.nodes),
        color_by=color_by,
        communities=communities,
        size_by=size_by,
        size_label=size_label,
        seed=seed,
    )
    return render_page(
        data,
        title=title or "Collaboration network",
        subtitle=f"{n:,} people, {m:,} connections; coloured by {_colour_words(color_by)}"
        + _period(G),
        notes=["Hover a node or line for details; scroll to zoom; drag to pan."],
    )


def ego_map(
    G: nx.Graph,
    person_id,
    *,
    hops: int = 1,
    color_by: str | Mapping = "organisation",
    size_by: Mapping | None = None,
    size_label: str | None = None,
    title: str | None = None,
    max_nodes: int = 1500,
    communities: Sequence[set] | None = None,
    seed: int = 0,
) -> str:
    """One person's ego network: everyone within ``hops`` steps, and the ties among them.

    Parameters
    ----------
    G : networkx.Graph
        Person graph (see :func:`network_map`).
    person_id : node
        The person at the centre, drawn larger with a dark ring.
    hops : int, default 1
        Radius in steps along ties.
    color_by, size_by, size_label, title, communities, seed
        As in :func:`network_map`; the page also offers colouring by distance from the person.
    max_nodes : int, default 1500
        If more people are within reach, the nearest ``max_nodes`` (breadth first) are drawn and a
        banner says so.

    Returns
    -------
    str
        Self-contained HTML document.

    Raises
    ------
    NotFound
        ``person_id`` is not in the graph.
    InvalidParameter
        Bad ``hops``, ``max_nodes`` or ``color_by``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> "Ego network" in ego_map(G, 0, hops=1, color_by="club", seed=7)
    True
    """
    check_graph(G)
    if person_id not in G:
        raise NotFound("person", str(person_id))
    _check_positive_int("hops", hops)
    _check_positive_int("max_nodes", max_nodes)
    check_color_by(G, color_by, communities)
    distance = nx.single_source_shortest_path_length(G, person_id, cutoff=hops)
    reach = len(distance)
    nodes = list(distance)[:max_nodes]  # breadth-first order, so the nearest are kept
    banner = None
    if reach > max_nodes:
        banner = (
            f"{reach:,} people are within {hops} steps; the {max_nodes:,} nearest are drawn. "
            "Use fewer hops to see everyone."
        )
    labels = {0: "the person", 1: "1 step away"}
    steps = {node: labels.get(d, f"{d} steps away") for node, d in distance.items()}
    name = str(G.nodes[person_id].get("name") or person_id)
    data = person_map_data(
        G,
        nodes,
        color_by=color_by,
        communities=communities,
        size_by=size_by,
        size_label=size_label,
        rings={person_id: ["The person this map is about"]},
        extra_attributes=[("distance", "Distance from the person", steps)],
        legend_extra=["Dark ring: the person this map is about."],
        seed=seed,
    )
    keys = [a["key"] for a in data["attributes"]]
    wanted = "group" if isinstance(color_by, Mapping) else color_by
    data["colorBy"] = keys.index(wanted) if wanted in keys else 0
    edges = G.subgraph(nodes).number_of_edges()
    return render_page(
        data,
        title=title or f"Ego network of {name}",
        subtitle=f"{len(nodes) - 1:,} people within {hops} step{'s' if hops != 1 else ''}, "
        f"{edges:,} connections; coloured by {_colour_words(color_by)}" + _period(G),
        banner=banner,
        notes=["Hover a node or line for details; scroll to zoom; drag to pan."],
    )
