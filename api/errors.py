"""Domain errors become HTTP responses here, and only here.

Every error body is ``{"detail": message}``; an import with defects adds ``"problems"``, each
naming file, row and column.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kg.errors import (
    AnalysisError,
    BackendUnavailable,
    CarebridgeError,
    ConfigError,
    Ended,
    ImportValidationError,
    InvalidParameter,
    NotFound,
    NotNow,
    RateLimited,
    StoreError,
    UploadTooLarge,
)

__all__ = ["install_error_handlers"]

log = logging.getLogger("carebridge.api")

# Most specific first: the first matching class decides the status.
_STATUS: list[tuple[type[CarebridgeError], int]] = [
    (NotFound, 404),
    (NotNow, 409),
    (Ended, 410),
    (RateLimited, 429),
    (UploadTooLarge, 413),
    (ImportValidationError, 422),
    (InvalidParameter, 422),
    (AnalysisError, 422),
    (BackendUnavailable, 503),
    (StoreError, 503),
    (ConfigError, 503),
    (CarebridgeError, 400),
]


def status_for(exc: CarebridgeError) -> int:
    return next(code for cls, code in _STATUS if isinstance(exc, cls))


async def _domain_error(request: Request, exc: CarebridgeError) -> JSONResponse:
    code = status_for(exc)
    body: dict = {"detail": str(exc)}
    if isinstance(exc, ImportValidationError):
        body["detail"] = (
            f"{len(exc.problems)} problem(s) in the bundle; nothing was imported. "
            "Fix them and upload again."
        )
        body["problems"] = [p.as_dict() for p in exc.problems]
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    if code >= 500:
        # the class only: messages may quote data
        route = getattr(request.scope.get("route"), "path", "?")
        log.warning("%s on %s", type(exc).__name__, route)
    return JSONResponse(body, status_code=code, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CarebridgeError, _domain_error)
