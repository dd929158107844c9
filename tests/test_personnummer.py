"""Personnummer anywhere: one in any cell of a loaded file is refused, never echoed; masking."""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
from datetime import date, timedelta
from pathlib import Path

import hypothesis.strategies as st
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from finsamlib import FinsamDataError, load_participants, load_published
from finsamlib.errors import MAX_REPORTED_PROBLEMS, Problem
from finsamlib.loaders import read_raw
from finsamlib.personnummer import (
    INVALID_CHECK,
    VALID,
    classify,
    find_identity_numbers,
    mask_identity_numbers,
)
from finsamlib.reports.runner import _one_line

from .conftest import GOOD_ROWS, SWEDISH_HEADERS, write_csv

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
HEADERS = [*SWEDISH_HEADERS, "Kommentar"]
#: Columns of different kinds: an id, the insats name, a number, free text the loader ignores.
COLUMNS = ["Person-ID", "Insats", "Arbete före (%)", "Kommentar"]
LINE = 3  # the second data row: the header is line 1


def check_digit(nine: str) -> str:
    """The Luhn check digit of ``YYMMDDNNN`` (weights 2, 1, 2, ... from the left)."""
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 - i % 2)
        total += d - 9 if d > 9 else d
    return str(-total % 10)


def ten_digits(born: date, serial: int, samordning: bool = False) -> str:
    """A valid 10-digit number ``YYMMDDNNNC`` (day + 60 for a samordningsnummer)."""
    day = born.day + (60 if samordning else 0)
    nine = f"{born:%y%m}{day:02d}{serial:03d}"
    return nine + check_digit(nine)


def shaped(ten: str, century: str, shape: str) -> str:
    """``ten`` written in one of the shapes an export may have."""
    return {
        "YYMMDD-NNNN": f"{ten[:6]}-{ten[6:]}",
        "YYMMDD+NNNN": f"{ten[:6]}+{ten[6:]}",
        "YYMMDD NNNN": f"{ten[:6]} {ten[6:]}",
        "YYMMDDNNNN": ten,
        "YYYYMMDDNNNN": century + ten,
        "YYYYMMDD-NNNN": f"{century}{ten[:6]}-{ten[6:]}",
        "YYYYMMDD NNNN": f"{century}{ten[:6]} {ten[6:]}",
        "Excel number": f"{ten}.0",
        "in free text": f"Ringde ({ten[:6]}-{ten[6:]}), återkommer.",
        "digits in free text": f"pnr:{century}{ten} enligt AF",
    }[shape]


SHAPES = [
    "YYMMDD-NNNN",
    "YYMMDD+NNNN",
    "YYMMDD NNNN",
    "YYMMDDNNNN",
    "YYYYMMDDNNNN",
    "YYYYMMDD-NNNN",
    "YYYYMMDD NNNN",
    "Excel number",
    "in free text",
    "digits in free text",
]
SKV = "8112189876"  # Skatteverket's example personnummer 811218-9876
SKV_SAMORDNING = "7010632391"  # Skatteverket's example samordningsnummer 701063-2391


def rows_with(value: str, column: str, line: int = LINE) -> list[list[str]]:
    rows = [[*r, "Återbesök bokat"] for r in GOOD_ROWS]
    rows[line - 2][HEADERS.index(column)] = value
    return rows


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refusal(path: Path, loader=load_participants) -> FinsamDataError:
    before = sha256(path)
    with pytest.raises(FinsamDataError) as info:
        loader(path)
    assert sha256(path) == before  # input files are never modified
    return info.value


def assert_not_echoed(err: FinsamDataError, value: str) -> None:
    message = str(err)
    digits = re.sub(r"\D", "", value)
    for secret in {value, digits, digits[-10:], digits[-10:-4]}:
        assert secret not in message
    assert all(p.value is None for p in err.problems)


def assert_refused_at(err: FinsamDataError, line: int, column: str, value: str) -> None:
    assert [(p.line, p.column) for p in err.problems] == [(line, column)]
    assert "pseudonymise" in err.expected and "löpnummer" in err.expected
    assert f"line {line}, column {column!r}" in str(err)
    assert_not_echoed(err, value)


# --------------------------------------------------------------------------- single values


