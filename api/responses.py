"""Answers serialised once per store revision, and served as bytes.

A cached question costs a dictionary lookup; without this, every request would validate and
encode the same answer again (and compress a 1 MB map again). The body is checked against the
route's response model once, when it is built. Each body carries an ETag made of the revision
and the question, so a client that has it gets ``304 Not Modified``.

The question is the route and the query parameters it declares (others cannot change the
answer, so ``?x=1``, ``?x=2``... are one question, not a stream of cache entries). An answer is
filed under a revision only when the store held that revision from before it was computed to
after (:func:`kg.queries.snapshot.cached`); one computed across an import is served once
without an ETag. (Every response is marked private and varies on the key: see
:mod:`api.middleware`.)

An answer served fresh is also noted in the app's :class:`Answers` under the exact request (path
and query string), so the next identical request is sent from there
(:class:`api.middleware.CachedAnswers`) without routing, dependencies or a thread.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from fastapi import Request, Response
from pydantic import BaseModel
from starlette.datastructures import Headers

from kg.config import get_settings
from kg.errors import RateLimited
from kg.queries.snapshot import cached, is_cached
from kg.store.base import GraphStore

__all__ = ["PAGE_POLICY", "Answers", "html_answer", "json_answer"]

_GZIP_MIN = 4096

# The pages are self-contained (vis-network inlined), so the policy can forbid every fetch: if
# a name ever slipped through unescaped, the browser would still load nothing.
PAGE_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; frame-src 'self' data: about:; "
    "base-uri 'none'; form-action 'none'"
)
PAGE_HEADERS = {"Content-Security-Policy": PAGE_POLICY, "Referrer-Policy": "no-referrer"}


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Body:
    raw: bytes
    gz: bytes | None
    media_type: str
    etag: str


def _body(raw: bytes, media_type: str, key: tuple) -> Body:
    gz = gzip.compress(raw, compresslevel=6, mtime=0) if len(raw) >= _GZIP_MIN else None
    etag = '"' + hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest() + '"'
    return Body(raw, gz, media_type, etag)


_DECLARED: dict = {}  # id(route) -> the query parameter names it declares (routes live as long)


def _declared(request: Request) -> frozenset | None:
    route = request.scope.get("route")
    if route is None or not hasattr(route, "dependant"):
        return None
    if id(route) not in _DECLARED:
        names, todo = set(), [route.dependant]
        while todo:  # the route's own parameters and those of its dependencies
            dependant = todo.pop()
            names.update(p.alias for p in dependant.query_params)
            todo.extend(dependant.dependencies)
        _DECLARED[id(route)] = frozenset(names)
    return _DECLARED[id(route)]


def _question(request: Request) -> tuple:
    declared = _declared(request)
    items = [(k, v) for k, v in request.query_params.multi_items()
             if declared is None or k in declared]
    # stable sort: repeated parameters (between=a&between=b) keep their order; the exactness
    # limit is part of every question (two apps over one store may differ in it)
    return (request.url.path, tuple(sorted(items, key=lambda kv: kv[0])),
            get_settings().exact_max_nodes)


def respond(headers: Headers, body: Body, extra: dict | None = None, *,
            fresh: bool = True) -> Response:
    """``body`` as the request with these ``headers`` asks: 304 when it holds the ETag, gzip
    when it accepts it."""
    extra = {"Vary": "Accept-Encoding", **(extra or {})}
    if not fresh:  # computed across an import: its revision is unknown, so no ETag
        return Response(body.raw, media_type=body.media_type, headers=extra)
    extra["ETag"] = body.etag
    if headers.get("if-none-match") == body.etag:
        return Response(status_code=304, headers=extra)
    if body.gz is not None and "gzip" in headers.get("accept-encoding", ""):
        extra["Content-Encoding"] = "gzip"
        return Response(body.gz, media_type=body.media_type, headers=extra)
    return Response(body.raw, media_type=body.media_type, headers=extra)


@dataclass(frozen=True, slots=True)
class Entry:
    """An answer noted for the exact request that got it."""

    revision: int
    body: weakref.ref  # to the Body the answer cache holds: evicted there, gone here
    headers: dict | None
    route: object  # the route that computed it (its template is what the log names)
    minimum: object  # the least role the route lets through (None: any caller)


class Answers:
    """Answers by exact request: ``(path, raw query string)`` -> :class:`Entry`.

    Only a lookup aid: the bodies stay in (and leave with) the answer cache of
    :mod:`kg.queries.snapshot`, an entry is good only for the revision it names, and at most
    ``max_entries`` requests are remembered (the oldest forgotten first), so junk query strings
    cannot grow it.
    """

    def __init__(self, max_entries: int = 4096):
        self.max_entries = max_entries
        self._entries: dict[tuple[str, bytes], Entry] = {}
        self._lock = threading.Lock()

    def note(self, request: Request, revision: int, body: Body, headers: dict | None) -> None:
        route = request.scope.get("route")
        entry = Entry(revision, weakref.ref(body), headers, route, _minimum_role(route))
        with self._lock:
            self._entries[(request.scope["path"], request.scope["query_string"])] = entry
            while len(self._entries) > self.max_entries:
                del self._entries[next(iter(self._entries))]

    def find(self, path: str, query: bytes) -> Entry | None:
        return self._entries.get((path, query))


def _minimum_role(route) -> object:
    """The highest role any of the route's dependencies requires (``api.deps.require``)."""
    found, todo = None, [route.dependant] if hasattr(route, "dependant") else []
    while todo:
        dependant = todo.pop()
        minimum = getattr(dependant.call, "minimum", None)
        if minimum is not None and (found is None or minimum > found):
            found = minimum
        todo.extend(dependant.dependencies)
    return found


