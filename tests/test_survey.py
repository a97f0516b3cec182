"""The roster survey: definition, store, links, the respondent's routes, status and close.

Checked against independent counts: the roster against the bundle's own CSV files, the
type-ahead against a brute-force scan of the names, the ties against the answers the test
itself sent, the response rates against a hand count."""

from __future__ import annotations

import csv
import hashlib
import json
import random
import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api import create_app
from api.ratelimit import TokenBucket
from kg.cli import app as cli
from kg.config import Settings, get_settings
from kg.ingest import ingest_path
from kg.model import Node, NodeLabel, Relationship, RelType, TieKind
from kg.store.sqlite import SQLiteStore
from kg.survey import (
    RosterIndex,
    SurveyStore,
    close_survey,
    load_definition_file,
    opted_out,
    parse_definition,
    parse_scale,
    survey_status,
)
from kg.survey.errors import SurveyClosed, SurveyDefinitionError
from kg.survey.limits import MAX_BODY_BYTES, MAX_NAMES, WRITES_PER_MINUTE
from kg.survey.search import name_words
from kg.survey.service import create_survey, write_links

TODAY = date.today()
ADMIN, VIEWER = "survey-admin-key", "survey-viewer-key"
BASE = "https://survey.example.org"


def definition(**over) -> dict:
    data = {
        "id": "discharge",
        "name": "Who do you work with on discharge?",
        "opens": (TODAY - timedelta(days=3)).isoformat(),
        "closes": (TODAY + timedelta(days=14)).isoformat(),
        "consent": "Your answers map how the partnership works.\n\nYou may opt out.",
        "questions": [
            {"id": "advice", "text": "Whom do you ask for advice about discharge?",
             "kind": "advice", "scale": ["monthly", "weekly", "daily"]},
            {"id": "referral", "text": "To whom do you refer patients?", "kind": "referral"},
        ],
        "roster": {"sectors": ["acute", "community", "social_care"]},
    }
    data.update(over)
    return data


@pytest.fixture(scope="module")
def template(tmp_path_factory, small_bundle) -> Path:
    """The small demo partnership in a store file, copied by each test that needs one."""
    data = tmp_path_factory.mktemp("survey-template")
    with SQLiteStore(data / "carebridge.sqlite") as store:
        ingest_path(store, small_bundle)
    return data / "carebridge.sqlite"


@pytest.fixture
def data_dir(tmp_path, template) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(template, data / "carebridge.sqlite")
    return data


class Env:
    """A served survey over the demo partnership: the app, its client, everyone's token."""

    def __init__(self, data_dir: Path, tmp: Path, **over):
        self.data_dir = data_dir
        self.app = create_app(Settings(data_dir=data_dir, api_keys=f"{ADMIN}:admin,"
                                       f"{VIEWER}:viewer"))
        self.client = TestClient(self.app)
        self.graph = self.app.state.store
        self.surveys = SurveyStore.in_data_dir(data_dir)
        self.definition = parse_definition(definition(**over))
        create_survey(self.graph, self.surveys, self.definition)
        self.links = tmp / f"links-{self.definition.id}.csv"
        write_links(self.surveys, self.definition.id, self.links, base_url=BASE)
        with open(self.links, newline="", encoding="utf-8") as f:
            self.rows = list(csv.DictReader(f))
        self.token = {row["person_id"]: row["link"].rsplit("/", 1)[1] for row in self.rows}
        self.r = {e.person_id: r for r, e in self.surveys.roster(self.definition.id)}
        self.person = {r: p for p, r in self.r.items()}

    def url(self, person: str, tail: str = "") -> str:
        return f"/s/{self.token[person]}{tail}"

    def post(self, person: str, tail: str, body) -> object:
        return self.client.post(self.url(person, tail), json=body)

    def answer(self, person: str, answers: dict):
        assert self.post(person, "/consent", {"consent": True}).status_code == 200
        return self.post(person, "/answers", {"answers": answers})

    def close(self):
        self.client.close()
        self.surveys.close()
        self.graph.close()


@pytest.fixture
def env(data_dir, tmp_path):
    e = Env(data_dir, tmp_path)
    yield e
    e.close()


# -- the definition ---------------------------------------------------------------------------


