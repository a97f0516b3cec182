"""The roster survey under load: type-ahead on a 100,000-person roster, 1,000 respondents saving.

    .venv/bin/python bench/bench_survey.py [--people 100000] [--clients 20] [--seconds 20]
                                           [--respondents 1000] [--httpx]

Builds a synthetic partnership of ``--people`` people (demo names, so namesakes abound; 60
organisations; ``bench/out/survey-<people>``, reused when present), creates a survey over all of
them and writes a link for everyone, then serves the API with ``kg serve`` in its own process on
a loopback port and measures:

1. **type-ahead**: ``--clients`` concurrent clients for ``--seconds`` asking
   ``GET /s/{token}/people?q=...`` with parts of real names (one and two words), spread over
   2,000 links so no link reaches its rate limit; requests, errors, throughput and p50/p95/p99
   latency. Goal: p95 <= 50 ms with 20 clients. Printed beside it: ``GET /health`` under the
   same load (the floor of any route on this machine at the time) and one client alone (the
   cost of one look-up). The load comes from ``wrk`` when installed (a C client: the figures
   are the server's), else from threads of ``httpx`` clients;
2. **submissions**: ``--respondents`` respondents at once (50 at a time), each opening the page,
   consenting, finding 1-8 colleagues through the type-ahead and saving (a fifth change their
   answers and save again); wall time and latency of the saves. Goal: all within ten minutes;
3. **nothing lost**: every respondent's last saved answers read back from the survey store and
   compared, name by name; then ``close`` and the ties it wrote counted against the same.

Speed is printed, never asserted. Only loopback traffic; every loop is bounded by time and count.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import httpx
from _wrk import ROOT, free_port, load_httpx, load_wrk, start_server

sys.path.insert(0, str(ROOT))

from kg.demo import vocabulary as V  # noqa: E402
from kg.model import Node, NodeLabel, Relationship, RelType  # noqa: E402
from kg.store.sqlite import SQLiteStore  # noqa: E402
from kg.survey import SurveyStore, close_survey, parse_definition  # noqa: E402
from kg.survey.search import RosterIndex, name_words  # noqa: E402
from kg.survey.service import create_survey, write_links  # noqa: E402

ADMIN = "bench-survey-admin"
SECTORS = ("acute", "community", "mental_health", "primary_care", "social_care", "voluntary")
TITLES = ("Staff nurse", "Ward manager", "Social worker", "Occupational therapist",
          "Physiotherapist", "Discharge coordinator", "GP", "Care manager", "Team leader")
MAX_REQUESTS = 500_000  # a hard cap on the type-ahead load, whatever the duration
LOOKUP_LINKS = 2_000


def build_store(path: Path, people: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    orgs = [Node(NodeLabel.ORGANISATION, f"ORG{i:02d}",
                 {"name": f"{V.BOROUGHS[i % len(V.BOROUGHS)]} {SECTORS[i % 6].replace('_', ' ')}"
                          f" service {i}", "sector": SECTORS[i % 6]}) for i in range(60)]
    nodes, rels = list(orgs), []
    start = date(2020, 1, 1)
    for i in range(people):
        pid, rid = f"P{i:06d}", f"R{i:06d}"
        name = f"{rng.choice(V.FIRST_NAMES)} {rng.choice(V.LAST_NAMES)}"
        nodes.append(Node(NodeLabel.PERSON, pid, {"name": name}))
        nodes.append(Node(NodeLabel.ROLE, rid, {"title": rng.choice(TITLES), "kind": "clinical",
                                                "level": "frontline"}))
        rels.append(Relationship(RelType.HOLDS_ROLE, rid, pid, rid, start))
        rels.append(Relationship(RelType.AT_ORGANISATION, rid, rid, rng.choice(orgs).id, start))
    with SQLiteStore(path) as store:
        store.upsert(nodes, rels)


def prepare(data: Path, people: int) -> list[dict]:
    """The store (reused), a fresh survey over everyone, and everyone's link."""
    store_path = data / "carebridge.sqlite"
    if not store_path.exists():
        data.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        build_store(store_path, people)
        print(f"store of {people:,} people built ({time.perf_counter() - t:.1f} s)", flush=True)
    for old in data.glob("surveys.sqlite*"):
        old.unlink()
    today = date.today()
    definition = parse_definition({
        "id": "bench", "name": "Who do you work with on discharge?",
        "opens": (today - timedelta(days=1)).isoformat(),
        "closes": (today + timedelta(days=30)).isoformat(),
        "consent": "Bench consent text.",
        "questions": [
            {"id": "advice", "text": "Whom do you ask for advice?", "kind": "advice",
             "scale": ["monthly", "weekly", "daily"]},
            {"id": "referral", "text": "To whom do you refer?", "kind": "referral"},
        ],
        "roster": {"in_post": False}})
    links = data / "links.csv"
    links.unlink(missing_ok=True)
    with SQLiteStore(store_path) as graph, SurveyStore.in_data_dir(data) as surveys:
        t = time.perf_counter()
        created = create_survey(graph, surveys, definition)
        print(f"survey created over {created.roster_size:,} people "
              f"({time.perf_counter() - t:.1f} s)", flush=True)
        t = time.perf_counter()
        written = write_links(surveys, "bench", links, base_url="http://127.0.0.1")
        print(f"{len(written):,} links written ({time.perf_counter() - t:.1f} s)", flush=True)
        roster = surveys.roster("bench")
    t = time.perf_counter()
    index = RosterIndex([(r, e.name) for r, e in roster])
    built = time.perf_counter() - t
    queries = lookup_queries(roster, random.Random(1), 10_000)
    t = time.perf_counter()
    times = []
    for q in queries:
        s = time.perf_counter()
        index.search(q, limit=20)
        times.append(time.perf_counter() - s)
    cuts = statistics.quantiles(times, n=100)
    print(f"index of {len(roster):,} names built in {built:.2f} s; in process, one look-up: "
          f"p50 {cuts[49] * 1e3:.3f} ms, p95 {cuts[94] * 1e3:.3f} ms, "
          f"max {max(times) * 1e3:.3f} ms", flush=True)
    with open(links, newline="") as f:
        return list(csv.DictReader(f))


