"""The board's headline findings, one module per finding, from :func:`kg.report.gather.gather`.

Each module's ``finding(data, notes)`` returns ``{"topic", "headline", "detail", "statistics",
"figures"}`` or None (and says why in ``notes``): the headline in plain words, the detail
beneath it, the statistics (E-I, Cliff's delta, modularity, p) in a sentence of their own, and
every number of the headline in ``figures`` so a reader, or a test, can check the words against
the data.
"""

from __future__ import annotations

from kg.errors import AnalysisError
from kg.report.findings import (
    assets,
    bridges,
    change,
    communities,
    hybrids,
    introductions,
    risk,
    silos,
    worked,
)

__all__ = ["TOPICS", "build_findings"]

#: The findings in the order a board reads them.
TOPICS = (
    ("silos", silos.finding),
    ("bridges", bridges.finding),
    ("key_person_risk", risk.finding),
    ("hybrids", hybrids.finding),
    ("communities", communities.finding),
    ("change", change.finding),
    ("worked", worked.finding),
    ("introductions", introductions.finding),
    ("assets", assets.finding),
)


def build_findings(data: dict) -> dict:
    """Turn :func:`kg.report.gather.gather`'s results into the findings document (JSON-ready).

    Returns
    -------
    dict
        ``{"partnership": summary, "parameters": {...}, "findings": [{"topic", "headline",
        "detail", "statistics", "figures"}], "notes": [str]}``.

    Raises
    ------
    AnalysisError
        No finding could be made.
    """
    notes = list(data["notes"])
    items = []
    for _, make in TOPICS:
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
