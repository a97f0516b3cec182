"""Pages served by the running API: the way in (``/``), the offline API docs (``/docs``), the
maps and the report. Over HTTP: the landing page keeps the API's keys and the pages' security
policy and shows names as text. In a real headless browser (Debian's chromium through
Playwright): under the API's Content-Security-Policy every page loads with no failed request,
no request leaving this machine and no JavaScript error; ``/`` links everything and each link
answers; ``/docs`` renders its operations offline; finding a person opens their panel."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from browser_support import PAINTED, Watched, serve
from fastapi.testclient import TestClient

from api import create_app
from api.responses import PAGE_POLICY
from api.routes.home import LINKS
from kg.config import Settings

KEY = "browser-viewer-key"
REMOTE = ("203.0.113.9", 5000)


@pytest.fixture(scope="module")
def server(demo_data):
    """The API over the small demo partnership, served by uvicorn on a loopback port."""
    app = create_app(Settings(data_dir=demo_data, api_keys=f"{KEY}:viewer"))
    with serve(app) as base:
        yield base
    app.state.store.close()


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])


# -- over HTTP --------------------------------------------------------------------------------


def test_the_way_in_keeps_the_keys_and_the_page_policy(demo_data):
    with TestClient(create_app(Settings(data_dir=demo_data, api_keys=f"{KEY}:viewer"))) as client:
        assert client.get("/").status_code == 401
        assert client.get("/", headers={"X-API-Key": "wrong"}).status_code == 401
        page = client.get("/", headers={"X-API-Key": KEY})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert page.headers["content-security-policy"] == PAGE_POLICY
        assert page.headers["referrer-policy"] == "no-referrer"
        assert page.headers["x-content-type-options"] == "nosniff"
        parsed = _Links()
        parsed.feed(page.text)
        assert parsed.hrefs == [href for href, _, _ in LINKS]
        assert "script" not in parsed.tags  # works with no script at all
        assert 'name="viewport"' in page.text
        # The bridges link's "&" is escaped in the markup.
        assert "between=acute&amp;between=community" in page.text
    # Without keys, only this machine is served, as for every other page.
    local_only = create_app(Settings(data_dir=demo_data, api_keys=""))
    assert TestClient(local_only, client=REMOTE).get("/").status_code == 403
    with TestClient(local_only, client=("127.0.0.1", 5000)) as local:
        assert local.get("/").status_code == 200


def test_docs_and_their_assets_come_from_this_server(demo_data):
    with TestClient(create_app(Settings(data_dir=demo_data, api_keys=f"{KEY}:viewer"))) as client:
        docs = client.get("/docs")
        assert docs.status_code == 200
        policy = docs.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "connect-src 'self'" in policy
        assert "http" not in policy  # no outside origin allowed
        assert "cdn" not in docs.text and "https://" not in docs.text
        for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
            answer = client.get(f"/docs/assets/{asset}")
            assert answer.status_code == 200 and len(answer.content) > 100_000
            assert f"/docs/assets/{asset}" in docs.text
        assert client.get("/docs/assets/..%2Fsecret").status_code == 404
        assert client.get("/docs/assets/index.html").status_code == 404
        assert client.get("/redoc").status_code == 404  # ReDoc would come from a CDN
        assert client.get("/openapi.json").status_code == 200


# -- in a browser -----------------------------------------------------------------------------


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
@pytest.mark.browser
def test_served_maps_load_clean_and_draw_nodes(server, browser, path):
    with Watched(browser, server + path, headers={"X-API-Key": KEY}) as watched:
        watched.wait_ready()
        assert watched.evaluate(PAINTED) > 100, "no nodes drawn"
        assert watched.failed == [] and watched.errors == []
        assert all(s == 200 for s in watched.statuses)
        assert watched.offsite(server) == []


@pytest.mark.browser
def test_served_report_loads_clean(server, browser):
    with Watched(browser, server + "/report", headers={"X-API-Key": KEY}) as watched:
        watched.page.wait_for_load_state("load")
        assert watched.statuses[0] == 200
        assert watched.page.locator("svg").count() >= 1  # charts are drawn server-side
        assert watched.failed == [] and watched.errors == []
        assert watched.offsite(server) == []


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)])
def test_the_way_in_links_every_page_and_each_answers(server, browser, viewport):
    with Watched(browser, server + "/", headers={"X-API-Key": KEY}, viewport=viewport) as watched:
        page = watched.page
        page.wait_for_load_state("load")
        links = page.locator("nav a")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        assert hrefs == [href for href, _, _ in LINKS]
        for needed in ("/report", "/maps/network", "/maps/communities", "/maps/organisations",
                       "/docs", "/health"):  # fmt: skip
            assert needed in hrefs
        assert any(h.startswith("/maps/bridges?") for h in hrefs)
        # Every link has a line on what it answers, and the page fits a phone.
        assert page.locator("nav li p").count() == len(hrefs)
        width = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        assert page.evaluate(width) <= 0
        # Follow each link: it answers 200 in this browser, with the same key.
        for i, href in enumerate(hrefs):
            with page.expect_navigation():
                links.nth(i).click()
            assert page.url == server + href
            assert watched.statuses[-1] == 200, href
            # /docs fetches its schema after load: leaving before it arrives would abort it
            page.wait_for_load_state("networkidle")
            page.go_back()
            page.wait_for_load_state("load")
        assert watched.failed == [] and watched.errors == []
        assert watched.offsite(server) == []


@pytest.mark.browser
def test_docs_render_their_operations_with_nothing_from_outside(server, browser):
    with Watched(browser, server + "/docs") as watched:
        page = watched.page
        page.wait_for_selector(".opblock-summary-path", timeout=30_000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert "/analysis/brokers" in paths and "/maps/bridges" in paths and "/health" in paths
        assert page.locator(".information-container .title").inner_text().startswith("Carebridge")
        # Every request stayed on this server: the page, its script and style, openapi.json.
        assert watched.offsite(server) == []
        assert any(u.endswith("/docs/assets/swagger-ui-bundle.js") for u in watched.requests)
        assert any(u.endswith("/openapi.json") for u in watched.requests)
        assert watched.failed == [] and watched.errors == []


@pytest.mark.browser
def test_finding_a_person_on_the_served_network_opens_their_panel(server, browser):
    with Watched(browser, server + "/maps/network", headers={"X-API-Key": KEY}) as watched:
        watched.wait_ready()
        page = watched.page
        person = watched.evaluate(
            "window.carebridgeData.nodes.find(n => n.p && n.p.forums && n.p.forums.length)"
        )
        page.fill("#cb-search", person["key"])
        page.press("#cb-search", "Enter")
        panel = page.locator("#cb-panel")
        panel.wait_for(state="visible")
        assert page.inner_text("#cb-panel-title") == person["label"]
        forums = watched.evaluate("window.carebridgeData.forums")
        shown = panel.locator("li button").all_inner_texts()
        for index in person["p"]["forums"]:
            assert forums[index]["name"] in shown
        # Served over HTTP, the panel links to the person's ego map and record, and they answer.
        community = panel.locator("a", has_text="map").filter(has_text="Community")
        assert community.get_attribute("href").startswith("/maps/communities?community=")
        ego = panel.locator("a", has_text="Ego map")
        assert ego.get_attribute("href") == f"/maps/ego/{person['key']}"
        with page.expect_navigation():
            ego.click()
        page.wait_for_function("window.carebridgeReady === true")
        assert watched.statuses[-1] == 200
        assert watched.failed == [] and watched.errors == []
