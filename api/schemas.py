"""Response models of the JSON routes.

Analysis answers are the dicts of :mod:`kg.queries.analyses` (the same JSON as ``kg analyse
--format json``). The models name and type the fields users rely on; nested detail that varies
with the options (explanations, profiles, parameters) passes through as extra fields.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ERRORS",
    "AssetsAnswer",
    "BrokersAnswer",
    "ChangeAnswer",
    "CommunitiesAnswer",
    "EntityPage",
    "ErrorBody",
    "Health",
    "HybridsAnswer",
    "IngestAnswer",
    "PersonDetail",
    "RiskAnswer",
    "SilosAnswer",
]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorBody(BaseModel):
    """Every error: what went wrong and what to send instead (a refused import adds
    ``problems``, each naming file, row and column; a malformed request lists its fields)."""

    detail: str | list[dict[str, Any]]
    problems: list[dict[str, Any]] | None = None


_ERROR_JSON = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
# Errors are JSON on every route, pages included (``content`` says so where a route's own
# answers are HTML).
ERRORS = {
    code: {"model": ErrorBody, "description": words, "content": dict(_ERROR_JSON)}
    for code, words in (
        (401, "missing or unknown API key"),
        (403, "the key's role is too low, or a keyless server refusing a client on another "
              "machine"),
        (404, "no such person, group, phase or survey"),
        (422, "a parameter or an upload that cannot be used, saying what to send instead"),
        (429, "too many new questions from this key in a minute; Retry-After says when"),
    )
}


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    backend: str
    revision: int
    auth: str = Field(description="'api-keys', or 'localhost-only' when no keys are configured")
    version: str


class Entity(_Open):
    id: str
    label: str
    source: str | None = Field(None, description="the file it was imported from")
    imported_at: str | None = None


class EntityPage(BaseModel):
    items: list[Entity]
    total: int
    limit: int
    offset: int


class Period(BaseModel):
    """The period an answer covers (README: "Which period an answer describes")."""

    start: str | None = Field(description="first day, YYYY-MM-DD (None: from the beginning)")
    end: str | None = Field(description="last day, YYYY-MM-DD (None: to the end)")
    as_of: str | None = Field(description="what 'now' means: the date people are in post at")
    rule: str = Field(description="latest phase, look-back, phase, window or whole history",
                      examples=["latest phase"])
    phase: str | None = None
    label: str = Field(description="the period in words")


class PersonDetail(Entity):
    roles: list[dict[str, Any]]
    forums: list[dict[str, Any]]
    ties: dict[str, int] = Field(description="direct ties out and in")
    metrics: dict[str, Any] | None = Field(
        None, description="network metrics in the period (None if not in its network)"
    )
    period: Period = Field(description="the period the metrics describe")


class Parameters(_Open):
    period: Period


class _Answer(_Open):
    parameters: Parameters


class Community(_Open):
    id: int
    members: list[str]
    kind: str = Field(
        description="community_of_practice, organisational_cluster or cross_boundary_network"
    )
    size: int


class CommunitiesAnswer(_Answer):
    modularity: float = Field(description="standard modularity (resolution 1) of the partition")
    quality: float = Field(description="modularity at the requested resolution")
    resolution: float
    restarts: int = Field(description="seeded runs; the best is kept")
    modularity_spread: dict[str, float] = Field(description="min, median, max over the runs")
    communities: list[Community]


class SiloGroup(_Open):
    group: Any
    ei_index: float | None
    expected_ei: float | None = Field(None, description="mean E-I under shuffled labels")
    p_closed: float | None = Field(None, description="one-sided p: more closed than chance")
    p_open: float | None = Field(None, description="one-sided p: more open than chance")
    p_value: float | None = Field(description="two-sided permutation p-value")
    direction: str | None = Field(None, description="closed, open or neither (at alpha)")
    internal: int
    external: int


class SilosAnswer(_Answer):
    attribute: str
    ei_index: float | None
    groups: list[SiloGroup]
    matrix: dict[str, Any]


class Broker(_Open):
    id: str
    name: str | None
    rank: int = Field(description="Place in the ranking, from 1, among the people who may be "
                      "named for the period.")
    rank_range: list[int] = Field(
        description="Best and worst rank the score allows: equal when the rank is certain; "
                    "an estimated score's 95% interval (score +- 1.96 errors) may allow several.")
    score: float | None
    error: float | None = Field(
        None, description="Standard error of an estimated score; null when exact.")
    betweenness: float | None
    constraint: float | None
    effective_size: float | None
    roles: dict[str, int] | None = None


class BrokersAnswer(_Answer):
    brokers: list[Broker]


class RankedPerson(_Open):
    id: str
    name: str | None
    score: float | None


class HybridsAnswer(_Answer):
    n_hybrid: int
    n_other: int
    p_value: float | None
    hybrids: list[RankedPerson]


class RiskAnswer(_Answer):
    attribute: str | None = None
    people: list[dict[str, Any]] | None = None
    combined: dict[str, Any] | None = None
    removed: list[str] | None = None
    impact: dict[str, Any] | None = None


class ChangeAnswer(_Open):
    attribute: str
    periods: dict[str, Period]
    people_lost: list[dict[str, Any]] = Field(description="in the first period, not the second")
    people_gained: list[dict[str, Any]]
    people: dict[str, int]
    silos: list[dict[str, Any]]
    brokers: dict[str, list[dict[str, Any]]]
    communities: dict[str, Any]


class AssetsAnswer(_Answer):
    assets: list[dict[str, Any]]
    summary: dict[str, Any]


class IngestAnswer(_Open):
    dry_run: bool
    rows: dict[str, int]
    nodes: dict[str, int]
    relationships: dict[str, int]
    written: dict[str, int] | None
    revision: int


# -- what worked: interventions and their effect (kg.queries.impact) ---------------------------
class Intervention(_Open):
    id: str
    name: str | None
    kind: str | None = Field(description="new_forum, introduction, restructure, training, "
                             "co_location, role_change or other")
    date: str | None = Field(description="YYYY-MM-DD")
    target_kind: str | None = Field(description="people, forums, organisations or boundary")
    targets: list[str] = Field(description="ids, or for a boundary its groups (see attribute)")


class InterventionsAnswer(BaseModel):
    interventions: list[Intervention]
    count: int


class ImpactEffect(_Open):
    ties: float | None = Field(description="difference in differences, in ties: the target's "
                               "ties after against those the comparison's trend predicts")
    density: float | None = Field(description="difference in differences of tie density")
    interval: list[float] | None = Field(description="bootstrap percentile interval of ties "
                                         "(None: too few people to resample)")
    level: float
    n_boot: int
    threshold: float = Field(description="the smallest change that matters, in ties")


class ImpactParameters(_Open):
    intervention: str
    before: Period
    after: Period
    windows: str = Field(description="how the two windows were chosen, in words")


class ImpactAnswer(_Open):
    intervention: Intervention
    target: dict[str, Any]
    comparison: dict[str, Any]
    measure: str = Field(examples=["ties between acute and community"])
    ties: dict[str, dict[str, Any]] = Field(description="target and comparison: before, after, "
                                            "formed, lost, kept, pairs, density")
    effect: ImpactEffect
    ei: dict[str, Any]
    reach: dict[str, Any]
    direction: str = Field(description="more, fewer, too small to matter or cannot tell")
    verdict: str
    headline: str
    caveat: str
    notes: list[str]
    parameters: ImpactParameters


# -- decisions: whom to introduce, brokerage direction, the network at a glance --------------


class Introduction(_Open):
    rank: int
    id_a: str
    name_a: str | None
    group_a: Any
    id_b: str
    name_b: str | None
    group_b: Any
    distance: int | None = Field(description="hops between them now (None: no path)")
    gain: float = Field(description="rise in cross-group efficiency if they were tied")
    gain_share: float | None = Field(description="the gain over the efficiency before")
    pairs_shortened: int
    pairs_connected: int
    pairs_new_route: int
    via: dict[str, list[dict[str, Any]]] = Field(
        description="who could introduce them: contacts, forums, or a chain of contacts")
    route: str


class IntroductionsAnswer(_Answer):
    attribute: str
    sides: dict[str, Any]
    before: dict[str, Any] = Field(description="cross-group efficiency, connected share, mean "
                                   "distance before any introduction")
    introductions: list[Introduction]
    combined: dict[str, Any] | None = Field(description="efficiency if all were made")
    overload: dict[str, Any]
    gain: str = Field(description="how the gain is defined")


class DirectionAnswer(_Answer):
    people: list[dict[str, Any]]
    hybrids: list[dict[str, Any]]
    upward_vs_downward: dict[str, Any] = Field(
        description="paired Wilcoxon test and rank-biserial r over hybrid middle managers")
    versus_other_middle: dict[str, dict[str, Any]] = Field(
        description="Cliff's delta and Mann-Whitney U against other middle managers")
    totals: dict[str, dict[str, int]]
    answer: str


class ProfileAnswer(_Answer):
    profile: dict[str, Any]
    groups: list[dict[str, Any]] | None
    phases: list[dict[str, Any]] | None
    changes: list[dict[str, Any]] | None = Field(
        description="each measure's change between consecutive phases")
    measures: list[str]


__all__ += ["DirectionAnswer", "IntroductionsAnswer", "ProfileAnswer"]
