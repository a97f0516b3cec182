"""The demo partnership: reproducible, importable, and carrying the structure it claims to plant.

The structure is checked by counting ties straight from the CSV files, independently of the
analysis package.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter, defaultdict

import pytest

from kg.demo import generate_bundle
from kg.errors import InvalidParameter
from kg.ingest import ingest_path
from kg.store.sqlite import SQLiteStore


def _rows(folder, name):
    with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _sector_of_people(folder):
    """Each person's sector, from their first role's organisation (teams follow parent_id)."""
    orgs = {r["id"]: r for r in _rows(folder, "organisations")}
    sector = {}
    for r in _rows(folder, "roles"):
        sector.setdefault(r["person_id"], orgs[r["organisation_id"]]["sector"])
    return sector


def test_same_seed_same_bundle_other_seed_other_bundle(tmp_path, small_bundle):
    again = tmp_path / "again"
    generate_bundle(again, size="small", seed=7)
    assert _digest(again) == _digest(small_bundle)
    other = tmp_path / "other"
    generate_bundle(other, size="small", seed=8)
    assert _digest(other)["ties.csv"] != _digest(small_bundle)["ties.csv"]


def test_unknown_size_is_refused(tmp_path):
    with pytest.raises(InvalidParameter, match="small, medium, large"):
        generate_bundle(tmp_path, size="huge")


def test_bundle_imports_cleanly_and_matches_its_truth(tmp_path, small_bundle):
    truth = json.loads((small_bundle / "truth.json").read_text())
    with SQLiteStore(tmp_path / "kg.sqlite") as store:
        ingest_path(store, small_bundle)
        counts = store.counts()
    assert counts["nodes"]["Person"] == truth["counts"]["people"]
    assert counts["relationships"]["TIE"] == truth["counts"]["ties"]
    assert counts["nodes"]["Phase"] == 4
    assert 250 <= truth["counts"]["people"] <= 450  # "small" is about 300 people
    # Every person is in exactly one planted community.
    members = [m for c in truth["communities"] for m in c["members"]]
    assert len(members) == len(set(members)) == truth["counts"]["people"]
    kinds = Counter(c["kind"] for c in truth["communities"])
    assert kinds["community_of_practice"] >= 5 and kinds["organisational_cluster"] >= 10


def test_planted_silos_keep_their_ties_inside(small_bundle):
    truth = json.loads((small_bundle / "truth.json").read_text())
    sector = _sector_of_people(small_bundle)
    internal, external = Counter(), Counter()
    for t in _rows(small_bundle, "ties"):
        a, b = sector[t["source_id"]], sector[t["target_id"]]
        for s in {a, b}:
            (internal if a == b else external)[s] += 1
    ei = {s: (external[s] - internal[s]) / (external[s] + internal[s]) for s in internal}
    closed = truth["silos"]["sector"]
    assert closed == ["mental_health", "acute"]
    assert max(ei[s] for s in closed) < min(ei["voluntary"], ei["commissioner"])
    assert all(ei[s] < -0.5 for s in closed)


def test_planted_brokers_cross_sectors_far_more_than_others(small_bundle):
    truth = json.loads((small_bundle / "truth.json").read_text())
    sector = _sector_of_people(small_bundle)
    crossing = defaultdict(int)
    for t in _rows(small_bundle, "ties"):
        if sector[t["source_id"]] != sector[t["target_id"]]:
            crossing[t["source_id"]] += 1
            crossing[t["target_id"]] += 1
    brokers = {b["id"] for b in truth["brokers"]}
    others = [crossing[p] for p in sector if p not in brokers]
    assert min(crossing[b] for b in brokers) > 3 * (sum(others) / len(others))
    # and they are hybrid middle managers in the care sectors
    roles = {r["person_id"]: r for r in _rows(small_bundle, "roles")}
    assert all(roles[b]["level"] == "middle" for b in brokers)
    assert {b["sector"] for b in truth["brokers"]} <= {
        "acute", "community", "mental_health", "social_care"}


def test_time_structure_follows_the_phases(small_bundle):
    truth = json.loads((small_bundle / "truth.json").read_text())
    left = [b["left"] for b in truth["brokers"] if b["left"]]
    assert left and all("2016-07-01" <= d <= "2017-12-31" for d in left)
    # Peer learning died in the reversal: its attendance ends in 2016.
    peer = [a for a in _rows(small_bundle, "attendance") if a["forum_id"].startswith("F-PEER")]
    assert peer and all(a["end"] and a["end"] <= "2016-09-30" for a in peer)
    # Turnover: some people hold two roles one after the other.
    spans = defaultdict(list)
    for r in _rows(small_bundle, "roles"):
        spans[r["person_id"]].append((r["start"], r["end"]))
    assert any(len(s) == 2 and s[0][1] and s[1][0] > s[0][1] for s in spans.values())


def test_kg_demo_runs_the_main_job_and_a_second_run_changes_nothing(tmp_path, monkeypatch):
    """``kg demo --no-serve``: import, analyse, maps, findings and the report; run again, the
    store's revision stays where it was."""
    from typer.testing import CliRunner

    from kg.cli import app
    from kg.config import get_settings

    monkeypatch.setenv("KG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KG_OUTPUT_DIR", str(tmp_path / "out"))
    get_settings.cache_clear()
    try:
        first = CliRunner().invoke(app, ["demo", "--no-serve"])
        assert first.exit_code == 0, first.output
        with SQLiteStore(tmp_path / "data" / "carebridge.sqlite") as store:
            revision = store.revision()
            people = store.counts()["nodes"]["Person"]
        second = CliRunner().invoke(app, ["demo", "--no-serve"])
        assert second.exit_code == 0, second.output
        with SQLiteStore(tmp_path / "data" / "carebridge.sqlite") as store:
            assert store.revision() == revision and store.counts()["nodes"]["Person"] == people
    finally:
        get_settings.cache_clear()
    truth = json.loads(next((tmp_path / "data").glob("demo-bundle-*/truth.json")).read_text())
    assert people == truth["counts"]["people"]
    out = tmp_path / "out"
    for name in ("report.html", "findings.json", "maps/network.html", "maps/organisations.html",
                 "maps/communities.html", "maps/bridges-acute-community.html"):
        assert (out / name).stat().st_size > 1000, name
    findings = json.loads((out / "findings.json").read_text())
    assert {f["topic"] for f in findings["findings"]} >= {"silos", "bridges", "key_person_risk"}
    assert "Findings" in first.output  # the analysis table was printed


