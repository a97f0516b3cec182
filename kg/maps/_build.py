"""Turn a person graph into the data the map page draws: nodes with positions, colours by group,
sizes by a metric and plain-text tooltips; edges with widths. Shared by every view."""

from __future__ import annotations

import colorsys
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence

import networkx as nx

from kg.errors import InvalidParameter
from kg.maps._layout import layout_positions

__all__ = [
    "ATTRIBUTE_LABELS",
    "PERSON_ATTRIBUTES",
    "aggregate_map_data",
    "check_color_by",
    "check_graph",
    "display_value",
    "person_map_data",
]

# Colour-blind-aware categorical colours (Okabe–Ito, then Tableau 10); more groups get
# golden-angle hues.
PALETTE = (
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#4e79a7",
    "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#e15759", "#ff9da7",
)  # fmt: skip
MISSING_COLOUR = "#bdbdbd"
# Sectors keep one colour on every map and in the board report (Okabe-Ito), so a reader who
# learns "orange is acute" once can rely on it.
SECTOR_COLOURS = {
    "acute": "#d55e00", "community": "#0072b2", "mental_health": "#cc79a7",
    "primary_care": "#009e73", "social_care": "#e69f00", "voluntary": "#56b4e9",
    "commissioner": "#555555", "other": "#999999",
}  # fmt: skip
FIXED_COLOURS = {"sector": SECTOR_COLOURS}
UNKNOWN = "(unknown)"

PERSON_ATTRIBUTES = ("organisation", "sector", "profession", "role_kind", "level", "hybrid")
ATTRIBUTE_LABELS = {
    "organisation": "Organisation",
    "team": "Team",
    "sector": "Sector",
    "profession": "Profession",
    "role_kind": "Kind of role",
    "level": "Level",
    "hybrid": "Hybrid clinical-managerial role",
    "community": "Community",
    "group": "Group",
}
LAYERS = ("ties", "forums", "assets", "teams")


def palette_colour(index: int) -> str:
    if index < len(PALETTE):
        return PALETTE[index]
    hue = (index * 0.618033988749895) % 1.0
    r, g, b = colorsys.hls_to_rgb(hue, 0.5, 0.55)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def display_value(attribute: str, attrs: Mapping) -> str:
    """The text shown for a person's group under ``attribute``."""
    value = attrs.get(attribute)
    if attribute == "hybrid":
        return "hybrid role" if value else ("not hybrid" if value is not None else UNKNOWN)
    if value is None or value == "":
        return UNKNOWN
    if attribute == "organisation":
        return str(attrs.get("organisation_name") or value)
    return str(value)


def _categorise(
    names: Sequence[str], order: Sequence[str] | None = None, fixed: Mapping | None = None
) -> tuple[list, list]:
    """Codes per item and the categories (name, colour), biggest group first, unknown last;
    names in ``fixed`` take their colour from it, the others the palette's remaining ones."""
    counts = Counter(names)
    if order is None:
        order = sorted((n for n in counts if n != UNKNOWN), key=lambda n: (-counts[n], n))
    order = [n for n in order if n in counts and n != UNKNOWN]
    if UNKNOWN in counts:
        order.append(UNKNOWN)
    code = {name: i for i, name in enumerate(order)}
    fixed = fixed or {}
    taken = {c.lower() for c in fixed.values()}
    free = (c for i in range(len(order) + len(PALETTE)) if (c := palette_colour(i)) not in taken)
    categories = []
    for name in order:
        if name == UNKNOWN:
            colour = MISSING_COLOUR
        else:
            colour = fixed.get(name) or next(free)
        categories.append({"name": name, "color": colour})
    return [code[n] for n in names], categories


def check_graph(G) -> None:
    if not isinstance(G, nx.Graph):
        raise InvalidParameter(f"expected a networkx graph, got {type(G).__name__}")


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


