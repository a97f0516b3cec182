"""The HTTP API on the small demo partnership, through FastAPI's test client (real SQLite store):
keys and roles, localhost-only mode, entities and paging, the same JSON as the command line,
maps and report pages, metrics export, and upload import (all or nothing, idempotent, bounded).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import shutil
import zipfile
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api import create_app
from kg.config import Settings, get_settings
from kg.model import NodeLabel
from kg.queries import analyses

KEYS = {"viewer": "k-view-123", "analyst": "k-analyst-456", "admin": "k-admin-789"}
REMOTE = ("10.1.2.3", 40000)  # a client on another machine: keys are required
XSS_NAME = "<img src=x onerror=alert(1)>"


def _csv_rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def _zip_folder(folder: Path, *, prefix: str = "bundle/") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.glob("*.csv")):
            z.write(f, prefix + f.name)
    return buf.getvalue()


@pytest.fixture(scope="module")
def env(demo_data):
    """Settings over the small demo's data directory, with three keys."""
    keys = ",".join(f"{k}:{role}" for role, k in KEYS.items())
    return Settings(data_dir=demo_data, output_dir=demo_data / "out", api_keys=keys)


@pytest.fixture(scope="module")
def app(env):
    application = create_app(env)
    yield application
    application.state.store.close()


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app, client=REMOTE)


def _with(settings: Settings, **changes) -> Settings:
    return Settings(**{**settings.model_dump(), **changes})


def get(client, url, role="viewer", **kw):
    return client.get(url, headers={"X-API-Key": KEYS[role]}, **kw)


# -- keys, roles, localhost-only ------------------------------------------------------------
def test_a_missing_or_wrong_key_is_401_and_a_low_role_403(client):
    assert client.get("/analysis/brokers").status_code == 401
    r = client.get("/analysis/brokers", headers={"X-API-Key": "guess"})
    assert r.status_code == 401 and "X-API-Key" in r.json()["detail"]
    assert get(client, "/metrics", "viewer").status_code == 403
    assert get(client, "/metrics?format=json", "analyst").status_code == 200
    r = client.post(
        "/ingest", headers={"X-API-Key": KEYS["analyst"]}, files={"file": ("b.zip", b"x")}
    )
    assert r.status_code == 403 and "admin" in r.json()["detail"]


def test_without_keys_only_this_machine_is_served(env):
    settings = _with(env, api_keys="")
    application = create_app(settings)
    try:
        remote = TestClient(application, client=REMOTE).get("/health")
        assert remote.status_code == 403 and "localhost only" in remote.json()["detail"]
        local = TestClient(application, client=("127.0.0.1", 5000))
        assert local.get("/health").json()["auth"] == "localhost-only"
        assert local.get("/metrics?format=json").status_code == 200  # local caller is admin
    finally:
        application.state.store.close()


def test_a_malformed_key_list_is_refused_at_start(env):
    from kg.errors import ConfigError

    with pytest.raises(ConfigError, match="key:role"):
        create_app(_with(env, api_keys="k1:superuser"))


def test_health_names_backend_and_revision(client, app):
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["backend"] == "sqlite" and body["auth"] == "api-keys"
    assert body["revision"] == app.state.store.revision()


# -- entities --------------------------------------------------------------------------------
def test_people_pages_cover_everyone_once(client, small_bundle):
    people = _csv_rows(small_bundle / "people.csv")
    seen, offset = [], 0
    while True:
        page = get(client, f"/people?limit=70&offset={offset}").json()
        assert page["total"] == len(people)
        seen += [p["id"] for p in page["items"]]
        offset += 70
        if offset >= page["total"]:
            break
    assert sorted(seen) == sorted(p["id"] for p in people)


