"""Communities of the person network: detection, connectivity, profiles and kinds.

- :func:`detect_communities` -- Louvain modularity communities (igraph's C implementation of
  Blondel et al. 2008, or python-louvain as the reference), or Leiden (Traag, Waltman and van
  Eck 2019; leidenalg): the best of several seeded restarts (Good, de Montjoye and Clauset
  2010), with a resolution; communities that come out disconnected (a known defect of Louvain)
  are split into their connected parts and reported.
- :func:`modularity` -- Newman-Girvan modularity (Newman 2006) with resolution, equal to
  ``networkx.community.modularity``.
- :func:`profile_communities` -- size, organisations, sectors, professions, anchoring forums,
  shared assets, and a kind: ``community_of_practice`` (a shared practice across
  organisations, after Wenger 1998), ``organisational_cluster`` (one organisation dominates)
  or ``cross_boundary_network`` (mixed, without a shared practice).

The references are given in full in each function's docstring.
"""

from __future__ import annotations

import math
import numbers
import operator
import random
from collections import Counter

import igraph as ig
import networkx as nx
import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from kg.analysis._fast import node_index, to_igraph
from kg.analysis._igraph_rng import seeded_igraph
from kg.errors import InvalidParameter

__all__ = [
    "LARGE_NETWORK_TIES",
    "LARGE_NETWORK_RESTARTS",
    "METHODS",
    "ORGANISATION_DOMINANCE",
    "RESTARTS",
    "SHARED_PRACTICE",
    "detect_communities",
    "modularity",
    "profile_communities",
]

METHODS = ("louvain", "leiden", "python-louvain")
RESTARTS = 10  # seeded runs by default; the best partition is kept
LARGE_NETWORK_TIES = 200_000  # above this many ties, fewer restarts by default ...
LARGE_NETWORK_RESTARTS = 3  # ... to keep the cost of a large network reasonable
ORGANISATION_DOMINANCE = 0.7  # share of members in one organisation that makes a cluster
SHARED_PRACTICE = 0.5  # share of members in one forum, or of one profession, that makes a CoP


def _check(G, resolution):
    if not isinstance(G, nx.Graph) or G.is_directed():
        raise InvalidParameter("communities need an undirected networkx Graph")
    if (isinstance(resolution, bool) or not isinstance(resolution, numbers.Real)
            or not (math.isfinite(resolution) and resolution > 0)):
        raise InvalidParameter("resolution must be a positive number")


def _prepare(G: nx.Graph, weight: str | None) -> tuple[ig.Graph, list, bool]:
    """igraph copy, node order, and whether there is any tie weight to score at all."""
    nodes, index = node_index(G)
    # Every tie kept, self-loops too, so that modularity equals networkx's.
    g = to_igraph(G, index, simple=False, weight=weight)
    if weight is None:
        return g, nodes, g.ecount() > 0
    w = np.asarray(g.es["weight"], dtype=float)
    if not (np.isfinite(w).all() and (w >= 0).all()):
        raise InvalidParameter("edge weights must be finite and not negative")
    return g, nodes, bool(w.sum() > 0)


def _quality(g: ig.Graph, membership, resolution: float, scorable: bool) -> float:
    # igraph's modularity is networkx's formula (loops and weights alike); a network without
    # ties (or with zero total weight) has no community structure to score.
    if not scorable:
        return 0.0
    weights = "weight" if "weight" in g.es.attributes() else None
    return g.modularity(membership, weights=weights, resolution=resolution)


def modularity(G: nx.Graph, communities, *, weight: str | None = "weight", resolution=1.0):
    r"""Modularity of a partition of ``G`` (as ``networkx.community.modularity`` computes it).

    .. math:: Q = \sum_c \left[ \frac{L_c}{m} - \gamma \left( \frac{d_c}{2m} \right)^2 \right]

    with :math:`L_c` the (weight of the) ties inside community :math:`c`, :math:`d_c` the sum
    of its members' degrees, :math:`m` the total, and :math:`\gamma` the resolution [1]_.

    Parameters
    ----------
    G : networkx.Graph
        Undirected network.
    communities : iterable of sets
        A partition: every node of ``G`` in exactly one set.
    weight : str or None, default "weight"
        Edge attribute holding tie strength (missing means 1); None for unweighted.
    resolution : float, default 1.0
        :math:`\gamma`; 1 gives standard modularity.

    Returns
    -------
    float

    References
    ----------
    .. [1] M. E. J. Newman, "Modularity and community structure in networks", PNAS 103(23),
       8577-8582, 2006.

    Examples
    --------
    >>> G = nx.barbell_graph(5, 0)
    >>> round(modularity(G, [set(range(5)), set(range(5, 10))]), 4)
    0.4524
    """
    _check(G, resolution)
    g, nodes, scorable = _prepare(G, weight)
    where = {}
    for c, members in enumerate(communities):
        for v in members:
            if v in where or v not in G:
                raise InvalidParameter("the communities must cover every node exactly once")
            where[v] = c
    if len(where) != len(nodes):
        raise InvalidParameter("the communities must cover every node exactly once")
    return _quality(g, [where[v] for v in nodes], resolution, scorable)


