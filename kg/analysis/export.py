"""Export person-level and group-level metrics for R, UCINET, Gephi: CSV, JSON, GraphML, GEXF.

Pure functions: they take the person network and metrics already computed and return bytes.

**Every format opens in the standard readers.** The CSV is plain: the header on line 1, one row
per person, an empty cell for an undefined value (the constraint of an isolated person). Its
metadata (parameters, seed, group table, privacy report, column types) go into a sidecar,
:func:`export_metadata`, meant to be saved as ``<name>.meta.json``; the JSON export holds the
same metadata plus the people. In GraphML and GEXF an undefined value is left off that node,
each attribute has one type, and the parameters are typed graph attributes (nested ones
flattened to dotted names, lists as JSON text); GEXF has no graph attributes, so they go into
``<meta><description>`` as JSON.

**Spreadsheet safety.** Every text cell of a CSV passes through :func:`spreadsheet_safe`, which
neutralises formula injection (a name such as ``=HYPERLINK(...)``).

**Pseudonymisation** replaces each person id with a stable code, ``HMAC-SHA256(key, id)`` cut to
12 hex digits, and drops names (rows are sorted by code, so their order says nothing of the
ids). The same key gives the same codes across exports (so periods can be joined); the key
itself is never written into the output (:func:`kg.queries.pseudonym.pseudonym_key` keeps it),
and without it the codes cannot be turned back into ids. A pseudonymised export also

- withholds every group figure over fewer than ``min_group_size`` people (default 5), saying so
  in the row (:func:`suppress_small_groups`);
- reports how identifying the remaining attributes are (:func:`uniqueness` over
  :data:`QUASI_IDENTIFIERS`) and, with ``k_anonymity=k``, generalises them until every person
  shares them with at least k-1 others (:func:`k_anonymise`).

k-anonymity covers those attributes only, not the network itself: a person's degree or the
shape of their neighbourhood can still single them out to someone who knows it [3]_.

References
----------
.. [1] OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection.
.. [2] L. Sweeney, "k-anonymity: a model for protecting privacy", International Journal of
   Uncertainty, Fuzziness and Knowledge-Based Systems 10(5):557-570, 2002.
.. [3] M. Hay, G. Miklau, D. Jensen, D. Towsley and P. Weis, "Resisting structural
   re-identification in anonymized social networks", Proceedings of the VLDB Endowment
   1(1):102-114, 2008.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import math
import numbers
import re
from collections.abc import Hashable, Iterable, Mapping
from xml.etree.ElementTree import SubElement

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from kg.errors import AnalysisError, InvalidParameter

__all__ = [
    "FORMATS",
    "GENERALISATION_STEPS",
    "LEVEL_GROUPS",
    "PERSON_COLUMNS",
    "PROFESSION_GROUPS",
    "QUASI_IDENTIFIERS",
    "equivalence_classes",
    "export_metadata",
    "export_metrics",
    "k_anonymise",
    "pseudonym",
    "spreadsheet_safe",
    "suppress_small_groups",
    "uniqueness",
]

FORMATS = ("csv", "json", "graphml", "gexf")
PERSON_COLUMNS = (
    "id", "name", "organisation", "team", "sector", "profession", "role_kind", "level", "hybrid",
    "community", "degree", "weighted_degree", "betweenness", "constraint", "effective_size",
    "coordinator", "itinerant", "representative", "gatekeeper", "liaison",
)
_IDENTIFYING = ("name", "roles", "team_name")

#: What someone who knows a person at work could know of them and look up in an export.
QUASI_IDENTIFIERS = (
    "organisation", "team", "sector", "profession", "role_kind", "level", "hybrid",
)

#: Profession -> profession group, after the NHS workforce staff groups (medical; nursing;
#: scientific, therapeutic and technical; support to clinical staff; managers; central support)
#: with social work apart. A profession not listed becomes "other".
PROFESSION_GROUPS = {
    **dict.fromkeys(("consultant", "doctor", "gp", "psychiatrist"), "medical"),
    **dict.fromkeys(("nurse", "district_nurse", "community_matron", "mental_health_nurse",
                     "practice_nurse", "hospice_nurse", "midwife"), "nursing"),
    **dict.fromkeys(("physiotherapist", "occupational_therapist", "pharmacist", "psychologist",
                     "speech_and_language_therapist", "dietitian", "paramedic"),
                    "scientific_therapeutic"),
    **dict.fromkeys(("social_worker", "care_manager"), "social_work"),
    **dict.fromkeys(("healthcare_assistant", "support_worker", "home_care_worker"), "support"),
    **dict.fromkeys(("manager", "commissioning_manager"), "management"),
    **dict.fromkeys(("administrator", "receptionist", "volunteer_coordinator", "analyst"),
                    "administrative"),
}

#: Level -> coarser level: front line or management.
LEVEL_GROUPS = {"frontline": "frontline", "middle": "manager", "senior": "manager",
                "executive": "manager"}


def _team_to_organisation(r: dict, groups: Mapping) -> None:
    r["team"] = r.get("organisation")


def _profession_to_group(r: dict, groups: Mapping) -> None:
    p = r.get("profession")
    if p is not None and p not in groups.values():
        r["profession"] = groups.get(str(p).strip().lower().replace(" ", "_"), "other")


def _level_coarser(r: dict, groups: Mapping) -> None:
    if r.get("level") is not None:
        r["level"] = LEVEL_GROUPS.get(r["level"], r["level"])


def _organisation_to_sector(r: dict, groups: Mapping) -> None:
    r["organisation"] = r["team"] = r.get("sector")  # the team goes up with its organisation


_STEPS = {
    "team": ("team -> organisation", _team_to_organisation),
    "profession": ("profession -> profession group", _profession_to_group),
    "level": ("level -> frontline or manager", _level_coarser),
    "organisation": ("organisation and team -> sector", _organisation_to_sector),
}
#: The generalisation applied by default, in order, before suppression. ``"organisation"``
#: (organisation and team -> sector) may be added by the caller.
GENERALISATION_STEPS = ("team", "profession", "level")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def pseudonym(person_id: str, key: bytes) -> str:
    """The stable code of a person id under ``key``.

    Examples
    --------
    >>> pseudonym("P0001", b"secret")
    'X-29b3420f6fdf'
    """
    return "X-" + hmac.new(key, str(person_id).encode(), hashlib.sha256).hexdigest()[:12]


def spreadsheet_safe(value):
    """A CSV cell that a spreadsheet shows as text instead of running as a formula.

    A text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a single
    quote in front, as OWASP advises [1]_: Excel, LibreOffice and Google Sheets then show it as
    text. Two exceptions keep numbers numbers: a value that is not text (an int or float is
    written as digits and cannot be a formula) and text that is a plain decimal number such as
    ``"-2"``, ``"+0.5"`` or ``"-1e-3"`` (the spreadsheet reads it as that number; ``"-2+3"`` is
    not plain and is quoted). Every CSV writer of Carebridge calls this on every cell, header
    aside. The quote is visible to R or pandas: a price paid only by text that starts like a
    formula.

    Parameters
    ----------
    value : object
        A cell value (any type).

    Returns
    -------
    object
        ``value`` itself, or ``"'" + value`` for text that starts like a formula.

    References
    ----------
    .. [1] OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection.

    Examples
    --------
    >>> print(spreadsheet_safe('=HYPERLINK("http://x.example","click")'))
    '=HYPERLINK("http://x.example","click")
    >>> [spreadsheet_safe(v) for v in ("-2+3", "-2", -2.5, "@SUM(A1)", "\\tx", "Ward 3", None)]
    ["'-2+3", '-2', -2.5, "'@SUM(A1)", "'\\tx", 'Ward 3', None]
    """
    if (isinstance(value, str) and value.startswith(_FORMULA_START)
            and not _PLAIN_NUMBER.fullmatch(value)):
        return "'" + value
    return value


def _check_records(records) -> None:
    if not isinstance(records, Mapping) or not all(isinstance(r, Mapping)
                                                   for r in records.values()):
        raise InvalidParameter("records must map each id to a dict of attributes")


def _check_attributes(attributes) -> tuple:
    if isinstance(attributes, str) or not isinstance(attributes, Iterable):
        raise InvalidParameter("attributes must be a sequence of attribute names")
    attributes = tuple(attributes)
    if not attributes:
        raise InvalidParameter("give at least one attribute")
    return attributes


def equivalence_classes(
    records: Mapping[Hashable, Mapping], attributes: Iterable[str] = QUASI_IDENTIFIERS
) -> dict[tuple, list]:
    """Group records that agree on every one of ``attributes``.

    Parameters
    ----------
    records : dict
        Id -> attributes. A missing attribute counts as the value None (it can be known too).
    attributes : sequence of str, default QUASI_IDENTIFIERS

    Returns
    -------
    dict
        Tuple of values (in the order of ``attributes``) -> ids sharing it, in input order.

    Examples
    --------
    >>> equivalence_classes({1: {"a": "x"}, 2: {"a": "x"}, 3: {"a": "y"}}, ["a"])
    {('x',): [1, 2], ('y',): [3]}
    """
    _check_records(records)
    attributes = _check_attributes(attributes)
    classes: dict[tuple, list] = {}
    for rid, r in records.items():
        classes.setdefault(tuple(r.get(a) for a in attributes), []).append(rid)
    return classes


def uniqueness(
    records: Mapping[Hashable, Mapping], attributes: Iterable[str] = QUASI_IDENTIFIERS
) -> dict:
    """How identifying ``attributes`` are: records unique on them and the smallest class.

    Parameters
    ----------
    records : dict
        Id -> attributes.
    attributes : sequence of str, default QUASI_IDENTIFIERS

    Returns
    -------
    dict
        ``{"records", "classes" (distinct combinations), "unique" (records alone in their
        class), "smallest_class" (None when there are no records)}``. The records are
        k-anonymous on ``attributes`` for every k up to ``smallest_class``.

    References
    ----------
    .. [1] L. Sweeney, "k-anonymity: a model for protecting privacy", 2002.

    Examples
    --------
    >>> uniqueness({1: {"a": "x"}, 2: {"a": "x"}, 3: {"a": "y"}}, ["a"])
    {'records': 3, 'classes': 2, 'unique': 1, 'smallest_class': 1}
    """
    sizes = [len(ids) for ids in equivalence_classes(records, attributes).values()]
    return {"records": sum(sizes), "classes": len(sizes),
            "unique": sum(1 for s in sizes if s == 1), "smallest_class": min(sizes, default=None)}


def _below(records, attributes, k) -> int:
    return sum(len(ids) for ids in equivalence_classes(records, attributes).values()
               if len(ids) < k)


def k_anonymise(
    records: Mapping[Hashable, Mapping],
    k: int,
    *,
    attributes: Iterable[str] = QUASI_IDENTIFIERS,
    steps: Iterable[str] = GENERALISATION_STEPS,
    profession_groups: Mapping[str, str] | None = None,
) -> tuple[dict, dict]:
    """Generalise, then suppress, until every record shares its attributes with k-1 others.

    Full-domain generalisation [1]_: each step recodes one attribute for every record, in the
    order given, until every equivalence class on ``attributes`` holds at least ``k`` records.
    A step is kept only if it lowers the number of records in classes smaller than ``k`` (one
    that saves nobody from suppression would only lose detail); this greedy order may miss a
    combination of steps that only helps together. The steps are ``"team"`` (team -> its
    organisation), ``"profession"`` (profession -> profession group,
    :data:`PROFESSION_GROUPS`), ``"level"`` (frontline, or manager for middle, senior and
    executive) and ``"organisation"`` (organisation and team -> sector; not a default step).
    Records still in a class smaller than ``k`` then have every one of ``attributes``
    suppressed (set to None): they match any record, and their other values (the network
    metrics) are kept.

    Parameters
    ----------
    records : dict
        Id -> attributes; not modified.
    k : int
        At least 2.
    attributes : sequence of str, default QUASI_IDENTIFIERS
    steps : sequence of str, default GENERALISATION_STEPS
    profession_groups : dict, optional
        Profession -> group, instead of :data:`PROFESSION_GROUPS`.

    Returns
    -------
    records : dict
        Id -> a generalised copy of its attributes.
    report : dict
        ``{"k", "attributes", "before", "after" (both :func:`uniqueness`; "after" over the
        records not suppressed), "steps" (names of the steps applied), "generalised"
        (what each did), "suppressed" (records whose attributes were all withheld)}``.

    References
    ----------
    .. [1] L. Sweeney, "Achieving k-anonymity privacy protection using generalization and
       suppression", International Journal of Uncertainty, Fuzziness and Knowledge-Based
       Systems 10(5):571-588, 2002.

    Examples
    --------
    >>> people = {
    ...     1: {"team": "T1", "organisation": "A", "level": "frontline"},
    ...     2: {"team": "T2", "organisation": "A", "level": "frontline"},
    ...     3: {"team": "T3", "organisation": "B", "level": "senior"},
    ... }
    >>> out, report = k_anonymise(people, 2, attributes=("organisation", "team", "level"))
    >>> report["steps"], report["suppressed"], out[1]["team"], out[3]["organisation"]
    (['team'], 1, 'A', None)
    """
    _check_records(records)
    attributes = _check_attributes(attributes)
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise InvalidParameter("k must be a whole number of at least 2 (each person then shares "
                               "their attributes with at least k-1 others)")
    steps = tuple([steps] if isinstance(steps, str) else steps)
    unknown = [s for s in steps if s not in _STEPS]
    if unknown:
        raise InvalidParameter(f"unknown generalisation step {unknown[0]!r}; use "
                               f"{', '.join(_STEPS)}")
    groups = PROFESSION_GROUPS if profession_groups is None else dict(profession_groups)
    out = {rid: dict(r) for rid, r in records.items()}
    before = uniqueness(out, attributes)
    applied = []
    at_risk = _below(out, attributes, k)
    for name in steps:
        if not at_risk:
            break
        trial = {rid: dict(r) for rid, r in out.items()}
        for r in trial.values():
            _STEPS[name][1](r, groups)
        # a step that saves nobody from suppression would only lose detail: skip it
        if _below(trial, attributes, k) < at_risk:
            out, at_risk = trial, _below(trial, attributes, k)
            applied.append(name)
    suppressed = set()
    for ids in equivalence_classes(out, attributes).values():
        if len(ids) < k:
            suppressed.update(ids)
            for rid in ids:
                out[rid].update(dict.fromkeys(attributes))
    kept = {rid: r for rid, r in out.items() if rid not in suppressed}
    report = {
        "k": k, "attributes": list(attributes), "before": before,
        "after": uniqueness(kept, attributes), "steps": applied,
        "generalised": [_STEPS[s][0] for s in applied], "suppressed": len(suppressed),
    }
    return out, report


def suppress_small_groups(
    groups: Iterable[Mapping],
    min_size: int = 5,
    *,
    people: Mapping[Hashable, Mapping] | None = None,
    by: str | None = None,
) -> list[dict]:
    """Withhold the figures of every group of fewer than ``min_size`` people.

    Parameters
    ----------
    groups : sequence of dict
        Group rows, each with ``"group"`` and (ideally) ``"size"``.
    min_size : int, default 5
    people, by : optional
        Where a row has no ``"size"``: the people and the attribute the groups are of, to count
        the members. A group whose size cannot be known is withheld.

    Returns
    -------
    list of dict
        The rows in order, each with a ``"suppressed"`` note: None for a row kept as it was;
        ``"fewer than 5 people"`` for a row whose figures (size included) are all None.

    Examples
    --------
    >>> rows = [{"group": "A", "size": 7, "ei_index": -0.2}, {"group": "B", "size": 3,
    ...                                                        "ei_index": 0.5}]
    >>> suppress_small_groups(rows, 5)[1]
    {'group': 'B', 'size': None, 'ei_index': None, 'suppressed': 'fewer than 5 people'}
    """
    if isinstance(min_size, bool) or not isinstance(min_size, int) or min_size < 1:
        raise InvalidParameter("min_group_size must be a whole number of at least 1")
    if people is not None:
        _check_records(people)
    out = []
    for g in groups:
        if not isinstance(g, Mapping):
            raise InvalidParameter("each group must be a dict")
        size = g.get("size")
        if size is None and people is not None and by:
            size = sum(1 for r in people.values() if r.get(by) == g.get("group"))
        if size is not None and size >= min_size:
            out.append({**g, "suppressed": None})
            continue
        note = f"fewer than {min_size} people" if size is not None else "group size unknown"
        out.append({**{k: None for k in g}, "group": g.get("group"), "suppressed": note})
    return out


def _undefined(value) -> bool:
    return value is None or (isinstance(value, numbers.Real) and not isinstance(value, bool)
                             and not math.isfinite(value))


def _is_bool(value) -> bool:
    return isinstance(value, bool) or type(value).__name__ == "bool_"  # numpy's too


def _column_type(values: list) -> str:
    if values and all(_is_bool(v) for v in values):
        return "boolean"
    if values and all(isinstance(v, numbers.Integral) and not _is_bool(v) for v in values):
        return "integer"
    if values and all(isinstance(v, numbers.Real) and not _is_bool(v) for v in values):
        return "number"
    return "string"


def _as_type(value, kind: str):
    if kind == "boolean":
        return bool(value)
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return ";".join(map(str, value))
    return str(value)


def _prepare(G, people, groups, parameters, pseudonym_key, k_anonymity, min_group_size,
             generalisation) -> tuple[list[dict], dict]:
    """The person rows (typed, None where undefined) and the metadata, after every check."""
    if not isinstance(G, nx.Graph):
        raise InvalidParameter(f"expected a networkx graph, got {type(G).__name__}")
    if not isinstance(people, Mapping) or not all(isinstance(r, Mapping)
                                                  for r in people.values()):
        raise InvalidParameter("people must map each person id to a dict of metrics")
    if isinstance(groups, (str, bytes)) or not isinstance(groups, Iterable):
        raise InvalidParameter("groups must be a list of dicts")
    if not isinstance(parameters, Mapping):
        raise InvalidParameter("parameters must be a dict")
    if pseudonym_key is not None and (not isinstance(pseudonym_key, bytes) or not pseudonym_key):
        raise InvalidParameter("the pseudonym key must be non-empty bytes")
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, int) \
            or min_group_size < 1:
        raise InvalidParameter("min_group_size must be a whole number of at least 1")
    pseudonymised = pseudonym_key is not None
    if k_anonymity is not None and not pseudonymised:
        raise InvalidParameter("k-anonymity applies to pseudonymised exports: names and ids "
                               "identify everyone otherwise")
    steps = GENERALISATION_STEPS if generalisation is None else generalisation
    groups = list(groups)

    records = {pid: {c: r.get(c) for c in PERSON_COLUMNS if c != "id"}
               for pid, r in people.items()}
    privacy = None
    if pseudonymised:
        for r in records.values():
            r["name"] = None
        privacy = {"k": k_anonymity, "min_group_size": min_group_size,
                   "quasi_identifiers": list(QUASI_IDENTIFIERS),
                   "before": uniqueness(records), "after": None, "generalised": [],
                   "suppressed": 0}
        if k_anonymity is not None:
            records, report = k_anonymise(records, k_anonymity, steps=steps)
            privacy.update(after=report["after"], generalised=report["generalised"],
                           suppressed=report["suppressed"])
        groups = suppress_small_groups(groups, min_group_size, people=people,
                                       by=parameters.get("by"))
        privacy["groups_withheld"] = sum(1 for g in groups if g["suppressed"])
        code = {pid: pseudonym(pid, pseudonym_key) for pid in records}
        if len(set(code.values())) < len(code):  # 48 bits: ~1e-7 for 5,000 people
            raise AnalysisError("two people got the same pseudonym; export again with a new key")
    else:
        code = {pid: str(pid) for pid in records}

    rows = []
    for pid in sorted(records, key=lambda p: code[p]):  # by code: order reveals no ids
        row = {"id": code[pid]}
        row.update({c: None if _undefined(v) else v for c, v in records[pid].items()})
        rows.append(row)
    types = {c: _column_type([r[c] for r in rows if r[c] is not None]) for c in PERSON_COLUMNS}
    types["id"] = "string"
    for r in rows:
        for c, v in r.items():
            if v is not None:
                r[c] = _as_type(v, types[c])
    metadata = {
        "export": "carebridge metrics",
        "parameters": dict(parameters, pseudonymised=pseudonymised),
        "network": {"people": len(rows), "ties": sum(
            1 for u, v in G.edges() if u in people and v in people)},
        "columns": types,
        "groups": groups,
        "privacy": privacy,
    }
    return rows, metadata


def _graph_attributes(metadata: dict) -> dict:
    """Flat, typed graph attributes: no None, no Python repr."""
    out: dict = {}

    def put(key, value):
        if _undefined(value):
            return
        if isinstance(value, Mapping):
            for k, v in value.items():
                put(f"{key}.{k}", v)
        elif isinstance(value, (list, tuple, set, frozenset)):
            if any(v is not None for v in value):
                out[key] = json.dumps(list(value), default=str)
        elif _is_bool(value):
            out[key] = bool(value)
        elif isinstance(value, numbers.Integral):
            out[key] = int(value)
        elif isinstance(value, numbers.Real):
            out[key] = float(value)
        else:
            out[key] = str(value)

    for k, v in metadata["parameters"].items():
        put(k, v)
    put("network", metadata["network"])  # prefixed: a parameter may be called "people"
    if metadata["privacy"]:
        put("privacy", {k: v for k, v in metadata["privacy"].items() if k != "quasi_identifiers"})
    return out


def _check_format(format: str) -> None:
    if format not in FORMATS:
        raise InvalidParameter(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")


def export_metadata(
    G: nx.Graph,
    people: dict[str, dict],
    groups: list[dict],
    parameters: dict,
    *,
    pseudonym_key: bytes | None = None,
    k_anonymity: int | None = None,
    min_group_size: int = 5,
    generalisation: Iterable[str] | None = None,
) -> bytes:
    """The metadata of an export, as JSON for the sidecar file ``<name>.meta.json``.

    Takes the arguments of :func:`export_metrics` (without ``format``) and describes any of its
    formats: called with the same arguments it holds the same values (the JSON export is this
    document plus ``"people"``).

    Returns
    -------
    bytes
        UTF-8 JSON: ``{"export", "parameters" (with "pseudonymised"), "network": {"people",
        "ties"}, "columns" (column -> "string", "integer", "number" or "boolean"), "groups"
        (rows; pseudonymised: each with "suppressed"), "privacy"}``. ``privacy`` is null unless
        pseudonymised, else ``{"k", "min_group_size", "quasi_identifiers", "before", "after"
        (:func:`uniqueness` before and after k-anonymisation; "after" null without k),
        "generalised", "suppressed" (people whose attributes were withheld),
        "groups_withheld"}``.

    Examples
    --------
    >>> G = nx.Graph([("a", "b")])
    >>> meta = json.loads(export_metadata(G, {"a": {"degree": 1}, "b": {"degree": 1}}, [],
    ...                                   {"seed": 0}))
    >>> meta["parameters"], meta["network"], meta["columns"]["degree"]
    ({'seed': 0, 'pseudonymised': False}, {'people': 2, 'ties': 1}, 'integer')
    """
    _, metadata = _prepare(G, people, groups, parameters, pseudonym_key, k_anonymity,
                           min_group_size, generalisation)
    return json.dumps(metadata, indent=1, default=str, allow_nan=False).encode()


def export_metrics(
    G: nx.Graph,
    people: dict[str, dict],
    groups: list[dict],
    parameters: dict,
    *,
    format: str = "csv",
    pseudonym_key: bytes | None = None,
    k_anonymity: int | None = None,
    min_group_size: int = 5,
    generalisation: Iterable[str] | None = None,
) -> bytes:
    """Serialise the metrics.

    Parameters
    ----------
    G : networkx.Graph
        The person network (GraphML and GEXF hold it: nodes with their metrics, weighted edges).
    people : dict
        Person id -> metrics row (keys among ``PERSON_COLUMNS``). None, NaN or infinity is an
        undefined value (the constraint of an isolated person).
    groups : list of dict
        Group-level metrics (e.g. the E-I rows of :func:`kg.analysis.silos.ei_index`).
    parameters : dict
        The parameters and seed used (``"by"`` names the grouping of ``groups``).
    format : {"csv", "json", "graphml", "gexf"}
    pseudonym_key : bytes, optional
        Pseudonymise with this key.
    k_anonymity : int, optional
        Pseudonymised only: generalise the :data:`QUASI_IDENTIFIERS` until every person shares
        them with at least k-1 others (:func:`k_anonymise`). Without it the export reports
        their uniqueness only.
    min_group_size : int, default 5
        Pseudonymised only: withhold the figures of smaller groups.
    generalisation : sequence of str, optional
        The generalisation steps (default :data:`GENERALISATION_STEPS`).

    Returns
    -------
    bytes
        UTF-8 text. CSV (RFC 4180, CRLF line ends): the header on line 1, one row per person,
        empty cells where undefined, text through :func:`spreadsheet_safe`; its metadata are
        :func:`export_metadata`. JSON: that metadata plus ``"people"`` (rows, null where
        undefined). GraphML and GEXF: the network, undefined values left off their node, the
        parameters and privacy report as graph attributes (GEXF: JSON in
        ``<meta><description>``).

    Examples
    --------
    >>> G = nx.Graph([("a", "b")])
    >>> out = export_metrics(G, {"a": {"degree": 1}, "b": {"degree": 1}}, [], {"seed": 0},
    ...                      format="json", pseudonym_key=b"k")
    >>> b'"a"' in out
    False
    >>> print(export_metrics(G, {"a": {"degree": 1}, "b": {"degree": 1}}, [], {"seed": 0}
    ...                      ).decode().splitlines()[1][:12])
    a,,,,,,,,,,1
    """
    _check_format(format)
    rows, metadata = _prepare(G, people, groups, parameters, pseudonym_key, k_anonymity,
                              min_group_size, generalisation)
    if format == "json":
        doc = {**metadata, "people": rows}
        return json.dumps(doc, indent=1, default=str, allow_nan=False).encode()
    if format == "csv":
        out = io.StringIO()
        # CRLF as RFC 4180 has it: the writer then also quotes a value holding a lone \r,
        # which with "\n" it leaves bare and every reader splits.
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow(PERSON_COLUMNS)
        for r in rows:
            w.writerow(["" if r[c] is None else spreadsheet_safe(r[c]) for c in PERSON_COLUMNS])
        return out.getvalue().encode()
    pseudonymised = pseudonym_key is not None
    code = {pid: pseudonym(pid, pseudonym_key) for pid in people} if pseudonymised else None
    H = nx.Graph()
    H.graph.update(_graph_attributes(metadata))
    for r in rows:
        H.add_node(r["id"], **{k: v for k, v in r.items() if k != "id" and v is not None
                               and not (pseudonymised and k in _IDENTIFYING)})
    for u, v, d in G.edges(data=True):
        if u in people and v in people:
            attrs = {k: float(x) for k, x in d.items()
                     if k.startswith("layer_") and not _undefined(x)}
            H.add_edge(code[u] if code else str(u), code[v] if code else str(v),
                       weight=float(d.get("weight", 1.0)), **attrs)
    buf = io.BytesIO()
    if format == "graphml":
        nx.write_graphml(H, buf)
    else:
        writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
        meta = writer.xml.find("meta")
        meta.find("creator").text = f"Carebridge (NetworkX {nx.__version__})"
        SubElement(meta, "description").text = json.dumps(H.graph, sort_keys=True)
        writer.add_graph(H)
        writer.write(buf)
    return buf.getvalue()