def test_scale_labels_become_weights_in_their_order():
    assert [(p.label, p.weight) for p in parse_scale("monthly, weekly, daily")] == [
        ("monthly", 1.0), ("weekly", 2.0), ("daily", 3.0)]
    assert [p.weight for p in parse_scale(["rarely", "often"])] == [1.0, 2.0]
    explicit = parse_scale([{"label": "a little", "weight": 0.5}, {"label": "a lot", "weight": 4}])
    assert [(p.label, p.weight) for p in explicit] == [("a little", 0.5), ("a lot", 4.0)]
    assert parse_scale(None) == () and parse_scale("") == ()
    for bad in (["only"], ["a", "A"], [{"label": "x", "weight": 0}, "y"], [{"weight": 1}, "y"],
                [str(i) for i in range(11)], 3):
        with pytest.raises(ValueError):
            parse_scale(bad)
    q = parse_definition(definition()).question("advice")
    assert (q.weight("monthly"), q.weight("daily")) == (1.0, 3.0)
    with pytest.raises(ValueError):
        q.weight("hourly")


def test_a_definition_names_every_problem_at_once():
    bad = definition(id="no spaces", opens="2026-13-01", closes="01/03/2026", consent="",
                     questionz=[], roster={"sectors": ["acutee"], "orgs": ["X"]})
    bad["questions"] = [
        {"id": "a", "text": "First?", "kind": "advise"},
        {"id": "a", "text": "", "kind": "referral", "scale": ["only one"]},
        {"text": "Third?", "kind": "advice", "colour": "red"},
    ]
    with pytest.raises(SurveyDefinitionError) as caught:
        parse_definition(bad, "bad.toml")
    where = {(p.column, p.message.split(" (")[0][:25]) for p in caught.value.problems}
    columns = {p.column for p in caught.value.problems}
    assert {"id", "opens", "closes", "consent", "questionz", "roster.sectors", "roster.orgs",
            "questions[1].kind", "questions[2].id", "questions[2].text", "questions[2].scale",
            "questions[3].colour"} <= columns, where
    messages = " | ".join(p.message for p in caught.value.problems)
    assert "did you mean 'advice'" in messages and "did you mean 'questions'" in messages
    assert "did you mean 'acute'" in messages
    assert all(p.file == "bad.toml" for p in caught.value.problems)
    with pytest.raises(SurveyDefinitionError, match="before the opening date"):
        parse_definition(definition(opens="2026-03-10", closes="2026-03-01"))


def test_toml_and_json_files_give_the_same_definition(tmp_path):
    toml = tmp_path / "survey.toml"
    toml.write_text("""
id = "discharge"
name = "Who do you work with on discharge?"
opens = 2026-03-02
closes = 2026-03-20
consent = "I agree."
[roster]
sectors = ["acute"]
[[questions]]
id = "advice"
text = "Whom do you ask?"
kind = "advice"
scale = ["monthly", "weekly", "daily"]
""", encoding="utf-8")
    as_toml = parse_definition(load_definition_file(toml))
    js = tmp_path / "survey.json"
    js.write_text(json.dumps(as_toml.as_dict()), encoding="utf-8")
    assert parse_definition(load_definition_file(js)) == as_toml
    assert as_toml.opens == date(2026, 3, 2) and as_toml.questions[0].kind is TieKind.ADVICE
    broken = tmp_path / "broken.toml"
    broken.write_text("id = [", encoding="utf-8")
    with pytest.raises(SurveyDefinitionError, match="not valid TOML"):
        load_definition_file(broken)


# -- the roster and the store -----------------------------------------------------------------


def _in_post_by_sector(bundle: Path, on: date, sectors: set[str]) -> set[str]:
    """Independently of kg.survey.roster: people with a role covering ``on`` at an
    organisation (or a team of one) in ``sectors``, read from the bundle's CSV files."""
    def rows(name):
        with open(bundle / name, newline="", encoding="utf-8") as f:
            return [r for r in csv.DictReader(line for line in f if not line.startswith("#"))]
    orgs = {r["id"]: r for r in rows("organisations.csv")}

    def sector(org):
        while orgs[org].get("parent_id"):
            org = orgs[org]["parent_id"]
        return orgs[org]["sector"]
    found = set()
    for role in rows("roles.csv"):
        start = date.fromisoformat(role["start"]) if role.get("start") else date.min
        end = date.fromisoformat(role["end"]) if role.get("end") else date.max
        if start <= on <= end and sector(role["organisation_id"]) in sectors:
            found.add(role["person_id"])
    return found


def test_the_roster_is_who_is_in_post_in_the_chosen_sectors(env, small_bundle):
    roster = env.surveys.roster("discharge")
    expected = _in_post_by_sector(small_bundle, env.definition.opens,
                                  {"acute", "community", "social_care"})
    assert {e.person_id for _, e in roster} == expected
    assert all(e.organisation and e.role and e.sector for _, e in roster)
    assert len({r for r, _ in roster}) == len(roster)


