"""``GET /report``: the board report, one printable page with findings, charts and maps."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from api.deps import StoreDep, ViewerDep
from api.responses import html_answer
from api.routes.params import AsOf, Phase, SeedDep, Window
from kg.queries.analyses import DEFAULT_BETWEEN
from kg.report import ReportQuestion, render_report

router = APIRouter(tags=["report"])


@router.get(
    "/report",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}, "description": "The board report"}},
    summary="The board report",
)
def report(
    request: Request,
    store: StoreDep,
    _: ViewerDep,
    by: Annotated[str, Query(description="Grouping of the findings")] = "sector",
    between: Annotated[
        list[str] | None, Query(description="The two groups whose bridges are reported")
    ] = None,
    window: Window = None,
    phase: Phase = None,
    as_of: AsOf = None,
    pseudonymise: Annotated[
        bool, Query(description="For wider circulation: people described by role, never "
                    "named; figures about fewer than 5 people withheld")
    ] = False,
    seed: SeedDep = 0,
) -> Response:
    """Headline findings in plain words (silos, top bridges, key-person risk, hybrid middle
    managers, communities of practice, change since the period before, knowledge assets) with
    the statistics beneath, charts and maps drawn on the server (no script needed; each map
    links to its interactive ``/maps/...`` page); prints cleanly. By default the partnership as
    it is now; ``window``, ``phase`` or ``as_of`` choose another period."""
    question = ReportQuestion(by=by, between=tuple(between or DEFAULT_BETWEEN), seed=seed,
                              window=window, phase=phase, as_of=as_of,
                              pseudonymise=pseudonymise)
    return html_answer(
        request,
        store,
        lambda: render_report(store, question, links="api"),
        filename="carebridge-report-pseudonymised.html" if pseudonymise
        else "carebridge-report.html",
    )
