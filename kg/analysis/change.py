"""Change between two periods: how silos, brokers and communities moved.

Pure functions of two person networks (e.g. the projections of two phases). People who are in
the first network but not the second have left (or stopped appearing in the data); the brokers
lost are split into those who left and those still there but no longer brokering.

References
----------
.. [1] D. Krackhardt and R. N. Stern, Social Psychology Quarterly 51(2):123-140, 1988.
.. [2] V. D. Blondel et al., J. Stat. Mech. P10008, 2008.
"""

from __future__ import annotations

import networkx as nx

from kg.analysis.brokers import betweenness
from kg.analysis.communities import detect_communities
from kg.analysis.silos import ei_index, partition_agreement
from kg.errors import InvalidParameter

__all__ = ["compare_periods"]


def compare_periods(
    before: nx.Graph,
    after: nx.Graph,
    *,
    attribute: str = "sector",
    top: int = 20,
    seed: int = 0,
    permutations: int = 199,
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
    permutations : int, default 199
        Label permutations for each period's E-I p-values.
    exact_max_nodes : int, default 5000
        Largest network whose betweenness is exact (see
        :func:`kg.analysis.brokers.betweenness`).

    Returns
    -------
    dict
        ``{"people": {"before", "after", "left", "joined", "stayed"},
        "silos": [{"group", "ei_before", "ei_after", "change", "p_before", "p_after"}],
        "brokers": {"before": [ids], "after": [ids], "gained": [...], "lost": [...],
        "lost_who_left": [...], "kept": [...]},
        "communities": {"before", "after", "modularity_before", "modularity_after",
        "nmi_stayers"}}``; each broker entry is ``{"id", "name", "betweenness"}``.

    Examples
    --------
    >>> G1 = nx.path_graph(5)
    >>> G2 = nx.star_graph(4)
    >>> for G in (G1, G2):
    ...     nx.set_node_attributes(G, "a", "sector")
    >>> compare_periods(G1, G2, top=1)["brokers"]["gained"][0]["id"]
    0
    """
    for G in (before, after):
        if not isinstance(G, nx.Graph) or G.is_directed():
            raise InvalidParameter("compare two undirected person networks")
    if not isinstance(top, int) or top < 1:
        raise InvalidParameter("top must be a positive integer")
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
    silos = []
    e1 = _ei(before, attribute, seed, permutations)
    e2 = _ei(after, attribute, seed, permutations)
    for g in sorted(set(e1) | set(e2), key=str):
        x, y = e1.get(g, {}), e2.get(g, {})
        a, b = x.get("ei_index"), y.get("ei_index")
        silos.append({
            "group": g, "ei_before": a, "ei_after": b,
            "change": None if a is None or b is None else b - a,
            "p_before": x.get("p_value"), "p_after": y.get("p_value"),
        })
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
        "silos": silos,
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
    }


def _ei(G, attribute, seed, permutations) -> dict:
    if G.number_of_edges() == 0 or all(a is None for _, a in G.nodes(data=attribute)):
        return {}
    result = ei_index(G, attribute, permutations=permutations, seed=seed)
    return {r["group"]: r for r in result["groups"]}
