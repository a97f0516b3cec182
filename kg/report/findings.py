"""The board's headline findings, in plain words, from the cached analyses.

:func:`gather` runs (or reads from the revision cache) every analysis the report needs;
:func:`build_findings` turns them into a short list of findings, each ``{"topic", "headline",
"detail", "figures"}``, JSON-ready. Every number in a headline is also in ``figures``, so a reader
(or a test) can check the words against the data.

Topics, in the order a board reads them: ``silos``, ``bridges``, ``key_person_risk``,
``hybrids``, ``communities``, ``change``, ``assets``. A finding that cannot be made (the two
groups to bridge are absent, the store has no phases, no one holds a hybrid role) is left out and
a plain-words note says why.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import networkx as nx

from kg.errors import AnalysisError, CarebridgeError, InvalidParameter
from kg.model import NodeLabel, RelType
from kg.queries import analyses
from kg.queries.snapshot import load_snapshot, phases
from kg.store.base import GraphStore

__all__ = [
    "SECTOR_NAMES",
    "build_findings",
    "fmt_p",
    "gather",
    "group_label",
    "signed",
]

#: Sector -> (short label, what "inside it" reads as in a sentence).
SECTOR_NAMES = {
    "acute": ("Acute", "acute care"),
    "community": ("Community health", "community health services"),
    "mental_health": ("Mental health", "mental health services"),
    "primary_care": ("Primary care", "primary care"),
    "social_care": ("Social care", "social care"),
    "voluntary": ("Voluntary sector", "the voluntary sector"),
    "commissioner": ("Commissioning", "commissioning"),
    "other": ("Other", "other services"),
}

KIND_NAMES = {
    "community_of_practice": ("community of practice", "communities of practice"),
    "organisational_cluster": ("organisational cluster", "organisational clusters"),
    "cross_boundary_network": ("cross-boundary network", "cross-boundary networks"),
}

#: How many top brokers the change between periods compares (as ``kg analyse change``).
CHANGE_TOP = 20
#: An E-I move smaller than this is "little change", not a silo hardening or softening.
EI_MOVE = 0.05
#: Key people removed together in the risk finding (as ``kg analyse all``).
RISK_TOP = 10
#: Brokers shown in the bridges finding and chart.
BRIDGES_TOP = 10
PERMUTATIONS = 999


# -- words and numbers ------------------------------------------------------------------------


def signed(x: float | None, digits: int = 2) -> str:
    """``-0.38`` as ``−0.38`` (a true minus sign), ``0.2`` as ``+0.20``; None as ``n/a``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    text = f"{x:+.{digits}f}"
    if float(text) == 0:
        return f"{0:.{digits}f}"
    return text.replace("-", "\u2212")


def fmt_p(p: float | None, permutations: int | None = None) -> str:
    """A p-value in words: ``p ≤ 0.001`` at the floor of a permutation test, ``p < 0.001``."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "p n/a"
    if permutations:
        floor = 1 / (permutations + 1)
        if p <= floor * (1 + 1e-9):
            # A permutation test cannot give less than 1/(m+1); say so rather than "< 0.001".
            return f"p \u2264 {floor:.2g}"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0%}"


def _share(x: float | None) -> str:
    """A share that may be small: ``3.1%`` below 9.5 %, else ``11%``."""
    if x is None:
        return "n/a"
    return f"{x:.1%}" if x < 0.095 else f"{x:.0%}"


def _score(x: float | None) -> str:
    """A betweenness: three decimals, or two significant digits when it is tiny."""
    if x is None:
        return "n/a"
    return f"{x:.3f}" if abs(x) >= 0.01 or x == 0 else f"{x:.2g}"


def _names_list(rows: list[dict], limit: int = 6) -> str:
    shown = [x["name"] or x["id"] for x in rows[:limit]]
    if len(rows) > limit:
        shown.append(f"{len(rows) - limit} more")
    return _join(shown)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _how_many(part: int, whole: int) -> str:
    """``2, 2`` -> "both", ``0, 3`` -> "none", ``3, 3`` -> "all", else the number."""
    if part == 0:
        return "none"
    if part == whole:
        return "both" if whole == 2 else ("it" if whole == 1 else "all")
    return str(part)


def _join(items: Sequence[str]) -> str:
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _years(start, end) -> str:
    a, b = str(start or "")[:4], str(end or "")[:4]
    if a and b and a != b:
        return f"{a}\u2013{b}"
    return a or b


def group_label(by: str, value, names: dict | None = None) -> str:
    """A group's display name: sector words, organisation or team name, readable values."""
    if value is None:
        return "(unknown)"
    if by == "sector":
        return SECTOR_NAMES.get(value, (str(value).replace("_", " ").capitalize(),))[0]
    if by in ("organisation", "team"):
        return (names or {}).get(value) or str(value)
    if by == "hybrid":
        return "Hybrid clinical\u2013managerial" if value else "Not hybrid"
    return str(value).replace("_", " ").capitalize()


