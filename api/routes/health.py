"""``GET /health``: is the service up, which store, which revision."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.deps import StoreDep
from api.schemas import Health
from kg import __version__

router = APIRouter(tags=["health"])




@router.get("/health", response_model=Health, summary="Service status")
def health(request: Request, store: StoreDep) -> Health:
    """Open to any caller the server accepts: it tells no data, only that the store answers."""
    return Health(
        status="ok",
        backend=store.backend,
        revision=store.revision(),
        auth="api-keys" if request.app.state.api_keys else "localhost-only",
        version=__version__,
    )
