"""The person networks answers are computed on, and the betweenness they share (cached).

A question names its network by keyword options -- the period (``window``, ``phase``,
``as_of``), the ``layers`` projected and ``min_weight`` -- which :class:`Network` holds in one
form. :func:`person_graph` and :func:`tie_graph` build the networks from the store's snapshot;
:func:`betweenness_result` and :func:`broker_rankings` compute the betweenness that brokers,
hybrids, risk, metrics and maps share, once per network; :func:`start_broker_rankings` begins
the costliest of them in forked processes while other answers are computed.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from kg.analysis import projection
from kg.analysis.betweenness import (
    PATHS,
    betweenness,
    broker_betweenness,
    start_broker_betweenness,
)
from kg.config import get_settings
from kg.errors import InvalidParameter
from kg.queries.snapshot import cached, current_period, is_cached, load_snapshot
from kg.store.base import GraphStore

__all__ = [
    "Network",
    "betweenness_of",
    "betweenness_result",
    "broker_rankings",
    "check_paths",
    "exact_max_nodes",
    "net_key",
    "person_graph",
    "start_broker_rankings",
    "tie_graph",
]


@dataclass(frozen=True)
class Network:
    """Which person network an answer is computed on: the period and how it is projected.

    The one form of these options inside this module: each question turns its keyword options
    into a ``Network`` once (:meth:`of`), and everything derived from them -- the cache key, the
    period keywords, the answer's parameters -- comes from it.
    """

    window: str | None = None
    phase: str | None = None
    as_of: str | None = None
    layers: tuple = projection.DEFAULT_LAYERS
    min_weight: float = 0.05

    @classmethod
    def of(cls, window=None, phase=None, as_of=None, layers=None, min_weight=0.05) -> Network:
        """From the keyword options every question takes (defaults filled in)."""
        return cls(window, phase, str(as_of) if as_of else None,
                   tuple(layers) if layers else projection.DEFAULT_LAYERS, float(min_weight))

    @property
    def period(self) -> dict:
        """The period keywords (``window``, ``phase``, ``as_of``)."""
        return {"window": self.window, "phase": self.phase, "as_of": self.as_of}

    @property
    def options(self) -> dict:
        """Every option as keywords, to pass on to another question."""
        return {**self.period, "layers": self.layers, "min_weight": self.min_weight}

    @property
    def key(self) -> tuple:
        """The cache key of the network and what is computed on it, with the size up to which
        betweenness is exact."""
        return (self.window, self.phase, self.as_of, self.layers, self.min_weight,
                exact_max_nodes())


def net_key(**options) -> tuple:
    """The cache key of the person network these keyword options describe
    (:attr:`Network.key`)."""
    return Network.of(**options).key


def person_graph(store: GraphStore, **options) -> nx.Graph:
    """The person network for a period (cached; do not modify the graph returned)."""
    net = Network.of(**options)
    period = current_period(store, **net.period)
    return cached(store, "person_graph", net.key, lambda: projection.person_network(
        load_snapshot(store, **net.period), layers=net.layers, min_weight=net.min_weight,
        at=period.in_post_on))


def tie_graph(store: GraphStore, *, window=None, phase=None, as_of=None) -> nx.DiGraph:
    """The directed tie network for a period (cached)."""
    period = Network.of(window=window, phase=phase, as_of=as_of).period
    when = current_period(store, **period)
    return cached(store, "tie_graph", tuple(period.values()),
                  lambda: projection.tie_network(load_snapshot(store, **period),
                                                 at=when.in_post_on))


def exact_max_nodes() -> int:
    """Largest network whose betweenness is exact (``KG_EXACT_MAX_NODES``, default 5,000)."""
    return get_settings().exact_max_nodes


def check_paths(paths: str) -> None:
    if paths not in PATHS:
        raise InvalidParameter(f"unknown paths {paths!r}; use one of {', '.join(PATHS)}")


def betweenness_result(store: GraphStore, *, seed=0, paths="hops", **options):
    """The betweenness of the period's network with how it was computed (cached): brokers,
    hybrids, risk, metrics and maps share this one computation."""
    check_paths(paths)
    net = Network.of(**options)
    G = person_graph(store, **net.options)
    limit = exact_max_nodes()
    return cached(store, "betweenness", (seed, paths) + net.key,
                  lambda: betweenness(G, seed=seed, exact_max_nodes=limit, paths=paths))


def _broker_question(store: GraphStore, by, between, seed, paths, options) -> tuple:
    """``(net, key, both, revision)`` of a broker ranking: the network, the cache key of its
    overall betweenness, the cache entry ``(name, key)`` of both betweennesses (None without
    ``between``) and the store's revision now."""
    check_paths(paths)
    net = Network.of(**options)
    key = (seed, paths) + net.key
    both = ("broker_betweenness", (by, tuple(between)) + key) if between is not None else None
    return net, key, both, store.revision()


def broker_rankings(store: GraphStore, *, by=None, between=None, seed=0, paths="hops",
                    started=None, **options):
    """``(overall, between_groups)`` betweenness of the period's network (cached).

    When the overall betweenness is not known yet and ``between`` is given, both come from one
    set of searches (:func:`kg.analysis.betweenness.broker_betweenness`) and the overall one is
    filed for hybrids, risk, metrics and maps to share. ``between_groups`` is None without
    ``between``, or when the overall one was known already: then
    :func:`kg.analysis.brokers.rank_brokers` computes it on its own, as cheaply as here.
    ``started`` is the computation :func:`start_broker_rankings` began, when one was.
    """
    net, key, both, revision = _broker_question(store, by, between, seed, paths, options)
    if both is None or (not is_cached(store, *both, revision=revision)
                        and is_cached(store, "betweenness", key, revision=revision)):
        return betweenness_result(store, seed=seed, paths=paths, **net.options), None
    G = person_graph(store, **net.options)
    limit = exact_max_nodes()

    def compute():
        overall, among = (started.result() if started is not None else broker_betweenness(
            G, by, between[0], between[1], seed=seed, paths=paths, exact_max_nodes=limit))
        cached(store, "betweenness", key, lambda: overall, revision=revision)
        return overall, among

    return cached(store, *both, compute, revision=revision)


def start_broker_rankings(store: GraphStore, *, by=None, between=None, seed=0, paths="hops",
                          **options):
    """Begin :func:`broker_rankings` in a forked child, so other answers can be computed
    meanwhile; pass the result to :func:`broker_rankings` as ``started``. None when there is
    nothing to start (no ``between``, or the rankings are known already)."""
    net, key, both, revision = _broker_question(store, by, between, seed, paths, options)
    if both is None or any(is_cached(store, name, params, revision=revision)
                           for name, params in (("betweenness", key), both)):
        return None
    return start_broker_betweenness(person_graph(store, **net.options), by, between[0], between[1],
                                    seed=seed, paths=paths, exact_max_nodes=exact_max_nodes())


def betweenness_of(store: GraphStore, *, seed=0, paths="hops", **options) -> dict:
    """Normalised betweenness of every person in the period's network (cached)."""
    return betweenness_result(store, seed=seed, paths=paths, **options).values