def test_creating_again_changes_nothing_and_questions_freeze_once_answered(env):
    again = create_survey(env.graph, env.surveys, env.definition)
    assert (again.status, again.roster_added, again.roster_updated) == ("unchanged", 0, 0)
    later = parse_definition(definition(closes=(TODAY + timedelta(days=30)).isoformat()))
    assert create_survey(env.graph, env.surveys, later).status == "updated"
    assert env.surveys.get("discharge").definition.closes == later.closes
    someone, other = env.rows[0]["person_id"], env.rows[1]["person_id"]
    assert env.answer(someone, {"referral": [{"r": env.r[other]}]}).status_code == 200
    changed = definition(closes=later.closes.isoformat())
    changed["questions"] = changed["questions"][:1]
    with pytest.raises(Exception, match="questions cannot change"):
        create_survey(env.graph, env.surveys, parse_definition(changed))
    assert len(env.surveys.get("discharge").definition.questions) == 2


def test_tokens_are_stored_only_as_their_hashes(env):
    tokens = list(env.token.values())
    assert len(set(tokens)) == len(tokens) == len(env.surveys.roster("discharge"))
    assert all(len(t) == 43 for t in tokens)  # secrets.token_urlsafe(32)
    env.surveys.close()
    raw = b"".join(p.read_bytes() for p in env.data_dir.glob("surveys.sqlite*"))
    assert not any(t.encode() in raw for t in tokens)
    with sqlite3.connect(env.data_dir / "surveys.sqlite") as conn:
        stored = {row[0] for row in conn.execute("SELECT hash FROM tokens")}
    assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    assert (env.data_dir / "surveys.sqlite").stat().st_mode & 0o077 == 0
    assert env.links.stat().st_mode & 0o077 == 0


