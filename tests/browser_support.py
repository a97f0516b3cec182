"""What the browser tests share: Debian's chromium, the API served on a loopback port, a watched
page, and a check that a map's canvas is painted. The ``browser`` fixture itself lives in
conftest.py."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
START_SECONDS = 30  # how long uvicorn may take to start serving

# How many sampled canvas pixels are painted: a blank map gives 0.
PAINTED = """() => {
  const canvas = document.querySelector('#cb-network canvas');
  if (!canvas) return 0;
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4 * 7) { if (pixels[i] > 0) painted++; }
  return painted;
}"""


def free_port() -> int:
    """A loopback TCP port that is free now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(app, port: int | None = None) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a loopback ``port`` (a free one unless given) in a thread
    while the block runs; yields the base URL, ``http://127.0.0.1:PORT``. Skips the test when
    uvicorn is not installed."""
    uvicorn = pytest.importorskip("uvicorn")
    port = port or free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_SECONDS
    while not srv.started:
        if time.monotonic() > deadline:
            pytest.fail("the API did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


class Watched:
    """A page opened at ``url`` (a path opens as file://) with every request, failed request,
    script error, console error and dialog recorded; ``headers`` go with every request. Use as
    a context manager, or call :meth:`close`."""

    def __init__(self, browser, url, *, headers: dict | None = None, viewport=(1200, 800)):
        self.failed, self.errors, self.dialogs, self.requests = [], [], [], []
        self.statuses: list[int] = []
        self.context = browser.new_context(
            extra_http_headers=headers or {},
            viewport={"width": viewport[0], "height": viewport[1]},
        )
        self.page = self.context.new_page()
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("response", lambda r: self.statuses.append(r.status))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("dialog", self._dialog)
        self.page.goto(url.as_uri() if isinstance(url, Path) else url)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def wait_ready(self, timeout: int = 20_000) -> Watched:
        """Wait until the map page says it has drawn (``window.carebridgeReady``)."""
        self.page.wait_for_function("window.carebridgeReady === true", timeout=timeout)
        return self

    def evaluate(self, script: str):
        return self.page.evaluate(script)

    def offsite(self, base: str) -> list[str]:
        """The requested URLs that left ``base``'s host (data: and blob: URLs stay in the
        page)."""
        host = urlsplit(base).netloc
        return [
            u for u in self.requests
            if not u.startswith(("data:", "blob:")) and urlsplit(u).netloc != host
        ]

    def close(self):
        self.context.close()

    def __enter__(self) -> Watched:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
