"""The questions Carebridge answers, as JSON-ready dicts: one function per question.

Both ``kg analyse ...`` and the HTTP API call these; every result is cached by the store's
revision and the parameters, so a repeated question costs a dictionary lookup and any import
makes the next answer fresh.

Common keyword options (all optional):

- the period (:mod:`kg.queries.period`): by default the partnership as it is now (the latest
  phase, or the year to the latest date in the data, or to ``as_of="YYYY-MM-DD"``);
  ``window="START:END"``, ``phase="PH2"`` or ``window="all"`` (the whole history) choose
  another. Every answer carries ``parameters.period``; current rankings name only people in
  post at the end of the period;
- ``layers=("ties", "forums", "assets")`` and ``min_weight=0.05`` -- how the person network is
  projected (:func:`kg.analysis.projection.person_network`);
- ``seed=0`` -- every random step (Louvain, sampled betweenness, permutations) is seeded.

Functions: :func:`communities`, :func:`silos`, :func:`brokers`, :func:`hybrids`, :func:`risk`,
:func:`change`, :func:`assets`, :func:`analyse_all`, :func:`metrics_export`. The networks they
are computed on, and the betweenness they share, come from :mod:`kg.queries.networks` (its
names are importable from here too).
"""

from __future__ import annotations

from collections import Counter

import networkx as nx

from kg.analysis import projection
from kg.analysis.assets import asset_reach
from kg.analysis.brokerage import brokerage_roles
from kg.analysis.brokers import rank_brokers
from kg.analysis.change import compare_periods
from kg.analysis.communities import detect_communities, profile_communities
from kg.analysis.export import FORMATS, export_metadata, export_metrics
from kg.analysis.hybrids import compare_hybrids
from kg.analysis.risk import key_person_risk, removal_impact
from kg.analysis.silos import (
    N_PERMUTATIONS,
    density_matrix,
    ei_by_layer,
    ei_index,
    partition_agreement,
)
from kg.analysis.structural_holes import structural_holes
from kg.errors import InvalidParameter, NotFound
from kg.measures import between_groups_share, show
from kg.model import NodeLabel, RelType
from kg.queries.networks import (
    Network,
    betweenness_of,
    betweenness_result,
    broker_rankings,
    check_paths,
    exact_max_nodes,
    net_key,
    person_graph,
    start_broker_rankings,
    tie_graph,
)
from kg.queries.pseudonym import pseudonym_key
from kg.queries.snapshot import cached, current_period, load_snapshot, phases
from kg.store.base import GraphStore

__all__ = [
    "DEFAULT_BETWEEN",
    "GROUPINGS",
    "analyse_all",
    "assets",
    "answer_parameters",
    "betweenness_of",
    "broker_rankings",
    "start_broker_rankings",
    "brokers",
    "check_between",
    "check_by",
    "change",
    "communities",
    "hybrids",
    "metrics_export",
    "left_out_of",
    "may_be_named",
    "names_of",
    "metrics_metadata",
    "net_key",
    "person_graph",
    "pseudonym_key",
    "risk",
    "silos",
    "tie_graph",
]

GROUPINGS = projection.GROUP_ATTRIBUTES
#: The question the product answers first: who bridges acute and community care.
DEFAULT_BETWEEN = ("acute", "community")

HYBRID_RULE = (
    "hybrid middle managers: in the period, a hybrid clinical-managerial role at middle level, "
    "or a clinical role and a middle-level managerial role held at the same time; hybrids at "
    "other levels are listed apart and left out of the comparison")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
}


def named(store: GraphStore, G: nx.Graph, rows: list[dict], top: int | None = None, *,
          window=None, phase=None, as_of=None) -> list[dict]:
    """The rows of a ranking that may be named for the period: people in post at its end (all
    people, each flagged, for the whole history), renumbered, cut to ``top``.

    Leavers still shape the period's network (their ties were real); they are named in
    ``change`` ("lost") and in whole-history answers, not in current rankings.
    """
    period = current_period(store, window, phase, as_of)
    out = []
    for row in rows:
        in_post = bool(G.nodes[row["id"]].get("in_post", True)) if row["id"] in G else False
        if in_post or period.names_leavers:
            out.append({**row, "in_post": in_post})
    return out[:top] if top is not None else out


