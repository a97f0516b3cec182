"""What the browser tests share: Debian's chromium, a watched page, and a check that a map's
canvas is painted. The ``browser`` fixture itself lives in conftest.py."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")

# How many sampled canvas pixels are painted: a blank map gives 0.
PAINTED = """() => {
  const canvas = document.querySelector('#cb-network canvas');
  if (!canvas) return 0;
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4 * 7) { if (pixels[i] > 0) painted++; }
  return painted;
}"""


class Watched:
    """A page opened at ``url`` (a path opens as file://) with every request, failed request,
    script error, console error and dialog recorded; ``headers`` go with every request."""

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

    def close(self):
        self.context.close()
