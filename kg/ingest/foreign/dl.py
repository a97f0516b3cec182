"""UCINET DL text files into a foreign network.

The header (before ``data:``) is read keyword by keyword: ``dl``, ``n = N`` (``nr``/``nc`` only
when equal: a two-mode matrix cannot be person ties), ``nm = M`` matrices, ``format =``
``fullmatrix`` (the default), ``lowerhalf``, ``upperhalf``, ``edgelist1`` or ``nodelist1``,
``diagonal = absent``, ``labels:`` (or ``row labels:`` / ``column labels:``), ``labels
embedded``, and ``matrix labels:`` (one per matrix: the ties' ``kind``). Labels are separated by
spaces or commas and may be quoted (``"Alex Morgan"``); a label line that holds commas is split
on commas only, as Gephi does, so unquoted names with spaces work there too. Labels keep their
case (UCINET once upper-cased them; nothing here depends on it).

Data: ``fullmatrix`` is a stream of N x N numbers (N x (N-1) with the diagonal absent); with
labels embedded, each matrix starts with the column labels and each row with its label.
``lowerhalf`` / ``upperhalf`` give one triangle of a symmetric matrix: undirected ties.
``edgelist1`` lines are ``i j [value]`` (a missing value is 1), ``nodelist1`` lines ``i j1 j2
...``; ``i`` and ``j`` are numbers 1..N, or labels when embedded. Matrices of a multi-matrix
edge list are separated by a line holding ``!``. A nonzero cell is a tie from row to column,
weighted by the cell.

References
----------
.. [1] S. P. Borgatti, M. G. Everett and L. C. Freeman, "UCINET 6 for Windows: Software for
   Social Network Analysis. User's Guide", Analytic Technologies, 2002, section 3.3 ("DL
   filetype": full matrix, labels, multiple matrices, diagonal absent, lowerhalf and upperhalf,
   nodelists, edgelists); DL language reference at http://analytictech.com/ucinet/help/hs5000.htm
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

__all__ = ["FORMATS", "read_dl"]

FORMATS = ("fullmatrix", "lowerhalf", "upperhalf", "edgelist1", "nodelist1")
_KEYWORD = re.compile(
    r"""\s*(?:
        (?P<dl>dl)\b
      | (?P<dim>nr|nc|nm|n)\s*=\s*(?P<dimval>\S+?)(?=[\s,]|$)
      | format\s*=\s*(?P<format>[a-z0-9]+)
      | diagonal\s*=\s*(?P<diagonal>[a-z]+)
      | (?P<embedded>(?:row\s+|column\s+|col\s+|matrix\s+)?labels\s+embedded\s*:?)
      | (?P<lwhich>row\s+|column\s+|col\s+|matrix\s+)?labels\s*:
      | (?P<data>data\s*:)
      | (?P<other>[a-z]+\s*=\s*\S+)
    )[\s,]*""",
    re.I | re.X,
)


def read_dl(path: Path, limits: Limits = LIMITS) -> ForeignNetwork:
    """Read the DL file at ``path`` (see the module docstring for what is read)."""
    name = path.name
    net = ForeignNetwork(name, name, id_column="label")
    text = decode(read_bytes(path, limits), name, net.notes)
    _Dl(net, limits).read(list(text_lines(text)))
    return net


def _labels(text: str) -> list[str]:
    if "," in text:
        return [t.strip().strip('"').strip() for t in text.split(",") if t.strip()]
    return split_quoted(text)


class _Dl:
    def __init__(self, net: ForeignNetwork, limits: Limits):
        self.net = net
        self.limits = limits
        self.dims: dict[str, int] = {}
        self.format = "fullmatrix"
        self.diagonal = True
        self.embedded = False
        self.labels: dict[str, list[str]] = {"row": [], "column": [], "matrix": []}
        self.label_lines: dict[str, int] = {}  # where each person's label first appears

    def add_labels(self, which: str, labels: list[str], line: int) -> None:
        self.labels[which] += labels
        if which != "matrix":
            for label in labels:
                self.label_lines.setdefault(label, line)

    def problem(self, line: int | None, column: str | None, message: str) -> None:
        self.net.problems.append(Problem(self.net.node_file, line, column, message))

    # -- header -------------------------------------------------------------------------------
    def read(self, lines: list[tuple[int, str]]) -> None:
        data_at = self.header(lines)
        if data_at is None:
            return
        n = self.size()
        if n is None:
            return
        data = [(no, text) for no, text in lines if no >= data_at[0]]
        if data:
            data[0] = (data_at[0], data_at[1])
        if self.format in ("fullmatrix", "lowerhalf", "upperhalf"):
            self.matrix(n, data)
        else:
            self.lists(n, data)

    def header(self, lines: list[tuple[int, str]]) -> tuple[int, str] | None:
        """Read the keywords; return (line, rest of that line) where the data start."""
        collecting: str | None = None
        first = True
        for line_no, raw in lines:
            text = raw.strip()
            if not text:
                continue
            if first:
                first = False
                if not text.lower().startswith("dl"):
                    self.problem(line_no, None, "a DL file starts with the word DL")
                    return None
            pos = 0
            if collecting is not None:
                match = _KEYWORD.match(text)
                if match is None or match.group("dl"):
                    self.add_labels(collecting, _labels(text), line_no)
                    continue
                collecting = None
            while pos < len(text):
                match = _KEYWORD.match(text, pos)
                if match is None or match.end() == pos:
                    self.net.notes.append(
                        f"{self.net.node_file}, line {line_no}: {text[pos:]!r} is not understood"
                        " and was skipped"
                    )
                    break
                pos = match.end()
                if match.group("dim"):
                    try:
                        self.dims[match.group("dim").lower()] = int(match.group("dimval"))
                    except ValueError:
                        self.problem(line_no, match.group("dim").upper(),
                                     f"{match.group('dimval')!r} is not a whole number")
                elif match.group("format"):
                    fmt = match.group("format").lower()
                    if fmt not in FORMATS:
                        self.problem(line_no, "format", f"format {fmt!r} is not read; use one of "
                                     f"{', '.join(FORMATS)}")
                        return None
                    self.format = fmt
                elif match.group("diagonal"):
                    self.diagonal = match.group("diagonal").lower() != "absent"
                elif match.group("embedded"):
                    self.embedded = True
                elif match.group("other"):
                    self.net.notes.append(f"{self.net.node_file}, line {line_no}: "
                                          f"{match.group('other').strip()!r} was not used")
                elif "labels" in match.group(0).lower():
                    which = (match.group("lwhich") or "").strip().lower()
                    collecting = {"": "row", "row": "row", "column": "column", "col": "column",
                                  "matrix": "matrix"}[which]
                    rest = text[pos:]
                    if rest.strip():
                        self.add_labels(collecting, _labels(rest), line_no)
                    break
                elif match.group("data"):
                    return line_no, text[pos:]
        self.problem(None, None, "no data: the header must end with DATA:")
        return None

    def size(self) -> int | None:
        dims = self.dims
        n = dims.get("n")
        if n is None and "nr" in dims:
            if dims["nr"] != dims.get("nc", dims["nr"]):
                self.problem(None, "NC", "rows and columns differ (a two-mode matrix); only "
                             "person-by-person networks can be imported")
                return None
            n = dims["nr"]
        rows, cols = self.labels["row"], self.labels["column"]
        if rows and cols and rows != cols:
            self.problem(None, "column labels", "row and column labels differ (a two-mode "
                         "matrix); only person-by-person networks can be imported")
            return None
        self.node_labels = rows or cols
        if n is None:
            if self.embedded and self.format in ("edgelist1", "nodelist1"):
                return 0  # the embedded labels say who is there
            self.problem(None, "N", "the header must give N, the number of people")
            return None
        if n < 0:
            self.problem(None, "N", "N must be zero or more")
            return None
        if self.node_labels and len(self.node_labels) != n:
            self.problem(None, "labels", f"{len(self.node_labels)} labels for N = {n}")
            return None
        if self.format in ("fullmatrix", "lowerhalf", "upperhalf") and (
            n * n * self.dims.get("nm", 1) > self.limits.max_matrix_cells
        ):
            raise TooLarge(f"a {n:,} x {n:,} matrix is too large to read; export the network "
                           "as an edge list (format = edgelist1)")
        if not self.node_labels and not self.embedded:
            self.node_labels = [str(i) for i in range(1, n + 1)]
        return n

    # -- data ---------------------------------------------------------------------------------
    def kind(self, matrix: int) -> dict[str, str]:
        names = self.labels["matrix"]
        if self.dims.get("nm", 1) <= 1 and not names:
            return {}
        return {"kind": names[matrix] if matrix < len(names) else str(matrix + 1)}

    def add_nodes(self, labels: list[str]) -> None:
        for label in labels:
            self.net.nodes.append(ForeignNode(label, {}, self.label_lines.get(label)))

    def matrix(self, n: int, data: list[tuple[int, str]]) -> None:
        tokens = [(no, tok) for no, text in data for tok in split_quoted(text, commas=True)]
        direction = "directed" if self.format == "fullmatrix" else "undirected"
        it = iter(tokens)
        labels = self.node_labels
        for m in range(self.dims.get("nm", 1)):
            if self.embedded:
                taken = _take(it, n)
                cols = [tok for _, tok in taken]
                for line, tok in taken:
                    self.label_lines.setdefault(tok, line)
                if len(cols) < n:
                    self.problem(None, None, f"matrix {m + 1}: the data end inside the column "
                                 "labels")
                    return
                if m == 0:
                    labels = cols
                elif cols != labels:
                    self.problem(None, None, f"matrix {m + 1} has other column labels")
                    return
            for i in range(n):
                if self.embedded:
                    row = next(it, None)
                    if row is None:
                        self.problem(None, None, f"matrix {m + 1}: the data end at row {i + 1}")
                        return
                    if row[1] != labels[i]:
                        self.problem(row[0], None, f"row label {row[1]!r} where {labels[i]!r} "
                                     "(the column order) was expected")
                        return
                for j in self.columns(i, n):
                    cell = next(it, None)
                    if cell is None:
                        self.problem(None, None, f"matrix {m + 1}: the data end at row {i + 1}; "
                                     f"{n} rows were expected")
                        return
                    self.cell(cell, labels[i], labels[j], m, direction)
        rest = next(it, None)
        if rest is not None:
            self.problem(rest[0], None, "more values than the matrix holds (check N, NM and "
                         "DIAGONAL)")
        self.add_nodes(labels)

    def columns(self, i: int, n: int) -> range | list[int]:
        if self.format == "lowerhalf":
            return range(0, i + 1) if self.diagonal else range(0, i)
        if self.format == "upperhalf":
            return range(i, n) if self.diagonal else range(i + 1, n)
        return range(n) if self.diagonal else [j for j in range(n) if j != i]

    def cell(self, cell, source: str, target: str, m: int, direction: str,
             columns: tuple[str, str] = ("row", "column")) -> None:
        line, value = cell
        try:
            number = float(value)
        except ValueError:
            self.problem(line, None, f"{value!r} is not a number")
            return
        if number != 0:
            attrs = {"weight": value, **self.kind(m)}
            self.net.edges.append(ForeignEdge(source, target, attrs, line, direction, columns))
            self.net.count(self.limits, line)

    def lists(self, n: int, data: list[tuple[int, str]]) -> None:
        labels = list(self.node_labels)
        known = {label: i for i, label in enumerate(labels)}
        matrix = 0
        for line, text in data:
            text = text.strip()
            if not text:
                continue
            if text == "!":
                matrix += 1
                continue
            tokens = split_quoted(text, commas=True)
            if self.format == "edgelist1" and not 2 <= len(tokens) <= 3:
                self.problem(line, None, f"{len(tokens)} value(s); a line is i j [value]")
                continue
            people = tokens if self.format == "nodelist1" else tokens[:2]
            ends = [
                self.resolve(token, labels, known, n, line, "ego" if pos == 0 else "alter")
                for pos, token in enumerate(people)
            ]
            if self.format == "edgelist1":
                pairs = [(ends[0], ends[1], tokens[2] if len(tokens) == 3 else "1")]
            else:
                pairs = [(ends[0], other, "1") for other in ends[1:]]
            for source, target, value in pairs:
                if source is not None and target is not None:
                    self.cell((line, value), source, target, matrix, "directed", ("ego", "alter"))
        if matrix + 1 != self.dims.get("nm", 1):
            self.problem(None, "NM", f"{matrix + 1} matrices in the data for NM = "
                         f"{self.dims.get('nm', 1)}")
        self.add_nodes(labels)

    def resolve(self, token, labels, known, n, line, column) -> str | None:
        if self.embedded:
            if token not in known:
                if n and len(labels) >= n:
                    self.problem(line, column, f"{token!r} would be label {len(labels) + 1}, "
                                 f"more than N = {n}")
                    return None
                known[token] = len(labels)
                labels.append(token)
                self.label_lines.setdefault(token, line)
            return token
        try:
            i = int(token)
        except ValueError:
            self.problem(line, column, f"{token!r} is not a number 1..{n} (write LABELS "
                         "EMBEDDED if the data name people)")
            return None
        if not 1 <= i <= n:
            self.problem(line, column, f"{i} is outside 1..{n}")
            return None
        return labels[i - 1]


def _take(it, n):
    out = []
    for _ in range(n):
        item = next(it, None)
        if item is None:
            break
        out.append(item)
    return out
