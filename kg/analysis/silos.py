"""Silos: how far each group's ties stay inside it.

- :func:`ei_index` -- Krackhardt and Stern's E-I index [1]_ per group and for the whole network,
  with internal and external ties, the share of other groups reached, and a seeded two-sided
  permutation test (is the group more closed, or more open, than chance?);
- :func:`ei_by_layer` -- the same index computed on each layer of the person network (direct
  ties, shared forums, shared assets, shared teams) beside the combined figure, to show which
  layer drives it;
- :func:`density_matrix` -- the group x group block density matrix;
- :func:`partition_agreement` -- normalised mutual information [4]_ and adjusted Rand index [3]_
  between two partitions (e.g. detected communities and organisations), from igraph.

A tie between two people of the same group is *internal* to it; a tie between groups is
*external* to both. E-I = (E - I) / (E + I): -1 is a perfect silo, +1 a group whose every tie
leaves it. Ties are *counted*, not weighted, as Krackhardt and Stern define the index: an edge of
the person network is one tie whatever its weight (the weights already decided, through
``min_weight``, which pairs are edges at all).

The permutation test shuffles the group labels over the people (group sizes kept, the network
fixed) [1]_. For :math:`m` shuffles of which :math:`b` give an index as low as (or as high as)
the observed one, the one-sided p-value is :math:`(1 + b)/(1 + m)` [2]_: ``p_closed`` for "more
closed than chance", ``p_open`` for "more open than chance". The two-sided p-value is
:math:`\\min(1, 2 \\min(p_\\text{closed}, p_\\text{open}))` and ``direction`` is ``"closed"`` or
``"open"`` when it is at most ``alpha`` (0.05 by default), else ``"neither"``. The null
hypothesis is "ties ignore the grouping", so a group can have a positive E-I (most of its ties
leave it) and still be significantly *closed*: with many small groups, shuffled labels give an
E-I near +1, and the permutation mean is reported beside the index as ``expected_ei``.

References
----------
.. [1] D. Krackhardt and R. N. Stern, "Informal networks and organizational crises: an
   experimental simulation", Social Psychology Quarterly 51(2):123-140, 1988.
.. [2] B. Phipson and G. K. Smyth, "Permutation p-values should never be zero: calculating
   exact p-values when permutations are randomly drawn", Statistical Applications in Genetics
   and Molecular Biology 9(1), article 39, 2010.
.. [3] L. Hubert and P. Arabie, "Comparing partitions", Journal of Classification 2:193-218,
   1985.
.. [4] L. Danon, A. Diaz-Guilera, J. Duch and A. Arenas, "Comparing community structure
   identification", Journal of Statistical Mechanics P09008, 2005.
"""

from __future__ import annotations

import igraph as ig
import networkx as nx
import numpy as np

from kg.errors import InvalidParameter

__all__ = [
    "ALPHA",
    "N_PERMUTATIONS",
    "density_matrix",
    "ei_by_layer",
    "ei_index",
    "partition_agreement",
]

#: Label permutations of every E-I test (here and in :mod:`kg.analysis.change`): the smallest
#: two-sided p-value is then 2/1000.
N_PERMUTATIONS = 999
#: Significance level of an E-I test's ``direction``.
ALPHA = 0.05


def _labels(G: nx.Graph, attribute: str):
    """People with a value for ``attribute``, the sorted groups, each person's group code and
    the edges between them (self-loops left out) as index arrays, with the edges' data."""
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
    u, v, data = [], [], []
    for a, b, d in G.edges(data=True):
        if a != b and a in index and b in index:
            u.append(index[a])
            v.append(index[b])
            data.append(d)
    return (nodes, groups, labels, np.array(u, dtype=np.int64), np.array(v, dtype=np.int64),
            data)


def _counts(labels, u, v, k, degree=None):
    """Internal and external ties of each of the k groups; runs once per permutation."""
    if k * k <= u.size:
        # One bincount of group pairs (a k x k block count) instead of masks.
        blocks = np.bincount(labels[u] * k + labels[v], minlength=k * k).reshape(k, k)
        internal = np.diag(blocks).copy()
        return internal, blocks.sum(axis=0) + blocks.sum(axis=1) - 2 * internal
    # Many groups (teams, organisations): a k x k count would dwarf the ties. Count the internal
    # ties; a group's external ties are its members' degrees less twice its internal ones.
    if degree is None:
        degree = _degree(labels.size, u, v)
    lu = labels[u]
    internal = np.bincount(lu[lu == labels[v]], minlength=k)
    ends = np.bincount(labels, weights=degree, minlength=k).astype(np.int64)
    return internal, ends - 2 * internal


