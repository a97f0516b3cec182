"""Pajek networks (``.net``) and projects (``.paj``) into a foreign network.

Read here rather than with :func:`networkx.read_pajek`, which reads only the first ``*Arcs`` or
``*Edges`` section (every later line is taken as an edge of it), ignores relations and
partitions, and merges vertices with the same label. Read:

- ``*Vertices n``: vertex lines ``number "label" [x y [z]] [shape] [key value ...]``. A vertex's
  id is its label (networkx uses the label too), so the same label twice is a duplicate id; an
  unlisted vertex is known by its number. ``key value`` pairs after the shape are attributes
  (networkx writes string attributes so), except Pajek's drawing parameters (``ic``, ``bc``,
  ``x_fact``...).
- ``*Arcs`` (directed) and ``*Edges`` (undirected), with lines ``i j [weight] [key value ...]``
  (pairs as for vertices; Pajek's ``l`` is the edge's ``label``);
  ``*Arcslist`` / ``*Edgeslist`` with lines ``i j1 j2 ...``; ``*Matrix`` (a full n x n matrix,
  directed, nonzero cells are ties weighted by the cell).
- Relations (multirelational networks): ``*Arcs :k "label"`` starts ties of relation ``k``, and
  a line ``k: i j w`` puts that tie in relation ``k``; the relation's label is the tie's
  ``kind`` (recode it with ``--map kind:friendship=other``).
- In a project, ``*Partition name`` and ``*Vector name`` followed by ``*Vertices n`` and one
  value per line become the vertex attribute ``name`` (without ``.clu`` / ``.vec``). Only the
  first network of a project is read. Lines starting with ``%`` are comments.

References
----------
.. [1] V. Batagelj and A. Mrvar, "Pajek: Program for Analysis and Visualization of Large
   Networks. Reference Manual", University of Ljubljana (sections on input files: networks,
   multirelational networks, partitions, vectors, project files), http://mrvar.fdv.si/pajek/
.. [2] W. de Nooy, A. Mrvar and V. Batagelj, "Exploratory Social Network Analysis with Pajek",
   3rd ed., Cambridge University Press, 2018, appendix on file formats.
"""

from __future__ import annotations

import re
from pathlib import Path

from kg.errors import Problem
from kg.ingest.foreign.network import (
    LIMITS,
    ForeignEdge,
    ForeignNetwork,
    ForeignNode,
    Limits,
    TooLarge,
)
from kg.ingest.foreign.source import decode, read_bytes, split_quoted, text_lines

__all__ = ["read_pajek"]

# Pajek's drawing parameters (reference manual, "Definition of network and its picture"): they
# describe the picture, not the people, and are not read as attributes.
_VERTEX_DRAWING = {"x_fact", "y_fact", "phi", "r", "q", "ic", "bc", "bw", "lc", "la", "lr",
                   "lphi", "fos", "font", "s_size"}
_EDGE_DRAWING = {"w", "c", "p", "s", "a", "ap", "lp", "lr", "lphi", "lc", "la", "fos", "font",
                 "h1", "h2", "a1", "a2", "k1", "k2", "lw"}
_SHAPES = {"ellipse", "box", "diamond", "triangle", "cross", "empty", "man", "woman"}
_RELATION = re.compile(r'^\s*:?\s*(\d+)\s*(?:"([^"]*)"|(\S+))?')
_LINE_RELATION = re.compile(r"^\s*(\d+)\s*:\s*(.*)$")


def read_pajek(path: Path, limits: Limits = LIMITS) -> ForeignNetwork:
    """Read the Pajek file at ``path`` (see the module docstring for what is read)."""
    name = path.name
    net = ForeignNetwork(name, name, id_column="label")
    text = decode(read_bytes(path, limits), name, net.notes)
    _Pajek(net, limits).read(text)
    return net