def _groups_word(by: str) -> str:
    return {"hybrid": "groups", "role_kind": "role kinds"}.get(by, f"{by}s")


def _in_sentence(by: str, value, names: dict | None = None) -> str:
    """A group's name in the middle of a sentence: "acute care", "Westbridge Council"."""
    if by == "sector" and value in SECTOR_NAMES:
        inside = SECTOR_NAMES[value][1]
        return inside.removeprefix("the ")
    return group_label(by, value, names)


def _silo_sentence(by: str, row: dict, names: dict, permutations: int) -> str:
    share = row["internal"] / (row["internal"] + row["external"])
    tail = f"(E\u2013I {signed(row['ei_index'])}, {fmt_p(row['p_value'], permutations)})"
    value = row["group"]
    if by == "sector":
        short, inside = SECTOR_NAMES.get(value, (group_label(by, value), "their sector"))
        return f"{short} staff keep {share:.0%} of their ties inside {inside} {tail}"
    if by in ("organisation", "team"):
        return (f"Staff of {group_label(by, value, names)} keep {share:.0%} of their ties "
                f"inside the {by} {tail}")
    return (f"The {group_label(by, value, names)} group ({by.replace('_', ' ')}) keeps "
            f"{share:.0%} of its ties inside the group {tail}")


# -- gathering the analyses -------------------------------------------------------------------


def _names(store: GraphStore, label: NodeLabel, field: str = "name") -> dict:
    return {n.id: n.props.get(field) for n in store.find_nodes(label)}


def _summary(store: GraphStore, G: nx.Graph) -> dict:
    counts = store.counts()
    nodes, rels = counts["nodes"], counts["relationships"]
    snap = load_snapshot(store)
    teams = {r.source for r in snap.rels(RelType.PART_OF)}
    orgs = snap.nodes.get(NodeLabel.ORGANISATION, {})
    starts: list[date] = []
    ends: list[date] = []
    for rel_list in snap.relationships.values():
        for r in rel_list:
            if r.start:
                starts.append(r.start)
            if r.end or r.start:
                ends.append(r.end or r.start)
    sectors = sorted({p.get("sector") for p in orgs.values() if p.get("sector")})
    return {
        "people": int(nodes.get(NodeLabel.PERSON, 0)),
        "people_in_network": G.number_of_nodes(),
        "links_in_network": G.number_of_edges(),
        "organisations": len([o for o in orgs if o not in teams]),
        "teams": len(teams & set(orgs)),
        "sectors": sectors,
        "forums": int(nodes.get(NodeLabel.FORUM, 0)),
        "assets": int(nodes.get(NodeLabel.ASSET, 0)),
        "ties": int(rels.get(RelType.TIE, 0)),
        "revision": store.revision(),
        "period": {
            "start": min(starts).isoformat() if starts else None,
            "end": max(ends).isoformat() if ends else None,
        },
        "phases": phases(store),
    }


