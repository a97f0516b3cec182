"""Answers already computed are sent from the app's note of them (``api.middleware.
CachedAnswers``), without routing or dependencies, and with everything the routes would do:
the same keys and roles, privacy headers, ETag and gzip, HEAD, the log line, a new answer once
the store moves on, and nothing for an answer that depends on more than the request."""

from __future__ import annotations

import logging

import pytest
from fastapi import Request, Response
from fastapi.testclient import TestClient

import api.deps
from api import create_app
from api.deps import AnalystDep, StoreDep
from api.responses import json_answer
from api.schemas import Health
from kg.config import Settings
from kg.model import Node, NodeLabel
from kg.queries import snapshot

KEYS = {"viewer": "k-view-123", "analyst": "k-analyst-456", "admin": "k-admin-789"}
REMOTE = ("10.1.2.3", 40000)
URL = "/analysis/silos?by=sector"


@pytest.fixture(scope="module")
def settings(demo_data):
    keys = ",".join(f"{k}:{role}" for role, k in KEYS.items())
    return Settings(data_dir=demo_data, output_dir=demo_data / "out", api_keys=keys)


@pytest.fixture
def app(settings):
    application = create_app(settings)
    yield application
    application.state.store.close()


@pytest.fixture
def client(app):
    return TestClient(app, client=REMOTE)


@pytest.fixture
def routed(monkeypatch):
    """How many requests went through the app's dependencies (every route has them)."""
    calls = []
    real = api.deps.use_settings
    monkeypatch.setattr(api.deps, "use_settings", lambda s: (calls.append(1), real(s)))
    return calls


def get(client, url, role="viewer", **headers):
    return client.get(url, headers={"X-API-Key": KEYS[role], **headers})


def test_a_repeated_question_is_answered_without_the_app(client, routed):
    first = get(client, URL)
    assert first.status_code == 200 and len(routed) == 1
    for role in ("viewer", "admin"):  # any key the route lets in
        again = get(client, URL, role)
        assert again.status_code == 200 and again.content == first.content
        assert again.headers["etag"] == first.headers["etag"]
    assert len(routed) == 1
    other = get(client, URL + "&permutations=10")  # another question: computed
    assert other.status_code == 200 and len(routed) == 2


def test_cached_answers_keep_the_routes_keys_and_headers(client, routed):
    first = get(client, URL)
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers={"X-API-Key": "wrong"}).status_code == 401
    again = get(client, URL)
    assert again.headers["cache-control"] == "private, no-store"
    assert "X-API-Key" in again.headers.get_list("vary", split_commas=True)
    assert "Accept-Encoding" in again.headers.get_list("vary", split_commas=True)
    assert again.headers["x-content-type-options"] == "nosniff"
    assert get(client, URL, **{"If-None-Match": first.headers["etag"]}).status_code == 304
    head = client.head(URL, headers={"X-API-Key": KEYS["viewer"]})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == first.headers["etag"]
    page = get(client, "/maps/organisations", **{"Accept-Encoding": "gzip"})
    cached_page = get(client, "/maps/organisations", **{"Accept-Encoding": "gzip"})
    assert cached_page.headers["content-encoding"] == "gzip"
    assert cached_page.text == page.text and "<html" in page.text.lower()
    assert cached_page.headers["content-security-policy"] == page.headers[
        "content-security-policy"]
    assert len(routed) == 4  # the two refusals and the two first answers went through the app


def test_a_route_for_analysts_stays_closed_to_viewers(app, client):
    @app.get("/test-analysts", response_model=Health)
    def for_analysts(request: Request, store: StoreDep, _: AnalystDep) -> Response:
        return json_answer(request, store, Health, lambda: {
            "status": "ok", "backend": "sqlite", "revision": 0, "auth": "api-keys",
            "version": "0"})

    assert get(client, "/test-analysts", "admin").status_code == 200
    assert get(client, "/test-analysts", "analyst").status_code == 200
    assert get(client, "/test-analysts", "viewer").status_code == 403


def test_the_log_names_the_route_of_a_cached_answer(client, caplog):
    get(client, "/maps/ego/P000001")
    with caplog.at_level(logging.INFO, logger="carebridge.api"):
        assert get(client, "/maps/ego/P000001").status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "carebridge.api"]
    assert any("/maps/ego/{person_id} 200" in line for line in lines)
    assert not any("P000001" in line for line in lines)


def test_a_new_revision_or_an_evicted_answer_is_computed_again(app, client, routed):
    first = get(client, URL)
    snapshot.clear_cache()  # the answer left the cache: the note alone does not answer
    assert get(client, URL).status_code == 200 and len(routed) == 2
    store = app.state.store
    store.upsert([Node(NodeLabel.PERSON, "P-cached-test", {"name": "New Starter"})])
    try:
        moved = get(client, URL)
        assert moved.status_code == 200 and len(routed) == 3
        assert moved.headers["etag"] != first.headers["etag"]
    finally:
        store.delete_nodes(NodeLabel.PERSON, ["P-cached-test"])


def test_an_answer_that_depends_on_more_than_the_request_is_not_noted(client, routed):
    url = "/analysis/introductions?by=sector&between=acute&between=community"
    assert get(client, url).status_code == 200
    assert get(client, url).status_code == 200
    assert len(routed) == 2  # who opted out of surveys is read again each time


def test_health_reads_a_local_revision_on_the_event_loop(app, monkeypatch):
    """No thread to wait for (a computation may hold them); a network store's revision, a
    round trip, still goes to a thread."""
    import threading

    @app.get("/test-loop-thread")
    async def loop_thread() -> int:
        return threading.get_ident()

    store = app.state.store
    read_on = []
    real = type(store).revision
    monkeypatch.setattr(type(store), "revision",
                        lambda self: (read_on.append(threading.get_ident()), real(self))[1])
    with TestClient(app, client=REMOTE) as one_loop:  # one event loop for every request
        loop = one_loop.get("/test-loop-thread").json()
        assert get(one_loop, "/health").json()["revision"] == real(store)
        monkeypatch.setattr(type(store), "backend", "neo4j")
        assert get(one_loop, "/health").status_code == 200
    assert read_on == [loop, read_on[1]] and read_on[1] != loop
