r"""The whole network at a glance: the standard descriptive measures in one answer.

:func:`network_profile` describes a person network (and its directed tie network) as a
researcher's first table does -- size, density, reciprocity, path lengths, transitivity,
centralisation, components, k-cores -- and adds two structural questions:

- **Is there a core and a periphery?** Borgatti and Everett's discrete core--periphery model
  [1]_: people are split into a core and a periphery so that the observed adjacency correlates
  best with the ideal pattern (core--core pairs tied, periphery--periphery pairs not; the
  core--periphery pairs are left out of the correlation, the model's "missing" off-diagonal
  block, unless ``core_periphery_ties=True`` asks for them to be tied too). The fit starts
  from the best core made of the highest-degree people and then moves one person at a time
  between core and periphery while the correlation rises.
- **Whose joint absence would fragment the network most?** Borgatti's key-player set [2]_
  (KPP-Neg): the ``k`` people whose removal leaves the highest fragmentation

  .. math:: F = 1 - \frac{\sum_j s_j (s_j - 1)}{N (N - 1)},

  the share of pairs of the remaining :math:`N` people who can no longer reach each other
  (:math:`s_j` the sizes of the components left). The set is found greedily (add the person
  whose removal raises :math:`F` most) and then improved by swaps (replace a member by the
  non-member that raises :math:`F` most) until no swap helps, as Borgatti proposes. Every
  step evaluates all candidates at once: one depth-first search of the network without the
  set gives, from the articulation points and the sizes of the pieces each would cut off,
  :math:`F` after removing any one more person. The answer also shows the top ``k`` ranked
  one at a time, and what removing those together does: usually less, since several of them
  cut off the same pieces.

References
----------
.. [1] S. P. Borgatti and M. G. Everett, "Models of core/periphery structures", Social Networks
   21(4):375-395, 1999.
.. [2] S. P. Borgatti, "Identifying sets of key players in a social network", Computational
   and Mathematical Organization Theory 12:21-34, 2006.
.. [3] L. C. Freeman, "Centrality in social networks: conceptual clarification", Social
   Networks 1(3):215-239, 1978 (degree centralisation).
.. [4] S. B. Seidman, "Network structure and minimum degree", Social Networks 5(3):269-287,
   1983 (k-cores).
.. [5] S. Wasserman and K. Faust, *Social Network Analysis*, Cambridge University Press, 1994.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import scipy.sparse as sp
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
from kg.errors import InvalidParameter

__all__ = [
    "MEASURES",
    "core_periphery",
    "fragmentation",
    "key_players",
    "network_profile",
    "profile_groups",
]

#: The scalar measures of a profile, in the order they are shown (the change between periods
#: is given for these).
MEASURES = (
    "people", "ties", "mean_degree", "density", "tie_density", "reciprocity", "transitivity",
    "average_path_length", "diameter", "degree_centralisation", "components",
    "largest_component_share", "isolates", "max_core", "core_periphery_correlation",
    "core_size",
)
#: Sources per block of the breadth-first search of path lengths.
_BFS_BLOCK = 512


# --- helpers ---------------------------------------------------------------------------------


def _undirected(G) -> tuple[list, dict, sp.csr_matrix]:
    """Nodes, positions and the symmetric 0/1 adjacency (a tie either way joins two people)."""
    nodes, index = node_index(G)
    A = binary(adjacency(G, index))
    if G.is_directed():
        A = binary((A + A.T).tocsr())
    A.setdiag(0)
    A.eliminate_zeros()
    A.sort_indices()
    return nodes, index, A


def _path_sums(A: sp.csr_matrix, sources: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Sum of hop distances from each source to the nodes it reaches, the number of such pairs,
    and each source's eccentricity: breadth-first search a block of sources at a time."""
    n = A.shape[0]
    M = A.astype(np.float32)
    total, pairs = 0.0, 0.0
    ecc = np.zeros(len(sources), dtype=np.int64)
    for lo in range(0, len(sources), _BFS_BLOCK):
        chunk = sources[lo: lo + _BFS_BLOCK]
        seen = np.zeros((n, len(chunk)), dtype=bool)
        seen[chunk, np.arange(len(chunk))] = True
        frontier = seen.astype(np.float32)
        step = 0
        while True:
            reached = (M @ frontier) > 0
            reached &= ~seen
            per_source = reached.sum(axis=0)
            if not per_source.any():
                break
            step += 1
            total += step * float(per_source.sum())
            pairs += float(per_source.sum())
            ecc[lo: lo + len(chunk)][per_source > 0] = step
            seen |= reached
            frontier = reached.astype(np.float32)
    return total, pairs, ecc


