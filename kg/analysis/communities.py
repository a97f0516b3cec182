"""Communities of the person network: detection, connectivity, profiles and kinds.

- :func:`detect_communities` -- Louvain modularity communities (igraph's C implementation of
  Blondel et al. [1]_, or python-louvain as the reference), or Leiden [2]_ (leidenalg); seeded,
  with a resolution; communities that come out disconnected (a known defect of Louvain [2]_) are
  split into their connected parts and reported.
- :func:`modularity` -- Newman-Girvan modularity with resolution, equal to
  ``networkx.community.modularity``.
- :func:`profile_communities` -- size, organisations, sectors, professions, anchoring forums,
  shared assets, and a kind: ``community_of_practice`` (a shared practice across
  organisations), ``organisational_cluster`` (one organisation dominates) or
  ``cross_boundary_network`` (mixed, without a shared practice).

References
----------
.. [1] V. D. Blondel, J.-L. Guillaume, R. Lambiotte and E. Lefebvre, "Fast unfolding of
   communities in large networks", J. Stat. Mech. P10008, 2008.
.. [2] V. A. Traag, L. Waltman and N. J. van Eck, "From Louvain to Leiden: guaranteeing
   well-connected communities", Scientific Reports 9:5233, 2019.
.. [3] E. Wenger, *Communities of Practice*, Cambridge University Press, 1998.
"""

from __future__ import annotations

import random
from collections import Counter

import igraph as ig
import networkx as nx
import numpy as np

from kg.errors import InvalidParameter

__all__ = [
    "METHODS",
    "ORGANISATION_DOMINANCE",
    "SHARED_PRACTICE",
    "detect_communities",
    "modularity",
    "profile_communities",
    "to_igraph",
]

METHODS = ("louvain", "leiden", "python-louvain")
ORGANISATION_DOMINANCE = 0.7  # share of members in one organisation that makes a cluster
SHARED_PRACTICE = 0.5  # share of members in one forum, or of one profession, that makes a CoP


def to_igraph(G: nx.Graph, weight: str | None = "weight") -> tuple[ig.Graph, list]:
    """The undirected igraph copy of ``G`` and the node list giving igraph's vertex order."""
    nodes = list(G)
    index = {v: i for i, v in enumerate(nodes)}
    edges = [(index[u], index[v]) for u, v in G.edges() if u != v]
    g = ig.Graph(n=len(nodes), edges=edges, directed=False)
    if weight is not None:
        g.es["weight"] = [float(d.get(weight, 1.0)) for u, v, d in G.edges(data=True) if u != v]
    return g, nodes


def _check(G, resolution):
    if not isinstance(G, nx.Graph) or G.is_directed():
        raise InvalidParameter("communities need an undirected networkx Graph")
    if not (isinstance(resolution, int | float) and resolution > 0):
        raise InvalidParameter("resolution must be a positive number")


def modularity(G: nx.Graph, communities, *, weight: str | None = "weight", resolution=1.0):
    """Modularity of a partition of ``G`` (as ``networkx.community.modularity`` computes it).

    Examples
    --------
    >>> G = nx.barbell_graph(5, 0)
    >>> round(modularity(G, [set(range(5)), set(range(5, 10))]), 4)
    0.4524
    """
    _check(G, resolution)
    g, nodes = to_igraph(G, weight)
    where = {}
    for c, members in enumerate(communities):
        for v in members:
            where[v] = c
    if len(where) != len(nodes):
        raise InvalidParameter("the communities must cover every node exactly once")
    if g.ecount() == 0:
        return 0.0
    return g.modularity([where[v] for v in nodes], weights="weight" if weight else None,
                        resolution=resolution)


def detect_communities(
    G: nx.Graph,
    *,
    method: str = "louvain",
    resolution: float = 1.0,
    seed: int = 0,
    weight: str | None = "weight",
) -> dict:
    """Find modularity communities, each guaranteed connected.

    Parameters
    ----------
    G : networkx.Graph
        Undirected (person) network.
    method : {"louvain", "leiden", "python-louvain"}
        ``louvain``: igraph's multilevel algorithm (the Louvain method in C); ``python-louvain``
        the pure-Python reference implementation (slow above a few thousand people);
        ``leiden``: the Leiden algorithm (leidenalg), which guarantees connected communities.
    resolution : float, default 1.0
        Above 1 gives more, smaller communities; below 1 fewer, larger ones.
    seed : int, default 0
    weight : str or None, default "weight"

    Returns
    -------
    dict
        ``{"communities": [set, ...]`` (largest first), ``"modularity"``, ``"method"``,
        ``"resolution"``, ``"seed"``, ``"split_disconnected"``: how many detected communities
        were disconnected and split into their connected parts (never lowers modularity)}``.

    Examples
    --------
    >>> G = nx.karate_club_graph()
    >>> result = detect_communities(G, seed=1)
    >>> len(result["communities"]) >= 3 and result["modularity"] > 0.4
    True
    """
    _check(G, resolution)
    if method not in METHODS:
        raise InvalidParameter(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    if not isinstance(seed, int):
        raise InvalidParameter("seed must be an integer")
    if G.number_of_nodes() == 0:
        return {"communities": [], "modularity": 0.0, "method": method,
                "resolution": resolution, "seed": seed, "split_disconnected": 0}
    if method == "python-louvain":
        import community as community_louvain

        part = community_louvain.best_partition(
            G, weight=weight or "weight", resolution=resolution, random_state=seed
        )
        groups: dict = {}
        for v, c in part.items():
            groups.setdefault(c, set()).add(v)
        found = list(groups.values())
    else:
        g, nodes = to_igraph(G, weight)
        w = "weight" if weight else None
        if method == "louvain":
            # igraph draws from Python's random module when told to: seed it for repeatability.
            state = random.getstate()
            ig.set_random_number_generator(random.Random(seed))
            try:
                membership = g.community_multilevel(weights=w, resolution=resolution).membership
            finally:
                ig.set_random_number_generator(random)
                random.setstate(state)
        else:
            import leidenalg

            part = leidenalg.find_partition(
                g, leidenalg.RBConfigurationVertexPartition, weights=w,
                resolution_parameter=resolution, seed=seed,
            )
            membership = part.membership
        groups = {}
        for i, c in enumerate(membership):
            groups.setdefault(c, set()).add(nodes[i])
        found = list(groups.values())
    communities, split = [], 0
    for c in found:
        parts = list(nx.connected_components(G.subgraph(c))) if len(c) > 1 else [c]
        if len(parts) > 1:
            split += 1
        communities.extend(set(p) for p in parts)
    communities.sort(key=lambda c: (-len(c), min(map(str, c))))
    return {
        "communities": communities,
        "modularity": modularity(G, communities, weight=weight, resolution=resolution),
        "method": method,
        "resolution": resolution,
        "seed": seed,
        "split_disconnected": split,
    }


def _most_common(counts: Counter, top: int) -> list[tuple]:
    # ties broken by value: Counter.most_common keeps insertion order, which follows set
    # iteration and so string hashing, and would differ from one process to the next
    return sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:top]


