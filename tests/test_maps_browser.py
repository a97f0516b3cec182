"""Map pages in a real headless browser (Debian's chromium through Playwright): they load offline
with no failed request and no JavaScript error, draw their nodes, keep injected names as text, and
the search box and group filter work."""

from __future__ import annotations

import networkx as nx
import pytest
from browser_support import CHROMIUM, PAINTED, Watched
from maps_graphs import XSS_NAME, person_graph

from kg.maps import bridges_map, communities_map, ego_map, network_map, organisations_map

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def map_files(tmp_path_factory):
    graph = person_graph(80, organisations=6, seed=11)
    parts = [set(c) for c in nx.community.louvain_communities(graph, seed=3)]
    side_a = {n for n in graph if graph.nodes[n]["sector"] == "acute"}
    side_b = {n for n in graph if graph.nodes[n]["sector"] == "social care"}
    scores = nx.betweenness_centrality_subset(graph, side_a, side_b)
    pages = {
        "network": network_map(graph, size_by=nx.betweenness_centrality(graph), communities=parts),
        "network-aggregated": network_map(graph, max_nodes=30),
        "ego": ego_map(graph, "P0", hops=2),
        "bridges": bridges_map(graph, "sector", ("acute", "social care"), scores=scores, top=3),
        "communities": communities_map(graph, parts),
        "community": communities_map(graph, parts, community=0),
        "organisations": organisations_map(graph),
    }
    folder = tmp_path_factory.mktemp("maps")
    paths = {}
    for view, html in pages.items():
        paths[view] = folder / f"{view}.html"
        paths[view].write_text(html, encoding="utf-8")
    return graph, paths


@pytest.fixture
def open_map(browser, map_files):
    opened = []

    def _open(view: str) -> Watched:
        watched = Watched(browser, map_files[1][view]).wait_ready()
        opened.append(watched)
        return watched

    yield _open
    for watched in opened:
        watched.close()




@pytest.mark.parametrize(
    "view",
    [
        "network",
        "network-aggregated",
        "ego",
        "bridges",
        "communities",
        "community",
        "organisations",
    ],
)
def test_view_loads_offline_and_draws_its_nodes(open_map, view):
    page = open_map(view)
    expected = page.evaluate("window.carebridgeData.nodes.length")
    assert expected > 0
    assert page.evaluate("window.carebridgeNetwork.body.data.nodes.length") == expected
    assert page.page.locator("#cb-network canvas").count() == 1
    assert page.page.evaluate(PAINTED) > 100, "the canvas is blank"
    assert page.page.locator("#cb-legend li").count() >= 1
    # Only the page itself was requested (file://); nothing failed; no script errors or dialogs.
    assert all(url.startswith("file://") or url.startswith("data:") for url in page.requests)
    assert page.failed == []
    assert page.errors == []
    assert page.dialogs == []


def test_aggregated_view_shows_its_banner(open_map):
    page = open_map("network-aggregated")
    banner = page.page.locator("#cb-banner")
    assert banner.is_visible()
    assert "80 people" in banner.inner_text()


def test_injected_name_is_text_in_search_and_tooltip(open_map):
    page = open_map("ego")
    assert page.page.locator("#cb-network img, .cb-legend img, .vis-tooltip img").count() == 0
    page.page.fill("#cb-search", XSS_NAME)
    page.page.press("#cb-search", "Enter")
    page.page.wait_for_function("window.carebridgeNetwork.getSelectedNodes().length === 1")
    assert page.page.inner_text("#cb-search-status") == f"Found: {XSS_NAME}"
    # Hover the person so vis-network shows the tooltip, then read it back as text.
    node_id = page.evaluate("window.carebridgeNetwork.getSelectedNodes()[0]")
    where = f"""() => {{
          const net = window.carebridgeNetwork;
          const pos = net.getPositions([{node_id}])[{node_id}];
          const dom = net.canvasToDOM(pos);
          const box = document.getElementById('cb-network').getBoundingClientRect();
          return [box.left + dom.x, box.top + dom.y];
        }}"""
    tooltip = page.page.locator(".vis-tooltip")
    # The search zooms to the person with an animation: under load the node may still be
    # moving when the mouse arrives, so aim again until the tooltip shows.
    for _ in range(5):
        point = page.evaluate(where)
        page.page.mouse.move(point[0] + 1, point[1] + 1)
        page.page.mouse.move(point[0], point[1])
        try:
            tooltip.wait_for(state="visible", timeout=2_000)
            break
        except sync_api.Error:
            page.page.mouse.move(0, 0)
    tooltip.wait_for(state="visible", timeout=1_000)
    assert XSS_NAME in tooltip.inner_text()
    assert tooltip.locator("img").count() == 0
    assert page.dialogs == [] and page.errors == []


def test_search_finds_and_focuses_a_person(open_map, map_files):
    graph, _ = map_files
    page = open_map("network")
    name = graph.nodes["P42"]["name"]
    page.page.fill("#cb-search", name)
    page.page.click("#cb-search-form button[type=submit]")
    page.page.wait_for_function("window.carebridgeNetwork.getSelectedNodes().length > 0")
    selected = page.evaluate(
        "window.carebridgeNetwork.getSelectedNodes().map(i => window.carebridgeData.nodes[i].key)"
    )
    assert selected == ["P42"]
    page.page.fill("#cb-search", "no such person at all")
    page.page.press("#cb-search", "Enter")
    assert page.page.inner_text("#cb-search-status") == "No match"


def test_legend_filter_hides_a_group_and_colour_by_switches(open_map, map_files):
    graph, _ = map_files
    page = open_map("network")
    first = page.page.locator("#cb-legend li").first
    group_name = first.locator("span").nth(1).inner_text()
    members = sum(1 for n in graph if graph.nodes[n]["organisation_name"] == group_name)
    first.locator("input").uncheck()
    hidden = page.evaluate(
        "window.carebridgeNetwork.body.data.nodes.get({filter: n => n.hidden === true}).length"
    )
    assert hidden == members
    page.page.click("#cb-all")
    assert (
        page.evaluate(
            "window.carebridgeNetwork.body.data.nodes.get({filter: n => n.hidden === true}).length"
        )
        == 0
    )
    page.page.select_option("#cb-colour-by", label="Sector")
    assert page.page.inner_text("#cb-legend-title") == "Sector"
    sectors = {graph.nodes[n]["sector"] for n in graph}
    assert page.page.locator("#cb-legend li").count() == len(sectors)
    assert page.errors == []