def test_check_digit_helper_agrees_with_skatteverkets_examples() -> None:
    assert check_digit(SKV[:9]) == SKV[9]
    assert check_digit(SKV_SAMORDNING[:9]) == SKV_SAMORDNING[9]
    assert ten_digits(date(1981, 12, 18), 987) == SKV
    assert ten_digits(date(1970, 10, 3), 239, samordning=True) == SKV_SAMORDNING


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("811218-9876", VALID),
        ("19811218 9876", VALID),
        ("811218+9876", VALID),
        ("701063-2391", VALID),  # samordningsnummer: day 03 + 60
        ("8112189876,0", VALID),
        ("Ring 19811218-9876!", VALID),
        ("0002291235", VALID),  # 29 February 2000
        ("503151235", VALID),  # 0503151235 without its leading zero
        ("503151235.0", VALID),
        ("811218-9875", INVALID_CHECK),  # a mistyped number is still personal data
        ("198112189875", INVALID_CHECK),
        ("8112189875.0", INVALID_CHECK),
        ("Ring 811218-9875", None),  # inside text only valid numbers count
        ("503151234", None),  # 9 digits: only valid numbers count
        ("17811218-9876", None),  # no such century
        ("8113329876", None),  # month 13
        ("8102309876", None),  # 30 February
        ("8112929876", None),  # day 92 is not 32 + 60
        ("222000-1234", None),  # organisationsnummer: month 20
        ("2021-03-31", None),
        ("20210331", None),
        ("1 234 567", None),
        ("070-123 45 67", None),
        ("0.8112189876", None),  # the decimals of a number
        ("81121898761", None),  # 11 digits
        ("a8112189876b", None),  # inside a hex hash
        ("", None),
    ],
)
def test_classify(value: str, kind: str | None) -> None:
    assert classify(value) == kind


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("shape", SHAPES)
def test_one_cell_in_any_column_and_shape_is_refused(
    tmp_path: Path, column: str, shape: str
) -> None:
    value = shaped(SKV, "19", shape)
    path = write_csv(tmp_path / "uttag.csv", rows_with(value, column), HEADERS)
    err = refusal(path)
    assert err.path == str(path)
    assert_refused_at(err, LINE, column, value)


@pytest.mark.parametrize("shape", ["YYYYMMDD-NNNN", "YYMMDDNNNN", "in free text"])
@pytest.mark.parametrize("column", ["Person-ID", "Kommentar"])
def test_refused_in_a_comma_separated_cp1252_file(tmp_path: Path, shape: str, column: str) -> None:
    value = shaped(SKV_SAMORDNING, "19", shape)
    rows = rows_with(value, column)
    path = write_csv(tmp_path / "uttag.csv", rows, HEADERS, sep=",", encoding="cp1252")
    assert "å".encode("cp1252") in path.read_bytes()  # really cp1252
    assert_refused_at(refusal(path), LINE, column, value)


def write_xlsx(path: Path, cell: object, column: str) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for i, row in enumerate(rows_with("", column)):
        values: list[object] = list(row)
        if i == LINE - 2:
            values[HEADERS.index(column)] = cell
        sheet.append(values)
    book.save(path)
    return path


@pytest.mark.parametrize(
    "cell",
    [
        503151235,  # 0503151235 stored as a number: the leading zero is lost
        8112189876.0,  # a float cell
        19811218_9876,
        "811218-9876",
    ],
)
@pytest.mark.parametrize("column", ["Person-ID", "Arbete före (%)"])
def test_refused_in_an_xlsx_cell(tmp_path: Path, cell: object, column: str) -> None:
    path = write_xlsx(tmp_path / "uttag.xlsx", cell, column)
    value = str(int(cell)) if isinstance(cell, float) else str(cell)
    assert_refused_at(refusal(path), LINE, column, value)


def test_invalid_check_digit_is_refused_with_its_own_message(tmp_path: Path) -> None:
    value = "19811218-9875"
    path = write_csv(tmp_path / "uttag.csv", rows_with(value, "Person-ID"), HEADERS)
    err = refusal(path)
    assert_refused_at(err, LINE, "Person-ID", value)
    assert "wrong check digit" in err.expected and "mistyped personnummer" in err.expected


def test_samordningsnummer_is_refused(tmp_path: Path) -> None:
    born = date(2004, 2, 29)
    value = ten_digits(born, 12, samordning=True)
    assert value[4:6] == "89"
    path = write_csv(tmp_path / "uttag.csv", rows_with(value, "Insats"), HEADERS)
    assert_refused_at(refusal(path), LINE, "Insats", value)