def _scaled_sizes(
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
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    low, high = (min(finite), max(finite)) if finite else (0.0, 0.0)
    if from_zero:
        low = min(low, 0.0)  # headcounts: a group twice as big looks twice as big
    span = high - low
    sizes = []
    for v in values:
        if v is None or not math.isfinite(float(v)) or span <= 0:
            sizes.append(smallest if span > 0 else default)
        else:
            # Area, not radius, grows with the metric.
            sizes.append(
                round(smallest + (largest - smallest) * math.sqrt((float(v) - low) / span), 1)
            )
    return sizes


def _edge_width(weight: float, heaviest: float, *, thinnest=0.5, widest=4.0) -> float:
    if heaviest <= 0 or not math.isfinite(weight):
        return thinnest
    return round(thinnest + (widest - thinnest) * math.sqrt(max(weight, 0.0) / heaviest), 2)


def _format_number(value) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return "n/a"
    return f"{number:.3g}"


def _positions(G: nx.Graph, nodes: Sequence, index: Mapping, seed: int):
    edges = [
        (index[u], index[v], float(d.get("weight", 1.0) or 1.0))
        for u, v, d in G.edges(nodes, data=True)
        if u in index and v in index and u != v
    ]
    return layout_positions(nodes, edges, seed=seed)


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
    extra_attributes: Sequence[tuple[str, str, Mapping]] = (),
    legend_extra: Sequence[str] = (),
    seed: int = 0,
) -> dict:
    """Page data for a view of individual people.

    ``rings`` maps the nodes to emphasise (drawn larger with a dark ring) to an extra tooltip line;
    ``edge_highlight(u, v)`` returns 0 (plain), 1 (orange: a highlighted path) or 2 (purple: a
    direct tie across the boundary); ``extra_attributes`` are (key, label, node -> group name)
    offered first in the colour-by menu.
    """
    nodes = list(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    member_of = community_index(communities) if communities is not None else None
    rings = rings or {}

    columns: list[tuple[str, str, list[str]]] = []
    for key, label, mapping in extra_attributes:
        columns.append((key, label, [str(mapping.get(n, UNKNOWN)) for n in nodes]))
    if isinstance(color_by, Mapping):
        columns.append(("group", "Group", [str(color_by.get(n, UNKNOWN)) for n in nodes]))
    wanted = list(PERSON_ATTRIBUTES)
    if isinstance(color_by, str) and color_by not in wanted and color_by != "community":
        wanted.append(color_by)
    if member_of is not None:
        columns.append(
            ("community", "Community",
             [f"Community {member_of[n] + 1}" if n in member_of else UNKNOWN for n in nodes])
        )  # fmt: skip
    node_attrs = [G.nodes[n] for n in nodes]
    for key in wanted:
        columns.append(
            (key, ATTRIBUTE_LABELS.get(key, key), [display_value(key, a) for a in node_attrs])
        )
    colour_key = "group" if isinstance(color_by, Mapping) else color_by
    keys = [c[0] for c in columns]
    colour_index = keys.index(colour_key) if colour_key in keys else 0

    attributes, codes = [], []
    for key, label, names in columns:
        if key == "community" and member_of is not None:
            order = [f"Community {i + 1}" for i in range(len(communities))]
            column_codes, categories = _categorise(names, order)
        else:
            column_codes, categories = _categorise(names, fixed=FIXED_COLOURS.get(key))
        attributes.append({"key": key, "label": label, "categories": categories})
        codes.append(column_codes)

    sizes = _scaled_sizes(nodes, size_by, smallest=6.0, largest=28.0, default=10.0)
    xy = _positions(G, nodes, index, seed)
    degree = dict(G.degree(nodes))
    out_nodes = []
    for i, node in enumerate(nodes):
        attrs = node_attrs[i]
        name = str(attrs.get("name") or node)
        info = [name]
        for line in rings.get(node, ()):
            info.append(line)
        profession = attrs.get("profession")
        if profession:
            info.append(f"Profession: {profession}")
        role = ", ".join(str(v) for v in (attrs.get("role_kind"), attrs.get("level")) if v)
        if role:
            info.append(f"Role: {role}" + (" (hybrid)" if attrs.get("hybrid") else ""))
        organisation = attrs.get("organisation_name") or attrs.get("organisation")
        if organisation:
            sector = attrs.get("sector")
            info.append(f"Organisation: {organisation}" + (f" ({sector})" if sector else ""))
        if member_of is not None and node in member_of:
            info.append(f"Community {member_of[node] + 1}")
        if size_by is not None and node in size_by:
            info.append(f"{size_label or 'Metric'}: {_format_number(size_by[node])}")
        info.append(f"Connections: {degree.get(node, 0)}")
        info.append(f"id: {node}")
        size = sizes[i] + (6.0 if node in rings else 0.0)
        out_nodes.append(
            {
                "id": i,
                "key": str(node),
                "label": name,
                "x": float(xy[i, 0]),
                "y": float(xy[i, 1]),
                "size": size,
                "info": info,
                "g": [column[i] for column in codes],
                **({"ring": True} if node in rings else {}),
            }
        )

    edge_rows = [(u, v, d) for u, v, d in G.edges(nodes, data=True) if u in index and v in index]
    heaviest = max((float(d.get("weight", 1.0) or 0.0) for _, _, d in edge_rows), default=1.0)
    with_info = len(edge_rows) <= 30000  # tooltips on huge edge sets only bloat the page
    out_edges = []
    for u, v, d in edge_rows:
        if u == v:
            continue
        weight = float(d.get("weight", 1.0) or 0.0)
        edge = {"from": index[u], "to": index[v], "width": _edge_width(weight, heaviest)}
        highlight = edge_highlight(u, v) if edge_highlight else 0
        if highlight:
            edge["hl"] = highlight
            edge["width"] = max(edge["width"], 2.5)
        if with_info:
            edge["info"] = _edge_info(G, u, v, d, weight)
        out_edges.append(edge)

    extra_lines = list(legend_extra)
    if size_by is not None:
        extra_lines.insert(0, f"Node size: {size_label or 'metric'} (bigger = higher).")
    return {
        "nodes": out_nodes,
        "edges": out_edges,
        "attributes": attributes,
        "colorBy": colour_index,
        "legendExtra": extra_lines,
    }


def _edge_info(G, u, v, d, weight) -> list[str]:
    head = f"{G.nodes[u].get('name') or u} - {G.nodes[v].get('name') or v}"
    info = [head, f"Weight: {_format_number(weight)}"]
    # The forums layer weight and the tuple of shared forum ids may share the name "forums".
    layers = [
        f"{k} {_format_number(d[k])}"
        for k in LAYERS
        if isinstance(d.get(k), int | float) and not isinstance(d.get(k), bool) and d.get(k)
    ]
    if layers:
        info.append("From " + ", ".join(layers))
    forums = d.get("forums")
    if isinstance(forums, list | tuple | set | frozenset) and forums:
        info.append(f"Shared forums: {len(forums)}")
    return info


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
    seed: int = 0,
) -> dict:
    """Page data with one node per group of people (a community, an organisation).

    Each group node is sized by headcount; edges carry the number of person-to-person ties and their
    total weight between the two groups. Tooltips profile each group (organisations, sectors,
    professions, ties inside and out, and its E-I index: (external - internal) / (external +
    internal) ties, -1 for a perfect silo; Krackhardt and Stern 1988).
    """
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
            key: Counter(display_value(key, G.nodes[n]) for n in members[g])
            for key in ("organisation", "sector", "profession")
        }

    columns: list[tuple[str, str, list[str]]] = []
    if own_colour:
        columns.append((unit, unit.capitalize(), [str(group_labels.get(g, g)) for g in groups]))
    for key in ("sector", "organisation", "profession"):
        columns.append(
            (key, f"Main {ATTRIBUTE_LABELS[key].lower()}",
             [profiles[g][key].most_common(1)[0][0] for g in groups])
        )  # fmt: skip
    attributes, codes = [], []
    for key, label, names in columns:
        order = names if key == unit else None
        column_codes, categories = _categorise(names, order, fixed=FIXED_COLOURS.get(key))
        attributes.append({"key": key, "label": label, "categories": categories})
        codes.append(column_codes)
    keys = [c[0] for c in columns]
    colour_index = keys.index(color_by) if color_by in keys else 0

    sizes = {g: len(members[g]) for g in groups}
    scaled = _scaled_sizes(groups, sizes, smallest=8.0, largest=60.0, default=25.0, from_zero=True)
    xy = layout_positions(
        groups, [(i, j, w) for (i, j), (_, w) in between.items()], seed=seed, spacing=160.0
    )
    out_nodes = []
    for i, g in enumerate(groups):
        label = str(group_labels.get(g, g))
        ties_in, ties_out = internal[g], external[g]
        info = [label, f"{sizes[g]} people"]
        if unit != "organisation":
            info.append("Organisations: " + _top(profiles[g]["organisation"]))
        info.append("Sectors: " + _top(profiles[g]["sector"]))
        info.append("Professions: " + _top(profiles[g]["profession"]))
        info.append(f"Ties inside: {ties_in}; to other {unit}s: {ties_out}")
        if ties_in + ties_out:
            info.append(f"E-I index: {(ties_out - ties_in) / (ties_out + ties_in):+.2f}")
        out_nodes.append(
            {
                "id": i,
                "key": str(g),
                "label": label,
                "x": float(xy[i, 0]),
                "y": float(xy[i, 1]),
                "size": scaled[i],
                "weight": sizes[g],
                "info": info,
                "g": [column[i] for column in codes],
            }
        )
    heaviest = max((w for _, w in between.values()), default=1.0)
    out_edges = []
    for (i, j), (count, weight) in sorted(between.items()):
        a, b = out_nodes[i]["label"], out_nodes[j]["label"]
        out_edges.append(
            {
                "from": i,
                "to": j,
                "width": _edge_width(weight, heaviest, thinnest=0.8, widest=14.0),
                "info": [
                    f"{a} - {b}",
                    f"{count} ties between people",
                    f"Total weight: {weight:.3g}",
                ],
            }
        )
    return {
        "nodes": out_nodes,
        "edges": out_edges,
        "attributes": attributes,
        "colorBy": colour_index,
        "legendExtra": [
            f"One node per {unit}, sized by headcount; legend counts are people.",
            "Line width: total weight of the ties between the two groups.",
        ],
    }
