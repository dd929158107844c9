"""The reports on a phone (390 px) and a desktop (1280 px), in headless Chromium.

On the association report, the county overview and the index: the page never scrolls sideways
(``scrollWidth <= innerWidth``), no outcome table hides a column behind a scroll, and at 390 px
the smallest chart text is still 9 px. Screenshots of one association report at both widths,
and page 1 of its PDF, are saved under ``reports/_screenshots/`` of the repository for a person
to look at. Skipped where chromium or poppler is missing, and never in CI: there it fails.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from finsamlib.reports import paths
from finsamlib.reports import pdf as pdfmod
from tests.chromium import DevTools, need
from tests.reports_fixtures import rendered

SCREENSHOTS = Path(__file__).resolve().parents[1] / "reports" / paths.SCREENSHOT_DIR
WIDTHS = {"phone": (390, True), "desktop": (1280, False)}
PAGES = {
    "association": paths.association_report(2021, "Jönköpings län", "Finnveden"),
    "county": paths.county_index(2021, "Jönköpings län"),
    "index": Path(paths.INDEX),
}
MEASURE = """(() => {
  const d = document.documentElement;
  const wide = Array.from(document.body.querySelectorAll('*'))
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5
                 && !e.closest('.finsam-table-wrap'))
    .slice(0, 5).map(e => e.tagName + '.' + e.className);
  const tables = Array.from(document.querySelectorAll('.finsam-table-wrap')).map(
    w => [w.getAttribute('aria-label'), w.scrollWidth, w.clientWidth]);
  const sizes = Array.from(document.querySelectorAll('svg.finsam-chart text')).map(t => {
    const m = t.getScreenCTM();
    return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
  });
  return {scrollWidth: d.scrollWidth, innerWidth: window.innerWidth, wide: wide,
          tables: tables, smallestText: sizes.length ? Math.min(...sizes) : null,
          charts: document.querySelectorAll('svg.finsam-chart').length,
          title: document.querySelector('h1').getBoundingClientRect().right};
})()"""


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    return rendered(tmp_path_factory)


def measure(browser: DevTools, page: Path, width: int, mobile: bool) -> dict:
    browser.viewport(width, 900, mobile)
    browser.open(page.resolve().as_uri())
    return browser.evaluate(MEASURE)


@pytest.mark.browser
@pytest.mark.parametrize("screen", list(WIDTHS))
@pytest.mark.parametrize("kind", list(PAGES))
def test_no_horizontal_overflow(browser, reports, kind, screen):
    width, mobile = WIDTHS[screen]
    m = measure(browser, reports.out / PAGES[kind], width, mobile)
    assert m["innerWidth"] == width
    assert m["scrollWidth"] <= m["innerWidth"], m["wide"]
    assert m["wide"] == []
    assert m["title"] <= width  # the title wraps instead of running off the screen
    outcome = [t for t in m["tables"] if t[0].startswith("Utfall")]
    if kind != "index":
        assert outcome, m["tables"]
        assert m["charts"] >= (5 if kind == "association" else 1)
    for label, scroll, client in outcome:  # every outcome column is in view
        assert scroll <= client, (label, scroll, client)
    if screen == "desktop":  # on a desktop no table needs its scroll region
        assert [t for t in m["tables"] if t[1] > t[2]] == []
    else:
        assert m["charts"] == 0 or m["smallestText"] >= 9.0, m["smallestText"]


@pytest.mark.browser
def test_screenshots_of_one_report_on_screen_and_on_paper(browser, reports, tmp_path):
    need("pdftoppm (apt-get install poppler-utils)", shutil.which("pdftoppm"))
    page = reports.out / PAGES["association"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = []
    for screen, (width, mobile) in WIDTHS.items():
        browser.viewport(width, 900, mobile)
        browser.open(page.resolve().as_uri())
        shot = browser.screenshot(SCREENSHOTS / f"report-{width}.png", width=width, mobile=mobile)
        shots.append(shot)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", screen
        assert shot.stat().st_size > 50_000, screen
    pdf = pdfmod.print_pdf(page, tmp_path / "report.pdf")
    stem = SCREENSHOTS / "report-pdf-page1"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
        check=True,
        capture_output=True,
    )
    first = stem.with_suffix(".png")
    assert first.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert first.stat().st_size > 20_000
