"""A plain edge list (CSV) into a foreign network: one tie per row.

The first row names the columns: the sender (``source``, or ``from``, ``ego``, ``source_id``)
and the receiver (``target``, ``to``, ``alter``, ``target_id``), then optionally ``weight``,
``kind``, ``start``, ``end`` and any other column (kept as a property of the tie). Other names
are mapped with ``--map``. Values are separated by commas, semicolons or tabs (whichever the
header uses). The people are the ids named in the two columns: those already in the store are
linked to, the others are created with their id as their name. Lines starting with ``#`` are
comments, as in the bundle.

References
----------
.. [1] Y. Shafranovich, "Common Format and MIME Type for Comma-Separated Values (CSV) Files",
   RFC 4180, 2005.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from kg.errors import Problem
from kg.ingest.foreign.mapping import Mapping
from kg.ingest.foreign.network import LIMITS, ForeignEdge, ForeignNetwork, Limits, TooLarge
from kg.ingest.foreign.source import decode, read_bytes

__all__ = ["read_csv_rows", "read_edgelist"]


def read_csv_rows(path: Path, net: ForeignNetwork, limits: Limits):
    """``(header, [(line, values), ...])`` of a CSV file, skipping blank and ``#`` lines.

    The delimiter is the one of ``,`` ``;`` or tab that the header line holds most of.
    """
    text = decode(read_bytes(path, limits), path.name, net.notes)
    first = next((ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")), "")
    delimiter = max(",;\t", key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        for values in reader:
            if not values or values[0].startswith("#") or not any(v.strip() for v in values):
                continue
            if header is None:
                header = [v.strip() for v in values]
                continue
            rows.append((reader.line_num, values))
            if len(rows) > limits.max_records:
                raise TooLarge(f"more than {limits.max_records:,} rows; split the file",
                               reader.line_num)
    except csv.Error as exc:
        net.problems.append(Problem(path.name, reader.line_num, None, f"not readable CSV: {exc}"))
    return header, rows


def read_edgelist(path: Path, mapping: Mapping, limits: Limits = LIMITS) -> ForeignNetwork:
    """Read the edge list at ``path`` (see the module docstring)."""
    name = path.name
    net = ForeignNetwork(name, name, declared_nodes=False, id_column="source")
    header, rows = read_csv_rows(path, net, limits)
    if header is None:
        net.problems.append(Problem(name, 1, None, "the file is empty; the first line must name "
                                    "the columns: source,target[,weight,kind,...]"))
        return net
    ends = {}
    for i, column in enumerate(header):
        target, rank = mapping.target(column, "edge")
        if target in ("source", "target") and (target not in ends or rank < ends[target][1]):
            ends[target] = (i, rank)
    missing = [side for side in ("source", "target") if side not in ends]
    if missing:
        net.problems.append(Problem(
            name, 1, None,
            f"no {' or '.join(missing)} column: the first line must name the columns, e.g. "
            f"source,target,weight,kind (found {','.join(header)}); map yours with --map "
            "COLUMN=source (a survey export with one row per respondent? use --from survey)",
        ))
        return net
    s, t = ends["source"][0], ends["target"][0]
    columns = (header[s], header[t])
    width = len(header)
    for line, values in rows:
        if len(values) > width:
            net.problems.append(Problem(name, line, None, f"{len(values)} values but the header "
                                        f"has {width} columns"))
            continue
        values = values + [""] * (width - len(values))
        source, target = values[s].strip(), values[t].strip()
        for side, value in (("source", source), ("target", target)):
            if not value:
                net.problems.append(Problem(name, line, header[ends[side][0]],
                                            "a value is required"))
        if not source or not target:
            continue
        attrs = {c: v.strip() for i, (c, v) in enumerate(zip(header, values, strict=True))
                 if i not in (s, t) and c}
        net.edges.append(ForeignEdge(source, target, attrs, line, "directed", columns))
    return net
