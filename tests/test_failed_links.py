"""No page of a run links to a page that failed in the same run or was never made: a county
overview's link to an association whose report failed, an association's breadcrumb to a failed
overview, a link to a report never made and the index's heading of a county without overview
become plain text with a note; links to pages that exist stay."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from finsamlib.reports import cache, paths, runner
from tests.faults_fixtures import waiting_notebook

NOTE = "(rapporten kunde inte skapas i den här körningen)"
MISSING = "(rapporten har inte skapats)"


def hrefs(path: Path) -> list[str]:
    return re.findall(r'<a href="([^"#]+)"', path.read_text(encoding="utf-8"))


def dead_links(out: Path) -> list[str]:
    """Relative links of the pages under ``out`` to files that do not exist."""
    dead = []
    for page in out.rglob("*.html"):
        for href in hrefs(page):
            if "://" not in href and not (page.parent / href).resolve().is_file():
                dead.append(f"{page.relative_to(out)} -> {href}")
    return dead


@pytest.mark.slow
def test_a_county_overview_does_not_link_to_an_association_that_failed(tmp_path):
    """A real county overview (Jönköpings län of the embedded data: Finnveden, Höglandet,
    Södra Vätterbygden) in a run where Finnveden's report fails and Höglandet's is written;
    Södra Vätterbygden's page is from an earlier run and Finnveden's earlier page is removed."""
    nb = waiting_notebook(tmp_path / "page.ipynb")
    jobs = runner.plan(county="Jönköpings län", year=2021)
    county = next(j for j in jobs if j.kind == "county")
    by_name = {j.parameters["association"]: j for j in jobs if j.kind == "association"}
    fails = runner.Job(str(nb), {"fail": True}, by_name["Finnveden"].output, "F", "association")
    works = runner.Job(
        str(nb), {"page": "<h1>Höglandet</h1>"}, by_name["Höglandet"].output, "H", "association"
    )
    out = tmp_path / "out"
    earlier = out / by_name["Södra Vätterbygden"].output
    earlier.parent.mkdir(parents=True)
    earlier.write_text("<title>Södra Vätterbygden</title>", encoding="utf-8")
    (out / fails.output).write_text("<title>Finnveden (förra körningen)</title>", "utf-8")

    summary = runner.run([county, fails, works], out, workers=2, progress=False)

    assert [r.job.output for r in summary.failed] == [fails.output]
    overview = out / county.output
    assert summary.unlinked == [overview]
    text = overview.read_text(encoding="utf-8")
    assert sorted(hrefs(overview)) == sorted(
        ["../../index.html", "hoglandet.html", "sodra-vatterbygden.html"]
    )
    note = f'<span class="finsam-unavailable">{NOTE}</span>'
    assert f"<li>Finnveden – uppföljning 2021 {note}</li>" in text
    assert text.count(NOTE) == 1
    assert not (out / fails.output).exists()
    assert dead_links(out) == []
    assert "links to missing reports made plain text in: 2021/jonkopings-lan/index.html" in (
        summary.text()
    )
    # the rewritten overview has no cache record: the next run renders it again
    assert not cache.record_path(out, county.output).exists()
    assert not list(out.rglob("*.tmp"))


def test_an_association_does_not_link_to_a_county_overview_that_failed(tmp_path):
    """The overview fails: the association page's breadcrumb to it becomes plain text (the one
    to the index of all reports stays), as does its link to a report never made, and the index
    names the county without a link."""
    nb = waiting_notebook(tmp_path / "page.ipynb")
    crumbs = (
        '<title>Förbund</title><nav><ol><li><a href="../../index.html">Alla rapporter</a></li>'
        '<li><a href="index.html">Län – översikt 2021</a></li></ol></nav>'
        '<a href="#avsnitt">avsnitt</a><p><a href="annan.html#s">Annan</a></p>'
    )
    works = runner.Job(str(nb), {"page": crumbs}, "2021/lan/forbund.html", "Förbund", "other")
    fails = runner.Job(str(nb), {"fail": True}, "2021/lan/index.html", "Län", "other")
    out = tmp_path / "out"

    summary = runner.run([works, fails], out, workers=1, progress=False)

    page = out / works.output
    assert summary.unlinked == [page]
    text = page.read_text(encoding="utf-8")
    assert f'<li>Län – översikt 2021 <span class="finsam-unavailable">{NOTE}</span></li>' in text
    assert f'<p>Annan <span class="finsam-unavailable">{MISSING}</span></p>' in text
    assert hrefs(page) == ["../../index.html"]
    index = (out / paths.INDEX).read_text(encoding="utf-8")
    assert '<a href="2021/lan/index.html">' not in index and "<h3>lan</h3>" in index
    assert '<a href="2021/lan/forbund.html">Förbund</a>' in index
    assert dead_links(out) == []


def test_unlink_touches_only_links_to_missing_or_failed_pages(tmp_path):
    (tmp_path / "ok.html").write_text("", encoding="utf-8")
    (tmp_path / "b.html").write_text("", encoding="utf-8")  # failed, its removal too
    page = (
        '<a href="a.html">A</a> <a href="b.html">B &amp; C</a> <a href="ok.html">O</a>'
        '<a href="a.html#s">A, avsnitt</a> <a href="../../index.html">I</a> <a href="#x">X</a>'
        '<a href="https://example.org/a.html">E</a>'
    )
    got = runner._unlink(page, tmp_path, {"b.html"})
    missing = f'<span class="finsam-unavailable">{MISSING}</span>'
    failed = f'<span class="finsam-unavailable">{NOTE}</span>'
    assert got == (
        f'A {missing} B &amp; C {failed} <a href="ok.html">O</a>A, avsnitt {missing} '
        '<a href="../../index.html">I</a> <a href="#x">X</a>'
        '<a href="https://example.org/a.html">E</a>'
    )