def _pairs_within(sizes: np.ndarray) -> float:
    sizes = np.asarray(sizes, dtype=float)
    return float((sizes * (sizes - 1)).sum())


def fragmentation(sizes, n: int) -> float | None:
    """Borgatti's F for component sizes ``sizes`` of ``n`` people: the share of ordered pairs
    that cannot reach each other (None for fewer than two people).

    >>> fragmentation([3, 1], 4)  # 6 of the 12 ordered pairs are still connected
    0.5
    """
    if n < 2:
        return None
    return 1.0 - _pairs_within(sizes) / (n * (n - 1))


def _cut_sizes(A: sp.csr_matrix, alive: np.ndarray) -> np.ndarray:
    """For every live node v, the sum of s(s - 1) over the components of the live network
    after removing v (dead nodes get +inf): from one depth-first search, the pieces an
    articulation point cuts off are the subtrees of its children whose low point does not
    reach above it (Hopcroft and Tarjan 1973)."""
    n = A.shape[0]
    indptr, indices = A.indptr.tolist(), A.indices.tolist()
    disc = np.full(n, -1, dtype=np.int64)
    low = np.zeros(n, dtype=np.int64)
    size = np.ones(n, dtype=np.int64)
    cut = np.zeros(n, dtype=np.int64)  # sum of the sizes of pieces cut off below v
    cut_pairs = np.zeros(n, dtype=float)  # their sum of s(s - 1)
    comp_size = np.zeros(n, dtype=np.int64)
    is_root = np.zeros(n, dtype=bool)
    alive_l = alive.tolist()
    disc_l, low_l, size_l = disc.tolist(), low.tolist(), size.tolist()
    cut_l, cutp_l = cut.tolist(), cut_pairs.tolist()
    clock = 0
    comps = []
    for root in range(n):
        if not alive_l[root] or disc_l[root] >= 0:
            continue
        is_root[root] = True
        members = [root]
        disc_l[root] = low_l[root] = clock
        clock += 1
        stack = [(root, -1, indptr[root])]
        while stack:
            v, parent, i = stack[-1]
            end = indptr[v + 1]
            advanced = False
            while i < end:
                w = indices[i]
                i += 1
                if not alive_l[w] or w == parent:
                    continue
                if disc_l[w] < 0:
                    stack[-1] = (v, parent, i)
                    disc_l[w] = low_l[w] = clock
                    clock += 1
                    members.append(w)
                    stack.append((w, v, indptr[w]))
                    advanced = True
                    break
                if disc_l[w] < low_l[v]:
                    low_l[v] = disc_l[w]
            if advanced:
                continue
            stack.pop()
            if parent >= 0:
                size_l[parent] += size_l[v]
                if low_l[v] < low_l[parent]:
                    low_l[parent] = low_l[v]
                if low_l[v] >= disc_l[parent]:  # v's subtree is cut off when parent goes
                    cut_l[parent] += size_l[v]
                    cutp_l[parent] += size_l[v] * (size_l[v] - 1)
        comps.append(members)
    cut, cut_pairs, size = np.array(cut_l), np.array(cutp_l), np.array(size_l)
    for members in comps:
        comp_size[members] = len(members)
    rest = comp_size - 1 - cut  # the piece still holding the root (0 when v is the root)
    rest[is_root] = 0
    total = _pairs_within(np.array([len(m) for m in comps]))
    out = total - comp_size * (comp_size - 1.0) + cut_pairs + rest * (rest - 1.0)
    out[~alive] = np.inf
    return out


def _sum_pairs(A: sp.csr_matrix, alive: np.ndarray) -> float:
    kept = np.flatnonzero(alive)
    if not len(kept):
        return 0.0
    _, labels = connected_components(A[kept][:, kept], directed=False)
    return _pairs_within(np.bincount(labels))


