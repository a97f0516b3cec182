"""Hand-made person graphs for the map tests (node attributes as in person_attributes)."""

from __future__ import annotations

import random

import networkx as nx

XSS_NAME = "<img src=x onerror=alert(1)>"
XSS_ORG = "</script><script>alert(2)</script>"
SECTORS = ("acute", "community health", "social care", "primary care")
PROFESSIONS = ("nurse", "occupational therapist", "social worker", "GP", "manager")


def person_graph(n: int = 60, *, organisations: int = 6, mean_degree: int = 6, seed: int = 7):
    """Random person graph with organisations, sectors and professions; ties mostly inside an
    organisation, so there are silos to see. Person ``P0`` carries a script-injection name."""
    rng = random.Random(seed)
    G = nx.Graph(window=None, revision=1)
    orgs = [(f"O{i}", f"Organisation {i}", SECTORS[i % len(SECTORS)]) for i in range(organisations)]
    for p in range(n):
        org_id, org_name, sector = orgs[p % organisations]
        G.add_node(
            f"P{p}",
            name=f"Person {p}",
            profession=PROFESSIONS[rng.randrange(len(PROFESSIONS))],
            band=None,
            organisation=org_id,
            organisation_name=org_name,
            team=None,
            sector=sector,
            role_kind=rng.choice(["clinical", "managerial", "hybrid"]),
            level=rng.choice(["front line", "middle", "senior"]),
            hybrid=rng.random() < 0.15,
            roles=[],
        )
    G.nodes["P0"]["name"] = XSS_NAME
    G.nodes["P1"]["organisation_name"] = XSS_ORG
    nodes = list(G)
    for _ in range(n * mean_degree // 2):
        u = rng.choice(nodes)
        same = [v for v in nodes if G.nodes[v]["organisation"] == G.nodes[u]["organisation"]]
        v = rng.choice(same if rng.random() < 0.8 else nodes)
        if u != v:
            w = rng.choice([0.5, 1.0, 2.0])
            G.add_edge(u, v, weight=w, ties=w, forums=0.0, assets=0.0, teams=0.0)
            G.edges[u, v]["forums"] = ("F1", "F2") if rng.random() < 0.3 else ()
    return G
