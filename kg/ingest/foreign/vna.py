"""NetDraw VNA files into a foreign network.

A VNA file has sections that start with a line ``*node data``, ``*node properties``, ``*tie
data`` or ``*tie properties``; each section's first line names its columns, and each further
line is one record, values separated by spaces (or commas, when the column line uses commas)
and quoted when they hold spaces. ``*node data``: the first column is the node's id, the others
are its attributes. ``*tie data``: the first two columns are the sender and the receiver; a
column named ``strength`` is the tie's weight. NetDraw writes one column per relation (``from to
advice friendship``): a column named like a tie kind, or mapped to one (``--map
friendship=other``), is a relation, and each nonzero value in it is a tie of that kind weighted
by the value. The ``properties`` sections hold layout (position, colour, shape) and are not read.

References
----------
.. [1] S. P. Borgatti, "NetDraw Software for Network Visualization", Analytic Technologies,
   2002, and "A Brief Guide to Using NetDraw" (section "VNA format"),
   http://www.analytictech.com/netdraw/netdraw.htm
.. [2] Gephi, "Netdraw VNA" import format,
   https://docs.gephi.org/desktop/User_Manual/Import/Netdraw_VNA_Format
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import Problem
from kg.ingest.foreign.mapping import TIE_KINDS, Mapping
from kg.ingest.foreign.network import LIMITS, ForeignEdge, ForeignNetwork, ForeignNode, Limits
from kg.ingest.foreign.source import decode, read_bytes, split_quoted, text_lines

__all__ = ["read_vna"]

_SECTIONS = ("*node data", "*node properties", "*tie data", "*tie properties")


def read_vna(path: Path, mapping: Mapping, limits: Limits = LIMITS) -> ForeignNetwork:
    """Read the VNA file at ``path`` (see the module docstring for what is read)."""
    name = path.name
    net = ForeignNetwork(name, name, declared_nodes=False, id_column="id")
    text = decode(read_bytes(path, limits), name, net.notes)
    section: str | None = None
    columns: list[str] | None = None
    commas = False
    relations: dict[int, str] = {}
    for line_no, raw in text_lines(text):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("*"):
            head = " ".join(line.lower().split())
            section = head if head in _SECTIONS else None
            if section is None:
                net.problems.append(Problem(name, line_no, None, f"unknown section {line!r}; "
                                            f"VNA sections are {', '.join(_SECTIONS)}"))
            if section == "*node data":
                net.declared_nodes = True
            columns = None
            continue
        if section is None or section.endswith("properties"):
            continue
        if columns is None:
            commas = "," in line
            columns = split_quoted(line, commas=commas)
            if section == "*tie data":
                if len(columns) < 2:
                    net.problems.append(Problem(name, line_no, None, "tie data need two columns "
                                                "(sender and receiver)"))
                    section = None
                    continue
                relations = {}
                for i, column in enumerate(columns[2:], start=2):
                    target, _ = mapping.target(column, "edge")
                    if target in TIE_KINDS or (target is None and column.lower() in TIE_KINDS):
                        relations[i] = target or column.lower()
            continue
        values = split_quoted(line, commas=commas)
        if len(values) != len(columns):
            net.problems.append(Problem(name, line_no, None, f"{len(values)} values for the "
                                        f"{len(columns)} columns {' '.join(columns)}"))
            continue
        if section == "*node data":
            attrs = {c: v for c, v in zip(columns[1:], values[1:], strict=True)}
            net.nodes.append(ForeignNode(values[0], attrs, line_no))
        else:
            _ties(net, columns, values, relations, line_no)
        net.count(limits, line_no)
    if not net.nodes and not net.edges and not net.problems:
        net.problems.append(Problem(name, None, None, "no *node data or *tie data section"))
    return net


def _ties(net, columns, values, relations, line_no) -> None:
    attrs = {c: v for i, (c, v) in enumerate(zip(columns, values, strict=True))
             if i >= 2 and i not in relations}
    ends = (columns[0], columns[1])
    if not relations:
        net.edges.append(ForeignEdge(values[0], values[1], attrs, line_no, "directed", ends))
        return
    for i, kind in relations.items():
        value = values[i]
        try:
            nonzero = float(value) != 0
        except ValueError:
            net.problems.append(Problem(net.edge_file, line_no, columns[i],
                                        f"{value!r} is not a number (a tie's strength)"))
            continue
        if nonzero:
            tie = dict(attrs, kind=kind, weight=value)
            net.edges.append(ForeignEdge(values[0], values[1], tie, line_no, "directed", ends))
