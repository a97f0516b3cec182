"""``/maps/*``: interactive maps as self-contained HTML pages that open offline."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from api.deps import StoreDep, ViewerDep
from api.responses import html_answer
from api.routes.params import Grouping, NetDep, SeedDep
from kg.queries import maps as views
from kg.queries.analyses import DEFAULT_BETWEEN

router = APIRouter(prefix="/maps", tags=["maps"], default_response_class=HTMLResponse)

ColourBy = Annotated[Literal[views.COLOUR_BY],
                     Query(description="Colour people by: " + ", ".join(views.COLOUR_BY))]
_HTML = {200: {"content": {"text/html": {}}, "description": "A self-contained HTML page"}}


@router.get("/network", responses=_HTML, summary="The whole person network")
def network(
    request: Request,
    store: StoreDep,
    _: ViewerDep,
    net: NetDep,
    color_by: ColourBy = "organisation",
    seed: SeedDep = 0,
) -> Response:
    """Coloured by a person attribute or community, sized by betweenness, the top people
    named (the rest on zoom); click or find someone for their roles, forums, ties and measures.
    Above 1,500 people it shows one node per community and says so."""
    return html_answer(
        request, store, lambda: views.network(store, color_by=color_by, seed=seed, **net)
    )


@router.get("/ego/{person_id}", responses=_HTML, summary="A person's ego network")
def ego(
    request: Request,
    person_id: str,
    store: StoreDep,
    _: ViewerDep,
    net: NetDep,
    hops: Annotated[int, Query(ge=1, le=4)] = 1,
    color_by: ColourBy = "organisation",
    seed: SeedDep = 0,
) -> Response:
    return html_answer(
        request,
        store,
        lambda: views.ego(store, person_id, hops=hops, color_by=color_by, seed=seed, **net),
    )


@router.get("/bridges", responses=_HTML, summary="Bridges between two groups")
def bridges(
    request: Request,
    store: StoreDep,
    _: ViewerDep,
    net: NetDep,
    by: Grouping = "sector",
    between: Annotated[
        list[str] | None, Query(description="The two groups (`between=acute&between=community`)")
    ] = None,
    top: Annotated[int, Query(ge=1, le=100)] = 10,
    seed: SeedDep = 0,
) -> Response:
    """The two groups side by side (the first on the left, the second on the right), the top
    brokers by the paths they carry numbered between them, and the forums those brokers
    attend; above 400 people, the brokers' strongest ties, the people between, the strongest
    direct ties across and a sample of each group, with a banner saying what is left out."""
    pair = between or DEFAULT_BETWEEN
    return html_answer(
        request,
        store,
        lambda: views.bridges(store, by=by, between=pair, top=top, seed=seed, **net),
    )


@router.get("/communities", responses=_HTML, summary="Communities, or the people of one")
def communities(
    request: Request,
    store: StoreDep,
    _: ViewerDep,
    net: NetDep,
    community: Annotated[
        int | None,
        Query(ge=1, description="The community to drill into: its id in /analysis/communities"),
    ] = None,
    seed: SeedDep = 0,
) -> Response:
    return html_answer(
        request, store, lambda: views.community_map(store, community=community, seed=seed, **net)
    )


@router.get("/organisations", responses=_HTML, summary="The organisation-level network")
def organisations(
    request: Request,
    store: StoreDep,
    _: ViewerDep,
    net: NetDep,
    color_by: Annotated[str, Query(pattern="^(sector|profession)$")] = "sector",
    seed: SeedDep = 0,
) -> Response:
    return html_answer(
        request, store, lambda: views.organisations(store, color_by=color_by, seed=seed, **net)
    )