def test_filters_match_the_bundle(client, small_bundle):
    nurses = [p for p in _csv_rows(small_bundle / "people.csv") if p["profession"] == "nurse"]
    page = get(client, "/people?profession=nurse&limit=1000").json()
    assert page["total"] == len(nurses) > 0
    assert {p["name"] for p in page["items"]} == {p["name"] for p in nurses}
    acute = [o for o in _csv_rows(small_bundle / "organisations.csv") if o["sector"] == "acute"]
    assert get(client, "/organisations?sector=acute").json()["total"] == len(acute)


def test_a_person_shows_roles_forums_and_metrics(client, small_bundle):
    roles = _csv_rows(small_bundle / "roles.csv")
    person = next(r["person_id"] for r in roles if r["kind"] == "hybrid")
    body = get(client, f"/people/{person}").json()
    assert sorted(r["title"] for r in body["roles"]) == sorted(
        r["title"] for r in roles if r["person_id"] == person
    )
    attended = {
        a["forum_id"]
        for a in _csv_rows(small_bundle / "attendance.csv")
        if a["person_id"] == person
    }
    assert {f["id"] for f in body["forums"]} == attended
    assert body["metrics"]["hybrid"] is True and body["metrics"]["betweenness"] >= 0
    assert body["source"] == "people.csv"


@pytest.mark.parametrize(
    "url", ["/people/NOPE", "/forums/NOPE", "/organisations/NOPE", "/assets/NOPE", "/maps/ego/NOPE"]
)
def test_unknown_ids_are_404(client, url):
    r = get(client, url)
    assert r.status_code == 404 and "NOPE" in r.json()["detail"]


# -- analysis: the same JSON as the command line ----------------------------------------------
CLI_AND_API = [
    (["communities"], "/analysis/communities"),
    (["silos", "--by", "sector"], "/analysis/silos?by=sector"),
    (
        ["brokers", "--by", "sector", "--between", "acute", "community"],
        "/analysis/brokers?by=sector&between=acute&between=community",
    ),
    (["hybrids"], "/analysis/hybrids"),
    (["risk", "--top", "5"], "/analysis/risk?top=5"),
    (["change", "--from", "PH1", "--to", "PH4"], "/analysis/change?from=PH1&to=PH4"),
]


@pytest.mark.parametrize(("argv", "url"), CLI_AND_API)
def test_analysis_answers_equal_the_command_line(client, env, monkeypatch, argv, url):
    from kg.cli import app as cli

    monkeypatch.setenv("KG_DATA_DIR", str(env.data_dir))
    get_settings.cache_clear()
    try:
        out = CliRunner().invoke(cli, ["analyse", *argv, "--format", "json"])
    finally:
        get_settings.cache_clear()
    assert out.exit_code == 0, out.output
    r = get(client, url)
    assert r.status_code == 200, r.text
    assert r.json() == json.loads(out.stdout)


