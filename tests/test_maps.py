"""Map pages: offline (nothing fetched), escaped, aggregated when too big, and showing the graph
they were given. Browser checks live in test_maps_browser.py."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import networkx as nx
import pytest
from maps_graphs import XSS_NAME, XSS_ORG, person_graph

from kg.errors import InvalidParameter, NotFound
from kg.maps import bridges_map, communities_map, ego_map, network_map, organisations_map
from kg.maps._page import script_json


class _Page(HTMLParser):
    """Collects tags with their attributes, and the text of every script and style element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._open: tuple[str, dict] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag in ("script", "style"):
            self._open = (tag, attrs)
            self._buffer = []

    def handle_endtag(self, tag):
        if self._open and tag == self._open[0]:
            body = "".join(self._buffer)
            if tag == "script":
                self.scripts.append((self._open[1], body))
            else:
                self.styles.append(body)
            self._open = None

    def handle_data(self, data):
        if self._open:
            self._buffer.append(data)
        else:
            self.text.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def page_data(html: str) -> dict:
    page = parse(html)
    blocks = [body for attrs, body in page.scripts if attrs.get("id") == "carebridge-data"]
    assert len(blocks) == 1
    return json.loads(blocks[0])


@pytest.fixture(scope="module")
def graph():
    return person_graph(60, organisations=6, seed=7)


@pytest.fixture(scope="module")
def communities(graph):
    return [set(c) for c in nx.community.louvain_communities(graph, seed=3)]


def _holding(communities, node) -> int:
    return next(i for i, c in enumerate(communities) if node in c)


@pytest.fixture(scope="module")
def pages(graph, communities):
    sector_a = {n for n in graph if graph.nodes[n]["sector"] == "acute"}
    sector_b = {n for n in graph if graph.nodes[n]["sector"] == "social care"}
    scores = nx.betweenness_centrality_subset(graph, sector_a, sector_b)
    return {
        "network": network_map(graph, size_by=nx.degree_centrality(graph), size_label="degree"),
        "network-aggregated": network_map(graph, max_nodes=20),
        "ego": ego_map(graph, "P0", hops=2),
        "bridges": bridges_map(graph, "sector", ("acute", "social care"), scores=scores, top=3),
        "communities": communities_map(graph, communities),
        "community": communities_map(graph, communities, community=_holding(communities, "P0")),
        "organisations": organisations_map(graph),
    }


VIEWS = [
    "network",
    "network-aggregated",
    "ego",
    "bridges",
    "communities",
    "community",
    "organisations",
]
EXTERNAL = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)


@pytest.mark.parametrize("view", VIEWS)
def test_page_fetches_nothing_from_the_network(pages, view):
    page = parse(pages[view])
    for tag, attrs in page.tags:
        for name in ("src", "href", "data", "action", "srcset"):
            value = attrs.get(name)
            assert value is None or not EXTERNAL.match(value), (tag, name, value)
        if tag == "link":
            assert attrs.get("rel") != "stylesheet", "stylesheets must be inlined"
        if tag == "script":
            assert "src" not in attrs, "scripts must be inlined"
    # vis-network and the page script are inline, and no stylesheet imports or loads a remote URL.
    assert any("vis.Network" in body or "Network" in body for _, body in page.scripts)
    for css in page.styles:
        assert not re.search(r"@import|url\(\s*['\"]?\s*(https?:)?//", css, re.IGNORECASE)


@pytest.mark.parametrize("view", VIEWS)
def test_page_parses_into_head_body_and_valid_data(pages, view):
    html = pages[view]
    assert html.startswith("<!DOCTYPE html>")
    page = parse(html)
    tags = [t for t, _ in page.tags]
    assert tags.count("html") == tags.count("body") == 1
    assert tags.count("script") == 3  # data, vis-network, page script: nothing injected
    data = page_data(html)
    assert data["nodes"] and data["attributes"]
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])
    assert all(len(n["g"]) == len(data["attributes"]) for n in data["nodes"])


@pytest.mark.parametrize("view", ["network", "ego", "community"])
def test_injected_markup_in_names_stays_text(pages, view):
    html = pages[view]
    # The raw markup never appears; it is in the page only as escaped JSON text.
    assert XSS_NAME not in html
    assert XSS_ORG not in html
    assert "<img" not in html.lower()
    page = parse(html)
    assert not any(tag == "img" for tag, _ in page.tags)
    labels = {n["label"] for n in page_data(html)["nodes"]}
    assert XSS_NAME in labels
    if "P1" in {n["key"] for n in page_data(html)["nodes"]}:
        org_names = {c["name"] for a in page_data(html)["attributes"] for c in a["categories"]}
        assert XSS_ORG in org_names


def test_heading_is_escaped(graph):
    html = network_map(graph, title="<b>Board</b> & <script>alert(3)</script>")
    assert "<b>Board</b>" not in html
    assert "&lt;b&gt;Board&lt;/b&gt; &amp; &lt;script&gt;" in html
    assert [t for t, _ in parse(html).tags].count("script") == 3


