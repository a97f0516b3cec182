"""GraphML (Gephi, networkx, igraph, yEd, Carebridge's own export) into a foreign network.

Read with expat rather than :func:`networkx.read_graphml`, because an import must name the line
of each problem and must see what networkx merges silently: a node id declared twice, an edge
to a node the file never declares, a second graph in the file. Values are kept as the file's
text; ``<key>`` declarations name the attributes (``attr.name``, else the key's id) and give
defaults. Nested graphs are read as part of the one network (as networkx does); a node's yEd
label (``<y:NodeLabel>``) becomes its ``label``. Hyperedges cannot be ties and are refused.

References
----------
.. [1] U. Brandes, M. Eiglsperger, J. Lerner, C. Pich, "Graph Markup Language (GraphML)", in
   R. Tamassia (ed.), Handbook of Graph Drawing and Visualization, CRC Press, 2013;
   specification at http://graphml.graphdrawing.org/specification.html
"""

from __future__ import annotations

from pathlib import Path

from kg.ingest.foreign.network import LIMITS, ForeignEdge, ForeignNetwork, ForeignNode, Limits
from kg.ingest.foreign.xml_network import XmlNetworkReader, read_xml_network

__all__ = ["read_graphml"]

_TRUE = {"true", "1", "yes"}


def read_graphml(path: Path, limits: Limits = LIMITS) -> ForeignNetwork:
    """Read the GraphML file at ``path``.

    Returns
    -------
    ForeignNetwork
        Declared nodes and their edges; ``problems`` lists what cannot be read, with lines.
        Raises :class:`~kg.ingest.foreign.network.TooLarge` beyond ``limits``.
    """
    reader = _GraphML(ForeignNetwork(path.name, path.name, id_column="id"), limits)
    return read_xml_network(path, reader)


class _GraphML(XmlNetworkReader):
    """Expat handlers that build the network as the elements stream past."""

    not_this_format = "not a GraphML file (no <graphml> element)"

    def __init__(self, net: ForeignNetwork, limits: Limits):
        super().__init__(net, limits)
        self.keys: dict[str, dict] = {}  # key id -> {"for", "name", "default"}
        self.defaults: dict[str, list[tuple[str, str]]] = {}  # node/edge -> key defaults
        self.key: dict | None = None  # the <key> being read
        self.graphs = 0  # open <graph> elements
        self.top_graphs = 0
        self.directed = True  # edgedefault of the graph being read
        self.data_key: str | None = None
        self.label: list[str] = []
        self.in_label = False
        self.skip = False  # inside a second top-level graph

    def start(self, tag: str, attrs: dict[str, str], line: int) -> None:
        if tag == "graphml":
            self.seen_root = True
        elif tag == "key":
            key_id = attrs.get("id", "")
            self.key = {
                "for": attrs.get("for", "all"),
                "name": attrs.get("attr.name") or key_id,
                "default": None,
                "yfiles": attrs.get("yfiles.type"),
            }
            self.keys[key_id] = self.key
            self.defaults = {}
        elif tag == "graph":
            self.graphs += 1
            if self.graphs == 1:
                self.top_graphs += 1
                if self.top_graphs == 2:
                    self.problem(line, None, "a second graph in the file; import one graph at "
                                 "a time (only the first was read)")
                self.skip = self.top_graphs > 1
            if not self.skip:
                self.directed = attrs.get("edgedefault", "directed").lower() != "undirected"
        elif self.skip:
            return
        elif tag == "node":
            node = ForeignNode(attrs.get("id", ""), {}, line)
            if not node.id:
                self.problem(line, "id", "a node without an id")
            self.open_item(node)
        elif tag == "edge":
            directed = attrs.get("directed")
            is_directed = self.directed if directed is None else directed.lower() in _TRUE
            edge = ForeignEdge(
                attrs.get("source", ""),
                attrs.get("target", ""),
                {},
                line,
                "directed" if is_directed else "undirected",
            )
            self.open_item(edge)
        elif tag == "hyperedge":
            self.problem(line, None, "a hyperedge joins more than two nodes and cannot be a tie; "
                         "remove it or write it as edges")
        elif tag == "data" and self.item is not None:
            self.data_key = attrs.get("key", "")
        elif tag == "NodeLabel" and self.data_key is not None:
            self.in_label = True

    def end(self, tag: str, text: str, line: int) -> None:
        if tag == "key":
            self.key = None
        elif tag == "default" and self.key is not None:
            self.key["default"] = text.strip()
        elif tag == "graph":
            self.graphs -= 1
        elif self.skip:
            return
        elif tag == "NodeLabel" and self.in_label:
            self.label.append(text.strip())
            self.in_label = False
        elif tag == "data" and self.data_key is not None and self.item is not None:
            key = self.keys.get(self.data_key)
            if key and key.get("yfiles"):
                if self.label and isinstance(self.item, ForeignNode):
                    self.item.attrs["label"] = " ".join(t for t in self.label if t)
            else:
                self.item.attrs[key["name"] if key else self.data_key] = text.strip()
            self.data_key, self.label = None, []
        elif tag in ("node", "edge") and self.item is not None:
            self.close_item(tag, self._defaults(tag), line)

    def _defaults(self, tag: str) -> list[tuple[str, str]]:
        found = self.defaults.get(tag)
        if found is None:  # keys precede the graph (GraphML schema), so this is computed once
            found = self.defaults[tag] = [
                (k["name"], k["default"]) for k in self.keys.values()
                if k["for"] in (tag, "all") and k["default"] is not None and not k["yfiles"]
            ]
        return found
