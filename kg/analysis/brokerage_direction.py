r"""Brokerage up, down and across: which way each person's brokerage runs through the hierarchy.

The NIHR study of hybrid middle managers in health care found that nurse managers broker
knowledge downward, to their teams, but rarely upward to senior managers or across professions
[1]_. :func:`brokerage_direction` splits each person's brokerage on the directed tie network
into those directions; :func:`compare_direction` answers "do hybrid middle managers broker
upward as well as downward?" with effect sizes.

Brokerage is counted as Gould and Fernandez do [2]_: person ``b`` brokers the open two-path
:math:`a \to b \to c` when :math:`a \ne c` and there is no tie :math:`a \to c` (a tie
:math:`c \to a` does not close it). Each open two-path counts once for its broker and is
classified

- by **level**, frontline < middle < senior < executive: *upward* when ``c`` is above ``a``,
  *downward* when ``c`` is below ``a``, *across* when they are at the same level
  (``level_unknown`` when either level is missing);
- by **profession**: *same* when ``a`` and ``c`` share a profession, *other* when they differ
  (``profession_unknown`` when either is missing);

and by both (``upward_other_profession``, ...). Gould--Fernandez classify by the groups of all
three people; here the broker's own level does not enter, only where the flow starts and ends.

References
----------
.. [1] G. Currie, N. Burgess, L. White, A. Lockett, J. Gladman and J. Waring, "A qualitative
   study of the knowledge-brokering role of middle-level managers in service innovation",
   NIHR Health Services and Delivery Research 2(32), 2014; G. Currie, N. Burgess and J. C.
   Hayton, "HR practices and knowledge brokering by hybrid middle managers in hospital
   settings: the influence of professional hierarchy", Human Resource Management
   54(5):793-812, 2015.
.. [2] R. V. Gould and R. M. Fernandez, "Structures of mediation: a formal approach to brokerage
   in transaction networks", Sociological Methodology 19:89-126, 1989.
.. [3] D. S. Kerby, "The simple difference formula: an approach to teaching nonparametric
   correlation", Comprehensive Psychology 3:11.IT.3.1, 2014 (matched-pairs rank-biserial).
.. [4] N. Cliff, "Dominance statistics: ordinal analyses to answer ordinal questions",
   Psychological Bulletin 114(3):494-509, 1993.
.. [5] F. Wilcoxon, "Individual comparisons by ranking methods", Biometrics Bulletin
   1(6):80-83, 1945.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from kg.analysis._fast import adjacency, binary, check_graph, json_float, node_index
from kg.analysis.rank_tests import mann_whitney_u
from kg.errors import InvalidParameter

__all__ = ["COUNTS", "DIRECTIONS", "LEVEL_ORDER", "brokerage_direction", "compare_direction"]

LEVEL_ORDER = ("frontline", "middle", "senior", "executive")
DIRECTIONS = ("upward", "downward", "across")
#: Every count :func:`brokerage_direction` gives a person, in order.
COUNTS = (
    "two_paths", *DIRECTIONS, "level_unknown", "same_profession", "other_profession",
    "profession_unknown",
    *(f"{d}_{p}_profession" for d in DIRECTIONS for p in ("same", "other")),
)
#: Open two-paths enumerated per chunk (bounds memory on large networks).
_CHUNK = 4_000_000


def brokerage_direction(
    D,
    *,
    level: str = "level",
    profession: str = "profession",
    order: Sequence[str] = LEVEL_ORDER,
) -> dict[Hashable, dict[str, int]]:
    r"""Each person's open two-paths :math:`a \to b \to c`, split by direction and profession.

    Parameters
    ----------
    D : networkx.DiGraph
        Directed ties, source -> target (an undirected graph is read as ties both ways).
    level : str, default "level"
        Node attribute holding the level.
    profession : str, default "profession"
        Node attribute holding the profession.
    order : sequence of str, default ("frontline", "middle", "senior", "executive")
        The levels from lowest to highest; any other value counts as unknown.

    Returns
    -------
    dict
        Node -> {:data:`COUNTS`} -> int: ``two_paths`` (all open two-paths brokered),
        ``upward``, ``downward``, ``across``, ``level_unknown``, ``same_profession``,
        ``other_profession``, ``profession_unknown``, and the six
        ``{direction}_{same|other}_profession``.

    Raises
    ------
    InvalidParameter
        If ``D`` is not a graph, or ``order`` is empty or repeats a level.

    Examples
    --------
    >>> import networkx as nx
    >>> D = nx.DiGraph([("nurse", "manager"), ("manager", "director")])
    >>> nx.set_node_attributes(D, {"nurse": "frontline", "manager": "middle",
    ...                            "director": "executive"}, "level")
    >>> c = brokerage_direction(D)["manager"]
    >>> c["two_paths"], c["upward"], c["downward"], c["profession_unknown"]
    (1, 1, 0, 1)

    References
    ----------
    .. [1] R. V. Gould and R. M. Fernandez, Sociological Methodology 19:89-126, 1989.
    """
    check_graph(D, name="D")
    for name, value in (("level", level), ("profession", profession)):
        if not isinstance(value, str) or not value:
            raise InvalidParameter(f"{name} must be a node attribute name")
    order = tuple(order) if not isinstance(order, str) else ()
    if not order or len(set(order)) != len(order):
        raise InvalidParameter("order must list each level once, lowest first")
    nodes, index = node_index(D)
    n = len(nodes)
    if n == 0:
        return {}
    rank_of = {lv: i for i, lv in enumerate(order)}
    rank = np.array([rank_of.get(D.nodes[v].get(level), -1) for v in nodes], dtype=np.int64)
    codes: dict = {}
    prof = np.array([-1 if D.nodes[v].get(profession) is None else
                     codes.setdefault(D.nodes[v].get(profession), len(codes)) for v in nodes],
                    dtype=np.int64)

    A = binary(adjacency(D, index))  # A[a, b] = 1 for a tie a -> b
    A.sort_indices()
    out_ptr, out_idx = A.indptr, A.indices.astype(np.int64)
    src = np.repeat(np.arange(n), np.diff(out_ptr))  # ties a -> b
    dst = out_idx
    tie_keys = src * n + dst  # sorted: CSR rows, then sorted columns
    per_tie = np.diff(out_ptr)[dst]  # two-paths continuing each tie a -> b: out-degree of b

    counts = {k: np.zeros(n, dtype=np.int64) for k in COUNTS}
    bounds = np.cumsum(per_tie)
    start = 0
    while start < len(src):
        base = bounds[start - 1] if start else 0
        stop = max(int(np.searchsorted(bounds, base + _CHUNK, side="right")), start + 1)
        _count_chunk(src[start:stop], dst[start:stop], per_tie[start:stop], out_ptr, out_idx,
                     tie_keys, n, rank, prof, counts)
        start = stop
    return {v: {k: int(counts[k][i]) for k in COUNTS} for i, v in enumerate(nodes)}


def _count_chunk(a, b, k, out_ptr, out_idx, tie_keys, n, rank, prof, counts) -> None:
    """Enumerate the two-paths a -> b -> c that continue the ties (a, b); count the open ones."""
    total = int(k.sum())
    if total == 0:
        return
    a_rep = np.repeat(a, k)
    b_rep = np.repeat(b, k)
    offset = np.arange(total) - np.repeat(np.cumsum(k) - k, k)
    c = out_idx[np.repeat(out_ptr[b], k) + offset]
    keys = a_rep * n + c
    pos = np.searchsorted(tie_keys, keys)
    closed = (pos < len(tie_keys)) & (tie_keys[np.minimum(pos, len(tie_keys) - 1)] == keys)
    keep = (a_rep != c) & ~closed
    a_rep, b_rep, c = a_rep[keep], b_rep[keep], c[keep]

    ra, rc = rank[a_rep], rank[c]
    known_level = (ra >= 0) & (rc >= 0)
    pa, pc = prof[a_rep], prof[c]
    known_prof = (pa >= 0) & (pc >= 0)
    same = known_prof & (pa == pc)
    other = known_prof & (pa != pc)
    direction = {"upward": known_level & (rc > ra), "downward": known_level & (rc < ra),
                 "across": known_level & (rc == ra)}

    def add(key, mask=None):
        where = b_rep if mask is None else b_rep[mask]
        counts[key] += np.bincount(where, minlength=n)

    add("two_paths")
    add("level_unknown", ~known_level)
    add("same_profession", same)
    add("other_profession", other)
    add("profession_unknown", ~known_prof)
    for name, mask in direction.items():
        add(name, mask)
        add(f"{name}_same_profession", mask & same)
        add(f"{name}_other_profession", mask & other)


def _shares(row: dict) -> dict:
    """Shares of a person's levelled brokerage (and of brokerage with known professions)."""
    levelled = row["upward"] + row["downward"] + row["across"]
    professed = row["same_profession"] + row["other_profession"]
    return {
        "upward_share": row["upward"] / levelled if levelled else None,
        "downward_share": row["downward"] / levelled if levelled else None,
        "across_share": row["across"] / levelled if levelled else None,
        "other_profession_share": row["other_profession"] / professed if professed else None,
    }


