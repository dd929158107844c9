"""Shared fixtures: small hand-written participant exports in the Swedish format; and how
``make test`` spreads the tests over two processes (pytest-xdist)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

#: Test modules whose tests share nothing costly (no module- or session-scoped fixture, no
#: shared render): under ``make test`` each of their tests may run in either process. Every
#: other module runs whole in one process, so its module fixtures are built once.
SPREAD_MODULES = frozenset({"test_reports_runner", "test_output_folder"})
#: The tests that read the one shared rendering (:func:`tests.reports_fixtures.rendered`): whole
#: modules, and single tests as ``module::name``. One process renders the reports for them all.
RENDERED = "rendered"
RENDERED_TESTS = frozenset(
    {
        "test_reports",
        "test_browser",
        "test_layout",
        "test_print_pdf",
        "test_notebooks::test_report_notebooks_execute_on_the_embedded_data",
    }
)
#: Groups that take a minute or more, started first (``make test`` passes
#: ``--no-loadscope-reorder``, so xdist hands out groups in collection order): a long group
#: started last would keep one process busy while the other idles. (``make test`` runs
#: test_faults on its own afterwards, without xdist: see the Makefile.)
LONG_FIRST = (
    "test_wheel",
    RENDERED,
    "test_disclosure_attacks",
    "test_render_cache",
    "test_disclosure_reports",
    "test_reports_runner",
    "test_output_folder",
    "test_cli_init",
    "test_slugs",
    "test_notebooks",
    "test_paths_security",
)


def group_of(nodeid: str) -> str:
    """The group a test runs in under ``make test``: the shared rendering's, its own (a test
    of SPREAD_MODULES), or its module's."""
    path, _, name = nodeid.partition("::")
    module = Path(path).stem
    if module in RENDERED_TESTS or f"{module}::{name.split('[')[0]}" in RENDERED_TESTS:
        return RENDERED
    return nodeid if module in SPREAD_MODULES else module


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``make test`` (``-n 2 --dist loadscope``): xdist's scopes are :func:`group_of`'s groups.
    (xdist's own ``loadgroup`` with ``xdist_group`` marks did not group here: xdist 3.8,
    pytest 9.2.)"""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid)

    return GroupScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    """The long groups first (xdist hands groups out in this order); order within a group kept."""
    rank = {name: i for i, name in enumerate(LONG_FIRST)}

    def first(item: pytest.Item) -> int:
        group = group_of(item.nodeid)
        return rank.get(item.path.stem if group == item.nodeid else group, len(rank))

    items.sort(key=first)


SWEDISH_HEADERS = [
    "Förbund",
    "Insats",
    "Person-ID",
    "Kön",
    "Födelseår",
    "Kommun",
    "Startdatum",
    "Slutdatum",
    "Utbildning",
    "Offentlig försörjning före (år)",
    "Försörjning före",
    "Försörjning efter",
    "Arbete före (%)",
    "Arbete efter (%)",
    "Studier före (%)",
    "Studier efter (%)",
]

GOOD_ROWS = [
    [
        "Finnveden",
        "F1",
        "p001",
        "Kvinna",
        "1990",
        "0662",
        "2019-01-15",
        "2019-06-30",
        "Gymnasial",
        "2,5",
        "Ekonomiskt bistånd",
        "Lön",
        "0",
        "100",
        "0",
        "0",
    ],
    [
        "Finnveden",
        "F1",
        "p002",
        "Man",
        "1985",
        "0617",
        "20190201",
        "20191231",
        "Förgymnasial",
        "4",
        "Aktivitetsersättning",
        "Studiemedel",
        "0",
        "0",
        "0",
        "50",
    ],
    [
        "Finnveden",
        "F2",
        "p003",
        "K",
        "2000",
        "0683",
        "2019-03-01",
        "",
        "Okänd",
        "0,5",
        "Sjukpenning",
        "",
        "25",
        "",
        "0",
        "",
    ],
]


def write_csv(
    path: Path,
    rows: list[list[str]],
    header: list[str] = SWEDISH_HEADERS,
    sep: str = ";",
    encoding: str = "utf-8",
) -> Path:
    """Write an export as Swedish systems do (the test decides the delimiter and encoding)."""
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=sep)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def good_rows() -> list[list[str]]:
    return [list(r) for r in GOOD_ROWS]


@pytest.fixture
def good_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "export.csv", GOOD_ROWS)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless Chromium for the browser tests (:mod:`tests.chromium`), one per module."""
    from tests.chromium import DevTools, chromium_binary, need

    binary = need("chromium (apt-get install chromium)", chromium_binary())
    b = DevTools(binary, tmp_path_factory.mktemp("chromium-profile"))
    yield b
    b.close()
