"""The guard every request passes: who may connect, how large a body may be, what is logged;
and, behind it, the answers already computed, sent without going through the app.

Plain ASGI middlewares (no per-request task or body copy, unlike ``@app.middleware``).
"""

from __future__ import annotations

import logging
import time

import orjson
from starlette.datastructures import Headers

from api.deps import local_revision
from api.responses import Answers, respond
from api.security import is_loopback, role_for_key, role_of
from kg.store.base import GraphStore

__all__ = ["CachedAnswers", "Guard"]

log = logging.getLogger("carebridge.api")

LOCAL_ONLY = (
    "this server has no API keys configured and serves localhost only; set KG_API_KEYS to "
    "open it to other machines"
)


NO_KEY = "missing or unknown API key: send it in the X-API-Key header"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# A survey respondent's link is their credential, not an API key: api.routes.survey checks the
# token and caps these bodies at 64 KB (the size limit below still applies first).
_RESPONDENT_PREFIX = "/s/"


class _TooLarge(Exception):
    pass


class Guard:
    """Refuse non-local clients when there are no keys, and bodies over ``max_bytes``; add
    ``X-Content-Type-Options``; log method, route template, status and time (never the path:
    ids in paths may identify people).

    A request that carries a body is checked before a byte of it is read: with keys configured
    it must present a known one (else 401), and its body is counted as it streams in, so a
    chunked upload without a ``Content-Length`` is cut off at ``max_bytes`` (413) instead of
    being spooled to disk first.

    Answers hold personal data: every response gets ``Cache-Control: private, no-store`` (unless
    the route set its own) and ``Vary: X-API-Key``, so no shared cache keeps or mixes them.
    """

    def __init__(self, app, *, local_only: bool, max_bytes: int, too_large: str,
                 keys: dict[str, str] | None = None):
        self.app = app
        self.local_only = local_only
        self.max_bytes = max_bytes
        self.too_large = too_large
        self.keys = keys or {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        client = scope.get("client")
        if self.local_only and not is_loopback(client[0] if client else None):
            return await _reply(send, 403, LOCAL_ONLY)
        headers = dict(scope["headers"])
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_bytes:
            return await _reply(send, 413, self.too_large)
        if (scope["method"] in _BODY_METHODS and self.keys
                and not scope["path"].startswith(_RESPONDENT_PREFIX)):
            presented = headers.get(b"x-api-key", b"").decode("latin-1")
            if not presented or role_for_key(presented, self.keys) is None:
                return await _reply(send, 401, NO_KEY)
        head = scope["method"] == "HEAD"
        if head:  # HEAD is GET without the body (RFC 9110 9.3.2); routes declare only GET
            scope = {**scope, "method": "GET"}
        started = time.perf_counter()
        status = 500
        received = 0
        too_big = False
        replied = False

        async def counted_receive():
            nonlocal received, too_big
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_big = True
                    raise _TooLarge
            return message

        async def send_with_headers(message):
            nonlocal status, replied
            if too_big:
                return  # the app's own error reply is replaced by the 413 below
            if message["type"] == "http.response.start":
                status = message["status"]
                replied = True
                sent = list(message.get("headers", []))
                names = {k.lower() for k, _ in sent}
                sent.append((b"x-content-type-options", b"nosniff"))
                if b"cache-control" not in names:
                    sent.append((b"cache-control", b"private, no-store"))
                sent.append((b"vary", b"X-API-Key"))
                message["headers"] = sent
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        try:
            await self.app(scope, counted_receive, send_with_headers)
        except _TooLarge:
            pass
        finally:
            if too_big and not replied:
                status = 413
                await _reply(send, 413, self.too_large)
            route = getattr(scope.get("route"), "path", "(unmatched)")
            log.info(
                "%s %s %d %.1f ms",
                scope["method"],
                route,
                status,
                (time.perf_counter() - started) * 1000,
            )


class CachedAnswers:
    """Send an answer the app has computed for this exact request (:class:`api.responses.
    Answers`) straight away: a dictionary lookup, the caller's role, the store's revision, and
    the bytes. Routing, parameter checks and dependencies would cost a few hundred
    microseconds and a thread per request, more than the rest of a cached answer.

    Anything else goes to the app: another request, a caller the route would refuse (so the
    app gives the 401 or 403), an entry of an older revision or whose body has left the cache.
    It sits inside :class:`Guard`, which has already let the client in and adds the privacy
    headers. Only for a store whose revision is a local read (SQLite): this runs on the event
    loop, where a network round trip per request would stall every other client.
    """

    def __init__(self, app, *, answers: Answers, store: GraphStore, keys: dict[str, str]):
        self.app = app
        self.answers = answers
        self.store = store
        self.keys = keys
        self.enabled = local_revision(store)

    async def __call__(self, scope, receive, send):
        if self.enabled and scope["type"] == "http" and scope["method"] == "GET":
            entry = self.answers.find(scope["path"], scope["query_string"])
            if entry is not None:
                headers = Headers(scope=scope)
                body = entry.body()
                if (body is not None and self._lets_in(scope, headers, entry.minimum)
                        and entry.revision == self.store.revision()):
                    scope["route"] = entry.route  # what Guard's log names
                    response = respond(headers, body, entry.headers)
                    return await response(scope, receive, send)
        await self.app(scope, receive, send)

    def _lets_in(self, scope, headers: Headers, minimum) -> bool:
        """Whether the route would let this caller in (the rule of :func:`api.deps.caller_role`
        and :func:`api.deps.require`)."""
        client = scope.get("client")
        role = role_of(self.keys, headers.get("x-api-key"), client[0] if client else None)
        return role is not None and (minimum is None or role >= minimum)


async def _reply(send, status: int, detail: str) -> None:
    body = orjson.dumps({"detail": detail})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-content-type-options", b"nosniff"),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
