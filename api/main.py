"""The application factory: settings, the store, security, routes and error handling."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from api.deps import apply_settings
from api.errors import install_error_handlers
from api.middleware import CachedAnswers, Guard
from api.ratelimit import TokenBucket
from api.responses import Answers
from api.routes import home, routers
from api.routes.ingest import too_large
from api.schemas import ERRORS
from kg import __version__
from kg.config import Settings, get_settings
from kg.errors import ConfigError
from kg.store import open_store
from kg.store.base import GraphStore

__all__ = ["create_app"]

log = logging.getLogger("carebridge.api")

DESCRIPTION = """
Who bridges acute, community and social care, through which forums, and what if they leave?
The same questions as the `kg` command, interactive maps and the board report.

**Access.** Send an API key in the `X-API-Key` header. Roles: *viewer* (analysis, maps, report,
people and forums), *analyst* (+ metrics export), *admin* (+ import). A server started without
keys (`KG_API_KEYS` empty) answers only clients on its own machine.

**Freshness.** Answers are cached by the store's revision: any import makes the next answer new.
"""


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """Build the API over ``store`` (default: the store ``settings`` name, opened now).

    Raises
    ------
    ConfigError
        ``KG_API_KEYS`` is malformed.
    """
    settings = settings or get_settings()
    try:
        api_keys = settings.api_key_roles()
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    own_store = store is None
    store = store or open_store(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if not api_keys:
            log.warning("no API keys configured (KG_API_KEYS): serving localhost only")
        yield
        if own_store:
            store.close()

    app = FastAPI(
        dependencies=[Depends(apply_settings)],
        responses=ERRORS,
        title="Carebridge",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        # /docs is served by api.routes.home with Swagger UI from this server (works offline).
        docs_url=None,
        redoc_url=None,  # ReDoc would load its script from a CDN; /docs answers the same
        openapi_tags=[
            {
                "name": "analysis",
                "description": "Silos, brokers, communities, hybrids, risk, change",
            },
            {"name": "maps", "description": "Interactive maps (HTML) that open offline"},
            {"name": "report", "description": "The board report"},
            {"name": "export", "description": "Metrics for R, UCINET and Gephi (analysts)"},
            {"name": "ingest", "description": "Import a partnership bundle (admins)"},
        ],
    )
    app.state.settings = settings
    app.state.store = store
    app.state.api_keys = api_keys
    app.state.fresh = (TokenBucket(settings.fresh_per_minute)
                       if settings.fresh_per_minute else None)
    app.state.answers = Answers()
    install_error_handlers(app)
    app.include_router(home.router)  # the way in (/) and the offline docs (/docs)
    for router in routers:
        app.include_router(router)

    # The last added runs first: Guard, then the answers already computed, then the app.
    app.add_middleware(CachedAnswers, answers=app.state.answers, store=store, keys=api_keys)
    app.add_middleware(
        Guard,
        local_only=not api_keys,
        max_bytes=settings.max_upload_mb * 2**20,
        too_large=too_large(settings.max_upload_mb),
        keys=api_keys,
    )
    return app
