r"""Whom to introduce: the new ties that would most shorten the paths between two groups.

:func:`suggest_introductions` ranks pairs of people, one on each side of a boundary (two groups
of an attribute, e.g. acute and community care; or a silo and everyone outside it), who are not
yet tied, by how much one new tie between them would bring the two sides together, and says who
could make each introduction: a contact both already have, a forum both attend, or else the
chain of contacts between them.

The gain of a tie is measured, not guessed: the tie is added and the **cross-group efficiency**
re-measured,

.. math::

    E(A, B) = \frac{1}{|A|\,|B|} \sum_{a \in A} \sum_{b \in B} \frac{1}{d(a, b)},

the mean inverse shortest-path length (in hops) over the pairs of people on opposite sides, with
:math:`1/d = 0` for a pair with no path (Latora and Marchiori's global efficiency [1]_ restricted
to cross pairs). It counts both things an introduction does for the boundary: it shortens paths
(a pair at 4 hops brought to 3 gains 1/3 - 1/4) and connects pairs that had no path at all (a
pair brought from no path to 3 hops gains 1/3). Each row also counts the cross pairs whose path
gets shorter, those newly connected, and those given another shortest path of the same length
(the tie multiplies their routes without shortening them; used to break ties in the gain).

Re-measuring is incremental. With the tie ``u - v`` a cross pair's distance becomes
:math:`\min\{d(a, b),\ d(a, u) + 1 + d(v, b),\ d(a, v) + 1 + d(u, b)\}`: the distances from one
side to everyone are searched once (breadth-first, one search per person of the smaller side,
run as sparse-matrix products in blocks), and each candidate then needs only a search from its
two endpoints and one pass over the :math:`|A| \times |B|` distance block. Candidates are the
pairs introductions usually close (open triads, Granovetter [2]_; Burt [3]_): people with a
contact in common (distance 2 through a broker), people who attend a forum together; plus the
pairs of the best-placed people on each side (each one's mean 1/d to their own side), and a
seeded random sample of cross pairs. Every candidate is scored on a seeded sample of 64 x 64
cross pairs, the best 2,000 again on 256 x 256 (:data:`SCORE_STAGES`), and the best
``shortlist`` of those are measured exactly.

People already **overloaded as brokers** -- degree (number of people tied to) above the 95th
percentile of degrees in the network -- are not proposed for introductions (they may still be
named as the contact who could make one, flagged), nor is anyone in ``exclude`` (people who
opted out, or who have left), who is never named at all. Everyone stays in the network: their
ties are real.

References
----------
.. [1] V. Latora and M. Marchiori, "Efficient behavior of small-world networks", Physical Review
   Letters 87(19):198701, 2001.
.. [2] M. S. Granovetter, "The strength of weak ties", American Journal of Sociology
   78(6):1360-1380, 1973.
.. [3] R. S. Burt, *Brokerage and Closure: An Introduction to Social Capital*, Oxford University
   Press, 2005.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import networkx as nx
import numpy as np
import scipy.sparse as sp

from kg.analysis._fast import adjacency, binary, check_attribute, check_graph, node_index
from kg.errors import InvalidParameter

__all__ = ["GAIN", "MAX_CROSS_PAIRS", "OVERLOAD_RULE", "SCORE_STAGES", "suggest_introductions"]

GAIN = ("increase in cross-group efficiency: the mean of 1/d(a, b) over pairs of people on "
        "opposite sides (d in hops; 0 when no path), after the tie minus before")
OVERLOAD_RULE = "degree above the {p:g}th percentile of degrees in the network ({t:g} people)"

#: Above this many cross pairs, both sides are sampled (seeded) and ``exact`` is False.
MAX_CROSS_PAIRS = 4_000_000
#: Scoring in two rounds: every candidate on a sample of (people per side), the best of them
#: (how many kept) on a larger sample; the best of those are measured exactly.
SCORE_STAGES = ((64, 2000), (256, None))

#: Distance of pairs with no path in the int16 search result.
_FAR = 10_000
#: Sources per block of the breadth-first search (an n x block float32 frontier).
_BFS_BLOCK = 512
#: Per broker or forum, at most this many people on each side are paired.
_PER_HUB = 40
#: Candidates scored at most (the best placed are kept).
_MAX_CANDIDATES = 20_000
#: Candidates scored per vectorised batch.
_BATCH = 64


def _hop_distances(M: sp.csr_matrix, sources, *, block: int = _BFS_BLOCK) -> np.ndarray:
    """Hop distances from each source to every node of the symmetric 0/1 matrix ``M``.

    An int16 array ``len(sources) x n``, :data:`_FAR` where there is no path. Breadth-first
    search for a block of sources at once: the frontier is a dense ``n x block`` matrix and one
    step is one sparse product, so the search runs in compiled code.
    """
    n = M.shape[0]
    sources = np.asarray(sources, dtype=np.int64)
    out = np.full((len(sources), n), _FAR, dtype=np.int16)
    M = M.astype(np.float32)
    for lo in range(0, len(sources), block):
        chunk = sources[lo: lo + block]
        cols = np.arange(len(chunk))
        dist = np.full((n, len(chunk)), _FAR, dtype=np.int16)
        dist[chunk, cols] = 0
        seen = np.zeros((n, len(chunk)), dtype=bool)
        seen[chunk, cols] = True
        frontier = seen.astype(np.float32)
        step = 0
        while True:
            step += 1
            reached = (M @ frontier) > 0
            reached &= ~seen
            if not reached.any():
                break
            dist[reached] = step
            seen |= reached
            frontier = reached.astype(np.float32)
        out[lo: lo + len(chunk)] = dist.T
    return out


class _Scale:
    """Distances in the smallest integer type that holds their sums, and 1/d for each value.

    When every finite distance is below 60, distances are uint8 with 120 for "no path" (a sum
    of two plus one stays below 255); otherwise int16 with :data:`_FAR`.
    """

    def __init__(self, *arrays: np.ndarray):
        finite = max((int(a[a < _FAR].max(initial=0)) for a in arrays), default=0)
        self.small = finite < 60
        self.far = 120 if self.small else _FAR
        self.dtype = np.uint8 if self.small else np.int16
        self.recip = np.zeros(2 * self.far + 2)
        self.recip[1:self.far] = 1.0 / np.arange(1, self.far)

    def __call__(self, a: np.ndarray) -> np.ndarray:
        if not self.small:
            return a
        out = a.astype(np.uint8)
        out[a >= _FAR] = self.far
        return out


class _Block:
    """Cross distances ``D[i, j] = d(row_i, col_j)`` and what re-measures a tie: each row
    person's distance to every node (``R``), and each endpoint's distance to the columns."""

    def __init__(self, R: np.ndarray, cols: np.ndarray, scale: _Scale):
        self.R, self.cols, self.scale = R, cols, scale
        self.D = R[:, cols]
        self.pairs = self.D.size
        self.recip = scale.recip
        self.base = float(self.recip[self.D].sum())

    def via(self, u: int, v: int, du: np.ndarray, dv: np.ndarray) -> np.ndarray:
        """Distances over the new tie: min(d(a,u) + 1 + d(v,b), d(a,v) + 1 + d(u,b))."""
        R = self.R
        t = R[:, u, None] + dv[None, :]
        np.minimum(t, R[:, v, None] + du[None, :], out=t)
        t += 1
        return t

    def measure(self, u, v, du, dv) -> tuple[float, int, int, int, np.ndarray]:
        """Gain, pairs shortened, newly connected, given another route; and the tie's paths."""
        t = self.via(u, v, du, dv)
        better = t < self.D
        old = self.D[better]
        gain = float((self.recip[t[better]] - self.recip[old]).sum()) / self.pairs
        routes = int(np.count_nonzero((t == self.D) & (self.D < self.scale.far)))
        return gain, int(better.sum()), int((old >= self.scale.far).sum()), routes, t

    def score(self, us, vs, C: np.ndarray) -> np.ndarray:
        """Summed 1/d gain of each candidate over this block; ``C[j, x] = d(col_j, x)``."""
        R, rD = self.R, self.recip[self.D]
        out = np.empty(len(us))
        for lo in range(0, len(us), _BATCH):
            u, v = us[lo: lo + _BATCH], vs[lo: lo + _BATCH]
            t = R[:, u].T[:, :, None] + C[:, v].T[:, None, :]
            np.minimum(t, R[:, v].T[:, :, None] + C[:, u].T[:, None, :], out=t)
            t += 1
            out[lo: lo + _BATCH] = np.maximum(self.recip[t] - rD[None], 0).sum(axis=(1, 2))
        return out


