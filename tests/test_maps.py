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
    sector_b = {n for n in graph if graph.nodes[n]["sector"] == "social_care"}
    scores = nx.betweenness_centrality_subset(graph, sector_a, sector_b)
    return {
        "network": network_map(graph, size_by=nx.degree_centrality(graph), size_label="degree"),
        "network-aggregated": network_map(graph, max_nodes=20),
        "ego": ego_map(graph, "P0", hops=2),
        "bridges": bridges_map(graph, "sector", ("acute", "social_care"), scores=scores, top=3),
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
    categories = data["attributes"][data["colorBy"]]["categories"]
    # The JSON keeps the codes; people read the labels.
    assert {c["code"] for c in categories} == {graph.nodes[n]["sector"] for n in graph}
    assert {c["name"] for c in categories} == {
        "Acute",
        "Community health",
        "Social care",
        "Primary care",
    }
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
    # The legend names the measure as every page does (kg.measures), and the panel shows the
    # value in the reader's form: a share of paths, in percent.
    assert any("share of shortest paths" in line for line in data["legendExtra"])
    top = next(n for n in data["nodes"] if n["key"] == ranked[-1])
    assert f"{100 * metric[ranked[-1]]:.1f}%" in str(top)


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
    side_b = {n for n in graph if graph.nodes[n]["sector"] == "social_care"}
    scores = nx.betweenness_centrality_subset(graph, side_a, side_b)
    data = page_data(bridges_map(graph, "sector", ("acute", "social_care"), scores=scores, top=3))
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
    with pytest.raises(InvalidParameter, match="mental_health"):
        bridges_map(graph, "sector", ("acute", "mental_health"), scores={})
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
        colour = {c["code"]: c["color"] for c in attributes["sector"]["categories"]}
        assert colour and set(colour) <= set(sectors)
        assert all(colour[s] == SECTOR_COLOURS[s] for s in colour if s != "hospice")
        assert colour.get("hospice") not in SECTOR_COLOURS.values()
    network = page_data(network_map(G, color_by="sector"))["attributes"]
    assert {c["code"] for a in network if a["key"] == "sector" for c in a["categories"]} == set(
        sectors
    )


# -- labels and colours --------------------------------------------------------------------


def test_labels_have_one_home_and_read_as_words():
    from kg.labels import attribute_label, colours, in_sentence, label, plural

    assert label("profession", "occupational_therapist") == "Occupational therapist"
    assert label("profession", "gp") == "GP"
    assert label("profession", "art_therapist") == "Art therapist"  # unknown: made readable
    assert label("organisation", "Riverside NHS Trust") == "Riverside NHS Trust"  # a name stays
    assert label("sector", "social_care") == "Social care"
    assert label("role_kind", "hybrid") == "Hybrid clinical-managerial"
    assert label("level", "frontline") == "Front line"
    assert label("forum_kind", "community_of_practice") == "Community of practice"
    assert label("asset_kind", "case_study") == "Case study"
    assert label("tie_kind", "referral") == "Referral"
    assert label("community_kind", "cross_boundary_network") == "Cross-boundary network"
    assert label("hybrid", True) == "Hybrid middle manager"
    assert label("hybrid", "false") == "Not a hybrid middle manager"
    assert label("sector", None) == label("sector", "") == "Not recorded"
    assert attribute_label("role_kind") == "Kind of role"
    assert attribute_label("shoe_size") == "Shoe size"
    assert in_sentence("sector", "voluntary") == "the voluntary sector"
    assert in_sentence("profession", "gp") == "GP"
    assert plural("community_kind", "organisational_cluster") == "organisational clusters"
    # Fixed vocabularies keep their colour whatever else is present; open ones go biggest first.
    assert colours("sector", ["community", "acute"]) == colours("sector", ["acute", "community"])
    assert colours("organisation", {"a": 1, "b": 5}) == {"b": "#0072b2", "a": "#e69f00"}
    from kg.labels import FIXED_COLOURS

    for attribute, table in FIXED_COLOURS.items():
        assert len(set(table.values())) == len(table), f"{attribute} repeats a colour"


def _attribute(data, key):
    return next(a for a in data["attributes"] if a["key"] == key)


def test_maps_show_labels_and_keep_codes(graph, pages):
    for view in ("network", "ego", "bridges", "community"):
        data = page_data(pages[view])
        profession = _attribute(data, "profession")
        codes = {c["code"] for c in profession["categories"]}
        assert codes <= {"nurse", "occupational_therapist", "social_worker", "gp", "manager"}
        names = {c["name"] for c in profession["categories"]}
        assert not names & codes - {"nurse", "manager"}  # words, not codes, where people read
        assert "Occupational therapist" in names or "occupational_therapist" not in codes
        assert [a["label"] for a in data["attributes"]].count("Kind of role") == 1
        tips = " ".join(line for n in data["nodes"] for line in n["info"])
        assert "occupational_therapist" not in tips and "social_care" not in tips


def test_no_stray_colour_options(graph, pages):
    for view in ("network", "ego", "bridges", "community"):
        data = page_data(pages[view])
        keys = [a["key"] for a in data["attributes"]]
        assert len(keys) == len(set(keys))
        for attribute in data["attributes"]:
            # Every option has at least one recorded value among the people drawn.
            assert any(c["code"] is not None for c in attribute["categories"]), attribute
            assert attribute["label"][0].isupper()
            assert all(c["name"] != "(unknown)" for c in attribute["categories"])
    assert [a["key"] for a in page_data(pages["bridges"])["attributes"]][0] == "side"
    karate = page_data(network_map(nx.karate_club_graph(), color_by="club"))
    assert [a["key"] for a in karate["attributes"]] == ["club"]


def test_a_value_keeps_its_colour_on_every_map(graph, communities, pages):
    def colours_of(data, key):
        return {c["code"]: c["color"] for c in _attribute(data, key)["categories"]}

    seen: dict = {}
    for view in ("network", "ego", "bridges", "community"):
        for key in ("organisation", "profession", "level"):
            for code, colour in colours_of(page_data(pages[view]), key).items():
                assert seen.setdefault((key, code), colour) == colour, (view, key, code)
    # A community is the same colour drawn as one circle and as its people.
    circles = colours_of(page_data(pages["communities"]), "community")
    people = colours_of(page_data(network_map(graph, color_by="community",
                                              communities=communities)), "community")  # fmt: skip
    assert circles == people


def test_subtitle_says_the_period_only_when_there_is_one(graph):
    from kg.maps.network import period

    def subtitle(html):
        return re.search(r'class="cb-subtitle"><span>([^<]*)<', html).group(1)

    G = graph.copy()
    G.graph["window"] = [None, None]
    assert subtitle(network_map(G)) == f"60 people, {G.number_of_edges()} connections"
    assert period(G) == ""
    G.graph["window"] = ["2018-01-01", "2019-11-30"]
    assert subtitle(network_map(G)).endswith("; period 2018-01-01 to 2019-11-30")
    G.graph["window"] = ["2018-01-01", None]
    assert period(G) == "; from 2018-01-01"


def test_tie_tooltips_say_what_a_tie_is_made_of(graph):
    from maps_graphs import forum_info

    data = page_data(network_map(graph, forums=forum_info(graph)))
    index = {n["id"]: n["key"] for n in data["nodes"]}
    for edge in data["edges"]:
        d = graph.edges[index[edge["from"]], index[edge["to"]]]
        text = " | ".join(edge["info"])
        assert f"From direct ties {d['layer_ties']:.3g}" in text
        if d["forums"]:
            assert "shared forums 0.25" in text
            assert "Both attend: OT collaborative <b>, Discharge forum" in text
        else:
            assert "Both attend" not in text


def test_panel_data_lists_forums_roles_and_measures(graph):
    from maps_graphs import forum_info

    forums = forum_info(graph)
    metric = nx.betweenness_centrality(graph)
    data = page_data(network_map(graph, forums=forums, size_by=metric, size_label="betweenness"))
    assert data["measure"]["label"] == "Share of shortest paths" and data["measure"]["words"]
    names = [f["name"] for f in data["forums"]]
    for node in data["nodes"]:
        attends = {fid for fid, f in forums.items() if node["key"] in f["members"]}
        listed = {data["forums"][i]["id"] for i in node.get("p", {}).get("forums", [])}
        assert listed == attends
        assert node["p"]["roles"] == [f"Role of person {node['key'][1:]}"]
        assert node["m"] == pytest.approx(metric[node["key"]], rel=1e-3)
    assert set(names) == {"OT collaborative <b>", "Discharge forum"}
    best = max(graph, key=lambda n: (metric[n], -int(n[1:])))
    assert next(n for n in data["nodes"] if n["key"] == best)["r"] == 0  # labelled first
    assert data["links"]["ego"] == "/maps/ego/{key}"
    # Without the forum table, a person's forums come from the ties that record them.
    bare = page_data(network_map(graph))
    assert {f["id"] for f in bare["forums"]} == {"F1", "F2"}


def test_ego_map_puts_the_person_in_the_middle(graph):
    data = page_data(ego_map(graph, "P4", hops=2))
    me = next(n for n in data["nodes"] if n["key"] == "P4")
    assert (me["x"], me["y"]) == (0.0, 0.0)
    distance = nx.single_source_shortest_path_length(graph, "P4", cutoff=2)
    radius = {n["key"]: (n["x"] ** 2 + n["y"] ** 2) ** 0.5 for n in data["nodes"]}
    near = max(radius[k] for k, d in distance.items() if d == 1)
    far = min(radius[k] for k, d in distance.items() if d == 2)
    assert 0 < min(radius[k] for k, d in distance.items() if d == 1) and near < far * 1.3
    xs = [n["x"] for n in data["nodes"]]
    ys = [n["y"] for n in data["nodes"]]
    assert abs(max(xs) + min(xs)) < 0.25 * (max(xs) - min(xs))  # the drawing is around them
    assert abs(max(ys) + min(ys)) < 0.25 * (max(ys) - min(ys))


@pytest.mark.parametrize("view", ["organisations", "communities", "network-aggregated"])
def test_group_circles_never_overlap(pages, view):
    nodes = page_data(pages[view])["nodes"]
    for i, a in enumerate(nodes):
        for b in nodes[i + 1 :]:
            gap = ((a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2) ** 0.5
            assert gap >= a["size"] + b["size"], (a["label"], b["label"])


def test_bridges_map_reads_left_to_right(graph):
    side_a = {n for n in graph if graph.nodes[n]["sector"] == "acute"}
    side_b = {n for n in graph if graph.nodes[n]["sector"] == "social_care"}
    scores = nx.betweenness_centrality_subset(graph, side_a, side_b)
    data = page_data(bridges_map(graph, "sector", ("acute", "social_care"), scores=scores, top=3))
    x = {n["key"]: n["x"] for n in data["nodes"]}
    top3 = sorted((n for n in graph if scores[n] > 0), key=lambda n: (-scores[n], n))[:3]
    a = sorted(x[n] for n in side_a if n not in top3)
    b = sorted(x[n] for n in side_b if n not in top3)
    assert max(a) < min(b)  # group a on the left, group b on the right
    for broker in top3:  # brokers between them
        assert a[len(a) // 2] < x[broker] < b[len(b) // 2]
    side = _attribute(data, "side")
    assert [c["name"] for c in side["categories"]][:2] == ["Acute", "Social care"]
    from kg.labels import SECTOR_COLOURS

    assert side["categories"][0]["color"] == SECTOR_COLOURS["acute"]


def test_bridges_map_at_medium_size_draws_what_can_be_read():
    from kg.analysis.brokers import between_groups_betweenness

    G = person_graph(3000, organisations=20, mean_degree=8, seed=5)
    scores = between_groups_betweenness(G, "sector", "acute", "community").values
    html = bridges_map(G, "sector", ("acute", "community"), scores=scores, top=10)
    data = page_data(html)
    assert len(data["nodes"]) <= 400
    keys = {n["key"] for n in data["nodes"]}
    top = sorted((n for n in G if scores[n] > 0), key=lambda n: (-scores[n], n))[:10]
    assert set(top) <= keys
    banner = re.search(r'id="cb-banner"[^>]*>([^<]*)<', html).group(1)
    assert f"Showing {len(keys):,} of the " in banner and "Left out: " in banner
    assert data["forumList"]["items"], "no forums listed for the brokers"


def test_bridges_forum_list_names_the_brokers_forums(graph):
    from maps_graphs import forum_info

    forums = forum_info(graph)
    side_a = {n for n in graph if graph.nodes[n]["sector"] == "acute"}
    side_b = {n for n in graph if graph.nodes[n]["sector"] == "social_care"}
    scores = nx.betweenness_centrality_subset(graph, side_a, side_b)
    data = page_data(
        bridges_map(graph, "sector", ("acute", "social_care"), scores=scores, top=3, forums=forums)
    )
    top3 = sorted((n for n in graph if scores[n] > 0), key=lambda n: (-scores[n], n))[:3]
    attended = {f for f, info in forums.items() for b in top3 if b in info["members"]}
    listed = {data["forums"][item["f"]]["id"] for item in data["forumList"]["items"]}
    assert listed == attended
    for item in data["forumList"]["items"]:
        fid = data["forums"][item["f"]]["id"]
        count = sum(1 for b in top3 if b in forums[fid]["members"])
        assert item["text"].startswith(f"{count} of the top 3 brokers")


def test_to_pyvis_builds_the_same_map(graph):
    from kg.maps import to_pyvis

    html = network_map(graph, color_by="sector")
    data = page_data(html)
    net = to_pyvis(html)
    assert [n["id"] for n in net.nodes] == [n["id"] for n in data["nodes"]]
    assert {(e["from"], e["to"]) for e in net.edges} == {
        (e["from"], e["to"]) for e in data["edges"]
    }
    sector = data["attributes"][data["colorBy"]]
    for ours, theirs in zip(data["nodes"], net.nodes, strict=True):
        assert (
            theirs["color"]["background"]
            == sector["categories"][ours["g"][data["colorBy"]]]["color"]
        )
        assert (theirs["x"], theirs["y"]) == (ours["x"], ours["y"])
        assert "<" not in theirs["title"] and ">" not in theirs["title"]
    injected = next(n for n in net.nodes if n["id"] == next(
        m["id"] for m in data["nodes"] if m["key"] == "P0"))  # fmt: skip
    assert "&lt;img src=x onerror=alert(1)&gt;" in injected["title"]
    assert net.options.physics.enabled is False
    by_org = to_pyvis(data, color_by="organisation")
    assert by_org.nodes[0]["color"]["background"] != "" and len(by_org.nodes) == len(net.nodes)
    with pytest.raises(InvalidParameter):
        to_pyvis(data, color_by="shoe_size")
    with pytest.raises(InvalidParameter):
        to_pyvis("<html>not a map</html>")


def test_the_panel_shows_the_measure_as_every_page_does(graph):
    metric = nx.betweenness_centrality(graph)
    data = page_data(network_map(graph, size_by=metric, size_label="betweenness"))
    top = max(metric, key=metric.get)
    node = next(n for n in data["nodes"] if n["key"] == top)
    assert node["ms"] == f"{100 * metric[top]:.1f}%"  # "6.2%", never "0.0619"