def may_be_named(store: GraphStore, G: nx.Graph, *, window=None, phase=None,
                 as_of=None) -> list | None:
    """The people a current ranking may name (those in post at the period's end), or None
    when everyone may be (the whole history)."""
    if current_period(store, window, phase, as_of).names_leavers:
        return None
    return [v for v, p in G.nodes(data="in_post") if p is not False]


def check_top(top) -> None:
    """``top`` is a positive integer (or None: everyone)."""
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise InvalidParameter(f"top must be a positive integer, got {top!r}")


def check_between(by: str | None, between) -> tuple | None:
    """The two different groups of ``by`` to bridge, as a tuple (None when not given)."""
    if between is None:
        return None
    between = (between,) if isinstance(between, str) else tuple(between)
    if len(between) != 2 or between[0] == between[1]:
        raise InvalidParameter("give two different groups to bridge, e.g. acute and community")
    if by is None:
        raise InvalidParameter("between needs a grouping (by), e.g. by sector, between acute "
                               "community")
    return between


def check_by(by: str | None) -> None:
    if by is not None and by not in GROUPINGS:
        raise InvalidParameter(f"unknown grouping {by!r}; use one of {', '.join(GROUPINGS)}")


def answer_parameters(store, net: Network | None = None, **params) -> dict:
    """What an answer was computed from: the resolved period, the network's layers and what
    the projection left out, with every other option as given (``net``'s among them)."""
    if net is not None:
        params = {**net.options, **params}
    period = current_period(store, params.pop("window", None), params.get("phase"),
                            params.pop("as_of", None))
    params["window"] = [d.isoformat() if d else None for d in (period.start, period.end)]
    params["period"] = period.as_dict()
    params["layers"] = list(params.get("layers") or projection.DEFAULT_LAYERS)
    return params


def left_out_of(G: nx.Graph) -> list[dict]:
    """Affiliations too large to project (:func:`kg.analysis.projection.person_network`)."""
    return list(G.graph.get("skipped_affiliations", []))


def names_of(store: GraphStore, label: NodeLabel, field: str = "name") -> dict:
    """Each stored node's ``field`` (its name, or an asset's title) by id (cached)."""
    return cached(store, "names", (label.value, field),
                  lambda: {n.id: n.props.get(field) for n in store.find_nodes(label)})


def _memberships(snapshot, rel_types) -> dict:
    out: dict = {}
    for t in rel_types:
        for r in snapshot.rels(t):
            out.setdefault(r.source, set()).add(r.target)
    return out


def communities(
    store: GraphStore, *, method="louvain", resolution=1.0, seed=0, window=None, phase=None,
    layers=None, min_weight=0.05, as_of=None,
) -> dict:
    """``{"modularity", "communities": [{"id", "members", "kind", "size", ...}], ...}``."""
    net = Network.of(window=window, phase=phase, layers=layers, min_weight=min_weight,
                     as_of=as_of)

    def compute():
        G = person_graph(store, **net.options)
        found = detect_communities(G, method=method, resolution=resolution, seed=seed)
        snap = load_snapshot(store, **net.period)
        profiles = profile_communities(
            G, found["communities"],
            forums_of=_memberships(snap, (RelType.ATTENDS,)),
            assets_of=_memberships(snap, (RelType.AUTHORED, RelType.USES)),
            forum_names=names_of(store, NodeLabel.FORUM),
            asset_titles=names_of(store, NodeLabel.ASSET, "title"),
        )
        kinds: dict = {}
        for p in profiles:
            kinds[p["kind"]] = kinds.get(p["kind"], 0) + 1
        return {
            "modularity": found["modularity"],
            "quality": found["quality"],
            "resolution": found["resolution"],
            "restarts": found["restarts"],
            "restarts_note": found["restarts_note"],
            "modularity_spread": found["modularity_spread"],
            "method": method,
            "split_disconnected": found["split_disconnected"],
            "all_connected": True,  # guaranteed by detect_communities (disconnected ones split)
            "kinds": kinds,
            "communities": profiles,
            "left_out": left_out_of(G),
            "parameters": answer_parameters(store, net, method=method, resolution=resolution,
                                            seed=seed),
        }

    return cached(store, "communities", (method, resolution, seed) + net.key, compute)