def _check(G, attribute, between, within, top, exclude, forums, overload_percentile,
           max_per_person, sample, shortlist, seed, closure_only):
    check_graph(G)
    groups = check_attribute(G, attribute)
    if (between is None) == (within is None):
        raise InvalidParameter("give either between (two groups) or within (one group)")
    known = sorted({g for g in groups.values() if g is not None}, key=str)
    if between is not None:
        if isinstance(between, str | bytes) or len(tuple(between)) != 2:
            raise InvalidParameter("between must be exactly two groups, e.g. acute community")
        if tuple(between)[0] == tuple(between)[1]:
            raise InvalidParameter("between needs two different groups")
        asked = tuple(between)
    else:
        asked = (within,)
    missing = [g for g in asked if g not in known]
    if missing:
        raise InvalidParameter(f"no one has {attribute}={missing[0]!r}; groups present: "
                               f"{', '.join(map(str, known)) or '(none)'}")
    for name, value, low in (("top", top, 1), ("max_per_person", max_per_person, 1),
                             ("sample", sample, 0), ("shortlist", shortlist, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise InvalidParameter(f"{name} must be an integer, at least {low}; got {value!r}")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise InvalidParameter("seed must be an integer")
    if not isinstance(closure_only, bool):
        raise InvalidParameter("closure_only must be True or False")
    if isinstance(exclude, str | bytes) or not isinstance(exclude, Iterable):
        raise InvalidParameter("exclude must be a set of person ids")
    if forums is not None and not isinstance(forums, dict):
        raise InvalidParameter("forums must be a dict of forum id -> member ids")
    if overload_percentile is not None and not (
            isinstance(overload_percentile, int | float)
            and not isinstance(overload_percentile, bool) and 0 < overload_percentile <= 100):
        raise InvalidParameter("overload_percentile must be a number in (0, 100], or None")
    return groups


def suggest_introductions(
    G,
    attribute: str,
    *,
    between: tuple | None = None,
    within: Hashable | None = None,
    top: int = 10,
    exclude: Iterable[Hashable] = (),
    forums: dict | None = None,
    overload_percentile: float | None = 95.0,
    max_per_person: int = 2,
    closure_only: bool = False,
    sample: int = 300,
    shortlist: int = 150,
    seed: int = 0,
) -> dict:
    """Pairs of people on opposite sides, not yet tied, whose introduction would most bring the
    two sides together; the gain each tie would bring and who could make the introduction.

    Parameters
    ----------
    G : networkx.Graph
        The person network (a DiGraph is read as undirected: a tie either way joins two people).
        Distances count hops; tie weights only order the contacts proposed as introducers.
    attribute : str
        Node attribute defining the groups (e.g. ``"sector"``).
    between : (group, group), optional
        The two sides: ``("acute", "community")``.
    within : group, optional
        A silo: one side is the group, the other everyone outside it (people whose group is
        unknown included). Give exactly one of ``between`` and ``within``.
    top : int, default 10
        How many introductions to return.
    exclude : set, default ()
        People never proposed and never named (opted out, left).
    forums : dict, optional
        Forum id -> ids of the people attending it, for pairs who share a forum and for naming
        the forum where they could meet.
    overload_percentile : float or None, default 95
        People whose degree is above this percentile of all degrees (``numpy.percentile``,
        linear) are overloaded brokers and are not proposed; None proposes everyone.
    max_per_person : int, default 2
        At most this many introductions per person, so the list spreads the load.
    closure_only : bool, default False
        Only pairs with a contact or a forum in common (the introductions that close a triad).
    sample : int, default 300
        Random cross pairs added to the candidates (seeded).
    shortlist : int, default 150
        Candidates measured exactly after scoring (at least ``10 * top``).
    seed : int, default 0

    Returns
    -------
    dict
        ``attribute``; ``sides`` (``a``, ``b``: the groups, or the silo and ``"outside"``;
        ``size_a``, ``size_b``); ``before`` (``efficiency``, ``connected_share``,
        ``mean_distance`` over connected cross pairs, ``cross_pairs``); ``introductions``, best
        first: ``rank``, ``id_a``, ``name_a``, ``group_a``, ``id_b``, ``name_b``, ``group_b``,
        ``distance`` before (None: no path), ``gain``, ``gain_share`` (gain over efficiency
        before), ``efficiency_after``, ``pairs_shortened``, ``pairs_connected``,
        ``pairs_new_route``, ``via`` (``contacts``: up to three people tied to both, strongest
        first, each flagged ``overloaded``; ``forums``: up to three forums both attend,
        smallest first; ``chain``: when neither, the people along one shortest path), ``route``
        in words, ``found_by``; ``combined`` (efficiency if every listed introduction were
        made); ``overload`` (``rule``, ``percentile``, ``threshold``, ``people`` left out);
        ``excluded`` (people of ``exclude`` on either side); ``candidates`` (found by each
        generator, ``total``, ``measured`` exactly); ``gain`` (its definition); ``exact``
        (False when the sides were sampled: over :data:`MAX_CROSS_PAIRS` cross pairs);
        ``seed``.

    Raises
    ------
    InvalidParameter
        On a bad argument, or a group no one belongs to.

    Notes
    -----
    Each gain is that of the one tie alone; gains of several ties do not add up (two ties may
    shorten the same paths), hence ``combined``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.barbell_graph(4, 0)  # cliques 0-3 and 4-7 joined by the tie 3-4: 16 cross pairs
    >>> nx.set_node_attributes(G, {v: "acute" if v < 4 else "community" for v in G}, "sector")
    >>> r = suggest_introductions(G, "sector", between=("acute", "community"), top=1,
    ...                           overload_percentile=None, seed=0)
    >>> row = r["introductions"][0]  # 0-5: 3 hops to 1, and 0-6, 0-7, 1-5, 2-5 3 hops to 2
    >>> row["id_a"], row["id_b"], row["distance"], abs(row["gain"] - (2 / 3 + 4 / 6) / 16) < 1e-12
    (0, 5, 3, True)
    >>> [p["id"] for p in row["via"]["chain"]]
    [3, 4]

    References
    ----------
    .. [1] V. Latora and M. Marchiori, Physical Review Letters 87(19):198701, 2001.
    .. [2] M. S. Granovetter, American Journal of Sociology 78(6):1360-1380, 1973.
    """
    groups = _check(G, attribute, between, within, top, exclude, forums, overload_percentile,
                    max_per_person, sample, shortlist, seed, closure_only)
    exclude = set(exclude)
    rng = np.random.default_rng(seed)
    nodes, index = node_index(G)
    n = len(nodes)
    M = binary(adjacency(G, index))
    if G.is_directed():
        M = binary((M + M.T).tocsr())
    M.sort_indices()
    degree = np.diff(M.indptr)

    if between is not None:
        side_a, side_b = tuple(between)
        in_a = np.array([groups[v] == side_a for v in nodes], dtype=bool)
        in_b = np.array([groups[v] == side_b for v in nodes], dtype=bool)
        names = {"a": side_a, "b": side_b}
    else:
        in_a = np.array([groups[v] == within for v in nodes], dtype=bool)
        in_b = ~in_a
        names = {"a": within, "b": "outside"}
    pos_a, pos_b = np.flatnonzero(in_a), np.flatnonzero(in_b)

    threshold = (float(np.percentile(degree, overload_percentile))
                 if overload_percentile is not None and n else None)
    overloaded = degree > threshold if threshold is not None else np.zeros(n, dtype=bool)
    excluded = np.array([v in exclude for v in nodes], dtype=bool)
    eligible = ~overloaded & ~excluded

    # The smaller side's distances to everyone are searched once; the other side is reached
    # from the candidates' endpoints. Above MAX_CROSS_PAIRS both sides are sampled.
    small_is_a = len(pos_a) <= len(pos_b)
    rows_all, cols_all = (pos_a, pos_b) if small_is_a else (pos_b, pos_a)
    rows = _sample(rows_all, max(1, int(np.sqrt(MAX_CROSS_PAIRS))), rng)
    cols = _sample(cols_all, max(1, MAX_CROSS_PAIRS // max(len(rows), 1)), rng)
    R16 = _hop_distances(M, rows)
    # Nested samples of each side for the scoring rounds (a prefix of one permutation).
    most = max(side for side, _ in SCORE_STAGES)
    perm_r = rng.permutation(len(rows))[:most]
    perm_c = rng.permutation(len(cols))[:most]
    C16 = _hop_distances(M, cols[perm_c])  # the sampled column people's distances
    scale = _Scale(R16, C16)
    R, C = scale(R16), scale(C16)
    block = _Block(R, cols, scale)

    result = {
        "attribute": attribute,
        "sides": {**names, "size_a": int(len(pos_a)), "size_b": int(len(pos_b))},
        "before": _summary(block),
        "introductions": [],
        "combined": None,
        "overload": {
            "rule": (OVERLOAD_RULE.format(p=overload_percentile, t=threshold)
                     if threshold is not None else "none (everyone may be proposed)"),
            "percentile": overload_percentile,
            "threshold": threshold,
            "people": int((overloaded & ~excluded & (in_a | in_b)).sum()),
        },
        "excluded": int((excluded & (in_a | in_b)).sum()),
        "candidates": {},
        "gain": GAIN,
        "exact": len(rows) == len(rows_all) and len(cols) == len(cols_all),
        "seed": seed,
    }
    elig_a, elig_b = pos_a[eligible[pos_a]], pos_b[eligible[pos_b]]
    if not len(elig_a) or not len(elig_b) or not block.pairs:
        return result

    # How well placed each person is on their own side: mean 1/d to that side's searched people.
    in_rows_side = in_a if small_is_a else in_b
    placed = np.zeros(n)
    placed[in_rows_side] = scale.recip[R[:, in_rows_side]].mean(axis=0)
    placed[~in_rows_side] = scale.recip[C[:, ~in_rows_side]].mean(axis=0)

    found = _candidates(M, index, forums, elig_a, elig_b, placed, sample, closure_only, rng)
    result["candidates"] = {k: sum(1 for how in found.values() if k in how)
                            for k in ("shared_contact", "shared_forum", "best_placed", "sample")}
    result["candidates"]["total"] = len(found)
    if not found:
        result["candidates"]["measured"] = 0
        return result
    us = np.array([u for u, _ in found], dtype=np.int64)
    vs = np.array([v for _, v in found], dtype=np.int64)

    # Score the candidates on samples of the cross pairs; measure the best exactly.
    keep = min(len(us), max(shortlist, 10 * top))
    for side, passed in SCORE_STAGES:
        passed = keep if passed is None else max(passed, keep)
        if len(us) <= passed:
            continue
        scorer = _Block(R[perm_r[:side]], cols[perm_c[:side]], scale)
        scores = scorer.score(us, vs, C[:side])
        order = np.lexsort((vs, us, -scores))[:passed]
        us, vs = us[order], vs[order]
    result["candidates"]["measured"] = int(len(us))
    ends = np.unique(np.concatenate([us, vs]))
    E = scale(_hop_distances(M, ends)[:, cols])  # each endpoint's distances to the columns
    row_of = {x: i for i, x in enumerate(ends.tolist())}
    measured = []
    for u, v in zip(us.tolist(), vs.tolist(), strict=True):
        gain, shortened, connected, routes, _ = block.measure(u, v, E[row_of[u]], E[row_of[v]])
        measured.append((-gain, -routes, str(nodes[u]), str(nodes[v]), u, v, shortened,
                         connected))
    measured.sort()

    chosen, load = [], np.zeros(n, dtype=np.int64)
    for neg_gain, neg_routes, _, _, u, v, shortened, connected in measured:
        if len(chosen) == top:
            break
        if load[u] >= max_per_person or load[v] >= max_per_person:
            continue
        load[u] += 1
        load[v] += 1
        chosen.append((u, v, -neg_gain, shortened, connected, -neg_routes))

    before = result["before"]["efficiency"]
    D = block.D.copy()
    col_of = {x: j for j, x in enumerate(cols.tolist())}
    out = []
    for rank, (u, v, gain, shortened, connected, routes) in enumerate(chosen, 1):
        np.minimum(D, block.via(u, v, E[row_of[u]], E[row_of[v]]), out=D)
        duv = int(E[row_of[u], col_of[v]] if v in col_of else E[row_of[v], col_of[u]]
                  if u in col_of else scale(_hop_distances(M, [u]))[0, v])  # sampled out
        a, b = u, v  # candidates are (side A, side B)
        via = _via(G, nodes, index, M, a, b, excluded, overloaded, forums)
        out.append({
            "rank": rank,
            "id_a": nodes[a], "name_a": G.nodes[nodes[a]].get("name"),
            "group_a": groups[nodes[a]],
            "id_b": nodes[b], "name_b": G.nodes[nodes[b]].get("name"),
            "group_b": groups[nodes[b]],
            "distance": None if duv >= scale.far else duv,
            "gain": gain,
            "gain_share": gain / before if before else None,
            "efficiency_after": before + gain,
            "pairs_shortened": shortened,
            "pairs_connected": connected,
            "pairs_new_route": routes,
            "via": via,
            "route": _route(via),
            "found_by": sorted(found[(u, v)]),
        })
    result["introductions"] = out
    if out:
        after = float(scale.recip[D].sum()) / block.pairs
        result["combined"] = {"introductions": len(out), "efficiency_after": after,
                              "gain": after - before}
    return result


def _sample(positions: np.ndarray, limit: int, rng) -> np.ndarray:
    if len(positions) <= limit:
        return positions
    return np.sort(rng.choice(positions, limit, replace=False))


def _summary(block: _Block) -> dict:
    D, far = block.D, block.scale.far
    connected = D < far
    pairs = int(D.size)
    return {
        "cross_pairs": pairs,
        "efficiency": block.base / pairs if pairs else None,
        "connected_share": float(connected.mean()) if pairs else None,
        "mean_distance": float(D[connected].mean()) if connected.any() else None,
    }


def _candidates(M, index, forums, elig_a, elig_b, placed, sample, closure_only, rng) -> dict:
    """Candidate pairs (u on side A, v on side B, not tied) -> the generators that found them."""
    n = M.shape[0]
    is_a = np.zeros(n, dtype=bool)
    is_a[elig_a] = True
    is_b = np.zeros(n, dtype=bool)
    is_b[elig_b] = True
    found: dict = {}

    def add(us, vs, how):
        keys = np.unique(np.asarray(us, dtype=np.int64) * n + np.asarray(vs, dtype=np.int64))
        us, vs = keys // n, keys % n
        if not len(keys):
            return
        ok = (us != vs) & (np.asarray(M[us, vs]).ravel() == 0)
        for u, v in zip(us[ok].tolist(), vs[ok].tolist(), strict=True):
            found.setdefault((u, v), set()).add(how)

    def best(members: np.ndarray) -> np.ndarray:
        if len(members) <= _PER_HUB:
            return members
        return members[np.argsort(-placed[members], kind="stable")[:_PER_HUB]]

    def pairs_of(member_lists, how):
        us, vs = [], []
        for members in member_lists:
            ma, mb = best(members[is_a[members]]), best(members[is_b[members]])
            if len(ma) and len(mb):
                us.append(np.repeat(ma, len(mb)))
                vs.append(np.tile(mb, len(ma)))
        if us:
            add(np.concatenate(us), np.concatenate(vs), how)

    # Open triads through a broker: two neighbours of one person, one on each side.
    pairs_of((M.indices[M.indptr[w]: M.indptr[w + 1]] for w in range(n)), "shared_contact")
    if forums:
        pairs_of((np.array(sorted({index[p] for p in members if p in index}), dtype=np.int64)
                  for members in forums.values()), "shared_forum")
    if not closure_only:
        pairs_of([np.concatenate([best(elig_a), best(elig_b)])], "best_placed")
        if sample:
            add(rng.choice(elig_a, sample), rng.choice(elig_b, sample), "sample")
    if len(found) > _MAX_CANDIDATES:
        ranked = sorted(found, key=lambda p: (-placed[p[0]] * placed[p[1]], p))
        found = {p: found[p] for p in ranked[:_MAX_CANDIDATES]}
    return found


def _via(G, nodes, index, M, u, v, excluded, overloaded, forums) -> dict:
    """Who could make the introduction: contacts of both (the stronger of each one's two ties
    first), forums both attend (smallest first), else the people along one shortest path.
    Excluded people are never named."""
    nu = set(M.indices[M.indptr[u]: M.indptr[u + 1]].tolist())
    nv = set(M.indices[M.indptr[v]: M.indptr[v + 1]].tolist())
    a, b = nodes[u], nodes[v]

    def strength(x, y):
        data = G.get_edge_data(x, y) or G.get_edge_data(y, x) or {}
        return float(data.get("weight", 1.0))

    def person(w):
        return {"id": nodes[w], "name": G.nodes[nodes[w]].get("name"),
                "overloaded": bool(overloaded[w])}

    contacts = sorted((-min(strength(a, nodes[w]), strength(nodes[w], b)), str(nodes[w]), w)
                      for w in nu & nv if not excluded[w])
    shared = sorted((len(set(m)), str(f), f) for f, m in (forums or {}).items()
                    if a in set(m) and b in set(m))
    chain = []
    if not contacts and not shared:
        hidden = {nodes[w] for w in np.flatnonzero(excluded).tolist()} - {a, b}
        view = nx.restricted_view(G.to_undirected(as_view=True) if G.is_directed() else G,
                                  hidden, [])
        try:
            path = nx.shortest_path(view, a, b)
        except nx.NetworkXNoPath:
            path = []
        chain = [person(index[p]) for p in path[1:-1]]
    return {
        "contacts": [{**person(w), "tie_strength": -s} for s, _, w in contacts[:3]],
        "forums": [{"id": f, "members": size} for size, _, f in shared[:3]],
        "chain": chain,
    }


def _route(via: dict) -> str:
    if via["contacts"]:
        return "through a shared contact"
    if via["forums"]:
        return "at a shared forum"
    if via["chain"]:
        return f"along a chain of {len(via['chain'])} contacts"
    return "directly (no path between them)"