def gather(
    store: GraphStore, *, by: str = "sector", between=("acute", "community"), seed: int = 0
) -> dict:
    """Every analysis result the findings and the report read, computed once per revision.

    Parameters
    ----------
    store : GraphStore
    by : str, default "sector"
        Grouping for silos, bridges and key-person risk.
    between : (str, str), default ("acute", "community")
        The two groups of ``by`` whose bridges are ranked.
    seed : int, default 0
        Seed of every random step.

    Returns
    -------
    dict
        ``summary``, ``parameters``, ``names`` (organisations and teams, forums), ``graph``
        (the person network, not JSON), and one entry per analysis (``silos``, ``brokers``,
        ``communities``, ``risk``, ``hybrids``, ``assets``, ``phase_silos``, ``steps``,
        ``change``), each None when it could not be computed, with ``notes`` saying why.

    Raises
    ------
    AnalysisError
        When the store holds no people, or they have no links at all: nothing to analyse.
    InvalidParameter
        For an unknown grouping or a malformed ``between``.
    """
    analyses.check_by(by)
    between = tuple(between) if between else ()
    if between and (len(between) != 2 or between[0] == between[1]):
        raise InvalidParameter("give two different groups to bridge, e.g. acute community")
    G = analyses.person_graph(store)
    if G.number_of_nodes() == 0:
        raise AnalysisError(
            "nothing to analyse: the store holds no people yet; import a partnership first "
            "(kg ingest FOLDER, or kg demo)"
        )
    if G.number_of_edges() == 0:
        raise AnalysisError(
            f"nothing to analyse: the {G.number_of_nodes():,} people in the store share no ties, "
            "forums or knowledge assets"
        )
    notes: list[str] = []
    out: dict = {
        "graph": G,
        "summary": _summary(store, G),
        "parameters": {
            "by": by, "between": list(between) or None, "seed": seed,
            "layers": list(analyses.net_key()[2]), "min_weight": analyses.net_key()[3],
            "permutations": PERMUTATIONS, "risk_top": RISK_TOP, "change_top": CHANGE_TOP,
            "revision": store.revision(),
        },
        "names": {
            "groups": _names(store, NodeLabel.ORGANISATION),
            "forums": _names(store, NodeLabel.FORUM),
        },
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
        store, by=by, permutations=PERMUTATIONS, seed=seed))
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
            f"bridges: no one in the network has {by} {_join(map(repr, missing))}, so the "
            f"bridges between {between[0]} and {between[1]} were not ranked (groups present: "
            f"{known})"
        )
    else:
        out["brokers"] = attempt("bridges", lambda: analyses.brokers(
            store, by=by, between=between, top=BRIDGES_TOP, seed=seed))
    out["communities"] = attempt("communities", lambda: analyses.communities(store, seed=seed))
    out["risk"] = attempt("key-person risk", lambda: analyses.risk(
        store, by=by, top=RISK_TOP, seed=seed))
    out["hybrids"] = attempt("hybrids", lambda: analyses.hybrids(store, seed=seed))
    out["assets"] = attempt("knowledge assets", lambda: analyses.assets(store))
    out.update(_phase_analyses(store, by=by, seed=seed, attempt=attempt, notes=notes))
    return out


def _phase_analyses(store, *, by, seed, attempt, notes) -> dict:
    """E-I per phase, the brokers gained and lost at each step, and first vs last phase."""
    found = phases(store)
    if len(found) < 2:
        notes.append(
            "change: the store has "
            + ("no named phases" if not found else "only one phase")
            + ", so there is nothing to compare (add phases.csv to the bundle)"
        )
        return {"phase_silos": None, "steps": None, "change": None}
    per_phase = []
    for p in found:
        G = analyses.person_graph(store, phase=p["id"])
        result = None
        if G.number_of_edges():
            result = attempt(f"silos in {p['id']}", lambda p=p: analyses.silos(
                store, by=by, permutations=PERMUTATIONS, seed=seed, phase=p["id"]))
        bet = analyses.betweenness_of(store, seed=seed, phase=p["id"]) if len(G) else {}
        # The same ranking compare_periods uses: betweenness, then id.
        top = sorted(bet, key=lambda v, bet=bet: (-bet[v], str(v)))[:CHANGE_TOP]
        per_phase.append({
            "phase": p, "people": set(G), "top": top, "names": dict(G.nodes(data="name")),
            "ei": {r["group"]: r["ei_index"] for r in (result or {}).get("groups", [])},
        })
    steps = [_compare(a, b) for a, b in zip(per_phase, per_phase[1:], strict=False)]
    # First against last phase from the same cached pieces: the brokers and E-I indices equal
    # what ``analyses.change`` reports (same betweenness ranking, same E-I), without computing
    # both networks' betweenness a second time.
    change = _compare(per_phase[0], per_phase[-1]) if len(per_phase) > 2 else steps[0]
    phase_silos = [{"phase": x["phase"], "ei": x["ei"]} for x in per_phase]
    return {"phase_silos": phase_silos, "steps": steps, "change": change}


