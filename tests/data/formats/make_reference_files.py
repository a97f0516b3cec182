"""Write the reference-tool files of this folder with networkx (run from the repository root).

    .venv/bin/python tests/data/formats/make_reference_files.py

``care.graphml``, ``care.gexf`` and ``care.net`` hold the same small directed care network
(:func:`care_network`); ``karate.graphml`` is Zachary's karate club as networkx ships it (two
clubs, weighted edges). The tests read each file back with networkx (the reference reader) and
compare what ``kg ingest`` imported with it. The other files of this folder were typed by hand
from their formats' published specifications (see README.md).
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

HERE = Path(__file__).resolve().parent


def care_network() -> nx.DiGraph:
    """Eight people in three organisations (one team), with advice and referral ties."""
    G = nx.DiGraph()
    people = [
        ("P01", "Alex Morgan", "Westbridge Hospitals", "acute", "occupational_therapist",
         "hybrid", "middle"),
        ("P02", "Sam Lee", "Westbridge Hospitals", "acute", "nurse", "clinical", "frontline"),
        ("P03", "José Núñez", "Tri-Borough Community Health", "community", "physiotherapist",
         "clinical", "frontline"),
        ("P04", "Kim Patel", "Tri-Borough Community Health", "community", "nurse",
         "managerial", "senior"),
        ("P05", "Ruth O'Neil", "Riverside Adult Social Care", "social_care", "social_worker",
         "clinical", "frontline"),
        ("P06", "Dev Shah", "Riverside Adult Social Care", "social_care", "social_worker",
         "hybrid", "middle"),
        ("P07", "Ola Nowak", "Westbridge Hospitals", "acute", "doctor", "clinical", "senior"),
        ("P08", "Lin Chen", "", "", "", "", ""),  # no organisation: a person without a role
    ]
    for pid, name, org, sector, profession, kind, level in people:
        attrs = {"name": name, "organisation": org, "sector": sector,
                 "profession": profession, "role_kind": kind, "level": level}
        G.add_node(pid, **{k: v for k, v in attrs.items() if v})
    G.nodes["P02"]["team"] = "Discharge team"
    G.nodes["P07"]["team"] = "Discharge team"
    G.nodes["P01"]["pronouns"] = "they"  # not a bundle field: kept as a property
    ties = [
        ("P02", "P01", "advice", 3.0), ("P01", "P04", "advice", 1.0),
        ("P04", "P01", "referral", 2.5), ("P03", "P04", "advice", 1.0),
        ("P05", "P06", "advice", 2.0), ("P06", "P01", "referral", 1.0),
        ("P06", "P04", "information", 0.5), ("P07", "P02", "supervision", 4.0),
        ("P08", "P03", "collaboration", 1.0),
    ]
    for u, v, kind, weight in ties:
        G.add_edge(u, v, kind=kind, weight=weight)
    return G


def main() -> None:
    G = care_network()
    nx.write_graphml(G, HERE / "care.graphml")
    nx.write_gexf(G, HERE / "care.gexf")
    nx.write_pajek(G, HERE / "care.net")
    K = nx.karate_club_graph()
    for _, _, d in K.edges(data=True):
        d["weight"] = float(d["weight"])
    nx.write_graphml(K, HERE / "karate.graphml")


if __name__ == "__main__":
    main()
