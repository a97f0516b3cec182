"""Three questions for decisions, as JSON-ready dicts: whom to introduce, which way brokerage
runs through the hierarchy, and the whole network at a glance.

Like :mod:`kg.queries.analyses` (whose options, period rule and caches these share), both
``kg analyse introductions|direction|profile`` and the HTTP API (``/analysis/introductions``,
``/analysis/direction``, ``/analysis/profile``) call these. Every answer carries
``parameters.period``; rankings name only people in post at the end of the period (all
people, each flagged ``in_post``, for the whole history).

- :func:`introductions` -- :func:`kg.analysis.introductions.suggest_introductions` on the
  period's person network, forums from the period's attendance. People who have left and
  people in ``exclude`` (those who opted out: ``kg.survey.opted_out(...)``) are never proposed
  nor named as introducers; they stay in the network.
- :func:`brokerage_direction` -- :func:`kg.analysis.brokerage_direction.compare_direction` on
  the period's directed tie network.
- :func:`profile` -- :func:`kg.analysis.profile.network_profile` for the period (and per group
  with ``by``); with ``per_phase=True`` the same for every phase and the change between
  consecutive phases.
"""

from __future__ import annotations

from collections.abc import Iterable

from kg.analysis.brokerage_direction import brokerage_direction as direction_counts
from kg.analysis.brokerage_direction import compare_direction
from kg.analysis.introductions import suggest_introductions
from kg.analysis.profile import MEASURES, network_profile, profile_groups
from kg.config import get_settings
from kg.errors import InvalidParameter
from kg.model import NodeLabel, RelType
from kg.queries.analyses import (
    answer_parameters,
    check_between,
    check_by,
    check_top,
    exact_max_nodes,
    left_out_of,
    may_be_named,
    named,
    names_of,
    person_graph,
    tie_graph,
)
from kg.queries.networks import Network
from kg.queries.snapshot import cached, current_period, load_snapshot, phases
from kg.survey.store import opted_out

__all__ = ["brokerage_direction", "introductions", "profile"]


def _forums(store, period: dict, people) -> dict:
    """Forum id -> the people of the network attending it in the period."""
    snap = load_snapshot(store, **period)
    out: dict = {}
    for r in snap.rels(RelType.ATTENDS):
        if r.source in people:
            out.setdefault(r.target, set()).add(r.source)
    return out


def introductions(
    store, *, by, between=None, within=None, top=10, seed=0, window=None, phase=None,
    as_of=None, layers=None, min_weight=0.05, exclude: Iterable[str] | None = None,
    closure_only=False,
) -> dict:
    """Whom to introduce across a boundary (``between``: two groups of ``by``) or out of a silo
    (``within``: one group and everyone outside it); see
    :func:`kg.analysis.introductions.suggest_introductions` for the rows and the gain."""
    if by is None:
        raise InvalidParameter("give a grouping (by), e.g. by sector, between acute community")
    check_by(by)
    check_top(top)
    between = check_between(by, between)
    if (between is None) == (within is None):
        raise InvalidParameter("give either between (two groups) or within (one group)")
    if isinstance(exclude, str):
        raise InvalidParameter("exclude must be a collection of person ids")
    # Anyone who opted out of a survey is never proposed (and the cache key says who that is).
    exclude = tuple(sorted(set(exclude or ()) | opted_out(get_settings().data_dir)))
    net = Network.of(window=window, phase=phase, layers=layers, min_weight=min_weight,
                     as_of=as_of)

    def compute():
        G = person_graph(store, **net.options)
        when = current_period(store, **net.period)
        eligible = may_be_named(store, G, **net.period)
        left = set() if eligible is None else set(G) - set(eligible)
        result = suggest_introductions(
            G, by, between=between, within=within, top=top, exclude=left | set(exclude),
            forums=_forums(store, net.period, set(G)), seed=seed, closure_only=closure_only)
        names = names_of(store, NodeLabel.FORUM)
        for row in result["introductions"]:
            for f in row["via"]["forums"]:
                f["name"] = names.get(f["id"])
            if when.names_leavers:
                row["in_post_a"] = bool(G.nodes[row["id_a"]].get("in_post", True))
                row["in_post_b"] = bool(G.nodes[row["id_b"]].get("in_post", True))
        present = [v for v in exclude if v in G]
        result["excluded_detail"] = {"left": len(left), "opted_out": len(present)}
        result["left_out"] = left_out_of(G)
        result["parameters"] = answer_parameters(
            store, net, by=by, between=list(between) if between else None, within=within,
            top=top, seed=seed, closure_only=closure_only, excluded_people=len(exclude))
        return result

    return cached(store, "introductions", (by, between, within, top, seed, exclude,
                                           closure_only) + net.key, compute)