def silos(
    store: GraphStore, *, by="organisation", n_permutations=N_PERMUTATIONS, seed=0,
    window=None, phase=None, layers=None, min_weight=0.05, as_of=None,
) -> dict:
    """``{"groups": [{"group", "ei_index", "p_value", ...}], "matrix": ..., "agreement": ...}``."""
    check_by(by)
    net = Network.of(window=window, phase=phase, layers=layers, min_weight=min_weight,
                     as_of=as_of)

    def compute():
        G = person_graph(store, **net.options)
        result = ei_index(G, by, n_permutations=n_permutations, seed=seed)
        per_layer = ei_by_layer(G, by)
        for g in result["groups"]:
            g["by_layer"] = next((x["by_layer"] for x in per_layer["groups"]
                                  if x["group"] == g["group"]), {})
        found = communities(store, seed=seed, **net.options)
        detected = {m: c["id"] for c in found["communities"] for m in c["members"]}
        grouping = {v: a for v, a in G.nodes(data=by) if a is not None}
        agreement = partition_agreement(detected, grouping) if grouping else None
        return {
            **result,
            "by_layer": per_layer["by_layer"],
            "layers": per_layer,
            "matrix": density_matrix(G, by),
            "agreement": agreement,
            "left_out": left_out_of(G),
            "parameters": answer_parameters(store, net, by=by, n_permutations=n_permutations,
                                            seed=seed),
        }

    return cached(store, "silos", (by, n_permutations, seed) + net.key, compute)


def brokers(
    store: GraphStore, *, by=None, between=None, top=20, seed=0, window=None, phase=None,
    layers=None, min_weight=0.05, as_of=None, paths="hops",
) -> dict:
    """``{"brokers": [{"id", "name", "score", "betweenness", "constraint", ...}], ...}``."""
    check_by(by)
    between = check_between(by, between)
    check_top(top)
    check_paths(paths)
    net = Network.of(window=window, phase=phase, layers=layers, min_weight=min_weight,
                     as_of=as_of)
    period = net.period

    def compute():
        G = person_graph(store, **net.options)
        D = tie_graph(store, **period) if by else None
        overall, between_result = broker_rankings(store, by=by, between=between, seed=seed,
                                                  paths=paths, **net.options)
        result = rank_brokers(G, by=by, between=between, directed=D, top=top, seed=seed,
                              paths=paths, exact_max_nodes=exact_max_nodes(),
                              precomputed=overall, precomputed_between=between_result,
                              eligible=may_be_named(store, G, **period))
        result["brokers"] = named(store, G, result["brokers"], top, **period)
        _as_shares(G, result["brokers"], by, between)
        if by is not None:
            forum_names = names_of(store, NodeLabel.FORUM)
            for row in result["brokers"][:10]:
                for f in row["explanation"]["forums"]:
                    f["name"] = forum_names.get(f["forum"])
        result["left_out"] = left_out_of(G)
        result["parameters"] = answer_parameters(
            store, net, by=by, between=list(between) if between else None, top=top, seed=seed,
            paths=paths)
        return result

    return cached(store, "brokers", (by, between, top, seed, paths) + net.key, compute)


def _as_shares(G: nx.Graph, rows: list[dict], by, between) -> None:
    """Each row's score as the reader sees it everywhere (:mod:`kg.measures`): the plain share
    of the shortest paths it carries, beside the raw normalised score."""
    if between is None:
        for row in rows:
            row["share_of_paths"] = row["betweenness"]
            row["shown"] = show("betweenness", row["betweenness"])
        return
    sizes = Counter(a for _, a in G.nodes(data=by))
    for row in rows:
        row["share_of_paths"] = between_groups_share(
            row["score"], G.number_of_nodes(), sizes[between[0]], sizes[between[1]])
        row["shown"] = show("between_groups", row["share_of_paths"])


