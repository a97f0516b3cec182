"""Map pages in a real headless browser (Debian's chromium through Playwright): they load offline
with no failed request and no JavaScript error, draw their nodes, keep injected names as text;
the search box opens a person's panel with their forums; labels never overlap and a medium-size
bridges map names its top brokers legibly; tooltips go when the pointer leaves; on a phone the
legend folds away and nothing overflows."""

from __future__ import annotations

import itertools

import networkx as nx
import pytest
from browser_support import CHROMIUM, PAINTED, Watched
from maps_graphs import XSS_NAME, forum_info, person_graph

from kg.analysis.brokers import between_groups_betweenness
from kg.maps import bridges_map, communities_map, ego_map, network_map, organisations_map

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]
sync_api = pytest.importorskip("playwright.sync_api")

MEDIUM_PEOPLE = 2500
TOP = 10


@pytest.fixture(scope="module")
def map_files(tmp_path_factory):
    graph = person_graph(80, organisations=6, seed=11)
    forums = forum_info(graph)
    parts = [set(c) for c in nx.community.louvain_communities(graph, seed=3)]
    side_a = {n for n in graph if graph.nodes[n]["sector"] == "acute"}
    side_b = {n for n in graph if graph.nodes[n]["sector"] == "social_care"}
    scores = nx.betweenness_centrality_subset(graph, side_a, side_b)
    medium = person_graph(MEDIUM_PEOPLE, organisations=20, mean_degree=8, seed=5)
    medium_scores = between_groups_betweenness(medium, "sector", "acute", "community").values
    pages = {
        "network": network_map(
            graph, size_by=nx.betweenness_centrality(graph), size_label="betweenness",
            communities=parts, forums=forums,
        ),
        "network-aggregated": network_map(graph, max_nodes=30),
        "ego": ego_map(graph, "P0", hops=2, forums=forums),
        "bridges": bridges_map(
            graph, "sector", ("acute", "social_care"), scores=scores, top=3, forums=forums
        ),
        "bridges-medium": bridges_map(
            medium, "sector", ("acute", "community"), scores=medium_scores, top=TOP
        ),
        "communities": communities_map(graph, parts),
        "community": communities_map(graph, parts, community=0),
        "organisations": organisations_map(graph),
    }  # fmt: skip
    folder = tmp_path_factory.mktemp("maps")
    paths = {}
    for view, html in pages.items():
        paths[view] = folder / f"{view}.html"
        paths[view].write_text(html, encoding="utf-8")
    return {"graph": graph, "forums": forums, "paths": paths, "medium_scores": medium_scores}


@pytest.fixture
def open_map(browser, map_files):
    opened = []

    def _open(view: str, viewport=(1200, 800)) -> Watched:
        watched = Watched(browser, map_files["paths"][view], viewport=viewport).wait_ready()
        opened.append(watched)
        return watched

    yield _open
    for watched in opened:
        watched.close()


VIEWS = [
    "network",
    "network-aggregated",
    "ego",
    "bridges",
    "bridges-medium",
    "communities",
    "community",
    "organisations",
]


@pytest.mark.parametrize("view", VIEWS)
def test_view_loads_offline_and_draws_its_nodes(open_map, view):
    page = open_map(view)
    expected = page.evaluate("window.carebridgeData.nodes.length")
    assert expected > 0
    assert page.evaluate("window.carebridgeNetwork.body.data.nodes.length") == expected
    assert page.page.locator("#cb-network canvas").count() == 1
    assert page.page.evaluate(PAINTED) > 100, "the canvas is blank"
    assert page.page.locator("#cb-legend li").count() >= 1
    assert page.evaluate("window.carebridgeLabels.length") >= 1, "nothing is named"
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


