"""Hybrids: do hybrid clinical--managerial middle managers broker more than everyone else?

Compares a per-person score (usually betweenness from :mod:`kg.analysis.betweenness`) between the
people flagged by a node attribute (``hybrid`` by default) and everyone else: effect sizes
(Cliff's delta, equal to the rank-biserial correlation, and Cohen's d), the two-sided
Mann--Whitney U test (:mod:`kg.analysis.rank_tests`) and a seeded permutation test of the
difference in means.

References
----------
.. [1] N. Cliff, "Dominance statistics: ordinal analyses to answer ordinal questions",
   Psychological Bulletin 114(3):494-509, 1993.
.. [2] J. Cohen, *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed., 1988.
.. [3] H. B. Mann and D. R. Whitney, "On a test of whether one of two random variables is
   stochastically larger than the other", Annals of Mathematical Statistics 18(1):50-60, 1947.
.. [4] B. Phipson and G. K. Smyth, "Permutation p-values should never be zero", Statistical
   Applications in Genetics and Molecular Biology 9(1), 2010.
"""

from __future__ import annotations

import math

import numpy as np

from kg.analysis._fast import check_graph, json_float
from kg.analysis.rank_tests import mann_whitney_u
from kg.errors import InvalidParameter

__all__ = ["compare_hybrids"]