def hybrids(
    store: GraphStore, *, seed=0, window=None, phase=None, layers=None, min_weight=0.05,
    as_of=None, paths="hops",
) -> dict:
    """Do hybrid middle managers broker more than others? Effect sizes, tests, the ranking.

    Hybrid middle managers are defined once, in
    :func:`kg.analysis.projection.person_attributes`; hybrids at other levels are compared
    with neither group and listed apart (``other_hybrids``).
    """
    net = Network.of(window=window, phase=phase, layers=layers, min_weight=min_weight,
                     as_of=as_of)

    def compute():
        G = person_graph(store, **net.options)
        scores = betweenness_of(store, seed=seed, paths=paths, **net.options)
        others = [v for v, a in G.nodes(data=True) if a.get("hybrid_any") and not a.get("hybrid")]
        apart = set(others)
        compared = {v: s for v, s in scores.items() if v not in apart}
        result = compare_hybrids(G, compared, seed=seed)
        result["hybrids"] = named(store, G, result["hybrids"], **net.period)
        result["other_hybrids"] = named(store, G, sorted(
            ({"id": v, "name": G.nodes[v].get("name"), "level": G.nodes[v].get("level"),
              "score": scores.get(v)} for v in others),
            key=lambda r: (-(r["score"] or 0.0), str(r["id"]))), **net.period)
        result["rule"] = HYBRID_RULE
        result["score"] = "normalised betweenness"
        result["left_out"] = left_out_of(G)
        result["parameters"] = answer_parameters(store, net, seed=seed, paths=paths)
        return result

    check_paths(paths)
    return cached(store, "hybrids", (seed, paths) + net.key, compute)


def risk(
    store: GraphStore, *, by="sector", top=10, remove=None, seed=0, window=None, phase=None,
    layers=None, min_weight=0.05, as_of=None, paths="hops",
) -> dict:
    """Key-person risk: who, if they left, would cost the most cross-boundary connectivity."""
    check_by(by)
    check_top(top)
    check_paths(paths)
    net = Network.of(window=window, phase=phase, layers=layers, min_weight=min_weight,
                     as_of=as_of)
    remove = tuple(remove) if remove else None

    def compute():
        G = person_graph(store, **net.options)
        if remove:
            missing = [p for p in remove if p not in G]
            if missing:
                raise NotFound("person", missing[0], hint="not in the network for this period")
            result = {"removed": list(remove), "impact": removal_impact(G, remove, by,
                                                                        seed=seed)}
        else:
            # Everyone is evaluated exactly; only people who may be named are candidates, so
            # the top and their combined removal are computed once.
            eligible = may_be_named(store, G, **net.period)
            result = key_person_risk(G, by, top=top, seed=seed, paths=paths,
                                     candidates=eligible,
                                     precomputed=betweenness_result(
                                         store, seed=seed, paths=paths, **net.options))
            result["people"] = named(store, G, result["people"], top, **net.period)
            if eligible is not None:
                result["candidates"]["rule"] = "everyone in post at the end of the period"
        result["left_out"] = left_out_of(G)
        result["parameters"] = answer_parameters(store, net, by=by, top=top,
                                                 remove=list(remove or []), seed=seed, paths=paths)
        return result

    return cached(store, "risk", (by, top, remove, seed, paths) + net.key, compute)


def _period(store, value: str | None, what: str) -> dict:
    """A phase id/name or a START:END window, as person_graph keywords."""
    if not value:
        raise InvalidParameter(f"give {what} as a phase (id or name) or a START:END window")
    if ":" in value and value.split(":", 1)[0][:1].isdigit() or value.startswith(":"):
        return {"window": value, "phase": None}
    return {"window": None, "phase": value}


