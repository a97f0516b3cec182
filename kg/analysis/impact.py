"""What worked: an intervention's effect on the person network, before against after.

Pure functions of two person networks (:func:`kg.analysis.projection.person_network` of a window
before an intervention's date and one after it; no I/O). An intervention targets either

- a **boundary** between groups of people (:class:`Boundary`, e.g. sector acute | community): the
  measure is the ties *across* it, between people of two different targeted groups; the
  comparison is every other boundary between groups of the same attribute (or those named);
- a **set of people** (the people named, a forum's members, an organisation's staff): the
  measure is the ties *among* them; the comparison is the ties among everyone else (or among
  the people named as the comparison).

The effect is a difference in differences [1]_ of tie density (ties over the pairs of people
who could be tied, so joiners and leavers do not count as change):

.. math:: \\delta = (d_{T,1} - d_{T,0}) - (d_{C,1} - d_{C,0})

and is given in ties, as the ties the target has after against those it would have had if its
density had moved as the comparison's did: :math:`N_{T,1} - P_{T,1} (d_{T,0} + d_{C,1} -
d_{C,0})`, where :math:`P_{T,1}` is the target's pairs after. Ties are counted, not weighted
(as the E-I index counts them).

The interval resamples people: a node bootstrap [2]_ [3]_, stratified by group (boundary) or by
targeted/comparison (people), each person carrying their ties in both windows, so the two
windows stay paired. A pair of two copies of one person is no pair. The percentile interval
[2]_ that includes zero is reported as such: *the data cannot tell*. An interval that excludes
zero but lies within the smallest change that matters (``min_effect``: a tenth of the target's
ties before, at least one tie) is *too small to matter*, in the spirit of an equivalence test
[5]_: a flat target against a comparison that drifts by a percent is no finding for a board.

Beside the effect: ties formed, lost and kept (by window), the E-I index [4]_ of the targeted
groups or people against the comparison's, and the *reach* of the people involved: the share
of the other groups' people within two steps.

References
----------
.. [1] J. D. Angrist and J.-S. Pischke, *Mostly Harmless Econometrics*, Princeton University
   Press, 2009, ch. 5 (differences in differences).
.. [2] B. Efron and R. J. Tibshirani, *An Introduction to the Bootstrap*, Chapman & Hall,
   1993 (percentile interval, ch. 13).
.. [3] T. A. B. Snijders and S. P. Borgatti, "Non-parametric standard errors and tests for
   network statistics", *Connections* 22(2):161-170, 1999 (the node bootstrap).
.. [4] D. Krackhardt and R. N. Stern, "Informal networks and organizational crises: an
   experimental simulation", *Social Psychology Quarterly* 51(2):123-140, 1988.
.. [5] D. Lakens, "Equivalence tests: a practical primer for t tests, correlations, and
   meta-analyses", *Social Psychological and Personality Science* 8(4):355-362, 2017.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp

from kg.analysis._fast import edge_arrays
from kg.errors import InvalidParameter

__all__ = [
    "DIRECTIONS",
    "LEVEL",
    "MIN_EFFECT",
    "N_BOOT",
    "REACH_STEPS",
    "Boundary",
    "intervention_impact",
]

#: The verdicts, from what the interval says: the target gained ties against the comparison's
#: trend, lost them, changed by less than the smallest change that matters, or the interval
#: includes no change (or could not be drawn).
DIRECTIONS = ("more", "fewer", "too small to matter", "cannot tell")

#: Bootstrap replicates of the interval.
N_BOOT = 999
#: Coverage of the interval.
LEVEL = 0.95
#: Reach counts the people within this many steps.
REACH_STEPS = 2
#: Reach is measured on at most this many people per set and window (a seeded sample above).
REACH_SAMPLE = 1000
#: Below this share of defined bootstrap replicates (a resample with no pair of targeted
#: people), the interval is not given: too few people to tell.
MIN_DEFINED = 0.9
#: The smallest change that matters, as a share of the target's ties before (at least one tie):
#: a change the interval is sure of but smaller than this is "too small to matter".
MIN_EFFECT = 0.1
_CHUNK = 50  # replicates drawn at once: bounds memory at 50 x people
CAVEAT = (
    "A difference in differences: the target's change minus the comparison's over the same "
    "windows. It assumes both would otherwise have changed alike; anything else that reached "
    "the target at the same time is not ruled out."
)


@dataclass(frozen=True)
class Boundary:
    """The boundary between two or more groups of a node attribute.

    Examples
    --------
    >>> Boundary("sector", ("acute", "community"))
    Boundary(attribute='sector', groups=('acute', 'community'))
    """

    attribute: str
    groups: tuple

    def __post_init__(self):
        if not isinstance(self.attribute, str) or not self.attribute:
            raise InvalidParameter("a boundary needs the attribute it splits people by")
        groups = tuple(dict.fromkeys(self.groups))
        if len(groups) < 2 or any(g is None for g in groups):
            raise InvalidParameter("a boundary needs two different groups, e.g. acute and "
                                   "community")
        object.__setattr__(self, "groups", groups)

    @property
    def label(self) -> str:
        return " | ".join(map(str, self.groups))


def intervention_impact(
    before_G: nx.Graph,
    after_G: nx.Graph,
    target: Boundary | Collection,
    *,
    comparison: Iterable | None = None,
    by: str = "sector",
    n_boot: int = N_BOOT,
    level: float = LEVEL,
    min_effect: float = MIN_EFFECT,
    seed: int = 0,
    steps: int = REACH_STEPS,
) -> dict:
    """Did the ties of the target change more than the comparison's, from before to after?

    Parameters
    ----------
    before_G, after_G : networkx.Graph
        Undirected person networks of the window before the intervention and the window after
        it. Every edge counts as one tie.
    target : Boundary or collection of node ids
        A boundary between groups (measure: ties across it) or the people targeted (measure:
        ties among them).
    comparison : iterable, optional
        For a boundary, the pairs of groups to compare with (default: every other pair of
        groups of the attribute); for people, the comparison people (default: everyone not
        targeted). It may not overlap the target.
    by : str, default "sector"
        For a people target: the grouping of its E-I index and reach. A boundary uses its own
        attribute.
    n_boot : int, default N_BOOT (999)
        Bootstrap replicates of the interval.
    level : float, default LEVEL (0.95)
        Coverage of the percentile interval.
    min_effect : float, default MIN_EFFECT (0.1)
        The smallest change that matters, as a share of the target's ties before (at least
        one tie).
    seed : int, default 0
        Seeds the bootstrap and the reach samples.
    steps : int, default REACH_STEPS (2)
        Reach counts the people within this many steps.

    Returns
    -------
    dict
        - ``target``: what was targeted (``kind`` ``"boundary"`` with ``attribute`` and
          ``groups``, or ``"people"`` with ``people``) and how many people it held in each
          window (``present``);
        - ``comparison``: what it was compared with, the same way;
        - ``measure``: the measure in words;
        - ``ties``: for ``target`` and ``comparison``, ``{"before", "after", "formed", "lost",
          "kept", "pairs_before", "pairs_after", "density_before", "density_after"}``;
        - ``effect``: ``{"ties", "density", "observed_after", "expected_after", "interval",
          "level", "n_boot", "defined", "threshold", "method"}``: the difference in
          differences in ties and in density, the bootstrap interval of ``ties`` (None when
          fewer than ``MIN_DEFINED`` of the replicates held a pair to compare) and the
          smallest change that matters, in ties;
        - ``ei``: E-I index of the targeted groups or people (``target_before``,
          ``target_after``) and of the comparison, the difference in differences
          (``difference``) and its ``interval``;
        - ``reach``: mean share of the other groups' people within ``steps`` steps, for the
          targeted people and the comparison's, before and after, and the ``difference``;
        - ``direction``: one of :data:`DIRECTIONS`; ``verdict`` in plain words; ``caveat``;
          ``notes`` on what the data lacked;
        - ``seed``, ``steps``.

    Raises
    ------
    InvalidParameter
        A directed or multi-graph, an empty or string target, a comparison overlapping the
        target, an attribute no person carries, or a bad ``n_boot``, ``level``, ``seed`` or
        ``steps``.

    Examples
    --------
    Ten acute and ten community staff; after a discharge forum, six new ties cross between
    them while the acute-social care and community-social care ties stay as they were.

    >>> import networkx as nx
    >>> def partnership(new_ties):
    ...     G = nx.Graph()
    ...     for sector in ("acute", "community", "social_care"):
    ...         G.add_nodes_from((f"{sector[0]}{i}", {"sector": sector}) for i in range(10))
    ...     G.add_edges_from((f"a{i}", f"s{i}") for i in range(10))
    ...     G.add_edges_from((f"c{i}", f"s{i}") for i in range(10))
    ...     G.add_edges_from((f"a{i}", f"c{i}") for i in range(new_ties))
    ...     return G
    >>> r = intervention_impact(partnership(0), partnership(6),
    ...                         Boundary("sector", ("acute", "community")), seed=1)
    >>> r["ties"]["target"]["formed"], r["effect"]["ties"], r["direction"]
    (6, 6.0, 'more')
    >>> r["effect"]["interval"]
    [1.0, 13.0]
    """
    _check_graph(before_G, "before_G")
    _check_graph(after_G, "after_G")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or not 1 <= n_boot <= 100_000:
        raise InvalidParameter(f"n_boot must be a whole number from 1 to 100,000, got {n_boot!r}")
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise InvalidParameter(f"level must be between 0 and 1, got {level!r}")
    if isinstance(min_effect, bool) or not isinstance(min_effect, int | float) or not (
            0 <= min_effect < 1e6):
        raise InvalidParameter(f"min_effect must be a share, zero or more, got {min_effect!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidParameter(f"seed must be a whole number, zero or more, got {seed!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 6:
        raise InvalidParameter(f"steps must be a whole number from 1 to 6, got {steps!r}")
    if not isinstance(by, str) or not by:
        raise InvalidParameter("by must name a node attribute, e.g. sector")
    people = sorted(set(before_G) | set(after_G), key=str)
    if isinstance(target, Boundary):
        design = _BoundaryDesign(before_G, after_G, people, target, comparison)
    else:
        design = _PeopleDesign(before_G, after_G, people, target, comparison, by)
    return design.answer(n_boot=n_boot, level=float(level), min_effect=float(min_effect),
                         seed=seed, steps=steps)


def _check_graph(G, name: str) -> None:
    if not isinstance(G, nx.Graph) or G.is_directed() or G.is_multigraph():
        raise InvalidParameter(f"{name} must be an undirected networkx.Graph (a person network)")


def _attribute_known(graphs, attribute: str) -> None:
    nodes = [d for G in graphs for _, d in G.nodes(data=True)]
    if nodes and not any(attribute in d for d in nodes):
        raise InvalidParameter(f"no person carries the attribute {attribute!r}")


class _Window:
    """One window's network over the people of both: who is present, their group, the ties."""

    def __init__(self, G: nx.Graph, index: dict, attribute: str):
        n = len(index)
        self.present = np.zeros(n, dtype=bool)
        self.present[[index[v] for v in G]] = True
        self.values = {v: d.get(attribute) for v, d in G.nodes(data=True)}
        # Each tie once, from its end at the lower position (self-loops kept).
        self.u, self.v, _ = edge_arrays(G, index, loops=True)
        self.n = n
        self.adjacency = sp.csr_matrix(
            (np.ones(2 * self.u.size), (np.r_[self.u, self.v], np.r_[self.v, self.u])),
            shape=(n, n))

    def matrix(self, keep: np.ndarray) -> sp.csr_matrix:
        """The chosen ties as an upper-triangular matrix (for sums of c_u c_v)."""
        return sp.csr_matrix((np.ones(int(keep.sum())), (self.u[keep], self.v[keep])),
                             shape=(self.n, self.n))

    def keys(self, keep: np.ndarray) -> np.ndarray:
        return self.u[keep] * self.n + self.v[keep]


