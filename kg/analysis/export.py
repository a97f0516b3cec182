"""Export person-level and group-level metrics for R, UCINET, Gephi: CSV, JSON, GraphML, GEXF.

Pure functions: they take the person network and metrics already computed and return bytes.

Pseudonymisation replaces each person id with a stable code, ``HMAC-SHA256(key, id)`` cut to 12
hex digits, and drops names and role titles. The same key gives the same codes across exports
(so periods can be joined); the key itself is never written into the output, and without it the
codes cannot be turned back into ids.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import math

import networkx as nx

from kg.errors import InvalidParameter

__all__ = ["FORMATS", "PERSON_COLUMNS", "export_metrics", "pseudonym"]

FORMATS = ("csv", "json", "graphml", "gexf")
PERSON_COLUMNS = (
    "id", "name", "organisation", "team", "sector", "profession", "role_kind", "level", "hybrid",
    "community", "degree", "weighted_degree", "betweenness", "constraint", "effective_size",
    "coordinator", "itinerant", "representative", "gatekeeper", "liaison",
)
_IDENTIFYING = ("name", "roles", "team_name")


def pseudonym(person_id: str, key: bytes) -> str:
    """The stable code of a person id under ``key``.

    Examples
    --------
    >>> pseudonym("P0001", b"secret")
    'X-29b3420f6fdf'
    """
    return "X-" + hmac.new(key, str(person_id).encode(), hashlib.sha256).hexdigest()[:12]


def _clean(value):
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, (list, tuple, set)):
        return ";".join(map(str, value))
    return value


def export_metrics(
    G: nx.Graph,
    people: dict[str, dict],
    groups: list[dict],
    parameters: dict,
    *,
    format: str = "csv",
    pseudonym_key: bytes | None = None,
) -> bytes:
    """Serialise the metrics.

    Parameters
    ----------
    G : networkx.Graph
        The person network (GraphML and GEXF hold it: nodes with their metrics, weighted edges).
    people : dict
        Person id -> metrics row (keys among ``PERSON_COLUMNS``).
    groups : list of dict
        Group-level metrics (e.g. the E-I rows of :func:`kg.analysis.silos.ei_index`).
    parameters : dict
        The parameters and seed used; written into every format.
    format : {"csv", "json", "graphml", "gexf"}
    pseudonym_key : bytes, optional
        Pseudonymise with this key.

    Returns
    -------
    bytes
        UTF-8 text. CSV carries the parameters and the group table as ``#`` comment lines
        (``read.csv(..., comment.char = "#")`` in R skips them).

    Examples
    --------
    >>> G = nx.Graph([("a", "b")])
    >>> out = export_metrics(G, {"a": {"degree": 1}, "b": {"degree": 1}}, [], {"seed": 0},
    ...                      format="json", pseudonym_key=b"k")
    >>> b'"a"' in out
    False
    """
    if format not in FORMATS:
        raise InvalidParameter(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    code = (lambda p: pseudonym(p, pseudonym_key)) if pseudonym_key else (lambda p: p)
    rows = []
    for pid in sorted(people, key=str):
        row = {c: people[pid].get(c) for c in PERSON_COLUMNS}
        row["id"] = code(pid)
        if pseudonym_key:
            row["name"] = None
        rows.append(row)
    params = dict(parameters, pseudonymised=bool(pseudonym_key))
    if format == "json":
        # an undefined metric (constraint of an isolated person) is null, as JSON has no NaN
        rows_json = [{k: None if isinstance(v, float) and math.isnan(v) else v
                      for k, v in r.items()} for r in rows]
        doc = {"parameters": params, "people": rows_json, "groups": groups}
        return json.dumps(doc, indent=1, default=str, allow_nan=False).encode()
    if format == "csv":
        out = io.StringIO()
        out.write(f"# carebridge metrics export: {json.dumps(params, default=str)}\n")
        for g in groups:
            out.write(f"# group: {json.dumps(g, default=str)}\n")
        w = csv.DictWriter(out, fieldnames=PERSON_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows({k: _clean(v) for k, v in r.items()} for r in rows)
        return out.getvalue().encode()
    H = nx.Graph()
    for k, v in params.items():
        H.graph[k] = str(_clean(v)) if not isinstance(v, (int, float, bool)) else v
    for r in rows:
        H.add_node(r["id"], **{k: _clean(v) for k, v in r.items() if k != "id"
                               and not (pseudonym_key and k in _IDENTIFYING)})
    for u, v, d in G.edges(data=True):
        if u in people and v in people:
            H.add_edge(code(u), code(v), weight=float(d.get("weight", 1.0)),
                       **{k: float(x) for k, x in d.items() if k.startswith("layer_")})
    buf = io.BytesIO()
    if format == "graphml":
        nx.write_graphml(H, buf)
    else:
        nx.write_gexf(H, buf)
    return buf.getvalue()
