"""``/analysis/introductions``, ``/analysis/direction``, ``/analysis/profile``: the same answers
as ``kg analyse introductions | direction | profile --format json``, cached by revision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.deps import SettingsDep, StoreDep, ViewerDep
from api.responses import json_answer
from api.routes.params import AsOf, Grouping, NetDep, Phase, SeedDep, Top, Window
from api.schemas import DirectionAnswer, IntroductionsAnswer, ProfileAnswer
from kg.queries import decisions
from kg.survey.store import opted_out

router = APIRouter(prefix="/analysis", tags=["analysis"])


@router.get(
    "/introductions",
    response_model=IntroductionsAnswer,
    summary="Whom to introduce: the new ties that would most bring two groups together",
)
def introductions(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    _: ViewerDep,
    net: NetDep,
    by: Grouping = "sector",
    between: Annotated[
        list[str] | None,
        Query(max_length=2, description="Two groups of `by` to bring together "
              "(`between=acute&between=community`)"),
    ] = None,
    within: Annotated[
        str | None,
        Query(max_length=200, description="Or one group: who in it should meet whom outside"),
    ] = None,
    top: Top = 10,
    closure_only: Annotated[
        bool, Query(description="Only pairs with a contact or a forum in common")] = False,
    seed: SeedDep = 0,
) -> Response:
    """Pairs of people not yet tied, one on each side, ranked by the rise in cross-group
    efficiency (mean 1/hops between the two sides) that their tie would bring, each with who
    could introduce them. Overloaded brokers (degree above the 95th percentile) and leavers are
    not proposed."""
    return json_answer(
        request,
        store,
        IntroductionsAnswer,
        lambda: decisions.introductions(store, by=by, between=between, within=within, top=top,
                                        closure_only=closure_only, seed=seed, **net),
        # an opt-out does not move the store's revision, but must change the answer at once
        varies=(frozenset(opted_out(settings.data_dir)),),
    )


@router.get(
    "/direction",
    response_model=DirectionAnswer,
    summary="Brokerage up, down and across: do hybrid middle managers broker upward?",
)
def direction(
    request: Request,
    store: StoreDep,
    _: ViewerDep,
    top: Top = 20,
    window: Window = None,
    phase: Phase = None,
    as_of: AsOf = None,
) -> Response:
    """Each person's open two-paths on the directed ties, by level (up, down, across) and
    profession; the paired test of hybrid middle managers' upward against downward share and
    their comparison with other middle managers."""
    return json_answer(
        request,
        store,
        DirectionAnswer,
        lambda: decisions.brokerage_direction(store, top=top, window=window, phase=phase,
                                              as_of=as_of),
    )


@router.get("/profile", response_model=ProfileAnswer, summary="The whole network at a glance")
def profile(
    request: Request,
    store: StoreDep,
    _: ViewerDep,
    net: NetDep,
    by: Grouping | None = None,
    per_phase: Annotated[
        bool, Query(description="Every phase, and the change between consecutive phases")
    ] = False,
    key_players: Annotated[int, Query(ge=0, le=100, description="Size of the key-player set")]
    = 5,
    seed: SeedDep = 0,
) -> Response:
    """Density, reciprocity, path length, diameter, transitivity, degree centralisation,
    components, k-cores, the core-periphery fit and the key-player set; per group with `by`."""
    return json_answer(
        request,
        store,
        ProfileAnswer,
        lambda: decisions.profile(store, by=by, per_phase=per_phase, key_players=key_players,
                                  seed=seed, **net),
    )
