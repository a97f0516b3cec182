"""By default an answer is about now: the period rule, "in post", hybrid middle managers and
attendance counts, checked against the bundle's CSV files and hand-built cases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from bundle_reading import day, in_post, read_rows

from kg.analysis.projection import person_attributes, person_network
from kg.errors import InvalidParameter, NotFound
from kg.ingest import ingest_path
from kg.model import Node, NodeLabel, Relationship, RelType
from kg.queries import analyses as A
from kg.queries.period import LOOKBACK_DAYS, resolve_period
from kg.queries.snapshot import clear_cache
from kg.store.base import GraphSnapshot
from kg.store.sqlite import SQLiteStore

TODAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def demo(small_bundle, tmp_path_factory):
    store = SQLiteStore(tmp_path_factory.mktemp("period") / "kg.sqlite")
    ingest_path(store, small_bundle)
    clear_cache()
    yield store
    store.close()


def tie(a, b, start=None, end=None):
    return Relationship(RelType.TIE, f"{a}|{b}", a, b, start, end, 1.0, {"kind": "advice"})


def test_latest_date_is_the_latest_date_not_in_the_future(store):
    store.upsert([Node(NodeLabel.PERSON, p, {"name": p}) for p in "ABC"],
                 [tie("A", "B", date(2015, 3, 1), date(2030, 1, 1)),
                  tie("B", "C", date(2016, 5, 2))])
    assert store.latest_date(TODAY) == date(2016, 5, 2)  # the 2030 end is a plan, not data
    assert store.latest_date(date(2031, 1, 1)) == date(2030, 1, 1)
    assert store.latest_date(date(2000, 1, 1)) is None


def test_default_period_is_the_latest_phase_up_to_the_latest_date(demo, small_bundle):
    dates = [x for name in ("roles.csv", "attendance.csv", "ties.csv", "asset_links.csv")
             for r in read_rows(small_bundle, name)
             for x in (day(r.get("start", "")), day(r.get("end", "")), day(r.get("date", "")))
             if x and x <= TODAY]
    latest = max(dates)
    phase = max(read_rows(small_bundle, "phases.csv"), key=lambda p: p["start"])
    p = resolve_period(demo, today=TODAY)
    assert (p.rule, p.phase) == ("latest phase", phase["id"])
    assert p.start == day(phase["start"])
    assert p.end == min(day(phase["end"]), latest) and p.as_of == latest
    assert phase["name"] in p.label and p.start.isoformat() in p.label


def test_other_periods_and_bad_input(demo, small_bundle):
    ph2 = next(r for r in read_rows(small_bundle, "phases.csv") if r["id"] == "PH2")
    p = resolve_period(demo, phase=ph2["name"].upper(), today=TODAY)
    assert (p.start, p.end, p.phase) == (day(ph2["start"]), day(ph2["end"]), "PH2")
    p = resolve_period(demo, window="all", today=TODAY)
    assert (p.start, p.end, p.rule) == (None, None, "whole history")
    p = resolve_period(demo, window="2015-01-01:2015-12-31", today=TODAY)
    assert (p.start, p.end, p.as_of) == (date(2015, 1, 1), date(2015, 12, 31), date(2015, 12, 31))
    p = resolve_period(demo, as_of="2015-03-01", today=TODAY)
    assert (p.phase, p.end, p.as_of) == ("PH2", date(2015, 3, 1), date(2015, 3, 1))
    for bad in ("20150101:", "2015-W23-1:", "2015-01-01"):
        with pytest.raises(InvalidParameter):
            resolve_period(demo, window=bad)
    with pytest.raises(InvalidParameter, match="as-of"):
        resolve_period(demo, window="all", as_of="2015-01-01")
    with pytest.raises(NotFound):
        resolve_period(demo, phase="no such phase")


def test_without_phases_now_is_the_year_to_the_latest_date(store):
    store.upsert([Node(NodeLabel.PERSON, p, {"name": p}) for p in "AB"],
                 [tie("A", "B", date(2020, 6, 30))])
    p = resolve_period(store, today=TODAY)
    assert p.rule == "look-back" and p.end == date(2020, 6, 30)
    assert (p.end - p.start) == timedelta(days=LOOKBACK_DAYS - 1)


def test_current_rankings_name_no_leaver(demo, small_bundle):
    period = A.current_period(demo)
    here = in_post(small_bundle, period.in_post_on)
    everyone = {r["id"] for r in read_rows(small_bundle, "people.csv")}
    G = A.person_graph(demo)
    assert any(v not in here for v in G), "the demo's latest phase should hold some leavers"
    named = [r["id"] for r in A.brokers(demo, by="sector", between=("acute", "community"),
                                        top=10)["brokers"]]
    named += [r["id"] for r in A.brokers(demo, top=10)["brokers"]]
    named += [r["id"] for r in A.risk(demo, top=10)["people"]]
    named += [r["id"] for r in A.hybrids(demo)["hybrids"]]
    assert named and set(named) <= here and set(named) <= everyone
    assert len(A.brokers(demo, top=10)["brokers"]) == 10
    # The ranking is networkx's betweenness order among the people in post.
    import networkx as nx

    bc = nx.betweenness_centrality(G)
    ranked = sorted((v for v in G if v in here), key=lambda v: -bc[v])
    got = [r["id"] for r in A.brokers(demo, top=5)["brokers"]]
    assert [round(bc[v], 12) for v in got] == [round(bc[v], 12) for v in ranked[:5]]


def test_whole_history_names_leavers_and_flags_them(demo, small_bundle):
    period = A.current_period(demo, window="all")
    here = in_post(small_bundle, period.in_post_on)
    rows_ = A.brokers(demo, top=40, window="all")["brokers"]
    assert rows_ and all(r["in_post"] == (r["id"] in here) for r in rows_)
    assert any(not r["in_post"] for r in rows_)


def test_every_answer_says_which_period(demo):
    want = A.current_period(demo).as_dict()
    for answer in (A.communities(demo), A.silos(demo, by="sector"), A.brokers(demo),
                   A.hybrids(demo), A.risk(demo), A.assets(demo)):
        assert answer["parameters"]["period"] == want


def _snapshot(roles: list[tuple], window=(None, None)) -> GraphSnapshot:
    """People P0.. each holding (kind, level, start, end) roles."""
    people, role_nodes, held = {}, {}, []
    for i, spans in enumerate(roles):
        people[f"P{i}"] = {"name": f"P{i}"}
        for j, (kind, level, start, end) in enumerate(spans):
            rid = f"R{i}.{j}"
            role_nodes[rid] = {"title": rid, "kind": kind, "level": level}
            held.append(Relationship(RelType.HOLDS_ROLE, rid, f"P{i}", rid, start, end))
    return GraphSnapshot(1, window, nodes={NodeLabel.PERSON: people, NodeLabel.ROLE: role_nodes},
                         relationships={RelType.HOLDS_ROLE: held})


def test_hybrid_means_hybrid_middle_manager_by_hand():
    y = date
    snap = _snapshot([
        [("hybrid", "middle", y(2015, 1, 1), None)],                          # yes
        [("hybrid", "frontline", y(2015, 1, 1), None)],                       # other level
        [("clinical", "frontline", y(2014, 1, 1), None),
         ("managerial", "middle", y(2016, 1, 1), None)],                      # yes: overlap
        [("clinical", "senior", y(2014, 1, 1), None),
         ("managerial", "executive", y(2016, 1, 1), None)],                   # other level
        [("clinical", "frontline", y(2010, 1, 1), y(2012, 1, 1)),
         ("managerial", "middle", y(2013, 1, 1), None)],                      # no overlap
        [("clinical", "frontline", y(2015, 1, 1), None)],                     # not hybrid
    ])
    a = person_attributes(snap, at=y(2017, 1, 1))
    assert [a[f"P{i}"]["hybrid"] for i in range(6)] == [True, False, True, False, False, False]
    assert [a[f"P{i}"]["hybrid_any"] for i in range(6)] == [True, True, True, True, False, False]


def test_in_post():
    y = date
    snap = _snapshot([
        [("clinical", "frontline", y(2015, 1, 1), y(2016, 12, 31))],           # left
        [("clinical", "frontline", y(2015, 1, 1), None)],                       # open-ended
        [("clinical", "frontline", y(2015, 1, 1), y(2016, 1, 1)),
         ("clinical", "middle", y(2016, 6, 1), y(2018, 1, 1))],                  # moved on
    ], window=(y(2016, 1, 1), y(2017, 6, 30)))
    a = person_attributes(snap)  # "in post" at the window's end
    assert [a[f"P{i}"]["in_post"] for i in range(3)] == [False, True, True]
    no_roles = GraphSnapshot(1, nodes={NodeLabel.PERSON: {"X": {"name": "X"}}})
    assert person_attributes(no_roles)["X"]["in_post"] is True


def test_attendance_counts_weight_forum_membership_by_hand():
    people = {p: {"name": p} for p in "ABCDE"}

    def attends(p, forum, count=None):
        return Relationship(RelType.ATTENDS, f"{p}|{forum}", p, forum,
                            props={} if count is None else {"count": count})

    snap = GraphSnapshot(1, nodes={NodeLabel.PERSON: people}, relationships={RelType.ATTENDS: [
        attends("A", "F", 10), attends("B", "F", 10), attends("C", "F", 1),
        attends("D", "G"), attends("E", "G"),
    ]})
    G = person_network(snap, layers=["forums"], min_weight=0)
    # 3 members: 1/(n-1) = 1/2, scaled by each one's share of the most-attended count.
    assert G["A"]["B"]["weight"] == pytest.approx(0.5)
    assert G["A"]["C"]["weight"] == pytest.approx(0.5 * 0.1)
    assert G["B"]["C"]["weight"] == pytest.approx(0.5 * 0.1)
    assert G["D"]["E"]["weight"] == pytest.approx(1.0)  # no counts: full membership


def test_oversized_forums_are_reported_on_the_answer():
    people = {f"P{i}": {"name": str(i)} for i in range(6)}
    att = [Relationship(RelType.ATTENDS, f"P{i}|F", f"P{i}", "F") for i in range(6)]
    snap = GraphSnapshot(1, nodes={NodeLabel.PERSON: people},
                         relationships={RelType.ATTENDS: att})
    G = person_network(snap, layers=["forums"], min_weight=0, max_affiliation=5)
    assert G.number_of_edges() == 0
    assert G.graph["skipped_affiliations"] == [{"layer": "forums", "id": "F", "members": 6}]


def test_bad_as_of_is_refused(demo):
    with pytest.raises(InvalidParameter, match="YYYY-MM-DD"):
        A.brokers(demo, as_of="30/11/2026")


def test_maps_name_the_forums_people_attend_in_the_period(demo, small_bundle):
    from kg.maps import page_data
    from kg.queries import maps

    period = A.current_period(demo)
    names = {r["id"]: r["name"] for r in read_rows(small_bundle, "forums.csv")}
    attended = {r["forum_id"] for r in read_rows(small_bundle, "attendance.csv")
                if (day(r.get("start", "")) or date.min) <= period.end
                and (day(r.get("end", "")) or date.max) >= period.start}
    data = page_data(maps.network(demo))
    shown = {f["id"]: f["name"] for f in data["forums"]}
    assert set(shown) == attended  # the forums of the period, by name
    assert all(shown[f] == names[f] for f in shown)


def test_a_persons_record_lists_their_history_and_measures_now(demo, small_bundle):
    from kg.queries.people import person_detail

    period = A.current_period(demo)
    here = in_post(small_bundle, period.in_post_on)
    G = A.person_graph(demo)
    gone = next(v for v in G if v not in here)  # active in the period, left by its end
    for pid in (gone, next(v for v in G if v in here)):
        found = person_detail(demo, pid)
        want = [r for r in read_rows(small_bundle, "roles.csv") if r["person_id"] == pid]
        assert sorted(r["title"] for r in found["roles"]) == sorted(r["title"] for r in want)
        ties = read_rows(small_bundle, "ties.csv")
        assert found["ties"] == {"out": sum(t["source_id"] == pid for t in ties),
                                 "in": sum(t["target_id"] == pid for t in ties)}
        assert found["metrics"]["in_post"] == (pid in here)
        assert found["period"] == period.as_dict()
    with pytest.raises(NotFound):
        person_detail(demo, "NO-ONE")


def test_weighted_paths_are_networkx_weighted_betweenness(demo):
    import networkx as nx

    G = A.person_graph(demo)
    H = G.copy()
    for _, _, d in H.edges(data=True):
        d["distance"] = 1.0 / d["weight"]  # Newman 2001: a strong tie is a short step
    want = nx.betweenness_centrality(H, weight="distance")
    r = A.brokers(demo, top=5, paths="weighted")
    assert r["parameters"]["paths"] == "weighted" and r["betweenness"]["paths"] == "weighted"
    for row in r["brokers"]:
        assert row["betweenness"] == pytest.approx(want[row["id"]], abs=1e-9)
    assert A.brokers(demo, top=5)["betweenness"]["paths"] == "hops"
    with pytest.raises(InvalidParameter, match="paths"):
        A.brokers(demo, paths="miles")
