"""``GET /metrics``: every person-level and group-level metric, as a download (analysts)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import AnalystDep, SettingsDep, StoreDep
from api.routes.params import NetDep, Paths, SeedDep
from kg.queries import analyses

router = APIRouter(tags=["export"])

_TYPES = {f: {} for f in sorted(set(analyses.MEDIA_TYPES.values()))}


@router.get(
    "/metrics",
    response_class=Response,
    summary="Export network metrics",
    responses={200: {"content": _TYPES, "description": "The export file"}},
)
def metrics(
    store: StoreDep,
    settings: SettingsDep,
    _: AnalystDep,
    net: NetDep,
    format: Annotated[str, Query(pattern="^(csv|json|graphml|gexf)$")] = "csv",
    pseudonymise: Annotated[
        bool,
        Query(
            description="Replace names and ids with stable salted codes (the key stays on the "
            "server)"
        ),
    ] = False,
    by: Annotated[
        str, Query(description="Grouping of the group-level metrics and roles")
    ] = "organisation",
    seed: SeedDep = 0,
    k_anonymity: Annotated[
        int | None,
        Query(ge=2, le=1000, description="Pseudonymised only: generalise (team to "
              "organisation, profession to group, level) and then withhold attributes until "
              "every person shares them with at least k-1 others"),
    ] = None,
    min_group_size: Annotated[
        int, Query(ge=1, le=1000, description="Pseudonymised only: withhold group figures "
                   "over fewer people than this")
    ] = 5,
    paths: Paths = "hops",
) -> Response:
    """CSV is one row per person (a plain CSV; parameters, group rows and the privacy report
    are in the JSON export); GraphML and GEXF hold the person network itself (nodes with
    metrics, weighted edges) for Gephi, R or UCINET."""
    key = analyses.pseudonym_key(settings.data_dir) if pseudonymise else None
    content, media_type, filename = analyses.metrics_export(
        store, format=format, pseudonymise=pseudonymise, key=key, by=by, seed=seed,
        k_anonymity=k_anonymity, min_group_size=min_group_size, paths=paths, **net
    )
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
