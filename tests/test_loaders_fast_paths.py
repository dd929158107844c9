"""The loader's fast column readers (issue #13) against the per-cell rules they replace.

Numbers, dates, the personnummer digit-run pre-scan, the unique-key check and the distinct
values are read from whole Arrow columns; each property here generates cells, including the
awkward ones, and checks the fast reading against the rule applied one cell at a time, so a
cell gets the same value and the same error either way.
"""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finsamlib import loaders
from finsamlib.arrow_text import distinct_text, text_bytes
from finsamlib.personnummer import _digit_run_cells
from finsamlib.schemas import Field, _no_repeats

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NUMBER_CELLS = st.one_of(
    st.text(alphabet="0123456789,.-", max_size=7),
    st.text(alphabet="0123456789,.-+ e\u2212\u00a0x", max_size=7),
    st.sampled_from(["", "0", "-0", "12", "2,5", ",5", "-,5", "5,", "1.234,5", "1 234", "inf",
                     "nan", "1e5", "1,5e3", "+5", "5-", "--5", "-", ",", "007", "2.400", "1e400",
                     "3,0", "3.0", "99999999999"]),
)  # fmt: skip


def _strings(cells: list[str]) -> pd.Series:
    return pd.Series(cells, dtype="str", index=pd.RangeIndex(2, 2 + len(cells)))


def _one_cell_number(cell: str, kind: str, decimal_comma: bool) -> tuple[float, bool]:
    """The per-cell text path for one cell: (value or NaN, refused)."""
    if cell == "":
        return math.nan, False
    value = float(loaders._parse_numbers(_strings([cell]), decimal_comma)[0])
    if not math.isfinite(value):
        return math.nan, True
    if kind == "int" and (value != round(value) or abs(value) >= 2.0**63):
        return math.nan, True  # not whole, or beyond what an Int64 column holds
    return value, False


@SETTINGS
@given(kind=st.sampled_from(["int", "float"]), decimal_comma=st.booleans(), data=st.data())
def test_numbers_whole_column_equal_the_per_cell_path(kind: str, decimal_comma: bool, data) -> None:
    # Columns of only digits, the file's decimal mark and minus signs take the one-cast path.
    mark = "," if decimal_comma else "."
    plain_like = st.text(alphabet=f"0123456789{mark}-", max_size=6)
    cells = data.draw(
        st.one_of(
            st.lists(plain_like, min_size=1, max_size=12),
            st.lists(st.one_of(plain_like, NUMBER_CELLS), min_size=1, max_size=12),
        )
    )
    values, bad = loaders._coerce_number(
        _strings(cells), Field("x", kind, nullable=True), decimal_comma
    )
    for i, cell in enumerate(cells):
        expected, refused = _one_cell_number(cell, kind, decimal_comma)
        got = values.iloc[i]
        assert bool(bad.iloc[i]) == refused, cell
        if math.isnan(expected):
            assert pd.isna(got), cell
        else:
            assert float(got) == expected, cell
    assert str(values.dtype) == ("Int64" if kind == "int" else "Float64")


def test_a_whole_number_beyond_int64_is_refused_not_wrapped() -> None:
    # found by hypothesis: "1e100" in a whole-number column became -9223372036854775808
    values, bad = loaders._coerce_number(
        _strings(["1e100", "12", "-1e19"]), Field("x", "int", nullable=True), False
    )
    assert bad.tolist() == [True, False, True]
    assert pd.isna(values.iloc[0]) and values.iloc[1] == 12 and pd.isna(values.iloc[2])


