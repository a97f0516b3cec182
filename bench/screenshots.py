"""Screenshots of the pages people read: the landing page, the API docs, the board report and
every map, at a laptop size (1366x768) and a phone size (390x844).

    .venv/bin/python bench/screenshots.py [--size small|medium] [--out screenshots/]
                                          [--data DIR] [--full-page]

Builds the demo partnership into ``--data`` (as ``kg demo`` does: generate, import; a second
run reuses it), serves the API on a free loopback port with a viewer key, opens each page in
Debian's chromium (Playwright) and writes ``<page>-<width>.png`` into ``--out``. Each page is
watched: a failed request, a request that leaves this machine or a script error is printed, and
the script exits non-zero, so a screenshot run is also a smoke test.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
VIEWPORTS = {"laptop": (1366, 768), "phone": (390, 844)}
KEY = "screenshots-viewer"
PAGES = {
    "home": "/",
    "docs": "/docs",
    "report": "/report",
    "network": "/maps/network",
    "bridges": "/maps/bridges?by=sector&between=acute&between=community",
    "communities": "/maps/communities",
    "community-1": "/maps/communities?community=1",
    "organisations": "/maps/organisations",
    "ego": "/maps/ego/{ego}",
    # The network map with the top broker found: their side panel open.
    "network-panel": "/maps/network#find={ego}",
    "bridges-forum": "/maps/bridges?by=sector&between=acute&between=community#forum",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_store(data: Path, size: str, seed: int) -> None:
    """Generate and import the demo partnership into ``data`` unless it is there already."""
    from kg.demo import generate_bundle
    from kg.ingest import ingest_path
    from kg.store.sqlite import SQLiteStore

    bundle = data / f"demo-bundle-{size}-{seed}"
    if not (bundle / "truth.json").exists():
        generate_bundle(bundle, size=size, seed=seed)
    with SQLiteStore(data / "carebridge.sqlite") as store:
        ingest_path(store, bundle)


def serve(data: Path):
    """The API over ``data`` on a loopback port, in a thread; returns (base url, stop)."""
    import uvicorn

    from api import create_app
    from kg.config import Settings

    app = create_app(Settings(data_dir=data, api_keys=f"{KEY}:viewer"))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("the API did not start")
        time.sleep(0.05)

    def stop():
        server.should_exit = True
        thread.join(timeout=10)
        app.state.store.close()

    return f"http://127.0.0.1:{port}", stop


def _top_person(data: Path) -> str:
    from kg.queries import analyses
    from kg.store.sqlite import SQLiteStore

    with SQLiteStore(data / "carebridge.sqlite") as store:
        scores = analyses.betweenness_of(store)
    return max(sorted(scores), key=lambda p: scores[p] or 0)


def shoot(base: str, out: Path, pages: dict, *, full_page: bool) -> list[str]:
    """Screenshot every page at every viewport; return the problems seen."""
    from playwright.sync_api import sync_playwright

    problems = []
    host = base.split("//", 1)[1]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        for name, path in pages.items():
            for width, height in VIEWPORTS.values():
                context = browser.new_context(
                    viewport={"width": width, "height": height},
                    extra_http_headers={"X-API-Key": KEY},
                )
                page = context.new_page()
                seen: list[str] = []
                page.on("request", lambda r, seen=seen: seen.append(r.url))
                page.on(
                    "requestfailed",
                    lambda r, name=name: problems.append(f"{name}: failed request {r.url}"),
                )
                page.on("pageerror", lambda e, name=name: problems.append(f"{name}: {e}"))
                page.on(
                    "console",
                    lambda m, name=name: (
                        problems.append(f"{name}: console {m.text}") if m.type == "error" else None
                    ),
                )
                started = time.perf_counter()
                response = page.goto(base + path, wait_until="load")
                if response is None or response.status != 200:
                    problems.append(f"{name}: HTTP {response.status if response else '?'}")
                if path.startswith("/maps/"):
                    page.wait_for_function("window.carebridgeReady === true", timeout=60_000)
                    if "#find=" in path:
                        page.evaluate("k => window.carebridgeOpen(k)", path.split("#find=")[1])
                    elif path.endswith("#forum"):
                        page.evaluate(
                            "() => { const d = window.carebridgeData; "
                            "window.carebridgeForum(d.forums[d.forumList.items[0].f].id) }"
                        )
                elif path == "/docs":
                    page.wait_for_selector(".opblock", timeout=30_000)
                elapsed = time.perf_counter() - started
                page.wait_for_timeout(300)  # let animations settle
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                if overflow > 0:
                    problems.append(f"{name} at {width}px: {overflow}px horizontal overflow")
                outside = [
                    u
                    for u in seen
                    if not u.startswith(("data:", "blob:"))
                    and u.split("//", 1)[1].split("/", 1)[0] != host
                ]
                problems.extend(f"{name}: request left this machine: {u}" for u in outside)
                target = out / f"{name}-{width}.png"
                page.screenshot(path=str(target), full_page=full_page)
                print(f"{target}  ({elapsed:.2f} s to ready)")
                context.close()
        browser.close()
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("small", "medium"), default="small")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--data", type=Path, help="store folder (default: a temporary one)")
    parser.add_argument("--only", nargs="*", help="page names to shoot: " + ", ".join(PAGES))
    parser.add_argument("--full-page", action="store_true", help="capture the whole page")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="carebridge-shots-") as scratch:
        data = args.data or Path(scratch)
        data.mkdir(parents=True, exist_ok=True)
        print(f"Building the {args.size} demo partnership in {data} ...")
        build_store(data, args.size, args.seed)
        wanted = [k for k in PAGES if not args.only or k in args.only]
        ego = _top_person(data) if any("{ego}" in PAGES[k] for k in wanted) else ""
        pages = {k: PAGES[k].format(ego=ego) for k in wanted}
        args.out.mkdir(parents=True, exist_ok=True)
        base, stop = serve(data)
        try:
            problems = shoot(base, args.out, pages, full_page=args.full_page)
        finally:
            stop()
    for problem in problems:
        print("PROBLEM", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
