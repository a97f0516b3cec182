"""Structural holes: Burt's constraint and effective size of every person.

A broker in Burt's sense is someone whose contacts are not connected to each other: low
constraint, high effective size. :func:`structural_holes` computes both for every node of a
networkx graph with scipy sparse products and equals networkx's per-node formulas
(``nx.constraint``, ``nx.effective_size`` with ``nodes=``) to within 1e-9; the tests check this
on Zachary's karate club and the Lazega law firm.

References
----------
.. [1] R. S. Burt, *Structural Holes: The Social Structure of Competition*, Harvard University
   Press, 1992.
.. [2] S. P. Borgatti, "Structural holes: unpacking Burt's redundancy measures", Connections
   20(1):35-38, 1997.
"""

from __future__ import annotations

import numpy as np

from kg.analysis._fast import adjacency, binary, check_graph, masked_product, node_index
from kg.errors import InvalidParameter

__all__ = ["structural_holes"]


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