# --- key players ------------------------------------------------------------------------------


def key_players(G, k: int = 5, *, swaps: bool = True, eligible=None) -> dict:
    """Borgatti's KPP-Neg key-player set: the ``k`` people whose joint removal fragments the
    network most, found greedily and improved by swaps; and the top ``k`` one at a time.

    Greedy: add the person whose removal raises F most; when no single removal raises it (no
    articulation point is left), add the best-connected person instead, since several people
    may cut a network together that none cuts alone (a ring). Then swap members for
    non-members while F rises: each swap is chosen over everyone at once. When the best set
    found fragments nothing, ``set`` is empty and ``note`` says so. Fragmentation counts who
    can still reach whom, not how far.

    Parameters
    ----------
    G : networkx.Graph
        Read as undirected.
    k : int, default 5
    swaps : bool, default True
        Improve the greedy set by swaps until none raises the fragmentation.
    eligible : iterable, optional
        Only these people may be key players (e.g. those still in post); everyone else stays
        in the network.

    Returns
    -------
    dict
        ``k``, ``fragmentation_before``, ``set`` (ids, in the order found),
        ``fragmentation`` (F after removing the set), ``one_at_a_time`` (``set``: up to ``k``
        people whose removal alone raises F, most first; ``fragmentation``: F after removing
        them together), ``swaps`` (swaps made), ``note``, ``definition``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.star_graph(4)  # hub 0 with leaves 1-4; a second star 5 (leaves 6-9), hubs tied
    >>> G.add_edges_from([(5, x) for x in range(6, 10)] + [(0, 5)])
    >>> r = key_players(G, 2)
    >>> sorted(r["set"]), r["fragmentation"]
    ([0, 5], 1.0)
    """
    check_graph(G)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InvalidParameter(f"k must be a positive integer, got {k!r}")
    if not isinstance(swaps, bool):
        raise InvalidParameter("swaps must be True or False")
    nodes, index, A = _undirected(G)
    n = len(nodes)
    degree = np.diff(A.indptr)
    allowed = np.ones(n, dtype=bool)
    if eligible is not None:
        allowed[:] = False
        allowed[[index[v] for v in eligible if v in index]] = True
    k = min(k, max(n - 2, 0))
    alive = np.ones(n, dtype=bool)
    out = {"k": k, "fragmentation_before": None, "set": [], "fragmentation": None,
           "one_at_a_time": {"set": [], "fragmentation": None}, "swaps": 0, "note": None,
           "definition": "fragmentation F = 1 - sum_j s_j (s_j - 1) / (N (N - 1)) over the "
           "components s_j of the N people left: the share of their pairs who cannot reach "
           "each other (Borgatti 2006, KPP-Neg)"}
    if n < 2:
        return out
    before = fragmentation(_component_sizes(A, alive), n)
    out["fragmentation_before"] = before
    out["fragmentation"] = before
    if k == 0:
        return out

    def after_one_more(removed: int) -> np.ndarray:
        """F after removing the dead people and any one more (-inf for the dead and for
        those who may not be chosen)."""
        remaining = n - removed - 1
        f = 1.0 - _cut_sizes(A, alive) / (remaining * (remaining - 1.0))
        f[~allowed] = -np.inf
        return f

    def f_of(removed: int) -> float:
        remaining = n - removed
        return 1.0 - _sum_pairs(A, alive) / (remaining * (remaining - 1.0))

    def best_of(f: np.ndarray) -> int:
        return int(np.lexsort((np.arange(n), -f))[0])

    single = after_one_more(0)
    order = np.lexsort((np.arange(n), -single))
    alone = [int(i) for i in order[:k] if single[i] > before + 1e-12]
    chosen: list[int] = []
    current = before
    for _ in range(k):
        f = after_one_more(len(chosen))
        best = best_of(f)
        if not f[best] > current + 1e-12:  # no cut vertex: the swaps look for joint cuts
            best = int(np.lexsort((np.arange(n), -np.where(alive & allowed, degree, -1)))[0])
            if not (alive[best] and allowed[best]):
                break  # no one left who may be chosen
        chosen.append(best)
        alive[best] = False
        current = float(f[best])
    made = 0
    while swaps and chosen:
        improved = False
        for i, member in enumerate(list(chosen)):
            alive[member] = True
            f = after_one_more(len(chosen) - 1)
            f[member] = -np.inf
            best = best_of(f)
            if f[best] > current + 1e-12:
                chosen[i] = best
                current = float(f[best])
                made += 1
                improved = True
            alive[chosen[i]] = False
        if not improved:
            break
    together = None
    if alone:
        gone = np.ones(n, dtype=bool)
        gone[alone] = False
        remaining = n - len(alone)
        together = 1.0 - _sum_pairs(A, gone) / (remaining * (remaining - 1.0))
    if current <= before + 1e-12:
        chosen = []
    out.update({
        "set": [nodes[i] for i in chosen],
        "fragmentation": json_float(f_of(len(chosen)) if chosen else before),
        "one_at_a_time": {"set": [nodes[i] for i in alone], "fragmentation": json_float(
            together)},
        "swaps": made,
    })
    if not chosen:
        out["note"] = (f"no set of {k} people found (greedy search with swaps) whose removal "
                       "leaves anyone unable to reach anyone else they can reach now")
    return out