def _paired(up: np.ndarray, down: np.ndarray) -> dict:
    """Wilcoxon signed-rank of up - down with the matched-pairs rank-biserial correlation."""
    d = up - down
    out = {"n": int(len(d)), "mean_upward_share": json_float(up.mean()) if len(d) else None,
           "mean_downward_share": json_float(down.mean()) if len(d) else None,
           "median_difference": json_float(np.median(d)) if len(d) else None,
           "n_upward_more": int((d > 0).sum()), "n_downward_more": int((d < 0).sum()),
           "n_equal": int((d == 0).sum()), "wilcoxon_w": None, "p_value": None,
           "rank_biserial": None, "note": None}
    nonzero = d[d != 0]
    if not len(nonzero):
        out["note"] = "no hybrid middle manager brokers more one way than the other"
        return out
    from scipy import stats  # 0.7 s to import: only when there is something to test

    ranks = stats.rankdata(np.abs(nonzero))
    plus, minus = float(ranks[nonzero > 0].sum()), float(ranks[nonzero < 0].sum())
    # Kerby's simple difference: share of rank sum favouring upward minus the rest.
    out["rank_biserial"] = (plus - minus) / (plus + minus)
    test = stats.wilcoxon(nonzero, zero_method="wilcox", alternative="two-sided")
    out["wilcoxon_w"] = float(test.statistic)
    out["p_value"] = json_float(test.pvalue)
    return out