def _degree(n, u, v):
    return np.bincount(u, minlength=n) + np.bincount(v, minlength=n)


def _ei(internal, external):
    total = internal + external
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (external - internal) / np.maximum(total, 1), np.nan)


def _float(x) -> float | None:
    return None if x is None or np.isnan(x) else float(x)


_NO_TEST = {"expected_ei": None, "p_closed": None, "p_open": None, "p_value": None,
            "direction": None}


def _direction(p_closed, p_open, p_value, alpha) -> str | None:
    if p_value is None:
        return None
    if p_value > alpha:
        return "neither"
    return "closed" if p_closed < p_open else "open"


def _tally(labels, u, v, k, num_obs, tot_obs, n_permutations, seed):
    """Shuffle the labels ``n_permutations`` times; for each of the k groups and (column k) the
    whole network count the shuffles that define the index, those whose index is as low as and
    as high as the observed one, and sum the indices.

    E-I = num/tot with integers ``num = E - I`` and ``tot = E + I``, so "as low as" is decided
    exactly by cross-multiplying, with no rounding tolerance. The shuffles are tallied in blocks
    so memory stays small whatever the number of groups.
    """
    n_edges = int(u.size)
    degree = _degree(labels.size, u, v)
    tally = np.zeros((4, k + 1))
    rng = np.random.default_rng(seed)
    block = max(1, min(n_permutations, 65536 // (k + 1)))
    sim_int = np.empty((block, k + 1), dtype=np.int64)
    sim_tot = np.empty((block, k + 1), dtype=np.int64)
    sim_tot[:, k] = n_edges  # the whole network keeps all its ties
    done = 0
    while done < n_permutations:
        b = min(block, n_permutations - done)
        for r in range(b):
            internal, external = _counts(rng.permutation(labels), u, v, k, degree)
            sim_int[r, :k] = internal
            sim_int[r, k] = internal.sum()
            sim_tot[r, :k] = internal + external
        tot = sim_tot[:b]
        num = tot - 2 * sim_int[:b]
        valid = tot > 0
        lhs, rhs = num * tot_obs, num_obs * tot  # shuffled <= observed  <=>  lhs <= rhs
        tally[0] += valid.sum(axis=0)
        tally[1] += (valid & (lhs <= rhs)).sum(axis=0)
        tally[2] += (valid & (lhs >= rhs)).sum(axis=0)
        tally[3] += np.where(valid, num / np.maximum(tot, 1), 0.0).sum(axis=0)
        done += b
    return tally


def _tests(tally, tot_obs, alpha) -> list[dict]:
    """Phipson-Smyth p-values both ways, the two-sided one and the direction, per column.

    Shuffles in which a group has no tie at all (its index undefined) are left out of that
    group's :math:`m`.
    """
    out = []
    for (m, b_closed, b_open, total), tot in zip(tally.T, tot_obs, strict=True):
        if tot == 0 or m == 0:
            out.append(dict(_NO_TEST, expected_ei=float(total / m) if m else None))
            continue
        p_closed = float((1 + b_closed) / (1 + m))
        p_open = float((1 + b_open) / (1 + m))
        p_value = min(1.0, 2 * min(p_closed, p_open))
        out.append({"expected_ei": float(total / m), "p_closed": p_closed, "p_open": p_open,
                    "p_value": p_value,
                    "direction": _direction(p_closed, p_open, p_value, alpha)})
    return out


def ei_index(
    G: nx.Graph,
    attribute: str,
    *,
    n_permutations: int = N_PERMUTATIONS,
    seed: int = 0,
    alpha: float = ALPHA,
) -> dict:
    r"""E-I index of each group of ``attribute`` and of the whole network, tested both ways.

    For a group with :math:`I` internal and :math:`E` external ties,
    :math:`\mathrm{EI} = (E - I)/(E + I)`; for the whole network :math:`I` counts the ties
    inside any group and :math:`E` those between groups. Ties are counted (each edge once,
    whatever its weight), as Krackhardt and Stern define the index.

    The test shuffles the group labels ``n_permutations`` times over the people (sizes kept, the
    network fixed). With :math:`b` of the :math:`m` shuffles giving an index at most (at least)
    the observed one, ``p_closed`` (``p_open``) is :math:`(1 + b)/(1 + m)` (Phipson and Smyth);
    ``p_value`` is the two-sided :math:`\min(1, 2\min(p_\text{closed}, p_\text{open}))`.
    ``direction`` is ``"closed"`` (``"open"``) when ``p_value`` :math:`\le` ``alpha`` and the
    index is below (above) what shuffles give, ``"neither"`` otherwise. With ``n_permutations``
    below :math:`2/\alpha - 1` (39 for 0.05) no direction can be significant.

    Parameters
    ----------
    G : networkx.Graph
        Undirected network (a DiGraph's ties count once each, direction ignored). People
        without a value for ``attribute`` are left out, with their ties.
    attribute : str
        Node attribute defining the groups (``organisation``, ``sector``, ``profession``...).
    n_permutations : int, default N_PERMUTATIONS (999)
        Label permutations for the test (0 skips it: expected index, p-values and direction
        are then None).
    seed : int, default 0
        Seeds the permutations.
    alpha : float, default ALPHA (0.05)
        Level at which ``direction`` calls a group closed or open.

    Returns
    -------
    dict
        ``attribute``; the whole network's ``ei_index``, ``internal``, ``external``,
        ``expected_ei`` (mean under permutation), ``p_closed``, ``p_open``, ``p_value``
        (two-sided) and ``direction``; ``groups``: ``[{"group", "size", "internal",
        "external", "ei_index", "expected_ei", "p_closed", "p_open", "p_value", "direction",
        "groups_reached", "share_reached"}]``, most closed group first (``share_reached``: the
        share of the other groups the group has a tie into); ``n_permutations``, ``alpha``,
        ``seed``. A group without ties has ``ei_index`` None and no test.

    Raises
    ------
    InvalidParameter
        If ``G`` is not a graph, no person has the attribute, ``n_permutations`` is not a whole
        number >= 0, ``seed`` not a whole number >= 0, or ``alpha`` not between 0 and 1.

    Examples
    --------
    Two six-person cliques joined by one tie: both groups are more closed than chance.

    >>> G = nx.disjoint_union(nx.complete_graph(6), nx.complete_graph(6))
    >>> G.add_edge(0, 6)
    >>> nx.set_node_attributes(G, {v: "ab"[v // 6] for v in G}, "team")
    >>> result = ei_index(G, "team", seed=1)
    >>> [(g["group"], round(g["ei_index"], 3), g["direction"]) for g in result["groups"]]
    [('a', -0.875, 'closed'), ('b', -0.875, 'closed')]
    >>> round(result["ei_index"], 3), result["p_closed"], result["p_open"], result["p_value"]
    (-0.935, 0.002, 1.0, 0.004)

    Only 2 of the 924 ways to label six people "a" are as closed as the observed split, so the
    exact one-sided p-value is 2/924 = 0.0022 and the two-sided one 0.0043.

    References
    ----------
    .. [1] D. Krackhardt and R. N. Stern, Social Psychology Quarterly 51(2):123-140, 1988.
    .. [2] B. Phipson and G. K. Smyth, Stat. Appl. Genet. Mol. Biol. 9(1), article 39, 2010.
    """
    if not isinstance(n_permutations, int) or isinstance(n_permutations, bool) \
            or n_permutations < 0:
        raise InvalidParameter("n_permutations must be a whole number, zero or more")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise InvalidParameter("seed must be a whole number, zero or more")
    if not isinstance(alpha, int | float) or isinstance(alpha, bool) or not 0 < alpha < 1:
        raise InvalidParameter("alpha must be a number between 0 and 1")
    nodes, groups, labels, u, v, _ = _labels(G, attribute)
    k = len(groups)
    internal, external = _counts(labels, u, v, k)
    observed = _ei(internal, external)
    sizes = np.bincount(labels, minlength=k)
    n_int = int(internal.sum())
    n_edges = int(u.size)
    if n_permutations and n_edges:
        num_obs = np.append(external - internal, n_edges - 2 * n_int)
        tot_obs = np.append(internal + external, n_edges)
        *tests, whole = _tests(
            _tally(labels, u, v, k, num_obs, tot_obs, n_permutations, seed), tot_obs, alpha)
    else:
        tests, whole = [_NO_TEST] * k, _NO_TEST
    reached = np.zeros((k, k), dtype=bool)
    if n_edges:
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
            "ei_index": _float(observed[g]),
            **tests[g],
            "groups_reached": n_reached,
            "share_reached": n_reached / (k - 1) if k > 1 else 0.0,
        })
    rows.sort(key=lambda r: (r["ei_index"] if r["ei_index"] is not None else 2.0, str(r["group"])))
    return {
        "attribute": attribute,
        "ei_index": (n_edges - 2 * n_int) / n_edges if n_edges else None,
        "internal": n_int,
        "external": n_edges - n_int,
        **whole,
        "groups": rows,
        "n_permutations": n_permutations,
        "alpha": alpha,
        "seed": seed,
    }


