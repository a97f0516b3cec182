"""Turn a person graph into the data the map page draws: nodes with positions, colours by group,
sizes and label priority by a measure, short tooltips and the facts for the side panel; edges
with widths and what they are made of. Shared by every view.

The data keeps codes (``categories[i].code``); everything people read (category names,
attribute names, tooltips, panel facts) is words from :mod:`kg.labels`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence

import networkx as nx

from kg.analysis.projection import LAYERS
from kg.errors import InvalidParameter
from kg.labels import attribute_label, colours, label, measure
from kg.maps._layout import layout_positions
from kg.measures import find, show

__all__ = [
    "LINKS",
    "PERSON_ATTRIBUTES",
    "aggregate_map_data",
    "check_color_by",
    "check_graph",
    "check_positive_int",
    "display_value",
    "person_map_data",
]

PERSON_ATTRIBUTES = ("organisation", "sector", "profession", "role_kind", "level", "hybrid")
#: Where a panel's links lead on the API (``{key}`` is the person's id, ``{drill}`` the
#: community's id); a page opened from a file hides them.
LINKS = {
    "ego": "/maps/ego/{key}",
    "person": "/people/{key}",
    "group": "/maps/communities?community={drill}",
}
#: Labels drawn before the reader zooms: the people who matter most by the map's measure.
LABEL_TOP = 12
#: Strongest ties listed in a person's panel.
PANEL_TIES = 5


def value_of(attribute: str, attrs: Mapping):
    """A person's code for ``attribute`` (None when missing)."""
    value = attrs.get(attribute)
    if attribute == "hybrid":
        return None if value is None else bool(value)
    if value == "":
        return None
    return value


def display_value(attribute: str, attrs: Mapping) -> str:
    """The words shown for a person's group under ``attribute``."""
    value = value_of(attribute, attrs)
    if attribute in ("organisation", "team") and value is not None:
        return str(attrs.get(f"{attribute}_name") or value)
    return label(attribute, value)


def _json_code(value):
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


class Column:
    """One colour-by option: a code per shown node, and categories (code, words, colour)."""

    def __init__(self, key: str, title: str, codes: list, names: Mapping, palette: Mapping):
        present = set(codes)
        order = [c for c in palette if c is not None and c in present]
        order += sorted((c for c in present if c not in palette and c is not None), key=str)
        if None in present:
            order.append(None)  # "Not recorded" last
        index = {c: i for i, c in enumerate(order)}
        self.key, self.title = key, title
        self.codes = [index[c] for c in codes]
        self.categories = [
            {"code": _json_code(c), "name": names.get(c, label(key, c)),
             "color": palette.get(c) or colours(key, [c])[c]}
            for c in order
        ]  # fmt: skip

    def as_json(self) -> dict:
        return {"key": self.key, "label": self.title, "categories": self.categories}


def _global_palette(G: nx.Graph, attribute: str) -> tuple[dict, dict]:
    """Colours and words for every value of ``attribute`` in the whole graph, so a value has the
    same colour on every map of it (ego, bridges, a community) as on the whole network."""
    counts = Counter(value_of(attribute, a) for _, a in G.nodes(data=True))
    names = {}
    if attribute in ("organisation", "team"):
        for _, a in G.nodes(data=True):
            code = a.get(attribute)
            if code is not None and code not in names:
                names[code] = str(a.get(f"{attribute}_name") or code)
    palette = colours(attribute, dict(counts))
    return palette, names


def check_graph(G) -> None:
    if not isinstance(G, nx.Graph):
        raise InvalidParameter(f"expected a networkx graph, got {type(G).__name__}")


