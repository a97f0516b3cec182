"""What worked: ``/interventions`` and ``/analysis/impact/{id}``, the same answers as
``kg analyse interventions`` and ``kg analyse impact ... --format json``, cached by revision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.deps import StoreDep, ViewerDep
from api.responses import json_answer
from api.routes.params import SeedDep
from api.schemas import ImpactAnswer, InterventionsAnswer
from kg.analysis.impact import LEVEL, MIN_EFFECT, N_BOOT
from kg.queries import analyses
from kg.queries import impact as queries

router = APIRouter(tags=["what worked"])

Choice = Annotated[str | None, Query(
    max_length=200, description="A phase (id or name) or START:END instead of the default: "
    "the phase either side of the intervention's date")]


@router.get("/interventions", response_model=InterventionsAnswer,
            summary="The interventions in the store, in date order")
def interventions(request: Request, store: StoreDep, _: ViewerDep) -> Response:
    return json_answer(request, store, InterventionsAnswer,
                       lambda: queries.interventions(store))


@router.get("/analysis/impact/{intervention_id}", response_model=ImpactAnswer,
            summary="Did an intervention work? Its target's ties before and after, against a "
                    "comparison")
def impact(
    request: Request,
    store: StoreDep,
    _: ViewerDep,
    intervention_id: Annotated[str, Path(max_length=200)],
    before: Choice = None,
    after: Choice = None,
    by: Annotated[str, Query(description="Grouping of the E-I index and reach: "
                             + ", ".join(analyses.GROUPINGS))] = "sector",
    seed: SeedDep = 0,
    layers: Annotated[list[str] | None, Query(
        description="Layers the ties are counted on (repeat; default: direct ties only)")]
    = None,
    min_weight: Annotated[float, Query(ge=0, le=1e6)] = 0.05,
    boot: Annotated[int, Query(ge=1, le=9999, description="Bootstrap resamples")] = N_BOOT,
    level: Annotated[float, Query(gt=0, lt=1, description="Coverage of the interval")] = LEVEL,
    min_effect: Annotated[float, Query(ge=0, le=100, description="The smallest change that "
                                       "matters, as a share of the target's ties before")]
    = MIN_EFFECT,
) -> Response:
    """The difference in differences of the target's tie density, in ties, with a bootstrap
    interval and a verdict in plain words (which says when the data cannot tell); ties formed
    and lost, E-I index and reach beside it."""
    return json_answer(
        request, store, ImpactAnswer,
        lambda: queries.impact(store, intervention_id, before=before, after=after, by=by,
                               seed=seed, layers=tuple(layers) if layers else None,
                               min_weight=min_weight, n_boot=boot, level=level,
                               min_effect=min_effect))
