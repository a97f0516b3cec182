"""Change between two periods: how silos, brokers and communities moved.

Pure functions of two person networks (e.g. the projections of two phases). People who are in
the first network but not the second are *lost* (they left, or stopped appearing in the data);
the brokers lost are split into those who left and those still there but no longer brokering.
Each period's E-I indices are tested as :func:`kg.analysis.silos.ei_index` tests them: label
permutations (``N_PERMUTATIONS`` of them), one-sided p-values both ways and a two-sided one.

References
----------
.. [1] D. Krackhardt and R. N. Stern, Social Psychology Quarterly 51(2):123-140, 1988.
.. [2] V. D. Blondel et al., J. Stat. Mech. P10008, 2008.
.. [3] B. Phipson and G. K. Smyth, Stat. Appl. Genet. Mol. Biol. 9(1), article 39, 2010.
.. [4] L. Danon et al., J. Stat. Mech. P09008, 2005.
"""

from __future__ import annotations

import networkx as nx

from kg.analysis.betweenness import betweenness
from kg.analysis.communities import detect_communities
from kg.analysis.silos import ALPHA, N_PERMUTATIONS, ei_index, partition_agreement
from kg.errors import InvalidParameter

__all__ = ["compare_periods"]


def compare_periods(
    before: nx.Graph,
    after: nx.Graph,
    *,
    attribute: str = "sector",
    top: int = 20,
    seed: int = 0,
    n_permutations: int = N_PERMUTATIONS,
    alpha: float = ALPHA,
    exact_max_nodes: int = 5000,
) -> dict:
    """Compare silos, brokers and communities between two person networks.

    Parameters
    ----------
    before, after : networkx.Graph
        Person networks of the two periods.
    attribute : str, default "sector"
        Grouping for the E-I indices.
    top : int, default 20
        How many top brokers (by normalised betweenness) to compare.
    seed : int, default 0
    n_permutations : int, default N_PERMUTATIONS (999)
        Label permutations for each period's E-I test (0 skips the tests).
    alpha : float, default ALPHA (0.05)
        Level at which each period's ``direction`` calls a group closed or open.
    exact_max_nodes : int, default 5000
        Largest network whose betweenness is exact (see
        :func:`kg.analysis.brokers.betweenness`).

    Returns
    -------
    dict
        - ``attribute``;
        - ``people``: counts ``before``, ``after``, ``left``, ``joined``, ``stayed``;
        - ``people_lost`` (in the first network, not the second: the ``left`` of ``people``)
          and ``people_gained`` (in the second, not the first: ``joined``), each
          ``[{"id", "name"}]`` sorted by id;
        - ``silos``: ``[{"group", "ei_before", "ei_after", "change", "p_before", "p_after",
          "p_closed_before", "p_closed_after", "p_open_before", "p_open_after",
          "direction_before", "direction_after"}]`` (``p_before``/``p_after``: two-sided
          p-values; ``direction``: ``"closed"``, ``"open"`` or ``"neither"``, see
          :func:`kg.analysis.silos.ei_index`), and ``silos_whole``, the same keys (without
          ``group``) for the whole network;
        - ``brokers``: ``{"before", "after", "gained", "lost", "lost_who_left", "kept"}``, each
          a list of ``{"id", "name", "betweenness"}``;
        - ``communities``: ``{"before", "after", "modularity_before", "modularity_after",
          "nmi_stayers"}`` (NMI of the two partitions over the people in both);
        - ``n_permutations``, ``alpha``, ``seed``.

        An E-I figure of a period without ties (or a group absent from it) is None.

    Examples
    --------
    >>> G1 = nx.path_graph(5)
    >>> G2 = nx.star_graph(4)
    >>> for G in (G1, G2):
    ...     nx.set_node_attributes(G, "a", "sector")
    >>> G2.add_node(5, sector="a")
    >>> G1.add_node(9, sector="a", name="Ann")
    >>> result = compare_periods(G1, G2, top=1)
    >>> result["brokers"]["gained"][0]["id"], result["people_lost"], result["people"]["left"]
    (0, [{'id': 9, 'name': 'Ann'}], 1)
    >>> row = result["silos"][0]
    >>> row["ei_before"], row["p_before"], row["direction_before"]
    (-1.0, 1.0, 'neither')

    With one group every tie is internal whatever the labels, so the test finds nothing.

    References
    ----------
    .. [1] D. Krackhardt and R. N. Stern, Social Psychology Quarterly 51(2):123-140, 1988.
    .. [2] B. Phipson and G. K. Smyth, Stat. Appl. Genet. Mol. Biol. 9(1), article 39, 2010.
    .. [3] L. Danon et al., J. Stat. Mech. P09008, 2005.
    """
    for G in (before, after):
        if not isinstance(G, nx.Graph) or G.is_directed():
            raise InvalidParameter("compare two undirected person networks")
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise InvalidParameter("top must be a positive integer")
    if not isinstance(n_permutations, int) or isinstance(n_permutations, bool) \
            or n_permutations < 0:
        raise InvalidParameter("n_permutations must be a whole number, zero or more")
    if not isinstance(alpha, int | float) or isinstance(alpha, bool) or not 0 < alpha < 1:
        raise InvalidParameter("alpha must be a number between 0 and 1")
    people_before, people_after = set(before), set(after)
    left, joined = people_before - people_after, people_after - people_before

    def ranked(G):
        values = (betweenness(G, seed=seed, exact_max_nodes=exact_max_nodes).values
                  if G.number_of_nodes() else {})
        order = sorted(values, key=lambda v: (-values[v], str(v)))[:top]
        return [{"id": v, "name": G.nodes[v].get("name"), "betweenness": values[v]}
                for v in order]

    b1, b2 = ranked(before), ranked(after)
    ids1, ids2 = {b["id"] for b in b1}, {b["id"] for b in b2}
    lost = [b for b in b1 if b["id"] not in ids2]
    r1 = _ei(before, attribute, seed, n_permutations, alpha)
    r2 = _ei(after, attribute, seed, n_permutations, alpha)
    e1 = {r["group"]: r for r in r1["groups"]} if r1 else {}
    e2 = {r["group"]: r for r in r2["groups"]} if r2 else {}
    silos = [{"group": g, **_moved(e1.get(g, {}), e2.get(g, {}))}
             for g in sorted(set(e1) | set(e2), key=str)]
    c1 = detect_communities(before, seed=seed) if before.number_of_edges() else None
    c2 = detect_communities(after, seed=seed) if after.number_of_edges() else None
    nmi = None
    stayers = people_before & people_after
    if c1 and c2 and len(stayers) > 1:
        lab1 = {v: i for i, c in enumerate(c1["communities"]) for v in c if v in stayers}
        lab2 = {v: i for i, c in enumerate(c2["communities"]) for v in c if v in stayers}
        nmi = partition_agreement(lab1, lab2)["nmi"]
    return {
        "attribute": attribute,
        "people": {"before": len(people_before), "after": len(people_after),
                   "left": len(left), "joined": len(joined), "stayed": len(stayers)},
        "people_lost": _who(before, left),
        "people_gained": _who(after, joined),
        "silos": silos,
        "silos_whole": _moved(r1 or {}, r2 or {}),
        "brokers": {
            "before": b1,
            "after": b2,
            "gained": [b for b in b2 if b["id"] not in ids1],
            "lost": lost,
            "lost_who_left": [b for b in lost if b["id"] in left],
            "kept": [b for b in b2 if b["id"] in ids1],
        },
        "communities": {
            "before": len(c1["communities"]) if c1 else 0,
            "after": len(c2["communities"]) if c2 else 0,
            "modularity_before": c1["modularity"] if c1 else None,
            "modularity_after": c2["modularity"] if c2 else None,
            "nmi_stayers": nmi,
        },
        "n_permutations": n_permutations,
        "alpha": alpha,
        "seed": seed,
    }


def _ei(G, attribute, seed, n_permutations, alpha) -> dict | None:
    if G.number_of_edges() == 0 or all(a is None for _, a in G.nodes(data=attribute)):
        return None
    return ei_index(G, attribute, n_permutations=n_permutations, seed=seed, alpha=alpha)


def _moved(x: dict, y: dict) -> dict:
    """One E-I row of the change: the two periods' index, its move and both tests."""
    a, b = x.get("ei_index"), y.get("ei_index")
    return {
        "ei_before": a, "ei_after": b, "change": None if a is None or b is None else b - a,
        "p_before": x.get("p_value"), "p_after": y.get("p_value"),
        "p_closed_before": x.get("p_closed"), "p_closed_after": y.get("p_closed"),
        "p_open_before": x.get("p_open"), "p_open_after": y.get("p_open"),
        "direction_before": x.get("direction"), "direction_after": y.get("direction"),
    }


def _who(G: nx.Graph, people: set) -> list[dict]:
    return [{"id": v, "name": G.nodes[v].get("name")} for v in sorted(people, key=str)]