def _shares(values, size, top=5):
    counts = Counter(v for v in values if v is not None)
    return [{"value": k, "count": n, "share": n / size} for k, n in _most_common(counts, top)]


def profile_communities(
    G: nx.Graph,
    communities,
    *,
    forums_of: dict | None = None,
    assets_of: dict | None = None,
    forum_names: dict | None = None,
    asset_titles: dict | None = None,
) -> list[dict]:
    """Describe each community and say what kind it is.

    Kinds (thresholds are module constants):

    - ``organisational_cluster``: at least ``ORGANISATION_DOMINANCE`` (70 %) of the members
      belong to one organisation;
    - ``community_of_practice``: spans organisations, and a shared practice holds it together:
      one forum attended by at least ``SHARED_PRACTICE`` (50 %) of the members, or one
      profession making up at least half of them (Wenger's domain, community and practice);
    - ``cross_boundary_network``: spans organisations without such a shared practice.

    Parameters
    ----------
    G : networkx.Graph
        Person network with node attributes ``organisation``, ``sector``, ``profession``.
    communities : list of sets
    forums_of, assets_of : dict, optional
        Person id -> set of forum ids / asset ids (from the snapshot); without them the
        anchoring forums come from the shared forums on the community's edges.
    forum_names, asset_titles : dict, optional
        Ids to display names.

    Returns
    -------
    list of dict
        One per community, in the order given: ``id`` (1-based), ``size``, ``members``,
        ``kind``, ``organisations``, ``sectors``, ``professions`` (top five with counts and
        shares), ``anchoring_forums``, ``shared_assets``, ``internal_ties``, ``density``.

    Examples
    --------
    >>> G = nx.complete_graph(4)
    >>> nx.set_node_attributes(G, {0: "A", 1: "A", 2: "B", 3: "B"}, "organisation")
    >>> profile_communities(G, [set(G)])[0]["kind"]
    'cross_boundary_network'
    """
    forum_names = forum_names or {}
    asset_titles = asset_titles or {}
    out = []
    for k, members in enumerate(communities, start=1):
        members = [m for m in members if m in G]
        size = len(members)
        if size == 0:
            continue
        data = [G.nodes[m] for m in members]
        orgs = _shares([d.get("organisation") for d in data], size)
        for o in orgs:
            o["name"] = next((d.get("organisation_name") for d in data
                              if d.get("organisation") == o["value"]), None)
        sub = G.subgraph(members)
        internal = sub.number_of_edges()
        if forums_of is not None:
            forum_counts = Counter(f for m in members for f in forums_of.get(m, ()))
        else:  # people sharing a forum on an internal edge
            forum_counts = Counter()
            for m in members:
                seen = set()
                for _, _, fs in sub.edges(m, data="forums", default=()):
                    seen.update(fs or ())
                forum_counts.update(seen)
        anchoring = [
            {"id": f, "name": forum_names.get(f), "members": n, "share": n / size}
            for f, n in _most_common(forum_counts, 5)
        ]
        assets = Counter(a for m in members for a in (assets_of or {}).get(m, ()))
        shared_assets = [
            {"id": a, "title": asset_titles.get(a), "people": n}
            for a, n in _most_common(assets, 5) if n > 1
        ]
        professions = _shares([d.get("profession") for d in data], size)
        n_orgs = len({d.get("organisation") for d in data if d.get("organisation")})
        top_org = orgs[0]["share"] if orgs else 0.0
        practice = (anchoring and anchoring[0]["share"] >= SHARED_PRACTICE) or (
            professions and professions[0]["share"] >= SHARED_PRACTICE
        )
        if top_org >= ORGANISATION_DOMINANCE or n_orgs <= 1:
            kind = "organisational_cluster"
        elif practice:
            kind = "community_of_practice"
        else:
            kind = "cross_boundary_network"
        out.append({
            "id": k,
            "size": size,
            "members": sorted(members, key=str),
            "kind": kind,
            "organisations": orgs,
            "n_organisations": n_orgs,
            "sectors": _shares([d.get("sector") for d in data], size),
            "professions": professions,
            "anchoring_forums": anchoring,
            "shared_assets": shared_assets,
            "internal_ties": internal,
            "density": float(2 * internal / (size * (size - 1))) if size > 1 else 0.0,
            "hybrids": int(np.sum([bool(d.get("hybrid")) for d in data])),
        })
    return out