def lookup_queries(roster, rng: random.Random, n: int) -> list[str]:
    """Parts of real names as people type them: a word's first letters, or of two words."""
    out = []
    for _ in range(n):
        words = name_words(rng.choice(roster)[1].name)
        if rng.random() < 0.6:
            w = rng.choice(words)
            out.append(w[: rng.randint(2, len(w))])
        else:
            out.append(" ".join(w[: rng.randint(1, len(w))] for w in words))
    return out


def respondent(base: str, row: dict, rng: random.Random, expected: dict, save_times: list,
               lock: threading.Lock) -> int:
    """One respondent's visit; returns the number of failed requests."""
    token = row["link"].rsplit("/", 1)[1]
    failures = 0
    with httpx.Client(base_url=base, timeout=60) as client:
        def ok(response) -> bool:
            nonlocal failures
            if response.status_code != 200:
                failures += 1
                return False
            return True
        ok(client.get(f"/s/{token}"))
        ok(client.post(f"/s/{token}/consent", json={"consent": True}))
        for _ in range(2 if rng.random() < 0.2 else 1):  # a fifth come back and change
            answers: dict[str, dict[int, str | None]] = {"advice": {}, "referral": {}}
            for _ in range(rng.randint(1, 8)):
                reply = client.get(f"/s/{token}/people",
                                   params={"q": rng.choice(["sa", "kh", "pa", "jo", "mo", "al",
                                                            "ra", "ha", "ch", "el"])})
                if not ok(reply) or not reply.json()["matches"]:
                    continue
                pick = rng.choice(reply.json()["matches"])["r"]
                if rng.random() < 0.6:
                    answers["advice"][pick] = rng.choice(["monthly", "weekly", "daily"])
                else:
                    answers["referral"][pick] = None
            body = {"answers": {q: [{"r": r, "value": v} for r, v in named.items()]
                                for q, named in answers.items()}}
            t = time.perf_counter()
            saved = client.post(f"/s/{token}/answers", json=body)
            elapsed = time.perf_counter() - t
            if ok(saved):
                with lock:
                    save_times.append(elapsed)
                    expected[row["person_id"]] = {
                        (q, r, v) for q, named in answers.items() for r, v in named.items()}
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--respondents", type=int, default=1_000)
    parser.add_argument("--httpx", action="store_true", help="load with httpx even if wrk is "
                        "installed")
    args = parser.parse_args()
    if args.respondents + LOOKUP_LINKS > args.people:
        raise SystemExit("--people must exceed --respondents by 2,000 (the look-up links)")

    data = ROOT / "bench" / "out" / f"survey-{args.people}"
    rows = prepare(data, args.people)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(data, port, f"{ADMIN}:admin")
    try:
        rng = random.Random(5)
        lookups, respondents = rows[:LOOKUP_LINKS], rows[LOOKUP_LINKS:][: args.respondents]
        with SurveyStore.in_data_dir(data) as surveys:
            roster = surveys.roster("bench")
        queries = lookup_queries(roster, rng, 5_000)
        paths = [str(httpx.URL(f"/s/{lookups[i % len(lookups)]['link'].rsplit('/', 1)[1]}"
                               "/people", params={"q": q}))
                 for i, q in enumerate(queries)]
        t = time.perf_counter()
        first = httpx.get(base + paths[0], timeout=120)
        first.raise_for_status()
        print(f"first look-up (builds the survey's index in the server): "
              f"{(time.perf_counter() - t) * 1000:.0f} ms", flush=True)
        use_wrk = shutil.which("wrk") is not None and not args.httpx
        load = load_wrk if use_wrk else partial(load_httpx, max_requests=MAX_REQUESTS)
        floor = load(base, ["/health"], args.clients, min(args.seconds, 10))
        print(f"baseline, GET /health (the server's floor on this machine now): "
              f"{floor['rps']:,.0f} req/s, p95 {floor['p95']:.1f} ms", flush=True)
        alone = load(base, paths, 1, min(args.seconds, 10))
        print(f"type-ahead, one client at a time (the cost of one look-up, served): "
              f"p50 {alone['p50']:.1f} ms, p95 {alone['p95']:.1f} ms, "
              f"{alone['rps']:,.0f} req/s", flush=True)
        found = load(base, paths, args.clients, args.seconds)
        print(f"\ntype-ahead, {len(roster):,} people on the roster, {args.clients} clients, "
              f"{args.seconds:.0f} s ({'wrk' if use_wrk else 'httpx threads'}):\n"
              f"  {found['requests']:,} requests, {found['errors']} errors, "
              f"{found['rps']:,.0f} req/s; p50 {found['p50']:.1f} ms, p95 {found['p95']:.1f} ms, "
              f"p99 {found['p99']:.1f} ms (goal: p95 <= 50 ms)", flush=True)

        expected: dict[str, set] = {}
        save_times: list[float] = []
        lock = threading.Lock()
        t = time.perf_counter()
        with ThreadPoolExecutor(max_workers=50) as pool:
            failures = sum(pool.map(
                lambda pair: respondent(base, pair[1], random.Random(pair[0]), expected,
                                        save_times, lock),
                enumerate(respondents)))
        wall = time.perf_counter() - t
        cuts = statistics.quantiles(save_times, n=100)
        print(f"\n{len(respondents):,} respondents (50 at a time), each: page, consent, "
              f"look-ups, save (a fifth save twice): {wall:.1f} s in all (goal: within 600 s); "
              f"{len(save_times):,} saves, p50 {cuts[49] * 1e3:.1f} ms, "
              f"p95 {cuts[94] * 1e3:.1f} ms; {failures} failed requests", flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    with SurveyStore.in_data_dir(data) as surveys:
        person_of = {r: e.person_id for r, e in surveys.roster("bench")}
        stored: dict[str, set] = {}
        for a in surveys.answers("bench"):
            stored.setdefault(a.respondent, set()).add((a.question, a.named, a.value))
        want = {p: {(q, person_of[r], v) for q, r, v in answers}
                for p, answers in expected.items()}
        lost = sum(len(want[p] - stored.get(p, set())) for p in want)
        extra = sum(len(stored.get(p, set()) - want[p]) for p in want)
        names = sum(len(v) for v in want.values())
        print(f"\nread back: {len(want):,} respondents saved, {names:,} names expected; "
              f"{lost} lost, {extra} unexpected", flush=True)
        with SQLiteStore(data / "carebridge.sqlite") as graph:
            before = graph.revision()
            t = time.perf_counter()
            report = close_survey(graph, surveys, "bench")
            took = time.perf_counter() - t
            print(f"close: {report.ties:,} ties written in {took:.2f} s (expected {names:,}); "
                  f"revision {before} -> {graph.revision()}", flush=True)
            t = time.perf_counter()
            again = close_survey(graph, surveys, "bench")
            print(f"close again: {again.created} created, {again.updated} updated, revision "
                  f"{graph.revision()} ({time.perf_counter() - t:.2f} s)", flush=True)
            graph.delete_relationships(RelType.TIE, [
                t.key for t in graph.relationships(RelType.TIE)
                if t.source_file == "survey:bench"])  # the store is reused by the next run


if __name__ == "__main__":
    main()
