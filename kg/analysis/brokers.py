"""Brokers: the ranked, explained broker list (``kg analyse brokers``).

Pure functions of a networkx graph (the person network of :mod:`kg.analysis.projection`, or any
graph whose nodes carry group attributes such as ``organisation`` or ``sector``):

- :func:`rank_brokers` -- people ranked by betweenness (or by the paths they carry between two
  groups), with Burt's constraint and effective size and the Gould--Fernandez roles;
- :func:`explain_broker` -- which groups, ties and forums a person connects;
- :func:`rank_ranges` -- the ranks an estimated score allows, so a reader knows which places
  in a sampled ranking are certain.

The measures themselves live in their own modules, as in networkx: :mod:`kg.analysis.betweenness`
(exact and sampled betweenness, between-groups betweenness), :mod:`kg.analysis.structural_holes`
(constraint, effective size) and :mod:`kg.analysis.brokerage` (Gould--Fernandez roles). Their
names are importable from here too, as before the split.

References
----------
.. [1] U. Brandes, "A faster algorithm for betweenness centrality", Journal of Mathematical
   Sociology 25(2):163-177, 2001.
.. [2] R. S. Burt, *Structural Holes: The Social Structure of Competition*, Harvard University
   Press, 1992.
.. [3] R. V. Gould and R. M. Fernandez, "Structures of mediation: a formal approach to brokerage
   in transaction networks", Sociological Methodology 19:89-126, 1989.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import networkx as nx
import numpy as np

from kg.analysis._fast import check_attribute, check_graph, json_float
from kg.analysis.betweenness import DEFAULT_SAMPLES as DEFAULT_SAMPLES  # re-exported
from kg.analysis.betweenness import (
    PATHS,
    BetweennessResult,
    between_groups_betweenness,
    betweenness,
)
from kg.analysis.brokerage import BROKERAGE_ROLES, brokerage_roles
from kg.analysis.structural_holes import structural_holes
from kg.errors import InvalidParameter, NotFound

__all__ = ["RANK_Z", "explain_broker", "rank_brokers", "rank_ranges"]

#: Half-width of a score's interval in standard errors for :func:`rank_ranges`: 95 % two-sided.
RANK_Z = 1.96

# How many of the top brokers rank_brokers explains in full.
_EXPLAINED = 10


def explain_broker(G, node, attribute: str, *, groups=None) -> dict:
    """Which groups a person connects, through which ties and forums.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        Person network; edge attributes ``weight`` (tie strength) and ``forums`` (ids of the
        forums the two people share) are used when present. In a DiGraph both in- and
        out-ties count.
    node
        The person.
    attribute : str
        Node attribute defining the groups.
    groups : sequence, optional
        Restrict the per-group breakdown to these groups (e.g. the two groups of a
        between-groups ranking).

    Returns
    -------
    dict
        ``id``, ``name``, ``group`` (own group), ``ties`` (number of neighbours),
        ``cross_group_ties`` and ``cross_group_share`` (share of ties into other groups),
        ``groups`` (per group reached: ``group``, ``ties``, ``weight``, ``people`` -- the
        strongest five contacts -- and ``forums`` -- shared forums by number of ties),
        ``bridged_groups`` (the requested groups the person has ties into, when ``groups``
        is given) and ``forums`` (forums carrying cross-group ties, by number of such ties).

    Raises
    ------
    NotFound
        If ``node`` is not in ``G``.
    InvalidParameter
        If no node carries ``attribute``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> explain_broker(G, 2, "club")["cross_group_ties"]
    4
    """
    check_graph(G)
    node_groups = check_attribute(G, attribute)
    if node not in G:
        raise NotFound("person", str(node))
    wanted = None if groups is None else list(groups)
    own = node_groups[node]
    neighbours: dict = defaultdict(list)
    if G.is_directed():
        for u in G.predecessors(node):
            neighbours[u].append(G[u][node])
        for v in G.successors(node):
            neighbours[v].append(G[node][v])
    else:
        for v, d in G[node].items():
            neighbours[v].append(d)
    neighbours.pop(node, None)

    per_group: dict = {}
    cross_forums: Counter = Counter()
    cross = 0
    for v, datas in neighbours.items():
        g = node_groups[v]
        weight = sum(float(d.get("weight", 1.0)) for d in datas)
        forums = sorted({f for d in datas for f in (d.get("forums") or ())}, key=str)
        entry = per_group.setdefault(
            g, {"group": g, "ties": 0, "weight": 0.0, "_people": [], "_forums": Counter()}
        )
        entry["ties"] += 1
        entry["weight"] += weight
        entry["_people"].append((weight, v))
        entry["_forums"].update(forums)
        if g != own:
            cross += 1
            cross_forums.update(forums)

    rows = []
    for entry in per_group.values():
        if wanted is not None and entry["group"] not in wanted:
            continue
        people = sorted(entry.pop("_people"), key=lambda item: (-item[0], str(item[1])))
        forums = entry.pop("_forums")
        entry["people"] = [v for _, v in people[:5]]
        entry["forums"] = [f for f, _ in sorted(forums.items(), key=lambda x: (-x[1], str(x[0])))]
        rows.append(entry)
    rows.sort(key=lambda e: (-e["ties"], -e["weight"], str(e["group"])))
    result = {
        "id": node,
        "name": G.nodes[node].get("name"),
        "group": own,
        "ties": len(neighbours),
        "cross_group_ties": cross,
        "cross_group_share": cross / len(neighbours) if neighbours else 0.0,
        "groups": rows,
        "forums": [
            {"forum": f, "cross_group_ties": c}
            for f, c in sorted(cross_forums.items(), key=lambda x: (-x[1], str(x[0])))
        ],
    }
    if wanted is not None:
        reached = {e["group"] for e in rows} | ({own} if own in wanted else set())
        result["bridged_groups"] = [g for g in wanted if g in reached]
    return result


def rank_brokers(
    G,
    *,
    by: str | None = None,
    between=None,
    directed=None,
    top: int | None = None,
    seed: int = 0,
    exact_max_nodes: int = 5000,
    precomputed: BetweennessResult | None = None,
    precomputed_between: BetweennessResult | None = None,
    paths: str = "hops",
    eligible=None,
) -> dict:
    """Rank people as brokers and explain the top ones (the ``kg analyse brokers`` answer).

    The score is the normalised betweenness (as networkx normalises it by default), or, when
    ``between=(a, b)`` is given, the normalised between-groups betweenness of paths from group
    ``a`` to group ``b`` of attribute ``by``; paths are counted in hops or, with
    ``paths="weighted"``, with a tie of weight ``w`` as a step of length ``1/w`` (see
    :func:`kg.analysis.betweenness.betweenness`). Each row also carries Burt's constraint and
    effective size (tie weights from the ``weight`` edge attribute), and, when ``by`` is given,
    the Gould--Fernandez role counts on ``directed`` (the directed tie network; when None, ``G``
    itself with undirected ties read both ways), the person's group and the other groups they
    have ties into. The first ten rows are explained by :func:`explain_broker`. Ties in the
    ranking are broken by plain betweenness, then by id.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        Person network (nodes may carry ``name``).
    by : str, optional
        Group attribute (``organisation``, ``sector``, ``profession``, ...).
    between : (group, group), optional
        Rank by the shortest paths carried between these two groups of ``by``.
    directed : networkx.DiGraph, optional
        Directed tie network for the brokerage roles.
    top : int, optional
        Keep only the best ``top`` rows (all when None).
    seed : int, default 0
        Seeds sampled betweenness.
    exact_max_nodes : int, default 5000
        Largest network whose betweenness is computed exactly.
    precomputed : BetweennessResult, optional
        The :func:`~kg.analysis.betweenness.betweenness` of ``G`` with the same ``paths``, when
        the caller has it already (it is the costly part on a large network).
    precomputed_between : BetweennessResult, optional
        The :func:`~kg.analysis.betweenness.between_groups_betweenness` of ``G`` for
        ``between`` with the same ``paths``, when the caller has it (for example from
        :func:`~kg.analysis.betweenness.broker_betweenness`, which gives both rankings from one
        set of searches).
    paths : {"hops", "weighted"}, default "hops"
        How path length is counted, for both scores; weighted paths read the ``weight`` edge
        attribute.
    eligible : iterable of nodes, optional
        The people who may be ranked (for example those in post); everyone else still shapes
        the network and the scores but gets no row. Default: everyone.

    Returns
    -------
    dict
        ``{"brokers": [{"id", "name", "rank", "rank_range", "score", "error", "betweenness",
        "constraint", "effective_size", "roles" (when by), "group", "groups", "explanation"
        (first ten, when by)}],
        "betweenness": {"exact", "sample_size", "error_estimate", "paths"}, "between_groups":
        the same for the between-groups scores (None without between), "parameters": {...,
        "paths": "hops" or "weighted", "path_weight": None or "weight"}}``.
        NaN values (constraint of an isolated person) are reported as None. ``error`` is the
        score's standard error when it is estimated (else None) and ``rank_range`` the best and
        worst rank it allows (:func:`rank_ranges`): equal when the rank is certain.

    Raises
    ------
    InvalidParameter
        If ``between`` is given without ``by``, is not a pair, or names an empty group; if
        ``top`` is not a positive integer; if ``paths`` is unknown or ``precomputed`` was
        ``precomputed_between`` was computed on another graph or with other paths, or without
        ``between``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> result = rank_brokers(G, by="club", top=3)
    >>> [row["id"] for row in result["brokers"]]
    [0, 33, 32]
    """
    check_graph(G)
    if top is not None and (not isinstance(top, int) or isinstance(top, bool) or top < 1):
        raise InvalidParameter("top must be a positive integer")
    if between is not None:
        if by is None:
            raise InvalidParameter("between=(a, b) needs by=ATTRIBUTE to say what a and b are")
        if isinstance(between, str) or len(between) != 2:
            raise InvalidParameter("between must be a pair of groups (a, b)")
    if paths not in PATHS:
        raise InvalidParameter(f"paths must be one of {', '.join(PATHS)}, not {paths!r}")
    if directed is not None:
        check_graph(directed, name="directed")
    node_groups = check_attribute(G, by) if by is not None else None
    for name, given in (("precomputed", precomputed),
                        ("precomputed_between", precomputed_between)):
        _check_precomputed(G, name, given, paths)
    if precomputed_between is not None and between is None:
        raise InvalidParameter("precomputed_between needs between=(a, b)")
    if precomputed is not None:
        result = precomputed
    else:
        result = betweenness(G, normalized=True, exact_max_nodes=exact_max_nodes, seed=seed,
                             paths=paths)
    between_result = precomputed_between
    if between is not None and between_result is None:
        # A network small enough for exact betweenness gets exact between-groups scores too.
        small = G.number_of_nodes() <= exact_max_nodes
        between_result = between_groups_betweenness(
            G, by, between[0], between[1], normalized=True, seed=seed, paths=paths,
            exact_max_sources=G.number_of_nodes() if small else 2000)
    score = between_result.values if between_result is not None else result.values
    constraint, effective_size = structural_holes(G)
    roles = None
    if by is not None:
        roles_graph = directed if directed is not None else G
        if roles_graph is not G and all(d.get(by) is None for _, d in roles_graph.nodes(data=True)):
            # The tie network may not carry attributes; take them from the person network.
            roles_graph = roles_graph.copy()
            nx.set_node_attributes(roles_graph, {v: node_groups.get(v) for v in roles_graph}, by)
        roles = brokerage_roles(roles_graph, by)

    scored = between_result if between_result is not None else result
    people = list(G) if eligible is None else list(dict.fromkeys(v for v in eligible if v in G))
    ranges = rank_ranges(scored, among=people)
    errors = None if scored.exact else scored.standard_errors
    order = sorted(people, key=lambda v: (-score[v], -result.values[v], str(v)))
    if top is not None:
        order = order[:top]
    rows = []
    zero_roles = dict.fromkeys(BROKERAGE_ROLES, 0)
    for rank, v in enumerate(order):
        row = {
            "id": v,
            "name": G.nodes[v].get("name"),
            "rank": rank + 1,
            "rank_range": list(ranges[v]),
            "score": json_float(score[v]),
            "error": json_float(errors.get(v)) if errors else None,
            "betweenness": json_float(result.values[v]),
            "constraint": json_float(constraint[v]),
            "effective_size": json_float(effective_size[v]),
        }
        if by is not None:
            row["roles"] = dict(roles.get(v, zero_roles))
            row["group"] = node_groups[v]
            reached = Counter(node_groups[u] for u in nx.all_neighbors(G, v) if u != v)
            reached.pop(node_groups[v], None)
            row["groups"] = [
                g for g, _ in sorted(reached.items(), key=lambda x: (-x[1], str(x[0])))
            ]
            if rank < _EXPLAINED:
                row["explanation"] = explain_broker(G, v, by, groups=between)
        rows.append(row)
    return {
        "brokers": rows,
        "betweenness": result.summary(),
        "between_groups": between_result.summary() if between_result is not None else None,
        "parameters": {
            "by": by,
            "between": list(between) if between is not None else None,
            "top": top,
            "seed": seed,
            "exact_max_nodes": exact_max_nodes,
            "score": "between_groups_betweenness" if between is not None else "betweenness",
            "normalized": True,
            "paths": paths,
            "path_weight": "weight" if paths == "weighted" else None,
            "constraint_weight": "weight",
            "roles_network": None
            if by is None
            else ("directed ties" if directed is not None else "person network, both directions"),
            "nodes": G.number_of_nodes(),
            "edges": G.number_of_edges(),
        },
    }


def _check_precomputed(G, name: str, given, paths: str) -> None:
    if given is None:
        return
    if not isinstance(given, BetweennessResult) or set(given.values) != set(G):
        raise InvalidParameter(f"{name} must be the BetweennessResult of this graph")
    if given.paths != paths:
        raise InvalidParameter(f"{name} counts paths={given.paths!r}, not {paths!r}")


def rank_ranges(result: BetweennessResult, among=None, *, z: float = RANK_Z) -> dict:
    """The best and worst rank each person could hold, given the scores' errors.

    Each score ``s`` is read as the interval ``s +- z * error`` (its standard error when
    estimated: ``result.error_estimate``, the largest, when the sample could not size it; 0
    when exact). A person's best rank is one more than the number of people whose interval
    lies wholly above theirs; the worst, the number whose interval reaches theirs (themselves
    included). A rank is certain when the two are equal. Ranks are among ``among`` (default:
    everyone in ``result``), largest score first; exactly tied scores share their range.

    Parameters
    ----------
    result : BetweennessResult
    among : iterable of nodes, optional
        The people ranked (for example those who may be named).
    z : float, default :data:`RANK_Z`
        Interval half-width in standard errors (1.96: 95 % for each score).

    Returns
    -------
    dict
        Node -> ``(best, worst)``, ranks from 1.

    Examples
    --------
    >>> from kg.analysis.betweenness import BetweennessResult
    >>> r = BetweennessResult({"a": 0.5, "b": 0.3, "c": 0.29}, False, 100, 0.01,
    ...                       {"a": 0.01, "b": 0.01, "c": 0.01})
    >>> rank_ranges(r)
    {'a': (1, 1), 'b': (2, 3), 'c': (2, 3)}
    """
    if not isinstance(z, int | float) or isinstance(z, bool) or not z >= 0:
        raise InvalidParameter("z must be a number, zero or more")
    people = list(result.values) if among is None else [v for v in among if v in result.values]
    scores = np.array([result.values[v] for v in people], dtype=float)
    if result.exact or result.standard_errors is None:
        errors = np.zeros(len(people))
    else:
        fallback = result.error_estimate or 0.0
        errors = np.array([fallback if result.standard_errors.get(v) is None
                           else result.standard_errors[v] for v in people], dtype=float)
    low, high = scores - z * errors, scores + z * errors
    sorted_low, sorted_high = np.sort(low), np.sort(high)
    # best: 1 + #(low_j > high_i); worst: #(high_j >= low_i)
    best = 1 + len(people) - np.searchsorted(sorted_low, high, side="right")
    worst = len(people) - np.searchsorted(sorted_high, low, side="left")
    return {v: (int(b), int(w)) for v, b, w in zip(people, best.tolist(), worst.tolist(),
                                                     strict=True)}