def _layer_names(G: nx.Graph, data: list, layers) -> list[str]:
    found = {key[len("layer_"):] for d in data for key in d if key.startswith("layer_")}
    if layers is None:
        declared = G.graph.get("layers")
        # The projection records the layers it was built from, in its own order.
        if isinstance(declared, list | tuple) and set(declared) <= found:
            return list(declared)
        return sorted(found)
    if isinstance(layers, str):
        layers = [layers]
    layers = list(dict.fromkeys(layers))
    if not layers:
        raise InvalidParameter("give at least one layer, or None for all of them")
    missing = [x for x in layers if not isinstance(x, str) or x not in found]
    if missing:
        raise InvalidParameter(
            f"no edge carries layer(s) {', '.join(map(repr, missing))}; "
            f"the network has {', '.join(sorted(found)) or 'no layer weights'}")
    return layers


def ei_by_layer(G: nx.Graph, attribute: str, *, layers=None) -> dict:
    r"""E-I index of the whole network and each group, layer by layer and combined.

    The person network's edges carry a weight per layer (``layer_ties``, ``layer_forums``,
    ``layer_assets``, ``layer_teams``: see :func:`kg.analysis.projection.person_network`). An
    edge is a tie *of a layer* when its weight in that layer is above zero; the combined figure
    counts every edge once, as :func:`ei_index` does. Ties are counted, not weighted, in every
    layer, so a pair linked both directly and through a forum is one tie in each layer and one
    in the combined network, and the layers' counts can add up to more than the combined one.

    A group closed on direct ties but open on forums owes its openness to meetings, not to
    working relationships: a one-day 20-person summit can turn every sector of a small
    partnership from closed to open on its own. No permutation test is run here; call
    :func:`ei_index` on a layer's subgraph for one.

    Parameters
    ----------
    G : networkx.Graph
        Person network with ``layer_<name>`` edge weights (a missing weight counts as 0).
    attribute : str
        Node attribute defining the groups.
    layers : str or list of str, optional
        Layers to report (default: ``G.graph["layers"]`` when the network records them, else
        every ``layer_<name>`` found on an edge, sorted).

    Returns
    -------
    dict
        ``attribute``, ``layers`` (names, in order), the combined ``ei_index``, ``internal``
        and ``external`` of the whole network (the same as :func:`ei_index`), ``by_layer``:
        ``{layer: {"ei_index", "internal", "external"}}`` for the whole network, and
        ``groups``: ``[{"group", "size", "internal", "external", "ei_index", "by_layer":
        {layer: {"ei_index", "internal", "external"}}}]``, most closed (combined) group first.
        An index with no tie to count is None.

    Raises
    ------
    InvalidParameter
        If ``G`` is not a graph, no person has the attribute, or a requested layer is on no
        edge.

    Examples
    --------
    Two teams whose direct ties stay inside, and a forum that mixes them.

    >>> G = nx.Graph()
    >>> G.add_edges_from([(1, 2), (3, 4)], layer_ties=1.0, layer_forums=0.0)
    >>> G.add_edges_from([(1, 3), (2, 4), (1, 4)], layer_ties=0.0, layer_forums=0.5)
    >>> nx.set_node_attributes(G, {1: "a", 2: "a", 3: "b", 4: "b"}, "team")
    >>> result = ei_by_layer(G, "team")
    >>> result["layers"], result["by_layer"]["ties"]["ei_index"], result["ei_index"]
    (['forums', 'ties'], -1.0, 0.2)
    >>> result["by_layer"]["forums"]
    {'ei_index': 1.0, 'internal': 0, 'external': 3}

    References
    ----------
    .. [1] D. Krackhardt and R. N. Stern, Social Psychology Quarterly 51(2):123-140, 1988.
    """
    nodes, groups, labels, u, v, data = _labels(G, attribute)
    names = _layer_names(G, data, layers)
    k = len(groups)
    sizes = np.bincount(labels, minlength=k)

    def figures(mask):
        uu, vv = u[mask], v[mask]
        internal, external = _counts(labels, uu, vv, k)
        n_int, n = int(internal.sum()), int(uu.size)
        whole = {"ei_index": (n - 2 * n_int) / n if n else None, "internal": n_int,
                 "external": n - n_int}
        per_group = [{"ei_index": _float(x), "internal": int(i), "external": int(e)}
                     for x, i, e in zip(_ei(internal, external), internal, external, strict=True)]
        return whole, per_group

    combined, combined_groups = figures(np.ones(u.size, dtype=bool))
    by_layer = {}
    for name in names:
        key = f"layer_{name}"
        mask = np.array([(d.get(key) or 0) > 0 for d in data], dtype=bool)
        by_layer[name] = figures(mask)
    rows = [{"group": groups[g], "size": int(sizes[g]), **combined_groups[g],
             "by_layer": {name: by_layer[name][1][g] for name in names}} for g in range(k)]
    rows.sort(key=lambda r: (r["ei_index"] if r["ei_index"] is not None else 2.0, str(r["group"])))
    return {
        "attribute": attribute,
        "layers": names,
        **combined,
        "by_layer": {name: by_layer[name][0] for name in names},
        "groups": rows,
    }


