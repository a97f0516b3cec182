"""Key-person risk: what cross-boundary connectivity is lost if these people leave.

Pure functions of a person network whose nodes carry a group attribute (organisation, sector,
profession, ...):

- :func:`removal_impact` -- remove a set of people and measure the share of cross-group person
  pairs still connected, the group pairs that lose their last direct tie, the cross-boundary
  ties lost and the global efficiency before and after;
- :func:`key_person_risk` -- rank the likeliest key people (the top brokers by betweenness) by
  the cross-boundary connectivity their departure alone would cost, and measure the impact of
  the top K leaving together.

Connectivity ignores tie direction (a tie in either direction joins two people), as for the
undirected person network. People whose group is unknown (attribute None or missing) stay in the
network but are not counted in group pairs or cross-boundary ties.

References
----------
.. [1] V. Latora and M. Marchiori, "Efficient behavior of small-world networks", Physical Review
   Letters 87(19):198701, 2001 (global efficiency).
.. [2] S. P. Borgatti, "Identifying sets of key players in a social network", Computational and
   Mathematical Organization Theory 12:21-34, 2006.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable

import numpy as np
from scipy.sparse.csgraph import connected_components

from kg.analysis._fast import (
    adjacency,
    binary,
    check_attribute,
    check_graph,
    json_float,
    node_index,
    to_igraph,
)
from kg.analysis.betweenness import betweenness
from kg.errors import InvalidParameter, NotFound

__all__ = ["key_person_risk", "removal_impact"]

#: Largest network whose global efficiency is computed exactly (all sources).
EFFICIENCY_EXACT_MAX_NODES = 5000
#: Sampled sources used above that size.
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
      :math:`1/d(u, v)`, before and after, equal to ``nx.global_efficiency``. Above
      5,000 people it is estimated from ``efficiency_samples`` (default 500) seeded source
      people -- the mean harmonic centrality of the sample, with its standard error reported --
      using the same sources before and after (minus the removed ones) so the difference is
      paired.

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
        ``efficiency_exact``, ``efficiency_samples``, ``efficiency_standard_error``.

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

    eff = _efficiency_before_after(net, removed, efficiency_samples, seed)
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
    net: _Network, removed: np.ndarray, samples: int | None, seed: int
) -> dict:
    graph = to_igraph(net.G, net.index, directed=False)
    n = net.n
    k = EFFICIENCY_SAMPLES if samples is None else samples
    exact = (samples is None and n <= EFFICIENCY_EXACT_MAX_NODES) or k >= n
    keep = np.setdiff1d(np.arange(n), removed)
    after_graph = graph.induced_subgraph(keep.tolist())
    if exact:
        return {
            "efficiency_before": _efficiency(graph, None),
            "efficiency_after": _efficiency(after_graph, None),
            "efficiency_exact": True,
            "efficiency_samples": None,
            "efficiency_standard_error": None,
        }
    rng = np.random.default_rng(seed)
    sources = rng.choice(n, size=k, replace=False)
    before = np.asarray(graph.harmonic_centrality(vertices=sources.tolist(), mode="all"))
    # Positions in the induced subgraph follow the order of ``keep``.
    new_position = np.full(n, -1, dtype=np.int64)
    new_position[keep] = np.arange(len(keep))
    kept_sources = new_position[sources]
    kept_sources = kept_sources[kept_sources >= 0]
    after = np.asarray(after_graph.harmonic_centrality(vertices=kept_sources.tolist(), mode="all"))
    fpc = math.sqrt(max(0.0, 1 - k / n))
    se = float(before.std(ddof=1) / math.sqrt(k) * fpc) if k > 1 else None
    return {
        "efficiency_before": float(before.mean()),
        "efficiency_after": float(after.mean()) if len(after) else 0.0,
        "efficiency_exact": False,
        "efficiency_samples": k,
        "efficiency_standard_error": se,
    }


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
) -> dict:
    """Rank people by the cross-boundary connectivity lost if they alone left.

    Evaluating everyone is wasteful: a person off every shortest path cannot disconnect anyone.
    Unless ``candidates`` is given, the candidates are the ``n_candidates`` people with the
    highest betweenness (default ``max(3 * top, 30)``; exact or sampled as in
    :func:`kg.analysis.brokers.betweenness`). For each candidate alone the function measures,
    exactly, the cross-group person pairs that become disconnected (connected components), the
    group pairs that lose their last direct tie, and the cross-boundary ties and tie weight
    lost. Candidates are ranked by disconnected cross-group pairs, then group pairs unlinked,
    then cross-boundary weight lost, then cross-boundary ties lost, then betweenness. Finally
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
        People to evaluate instead of the top brokers.
    seed : int, default 0
        Seeds sampled betweenness and sampled efficiency.
    n_candidates : int, optional
        Number of top-betweenness candidates.
    exact_max_nodes : int, default 5000
        Largest network whose betweenness is computed exactly.
    precomputed : kg.analysis.brokers.BetweennessResult, optional
        The betweenness of ``G``, when the caller has it already.

    Returns
    -------
    dict
        ``attribute``, ``candidates`` (``{"rule", "count"}``), ``people`` (ranked rows ``{"id",
        "name", "group", "rank", "betweenness", "cross_pairs_disconnected",
        "cross_pairs_disconnected_share", "group_pairs_unlinked", "cross_ties_lost",
        "cross_weight_lost"}``), ``combined`` (:func:`removal_impact` of the top people
        together) and ``betweenness`` (``{"exact", "sample_size", "error_estimate"}``).

    Raises
    ------
    InvalidParameter
        If ``top`` or ``n_candidates`` is not a positive integer or no node carries
        ``attribute``.
    NotFound
        If a candidate is not in ``G``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.barbell_graph(4, 1)
    >>> nx.set_node_attributes(G, {v: "left" if v < 4 else "right" for v in G}, "org")
    >>> risk = key_person_risk(G, "org", top=2)
    >>> [row["id"] for row in risk["people"]]
    [4, 3]

    References
    ----------
    .. [1] S. P. Borgatti, "Identifying sets of key players in a social network", 2006.
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
        bet = precomputed
    else:
        bet = betweenness(G, exact_max_nodes=exact_max_nodes, seed=seed)
    if candidates is None:
        count = n_candidates if n_candidates is not None else max(3 * top, 30)
        chosen = sorted(G.nodes(), key=lambda v: (-bet.values[v], str(v)))[:count]
        rule = f"top {len(chosen)} by betweenness"
    else:
        if isinstance(candidates, str | bytes):
            raise InvalidParameter("candidates must be a list of person ids")
        chosen = list(dict.fromkeys(candidates))
        net.positions(chosen)  # raises NotFound for unknown people
        rule = "given"

    everyone = np.ones(net.n, dtype=bool)
    labels_before = net.components(np.zeros(0, dtype=np.int64))
    block_before = net.block_ties()
    linked_before = (np.triu(block_before, 1)) > 0
    rows = []
    for v in chosen:
        i = net.index[v]
        removed = np.array([i])
        stays = everyone.copy()
        stays[i] = False
        before = net.connected_cross_pairs(labels_before, stays)
        after = net.connected_cross_pairs(net.components(removed), stays)
        # Only v's own cross ties change the block counts.
        touched = net.cross & ((net.edge_u == i) | (net.edge_v == i))
        block_after = block_before.copy()
        a = net.code[net.edge_u[touched]]
        b = net.code[net.edge_v[touched]]
        np.subtract.at(block_after, (np.minimum(a, b), np.maximum(a, b)), 1)
        unlinked = int(np.count_nonzero(linked_before & (np.triu(block_after, 1) == 0)))
        rows.append(
            {
                "id": v,
                "name": G.nodes[v].get("name"),
                "group": G.nodes[v].get(attribute),
                "betweenness": json_float(bet.values[v]),
                "cross_pairs_disconnected": before - after,
                "cross_pairs_disconnected_share": (before - after) / before if before else 0.0,
                "group_pairs_unlinked": unlinked,
                "cross_ties_lost": int(touched.sum()),
                "cross_weight_lost": float(net.edge_w[touched].sum()),
            }
        )
    rows.sort(
        key=lambda r: (
            -r["cross_pairs_disconnected"],
            -r["group_pairs_unlinked"],
            -r["cross_weight_lost"],
            -r["cross_ties_lost"],
            -(r["betweenness"] or 0.0),
            str(r["id"]),
        )
    )
    rows = rows[:top]
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    combined = removal_impact(G, [row["id"] for row in rows], attribute, seed=seed, _network=net)
    return {
        "attribute": attribute,
        "candidates": {"rule": rule, "count": len(chosen)},
        "people": rows,
        "combined": combined,
        "betweenness": bet.summary(),
    }
