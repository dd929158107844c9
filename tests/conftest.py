"""Shared fixtures: small hand-written participant exports in the Swedish format."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

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
