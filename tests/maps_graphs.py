"""Hand-made person graphs for the map tests (node attributes as in person_attributes)."""

from __future__ import annotations

import random

import networkx as nx

XSS_NAME = "<img src=x onerror=alert(1)>"
XSS_ORG = "</script><script>alert(2)</script>"
# Codes as the import stores them; maps show their labels (kg.labels).
SECTORS = ("acute", "community", "social_care", "primary_care")
PROFESSIONS = ("nurse", "occupational_therapist", "social_worker", "gp", "manager")


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
            level=rng.choice(["frontline", "middle", "senior"]),
            hybrid=rng.random() < 0.15,
            roles=[f"Role of person {p}"],
        )
    G.nodes["P0"]["name"] = XSS_NAME
    G.nodes["P1"]["organisation_name"] = XSS_ORG
    nodes = list(G)
    members: dict = {}
    for v in nodes:
        members.setdefault(G.nodes[v]["organisation"], []).append(v)
    for _ in range(n * mean_degree // 2):
        u = rng.choice(nodes)
        same = members[G.nodes[u]["organisation"]]
        v = rng.choice(same if rng.random() < 0.8 else nodes)
        if u != v:
            # Edge attributes as person_network makes them: layer weights and shared forums.
            shared = ("F1", "F2") if rng.random() < 0.3 else ()
            forum_weight = 0.25 if shared else 0.0
            w = rng.choice([0.5, 1.0, 2.0])
            G.add_edge(
                u, v, weight=w + forum_weight, layer_ties=w, layer_forums=forum_weight,
                layer_assets=0.0, forums=shared,
            )  # fmt: skip
    return G


def forum_info(G) -> dict:
    """Forums F1 (an OT collaborative, with a name that tries to inject markup) and F2, with
    their members: everyone on a tie that records them."""
    members: dict = {"F1": set(), "F2": set()}
    for u, v, shared in G.edges(data="forums"):
        for fid in shared or ():
            members[fid].update((u, v))
    return {
        "F1": {"name": "OT collaborative <b>", "kind": "community_of_practice",
               "members": sorted(members["F1"])},
        "F2": {"name": "Discharge forum", "kind": "mdt", "members": sorted(members["F2"])},
    }  # fmt: skip