def _charge(request: Request, store: GraphStore, key: tuple, revision: int) -> None:
    """A caller starting a computation spends a token of the app's bucket
    (``KG_FRESH_PER_MINUTE``); out of tokens, 429 with the wait. A cached answer is free, but
    each new seed, period or grouping costs seconds: no key can keep the server busy."""
    bucket = getattr(request.app.state, "fresh", None)
    if bucket is None or is_cached(store, "api", key, revision=revision):
        return
    client = request.client.host if request.client else "?"
    wait = bucket.take(request.headers.get("x-api-key") or f"host:{client}")
    if wait > 0:
        raise RateLimited("too many new questions in a minute (at most "
                          f"{bucket.rate * 60:g}); answers already computed stay free: ask "
                          f"again in {int(wait) + 1} s", retry_after=int(wait) + 1)


def json_answer(
    request: Request,
    store: GraphStore,
    model: type[BaseModel],
    compute: Callable[[], dict],
    *,
    exclude_unset: bool = False,
    varies: tuple = (),
) -> Response:
    """``compute()`` checked against ``model`` and encoded once per revision and question;
    ``varies`` names anything else the answer depends on (who opted out of surveys, say)."""
    key = ("json",) + _question(request) + tuple(varies)
    revision = store.revision()
    _charge(request, store, key, revision)

    def build() -> Body:
        answer = model.model_validate(compute())
        data = answer.model_dump(mode="json", exclude_unset=exclude_unset)
        return _body(orjson.dumps(data), "application/json", (revision,) + key)

    body = cached(store, "api", key, build, revision=revision)
    # an answer that varies with more than the request cannot be found by the request alone
    return _answer(request, store, revision, body, None, notable=not varies)


def html_answer(
    request: Request, store: GraphStore, compute: Callable[[], str], *, filename: str | None = None
) -> Response:
    """An HTML page built once per revision and question, with the pages' security headers."""
    key = ("html",) + _question(request)
    revision = store.revision()
    _charge(request, store, key, revision)
    body = cached(
        store,
        "api",
        key,
        lambda: _body(compute().encode(), "text/html; charset=utf-8", (revision,) + key),
        revision=revision,
    )
    headers = dict(PAGE_HEADERS)
    if filename:
        headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return _answer(request, store, revision, body, headers)


def _answer(request: Request, store: GraphStore, revision: int, body: Body,
            headers: dict | None, *, notable: bool = True) -> Response:
    fresh = store.revision() == revision
    answers = getattr(request.app.state, "answers", None)
    if fresh and notable and answers is not None:
        answers.note(request, revision, body, headers)
    return respond(request.headers, body, headers, fresh=fresh)
