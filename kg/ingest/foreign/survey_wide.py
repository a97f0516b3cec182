"""A wide name-generator survey export (one row per respondent) into a foreign network.

The usual shape of a network survey exported from Qualtrics, SurveyMonkey, Microsoft Forms or
a spreadsheet: one row per respondent, one column per answer ("Who do you go to for advice?"
with up to five names: ``advice_1`` ... ``advice_5``). Columns are read as:

- the respondent: a column named ``respondent``, ``respondent_id`` or ``id`` (mapped with
  ``--map COLUMN=respondent``) holds their person id; a ``name`` column their name. With a name
  only, the respondent is matched to the store's people by name, or is a new person whose id is
  ``P-`` and their name in capitals;
- answers: a column named like a tie kind with an optional number (``advice``, ``advice_2``,
  ``referral 3``), or mapped to a tie kind (``--map "Q3_*=advice"``). A cell may hold several
  names separated by ``;``, ``|`` or line breaks. Each name is matched to the roster: the people
  in the store and the respondents in the file, by id, else by name (case, accents, punctuation
  and word order ignored). A name that matches no one, or more than one person, is a problem
  naming row and column, and nothing is imported until it is resolved: write the person's id in
  the cell, or import the roster first. Blank cells and "none", "n/a", "-" are no answer;
- any other column is an attribute of the respondent (``organisation``, ``sector``...), mapped
  like any other format's node attributes.

Each matched answer is a tie from the respondent to the person named, of the column's kind,
with the column's header kept as the tie's ``question``. A person named twice for the same kind
by the same respondent is one tie; naming oneself is left out (both with a note).

References
----------
.. [1] P. V. Marsden, "Survey methods for network data", in J. Scott and P. J. Carrington (eds.),
   The SAGE Handbook of Social Network Analysis, SAGE, 2011, pp. 370-388 (name generators and
   interpreters).
.. [2] S. P. Borgatti, M. G. Everett and J. C. Johnson, "Analyzing Social Networks", 2nd ed.,
   SAGE, 2018, chapter 4 (data collection: rosters versus free recall, matching names).
"""

from __future__ import annotations

import re
from pathlib import Path

from kg.errors import Problem
from kg.ingest.foreign.edgelist import read_csv_rows
from kg.ingest.foreign.mapping import DROP, TIE_KINDS, Mapping, norm
from kg.ingest.foreign.network import LIMITS, ForeignEdge, ForeignNetwork, ForeignNode, Limits
from kg.ingest.foreign.roster import Roster, name_key
from kg.ingest.foreign.spreadsheet import open_workbook, sheet_rows
from kg.ingest.foreign.tables import derived_id

__all__ = ["read_survey"]

_ANSWER = re.compile(r"^(" + "|".join(TIE_KINDS) + r")(?:_?\d+)?$")
_RESPONDENT = ("respondent", "respondent_id", "id")
_NO_ANSWER = {"", "-", "--", "n/a", "na", "none", "no one", "nobody", "nil"}
_SPLIT = re.compile(r"[;|\n\r]+")


def read_survey(
    path: Path, mapping: Mapping, roster: Roster, limits: Limits = LIMITS
) -> ForeignNetwork:
    """Read a wide survey export (CSV, or the first sheet of an ``.xlsx``)."""
    net = ForeignNetwork(path.name, path.name, id_column="respondent")
    where, header, rows = _rows(path, net, limits)
    net.node_file = net.edge_file = where
    if header is None:
        if not net.problems:
            net.problems.append(Problem(where, 1, None, "the file is empty; the first row must "
                                        "name the columns"))
        return net
    respondent, name, answers, attributes = _columns(header, mapping)
    if respondent is None and name is None:
        net.problems.append(Problem(
            where, 1, None,
            "no respondent column: name one respondent (their id) or name, or map yours with "
            "--map COLUMN=respondent"))
        return net
    if not answers:
        net.problems.append(Problem(
            where, 1, None,
            f"no answer columns: name them after a tie kind ({', '.join(TIE_KINDS)}, e.g. "
            "advice_1) or map them with --map \"COLUMN*=advice\""))
        return net
    net.id_column = header[respondent if respondent is not None else name]
    people = _respondents(net, where, header, rows, respondent, name, attributes, roster)
    _answers(net, where, header, rows, answers, people, roster)
    return net


def _rows(path: Path, net: ForeignNetwork, limits: Limits):
    if path.suffix.lower() != ".xlsx":
        header, rows = read_csv_rows(path, net, limits)
        return path.name, header, rows
    wb = open_workbook(path, net)
    if wb is None:
        return path.name, None, []
    try:
        sheets = [ws for ws in wb.worksheets if "(ignore)" not in ws.title.lower()]
        if not sheets:
            return path.name, None, []
        header, rows = sheet_rows(sheets[0], limits)
        return f"{path.name}[{sheets[0].title}]", header, rows
    finally:
        wb.close()


