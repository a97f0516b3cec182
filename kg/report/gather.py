"""Every analysis the board report reads, for one period, from the service layer's cache.

:func:`gather` resolves the period once (:func:`kg.queries.snapshot.current_period`: by default
the partnership as it is now) and passes it to every call of :mod:`kg.queries.analyses`, so each
figure in the report describes the same people over the same dates. A finding that cannot be
computed becomes a note, not a crash.
"""

from __future__ import annotations

from datetime import date, timedelta

import networkx as nx

from kg.errors import AnalysisError, CarebridgeError
from kg.model import NodeLabel, RelType
from kg.queries import analyses, decisions, impact
from kg.queries.snapshot import current_period, load_snapshot, phases
from kg.report.question import ReportQuestion
from kg.report.wording import group_label, join, with_article
from kg.store.base import GraphStore

__all__ = [
    "BRIDGES_TOP",
    "CHANGE_TOP",
    "EI_MOVE",
    "PERMUTATIONS",
    "RISK_TOP",
    "gather",
]

#: How many top brokers the change between periods compares (as ``kg analyse change``).
CHANGE_TOP = 20
#: An E-I move smaller than this is "little change", not a silo hardening or softening.
EI_MOVE = 0.05
#: Key people removed together in the risk finding (as ``kg analyse all``).
RISK_TOP = 10
#: Brokers shown in the bridges finding and chart.
BRIDGES_TOP = 10
#: Interventions the "what worked" finding measures (the most recent).
WORKED_TOP = 4
#: Introductions computed for the "who to introduce" finding.
INTRODUCTIONS_TOP = 5
PERMUTATIONS = 999


def _summary(store: GraphStore, G: nx.Graph, period, net: dict) -> dict:
    """The partnership in numbers for the period: the store's records, and what the period's
    snapshot and network hold."""
    counts = store.counts()
    snap = load_snapshot(store, **net)
    teams = {r.source for r in snap.rels(RelType.PART_OF)}
    orgs = snap.nodes.get(NodeLabel.ORGANISATION, {})
    sectors = sorted({p.get("sector") for p in orgs.values() if p.get("sector")})
    assets = {r.target for t in (RelType.AUTHORED, RelType.USES) for r in snap.rels(t)}
    return {
        "people": int(counts["nodes"].get(NodeLabel.PERSON, 0)),
        "people_in_network": G.number_of_nodes(),
        "in_post": sum(1 for _, p in G.nodes(data="in_post") if p),
        "links_in_network": G.number_of_edges(),
        "organisations": len([o for o in orgs if o not in teams]),
        "teams": len(teams & set(orgs)),
        "sectors": sectors,
        "forums": len({r.target for r in snap.rels(RelType.ATTENDS)}),
        "assets": len(assets),
        "ties": len(snap.rels(RelType.TIE)),
        "revision": store.revision(),
        "period": period.as_dict(),
        "phases": phases(store),
    }


def _people(G: nx.Graph) -> dict:
    """Each person's name, main role and organisation, and the description the pseudonymised
    report shows instead of the name."""
    out = {}
    for v, a in G.nodes(data=True):
        role = (a.get("roles") or [None])[-1]
        org = a.get("organisation_name") or a.get("organisation")
        what = with_article(role[:1].lower() + role[1:]) if role else "a member of staff"
        out[v] = {
            "name": a.get("name"),
            "role": role,
            "organisation": org,
            "team": a.get("team_name"),
            "in_post": a.get("in_post", True),
            "description": f"{what} at {org}" if org else what,
        }
    return out


