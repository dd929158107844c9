"""The HTML reports of the embedded data: rendered once per session, checked as a reader and a
privacy reviewer would check them."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest

from finsamlib import datasets, outcomes
from finsamlib.narrative import BANNER_TEXT
from finsamlib.reports import paths, runner, sections
from tests.reports_fixtures import copy_data_dir, plant_small_cell, rendered

ASSOCIATION_SECTIONS = (
    "Sammanfattning",
    "Deltagare",
    "Försörjning före och efter",
    "Sysselsättning före och efter",
    "Tid i insats",
    "Resultat per insats",
    "Resultat",
    "Utveckling över tid",
    "Samhällsekonomi",
    "Målgrupp och täckningsgrad",
    "Insatsportfölj",
    "Ekonomi och finansiering",
    "Datakällor och metod",
)
GENERATED = "2026-01-01T00:00:00Z"
EXTERNAL = re.compile(
    r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|url\(\s*["']?\s*(?:https?:)?//|@import\s+["']?(?:url\()?\s*["']?(?:https?:)?//""",
    re.I,
)


@pytest.fixture(scope="session")
def reports(tmp_path_factory):
    return rendered(tmp_path_factory)


def pages(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if not p.name.startswith("."))


def association_pages(out: Path) -> list[Path]:
    return [p for p in pages(out) if p.name != paths.INDEX]


def h2s(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)
    ]


def test_every_association_and_county_rendered_for_the_latest_year(reports):
    assert reports.summary.ok, reports.summary.text()
    registry = datasets.load("registry")
    participants = pd.concat(
        [datasets.load(n) for n in datasets.names() if n.startswith("synthetic/participants_")]
    )
    latest = int(pd.to_datetime(participants["end_date"]).dt.year.max())
    expected = {
        paths.association_report(latest, c, a)
        for a, c in zip(registry["association"], registry["county"], strict=True)
    }
    expected |= {paths.county_index(latest, c) for c in registry["county"]}
    found = {p.relative_to(reports.out) for p in pages(reports.out)} - {Path(paths.INDEX)}
    assert found == expected
    assert not (reports.out / paths.FAILED_DIR).exists()


def test_pages_are_swedish_self_contained_and_show_no_code(reports):
    for page in pages(reports.out):
        html = page.read_text(encoding="utf-8")
        assert '<html lang="sv">' in html, page
        title = re.search(r"<title>(.*?)</title>", html).group(1)
        assert re.search(r"uppföljning|översikt|Rapporter för samordningsförbund", title), title
        # no code input, no prompts, no stderr, no tracebacks (in the body; the CSS names them)
        body = html[html.index("<body") :]
        assert "jp-InputArea-editor" not in body and "jp-InputPrompt" not in body, page
        assert 'class="highlight' not in body, page
        assert "from finsamlib" not in body and "import " not in body, page
        assert "application/vnd.jupyter.stderr" not in body and "Traceback" not in body, page
        # no external requests: scripts, styles, images, fonts all inline
        assert not EXTERNAL.search(html), (page, EXTERNAL.search(html).group(0))
        assert "<script src" not in html
        # every image is embedded; charts are inline SVG with an accessible name
        for src in re.findall(r"<img[^>]*\ssrc=\"([^\"]*)\"", html):
            assert src.startswith("data:image/"), (page, src[:40])
        for svg in re.findall(r"<svg [^>]*>", html):
            assert 'role="img"' in svg and "aria-labelledby=" in svg, (page, svg)


def test_association_reports_have_every_section_figures_and_the_banner(reports):
    for page in association_pages(reports.out):
        html = page.read_text(encoding="utf-8")
        assert h2s(html) == list(ASSOCIATION_SECTIONS), page
        assert html.count('class="finsam-chart"') >= 5, page
        assert BANNER_TEXT in html  # the embedded participant data are synthetic
        assert "finsam-banner" in html


def test_county_overviews_link_their_association_reports(reports):
    registry = datasets.load("registry")
    for county, members in registry.groupby("county")["association"]:
        index = next(reports.out.glob(f"*/{paths.slug(county)}/index.html"))
        html = index.read_text(encoding="utf-8")
        for a in sorted(set(members)):
            href = paths.association_link(a)
            assert f'href="{href}"' in html
            assert (index.parent / href).is_file()
        assert BANNER_TEXT in html


