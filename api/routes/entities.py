"""What the store holds: people, organisations, forums and knowledge assets, with paging."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import StoreDep, ViewerDep
from api.routes.params import AsOf, Phase, Window
from api.schemas import Entity, EntityPage, PersonDetail
from kg.errors import NotFound
from kg.model import AssetKind, ForumKind, Node, NodeLabel, Sector
from kg.queries.people import person_detail

router = APIRouter(tags=["entities"])

Limit = Annotated[int, Query(ge=1, le=1000, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=10**9, description="Rows to skip")]
Filter = Annotated[str | None, Query(max_length=200)]


def _entity(node: Node) -> Entity:
    # extra columns of the bundle become fields, but never shadow the record's own
    return Entity.model_validate(
        {
            **node.props,
            "id": node.id,
            "label": node.label.value,
            "source": node.source,
            "imported_at": node.imported_at,
        }
    )


def _page(store, label: NodeLabel, filters: dict, limit: int, offset: int) -> EntityPage:
    filters = {k: v for k, v in filters.items() if v is not None}
    return EntityPage(
        items=[_entity(n) for n in store.find_nodes(label, filters, limit=limit, offset=offset)],
        total=store.count_nodes(label, filters),
        limit=limit,
        offset=offset,
    )


def _code(value) -> str | None:
    """A vocabulary filter as stored (the schema lists the allowed values; others get 422)."""
    return value.value if value is not None else None


def _one(store, label: NodeLabel, id: str, kind: str) -> Node:
    node = store.get_node(label, id)
    if node is None:
        raise NotFound(kind, id)
    return node


@router.get("/people", response_model=EntityPage, summary="People, filtered and paged")
def list_people(
    store: StoreDep,
    _: ViewerDep,
    profession: Filter = None,
    band: Filter = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> EntityPage:
    return _page(store, NodeLabel.PERSON, {"profession": profession, "band": band}, limit, offset)


@router.get(
    "/people/{person_id}",
    response_model=PersonDetail,
    summary="One person: roles, forums, ties and network metrics",
)
def get_person(
    person_id: str, store: StoreDep, _: ViewerDep, window: Window = None, phase: Phase = None,
    as_of: AsOf = None,
) -> PersonDetail:
    """Roles and forums over the whole history; metrics in the period (default: now)."""
    found = person_detail(store, person_id, window=window, phase=phase, as_of=as_of)
    return PersonDetail.model_validate(
        {
            **_entity(found["node"]).model_dump(),
            "roles": found["roles"],
            "forums": found["forums"],
            "ties": found["ties"],
            "metrics": found["metrics"],
            "period": found["period"],
        }
    )


@router.get("/organisations", response_model=EntityPage, summary="Organisations and teams")
def list_organisations(
    store: StoreDep, _: ViewerDep, sector: Sector | None = None, limit: Limit = 100,
    offset: Offset = 0,
) -> EntityPage:
    return _page(store, NodeLabel.ORGANISATION, {"sector": _code(sector)}, limit, offset)


@router.get("/organisations/{organisation_id}", response_model=Entity)
def get_organisation(organisation_id: str, store: StoreDep, _: ViewerDep) -> Entity:
    return _entity(_one(store, NodeLabel.ORGANISATION, organisation_id, "organisation"))


@router.get("/forums", response_model=EntityPage, summary="Forums: boards, MDTs, CoPs, ...")
def list_forums(
    store: StoreDep,
    _: ViewerDep,
    kind: ForumKind | None = None,
    cadence: Filter = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> EntityPage:
    return _page(store, NodeLabel.FORUM, {"kind": _code(kind), "cadence": cadence}, limit,
                 offset)


@router.get("/forums/{forum_id}", response_model=Entity)
def get_forum(forum_id: str, store: StoreDep, _: ViewerDep) -> Entity:
    return _entity(_one(store, NodeLabel.FORUM, forum_id, "forum"))


@router.get("/assets", response_model=EntityPage, summary="Knowledge assets")
def list_assets(
    store: StoreDep, _: ViewerDep, kind: AssetKind | None = None, limit: Limit = 100,
    offset: Offset = 0,
) -> EntityPage:
    return _page(store, NodeLabel.ASSET, {"kind": _code(kind)}, limit, offset)


@router.get("/assets/{asset_id}", response_model=Entity)
def get_asset(asset_id: str, store: StoreDep, _: ViewerDep) -> Entity:
    return _entity(_one(store, NodeLabel.ASSET, asset_id, "knowledge asset"))
