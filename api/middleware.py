"""The guard every request passes: who may connect, how large a body may be, what is logged.

A plain ASGI middleware (no per-request task or body copy, unlike ``@app.middleware``).
"""

from __future__ import annotations

import logging
import time

import orjson

from api.security import is_loopback

__all__ = ["Guard"]

log = logging.getLogger("carebridge.api")

LOCAL_ONLY = (
    "this server has no API keys configured and serves localhost only; set KG_API_KEYS to "
    "open it to other machines"
)


class Guard:
    """Refuse non-local clients when there are no keys, and bodies over ``max_bytes``; add
    ``X-Content-Type-Options``; log method, route template, status and time (never the path:
    ids in paths may identify people)."""

    def __init__(self, app, *, local_only: bool, max_bytes: int, too_large: str):
        self.app = app
        self.local_only = local_only
        self.max_bytes = max_bytes
        self.too_large = too_large

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        client = scope.get("client")
        if self.local_only and not is_loopback(client[0] if client else None):
            return await _reply(send, 403, LOCAL_ONLY)
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                return await _reply(send, 413, self.too_large)
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-content-type-options", b"nosniff"),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            route = getattr(scope.get("route"), "path", "(unmatched)")
            log.info(
                "%s %s %d %.1f ms",
                scope["method"],
                route,
                status,
                (time.perf_counter() - started) * 1000,
            )


async def _reply(send, status: int, detail: str) -> None:
    body = orjson.dumps({"detail": detail})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