def _compare(a: dict, b: dict) -> dict:
    """How silos and the top brokers moved from period ``a`` to period ``b``."""
    top_b = set(b["top"])
    top_a = set(a["top"])
    lost = [v for v in a["top"] if v not in top_b]
    moves = []
    for g in sorted(set(a["ei"]) & set(b["ei"]), key=str):
        x, y = a["ei"][g], b["ei"][g]
        if x is not None and y is not None:
            moves.append({"group": g, "ei_before": x, "ei_after": y, "change": y - x})
    return {
        "from": a["phase"], "to": b["phase"],
        "lost": [{"id": v, "name": a["names"].get(v)} for v in lost],
        "lost_who_left": [{"id": v, "name": a["names"].get(v)} for v in lost
                          if v not in b["people"]],
        "gained": [{"id": v, "name": b["names"].get(v)} for v in b["top"] if v not in top_a],
        "silos": moves,
        "hardened": [m["group"] for m in moves if m["change"] <= -EI_MOVE],
        "softened": [m["group"] for m in moves if m["change"] >= EI_MOVE],
        "people": {"before": len(a["people"]), "after": len(b["people"]),
                   "left": len(a["people"] - b["people"]),
                   "joined": len(b["people"] - a["people"]),
                   "stayed": len(a["people"] & b["people"])},
    }


# -- the findings -----------------------------------------------------------------------------


def build_findings(data: dict) -> dict:
    """Turn :func:`gather`'s results into the findings document (JSON-ready).

    Returns
    -------
    dict
        ``{"partnership": summary, "parameters": {...}, "findings": [{"topic", "headline",
        "detail", "figures"}], "notes": [str]}``.
    """
    notes = list(data["notes"])
    items = []
    for make in (_silos, _bridges, _risk, _hybrids, _communities, _change, _assets):
        item = make(data, notes)
        if item is not None:
            items.append(item)
    if not items:
        raise AnalysisError("nothing to report: no analysis could be computed; "
                            + "; ".join(notes))
    return {
        "partnership": data["summary"],
        "parameters": data["parameters"],
        "findings": items,
        "notes": notes,
    }