def test_plain_number_values_are_the_per_cell_values() -> None:
    """Hand cases: the plain forms, the decimal comma and what only the per-cell path reads."""
    cells = ["12", "-3", "2,5", ",5", "-,5", "1.234,5", "5,", "1,5e3", ""]
    values, bad = loaders._coerce_number(_strings(cells), Field("x", "float", nullable=True), True)
    assert values.iloc[:5].tolist() == [12.0, -3.0, 2.5, 0.5, -0.5]
    assert values.iloc[5] == 1234.5  # groups of three by the per-cell path
    assert bad.tolist() == [False] * 6 + [True, True, False]
    # Without the grouped number every cell is digits, commas and minus signs: the one-cast
    # path, which must still refuse a cell ending in the mark.
    values, bad = loaders._coerce_number(
        _strings(["12", "5,", "-,5"]), Field("x", "float", nullable=True), True
    )
    assert bad.tolist() == [False, True, False]
    assert values.iloc[2] == -0.5


DATE_CELLS = st.one_of(
    st.dates(min_value=date(1600, 1, 1), max_value=date(2400, 12, 31)).map(str),
    st.dates().map(lambda d: d.strftime("%Y%m%d")),
    st.text(alphabet="0123456789-", min_size=8, max_size=10),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2})?\Z"),
    st.sampled_from(["", "2021-02-29", "2020-02-29", "2021-13-01", "2021-00-10", "1677-12-31",
                     "2262-01-01", "2021-03-31T12:34:56.5", "２０２１-０３-３１", "2021-3-31"]),
)  # fmt: skip


def _one_cell_date(cell: str) -> pd.Timestamp | None:
    """The date rule for one cell, written out: YYYY-MM-DD or YYYYMMDD in ASCII digits filling
    the cell (a time of day may follow), a real day, a year with a nanosecond timestamp."""
    if not re.fullmatch(loaders._DATE, cell, flags=re.ASCII):
        return None
    digits = cell[:10].replace("-", "")[:8]
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    if not 1678 <= year <= 2261:
        return None
    try:
        return pd.Timestamp(date(year, month, day))
    except ValueError:
        return None


@SETTINGS
@given(cells=st.lists(DATE_CELLS, min_size=1, max_size=12))
def test_dates_whole_column_equal_the_per_cell_rule(cells: list[str]) -> None:
    values, bad = loaders._coerce_date(_strings(cells))
    assert values.dtype == "datetime64[ns]"
    for i, cell in enumerate(cells):
        expected = _one_cell_date(cell)
        assert bool(bad.iloc[i]) == (expected is None and cell != ""), cell
        got = values.iloc[i]
        assert pd.isna(got) if expected is None else got == expected, cell


@SETTINGS
@given(cells=st.lists(st.dates().map(str), min_size=1, max_size=8))
def test_dates_of_one_width_read_as_a_matrix_equal_the_mixed_width_reading(
    cells: list[str],
) -> None:
    """All cells 10 bytes (the byte-matrix path) or one cell longer (the gathered path)."""
    fixed, _ = loaders._coerce_date(_strings(cells))
    mixed, _ = loaders._coerce_date(_strings([*cells, "2021-03-31 12:00"]))
    assert fixed.tolist() == mixed.iloc[:-1].tolist()


def _one_cell_runs(cell: str) -> bool:
    """Whether the cell has a maximal run of ASCII digits of length 6, 8, 9, 10 or 12."""
    return any(len(run) in {6, 8, 9, 10, 12} for run in re.findall("[0-9]+", cell))


@SETTINGS
@given(
    width=st.integers(1, 20),
    data=st.data(),
)
def test_digit_runs_of_fixed_width_cells_equal_the_per_cell_rule(width: int, data) -> None:
    alphabet = st.sampled_from("0123456789-+ aé")
    cells = data.draw(
        st.lists(
            st.lists(alphabet, min_size=width, max_size=width)
            .map("".join)
            .filter(lambda c: len(c.encode()) == width),
            min_size=1,
            max_size=10,
        )
    )
    got = _digit_run_cells(pa.array(cells, pa.large_string()))
    assert got.tolist() == [_one_cell_runs(c) for c in cells]
    mixed = _digit_run_cells(pa.array([*cells, "x"], pa.large_string()))  # the general path
    assert mixed[:-1].tolist() == got.tolist()


