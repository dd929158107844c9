"""The reports in a real browser: headless Chromium driven over the DevTools protocol
(:mod:`tests.chromium`). It opens ``index.html``, follows every link in it, and on every page
checks that each chart is drawn (an inline SVG with a size and an accessible name) and each
image decodes, that nothing was logged as an error and that no request left the file system.

Skipped only where no chromium binary exists, and never in CI (``CI=true``): there it fails.
"""

from __future__ import annotations

import pytest

from finsamlib.reports import paths
from tests.chromium import DevTools
from tests.reports_fixtures import rendered


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    return rendered(tmp_path_factory)


IMAGES = """Promise.all(Array.from(document.images).map(img => img.decode().then(
    () => [img.src.slice(0, 22), img.naturalWidth, img.naturalHeight],
    () => [img.src.slice(0, 22), 0, 0])))"""
CHARTS = """Array.from(document.querySelectorAll('svg.finsam-chart')).map(svg => {
    const box = svg.getBoundingClientRect();
    const title = document.getElementById(svg.getAttribute('aria-labelledby'));
    return [svg.getAttribute('role'), title ? title.textContent : '', box.width, box.height,
            svg.querySelectorAll('text').length];
})"""
LINKS = "Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"
ANCHORS = """Array.from(document.querySelectorAll('a.anchor-link')).map(
    a => [a.getAttribute('aria-label'), a.parentElement.textContent.trim(), a.hash])"""


def check_page(browser: DevTools, url: str) -> dict:
    browser.open(url)
    images = browser.evaluate(IMAGES)
    assert all(w > 0 and h > 0 for _, w, h in images), (url, images)
    charts = browser.evaluate(CHARTS)
    for role, name, width, height, texts in charts:
        assert role == "img" and len(name) > 40, (url, name)
        assert width > 200 and height > 100 and texts > 5, (url, name, width, height)
    for label, heading, target in browser.evaluate(ANCHORS):  # named, and leading somewhere
        assert label == f"Länk till avsnittet {heading}", (url, label, heading)
        found = f"document.getElementById({target[1:]!r})"  # nbconvert's ids are %-encoded
        assert browser.evaluate(f"!!{found}"), (url, target)
    assert browser.errors() == [], (url, browser.errors())
    outside = [u for u in browser.requests() if not u.startswith(("file://", "data:"))]
    assert outside == [], (url, outside)
    return {
        "charts": charts,
        "title": browser.evaluate("document.title"),
        "lang": browser.evaluate("document.documentElement.lang"),
    }


@pytest.mark.browser
def test_index_and_every_linked_page_in_chromium(browser, reports):
    index = (reports.out / paths.INDEX).resolve()
    info = check_page(browser, index.as_uri())
    assert info["lang"] == "sv" and info["title"] == "Rapporter för samordningsförbund"
    links = browser.evaluate(LINKS)
    pages = sorted({u.split("#")[0] for u in links})
    expected = {
        p.resolve().as_uri()
        for p in reports.out.rglob("*.html")
        if p != index and not p.name.startswith(".")
    }
    assert set(pages) == expected
    for url in pages:
        info = check_page(browser, url)
        assert info["lang"] == "sv"
        if url.endswith(("/index.html",)):
            assert "översikt" in info["title"]
            assert len(info["charts"]) >= 1
        else:
            assert "uppföljning" in info["title"]
            assert len(info["charts"]) >= 5