def _component_sizes(A, alive) -> np.ndarray:
    kept = np.flatnonzero(alive)
    if not len(kept):
        return np.zeros(0)
    _, labels = connected_components(A[kept][:, kept], directed=False)
    return np.bincount(labels)


# --- core and periphery -----------------------------------------------------------------------


def _phi(n11, n10, n01, n00):
    """Pearson correlation of two 0/1 vectors from their 2 x 2 counts (nan when undefined)."""
    n11, n10, n01, n00 = (np.asarray(x, dtype=float) for x in (n11, n10, n01, n00))
    den = (n11 + n10) * (n01 + n00) * (n11 + n01) * (n10 + n00)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (n11 * n00 - n10 * n01) / np.sqrt(np.maximum(den, 1e-300)),
                        np.nan)


def _fit_counts(size_c, e_cc, e_cp, e_pp, n, ties):
    """2 x 2 counts (observed x ideal) of the pairs the model scores."""
    cc = size_c * (size_c - 1) / 2.0
    p = n - size_c
    pp = p * (p - 1) / 2.0
    cp = size_c * p
    if ties:  # core-periphery pairs ideally tied too
        return e_cc + e_cp, cc + cp - e_cc - e_cp, e_pp, pp - e_pp
    return e_cc, cc - e_cc, e_pp, pp - e_pp