def compare_hybrids(
    G,
    scores: dict,
    *,
    attribute: str = "hybrid",
    seed: int = 0,
    n_permutations: int = 9999,
) -> dict:
    r"""Compare the scores of people flagged by ``attribute`` with everyone else's.

    A person is in the hybrid group when their ``attribute`` is truthy (``True``); everyone
    else -- False, None or missing -- is in the comparison group. People without a finite score
    are left out.

    - Cliff's delta :math:`\delta = P(X > Y) - P(X < Y)` for a hybrid score :math:`X` and another
      score :math:`Y` (ties count half), computed as :math:`2U/(n_1 n_2) - 1` from the
      Mann--Whitney :math:`U` of the hybrids; it equals the rank-biserial correlation.
    - Cohen's d: difference in means over the pooled standard deviation (ddof = 1).
    - ``p_value``: two-sided Mann--Whitney U test (:func:`kg.analysis.rank_tests.mann_whitney_u`,
      as ``scipy.stats.mannwhitneyu`` computes it: asymptotic with tie and continuity
      correction, or exact for small samples without ties).
    - ``permutation_p_value``: two-sided permutation test of the difference in means, with
      ``n_permutations`` seeded relabellings and :math:`p = (1 + b)/(1 + m)` (Phipson and Smyth
      2010), where :math:`b` of the :math:`m` relabellings give an absolute difference at least
      as large as the observed one.

    Parameters
    ----------
    G : networkx.Graph
        Person network; node attributes ``attribute`` and ``name`` are used.
    scores : dict
        Person -> score (e.g. betweenness).
    attribute : str, default "hybrid"
    seed : int, default 0
        Seeds the permutation test.
    n_permutations : int, default 9999

    Returns
    -------
    dict
        ``attribute``, ``n_hybrid``, ``n_other``, ``mean_hybrid``, ``mean_other``,
        ``median_hybrid``, ``median_other``, ``difference_in_means``, ``cliffs_delta``,
        ``rank_biserial``, ``cohens_d``, ``mann_whitney_u``, ``p_value``,
        ``permutation_p_value``, ``n_permutations``, ``seed``, ``note`` (why a statistic is None,
        if one is), and ``hybrids``: ``[{"id", "name", "score", "rank", "percentile"}]`` ranked by
        score, where ``rank`` is the position among everyone scored and ``percentile`` the share
        of everyone scored strictly below.

    Raises
    ------
    InvalidParameter
        If ``scores`` is not a dict or ``n_permutations`` is not a positive integer.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.path_graph(6)
    >>> nx.set_node_attributes(G, {1: True, 2: True, 3: True}, "hybrid")
    >>> result = compare_hybrids(G, nx.betweenness_centrality(G), seed=1, n_permutations=999)
    >>> result["n_hybrid"], round(result["cliffs_delta"], 3)
    (3, 0.889)

    References
    ----------
    .. [1] N. Cliff, "Dominance statistics", Psychological Bulletin 114(3), 1993.
    .. [2] B. Phipson and G. K. Smyth, "Permutation p-values should never be zero", 2010.
    """
    check_graph(G)
    if not isinstance(scores, dict):
        raise InvalidParameter("scores must be a dict of person -> score")
    if not isinstance(n_permutations, int) or isinstance(n_permutations, bool):
        raise InvalidParameter("n_permutations must be a positive integer")
    if n_permutations < 1:
        raise InvalidParameter("n_permutations must be a positive integer")
    if not isinstance(attribute, str) or not attribute:
        raise InvalidParameter("attribute must be a non-empty string")

    people = []
    values = []
    flags = []
    for v, data in G.nodes(data=True):
        score = scores.get(v)
        if score is None:
            continue
        score = float(score)
        if not math.isfinite(score):
            continue
        people.append(v)
        values.append(score)
        flags.append(bool(data.get(attribute)))
    values_array = np.asarray(values, dtype=float)
    is_hybrid = np.asarray(flags, dtype=bool)
    hybrid = values_array[is_hybrid]
    other = values_array[~is_hybrid]
    n1, n2 = len(hybrid), len(other)

    result: dict = {
        "attribute": attribute,
        "n_hybrid": n1,
        "n_other": n2,
        "mean_hybrid": json_float(hybrid.mean()) if n1 else None,
        "mean_other": json_float(other.mean()) if n2 else None,
        "median_hybrid": json_float(np.median(hybrid)) if n1 else None,
        "median_other": json_float(np.median(other)) if n2 else None,
        "difference_in_means": None,
        "cliffs_delta": None,
        "rank_biserial": None,
        "cohens_d": None,
        "mann_whitney_u": None,
        "p_value": None,
        "permutation_p_value": None,
        "n_permutations": n_permutations,
        "seed": seed,
        "note": None,
    }
    if n1 and n2:
        observed = hybrid.mean() - other.mean()
        result["difference_in_means"] = float(observed)
        u, p = mann_whitney_u(hybrid, other)
        result["mann_whitney_u"] = u
        result["p_value"] = json_float(p)
        delta = 2.0 * u / (n1 * n2) - 1.0
        result["cliffs_delta"] = delta
        result["rank_biserial"] = delta
        if n1 >= 2 and n2 >= 2:
            pooled = math.sqrt(
                ((n1 - 1) * hybrid.var(ddof=1) + (n2 - 1) * other.var(ddof=1)) / (n1 + n2 - 2)
            )
            result["cohens_d"] = float(observed / pooled) if pooled > 0 else None
        if result["cohens_d"] is None:
            result["note"] = "Cohen's d needs two people per group and some spread in scores"
        result["permutation_p_value"] = _permutation_p_value(
            values_array, n1, observed, n_permutations, seed
        )
    else:
        result["note"] = "no comparison: one of the groups is empty"

    order = np.argsort(-values_array, kind="stable")
    rank_of = np.empty(len(values_array), dtype=np.int64)
    rank_of[order] = np.arange(1, len(values_array) + 1)
    sorted_values = np.sort(values_array)
    hybrids = []
    for i in np.flatnonzero(is_hybrid):
        below = int(np.searchsorted(sorted_values, values_array[i], side="left"))
        hybrids.append(
            {
                "id": people[i],
                "name": G.nodes[people[i]].get("name"),
                "score": float(values_array[i]),
                "rank": int(rank_of[i]),
                "percentile": below / len(values_array),
            }
        )
    hybrids.sort(key=lambda row: (row["rank"], str(row["id"])))
    result["hybrids"] = hybrids
    return result


def _permutation_p_value(
    values: np.ndarray, n_first: int, observed: float, n_permutations: int, seed: int
) -> float:
    """Two-sided Monte Carlo permutation p-value of the difference in means."""
    rng = np.random.default_rng(seed)
    total = values.sum()
    n = len(values)
    n_second = n - n_first
    # Drawing the smaller group is enough (the other is the rest) and keeps each relabelling
    # at O(min(n1, n2)) for large networks.
    drawn = min(n_first, n_second)
    sums = np.empty(n_permutations)
    for i in range(n_permutations):
        sums[i] = values[rng.choice(n, drawn, replace=False)].sum()
    first_sums = sums if drawn == n_first else total - sums
    differences = first_sums / n_first - (total - first_sums) / n_second
    # A relative tolerance so that relabellings equal to the observed split are not lost to
    # rounding in the sums.
    threshold = abs(observed) * (1 - 1e-9) - 1e-15
    extreme = int(np.count_nonzero(np.abs(differences) >= threshold))
    return (1 + extreme) / (1 + n_permutations)