def _change_periods(store: GraphStore, period) -> tuple[list[dict], tuple | None, str | None]:
    """The phases to chart and the two periods the change finding compares.

    The change is the step *into* the report's period: from the phase before it (or, for a
    window, the window of the same length just before); for the whole history, from the first
    phase to the last.
    """
    found = phases(store)
    if period.phase:
        ids = [p["id"] for p in found]
        at = ids.index(period.phase) if period.phase in ids else len(ids) - 1
        shown = found[: at + 1]
        if at < 1:
            return shown, None, "the report's period is the first phase: nothing before it"
        # A phase cut at the as-of date is compared as that window: nothing after "now".
        cut = str(found[at]["end"] or "") != (period.end.isoformat() if period.end else "")
        to = _span(period.start, period.end) if cut and period.start and period.end else \
            found[at]["id"]
        return shown, (found[at - 1]["id"], to), None
    if period.rule == "whole history":
        if len(found) < 2:
            return found, None, ("the store has " + ("no named phases" if not found else
                                 "only one phase") + ", so there is nothing to compare (add "
                                 "phases.csv to the bundle)")
        return found, (found[0]["id"], found[-1]["id"]), None
    if period.start and period.end:
        before_end = period.start - timedelta(days=1)
        before_start = before_end - (period.end - period.start)
        return ([p for p in found if str(p["start"] or "") <= period.end.isoformat()],
                (_span(before_start, before_end), _span(period.start, period.end)), None)
    return found, None, "the period has no start, so there is no period before it to compare"


def _impacts(store: GraphStore, period, by: str, seed: int) -> list[dict]:
    """The effect of each intervention dated up to the period's end, most recent first."""
    listed = impact.interventions(store)["interventions"]
    end = period.in_post_on.isoformat() if period.in_post_on else None
    dated = [i for i in listed if end is None or str(i["date"]) <= end]
    return [impact.impact(store, i["id"], by=by, seed=seed)
            for i in reversed(dated[-WORKED_TOP:])]


def _top(result: dict, k: int) -> dict:
    return result | {"brokers": result["brokers"][:k]}


def _span(a: date, b: date) -> str:
    return f"{a.isoformat()}:{b.isoformat()}"


