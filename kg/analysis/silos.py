"""Silos: how far each group's ties stay inside it.

- :func:`ei_index` -- Krackhardt and Stern's E-I index [1]_ per group and for the whole network,
  with internal and external ties, the share of other groups reached, and a seeded permutation
  test of each group's index;
- :func:`density_matrix` -- the group x group block density matrix;
- :func:`partition_agreement` -- normalised mutual information and adjusted Rand index between
  two partitions (e.g. detected communities and organisations), as scikit-learn defines them.

A tie between two people of the same group is *internal* to it; a tie between groups is
*external* to both. E-I = (E - I) / (E + I): -1 is a perfect silo, +1 a group whose every tie
leaves it. The permutation test shuffles the group labels over the people (group sizes kept,
the network fixed) and reports, per group, the one-sided p-value of an index as low as the
observed one: a small p-value says the group is more closed than its size alone explains [1]_.

References
----------
.. [1] D. Krackhardt and R. N. Stern, "Informal networks and organizational crises: an
   experimental simulation", Social Psychology Quarterly 51(2):123-140, 1988.
.. [2] L. Hubert and P. Arabie, "Comparing partitions", Journal of Classification 2:193-218,
   1985.
.. [3] N. X. Vinh, J. Epps and J. Bailey, "Information theoretic measures for clusterings
   comparison", JMLR 11:2837-2854, 2010.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

from kg.errors import InvalidParameter

__all__ = ["density_matrix", "ei_index", "partition_agreement"]


def _labels(G: nx.Graph, attribute: str):
    if not isinstance(G, nx.Graph):
        raise InvalidParameter("expected a networkx graph")
    if not isinstance(attribute, str) or not attribute:
        raise InvalidParameter("give the group attribute, e.g. 'sector'")
    nodes = [v for v, a in G.nodes(data=attribute) if a is not None]
    if not nodes:
        raise InvalidParameter(f"no person has a value for {attribute!r}")
    values = [G.nodes[v][attribute] for v in nodes]
    groups = sorted(set(values), key=str)
    code = {g: i for i, g in enumerate(groups)}
    index = {v: i for i, v in enumerate(nodes)}
    labels = np.array([code[x] for x in values], dtype=np.int64)
    u, v = [], []
    for a, b in G.edges():
        if a != b and a in index and b in index:
            u.append(index[a])
            v.append(index[b])
    return nodes, groups, labels, np.array(u, dtype=np.int64), np.array(v, dtype=np.int64)


def _counts(labels, u, v, k):
    # One bincount of group pairs (a k x k block count) instead of masks: this runs once per
    # permutation.
    blocks = np.bincount(labels[u] * k + labels[v], minlength=k * k).reshape(k, k)
    internal = np.diag(blocks).copy()
    return internal, blocks.sum(axis=0) + blocks.sum(axis=1) - 2 * internal


def _ei(internal, external):
    total = internal + external
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (external - internal) / np.maximum(total, 1), np.nan)


def ei_index(
    G: nx.Graph,
    attribute: str,
    *,
    permutations: int = 999,
    seed: int = 0,
) -> dict:
    """E-I index of each group of ``attribute``, with a permutation test.

    Parameters
    ----------
    G : networkx.Graph
        Undirected network (a DiGraph's ties count once each, direction ignored). People
        without a value for ``attribute`` are left out.
    attribute : str
        Node attribute defining the groups (``organisation``, ``sector``, ``profession``...).
    permutations : int, default 999
        Label permutations for the p-values (0 to skip the test).
    seed : int, default 0

    Returns
    -------
    dict
        ``{"attribute", "ei_index" (whole network), "groups": [{"group", "size", "internal",
        "external", "ei_index", "expected_ei" (mean under permutation), "p_value",
        "groups_reached", "share_reached"}], "permutations", "seed"}``, most closed group
        first. ``share_reached`` is the share of the other groups the group has a tie into.

    Examples
    --------
    >>> G = nx.Graph([(1, 2), (3, 4), (2, 3)])
    >>> nx.set_node_attributes(G, {1: "a", 2: "a", 3: "b", 4: "b"}, "team")
    >>> [(g["group"], round(g["ei_index"], 3)) for g in ei_index(G, "team")["groups"]]
    [('a', 0.0), ('b', 0.0)]
    """
    if not isinstance(permutations, int) or permutations < 0:
        raise InvalidParameter("permutations must be a whole number, zero or more")
    nodes, groups, labels, u, v = _labels(G, attribute)
    k = len(groups)
    internal, external = _counts(labels, u, v, k)
    observed = _ei(internal, external)
    sizes = np.bincount(labels, minlength=k)
    below = np.zeros(k)
    total = np.zeros(k)
    if permutations and u.size:
        rng = np.random.default_rng(seed)
        for _ in range(permutations):
            perm = rng.permutation(labels)
            i, e = _counts(perm, u, v, k)
            sim = _ei(i, e)
            # an observed NaN (a group without ties) never counts as extreme
            below += np.nan_to_num(sim, nan=np.inf) <= observed + 1e-12
            total += np.nan_to_num(sim)
    reached = np.zeros((k, k), dtype=bool)
    if u.size:
        reached[labels[u], labels[v]] = True
        reached[labels[v], labels[u]] = True
    np.fill_diagonal(reached, False)
    rows = []
    for g in range(k):
        n_reached = int(reached[g].sum())
        rows.append({
            "group": groups[g],
            "size": int(sizes[g]),
            "internal": int(internal[g]),
            "external": int(external[g]),
            "ei_index": None if math.isnan(observed[g]) else float(observed[g]),
            "expected_ei": float(total[g] / permutations) if permutations and u.size else None,
            "p_value": float((1 + below[g]) / (1 + permutations))
            if permutations and u.size and not math.isnan(observed[g]) else None,
            "groups_reached": n_reached,
            "share_reached": n_reached / (k - 1) if k > 1 else 0.0,
        })
    rows.sort(key=lambda r: (r["ei_index"] if r["ei_index"] is not None else 2.0, str(r["group"])))
    n_int = int(np.sum(labels[u] == labels[v])) if u.size else 0
    n_ext = int(u.size - n_int)
    return {
        "attribute": attribute,
        "ei_index": (n_ext - n_int) / (n_ext + n_int) if u.size else None,
        "internal": n_int,
        "external": n_ext,
        "groups": rows,
        "permutations": permutations,
        "seed": seed,
    }


def density_matrix(G: nx.Graph, attribute: str) -> dict:
    """Block density: ties between groups over the pairs of people that could be tied.

    Within a group of size :math:`n` there are :math:`n(n-1)/2` possible pairs; between groups
    of sizes :math:`n_a, n_b`, :math:`n_a n_b`.

    Returns
    -------
    dict
        ``{"groups": [...], "ties": [[...]], "density": [[...]]}`` (row and column order of
        ``groups``).

    Examples
    --------
    >>> G = nx.Graph([(1, 2), (2, 3)])
    >>> nx.set_node_attributes(G, {1: "a", 2: "a", 3: "b"}, "team")
    >>> density_matrix(G, "team")["density"]
    [[1.0, 0.5], [0.5, 0.0]]
    """
    nodes, groups, labels, u, v = _labels(G, attribute)
    k = len(groups)
    ties = np.zeros((k, k), dtype=np.int64)
    np.add.at(ties, (labels[u], labels[v]), 1)
    ties = ties + ties.T - np.diag(np.diag(ties))
    sizes = np.bincount(labels, minlength=k).astype(float)
    possible = np.outer(sizes, sizes)
    np.fill_diagonal(possible, sizes * (sizes - 1) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        density = np.where(possible > 0, ties / np.maximum(possible, 1), 0.0)
    return {"groups": groups, "ties": ties.tolist(), "density": density.round(6).tolist()}


def partition_agreement(a: dict, b: dict) -> dict:
    """NMI and ARI between two labellings of the same items (items missing from either skipped).

    NMI uses the arithmetic mean of the entropies (scikit-learn's default); ARI is Hubert and
    Arabie's adjusted Rand index.

    Examples
    --------
    >>> partition_agreement({1: "x", 2: "x", 3: "y"}, {1: 0, 2: 0, 3: 1})
    {'nmi': 1.0, 'ari': 1.0, 'items': 3}
    """
    items = [x for x in a if x in b and a[x] is not None and b[x] is not None]
    if not items:
        raise InvalidParameter("the two partitions share no items")
    _, ia = np.unique([str(a[x]) for x in items], return_inverse=True)
    _, ib = np.unique([str(b[x]) for x in items], return_inverse=True)
    n = len(items)
    table = np.zeros((ia.max() + 1, ib.max() + 1))
    np.add.at(table, (ia, ib), 1)
    pa, pb = table.sum(1) / n, table.sum(0) / n
    ha = -np.sum(pa[pa > 0] * np.log(pa[pa > 0]))
    hb = -np.sum(pb[pb > 0] * np.log(pb[pb > 0]))
    nz = table > 0
    pij = table[nz] / n
    mi = float(np.sum(pij * np.log(pij / np.outer(pa, pb)[nz])))
    nmi = 1.0 if ha == hb == 0 else (mi / ((ha + hb) / 2) if ha + hb > 0 else 0.0)

    def pairs(x):
        return x * (x - 1) / 2

    index = pairs(table).sum()
    sa, sb = pairs(table.sum(1)).sum(), pairs(table.sum(0)).sum()
    expected = sa * sb / pairs(n) if n > 1 else 0.0
    maximum = (sa + sb) / 2
    ari = 1.0 if maximum == expected else float((index - expected) / (maximum - expected))
    return {"nmi": float(max(0.0, min(1.0, nmi))), "ari": ari, "items": n}
