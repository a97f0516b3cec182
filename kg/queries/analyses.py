"""The questions Carebridge answers, as JSON-ready dicts: one function per question.

Both ``kg analyse ...`` and the HTTP API call these; every result is cached by the store's
revision and the parameters, so a repeated question costs a dictionary lookup and any import
makes the next answer fresh.

Common keyword options (all optional):

- ``window="START:END"`` or ``phase="PH2"`` -- analyse one period (default: everything);
- ``layers=("ties", "forums", "assets")`` and ``min_weight=0.05`` -- how the person network is
  projected (:func:`kg.analysis.projection.person_network`);
- ``seed=0`` -- every random step (Louvain, sampled betweenness, permutations) is seeded.

Functions: :func:`communities`, :func:`silos`, :func:`brokers`, :func:`hybrids`, :func:`risk`,
:func:`change`, :func:`assets`, :func:`analyse_all`, :func:`metrics_export`, plus
:func:`person_graph` and :func:`tie_graph` (the cached networks, for maps).
"""

from __future__ import annotations

import secrets
from pathlib import Path

import networkx as nx

from kg.analysis import projection
from kg.analysis.assets import asset_reach
from kg.analysis.brokers import betweenness, brokerage_roles, rank_brokers, structural_holes
from kg.analysis.change import compare_periods
from kg.analysis.communities import detect_communities, profile_communities
from kg.analysis.export import FORMATS, export_metrics
from kg.analysis.hybrids import compare_hybrids
from kg.analysis.risk import key_person_risk, removal_impact
from kg.analysis.silos import density_matrix, ei_index, partition_agreement
from kg.config import get_settings
from kg.errors import InvalidParameter, NotFound
from kg.model import NodeLabel, RelType
from kg.queries.snapshot import cached, load_snapshot, parse_window, phases
from kg.store.base import GraphStore

__all__ = [
    "GROUPINGS",
    "analyse_all",
    "assets",
    "betweenness_of",
    "brokers",
    "check_by",
    "change",
    "communities",
    "hybrids",
    "metrics_export",
    "net_key",
    "person_graph",
    "risk",
    "silos",
    "tie_graph",
]

GROUPINGS = projection.GROUP_ATTRIBUTES
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
}


def net_key(window=None, phase=None, layers=None, min_weight=0.05) -> tuple:
    """The cache key of a person network and what is computed on it: period, layers, minimum
    weight, and the size up to which betweenness is exact."""
    layers = tuple(layers) if layers else projection.DEFAULT_LAYERS
    return (window, phase, layers, float(min_weight), exact_max_nodes())


def person_graph(
    store: GraphStore, *, window=None, phase=None, layers=None, min_weight=0.05
) -> nx.Graph:
    """The person network for a period (cached; do not modify the graph returned)."""
    key = net_key(window, phase, layers, min_weight)
    return cached(store, "person_graph", key, lambda: projection.person_network(
        load_snapshot(store, window=window, phase=phase), layers=key[2], min_weight=key[3]))


def tie_graph(store: GraphStore, *, window=None, phase=None) -> nx.DiGraph:
    """The directed tie network for a period (cached)."""
    return cached(store, "tie_graph", (window, phase), lambda: projection.tie_network(
        load_snapshot(store, window=window, phase=phase)))


def check_by(by: str | None) -> None:
    if by is not None and by not in GROUPINGS:
        raise InvalidParameter(f"unknown grouping {by!r}; use one of {', '.join(GROUPINGS)}")


def _parameters(store, **params) -> dict:
    window = parse_window(store, params.pop("window", None), params.get("phase"))
    params["window"] = [d.isoformat() if d else None for d in window]
    params["layers"] = list(params.get("layers") or projection.DEFAULT_LAYERS)
    return params


def _names(store, label: NodeLabel, field: str) -> dict:
    return {n.id: n.props.get(field) for n in store.find_nodes(label)}


def _memberships(snapshot, rel_types) -> dict:
    out: dict = {}
    for t in rel_types:
        for r in snapshot.rels(t):
            out.setdefault(r.source, set()).add(r.target)
    return out