def _restart_seeds(seed: int, restarts: int) -> list[int]:
    # The first run uses `seed` itself (a single restart is the plain seeded algorithm); the
    # others come from a private generator seeded by it, so a longer run only adds restarts.
    rng = random.Random(seed)
    return [seed] + [rng.randrange(2**31) for _ in range(restarts - 1)]


def _connected_parts(ends: np.ndarray, membership) -> tuple[np.ndarray, int]:
    """Split each community into its connected parts: (new membership, how many were split).

    ``ends`` is the (m, 2) array of edge ends. The parts are the components of the graph
    keeping only ties inside communities. Splitting never lowers modularity at any resolution:
    no internal tie is lost and the null-model term only shrinks.
    """
    mem = np.asarray(membership, dtype=np.int64)
    n = mem.size
    inside = ends[mem[ends[:, 0]] == mem[ends[:, 1]]]
    adjacency = sparse.coo_matrix(
        (np.ones(len(inside), dtype=np.int8), (inside[:, 0], inside[:, 1])), shape=(n, n))
    _, parts = connected_components(adjacency, directed=False)
    community_of_part = np.empty(parts.max() + 1, dtype=np.int64)
    community_of_part[parts] = mem
    split = int((np.bincount(community_of_part) > 1).sum())
    return parts.astype(np.int64), split


def _run(g: ig.Graph, G: nx.Graph, nodes: list, method: str, resolution: float, seed: int,
         weight: str | None) -> list[int]:
    """One seeded run of ``method``: a membership list in igraph's vertex order."""
    w = "weight" if weight is not None else None
    if method == "louvain":
        # igraph shuffles the vertex order from its process-wide generator: seed it under the
        # shared lock so concurrent calls cannot interleave their draws.
        with seeded_igraph(seed):
            return g.community_multilevel(weights=w, resolution=resolution).membership
    if method == "leiden":
        import leidenalg  # draws from its own generator, seeded per call

        return leidenalg.find_partition(
            g, leidenalg.RBConfigurationVertexPartition, weights=w,
            resolution_parameter=resolution, seed=seed,
        ).membership
    import community as community_louvain  # python-louvain: its own numpy generator

    # python-louvain counts a tie without the weight attribute as 1: name an absent one to
    # run unweighted.
    part = community_louvain.best_partition(
        G, weight=weight or "__unweighted__", resolution=resolution, random_state=seed
    )
    return [part[v] for v in nodes]