def check_positive_int(name: str, value) -> None:
    """Raise InvalidParameter unless ``value`` is an integer >= 1 (a bool is not)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidParameter(f"{name} must be an integer >= 1, got {value!r}")


def check_color_by(G, color_by, communities=None) -> None:
    """Raise InvalidParameter unless ``color_by`` names something the nodes can be grouped by."""
    if isinstance(color_by, Mapping):
        return
    if not isinstance(color_by, str):
        raise InvalidParameter("color_by must be an attribute name or a mapping node -> group")
    if color_by == "community":
        if communities is None:
            raise InvalidParameter("color_by='community' needs the communities (a list of sets)")
        return
    if color_by in PERSON_ATTRIBUTES or color_by == "team":
        return
    if not any(color_by in attrs for _, attrs in G.nodes(data=True)):
        known = ", ".join(PERSON_ATTRIBUTES + ("community",))
        raise InvalidParameter(f"unknown color_by {color_by!r}; use one of {known}")


def community_index(communities: Iterable[Iterable[Hashable]]) -> dict:
    """Node -> community number (0-based, in the order given)."""
    membership = {}
    for i, members in enumerate(communities):
        for node in members:
            membership[node] = i
    return membership


def scaled_sizes(
    nodes: Sequence,
    metric: Mapping | None,
    *,
    smallest: float,
    largest: float,
    default: float,
    from_zero: bool = False,
) -> list[float]:
    if not metric:
        return [default] * len(nodes)
    values = [metric.get(n) for n in nodes]
    finite = [float(v) for v in values if _finite(v)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 0.0)
    if from_zero:
        low = min(low, 0.0)  # headcounts: a group twice as big looks twice as big
    span = high - low
    sizes = []
    for v in values:
        if not _finite(v) or span <= 0:
            sizes.append(smallest if span > 0 else default)
        else:
            # Area, not radius, grows with the metric.
            sizes.append(
                round(smallest + (largest - smallest) * math.sqrt((float(v) - low) / span), 1)
            )
    return sizes


def _finite(value) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def edge_width(weight: float, heaviest: float, *, thinnest=0.5, widest=4.0) -> float:
    if heaviest <= 0 or not math.isfinite(weight):
        return thinnest
    return round(thinnest + (widest - thinnest) * math.sqrt(max(weight, 0.0) / heaviest), 2)


def measure_text(measure_name: str | None, value) -> str:
    """A measure's value as the reader sees it everywhere (:mod:`kg.measures`), or a plain
    number for a measure it does not know."""
    code = find(measure_name)
    return show(code, value) if code else format_number(value)


def format_number(value) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return "n/a"
    return f"{number:.3g}"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def positions(G: nx.Graph, nodes: Sequence, index: Mapping, seed: int, spacing: float = 80.0):
    edges = [
        (index[u], index[v], float(d.get("weight", 1.0) or 1.0))
        for u, v, d in G.edges(nodes, data=True)
        if u in index and v in index and u != v
    ]
    return layout_positions(nodes, edges, seed=seed, spacing=spacing)


def ranks(nodes: Sequence, metric: Mapping | None, G: nx.Graph) -> list[int]:
    """Label priority: 0 for the highest measure (ties broken by connections, then id)."""
    degree = dict(G.degree(nodes))

    def key(i):
        node = nodes[i]
        value = metric.get(node) if metric else None
        return (-(float(value) if _finite(value) else -1.0), -degree.get(node, 0), str(node))

    order = sorted(range(len(nodes)), key=key)
    out = [0] * len(nodes)
    for r, i in enumerate(order):
        out[i] = r
    return out


def forum_table(G: nx.Graph, nodes: Sequence, forums: Mapping | None):
    """The forums the shown people attend: (list of {id, name, kind, n}, node -> [indices]).

    ``forums`` maps a forum id to ``{"name", "kind", "members"}`` (members optional). Without
    members, a person's forums are those they share with someone on their ties (the edges'
    ``forums``), which leaves out forums where no one else is in their network.
    """
    shown = set(nodes)
    attends: dict = defaultdict(set)
    if forums and any("members" in (info or {}) for info in forums.values()):
        for fid, info in forums.items():
            for person in (info or {}).get("members") or ():
                if person in shown:
                    attends[person].add(fid)
    else:
        for u, v, d in G.edges(nodes, data=True):
            shared = d.get("forums")
            if isinstance(shared, list | tuple | set | frozenset):
                for fid in shared:
                    if u in shown:
                        attends[u].add(fid)
                    if v in shown:
                        attends[v].add(fid)
    used = Counter(fid for fids in attends.values() for fid in fids)
    info = forums or {}
    order = sorted(used, key=lambda f: (-used[f], str((info.get(f) or {}).get("name") or f)))
    index = {fid: i for i, fid in enumerate(order)}
    table = []
    for fid in order:
        entry = info.get(fid) or {}
        table.append({
            "id": str(fid),
            "name": str(entry.get("name") or fid),
            "kind": label("forum_kind", entry.get("kind")) if entry.get("kind") else "",
            "n": used[fid],
        })  # fmt: skip
    per_node = {
        n: sorted((index[f] for f in fids), key=lambda i: (-table[i]["n"], table[i]["name"]))
        for n, fids in attends.items()
    }
    return table, per_node


def person_map_data(
    G: nx.Graph,
    nodes: Sequence,
    *,
    color_by,
    communities: Sequence[set] | None = None,
    size_by: Mapping | None = None,
    size_label: str | None = None,
    rings: Mapping | None = None,
    edge_highlight: Callable[[Hashable, Hashable], int] | None = None,
    extra_attributes: Sequence[tuple] = (),
    legend_extra: Sequence[str] = (),
    forums: Mapping | None = None,
    links: Mapping | None = None,
    xy=None,
    seed: int = 0,
) -> dict:
    """Page data for a view of individual people.

    ``rings`` maps the nodes to emphasise (drawn larger with a dark ring, always labelled) to
    extra tooltip lines; ``edge_highlight(u, v)`` returns 0 (plain), 1 (a highlighted path) or 2
    (a direct tie across the boundary); ``extra_attributes`` are ``(key, label, node -> code,
    code -> words, code -> colour)`` offered first in the colour-by menu; ``forums`` as in
    :func:`forum_table`; ``xy`` positions to use instead of the force layout.
    """
    nodes = list(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    member_of = community_index(communities) if communities is not None else None
    rings = rings or {}
    node_attrs = [G.nodes[n] for n in nodes]

    columns: list[Column] = []
    for key, title, mapping, names, palette in extra_attributes:
        columns.append(Column(key, title, [mapping.get(n) for n in nodes], names, palette))
    if isinstance(color_by, Mapping):
        codes = [color_by.get(n) for n in nodes]
        palette = colours("group", Counter(color_by.get(n) for n in G))
        columns.append(Column("group", "Group", codes, {c: str(c) for c in palette}, palette))
    if member_of is not None:
        order = list(range(1, len(communities) + 1))
        palette = colours("community", order)
        codes = [member_of[n] + 1 if n in member_of else None for n in nodes]
        columns.append(
            Column("community", "Community", codes, {c: f"Community {c}" for c in order}, palette)
        )
    wanted = list(PERSON_ATTRIBUTES)
    if isinstance(color_by, str) and color_by not in wanted and color_by != "community":
        wanted.append(color_by)
    for key in wanted:
        codes = [value_of(key, a) for a in node_attrs]
        # An attribute nobody here has (a graph without sectors) is no use in the menu.
        if key != color_by and all(c is None for c in codes):
            continue
        palette, names = _global_palette(G, key)
        columns.append(Column(key, attribute_label(key), codes, names, palette))
    colour_key = "group" if isinstance(color_by, Mapping) else color_by
    keys = [c.key for c in columns]
    colour_index = keys.index(colour_key) if colour_key in keys else 0

    sizes = scaled_sizes(nodes, size_by, smallest=6.0, largest=28.0, default=10.0)
    if xy is None:
        xy = positions(G, nodes, index, seed)
    degree = dict(G.degree(nodes))
    rank = ranks(nodes, size_by, G)
    forum_list, forums_of = forum_table(G, nodes, forums)
    measure_name, measure_words = measure(size_label) if size_by is not None else (None, "")
    measured = [n for n in nodes if size_by is not None and _finite(size_by.get(n))]
    by_value = sorted(measured, key=lambda n: -float(size_by[n]))
    place = {n: i + 1 for i, n in enumerate(by_value)}

    out_nodes = []
    for i, node in enumerate(nodes):
        attrs = node_attrs[i]
        name = str(attrs.get("name") or node)
        info = [name, *rings.get(node, ())]
        role = ", ".join(
            label(k, attrs.get(k)) for k in ("profession", "role_kind", "level") if attrs.get(k)
        )
        if role:
            info.append(role)
        organisation = attrs.get("organisation_name") or attrs.get("organisation")
        if organisation:
            sector = attrs.get("sector")
            info.append(str(organisation) + (f" ({label('sector', sector)})" if sector else ""))
        if node in place:
            info.append(
                f"{measure_name}: {measure_text(size_label, size_by[node])} "
                f"({ordinal(place[node])} of {len(measured):,})"
            )
        info.append(f"Connections: {degree.get(node, 0)}")
        panel = {}
        if attrs.get("roles"):
            panel["roles"] = list(dict.fromkeys(str(r) for r in attrs["roles"] if r))
        if attrs.get("team_name") or attrs.get("team"):
            panel["team"] = str(attrs.get("team_name") or attrs.get("team"))
        if forums_of.get(node):
            panel["forums"] = forums_of[node]
        entry = {
            "id": i,
            "key": str(node),
            "label": name,
            "x": round(float(xy[i][0]), 1),
            "y": round(float(xy[i][1]), 1),
            "size": sizes[i] + (6.0 if node in rings else 0.0),
            "r": rank[i],
            "info": info,
            "g": [column.codes[i] for column in columns],
        }
        if node in place:
            entry["m"] = float(f"{float(size_by[node]):.4g}")
            entry["ms"] = measure_text(size_label, size_by[node])  # as every page writes it
            entry["mr"] = place[node]
        if node in rings:
            entry["ring"] = True
        if panel:
            entry["p"] = panel
        out_nodes.append(entry)

    edge_rows = [(u, v, d) for u, v, d in G.edges(nodes, data=True) if u in index and v in index]
    heaviest = max((float(d.get("weight", 1.0) or 0.0) for _, _, d in edge_rows), default=1.0)
    forum_names = {f["id"]: f["name"] for f in forum_list}
    with_info = len(edge_rows) <= 30000  # tooltips on huge edge sets only bloat the page
    out_edges = []
    for u, v, d in edge_rows:
        if u == v:
            continue
        weight = float(d.get("weight", 1.0) or 0.0)
        edge = {
            "from": index[u],
            "to": index[v],
            "width": edge_width(weight, heaviest),
            "w": float(format_number(weight)) if math.isfinite(weight) else 0.0,
        }
        highlight = edge_highlight(u, v) if edge_highlight else 0
        if highlight:
            edge["hl"] = highlight
            edge["width"] = max(edge["width"], 2.5)
        if with_info:
            edge["info"] = edge_info(G, u, v, d, weight, forum_names)
        out_edges.append(edge)

    extra_lines = list(legend_extra)
    if size_by is not None:
        extra_lines.insert(0, f"Size: {measure_name.lower()} (bigger = higher).")
    return {
        "kind": "people",
        "nodes": out_nodes,
        "edges": out_edges,
        "attributes": [c.as_json() for c in columns],
        "colorBy": colour_index,
        "legendExtra": extra_lines,
        "forums": forum_list,
        "measure": {"label": measure_name, "words": measure_words} if measure_name else None,
        "links": dict(LINKS if links is None else links),
        "labelTop": LABEL_TOP,
    }


def edge_info(G, u, v, d, weight, forum_names: Mapping | None = None) -> list[str]:
    """Tooltip of a tie: who, how strong, and what it is made of (the ``layer_*`` weights the
    projection records, and the names of the forums the two share)."""
    head = f"{G.nodes[u].get('name') or u} \u2013 {G.nodes[v].get('name') or v}"
    info = [head, f"Strength: {format_number(weight)}"]
    parts = []
    for layer in LAYERS:
        value = d.get(f"layer_{layer}")
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            parts.append(f"{label('layer', layer).lower()} {format_number(value)}")
    if parts:
        info.append("From " + ", ".join(parts))
    shared = d.get("forums")
    if isinstance(shared, list | tuple | set | frozenset) and shared:
        names = [str((forum_names or {}).get(str(f), f)) for f in sorted(shared, key=str)]
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        info.append(f"Both attend: {shown}")
    return info


def _order(value) -> tuple:
    """Numbers in numeric order, then text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value, "")
    return (1, 0, str(value))