def _hover(page, node_id: int) -> None:
    """Put the pointer on a node until vis-network shows its tooltip."""
    where = f"""() => {{
          const net = window.carebridgeNetwork;
          const pos = net.getPositions([{node_id}])[{node_id}];
          const dom = net.canvasToDOM(pos);
          const box = document.getElementById('cb-network').getBoundingClientRect();
          return [box.left + dom.x, box.top + dom.y];
        }}"""
    tooltip = page.page.locator(".vis-tooltip")
    # A search zooms with an animation: under load the node may still be moving when the mouse
    # arrives, so aim again until the tooltip shows.
    for _ in range(5):
        point = page.evaluate(where)
        page.page.mouse.move(point[0] + 1, point[1] + 1)
        page.page.mouse.move(point[0], point[1])
        try:
            tooltip.wait_for(state="visible", timeout=2_000)
            return
        except sync_api.Error:
            page.page.mouse.move(0, 0)
    tooltip.wait_for(state="visible", timeout=1_000)


def test_injected_name_is_text_in_search_tooltip_and_panel(open_map):
    page = open_map("ego")
    assert page.page.locator("#cb-network img, .cb-legend img, .vis-tooltip img").count() == 0
    page.page.fill("#cb-search", XSS_NAME)
    page.page.press("#cb-search", "Enter")
    page.page.wait_for_function("window.carebridgeNetwork.getSelectedNodes().length === 1")
    assert page.page.inner_text("#cb-search-status") == f"Found: {XSS_NAME}"
    assert page.page.inner_text("#cb-panel-title") == XSS_NAME
    _hover(page, page.evaluate("window.carebridgeNetwork.getSelectedNodes()[0]"))
    tooltip = page.page.locator(".vis-tooltip")
    assert XSS_NAME in tooltip.inner_text()
    assert page.page.locator("img, b").count() == 0
    assert page.dialogs == [] and page.errors == []


def test_tooltip_goes_when_the_pointer_leaves_the_drawing(open_map):
    page = open_map("network")
    _hover(page, 0)
    assert page.page.locator(".vis-tooltip").is_visible()
    page.page.hover("#cb-legend-title")  # straight off the canvas, onto the legend
    page.page.wait_for_function(
        "getComputedStyle(document.querySelector('.vis-tooltip')).visibility === 'hidden'",
        timeout=2_000,
    )
    assert page.errors == []


def test_pointing_at_someone_names_their_neighbours(open_map, map_files):
    graph = map_files["graph"]
    page = open_map("network")
    before = {label["key"] for label in page.evaluate("window.carebridgeLabels")}
    quiet = min(graph, key=lambda n: (len(set(graph[n]) & before), -graph.degree(n), n))
    node_id = page.evaluate(f"window.carebridgeData.nodes.find(n => n.key === '{quiet}').id")
    _hover(page, node_id)
    after = {label["key"] for label in page.evaluate("window.carebridgeLabels")}
    assert quiet in after
    assert after - before - {quiet} <= set(graph[quiet]) and after - before - {quiet}
    page.page.hover("#cb-legend-title")
    page.page.wait_for_timeout(200)
    assert {label["key"] for label in page.evaluate("window.carebridgeLabels")} == before


def test_finding_a_person_opens_their_panel_with_forums_ties_and_links(open_map, map_files):
    graph, forums = map_files["graph"], map_files["forums"]
    person = next(p for p in sorted(graph, key=lambda p: int(p[1:])) if p in forums["F1"]["members"]
                  and p in forums["F2"]["members"] and p != "P0")  # fmt: skip
    name = graph.nodes[person]["name"]
    page = open_map("network")
    page.page.fill("#cb-search", name)
    page.page.click("#cb-search-form button[type=submit]")
    panel = page.page.locator("#cb-panel")
    panel.wait_for(state="visible")
    assert page.page.inner_text("#cb-panel-title") == name
    text = panel.inner_text()
    assert "Role of person" in text  # their roles
    assert graph.nodes[person]["organisation_name"] in text
    assert "Forums they attend" in text
    # The forums by name, as text (the injected <b> stays text), with their kind in words.
    forum_buttons = panel.locator("li button").all_inner_texts()
    assert "OT collaborative <b>" in forum_buttons and "Discharge forum" in forum_buttons
    assert "Community of practice" in text
    assert panel.locator("b").count() == 0
    assert "Strongest ties on this map" in text
    strongest = max(graph[person], key=lambda v: graph[person][v]["weight"])
    assert graph.nodes[strongest]["name"] in text
    assert "Share of shortest paths" in text and "highest of 80" in text
    # Opened from a file, there is no server to link to: no dead links.
    assert panel.locator("a").count() == 0
    # A forum drills in: its members on the map.
    panel.locator("li button", has_text="Discharge forum").click()
    assert page.page.inner_text("#cb-panel-title") == "Discharge forum"
    members = [p for p in forums["F2"]["members"] if p in graph]
    assert f"{len(members)} of the people on this map attend" in panel.inner_text()
    assert page.errors == []