def communities(
    store: GraphStore, *, method="louvain", resolution=1.0, seed=0, window=None, phase=None,
    layers=None, min_weight=0.05,
) -> dict:
    """``{"modularity", "communities": [{"id", "members", "kind", "size", ...}], ...}``."""
    net = net_key(window, phase, layers, min_weight)

    def compute():
        G = person_graph(store, window=window, phase=phase, layers=layers, min_weight=min_weight)
        found = detect_communities(G, method=method, resolution=resolution, seed=seed)
        snap = load_snapshot(store, window=window, phase=phase)
        profiles = profile_communities(
            G, found["communities"],
            forums_of=_memberships(snap, (RelType.ATTENDS,)),
            assets_of=_memberships(snap, (RelType.AUTHORED, RelType.USES)),
            forum_names=_names(store, NodeLabel.FORUM, "name"),
            asset_titles=_names(store, NodeLabel.ASSET, "title"),
        )
        kinds: dict = {}
        for p in profiles:
            kinds[p["kind"]] = kinds.get(p["kind"], 0) + 1
        return {
            "modularity": found["modularity"],
            "method": method,
            "split_disconnected": found["split_disconnected"],
            "all_connected": True,  # guaranteed by detect_communities (disconnected ones split)
            "kinds": kinds,
            "communities": profiles,
            "parameters": _parameters(store, method=method, resolution=resolution, seed=seed,
                                      window=window, phase=phase, layers=layers,
                                      min_weight=min_weight),
        }

    return cached(store, "communities", (method, resolution, seed) + net, compute)


def silos(
    store: GraphStore, *, by="organisation", permutations=999, seed=0, window=None, phase=None,
    layers=None, min_weight=0.05,
) -> dict:
    """``{"groups": [{"group", "ei_index", "p_value", ...}], "matrix": ..., "agreement": ...}``."""
    check_by(by)
    net = net_key(window, phase, layers, min_weight)

    def compute():
        G = person_graph(store, window=window, phase=phase, layers=layers, min_weight=min_weight)
        result = ei_index(G, by, permutations=permutations, seed=seed)
        found = communities(store, seed=seed, window=window, phase=phase, layers=layers,
                            min_weight=min_weight)
        detected = {m: c["id"] for c in found["communities"] for m in c["members"]}
        grouping = {v: a for v, a in G.nodes(data=by) if a is not None}
        agreement = partition_agreement(detected, grouping) if grouping else None
        return {
            "attribute": by,
            "ei_index": result["ei_index"],
            "internal": result["internal"],
            "external": result["external"],
            "groups": result["groups"],
            "matrix": density_matrix(G, by),
            "agreement": agreement,
            "parameters": _parameters(store, by=by, permutations=permutations, seed=seed,
                                      window=window, phase=phase, layers=layers,
                                      min_weight=min_weight),
        }

    return cached(store, "silos", (by, permutations, seed) + net, compute)


def brokers(
    store: GraphStore, *, by=None, between=None, top=20, seed=0, window=None, phase=None,
    layers=None, min_weight=0.05,
) -> dict:
    """``{"brokers": [{"id", "name", "score", "betweenness", "constraint", ...}], ...}``."""
    check_by(by)
    if between is not None:
        between = tuple(between)
        if len(between) != 2:
            raise InvalidParameter("give exactly two groups to bridge, e.g. acute and community")
        if by is None:
            raise InvalidParameter("--between needs --by, e.g. --by sector --between acute "
                                   "community")
    net = net_key(window, phase, layers, min_weight)

    def compute():
        G = person_graph(store, window=window, phase=phase, layers=layers, min_weight=min_weight)
        D = tie_graph(store, window=window, phase=phase) if by else None
        result = rank_brokers(G, by=by, between=between, directed=D, top=top, seed=seed,
                              exact_max_nodes=exact_max_nodes(), precomputed=betweenness_result(
                                  store, seed=seed, window=window, phase=phase, layers=layers,
                                  min_weight=min_weight))
        result["parameters"] = _parameters(
            store, by=by, between=list(between) if between else None, top=top, seed=seed,
            window=window, phase=phase, layers=layers, min_weight=min_weight)
        return result

    return cached(store, "brokers", (by, between, top, seed) + net, compute)