def change(
    store: GraphStore, *, from_=None, to=None, by="sector", top=20, seed=0, layers=None,
    min_weight=0.05,
) -> dict:
    """How silos, brokers and communities moved between two phases or windows."""
    check_by(by)
    if from_ is None and to is None:
        # By default: what changed between the last two phases, i.e. up to now.
        known = phases(store)
        if len(known) < 2:
            raise InvalidParameter("the store has fewer than two phases: give from and to "
                                   "as phases (id or name) or START:END windows")
        from_, to = known[-2]["id"], known[-1]["id"]
    first, second = (Network.of(layers=layers, min_weight=min_weight, **_period(store, v, what))
                     for v, what in ((from_, "from"), (to, "to")))

    def compute():
        G1 = person_graph(store, **first.options)
        G2 = person_graph(store, **second.options)
        result = compare_periods(G1, G2, attribute=by, top=top, seed=seed,
                                 exact_max_nodes=exact_max_nodes())
        pa, pb = current_period(store, **first.period), current_period(store, **second.period)
        result["from"] = [d.isoformat() if d else None for d in (pa.start, pa.end)]
        result["to"] = [d.isoformat() if d else None for d in (pb.start, pb.end)]
        result["periods"] = {"from": pa.as_dict(), "to": pb.as_dict()}
        result["parameters"] = {"from": from_, "to": to, "by": by, "top": top, "seed": seed,
                                "layers": list(first.layers), "min_weight": first.min_weight}
        return result

    return cached(store, "change", (by, top, seed) + first.key + second.key, compute)


def assets(store: GraphStore, *, top=None, window=None, phase=None, as_of=None) -> dict:
    """Which knowledge assets reach across organisations and sectors."""

    period = Network.of(window=window, phase=phase, as_of=as_of).period

    def compute():
        snap = load_snapshot(store, **period)
        when = current_period(store, **period)
        result = asset_reach(snap, projection.person_attributes(snap, at=when.in_post_on),
                             top=top)
        result["parameters"] = answer_parameters(store, None, top=top, **period)
        return result

    return cached(store, "assets", (top, *period.values()), compute)


def analyse_all(store: GraphStore, *, by="sector", between=DEFAULT_BETWEEN, seed=0,
                progress=None, **options) -> dict:
    """Communities, silos, brokers (with roles), hybrids and risk for the top 10, in one go.

    ``progress(step)``, when given, is called with each step's name before it starts (the
    command line shows it: a large partnership takes a while). The broker rankings, the
    costliest step, are computed in forked processes while communities and silos are found, so
    every core is busy.
    """
    def step(name, compute):
        if progress:
            progress(name)
        return compute()

    net = Network.of(**options).options
    G = step("the person network", lambda: person_graph(store, **net))
    # Rank between the two groups when both are in the period's network, else overall.
    groups = {a for _, a in G.nodes(data=by)}
    between = tuple(between) if between and set(between) <= groups else None
    started = start_broker_rankings(store, by=by, between=between, seed=seed, **net)
    out = {
        "communities": step("communities", lambda: communities(store, seed=seed, **net)),
        "silos": step("silos", lambda: silos(store, by=by, seed=seed, **net)),
    }
    broker_rankings(store, by=by, between=between, seed=seed, started=started, **net)
    out["brokers"] = step("brokers", lambda: brokers(store, by=by, between=between, seed=seed,
                                                      **net))
    out["hybrids"] = step("hybrids", lambda: hybrids(store, seed=seed, **net))
    out["risk"] = step("key-person risk", lambda: risk(store, by=by, top=10, seed=seed, **net))
    return out


