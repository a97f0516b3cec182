"""What the GraphML and GEXF readers share: streaming the file, and keeping nodes and edges.

Both formats are read with expat (:func:`~kg.ingest.foreign.source.parse_xml`) by a handler
that opens a node or an edge on its start tag and keeps it on its end tag. Nodes may nest (a
GraphML node may hold a graph), so the enclosing item is resumed when an inner one closes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from xml.parsers import expat

from kg.errors import Problem
from kg.ingest.foreign.network import LIMITS, ForeignEdge, ForeignNetwork, ForeignNode, Limits
from kg.ingest.foreign.source import XmlRefused, parse_xml, read_bytes

__all__ = ["XmlNetworkReader", "read_xml_network"]


class XmlNetworkReader:
    """Base of the expat handlers: subclasses define ``start(tag, attrs, line)`` and
    ``end(tag, text, line)``, call :meth:`open_item` and :meth:`close_item`, and set
    ``seen_root`` once they read the element that makes the file one of their format."""

    #: The problem when a file holds no such element.
    not_this_format = "not a network file"

    def __init__(self, net: ForeignNetwork, limits: Limits = LIMITS):
        self.net = net
        self.limits = limits
        self.seen_root = False
        self.item: ForeignNode | ForeignEdge | None = None  # node or edge being read
        self.items: list = []  # enclosing nodes (a node may hold a nested graph)

    def start(self, tag: str, attrs: dict[str, str], line: int) -> None:
        raise NotImplementedError

    def end(self, tag: str, text: str, line: int) -> None:
        raise NotImplementedError

    def problem(self, line: int, column: str | None, message: str) -> None:
        self.net.problems.append(Problem(self.net.node_file, line, column, message))

    def open_item(self, item: ForeignNode | ForeignEdge) -> None:
        """Start reading ``item``; the one being read, if any, resumes when it closes."""
        if self.item is not None:
            self.items.append(self.item)
        self.item = item

    def close_item(self, tag: str, defaults: Iterable[tuple[str, str]], line: int) -> None:
        """Keep the ``node`` or ``edge`` being read, with ``(name, default)`` for attributes it
        lacks: a node with an id, an edge with both ends (a missing end is a problem)."""
        item = self.item
        for name, default in defaults:
            item.attrs.setdefault(name, default)
        if tag == "node":
            if item.id:
                self.net.nodes.append(item)
        else:
            missing = [side for side in ("source", "target") if not getattr(item, side)]
            for side in missing:
                self.problem(item.line, side, f"an edge without a {side}")
            if not missing:
                self.net.edges.append(item)
        self.net.count(self.limits, line)
        self.item = self.items.pop() if self.items else None


def read_xml_network(path: Path, reader: XmlNetworkReader) -> ForeignNetwork:
    """Stream the file at ``path`` through ``reader``; returns ``reader.net``.

    A DTD, or XML that is not well-formed, is a fatal problem on the network naming its line; a
    file without the format's root element, a problem (``reader.not_this_format``).
    :class:`~kg.ingest.foreign.network.TooLarge` is raised beyond ``reader.limits``.
    """
    net = reader.net
    try:
        parse_xml(read_bytes(path, reader.limits), reader.start, reader.end)
    except XmlRefused as exc:
        net.fatal = True
        net.problems.append(Problem(path.name, exc.line, None, str(exc)))
    except expat.ExpatError as exc:
        net.fatal = True
        message = f"not well-formed XML: {expat.ErrorString(exc.code)}"
        net.problems.append(Problem(path.name, exc.lineno, None, message))
    if not reader.seen_root and not net.problems:
        net.problems.append(Problem(path.name, 1, None, reader.not_this_format))
    return net
