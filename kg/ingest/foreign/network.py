"""A network as a foreign file states it: nodes and edges with their attributes and source lines.

Every format reader produces a :class:`ForeignNetwork`; :mod:`kg.ingest.foreign.tables` turns it
into the bundle's tables. Attribute values are text, as the file wrote them (numbers included),
because the bundle's checks read text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.errors import Problem

__all__ = ["LIMITS", "ForeignEdge", "ForeignNetwork", "ForeignNode", "Limits", "TooLarge"]


@dataclass
class Limits:
    """Size guards: a file beyond them fails with a clear problem before memory runs out.

    An import holds about 2 KB per node or edge on its way to the store (measured: 100,000
    people and 400,000 edges of GraphML peak at 1 GB), so a million records need about 2 GB. A
    full matrix of 25 million cells (5,000 people) is already slow to read: an edge list is the
    better form.
    """

    max_bytes: int = 512 * 2**20
    max_records: int = 1_000_000
    max_matrix_cells: int = 25_000_000


LIMITS = Limits()


class TooLarge(Exception):
    """A file is beyond :data:`LIMITS`; the message says which limit and what to do."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass(slots=True)
class ForeignNode:
    """One node: its id in the file, its attributes (name -> text) and its line (1-based)."""

    id: str
    attrs: dict[str, str]
    line: int | None = None


@dataclass(slots=True)
class ForeignEdge:
    """One edge from ``source`` to ``target`` (node ids in the file).

    ``direction`` is ``"directed"``, ``"undirected"`` (one tie, from the first-named node) or
    ``"mutual"`` (a tie each way). ``columns`` names the file's columns or attributes that gave
    the source and the target, for problems.
    """

    source: str
    target: str
    attrs: dict[str, str]
    line: int | None = None
    direction: str = "directed"
    columns: tuple[str, str] = ("source", "target")


@dataclass
class ForeignNetwork:
    """What one foreign file holds.

    Parameters
    ----------
    node_file, edge_file : str
        How problems name where nodes and edges are (a file, or ``book.xlsx[Sheet]``).
    declared_nodes : bool
        True when the file lists its nodes (GraphML, GEXF, Pajek, VNA node data, spreadsheets);
        then an edge to an undeclared node is dangling unless the store holds that person.
        False for edge lists, whose endpoints are the people.
    id_column : str
        What the file calls a node's id (for problems).
    """

    node_file: str
    edge_file: str
    nodes: list[ForeignNode] = field(default_factory=list)
    edges: list[ForeignEdge] = field(default_factory=list)
    declared_nodes: bool = True
    id_column: str = "id"
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fatal: bool = False  # the file could not be read through (its records are partial)

    def count(self, limits: Limits = LIMITS, line: int | None = None) -> None:
        """Raise :class:`TooLarge` once nodes and edges together pass the record limit."""
        if len(self.nodes) + len(self.edges) > limits.max_records:
            raise TooLarge(
                f"more than {limits.max_records:,} nodes and edges; split the file, or import "
                "the network in parts",
                line,
            )
