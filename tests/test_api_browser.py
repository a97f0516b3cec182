"""Pages served by the running API, in a real headless browser (Debian's chromium through
Playwright): under the API's Content-Security-Policy they load with no failed request and no
JavaScript error, and draw their nodes."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from api import create_app
from kg.config import Settings
from kg.ingest import ingest_path
from kg.store.sqlite import SQLiteStore

CHROMIUM = Path("/usr/bin/chromium")
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


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


def _open(browser, url: str):
    context = browser.new_context(
        extra_http_headers={"X-API-Key": KEY}, viewport={"width": 1200, "height": 800}
    )
    page = context.new_page()
    seen = {"failed": [], "errors": [], "statuses": []}
    page.on("requestfailed", lambda r: seen["failed"].append(r.url))
    page.on("response", lambda r: seen["statuses"].append(r.status))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.goto(url)
    return context, page, seen


DRAWN = """() => {
  const canvas = document.querySelector('#cb-network canvas');
  if (!canvas) return 0;
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4 * 7) { if (pixels[i] > 0) painted++; }
  return painted;
}"""


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
    context, page, seen = _open(browser, server + path)
    try:
        page.wait_for_function("window.carebridgeReady === true", timeout=20_000)
        assert page.evaluate(DRAWN) > 100, "no nodes drawn"
        assert seen["failed"] == [] and seen["errors"] == []
        assert all(s == 200 for s in seen["statuses"])
        requested_hosts = page.evaluate(
            "performance.getEntriesByType('resource').map(e => new URL(e.name).host)"
        )
        assert all(h in ("", server.split("//")[1]) for h in requested_hosts)
    finally:
        context.close()


def test_served_report_loads_clean(server, browser):
    context, page, seen = _open(browser, server + "/report")
    try:
        page.wait_for_load_state("load")
        assert seen["statuses"][0] == 200
        assert page.locator("svg").count() >= 1  # charts are drawn server-side
        assert seen["failed"] == [] and seen["errors"] == []
    finally:
        context.close()