def _silos(data: dict, notes: list) -> dict | None:
    result = data["silos"]
    if not result:
        return None
    by = data["parameters"]["by"]
    names = data["names"]["groups"]
    rows = [r for r in result["groups"] if r["ei_index"] is not None]
    if not rows:
        notes.append(f"silos: no {by} has any tie, so no E\u2013I index could be computed")
        return None
    closed = [r for r in rows if r["ei_index"] < 0][:3]
    shown = closed or rows[:1]
    sentences = [_silo_sentence(by, r, names, PERMUTATIONS) for r in shown]
    if closed:
        headline = sentences[0] + "."
        rest = sentences[1:]
        detail = ("Next most closed: " + "; ".join(rest) + ". ") if rest else ""
    else:
        headline = (f"No {by.replace('_', ' ')} is a silo: every one has more ties outside "
                    f"than inside. The most closed: " + sentences[0] + ".")
        detail = ""
    first = shown[0]
    if first.get("expected_ei") is not None:
        # The permutation mean: the same people and ties, group labels shuffled.
        detail += (
            f"Had ties ignored {by.replace('_', ' ')}, the E\u2013I of "
            f"{_in_sentence(by, first['group'], names)} would be about "
            f"{signed(first['expected_ei'])}. "
        )
    inside = result["internal"] / (result["internal"] + result["external"])
    detail += (
        f"Across the whole network {_pct(inside)} "
        f"of ties stay inside a {by.replace('_', ' ')} (E\u2013I {signed(result['ei_index'])}); "
        "\u22121 would be a perfect silo, +1 a group whose every tie leaves it."
    )
    return {
        "topic": "silos",
        "headline": headline,
        "detail": detail.strip(),
        "figures": {
            "by": by,
            "whole_network_ei": result["ei_index"],
            "groups": [
                {
                    "group": r["group"],
                    "label": group_label(by, r["group"], names),
                    "size": r["size"],
                    "internal": r["internal"],
                    "external": r["external"],
                    "internal_share": r["internal"] / (r["internal"] + r["external"]),
                    "ei_index": r["ei_index"],
                    "expected_ei": r["expected_ei"],
                    "p_value": r["p_value"],
                }
                for r in shown
            ],
            "permutations": PERMUTATIONS,
        },
    }


def bridge_rows(data: dict) -> list[dict]:
    """The ranked bridges between the two groups, with roles, organisations and forums."""
    result = data["brokers"]
    if not result:
        return []
    G = data["graph"]
    by = data["parameters"]["by"]
    a, b = data["parameters"]["between"]
    sizes = {g: sum(1 for _, x in G.nodes(data=by) if x == g) for g in (a, b)}
    n = G.number_of_nodes()
    forum_names = data["names"]["forums"]
    rows = []
    for row in result["brokers"]:
        if not row["score"]:
            break  # everyone after carries no path between the groups
        attrs = G.nodes[row["id"]]
        exp = row.get("explanation") or {}
        own = attrs.get(by)
        # Forums on the person's ties into the side(s) of the bridge they are not on.
        sides = [e for e in exp.get("groups", []) if e["group"] != own]
        forums: list = []
        for e in sides:
            forums += [f for f in e["forums"] if f not in forums]
        if not forums:
            forums = [f["forum"] for f in exp.get("forums", [])]
        roles = attrs.get("roles") or []
        ties = {e["group"]: e["ties"] for e in exp.get("groups", [])}
        rows.append({
            "id": row["id"],
            "name": row["name"],
            "role": roles[-1] if roles else None,
            "organisation": attrs.get("organisation_name") or attrs.get("organisation"),
            "team": attrs.get("team_name"),
            "group": own,
            "hybrid": bool(attrs.get("hybrid")),
            "score": row["score"],
            # The normalised score times (n-1)(n-2) is the sum over a-b pairs of the share of
            # their shortest paths through this person; over |a||b| it is a plain share.
            "share_of_paths": row["score"] * (n - 1) * (n - 2) / (sizes[a] * sizes[b])
            if sizes[a] and sizes[b] and n > 2 else None,
            "ties_into": {g: ties.get(g, 0) for g in (a, b)},
            "forums": [{"id": f, "name": forum_names.get(f) or f} for f in forums[:3]],
        })
    return rows


def _who(row: dict) -> str:
    bits = [x for x in (row.get("role"), row.get("organisation")) if x]
    return f"{row['name'] or row['id']} ({', '.join(bits)})" if bits else str(row["name"])


