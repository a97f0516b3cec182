"""Network files other tools write, read into the bundle's tables.

>>> from pathlib import Path
>>> detect_format(Path("network.graphml")), detect_format(Path("lazega.paj"))
('graphml', 'pajek')

Each format has a reader (one module each) that returns a
:class:`~kg.ingest.foreign.network.ForeignNetwork`; :mod:`~kg.ingest.foreign.tables` turns it
into the tables the CSV bundle reader produces, so the bundle's own checks and conversion apply
unchanged (every problem named with file, line and column, nothing half-written, idempotent).

Formats (``--from`` name: what it reads):

- ``graphml``: GraphML (Gephi, networkx, igraph, yEd, ``kg export metrics --format graphml``);
- ``gexf``: GEXF 1.1-1.3 (Gephi, networkx);
- ``pajek``: Pajek ``.net`` networks and ``.paj`` projects (relations, partitions, vectors);
- ``dl``: UCINET DL (fullmatrix, lowerhalf, upperhalf, edgelist1, nodelist1);
- ``vna``: NetDraw VNA (``*node data``, ``*tie data``);
- ``edgelist``: a CSV of ties, ``source,target[,weight,kind,...]``;
- ``kumu``, ``polinode``: their spreadsheets (``.xlsx``, or a folder or pair of CSV files);
- ``survey``: a wide name-generator survey export (CSV or ``.xlsx``), names matched to the roster.
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import Problem
from kg.ingest.foreign.mapping import Mapping
from kg.ingest.foreign.network import LIMITS, Limits, TooLarge
from kg.ingest.foreign.roster import Roster
from kg.ingest.foreign.tables import ForeignTable, network_tables, relabel_problems
from kg.store.base import GraphStore

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "LIMITS",
    "ForeignTable",
    "Mapping",
    "detect_format",
    "read_foreign",
    "relabel_problems",
]

FORMATS = ("bundle", "graphml", "gexf", "pajek", "dl", "vna", "edgelist", "kumu", "polinode",
           "survey")
EXTENSIONS = {
    ".graphml": "graphml",
    ".gexf": "gexf",
    ".net": "pajek",
    ".paj": "pajek",
    ".dl": "dl",
    ".vna": "vna",
    ".csv": "edgelist",
}
_PAIRS = {"elements": "kumu", "connections": "kumu", "nodes": "polinode", "edges": "polinode"}
_SNIFF = (("<graphml", "graphml"), ("<gexf", "gexf"), ("*node data", "vna"), ("*tie data", "vna"),
          ("*vertices", "pajek"), ("*network", "pajek"), ("dl", "dl"))


def detect_format(path: str | Path) -> str | None:
    """The format of ``path`` by its extension (or its first bytes), ``None`` when unknown.

    A folder or an ``.xlsx`` workbook is a bundle unless its sheets are Kumu's (Elements,
    Connections) or Polinode's (Nodes, Edges); ``elements.csv``, ``nodes.csv`` and their
    partners name their pair. A survey is never guessed: say ``--from survey``.
    """
    from kg.ingest.foreign.spreadsheet import find_sheets

    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir() or suffix == ".xlsx":
        return find_sheets(path) or "bundle"
    if suffix == ".csv" and path.stem.lower() in _PAIRS:
        partner = {"elements": "connections", "connections": "elements", "nodes": "edges",
                   "edges": "nodes"}[path.stem.lower()]
        if any(p.stem.lower() == partner for p in path.parent.glob("*.csv")):
            return _PAIRS[path.stem.lower()]
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    if path.is_file():
        try:
            with path.open("rb") as fh:
                head = fh.read(4096).decode("utf-8", errors="replace").lower()
        except OSError:
            return None
        lines = [ln.strip() for ln in head.splitlines() if ln.strip() and ln[0] not in "%#"]
        for marker, fmt in _SNIFF:
            if marker.startswith("<") and marker in head:
                return fmt
            if lines and lines[0].startswith(marker):
                return fmt
    return None


def read_foreign(
    path: str | Path,
    fmt: str | None,
    mapping: Mapping | None = None,
    *,
    store: GraphStore | None = None,
    limits: Limits = LIMITS,
) -> tuple[dict[str, ForeignTable], list[Problem], list[str]]:
    """Read a network file into the bundle's tables.

    Parameters
    ----------
    path : str or Path
    fmt : str or None
        One of :data:`FORMATS` other than ``bundle``; ``None`` detects it.
    mapping : Mapping, optional
        Attribute renames, recodings and defaults.
    store : GraphStore, optional
        Read (never written) to link to the people and organisations it holds and to match
        survey names; ``None`` reads the file as if into an empty store.
    limits : Limits
        Size guards.

    Returns
    -------
    tables, problems, notes
        ``tables`` as :func:`kg.ingest.reader.read_bundle` returns them, ready for
        :func:`kg.ingest.convert.convert_tables`; their problems name the file's own columns
        after :func:`relabel_problems`.
    """
    path = Path(path)
    mapping = mapping or Mapping()
    if fmt is None:
        fmt = detect_format(path)
    if not path.exists():
        return {}, [Problem(path.name, None, None, "does not exist")], []
    if fmt not in FORMATS or fmt == "bundle":
        known = ", ".join(f for f in FORMATS if f != "bundle")
        what = "cannot tell the format of this file" if fmt is None else f"unknown format {fmt!r}"
        return {}, [Problem(path.name, None, None, f"{what}; give --from with one of {known} "
                            "(or a bundle folder or .xlsx)")], []
    roster = Roster(store)
    try:
        net = _read(path, fmt, mapping, roster, limits)
    except TooLarge as exc:
        return {}, [Problem(path.name, exc.line, None, str(exc))], []
    except OSError as exc:
        return {}, [Problem(path.name, None, None, f"cannot read the file: {exc.strerror}")], []
    if net.fatal:
        return {}, net.problems, net.notes
    tables, problems, notes = network_tables(net, mapping, roster)
    return tables, net.problems + problems, net.notes + notes


def _read(path: Path, fmt: str, mapping: Mapping, roster: Roster, limits: Limits):
    if fmt == "graphml":
        from kg.ingest.foreign.graphml import read_graphml

        return read_graphml(path, limits)
    if fmt == "gexf":
        from kg.ingest.foreign.gexf import read_gexf

        return read_gexf(path, limits)
    if fmt == "pajek":
        from kg.ingest.foreign.pajek import read_pajek

        return read_pajek(path, limits)
    if fmt == "dl":
        from kg.ingest.foreign.dl import read_dl

        return read_dl(path, limits)
    if fmt == "vna":
        from kg.ingest.foreign.vna import read_vna

        return read_vna(path, mapping, limits)
    if fmt == "edgelist":
        from kg.ingest.foreign.edgelist import read_edgelist

        return read_edgelist(path, mapping, limits)
    if fmt in ("kumu", "polinode"):
        from kg.ingest.foreign.spreadsheet import read_spreadsheet

        return read_spreadsheet(path, fmt, mapping, limits)
    from kg.ingest.foreign.survey_wide import read_survey

    return read_survey(path, mapping, roster, limits)
