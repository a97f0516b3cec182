"""Maps of groups of people: one node per community or per organisation, and drilling into one
community."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import networkx as nx

from kg.errors import InvalidParameter, NotFound
from kg.maps._build import (
    aggregate_map_data,
    check_color_by,
    check_graph,
    check_positive_int,
    community_index,
    person_map_data,
)
from kg.maps._page import render_page
from kg.maps.network import NOTE

__all__ = ["communities_map", "organisations_map"]

_NOTES = [
    "Hover a circle for its profile, click it for its people; hover a line for the ties "
    "between two groups."
]


def _check_communities(communities) -> list[set]:
    if isinstance(communities, str | bytes) or not isinstance(
        communities, Sequence | set | frozenset
    ):
        raise InvalidParameter("communities must be a list of sets of nodes")
    checked = []
    for members in communities:
        if isinstance(members, str | bytes):
            raise InvalidParameter("each community must be a set of nodes, not a string")
        checked.append(set(members))
    return checked


def aggregated_page(
    G: nx.Graph,
    *,
    by: str,
    communities: Sequence[set] | None = None,
    title: str,
    banner: str | None = None,
    color_by: str | None = None,
    links: Mapping | None = None,
    seed: int = 0,
) -> str:
    """One node per community (``by="community"``) or per organisation (``by="organisation"``)."""
    if by == "community":
        membership = community_index(communities)
        labels = {i: f"Community {i + 1}" for i in range(len(communities))}
        labels[None] = "No community"
        data = aggregate_map_data(
            G, membership, group_labels=labels, unit="community", own_colour=True,
            color_by=color_by, drill={i: i + 1 for i in range(len(communities))}, links=links,
            seed=seed,
        )  # fmt: skip
    else:
        membership = {n: a.get("organisation") for n, a in G.nodes(data=True)}
        labels = {None: "No organisation recorded"}
        for _, attrs in G.nodes(data=True):
            org = attrs.get("organisation")
            if org is not None and org not in labels:
                labels[org] = str(attrs.get("organisation_name") or org)
        data = aggregate_map_data(
            G, membership, group_labels=labels, unit="organisation", own_colour=False,
            color_by=color_by or "sector", links=links, seed=seed,
        )  # fmt: skip
    groups, lines = len(data["nodes"]), len(data["edges"])
    unit = "communities" if by == "community" else "organisations"
    return render_page(
        data,
        title=title,
        subtitle=f"{G.number_of_nodes():,} people in {groups:,} {unit}; "
        f"{lines:,} links between {unit}",
        banner=banner,
        notes=_NOTES,
    )


def communities_map(
    G: nx.Graph,
    communities: Sequence[set],
    *,
    community: int | None = None,
    color_by: str | Mapping = "organisation",
    size_by: Mapping | None = None,
    size_label: str | None = None,
    title: str | None = None,
    max_nodes: int = 1500,
    forums: Mapping | None = None,
    links: Mapping | None = None,
    seed: int = 0,
) -> str:
    """Communities of the person network: one node per community, or the people of one.

    With ``community=None`` each community is one node sized by headcount, with lines for the ties
    between communities; hovering shows its profile (organisations, sectors, professions, ties
    inside and out, E-I index). A community of practice spans organisations; an organisational silo
    does not. With ``community=i`` the page draws the people of community ``i`` (0-based, in the
    order given), coloured by organisation by default.

    Parameters
    ----------
    G : networkx.Graph
        Person graph (see :func:`kg.maps.network_map`).
    communities : sequence of sets
        Disjoint sets of nodes, e.g. Louvain communities.
    community : int, optional
        Index of the community to drill into.
    color_by, size_by, size_label, title, forums, links, seed
        As in :func:`kg.maps.network_map` (``color_by`` and sizes apply when drilling in).
    max_nodes : int, default 1500
        When drilling into a larger community, its ``max_nodes`` best-connected people are drawn
        and a banner says so.

    Returns
    -------
    str
        Self-contained HTML document.

    Raises
    ------
    NotFound
        ``community`` is not an index of ``communities``.
    InvalidParameter
        Malformed ``communities`` or unknown ``color_by``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> parts = nx.community.louvain_communities(G, seed=7)
    >>> "Community 1" in communities_map(G, parts, seed=7)
    True

    References
    ----------
    D. Krackhardt and R. N. Stern, "Informal networks and organizational crises: an experimental
    simulation", Social Psychology Quarterly 51(2), 1988 (the E-I index).
    """
    check_graph(G)
    communities = _check_communities(communities)
    if community is None:
        return aggregated_page(
            G, by="community", communities=communities, title=title or "Communities",
            links=links, seed=seed,
        )  # fmt: skip
    if isinstance(community, bool) or not isinstance(community, int):
        raise InvalidParameter(f"community must be an integer index, got {community!r}")
    if not 0 <= community < len(communities):
        raise NotFound("community", str(community))
    check_positive_int("max_nodes", max_nodes)
    check_color_by(G, color_by, communities)
    members = [n for n in G.nodes if n in communities[community]]
    banner = None
    if len(members) > max_nodes:
        degree = G.degree(members)
        members = sorted(members, key=lambda n: -degree[n])[:max_nodes]
        banner = (
            f"Community {community + 1} has {len(communities[community]):,} people; the "
            f"{max_nodes:,} best connected are drawn."
        )
    data = person_map_data(
        G,
        members,
        color_by=color_by,
        communities=communities,
        size_by=size_by,
        size_label=size_label,
        forums=forums,
        links=links,
        seed=seed,
    )
    organisations = {G.nodes[n].get("organisation") for n in members} - {None}
    return render_page(
        data,
        title=title or f"Community {community + 1}",
        subtitle=f"{len(members):,} people from {len(organisations)} organisation"
        f"{'s' if len(organisations) != 1 else ''}",
        banner=banner,
        notes=[NOTE],
    )


def organisations_map(
    G: nx.Graph,
    *,
    color_by: str = "sector",
    title: str | None = None,
    links: Mapping | None = None,
    seed: int = 0,
) -> str:
    """The organisation-level network: person-to-person ties aggregated between organisations.

    One node per organisation (people without one are grouped as "(no organisation)"), sized by
    headcount and coloured by sector; a line's width is the total weight of the ties between the
    two organisations and its tooltip counts them. Hovering an organisation shows its ties inside
    and out and its E-I index.

    Parameters
    ----------
    G : networkx.Graph
        Person graph (see :func:`kg.maps.network_map`).
    color_by : {"sector", "profession"}, default "sector"
        Initial colouring (sector, or the organisation's most common profession).
    title : str, optional
        Page heading.
    seed : int
        Layout seed.

    Returns
    -------
    str
        Self-contained HTML document.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([(1, 2), (2, 3)])
    >>> nx.set_node_attributes(G, {1: "A", 2: "A", 3: "B"}, "organisation")
    >>> "2 organisations" in organisations_map(G)
    True
    """
    check_graph(G)
    if color_by not in ("sector", "profession", "organisation"):
        raise InvalidParameter("color_by must be 'sector' or 'profession' for the organisation map")
    return aggregated_page(
        G, by="organisation", title=title or "Organisations", color_by=color_by, links=links,
        seed=seed,
    )  # fmt: skip
