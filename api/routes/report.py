"""``GET /report``: the board report, one printable page with findings, charts and maps."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from api.deps import StoreDep, ViewerDep
from api.responses import html_answer
from api.routes.params import SeedDep
from kg.report import render_report

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
    seed: SeedDep = 0,
) -> Response:
    """Headline findings in plain words (silos, top bridges, communities of practice,
    key-person risk, change between phases), charts and embedded maps; prints cleanly."""
    pair = tuple(between or ("acute", "community"))
    return html_answer(
        request,
        store,
        lambda: render_report(store, by=by, between=pair, seed=seed),
        filename="carebridge-report.html",
    )