def detect_communities(
    G: nx.Graph,
    *,
    method: str = "louvain",
    resolution: float = 1.0,
    seed: int = 0,
    weight: str | None = "weight",
    restarts: int | None = None,
) -> dict:
    """Find modularity communities: the best of several seeded runs, each community connected.

    Louvain [1]_ is a randomised greedy heuristic whose answer depends on the order in which
    it visits the vertices: one run often stops in a local optimum (on Zachary's karate club
    single runs end anywhere between 0.392 and the proven maximum 0.4198 [4]_). Modularity
    [3]_ has many near-optimal partitions [5]_, so the standard practice is to run the algorithm
    several times and keep the best partition; the runs' seeds derive from ``seed``, so the
    answer is reproducible. Each run's communities are split into their connected parts
    before scoring, since Louvain can return disconnected communities [2]_.

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
        Seeds the first run; the other runs' seeds are drawn from a generator seeded by it.
    weight : str or None, default "weight"
        Edge attribute holding tie strength (missing means 1); None for unweighted.
    restarts : int or None, default None
        How many seeded runs; None chooses ``RESTARTS`` (10), or ``LARGE_NETWORK_RESTARTS``
        (3) above ``LARGE_NETWORK_TIES`` (200,000) ties, to bound the cost.

    Returns
    -------
    dict
        - ``communities``: list of sets of nodes, largest first, each connected;
        - ``modularity``: standard (resolution 1) modularity of that partition, as
          ``networkx.community.modularity`` computes it;
        - ``quality``: the modularity at ``resolution``, which the runs maximise and which
          picks the best run (equal to ``modularity`` at resolution 1; at other resolutions
          it is not comparable with modularity and may exceed its maximum);
        - ``method``, ``resolution``, ``seed``: as given;
        - ``restarts``: how many runs were made; ``restarts_note``: why that many;
        - ``best_restart``: which run (0-based; run 0 uses ``seed`` itself) was kept;
        - ``modularity_spread``: ``{"min", "median", "max"}`` of the standard modularity
          over the runs, a gauge of how stable the optimum is;
        - ``split_disconnected``: how many communities of the kept run came out disconnected
          and were split into their connected parts (never lowers modularity).

    Raises
    ------
    InvalidParameter
        If ``G`` is not an undirected networkx graph, ``method`` is unknown, ``resolution`` is
        not a positive number, ``seed`` is not an integer, ``restarts`` is not a positive
        integer, or a weight is negative or not finite.

    Notes
    -----
    The best run is the one with the highest ``quality``, the objective every run maximises;
    at the default resolution 1 that is standard modularity.

    Cost grows linearly with ``restarts``: one igraph Louvain run takes about 0.05 s of CPU on
    5,000 people with 15,000-35,000 ties, and about 3 s on 100,000 people with 800,000 ties
    (hence fewer restarts above ``LARGE_NETWORK_TIES``).

    References
    ----------
    .. [1] V. D. Blondel, J.-L. Guillaume, R. Lambiotte and E. Lefebvre, "Fast unfolding of
       communities in large networks", J. Stat. Mech. P10008, 2008.
    .. [2] V. A. Traag, L. Waltman and N. J. van Eck, "From Louvain to Leiden: guaranteeing
       well-connected communities", Scientific Reports 9:5233, 2019.
    .. [3] M. E. J. Newman, "Modularity and community structure in networks", PNAS 103(23),
       8577-8582, 2006.
    .. [4] U. Brandes et al., "On modularity clustering", IEEE Trans. Knowledge and Data
       Engineering 20(2), 172-188, 2008.
    .. [5] B. H. Good, Y.-A. de Montjoye and A. Clauset, "Performance of modularity
       maximization in practical contexts", Physical Review E 81, 046106, 2010.

    Examples
    --------
    >>> G = nx.karate_club_graph()
    >>> result = detect_communities(G, seed=1, weight=None)
    >>> round(result["modularity"], 4), len(result["communities"]), result["restarts"]
    (0.4198, 4, 10)
    >>> result == detect_communities(G, seed=1, weight=None)
    True

    At another resolution the reported modularity stays the standard one:

    >>> coarse = detect_communities(G, seed=1, weight=None, resolution=0.5)
    >>> coarse["modularity"] <= 0.4198 < coarse["quality"]
    True
    """
    _check(G, resolution)
    if method not in METHODS:
        raise InvalidParameter(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise InvalidParameter("seed must be an integer")
    seed = operator.index(seed)
    if restarts is not None and (isinstance(restarts, bool) or not isinstance(restarts, int)
                                 or restarts < 1):
        raise InvalidParameter("restarts must be a positive integer (or None for the default)")
    if restarts is not None:
        note = f"best of {restarts} seeded runs, as asked"
    elif G.number_of_edges() > LARGE_NETWORK_TIES:
        restarts = LARGE_NETWORK_RESTARTS
        note = (f"best of {restarts} seeded runs (fewer than {RESTARTS} above "
                f"{LARGE_NETWORK_TIES:,} ties, to bound the cost)")
    else:
        restarts = RESTARTS
        note = f"best of {restarts} seeded runs"
    g, nodes, scorable = _prepare(G, weight)
    base = {"method": method, "resolution": resolution, "seed": seed, "restarts": restarts,
            "restarts_note": note}
    if not nodes:
        return {"communities": [], "modularity": 0.0, "quality": 0.0, **base,
                "best_restart": 0, "modularity_spread": {"min": 0.0, "median": 0.0, "max": 0.0},
                "split_disconnected": 0}

    ends = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    best = None  # (quality, run, membership, split)
    standard = []
    for run, run_seed in enumerate(_restart_seeds(seed, restarts)):
        membership, split = _connected_parts(
            ends, _run(g, G, nodes, method, resolution, run_seed, weight))
        quality = _quality(g, membership, resolution, scorable)
        standard.append(quality if resolution == 1 else _quality(g, membership, 1, scorable))
        if best is None or quality > best[0]:  # ties keep the earlier run
            best = (quality, run, membership, split)
    quality, run, membership, split = best

    groups: dict = {}
    for v, c in zip(nodes, membership.tolist(), strict=True):
        groups.setdefault(c, set()).add(v)
    communities = sorted(groups.values(), key=lambda c: (-len(c), min(map(str, c))))
    return {
        "communities": communities,
        "modularity": standard[run],
        "quality": quality,
        **base,
        "best_restart": run,
        "modularity_spread": {"min": min(standard), "median": float(np.median(standard)),
                              "max": max(standard)},
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
      profession making up at least half of them (Wenger's domain, community and practice
      [1]_);
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

    References
    ----------
    .. [1] E. Wenger, *Communities of Practice*, Cambridge University Press, 1998.

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
