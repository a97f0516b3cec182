"""Query parameters shared by the analysis, map and export routes."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query

from kg.analysis.projection import GROUP_ATTRIBUTES, LAYERS

__all__ = ["AsOf", "Grouping", "NetDep", "Paths", "Phase", "SeedDep", "Top", "Window"]

# The vocabularies are in the schema, so a value the schema allows is one the API accepts.
Grouping = Annotated[
    Literal[GROUP_ATTRIBUTES],
    Query(description="Grouping: " + ", ".join(GROUP_ATTRIBUTES)),
]


_DAY = r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
WINDOW_PATTERN = rf"^(all|{_DAY}:({_DAY})?|:{_DAY})$"
DATE_PATTERN = rf"^{_DAY}$"

Window = Annotated[
    str | None,
    Query(
        description="This period instead of now: START:END in YYYY-MM-DD dates (either side "
        "may be blank), or `all` for the whole history",
        examples=["2014-07-01:2016-06-30"],
        max_length=40,
        pattern=WINDOW_PATTERN,
    ),
]
Phase = Annotated[
    str | None, Query(description="This named phase (id or name) instead of now",
                      max_length=200)
]
AsOf = Annotated[
    str | None,
    Query(description="What 'now' means, YYYY-MM-DD (default: the latest date in the data); "
          "chooses the default period", pattern=DATE_PATTERN),
]


def network_params(
    window: Window = None,
    phase: Phase = None,
    as_of: AsOf = None,
    layers: Annotated[
        list[Literal[LAYERS]] | None,
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
        "as_of": as_of,
        "layers": tuple(layers) if layers else None,
        "min_weight": min_weight,
    }


NetDep = Annotated[dict, Depends(network_params)]
SeedDep = Annotated[int, Query(ge=0, le=2**31 - 1, description="Seed of every random step")]
Paths = Annotated[
    str,
    Query(pattern="^(hops|weighted)$", description="Shortest paths count hops (default), or "
          "are weighted: a tie of weight w is a step of length 1/w (Newman 2001)"),
]
Top = Annotated[int, Query(ge=1, le=1000, description="How many to list")]
