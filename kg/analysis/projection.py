"""Person networks projected from a snapshot of the partnership graph.

Pure functions of a :class:`~kg.store.base.GraphSnapshot` (no I/O):

- :func:`person_attributes` -- each person's organisation, team, sector, profession, role kind,
  level, whether they are a hybrid clinical-managerial middle manager and whether they are in
  post at the end of the snapshot's window (both rules are defined there);
- :func:`person_network` -- the undirected person-person network from chosen layers: direct
  ties, shared forums, shared knowledge assets, shared teams;
- :func:`tie_network` -- the directed network of direct ties (source -> target), for
  Gould-Fernandez brokerage roles.

Two-mode data (people x forums, people x assets, people x teams) are projected with Newman's
collaboration weighting [1]_: an affiliation with :math:`n` members adds :math:`1/(n-1)` to the
weight of every pair of its members, so each member's total share from one forum is 1 whatever
its size. A 250-person engagement event adds 0.004 to each of its pairs, a 12-person
collaborative 0.09: the event cannot swamp the collaborative. ``min_weight`` then drops pairs
whose total weight is below it (the default 0.05 drops pairs whose only link is a shared forum
of more than 21 people). Attendance counts, when given, scale each member's part by their share
of the forum's meetings (:func:`_affiliations`). Affiliations with more than
``max_affiliation`` members (default 500:
minutes circulated to every OT of a large partnership) are left out of the projection, because
their pairs would be many and each nearly weightless; they are listed in
``G.graph["skipped_affiliations"]``.

References
----------
.. [1] M. E. J. Newman, "Scientific collaboration networks. II. Shortest paths, weighted
   networks, and centrality", Physical Review E 64, 016132, 2001.
.. [2] S. P. Borgatti and M. G. Everett, "Network analysis of 2-mode data", Social Networks
   19(3):243-269, 1997.
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict, deque
from datetime import date
from itertools import chain, islice, repeat
from operator import attrgetter, setitem

import networkx as nx
import numpy as np
import scipy.sparse as sp

from kg.errors import InvalidParameter
from kg.gcpause import gc_paused
from kg.model import NodeLabel, RelType
from kg.store.base import GraphSnapshot

__all__ = [
    "GROUP_ATTRIBUTES",
    "LAYERS",
    "person_attributes",
    "person_network",
    "tie_network",
]

GROUP_ATTRIBUTES = ("organisation", "team", "sector", "profession", "role_kind", "level", "hybrid")
LAYERS = ("ties", "forums", "assets", "teams")
DEFAULT_LAYERS = ("ties", "forums", "assets")

_LEVEL_RANK = {"frontline": 0, "middle": 1, "senior": 2, "executive": 3}
_FAR_PAST = date.min
_FAR_FUTURE = date.max


def _check_snapshot(snapshot) -> None:
    if not isinstance(snapshot, GraphSnapshot):
        raise InvalidParameter(f"expected a GraphSnapshot, got {type(snapshot).__name__}")


def _top_organisation(org: str, parents: dict[str, str]) -> str:
    seen = set()
    while org in parents and org not in seen:  # the import refuses cycles; guard anyway
        seen.add(org)
        org = parents[org]
    return org


@gc_paused()
def person_attributes(snapshot: GraphSnapshot, *, at: date | None = None) -> dict[str, dict]:
    """Each person's attributes for grouping, as they stood in the snapshot's window.

    A person's main role is their latest-starting role active in the window (ties broken by the
    higher level). ``organisation`` is the top-level organisation of that role (teams are
    followed up ``PART_OF``), ``team`` the team when the role is at one.

    Two rules are defined here and nowhere else:

    - **hybrid middle manager** (``hybrid``): in the window the person holds a hybrid
      clinical-managerial role at middle level, or a clinical role and a middle-level managerial
      role whose dates overlap. ``hybrid_any`` is the same at any level, so frontline, senior and
      executive hybrids can be reported apart.
    - **in post** (``in_post``): one of the person's roles covers the date ``at`` (default: the
      window's end, else the latest role date in the snapshot). When the data records no roles
      at all, everyone is in post. Current rankings name only people in post.

    Parameters
    ----------
    snapshot : GraphSnapshot
    at : datetime.date, optional
        The date "in post" refers to.

    Returns
    -------
    dict
        ``{person_id: {"name", "profession", "band", "organisation", "organisation_name",
        "team", "team_name", "sector", "role_kind", "level", "hybrid", "hybrid_any", "in_post",
        "roles"}}``; missing values are None.

    Examples
    --------
    >>> from kg.store.base import GraphSnapshot
    >>> from kg.model import NodeLabel
    >>> snap = GraphSnapshot(1, nodes={NodeLabel.PERSON: {"P1": {"name": "Ann"}}})
    >>> a = person_attributes(snap)["P1"]
    >>> a["organisation"], a["in_post"]
    (None, True)
    """
    _check_snapshot(snapshot)
    orgs = snapshot.nodes.get(NodeLabel.ORGANISATION, {})
    roles = snapshot.nodes.get(NodeLabel.ROLE, {})
    parents = dict(zip(*_fields(snapshot, RelType.PART_OF, "source", "target"), strict=True))
    role_org = dict(zip(*_fields(snapshot, RelType.AT_ORGANISATION, "source", "target"),
                        strict=True))
    held: dict[str, list] = defaultdict(list)
    for person, role_id, start, end in zip(
            *_fields(snapshot, RelType.HOLDS_ROLE, "source", "target", "start", "end"),
            strict=True):
        if role_id in roles:
            held[person].append((start or _FAR_PAST, end or _FAR_FUTURE, role_id))
    if at is None:
        at = snapshot.window[1] or max(
            (d for spans in held.values() for s, e, _ in spans for d in (s, e)
             if d not in (_FAR_PAST, _FAR_FUTURE)), default=None)
    nobody_held = not held  # no roles recorded anywhere: no one can have left
    placed: dict = {}  # organisation of a role -> (top, its name, team, its name, sector)
    out = {}
    for pid, props in snapshot.nodes.get(NodeLabel.PERSON, {}).items():
        mine = held.get(pid)
        if not mine:
            out[pid] = {
                "name": props.get("name"),
                "profession": props.get("profession") or None,
                "band": props.get("band") or None,
                "organisation": None,
                "organisation_name": None,
                "team": None,
                "team_name": None,
                "sector": None,
                "role_kind": None,
                "level": None,
                "hybrid": False,
                "hybrid_any": False,
                "in_post": nobody_held,
                "roles": [],
            }
            continue
        if len(mine) == 1:
            start, end, role_id = mine[0]
            role = roles[role_id]
            spans = [(start, end, role)]
            in_post = at is None or start <= at <= end
            titles = [role.get("title")]
        else:
            mine.sort(key=lambda t: (t[0], _LEVEL_RANK.get(roles[t[2]].get("level"), -1)))
            spans = [(s, e, roles[r]) for s, e, r in mine]
            in_post = at is None or any(s <= at <= e for s, e, _ in mine)
            titles = [r.get("title") for _, _, r in spans]
            role_id, role = mine[-1][2], spans[-1][2]
        org = role_org.get(role_id)
        where = placed.get(org)
        if where is None:
            where = placed[org] = _placement(org, parents, orgs)
        levels = _hybrid_levels(spans)
        out[pid] = {
            "name": props.get("name"),
            "profession": props.get("profession") or None,
            "band": props.get("band") or None,
            "organisation": where[0],
            "organisation_name": where[1],
            "team": where[2],
            "team_name": where[3],
            "sector": where[4],
            "role_kind": role.get("kind"),
            "level": role.get("level"),
            "hybrid": "middle" in levels,
            "hybrid_any": bool(levels),
            "in_post": in_post,
            "roles": titles,
        }
    return out


def _placement(org: str | None, parents: dict[str, str], orgs: dict[str, dict]) -> tuple:
    """Where a role at ``org`` sits: the top-level organisation, its name, the team (when ``org``
    is one) and its name, and the sector."""
    top = _top_organisation(org, parents) if org else None
    team = org if org and org != top else None
    return (top, orgs.get(top, {}).get("name") if top else None,
            team, orgs.get(org, {}).get("name") if team else None,
            orgs.get(top, {}).get("sector") if top else None)


# The person and tie networks of one snapshot read the same attributes: computed once per
# snapshot and date while the snapshot lives (read only: each network copies a node's attributes).
# Keyed by identity (a snapshot compares by value, so it cannot be a dictionary key).
_ATTRIBUTES: dict[int, dict] = {}
_ATTRIBUTES_LOCK = threading.Lock()


def _attributes(snapshot: GraphSnapshot, at: date | None) -> dict[str, dict]:
    key = id(snapshot)
    with _ATTRIBUTES_LOCK:
        memo = _ATTRIBUTES.get(key)
        if memo is not None and at in memo:
            return memo[at]
    attrs = person_attributes(snapshot, at=at)
    with _ATTRIBUTES_LOCK:
        if key not in _ATTRIBUTES:
            try:  # forgotten when the snapshot goes
                weakref.finalize(snapshot, _ATTRIBUTES.pop, key, None)
            except TypeError:  # a snapshot that cannot be referred to weakly: no memo
                return attrs
            _ATTRIBUTES[key] = {}
        return _ATTRIBUTES[key].setdefault(at, attrs)


def _hybrid_levels(spans: list[tuple]) -> set:
    """Levels at which a person works as a hybrid: a hybrid role's level, or the level of a
    managerial role that overlaps a clinical one."""
    levels = set()
    clinical = []
    for start, end, role in spans:
        kind = role.get("kind")
        if kind == "hybrid":
            levels.add(role.get("level"))
        elif kind == "clinical":
            clinical.append((start, end))
    if clinical:
        for s2, e2, managerial in spans:
            if managerial.get("kind") == "managerial" and any(
                    s1 <= e2 and s2 <= e1 for s1, e1 in clinical):
                levels.add(managerial.get("level"))
    return levels


def _affiliations(snapshot: GraphSnapshot, layer: str) -> dict[str, dict[str, float]]:
    """Members of each forum, asset or team in the window, with the strength of membership.

    Strength is 1, except in a forum whose attendance records give meeting counts: there it is
    the member's count over the highest count in the forum, so a member who came once to a
    forum others attended twenty times takes a small part in it. A member without a count (or
    with counts in only some records) takes part fully.
    """
    groups: dict[str, dict[str, float]] = defaultdict(dict)
    if layer == "forums":
        counts: dict[str, dict[str, float | None]] = defaultdict(dict)
        for person, forum, c in zip(
                *_fields(snapshot, RelType.ATTENDS, "source", "target", "count"), strict=True):
            had = counts[forum].get(person, 0.0)
            # several records of one member in the window add up; one without a count = full
            counts[forum][person] = None if c is None or had is None else had + float(c)
        for forum, members in counts.items():
            known = [c for c in members.values() if c is not None]
            top = max(known, default=0.0)
            for p, c in members.items():
                groups[forum][p] = 1.0 if c is None or top <= 0 else c / top
    elif layer == "assets":
        for t in (RelType.AUTHORED, RelType.USES):
            for person, asset in zip(*_fields(snapshot, t, "source", "target"), strict=True):
                groups[asset][person] = 1.0
    elif layer == "teams":
        role_org = dict(zip(*_fields(snapshot, RelType.AT_ORGANISATION, "source", "target"),
                            strict=True))
        for person, role_id in zip(*_fields(snapshot, RelType.HOLDS_ROLE, "source", "target"),
                                   strict=True):
            org = role_org.get(role_id)
            if org:
                groups[org][person] = 1.0
    return groups


def _project(groups, index, max_size, skipped, layer):
    """Newman-weighted co-membership matrix (upper triangle) and, for forums, who shared what.

    A pair of members of an affiliation with ``n`` members gains ``s_i s_j / (n - 1)``, where
    ``s`` is each one's strength of membership (1 unless attendance counts say otherwise).
    """
    names, kept = [], []
    for gid, members in groups.items():
        n = len(members)
        if n < 2:
            continue
        if n > max_size:
            skipped.append({"layer": layer, "id": gid, "members": n})
            continue
        names.append(gid)
        kept.append(members)
    n_people = len(index)
    if not names:
        return sp.csr_matrix((n_people, n_people)), names, None
    sizes = np.fromiter(map(len, kept), dtype=np.int64, count=len(kept))
    count = int(sizes.sum())
    rows = np.fromiter(map(index.__getitem__, chain.from_iterable(kept)), dtype=np.int64,
                       count=count)
    cols = np.repeat(np.arange(len(kept)), sizes)
    strength = np.fromiter(chain.from_iterable(m.values() for m in kept), dtype=float,
                           count=count)
    vals = strength / np.repeat(sizes - 1, sizes)  # one side scaled: B S diag(1/(n-1)) (B S)^T
    B = sp.csr_matrix((strength, (rows, cols)), shape=(n_people, len(names)))
    scale = sp.csr_matrix((vals, (rows, cols)), shape=(n_people, len(names)))
    W = sp.triu(B @ scale.T, k=1).tocsr()
    return W, names, B.tocsc()


@gc_paused()
def person_network(
    snapshot: GraphSnapshot,
    *,
    layers=DEFAULT_LAYERS,
    min_weight: float = 0.05,
    max_affiliation: int = 500,
    at: date | None = None,
) -> nx.Graph:
    """The undirected person-person network of a snapshot.

    Parameters
    ----------
    snapshot : GraphSnapshot
        The whole graph or a time window (only relationships active in it are used).
    layers : iterable of {"ties", "forums", "assets", "teams"}
        ``ties``: direct ties, either direction, weights summed (a tie without a weight counts
        1); ``forums``: forums attended together; ``assets``: knowledge assets co-authored or
        co-used; ``teams``: roles at the same team or organisation. Two-mode layers use Newman's
        weighting (module docstring).
    min_weight : float, default 0.05
        Drop pairs whose total weight is below this.
    max_affiliation : int, default 500
        Leave out forums, assets and teams with more members than this (listed in
        ``G.graph["skipped_affiliations"]``, so answers can say so).
    at : datetime.date, optional
        The date people are "in post" at (:func:`person_attributes`).

    Returns
    -------
    networkx.Graph
        Nodes are people (all people when the window is open; otherwise those with a role, tie
        or forum attendance active in it) with the attributes of
        :func:`person_attributes`. Edges carry ``weight`` (total), ``layer_<name>`` for each
        layer and ``forums`` (sorted tuple of shared forum ids). ``G.graph`` records
        ``revision``, ``window``, ``layers``, ``min_weight`` and ``skipped_affiliations``.

    Examples
    --------
    >>> from kg.store.base import GraphSnapshot
    >>> from kg.model import NodeLabel, Relationship, RelType
    >>> people = {p: {"name": p} for p in "ABC"}
    >>> forum = [Relationship(RelType.ATTENDS, p, p, "F1") for p in "ABC"]
    >>> snap = GraphSnapshot(1, nodes={NodeLabel.PERSON: people},
    ...                      relationships={RelType.ATTENDS: forum})
    >>> G = person_network(snap, layers=["forums"])
    >>> G["A"]["B"]["weight"], G["A"]["B"]["forums"]
    (0.5, ('F1',))

    References
    ----------
    .. [1] M. E. J. Newman, Physical Review E 64, 016132, 2001.
    """
    _check_snapshot(snapshot)
    layers = tuple(dict.fromkeys(layers))
    unknown = [layer for layer in layers if layer not in LAYERS]
    if unknown or not layers:
        raise InvalidParameter(
            f"unknown layer(s) {', '.join(map(repr, unknown)) or '(none given)'}; "
            f"choose from {', '.join(LAYERS)}"
        )
    if not (isinstance(min_weight, int | float) and min_weight >= 0):
        raise InvalidParameter("min_weight must be a number, zero or more")
    attrs = _attributes(snapshot, at)
    ids = _people(snapshot, attrs)
    index = dict(zip(ids, range(len(ids)), strict=True))
    n = len(ids)
    total = sp.csr_matrix((n, n))
    per_layer = {}
    skipped: list[dict] = []
    forum_names, forum_B = [], None
    for layer in layers:
        if layer == "ties":
            a, b, w, _ = _ties(snapshot, index)
            keep = (a >= 0) & (b >= 0) & (a != b)
            a, b = a[keep], b[keep]
            src, dst = np.minimum(a, b), np.maximum(a, b)
            W = sp.csr_matrix((w[keep], (src, dst)), shape=(n, n))  # duplicates are summed
        else:
            groups = _affiliations(snapshot, layer)
            groups = {g: {p: s for p, s in m.items() if p in index} for g, m in groups.items()}
            W, names, B = _project(groups, index, max_affiliation, skipped, layer)
            if layer == "forums":
                forum_names, forum_B = names, B
        per_layer[layer] = W.tocsr()
        total = total + W
    total = sp.triu(total, k=1).tocoo()
    keep = total.data >= min_weight if min_weight > 0 else total.data > 0
    rows, cols, weights = total.row[keep], total.col[keep], total.data[keep]
    layer_values = {
        layer: np.asarray(W[rows, cols]).ravel() if rows.size else np.empty(0)
        for layer, W in per_layer.items()
    }
    shared = _shared_forums(rows, cols, forum_B, forum_names)
    G = nx.Graph(
        revision=snapshot.revision,
        window=[d.isoformat() if d else None for d in snapshot.window],
        layers=list(layers),
        min_weight=min_weight,
        skipped_affiliations=skipped,
    )
    # Each edge's data: a literal for the fixed keys, then each layer's values set column by
    # column in C (twice as fast as dict(zip(names, values)) per edge).
    data = [{"weight": weight, "forums": forums} for weight, forums in zip(
        weights.tolist(), shared or repeat((), len(weights)), strict=True)]
    for layer in layers:
        deque(map(setitem, data, repeat(f"layer_{layer}"), layer_values[layer].tolist()),
              maxlen=0)
    _fill(G, ids, attrs, rows, cols, data)
    return G


def _shared_forums(rows, cols, B, names) -> list[tuple]:
    """For each kept pair, the sorted ids of the forums both attend."""
    if B is None or rows.size == 0:
        return []
    B = B.tocsr()
    n_forums = len(names)
    indptr, indices = B.indptr, B.indices.astype(np.int64)
    # Each forum of the pair's first person, kept where the second attends it too.
    counts = np.diff(indptr)[rows]
    pair = np.repeat(np.arange(rows.size), counts)
    starts = np.repeat(indptr[rows] - np.cumsum(counts) + counts, counts)
    forum = indices[starts + np.arange(counts.sum())]
    member = np.repeat(np.arange(B.shape[0], dtype=np.int64), np.diff(indptr))
    attended = np.sort(member * n_forums + indices)
    probe = cols[pair].astype(np.int64) * n_forums + forum
    found = attended[np.minimum(np.searchsorted(attended, probe), len(attended) - 1)] == probe
    pair, forum = pair[found], forum[found]
    # Forums ranked by id, so sorting by (pair, rank) lists each pair's forums sorted.
    rank = np.empty(n_forums, dtype=np.int64)
    rank[sorted(range(n_forums), key=names.__getitem__)] = np.arange(n_forums)
    order = np.lexsort((rank[forum], pair))
    pair, forum = pair[order], forum[order]
    if not pair.size:
        return [()] * rows.size
    ids = np.fromiter(names, dtype=object, count=n_forums)[forum]
    starts = np.r_[0, np.flatnonzero(np.diff(pair)) + 1]
    ends = np.r_[starts[1:], pair.size]
    one = ends - starts == 1
    # Most pairs share one forum: their 1-tuples made by zip in one go, the others one by one.
    shared = np.empty(rows.size, dtype=object)
    shared.fill(())
    shared[pair[starts[one]]] = np.fromiter(zip(ids[starts[one]].tolist()), dtype=object,
                                            count=int(one.sum()))
    out = shared.tolist()
    ids = ids.tolist()
    for k, a, b in zip(pair[starts[~one]].tolist(), starts[~one].tolist(), ends[~one].tolist(),
                       strict=True):
        out[k] = tuple(ids[a:b])
    return out


def _people(snapshot: GraphSnapshot, attrs: dict) -> list:
    """The people of the networks, in the order of ``attrs``: everyone for the whole history,
    else those active in the window."""
    if snapshot.window == (None, None):
        return list(attrs)
    # Asset links are dated events with no end, so they would keep everyone "active" forever
    # after; presence in a period is a role, a forum or a tie active in it.
    active = set()
    for t, ends in ((RelType.HOLDS_ROLE, ("source",)), (RelType.ATTENDS, ("source",)),
                    (RelType.TIE, ("source", "target"))):
        columns = _columns(snapshot, t)
        for end in ends:  # from columns, the table of distinct ids is enough
            active.update(columns.codes(end)[1] if columns is not None
                          else _fields(snapshot, t, end)[0])
    return [p for p in attrs if p in active]


def _columns(snapshot: GraphSnapshot, rel_type: RelType = RelType.TIE):
    """The relationships of a type (the ties by default) as columns, when the snapshot keeps
    them so (a store's :class:`~kg.store.sqlite.ColumnarSnapshot`); else None."""
    columns = getattr(snapshot, "columns", None)
    return columns(rel_type) if callable(columns) else None


_REL_FIELDS = ("source", "target", "start", "end")


def _fields(snapshot: GraphSnapshot, rel_type: RelType, *names: str) -> list[list]:
    """Fields of the relationships of a type, each a list in the snapshot's order: ``source``,
    ``target``, ``start``, ``end`` (dates or None) or a property (None where absent).

    Read from the columns when the snapshot keeps them: building the relationship objects would
    take longer than the projection that reads them.
    """
    columns = _columns(snapshot, rel_type)
    if columns is None:
        rels = snapshot.rels(rel_type)
        return [list(map(attrgetter(name), rels)) if name in _REL_FIELDS
                else [r.props.get(name) for r in rels] for name in names]
    out = []
    for name in names:
        if name in ("start", "end"):
            codes, table = columns.codes(name)
            dates = [None if d is None else date.fromisoformat(d) for d in table]
            out.append(list(map(dates.__getitem__, codes.tolist())))
        elif name in _REL_FIELDS:
            out.append(columns.values(name))
        else:
            out.append(columns.prop(name))
    return out


def _ties(snapshot: GraphSnapshot, index: dict) -> tuple:
    """The direct ties as arrays, in the snapshot's order: positions in ``index`` of each end
    (-1 for people not in it), weights (1 where a tie has none) and kinds (``props["kind"]``)
    as ``(codes, table)``: ``table[codes[i]]`` is tie i's kind, the table's kinds distinct."""
    columns = _columns(snapshot)
    if columns is not None:
        ends = []
        for end in ("source", "target"):
            codes, table = columns.codes(end)
            position = np.fromiter(map(index.get, table, repeat(-1)), dtype=np.int64,
                                   count=len(table))
            ends.append(position[codes] if len(codes) else np.zeros(0, dtype=np.int64))
        kinds = columns.codes("kind") or _coded(columns.prop("kind"))
        return ends[0], ends[1], columns.weights(1.0), kinds
    rels = snapshot.rels(RelType.TIE)
    a = np.array([index.get(r.source, -1) for r in rels], dtype=np.int64)
    b = np.array([index.get(r.target, -1) for r in rels], dtype=np.int64)
    w = np.array([1.0 if r.weight is None else float(r.weight) for r in rels], dtype=float)
    return a, b, w, _coded([r.props.get("kind") for r in rels])


def _coded(values: list) -> tuple[np.ndarray, list]:
    """Integer codes of the values and the table of the distinct values."""
    table: dict = {}
    codes = np.fromiter((table.setdefault(v, len(table)) for v in values), dtype=np.int64,
                        count=len(values))
    return codes, list(table)


@gc_paused()
def tie_network(snapshot: GraphSnapshot, *, at: date | None = None) -> nx.DiGraph:
    """The directed network of direct ties (``ties.csv`` source -> target), weights summed.

    Nodes are the people of :func:`person_network` with the same attributes; edges carry
    ``weight`` (sum over tie kinds, a tie without a weight counts 1) and ``kinds``.

    Examples
    --------
    >>> from kg.store.base import GraphSnapshot
    >>> from kg.model import NodeLabel, Relationship, RelType
    >>> people = {p: {"name": p} for p in "AB"}
    >>> ties = [Relationship(RelType.TIE, "k", "A", "B", weight=2, props={"kind": "advice"})]
    >>> D = tie_network(GraphSnapshot(1, nodes={NodeLabel.PERSON: people},
    ...                               relationships={RelType.TIE: ties}))
    >>> list(D.edges(data="weight"))
    [('A', 'B', 2.0)]
    """
    _check_snapshot(snapshot)
    attrs = _attributes(snapshot, at)
    D = nx.DiGraph(revision=snapshot.revision,
                   window=[d.isoformat() if d else None for d in snapshot.window])
    people = _people(snapshot, attrs)
    a, b, w, kinds = _ties(snapshot, dict(zip(people, range(len(people)), strict=True)))
    keep = np.flatnonzero((a >= 0) & (b >= 0) & (a != b))
    if not len(keep):
        _fill(D, people, attrs, keep, keep, [])
        return D
    # One edge per ordered pair, in the order of its first tie; weights summed in tie order.
    pairs = a[keep] * len(people) + b[keep]
    _, first, pair_of = np.unique(pairs, return_index=True, return_inverse=True)
    total = np.bincount(pair_of, weights=w[keep])
    order = np.argsort(first, kind="stable")  # the pairs in the order of their first tie
    # Each edge's kinds: its one kind (a 1-tuple each, made by zip in C), or the kinds of a pair
    # tied in more than one way, sorted.
    codes, table = kinds
    kind = codes[keep].astype(np.int64)
    names = np.fromiter(table, dtype=object, count=len(table))
    edge_kinds = list(zip(names[kind[first[order]]].tolist()))
    mixed = np.zeros(len(first), dtype=bool)
    mixed[pair_of[kind != kind[first][pair_of]]] = True
    if mixed.any():
        edge_of = np.empty(len(first), dtype=np.int64)
        edge_of[order] = np.arange(len(first))
        ties = mixed[pair_of]
        pair, code = np.divmod(np.unique(pair_of[ties] * len(table) + kind[ties]), len(table))
        starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
        found = names[code].tolist()
        for e, lo, hi in zip(edge_of[pair[starts]].tolist(), starts.tolist(),
                             np.r_[starts[1:], len(pair)].tolist(), strict=True):
            edge_kinds[e] = tuple(sorted(found[lo:hi]))
    data = [{"weight": weight, "kinds": these} for weight, these in zip(
        total[order].tolist(), edge_kinds, strict=True)]
    _fill(D, people, attrs, a[keep[first[order]]], b[keep[first[order]]], data)
    return D


def _fill(G, nodes: list, attrs: dict, heads: np.ndarray, tails: np.ndarray, data: list) -> None:
    """Fill the empty graph G with ``nodes``, each with a copy of its ``attrs`` dict, and the
    edges ``nodes[heads[k]] - nodes[tails[k]]`` carrying ``data[k]``, in that order: the graph
    ``add_nodes_from`` then ``add_edges_from`` make, node and neighbour orders included.

    networkx's adjacency (a dict of dicts) is written directly, each node's neighbours as one
    dict: ``add_edges_from`` spends seconds on a large partnership's million item assignments.
    The pairs must be distinct, without self-loops (an undirected pair once either way round), so
    that no edge's data would merge into another's; the ``data`` dicts become the graph's own.
    """
    n = len(nodes)
    names = np.fromiter(nodes, dtype=object, count=n)  # indexed by arrays, faster than lists
    dicts = np.fromiter(data, dtype=object, count=len(data))

    def neighbours(owner, other, edge):
        """Each node's dict of its neighbours (``other``) and edges' data, in edge order."""
        order = np.argsort(owner, kind="stable")
        pairs = zip(names[other[order]].tolist(), dicts[edge[order]].tolist(), strict=True)
        return map(dict, map(islice, repeat(pairs), np.bincount(owner, minlength=n).tolist()))

    # Each node's attributes copied, as add_nodes_from does.
    G._node.update(zip(nodes, map(dict, map(attrs.__getitem__, nodes)), strict=True))
    edge = np.arange(len(data))
    if G.is_directed():
        G._succ.update(zip(nodes, neighbours(heads, tails, edge), strict=True))
        G._pred.update(zip(nodes, neighbours(tails, heads, edge), strict=True))
    else:
        # An edge's two halves side by side, so that each end meets its edges in edge order.
        owner = np.column_stack([heads, tails]).ravel()
        other = np.column_stack([tails, heads]).ravel()
        G._adj.update(zip(nodes, neighbours(owner, other, np.repeat(edge, 2)), strict=True))
    nx._clear_cache(G)  # as add_edges_from does (an empty graph's cache is empty anyway)
