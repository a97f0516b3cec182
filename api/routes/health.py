"""``GET /health``: is the service up, which store, which revision."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from api.deps import StoreDep, local_revision
from api.schemas import Health
from kg import __version__

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="Service status")
async def health(request: Request, store: StoreDep) -> Health:
    """Open to any caller the server accepts: it tells no data, only that the store answers."""
    # On the event loop when it can be: no thread to wait for while a computation runs.
    revision = (store.revision() if local_revision(store)
                else await run_in_threadpool(store.revision))
    return Health(
        status="ok",
        backend=store.backend,
        revision=revision,
        auth="api-keys" if request.app.state.api_keys else "localhost-only",
        version=__version__,
    )