def test_every_cell_is_listed_up_to_the_error_limit(tmp_path: Path) -> None:
    count = MAX_REPORTED_PROBLEMS + 7
    numbers = [ten_digits(date(1990, 1, 1) + timedelta(days=i), 100 + i) for i in range(count)]
    rows = [[*GOOD_ROWS[0][:2], n, *GOOD_ROWS[0][3:], "x"] for n in numbers]
    rows[5][HEADERS.index("Kommentar")] = f"se {numbers[0]}"
    path = write_csv(tmp_path / "uttag.csv", rows, HEADERS)
    err = refusal(path)
    expected = [(line, "Person-ID") for line in range(2, count + 2)]
    expected.insert(6, (7, "Kommentar"))
    assert [(p.line, p.column) for p in err.problems] == expected
    assert str(err).count("\n  - line ") == MAX_REPORTED_PROBLEMS
    assert f"… and {count + 1 - MAX_REPORTED_PROBLEMS} more" in str(err)
    for n in numbers:
        assert n not in str(err)


def test_a_header_holding_a_number_is_refused(tmp_path: Path) -> None:
    header = [*SWEDISH_HEADERS, "811218-9876"]
    rows = [[*r, ""] for r in GOOD_ROWS]
    err = refusal(write_csv(tmp_path / "uttag.csv", rows, header))
    assert [(p.line, p.column) for p in err.problems] == [(1, None)]
    assert "header of column 17" in err.expected
    assert_not_echoed(err, "811218-9876")


def test_a_published_table_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    path.write_text("source,table,value,unit,note\ns,t,1,kr,kontakt 811218-9876\n")
    err = refusal(path, load_published)
    assert [(p.line, p.column) for p in err.problems] == [(2, "note")]
    assert_not_echoed(err, "811218-9876")


def test_legitimate_values_load(tmp_path: Path) -> None:
    rows = [[*r, ""] for r in GOOD_ROWS]
    rows[0][2] = "a3f8112189876b0c"  # a keyed hash as the person id
    rows[1][2] = "8113329876"  # ten digits, but month 13
    rows[2][2] = "222000-1234"  # an organisationsnummer
    notes = [
        "Start 2021-03-31, slut 20211231; kostnad 1 234 567 kr",
        "Tel 070-123 45 67, andel 0,8112189876",
        "Ring 811218-9875 (inte ett giltigt nummer i fritext)",
    ]
    for row, note in zip(rows, notes, strict=True):
        row[-1] = note
    df = load_participants(write_csv(tmp_path / "uttag.csv", rows, HEADERS))
    assert list(df["person_id"]) == ["a3f8112189876b0c", "8113329876", "222000-1234"]


def test_the_embedded_data_holds_no_identity_numbers() -> None:
    files = sorted(p for p in RAW.rglob("*") if p.suffix in (".csv", ".xlsx"))
    assert len(files) > 40
    for path in files:
        assert find_identity_numbers(read_raw(path)) == [], path


# --------------------------------------------------------------------------- properties

born_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    born=born_dates,
    serial=st.integers(0, 999),
    samordning=st.booleans(),
    shape=st.sampled_from(SHAPES),
    column=st.sampled_from(COLUMNS),
    line=st.integers(2, 4),
)
def test_any_valid_number_anywhere_is_refused_and_never_shown(
    born: date, serial: int, samordning: bool, shape: str, column: str, line: int
) -> None:
    ten = ten_digits(born, serial, samordning)
    value = shaped(ten, f"{born.year // 100}", shape)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_csv(Path(tmp) / "uttag.csv", rows_with(value, column, line), HEADERS)
        assert_refused_at(refusal(path), line, column, value)


cell_text = st.text(alphabet="0123456789-+ .,aö", max_size=16)


@st.composite
def cells(draw: st.DrawFn) -> str:
    """Digit-heavy text, sometimes with a valid number (any shape) or a 9-digit number."""
    text = draw(cell_text)
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return text
    born = draw(born_dates)
    ten = ten_digits(born, draw(st.integers(0, 999)), draw(st.booleans()))
    if choice == 1:
        return ten[1:]
    value = shaped(ten, f"{born.year // 100}", draw(st.sampled_from(SHAPES)))
    return text + value + draw(cell_text) if choice == 2 else value


