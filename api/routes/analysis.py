"""``/analysis/*``: the same answers as ``kg analyse ... --format json``, cached by revision."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from api.deps import StoreDep, ViewerDep
from api.responses import json_answer
from api.routes.params import AsOf, Grouping, NetDep, Paths, Phase, SeedDep, Top, Window
from api.schemas import (
    AssetsAnswer,
    BrokersAnswer,
    ChangeAnswer,
    CommunitiesAnswer,
    HybridsAnswer,
    RiskAnswer,
    SilosAnswer,
)
from kg.analysis.projection import LAYERS
from kg.analysis.silos import N_PERMUTATIONS
from kg.queries import analyses

router = APIRouter(prefix="/analysis", tags=["analysis"])


@router.get(
    "/communities",
    response_model=CommunitiesAnswer,
    summary="Communities of practice, organisational clusters, cross-boundary networks",
)
def communities(
    request: Request,
    store: StoreDep,
    _: ViewerDep,
    net: NetDep,
    seed: SeedDep = 0,
    method: Annotated[str, Query(pattern="^(louvain|leiden)$")] = "louvain",
    resolution: Annotated[float, Query(gt=0, le=100)] = 1.0,
) -> Response:
    """Louvain (or Leiden) communities, each connected, profiled and classified."""
    return json_answer(
        request,
        store,
        CommunitiesAnswer,
        lambda: analyses.communities(store, method=method, resolution=resolution, seed=seed, **net),
    )


@router.get("/silos", response_model=SilosAnswer, summary="Silos: E-I index per group")
def silos(
    request: Request,
    store: StoreDep,
    _: ViewerDep,
    net: NetDep,
    by: Grouping = "organisation",
    seed: SeedDep = 0,
    permutations: Annotated[int, Query(ge=0, le=9999)] = N_PERMUTATIONS,
) -> Response:
    """E-I index per group with a permutation p-value, the group density matrix, and the
    agreement (NMI, ARI) of the grouping with the detected communities."""
    return json_answer(
        request,
        store,
        SilosAnswer,
        lambda: analyses.silos(store, by=by, n_permutations=permutations, seed=seed, **net),
    )


@router.get("/brokers", response_model=BrokersAnswer, summary="Brokers, ranked and explained")
def brokers(
    request: Request,
    store: StoreDep,
    _: ViewerDep,
    net: NetDep,
    by: Grouping | None = None,
    between: Annotated[
        list[str] | None,
        Query(
            description="Two groups of `by`: rank by the paths carried between them "
            "(`between=acute&between=community`)"
        ),
    ] = None,
    top: Top = 20,
    seed: SeedDep = 0,
    paths: Paths = "hops",
) -> Response:
    """Betweenness, constraint, effective size and (with `by`) Gould-Fernandez roles."""
    return json_answer(
        request,
        store,
        BrokersAnswer,
        lambda: analyses.brokers(store, by=by, between=between, top=top, seed=seed, paths=paths,
                                 **net),
    )


@router.get(
    "/hybrids",
    response_model=HybridsAnswer,
    summary="Do hybrid middle managers broker more than others?",
)
def hybrids(
    request: Request, store: StoreDep, _: ViewerDep, net: NetDep, seed: SeedDep = 0,
    paths: Paths = "hops",
) -> Response:
    return json_answer(
        request, store, HybridsAnswer,
        lambda: analyses.hybrids(store, seed=seed, paths=paths, **net),
    )


@router.get("/risk", response_model=RiskAnswer, summary="Key-person risk")
def risk(
    request: Request,
    store: StoreDep,
    _: ViewerDep,
    net: NetDep,
    by: Grouping = "sector",
    top: Top = 10,
    remove: Annotated[
        list[str] | None,
        Query(description="People to remove (repeat); without it, rank the top key-person risks"),
    ] = None,
    seed: SeedDep = 0,
    paths: Paths = "hops",
) -> Response:
    """What cross-boundary connectivity is lost if these people (or the top brokers) leave."""
    return json_answer(
        request,
        store,
        RiskAnswer,
        lambda: analyses.risk(store, by=by, top=top, remove=remove, seed=seed, paths=paths,
                              **net),
        exclude_unset=True,
    )


@router.get("/change", response_model=ChangeAnswer, summary="Change between two periods")
def change(
    request: Request,
    store: StoreDep,
    _: ViewerDep,
    from_: Annotated[
        str | None, Query(alias="from", max_length=200,
                          description="A phase (id or name) or START:END (default: the phase "
                          "before the latest)")
    ] = None,
    to: Annotated[str | None, Query(max_length=200, description="A phase (id or name) or "
                                    "START:END (default: the latest phase)")] = None,
    by: Grouping = "sector",
    top: Top = 20,
    seed: SeedDep = 0,
    layers: Annotated[list[Literal[LAYERS]] | None, Query()] = None,
    min_weight: Annotated[float, Query(ge=0, le=1e6)] = 0.05,
) -> Response:
    """How silos, brokers and communities moved; brokers gained and lost."""
    return json_answer(
        request,
        store,
        ChangeAnswer,
        lambda: analyses.change(
            store,
            from_=from_,
            to=to,
            by=by,
            top=top,
            seed=seed,
            layers=tuple(layers) if layers else None,
            min_weight=min_weight,
        ),
    )


@router.get(
    "/assets",
    response_model=AssetsAnswer,
    summary="Knowledge assets that reach across organisations and sectors",
)
def assets(
    request: Request,
    store: StoreDep,
    _: ViewerDep,
    top: Top | None = None,
    window: Window = None,
    phase: Phase = None,
    as_of: AsOf = None,
) -> Response:
    return json_answer(
        request,
        store,
        AssetsAnswer,
        lambda: analyses.assets(store, top=top, window=window, phase=phase, as_of=as_of),
    )