def exact_max_nodes() -> int:
    """Largest network whose betweenness is exact (``KG_EXACT_MAX_NODES``, default 5,000)."""
    return get_settings().exact_max_nodes


def betweenness_result(store: GraphStore, *, seed=0, **net):
    """The betweenness of the period's network with how it was computed (cached): brokers,
    hybrids, risk, metrics and maps share this one computation."""
    net = _net_defaults(net)
    G = person_graph(store, **net)
    limit = exact_max_nodes()
    return cached(store, "betweenness", (seed,) + net_key(**net),
                  lambda: betweenness(G, seed=seed, exact_max_nodes=limit))


def betweenness_of(store: GraphStore, *, seed=0, **net) -> dict:
    """Normalised betweenness of every person in the period's network (cached)."""
    return betweenness_result(store, seed=seed, **net).values


def hybrids(
    store: GraphStore, *, seed=0, window=None, phase=None, layers=None, min_weight=0.05
) -> dict:
    """Do hybrid middle managers broker more than others? Effect sizes, tests, the ranking."""
    net = dict(window=window, phase=phase, layers=layers, min_weight=min_weight)

    def compute():
        G = person_graph(store, **net)
        result = compare_hybrids(G, betweenness_of(store, seed=seed, **net), seed=seed)
        result["score"] = "normalised betweenness"
        result["parameters"] = _parameters(store, seed=seed, **net)
        return result

    return cached(store, "hybrids", (seed,) + net_key(**net), compute)


def risk(
    store: GraphStore, *, by="sector", top=10, remove=None, seed=0, window=None, phase=None,
    layers=None, min_weight=0.05,
) -> dict:
    """Key-person risk: who, if they left, would cost the most cross-boundary connectivity."""
    check_by(by)
    net = dict(window=window, phase=phase, layers=layers, min_weight=min_weight)
    remove = tuple(remove) if remove else None

    def compute():
        G = person_graph(store, **net)
        if remove:
            missing = [p for p in remove if p not in G]
            if missing:
                raise NotFound("person", missing[0], hint="not in the network for this period")
            result = {"removed": list(remove), "impact": removal_impact(G, remove, by,
                                                                        seed=seed)}
        else:
            result = key_person_risk(G, by, top=top, seed=seed,
                                     precomputed=betweenness_result(store, seed=seed, **net))
        result["parameters"] = _parameters(store, by=by, top=top, remove=list(remove or []),
                                           seed=seed, **net)
        return result

    return cached(store, "risk", (by, top, remove, seed) + net_key(**net), compute)


def _period(store, value: str | None, what: str) -> dict:
    """A phase id/name or a START:END window, as person_graph keywords."""
    if not value:
        raise InvalidParameter(f"give --{what} as a phase (id or name) or a START:END window")
    if ":" in value and value.split(":", 1)[0][:1].isdigit() or value.startswith(":"):
        return {"window": value, "phase": None}
    return {"window": None, "phase": value}


def change(
    store: GraphStore, *, from_=None, to=None, by="sector", top=20, seed=0, layers=None,
    min_weight=0.05,
) -> dict:
    """How silos, brokers and communities moved between two phases or windows."""
    check_by(by)
    a, b = _period(store, from_, "from"), _period(store, to, "to")

    def compute():
        G1 = person_graph(store, layers=layers, min_weight=min_weight, **a)
        G2 = person_graph(store, layers=layers, min_weight=min_weight, **b)
        result = compare_periods(G1, G2, attribute=by, top=top, seed=seed,
                                 exact_max_nodes=exact_max_nodes())
        result["from"] = [d.isoformat() if d else None for d in parse_window(store, **a)]
        result["to"] = [d.isoformat() if d else None for d in parse_window(store, **b)]
        result["parameters"] = {"from": from_, "to": to, "by": by, "top": top, "seed": seed,
                                "layers": list(layers or projection.DEFAULT_LAYERS),
                                "min_weight": min_weight}
        return result

    return cached(store, "change", (from_, to, by, top, seed, tuple(layers or ()), min_weight,
                                    exact_max_nodes()), compute)