def core_periphery(G, *, core_periphery_ties: bool = False, max_moves: int | None = None
                   ) -> dict:
    """Borgatti--Everett discrete core--periphery fit: the split of people into core and
    periphery whose ideal pattern correlates best with the observed ties.

    The ideal pattern ties every core--core pair and no periphery--periphery pair; the
    core--periphery pairs are left out of the correlation (or ideally tied, with
    ``core_periphery_ties=True``). The correlation is Pearson's over the unordered pairs scored.
    Fit: the best core made of the ``c`` highest-degree people (every ``c``), then single moves
    between core and periphery, the best first, while the correlation rises.

    Parameters
    ----------
    G : networkx.Graph
        Read as undirected, unweighted.
    core_periphery_ties : bool, default False
    max_moves : int, optional
        Stop after this many moves (default: the number of people).

    Returns
    -------
    dict
        ``core`` (ids), ``core_size``, ``correlation`` (None when undefined: fewer than three
        people or no ties), ``density_core``, ``density_core_periphery``,
        ``density_periphery``, ``moves``, ``model``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.complete_graph(4)  # core 0-3; each of 4-9 tied to two core members only
    >>> G.add_edges_from((p, p % 4) for p in range(4, 10))
    >>> G.add_edges_from((p, (p + 1) % 4) for p in range(4, 10))
    >>> r = core_periphery(G)
    >>> sorted(r["core"]), r["correlation"]
    ([0, 1, 2, 3], 1.0)
    """
    check_graph(G)
    if not isinstance(core_periphery_ties, bool):
        raise InvalidParameter("core_periphery_ties must be True or False")
    if max_moves is not None and (isinstance(max_moves, bool) or not isinstance(max_moves, int)
                                  or max_moves < 0):
        raise InvalidParameter("max_moves must be a non-negative integer")
    nodes, _, A = _undirected(G)
    n = len(nodes)
    model = ("discrete core-periphery (Borgatti & Everett 1999): ideal core-core ties, no "
             "periphery-periphery ties, core-periphery pairs "
             + ("ideally tied" if core_periphery_ties else "not scored"))
    out = {"core": [], "core_size": 0, "correlation": None, "density_core": None,
           "density_core_periphery": None, "density_periphery": None, "moves": 0,
           "model": model}
    m = A.nnz // 2
    if n < 3 or m == 0:
        return out
    degree = np.diff(A.indptr).astype(np.int64)
    order = np.lexsort((np.arange(n), -degree))
    # Grow the core in degree order: adding v adds its ties to the core so far.
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    rows = np.repeat(np.arange(n), np.diff(A.indptr))
    cols = A.indices
    earlier = rank[cols] < rank[rows]  # tie to someone earlier in the order
    to_core = np.bincount(rank[rows[earlier]], minlength=n)  # per position in the order
    e_cc = np.cumsum(to_core).astype(float)
    deg_sorted = degree[order].astype(float)
    sum_deg = np.cumsum(deg_sorted)
    e_cp = sum_deg - 2 * e_cc
    e_pp = m - e_cc - e_cp
    sizes = np.arange(1, n + 1, dtype=float)
    fit = _phi(*_fit_counts(sizes, e_cc, e_cp, e_pp, n, core_periphery_ties))
    fit = np.where(np.isnan(fit), -np.inf, fit)
    c = int(np.argmax(fit)) + 1
    core = np.zeros(n, dtype=bool)
    core[order[:c]] = True
    # Ties of each person to the core and to the periphery.
    d_core = np.asarray(A @ core.astype(float)).ravel()
    d_peri = degree - d_core
    size_c = c
    e_cc, e_cp = float(e_cc[c - 1]), float(e_cp[c - 1])
    e_pp = m - e_cc - e_cp
    best = fit[c - 1]
    moves = 0
    limit = n if max_moves is None else max_moves
    while moves < limit:
        join = ~core  # a periphery person joining the core, or a core member leaving it
        new_c = np.where(join, size_c + 1, size_c - 1).astype(float)
        new_cc = np.where(join, e_cc + d_core, e_cc - d_core)
        new_pp = np.where(join, e_pp - d_peri, e_pp + d_peri)
        new_cp = m - new_cc - new_pp
        f = _phi(*_fit_counts(new_c, new_cc, new_cp, new_pp, n, core_periphery_ties))
        f = np.where(np.isnan(f) | (new_c < 1) | (new_c > n - 1), -np.inf, f)
        v = int(np.argmax(f))
        if not f[v] > best + 1e-12:
            break
        best = f[v]
        step = 1.0 if join[v] else -1.0
        core[v] = join[v]
        size_c, e_cc, e_pp = int(new_c[v]), float(new_cc[v]), float(new_pp[v])
        e_cp = m - e_cc - e_pp
        nbrs = A.indices[A.indptr[v]: A.indptr[v + 1]]
        d_core[nbrs] += step
        d_peri[nbrs] -= step
        moves += 1
    p = n - size_c
    out.update({
        "core": [nodes[i] for i in np.flatnonzero(core)],
        "core_size": size_c,
        "correlation": json_float(best),
        "density_core": json_float(e_cc / (size_c * (size_c - 1) / 2)) if size_c > 1 else None,
        "density_core_periphery": json_float(e_cp / (size_c * p)) if size_c and p else None,
        "density_periphery": json_float(e_pp / (p * (p - 1) / 2)) if p > 1 else None,
        "moves": moves,
    })
    return out


# --- the profile ------------------------------------------------------------------------------


