"""Reader for the Lazega law firm Pajek file (``tests/data/lazega``, cited there), for tests.

The file holds one vertex list, three arc relations tagged ``1:`` advice, ``2:`` friendship and
``3:`` co-work, and partitions/vectors (office, practice, status, ...), one value per line.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

PATH = Path(__file__).resolve().parent / "data" / "lazega" / "Lazega-Law-Firm.paj"
RELATIONS = {"advice": "1", "friendship": "2", "cowork": "3"}
OFFICES = {1: "Boston", 2: "Hartford", 3: "Providence"}
PRACTICES = {1: "litigation", 2: "corporate"}


def read_lazega(relation: str, *, directed: bool) -> nx.Graph:
    """One relation as a graph; nodes 1..71 with attributes office, practice, status, name."""
    tag = RELATIONS[relation]
    lines = PATH.read_text().splitlines()
    G = nx.DiGraph() if directed else nx.Graph()
    partitions: dict[str, list[int]] = {}
    section = None
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("%"):
            continue
        if stripped.startswith("*"):
            head = stripped.lower()
            if head.startswith("*partition") or head.startswith("*vector"):
                section = ("partition", stripped.split()[1].split(".")[0])
                partitions[section[1]] = []
            elif head.startswith("*vertices") and section and section[0] == "partition":
                pass  # the count line inside a partition
            elif head.startswith("*vertices"):
                section = ("vertices", None)
            elif head.startswith("*arcs"):
                section = ("arcs", None)
            else:
                section = None
            continue
        if section is None:
            continue
        kind, name = section
        if kind == "vertices":
            number, label = stripped.split(maxsplit=1)
            G.add_node(int(number), name=label.strip('"'))
        elif kind == "arcs":
            rel, rest = stripped.split(":", 1)
            if rel.strip() != tag:
                continue
            u, v, _w = rest.split()
            if u != v:
                G.add_edge(int(u), int(v))
        elif kind == "partition":
            partitions[name].append(int(float(stripped)))
    for v in G:
        G.nodes[v]["office"] = OFFICES[partitions["office"][v - 1]]
        G.nodes[v]["practice"] = PRACTICES[partitions["practice"][v - 1]]
        G.nodes[v]["status"] = "partner" if partitions["status"][v - 1] == 1 else "associate"
    return G