def density_matrix(G: nx.Graph, attribute: str) -> dict:
    """Block density: ties between groups over the pairs of people that could be tied.

    Within a group of size :math:`n` there are :math:`n(n-1)/2` possible pairs; between groups
    of sizes :math:`n_a, n_b`, :math:`n_a n_b`. Ties are counted, as in :func:`ei_index`.

    Parameters
    ----------
    G : networkx.Graph
    attribute : str
        Node attribute defining the groups; people without it are left out.

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

    References
    ----------
    .. [1] S. Wasserman and K. Faust, *Social Network Analysis*, ch. 16 (blockmodels), 1994.
    """
    nodes, groups, labels, u, v, _ = _labels(G, attribute)
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

    Both come from :func:`igraph.compare_communities`: NMI as Danon et al. define it (mutual
    information over the arithmetic mean of the two entropies, scikit-learn's default), ARI as
    Hubert and Arabie's adjusted Rand index. Labels are compared as text, so ``1`` and ``"1"``
    are one label. Where the ARI is undefined (fewer than two items, or two identical
    partitions into one group or into singletons) it is 1.0, as in scikit-learn.

    Parameters
    ----------
    a, b : dict
        Item -> label; items whose label is None are skipped.

    Returns
    -------
    dict
        ``{"nmi", "ari", "items"}`` (``items``: how many items were compared).

    Raises
    ------
    InvalidParameter
        If the two partitions share no labelled item.

    Examples
    --------
    >>> partition_agreement({1: "x", 2: "x", 3: "y"}, {1: 0, 2: 0, 3: 1})
    {'nmi': 1.0, 'ari': 1.0, 'items': 3}
    >>> agree = partition_agreement({1: "x", 2: "x", 3: "y"}, {1: 0, 2: 1, 3: 1})
    >>> round(agree["nmi"], 3), round(agree["ari"], 3)
    (0.274, -0.5)

    References
    ----------
    .. [1] L. Danon et al., J. Stat. Mech. P09008, 2005.
    .. [2] L. Hubert and P. Arabie, Journal of Classification 2:193-218, 1985.
    """
    if not isinstance(a, dict) or not isinstance(b, dict):
        raise InvalidParameter("give two partitions as dicts of item -> label")
    items = [x for x in a if x in b and a[x] is not None and b[x] is not None]
    if not items:
        raise InvalidParameter("the two partitions share no items")
    _, ia = np.unique([str(a[x]) for x in items], return_inverse=True)
    _, ib = np.unique([str(b[x]) for x in items], return_inverse=True)
    ia, ib = ia.ravel().tolist(), ib.ravel().tolist()
    nmi = float(ig.compare_communities(ia, ib, method="nmi"))
    # igraph refuses the ARI of fewer than two items and gives NaN for two identical trivial
    # partitions; both agree perfectly.
    ari = float(ig.compare_communities(ia, ib, method="adjusted_rand")) if len(items) > 1 else 1.0
    return {"nmi": max(0.0, min(1.0, nmi)), "ari": 1.0 if np.isnan(ari) else ari,
            "items": len(items)}