def _top(counter: Counter, k: int = 3) -> str:
    return ", ".join(f"{name} ({count})" for name, count in counter.most_common(k))


def aggregate_map_data(
    G: nx.Graph,
    membership: Mapping,
    *,
    group_labels: Mapping,
    unit: str,
    own_colour: bool,
    color_by: str | None = None,
    drill: Mapping | None = None,
    links: Mapping | None = None,
    seed: int = 0,
) -> dict:
    """Page data with one node per group of people (a community, an organisation).

    Each group node is sized by headcount; edges carry the number of person-to-person ties and their
    total weight between the two groups. Tooltips profile each group (organisations, sectors,
    professions, ties inside and out, and its E-I index: (external - internal) / (external +
    internal) ties, -1 for a perfect silo; Krackhardt and Stern 1988). ``drill`` maps a group
    to the id its own map is opened with (``links["group"]``). Circles never overlap.
    """
    from kg.maps._arrange import separate

    members: dict = defaultdict(list)
    for node in G.nodes:
        members[membership.get(node)].append(node)
    groups = sorted(members, key=lambda g: (-len(members[g]), str(group_labels.get(g, g))))
    index = {g: i for i, g in enumerate(groups)}

    internal = Counter()
    external = Counter()
    between: dict = defaultdict(lambda: [0, 0.0])
    for u, v, d in G.edges(data=True):
        gu, gv = membership.get(u), membership.get(v)
        if gu == gv:
            internal[gu] += 1
            continue
        external[gu] += 1
        external[gv] += 1
        key = (index[gu], index[gv]) if index[gu] < index[gv] else (index[gv], index[gu])
        between[key][0] += 1
        between[key][1] += float(d.get("weight", 1.0) or 0.0)

    profiles = {}
    for g in groups:
        profiles[g] = {
            key: Counter(value_of(key, G.nodes[n]) for n in members[g])
            for key in ("organisation", "sector", "profession")
        }

    columns: list[Column] = []
    if own_colour:
        # Coloured by the group's id (a community's number), as on the maps of people.
        code_of = {g: (drill or {}).get(g, g) for g in groups}
        palette = colours(unit, sorted((c for c in code_of.values() if c is not None), key=_order))
        columns.append(
            Column(unit, attribute_label(unit), [code_of[g] for g in groups],
                   {code_of[g]: str(group_labels.get(g, g)) for g in groups}, palette)
        )  # fmt: skip
    word_of = {}
    for key in ("sector", "organisation", "profession"):
        palette, names = _global_palette(G, key)
        word_of[key] = names
        main = [profiles[g][key].most_common(1)[0][0] for g in groups]
        if key != unit and all(c is None for c in main):
            continue
        title = f"Main {attribute_label(key).lower()}" if key != unit else attribute_label(key)
        if key == "organisation" and unit == "organisation":
            continue
        columns.append(Column(key, title, main, names, palette))
    keys = [c.key for c in columns]
    colour_index = keys.index(color_by) if color_by in keys else 0

    def words(key, counter: Counter) -> Counter:
        return Counter({(word_of[key].get(c) or label(key, c)): n for c, n in counter.items()})

    sizes = {g: len(members[g]) for g in groups}
    scaled = scaled_sizes(groups, sizes, smallest=10.0, largest=60.0, default=25.0, from_zero=True)
    xy = layout_positions(
        groups, [(i, j, w) for (i, j), (_, w) in between.items()], seed=seed, spacing=160.0
    )
    # Room for the circle and its label under it.
    xy = separate(xy, [s + 14.0 for s in scaled], gap=10.0)
    degree = dict(G.degree())
    out_nodes = []
    for i, g in enumerate(groups):
        name = str(group_labels.get(g, g))
        ties_in, ties_out = internal[g], external[g]
        info = [name, f"{sizes[g]:,} people"]
        if unit != "organisation":
            orgs = words("organisation", profiles[g]["organisation"])
            info.append("Organisations: " + _top(orgs))
        info.append("Sectors: " + _top(words("sector", profiles[g]["sector"])))
        info.append("Professions: " + _top(words("profession", profiles[g]["profession"])))
        info.append(f"Ties inside: {ties_in:,}; to other {unit}s: {ties_out:,}")
        if ties_in + ties_out:
            info.append(f"E-I index: {(ties_out - ties_in) / (ties_out + ties_in):+.2f}")
        best = sorted(members[g], key=lambda n: (-degree.get(n, 0), str(n)))[:8]
        entry = {
            "id": i,
            "key": str(g),
            "label": name,
            "x": round(float(xy[i, 0]), 1),
            "y": round(float(xy[i, 1]), 1),
            "size": scaled[i],
            "weight": sizes[g],
            "r": i,
            "info": info,
            "g": [column.codes[i] for column in columns],
            "p": {"people": [[str(n), str(G.nodes[n].get("name") or n)] for n in best]},
        }
        if drill and g in drill:
            entry["drill"] = str(drill[g])
        out_nodes.append(entry)
    heaviest = max((w for _, w in between.values()), default=1.0)
    out_edges = []
    for (i, j), (count, weight) in sorted(between.items()):
        a, b = out_nodes[i]["label"], out_nodes[j]["label"]
        out_edges.append(
            {
                "from": i,
                "to": j,
                "width": edge_width(weight, heaviest, thinnest=0.8, widest=14.0),
                "w": float(format_number(weight)),
                "info": [
                    f"{a} \u2013 {b}",
                    f"{count} ties between people",
                    f"Total strength: {weight:.3g}",
                ],
            }
        )
    return {
        "kind": "groups",
        "unit": unit,
        "nodes": out_nodes,
        "edges": out_edges,
        "attributes": [c.as_json() for c in columns],
        "colorBy": colour_index,
        "legendExtra": [
            f"One circle per {unit}, sized by headcount; legend counts are people.",
            "Line width: total strength of the ties between the two groups.",
        ],
        "forums": [],
        "measure": {"label": "People", "words": f"how many people the {unit} has"},
        "links": dict(LINKS if links is None else links),
        # A few dozen groups can all be named; their labels still never overlap.
        "labelTop": max(LABEL_TOP, min(len(groups), 40)),
    }