def _unpaired(x: np.ndarray, y: np.ndarray) -> dict:
    """Cliff's delta (= 2U/(n1 n2) - 1) and the two-sided Mann-Whitney U test of x vs y."""
    out = {"n_hybrid": int(len(x)), "n_other": int(len(y)),
           "mean_hybrid": json_float(x.mean()) if len(x) else None,
           "mean_other": json_float(y.mean()) if len(y) else None,
           "median_hybrid": json_float(np.median(x)) if len(x) else None,
           "median_other": json_float(np.median(y)) if len(y) else None,
           "cliffs_delta": None, "mann_whitney_u": None, "p_value": None}
    if len(x) and len(y):
        u, p = mann_whitney_u(x, y)
        out["mann_whitney_u"] = u
        out["p_value"] = json_float(p)
        out["cliffs_delta"] = 2.0 * u / (len(x) * len(y)) - 1.0
    return out


def compare_direction(
    D,
    counts: dict | None = None,
    *,
    hybrid: str = "hybrid",
    level: str = "level",
    middle: str = "middle",
    exclude_flag: str | None = "hybrid_any",
) -> dict:
    """Do hybrid middle managers broker upward as well as downward, and more than other middle
    managers?

    - **Upward vs downward** (paired, per hybrid middle manager who brokers between known
      levels): upward share (upward / (upward + downward + across)) against downward share,
      two-sided Wilcoxon signed-rank test (``scipy.stats.wilcoxon``, zero differences dropped)
      and the matched-pairs rank-biserial correlation :math:`r = (R^+ - R^-)/(R^+ + R^-)`
      (Kerby 2014): +1 when every one brokers more upward, -1 when every one brokers more
      downward.
    - **Hybrids vs other middle managers** (people at ``middle`` level who are not hybrids):
      Cliff's delta and the two-sided Mann--Whitney U test on the upward share, the upward
      count and the share of brokerage between different professions.

    Parameters
    ----------
    D : networkx.DiGraph
        Directed ties with node attributes ``hybrid``, ``level``, ``profession``, ``name``.
    counts : dict, optional
        The result of :func:`brokerage_direction` on ``D`` (computed when not given).
    hybrid : str, default "hybrid"
        Node attribute flagging hybrid middle managers (defined in
        :func:`kg.analysis.projection.person_attributes`).
    level : str, default "level"
    middle : str, default "middle"
        The level of the comparison group.
    exclude_flag : str or None, default "hybrid_any"
        People with this flag who are not ``hybrid`` (hybrids at other levels) are left out of
        the comparison group.

    Returns
    -------
    dict
        ``people``: one row per person who brokers any open two-path (``id``, ``name``,
        ``level``, ``profession``, ``hybrid``, the :data:`COUNTS`, ``upward_share``,
        ``downward_share``, ``across_share``, ``other_profession_share``), most two-paths
        first; ``totals`` (summed counts for ``hybrid``, ``other_middle`` and ``everyone``);
        ``upward_vs_downward`` (the paired test: ``n``, ``mean_upward_share``,
        ``mean_downward_share``, ``median_difference``, ``n_upward_more``,
        ``n_downward_more``, ``n_equal``, ``wilcoxon_w``, ``p_value``, ``rank_biserial``,
        ``note``); ``versus_other_middle`` (``upward_share``, ``upward``,
        ``other_profession_share``: each ``n_hybrid``, ``n_other``, means, medians,
        ``cliffs_delta``, ``mann_whitney_u``, ``p_value``); ``n_hybrid``, ``n_other_middle``;
        ``answer`` (the finding in one sentence).

    Raises
    ------
    InvalidParameter
        If ``D`` is not a graph or ``counts`` is not a dict.

    Examples
    --------
    >>> import networkx as nx
    >>> D = nx.DiGraph([("s", "h1"), ("h1", "f1"), ("s", "h2"), ("h2", "f2"), ("f2", "h2"),
    ...                 ("h2", "s2")])
    >>> levels = {"s": "senior", "s2": "senior", "f1": "frontline", "f2": "frontline",
    ...           "h1": "middle", "h2": "middle"}
    >>> nx.set_node_attributes(D, levels, "level")
    >>> nx.set_node_attributes(D, {"h1": True, "h2": True}, "hybrid")
    >>> r = compare_direction(D)  # h1: s -> f1 down; h2: s -> f2 down, f2 -> s2 up, s -> s2 across
    >>> paired = r["upward_vs_downward"]
    >>> paired["n_downward_more"], paired["n_equal"], r["totals"]["hybrid"]["upward"]
    (1, 1, 1)

    References
    ----------
    .. [1] D. S. Kerby, Comprehensive Psychology 3:11.IT.3.1, 2014.
    .. [2] N. Cliff, Psychological Bulletin 114(3):494-509, 1993.
    """
    check_graph(D, name="D")
    if counts is None:
        counts = brokerage_direction(D, level=level)
    if not isinstance(counts, dict):
        raise InvalidParameter("counts must be the dict brokerage_direction returns")
    people, hyb, mid = [], [], []
    for v, data in D.nodes(data=True):
        row = counts.get(v)
        if row is None:
            continue
        is_hybrid = bool(data.get(hybrid))
        other_middle = (not is_hybrid and data.get(level) == middle
                        and not (exclude_flag and data.get(exclude_flag)))
        full = {"id": v, "name": data.get("name"), "level": data.get(level),
                "profession": data.get("profession"), "hybrid": is_hybrid,
                **{k: row[k] for k in COUNTS}, **_shares(row)}
        if row["two_paths"]:
            people.append(full)
        if is_hybrid:
            hyb.append(full)
        elif other_middle:
            mid.append(full)
    people.sort(key=lambda r: (-r["two_paths"], str(r["id"])))

    def values(rows, key):
        return np.array([r[key] for r in rows if r[key] is not None], dtype=float)

    levelled = [r for r in hyb if r["upward_share"] is not None]
    paired = _paired(values(levelled, "upward_share"), values(levelled, "downward_share"))
    versus = {key: _unpaired(values(hyb, key), values(mid, key))
              for key in ("upward_share", "upward", "other_profession_share")}
    everyone = [counts[v] for v in D if v in counts]
    result = {
        "people": people,
        "n_hybrid": len(hyb),
        "n_other_middle": len(mid),
        "totals": {"hybrid": _total(hyb), "other_middle": _total(mid),
                   "everyone": _total(everyone)},
        "upward_vs_downward": paired,
        "versus_other_middle": versus,
    }
    result["answer"] = _answer(paired, versus["upward_share"])
    return result


def _total(rows) -> dict:
    return {k: int(sum(r[k] for r in rows)) for k in COUNTS}


def _answer(paired: dict, versus: dict) -> str:
    if paired["rank_biserial"] is None:
        return (f"Too few hybrid middle managers broker between known levels to tell "
                f"({paired['n']}).")
    r, p = paired["rank_biserial"], paired["p_value"]
    way = "upward as much as downward" if p is None or p >= 0.05 else (
        "more upward than downward" if r > 0 else "more downward than upward")
    text = (f"Hybrid middle managers broker {way}: mean upward share "
            f"{paired['mean_upward_share']:.2f} vs downward {paired['mean_downward_share']:.2f} "
            f"(rank-biserial r = {r:+.2f}, Wilcoxon p = {p:.3g}, n = {paired['n']}).")
    if versus["cliffs_delta"] is not None:
        text += (f" Against other middle managers their upward share has Cliff's delta "
                 f"{versus['cliffs_delta']:+.2f} (Mann-Whitney p = {versus['p_value']:.3g}).")
    return text
