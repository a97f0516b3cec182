"""Key-person risk: what cross-boundary connectivity is lost if these people leave.

Pure functions of a person network whose nodes carry a group attribute (organisation, sector,
profession, ...):

- :func:`removal_impact` -- remove a set of people and measure the share of cross-group person
  pairs still connected, the group pairs that lose their last direct tie, the cross-boundary
  ties lost and the global efficiency before and after;
- :func:`key_person_risk` -- rank everyone by the cross-boundary connectivity their departure
  alone would cost (exactly, on a network of any size: one depth-first search finds whom each
  person's loss would cut off), and measure the impact of the top K leaving together.

Connectivity ignores tie direction (a tie in either direction joins two people), as for the
undirected person network. People whose group is unknown (attribute None or missing) stay in the
network but are not counted in group pairs or cross-boundary ties.

References
----------
.. [1] V. Latora and M. Marchiori, "Efficient behavior of small-world networks", Physical Review
   Letters 87(19):198701, 2001 (global efficiency).
.. [2] S. P. Borgatti, "Identifying sets of key players in a social network", Computational and
   Mathematical Organization Theory 12:21-34, 2006.
.. [3] J. Hopcroft and R. Tarjan, "Algorithm 447: efficient algorithms for graph manipulation",
   Communications of the ACM 16(6):372-378, 1973 (articulation points).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable

import igraph as ig
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, depth_first_order

from kg.analysis._fast import (
    adjacency,
    binary,
    check_attribute,
    check_graph,
    json_float,
    node_index,
    split_sum,
)
from kg.analysis.betweenness import betweenness
from kg.errors import InvalidParameter, NotFound

__all__ = ["key_person_risk", "removal_impact"]

#: Largest network whose global efficiency is computed exactly (every person a source): two
#: searches from everyone cost more than the exact key-person ranking itself above this.
EFFICIENCY_EXACT_MAX_NODES = 2000
#: Sampled sources (of the people who stay) above that size.
EFFICIENCY_SAMPLES = 500


class _Network:
    """The undirected person network as arrays, built once per call."""

    def __init__(self, G, attribute: str):
        groups = check_attribute(G, attribute)
        self.G = G
        self.nodes, self.index = node_index(G)
        self.n = len(self.nodes)
        W = adjacency(G, self.index, weight="weight")
        if G.is_directed():
            # One undirected tie per pair; its weight sums both directions.
            W = (W + W.T).tocsr()
            W.sort_indices()
        self.W = W
        self.A = binary(W)
        values = [groups[v] for v in self.nodes]
        known = sorted({g for g in values if g is not None}, key=str)
        self.group_names = known
        code_of = {g: i for i, g in enumerate(known)}
        self.code = np.array([code_of.get(g, -1) for g in values], dtype=np.int64)
        self.k = len(known)
        self.rows = np.repeat(np.arange(self.n), np.diff(self.A.indptr))
        self.cols = self.A.indices
        upper = self.rows < self.cols
        self.edge_u, self.edge_v = self.rows[upper], self.cols[upper]
        self.edge_w = self.W.data[upper]
        cu, cv = self.code[self.edge_u], self.code[self.edge_v]
        self.cross = (cu >= 0) & (cv >= 0) & (cu != cv)
        self._block = None

    def positions(self, people: Iterable[Hashable]) -> np.ndarray:
        out = []
        for v in people:
            if v not in self.index:
                raise NotFound("person", str(v))
            out.append(self.index[v])
        return np.unique(np.asarray(out, dtype=np.int64))

    def components(self, removed: np.ndarray) -> np.ndarray:
        """Component label per node after removing ``removed`` (-1 for removed people)."""
        keep = np.ones(self.n, dtype=bool)
        keep[removed] = False
        kept = np.flatnonzero(keep)
        labels = np.full(self.n, -1, dtype=np.int64)
        if len(kept):
            _, sub = connected_components(self.A[kept][:, kept], directed=False)
            labels[kept] = sub
        return labels

    def connected_cross_pairs(self, labels: np.ndarray, counted: np.ndarray) -> int:
        """Cross-group pairs among ``counted`` people that share a component."""
        mask = counted & (self.code >= 0) & (labels >= 0)
        if not mask.any() or self.k < 2:
            return 0
        lab = labels[mask]
        code = self.code[mask]
        n_comp = int(lab.max()) + 1
        per = np.bincount(lab * self.k + code, minlength=n_comp * self.k).astype(np.float64)
        per = per.reshape(n_comp, self.k)
        totals = per.sum(axis=1)
        return int(round(((totals**2).sum() - (per**2).sum()) / 2))

    def cross_pairs(self, counted: np.ndarray) -> int:
        code = self.code[counted & (self.code >= 0)]
        sizes = np.bincount(code, minlength=self.k).astype(np.float64)
        return int(round((sizes.sum() ** 2 - (sizes**2).sum()) / 2))

    def block_ties(self, removed: np.ndarray | None = None) -> np.ndarray:
        """k x k counts of direct ties between groups (upper triangle used)."""
        keep = self.cross.copy()
        if removed is not None and len(removed):
            gone = np.zeros(self.n, dtype=bool)
            gone[removed] = True
            keep &= ~(gone[self.edge_u] | gone[self.edge_v])
        a = self.code[self.edge_u[keep]]
        b = self.code[self.edge_v[keep]]
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        return np.bincount(lo * self.k + hi, minlength=self.k * self.k).reshape(self.k, self.k)


def _group_pair_count(block: np.ndarray) -> int:
    return int(np.count_nonzero(np.triu(block, 1)))


def _efficiency(graph, sources: np.ndarray | None) -> float:
    """Global efficiency (Latora--Marchiori) of an igraph graph, exact or from ``sources``."""
    n = graph.vcount()
    if n < 2:
        return 0.0
    harmonic = graph.harmonic_centrality(
        vertices=None if sources is None else sources.tolist(), mode="all", normalized=True
    )
    return float(np.mean(harmonic))


def removal_impact(
    G,
    remove: Iterable[Hashable],
    attribute: str,
    *,
    efficiency_samples: int | None = None,
    seed: int = 0,
    _network: _Network | None = None,
    _reach: dict | None = None,
) -> dict:
    r"""What cross-boundary connectivity is lost if the people in ``remove`` leave.

    Measured on the people who stay:

    - ``share_still_connected``: of the pairs of people in different groups that were connected
      (by any path) before, the share still connected after the removal; ``connected_before``
      and ``connected_after`` count them, ``cross_group_pairs`` counts all such pairs;
    - group pairs: how many pairs of groups had at least one direct tie before and after, and
      which lost their last one (``group_pairs_unlinked``);
    - cross-boundary ties: direct ties between different groups that ran through a removed
      person (count, share and total ``weight``);
    - global efficiency (Latora and Marchiori 2001), the mean over ordered pairs of
      :math:`1/d(u, v)`, before and after, and its change; exact (equal to
      ``nx.global_efficiency``) up to 2,000 people (:data:`EFFICIENCY_EXACT_MAX_NODES`).
      Above that it is estimated from ``efficiency_samples`` (default 500) seeded sources among
      the people who stay, each searched before and after (the people who leave are counted
      exactly): unbiased, with the standard error of the level before, after and of the
      change, which is paired and so far tighter (``efficiency_exact`` says which).

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        Person network (tie direction is ignored); edge attribute ``weight`` is used for the
        weight of lost ties (1 when missing).
    remove : iterable of nodes
        The people who leave.
    attribute : str
        Group attribute (``organisation``, ``sector``, ...).
    efficiency_samples : int, optional
        Sources for sampled efficiency; a value at least the network size means exact.
    seed : int, default 0
        Seeds the efficiency sample.

    Returns
    -------
    dict
        ``removed``, ``attribute``, ``cross_group_pairs``, ``connected_before``,
        ``connected_after``, ``share_connected_before``, ``share_connected_after``,
        ``share_still_connected``, ``group_pairs``, ``group_pairs_linked_before``,
        ``group_pairs_linked_after``, ``group_pairs_unlinked`` (list of [a, b]),
        ``cross_ties_before``, ``cross_ties_lost``, ``cross_ties_lost_share``,
        ``cross_weight_lost``, ``efficiency_before``, ``efficiency_after``,
        ``efficiency_change``, ``efficiency_exact``, ``efficiency_samples``,
        ``efficiency_standard_error`` (of the level before), ``efficiency_after_standard_error``
        and ``efficiency_change_standard_error`` (None when exact).

    Raises
    ------
    NotFound
        If a person in ``remove`` is not in ``G``.
    InvalidParameter
        If ``remove`` is a plain string or no node carries ``attribute``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("a1", "a2"), ("a2", "b1"), ("b1", "b2")])
    >>> nx.set_node_attributes(G, {"a1": "A", "a2": "A", "b1": "B", "b2": "B"}, "org")
    >>> impact = removal_impact(G, ["a2"], "org")
    >>> impact["share_still_connected"], impact["cross_ties_lost"]
    (0.0, 1)

    References
    ----------
    .. [1] V. Latora and M. Marchiori, "Efficient behavior of small-world networks", 2001.
    """
    check_graph(G)
    if isinstance(remove, str | bytes) or not isinstance(remove, Iterable):
        raise InvalidParameter("remove must be a list of person ids")
    remove = list(remove)
    if efficiency_samples is not None and (
        not isinstance(efficiency_samples, int) or efficiency_samples < 1
    ):
        raise InvalidParameter("efficiency_samples must be a positive integer")
    net = _network if _network is not None else _Network(G, attribute)
    removed = net.positions(remove)
    stays = np.ones(net.n, dtype=bool)
    stays[removed] = False

    labels_before = net.components(np.zeros(0, dtype=np.int64))
    labels_after = net.components(removed)
    total_pairs = net.cross_pairs(stays)
    before = net.connected_cross_pairs(labels_before, stays)
    after = net.connected_cross_pairs(labels_after, stays)

    block_before = net.block_ties()
    block_after = net.block_ties(removed)
    lost_pairs = np.argwhere(np.triu((block_before > 0) & (block_after == 0), 1))

    gone = ~stays
    touched = net.cross & (gone[net.edge_u] | gone[net.edge_v])
    cross_before = int(net.cross.sum())

    eff = _efficiency_before_after(net, removed, efficiency_samples, seed,
                                   _reach if efficiency_samples is None else None)
    return {
        "removed": [net.nodes[i] for i in removed],
        "attribute": attribute,
        "cross_group_pairs": total_pairs,
        "connected_before": before,
        "connected_after": after,
        "share_connected_before": before / total_pairs if total_pairs else None,
        "share_connected_after": after / total_pairs if total_pairs else None,
        "share_still_connected": after / before if before else None,
        "group_pairs": net.k * (net.k - 1) // 2,
        "group_pairs_linked_before": _group_pair_count(block_before),
        "group_pairs_linked_after": _group_pair_count(block_after),
        "group_pairs_unlinked": [
            [net.group_names[a], net.group_names[b]] for a, b in lost_pairs.tolist()
        ],
        "cross_ties_before": cross_before,
        "cross_ties_lost": int(touched.sum()),
        "cross_ties_lost_share": float(touched.sum()) / cross_before if cross_before else None,
        "cross_weight_lost": float(net.edge_w[touched].sum()),
        **eff,
    }


def _efficiency_before_after(
    net: _Network, removed: np.ndarray, samples: int | None, seed: int,
    reach: dict | None = None,
) -> dict:
    r"""Global efficiency before and after the removal: exact (every person a source) up to
    :data:`EFFICIENCY_EXACT_MAX_NODES`, else estimated from a paired sample of sources.

    Sampled, the people who leave are counted exactly (their own harmonic sums before) and
    ``k`` of the people who stay are drawn uniformly as sources, each searched before and after:

    .. math::

        \hat E_b = \frac{1}{n}\Big(\sum_{r \in R} b_r + n'\,\bar b\Big), \qquad
        \hat E_a = \bar a, \qquad
        \hat E_a - \hat E_b = \overline{a - \tfrac{n'}{n} b} - \frac{1}{n}\sum_{r} b_r,

    with :math:`b_s` and :math:`a_s` a source's mean inverse distance to everyone else before and
    after and :math:`n' = n - |R|`. Each is a mean over a simple random sample, so unbiased,
    with the standard error of that mean (finite-population corrected); the change is paired,
    so its error is far smaller than either level's.

    ``reach`` (pivot -> mean inverse distance, from the searches of sampled betweenness on the
    same undirected network) supplies the sources and their values before: the pivots are a
    uniform sample of everyone, so those who stay are a uniform sample of the people who stay,
    and only the searches after the removal are left to do.
    """
    # The network's own tie arrays (each pair once): no second walk over the networkx graph.
    graph = ig.Graph(n=net.n, edges=np.stack([net.edge_u, net.edge_v], axis=1))
    n = net.n
    k = EFFICIENCY_SAMPLES if samples is None else samples
    keep = np.setdiff1d(np.arange(n), removed)
    n_after = len(keep)
    exact = (samples is None and n <= EFFICIENCY_EXACT_MAX_NODES) or k >= n_after
    after_graph = graph.induced_subgraph(keep.tolist())
    if exact:
        before, after = _efficiency(graph, None), _efficiency(after_graph, None)
        return {
            "efficiency_before": before,
            "efficiency_after": after,
            "efficiency_change": after - before,
            "efficiency_exact": True,
            "efficiency_samples": None,
            "efficiency_standard_error": None,
            "efficiency_after_standard_error": None,
            "efficiency_change_standard_error": None,
        }
    # Positions in the induced subgraph follow the order of ``keep``.
    position = np.full(n, -1, dtype=np.int64)
    position[keep] = np.arange(n_after)
    pivots = np.array([net.index[v] for v in reach or ()], dtype=np.int64)
    pivots = pivots[position[pivots] >= 0]  # those who stay
    if len(pivots) >= 2:
        sources, picked = pivots, position[pivots]
        b = np.array([reach[net.nodes[i]] for i in sources.tolist()], dtype=float)
        k = len(sources)
    else:
        rng = np.random.default_rng(seed)
        picked = np.sort(rng.choice(n_after, size=k, replace=False))
        sources = keep[picked]
        b = _harmonic(graph, sources)
    gone = _harmonic(graph, removed)
    a = _harmonic(after_graph, picked)
    share = n_after / n
    before = (gone.sum() + n_after * b.mean()) / n
    after = float(a.mean())
    return {
        "efficiency_before": float(before),
        "efficiency_after": after,
        "efficiency_change": float(after - before),
        "efficiency_exact": False,
        "efficiency_samples": k,
        "efficiency_standard_error": _scaled(_mean_error(b, n_after), share),
        "efficiency_after_standard_error": _mean_error(a, n_after),
        "efficiency_change_standard_error": _mean_error(a - share * b, n_after),
    }


def _harmonic(graph, vertices: np.ndarray) -> np.ndarray:
    """Normalised harmonic centrality of ``vertices`` (one search each, shared out over the
    cores)."""
    slots = list(enumerate(np.asarray(vertices, dtype=np.int64).tolist()))

    def compute(part) -> np.ndarray:
        out = np.zeros(len(slots))
        if part:
            where, which = zip(*part, strict=True)
            out[list(where)] = graph.harmonic_centrality(vertices=list(which), mode="all")
        return out

    return split_sum(compute, slots, work=2 * len(slots) * max(graph.ecount(), 1))


def _scaled(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor


def _mean_error(values: np.ndarray, population: int) -> float | None:
    """Standard error of the mean of a simple random sample without replacement."""
    k = len(values)
    if k < 2:
        return None
    fpc = math.sqrt(max(0.0, 1.0 - k / population))
    return float(values.std(ddof=1) / math.sqrt(k) * fpc)


def _cut_pieces(net: _Network) -> dict:
    """The pieces each person's removal leaves, from one depth-first search (Hopcroft and
    Tarjan 1973).

    In the DFS preorder every subtree is a contiguous run (``position[c]`` to ``position[c] +
    size[c]``). Removing a person cuts off each child subtree with no tie reaching above them;
    for each such piece ``i``, ``owner[i]`` is the person removed and ``child[i]`` the root of
    the subtree. The rest of the owner's component, if any, is one more piece.
    ``articulation`` lists the people whose removal leaves two pieces or more.
    """
    n = net.n
    n_comp, labels = connected_components(net.A, directed=False)
    # One virtual root tied to the first person of each component, so one search covers all.
    roots = np.unique(labels, return_index=True)[1]
    A = net.A.tocoo()
    rows = np.concatenate([A.row, np.full(len(roots), n), roots])
    cols = np.concatenate([A.col, roots, np.full(len(roots), n)])
    augmented = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n + 1, n + 1))
    order, parent = depth_first_order(augmented, n, directed=True, return_predecessors=True)
    order = order[1:]  # without the virtual root
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    parent = parent[:n].astype(np.int64)
    parent[roots] = -1
    # Lowest preorder position one tie reaches from each person (their parent's included),
    # then from each subtree.
    indptr, indices = net.A.indptr, net.A.indices
    low = position.copy()
    has_ties = np.diff(indptr) > 0
    if len(indices):
        starts = np.minimum(indptr[:-1], len(indices) - 1)
        nearest = np.minimum.reduceat(position[indices], starts)
        low[has_ties] = np.minimum(low[has_ties], nearest[has_ties])
    size = [1] * n
    low_list = low.tolist()
    parent_list = parent.tolist()
    for v in order[::-1].tolist():  # children before parents
        p = parent_list[v]
        if p >= 0:
            size[p] += size[v]
            if low_list[v] < low_list[p]:
                low_list[p] = low_list[v]
    size = np.asarray(size, dtype=np.int64)
    low = np.asarray(low_list, dtype=np.int64)
    # Every child of a component's root is cut off (the root splits its component only with
    # two children or more); another child when nothing in its subtree reaches above it.
    child = np.flatnonzero(parent >= 0)
    owner = parent[child]
    cut = (low[child] >= position[owner]) | (parent[owner] < 0)
    owner, child = owner[cut], child[cut]
    pieces = np.bincount(owner, minlength=n)
    cut_off = np.bincount(owner, weights=size[child], minlength=n)
    rest = np.bincount(labels, minlength=n_comp)[labels] - 1 - cut_off
    articulation = np.flatnonzero(pieces + (rest > 0) >= 2)
    return {"position": position, "size": size, "labels": labels, "n_comp": n_comp,
            "owner": owner, "child": child, "articulation": articulation}


def _cross(total: np.ndarray, squares: np.ndarray) -> np.ndarray:
    """Pairs in different groups among people counted by group: (S^2 - sum of squares) / 2."""
    return (total**2 - squares) / 2.0


def _alone_impact(net: _Network) -> dict:
    """For every person alone leaving: cross-group pairs disconnected, group pairs losing their
    last direct tie, cross-boundary ties and tie weight lost -- all exact, for everyone."""
    n, k = net.n, net.k
    cuts = _cut_pieces(net) if n else None
    gone_pairs = np.zeros(n)
    if n and k >= 2 and len(cuts["owner"]):
        position, labels = cuts["position"], cuts["labels"]
        aps, piece_of = np.unique(cuts["owner"], return_inverse=True)
        start = position[cuts["child"]]
        stop = start + cuts["size"][cuts["child"]]
        # Per piece and per removed person: people counted and the sum of squared group
        # counts, for the pieces, the rest of the component, and the component before.
        piece = np.zeros((2, len(start)))
        rest = np.zeros((2, len(aps)))
        before = np.zeros((2, len(aps)))
        for g in range(k):
            in_group = net.code == g
            members = np.sort(position[in_group])
            counts = (np.searchsorted(members, stop) - np.searchsorted(members, start))
            counts = counts.astype(float)
            component = np.bincount(labels[in_group], minlength=cuts["n_comp"])
            was = component[labels[aps]] - in_group[aps]  # the component, without them
            left = was - np.bincount(piece_of, weights=counts, minlength=len(aps))
            for totals, c in ((piece, counts), (rest, left), (before, was)):
                totals[0] += c
                totals[1] += c**2
        split = np.bincount(piece_of, weights=_cross(*piece), minlength=len(aps))
        gone_pairs[aps] = np.rint(_cross(*before) - split - _cross(*rest))

    # Direct ties: each cross-boundary tie is lost with either end.
    u, v, w = net.edge_u[net.cross], net.edge_v[net.cross], net.edge_w[net.cross]
    ties = np.bincount(np.concatenate([u, v]), minlength=n)
    weight = np.bincount(np.concatenate([u, v]), weights=np.concatenate([w, w]), minlength=n)
    unlinked = np.zeros(n, dtype=np.int64)
    if len(u):
        # A group pair loses its last tie when all its ties are this person's.
        block = net.block_ties()
        person = np.concatenate([u, v])
        other = np.concatenate([net.code[v], net.code[u]])
        keys, per_person = np.unique(person * k + other, return_counts=True)
        who, group = keys // k, keys % k
        own = net.code[who]
        last = per_person == block[np.minimum(own, group), np.maximum(own, group)]
        unlinked = np.bincount(who[last], minlength=n)
    return {"pairs": gone_pairs.astype(np.int64), "unlinked": unlinked, "ties": ties,
            "weight": weight,
            "articulation": cuts["articulation"] if n else np.zeros(0, dtype=np.int64)}


def key_person_risk(
    G,
    attribute: str,
    *,
    top: int = 10,
    candidates: Iterable[Hashable] | None = None,
    seed: int = 0,
    n_candidates: int | None = None,
    exact_max_nodes: int = 5000,
    precomputed=None,
    paths: str = "hops",
) -> dict:
    """Rank people by the cross-boundary connectivity lost if they alone left.

    Everyone is evaluated, exactly, on a network of any size: only a person whose removal
    splits their component (an articulation point) can disconnect anyone, and one depth-first
    search (Hopcroft and Tarjan 1973) gives, for every such person, the pieces their removal
    leaves -- and so, counting group members per piece, the cross-group pairs it disconnects.
    The other measures are per-person counts of their ties. So the ranking equals removing
    every person in turn and recounting (the tests check this against networkx). For each
    person alone the function measures the cross-group person pairs that become disconnected,
    the group pairs that lose their last direct tie, and the cross-boundary ties and tie weight
    lost. People are ranked by disconnected cross-group pairs, then group pairs unlinked, then
    cross-boundary weight lost, then cross-boundary ties lost, then betweenness (exact or
    sampled as in :func:`kg.analysis.betweenness.betweenness`), then id. Finally
    :func:`removal_impact` measures the top ``top`` people leaving together (with global
    efficiency).

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        Person network (tie direction ignored).
    attribute : str
        Group attribute.
    top : int, default 10
        How many people to return and to remove together.
    candidates : iterable of nodes, optional
        Evaluate only these people.
    seed : int, default 0
        Seeds sampled betweenness and sampled efficiency.
    n_candidates : int, optional
        Evaluate only the ``n_candidates`` people with the highest betweenness -- and every
        articulation point, since they are the ones whose loss disconnects anyone.
    exact_max_nodes : int, default 5000
        Largest network whose betweenness is computed exactly.
    precomputed : kg.analysis.betweenness.BetweennessResult, optional
        The betweenness of ``G`` (with the same ``paths``), when the caller has it already.
    paths : {"hops", "weighted"}, default "hops"
        How the betweenness used to break ties counts paths.

    Returns
    -------
    dict
        ``attribute``, ``candidates`` (``{"rule", "count", "evaluated", "of",
        "articulation_points"}``: how the people evaluated were chosen -- ``"everyone"``,
        ``"given"`` or the top by betweenness with every articulation point -- how many were
        evaluated of how many, and how many articulation points the network has), ``people``
        (ranked rows ``{"id", "name", "group", "rank", "betweenness",
        "cross_pairs_disconnected", "cross_pairs_disconnected_share", "group_pairs_unlinked",
        "cross_ties_lost", "cross_weight_lost"}``), ``combined`` (:func:`removal_impact` of the
        top people together) and ``betweenness`` (``{"exact", "sample_size",
        "error_estimate", "paths"}``).

    Raises
    ------
    InvalidParameter
        If ``top`` or ``n_candidates`` is not a positive integer, no node carries
        ``attribute``, or ``precomputed`` is not this graph's betweenness with these paths.
    NotFound
        If a candidate is not in ``G``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.barbell_graph(4, 1)
    >>> nx.set_node_attributes(G, {v: "left" if v < 4 else "right" for v in G}, "org")
    >>> risk = key_person_risk(G, "org", top=2)
    >>> [row["id"] for row in risk["people"]], risk["candidates"]["rule"]
    ([4, 3], 'everyone')

    References
    ----------
    .. [1] S. P. Borgatti, "Identifying sets of key players in a social network", 2006.
    .. [2] J. Hopcroft and R. Tarjan, "Algorithm 447: efficient algorithms for graph
       manipulation", Communications of the ACM 16(6):372-378, 1973.
    """
    check_graph(G)
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise InvalidParameter("top must be a positive integer")
    if n_candidates is not None and (
        not isinstance(n_candidates, int) or isinstance(n_candidates, bool) or n_candidates < 1
    ):
        raise InvalidParameter("n_candidates must be a positive integer")
    net = _Network(G, attribute)
    if precomputed is not None:
        if set(getattr(precomputed, "values", ())) != set(G):
            raise InvalidParameter("precomputed must be the BetweennessResult of this graph")
        if getattr(precomputed, "paths", "hops") != paths:
            raise InvalidParameter(
                f"precomputed betweenness counts paths={precomputed.paths!r}, not {paths!r}")
        bet = precomputed
    else:
        bet = betweenness(G, exact_max_nodes=exact_max_nodes, seed=seed, paths=paths)
    impact = _alone_impact(net)
    if candidates is not None:
        if isinstance(candidates, str | bytes):
            raise InvalidParameter("candidates must be a list of person ids")
        given = list(dict.fromkeys(candidates))
        net.positions(given)  # raises NotFound for unknown people
        chosen = np.array([net.index[v] for v in given], dtype=np.int64)
        rule = "given"
    elif n_candidates is not None:
        by_betweenness = sorted(range(net.n), key=lambda i: (-bet.values[net.nodes[i]],
                                                             str(net.nodes[i])))
        chosen = np.union1d(np.asarray(by_betweenness[:n_candidates], dtype=np.int64),
                            impact["articulation"])
        rule = f"top {min(n_candidates, net.n)} by betweenness and every articulation point"
    else:
        chosen = np.arange(net.n, dtype=np.int64)
        rule = "everyone"

    betweenness_values = np.array([json_float(bet.values[v]) or 0.0 for v in net.nodes])
    ids = np.array([str(v) for v in net.nodes])
    # Sort keys, last primary (numpy lexsort).
    ranked = chosen[np.lexsort((
        ids[chosen],
        -betweenness_values[chosen],
        -impact["ties"][chosen],
        -impact["weight"][chosen],
        -impact["unlinked"][chosen],
        -impact["pairs"][chosen],
    ))][:top]
    everyone = np.ones(net.n, dtype=bool)
    labels_before = net.components(np.zeros(0, dtype=np.int64))
    rows = []
    for rank, i in enumerate(ranked.tolist(), start=1):
        v = net.nodes[i]
        stays = everyone.copy()
        stays[i] = False
        before = net.connected_cross_pairs(labels_before, stays)
        lost = int(impact["pairs"][i])
        rows.append(
            {
                "id": v,
                "name": G.nodes[v].get("name"),
                "group": G.nodes[v].get(attribute),
                "rank": rank,
                "betweenness": json_float(bet.values[v]),
                "cross_pairs_disconnected": lost,
                "cross_pairs_disconnected_share": lost / before if before else 0.0,
                "group_pairs_unlinked": int(impact["unlinked"][i]),
                "cross_ties_lost": int(impact["ties"][i]),
                "cross_weight_lost": float(impact["weight"][i]),
            }
        )
    combined = removal_impact(G, [row["id"] for row in rows], attribute, seed=seed, _network=net,
                              _reach=getattr(bet, "pivot_reach", None))
    return {
        "attribute": attribute,
        "candidates": {"rule": rule, "count": len(chosen), "evaluated": len(chosen),
                       "of": net.n, "articulation_points": len(impact["articulation"])},
        "people": rows,
        "combined": combined,
        "betweenness": bet.summary(),
    }