def _bridges(data: dict, notes: list) -> dict | None:
    if not data["brokers"]:
        return None
    by = data["parameters"]["by"]
    a, b = data["parameters"]["between"]
    names = data["names"]["groups"]
    la, lb = _in_sentence(by, a, names), _in_sentence(by, b, names)
    rows = bridge_rows(data)
    if not rows:
        return {
            "topic": "bridges",
            "headline": f"No one bridges {la} and {lb}: no path in the network joins them.",
            "detail": "Every shortest path between the two groups is missing; they are "
                      "separate islands in the data.",
            "figures": {"by": by, "between": [a, b], "brokers": []},
        }
    top = rows[0]
    via = [f["name"] for f in top["forums"][:2]]
    headline = (f"{_who(top)} is the strongest bridge between {la} and {lb}: on "
                f"{_share(top['share_of_paths'])} of the shortest paths between their staff"
                + (f", mostly through {_join(via)}" if via else "") + ".")
    others = []
    for r in rows[1:3]:
        fw = [f["name"] for f in r["forums"][:2]]
        others.append(f"{_who(r)}, {_share(r['share_of_paths'])} of paths"
                      + (f" (via {_join(fw)})" if fw else ""))
    detail = ("Next: " + "; ".join(others) + ". ") if others else ""
    hybrids = sum(r["hybrid"] for r in rows)
    count = (f"All {hybrids} top bridges hold" if hybrids == len(rows) > 1
             else f"{hybrids} of the top {len(rows)} bridges hold")
    detail += (f"{count} a hybrid clinical\u2013managerial "
               f"role. A path share is, over every pair of one person in {la} and one in {lb}, "
               "the share of their shortest routes that run through the person.")
    return {
        "topic": "bridges",
        "headline": headline,
        "detail": detail,
        "figures": {"by": by, "between": [a, b], "brokers": rows[:5],
                    "hybrids_in_top": hybrids, "top": len(rows)},
    }


def _risk(data: dict, notes: list) -> dict | None:
    result = data["risk"]
    if not result or not result["people"]:
        return None
    by = data["parameters"]["by"]
    names = data["names"]["groups"]
    c = result["combined"]
    k = len(result["people"])
    what = f"cross-{by.replace('_', ' ')}"
    headline = (
        f"If the {k} key people left together, the partnership would lose "
        f"{_pct(c['cross_ties_lost_share'])} of its {what} links "
        f"({c['cross_ties_lost']:,} of {c['cross_ties_before']:,})"
    )
    unlinked = [" and ".join(group_label(by, g, names) for g in pair)
                for pair in c["group_pairs_unlinked"]]
    if unlinked:
        headline += f", and {_join(unlinked)} would lose their last direct link"
    headline += "."
    people = [
        f"{p['name'] or p['id']} ({group_label(by, p['group'], names)}, "
        f"{p['cross_ties_lost']} {what} links)" for p in result["people"][:3]
    ]
    still = c["share_still_connected"]
    reach = ("everyone who could reach someone in another group still could"
             if still is not None and still >= 1 else
             f"only {_pct(still)} of people in different groups who were connected still "
             "would be")
    eff_b, eff_a = c["efficiency_before"], c["efficiency_after"]
    eff = ""
    if eff_b:
        eff = (f"; the network's efficiency (how short the paths between people are) would "
               f"fall by {_pct((eff_b - eff_a) / eff_b)}")
    detail = f"Most at risk: {_join(people)}. After the {k} left, {reach}{eff}."
    return {
        "topic": "key_person_risk",
        "headline": headline,
        "detail": detail,
        "figures": {
            "by": by,
            "removed": list(c["removed"]),
            "people": [{k2: p[k2] for k2 in ("id", "name", "group", "cross_ties_lost",
                                             "cross_pairs_disconnected", "group_pairs_unlinked",
                                             "betweenness")} for p in result["people"]],
            "cross_ties_before": c["cross_ties_before"],
            "cross_ties_lost": c["cross_ties_lost"],
            "cross_ties_lost_share": c["cross_ties_lost_share"],
            "share_still_connected": still,
            "group_pairs_unlinked": c["group_pairs_unlinked"],
            "efficiency_before": eff_b,
            "efficiency_after": eff_a,
        },
    }


