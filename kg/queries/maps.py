"""The maps, as pages of the stored partnership: one function per view, cached by revision.

Each function reads the cached person network (:func:`kg.queries.analyses.person_graph`) and the
cached analyses it needs (communities, betweenness, between-groups scores), then renders with the
pure functions of :mod:`kg.maps`. Both ``kg demo`` / ``kg map`` and the HTTP API call these.
"""

from __future__ import annotations

from kg.errors import InvalidParameter, NotFound
from kg.maps import bridges_map, communities_map, ego_map, network_map, organisations_map
from kg.model import NodeLabel, RelType
from kg.queries import analyses
from kg.queries.snapshot import cached, load_snapshot
from kg.store.base import GraphStore

__all__ = ["COLOUR_BY", "bridges", "community_map", "ego", "network", "organisations"]

COLOUR_BY = ("organisation", "sector", "community", "profession", "role_kind", "level", "hybrid")
MAX_MAP_NODES = 1500


def _net(window, phase, layers, min_weight, as_of) -> dict:
    return {"window": window, "phase": phase, "layers": layers, "min_weight": min_weight,
            "as_of": as_of}


def _forums(store: GraphStore, net: dict) -> dict:
    """``{forum id: {"name", "kind", "members"}}`` for the period, so panels name forums."""

    def compute():
        snap = load_snapshot(store, window=net.get("window"), phase=net.get("phase"),
                             as_of=net.get("as_of"))
        forums = snap.nodes.get(NodeLabel.FORUM, {})
        members: dict = {}
        for r in snap.rels(RelType.ATTENDS):
            members.setdefault(r.target, set()).add(r.source)
        return {f: {"name": forums.get(f, {}).get("name") or f,
                    "kind": forums.get(f, {}).get("kind"), "members": sorted(m)}
                for f, m in members.items()}

    return cached(store, "map:forums", (net.get("window"), net.get("phase"),
                                        str(net.get("as_of"))), compute)


def _communities(store: GraphStore, seed: int, net: dict) -> list[set]:
    found = analyses.communities(store, seed=seed, **net)["communities"]
    return [set(c["members"]) for c in found]


def _check_colour(color_by: str) -> None:
    if color_by not in COLOUR_BY:
        raise InvalidParameter(
            f"unknown colouring {color_by!r}; use one of {', '.join(COLOUR_BY)}"
        )


def network(
    store: GraphStore, *, color_by="organisation", seed=0, max_nodes=MAX_MAP_NODES, window=None,
    phase=None, layers=None, min_weight=0.05, as_of=None,
) -> str:
    """The whole person network, coloured by ``color_by`` and sized by betweenness."""
    _check_colour(color_by)
    net = _net(window, phase, layers, min_weight, as_of)

    def compute():
        G = analyses.person_graph(store, **net)
        return network_map(
            G, color_by=color_by, communities=_communities(store, seed, net),
            forums=_forums(store, net),
            size_by=analyses.betweenness_of(store, seed=seed, **net),
            size_label="betweenness", max_nodes=max_nodes, seed=seed,
        )

    return cached(store, "map:network", (color_by, seed, max_nodes)
                  + analyses.net_key(**net), compute)


def ego(
    store: GraphStore, person_id: str, *, hops=1, color_by="organisation", seed=0, window=None,
    phase=None, layers=None, min_weight=0.05, as_of=None,
) -> str:
    """One person's ego network, ``hops`` steps out."""
    _check_colour(color_by)
    if isinstance(hops, bool) or not isinstance(hops, int) or not 1 <= hops <= 4:
        raise InvalidParameter(f"hops must be 1 to 4, got {hops!r}")
    net = _net(window, phase, layers, min_weight, as_of)
    G = analyses.person_graph(store, **net)
    if person_id not in G:
        raise NotFound("person", person_id, hint="not in the network for this period")

    def compute():
        return ego_map(
            G, person_id, hops=hops, color_by=color_by, forums=_forums(store, net),
            communities=_communities(store, seed, net),
            size_by=analyses.betweenness_of(store, seed=seed, **net),
            size_label="betweenness", seed=seed,
        )

    return cached(store, "map:ego", (person_id, hops, color_by, seed)
                  + analyses.net_key(**net), compute)


def bridges(
    store: GraphStore, *, by="sector", between=analyses.DEFAULT_BETWEEN, top=10, seed=0,
    window=None, phase=None, layers=None, min_weight=0.05, as_of=None,
) -> str:
    """The bridges between two groups: top brokers by the paths they carry between them."""
    analyses.check_by(by)
    between = analyses.check_between(by, between or ())
    net = _net(window, phase, layers, min_weight, as_of)

    def compute():
        G = analyses.person_graph(store, **net)
        present = {a for _, a in G.nodes(data=by)}
        for g in between:
            if g not in present:
                known = ", ".join(sorted(str(x) for x in present if x is not None))
                raise NotFound(by, g, hint=f"groups in this network: {known}")
        # The brokers answer's shares of paths (the reader's number everywhere): one
        # computation, and only people who may be named for the period (in post at its end)
        # can be ringed as top brokers.
        ranked = analyses.brokers(store, by=by, between=between, top=None, seed=seed,
                                  **net)["brokers"]
        named = {r["id"]: r["share_of_paths"] or 0.0 for r in ranked}
        scores = {v: named.get(v, 0.0) for v in G}
        return bridges_map(G, by, between, scores=scores, top=top, seed=seed,
                           forums=_forums(store, net),
                           title=f"Bridges between {between[0]} and {between[1]}")

    return cached(store, "map:bridges", (by, between, top, seed)
                  + analyses.net_key(**net), compute)


def community_map(
    store: GraphStore, *, community: int | None = None, seed=0, window=None, phase=None,
    layers=None, min_weight=0.05, as_of=None,
) -> str:
    """One node per community, or the people of community number ``community``: the ``id``
    that :func:`kg.queries.analyses.communities` gives it (numbered from 1, as on the map)."""
    net = _net(window, phase, layers, min_weight, as_of)
    found = _communities(store, seed, net)
    if community is not None and not (
        isinstance(community, int) and 1 <= community <= len(found)
    ):
        raise NotFound("community", str(community),
                       hint=f"the network has {len(found)} communities, 1 to {len(found)}")

    def compute():
        G = analyses.person_graph(store, **net)
        index = None if community is None else community - 1  # the renderer counts from 0
        return communities_map(G, found, community=index, seed=seed,
                               forums=_forums(store, net),
                               size_by=analyses.betweenness_of(store, seed=seed, **net),
                               size_label="betweenness")

    return cached(store, "map:communities", (community, seed)
                  + analyses.net_key(**net), compute)


def organisations(
    store: GraphStore, *, color_by="sector", seed=0, window=None, phase=None, layers=None,
    min_weight=0.05, as_of=None,
) -> str:
    """The organisation-level network: ties aggregated between organisations."""
    net = _net(window, phase, layers, min_weight, as_of)

    def compute():
        G = analyses.person_graph(store, **net)
        return organisations_map(G, color_by=color_by, seed=seed)

    return cached(store, "map:organisations", (color_by, seed)
                  + analyses.net_key(**net), compute)
