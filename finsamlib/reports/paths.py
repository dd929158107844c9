"""The layout of a reports folder, in one place so the runner and the notebooks agree on links.

::

    reports/index.html                          every year, county and association
    reports/<year>/<county>/index.html          the county overview
    reports/<year>/<county>/<association>.html  one report per association
    reports/_failed/                            executed notebooks of failed reports
    reports/_screenshots/                       screenshots from the browser test

County and association names become ASCII slugs (``Södermanlands län`` →
``sodermanlands-lan``) so links work in every browser and file system. A name with no letters
or digits to keep (only emoji, say) and a name whose slug would be longer than
:data:`MAX_SLUG` bytes get a stable name of their own: what is left of the slug (cut to fit)
and ``-`` and the first 8 hex digits of the SHA-256 of the exact name. Two names of one run
that still give the same page (``Nord Väst`` and ``Nord-Väst``, or an association called
``Index`` beside its county's ``index.html``) are refused by the runner's planning
(:func:`clashes`), naming both: they are most likely one association spelt two ways, and
numbering them would make links depend on which one came first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from ..categories import fold

INDEX = "index.html"
FAILED_DIR = "_failed"
SCREENSHOT_DIR = "_screenshots"


#: The longest slug in bytes: a failed report's notebook, ``<year>__<county>__<association>
#: .ipynb``, and the writer's temporary ``.<name>.<random>.tmp`` stay under the 255 bytes that
#: file systems allow in one name.
MAX_SLUG = 100
#: Hex digits of the name's SHA-256 in a slug made unique.
HASH_DIGITS = 8


def slug(name: str) -> str:
    """An ASCII file-name slug: ``"RAR Sörmland"`` → ``"rar-sormland"``; a name that folds to
    nothing, or to more than :data:`MAX_SLUG` bytes, gets a stable hashed slug instead.

    >>> slug("RAR Sörmland")
    'rar-sormland'
    >>> slug("🌲🌲")
    'namn-b2036a88'
    """
    text = fold(name).replace(" ", "-")
    if text and len(text) <= MAX_SLUG:
        return text
    digest = hashlib.sha256(str(name).encode("utf-8")).hexdigest()[:HASH_DIGITS]
    head = text[: MAX_SLUG - HASH_DIGITS - 1].rstrip("-") or "namn"
    return f"{head}-{digest}"


def clashes(pages: Iterable[tuple[str, str]]) -> list[str]:
    """Pages that two different names would share, from (page, name) pairs: one message per
    page naming every name that gives it (empty when every page is distinct)."""
    by_page: dict[str, list[str]] = {}
    for page, name in pages:
        names = by_page.setdefault(page, [])
        if name not in names:
            names.append(name)
    return [
        f"{' and '.join(repr(n) for n in names)} give the same page {page}"
        for page, names in by_page.items()
        if len(names) > 1
    ]


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