def test_bridges_between_acute_and_community_rank_by_paths_carried(client, app):
    """The top broker carries the most acute-community shortest paths (networkx, independently)."""
    body = get(client, "/analysis/brokers?by=sector&between=acute&between=community").json()
    G = analyses.person_graph(app.state.store)
    acute = {v for v, s in G.nodes(data="sector") if s == "acute"}
    community = {v for v, s in G.nodes(data="sector") if s == "community"}
    reference = nx.betweenness_centrality_subset(G, acute, community, normalized=True)
    best = max(reference.values())
    assert reference[body["brokers"][0]["id"]] == pytest.approx(best)
    scores = [b["score"] for b in body["brokers"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    "url",
    [
        "/analysis/silos?by=nope",
        "/analysis/brokers?between=acute",
        "/analysis/brokers?by=sector&between=a&between=b&between=c",
        "/analysis/brokers?top=0",
        "/analysis/communities?window=garbage",
        "/analysis/communities?window=2019-01-01:2013-01-01",
        "/analysis/communities?phase=PH9",
        "/analysis/communities?layers=nope",
        "/analysis/communities?min_weight=-1",
        "/analysis/communities?method=magic",
        "/analysis/change?from=PH1",
        "/analysis/change?from=PH9&to=PH1",
        "/analysis/risk?remove=NOPE",
        "/maps/communities?community=9999",
        "/maps/bridges?between=acute&between=nowhere",
        "/maps/network?color_by=<b>",
        "/metrics?format=xls",
        "/report?by=nope",
    ],
)
def test_bad_parameters_get_a_clear_4xx_never_a_500(client, url):
    r = get(client, url, "analyst")
    assert 400 <= r.status_code < 500, (url, r.status_code, r.text[:300])
    assert r.json()["detail"]


def test_every_json_route_declares_its_response_model(client):
    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            content = op["responses"]["200"].get("content", {})
            if set(content) == {"application/json"}:  # downloads list several types
                assert content["application/json"]["schema"], (method, path)
    assert {
        "/analysis/brokers",
        "/maps/network",
        "/report",
        "/metrics",
        "/ingest",
        "/people/{person_id}",
    } <= set(spec["paths"])


# -- maps and report -------------------------------------------------------------------------
EXTERNAL = re.compile(r"""<(?:script|link|img|iframe)[^>]+(?:src|href)\s*=\s*["']?https?:""", re.I)


@pytest.mark.parametrize(
    "url",
    [
        "/maps/network",
        "/maps/network?color_by=community",
        "/maps/ego/P000001?hops=2",
        "/maps/bridges?by=sector&between=acute&between=community",
        "/maps/communities",
        "/maps/communities?community=1",
        "/maps/organisations",
    ],
)
def test_maps_are_offline_pages_with_a_strict_policy(client, url):
    r = get(client, url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert not EXTERNAL.search(r.text)
    assert "<script" in r.text and "vis" in r.text  # the renderer is inlined


# -- metrics export -------------------------------------------------------------------------
def test_metrics_download_matches_the_network(client, app):
    r = get(client, "/metrics?format=graphml", "analyst")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    exported = nx.read_graphml(io.BytesIO(r.content))
    G = analyses.person_graph(app.state.store)
    assert set(exported) == set(G) and exported.number_of_edges() == G.number_of_edges()


def test_pseudonymised_metrics_hold_no_name_or_id(client, app, env):
    r = get(client, "/metrics?format=csv&pseudonymise=true", "analyst")
    assert r.status_code == 200 and "pseudonymised" in r.headers["content-disposition"]
    text = r.text
    store = app.state.store
    for person in store.find_nodes(NodeLabel.PERSON):
        assert person.id not in text and person.props["name"] not in text
    key = (Path(env.data_dir) / "pseudonym.key").read_bytes()
    assert key.hex() not in text
    again = get(client, "/metrics?format=csv&pseudonymise=true", "analyst").text
    assert again == text  # stable codes


# -- import ---------------------------------------------------------------------------------
@pytest.fixture
def fresh(tmp_path, small_bundle):
    """An app over an empty store in its own data directory, with a copy of the bundle."""
    bundle = tmp_path / "bundle"
    shutil.copytree(small_bundle, bundle)
    keys = ",".join(f"{k}:{role}" for role, k in KEYS.items())
    application = create_app(Settings(data_dir=tmp_path / "data", api_keys=keys, max_upload_mb=1))
    yield TestClient(application, client=REMOTE), application.state.store, bundle
    application.state.store.close()


def post_bundle(client, content: bytes, name="bundle.zip", **params):
    return client.post(
        "/ingest",
        params=params,
        headers={"X-API-Key": KEYS["admin"]},
        files={"file": (name, content, "application/octet-stream")},
    )


def test_upload_imports_once_and_dry_run_writes_nothing(fresh):
    client, store, bundle = fresh
    content = _zip_folder(bundle)
    dry = post_bundle(client, content, dry_run="true")
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] and store.counts()["nodes"]["Person"] == 0
    first = post_bundle(client, content).json()
    people = len(_csv_rows(bundle / "people.csv"))
    assert store.counts()["nodes"]["Person"] == people == first["nodes"]["Person"]
    revision = store.revision()
    again = post_bundle(client, content).json()
    assert again["written"]["nodes_created"] == again["written"]["nodes_updated"] == 0
    assert store.revision() == revision == again["revision"]


def test_a_bad_bundle_lists_every_problem_and_writes_nothing(fresh):
    client, store, bundle = fresh
    rows = (bundle / "people.csv").read_text().splitlines()
    rows[3] = rows[3].split(",")[0] + ",,nurse,5"  # a person without a name
    (bundle / "people.csv").write_text("\n".join(rows) + "\n")
    with (bundle / "roles.csv").open("a") as f:
        f.write("P000001,ORG-ACUTE,Lead,wizard,middle,,\n")
    r = post_bundle(client, _zip_folder(bundle))
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert {"people.csv", "roles.csv"} <= {Path(p["file"]).name for p in problems}
    assert all(p["row"] for p in problems)
    assert any(p["column"] == "kind" and "wizard" in p["message"] for p in problems)
    assert "tmp" not in json.dumps(problems)  # no server paths leak
    assert store.revision() == 0 and store.counts()["nodes"]["Person"] == 0


def test_a_changed_name_is_updated_in_place_and_shown_as_text(fresh):
    client, store, bundle = fresh
    assert post_bundle(client, _zip_folder(bundle)).status_code == 200
    before = analyses.brokers(store)["brokers"]
    rows = (bundle / "people.csv").read_text().splitlines()
    pid = rows[1].split(",")[0]
    rows[1] = ",".join([pid, f'"{XSS_NAME}"'] + rows[1].split(",")[2:])
    (bundle / "people.csv").write_text("\n".join(rows) + "\n")
    r = post_bundle(client, _zip_folder(bundle)).json()
    assert r["written"]["nodes_updated"] == 1 and r["written"]["nodes_created"] == 0
    assert get(client, f"/people/{pid}").json()["name"] == XSS_NAME
    page = get(client, f"/maps/ego/{pid}").text
    assert XSS_NAME not in page  # data, never markup
    assert analyses.brokers(store)["brokers"] is not before  # the revision moved the cache


def test_an_xlsx_workbook_imports_like_the_folder(fresh):
    openpyxl = pytest.importorskip("openpyxl")
    client, store, bundle = fresh
    book = openpyxl.Workbook()
    book.remove(book.active)
    for f in sorted(bundle.glob("*.csv")):
        sheet = book.create_sheet(f.stem)
        with f.open(newline="") as fh:
            for row in csv.reader(line for line in fh if not line.startswith("#")):
                sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    r = post_bundle(client, buf.getvalue(), name="partnership.xlsx")
    assert r.status_code == 200, r.text[:500]
    assert store.counts()["nodes"]["Person"] == len(_csv_rows(bundle / "people.csv"))


def test_uploads_cannot_escape_or_overflow(fresh, tmp_path):
    client, store, bundle = fresh
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for f in bundle.glob("*.csv"):
            z.write(f, "../../" + f.name)  # a path that climbs out
    assert post_bundle(client, buf.getvalue()).status_code == 200
    assert not (tmp_path.parent / "people.csv").exists()

    assert post_bundle(client, b"not a zip").status_code == 422
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("notes.txt", "hello")
    r = post_bundle(client, empty.getvalue())
    assert r.status_code == 422 and ".csv" in r.json()["detail"] + json.dumps(r.json())

    big = post_bundle(client, b"0" * (1024 * 1024 + 10))  # the limit here is 1 MB
    assert big.status_code == 413 and "KG_MAX_UPLOAD_MB" in big.json()["detail"]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("people.csv", "id,name\n" + "0" * (30 * 1024 * 1024))
    r = post_bundle(client, bomb.getvalue())
    assert r.status_code == 422 and "unpacks to more than" in json.dumps(r.json())


def test_cached_answers_carry_an_etag_that_moves_with_the_revision(fresh):
    client, store, bundle = fresh
    post_bundle(client, _zip_folder(bundle))
    first = get(client, "/analysis/hybrids")
    etag = first.headers["etag"]
    again = client.get(
        "/analysis/hybrids", headers={"X-API-Key": KEYS["viewer"], "If-None-Match": etag}
    )
    assert again.status_code == 304 and again.content == b""
    page = client.get(
        "/maps/organisations", headers={"X-API-Key": KEYS["viewer"], "Accept-Encoding": "gzip"}
    )
    assert page.headers["content-encoding"] == "gzip" and "<html" in page.text.lower()
    rows = (bundle / "people.csv").read_text().splitlines()
    rows.append("P999999,New Starter,nurse,5")
    (bundle / "people.csv").write_text("\n".join(rows) + "\n")
    post_bundle(client, _zip_folder(bundle))
    changed = client.get(
        "/analysis/hybrids", headers={"X-API-Key": KEYS["viewer"], "If-None-Match": etag}
    )
    assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_the_request_log_names_routes_never_people(client, caplog):
    with caplog.at_level(logging.INFO, logger="carebridge.api"):
        get(client, "/people/P000001")
        get(client, "/maps/ego/P000001")
        get(client, "/people/NOPE-secret-id")
    lines = [r.getMessage() for r in caplog.records if r.name == "carebridge.api"]
    assert any("/people/{person_id} 200" in line for line in lines)
    assert any("/maps/ego/{person_id} 200" in line for line in lines)
    assert not any("P000001" in line or "secret" in line for line in lines)


def test_a_person_without_ties_is_exported_with_null_metrics(fresh):
    """Constraint is undefined for an isolated person: JSON has no NaN, so it is null, and
    neither the export nor the person's page fails."""
    client, store, bundle = fresh
    with (bundle / "people.csv").open("a") as f:
        f.write("P-ALONE,Lone Person,nurse,5\n")
    assert post_bundle(client, _zip_folder(bundle)).status_code == 200
    # No role, forum or tie dates them into the current period: the whole history holds them.
    r = get(client, "/metrics?format=json&window=all", "analyst")
    assert r.status_code == 200
    row = next(p for p in json.loads(r.content)["people"] if p["id"] == "P-ALONE")
    assert row["degree"] == 0 and row.get("constraint") is None
    person = get(client, "/people/P-ALONE")
    assert person.status_code == 200 and (person.json()["metrics"] or {}).get("constraint") is None


@pytest.mark.parametrize(
    "url",
    [
        "/people",
        "/analysis/communities",
        "/analysis/silos?by=sector",
        "/analysis/brokers",
        "/analysis/brokers?by=sector&between=acute&between=community",
        "/analysis/hybrids",
        "/analysis/risk",
        "/analysis/change?from=PH1&to=PH4",
        "/analysis/assets",
        "/maps/network",
        "/maps/communities",
        "/maps/organisations",
        "/maps/bridges",
        "/report",
        "/metrics",
    ],
)
def test_an_empty_store_answers_every_route_without_a_server_error(fresh, url):
    client, _, _ = fresh
    r = get(client, url, "admin")
    assert r.status_code < 500, r.text[:300]
    if r.status_code >= 400:
        assert r.json()["detail"]


def test_a_community_map_shows_the_community_of_that_id(client):
    """``/maps/communities?community=N`` draws exactly the members of the community whose id
    is N in ``/analysis/communities`` (the number on the map too)."""
    found = get(client, "/analysis/communities").json()["communities"]
    chosen = found[1]
    page = get(client, f"/maps/communities?community={chosen['id']}")
    assert page.status_code == 200
    block = re.search(r'<script[^>]*id="carebridge-data"[^>]*>(.*?)</script>', page.text, re.S)
    drawn = {n["key"] for n in json.loads(block.group(1))["nodes"]}
    assert drawn == set(chosen["members"])
    beyond = get(client, f"/maps/communities?community={len(found) + 1}")
    assert beyond.status_code == 404 and f"1 to {len(found)}" in beyond.json()["detail"]