def _tie_products(M: sp.csr_matrix, ct: np.ndarray) -> np.ndarray:
    """For each column of multiplicities ``ct`` (people x replicates): sum of c_u c_v over the
    ties of ``M``."""
    return np.einsum("ij,ij->j", ct, M @ ct) if M.nnz else np.zeros(ct.shape[1])


def _density(ties, pairs):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(pairs > 0, ties / np.where(pairs > 0, pairs, 1), np.nan)


def _ei(e, i):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(e + i > 0, (e - i) / np.where(e + i > 0, e + i, 1), np.nan)


def _num(x) -> float | None:
    """A plain float, None for undefined; rounding error (1e-15 for an exact zero) dropped, so
    a change of nothing reads as 0."""
    x = float(x)
    return None if np.isnan(x) else round(x, 9) + 0.0


class _Design:
    """What both kinds of target share: the statistics under multiplicities, the bootstrap,
    the counts, the reach and the words."""

    kind = ""
    people: list
    windows: tuple[_Window, _Window]
    strata: np.ndarray
    notes: list

    # -- filled in by each design ---------------------------------------------------------
    def stats(self, c: np.ndarray) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> tuple[dict, dict, str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def reach_sets(self, w: int) -> tuple[list, list]:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- shared -----------------------------------------------------------------------------
    def effects(self, c: np.ndarray) -> dict:
        s = self.stats(c)
        d = {k: _density(s[f"ties_{k}"], s[f"pairs_{k}"]) for k in ("T0", "T1", "C0", "C1")}
        delta = (d["T1"] - d["T0"]) - (d["C1"] - d["C0"])
        ties = s["ties_T1"] - s["pairs_T1"] * (d["T0"] + d["C1"] - d["C0"])
        ei = ((_ei(s["E_T1"], s["I_T1"]) - _ei(s["E_T0"], s["I_T0"]))
              - (_ei(s["E_C1"], s["I_C1"]) - _ei(s["E_C0"], s["I_C0"])))
        return {"ties": ties, "density": delta, "ei": ei, "stats": s, "d": d}

    def bootstrap(self, n_boot: int, seed: int) -> dict:
        """Replicates of the effects, each person drawn with replacement within their stratum
        (so a resample keeps each group's size) and carrying their ties in both windows."""
        rng = np.random.default_rng(seed)
        groups = [np.flatnonzero(self.strata == s) for s in np.unique(self.strata)]
        out: dict = {"ties": [], "ei": []}
        for start in range(0, n_boot, _CHUNK):
            b = min(_CHUNK, n_boot - start)
            c = np.zeros((b, len(self.people)))
            for members in groups:
                n = members.size
                drawn = rng.integers(0, n, size=(b, n)) + (np.arange(b) * n)[:, None]
                c[:, members] = np.bincount(drawn.ravel(), minlength=b * n).reshape(b, n)
            e = self.effects(c)
            out["ties"].append(e["ties"])
            out["ei"].append(e["ei"])
        return {k: np.concatenate(v) for k, v in out.items()}

    def counts(self, key: str) -> dict:
        """Ties of the target (``"T"``) or comparison (``"C"``): formed, lost and kept."""
        before = self.windows[0].keys(self.keep[key][0])
        after = self.windows[1].keys(self.keep[key][1])
        kept = np.intersect1d(before, after).size
        return {"before": int(before.size), "after": int(after.size),
                "formed": int(after.size - kept), "lost": int(before.size - kept),
                "kept": int(kept)}

    def reach(self, seed: int, steps: int) -> dict:
        rng = np.random.default_rng([seed, 1])  # a stream apart from the bootstrap's
        out: dict = {}
        for w, when in ((0, "before"), (1, "after")):
            target, comparison = self.reach_sets(w)
            out[f"target_{when}"] = self._mean_reach(w, *target, rng, steps)
            out[f"comparison_{when}"] = self._mean_reach(w, *comparison, rng, steps)
        diff = None
        if None not in out.values():
            diff = ((out["target_after"] - out["target_before"])
                    - (out["comparison_after"] - out["comparison_before"]))
        out["difference"] = diff
        out["steps"] = steps
        out["sample"] = REACH_SAMPLE
        return out

    def _mean_reach(self, w: int, rows: np.ndarray, group: np.ndarray, rng,
                    steps: int) -> float | None:
        """Mean over ``rows`` of the share of the other groups' people within ``steps`` steps.

        ``group`` gives each person's group among those counted (-1: not counted); a row's
        "other groups" are the counted groups but its own, so it never counts itself.
        """
        counted = group >= 0
        if rows.size == 0 or not counted.any():
            return None
        if rows.size > REACH_SAMPLE:
            rows = np.sort(rng.choice(rows, size=REACH_SAMPLE, replace=False))
        A = self.windows[w].adjacency
        n_codes = int(group.max()) + 1
        M = sp.csr_matrix((np.ones(int(counted.sum())), (np.flatnonzero(counted),
                                                         group[counted])),
                          shape=(len(self.people), n_codes))
        parts = []
        # a few hundred rows at a time: the people within two steps of well-connected people
        # run to thousands each
        for chunk in np.array_split(rows, -(-rows.size // 200)):
            R = frontier = A[chunk]
            for _ in range(steps - 1):
                frontier = frontier @ A
                R = R + frontier
            parts.append(np.asarray(((R > 0).astype(np.float64) @ M).todense()))
        reached = np.vstack(parts)
        sizes = np.bincount(group[counted], minlength=n_codes).astype(float)
        own = group[rows]
        others = sizes.sum() - sizes[own]
        got = reached.sum(axis=1) - reached[np.arange(rows.size), own]
        ok = others > 0
        return float(np.mean(got[ok] / others[ok])) if ok.any() else None

    def answer(self, *, n_boot: int, level: float, min_effect: float, seed: int,
               steps: int) -> dict:
        target, comparison, measure = self.describe()
        point = self.effects(np.ones((1, len(self.people))))
        s, d = point["stats"], point["d"]
        ties = {}
        for who, key in (("target", "T"), ("comparison", "C")):
            ties[who] = {
                **self.counts(key),
                "pairs_before": int(s[f"pairs_{key}0"][0]),
                "pairs_after": int(s[f"pairs_{key}1"][0]),
                "density_before": _num(d[f"{key}0"][0]),
                "density_after": _num(d[f"{key}1"][0]),
            }
        effect_ties, effect_density = _num(point["ties"][0]), _num(point["density"][0])
        boot = self.bootstrap(n_boot, seed)
        interval, defined = _interval(boot["ties"], level)
        ei_interval, _ = _interval(boot["ei"], level)
        ei = {
            "target_before": _num(_ei(s["E_T0"], s["I_T0"])[0]),
            "target_after": _num(_ei(s["E_T1"], s["I_T1"])[0]),
            "comparison_before": _num(_ei(s["E_C0"], s["I_C0"])[0]),
            "comparison_after": _num(_ei(s["E_C1"], s["I_C1"])[0]),
            "difference": _num(point["ei"][0]),
            "interval": ei_interval,
        }
        threshold = max(1.0, min_effect * ties["target"]["before"])
        direction, verdict = _verdict(measure, effect_ties, interval, level, defined,
                                      threshold, self.notes)
        expected = None
        if effect_ties is not None:
            expected = ties["target"]["after"] - effect_ties
        return {
            "target": target,
            "comparison": comparison,
            "measure": measure,
            "ties": ties,
            "effect": {
                "ties": effect_ties,
                "density": effect_density,
                "observed_after": ties["target"]["after"],
                "expected_after": expected,
                "interval": interval,
                "level": level,
                "n_boot": n_boot,
                "defined": round(defined, 4),
                "threshold": threshold,
                "method": "difference in differences of tie density, in ties; percentile "
                          "interval of a node bootstrap stratified by group",
            },
            "ei": ei,
            "reach": self.reach(seed, steps),
            "direction": direction,
            "verdict": verdict,
            "caveat": CAVEAT,
            "notes": list(self.notes),
            "seed": seed,
            "steps": steps,
        }


def _interval(values: np.ndarray, level: float) -> tuple[list | None, float]:
    ok = values[~np.isnan(values)]
    defined = ok.size / values.size if values.size else 0.0
    if defined < MIN_DEFINED or ok.size == 0:
        return None, defined
    lo, hi = np.quantile(ok, [(1 - level) / 2, (1 + level) / 2])
    return [_num(lo), _num(hi)], defined


def _amount(x: float) -> str:
    x = abs(x)
    return f"{x:.0f}" if x >= 10 or x == round(x) else f"{x:.1f}"


def _verdict(measure, effect, interval, level, defined, threshold, notes) -> tuple[str, str]:
    Measure = measure[0].upper() + measure[1:]
    if effect is None:
        why = notes[0] if notes else "a window has no pair of people to compare"
        return "cannot tell", f"The data cannot tell: {why}."
    if interval is None:
        return "cannot tell", (
            f"The data cannot tell: too few people to resample ({defined:.0%} of the "
            f"resamples held a pair to compare).")
    lo, hi = interval
    span = f"{level:.0%} interval {lo:+.1f} to {hi:+.1f}"
    if lo <= 0 <= hi:
        return "cannot tell", (f"The data cannot tell: the interval includes no change ("
                               f"{measure} against the comparison's trend: {effect:+.1f}, "
                               f"{span}).")
    if -threshold < lo and hi < threshold:
        return "too small to matter", (
            f"{Measure}: {effect:+.1f} against the comparison's trend ({span}): a change too "
            f"small to matter (the smallest that matters is {_amount(threshold)} "
            f"{'tie' if threshold == 1 else 'ties'}).")
    word = "more" if lo > 0 else "fewer"
    return word, (f"{Measure}: {_amount(effect)} {word} than the comparison's trend predicts "
                  f"({span}).")


class _BoundaryDesign(_Design):
    kind = "boundary"

    def __init__(self, G0, G1, people, boundary: Boundary, comparison):
        _attribute_known((G0, G1), boundary.attribute)
        self.boundary = boundary
        self.people = people
        index = {v: i for i, v in enumerate(people)}
        self.windows = (_Window(G0, index, boundary.attribute),
                        _Window(G1, index, boundary.attribute))
        values = {x for w in self.windows for x in w.values.values() if x is not None}
        values |= set(boundary.groups)
        self.names = sorted(values, key=str)
        code = {x: k for k, x in enumerate(self.names)}
        self.targeted = np.array([code[g] for g in boundary.groups])
        n_codes = len(self.names)
        # which pairs of groups are compared with (symmetric)
        in_target = np.zeros(n_codes, dtype=bool)
        in_target[self.targeted] = True
        tgt = np.outer(in_target, in_target) & ~np.eye(n_codes, dtype=bool)
        if comparison is None:
            cmp_pairs = ~np.eye(n_codes, dtype=bool) & ~tgt
            self.compared = None
        else:
            cmp_pairs = np.zeros((n_codes, n_codes), dtype=bool)
            self.compared = []
            for pair in comparison:
                pair = tuple(pair)
                if len(pair) != 2 or pair[0] == pair[1]:
                    raise InvalidParameter(f"a comparison boundary is two different groups, "
                                           f"got {pair!r}")
                if pair[0] not in code or pair[1] not in code:
                    raise InvalidParameter(f"no one is in {pair[0]!r} or {pair[1]!r} in "
                                           f"either window")
                a, b = code[pair[0]], code[pair[1]]
                if tgt[a, b]:
                    raise InvalidParameter(f"the comparison {pair!r} is part of the target")
                cmp_pairs[a, b] = cmp_pairs[b, a] = True
                self.compared.append(list(pair))
            if not self.compared:
                raise InvalidParameter("give at least one comparison boundary, or none for all")
        self.tgt_pairs, self.cmp_pairs = tgt, cmp_pairs
        self.codes = []
        self.keep: dict = {"T": [], "C": []}
        self.E, self.I = {"T": [], "C": []}, {"T": [], "C": []}
        self.onehot = []
        for w in self.windows:
            g = np.full(len(people), -1)
            for v, x in w.values.items():
                if x is not None and w.present[index[v]]:
                    g[index[v]] = code[x]
            self.codes.append(g)
            gu, gv = g[w.u], g[w.v]
            known = (gu >= 0) & (gv >= 0)
            cross = known & (gu != gv)
            su, sv = np.where(known, gu, 0), np.where(known, gv, 0)
            self.keep["T"].append(known & tgt[su, sv])
            self.keep["C"].append(known & cmp_pairs[su, sv])
            # E-I: the targeted groups against the untargeted ones
            tu, tv = in_target[su] & known, in_target[sv] & known
            touches_t = tu | tv
            touches_c = (known & ~in_target[su]) | (known & ~in_target[sv])
            self.E["T"].append(w.matrix(cross & touches_t))
            self.I["T"].append(w.matrix(known & ~cross & tu))
            self.E["C"].append(w.matrix(cross & touches_c))
            self.I["C"].append(w.matrix(known & ~cross & ~tu))
            present = g >= 0
            self.onehot.append(sp.csr_matrix(
                (np.ones(int(present.sum())), (np.flatnonzero(present), g[present])),
                shape=(len(people), n_codes)))
        self.ties_m = {k: [w.matrix(m) for w, m in zip(self.windows, self.keep[k], strict=True)]
                       for k in ("T", "C")}
        # strata: a person's group after (else before), so resamples keep group sizes
        strata = np.where(self.codes[1] >= 0, self.codes[1], self.codes[0])
        self.strata = strata
        self.notes = []
        for w, when in ((0, "before"), (1, "after")):
            missing = [g for g, k in zip(boundary.groups, self.targeted, strict=True)
                       if not (self.codes[w] == k).any()]
            if missing:
                self.notes.append(f"no one is in {', '.join(map(str, missing))} {when} the "
                                  f"date")

    def stats(self, c: np.ndarray) -> dict:
        out = {}
        ct = np.ascontiguousarray(c.T)
        for w in (0, 1):
            C = np.asarray((self.onehot[w].T @ ct).T)  # replicates x groups
            total = C.sum(axis=1)
            all_cross = (total ** 2 - (C ** 2).sum(axis=1)) / 2
            T = C[:, self.targeted]
            pairs_t = (T.sum(axis=1) ** 2 - (T ** 2).sum(axis=1)) / 2
            if self.compared is None:
                pairs_c = all_cross - pairs_t
            else:
                pairs_c = np.einsum("ri,ij,rj->r", C, np.triu(self.cmp_pairs, 1).astype(float), C)
            out[f"pairs_T{w}"], out[f"pairs_C{w}"] = pairs_t, pairs_c
            for k in ("T", "C"):
                out[f"ties_{k}{w}"] = _tie_products(self.ties_m[k][w], ct)
                out[f"E_{k}{w}"] = _tie_products(self.E[k][w], ct)
                out[f"I_{k}{w}"] = _tie_products(self.I[k][w], ct)
        return out

    def describe(self):
        b = self.boundary
        present = {when: {str(g): int((self.codes[w] == k).sum())
                          for g, k in zip(b.groups, self.targeted, strict=True)}
                   for w, when in ((0, "before"), (1, "after"))}
        target = {"kind": "boundary", "attribute": b.attribute, "groups": list(b.groups),
                  "present": present}
        if self.compared is None:
            comparison = {"kind": "boundary", "attribute": b.attribute,
                          "pairs": "every other pair of groups"}
        else:
            comparison = {"kind": "boundary", "attribute": b.attribute, "pairs": self.compared}
        groups = list(map(str, b.groups))
        across = " and ".join([", ".join(groups[:-1]), groups[-1]])
        return target, comparison, f"ties between {across}"

    def reach_sets(self, w):
        g = self.codes[w]
        in_target = np.isin(g, self.targeted)
        # the target: its people, counting the other targeted groups; the comparison: the
        # untargeted groups' people, counting the other untargeted groups
        t_rows = np.flatnonzero(in_target)
        t_group = np.where(in_target, g, -1)
        c_mask = (g >= 0) & ~in_target
        c_rows = np.flatnonzero(c_mask)
        c_group = np.where(c_mask, g, -1)
        return (t_rows, _dense(t_group)), (c_rows, _dense(c_group))


def _dense(group: np.ndarray) -> np.ndarray:
    """Group codes renumbered 0..k-1 (-1, not counted, stays)."""
    used, dense = np.unique(group[group >= 0], return_inverse=True)
    out = np.full(group.shape, -1)
    out[group >= 0] = dense
    return out


class _PeopleDesign(_Design):
    kind = "people"

    def __init__(self, G0, G1, people, target, comparison, by):
        if isinstance(target, str | bytes) or not isinstance(target, Collection):
            raise InvalidParameter("the target is a Boundary or a collection of person ids")
        targeted = set(target)
        if not targeted:
            raise InvalidParameter("the target names no one")
        _attribute_known((G0, G1), by)
        self.by = by
        self.people = people
        index = {v: i for i, v in enumerate(people)}
        self.windows = (_Window(G0, index, by), _Window(G1, index, by))
        n = len(people)
        self.in_t = np.zeros(n, dtype=bool)
        self.in_t[[index[v] for v in targeted if v in index]] = True
        if comparison is None:
            self.in_c = ~self.in_t
            self.compared = None
        else:
            if isinstance(comparison, str | bytes):
                raise InvalidParameter("the comparison is a collection of person ids")
            compared = set(comparison)
            if compared & targeted:
                raise InvalidParameter("the comparison people overlap the target")
            if not compared:
                raise InvalidParameter("the comparison names no one")
            self.in_c = np.zeros(n, dtype=bool)
            self.in_c[[index[v] for v in compared if v in index]] = True
            self.compared = len(compared)
        self.n_targeted = len(targeted)
        self.keep: dict = {"T": [], "C": []}
        self.E, self.I = {"T": [], "C": []}, {"T": [], "C": []}
        names = sorted({x for w in self.windows for x in w.values.values() if x is not None},
                       key=str)
        code = {x: k for k, x in enumerate(names)}
        self.codes = []
        for w in self.windows:
            t = self.in_t & w.present
            cmp = self.in_c & w.present
            self.keep["T"].append(t[w.u] & t[w.v])
            self.keep["C"].append(cmp[w.u] & cmp[w.v])
            g = np.full(n, -1)
            for v, x in w.values.items():
                if x is not None:
                    g[index[v]] = code[x]
            self.codes.append(g)
            gu, gv = g[w.u], g[w.v]
            known = (gu >= 0) & (gv >= 0)
            touch_t = self.in_t[w.u] | self.in_t[w.v]
            touch_c = (self.in_c[w.u] | self.in_c[w.v]) & ~touch_t
            self.E["T"].append(w.matrix(known & touch_t & (gu != gv)))
            self.I["T"].append(w.matrix(known & touch_t & (gu == gv)))
            self.E["C"].append(w.matrix(known & touch_c & (gu != gv)))
            self.I["C"].append(w.matrix(known & touch_c & (gu == gv)))
        self.ties_m = {k: [w.matrix(m) for w, m in zip(self.windows, self.keep[k], strict=True)]
                       for k in ("T", "C")}
        self.strata = np.where(self.in_t, 0, np.where(self.in_c, 1, 2))
        self.notes = []
        for w, when in ((0, "before"), (1, "after")):
            if not (self.in_t & self.windows[w].present).any():
                self.notes.append(f"none of the targeted people is in the network {when} the "
                                  f"date")
            elif (self.in_t & self.windows[w].present).sum() < 2:
                self.notes.append(f"only one of the targeted people is in the network {when} "
                                  f"the date")

    def stats(self, c: np.ndarray) -> dict:
        out = {}
        ct = np.ascontiguousarray(c.T)
        for w in (0, 1):
            present = self.windows[w].present
            for k, mask in (("T", self.in_t), ("C", self.in_c)):
                x = c[:, mask & present]
                out[f"pairs_{k}{w}"] = (x.sum(axis=1) ** 2 - (x ** 2).sum(axis=1)) / 2
                out[f"ties_{k}{w}"] = _tie_products(self.ties_m[k][w], ct)
                out[f"E_{k}{w}"] = _tie_products(self.E[k][w], ct)
                out[f"I_{k}{w}"] = _tie_products(self.I[k][w], ct)
        return out

    def describe(self):
        present = {when: int((self.in_t & self.windows[w].present).sum())
                   for w, when in ((0, "before"), (1, "after"))}
        target = {"kind": "people", "people": self.n_targeted, "present": present,
                  "by": self.by}
        c_present = {when: int((self.in_c & self.windows[w].present).sum())
                     for w, when in ((0, "before"), (1, "after"))}
        comparison = {"kind": "people", "people": "everyone not targeted"
                      if self.compared is None else self.compared, "present": c_present}
        return target, comparison, f"ties among the {self.n_targeted} targeted people"

    def reach_sets(self, w):
        g = self.codes[w]
        present = self.windows[w].present & (g >= 0)
        group = np.where(present, g, -1)
        t_rows = np.flatnonzero(self.in_t & present)
        c_rows = np.flatnonzero(self.in_c & present)
        return (t_rows, _dense(group)), (c_rows, _dense(group))