def test_digit_runs_matrix_path_is_taken_for_one_width() -> None:
    cells = text_bytes(pa.array(["811218-9876", "abcdefghijk"], pa.large_string()))
    assert cells.fixed_width() is not None
    assert _digit_run_cells(cells.array).tolist() == [True, False]


KEY_CELLS = st.sampled_from(["A", "B", "AB", "S-0000001", "S-0000002", "", "ÅÄ", "x" * 17])


@SETTINGS
@given(
    rows=st.lists(
        st.tuples(KEY_CELLS, KEY_CELLS, st.sampled_from([0, 1, None])), min_size=1, max_size=12
    ),
    width=st.sampled_from([None, 3, 9]),
)
def test_unique_key_check_equals_duplicated(rows: list, width: int | None) -> None:
    first = [r[0] for r in rows]
    if width is not None:  # one width: the byte-word hashing path
        first = [c.ljust(width, "_")[:width] for c in first]
    frame = pd.DataFrame(
        {
            "a": pd.Series(first, dtype="str"),
            "b": pd.Series([r[1] for r in rows], dtype="str"),
            "d": pd.to_datetime(
                [None if r[2] is None else f"2021-01-0{r[2] + 1}" for r in rows]
            ).astype("datetime64[ns]"),
        }
    )
    expected = not frame.duplicated(["a", "b", "d"], keep=False).any()
    assert _no_repeats(frame, ["a", "b", "d"]) == expected


@SETTINGS
@given(cells=st.lists(KEY_CELLS, min_size=1, max_size=12), width=st.sampled_from([None, 2, 9]))
def test_distinct_text_equals_pandas_unique(cells: list[str], width: int | None) -> None:
    if width is not None:
        cells = [c.ljust(width, "_")[:width] for c in cells]
    values = pd.Series(cells, dtype="str", index=np.arange(len(cells)) + 5)
    assert distinct_text(values).tolist() == list(pd.unique(values))


@pytest.mark.parametrize(
    ("cells", "padded"),
    [(["a", "b"], False), (["a ", "b"], True), (["\u00a0a", "b"], True), (["", "b"], False)],
)
def test_padding_check_reads_first_and_last_bytes(cells: list[str], padded: bool) -> None:
    assert loaders._may_be_padded(text_bytes(pa.array(cells, pa.large_string()))) is padded


CSV_CELLS = st.text(alphabet='ab;"åÅ1 ,\u00a0\u2003\n', max_size=5)


@SETTINGS
@given(
    rows=st.lists(st.lists(CSV_CELLS, min_size=1, max_size=4), min_size=0, max_size=6),
    bom=st.integers(0, 2),
    title=st.booleans(),
)
def test_csv_bytes_read_as_the_decoded_text(rows: list[list[str]], bom: int, title: bool) -> None:
    """A UTF-8 file's body goes to Arrow undecoded: the same table (or the same error) as
    reading the text that decode() gives."""
    from finsamlib.errors import FinsamDataError
    from finsamlib.exports import decode, read_csv_file, read_csv_text

    lines = (["Rapport 2021"] if title else []) + ["Förbund;Insats;Kön"]
    lines += [";".join('"' + c.replace('"', '""') + '"' if c else c for c in r) for r in rows]
    data = codecs_bom(bom) + "\n".join(lines).encode("utf-8")
    path = Path("export.csv")
    results = []
    for read in (
        lambda: read_csv_file(path, data, None),
        lambda: read_csv_text(path, decode(path, data), None),
    ):
        try:
            table = read()
            results.append((table.frame, table.header_line))
        except FinsamDataError as exc:
            results.append(str(exc))
    if isinstance(results[0], str) or isinstance(results[1], str):
        assert results[0] == results[1]
    else:
        pd.testing.assert_frame_equal(results[0][0], results[1][0])
        assert results[0][1] == results[1][1]


def codecs_bom(count: int) -> bytes:
    return b"\xef\xbb\xbf" * count
