"""The board report: headline findings in plain words, charts and maps, on one printable page.

- :func:`findings` -- the short list of findings (silos, bridges, key-person risk, hybrids,
  communities of practice, change, knowledge assets), JSON-ready;
- :func:`render_report` -- one self-contained page that reads and prints without script: the
  period it covers, the partnership in numbers, the findings, server-side SVG charts and maps
  (each linked to its interactive version);
- :func:`write_outputs` -- the report, ``findings.json`` and the maps (and a PDF), to a folder.

Every function describes one period, by default the partnership as it is now
(:mod:`kg.queries.period`); ``window``, ``phase`` and ``as_of`` choose another, and
``pseudonymise=True`` gives the version for wider circulation. Both ``kg report`` / ``kg demo``
and the HTTP API's ``GET /report`` call these.

Modules: :mod:`~kg.report.gather` (the analyses, for one period),
:mod:`~kg.report.findings` (one module per finding), :mod:`~kg.report.wording` (sentences),
:mod:`~kg.report.charts` and :mod:`~kg.report.svgmap` (SVG), :mod:`~kg.report.page` (the page
and files), :mod:`~kg.report.pdf` (printing with Chromium).
"""

from __future__ import annotations

from kg.queries.analyses import DEFAULT_BETWEEN
from kg.report.findings import build_findings
from kg.report.gather import gather
from kg.report.page import render_report, report_and_findings, write_outputs
from kg.store.base import GraphStore

__all__ = ["findings", "render_report", "report_and_findings", "write_outputs"]


def findings(
    store: GraphStore,
    *,
    by: str = "sector",
    between=DEFAULT_BETWEEN,
    seed: int = 0,
    window: str | None = None,
    phase: str | None = None,
    as_of: str | None = None,
    pseudonymise: bool = False,
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
    window, phase, as_of
        The period (:mod:`kg.queries.period`); by default the partnership as it is now.
    pseudonymise : bool, default False
        Describe people by role instead of naming them; withhold figures about fewer than
        five people.

    Returns
    -------
    dict
        ``{"partnership": {counts, revision, period, phases}, "parameters": {...},
        "findings": [{"topic", "headline", "detail", "statistics", "figures"}],
        "notes": [str]}``. Topics: ``silos``, ``bridges``, ``key_person_risk``, ``hybrids``,
        ``communities``, ``change``, ``assets``; one that cannot be made is left out and
        ``notes`` says why.

    Raises
    ------
    AnalysisError
        The period holds no people, or no links between them: nothing to analyse.
    InvalidParameter, NotFound
        Unknown ``by``, a malformed ``between``, window or date, or an unknown phase.

    Examples
    --------
    >>> result = findings(store)                                   # doctest: +SKIP
    >>> [f["topic"] for f in result["findings"]]                   # doctest: +SKIP
    ['silos', 'bridges', 'key_person_risk', 'hybrids', 'communities', 'change', 'assets']
    """
    return build_findings(gather(store, by=by, between=between, seed=seed, window=window,
                                 phase=phase, as_of=as_of, pseudonymise=pseudonymise))
