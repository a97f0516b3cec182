"""The board report: headline findings in plain words, charts and maps, on one printable page.

- :func:`findings` -- the short list of findings (silos, bridges, key-person risk, hybrids,
  communities of practice, change, knowledge assets), JSON-ready;
- :func:`render_report` -- one self-contained page that reads and prints without script: the
  period it covers, the partnership in numbers, the findings, server-side SVG charts and maps
  (each linked to its interactive version);
- :func:`write_outputs` -- the report, ``findings.json`` and the maps (and a PDF), to a folder.

Every function answers one :class:`ReportQuestion` (grouping, the two groups to bridge, seed,
period, pseudonymisation), given as the object, as its fields in keywords, or both. It describes
one period, by default the partnership as it is now (:mod:`kg.queries.period`); ``window``,
``phase`` and ``as_of`` choose another, and ``pseudonymise=True`` gives the version for wider
circulation. Both ``kg report`` / ``kg demo`` and the HTTP API's ``GET /report`` call these.

Modules: :mod:`~kg.report.question` (what is asked), :mod:`~kg.report.gather` (the analyses,
for one period), :mod:`~kg.report.findings` (one module per finding), :mod:`~kg.report.wording`
(sentences), :mod:`~kg.report.charts` and :mod:`~kg.report.svgmap` (SVG),
:mod:`~kg.report.page` (the page and files), :mod:`~kg.report.pdf` (printing with Chromium).
"""

from __future__ import annotations

from kg.report.findings import build_findings
from kg.report.gather import gather
from kg.report.page import render_report, report_and_findings, write_outputs
from kg.report.question import ReportQuestion
from kg.store.base import GraphStore

__all__ = ["ReportQuestion", "findings", "render_report", "report_and_findings", "write_outputs"]


def findings(store: GraphStore, question: ReportQuestion | None = None, **asked) -> dict:
    """The headline findings of the stored partnership, in plain words.

    Parameters
    ----------
    store : GraphStore
    question : ReportQuestion, optional
        Grouping (for silos, bridges and key-person risk), the two groups whose bridges are
        ranked, period, seed and pseudonymisation; by default ``ReportQuestion()``: by sector,
        between acute and community, the partnership as it is now, seed 0, people named.
    **asked
        Fields of :class:`ReportQuestion` (``by``, ``between``, ``seed``, ``window``,
        ``phase``, ``as_of``, ``pseudonymise``), replacing those of ``question``.

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
    >>> result = findings(store, phase="PH2")                      # doctest: +SKIP
    >>> [f["topic"] for f in result["findings"]]                   # doctest: +SKIP
    ['silos', 'bridges', 'key_person_risk', 'hybrids', 'communities', 'change', 'assets']
    """
    return build_findings(gather(store, ReportQuestion.of(question, **asked)))