def brokerage_direction(
    store, *, top=20, seed=0, window=None, phase=None, as_of=None, layers=None,
    min_weight=0.05,
) -> dict:
    """Which way each person's brokerage runs (up, down, across levels; within or between
    professions) on the period's directed ties, and do hybrid middle managers broker upward as
    well as downward? ``layers``, ``min_weight`` and ``seed`` are accepted for a uniform call
    and do not change the answer (direct ties only, no random step)."""
    check_top(top)
    period = Network.of(window=window, phase=phase, as_of=as_of).period

    def compute():
        D = tie_graph(store, **period)
        counts = direction_counts(D)
        result = compare_direction(D, counts)
        everyone = result["people"]
        result["people"] = named(store, D, everyone, top, **period)
        result["hybrids"] = named(store, D, [r for r in everyone if r["hybrid"]], None,
                                  **period)
        result["network"] = "directed ties (ties.csv), source -> target"
        result["parameters"] = answer_parameters(store, top=top, layers=("ties",), **period)
        return result

    return cached(store, "brokerage_direction", (top, *period.values()), compute)


def _profile_of(store, *, by, key_players, seed, window, phase, as_of, layers, min_weight
                ) -> dict:
    """One period's profile (whole network and, with ``by``, per group), people named."""
    G = person_graph(store, window=window, phase=phase, as_of=as_of, layers=layers,
                     min_weight=min_weight)
    D = tie_graph(store, window=window, phase=phase, as_of=as_of)
    when = current_period(store, window, phase, as_of)
    nameable = may_be_named(store, G, window=window, phase=phase, as_of=as_of)
    eligible = set(G) if nameable is None else set(nameable)
    limit = exact_max_nodes()
    whole = network_profile(G, D, key_player_count=key_players, eligible=eligible,
                            exact_max_nodes=limit, seed=seed)

    def person(v):
        return {"id": v, "name": G.nodes[v].get("name"),
                "in_post": bool(G.nodes[v].get("in_post", True))}

    kp = whole.get("key_players")
    if kp:
        kp["set"] = [person(v) for v in kp["set"]]
        kp["one_at_a_time"]["set"] = [person(v) for v in kp["one_at_a_time"]["set"]]
    cp = whole["core_periphery"]
    core = cp.pop("core")
    cp["core"] = [person(v) for v in core if v in eligible]
    cp["core_not_named"] = len(core) - len(cp["core"])  # left by the end of the period
    groups = None
    if by:
        groups = profile_groups(G, by, D, exact_max_nodes=limit, seed=seed)
        for g in groups:
            g["core_periphery"].pop("core", None)  # sizes and fit only: members are long
    return {"period": when.as_dict(), "profile": whole, "groups": groups,
            "left_out": left_out_of(G)}


def _changes(before: dict, after: dict) -> list[dict]:
    rows = []
    for m in MEASURES:
        a, b = before.get(m), after.get(m)
        change = b - a if isinstance(a, int | float) and isinstance(b, int | float) else None
        rows.append({"measure": m, "before": a, "after": b, "change": change})
    return rows


def profile(
    store, *, by=None, per_phase=False, key_players=5, seed=0, window=None, phase=None,
    as_of=None, layers=None, min_weight=0.05,
) -> dict:
    """The network at a glance for the period (``profile``; per group of ``by`` in
    ``groups``); with ``per_phase`` also every phase (``phases``) and the change of each
    measure between consecutive phases (``changes``, per group too)."""
    check_by(by)
    if isinstance(key_players, bool) or not isinstance(key_players, int) or not (
            0 <= key_players <= 100):
        raise InvalidParameter("key_players must be an integer from 0 to 100")
    if not isinstance(per_phase, bool):
        raise InvalidParameter("per_phase must be true or false")
    net = Network.of(window=window, phase=phase, layers=layers, min_weight=min_weight,
                     as_of=as_of)
    options = dict(by=by, key_players=key_players, seed=seed, layers=net.layers,
                   min_weight=net.min_weight)

    def compute():
        now = _profile_of(store, **net.period, **options)
        result = {"profile": now["profile"], "groups": now["groups"],
                  "phases": None, "changes": None, "measures": list(MEASURES),
                  "left_out": now["left_out"]}
        if per_phase:
            known = phases(store)
            if not known:
                raise InvalidParameter("the store has no phases: --per-phase needs phases.csv")
            each = []
            for p in known:
                one = _profile_of(store, window=None, phase=p["id"], as_of=None, **options)
                each.append({"phase": p["id"], "name": p["name"], **one})
            result["phases"] = each
            result["changes"] = []
            for first, second in zip(each, each[1:], strict=False):
                change = {"from": first["phase"], "to": second["phase"],
                          "measures": _changes(first["profile"], second["profile"])}
                if by:
                    earlier = {g["group"]: g for g in first["groups"]}
                    change["groups"] = [
                        {"group": g["group"], "measures": _changes(earlier[g["group"]], g)}
                        for g in second["groups"] if g["group"] in earlier]
                result["changes"].append(change)
        result["parameters"] = answer_parameters(store, net, by=by, per_phase=per_phase,
                                                 key_players=key_players, seed=seed)
        return result

    return cached(store, "profile", (by, per_phase, key_players, seed) + net.key, compute)