def gather(store: GraphStore, question: ReportQuestion) -> dict:
    """Every analysis result the findings and the report read, for one period.

    Parameters
    ----------
    store : GraphStore
    question : ReportQuestion
        The grouping, the two groups to bridge, the period, the seed and whether the report is
        pseudonymised (people described, not named; figures about fewer than
        :data:`kg.report.wording.MIN_GROUP` people withheld).

    Returns
    -------
    dict
        ``question``, ``summary``, ``parameters`` (the question with the resolved ``period``
        and the fixed settings, JSON-ready), ``names`` (organisations and teams, forums),
        ``people`` (names and role descriptions), ``graph`` (the period's person network, not
        JSON), one entry per analysis (``silos``, ``brokers``, ``communities``, ``risk``,
        ``hybrids``, ``assets``, ``change``) each None when it could not be computed,
        ``phase_silos`` (E-I per phase, for the chart) and ``notes`` saying what is missing.

    Raises
    ------
    AnalysisError
        The period's network holds no people, or no links between them.
    InvalidParameter, NotFound
        A malformed window or date, or an unknown phase.
    """
    by, between, seed = question.by, question.between, question.seed
    net = question.period
    period = current_period(store, **net)
    G = analyses.person_graph(store, **net)
    if G.number_of_nodes() == 0:
        raise AnalysisError(
            "nothing to analyse: the store holds no people "
            + ("yet; import a partnership first (kg ingest FOLDER, or kg demo)"
               if not store.counts()["nodes"].get(NodeLabel.PERSON) else
               f"active in {period.label}; choose another period (--window, --phase)")
        )
    if G.number_of_edges() == 0:
        raise AnalysisError(
            f"nothing to analyse: the {G.number_of_nodes():,} people in {period.label} share no "
            "ties, forums or knowledge assets"
        )
    key = analyses.net_key(**net)
    notes: list[str] = []
    out: dict = {
        "question": question,
        "graph": G,
        "summary": _summary(store, G, period, net),
        "parameters": {
            "by": by, "between": list(between) or None, "seed": seed,
            **net, "period": period.as_dict(),
            "layers": list(key[3]), "min_weight": key[4],
            "permutations": PERMUTATIONS, "risk_top": RISK_TOP, "change_top": CHANGE_TOP,
            "revision": store.revision(), "pseudonymise": question.pseudonymise,
        },
        "names": {
            "groups": analyses.names_of(store, NodeLabel.ORGANISATION),
            "forums": analyses.names_of(store, NodeLabel.FORUM),
        },
        "people": _people(G),
        "notes": notes,
    }

    def attempt(topic: str, compute):
        # Domain errors (a grouping no one carries, an empty group) become a note, not a crash.
        try:
            return compute()
        except CarebridgeError as exc:
            notes.append(f"{topic}: not computed ({exc})")
            return None

    out["silos"] = attempt("silos", lambda: analyses.silos(
        store, by=by, n_permutations=PERMUTATIONS, seed=seed, **net))
    present = {a for _, a in G.nodes(data=by) if a is not None}
    missing = [g for g in between if g not in present]
    if not between:
        out["brokers"] = None
        notes.append("bridges: no pair of groups was given, so no bridges were ranked")
    elif missing:
        out["brokers"] = None
        known = ", ".join(group_label(by, g, out["names"]["groups"])
                          for g in sorted(present, key=str)) or "none"
        notes.append(
            f"bridges: no one in the network has {by} {join(map(repr, missing))}, so the "
            f"bridges between {between[0]} and {between[1]} were not ranked (groups present: "
            f"{known})"
        )
    else:
        # The whole ranking, as the bridges map asks for it: one cached computation for both.
        out["brokers"] = attempt("bridges", lambda: _top(analyses.brokers(
            store, by=by, between=between, top=None, seed=seed, **net), BRIDGES_TOP))
    out["communities"] = attempt("communities", lambda: analyses.communities(
        store, seed=seed, **net))
    out["risk"] = attempt("key-person risk", lambda: analyses.risk(
        store, by=by, top=RISK_TOP, seed=seed, **net))
    out["hybrids"] = attempt("hybrids", lambda: analyses.hybrids(store, seed=seed, **net))
    out["assets"] = attempt("knowledge assets", lambda: analyses.assets(store, **net))
    out["impact"] = attempt("what worked", lambda: _impacts(store, period, by, seed))
    out["introductions"] = None
    if between and out["brokers"]:
        out["introductions"] = attempt("who to introduce", lambda: decisions.introductions(
            store, by=by, between=between, top=INTRODUCTIONS_TOP, seed=seed, **net))

    shown, pair, why = _change_periods(store, period)
    out["change"] = None
    if pair is None:
        notes.append(f"change: {why}")
    else:
        out["change"] = attempt("change", lambda: analyses.change(
            store, from_=pair[0], to=pair[1], by=by, top=CHANGE_TOP, seed=seed))
        if out["change"]:
            # Brokers lost may have left before the period: describe them from the period
            # they were in (the cached network of the "from" side).
            before = (out["change"].get("periods") or {}).get("from") or {}
            side = ({"phase": before["phase"]} if before.get("phase") else
                    {"window": f"{before.get('start') or ''}:{before.get('end') or ''}"})
            out["people"] = _people(analyses.person_graph(store, **side)) | out["people"]
    # E-I of each group in each phase up to the period, for the chart: the cached silos answer
    # of each phase (the same figures ``kg analyse silos --phase`` gives).
    series = []
    for p in shown if len(shown) > 1 else []:
        result = None
        if p["id"] == period.phase:
            result = out["silos"]  # the period itself: the figures of the silos section
        elif analyses.person_graph(store, phase=p["id"]).number_of_edges():
            result = attempt(f"silos in {p['id']}", lambda p=p: analyses.silos(
                store, by=by, n_permutations=PERMUTATIONS, seed=seed, phase=p["id"]))
        groups = (result or {}).get("groups", [])
        series.append({"phase": p, "ei": {r["group"]: r["ei_index"] for r in groups},
                       "size": {r["group"]: r["size"] for r in groups}})
    out["phase_silos"] = series or None
    return out
