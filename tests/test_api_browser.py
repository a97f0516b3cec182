"""Pages served by the running API, in a real headless browser (Debian's chromium through
Playwright): under the API's Content-Security-Policy they load with no failed request and no
JavaScript error, and draw their nodes."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from browser_support import CHROMIUM, PAINTED, Watched

from api import create_app
from kg.config import Settings
from kg.ingest import ingest_path
from kg.store.sqlite import SQLiteStore

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]
sync_api = pytest.importorskip("playwright.sync_api")
uvicorn = pytest.importorskip("uvicorn")

KEY = "browser-viewer-key"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, small_bundle):
    """The API over the small demo partnership, served by uvicorn on a loopback port."""
    data = tmp_path_factory.mktemp("browser-data")
    with SQLiteStore(data / "carebridge.sqlite") as store:
        ingest_path(store, small_bundle)
    app = create_app(Settings(data_dir=data, api_keys=f"{KEY}:viewer"))
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline:
            pytest.fail("the API did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
    app.state.store.close()


@pytest.mark.parametrize(
    "path",
    [
        "/maps/network",
        "/maps/network?color_by=community",
        "/maps/ego/P000001?hops=2",
        "/maps/bridges?by=sector&between=acute&between=community",
        "/maps/communities",
        "/maps/organisations",
    ],
)
def test_served_maps_load_clean_and_draw_nodes(server, browser, path):
    watched = Watched(browser, server + path, headers={"X-API-Key": KEY}).wait_ready()
    try:
        assert watched.evaluate(PAINTED) > 100, "no nodes drawn"
        assert watched.failed == [] and watched.errors == []
        assert all(s == 200 for s in watched.statuses)
        requested_hosts = watched.evaluate(
            "performance.getEntriesByType('resource').map(e => new URL(e.name).host)"
        )
        assert all(h in ("", server.split("//")[1]) for h in requested_hosts)
    finally:
        watched.close()


def test_served_report_loads_clean(server, browser):
    watched = Watched(browser, server + "/report", headers={"X-API-Key": KEY})
    try:
        watched.page.wait_for_load_state("load")
        assert watched.statuses[0] == 200
        assert watched.page.locator("svg").count() >= 1  # charts are drawn server-side
        assert watched.failed == [] and watched.errors == []
    finally:
        watched.close()
