"""The board report: headline findings in plain words, charts and maps, on one printable page.

- :func:`findings` -- the short list of findings (silos, bridges, key-person risk, hybrids,
  communities of practice, change between phases, knowledge assets), JSON-ready;
- :func:`render_report` -- one self-contained, printable HTML page: the partnership in numbers,
  the findings, server-side SVG charts and the organisations and bridges maps embedded offline;
- :func:`write_outputs` -- the report, ``findings.json`` and the maps, written to a folder.

Both ``kg report`` / ``kg demo`` and the HTTP API's ``GET /report`` call these.
"""

from __future__ import annotations

from kg.report.findings import build_findings, gather
from kg.report.page import render_report, report_and_findings, write_outputs
from kg.store.base import GraphStore

__all__ = ["findings", "render_report", "report_and_findings", "write_outputs"]


def findings(
    store: GraphStore, *, by: str = "sector", between=("acute", "community"), seed: int = 0
) -> dict:
    """The headline findings of the stored partnership, in plain words.

    Parameters
    ----------
    store : GraphStore
    by : str, default "sector"
        Grouping for silos, bridges and key-person risk (organisation, team, sector,
        profession, role_kind, level or hybrid).
    between : (str, str), default ("acute", "community")
        The two groups of ``by`` whose bridges are ranked.
    seed : int, default 0
        Seed of every random step (Louvain, permutations).

    Returns
    -------
    dict
        ``{"partnership": {counts, revision, period, phases}, "parameters": {...},
        "findings": [{"topic", "headline", "detail", "figures"}], "notes": [str]}``. Topics:
        ``silos``, ``bridges``, ``key_person_risk``, ``hybrids``, ``communities``, ``change``,
        ``assets``; one that cannot be made is left out and ``notes`` says why.

    Raises
    ------
    AnalysisError
        The store holds no people, or no links between them: nothing to analyse.
    InvalidParameter
        Unknown ``by`` or a malformed ``between``.

    Examples
    --------
    >>> result = findings(store)                                   # doctest: +SKIP
    >>> [f["topic"] for f in result["findings"]]                   # doctest: +SKIP
    ['silos', 'bridges', 'key_person_risk', 'hybrids', 'communities', 'change', 'assets']
    """
    return build_findings(gather(store, by=by, between=between, seed=seed))