def test_links_are_written_once_and_a_lost_one_can_be_replaced(env, tmp_path):
    assert [r["link"].startswith(f"{BASE}/s/") for r in env.rows] == [True] * len(env.rows)
    again = tmp_path / "again.csv"
    assert write_links(env.surveys, "discharge", again, base_url=BASE) == []
    assert not again.exists()
    person = env.rows[0]["person_id"]
    old = env.token[person]
    replaced = write_links(env.surveys, "discharge", again, base_url=BASE, reissue=True,
                           people=[person])
    assert [e.person_id for e in replaced] == [person]
    with open(again, newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert env.client.get(f"/s/{old}").status_code == 404
    assert env.client.get(f"/s/{row['link'].rsplit('/', 1)[1]}").status_code == 200
    with pytest.raises(Exception, match="base-url"):
        write_links(env.surveys, "discharge", tmp_path / "x.csv", base_url=None)
    with pytest.raises(Exception, match="exists"):
        write_links(env.surveys, "discharge", again, base_url=BASE, reissue=True)


def test_a_link_file_that_cannot_be_written_leaves_no_token(env, tmp_path, monkeypatch):
    person = env.rows[0]["person_id"]
    with sqlite3.connect(env.data_dir / "surveys.sqlite") as conn:
        conn.execute("DELETE FROM tokens WHERE person_id = ?", (person,))  # a new respondent
    count = "SELECT COUNT(*) FROM tokens"
    with sqlite3.connect(env.data_dir / "surveys.sqlite") as conn:
        before = conn.execute(count).fetchone()[0]

    def full(_):
        raise OSError("no space left on device")
    monkeypatch.setattr("kg.survey.service.os.fsync", full)
    target = tmp_path / "out.csv"
    with pytest.raises(OSError):
        write_links(env.surveys, "discharge", target, base_url=BASE)
    with sqlite3.connect(env.data_dir / "surveys.sqlite") as conn:
        assert conn.execute(count).fetchone()[0] == before
    assert not target.exists() and not list(tmp_path.glob(".out.csv*"))
    monkeypatch.undo()
    assert [e.person_id for e in write_links(env.surveys, "discharge", target,
                                             base_url=BASE)] == [person]


def test_an_email_the_store_knows_goes_in_the_links_file(data_dir, tmp_path):
    with SQLiteStore(data_dir / "carebridge.sqlite") as store, \
            SurveyStore.in_data_dir(data_dir) as surveys:
        create_survey(store, surveys, parse_definition(definition()))
        someone = surveys.roster("discharge")[0][1].person_id
        node = store.get_node(NodeLabel.PERSON, someone)
        store.upsert([Node(NodeLabel.PERSON, someone,
                           {**node.props, "email": "sam.khan@example.org"})])
        assert create_survey(store, surveys, parse_definition(definition())).roster_updated == 1
        write_links(surveys, "discharge", tmp_path / "l.csv", base_url=BASE)
    with open(tmp_path / "l.csv", newline="") as f:
        emails = {r["person_id"]: r["email"] for r in csv.DictReader(f)}
    assert emails[someone] == "sam.khan@example.org"
    assert sum(bool(e) for e in emails.values()) == 1


# -- the type-ahead ---------------------------------------------------------------------------


def test_type_ahead_finds_any_word_from_its_first_letters_as_a_brute_force_scan(env):
    roster = env.surveys.roster("discharge")
    index = RosterIndex([(r, e.name) for r, e in roster])
    words = {r: name_words(e.name) for r, e in roster}
    queries = ["sa", "sam", "kh", "sam kh", "KHAN", "o'ne", "oneill", "siob", "priya pat",
               "x", "zzz", "  ", "mo", "j", "a b"]
    rng = random.Random(3)
    for _, e in rng.sample(roster, 10):  # parts of real names
        w = name_words(e.name)
        queries.append(" ".join(x[: rng.randint(1, len(x))] for x in w))
    for q in queries:
        typed = name_words(q)
        brute = {r for r, ws in words.items()
                 if typed and all(any(w.startswith(t) for w in ws) for t in typed)}
        found, more = index.search(q, limit=20)
        assert set(found) <= brute, q
        assert len(found) == min(20, len(brute)), q
        assert more == (len(brute) > 20), q


def test_the_type_ahead_route_lists_at_most_20_with_organisation_and_role(env):
    me = env.rows[0]["person_id"]
    reply = env.client.get(env.url(me, "/people"), params={"q": "a"})
    assert reply.status_code == 200
    body = reply.json()
    assert len(body["matches"]) == 20 and body["more"] is True
    assert all(set(m) == {"r", "name", "organisation", "role"} for m in body["matches"])
    assert all(m["organisation"] and m["role"] for m in body["matches"])
    mine = env.surveys.roster("discharge")
    my_name = next(e.name for _, e in mine if e.person_id == me)
    found = env.client.get(env.url(me, "/people"), params={"q": my_name}).json()["matches"]
    assert env.r[me] not in {m["r"] for m in found}  # never oneself
    assert env.client.get(env.url(me, "/people"), params={"q": "x" * 101}).status_code == 422


# -- a respondent -----------------------------------------------------------------------------


def _page_data(html: str) -> dict:
    start = html.index('<script type="application/json" id="cb-data">') + 45
    return json.loads(html[start: html.index("</script>", start)])


def test_a_respondent_needs_no_api_key_and_the_page_loads_nothing_from_elsewhere(env):
    me = env.rows[0]["person_id"]
    page = env.client.get(env.url(me))
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "connect-src 'self'" in policy and "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "private" in page.headers["cache-control"] or "no-store" in page.headers[
        "cache-control"]
    assert "http://" not in page.text and "https://" not in page.text
    assert "innerHTML" not in page.text
    assert _page_data(page.text)["state"] == "consent"
    # the guard exempts /s/ from the key, and nothing else
    assert env.post(me, "/consent", {"consent": True}).status_code == 200
    assert env.client.post("/ingest").status_code == 401
    assert env.client.post("/surveys/discharge/close").status_code == 401
    assert _page_data(env.client.get(env.url(me)).text)["state"] == "answering"


def test_a_respondent_saves_comes_back_and_changes_an_answer(env):
    me, a, b = (row["person_id"] for row in env.rows[:3])
    saved = env.answer(me, {"advice": [{"r": env.r[a], "value": "weekly"}],
                            "referral": [{"r": env.r[b]}]})
    assert saved.status_code == 200, saved.text
    data = _page_data(env.client.get(env.url(me)).text)
    assert [(x["r"], x["value"]) for x in data["answers"]["advice"]] == [(env.r[a], "weekly")]
    assert [x["r"] for x in data["answers"]["referral"]] == [env.r[b]]
    again = env.post(me, "/answers", {"answers": {"advice": [{"r": env.r[a], "value": "daily"}]}})
    assert again.status_code == 200
    assert again.json()["answers"] == {"advice": [
        {**data["answers"]["advice"][0], "value": "daily"}]}
    # another respondent sees none of it
    other = _page_data(env.client.get(env.url(a)).text)
    assert other["answers"] == {} and other["state"] == "consent"