def _columns(header, mapping: Mapping):
    respondent = name = None
    answers: dict[int, str] = {}
    attributes: list[int] = []
    for i, column in enumerate(header):
        target, rank = mapping.target(column, "survey")
        key = norm(column)
        if target == DROP or not column:
            continue
        if target == "respondent" or (target is None and key in _RESPONDENT and respondent is None):
            respondent = i
        elif target in TIE_KINDS:
            answers[i] = target
        elif target is None and _ANSWER.match(key):
            answers[i] = _ANSWER.match(key).group(1)
        else:
            if target == "name" and name is None:
                name = i
            attributes.append(i)
    return respondent, name, answers, attributes


def _respondents(net, where, header, rows, respondent, name, attributes, roster: Roster):
    """Each row's respondent id (None when it cannot be told), and the respondents as nodes."""
    people: list[str | None] = []
    named: dict[str, tuple[str, int]] = {}  # name key -> (id, line), for a second same name
    for line, values in rows:
        values = values + [""] * (len(header) - len(values))
        pid = values[respondent].strip() if respondent is not None else ""
        their_name = values[name].strip() if name is not None else ""
        attrs = {header[i]: values[i] for i in attributes}
        if not pid:
            if not their_name:
                net.problems.append(Problem(where, line, header[respondent if respondent is not
                                                                None else name],
                                            "a value is required (who answered this row?)"))
                people.append(None)
                continue
            matches = roster.people_named(their_name)
            if len(matches) > 1:
                net.problems.append(Problem(
                    where, line, header[name],
                    f"respondent {their_name!r} could be any of {_describe(matches, roster)}; "
                    "add their id in a respondent column"))
                people.append(None)
                continue
            if matches:
                pid = matches[0]
                attrs.pop(header[name], None)  # keep the stored spelling of their name
            else:
                pid = _new_person_id(their_name)
            key = name_key(their_name)
            if key in named and named[key][0] != pid:
                net.problems.append(Problem(where, line, header[name],
                                            f"a second respondent named {their_name!r} (first at "
                                            f"row {named[key][1]}); add an id column"))
                people.append(None)
                continue
            named.setdefault(key, (pid, line))
        people.append(pid)
        net.nodes.append(ForeignNode(pid, attrs, line))
    return people


def _new_person_id(name: str) -> str:
    """A new respondent's id, the same on every import: ``P-`` and their name's words in capitals.

    >>> _new_person_id("Alex Morgan"), _new_person_id("Morgan")
    ('P-ALEX-MORGAN', 'P-MORGAN')
    """
    return derived_id(name, "P-")


def _describe(ids: list[str], roster: Roster) -> str:
    stored = roster.all_people()
    return ", ".join(f"{i} ({stored.get(i, {}).get('name', '?')})" for i in sorted(ids)[:6])


def _answers(net, where, header, rows, answers, people, roster: Roster) -> None:
    by_key: dict[str, set[str]] = {}
    for node in net.nodes:
        for attr, value in node.attrs.items():
            if norm(attr) in ("name", "label", "full_name", "fullname") and value.strip():
                by_key.setdefault(name_key(value), set()).add(node.id)
    respondent_ids = {node.id for node in net.nodes}
    seen: set[tuple[str, str, str]] = set()
    repeats = selves = 0
    for (line, values), pid in zip(rows, people, strict=True):
        values = values + [""] * (len(header) - len(values))
        for i, kind in answers.items():
            for token in _SPLIT.split(values[i]):
                token = token.strip()
                if token.casefold() in _NO_ANSWER:
                    continue
                alter = _match(token, respondent_ids, by_key, roster, net, where, line,
                               header[i])
                if alter is None or pid is None:
                    continue
                if alter == pid:
                    selves += 1
                    continue
                if (pid, alter, kind) in seen:
                    repeats += 1
                    continue
                seen.add((pid, alter, kind))
                net.edges.append(ForeignEdge(pid, alter, {"kind": kind, "question": header[i]},
                                             line, "directed", (net.id_column, header[i])))
    if selves:
        net.notes.append(f"{where}: {selves} answer(s) name the respondent themself; left out")
    if repeats:
        net.notes.append(f"{where}: {repeats} answer(s) name someone the respondent already named "
                         "for the same kind of tie; counted once")


def _match(token, respondent_ids, by_key, roster: Roster, net, where, line, column):
    if token in respondent_ids or token in roster.all_people():
        return token
    key = name_key(token)
    candidates = set(by_key.get(key, set())) | set(roster.people_named(token))
    if len(candidates) == 1:
        return candidates.pop()
    if not candidates:
        net.problems.append(Problem(
            where, line, column,
            f"{token!r} matches no one in the roster (the people in the store and the "
            "respondents in this file); write their id, or import them first"))
    else:
        stored = roster.all_people()
        names = {n.id: n.attrs for n in net.nodes}
        described = ", ".join(
            f"{c} ({stored.get(c, {}).get('name') or _name_of(names.get(c, {}))})"
            for c in sorted(candidates)[:6])
        net.problems.append(Problem(
            where, line, column,
            f"{token!r} is ambiguous: it could be {described}; write the id of the one meant"))
    return None


def _name_of(attrs: dict) -> str:
    return next((v for a, v in attrs.items() if norm(a) in ("name", "label")), "?")