class _Pajek:
    def __init__(self, net: ForeignNetwork, limits: Limits):
        self.net = net
        self.limits = limits
        self.n = 0
        self.labels: dict[int, str] = {}
        self.lines: dict[int, int] = {}
        self.relation_names: dict[str, str] = {}
        self.section: str | None = None
        self.relation: str | None = None  # relation number of the current section
        self.directed = True
        self.attribute: str | None = None  # partition or vector being read
        self.values: list[tuple[int, str]] = []
        self.vertex_attributes: list[tuple[str, list[str]]] = []  # partitions and vectors
        self.vertex_attrs: dict[int, dict[str, str]] = {}  # key value pairs of vertex lines
        self.networks = 0
        self.matrix_row = 0
        self.pending_vertex_header = False
        self.ignored: set[str] = set()

    def problem(self, line: int, column: str | None, message: str) -> None:
        self.net.problems.append(Problem(self.net.node_file, line, column, message))

    def read(self, text: str) -> None:
        for line_no, raw in text_lines(text):
            line = raw.strip()
            if not line or line.startswith("%"):
                continue
            if line.startswith("*"):
                if not self.header(line, line_no):
                    break
                continue
            self.body(line, line_no)
        self.close_attribute()
        self.finish()

    # -- sections -----------------------------------------------------------------------------
    def header(self, line: str, line_no: int) -> bool:
        """Start a section; False to stop reading (a second network of a project)."""
        word, _, rest = line[1:].partition(" ")
        word = word.lower()
        if word == "network":
            self.networks += 1
            if self.networks > 1:
                self.net.notes.append(
                    f"{self.net.node_file}: the project holds more than one network; only the "
                    f"first was read (the next starts at line {line_no})"
                )
                return False
            self.close_attribute()
            self.section = None
            return True
        if word == "vertices":
            if self.attribute is not None and self.pending_vertex_header:
                self.pending_vertex_header = False  # the count line of a partition or vector
                return True
            self.close_attribute()
            parts = rest.split()
            try:
                n = int(parts[0])
            except (IndexError, ValueError):
                self.problem(line_no, None, "*Vertices needs the number of vertices")
                n = 0
            if len(parts) > 1:
                self.problem(line_no, None, "a two-mode network (people and events) cannot be "
                             "imported as ties between people; import its one-mode projection")
            if self.n and n != self.n:
                self.problem(line_no, None, f"*Vertices {n} after *Vertices {self.n}")
            self.n = max(self.n, n)
            self.section = "vertices"
            return True
        if word in ("partition", "vector"):
            self.close_attribute()
            stem = Path(rest.strip().strip('"')).name
            self.attribute = re.sub(r"\.(clu|vec)$", "", stem, flags=re.I) or word
            self.section = word
            self.values = []
            self.pending_vertex_header = True
            return True
        self.close_attribute()
        if word in ("arcs", "edges", "arcslist", "edgeslist", "matrix"):
            self.section = word
            self.directed = word.startswith("arc") or word == "matrix"
            self.matrix_row = 0
            self.relation = None
            match = _RELATION.match(rest) if rest.strip().startswith(":") else None
            if match:
                self.relation = match.group(1)
                label = match.group(2) if match.group(2) is not None else match.group(3)
                if label:
                    self.relation_names[self.relation] = label
            if word == "matrix" and self.n * self.n > self.limits.max_matrix_cells:
                raise TooLarge(
                    f"a {self.n:,} x {self.n:,} matrix is too large to read; write the network "
                    "as *Arcs or *Edges",
                    line_no,
                )
            return True
        self.section = "ignored"
        if word not in self.ignored:
            self.ignored.add(word)
            self.net.notes.append(f"{self.net.node_file}, line {line_no}: *{word} is not read")
        return True

    def close_attribute(self) -> None:
        if self.attribute is None:
            return
        name = self.attribute
        if self.values and len(self.values) != self.n:
            self.problem(self.values[0][0], name,
                         f"{len(self.values)} values for {self.n} vertices")
        self.vertex_attributes.append((name, [v for _, v in self.values]))
        self.attribute = None
        self.values = []

    # -- lines --------------------------------------------------------------------------------
    def body(self, line: str, line_no: int) -> None:
        section = self.section
        if section == "vertices":
            tokens = split_quoted(line)
            try:
                number = int(tokens[0])
            except ValueError:
                self.problem(line_no, None, f"{tokens[0]!r} is not a vertex number")
                return
            if not 1 <= number <= self.n:
                self.problem(line_no, None, f"vertex {number} is outside 1..{self.n}")
                return
            if number in self.labels:
                self.problem(line_no, "number", f"vertex {number} is listed twice "
                             f"(first at line {self.lines[number]})")
                return
            self.labels[number] = tokens[1] if len(tokens) > 1 else str(number)
            self.lines[number] = line_no
            rest = tokens[2:]
            while rest and _is_number(rest[0]):  # x, y, z
                rest = rest[1:]
            if rest and rest[0].lower() in _SHAPES:
                rest = rest[1:]
            attrs = _pairs(rest, _VERTEX_DRAWING)
            if attrs:
                self.vertex_attrs[number] = attrs
        elif section in ("partition", "vector"):
            self.values.append((line_no, line.split()[0]))
        elif section in ("arcs", "edges"):
            relation, rest = self.relation, line
            match = _LINE_RELATION.match(line)
            if match:
                relation, rest = match.group(1), match.group(2)
            tokens = split_quoted(rest)
            if len(tokens) < 2:
                self.problem(line_no, None, "a line needs two vertex numbers")
                return
            weight = tokens[2] if len(tokens) > 2 and _is_number(tokens[2]) else None
            pairs = _pairs(tokens[3 if weight is not None else 2:], _EDGE_DRAWING)
            if "l" in pairs:
                pairs["label"] = pairs.pop("l")
            self.edge(tokens[0], tokens[1], weight, relation, line_no, pairs)
        elif section in ("arcslist", "edgeslist"):
            tokens = line.split()
            for other in tokens[1:]:
                self.edge(tokens[0], other, None, self.relation, line_no)
        elif section == "matrix":
            self.matrix_row += 1
            for col, cell in enumerate(line.split(), start=1):
                if cell in ("0", "0.0", "0.00"):
                    continue
                if not _is_number(cell):
                    self.problem(line_no, None, f"{cell!r} is not a number")
                    continue
                if float(cell) != 0:
                    self.edge(str(self.matrix_row), str(col), cell, self.relation, line_no)

    def edge(self, u: str, v: str, weight: str | None, relation: str | None, line_no: int,
             attrs: dict[str, str] | None = None) -> None:
        attrs = attrs or {}
        if weight is not None:
            attrs["weight"] = weight
        if relation is not None:
            attrs["kind"] = relation  # replaced by the relation's label in finish()
        edge = ForeignEdge(u, v, attrs, line_no, "directed" if self.directed else "undirected",
                           ("from", "to"))
        self.net.edges.append(edge)
        self.net.count(self.limits, line_no)

    def finish(self) -> None:
        net = self.net
        labels = {i: self.labels.get(i, str(i)) for i in range(1, self.n + 1)}
        for i in range(1, self.n + 1):
            net.nodes.append(ForeignNode(labels[i], self.vertex_attrs.get(i, {}),
                                         self.lines.get(i)))
        for name, values in self.vertex_attributes:
            for node, value in zip(net.nodes, values, strict=False):
                node.attrs[name] = value
        kept = []
        for edge in net.edges:
            ends = []
            for side, raw in (("from", edge.source), ("to", edge.target)):
                try:
                    number = int(raw)
                except ValueError:
                    number = 0
                if not 1 <= number <= self.n:
                    self.problem(edge.line, side, f"vertex {raw!r} is not among the "
                                 f"{self.n} vertices (*Vertices)")
                ends.append(labels.get(number))
            if None in ends:
                continue
            edge.source, edge.target = ends
            kind = edge.attrs.get("kind")
            if kind is not None:
                edge.attrs["kind"] = self.relation_names.get(kind, kind)
            kept.append(edge)
        net.edges = kept
        if any(e.attrs.get("kind", "").isdigit() for e in kept):
            net.notes.append(f"{net.node_file}: some relations have no label; their number is "
                             "the tie kind (recode it with --map kind:NUMBER=KIND)")


def _pairs(tokens: list[str], drawing: set[str]) -> dict[str, str]:
    """``key value`` pairs, without Pajek's drawing parameters."""
    out = {}
    for key, value in zip(tokens[::2], tokens[1::2], strict=False):
        if key.lower() not in drawing:
            out[key] = value
    return out


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True
