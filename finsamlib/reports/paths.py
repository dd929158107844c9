"""The layout of a reports folder, in one place so the runner and the notebooks agree on links.

::

    reports/index.html                          every year, county and association
    reports/<year>/<county>/index.html          the county overview
    reports/<year>/<county>/<association>.html  one report per association
    reports/_failed/                            executed notebooks of failed reports
    reports/_screenshots/                       screenshots from the browser test

County and association names become ASCII slugs (``Södermanlands län`` →
``sodermanlands-lan``) so links work in every browser and file system.
"""

from __future__ import annotations

from pathlib import Path

from ..categories import fold

INDEX = "index.html"
FAILED_DIR = "_failed"
SCREENSHOT_DIR = "_screenshots"


def slug(name: str) -> str:
    """An ASCII file-name slug: ``"RAR Sörmland"`` → ``"rar-sormland"``."""
    text = fold(name).replace(" ", "-")
    if not text:
        raise ValueError(f"cannot make a file name from {name!r}")
    return text


def county_dir(year: int, county: str) -> Path:
    """The folder of a county's reports, relative to the reports root."""
    return Path(str(int(year))) / slug(county)


def county_index(year: int, county: str) -> Path:
    """The county overview page, relative to the reports root."""
    return county_dir(year, county) / INDEX


def association_report(year: int, county: str, association: str) -> Path:
    """An association's report, relative to the reports root."""
    return county_dir(year, county) / f"{slug(association)}.html"


def association_link(association: str) -> str:
    """The link from a county overview to one of its association reports (same folder)."""
    return f"{slug(association)}.html"
