"""Dependencies of the routes, as ``Annotated`` types: settings, the store, the caller's role."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader

from api.security import Role, role_of
from kg.config import Settings, use_settings
from kg.store.base import GraphStore

__all__ = [
    "AdminDep", "AnalystDep", "SettingsDep", "StoreDep", "ViewerDep", "apply_settings",
    "local_revision", "require",
]

# The dependencies are async because they do no I/O: a sync one would cost a thread hop per
# request.

api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="An API key from KG_API_KEYS; its role (viewer, analyst, admin) sets what it "
    "may do. Not needed when the server runs without keys (localhost only).",
)


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def apply_settings(request: Request) -> None:
    """Every request computes with its app's settings (e.g. ``exact_max_nodes``)."""
    use_settings(request.app.state.settings)


async def get_store(request: Request) -> GraphStore:
    return request.app.state.store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[GraphStore, Depends(get_store)]


def local_revision(store: GraphStore) -> bool:
    """Whether the store's revision is a read of a local file (a few microseconds), so the event
    loop may ask for it; a network store's is a round trip, for a thread."""
    return store.backend == "sqlite"


async def caller_role(
    request: Request, key: Annotated[str | None, Security(api_key_header)] = None
) -> Role:
    """The caller's role from ``X-API-Key``; 401 for a missing or unknown key."""
    keys: dict[str, str] = request.app.state.api_keys
    role = role_of(keys, key, request.client.host if request.client else None)
    if role is None and not keys:
        # No keys configured: the middleware already refused anyone not on this machine.
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this server serves localhost only")
    if role is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or unknown API key: send it in the X-API-Key header",
            headers={"WWW-Authenticate": "X-API-Key"},
        )
    return role


def require(minimum: Role):
    """A dependency that lets through callers whose role is at least ``minimum`` (else 403)."""

    async def check(role: Annotated[Role, Depends(caller_role)]) -> Role:
        if role < minimum:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"this needs the {minimum.name.lower()} role; your key has {role.name.lower()}",
            )
        return role

    check.minimum = minimum  # read by api.responses: a noted answer keeps its route's rule
    return check


ViewerDep = Annotated[Role, Depends(require(Role.VIEWER))]
AnalystDep = Annotated[Role, Depends(require(Role.ANALYST))]
AdminDep = Annotated[Role, Depends(require(Role.ADMIN))]
