"""Query parameters shared by the analysis, map and export routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

__all__ = ["NetDep", "SeedDep"]


def network_params(
    window: Annotated[
        str | None,
        Query(
            description="Only this period, START:END in ISO dates (either side may be blank)",
            examples=["2014-07-01:2016-06-30"],
            max_length=40,
        ),
    ] = None,
    phase: Annotated[
        str | None, Query(description="Only this named phase (id or name)", max_length=200)
    ] = None,
    layers: Annotated[
        list[str] | None,
        Query(
            description="Layers of the person network: ties, forums, assets, teams "
            "(repeat the parameter; default ties, forums, assets)"
        ),
    ] = None,
    min_weight: Annotated[
        float, Query(ge=0, le=1e6, description="Drop person pairs linked by less than this")
    ] = 0.05,
) -> dict:
    return {
        "window": window,
        "phase": phase,
        "layers": tuple(layers) if layers else None,
        "min_weight": min_weight,
    }


NetDep = Annotated[dict, Depends(network_params)]
SeedDep = Annotated[int, Query(ge=0, le=2**31 - 1, description="Seed of every random step")]