def person_metrics(store: GraphStore, *, by="organisation", seed=0, paths="hops",
                   **options) -> dict:
    """Every person-level metric, keyed by person id (cached)."""
    check_by(by)
    check_paths(paths)
    net = Network.of(**options)

    def compute():
        G = person_graph(store, **net.options)
        bc = betweenness_of(store, seed=seed, paths=paths, **net.options)
        constraint, effective = structural_holes(G)
        roles = brokerage_roles(tie_graph(store, **net.period), by)
        where = {m: c["id"] for c in communities(store, seed=seed, **net.options)["communities"]
                 for m in c["members"]}
        out = {}
        for v, a in G.nodes(data=True):
            row = {k: a.get(k) for k in ("name", "organisation", "team", "sector", "profession",
                                         "role_kind", "level", "hybrid", "in_post")}
            row.update(
                community=where.get(v), degree=G.degree(v),
                weighted_degree=float(G.degree(v, weight="weight")),
                betweenness=bc.get(v), constraint=constraint.get(v),
                effective_size=effective.get(v), **roles.get(v, {}),
            )
            out[v] = row
        return out

    return cached(store, "person_metrics", (by, seed, paths) + net.key, compute)


def _export_inputs(store, *, pseudonymise, key, by, seed, paths, net) -> tuple:
    if pseudonymise and not key:
        raise InvalidParameter("pseudonymised export needs the partnership's key")
    people = person_metrics(store, by=by, seed=seed, paths=paths, **net.options)
    groups = silos(store, by=by, seed=seed, **net.options)["groups"]
    params = answer_parameters(store, net, by=by, seed=seed, paths=paths,
                               revision=store.revision(), phases=[p["id"] for p in phases(store)])
    params["metrics"] = {
        "betweenness": "normalised shortest-path betweenness on the undirected person network "
        f"({paths}); exact up to {exact_max_nodes():,} people (KG_EXACT_MAX_NODES), sampled "
        "above",
        "constraint": "Burt's constraint (weighted)",
        "effective_size": "Burt's effective size (weighted)",
        "roles": f"Gould-Fernandez brokerage counts on directed ties, groups by {by}",
        "groups": f"E-I index per {by} with permutation p-values, both directions",
    }
    return person_graph(store, **net.options), people, groups, params


def metrics_export(
    store: GraphStore, *, format="csv", pseudonymise=False, key: bytes | None = None,
    by="organisation", seed=0, window=None, phase=None, layers=None, min_weight=0.05,
    as_of=None, k_anonymity: int | None = None, min_group_size: int = 5, paths="hops",
) -> tuple[bytes, str, str]:
    """``(content, media type, file name)`` of the metrics export."""
    if format not in FORMATS:
        raise InvalidParameter(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    net = Network.of(window=window, phase=phase, layers=layers, min_weight=min_weight,
                     as_of=as_of)
    G, people, groups, params = _export_inputs(store, pseudonymise=pseudonymise, key=key, by=by,
                                               seed=seed, paths=paths, net=net)
    content = export_metrics(G, people, groups, params, format=format,
                             pseudonym_key=key if pseudonymise else None,
                             k_anonymity=k_anonymity, min_group_size=min_group_size)
    suffix = "-pseudonymised" if pseudonymise else ""
    return content, MEDIA_TYPES[format], f"carebridge-metrics{suffix}.{format}"


def metrics_metadata(
    store: GraphStore, *, pseudonymise=False, key: bytes | None = None, by="organisation",
    seed=0, window=None, phase=None, layers=None, min_weight=0.05, as_of=None,
    k_anonymity: int | None = None, min_group_size: int = 5, paths="hops",
) -> tuple[bytes, str, str]:
    """The metadata sidecar of a CSV export: parameters, columns, groups, privacy report."""
    net = Network.of(window=window, phase=phase, layers=layers, min_weight=min_weight,
                     as_of=as_of)
    G, people, groups, params = _export_inputs(store, pseudonymise=pseudonymise, key=key, by=by,
                                               seed=seed, paths=paths, net=net)
    content = export_metadata(G, people, groups, params,
                              pseudonym_key=key if pseudonymise else None,
                              k_anonymity=k_anonymity, min_group_size=min_group_size)
    suffix = "-pseudonymised" if pseudonymise else ""
    return content, MEDIA_TYPES["json"], f"carebridge-metrics{suffix}.meta.json"
