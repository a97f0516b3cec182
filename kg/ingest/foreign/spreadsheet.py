"""Kumu and Polinode spreadsheets (an ``.xlsx`` workbook, or a pair of CSV files) into a network.

Kumu: a sheet (or ``elements.csv``) of elements, headed ``Label`` (and optionally ``ID``,
``Type``, ``Description``, ``Tags`` and any other field), and a sheet (``connections.csv``) of
connections, headed ``From`` and ``To`` (and optionally ``ID``, ``Direction``, ``Type``,
``Strength``, ``Label``...). ``From`` and ``To`` name elements by ID, or by label when the
elements have no IDs; several elements in one cell are separated by ``|``. ``Direction`` is
``directed`` (the default), ``undirected`` or ``mutual`` (a tie each way); a connection's
``Type`` is the tie kind and its ``Strength`` the weight. Sheets whose name holds ``(ignore)``
are skipped, as Kumu does.

Polinode: a sheet (``nodes.csv``) of nodes headed ``Name`` (unique; an ``Id`` column, when
present, is the id instead), and a sheet (``edges.csv``) of edges headed ``Source`` and
``Target`` (names, or ids), optionally ``Weight`` and other columns.

A person's id is the element's ID (Kumu) or Id (Polinode), else its label or name; other columns
are node or edge attributes (mapped and kept like any other format's).

References
----------
.. [1] Kumu, "Structure your data for Kumu" and "How do I avoid duplicating data?",
   https://docs.kumu.io/guides/import/import
.. [2] Polinode, "Networks: uploading networks (Excel format)",
   https://docs.polinode.com/guide/networks.html
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import Problem
from kg.ingest.foreign.edgelist import read_csv_rows
from kg.ingest.foreign.mapping import Mapping, norm
from kg.ingest.foreign.network import (
    LIMITS,
    ForeignEdge,
    ForeignNetwork,
    ForeignNode,
    Limits,
    TooLarge,
)
from kg.ingest.reader import cell_text

__all__ = ["FLAVOURS", "find_sheets", "open_workbook", "read_spreadsheet", "sheet_rows"]

# flavour -> (node sheet, edge sheet, node label column, edge end columns, id column)
FLAVOURS = {
    "kumu": ("elements", "connections", "label", ("from", "to")),
    "polinode": ("nodes", "edges", "name", ("source", "target")),
}
_DIRECTIONS = {"directed", "undirected", "mutual"}


def find_sheets(path: Path) -> str | None:
    """The flavour a workbook or folder holds (``kumu`` or ``polinode``), by its sheet names."""
    names = set(_sheet_names(path))
    for flavour, (nodes, edges, *_) in FLAVOURS.items():
        if edges in names or (nodes in names and flavour == "kumu"):
            return flavour
    return None


def _sheet_names(path: Path) -> list[str]:
    if path.is_dir():
        return [f.stem.lower() for f in path.glob("*.csv")]
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True)
        except Exception:  # openpyxl raises many types for a damaged file; the reader reports it
            return []
        try:
            return [ws.title.strip().lower() for ws in wb.worksheets if "(ignore)" not in
                    ws.title.lower()]
        finally:
            wb.close()
    return []


def open_workbook(path: Path, net: ForeignNetwork):
    """The workbook at ``path`` opened read-only with saved values, or ``None`` with a problem
    on ``net`` when it cannot be read; close it after use."""
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        net.problems.append(Problem(path.name, None, None, f"cannot read the workbook: {exc}"))
        return None


def sheet_rows(ws, limits: Limits) -> tuple[list[str] | None, list[tuple[int, list[str]]]]:
    """A worksheet's first non-blank row (its header, ``None`` when there is none) and the
    ``(line, values)`` rows after it; cells as stripped text, trailing blank cells dropped.

    Raises :class:`TooLarge` beyond ``limits.max_records`` rows.
    """
    header, rows = None, []
    for line, row in enumerate(ws.iter_rows(values_only=True), start=1):
        values = [cell_text(v).strip() for v in row]
        while values and values[-1] == "":
            values.pop()
        if not values:
            continue
        if header is None:
            header = values
        else:
            rows.append((line, values))
            if len(rows) > limits.max_records:
                raise TooLarge(f"more than {limits.max_records:,} rows; split the file", line)
    return header, rows


def _read_sheets(path: Path, wanted: tuple[str, str], net: ForeignNetwork, limits: Limits):
    """``{sheet: (where, header, rows)}`` for the wanted sheets found in the workbook or pair."""
    found: dict[str, tuple[str, list[str], list]] = {}
    if path.suffix.lower() == ".xlsx" and path.is_file():
        if path.stat().st_size > limits.max_bytes:
            raise TooLarge(f"the workbook is over the {limits.max_bytes // 2**20} MB limit")
        wb = open_workbook(path, net)
        if wb is None:
            return found
        try:
            for ws in wb.worksheets:
                key = ws.title.strip().lower()
                if key not in wanted or "(ignore)" in key:
                    continue
                header, rows = sheet_rows(ws, limits)
                found[key] = (f"{path.name}[{ws.title}]", header or [], rows)
        finally:
            wb.close()
        return found
    folder = path if path.is_dir() else path.parent
    for file in sorted(folder.glob("*.csv")):
        key = file.stem.lower()
        if key in wanted:
            header, rows = read_csv_rows(file, net, limits)
            found[key] = (file.name, header or [], rows)
    return found


def read_spreadsheet(
    path: Path, flavour: str, mapping: Mapping, limits: Limits = LIMITS
) -> ForeignNetwork:
    """Read a Kumu or Polinode workbook, folder, or one file of a CSV pair."""
    node_sheet, edge_sheet, label_col, (from_col, to_col) = FLAVOURS[flavour]
    net = ForeignNetwork(path.name, path.name)
    sheets = _read_sheets(path, (node_sheet, edge_sheet), net, limits)
    if not sheets:
        if not net.problems:
            net.problems.append(Problem(
                path.name, None, None,
                f"no {node_sheet} or {edge_sheet} sheet (a {flavour.title()} spreadsheet has "
                f"sheets or CSV files named {node_sheet.title()} and {edge_sheet.title()})",
            ))
        return net
    by_id: dict[str, str] = {}
    by_label: dict[str, list[str]] = {}
    if node_sheet in sheets:
        where, header, rows = sheets[node_sheet]
        net.node_file = where
        columns = [norm(h) for h in header]
        if "id" in columns:
            key = columns.index("id")
        elif label_col in columns:
            key = columns.index(label_col)
        else:
            net.problems.append(Problem(where, 1, None, f"no {label_col.title()} column: the "
                                        f"first row must name the columns ({label_col.title()}, "
                                        "...)"))
            return net
        net.id_column = header[key]
        label = columns.index(label_col) if label_col in columns else key
        for line, values in rows:
            values = values + [""] * (len(header) - len(values))
            node_id = values[key].strip()
            if not node_id:
                net.problems.append(Problem(where, line, header[key], "a value is required"))
                continue
            attrs = {h: v for i, (h, v) in enumerate(zip(header, values, strict=False))
                     if i != key and h}
            net.nodes.append(ForeignNode(node_id, attrs, line))
            by_id[node_id] = node_id
            by_label.setdefault(values[label].strip().casefold(), []).append(node_id)
    else:
        net.declared_nodes = False
    if edge_sheet in sheets:
        where, header, rows = sheets[edge_sheet]
        net.edge_file = where
        _edges(net, where, header, rows, flavour, (from_col, to_col), mapping, by_id, by_label)
    return net


def _edges(net, where, header, rows, flavour, ends, mapping, by_id, by_label) -> None:
    columns = [norm(h) for h in header]
    missing = [c for c in ends if c not in columns]
    if missing:
        net.problems.append(Problem(where, 1, None, f"no {' or '.join(c.title() for c in missing)}"
                                    f" column: the first row must name the columns "
                                    f"({ends[0].title()}, {ends[1].title()}, ...)"))
        return
    f, t = columns.index(ends[0]), columns.index(ends[1])
    direction = columns.index("direction") if flavour == "kumu" and "direction" in columns else None
    skip = {f, t, direction, columns.index("id") if "id" in columns else None}
    # A Kumu connection's Type is its kind, unless a mapping says otherwise.
    rename = {}
    if flavour == "kumu" and "type" in columns and mapping.target("type", "edge")[0] is None:
        rename[columns.index("type")] = "kind"

    def resolve(token: str, line: int, column: str) -> str | None:
        if token in by_id:
            return token
        matches = by_label.get(token.casefold(), [])
        if len(matches) > 1:
            net.problems.append(Problem(where, line, column, f"{token!r} is the label of "
                                        f"{len(matches)} nodes ({', '.join(matches[:5])}); "
                                        "name them by id"))
            return None
        return matches[0] if matches else token  # unresolved: the store may know it

    for line, values in rows:
        values = values + [""] * (len(header) - len(values))
        way = values[direction].strip().lower() if direction is not None else ""
        if way and way not in _DIRECTIONS:
            net.problems.append(Problem(where, line, header[direction], f"unknown direction "
                                        f"{way!r}; allowed: directed, undirected, mutual"))
            continue
        attrs = {rename.get(i, h): v for i, (h, v) in enumerate(zip(header, values, strict=False))
                 if i not in skip and h}
        sources = [s.strip() for s in values[f].split("|") if s.strip()]
        targets = [s.strip() for s in values[t].split("|") if s.strip()]
        for i, side in ((f, sources), (t, targets)):
            if not side:
                net.problems.append(Problem(where, line, header[i], "a value is required"))
        sources = [resolve(s, line, header[f]) for s in sources]
        targets = [resolve(s, line, header[t]) for s in targets]
        for source in sources:
            for target in targets:
                if source is not None and target is not None:
                    net.edges.append(ForeignEdge(source, target, dict(attrs), line,
                                                 way or "directed", (header[f], header[t])))