def test_bad_answers_are_all_named_and_nothing_is_saved(env):
    me, a, b = (row["person_id"] for row in env.rows[:3])
    assert env.answer(me, {"referral": [{"r": env.r[a]}]}).status_code == 200
    reply = env.post(me, "/answers", {"answers": {
        "advice": [{"r": env.r[a]}, {"r": env.r[me], "value": "daily"},
                   {"r": 10**9, "value": "daily"}, {"r": env.r[b], "value": "hourly"}],
        "referral": [{"r": env.r[a], "value": "weekly"}, {"r": env.r[a]}],
        "nope": []}})
    assert reply.status_code == 422
    problems = reply.json()["problems"]
    assert len(problems) == 7, problems
    text = " ".join(problems)
    for part in ("choose an answer", "you named yourself", "not on the list", "named twice",
                 "choose one of: monthly, weekly, daily", "takes names only",
                 "no question 'nope'"):
        assert part in text, part
    data = _page_data(env.client.get(env.url(me)).text)
    assert [x["r"] for x in data["answers"]["referral"]] == [env.r[a]]  # the earlier save
    assert env.post(me, "/answers", {"answers": []}).status_code == 422
    before_consent = env.post(env.rows[5]["person_id"], "/answers", {"answers": {}})
    assert before_consent.status_code == 409


# -- abuse ------------------------------------------------------------------------------------


def test_a_guessed_token_learns_nothing(env):
    import secrets

    replies = [env.client.get(f"/s/{secrets.token_urlsafe(32)}/people", params={"q": "sa"})
               for _ in range(2)]
    replies.append(env.client.get("/s/short/people"))
    assert {r.status_code for r in replies} == {404}
    assert len({r.content for r in replies}) == 1
    page = env.client.get(f"/s/{secrets.token_urlsafe(32)}")
    assert page.status_code == 404 and "not valid" in page.text
    assert env.client.post(f"/s/{secrets.token_urlsafe(32)}/answers",
                           json={"answers": {}}).status_code == 404


def test_oversize_and_too_many_names_are_refused(env):
    me = env.rows[0]["person_id"]
    env.post(me, "/consent", {"consent": True})
    big = env.client.post(env.url(me, "/answers"), content=b" " * (MAX_BODY_BYTES + 1),
                          headers={"content-type": "application/json"})
    assert big.status_code == 413
    people = [r for p, r in env.r.items() if p != me][: MAX_NAMES + 1]
    assert len(people) == MAX_NAMES + 1
    many = env.post(me, "/answers", {"answers": {"referral": [{"r": r} for r in people]}})
    assert many.status_code == 422 and "at most 200 names" in many.json()["problems"][0]
    plain = env.client.post(env.url(me, "/answers"), content=b"{}",
                            headers={"content-type": "text/plain"})
    assert plain.status_code == 415
    broken = env.client.post(env.url(me, "/answers"), content=b"{",
                             headers={"content-type": "application/json"})
    assert broken.status_code == 400


def test_writes_are_rate_limited_per_link(env):
    me, other = env.rows[0]["person_id"], env.rows[1]["person_id"]
    codes = [env.post(me, "/consent", {"consent": True}).status_code
             for _ in range(WRITES_PER_MINUTE + 1)]
    assert codes[:WRITES_PER_MINUTE] == [200] * WRITES_PER_MINUTE
    assert codes[-1] == 429
    limited = env.post(me, "/consent", {"consent": True})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert env.post(other, "/consent", {"consent": True}).status_code == 200  # per link


def test_token_bucket_refills_at_its_rate():
    now = [0.0]
    bucket = TokenBucket(30, clock=lambda: now[0])
    assert [bucket.take("k") for _ in range(30)] == [0.0] * 30
    assert bucket.take("k") == pytest.approx(2.0)
    now[0] = 2.0
    assert bucket.take("k") == 0.0 and bucket.take("k") > 0
    small = TokenBucket(60, capacity=1, max_keys=2, clock=lambda: now[0])
    for key in "abc":
        small.take(key)
    assert small.take("a") == 0.0  # forgotten (least recently used), so a full bucket again


