"""Board packs are printed: the reports as PDF, printed by headless Chromium
(:mod:`finsamlib.reports.pdf`, ``finsam reports --pdf``) and read back with poppler's
``pdfinfo`` and ``pdftotext``.

Every page is A4; every section heading of the page and every column of the outcome tables
(each area for Totalt, Kvinnor and Män, Riket included) is in the PDF's text; no page holds
only a heading, and no page ends with one. Skipped where chromium or poppler is missing, and
never in CI (``CI=true``): there it fails.
"""

from __future__ import annotations

import html as htmlmod
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from finsamlib.reports import paths
from finsamlib.reports import pdf as pdfmod
from tests.chromium import chromium_binary, need
from tests.reports_fixtures import rendered

A4 = (595.28, 841.89)  # points


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    return rendered(tmp_path_factory)


@pytest.fixture(scope="module")
def printed(reports, tmp_path_factory):
    """One association report and one county overview, printed beside copies of themselves."""
    need("chromium (apt-get install chromium)", chromium_binary())
    need("pdftotext (apt-get install poppler-utils)", shutil.which("pdftotext"))
    out = tmp_path_factory.mktemp("pdf")
    pages = {
        "association": paths.association_report(2021, "Jönköpings län", "Finnveden"),
        "county": paths.county_index(2021, "Jönköpings län"),
    }
    done = {}
    for kind, rel in pages.items():
        page = out / rel
        page.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(reports.out / rel, page)
        summary = pdfmod.print_pages([page])
        assert summary.ok, summary.text()
        done[kind] = (page, summary.written[0])
    return done


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return [
        (float(w), float(h))
        for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    ]


def page_texts(pdf: Path) -> list[str]:
    """The text of each page, whitespace collapsed."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [" ".join(p.split()) for p in text.split("\f")][: len(page_sizes(pdf))]


def page_lines(pdf: Path) -> list[list[str]]:
    """The non-empty lines of each page, top to bottom as printed (``-layout``: a table's
    heading row is one line), whitespace collapsed."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = text.split("\f")[: len(page_sizes(pdf))]
    return [[" ".join(line.split()) for line in p.splitlines() if line.strip()] for p in pages]


def headings(page: Path, level: int = 2) -> list[str]:
    source = page.read_text(encoding="utf-8")
    found = re.findall(rf"<h{level}\b[^>]*>(.*?)</h{level}>", source, re.S)
    return [
        " ".join(htmlmod.unescape(re.sub(r"<[^>]+>", "", h)).replace("¶", "").split())
        for h in found
    ]


def outcome_tables(page: Path) -> dict[str, list[str]]:
    """Caption → column headings (areas) of the outcome tables of a page."""
    source = page.read_text(encoding="utf-8")
    tables = {}
    for caption, head in re.findall(
        r"<caption>(Utfall[^<]*)</caption><thead><tr>(.*?)</tr></thead>", source, re.S
    ):
        cols = [htmlmod.unescape(c) for c in re.findall(r"<th[^>]*>(.*?)</th>", head)]
        tables[htmlmod.unescape(caption)] = [c for c in cols if c]
    return tables


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["association", "county"])
def test_pdf_pages_are_a4(printed, kind):
    page, pdf = printed[kind]
    assert pdf == page.with_suffix(".pdf") and pdf.read_bytes()[:5] == b"%PDF-"
    sizes = page_sizes(pdf)
    assert len(sizes) >= 2
    for w, h in sizes:
        assert abs(w - A4[0]) <= 1 and abs(h - A4[1]) <= 1, sizes


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["association", "county"])
def test_pdf_holds_every_heading_and_every_outcome_column(printed, kind):
    page, pdf = printed[kind]
    text = " ".join(page_texts(pdf))
    sections = headings(page)
    assert len(sections) >= (9 if kind == "association" else 3)
    for h in sections:
        assert h in text, h
    tables = outcome_tables(page)
    if kind == "association":
        assert [c.rsplit("–", 1)[-1].strip() for c in tables] == ["totalt", "kvinnor", "män"]
        assert all(any(c.startswith("Riket") for c in cols) for cols in tables.values())
    else:  # five areas: two tables of totals
        assert list(tables) == ["Utfall 2021, totalt", "Utfall 2021, totalt (forts.)"]
    columns = [c for cols in tables.values() for c in cols]
    assert any(c.startswith("Riket") for c in columns) and "Jönköpings län" in columns
    lines = [line for page_ in page_lines(pdf) for line in page_]
    for caption, columns in tables.items():
        at = lines.index(caption)
        # the heading row printed under the caption holds every column of the table
        head = " ".join(lines[at + 1 : at + 3])
        for column in columns:
            assert column in head, (caption, column, head)


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["association", "county"])
def test_no_pdf_page_is_only_a_heading_or_ends_with_one(printed, kind):
    page, pdf = printed[kind]
    titles = set(headings(page, 2)) | set(headings(page, 3))
    for number, lines in enumerate(page_lines(pdf), start=1):
        assert lines, f"page {number} is empty"
        assert not set(lines) <= titles, f"page {number} holds only {lines}"
        assert lines[-1] not in titles, f"page {number} ends with the heading {lines[-1]!r}"


# --------------------------------------------------------------------------- failures


def test_a_missing_browser_fails_each_pdf_with_one_line(tmp_path, monkeypatch):
    page = tmp_path / "a.html"
    page.write_text("<p>a</p>", encoding="utf-8")
    monkeypatch.setenv(pdfmod.ENV, str(tmp_path / "no-such-chromium"))
    summary = pdfmod.print_pages([page, tmp_path / "b.html"])
    assert not summary.ok and summary.written == []
    assert [p.name for p, _ in summary.failed] == ["a.html", "b.html"]
    assert all("\n" not in why and pdfmod.ENV in why for _, why in summary.failed)
    assert "0 of 2 PDFs written" in summary.text()


def test_a_failing_browser_leaves_no_pdf_and_no_temporary_file(tmp_path, monkeypatch):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\necho 'cannot print' >&2\nexit 3\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv(pdfmod.ENV, str(fake))
    page = tmp_path / "a.html"
    page.write_text("<p>a</p>", encoding="utf-8")
    old = tmp_path / "a.pdf"
    old.write_bytes(b"%PDF-old")
    summary = pdfmod.print_pages([page])
    assert not summary.ok
    ((_, why),) = summary.failed
    assert "exited with 3" in why and "cannot print" in why
    assert old.read_bytes() == b"%PDF-old"  # the previous PDF stays whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "a.pdf", "chromium"]