def test_kg_demo_replaces_another_demo_and_never_blends_or_touches_user_data(tmp_path,
                                                                             monkeypatch):
    import csv

    from typer.testing import CliRunner

    from kg.cli import app
    from kg.config import get_settings
    from kg.model import Node, NodeLabel

    monkeypatch.setenv("KG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KG_OUTPUT_DIR", str(tmp_path / "out"))
    get_settings.cache_clear()
    try:
        for seed in ("7", "8"):
            run = CliRunner().invoke(app, ["demo", "--no-serve", "--seed", seed])
            assert run.exit_code == 0, run.output
        assert "Replacing the small demo partnership (seed 7)" in run.output
        bundle = tmp_path / "data" / "demo-bundle-small-8"
        with open(bundle / "people.csv", newline="") as f:
            want = {r["id"] for r in csv.DictReader(x for x in f if not x.startswith("#"))}
        with SQLiteStore(tmp_path / "data" / "carebridge.sqlite") as store:
            got = {n.id for n in store.find_nodes(NodeLabel.PERSON)}
        assert got == want  # the seed-8 partnership only, nothing left of seed 7
        # A store holding someone's own partnership is never cleared by the demo.
        monkeypatch.setenv("KG_DATA_DIR", str(tmp_path / "mine"))
        get_settings.cache_clear()
        with SQLiteStore(tmp_path / "mine" / "carebridge.sqlite") as store:
            store.upsert([Node(NodeLabel.PERSON, "ME", {"name": "Me"})])
        refused = CliRunner().invoke(app, ["demo", "--no-serve"])
        assert refused.exit_code != 0
        with SQLiteStore(tmp_path / "mine" / "carebridge.sqlite") as store:
            assert [n.id for n in store.find_nodes(NodeLabel.PERSON)] == ["ME"]
    finally:
        get_settings.cache_clear()