def test_top_index_links_every_page(reports):
    html = (reports.out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="sv">' in html and BANNER_TEXT in html
    hrefs = set(re.findall(r'href="([^"]+)"', html))
    expected = {p.relative_to(reports.out).as_posix() for p in pages(reports.out)} - {"index.html"}
    assert hrefs == expected


def test_no_person_id_in_any_page(reports):
    ids = set()
    for name in datasets.names():
        if name.startswith("synthetic/participants_"):
            ids |= set(datasets.load(name)["person_id"].astype(str))
    assert len(ids) > 1000
    texts = [p.read_text(encoding="utf-8") for p in pages(reports.out)]
    for text in texts:
        leaked = [i for i in ids if i in text]
        assert not leaked, leaked[:5]


def test_sources_section_lists_files_with_sha256_version_and_time(reports):
    page = reports.out / paths.association_report(2021, "Jönköpings län", "Finnveden")
    html = page.read_text(encoding="utf-8")
    method = html[html.index(">Datakällor och metod<") :]
    root = datasets.data_dir()
    for rel in (
        "registry.csv",
        "synthetic/participants_finnveden.csv",
        "assumptions/standard_costs.csv",
        "published/seed001_utfall_2019.csv",
    ):
        digest = hashlib.sha256((root / rel).read_bytes()).hexdigest()
        assert rel in method and digest in method, rel
    assert "Syntetisk (demonstrationsdata)" in method and "Publicerad" in method
    assert "finsamlib" in method and GENERATED in method
    assert "Gräns för små tal" in method and "antal från 1 till 4 visas som ”&lt;5”" in method


def test_outcome_table_figures_are_the_library_figures(reports):
    """The Resultat table shows outcome_table's figures (not copies): the ended registrations
    of Finnveden in 2021, as computed from the embedded participants."""
    data = sections.load(association="Finnveden", year=2021)
    table = outcomes.outcome_table(data.participants, 2021, registry=data.registry)
    n = int(table.loc["ended_registrations", ("Finnveden", "Totalt")])
    work = int(table.loc["work_count", ("Jönköpings län", "Totalt")])
    html = (reports.out / paths.association_report(2021, "Jönköpings län", "Finnveden")).read_text(
        encoding="utf-8"
    )
    result = html[html.index(">Resultat<") : html.index(">Samhällsekonomi<")]
    row = re.search(r"Antal avslutade deltagare</th>(.*?)</tr>", result, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells[0] == str(n)
    # the first table is Totalt, its columns Finnveden, Jönköpings län, Riket
    row = re.search(r"Antal i förvärvsarbete</th>(.*?)</tr>", result, re.S).group(1)
    assert re.findall(r"<td[^>]*>(.*?)</td>", row)[1] == f"{work:,}".replace(",", "\u202f")


@pytest.mark.slow
def test_planted_small_cell_is_suppressed_and_rerun_is_identical(tmp_path):
    """Two ended registrations of Finnveden in 2021 with establishment allowance before: the
    report shows "<5" for them, hides their share, and protects the total by a second cell."""
    data_dir = copy_data_dir(tmp_path / "raw")
    plant_small_cell(data_dir, "Finnveden", 2021, "establishment_allowance", n=2)
    jobs = runner.plan(
        association="Finnveden", year=2021, data_dir=data_dir, generated_at=GENERATED
    )
    jobs = [j for j in jobs if j.kind == "association"]
    a = runner.run(jobs, tmp_path / "a", workers=1, progress=False, generated_at=GENERATED)
    assert a.ok, a.text()
    html = a.written[0].read_text(encoding="utf-8")
    supply_part = html[html.index(">Försörjning före och efter<") : html.index(">Resultat<")]
    row = re.search(r"Etableringsersättning</th>(.*?)</tr>", supply_part, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells[0] == "&lt;5" and cells[1] == ".."  # count and its share
    assert "..</td>" in re.search(r"<tbody>(.*?)</tbody>", supply_part, re.S).group(1)
    assert "färre än 5 personer" in supply_part
    # the same inputs give the same file
    b = runner.run(jobs, tmp_path / "b", workers=1, progress=False, generated_at=GENERATED)
    assert a.written[0].read_bytes() == b.written[0].read_bytes()