def _hybrids(data: dict, notes: list) -> dict | None:
    r = data["hybrids"]
    if not r:
        return None
    if not r["n_hybrid"]:
        notes.append("hybrids: no one holds a hybrid clinical\u2013managerial role in the data")
        return None
    if r["cliffs_delta"] is None:
        notes.append(f"hybrids: {r.get('note') or 'no comparison possible'}")
        return None
    delta, p = r["cliffs_delta"], r["p_value"]
    top10 = sum(1 for h in r["hybrids"] if h["rank"] <= 10)
    medians = (f"median betweenness {_score(r['median_hybrid'])} against "
               f"{_score(r['median_other'])} "
               f"(Cliff's delta {signed(delta)}, {fmt_p(p)})")
    if p is not None and p < 0.05 and delta > 0:
        strength = "far more" if delta >= 0.474 else "more"  # Romano et al.'s "large" effect
        headline = (f"Hybrid clinical\u2013managerial staff broker {strength} than others: "
                    f"{medians}.")
    elif p is not None and p < 0.05:
        headline = f"Hybrid clinical\u2013managerial staff broker less than others: {medians}."
    else:
        headline = (f"Hybrid clinical\u2013managerial staff broker about as much as others: "
                    f"{medians}.")
    names = [h["name"] or h["id"] for h in r["hybrids"][:3]]
    count = "all" if top10 == 10 else f"{top10} of the"
    detail = (f"{r['n_hybrid']:,} hybrids against {r['n_other']:,} others; {count} 10 "
              f"people with the highest betweenness are hybrids (the highest: {_join(names)}). "
              f"Betweenness is the share of shortest paths between all pairs of people that run "
              f"through a person.")
    return {
        "topic": "hybrids",
        "headline": headline,
        "detail": detail,
        "figures": {k: r[k] for k in ("n_hybrid", "n_other", "median_hybrid", "median_other",
                                      "mean_hybrid", "mean_other", "cliffs_delta", "cohens_d",
                                      "p_value", "permutation_p_value")}
        | {"hybrids_in_top10": top10,
           "top_hybrids": [{"id": h["id"], "name": h["name"], "rank": h["rank"]}
                           for h in r["hybrids"][:5]]},
    }


def _communities(data: dict, notes: list) -> dict | None:
    r = data["communities"]
    if not r or not r["communities"]:
        return None
    found = r["communities"]
    kinds = r["kinds"]
    parts = [_plural(kinds[k], *KIND_NAMES.get(k, (k, k))) for k in KIND_NAMES if kinds.get(k)]
    cops = [c for c in found if c["kind"] == "community_of_practice"]
    n_cop = len(cops)
    headline = f"{_plural(len(found), 'community', 'communities')} of people: {_join(parts)}."
    if n_cop:
        headline = (f"{_plural(n_cop, 'community of practice', 'communities of practice')} "
                    f"span organisations, among {len(found)} communities in all "
                    f"({_join(parts)}).")
    described = []
    figures = []
    for c in cops:
        forum = c["anchoring_forums"][0] if c["anchoring_forums"] else None
        orgs = [o.get("name") or o["value"] for o in c["organisations"][:3]]
        label = f"around {forum['name'] or forum['id']}" if forum else "without a shared forum"
        described.append(f"{label} ({c['size']} people from {_join(orgs)})")
        figures.append({
            "id": c["id"], "size": c["size"],
            "forum": forum and {"id": forum["id"], "name": forum["name"],
                                "share": forum["share"]},
            "organisations": orgs, "n_organisations": c["n_organisations"],
        })
    detail = ""
    if described:
        more = len(described) - 3
        detail = ("The communities of practice gather " + "; ".join(described[:3])
                  + (f"; and {_plural(more, 'more', 'more')} (see the table)" if more > 0 else "")
                  + ". ")
    detail += ("A community of practice spans organisations around a shared forum or "
               "profession; an organisational cluster stays inside one organisation "
               f"(modularity {r['modularity']:.2f}).")
    return {
        "topic": "communities",
        "headline": headline,
        "detail": detail,
        "figures": {"count": len(found), "kinds": dict(kinds), "modularity": r["modularity"],
                    "communities_of_practice": figures},
    }


def _phase_name(p: dict) -> str:
    years = _years(p.get("start"), p.get("end"))
    return f"{p.get('name') or p['id']}" + (f" ({years})" if years else "")


