"""Strict cell parsing (whole-cell dates and numbers, decimal comma rules, finite amounts, row
rules) and how problems are reported (user's cells first, plain words, at most 20)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finsamlib import FinsamDataError, load_participants, load_portfolio
from finsamlib.errors import MAX_REPORTED_PROBLEMS
from finsamlib.schemas import PORTFOLIO

from .conftest import GOOD_ROWS, write_csv

#: The portfolio's required columns by their Swedish headers (Insats-ID … Beviljat belopp).
PORTFOLIO_HEADERS = [f.headers[0] for f in PORTFOLIO.fields if f.required]


DATES = ["2020-01-01", "2021-12-31"]


def portfolio_rows(*amounts: str) -> list[list[str]]:
    return [
        [
            f"F{i}",
            f"Insats {i}",
            "Finnveden",
            "Individinriktad",
            "Finsam-medel",
            "Kommun",
            *DATES,
            amount,
        ]
        for i, amount in enumerate(amounts, start=1)
    ]


def write_portfolio(path: Path, *amounts: str, sep: str = ";") -> Path:
    return write_csv(path, portfolio_rows(*amounts), header=PORTFOLIO_HEADERS, sep=sep)


def error_of(load, path: Path) -> FinsamDataError:
    with pytest.raises(FinsamDataError) as err:
        load(path)
    message = str(err.value)
    assert str(path) in message
    for internal in ("SchemaError", "failure_case", "Check", "isin", "greater_than", "\\d"):
        assert internal not in message
    return err.value


def participants_with(tmp_path: Path, row: int, column: int, value: str) -> Path:
    rows = [list(r) for r in GOOD_ROWS]
    rows[row][column] = value
    return write_csv(tmp_path / "p.csv", rows)


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "value",
    [
        "2021-03-312",
        "2021-13-01",
        "20210230",
        "2021-02-30",
        "2021-3-1",
        "15/01/2021",
        # years with no nanosecond timestamp: a numbered error, not pandas' OutOfBoundsDatetime
        "1600-01-01",
        "16000101",
        "2999-12-31",
    ],
)
def test_a_date_must_fill_the_cell_and_exist(tmp_path: Path, value: str) -> None:
    err = error_of(load_participants, participants_with(tmp_path, 1, 6, value))
    assert (err.line, err.column, err.value) == (3, "Startdatum", value)
    assert "YYYY-MM-DD or YYYYMMDD" in err.expected


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("2019-02-01", "2019-02-01"),
        ("20190201", "2019-02-01"),
        ("2019-02-01 00:00:00", "2019-02-01"),  # a time of day (Excel's CSV) is dropped
        ("2019-02-01T13:45", "2019-02-01"),
        ("2020-02-29", "2020-02-29"),
    ],
)
def test_dates_read(tmp_path: Path, value: str, read: str) -> None:
    df = load_participants(participants_with(tmp_path, 2, 6, value))  # a row without end
    assert df.loc[2, "start_date"] == pd.Timestamp(read)


# --------------------------------------------------------------------------- numbers


def test_thousands_dots_in_a_decimal_comma_file(tmp_path: Path) -> None:
    """A file with decimal commas: '.' separates groups of three digits, so 2.400 is 2400."""
    path = write_portfolio(tmp_path / "p.csv", "2.400", "1 250,50", "1.234.567,5", "3\u00a0000")
    df = load_portfolio(path)
    assert list(df["granted_amount"]) == [2400.0, 1250.5, 1234567.5, 3000.0]


@pytest.mark.parametrize("value", ["2.5", "2.40", "1.2345", "1.234,5.6"])
def test_other_dots_in_a_decimal_comma_file_are_errors(tmp_path: Path, value: str) -> None:
    err = error_of(load_portfolio, write_portfolio(tmp_path / "p.csv", "100,5", value))
    assert (err.line, err.column, err.value) == (3, "Beviljat belopp", value)
    assert "decimal commas" in err.expected and "2.400 = 2400" in err.expected


def test_a_decimal_point_file_reads_dots_as_decimals(tmp_path: Path) -> None:
    path = write_portfolio(tmp_path / "p.csv", "2.400", "1 250.5", "7", sep=",")
    assert list(load_portfolio(path)["granted_amount"]) == [2.4, 1250.5, 7.0]
    path = write_portfolio(tmp_path / "q.csv", "2.5", "1 250.5", "7")  # ';' and no comma
    assert list(load_portfolio(path)["granted_amount"]) == [2.5, 1250.5, 7.0]


def test_a_comma_in_text_does_not_make_decimal_commas(tmp_path: Path) -> None:
    err = error_of(load_portfolio, write_portfolio(tmp_path / "p.csv", "2.5", "ca 1,5 mkr"))
    assert len(err.problems) == 1
    assert (err.line, err.value) == (3, "ca 1,5 mkr")
    assert "decimal commas" not in err.expected


@pytest.mark.parametrize("value", ["1e400", "inf", "-inf", "Infinity", "NaN", "nan"])
def test_non_finite_amounts_are_errors(tmp_path: Path, value: str) -> None:
    err = error_of(load_portfolio, write_portfolio(tmp_path / "p.csv", "100", value))
    assert (err.line, err.column, err.value) == (3, "Beviljat belopp", value)
    assert "finite" in err.expected


@pytest.mark.parametrize("value", ["12abc", "1 2 3", "12 00", "1,2,3", "5 kr", "--5", "1e5x"])
def test_anything_beside_the_number_is_an_error(tmp_path: Path, value: str) -> None:
    err = error_of(load_portfolio, write_portfolio(tmp_path / "p.csv", "100", value))
    assert (err.line, err.column, err.value) == (3, "Beviljat belopp", value)
    assert err.expected.startswith("a number (decimal comma allowed) of at least 0")


@pytest.mark.parametrize("value", ["-5", "\u22125", "-0,5"])
def test_negative_amounts_where_the_spec_forbids_them(tmp_path: Path, value: str) -> None:
    err = error_of(load_portfolio, write_portfolio(tmp_path / "p.csv", "100", value))
    assert (err.line, err.column, err.value) == (3, "Beviljat belopp", value)
    assert "of at least 0" in err.expected


def test_a_whole_number_column_refuses_fractions(tmp_path: Path) -> None:
    err = error_of(load_participants, participants_with(tmp_path, 0, 4, "1990,5"))
    assert (err.line, err.column, err.value) == (2, "Födelseår", "1990,5")
    assert "a whole number from 1900 to 2100" in err.expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cents=st.lists(st.integers(0, 10**11), min_size=1, max_size=5),
    group=st.sampled_from(["", " ", "\u00a0", "."]),
)
def test_swedish_amounts_read_back(cents: list[int], group: str) -> None:
    """Any amount written the Swedish way (decimal comma, grouped thousands) reads back."""

    def swedish(c: int) -> str:
        whole = f"{c // 100:,}".replace(",", group)
        return f"{whole},{c % 100:02d}"

    with tempfile.TemporaryDirectory() as tmp:
        path = write_portfolio(Path(tmp) / "p.csv", *(swedish(c) for c in cents))
        got = list(load_portfolio(path)["granted_amount"])
    assert got == pytest.approx([c / 100 for c in cents], rel=0, abs=1e-6)


# --------------------------------------------------------------------------- row rules


def test_a_birth_year_after_the_start_year(tmp_path: Path) -> None:
    err = error_of(load_participants, participants_with(tmp_path, 2, 4, "2020"))
    assert err.line == 4
    assert err.column == "Födelseår + Startdatum"
    assert err.value == "Födelseår=2020; Startdatum=2019-03-01"  # as the file has them
    assert "birth year no later than the year of start_date" in err.expected
    load_participants(participants_with(tmp_path, 2, 4, "2019"))  # born the year it started


def test_a_kommun_code_is_explained_not_given_as_a_regex(tmp_path: Path) -> None:
    err = error_of(load_participants, participants_with(tmp_path, 0, 5, "662"))
    assert (err.line, err.column, err.value) == (2, "Kommun", "662")
    assert err.expected == "a code of exactly 4 digits (leading zeros kept)"


# --------------------------------------------------------------------------- reporting


def test_at_most_20_problems_then_a_count(tmp_path: Path) -> None:
    rows = [list(GOOD_ROWS[0]) for _ in range(30)]
    for i, row in enumerate(rows):
        row[2] = f"p{i:03d}"
        row[3] = "X"
    err = error_of(load_participants, write_csv(tmp_path / "p.csv", rows))
    assert MAX_REPORTED_PROBLEMS == 20
    assert len(err.problems) == 30
    listed = [line for line in str(err).splitlines() if line.startswith("  - ")]
    assert len(listed) == 20
    assert listed[0].startswith("  - line 2, column 'Kön': found 'X'; expected one of")
    assert str(err).splitlines()[-1] == "  … and 10 more"


def test_the_users_cells_come_before_row_and_file_problems(tmp_path: Path) -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows.insert(0, list(rows[0]))  # a repeated key on lines 2 and 3: a row problem
    rows[3][3] = "X"  # a cell problem on line 5
    err = error_of(load_participants, write_csv(tmp_path / "p.csv", rows))
    assert (err.problems[0].line, err.problems[0].column) == (5, "Kön")
    assert {p.line for p in err.problems[1:]} == {2, 3}
    assert all(p.value is None and "unique" in p.expected for p in err.problems[1:])
