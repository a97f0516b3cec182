"""What worked: the partnership's interventions and the change in ties each one made."""

from __future__ import annotations

from kg.report.wording import join

__all__ = ["finding"]

#: The most recent interventions the finding describes.
SHOWN = 4


def finding(data: dict, notes: list) -> dict | None:
    """The interventions finding: for each (most recent first), whether the ties it targeted
    changed more than the comparison's did, or whether the data cannot tell."""
    results = data.get("impact")
    if not results:
        if results is not None:
            notes.append("what worked: the store holds no interventions (add "
                         "interventions.csv to the bundle)")
        return None
    worked = [r for r in results if r["direction"] == "more"]
    unclear = [r for r in results if r["direction"] in ("cannot tell", "too small to matter")]
    name = [r["intervention"]["name"] for r in worked]
    if worked:
        headline = (f"{join(name)} {'was' if len(name) == 1 else 'were'} followed by more ties "
                    "where they were aimed than elsewhere over the same time.")
    else:
        headline = ("None of the recorded interventions was followed by more ties where it was "
                    "aimed than elsewhere.")
    detail = " ".join(r["headline"] for r in results)
    if unclear:
        detail += (f" For {join([r['intervention']['name'] for r in unclear])} the data "
                   "cannot tell a change from none.")
    first = results[0]
    effect = first["effect"]
    statistics = (f"Difference in differences of tie density, in ties, with a "
                  f"{effect['level']:.0%} bootstrap interval ({effect['n_boot']} resamples). "
                  + (first.get("caveat") or ""))
    return {
        "topic": "worked",
        "headline": headline,
        "detail": detail,
        "statistics": statistics,
        "figures": {"interventions": [
            {"id": r["intervention"]["id"], "name": r["intervention"]["name"],
             "date": r["intervention"]["date"], "direction": r["direction"],
             "ties": r["effect"]["ties"], "interval": r["effect"]["interval"]}
            for r in results]},
    }