def _change(data: dict, notes: list) -> dict | None:
    r = data["change"]
    if not r:
        return None
    by = data["parameters"]["by"]
    names = data["names"]["groups"]
    first, last = r["from"], r["to"]
    moves = r["silos"]
    softened = sorted([s for s in moves if s["change"] >= EI_MOVE], key=lambda s: -s["change"])
    hardened = sorted([s for s in moves if s["change"] <= -EI_MOVE], key=lambda s: s["change"])

    def move(s):
        return (f"{group_label(by, s['group'], names)} {signed(s['ei_before'])} \u2192 "
                f"{signed(s['ei_after'])}")

    lost, gained, left = r["lost"], r["gained"], r["lost_who_left"]
    silo_words = []
    if softened:
        silo_words.append(f"{len(softened)} of {len(moves)} {_groups_word(by)} opened up "
                          f"({move(softened[0])})")
    if hardened:
        silo_words.append(f"{len(hardened)} hardened ({move(hardened[0])})")
    if not silo_words:
        silo_words.append("silos barely moved")
    headline = (f"From {_phase_name(first)} to {_phase_name(last)}, {_join(silo_words)}; "
                f"{len(lost)} of the top {CHANGE_TOP} brokers were lost"
                + (f" ({_how_many(len(left), len(lost))} left the partnership)" if lost else "")
                + f" and {len(gained)} emerged.")
    detail = ""
    if lost:
        detail += f"Lost from the top {CHANGE_TOP}: {_names_list(lost)}. "
    if gained:
        detail += f"New in the top {CHANGE_TOP}: {_names_list(gained)}. "
    steps = data["steps"] or []
    if len(steps) > 1:
        worst = max(steps, key=lambda s: (len(s["lost"]), len(s["hardened"])))
        if worst["lost"] or worst["hardened"]:
            hard = [group_label(by, g, names) for g in worst["hardened"]]
            if hard and len(hard) == len(worst["silos"]):
                hard_words = f"every {by.replace('_', ' ')} hardened"
            else:
                hard_words = f"{_join(hard)} hardened"
            detail += (
                f"The sharpest step was {_phase_name(worst['from'])} \u2192 "
                f"{_phase_name(worst['to'])}: {len(worst['lost'])} top brokers lost "
                f"({_how_many(len(worst['lost_who_left']), len(worst['lost']))} left)"
                + (f", and {hard_words}" if hard else "") + ". "
            )
    people = r["people"]
    detail += (f"{people['left']:,} people left and {people['joined']:,} joined between the "
               "first and the last phase.")
    return {
        "topic": "change",
        "headline": headline,
        "detail": detail.strip(),
        "figures": {
            "from": first, "to": last,
            "silos": r["silos"],
            "brokers_lost": lost, "brokers_gained": gained,
            "brokers_lost_who_left": left,
            "people": people,
            "steps": [{"from": s["from"]["id"], "to": s["to"]["id"],
                       "lost": len(s["lost"]), "lost_who_left": len(s["lost_who_left"]),
                       "gained": len(s["gained"]), "hardened": s["hardened"],
                       "softened": s["softened"]} for s in steps],
        },
    }


def _assets(data: dict, notes: list) -> dict | None:
    r = data["assets"]
    if not r or not r["summary"]["assets"]:
        return None
    s = r["summary"]
    widest = r["assets"][:3]
    if not widest or not widest[0]["sectors_reached"]:
        return None
    headline = (f"{s['crossing_sectors']:,} of {s['assets']:,} knowledge assets are used or "
                "written in more than one sector.")
    named = [f"{a['title'] or a['id']} ({a['sectors_reached']} sectors, "
             f"{a['organisations_reached']} organisations)" for a in widest]
    detail = (f"The widest reach: {_join(named)}. {s['crossing_organisations']:,} assets cross "
              "organisations. Minutes, pathways and protocols that travel are how practice "
              "moves between services.")
    return {
        "topic": "assets",
        "headline": headline,
        "detail": detail,
        "figures": {"summary": s, "widest": [
            {k: a[k] for k in ("id", "title", "kind", "sectors_reached",
                               "organisations_reached")} for a in widest]},
    }
