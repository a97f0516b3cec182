"""Brokerage roles: Gould and Fernandez's five ways of mediating between groups.

:func:`brokerage_roles` counts, for every node of a directed tie network, the open two-paths
a -> b -> c it brokers, by the groups of a, b and c (coordinator, itinerant, representative,
gatekeeper, liaison), with sparse matrix products. networkx has no equivalent; the tests check
the counts on hand-worked graphs and against a brute-force enumeration.

References
----------
.. [1] R. V. Gould and R. M. Fernandez, "Structures of mediation: a formal approach to brokerage
   in transaction networks", Sociological Methodology 19:89-126, 1989.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import scipy.sparse as sp

from kg.analysis._fast import (
    adjacency,
    binary,
    check_attribute,
    check_graph,
    group_codes,
    masked_product,
    node_index,
)

__all__ = ["BROKERAGE_ROLES", "brokerage_roles"]

#: The five roles, in the order they are reported.
BROKERAGE_ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")


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
