"""Time map generation (server side) against plain pyvis, side by side.

    .venv/bin/python bench/bench_maps.py [--repeat 3]

For each size, Carebridge's ``network_map`` (server-side layout, inlined vis-network, escaped data)
and pyvis (``Network(...).from_nx(G)`` + ``generate_html()`` with vis-network inlined; no layout,
the browser would run physics) render the same synthetic partnership graph. Prints median seconds,
page size and the ratio ours / pyvis. Goal (issue 4): a 2,000-node map in <= 1 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import networkx as nx
from pyvis.network import Network

from kg.maps import network_map

SECTORS = ("acute", "community health", "social care", "primary care", "mental health")
PROFESSIONS = ("nurse", "occupational therapist", "physiotherapist", "social worker", "GP")


def partnership_graph(n: int, *, organisations: int = 20, mean_degree: int = 8, seed: int = 7):
    """Sparse person graph: 80% of ties inside an organisation, forum-style weights."""
    rng = random.Random(seed)
    G = nx.Graph()
    members: dict[int, list[str]] = {o: [] for o in range(organisations)}
    for p in range(n):
        o = rng.randrange(organisations)
        node = f"P{p}"
        members[o].append(node)
        G.add_node(
            node,
            name=f"Person {p}",
            organisation=f"O{o}",
            organisation_name=f"Organisation {o}",
            sector=SECTORS[o % len(SECTORS)],
            profession=rng.choice(PROFESSIONS),
            role_kind=rng.choice(("clinical", "managerial", "hybrid")),
            level=rng.choice(("front line", "middle", "senior")),
            hybrid=rng.random() < 0.1,
        )
    nodes = list(G)
    for _ in range(n * mean_degree // 2):
        u = rng.choice(nodes)
        pool = members[int(G.nodes[u]["organisation"][1:])] if rng.random() < 0.8 else nodes
        v = rng.choice(pool)
        if u != v:
            w = rng.choice((0.25, 0.5, 1.0, 2.0))
            G.add_edge(u, v, weight=w, ties=w, forums=())
    return G


def median_seconds(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def pyvis_html(G: nx.Graph) -> str:
    net = Network(height="800px", width="100%", cdn_resources="in_line")
    net.from_nx(G)
    return net.generate_html()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    network_map(partnership_graph(50))  # warm up: read and cache the inlined assets once
    pyvis_html(partnership_graph(50))
    cases = [
        ("500 people, drawn individually", 500, {"max_nodes": 1500}),
        ("2,000 people, drawn individually", 2000, {"max_nodes": 2500}),
        ("5,000 people, aggregated (default limit 1,500)", 5000, {}),
        ("5,000 people, drawn individually", 5000, {"max_nodes": 6000}),
    ]
    print(f"{'case':<48} {'edges':>7} {'ours s':>8} {'pyvis s':>8} {'ratio':>6} {'ours KB':>8} "
          f"{'pyvis KB':>9}")  # fmt: skip
    for label, n, options in cases:
        G = partnership_graph(n)
        degree = nx.degree_centrality(G)
        ours, html = median_seconds(
            lambda G=G, d=degree, o=options: network_map(G, size_by=d, size_label="degree", **o),
            args.repeat,
        )
        theirs, baseline = median_seconds(lambda G=G: pyvis_html(G), args.repeat)
        print(
            f"{label:<48} {G.number_of_edges():>7,} {ours:>8.3f} {theirs:>8.3f} "
            f"{ours / theirs:>6.2f} {len(html) / 1024:>8.0f} {len(baseline) / 1024:>9.0f}"
        )
    print(
        "\nours includes the server-side layout (igraph Fruchterman-Reingold) and physics off;"
        "\npyvis computes no layout (the browser runs physics) and its page still loads Bootstrap"
        "\nfrom a CDN. Goal: 2,000-node map <= 1 s."
    )


if __name__ == "__main__":
    main()