def test_script_json_cannot_close_the_script_element():
    text = script_json({"a": "</script><!-- & \u2028\u2029 >"})
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028\u2029 >"}
    assert script_json({"x": float("nan")}) == '{"x":null}'


def test_our_page_script_never_writes_markup():
    from importlib.resources import files

    source = files("kg.maps").joinpath("assets", "map.js").read_text("utf-8")
    assert "innerHTML" not in source and "insertAdjacentHTML" not in source
    assert "document.write" not in source


def test_network_map_draws_every_person_and_tie(graph):
    data = page_data(network_map(graph))
    assert len(data["nodes"]) == graph.number_of_nodes()
    assert len(data["edges"]) == graph.number_of_edges()
    assert {n["key"] for n in data["nodes"]} == set(graph)
    by_key = {n["key"]: n for n in data["nodes"]}
    for n in graph:
        assert by_key[n]["label"] == graph.nodes[n]["name"]
    # Coloured by organisation: two people share a colour exactly when they share an organisation.
    colour = data["attributes"][data["colorBy"]]
    assert colour["key"] == "organisation"
    for u, v in [("P2", "P8"), ("P2", "P3"), ("P5", "P11")]:
        same_org = graph.nodes[u]["organisation"] == graph.nodes[v]["organisation"]
        assert (by_key[u]["g"][data["colorBy"]] == by_key[v]["g"][data["colorBy"]]) == same_org


def test_colour_by_sector_and_community(graph, communities):
    data = page_data(network_map(graph, color_by="sector", communities=communities))
    assert data["attributes"][data["colorBy"]]["key"] == "sector"
    names = {c["name"] for c in data["attributes"][data["colorBy"]]["categories"]}
    assert names == {graph.nodes[n]["sector"] for n in graph}
    data = page_data(network_map(graph, color_by="community", communities=communities))
    attribute = data["attributes"][data["colorBy"]]
    assert attribute["key"] == "community"
    assert len(attribute["categories"]) == len(communities)


def test_size_grows_with_the_metric(graph):
    metric = nx.betweenness_centrality(graph)
    data = page_data(network_map(graph, size_by=metric, size_label="betweenness"))
    sizes = {n["key"]: n["size"] for n in data["nodes"]}
    ranked = sorted(graph, key=metric.get)
    assert sizes[ranked[-1]] > sizes[ranked[0]]
    assert all(
        sizes[a] <= sizes[b]
        for a, b in zip(ranked, ranked[1:], strict=False)
        if metric[a] < metric[b]
    )
    assert any("betweenness" in line for line in data["legendExtra"])


def test_layout_is_fixed_and_reproducible(graph):
    first = page_data(network_map(graph, seed=1))
    again = page_data(network_map(graph, seed=1))
    assert [(n["x"], n["y"]) for n in first["nodes"]] == [(n["x"], n["y"]) for n in again["nodes"]]
    assert len({(n["x"], n["y"]) for n in first["nodes"]}) == graph.number_of_nodes()


def test_above_max_nodes_the_network_aggregates_by_organisation_and_says_so(graph, pages):
    html = pages["network-aggregated"]
    assert 'id="cb-banner"' in html and "60 people" in html and "organisation" in html
    data = page_data(html)
    organisations = {graph.nodes[n]["organisation"] for n in graph}
    assert len(data["nodes"]) == len(organisations)
    assert sum(n["weight"] for n in data["nodes"]) == graph.number_of_nodes()
    # Ties between organisations, counted independently.
    cross = sum(
        1
        for u, v in graph.edges
        if graph.nodes[u]["organisation"] != graph.nodes[v]["organisation"]
    )
    counted = sum(int(e["info"][1].split()[0]) for e in data["edges"])
    assert counted == cross


def test_above_max_nodes_the_network_aggregates_by_community_when_given(graph, communities):
    html = network_map(graph, max_nodes=10, communities=communities)
    assert 'id="cb-banner"' in html and "community" in html
    data = page_data(html)
    assert sorted(n["weight"] for n in data["nodes"]) == sorted(len(c) for c in communities)


def test_no_banner_when_within_limit(pages):
    assert 'id="cb-banner"' not in pages["network"]


def test_ego_map_is_the_k_hop_neighbourhood(graph):
    data = page_data(ego_map(graph, "P4", hops=2))
    expected = set(nx.ego_graph(graph, "P4", radius=2))
    assert {n["key"] for n in data["nodes"]} == expected
    assert len(data["edges"]) == graph.subgraph(expected).number_of_edges()
    ringed = [n["key"] for n in data["nodes"] if n.get("ring")]
    assert ringed == ["P4"]


def test_ego_map_unknown_person_is_not_found(graph):
    with pytest.raises(NotFound) as excinfo:
        ego_map(graph, "nobody")
    assert excinfo.value.kind == "person"
    assert excinfo.value.id == "nobody"


@pytest.mark.parametrize("hops", [0, -1, 1.5, True])
def test_ego_map_rejects_bad_hops(graph, hops):
    with pytest.raises(InvalidParameter):
        ego_map(graph, "P0", hops=hops)


