"""Maps of individual people: the whole network and one person's ego network."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import networkx as nx

from kg.errors import NotFound
from kg.labels import attribute_label
from kg.maps._arrange import radial, separate
from kg.maps._build import (
    check_color_by,
    check_graph,
    check_positive_int,
    person_map_data,
    positions,
    scaled_sizes,
)
from kg.maps._page import render_page

__all__ = ["ego_map", "network_map"]


def colour_words(color_by) -> str:
    if isinstance(color_by, Mapping):
        return "group"
    return attribute_label(color_by).lower()


def period(G: nx.Graph) -> str:
    """ "; 1 Jan 2018 to 30 Nov 2019"-style words for the graph's window ("" when open)."""
    window = G.graph.get("window")
    if not window:
        return ""
    if isinstance(window, list | tuple) and len(window) == 2:
        start, end = (str(w) if w else None for w in window)
        if start and end:
            return f"; period {start} to {end}"
        if start:
            return f"; from {start}"
        if end:
            return f"; until {end}"
        return ""
    return f"; period {window}"


NOTE = "Hover for a summary, click or find someone for details; scroll to zoom; drag to pan."


def network_map(
    G: nx.Graph,
    *,
    color_by: str | Mapping = "organisation",
    size_by: Mapping | None = None,
    size_label: str | None = None,
    title: str | None = None,
    max_nodes: int = 1500,
    communities: Sequence[set] | None = None,
    forums: Mapping | None = None,
    links: Mapping | None = None,
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
    forums : mapping forum id -> {"name", "kind", "members"}, optional
        The forums, so a person's panel lists the ones they attend by name (``members``: the
        people who attend). Without it, the panel lists the forum ids on their ties.
    links : mapping, optional
        Panel links (``{"ego": ..., "person": ..., "group": ...}``, ``{key}`` is replaced by a
        person's id); default: the API's routes. ``{}`` shows none.
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
    check_positive_int("max_nodes", max_nodes)
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
        forums=forums,
        links=links,
        seed=seed,
    )
    return render_page(
        data,
        title=title or "Collaboration network",
        subtitle=f"{n:,} people, {m:,} connections" + period(G),
        notes=[NOTE],
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
    forums: Mapping | None = None,
    links: Mapping | None = None,
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
    color_by, size_by, size_label, title, communities, forums, links, seed
        As in :func:`network_map`; the page also offers colouring by distance from the person,
        who is drawn in the middle with each step out on a wider ring.
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
    check_positive_int("hops", hops)
    check_positive_int("max_nodes", max_nodes)
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
    words = {0: "The person", 1: "1 step away"}
    words.update({d: f"{d} steps away" for d in range(2, hops + 1)})
    greys = {0: "#111111", 1: "#4a90c8", 2: "#9ecae1", 3: "#c6dbef", 4: "#deebf7"}
    name = str(G.nodes[person_id].get("name") or person_id)
    index = {node: i for i, node in enumerate(nodes)}
    xy = radial(
        positions(G, nodes, index, seed), [distance[n] for n in nodes], centre=0,
        ring=110.0 if hops == 1 else 150.0,
    )  # fmt: skip
    if len(nodes) <= 800:  # the biggest people sit together on a ring: give each room
        sizes = scaled_sizes(nodes, size_by, smallest=6.0, largest=28.0, default=10.0)
        xy = separate(xy, [s + 3.0 for s in sizes], gap=2.0, iterations=150)
        xy -= xy[0]  # the person stays in the middle
    data = person_map_data(
        G,
        nodes,
        color_by=color_by,
        communities=communities,
        size_by=size_by,
        size_label=size_label,
        rings={person_id: ["The person this map is about"]},
        extra_attributes=[
            (
                "distance",
                "Distance from the person",
                {n: distance[n] for n in nodes},
                words,
                {d: greys.get(d, "#deebf7") for d in words},
            )
        ],  # fmt: skip
        legend_extra=["Dark ring: the person this map is about, in the middle."],
        forums=forums,
        links=links,
        xy=xy,
        seed=seed,
    )
    keys = [a["key"] for a in data["attributes"]]
    wanted = "group" if isinstance(color_by, Mapping) else color_by
    data["colorBy"] = keys.index(wanted) if wanted in keys else 0
    data["centre"] = 0
    edges = G.subgraph(nodes).number_of_edges()
    return render_page(
        data,
        title=title or f"Ego network of {name}",
        subtitle=f"{len(nodes) - 1:,} people within {hops} step{'s' if hops != 1 else ''}, "
        f"{edges:,} connections" + period(G),
        banner=banner,
        notes=[NOTE],
    )
