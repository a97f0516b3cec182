"""Brokers: who carries the shortest paths, who spans structural holes, who mediates between groups.

Pure functions of a networkx graph (the person network of :mod:`kg.analysis.projection`, or any
graph whose nodes carry group attributes such as ``organisation`` or ``sector``):

- :func:`betweenness` -- shortest-path betweenness, exact (igraph) up to a size and estimated from
  seeded source pivots above it, with the sample size and a standard error reported;
- :func:`between_groups_betweenness` -- betweenness counting only shortest paths from one group to
  another ("who lies between acute and community care");
- :func:`structural_holes` -- Burt's constraint and effective size (scipy sparse);
- :func:`brokerage_roles` -- Gould and Fernandez's five brokerage roles on a directed tie network;
- :func:`explain_broker` -- which groups, ties and forums a person connects;
- :func:`rank_brokers` -- the ranked, explained broker list returned by ``kg analyse brokers``.

Every number equals the networkx reference (``nx.betweenness_centrality``,
``nx.betweenness_centrality_subset``, ``nx.constraint``, ``nx.effective_size``) to within
floating-point rounding; the tests check this on Zachary's karate club, the Lazega law firm and
seeded random graphs. networkx has no Gould--Fernandez counts; those are checked on hand-worked
graphs and a brute-force enumeration.

References
----------
.. [1] U. Brandes, "A faster algorithm for betweenness centrality", Journal of Mathematical
   Sociology 25(2):163-177, 2001.
.. [2] U. Brandes and C. Pich, "Centrality estimation in large networks", International Journal
   of Bifurcation and Chaos 17(7):2303-2318, 2007.
.. [3] R. S. Burt, *Structural Holes: The Social Structure of Competition*, Harvard University
   Press, 1992.
.. [4] R. V. Gould and R. M. Fernandez, "Structures of mediation: a formal approach to brokerage
   in transaction networks", Sociological Methodology 19:89-126, 1989.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Hashable
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp

from kg.analysis._fast import (
    adjacency,
    binary,
    check_attribute,
    check_graph,
    group_codes,
    json_float,
    masked_product,
    node_index,
    to_igraph,
)
from kg.errors import InvalidParameter, NotFound

__all__ = [
    "BROKERAGE_ROLES",
    "BetweennessResult",
    "between_groups_betweenness",
    "betweenness",
    "brokerage_roles",
    "explain_broker",
    "rank_brokers",
    "structural_holes",
]

BROKERAGE_ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")

#: Pivots used when a graph is too large for exact betweenness and no ``samples`` is given.
DEFAULT_SAMPLES = 500

# Number of batches the pivots are split into to estimate the standard error (batch means).
_ERROR_BATCHES = 30

# How many of the top brokers rank_brokers explains in full.
_EXPLAINED = 10


@dataclass(frozen=True, slots=True)
class BetweennessResult:
    """Betweenness of every node, and how it was computed.

    Attributes
    ----------
    values : dict
        Node -> betweenness (normalised as networkx does by default when ``normalized``).
    exact : bool
        True when every node was a source (Brandes' exact algorithm).
    sample_size : int or None
        Number of source pivots when estimated, else None.
    error_estimate : float or None
        When estimated: the largest per-node standard error of the estimate, in the same units
        as ``values`` (about 95 % of nodes lie within two of their own standard errors of the
        exact value). None when exact.
    standard_errors : dict or None
        Node -> standard error of its estimate when estimated, else None.
    """

    values: dict
    exact: bool
    sample_size: int | None
    error_estimate: float | None
    standard_errors: dict | None = None

    def summary(self) -> dict:
        """The JSON block reported next to a broker ranking."""
        return {
            "exact": self.exact,
            "sample_size": self.sample_size,
            "error_estimate": self.error_estimate,
        }


def betweenness(
    G,
    *,
    normalized: bool = True,
    exact_max_nodes: int = 5000,
    samples: int | None = None,
    seed: int = 0,
) -> BetweennessResult:
    r"""Shortest-path betweenness of every node, exact or estimated from source pivots.

    Paths are unweighted (counted in hops): a tie's weight says how strong it is, not how long,
    so it must not lengthen a path. Direction is followed for a DiGraph.

    Up to ``exact_max_nodes`` nodes the value is exact (Brandes' algorithm in igraph's C core)
    and equals ``nx.betweenness_centrality(G, normalized=normalized)``. Above it, ``samples``
    source pivots are drawn uniformly without replacement with ``random.Random(seed)`` and each
    node's betweenness is estimated from their dependencies (Brandes and Pich 2007):

    .. math:: \hat b(v) = \frac{n - 1}{k_v} \sum_{s \in S,\, s \ne v} \delta_s(v),

    where :math:`k_v` is the number of pivots other than :math:`v`. The estimate is unbiased and
    equals ``nx.betweenness_centrality(G, k=samples, seed=seed)`` (same pivots, same scaling).
    Its standard error is estimated by batch means: the pivots are split into
    up to 30 batches, each batch gives an independent unbiased estimate, and
    :math:`\mathrm{se}(v) = \mathrm{sd}_b(\hat b_b(v)) / \sqrt{B} \cdot \sqrt{1 - k/(n-1)}`
    (with the finite-population correction for sampling without replacement).

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
    normalized : bool, default True
        Divide by the number of ordered node pairs not including ``v``, ``(n-1)(n-2)``, as
        networkx does.
    exact_max_nodes : int, default 5000
        Largest graph computed exactly.
    samples : int, optional
        Pivots used above ``exact_max_nodes`` (default :data:`DEFAULT_SAMPLES`); a value of at
        least the number of nodes means exact.
    seed : int, default 0
        Seeds the pivot choice.

    Returns
    -------
    BetweennessResult

    Raises
    ------
    InvalidParameter
        If ``G`` is not a networkx graph or a size is negative.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> result = betweenness(G)
    >>> result.exact, round(result.values[0], 4)
    (True, 0.4376)
    >>> sampled = betweenness(G, exact_max_nodes=10, samples=20, seed=1)
    >>> sampled.exact, sampled.sample_size
    (False, 20)

    References
    ----------
    .. [1] U. Brandes, "A faster algorithm for betweenness centrality", 2001.
    .. [2] U. Brandes and C. Pich, "Centrality estimation in large networks", 2007.
    """
    check_graph(G)
    if not isinstance(exact_max_nodes, int) or exact_max_nodes < 0:
        raise InvalidParameter("exact_max_nodes must be a non-negative integer")
    if samples is not None and (not isinstance(samples, int) or samples < 1):
        raise InvalidParameter("samples must be a positive integer")
    nodes, index = node_index(G)
    n = len(nodes)
    directed = G.is_directed()
    k = min(samples if samples is not None else DEFAULT_SAMPLES, n)
    if n <= exact_max_nodes or k >= n or n < 3:
        values = _exact_betweenness(G, nodes, index, normalized=normalized)
        return BetweennessResult(values, True, None, None, None)
    # Same pivots as networkx's betweenness_centrality(G, k=k, seed=seed).
    pivots = random.Random(seed).sample(nodes, k)
    graph = to_igraph(G, index)
    pivot_positions = np.array([index[p] for p in pivots], dtype=np.int64)
    # Raw dependency sums over ordered pairs, as networkx accumulates them; igraph's subset
    # betweenness halves undirected counts, hence the factor.
    pair_factor = 1.0 if directed else 2.0
    n_batches = min(_ERROR_BATCHES, k)
    batches = np.array_split(pivot_positions, n_batches)
    batch_raw = np.empty((n_batches, n))
    for b, batch in enumerate(batches):
        batch_raw[b] = pair_factor * np.asarray(
            graph.betweenness(sources=batch.tolist(), targets=None, directed=directed)
        )
    raw = batch_raw.sum(axis=0)
    is_pivot = np.zeros(n, dtype=bool)
    is_pivot[pivot_positions] = True
    scale = _scale(n, normalized=normalized, directed=directed)
    # A pivot's own dependency is zero, so it is estimated from the other k-1 pivots.
    pivots_used = np.where(is_pivot, k - 1, k).astype(float)
    estimate = np.where(pivots_used > 0, raw * (n - 1) / np.maximum(pivots_used, 1), np.nan)
    values_array = estimate * scale
    standard_errors = None
    error_estimate = None
    if n_batches >= 2:
        batch_estimates = np.empty_like(batch_raw)
        for b, batch in enumerate(batches):
            in_batch = np.zeros(n, dtype=bool)
            in_batch[batch] = True
            used = np.maximum(len(batch) - in_batch, 1)
            batch_estimates[b] = batch_raw[b] * (n - 1) / used * scale
        finite_population = math.sqrt(max(0.0, 1.0 - k / (n - 1)))
        se = batch_estimates.std(axis=0, ddof=1) / math.sqrt(n_batches) * finite_population
        standard_errors = dict(zip(nodes, se.tolist(), strict=True))
        error_estimate = float(se.max())
    values = dict(zip(nodes, values_array.tolist(), strict=True))
    return BetweennessResult(values, False, k, error_estimate, standard_errors)


def _scale(n: int, *, normalized: bool, directed: bool) -> float:
    """Factor turning ordered-pair dependency sums into networkx's betweenness."""
    if n <= 2:
        return 1.0
    if normalized:
        return 1.0 / ((n - 1) * (n - 2))
    return 1.0 if directed else 0.5


def _exact_betweenness(G, nodes, index, *, normalized: bool) -> dict:
    n = len(nodes)
    if n == 0:
        return {}
    directed = G.is_directed()
    graph = to_igraph(G, index)
    counts = np.asarray(graph.betweenness(directed=directed), dtype=float)
    raw = counts if directed else 2.0 * counts  # igraph counts an undirected pair once
    values = raw * _scale(n, normalized=normalized, directed=directed)
    return dict(zip(nodes, values.tolist(), strict=True))


def _members(groups: dict, value, attribute: str) -> list:
    members = [v for v, g in groups.items() if g == value]
    if not members:
        known = sorted({str(g) for g in groups.values() if g is not None})
        raise InvalidParameter(
            f"no node has {attribute}={value!r}; known values: {', '.join(known) or 'none'}"
        )
    return members


def between_groups_betweenness(
    G,
    attribute: str,
    source_group,
    target_group,
    *,
    normalized: bool = True,
    exact_max_sources: int = 2000,
    samples: int | None = None,
    seed: int = 0,
) -> BetweennessResult:
    r"""Betweenness counting only shortest paths from one group to another.

    For each node :math:`v`,

    .. math:: c(v) = \sum_{s \in A,\, t \in B} \frac{\sigma(s, t \mid v)}{\sigma(s, t)}

    where :math:`A` and :math:`B` are the nodes whose ``attribute`` equals ``source_group`` and
    ``target_group``. It answers "who lies between acute and community care": a person scores
    only for the paths that run between the two groups. Paths are unweighted. The exact value
    equals ``nx.betweenness_centrality_subset(G, A, B, normalized=normalized)`` -- including its
    conventions (normalised by :math:`(n-1)(n-2)`; un-normalised undirected counts halved) --
    computed in igraph's C core.

    The cost grows with the number of sources. On an undirected graph the sum is symmetric in
    :math:`A` and :math:`B`, so the smaller group is used as sources. When that group has more
    than ``exact_max_sources`` members, ``samples`` of them are drawn as pivots (seeded) and each
    node's value is estimated from their dependencies, scaled by the number of sources it could
    have had over the pivots it had (unbiased, as in :func:`betweenness`); the standard error
    comes from batch means with the finite-population correction.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
    attribute : str
        Node attribute defining the groups (e.g. ``"sector"``).
    source_group, target_group
        The two values of ``attribute``.
    normalized : bool, default True
    exact_max_sources : int, default 2000
        Largest source group computed exactly.
    samples : int, optional
        Source pivots above that (default :data:`DEFAULT_SAMPLES`).
    seed : int, default 0
        Seeds the pivot choice.

    Returns
    -------
    BetweennessResult
        ``values``: node -> between-groups betweenness; how it was computed.

    Raises
    ------
    InvalidParameter
        If no node carries ``attribute``, either group is empty, or a size is not positive.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> result = between_groups_betweenness(G, "club", "Mr. Hi", "Officer")
    >>> result.exact, max(result.values, key=result.values.get)
    (True, 0)

    References
    ----------
    .. [1] U. Brandes, "On variants of shortest-path betweenness centrality and their generic
       computation", Social Networks 30(2):136-145, 2008.
    .. [2] U. Brandes and C. Pich, "Centrality estimation in large networks", 2007.
    """
    check_graph(G)
    if not isinstance(exact_max_sources, int) or exact_max_sources < 0:
        raise InvalidParameter("exact_max_sources must be a non-negative integer")
    if samples is not None and (not isinstance(samples, int) or samples < 1):
        raise InvalidParameter("samples must be a positive integer")
    groups = check_attribute(G, attribute)
    sources = _members(groups, source_group, attribute)
    targets = _members(groups, target_group, attribute)
    nodes, index = node_index(G)
    n = len(nodes)
    directed = G.is_directed()
    if not directed and len(sources) > len(targets):
        sources, targets = targets, sources
    graph = to_igraph(G, index)
    target_positions = [index[v] for v in targets]
    # networkx normalises the raw (not halved) sums; igraph halves undirected ones.
    scale = (1.0 if directed else 2.0) / ((n - 1) * (n - 2)) if normalized and n > 2 else 1.0

    def dependencies(source_positions) -> np.ndarray:
        return np.asarray(
            graph.betweenness(sources=source_positions, targets=target_positions,
                              directed=directed),
            dtype=float,
        )

    n_sources = len(sources)
    k = min(samples if samples is not None else DEFAULT_SAMPLES, n_sources)
    if n_sources <= exact_max_sources or k >= n_sources:
        values = dependencies([index[v] for v in sources]) * scale
        return BetweennessResult(dict(zip(nodes, values.tolist(), strict=True)), True, None,
                                 None, None)
    pivots = np.array([index[v] for v in random.Random(seed).sample(sources, k)])
    n_batches = min(_ERROR_BATCHES, k)
    batches = np.array_split(pivots, n_batches)
    batch_raw = np.array([dependencies(b.tolist()) for b in batches])
    is_source = np.zeros(n, dtype=bool)
    is_source[[index[v] for v in sources]] = True
    is_pivot = np.zeros(n, dtype=bool)
    is_pivot[pivots] = True
    # A source is never between itself and a target: it could have had n_sources - 1 sources,
    # and a pivot among them had the other k - 1.
    possible = n_sources - is_source
    estimate = batch_raw.sum(axis=0) * possible / np.maximum(k - is_pivot, 1)
    se = np.zeros(n)
    if n_batches >= 2:
        batch_estimates = np.empty_like(batch_raw)
        for b, batch in enumerate(batches):
            in_batch = np.zeros(n, dtype=bool)
            in_batch[batch] = True
            batch_estimates[b] = batch_raw[b] * possible / np.maximum(len(batch) - in_batch, 1)
        finite_population = math.sqrt(max(0.0, 1.0 - k / n_sources))
        se = batch_estimates.std(axis=0, ddof=1) / math.sqrt(n_batches) * finite_population
    se = se * scale
    return BetweennessResult(
        dict(zip(nodes, (estimate * scale).tolist(), strict=True)), False, k,
        float(se.max()) if n_batches >= 2 else None,
        dict(zip(nodes, se.tolist(), strict=True)) if n_batches >= 2 else None,
    )


def structural_holes(G, *, weight: str | None = "weight") -> tuple[dict, dict]:
    r"""Burt's constraint and effective size of every node.

    With :math:`p_{ij}` the proportional mutual tie strength
    :math:`(w_{ij} + w_{ji}) / \sum_k (w_{ik} + w_{ki})`,

    .. math::

        C_i = \sum_{j \in N(i)} \Big(p_{ij} + \sum_{q} p_{iq} p_{qj}\Big)^2, \qquad
        E_i = \sum_{j \in N(i)} \Big(1 - \sum_{q} p_{iq} m_{jq}\Big)

    where :math:`m_{jq}` is :math:`j`'s mutual weight with :math:`q` divided by :math:`j`'s
    largest mutual weight. Low constraint and high effective size mark a broker whose contacts
    are not connected to each other. Both are computed as sparse matrix products (scipy),
    chunked so memory stays bounded.

    They equal networkx's per-node formulas, ``nx.constraint(G, nodes=list(G), weight=weight)``
    and ``nx.effective_size(G, nodes=list(G), weight=weight)``, to within 1e-9, with their
    conventions: a missing weight counts as 1 and neighbours are in- and out-neighbours.
    A person without any tie (self-loops are ignored) gets NaN. Note that networkx 3.6's
    vectorised ``nx.effective_size(G, weight=...)`` (called without ``nodes``) divides by the
    column maximum instead of the row maximum and so is wrong for weighted or directed graphs
    (networkx pull request #8906); unweighted undirected graphs are not affected.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
    weight : str or None, default "weight"
        Edge attribute holding the tie strength; None treats every tie as 1.

    Returns
    -------
    (constraint, effective_size) : tuple of dict
        Node -> value.

    Raises
    ------
    InvalidParameter
        If a weight is negative or not numeric.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> constraint, effective_size = structural_holes(G, weight=None)
    >>> round(constraint[0], 4), round(effective_size[0], 4)
    (0.1554, 13.75)

    References
    ----------
    .. [1] R. S. Burt, *Structural Holes*, Harvard University Press, 1992.
    .. [2] S. P. Borgatti, "Structural holes: unpacking Burt's redundancy measures",
       Connections 20(1):35-38, 1997.
    """
    check_graph(G)
    if weight is not None and not isinstance(weight, str):
        raise InvalidParameter("weight must be an edge attribute name or None")
    nodes, index = node_index(G)
    n = len(nodes)
    if n == 0:
        return {}, {}
    W = adjacency(G, index, weight=weight)
    if W.nnz and W.data.min() < 0:
        raise InvalidParameter("tie weights must not be negative")
    mutual = (W + W.T).tocsr()  # structure = in- and out-neighbours, zero weights kept
    mutual.sort_indices()
    strength = np.asarray(mutual.sum(axis=1)).ravel()
    largest = mutual.max(axis=1).toarray().ravel() if mutual.nnz else np.zeros(n)
    row_of_entry = np.repeat(np.arange(n), np.diff(mutual.indptr))
    P = mutual.copy()
    P.data = _safe_divide(mutual.data, strength[row_of_entry])
    Q = mutual.copy()
    Q.data = _safe_divide(mutual.data, largest[row_of_entry])
    support = binary(mutual)

    # Constraint: only the (i, j) entries of P @ P for neighbours j are needed.
    indirect = masked_product(P, P, support)
    constraint = np.bincount(row_of_entry, weights=(P.data + indirect) ** 2, minlength=n)

    # Effective size: deg(i) - sum_q p_iq * sum_{j in N(i)} m_jq, again only at neighbours q.
    reached = masked_product(support, Q, support)
    redundancy = np.bincount(row_of_entry, weights=P.data * reached, minlength=n)
    degree = np.diff(mutual.indptr).astype(float)
    effective = degree - redundancy

    # Neither measure is defined for a person without ties.
    has_ties = degree > 0
    constraint = np.where(has_ties, constraint, np.nan)
    effective = np.where(has_ties, effective, np.nan)
    return (
        dict(zip(nodes, constraint.tolist(), strict=True)),
        dict(zip(nodes, effective.tolist(), strict=True)),
    )


def _safe_divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    out = np.zeros_like(numerator, dtype=float)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def brokerage_roles(D, attribute: str) -> dict[Hashable, dict[str, int]]:
    r"""Gould--Fernandez brokerage role counts of every node on a directed tie network.

    A node :math:`b` brokers the open two-path :math:`a \to b \to c` when :math:`a \ne c` and
    there is no direct tie :math:`a \to c` (Gould and Fernandez 1989: a broker mediates between
    parties that are not themselves tied; a tie :math:`c \to a` in the other direction does not
    close the triad). Each open two-path counts once for its broker, classified by the groups of
    ``a``, ``b`` and ``c``:

    ============== ================================ ============
    role           groups                           pattern
    ============== ================================ ============
    coordinator    all three in one group           A -> A -> A
    itinerant      a and c together, b outside      A -> B -> A
    representative b with the source a, c outside   A -> A -> B
    gatekeeper     b with the target c, a outside   A -> B -> B
    liaison        all three in different groups    A -> B -> C
    ============== ================================ ============

    (The itinerant broker is also called the consultant.) A node whose ``attribute`` is missing
    belongs to a group of its own kind, "unknown". An undirected graph is read as ties in both
    directions. The counts are computed with sparse matrix products: all two-paths per broker
    and group pattern from in- and out-degrees by group, minus the closed ones found as
    :math:`(A A^\top)_{ab}` restricted to ties :math:`a \to b`.

    Parameters
    ----------
    D : networkx.DiGraph (or networkx.Graph)
        Directed ties, source -> target.
    attribute : str
        Node attribute defining the groups.

    Returns
    -------
    dict
        Node -> {"coordinator", "itinerant", "representative", "gatekeeper", "liaison"} -> int.

    Raises
    ------
    InvalidParameter
        If ``D`` is not a graph or no node carries ``attribute``.

    Examples
    --------
    >>> import networkx as nx
    >>> D = nx.DiGraph([("a1", "b1"), ("b1", "c1")])
    >>> nx.set_node_attributes(D, {"a1": "A", "b1": "B", "c1": "C"}, "org")
    >>> brokerage_roles(D, "org")["b1"]["liaison"]
    1

    References
    ----------
    .. [1] R. V. Gould and R. M. Fernandez, "Structures of mediation: a formal approach to
       brokerage in transaction networks", Sociological Methodology 19:89-126, 1989.
    """
    check_graph(D, name="D")
    groups = check_attribute(D, attribute)
    nodes, index = node_index(D)
    n = len(nodes)
    if n == 0:
        return {}
    A = binary(adjacency(D, index))  # A[a, b] = 1 for a tie a -> b
    code = group_codes(groups[v] for v in nodes)
    n_groups = int(code.max()) + 1
    rows = np.repeat(np.arange(n), np.diff(A.indptr))
    cols = A.indices
    same_edge = code[rows] == code[cols]

    in_total = np.bincount(cols, minlength=n).astype(np.int64)
    out_total = np.bincount(rows, minlength=n).astype(np.int64)
    in_same = np.bincount(cols[same_edge], minlength=n).astype(np.int64)
    out_same = np.bincount(rows[same_edge], minlength=n).astype(np.int64)
    mutual = A.multiply(A.T).tocsr()
    m_rows = np.repeat(np.arange(n), np.diff(mutual.indptr))
    m_same = code[m_rows] == code[mutual.indices]
    mutual_total = np.bincount(m_rows, minlength=n).astype(np.int64)
    mutual_same = np.bincount(m_rows[m_same], minlength=n).astype(np.int64)
    H = sp.csr_matrix((np.ones(n), (np.arange(n), code)), shape=(n, n_groups))
    in_by_group = (A.T @ H).tocsr()  # [b, p] = in-neighbours of b in group p
    out_by_group = (A @ H).tocsr()
    same_group_pairs = np.asarray(in_by_group.multiply(out_by_group).sum(axis=1)).ravel()
    same_group_pairs = np.rint(same_group_pairs).astype(np.int64)
    other_same_pairs = same_group_pairs - in_same * out_same

    # Every two-path a -> b -> c with a != c, by pattern (open and closed).
    counts = {
        "coordinator": in_same * out_same - mutual_same,
        "itinerant": other_same_pairs - (mutual_total - mutual_same),
        "representative": in_same * (out_total - out_same),
        "gatekeeper": (in_total - in_same) * out_same,
        "liaison": (in_total - in_same) * (out_total - out_same) - other_same_pairs,
    }

    # Closed two-paths (a -> c present), found per tie a -> b: c ranges over common
    # out-neighbours of a and b; split by c's group.
    A_same = A.copy()
    A_same.data = same_edge.astype(float)
    A_same.eliminate_zeros()
    all_c = np.rint(masked_product(A, A.T, A)).astype(np.int64)
    c_with_b = np.rint(masked_product(A, A_same.T, A)).astype(np.int64)
    c_with_a = np.rint(masked_product(A_same, A.T, A)).astype(np.int64)

    def at_broker(values: np.ndarray, where: np.ndarray) -> np.ndarray:
        return np.bincount(cols[where], weights=values[where], minlength=n).astype(np.int64)

    different = ~same_edge
    counts["coordinator"] -= at_broker(c_with_b, same_edge)
    counts["representative"] -= at_broker(all_c - c_with_b, same_edge)
    counts["gatekeeper"] -= at_broker(c_with_b, different)
    counts["itinerant"] -= at_broker(c_with_a, different)
    counts["liaison"] -= at_broker(all_c - c_with_b - c_with_a, different)

    return {
        v: {role: int(counts[role][i]) for role in BROKERAGE_ROLES} for i, v in enumerate(nodes)
    }


def explain_broker(G, node, attribute: str, *, groups=None) -> dict:
    """Which groups a person connects, through which ties and forums.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        Person network; edge attributes ``weight`` (tie strength) and ``forums`` (ids of the
        forums the two people share) are used when present. In a DiGraph both in- and
        out-ties count.
    node
        The person.
    attribute : str
        Node attribute defining the groups.
    groups : sequence, optional
        Restrict the per-group breakdown to these groups (e.g. the two groups of a
        between-groups ranking).

    Returns
    -------
    dict
        ``id``, ``name``, ``group`` (own group), ``ties`` (number of neighbours),
        ``cross_group_ties`` and ``cross_group_share`` (share of ties into other groups),
        ``groups`` (per group reached: ``group``, ``ties``, ``weight``, ``people`` -- the
        strongest five contacts -- and ``forums`` -- shared forums by number of ties),
        ``bridged_groups`` (the requested groups the person has ties into, when ``groups``
        is given) and ``forums`` (forums carrying cross-group ties, by number of such ties).

    Raises
    ------
    NotFound
        If ``node`` is not in ``G``.
    InvalidParameter
        If no node carries ``attribute``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> explain_broker(G, 2, "club")["cross_group_ties"]
    4
    """
    check_graph(G)
    node_groups = check_attribute(G, attribute)
    if node not in G:
        raise NotFound("person", str(node))
    wanted = None if groups is None else list(groups)
    own = node_groups[node]
    neighbours: dict = defaultdict(list)
    if G.is_directed():
        for u in G.predecessors(node):
            neighbours[u].append(G[u][node])
        for v in G.successors(node):
            neighbours[v].append(G[node][v])
    else:
        for v, d in G[node].items():
            neighbours[v].append(d)
    neighbours.pop(node, None)

    per_group: dict = {}
    cross_forums: Counter = Counter()
    cross = 0
    for v, datas in neighbours.items():
        g = node_groups[v]
        weight = sum(float(d.get("weight", 1.0)) for d in datas)
        forums = sorted({f for d in datas for f in (d.get("forums") or ())}, key=str)
        entry = per_group.setdefault(
            g, {"group": g, "ties": 0, "weight": 0.0, "_people": [], "_forums": Counter()}
        )
        entry["ties"] += 1
        entry["weight"] += weight
        entry["_people"].append((weight, v))
        entry["_forums"].update(forums)
        if g != own:
            cross += 1
            cross_forums.update(forums)

    rows = []
    for entry in per_group.values():
        if wanted is not None and entry["group"] not in wanted:
            continue
        people = sorted(entry.pop("_people"), key=lambda item: (-item[0], str(item[1])))
        forums = entry.pop("_forums")
        entry["people"] = [v for _, v in people[:5]]
        entry["forums"] = [f for f, _ in sorted(forums.items(), key=lambda x: (-x[1], str(x[0])))]
        rows.append(entry)
    rows.sort(key=lambda e: (-e["ties"], -e["weight"], str(e["group"])))
    result = {
        "id": node,
        "name": G.nodes[node].get("name"),
        "group": own,
        "ties": len(neighbours),
        "cross_group_ties": cross,
        "cross_group_share": cross / len(neighbours) if neighbours else 0.0,
        "groups": rows,
        "forums": [
            {"forum": f, "cross_group_ties": c}
            for f, c in sorted(cross_forums.items(), key=lambda x: (-x[1], str(x[0])))
        ],
    }
    if wanted is not None:
        reached = {e["group"] for e in rows} | ({own} if own in wanted else set())
        result["bridged_groups"] = [g for g in wanted if g in reached]
    return result


def rank_brokers(
    G,
    *,
    by: str | None = None,
    between=None,
    directed=None,
    top: int | None = None,
    seed: int = 0,
    exact_max_nodes: int = 5000,
    precomputed: BetweennessResult | None = None,
) -> dict:
    """Rank people as brokers and explain the top ones (the ``kg analyse brokers`` answer).

    The score is the normalised betweenness (as networkx normalises it by default), or, when
    ``between=(a, b)`` is given, the normalised between-groups betweenness of paths from group
    ``a`` to group ``b`` of attribute ``by``. Each row also carries Burt's constraint and
    effective size (tie weights from the ``weight`` edge attribute), and, when ``by`` is given,
    the Gould--Fernandez role counts on ``directed`` (the directed tie network; when None, ``G``
    itself with undirected ties read both ways), the person's group and the other groups they
    have ties into. The first ten rows are explained by :func:`explain_broker`. Ties in the
    ranking are broken by plain betweenness, then by id.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        Person network (nodes may carry ``name``).
    by : str, optional
        Group attribute (``organisation``, ``sector``, ``profession``, ...).
    between : (group, group), optional
        Rank by the shortest paths carried between these two groups of ``by``.
    directed : networkx.DiGraph, optional
        Directed tie network for the brokerage roles.
    top : int, optional
        Keep only the best ``top`` rows (all when None).
    seed : int, default 0
        Seeds sampled betweenness.
    exact_max_nodes : int, default 5000
        Largest network whose betweenness is computed exactly.
    precomputed : BetweennessResult, optional
        The :func:`betweenness` of ``G``, when the caller has it already (it is the costly
        part on a large network).

    Returns
    -------
    dict
        ``{"brokers": [{"id", "name", "score", "betweenness", "constraint", "effective_size",
        "roles" (when by), "group", "groups", "explanation" (first ten, when by)}],
        "betweenness": {"exact", "sample_size", "error_estimate"}, "between_groups": the same
        for the between-groups scores (None without between), "parameters": {...}}``.
        NaN values (constraint of an isolated person) are reported as None.

    Raises
    ------
    InvalidParameter
        If ``between`` is given without ``by``, is not a pair, or names an empty group; if
        ``top`` is not a positive integer.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> result = rank_brokers(G, by="club", top=3)
    >>> [row["id"] for row in result["brokers"]]
    [0, 33, 32]
    """
    check_graph(G)
    if top is not None and (not isinstance(top, int) or isinstance(top, bool) or top < 1):
        raise InvalidParameter("top must be a positive integer")
    if between is not None:
        if by is None:
            raise InvalidParameter("between=(a, b) needs by=ATTRIBUTE to say what a and b are")
        if isinstance(between, str) or len(between) != 2:
            raise InvalidParameter("between must be a pair of groups (a, b)")
    if directed is not None:
        check_graph(directed, name="directed")
    node_groups = check_attribute(G, by) if by is not None else None

    if precomputed is not None:
        if not isinstance(precomputed, BetweennessResult) or set(precomputed.values) != set(G):
            raise InvalidParameter("precomputed must be the BetweennessResult of this graph")
        result = precomputed
    else:
        result = betweenness(G, normalized=True, exact_max_nodes=exact_max_nodes, seed=seed)
    between_result = None
    if between is not None:
        # A network small enough for exact betweenness gets exact between-groups scores too.
        small = G.number_of_nodes() <= exact_max_nodes
        between_result = between_groups_betweenness(
            G, by, between[0], between[1], normalized=True, seed=seed,
            exact_max_sources=G.number_of_nodes() if small else 2000)
        score = between_result.values
    else:
        score = result.values
    constraint, effective_size = structural_holes(G)
    roles = None
    if by is not None:
        roles_graph = directed if directed is not None else G
        if roles_graph is not G and all(d.get(by) is None for _, d in roles_graph.nodes(data=True)):
            # The tie network may not carry attributes; take them from the person network.
            roles_graph = roles_graph.copy()
            nx.set_node_attributes(roles_graph, {v: node_groups.get(v) for v in roles_graph}, by)
        roles = brokerage_roles(roles_graph, by)

    order = sorted(G.nodes(), key=lambda v: (-score[v], -result.values[v], str(v)))
    if top is not None:
        order = order[:top]
    rows = []
    zero_roles = dict.fromkeys(BROKERAGE_ROLES, 0)
    for rank, v in enumerate(order):
        row = {
            "id": v,
            "name": G.nodes[v].get("name"),
            "score": json_float(score[v]),
            "betweenness": json_float(result.values[v]),
            "constraint": json_float(constraint[v]),
            "effective_size": json_float(effective_size[v]),
        }
        if by is not None:
            row["roles"] = dict(roles.get(v, zero_roles))
            row["group"] = node_groups[v]
            reached = Counter(node_groups[u] for u in nx.all_neighbors(G, v) if u != v)
            reached.pop(node_groups[v], None)
            row["groups"] = [
                g for g, _ in sorted(reached.items(), key=lambda x: (-x[1], str(x[0])))
            ]
            if rank < _EXPLAINED:
                row["explanation"] = explain_broker(G, v, by, groups=between)
        rows.append(row)
    return {
        "brokers": rows,
        "betweenness": result.summary(),
        "between_groups": between_result.summary() if between_result is not None else None,
        "parameters": {
            "by": by,
            "between": list(between) if between is not None else None,
            "top": top,
            "seed": seed,
            "exact_max_nodes": exact_max_nodes,
            "score": "between_groups_betweenness" if between is not None else "betweenness",
            "normalized": True,
            "paths": "unweighted (hops)",
            "constraint_weight": "weight",
            "roles_network": None
            if by is None
            else ("directed ties" if directed is not None else "person network, both directions"),
            "nodes": G.number_of_nodes(),
            "edges": G.number_of_edges(),
        },
    }