def test_a_survey_not_yet_open_or_ended_refuses_answers(data_dir, tmp_path):
    early = Env(data_dir, tmp_path, opens=(TODAY + timedelta(days=2)).isoformat())
    try:
        me = early.rows[0]["person_id"]
        page = early.client.get(early.url(me))
        assert page.status_code == 200 and "opens on" in page.text
        assert early.post(me, "/consent", {"consent": True}).status_code == 409
    finally:
        early.close()
    env = Env(data_dir, tmp_path, id="later")
    try:
        me = env.rows[0]["person_id"]
        assert env.answer(me, {}).status_code == 200
        close_survey(env.graph, env.surveys, "later")
        assert env.client.get(env.url(me)).status_code == 410
        assert env.post(me, "/answers", {"answers": {}}).status_code == 410
        assert env.post(me, "/opt-out", {}).status_code == 410
        assert env.client.get(env.url(me, "/people"), params={"q": "sa"}).status_code == 410
        with pytest.raises(SurveyClosed):
            env.surveys.consent("later", me)
    finally:
        env.close()


# -- close: answers become ties ---------------------------------------------------------------


def _survey_ties(graph, survey_id):
    return [t for t in graph.relationships(RelType.TIE) if t.source_file == f"survey:{survey_id}"]


def test_close_turns_the_answers_into_ties_once(env):
    rng = random.Random(11)
    people = [row["person_id"] for row in env.rows]
    weights = {"monthly": 1.0, "weekly": 2.0, "daily": 3.0}
    expected = set()
    for me in rng.sample(people, 25):
        others = [p for p in people if p != me]
        advice = [(p, rng.choice(list(weights))) for p in rng.sample(others, rng.randint(0, 4))]
        referral = rng.sample(others, rng.randint(0, 3))
        reply = env.answer(me, {
            "advice": [{"r": env.r[p], "value": v} for p, v in advice],
            "referral": [{"r": env.r[p]} for p in referral]})
        assert reply.status_code == 200, reply.text
        expected |= {(me, p, "advice", weights[v]) for p, v in advice}
        expected |= {(me, p, "referral", None) for p in referral}
    before = env.graph.revision()
    ties_before = len(env.graph.relationships(RelType.TIE))
    report = env.client.post("/surveys/discharge/close", headers={"X-API-Key": ADMIN})
    assert report.status_code == 200, report.text
    first = report.json()
    assert env.graph.revision() == before + 1 == first["revision"]
    written = _survey_ties(env.graph, "discharge")
    assert {(t.source, t.target, t.props["kind"], t.weight) for t in written} == expected
    assert len(written) == len(expected) == first["ties"] == first["created"]
    assert len(env.graph.relationships(RelType.TIE)) == ties_before + len(expected)
    for t in written:
        assert (t.start, t.end) == (env.definition.opens, env.definition.closes)
        assert t.key == f"survey:discharge|{t.source}|{t.target}|{t.props['question']}"
        assert t.props["survey"] == "discharge"
    again = env.client.post("/surveys/discharge/close", headers={"X-API-Key": ADMIN}).json()
    assert (again["newly_closed"], again["created"], again["updated"]) == (False, 0, 0)
    assert env.graph.revision() == before + 1
    assert len(_survey_ties(env.graph, "discharge")) == len(expected)


def test_close_writes_through_any_backend(store, tmp_path):
    """The graph store is written only by close, through its ordinary upsert: the same on
    SQLite and (with KG_NEO4J_URI) Neo4j."""
    _small_partnership(store)
    with SurveyStore.in_data_dir(tmp_path) as surveys:
        d = parse_definition(definition(roster={}))
        create_survey(store, surveys, d)
        for p in ("P1", "P2"):
            surveys.consent("discharge", p)
        surveys.save_answers("discharge", "P1", {"advice": [("P2", "daily"), ("P7", "monthly")],
                                                 "referral": [("P3", None)]})
        surveys.save_answers("discharge", "P2", {"advice": [("P1", "weekly")]})
        revision = store.revision()
        report = close_survey(store, surveys, "discharge")
        again = close_survey(store, surveys, "discharge")
    ties = {(t.source, t.target, t.props["kind"], t.weight)
            for t in store.relationships(RelType.TIE)}
    assert ties == {("P1", "P2", "advice", 3.0), ("P1", "P7", "advice", 1.0),
                    ("P1", "P3", "referral", None), ("P2", "P1", "advice", 2.0)}
    assert (report.ties, report.created, store.revision()) == (4, 4, revision + 1)
    assert (again.created, again.updated, again.revision) == (0, 0, revision + 1)