def test_search_finds_and_focuses_a_person(open_map, map_files):
    graph = map_files["graph"]
    page = open_map("network")
    name = graph.nodes["P42"]["name"]
    page.page.fill("#cb-search", name)
    page.page.click("#cb-search-form button[type=submit]")
    page.page.wait_for_function("window.carebridgeNetwork.getSelectedNodes().length > 0")
    selected = page.evaluate(
        "window.carebridgeNetwork.getSelectedNodes().map(i => window.carebridgeData.nodes[i].key)"
    )
    assert selected == ["P42"]
    page.page.wait_for_timeout(600)  # the zoom animation ends
    assert "P42" in {label["key"] for label in page.evaluate("window.carebridgeLabels")}
    page.page.fill("#cb-search", "no such person at all")
    page.page.press("#cb-search", "Enter")
    assert page.page.inner_text("#cb-search-status") == "No match"


def test_legend_filter_hides_a_group_and_colour_by_switches_with_the_subtitle(open_map, map_files):
    graph = map_files["graph"]
    page = open_map("network")
    assert page.page.inner_text("#cb-coloured-by").endswith("coloured by organisation")
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
    assert page.page.inner_text("#cb-coloured-by").endswith("coloured by sector")
    names = set(page.page.locator("#cb-legend li span:nth-child(3)").all_inner_texts())
    assert names == {"Acute", "Community health", "Social care", "Primary care"}
    options = page.page.locator("#cb-colour-by option").all_inner_texts()
    assert "Side" not in options and not any("unknown" in o.lower() for o in options)
    assert page.errors == []


# The label boxes the page drew, checked against an independent measure of each text and the
# node's position on screen.
LABEL_GEOMETRY = """() => {
  const net = window.carebridgeNetwork;
  const scale = net.getScale();
  const ctx = document.createElement('canvas').getContext('2d');
  const ratio = net.canvas.pixelRatio;
  const drawn = net.canvas.frame.canvas.getContext('2d');
  const byKey = {};
  window.carebridgeData.nodes.forEach(n => { byKey[n.key] = n; });
  return window.carebridgeLabels.map(l => {
    ctx.font = (l.bold ? 'bold ' : '') + l.px + 'px system-ui, -apple-system, sans-serif';
    const n = byKey[l.key];
    const dom = net.canvasToDOM(net.getPositions([n.id])[n.id]);
    const pixels = drawn.getImageData(Math.round(l.x * ratio), Math.round(l.y * ratio),
                                      Math.max(1, Math.round(l.w * ratio)),
                                      Math.max(1, Math.round(l.h * ratio))).data;
    let dark = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (pixels[i + 3] > 200 && pixels[i] + pixels[i + 1] + pixels[i + 2] < 150) dark++;
    }
    return {key: l.key, text: l.text, x: l.x, y: l.y, w: l.w, h: l.h, px: l.px,
            measured: ctx.measureText(l.text).width, nx: dom.x, ny: dom.y,
            radius: n.size * scale, dark: dark,
            width: net.canvas.frame.clientWidth, height: net.canvas.frame.clientHeight};
  });
}"""