def assets(store: GraphStore, *, top=None, window=None, phase=None) -> dict:
    """Which knowledge assets reach across organisations and sectors."""

    def compute():
        snap = load_snapshot(store, window=window, phase=phase)
        return asset_reach(snap, projection.person_attributes(snap), top=top)

    return cached(store, "assets", (top, window, phase), compute)


def analyse_all(store: GraphStore, *, by="sector", between=("acute", "community"), seed=0,
                **net) -> dict:
    """Communities, silos, brokers (with roles), hybrids and risk for the top 10, in one go."""
    G = person_graph(store, **net)
    groups = {a for _, a in G.nodes(data=by)}
    pair = tuple(between) if between and set(between) <= groups else None
    return {
        "communities": communities(store, seed=seed, **net),
        "silos": silos(store, by=by, seed=seed, **net),
        "brokers": brokers(store, by=by, between=pair, seed=seed, **net),
        "hybrids": hybrids(store, seed=seed, **net),
        "risk": risk(store, by=by, top=10, seed=seed, **net),
    }


def person_metrics(store: GraphStore, *, by="organisation", seed=0, **net) -> dict:
    """Every person-level metric, keyed by person id (cached)."""
    check_by(by)

    def compute():
        G = person_graph(store, **net)
        bc = betweenness_of(store, seed=seed, **net)
        constraint, effective = structural_holes(G)
        roles = brokerage_roles(tie_graph(store, window=net.get("window"),
                                          phase=net.get("phase")), by)
        where = {m: c["id"] for c in communities(store, seed=seed, **net)["communities"]
                 for m in c["members"]}
        out = {}
        for v, a in G.nodes(data=True):
            row = {k: a.get(k) for k in ("name", "organisation", "team", "sector", "profession",
                                         "role_kind", "level", "hybrid")}
            row.update(
                community=where.get(v), degree=G.degree(v),
                weighted_degree=float(G.degree(v, weight="weight")),
                betweenness=bc.get(v), constraint=constraint.get(v),
                effective_size=effective.get(v), **roles.get(v, {}),
            )
            out[v] = row
        return out

    return cached(store, "person_metrics", (by, seed) + net_key(**_net_defaults(net)), compute)


def _net_defaults(net: dict) -> dict:
    return {"window": net.get("window"), "phase": net.get("phase"),
            "layers": net.get("layers"), "min_weight": net.get("min_weight", 0.05)}


def pseudonym_key(data_dir: str | Path) -> bytes:
    """The partnership's pseudonymisation key, created once beside the store (mode 0600)."""
    path = Path(data_dir) / "pseudonym.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(secrets.token_bytes(32))
        path.chmod(0o600)
    return path.read_bytes()


def metrics_export(
    store: GraphStore, *, format="csv", pseudonymise=False, key: bytes | None = None,
    by="organisation", seed=0, window=None, phase=None, layers=None, min_weight=0.05,
) -> tuple[bytes, str, str]:
    """``(content, media type, file name)`` of the metrics export."""
    if format not in FORMATS:
        raise InvalidParameter(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    if pseudonymise and not key:
        raise InvalidParameter("pseudonymised export needs the partnership's key")
    net = dict(window=window, phase=phase, layers=layers, min_weight=min_weight)
    people = person_metrics(store, by=by, seed=seed, **net)
    groups = silos(store, by=by, seed=seed, **net)["groups"]
    params = _parameters(store, by=by, seed=seed, revision=store.revision(),
                         phases=[p["id"] for p in phases(store)], **net)
    params["metrics"] = {
        "betweenness": "normalised shortest-path betweenness on the undirected person network "
        f"(hops); exact up to {exact_max_nodes():,} people (KG_EXACT_MAX_NODES), sampled "
        "above",
        "constraint": "Burt's constraint (weighted)",
        "effective_size": "Burt's effective size (weighted)",
        "roles": f"Gould-Fernandez brokerage counts on directed ties, groups by {by}",
        "groups": f"E-I index per {by} with a permutation p-value",
    }
    content = export_metrics(person_graph(store, **net), people, groups, params, format=format,
                             pseudonym_key=key if pseudonymise else None)
    suffix = "-pseudonymised" if pseudonymise else ""
    return content, MEDIA_TYPES[format], f"carebridge-metrics{suffix}.{format}"