def test_opting_out_is_honoured_everywhere(env, tmp_path):
    out, a, b = (row["person_id"] for row in env.rows[:3])
    assert env.answer(out, {"referral": [{"r": env.r[a]}]}).status_code == 200
    assert env.answer(a, {"referral": [{"r": env.r[out]}, {"r": env.r[b]}]}).status_code == 200
    assert env.post(out, "/opt-out", {}).status_code == 200
    assert _page_data(env.client.get(env.url(out)).text)["state"] == "opted_out"
    assert env.surveys.answers_of("discharge", out) == {}
    assert env.post(out, "/answers", {"answers": {}}).status_code == 409
    assert opted_out(env.data_dir) == {out}
    status = survey_status(env.surveys, "discharge")
    assert (status["responded"], status["opted_out"]) == (1, 1)
    assert write_links(env.surveys, "discharge", tmp_path / "re.csv", base_url=BASE,
                       reissue=True, people=[out]) == []  # no new link for them
    report = close_survey(env.graph, env.surveys, "discharge")
    ties = _survey_ties(env.graph, "discharge")
    assert [(t.source, t.target) for t in ties] == [(a, b)]
    assert report.opted_out == 1
    assert opted_out(env.data_dir / "nowhere") == set()


def test_changing_ones_mind_after_opting_out(env):
    me, a = env.rows[0]["person_id"], env.rows[1]["person_id"]
    env.post(me, "/opt-out", {})
    assert env.answer(me, {"referral": [{"r": env.r[a]}]}).status_code == 200
    assert opted_out(env.data_dir) == set()


# -- status -----------------------------------------------------------------------------------


def _small_partnership(store: SQLiteStore) -> None:
    """Two organisations, ten people: six at A (acute), four at B (social care)."""
    nodes = [Node(NodeLabel.ORGANISATION, "A", {"name": "Alpha Trust", "sector": "acute"}),
             Node(NodeLabel.ORGANISATION, "B", {"name": "Beta Council", "sector": "social_care"})]
    rels = []
    for i in range(10):
        pid, org = f"P{i}", "A" if i < 6 else "B"
        nodes += [Node(NodeLabel.PERSON, pid, {"name": f"Person {i}"}),
                  Node(NodeLabel.ROLE, f"R{i}", {"title": "Nurse", "kind": "clinical",
                                                 "level": "frontline"})]
        rels += [Relationship(RelType.HOLDS_ROLE, f"R{i}", pid, f"R{i}", date(2020, 1, 1)),
                 Relationship(RelType.AT_ORGANISATION, f"R{i}", f"R{i}", org, date(2020, 1, 1))]
    store.upsert(nodes, rels)


def test_status_counts_response_by_organisation_and_sector_and_warns_below_70(tmp_path):
    data = tmp_path / "data"
    with SQLiteStore(data / "carebridge.sqlite") as store:
        _small_partnership(store)
    env = Env(data, tmp_path, roster={})
    try:
        def answer(ids):
            for i in ids:
                assert env.answer(f"P{i}", {}).status_code == 200
        answer([0, 1, 2, 3, 6, 7])  # 6 of 10
        s = survey_status(env.surveys, "discharge")
        assert (s["roster"], s["responded"], s["rate"]) == (10, 6, 0.6)
        assert s["warning"] and "70 %" in s["warning"]
        org = {g["id"]: g for g in s["by_organisation"]}
        assert (org["A"]["responded"], org["A"]["rate"]) == (4, 4 / 6)
        assert org["B"]["withheld"] and org["B"]["rate"] is None  # four people: withheld
        sector = {g["sector"]: g for g in s["by_sector"]}
        assert sector["acute"]["below_threshold"] and sector["social_care"]["withheld"]
        answer([4])  # 7 of 10
        s = survey_status(env.surveys, "discharge", min_group_size=1)
        assert s["rate"] == 0.7 and s["warning"] is None
        assert {g["id"]: g["rate"] for g in s["by_organisation"]} == {"A": 5 / 6, "B": 0.5}
        api = env.client.get("/surveys/discharge/status", headers={"X-API-Key": ADMIN})
        assert api.status_code == 200 and api.json()["responded"] == 7
        assert env.client.get("/surveys/discharge/status",
                              headers={"X-API-Key": VIEWER}).status_code == 403
        assert env.client.get("/surveys/discharge/status").status_code == 401
        assert env.client.get("/surveys/nope/status",
                              headers={"X-API-Key": ADMIN}).status_code == 404
        listed = env.client.get("/surveys", headers={"X-API-Key": ADMIN}).json()
        assert [(s["id"], s["state"]) for s in listed] == [("discharge", "open")]
    finally:
        env.close()


