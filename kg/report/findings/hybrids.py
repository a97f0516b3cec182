"""Hybrid middle managers: do they broker more than other staff?

Who counts as a hybrid middle manager is defined once, in
:func:`kg.analysis.projection.person_attributes`; the answer states the rule (``rule``) and the
report quotes it.
"""

from __future__ import annotations

from kg.measures import MEASURES, show
from kg.report.wording import MIN_GROUP, count, join, person, small_group

__all__ = ["LARGE_EFFECT", "finding"]

#: Cliff's delta from which an effect is "large" (Romano et al. 2006).
LARGE_EFFECT = 0.474


def finding(data: dict, notes: list) -> dict | None:
    """The hybrids finding: typical betweenness of hybrid middle managers against others."""
    r = data["hybrids"]
    if not r:
        return None
    if not r["n_hybrid"]:
        notes.append("hybrids: no one is a hybrid middle manager in the period")
        return None
    if r["cliffs_delta"] is None:
        notes.append(f"hybrids: {r.get('note') or 'no comparison possible'}")
        return None
    if small_group(data, r["n_hybrid"]):
        notes.append(f"hybrids: fewer than {MIN_GROUP} hybrid middle managers, so the "
                     "comparison is withheld from this pseudonymised report")
        return None
    delta, p = r["cliffs_delta"], r["p_value"]
    typical = (f"the typical one lies on {show('betweenness', r['median_hybrid'])} of the "
               f"shortest paths between other people, against "
               f"{show('betweenness', r['median_other'])} for everyone else")
    if p is not None and p < 0.05 and delta > 0:
        strength = "far more" if delta >= LARGE_EFFECT else "more"
        headline = f"Hybrid middle managers broker {strength} than other staff: {typical}."
    elif p is not None and p < 0.05:
        headline = f"Hybrid middle managers broker less than other staff: {typical}."
    else:
        headline = f"Hybrid middle managers broker about as much as other staff: {typical}."
    top10 = sum(1 for h in r["hybrids"] if h.get("rank") and h["rank"] <= 10)
    named = [person(data, h["id"]) for h in r["hybrids"][:3]]
    top = ("all 10 people who lie on most paths are" if top10 == 10 else
           f"{top10} of the 10 people who lie on most paths {'is' if top10 == 1 else 'are'}")
    detail = (f"{count(r['n_hybrid'], 'hybrid middle manager', 'hybrid middle managers')} "
              f"against {r['n_other']:,} others; {top} hybrid middle managers")
    detail += f" (the highest: {join(named)})." if named else "."
    other = r.get("other_hybrids") or []
    if other:
        apart = count(len(other), "hybrid at another level is", "hybrids at other levels are")
        detail += f" {apart} listed apart and left out of the comparison."
    stats = (f"Cliff's delta {show('cliffs_delta', delta)}, {show('p_value', p)} "
             f"(Mann\u2013Whitney); {MEASURES['cliffs_delta'].name}: "
             f"{MEASURES['cliffs_delta'].meaning}. Who counts as "
             f"{r.get('rule') or 'a hybrid middle manager: see kg analyse hybrids'}.")
    return {
        "topic": "hybrids",
        "headline": headline,
        "detail": detail,
        "statistics": stats,
        "figures": {k: r.get(k) for k in ("n_hybrid", "n_other", "median_hybrid",
                                          "median_other", "mean_hybrid", "mean_other",
                                          "cliffs_delta", "cohens_d", "p_value",
                                          "permutation_p_value", "rule")}
        | {"hybrids_in_top10": top10,
           "other_hybrids": len(other),
           "top_hybrids": [{"id": h["id"], "name": person(data, h["id"]), "rank": h.get("rank")}
                           for h in r["hybrids"][:5]]},
    }
