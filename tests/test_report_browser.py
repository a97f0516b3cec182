"""The board report in Debian's chromium: it reads with script off, fits a phone, prints to A4.

Marked ``browser``; skipped when chromium or Playwright is absent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.ingest import ingest_path
from kg.report import render_report
from kg.store.sqlite import SQLiteStore

pytestmark = pytest.mark.browser

#: An A4 page's width less the report's 12 mm side margins, in CSS pixels (96 per inch).
A4_CONTENT_PX = round((210 - 24) / 25.4 * 96)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory, small_bundle) -> Path:
    folder = tmp_path_factory.mktemp("report-browser")
    with SQLiteStore(folder / "carebridge.sqlite") as store:  # the name KG_DATA_DIR uses
        ingest_path(store, small_bundle)
        html = render_report(store, seed=0)
    path = folder / "report.html"
    path.write_text(html, encoding="utf-8")
    return path


def open_page(browser, path: Path, width: int, height: int, *, media: str = "screen"):
    context = browser.new_context(viewport={"width": width, "height": height},
                                  java_script_enabled=False)
    page = context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(path.as_uri())
    page.emulate_media(media=media)
    return context, page, failed


def test_maps_show_with_script_off(browser, report_file):
    context, page, failed = open_page(browser, report_file, 1366, 768)
    try:
        maps = page.locator("svg.map-svg")
        assert maps.count() == 2
        for i in range(maps.count()):
            m = maps.nth(i)
            m.scroll_into_view_if_needed()
            box = m.bounding_box()
            assert box and box["width"] > 600 and box["height"] > 200
            circles = m.locator("circle")
            assert circles.count() >= 5
            # Circles are painted where they are: inside the map, with a size, visible.
            first = circles.first.bounding_box()
            assert first and first["width"] > 0 and first["height"] > 0
            assert box["x"] <= first["x"] <= box["x"] + box["width"]
            assert circles.first.is_visible()
        # Legend swatches are drawn shapes (they print), one per colour on the map.
        assert page.locator("ul.legend svg.swatch circle").count() >= 3
        assert failed == []
    finally:
        context.close()


def test_no_sideways_scroll_on_a_phone_and_headings_clear_of_the_contents_bar(browser,
                                                                           report_file):
    context, page, _ = open_page(browser, report_file, 390, 844)
    try:
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
        # Tables too wide for the phone scroll inside themselves.
        wide = page.evaluate("""() => [...document.querySelectorAll('.scroll')]
            .filter(d => d.scrollWidth > d.clientWidth).length""")
        assert wide >= 1
        assert page.evaluate("getComputedStyle(document.querySelector('nav.toc')).position") \
            != "sticky"
    finally:
        context.close()
    context, page, _ = open_page(browser, report_file, 1366, 768)
    try:
        page.goto(report_file.as_uri() + "#risk")
        heading = page.evaluate("document.querySelector('#risk h2').getBoundingClientRect().top")
        bar = page.evaluate("document.querySelector('nav.toc').getBoundingClientRect().bottom")
        assert heading >= bar - 1, "the sticky contents bar covers the heading"
    finally:
        context.close()


def test_printed_on_a4_nothing_is_cut_and_the_pdf_has_pages(browser, report_file):
    context, page, _ = open_page(browser, report_file, A4_CONTENT_PX, 1000, media="print")
    try:
        assert page.evaluate("document.scrollingElement.scrollWidth") <= A4_CONTENT_PX + 1
        assert not page.locator("nav.toc").is_visible()
        for i in range(2):
            box = page.locator("svg.map-svg").nth(i).bounding_box()
            assert box and 0 < box["width"] <= A4_CONTENT_PX and box["height"] > 150

        def style(selector: str, prop: str) -> str:
            return page.evaluate(f"getComputedStyle(document.querySelector({selector!r}))"
                                 f".{prop}")

        # A finding longer than the rest of a page runs on to the next (kept whole, it left
        # most of page 1 blank), its headline held to the lines beneath; rows stay whole.
        assert style("ol.findings > li", "breakInside") == "auto"
        assert style("ol.findings .headline", "breakAfter") == "avoid"
        assert style("table tr", "breakInside") == "avoid"
    finally:
        context.close()
    pytest.importorskip("playwright")
    from kg.report.pdf import html_to_pdf

    pdf = html_to_pdf(report_file.read_text(encoding="utf-8"))
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages >= 5, pages


def test_kg_report_pdf_writes_the_pdf_or_says_what_to_install(tmp_path, monkeypatch,
                                                              report_file):
    from typer.testing import CliRunner

    from kg.cli import app
    from kg.config import get_settings
    from kg.report import pdf

    monkeypatch.setenv("KG_DATA_DIR", str(report_file.parent))
    monkeypatch.setenv("KG_OUTPUT_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        r = CliRunner().invoke(app, ["report", "--pdf", "--no-maps"])
        assert r.exit_code == 0, r.output
        assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
        monkeypatch.setattr(pdf, "chromium_path", lambda: "/nonexistent/chromium")
        r = CliRunner().invoke(app, ["report", "--pdf", "--no-maps", "-o",
                                     str(tmp_path / "b.html")])
        assert r.exit_code == 1
        message = " ".join(r.output.split())
        assert "needs Chromium" in message and "apt install chromium" in message
        assert (tmp_path / "b.html").exists()  # the HTML report is still written
    finally:
        get_settings.cache_clear()