def test_namesakes_are_told_apart_by_organisation_and_role(tmp_path):
    data = tmp_path / "data"
    with SQLiteStore(data / "carebridge.sqlite") as store:
        _small_partnership(store)
        store.upsert([Node(NodeLabel.PERSON, pid, {"name": "Sam Khan"}) for pid in ("P0", "P7")])
        store.upsert([Node(NodeLabel.ROLE, "R7", {"title": "Social worker", "kind": "clinical",
                                                  "level": "frontline"})])
    env = Env(data, tmp_path, roster={})
    try:
        found = env.client.get(env.url("P3", "/people"), params={"q": "khan s"}).json()
        assert sorted((m["name"], m["organisation"], m["role"]) for m in found["matches"]) == [
            ("Sam Khan", "Alpha Trust", "Nurse"), ("Sam Khan", "Beta Council", "Social worker")]
    finally:
        env.close()


# -- the command line -------------------------------------------------------------------------


def test_the_command_line_from_definition_to_ties(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("KG_DATA_DIR", str(data_dir))
    monkeypatch.setenv("KG_OUTPUT_DIR", str(tmp_path / "out"))
    monkeypatch.setenv("KG_SURVEY_BASE_URL", BASE)
    get_settings.cache_clear()
    try:
        spec = tmp_path / "survey.json"
        spec.write_text(json.dumps(definition(id="cli")), encoding="utf-8")
        runner = CliRunner()
        created = runner.invoke(cli, ["survey", "create", str(spec)])
        assert created.exit_code == 0, created.output
        assert "created" in created.output
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(definition(id="bad", questions=[{"text": "?", "kind": "x"}],
                                             roster={"organisations": ["NO-SUCH-ORG"]})))
        refused = runner.invoke(cli, ["survey", "create", str(bad)])
        assert refused.exit_code == 1 and "nothing was written" in refused.output
        assert "unknown tie kind" in refused.output
        with SurveyStore.in_data_dir(data_dir) as surveys:
            assert [s.id for s in surveys.list_surveys()] == ["cli"]
        missing_org = tmp_path / "org.json"
        missing_org.write_text(json.dumps(definition(id="org",
                                                     roster={"organisations": ["NO-SUCH"]})))
        refused = runner.invoke(cli, ["survey", "create", str(missing_org)])
        assert refused.exit_code == 1 and "no organisation with id 'NO-SUCH'" in refused.output
        options = runner.invoke(cli, [
            "survey", "create", "--id", "opts", "--name", "By options",
            "--opens", TODAY.isoformat(), "--closes", TODAY.isoformat(), "--consent", "Yes.",
            "--question", "collaboration:Who do you work with?", "--scale", "rarely,often"])
        assert options.exit_code == 0, options.output
        with SurveyStore.in_data_dir(data_dir) as surveys:
            q = surveys.get("opts").definition.questions[0]
            assert (q.kind, [p.weight for p in q.scale]) == (TieKind.COLLABORATION, [1.0, 2.0])
        linked = runner.invoke(cli, ["survey", "links", "cli"])
        assert linked.exit_code == 0, linked.output
        links = tmp_path / "out" / "survey-cli-links.csv"
        with open(links, newline="") as f:
            rows = list(csv.DictReader(f))
        assert rows and all(r["link"].startswith(f"{BASE}/s/") for r in rows)
        status = runner.invoke(cli, ["survey", "status", "cli", "--format", "json"])
        assert json.loads(status.stdout)["links"] == len(rows)
        closed = runner.invoke(cli, ["survey", "close", "cli", "--format", "json"])
        assert closed.exit_code == 0 and json.loads(closed.stdout)["ties"] == 0
        helped = runner.invoke(cli, ["survey", "create", "--help"])
        assert "[[questions]]" in helped.output and "kind" in helped.output
    finally:
        get_settings.cache_clear()


def test_whom_to_introduce_never_names_someone_who_opted_out(env):
    def named():
        r = env.client.get("/analysis/introductions?by=sector&between=acute&between=community"
                           "&top=10", headers={"X-API-Key": VIEWER})
        assert r.status_code == 200, r.text
        return [p for row in r.json()["introductions"] for p in (row["id_a"], row["id_b"])]

    before = named()
    chosen = next(p for p in before if p in env.token)  # proposed, and holds a survey link
    assert env.post(chosen, "/opt-out", {}).status_code == 200
    after = named()
    assert after and chosen not in after  # at once: the opt-out moves no revision
