"""The board report as PDF, printed by Chromium through Playwright (``carebridge[pdf]``).

Chromium prints the page exactly as a reader's browser would (the report's own print styles,
A4, inline SVG), so there is no second layout to keep in step. The browser is the system's
Chromium when one is installed (Debian's ``chromium``), else Playwright's own; when neither
can be started, :class:`PdfUnavailable` says what to install instead of failing obscurely.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor

from kg.errors import CarebridgeError

__all__ = ["PdfUnavailable", "chromium_path", "html_to_pdf"]

#: System browsers tried in this order before Playwright's own download.
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL = ("install Playwright (pip install 'carebridge[pdf]') and a Chromium (apt install "
           "chromium, or playwright install chromium), or print the HTML report to PDF from "
           "any browser")
_FOOTER = ('<div style="width:100%;font-size:8px;color:#5b6775;padding:0 12mm;'
           'font-family:system-ui,sans-serif;display:flex;justify-content:space-between">'
           "<span>Carebridge board report</span>"
           '<span>page <span class="pageNumber"></span> of <span class="totalPages"></span>'
           "</span></div>")


class PdfUnavailable(CarebridgeError):
    """The report cannot be printed to PDF here: no Playwright, or no Chromium to drive."""


def chromium_path() -> str | None:
    """The system's Chromium or Chrome, or None (then Playwright's own browser is tried)."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html: str, *, timeout_ms: int = 120_000) -> bytes:
    """Print a self-contained HTML page to an A4 PDF with Chromium.

    Script is off (the report needs none), so nothing in the page runs while it prints.

    Parameters
    ----------
    html : str
        The page (the board report).
    timeout_ms : int
        How long Chromium may take to load and print.

    Returns
    -------
    bytes
        The PDF, with page numbers in the footer.

    Raises
    ------
    PdfUnavailable
        Playwright is not installed, or no Chromium could be started; the message says what to
        install.
    """
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise PdfUnavailable(f"printing to PDF needs Playwright: {INSTALL}") from None
    # Playwright's sync API refuses to run on a thread with an event loop (a notebook, a test
    # session already driving a browser, a server): print on a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_print, html, timeout_ms).result()


def _print(html: str, timeout_ms: int) -> bytes:
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=chromium_path())
        except Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else "no detail"
            raise PdfUnavailable(f"printing to PDF needs Chromium, which could not be started "
                                 f"({first}): {INSTALL}") from None
        try:
            context = browser.new_context(java_script_enabled=False)
            page = context.new_page()
            page.set_default_timeout(timeout_ms)
            page.set_content(html, wait_until="load")
            page.emulate_media(media="print")
            return page.pdf(format="A4", print_background=True, prefer_css_page_size=True,
                            display_header_footer=True, header_template="<span></span>",
                            footer_template=_FOOTER)
        finally:
            browser.close()