def _paths(A: sp.csr_matrix, labels: np.ndarray, *, exact_max_nodes: int, samples: int,
           rng) -> dict:
    """Average path length and diameter of the largest component (sampled above a size)."""
    if not len(labels):
        return {"average_path_length": None, "diameter": None, "paths_exact": True,
                "paths_sources": 0}
    biggest = np.flatnonzero(labels == np.bincount(labels).argmax())
    if len(biggest) < 2:
        return {"average_path_length": None, "diameter": 0 if len(biggest) else None,
                "paths_exact": True, "paths_sources": len(biggest)}
    sub = A[biggest][:, biggest].tocsr()
    exact = len(biggest) <= exact_max_nodes
    sources = (np.arange(len(biggest)) if exact else
               np.sort(rng.choice(len(biggest), min(samples, len(biggest)), replace=False)))
    total, pairs, ecc = _path_sums(sub, sources)
    diameter = int(ecc.max())
    if not exact:
        # A double sweep from the farthest person found tightens the lower bound.
        far_total, far_pairs, far_ecc = _path_sums(sub, np.array([int(sources[ecc.argmax()])]))
        diameter = max(diameter, int(far_ecc.max()))
    return {"average_path_length": total / pairs if pairs else None, "diameter": diameter,
            "paths_exact": exact, "paths_sources": int(len(sources))}


def _measures(G, D, *, exact_max_nodes: int, samples: int, rng, with_core: bool = True
              ) -> dict:
    nodes, _, A = _undirected(G)
    n = len(nodes)
    m = A.nnz // 2
    degree = np.diff(A.indptr)
    out: dict = {"people": n, "ties": m,
                 "mean_degree": json_float(2 * m / n) if n else None,
                 "density": json_float(2 * m / (n * (n - 1))) if n > 1 else None}
    out["tie_density"] = out["reciprocity"] = None
    if D is not None:
        _, d_index = node_index(D)
        T = binary(adjacency(D, d_index))
        T.setdiag(0)
        T.eliminate_zeros()
        nd = T.shape[0]
        out["tie_density"] = json_float(T.nnz / (nd * (nd - 1))) if nd > 1 else None
        out["reciprocity"] = json_float(T.multiply(T.T).nnz / T.nnz) if T.nnz else None
    g = to_igraph(G, {v: i for i, v in enumerate(nodes)}, directed=False)
    out["transitivity"] = json_float(g.transitivity_undirected(mode="zero")) if n else None
    if n:
        n_comp, labels = connected_components(A, directed=False)
        sizes = np.bincount(labels)
    else:
        n_comp, labels, sizes = 0, np.zeros(0, dtype=np.int64), np.zeros(0)
    out.update(_paths(A, labels, exact_max_nodes=exact_max_nodes, samples=samples, rng=rng))
    out["degree_centralisation"] = (
        json_float(float((degree.max() - degree).sum()) / ((n - 1) * (n - 2))) if n > 2
        else None)
    out["components"] = int(n_comp)
    out["largest_component"] = int(sizes.max()) if n else 0
    out["largest_component_share"] = json_float(sizes.max() / n) if n else None
    out["isolates"] = int((degree == 0).sum())
    coreness = np.asarray(g.coreness(), dtype=np.int64) if n else np.zeros(0, dtype=np.int64)
    top = int(coreness.max()) if n else 0
    shells = np.bincount(coreness, minlength=top + 1) if n else np.zeros(1, dtype=np.int64)
    at_least = np.cumsum(shells[::-1])[::-1]
    out["max_core"] = top
    out["k_cores"] = [{"k": k, "shell": int(shells[k]), "core": int(at_least[k])}
                      for k in range(top + 1) if shells[k]]
    if with_core:
        cp = core_periphery(G)
        out["core_periphery_correlation"] = cp["correlation"]
        out["core_size"] = cp["core_size"]
        out["core_periphery"] = cp
    return out


