"""GEXF 1.1-1.3 (Gephi, networkx, Polinode, Carebridge's own export) into a foreign network.

Read with expat rather than :func:`networkx.read_gexf`, for the same reasons as GraphML (lines
for problems; duplicate ids and dangling edges reported, not merged), and because Gephi writes
graphs that mix directed, undirected and mutual edges, which networkx refuses. A node's
``label`` and an edge's ``weight``, ``label`` and ``kind`` are read as attributes of those names;
``<attvalue>`` values are named by their ``<attribute>`` title. Visual data (``viz:``), spells and
hierarchy are left out. A dynamic attribute with several values keeps the last, with a note.

References
----------
.. [1] GEXF Working Group, "GEXF File Format", version 1.3 (2022), https://gexf.net/ ; schema at
   https://gexf.net/1.3/gexf.xsd (edge ``type`` is directed, undirected or mutual; the graph's
   ``defaultedgetype`` defaults to undirected).
"""

from __future__ import annotations

from pathlib import Path

from kg.ingest.foreign.network import LIMITS, ForeignEdge, ForeignNetwork, ForeignNode, Limits
from kg.ingest.foreign.xml_network import XmlNetworkReader, read_xml_network

__all__ = ["read_gexf"]

_DIRECTIONS = {"directed", "undirected", "mutual"}


def read_gexf(path: Path, limits: Limits = LIMITS) -> ForeignNetwork:
    """Read the GEXF file at ``path`` (see :func:`kg.ingest.foreign.graphml.read_graphml`)."""
    reader = _Gexf(ForeignNetwork(path.name, path.name, id_column="id"), limits)
    net = read_xml_network(path, reader)
    if reader.dynamic:
        note = "some attributes have several dated values; the last one of each was kept"
        net.notes.append(f"{path.name}: {note}")
    return net


class _Gexf(XmlNetworkReader):
    not_this_format = "not a GEXF file (no <graph> element)"

    def __init__(self, net: ForeignNetwork, limits: Limits):
        super().__init__(net, limits)
        self.attributes: dict[str, dict[str, dict]] = {"node": {}, "edge": {}}
        self.attr_class: str | None = None
        self.attr: dict | None = None
        self.default_direction = "undirected"
        self.dynamic = False
        self.seen_values: set[str] = set()
        self.in_default = False

    def start(self, tag: str, a: dict[str, str], line: int) -> None:
        if tag == "graph":
            if self.seen_root:
                self.problem(line, None, "a second graph in the file; only the first was read")
            self.seen_root = True
            direction = a.get("defaultedgetype", "undirected").lower()
            self.default_direction = direction if direction in _DIRECTIONS else "undirected"
        elif tag == "attributes":
            self.attr_class = a.get("class", "node").lower()
        elif tag == "attribute" and self.attr_class in self.attributes:
            self.attr = {"title": a.get("title") or a.get("id", ""), "default": None}
            self.attributes[self.attr_class][a.get("id", "")] = self.attr
        elif tag == "default" and self.attr is not None:
            self.in_default = True
        elif tag == "node":
            node = ForeignNode(a.get("id", ""), {}, line)
            if "label" in a:
                node.attrs["label"] = a["label"]
            if not node.id:
                self.problem(line, "id", "a node without an id")
            self._open(node)
        elif tag == "edge":
            direction = a.get("type", self.default_direction).lower()
            edge = ForeignEdge(
                a.get("source", ""),
                a.get("target", ""),
                {k: a[k] for k in ("weight", "label", "kind") if k in a},
                line,
                direction if direction in _DIRECTIONS else self.default_direction,
            )
            self._open(edge)
        elif tag == "attvalue" and self.item is not None:
            kind = "node" if isinstance(self.item, ForeignNode) else "edge"
            key = a.get("for", a.get("id", ""))
            attribute = self.attributes[kind].get(key)
            if attribute is None:
                self.problem(line, None, f"a value for attribute {key!r}, which is not declared")
                return
            title = attribute["title"]
            if title in self.seen_values:
                self.dynamic = True
            self.seen_values.add(title)
            self.item.attrs[title] = a.get("value", "")

    def _open(self, item: ForeignNode | ForeignEdge) -> None:
        self.open_item(item)
        self.seen_values = set()

    def end(self, tag: str, text: str, line: int) -> None:
        if tag == "default" and self.attr is not None:
            self.attr["default"] = text.strip()
            self.in_default = False
        elif tag == "attribute":
            self.attr = None
        elif tag == "attributes":
            self.attr_class = None
        elif tag in ("node", "edge") and self.item is not None:
            defaults = [
                (attribute["title"], attribute["default"])
                for attribute in self.attributes[tag].values()
                if attribute["default"] is not None
            ]
            self.close_item(tag, defaults, line)
            self.seen_values = set()