@settings(max_examples=300, deadline=None)
@given(
    columns=st.lists(st.lists(cells(), min_size=1, max_size=6), min_size=1, max_size=3),
    split=st.integers(1, 5),
    skip=st.integers(0, 2),
)
def test_the_vectorised_scan_finds_exactly_the_cells_classify_finds(
    columns: list[list[str]], split: int, skip: int
) -> None:
    rows = max(map(len, columns))
    data = {}
    for j, values in enumerate(columns):
        values = values + [""] * (rows - len(values))
        # two Arrow chunks and a sliced start exercise the offsets of the byte scan
        parts = [pd.Series(values[:split], dtype="str"), pd.Series(values[split:], dtype="str")]
        data[f"c{j}"] = pd.concat(parts, ignore_index=True)
    frame = pd.DataFrame(data).iloc[min(skip, rows - 1) :]
    found = {(h.row, h.column, h.kind) for h in find_identity_numbers(frame)}
    expected = {
        (row, j, classify(v))
        for j in range(frame.shape[1])
        for row, v in frame.iloc[:, j].items()
        if classify(v) is not None
    }
    assert found == expected


@given(born=born_dates, serial=st.integers(0, 999), samordning=st.booleans())
def test_classify_accepts_every_valid_number_and_refuses_every_wrong_check_digit(
    born: date, serial: int, samordning: bool
) -> None:
    ten = ten_digits(born, serial, samordning)
    century = f"{born.year // 100}"
    assert all(classify(shaped(ten, century, s)) == VALID for s in SHAPES)
    wrong = ten[:9] + str((int(ten[9]) + 1) % 10)
    assert classify(wrong) == INVALID_CHECK
    assert classify(century + wrong) == INVALID_CHECK
    assert classify(f"Ring {wrong}") is None


# --------------------------------------------------------------------------- masking


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("8112189876", "XXXXXXXXXX"),
        ("pnr 19811218-9876.", "pnr XXXXXXXX-XXXX."),
        ("811218+9876 och 811218 9876", "XXXXXX+XXXX och XXXXXX XXXX"),
        ("198112189876;7010632391", "XXXXXXXXXXXX;XXXXXXXXXX"),
        ("8112189876.0", "XXXXXXXXXX.0"),
        ("1234 567 890", "1234 567 890"),  # not one run
        ("123456789", "123456789"),  # 9 digits
        ("81121898761", "81121898761"),  # 11 digits
        ("1981121898761", "1981121898761"),  # 13 digits
        ("2021-03-31 12:34", "2021-03-31 12:34"),
    ],
)
def test_mask_identity_numbers(text: str, masked: str) -> None:
    assert mask_identity_numbers(text) == masked


def test_errors_mask_numbers_a_caller_puts_in() -> None:
    problem = Problem(2, "Person-ID", "811218-9876", "not 198112189876")
    assert (
        str(problem) == "line 2, column 'Person-ID': found 'XXXXXX-XXXX'; expected not XXXXXXXXXXXX"
    )
    err = FinsamDataError(
        "uttag_8112189876.csv", [problem, Problem(None, None, None, "7010632391")]
    )
    assert "8112189876" not in str(err) and "7010632391" not in str(err)
    assert str(err).startswith("uttag_XXXXXXXXXX.csv: 2 problem(s)")
    assert str(FinsamDataError(None, "fix 811218-9876")).endswith("expected fix XXXXXX-XXXX")


@pytest.mark.parametrize("name", ["finsamlib", "finsamlib.reports", "finsamlib.new.module"])
def test_log_records_of_finsamlib_loggers_are_masked(
    caplog: pytest.LogCaptureFixture, name: str
) -> None:
    log = logging.getLogger(name)
    with caplog.at_level(logging.INFO):
        log.warning("report %s failed: %s", "a/2021", "row 811218-9876")
        try:
            raise ValueError("bad 198112189876")
        except ValueError:
            log.exception("failed")
    assert "row XXXXXX-XXXX" in caplog.records[0].getMessage()
    assert "report a/2021 failed" in caplog.text
    assert "ValueError: bad XXXXXXXXXXXX" in caplog.text
    assert "8112189876" not in caplog.text and "9876" not in caplog.text


def test_other_loggers_are_left_alone(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        logging.getLogger("someone.else").warning("order %s", "8112189876")
    assert caplog.records[0].getMessage() == "order 8112189876"


def test_runner_failure_lines_are_masked() -> None:
    assert _one_line(ValueError("cell:\n  811218-9876")) == "cell: XXXXXX-XXXX"