def _check_sizes(exact_max_nodes, samples) -> None:
    for name, value, low in (("exact_max_nodes", exact_max_nodes, 0), ("samples", samples, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise InvalidParameter(f"{name} must be an integer, at least {low}")


def network_profile(
    G,
    D=None,
    *,
    key_player_count: int = 5,
    eligible=None,
    exact_max_nodes: int = 5000,
    samples: int = 500,
    seed: int = 0,
) -> dict:
    """The whole network at a glance.

    Parameters
    ----------
    G : networkx.Graph
        The undirected person network (a DiGraph is read as undirected).
    D : networkx.DiGraph, optional
        The directed tie network, for reciprocity and the density of directed ties.
    key_player_count : int, default 5
        Size of the key-player set (0 skips it).
    eligible : iterable, optional
        Only these people may be key players (:func:`key_players`).
    exact_max_nodes : int, default 5000
        Path lengths are exact up to a largest component of this many people, and estimated
        from ``samples`` seeded sources above it (the diameter is then a lower bound).
    samples : int, default 500
    seed : int, default 0

    Returns
    -------
    dict
        The :data:`MEASURES`: ``people``, ``ties`` (undirected pairs tied), ``mean_degree``,
        ``density`` (:math:`2m/(n(n-1))`), ``tie_density`` (directed ties over
        :math:`n(n-1)`) and ``reciprocity`` (share of directed ties returned, as
        ``networkx.reciprocity``) when ``D`` is given, ``transitivity`` (3 x triangles /
        connected triples), ``average_path_length`` and ``diameter`` (in hops, of the largest
        component; ``paths_exact``, ``paths_sources``), ``degree_centralisation`` (Freeman:
        :math:`\\sum_i (d_{max} - d_i) / ((n-1)(n-2))`, 1 for a star),
        ``components``, ``largest_component``, ``largest_component_share``, ``isolates``,
        ``max_core``, ``k_cores`` (per k: ``shell``, people whose core number is k; ``core``,
        people in the k-core), ``core_periphery`` (:func:`core_periphery`, with
        ``core_periphery_correlation`` and ``core_size`` beside it) and ``key_players``
        (:func:`key_players`).

    Raises
    ------
    InvalidParameter
        On a bad argument.

    Examples
    --------
    >>> import networkx as nx
    >>> p = network_profile(nx.star_graph(4), key_player_count=1)
    >>> p["density"], p["degree_centralisation"], p["diameter"], p["key_players"]["set"]
    (0.4, 1.0, 2, [0])

    References
    ----------
    .. [1] L. C. Freeman, Social Networks 1(3):215-239, 1978.
    .. [2] S. P. Borgatti and M. G. Everett, Social Networks 21(4):375-395, 1999.
    .. [3] S. P. Borgatti, Computational and Mathematical Organization Theory 12:21-34, 2006.
    """
    check_graph(G)
    if D is not None:
        check_graph(D, name="D")
    if (isinstance(key_player_count, bool) or not isinstance(key_player_count, int)
            or key_player_count < 0):
        raise InvalidParameter("key_player_count must be a non-negative integer")
    _check_sizes(exact_max_nodes, samples)
    rng = np.random.default_rng(seed)
    out = _measures(G, D, exact_max_nodes=exact_max_nodes, samples=samples, rng=rng)
    out["key_players"] = (key_players(G, key_player_count, eligible=eligible)
                          if key_player_count else None)
    return out


def profile_groups(
    G,
    attribute: str,
    D=None,
    *,
    exact_max_nodes: int = 5000,
    samples: int = 500,
    seed: int = 0,
) -> list[dict]:
    """The profile of each group's own network: the people of one group and the ties among them.

    Parameters
    ----------
    G : networkx.Graph
    attribute : str
        Node attribute defining the groups; people whose value is missing form no group.
    D : networkx.DiGraph, optional
    exact_max_nodes, samples, seed
        As :func:`network_profile`.

    Returns
    -------
    list of dict
        One per group, largest first: ``group`` and the measures of :func:`network_profile`
        except the key players.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([(1, 2), (2, 3), (3, 4)])
    >>> nx.set_node_attributes(G, {1: "a", 2: "a", 3: "b", 4: "b"}, "sector")
    >>> [(g["group"], g["ties"]) for g in profile_groups(G, "sector")]
    [('a', 1), ('b', 1)]
    """
    check_graph(G)
    groups = check_attribute(G, attribute)
    if D is not None:
        check_graph(D, name="D")
    _check_sizes(exact_max_nodes, samples)
    members: dict[Hashable, list] = {}
    for v, g in groups.items():
        if g is not None:
            members.setdefault(g, []).append(v)
    out = []
    for g, people in sorted(members.items(), key=lambda kv: (-len(kv[1]), str(kv[0]))):
        sub_d = D.subgraph([v for v in people if v in D]) if D is not None else None
        rng = np.random.default_rng(seed)
        out.append({"group": g, **_measures(G.subgraph(people), sub_d,
                                            exact_max_nodes=exact_max_nodes, samples=samples,
                                            rng=rng)})
    return out

