"""What worked: interventions.csv, the difference in differences of kg.analysis.impact against
hand counts, the demo's planted interventions recovered, and the same JSON from the command line
and the API.
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kg.analysis.impact import Boundary, intervention_impact
from kg.config import Settings, get_settings
from kg.errors import ImportValidationError, InvalidParameter, NotFound
from kg.ingest import ingest_path
from kg.ingest.template import write_templates
from kg.model import NodeLabel, RelType
from kg.queries import impact as Q
from kg.queries.snapshot import clear_cache
from kg.store.sqlite import SQLiteStore

ACUTE_COMMUNITY = Boundary("sector", ("acute", "community"))


# -- hand-built networks ----------------------------------------------------------------------
def partnership(across=(), *, social=10, n=10) -> nx.Graph:
    """``n`` people in each of acute (a0..), community (c0..) and social care (s0..); each acute
    and community person tied to the social care person of the same number (the comparison
    boundaries), and the acute-community ties ``across`` given as (i, j) pairs."""
    G = nx.Graph()
    for sector in ("acute", "community", "social_care"):
        G.add_nodes_from((f"{sector[0]}{i}", {"sector": sector}) for i in range(n))
    G.add_edges_from((f"a{i}", f"s{i}") for i in range(social))
    G.add_edges_from((f"c{i}", f"s{i}") for i in range(social))
    G.add_edges_from((f"a{i}", f"c{j}") for i, j in across)
    return G


def test_a_boundary_that_gains_k_ties_while_the_comparison_stands_still_gains_k():
    k = 10
    before = partnership()
    after = partnership([(i, i) for i in range(k)])
    r = intervention_impact(before, after, ACUTE_COMMUNITY, seed=3)
    t, c = r["ties"]["target"], r["ties"]["comparison"]
    assert (t["before"], t["after"], t["formed"], t["lost"], t["kept"]) == (0, k, k, 0, 0)
    assert (c["before"], c["after"], c["formed"], c["lost"]) == (20, 20, 0, 0)
    assert t["pairs_before"] == t["pairs_after"] == 10 * 10
    assert c["pairs_before"] == 2 * 10 * 10  # acute-social care and community-social care
    assert r["effect"]["ties"] == pytest.approx(k)
    assert r["effect"]["density"] == pytest.approx(k / 100)
    lo, hi = r["effect"]["interval"]
    assert 0 < lo <= k <= hi
    assert r["direction"] == "more"
    assert r["verdict"].startswith(f"Ties between acute and community: {k} more")


def test_a_boundary_that_loses_ties_is_fewer():
    r = intervention_impact(partnership([(i, i) for i in range(10)]), partnership(),
                            ACUTE_COMMUNITY, seed=0)
    assert r["ties"]["target"]["lost"] == 10 and r["effect"]["ties"] == pytest.approx(-10)
    assert r["effect"]["interval"][1] < 0 and r["direction"] == "fewer"


def test_no_change_cannot_be_told_apart_from_no_change():
    G = partnership([(0, 1), (2, 3), (4, 5)])
    r = intervention_impact(G, G.copy(), ACUTE_COMMUNITY, seed=0)
    assert r["effect"]["ties"] == 0 and r["effect"]["interval"] == [0, 0]
    assert r["direction"] == "cannot tell"
    assert r["verdict"].startswith("The data cannot tell: the interval includes no change")


def test_the_comparison_trend_is_taken_off_by_hand():
    """Target density 0 -> 8/100, comparison 20/200 -> 30/200: DiD 0.08 - 0.05 = 0.03 in
    density; in ties, 8 observed against 100 * (0 + 0.05) = 5 expected: 3."""
    before = partnership(social=10)
    after = partnership([(i, i) for i in range(8)], social=10)
    # the comparison gains 10 ties: acute i - social care i+1 for i < 10 (wrapping)
    after.add_edges_from((f"a{i}", f"s{(i + 1) % 10}") for i in range(10))
    r = intervention_impact(before, after, ACUTE_COMMUNITY, seed=0)
    assert r["ties"]["comparison"]["formed"] == 10
    assert r["effect"]["density"] == pytest.approx(0.08 - 0.05)
    assert r["effect"]["ties"] == pytest.approx(3)
    assert r["effect"]["expected_after"] == pytest.approx(5)


def test_a_stated_comparison_boundary_is_the_only_one_compared():
    before, after = partnership(), partnership([(0, 0)])
    after.add_edge("c1", "s2")  # community-social care gains one; acute-social care does not
    r = intervention_impact(before, after, ACUTE_COMMUNITY, comparison=[("acute", "social_care")])
    assert r["ties"]["comparison"]["formed"] == 0
    assert r["ties"]["comparison"]["pairs_before"] == 100
    assert r["comparison"]["pairs"] == [["acute", "social_care"]]


def test_people_targets_count_ties_among_them_with_ei_and_reach_by_hand():
    """Four targeted people (two acute, two community) form two ties across; everyone else
    stands still. E-I of the targeted people by sector: before their ties are a0-a1, c0-c1
    (internal) and a0-s0, a1-s1, c0-s0, c1-s1 (external): (4 - 2) / 6; after, a0-c0 and a1-c1
    are external too: (6 - 2) / 8."""
    before = partnership()
    before.add_edges_from([("a0", "a1"), ("c0", "c1")])
    after = before.copy()
    after.add_edges_from([("a0", "c0"), ("a1", "c1")])
    targeted = {"a0", "a1", "c0", "c1"}
    r = intervention_impact(before, after, targeted, seed=0)
    t = r["ties"]["target"]
    assert (t["before"], t["after"], t["formed"], t["pairs_before"]) == (2, 4, 2, 6)
    assert r["effect"]["ties"] == pytest.approx(2)
    assert r["ei"]["target_before"] == pytest.approx(2 / 6)
    assert r["ei"]["target_after"] == pytest.approx(4 / 8)
    # reach, the share of the 20 people of the other two sectors within two steps: before,
    # a0 has s0 (direct), s1 (via a1) and c0 (via s0); each targeted person likewise 3 of 20.
    # After, a0 also has c0 directly and c1 via c0 or a1: 4 of 20.
    assert r["reach"]["target_before"] == pytest.approx(3 / 20)
    assert r["reach"]["target_after"] == pytest.approx(4 / 20)
    # the 26 others: s0 and s1 reach 4 of 20 (a0, c0, a1, c1), the rest 2 of 20
    assert r["reach"]["comparison_before"] == pytest.approx((2 * 4 + 24 * 2) / 20 / 26)


def test_two_people_are_too_few_to_resample():
    before = partnership()
    after = partnership([(0, 0)])
    r = intervention_impact(before, after, {"a0", "c0"}, seed=0)
    assert r["ties"]["target"]["formed"] == 1
    assert r["effect"]["interval"] is None and r["direction"] == "cannot tell"
    assert "too few people to resample" in r["verdict"]


def test_absent_targets_are_said_not_guessed():
    r = intervention_impact(partnership(), partnership(), {"nobody"}, seed=0)
    assert r["effect"]["ties"] is None and r["direction"] == "cannot tell"
    assert "none of the targeted people" in r["verdict"]


def test_same_seed_same_answer():
    before, after = partnership(), partnership([(i, (i + 3) % 10) for i in range(6)])
    a = intervention_impact(before, after, ACUTE_COMMUNITY, seed=5)
    b = intervention_impact(before, after, ACUTE_COMMUNITY, seed=5)
    assert a == b


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((nx.DiGraph(), nx.Graph(), ACUTE_COMMUNITY), {}, "undirected"),
        ((nx.Graph(), nx.Graph(), "a0"), {}, "collection of person ids"),
        ((nx.Graph(), nx.Graph(), set()), {}, "names no one"),
        ((partnership(), partnership(), {"a0"}), {"comparison": {"a0", "a1"}}, "overlap"),
        ((partnership(), partnership(), ACUTE_COMMUNITY), {"comparison": [("acute", "community")]},
         "part of the target"),
        ((partnership(), partnership(), ACUTE_COMMUNITY), {"n_boot": 0}, "n_boot"),
        ((partnership(), partnership(), ACUTE_COMMUNITY), {"level": 1.5}, "level"),
        ((partnership(), partnership(), ACUTE_COMMUNITY), {"seed": -1}, "seed"),
        ((partnership(), partnership(), Boundary("band", ("5", "7"))), {}, "attribute 'band'"),
    ],
)
def test_bad_arguments_are_refused_up_front(args, kwargs, message):
    with pytest.raises(InvalidParameter, match=message):
        intervention_impact(*args, **kwargs)


def test_a_boundary_needs_two_groups():
    with pytest.raises(InvalidParameter, match="two different groups"):
        Boundary("sector", ("acute", "acute"))


# -- interventions.csv ------------------------------------------------------------------------
def _bundle(folder: Path, interventions: str) -> Path:
    folder.mkdir()
    (folder / "organisations.csv").write_text(
        "id,name,sector,parent_id\nO1,Acute trust,acute,\nO2,Community trust,community,\n"
        "T1,Ward 1,acute,O1\n")
    (folder / "people.csv").write_text("id,name\nP1,Ann\nP2,Bo\n")
    (folder / "forums.csv").write_text("id,name,kind\nF1,Discharge Forum,mdt\n")
    (folder / "interventions.csv").write_text(interventions)
    return folder


def test_interventions_import_with_their_targets(tmp_path):
    bundle = _bundle(tmp_path / "b", (
        "id,name,kind,date,target_kind,targets,budget\n"
        "I1,Discharge Forum,new_forum,2014-03-01,forums,F1,5000\n"
        "I2,Introductions,introduction,2014-04-01,people,P1; P2;P1\n"
        "I3,Joint venture,restructure,2018-01-01,boundary,sector:Acute|community\n"
        "I4,Ward merger,co_location,2018-02-01,boundary,team:T1|O2\n"))
    with SQLiteStore(tmp_path / "kg.sqlite") as store:
        report = ingest_path(store, bundle)
        assert report.nodes["Intervention"] == 4
        i2 = store.get_node(NodeLabel.INTERVENTION, "I2").props
        assert i2["targets"] == ["P1", "P2"] and i2["date"] == "2014-04-01"
        i3 = store.get_node(NodeLabel.INTERVENTION, "I3").props
        assert (i3["attribute"], i3["targets"]) == ("sector", ["acute", "community"])
        assert store.get_node(NodeLabel.INTERVENTION, "I1").props["budget"] == "5000"
        assert {r.target for r in store.relationships(RelType.TARGETS_PERSON)} == {"P1", "P2"}
        assert [r.target for r in store.relationships(RelType.TARGETS_FORUM)] == ["F1"]
        assert {r.target for r in store.relationships(
            RelType.TARGETS_ORGANISATION, source="I4")} == {"T1", "O2"}
        revision = store.revision()
        ingest_path(store, bundle)  # again: nothing changes
        assert store.revision() == revision
        listed = Q.interventions(store)
        assert [r["id"] for r in listed["interventions"]] == ["I1", "I2", "I3", "I4"]


def test_bad_interventions_are_each_named_by_file_row_and_column(tmp_path):
    bundle = _bundle(tmp_path / "b", (
        "id,name,kind,date,target_kind,targets\n"
        "I1,Magic,wizardry,2014-03-01,forums,F1\n"
        "I2,Forum,new_forum,2014-3-1,forums,F9\n"
        "I3,JV,restructure,2018-01-01,boundary,sector:acute|comunity\n"
        "I4,JV,restructure,2018-01-01,boundary,acute|community\n"
        "I5,Intro,introduction,2014-03-01,people,P1;P7\n"
        "I6,Merger,restructure,2014-03-01,boundary,organisation:O1|O9\n"
        "I7,Teams,other,2014-03-01,teams,T1\n"
        "I1,Again,other,2014-03-01,people,P1\n"))
    with SQLiteStore(tmp_path / "kg.sqlite") as store:
        with pytest.raises(ImportValidationError) as caught:
            ingest_path(store, bundle)
        assert store.counts()["nodes"]["Intervention"] == 0
    found = {(p.file, p.row, p.column): p.message for p in caught.value.problems}
    f = "interventions.csv"
    assert "allowed: new_forum" in found[(f, 2, "kind")]
    assert "YYYY-MM-DD" in found[(f, 3, "date")]
    assert "no Forum with id 'F9'" in found[(f, 3, "targets")]
    assert "did you mean 'community'" in found[(f, 4, "targets")]
    assert "ATTRIBUTE:GROUP|GROUP" in found[(f, 5, "targets")]
    assert "no Person with id 'P7'" in found[(f, 6, "targets")]
    assert "no Organisation with id 'O9'" in found[(f, 7, "targets")]
    assert "allowed: people, forums, organisations, boundary" in found[(f, 8, "target_kind")]
    assert "duplicate id 'I1'" in found[(f, 9, "id")]


def test_the_template_has_the_interventions_file(tmp_path):
    paths = write_templates(tmp_path / "t")
    text = (tmp_path / "t" / "interventions.csv").read_text()
    assert tmp_path / "t" / "interventions.csv" in paths
    assert "# target_kind: people, forums, organisations, boundary" in text
    assert text.splitlines()[-1] == "id,name,kind,date,target_kind,targets,description"


# -- the demo's planted interventions -----------------------------------------------------------
@pytest.fixture(scope="module")
def demo(small_bundle, tmp_path_factory):
    data = tmp_path_factory.mktemp("impact-data")
    with SQLiteStore(data / "carebridge.sqlite") as store:
        ingest_path(store, small_bundle)
    clear_cache()
    store = SQLiteStore(data / "carebridge.sqlite")
    truth = json.loads((small_bundle / "truth.json").read_text())
    yield store, data, truth, small_bundle
    store.close()


def test_the_default_windows_are_the_phases_either_side_of_the_date(demo):
    store, _, _, bundle = demo
    with open(bundle / "phases.csv", newline="") as f:
        phases = {r["id"]: r for r in csv.DictReader(f)}
    # 2014-03-01 is inside PH1: before it PH1 up to the day before; after it the rest of PH1
    # is four months, so PH2 is taken in too
    before, after, _ = Q.default_windows(store, date(2014, 3, 1))
    assert before == f"{phases['PH1']['start']}:2014-02-28"
    assert after == f"2014-03-01:{phases['PH2']['end']}"
    # a date on which a phase begins: the phase before and that phase, whole
    before, after, _ = Q.default_windows(store, date(2018, 1, 1))
    assert before == f"{phases['PH3']['start']}:{phases['PH3']['end']}"
    assert after == f"{phases['PH4']['start']}:{phases['PH4']['end']}"


def test_the_planted_interventions_are_recovered(demo):
    store, _, truth, _ = demo
    planted = {t["id"]: t for t in truth["interventions"]}
    assert {t["effect"] for t in planted.values()} == {"positive", "none"}
    for iid, t in planted.items():
        r = Q.impact(store, iid)
        if t["effect"] == "positive":
            assert r["direction"] == "more", (iid, r["verdict"])
            assert r["ties"]["target"]["formed"] >= t["pairs_tied_after"] > 0
        else:
            assert r["direction"] in ("cannot tell", "too small to matter"), (iid, r["verdict"])
            assert r["ties"]["target"]["formed"] == 0
        assert r["intervention"]["id"] == iid and r["parameters"]["before"]["end"] < t["date"]
        assert r["parameters"]["after"]["start"] == t["date"]


def test_the_ot_collaborative_is_its_planted_members(demo):
    store, _, truth, _ = demo
    ot = next(t for t in truth["interventions"] if t["id"] == "INT-OT-COLLAB")
    r = Q.impact(store, "INT-OT-COLLAB")
    assert r["target"]["people"] == len(ot["people"])


def test_an_unknown_intervention_is_not_found(demo):
    store = demo[0]
    with pytest.raises(NotFound, match="INT-DISCHARGE"):
        Q.impact(store, "NOPE")
    with pytest.raises(InvalidParameter, match="whole history"):
        Q.impact(store, "INT-DISCHARGE", before="all")


# -- the same JSON from the command line and the API ----------------------------------------
@pytest.fixture(scope="module")
def client(demo, tmp_path_factory):
    from api import create_app

    _, data, _, _ = demo
    settings = Settings(data_dir=data, output_dir=data / "out", api_keys="k-view:viewer")
    app = create_app(settings)
    yield TestClient(app, client=("10.1.2.3", 40000))
    app.state.store.close()


def _cli_json(data: Path, *args: str):
    from kg.cli import app

    get_settings.cache_clear()
    try:
        out = CliRunner().invoke(app, list(args), env={"KG_DATA_DIR": str(data)})
    finally:
        get_settings.cache_clear()
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


@pytest.mark.parametrize(("argv", "url"), [
    (["analyse", "impact", "INT-OT-COLLAB", "--format", "json"],
     "/analysis/impact/INT-OT-COLLAB"),
    (["analyse", "impact", "INT-DISCHARGE", "--before", "PH1", "--after", "PH2", "--seed", "2",
      "--format", "json"], "/analysis/impact/INT-DISCHARGE?before=PH1&after=PH2&seed=2"),
    (["analyse", "interventions", "--format", "json"], "/interventions"),
])
def test_cli_and_api_answer_the_same_json(demo, client, argv, url):
    _, data, _, _ = demo
    r = client.get(url, headers={"X-API-Key": "k-view"})
    assert r.status_code == 200, r.text
    assert r.json() == _cli_json(data, *argv)


@pytest.mark.parametrize(("url", "status"), [
    ("/analysis/impact/NOPE", 404),
    ("/analysis/impact/INT-DISCHARGE?before=2019-01-01:2013-01-01", 422),
    ("/analysis/impact/INT-DISCHARGE?by=nope", 422),
    ("/analysis/impact/INT-DISCHARGE?level=2", 422),
])
def test_bad_requests_get_a_clear_4xx(client, url, status):
    r = client.get(url, headers={"X-API-Key": "k-view"})
    assert r.status_code == status and r.json()["detail"]


def test_the_routes_need_a_key(client):
    assert client.get("/interventions").status_code == 401


def test_a_bundle_without_interventions_lists_none(tmp_path, small_bundle):
    copy = tmp_path / "bundle"
    shutil.copytree(small_bundle, copy)
    (copy / "interventions.csv").unlink()
    with SQLiteStore(tmp_path / "kg.sqlite") as store:
        ingest_path(store, copy)
        assert Q.interventions(store) == {"interventions": [], "count": 0}
