"""The bridges between two groups: who connects, say, acute care and community health, and
through which forums."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Mapping

import networkx as nx
import numpy as np

from kg.errors import InvalidParameter
from kg.labels import measure
from kg.maps._arrange import lean, separate, sides
from kg.maps._build import (
    _global_palette,
    check_graph,
    check_positive_int,
    display_value,
    measure_text,
    person_map_data,
    positions,
    value_of,
)
from kg.maps._page import render_page
from kg.maps.network import NOTE, period

__all__ = ["bridges_map"]

#: People drawn at most: beyond this a bridges map is a hairball, whatever the screen.
LEGIBLE_NODES = 400
#: Of each top broker's ties into each group, the strongest this many are drawn.
BROKER_TIES = 12
#: Direct ties across drawn at most (the strongest), and people of each group shown for context.
CROSS_TIES = 60
CONTEXT = 40
#: Forums listed under "through which forums".
FORUM_ROWS = 8
BETWEEN = "between"
BETWEEN_COLOUR = "#333333"


def _members(G: nx.Graph, attribute: str, group) -> set:
    exact = {n for n, a in G.nodes(data=True) if a.get(attribute) == group}
    if exact:
        return exact
    # Values typed on a command line arrive as text ("True", an id); match them by their text too.
    text = str(group).casefold()
    return {
        n
        for n, a in G.nodes(data=True)
        if a.get(attribute) is not None
        and (
            str(a.get(attribute)).casefold() == text
            or display_value(attribute, a).casefold() == text
        )
    }


def bridges_map(
    G: nx.Graph,
    attribute: str,
    groups: tuple,
    *,
    scores: Mapping,
    top: int = 10,
    score_label: str = "between_groups",
    title: str | None = None,
    max_nodes: int = LEGIBLE_NODES,
    forums: Mapping | None = None,
    links: Mapping | None = None,
    seed: int = 0,
) -> str:
    """The people of two groups, the top brokers between them, and the ties they carry.

    Group a is drawn on the left, group b on the right, and the ``top`` brokers by ``scores``
    (ringed, numbered, always labelled) down the middle with the people outside both groups who
    touch both (one-step intermediaries); each group's people with ties across sit on its
    inner edge. Ties of the top brokers are dark (the paths they carry); direct ties from one
    group to the other are purple; all other ties are faint. Nodes are sized by score and
    coloured by side. The legend lists the forums the top brokers attend (through which forums
    the bridging happens); a broker's panel lists theirs.

    Parameters
    ----------
    G : networkx.Graph
        Person graph (see :func:`kg.maps.network_map`).
    attribute : str
        Person attribute defining the groups, e.g. ``"sector"`` or ``"organisation"``.
    groups : (a, b)
        The two values of ``attribute`` to bridge, e.g. ``("acute", "community health")``.
    scores : mapping node -> float
        Brokerage scores, typically between-group betweenness from
        :func:`kg.analysis.brokers.between_groups_betweenness`.
    top : int, default 10
        How many brokers to ring and label.
    score_label : str
        Name of the score in tooltips and legend.
    title : str, optional
        Page heading.
    max_nodes : int, default 400
        If more people are involved, only the brokers, their strongest ties into each group,
        the people between, the ends of the strongest direct ties across and a sample of each
        group are drawn, and a banner says what is left out.
    forums, links
        As in :func:`kg.maps.network_map`.
    seed : int
        Layout seed.

    Returns
    -------
    str
        Self-contained HTML document.

    Raises
    ------
    InvalidParameter
        ``groups`` is not two distinct values, a group has no members, or ``top`` < 1.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> a = {n for n in G if G.nodes[n]["club"] == "Mr. Hi"}
    >>> scores = nx.betweenness_centrality_subset(G, a, set(G) - a)
    >>> "Bridges" in bridges_map(G, "club", ("Mr. Hi", "Officer"), scores=scores, top=3)
    True

    References
    ----------
    U. Brandes, "On variants of shortest-path betweenness centrality and their generic
    computation", Social Networks 30(2), 2008 (betweenness restricted to sources and targets).
    """
    check_graph(G)
    if not isinstance(attribute, str) or not attribute:
        raise InvalidParameter("attribute must be a person attribute name, e.g. 'sector'")
    if not isinstance(groups, list | tuple) or len(groups) != 2:
        raise InvalidParameter("groups must be a pair (a, b) of attribute values")
    check_positive_int("top", top)
    check_positive_int("max_nodes", max_nodes)
    if not isinstance(scores, Mapping):
        raise InvalidParameter("scores must be a mapping node -> score")
    side_a, side_b = (_members(G, attribute, g) for g in groups)
    for group, members in zip(groups, (side_a, side_b), strict=True):
        if not members:
            values = sorted({display_value(attribute, a) for _, a in G.nodes(data=True)})
            shown = ", ".join(values[:20]) + (" ..." if len(values) > 20 else "")
            raise InvalidParameter(f"no one has {attribute} = {group!r}; values present: {shown}")
    if side_a == side_b:
        raise InvalidParameter("the two groups must differ")
    name_a = display_value(attribute, G.nodes[next(iter(side_a))])
    name_b = display_value(attribute, G.nodes[next(iter(side_b))])

    ranked = sorted(
        (n for n in G if n in scores and _positive(scores[n])),
        key=lambda n: (-float(scores[n]), str(n)),
    )
    brokers = ranked[:top]
    both = side_a | side_b
    intermediaries = {
        n
        for n in G
        if n not in both and any(v in side_a for v in G[n]) and any(v in side_b for v in G[n])
    }
    everyone = both | set(brokers) | intermediaries
    shown, left_out = _legible(
        G, side_a, side_b, brokers, intermediaries, scores, max_nodes=max_nodes, seed=seed
    )
    banner = None
    if left_out:
        drawn_ties = G.subgraph(shown).number_of_edges()
        all_ties = G.subgraph(everyone).number_of_edges()
        banner = (
            f"Showing {len(shown):,} of the {len(everyone):,} people so the bridges can be read: "
            f"the top {len(brokers)} brokers and their strongest ties into each group, the "
            f"people between, the strongest direct ties across and a sample of each group. "
            f"Left out: {len(everyone) - len(shown):,} people and {all_ties - drawn_ties:,} "
            f"ties ({left_out})."
        )
    broker_set = set(brokers)

    def highlight(u, v) -> int:
        if u in broker_set or v in broker_set:
            return 1
        if (u in side_a and v in side_b) or (u in side_b and v in side_a):
            return 2
        return 0

    def side(n) -> str:
        return "a" if n in side_a else ("b" if n in side_b else "mid")

    nodes = sorted(shown, key=lambda n: (side(n), str(n)))
    index = {n: i for i, n in enumerate(nodes)}
    xy = _three_columns(G, nodes, index, side, side_a, side_b, brokers, scores, seed)
    score_name = measure(score_label)[0]
    rings = {
        b: [f"Top broker #{rank} ({score_name.lower()}: {measure_text(score_label, scores[b])})"]
        for rank, b in enumerate(brokers, start=1)
    }
    palette, _ = _global_palette(G, attribute)
    code_a, code_b = (
        value_of(attribute, G.nodes[next(iter(side_a))]),
        value_of(attribute, G.nodes[next(iter(side_b))]),
    )
    side_code = {n: (code_a if n in side_a else code_b if n in side_b else BETWEEN) for n in nodes}
    side_words = {code_a: name_a, code_b: name_b, BETWEEN: "Between (in neither group)"}
    side_colours = {code_a: palette.get(code_a), code_b: palette.get(code_b),
                    BETWEEN: BETWEEN_COLOUR}  # fmt: skip
    data = person_map_data(
        G,
        nodes,
        color_by=attribute if attribute != "side" else "organisation",
        size_by={n: scores.get(n, 0.0) for n in nodes},
        size_label=score_label,
        rings=rings,
        edge_highlight=highlight,
        extra_attributes=[("side", "Side", side_code, side_words, side_colours)],
        legend_extra=[
            f"Left: {name_a}. Right: {name_b}. Middle: the top {len(brokers)} brokers "
            "(dark rings, numbered) and people in neither group.",
            "Each group's people with ties across sit on its inner edge.",
            "Dark lines: ties of the top brokers (the paths they carry).",
            f"Purple lines: direct ties between {name_a} and {name_b}.",
        ],
        forums=forums,
        links=links,
        xy=xy,
        seed=seed,
    )
    data["colorBy"] = 0
    rank_of = {str(b): r for r, b in enumerate(brokers, 1)}
    for node in data["nodes"]:
        if node["key"] in rank_of:
            node["label"] = f"#{rank_of[node['key']]} {node['label']}"
    data["labelTop"] = max(len(brokers), 8)
    data["forumList"] = _through_which_forums(
        G, data, brokers, side_a, side_b, name_a, name_b, forums
    )
    cross = sum(1 for u in side_a for v in G[u] if v in side_b)
    return render_page(
        data,
        title=title or f"Bridges between {name_a} and {name_b}",
        subtitle=f"{len(side_a):,} people in {name_a} and {len(side_b):,} in {name_b}; "
        f"{cross:,} direct ties across; top {len(brokers)} brokers numbered" + period(G),
        banner=banner,
        notes=[NOTE],
    )


def _positive(value) -> bool:
    try:
        return value is not None and float(value) > 0
    except (TypeError, ValueError):
        return False


def _legible(G, side_a, side_b, brokers, intermediaries, scores, *, max_nodes, seed):
    """The people to draw, and words for what was left out ("" when everyone is drawn)."""
    everyone = side_a | side_b | set(brokers) | intermediaries
    if len(everyone) <= max_nodes:
        return everyone, ""
    both = side_a | side_b
    focus = list(dict.fromkeys(brokers))

    def add(nodes):
        for n in nodes:
            if len(focus) >= max_nodes:
                return
            if n not in focus_set:
                focus.append(n)
                focus_set.add(n)

    focus_set = set(focus)

    def weight(u, v):
        return float(G[u][v].get("weight", 1.0) or 0.0)

    for b in brokers:  # each broker's strongest ties into each group
        for group in (side_a, side_b):
            ties = sorted((v for v in G[b] if v in group), key=lambda v: (-weight(b, v), str(v)))
            add(ties[:BROKER_TIES])
    between = sorted(intermediaries, key=lambda n: (-float(scores.get(n, 0) or 0), str(n)))
    add(between[: max(1, max_nodes // 8)])
    across = sorted(
        ((u, v) for u in side_a for v in G[u] if v in side_b),
        key=lambda e: (-weight(*e), str(e[0]), str(e[1])),
    )
    for u, v in across[:CROSS_TIES]:
        add((u, v))
    rng = random.Random(seed)
    for group in (side_a, side_b):
        rest = sorted(n for n in group if n not in focus_set)
        add(rng.sample(rest, min(CONTEXT, len(rest))))
    shown = set(focus)
    missing = {
        "brokers' weaker ties": sum(
            1 for b in brokers for v in G[b] if v in both and v not in shown
        ),
        "direct ties across": max(0, len(across) - CROSS_TIES),
        "people between": max(0, len(intermediaries - shown)),
    }
    words = "; ".join(f"{k}: {v:,}" for k, v in missing.items() if v)
    return shown, words or "the rest of each group"


def _three_columns(G, nodes, index, side, side_a, side_b, brokers, scores, seed):
    """Group a on the left, group b on the right, brokers and people between in the middle."""
    base = positions(G, nodes, index, seed)
    shown = set(nodes)
    middle = shown - side_a - side_b
    towards = []
    for n in nodes:
        ties = defaultdict(float)
        for v, d in G[n].items():
            if v not in shown:
                continue
            w = float(d.get("weight", 1.0) or 0.0)
            ties["a"] += w if v in side_a else 0.0
            ties["b"] += w if v in side_b else 0.0
            ties["mid"] += w if v in middle or v in brokers else 0.0
            ties["total"] += w
        own = side(n)
        if own == "mid" or n in brokers:
            towards.append(lean(ties["a"], ties["b"]))
        else:
            other = "b" if own == "a" else "a"
            across = ties[other] + ties["mid"]
            towards.append(0.0 if ties["total"] <= 0 else across / ties["total"])
    n = len(nodes)
    height = max(520.0, 26.0 * np.sqrt(n) * 4.0)
    width = height * 1.7
    column = ["mid" if m in brokers else side(m) for m in nodes]
    xy = sides(base, column, towards, brokers=[index[b] for b in brokers if b in index],
               width=width, height=height)  # fmt: skip
    if n <= 800:
        values = [float(scores.get(m, 0.0) or 0.0) for m in nodes]
        top = max(values) or 1.0
        radii = [6.0 + 22.0 * np.sqrt(max(v, 0.0) / top) + (6.0 if m in brokers else 0.0)
                 for v, m in zip(values, nodes, strict=True)]  # fmt: skip
        xy = separate(xy, radii, gap=4.0, iterations=120)
    return xy


def _through_which_forums(G, data, brokers, side_a, side_b, name_a, name_b, forums) -> dict:
    """The forums the top brokers attend, most brokers first: where the bridging happens."""
    table = data["forums"]
    if not table or not brokers:
        return {"title": "Forums the top brokers attend", "items": []}
    key_index = {node["key"]: node for node in data["nodes"]}
    attending = Counter()
    for b in brokers:
        for f in (key_index.get(str(b), {}).get("p") or {}).get("forums", ()):
            attending[f] += 1
    members = defaultdict(set)  # forum id -> people of either group who attend
    if forums and any("members" in (v or {}) for v in forums.values()):
        for fid, info in forums.items():
            members[str(fid)].update(p for p in (info or {}).get("members") or () if p in G)
    else:
        for u, v, d in G.edges(side_a | side_b, data=True):
            for fid in d.get("forums") or ():
                members[str(fid)].update((u, v))
    items = []
    for f, count in sorted(attending.items(), key=lambda kv: (-kv[1], table[kv[0]]["name"])):
        people = members.get(table[f]["id"], set())
        in_a = len(people & side_a)
        in_b = len(people & side_b)
        items.append({
            "f": f,
            "text": f"{count} of the top {len(brokers)} brokers; {in_a:,} from {name_a}, "
                    f"{in_b:,} from {name_b} attend",
        })  # fmt: skip
        if len(items) >= FORUM_ROWS:
            break
    return {"title": "Through which forums: those the top brokers attend", "items": items}