def test_unknown_colour_attribute_is_rejected(graph):
    with pytest.raises(InvalidParameter):
        network_map(graph, color_by="shoe_size")
    with pytest.raises(InvalidParameter):
        network_map(graph, color_by="community")  # needs the communities


def test_bridges_map_rings_the_top_brokers_and_highlights_cross_ties(graph):
    side_a = {n for n in graph if graph.nodes[n]["sector"] == "acute"}
    side_b = {n for n in graph if graph.nodes[n]["sector"] == "social care"}
    scores = nx.betweenness_centrality_subset(graph, side_a, side_b)
    data = page_data(bridges_map(graph, "sector", ("acute", "social care"), scores=scores, top=3))
    top3 = sorted((n for n in graph if scores[n] > 0), key=lambda n: (-scores[n], n))[:3]
    ringed = {n["key"] for n in data["nodes"] if n.get("ring")}
    assert ringed == set(top3)
    keys = {n["key"] for n in data["nodes"]}
    assert side_a | side_b <= keys
    index = {n["id"]: n["key"] for n in data["nodes"]}
    purple = {
        frozenset((index[e["from"]], index[e["to"]])) for e in data["edges"] if e.get("hl") == 2
    }
    direct = {
        frozenset((u, v))
        for u, v in graph.edges
        if {u, v} & side_a and {u, v} & side_b and not {u, v} & set(top3)
    }
    assert purple == direct


def test_bridges_map_rejects_an_empty_group(graph):
    with pytest.raises(InvalidParameter, match="mental health"):
        bridges_map(graph, "sector", ("acute", "mental health"), scores={})
    with pytest.raises(InvalidParameter):
        bridges_map(graph, "sector", ("acute",), scores={})


def test_communities_map_one_node_per_community(graph, communities, pages):
    data = page_data(pages["communities"])
    assert len(data["nodes"]) == len(communities)
    assert sorted(n["weight"] for n in data["nodes"]) == sorted(len(c) for c in communities)


def test_communities_map_drills_into_one(graph, communities, pages):
    members = communities[_holding(communities, "P0")]
    data = page_data(pages["community"])
    assert {n["key"] for n in data["nodes"]} == members
    assert len(data["edges"]) == graph.subgraph(members).number_of_edges()


@pytest.mark.parametrize("index", [-1, 99])
def test_unknown_community_is_not_found(graph, communities, index):
    with pytest.raises(NotFound):
        communities_map(graph, communities, community=index)


def test_organisation_map_profiles_silos_with_the_e_i_index():
    # Two organisations: A has ties a1-a2, a2-a3 inside and a3-b1 outside; B has b1-b2 inside.
    G = nx.Graph([("a1", "a2"), ("a2", "a3"), ("a3", "b1"), ("b1", "b2")])
    for n in G:
        org = n[0].upper()
        G.nodes[n].update(name=n, organisation=org, organisation_name=f"Org {org}", sector="acute")
    data = page_data(organisations_map(G))
    by_label = {n["label"]: n for n in data["nodes"]}
    assert by_label["Org A"]["weight"] == 3 and by_label["Org B"]["weight"] == 2
    assert "E-I index: -0.33" in by_label["Org A"]["info"]  # (1 - 2) / 3
    assert "E-I index: +0.00" in by_label["Org B"]["info"]  # (1 - 1) / 2
    assert len(data["edges"]) == 1 and data["edges"][0]["info"][1] == "1 ties between people"


def test_karate_club_works_without_person_attributes():
    G = nx.karate_club_graph()
    data = page_data(network_map(G, color_by="club"))
    attribute = data["attributes"][data["colorBy"]]
    assert {c["name"] for c in attribute["categories"]} == {"Mr. Hi", "Officer"}
    assert len(data["nodes"]) == 34


def test_rejects_non_graph():
    with pytest.raises(InvalidParameter):
        network_map({"not": "a graph"})


def test_sectors_keep_one_colour_on_every_map():
    """A sector has the same colour whatever the map and however many people it has; a value
    outside the vocabulary never borrows a sector's colour."""
    from kg.maps import SECTOR_COLOURS

    G = person_graph(60, organisations=6, seed=7)
    sectors = ["acute", "community", "social_care", "primary_care", "hospice"]
    nx.set_node_attributes(G, {v: sectors[i % 5] for i, v in enumerate(G)}, "sector")
    G.remove_nodes_from([v for i, v in enumerate(G) if i % 5 == 0 and i > 8])  # acute shrinks
    for html in (network_map(G, color_by="sector"), organisations_map(G)):
        attributes = {a["key"]: a for a in page_data(html)["attributes"]}
        colour = {c["name"]: c["color"] for c in attributes["sector"]["categories"]}
        assert colour and set(colour) <= set(sectors)
        assert all(colour[s] == SECTOR_COLOURS[s] for s in colour if s != "hospice")
        assert colour.get("hospice") not in SECTOR_COLOURS.values()
    network = page_data(network_map(G, color_by="sector"))["attributes"]
    assert {c["name"] for a in network if a["key"] == "sector" for c in a["categories"]} == set(
        sectors
    )
