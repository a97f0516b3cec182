"""The bridges between two groups: who connects, say, acute care and community health."""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx

from kg.errors import InvalidParameter
from kg.maps._build import check_graph, display_value, person_map_data
from kg.maps._page import render_page

__all__ = ["bridges_map"]


def _members(G: nx.Graph, attribute: str, group) -> set:
    exact = {n for n, a in G.nodes(data=True) if a.get(attribute) == group}
    if exact:
        return exact
    # Values typed on a command line arrive as text ("True", an id); match them by their text too.
    text = str(group).casefold()
    return {
        n
        for n, a in G.nodes(data=True)
        if a.get(attribute) is not None
        and (
            str(a.get(attribute)).casefold() == text
            or display_value(attribute, a).casefold() == text
        )
    }


def bridges_map(
    G: nx.Graph,
    attribute: str,
    groups: tuple,
    *,
    scores: Mapping,
    top: int = 10,
    score_label: str = "Between-group betweenness",
    title: str | None = None,
    max_nodes: int = 1500,
    seed: int = 0,
) -> str:
    """The people of two groups, the top brokers between them, and the ties they carry.

    Draws the members of both groups, the ``top`` brokers by ``scores`` (ringed, labelled with their
    rank) and the people outside both groups who touch both (one-step intermediaries). Ties of the
    top brokers into either group are orange (the paths they carry); direct ties from one group to
    the other are purple; all other ties are faint. Nodes are sized by score and coloured by side.

    Parameters
    ----------
    G : networkx.Graph
        Person graph (see :func:`kg.maps.network_map`).
    attribute : str
        Person attribute defining the groups, e.g. ``"sector"`` or ``"organisation"``.
    groups : (a, b)
        The two values of ``attribute`` to bridge, e.g. ``("acute", "community health")``.
    scores : mapping node -> float
        Brokerage scores, typically between-group betweenness from
        :func:`kg.analysis.brokers.between_groups_betweenness`.
    top : int, default 10
        How many brokers to ring and label.
    score_label : str
        Name of the score in tooltips and legend.
    title : str, optional
        Page heading.
    max_nodes : int, default 1500
        If the two groups are larger, only the brokers, their neighbours in the groups,
        intermediaries and the ends of direct cross-group ties are drawn, and a banner says so.
    seed : int
        Layout seed.

    Returns
    -------
    str
        Self-contained HTML document.

    Raises
    ------
    InvalidParameter
        ``groups`` is not two distinct values, a group has no members, or ``top`` < 1.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> a = {n for n in G if G.nodes[n]["club"] == "Mr. Hi"}
    >>> scores = nx.betweenness_centrality_subset(G, a, set(G) - a)
    >>> "Bridges" in bridges_map(G, "club", ("Mr. Hi", "Officer"), scores=scores, top=3)
    True

    References
    ----------
    U. Brandes, "On variants of shortest-path betweenness centrality and their generic
    computation", Social Networks 30(2), 2008 (betweenness restricted to sources and targets).
    """
    check_graph(G)
    if not isinstance(attribute, str) or not attribute:
        raise InvalidParameter("attribute must be a person attribute name, e.g. 'sector'")
    if not isinstance(groups, list | tuple) or len(groups) != 2:
        raise InvalidParameter("groups must be a pair (a, b) of attribute values")
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise InvalidParameter(f"top must be an integer >= 1, got {top!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise InvalidParameter(f"max_nodes must be an integer >= 1, got {max_nodes!r}")
    if not isinstance(scores, Mapping):
        raise InvalidParameter("scores must be a mapping node -> score")
    side_a, side_b = (_members(G, attribute, g) for g in groups)
    for group, members in zip(groups, (side_a, side_b), strict=True):
        if not members:
            values = sorted({display_value(attribute, a) for _, a in G.nodes(data=True)})
            shown = ", ".join(values[:20]) + (" ..." if len(values) > 20 else "")
            raise InvalidParameter(f"no one has {attribute} = {group!r}; values present: {shown}")
    if side_a == side_b:
        raise InvalidParameter("the two groups must differ")
    name_a = display_value(attribute, G.nodes[next(iter(side_a))])
    name_b = display_value(attribute, G.nodes[next(iter(side_b))])

    ranked = sorted(
        (n for n in G if n in scores and scores[n] and scores[n] > 0),
        key=lambda n: (-float(scores[n]), str(n)),
    )
    brokers = ranked[:top]
    both = side_a | side_b
    intermediaries = {
        n
        for n in G
        if n not in both and any(v in side_a for v in G[n]) and any(v in side_b for v in G[n])
    }
    shown = both | set(brokers) | intermediaries
    banner = None
    if len(shown) > max_nodes:
        focus = set(brokers) | intermediaries
        for b in brokers:
            focus.update(v for v in G[b] if v in both)
        for u in side_a:
            across = [v for v in G[u] if v in side_b]
            if across:
                focus.add(u)
                focus.update(across)
        if len(focus) > max_nodes:
            by_score = sorted(focus, key=lambda n: (-float(scores.get(n, 0) or 0), str(n)))
            focus = set(by_score[:max_nodes]) | set(brokers)
        banner = (
            f"The two groups have {len(both):,} people, more than this view draws ({max_nodes:,}); "
            f"showing the {len(focus):,} on the bridges: brokers, their ties into each group, "
            "intermediaries and people with direct ties across."
        )
        shown = focus
    broker_set = set(brokers)

    def highlight(u, v) -> int:
        if (u in broker_set and v in shown) or (v in broker_set and u in shown):
            return 1
        if (u in side_a and v in side_b) or (u in side_b and v in side_a):
            return 2
        return 0

    def side(n) -> str:
        if n in side_a:
            return name_a
        if n in side_b:
            return name_b
        return "in between (ties to both)" if n in intermediaries else "elsewhere"

    nodes = sorted(shown, key=lambda n: (side(n), str(n)))
    rings = {
        b: [f"Top broker #{rank} ({score_label}: {float(scores[b]):.3g})"]
        for rank, b in enumerate(brokers, start=1)
    }
    data = person_map_data(
        G,
        nodes,
        color_by="side",
        size_by={n: scores.get(n, 0.0) for n in nodes},
        size_label=score_label,
        rings=rings,
        edge_highlight=highlight,
        extra_attributes=[("side", "Side", {n: side(n) for n in nodes})],
        legend_extra=[
            f"Dark rings: the top {len(brokers)} brokers between {name_a} and {name_b}.",
            "Orange lines: ties of the top brokers (the paths they carry).",
            f"Purple lines: direct ties between {name_a} and {name_b}.",
        ],
        seed=seed,
    )
    data["colorBy"] = 0
    for node in data["nodes"]:
        if node["key"] in {str(b) for b in brokers}:
            rank = next(r for r, b in enumerate(brokers, 1) if str(b) == node["key"])
            node["label"] = f"#{rank} {node['label']}"
    cross = sum(1 for u in side_a for v in G[u] if v in side_b)
    return render_page(
        data,
        title=title or f"Bridges between {name_a} and {name_b}",
        subtitle=f"{len(side_a):,} and {len(side_b):,} people by {attribute}; {cross:,} direct "
        f"ties across; top {len(brokers)} brokers ringed",
        banner=banner,
        notes=["Hover a node or line for details; scroll to zoom; drag to pan."],
    )