def _overlap(a, b) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and (a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"])
    )


def _check_labels(labels):
    for label in labels:
        assert label["px"] >= 12, label  # legible on screen whatever the zoom
        assert label["w"] >= label["measured"], label  # the box holds the whole text
        assert 0 <= label["x"] and label["x"] + label["w"] <= label["width"] + 0.5
        assert 0 <= label["y"] and label["y"] + label["h"] <= label["height"] + 0.5
        # Next to its node: the box's nearest point is within a few pixels of the circle.
        dx = max(label["x"] - label["nx"], 0, label["nx"] - (label["x"] + label["w"]))
        dy = max(label["y"] - label["ny"], 0, label["ny"] - (label["y"] + label["h"]))
        assert (dx * dx + dy * dy) ** 0.5 <= label["radius"] + 8, label
        assert label["dark"] > 10, f"label {label['text']!r} is not painted"
    for a, b in itertools.combinations(labels, 2):
        assert not _overlap(a, b), (a["text"], b["text"])


def test_medium_bridges_map_names_its_top_brokers_legibly(open_map, map_files):
    page = open_map("bridges-medium", viewport=(1366, 768))
    data = page.evaluate(
        "({n: window.carebridgeData.nodes.length, e: window.carebridgeData.edges"
        ".length, banner: document.getElementById('cb-banner').innerText})"
    )
    assert data["n"] <= 400 and data["e"] < 5000, data  # legible, not 1,500 dots
    assert "Left out" in data["banner"]
    scores = map_files["medium_scores"]
    top = sorted((n for n in scores if scores[n] > 0), key=lambda n: (-scores[n], n))[:TOP]
    labels = page.evaluate(LABEL_GEOMETRY)
    named = {label["key"]: label["text"] for label in labels}
    assert set(top) <= set(named), set(top) - set(named)
    for rank, key in enumerate(top, 1):
        assert named[key].startswith(f"#{rank} ")
    _check_labels(labels)
    assert page.errors == [] and page.failed == []


@pytest.mark.parametrize("view", ["network", "organisations", "communities", "ego"])
def test_labels_never_overlap_before_or_after_zooming(open_map, view):
    page = open_map(view)
    before = page.evaluate(LABEL_GEOMETRY)
    _check_labels(before)
    page.evaluate("window.carebridgeNetwork.moveTo({scale: window.carebridgeNetwork.getScale()"
                  " * 3})")  # fmt: skip
    page.page.wait_for_timeout(100)
    after = page.evaluate(LABEL_GEOMETRY)
    _check_labels(after)
    if view == "network":
        assert len(before) <= 20  # only the few that matter at first
        assert len(after) > len(before)  # the rest come with zooming in


def test_ego_map_is_centred_on_its_person(open_map):
    page = open_map("ego")
    centre = page.evaluate("""() => {
        const net = window.carebridgeNetwork;
        const pos = net.canvasToDOM(net.getPositions([0])[0]);
        const box = document.getElementById('cb-network');
        return [pos.x / box.clientWidth, pos.y / box.clientHeight];
    }""")
    assert abs(centre[0] - 0.5) < 0.05 and abs(centre[1] - 0.5) < 0.05


@pytest.mark.parametrize("view", ["network", "bridges", "organisations"])
def test_on_a_phone_the_legend_folds_and_nothing_overflows(open_map, view):
    page = open_map(view, viewport=(390, 844))
    assert page.evaluate("document.getElementById('cb-legend-box').open") is False
    overflow = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    assert page.evaluate(overflow) <= 0
    page.page.click("#cb-legend-box summary")
    assert page.evaluate("document.getElementById('cb-legend-box').open") is True
    assert page.page.locator("#cb-legend li").first.is_visible()
    assert page.evaluate(overflow) <= 0
    assert page.page.evaluate(PAINTED) > 100
    assert page.errors == []
