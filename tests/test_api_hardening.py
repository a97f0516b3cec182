"""The API as a hostile client meets it: bodies checked before they are read, answers that hold
personal data kept out of shared caches, and an answer cache that junk parameters, failures and
concurrent imports cannot poison."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import create_app
from kg.config import Settings
from kg.model import Node, NodeLabel
from kg.queries import snapshot
from kg.queries.snapshot import cached
from kg.store.sqlite import SQLiteStore

KEYS = {"viewer": "k-view-123", "admin": "k-admin-789"}
REMOTE = ("10.1.2.3", 40000)


@pytest.fixture(scope="module")
def settings(demo_data):
    keys = ",".join(f"{k}:{role}" for role, k in KEYS.items())
    return Settings(data_dir=demo_data, output_dir=demo_data / "out", api_keys=keys,
                    max_upload_mb=1)


@pytest.fixture(scope="module")
def client(settings):
    app = create_app(settings)
    yield TestClient(app, client=REMOTE)
    app.state.store.close()


HEAD = (b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.zip"\r\n'
        b"Content-Type: application/zip\r\n\r\n")
CHUNK = 64 * 1024


def post_chunked(app, key: str | None, chunks: int) -> tuple[int, int]:
    """POST /ingest straight through the ASGI app, the body streamed in chunks with no
    Content-Length (as a chunked upload arrives); returns (status, chunks the server read)."""
    read = 0
    messages = []

    async def receive():
        nonlocal read
        read += 1
        body = HEAD if read == 1 else b"x" * CHUNK
        return {"type": "http.request", "body": body, "more_body": read <= chunks}

    async def send(message):
        messages.append(message)

    headers = [(b"content-type", b"multipart/form-data; boundary=xyz"), (b"host", b"test")]
    if key:
        headers.append((b"x-api-key", key.encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/ingest", "raw_path": b"/ingest",
             "query_string": b"", "root_path": "", "headers": headers, "client": REMOTE,
             "server": ("test", 80)}
    # A thread of its own: a session-wide browser may hold this thread's event loop.
    worker = threading.Thread(target=lambda: asyncio.run(app(scope, receive, send)))
    worker.start()
    worker.join(timeout=60)
    start = next(m for m in messages if m["type"] == "http.response.start")
    return start["status"], read


def test_an_upload_without_a_key_is_refused_before_its_body_is_read(client):
    status, read = post_chunked(client.app, None, chunks=200)  # 12.5 MB
    assert (status, read) == (401, 0)
    status, read = post_chunked(client.app, "guess", chunks=200)
    assert (status, read) == (401, 0)


def test_a_chunked_upload_over_the_limit_is_cut_off_with_413(client):
    status, read = post_chunked(client.app, KEYS["admin"], chunks=200)
    assert status == 413
    assert read <= 2**20 // CHUNK + 2  # stopped at the 1 MB limit, not at 12.5 MB


def test_the_guards_own_refusals_carry_nosniff(settings):
    app = create_app(Settings(**{**settings.model_dump(), "api_keys": ""}))
    try:
        r = TestClient(app, client=REMOTE).get("/health")
        assert r.status_code == 403 and r.headers["x-content-type-options"] == "nosniff"
    finally:
        app.state.store.close()


@pytest.mark.parametrize("url", ["/people", "/analysis/brokers", "/maps/organisations",
                                 "/people/P000001"])
def test_personal_data_is_private_and_not_stored(client, url):
    r = client.get(url, headers={"X-API-Key": KEYS["viewer"]})
    assert r.status_code == 200
    assert r.headers["cache-control"] == "private, no-store"
    assert "X-API-Key" in r.headers.get_list("vary", split_commas=True)


def test_undeclared_parameters_do_not_make_new_questions(client):
    h = {"X-API-Key": KEYS["viewer"]}
    first = client.get("/analysis/silos?by=sector", headers=h)
    before = len(snapshot._SMALL)
    for i in range(20):
        r = client.get(f"/analysis/silos?by=sector&junk={i}", headers=h)
        assert r.headers["etag"] == first.headers["etag"]
    assert len(snapshot._SMALL) == before
    assert client.get("/analysis/silos?by=organisation", headers=h).headers["etag"] != \
        first.headers["etag"]


def test_a_failed_computation_releases_its_lock(tmp_path):
    store = SQLiteStore(tmp_path / "kg.sqlite")

    def fail():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        cached(store, "t", ("k",), fail)
    done = []
    worker = threading.Thread(target=lambda: done.append(cached(store, "t", ("k",), lambda: 7)))
    worker.start()
    worker.join(timeout=10)
    assert done == [7]
    store.close()


def test_an_answer_computed_across_an_import_is_not_filed_under_the_old_revision(tmp_path):
    store = SQLiteStore(tmp_path / "kg.sqlite")
    calls = []

    def compute_during_an_import():
        calls.append(1)
        store.upsert([Node(NodeLabel.PERSON, f"P{len(calls)}", {"name": "x"})])
        return len(calls)

    revision = store.revision()
    cached(store, "t", ("k",), compute_during_an_import, revision=revision)
    cached(store, "t", ("k",), compute_during_an_import, revision=revision)
    assert len(calls) == 2  # not served from the cache under a revision it does not hold
    store.close()


def test_many_small_answers_do_not_evict_the_networks(tmp_path):
    store = SQLiteStore(tmp_path / "kg.sqlite")
    network = object()
    cached(store, "person_graph", ("net",), lambda: network)
    for i in range(snapshot.MAX_SMALL + 50):
        cached(store, "api", (i,), lambda: b"answer")
    assert cached(store, "person_graph", ("net",), lambda: object()) is network
    store.close()


def test_docker_compose_requires_keys_binds_locally_and_checks_the_store():
    import yaml

    compose = yaml.safe_load((Path(__file__).parents[1] / "docker-compose.yml").read_text())
    api, neo4j = compose["services"]["api"], compose["services"]["neo4j"]
    assert api["environment"]["KG_API_KEYS"].startswith("${KG_API_KEYS:?")  # required
    assert all(str(p).startswith("127.0.0.1:") for p in api["ports"] + neo4j["ports"])
    assert "/health" in " ".join(api["healthcheck"]["test"])  # HTTP: the store answers
    assert "NEO4J_server_memory_heap_max__size" in neo4j["environment"]


def test_head_is_get_without_a_body(client):
    h = {"X-API-Key": KEYS["viewer"]}
    got, head = client.get("/people", headers=h), client.head("/people", headers=h)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]


def test_vocabulary_filters_refuse_unknown_values(client):
    h = {"X-API-Key": KEYS["viewer"]}
    r = client.get("/organisations?sector=hospital", headers=h)
    assert r.status_code == 422 and "acute" in r.text  # says what to send instead
    assert client.get("/forums?kind=party", headers=h).status_code == 422
    acute = client.get("/organisations?sector=acute", headers=h).json()["items"]
    assert acute and all(o["sector"] == "acute" for o in acute)


def test_an_ingest_reply_names_the_upload_not_the_servers_folder(client, small_bundle):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for f in small_bundle.glob("*.csv"):
            z.write(f, f.name)
    r = client.post("/ingest?dry_run=true", headers={"X-API-Key": KEYS["admin"]},
                    files={"file": ("my-bundle.zip", buf.getvalue(), "application/zip")})
    assert r.status_code == 200, r.text
    assert r.json()["path"] == "my-bundle.zip" and "carebridge-upload" not in r.text


def test_an_apps_own_settings_reach_the_analyses(settings):
    app = create_app(Settings(**{**settings.model_dump(), "exact_max_nodes": 10}))
    try:
        r = TestClient(app, client=REMOTE).get("/metrics?format=json",
                                                headers={"X-API-Key": KEYS["admin"]})
        assert r.status_code == 200
        assert "exact up to 10 people" in r.json()["parameters"]["metrics"]["betweenness"]
    finally:
        app.state.store.close()


def test_the_unpack_budget_follows_the_upload_not_the_limit(settings):
    import io
    import zipfile

    # With the default 200 MB limit the old budget was 4 GB: a 30 KB zip could fill the disk.
    app = create_app(Settings(**{**settings.model_dump(), "max_upload_mb": 200}))
    try:
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("people.csv", "id,name\n" + "0" * (30 * 2**20))
        assert len(bomb.getvalue()) < 100 * 1024
        r = TestClient(app, client=REMOTE).post(
            "/ingest?dry_run=true", headers={"X-API-Key": KEYS["admin"]},
            files={"file": ("bomb.zip", bomb.getvalue(), "application/zip")})
        assert r.status_code == 422 and "unpacks to more than 20 MB" in r.text
    finally:
        app.state.store.close()


def test_a_key_cannot_keep_the_server_computing(settings):
    app = create_app(Settings(**{**settings.model_dump(), "fresh_per_minute": 3}))
    client = TestClient(app, client=REMOTE)
    h = {"X-API-Key": KEYS["viewer"]}
    try:
        for seed in range(3):  # three new questions: computed
            assert client.get(f"/analysis/hybrids?seed={seed}", headers=h).status_code == 200
        r = client.get("/analysis/hybrids?seed=99", headers=h)  # a fourth: refused, with a wait
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert client.get("/analysis/hybrids?seed=0", headers=h).status_code == 200  # cached
        other = {"X-API-Key": KEYS["admin"]}  # another key has its own budget
        assert client.get("/analysis/hybrids?seed=99", headers=other).status_code == 200
    finally:
        app.state.store.close()
