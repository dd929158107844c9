"""Read CSV and XLSX files as Swedish exports come, and return validated canonical DataFrames.

Every loader: reads the file without writing to it; finds encoding, delimiter, header row and
sheet (:mod:`finsamlib.exports`); maps headers case-, space- and diacritic-insensitively (plus
a user ``mapping``); refuses any cell holding a personal identity number; coerces each column by
its spec, strictly (a number or date must fill its cell; decimal comma; ``YYYY-MM-DD`` or
``YYYYMMDD`` dates; Swedish category labels to codes); validates with pandera; and raises one
:class:`FinsamDataError` listing every problem of the file in plain words. The result carries
``attrs["source"]``, ``attrs["provenance"]`` and where the table was found (``sheet``,
``header_line``, ``read_note``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as pa_arrow
import pyarrow.compute as pc

from .arrow_text import TextBytes, text_bytes
from .categories import fold
from .errors import MAX_REPORTED_PROBLEMS, FinsamDataError, Problem
from .exports import HeaderSpec, header_spec, read_csv_file, read_excel
from .personnummer import refuse_identity_numbers
from .schemas import SPECS, Field, TableSpec

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
MANIFEST_NAME = "MANIFEST.csv"
#: Headers (folded) of a column that marks a file's rows as synthetic demonstration data.
SYNTHETIC_MARKERS = {"syntetisk", "syntetiska data", "synthetic"}
PROVENANCES = ("published", "derived", "synthetic", "assumption", "user")

# A date fills the whole cell: YYYY-MM-DD or YYYYMMDD, optionally followed by a time of day.
_DATE = r"(?:\d{4}-\d{2}-\d{2}|\d{8})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_SPACES = "[ \u00a0\u202f]"  # between groups of three digits; str patterns run in Arrow
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_FAST_YEARS = (1678, 2261)
_ISO_DIGITS = [
    0,
    1,
    2,
    3,
    5,
    6,
    8,
    9,
]  # positions of the digits in YYYY-MM-DD  # whole years inside datetime64[ns]
_POWERS_OF_TEN = 10 ** np.arange(7, -1, -1, dtype=np.int64)  # YYYYMMDD from its digits
_STR = pd.StringDtype("pyarrow", na_value=np.nan)  # the "str" dtype of pandas 3
_NON_FINITE = {"inf", "+inf", "-inf", "infinity", "-infinity", "nan", "-nan"}


# --------------------------------------------------------------------------- reading raw text


def _check_file(path: Path) -> None:
    if not path.exists():
        raise FinsamDataError(path, "an existing file (no file at this path)")
    if path.is_dir():
        raise FinsamDataError(path, "a file, not a folder")
    if path.stat().st_size == 0:
        raise FinsamDataError(path, "a header row and at least one data row (the file is empty)")


def _read_bytes(path: Path) -> bytes:
    _check_file(path)
    data = path.read_bytes()
    if not data or data.isspace():  # only ASCII white space (what bytes.strip removes)
        raise FinsamDataError(path, "a header row and at least one data row (the file is empty)")
    return data


def _header_spec(spec: TableSpec, mapping: Mapping[str, str] | None) -> HeaderSpec:
    return header_spec([(f.name, f.headers, f.required) for f in spec.fields], mapping or {})


def read_raw(
    path: str | Path,
    spec: TableSpec | str | None = None,
    *,
    sheet: str | None = None,
    mapping: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read a CSV or XLSX file into stripped strings, indexed by the 1-based line of each row.

    With a table ``spec`` (and the user's header ``mapping``), title rows above the header are
    skipped (the header is the first row naming enough of the spec's headers) and, in a
    workbook, the sheet with that header is chosen; without one the header is the first
    non-blank row of the first sheet. ``sheet`` names the sheet to read (ignored for CSV).
    Columns keep the file's own headers; empty cells are ``""``; nothing else is converted.
    ``attrs`` tells ``sheet``, ``header_line`` and a ``read_note`` on where the table was found.
    Raises FinsamDataError for a file that cannot be read as one table (see :mod:`.exports`).
    """
    path = Path(path)
    if isinstance(spec, str):
        spec = SPECS[spec]
    headers = _header_spec(spec, mapping) if spec is not None else None
    if path.suffix.lower() in EXCEL_SUFFIXES:
        _check_file(path)
        table = read_excel(path, headers, sheet)
    else:
        table = read_csv_file(path, _read_bytes(path), headers)
    df = table.frame
    if len(df.columns) == 0:
        raise FinsamDataError(path, "a header row naming the columns")
    filled = np.zeros(len(df), dtype=bool)
    columns = {}
    for j in range(df.shape[1]):
        cells = text_bytes(df.iloc[:, j].astype("str"))  # one Arrow chunk: later checks read it
        if _may_be_padded(cells):
            cells = text_bytes(pc.utf8_trim_whitespace(cells.array))
        filled |= cells.lengths > 0
        columns[j] = pd.Series(pd.array(cells.array, dtype=_STR), index=df.index)
    df = pd.DataFrame(columns, index=df.index).set_axis(df.columns, axis=1)
    if not filled.all():
        df = df[filled]  # blank rows carry no data
    if df.empty:
        raise FinsamDataError(path, "at least one data row (the file has only a header)")
    df.attrs.update(sheet=table.sheet, header_line=table.header_line, read_note=table.note())
    return df


def _may_be_padded(cells: TextBytes) -> bool:
    """Whether some cell may start or end with white space: its first or last byte is not a
    printable ASCII character (a superset of every kind of white space), read from the Arrow
    bytes; stripping a column without any is skipped."""
    if len(cells.valid) == 0:
        return False
    if not cells.valid.all():
        return True
    matrix = cells.fixed_width()
    if matrix is not None:
        ends = np.concatenate((matrix[:, 0], matrix[:, -1]))
    else:
        filled = cells.lengths > 0
        if not filled.any():
            return False
        offsets, data = cells.offsets, cells.data
        ends = np.concatenate((data[offsets[:-1][filled]], data[offsets[1:][filled] - 1]))
    return bool(((ends - np.uint8(0x21)) > 0x7E - 0x21).any())  # uint8 wraps below 0x21


# --------------------------------------------------------------------------- header mapping


def _match_headers(
    path: Path,
    columns: list[str],
    spec: TableSpec,
    mapping: Mapping[str, str] | None,
    line: int = 1,
) -> dict[str, str]:
    """File header (on ``line``) -> canonical column, for the columns the spec knows."""
    known: dict[str, str] = {}
    for f in spec.fields:
        known[fold(f.name)] = f.name
        for h in f.headers:
            known.setdefault(fold(h), f.name)
    user = {fold(k): v for k, v in (mapping or {}).items()}
    problems = [
        Problem(line, src, None, f"a mapping target among {', '.join(spec.columns)}")
        for src, target in (mapping or {}).items()
        if target not in spec.columns
    ]
    result: dict[str, str] = {}
    for col in columns:
        target = user.get(fold(col)) or known.get(fold(col))
        if target is None:
            continue
        if target in result.values():
            other = next(k for k, v in result.items() if v == target)
            problems.append(
                Problem(line, col, None, f"one column for {target!r} (also {other!r} maps to it)")
            )
            continue
        result[col] = target
    found = set(result.values())
    for f in spec.fields:
        if f.required and f.name not in found:
            alternatives = ", ".join(repr(h) for h in (f.name, *f.headers))
            problems.append(
                Problem(line, f.name, None, f"a column {f.name!r} (header one of {alternatives})")
            )
    if problems:
        raise FinsamDataError(path, problems)
    return result


# --------------------------------------------------------------------------- coercion


def _blank(values: pd.Series) -> pd.Series:
    return values.isna() | (values == "")


def _number_pattern(decimal_comma: bool) -> str:
    """A whole cell of one number: digits, optionally grouped by three, and a decimal part."""
    group = f"(?:[.]|{_SPACES})" if decimal_comma else _SPACES
    mark = "," if decimal_comma else "[.]"
    digits = rf"(?:\d{{1,3}}(?:{group}\d{{3}})+|\d+)"
    sign = "[+\\-\u2212]?"  # the minus sign as a character: Arrow's regex has no \\u escape
    return rf"{sign}(?:{digits}(?:{mark}\d+)?|{mark}\d+)"


def _arrow_float(values: pd.Series) -> pd.Series | None:
    """float64 of every cell by Arrow's cast, or None when some cell is not a plain number."""
    try:
        parsed = pc.cast(pa_arrow.array(values), pa_arrow.float64())
    except (pa_arrow.ArrowInvalid, pa_arrow.ArrowTypeError, TypeError):
        return None
    return pd.Series(parsed.to_numpy(zero_copy_only=False), index=values.index)


def _to_float(values: pd.Series) -> pd.Series:
    """float64 of each cell read as a plain number, NaN elsewhere (Arrow's cast when every cell
    is one: many times faster than pandas.to_numeric).

    A cell with a comma is never a plain number (pandas.to_numeric refuses it too), so a
    decimal-comma column is settled without the slow per-cell fallback.
    """
    parsed = _arrow_float(values)
    if parsed is not None:
        return parsed
    out = pd.Series(float("nan"), index=values.index, dtype="float64")
    rest = ~values.str.contains(",", regex=False).fillna(False).astype(bool)
    if rest.any():
        others = values[rest]
        parsed = _arrow_float(others)
        if parsed is None:
            parsed = pd.to_numeric(others, errors="coerce").astype("float64")
        out[rest] = parsed
    return out


def _coerce_number(
    values: pd.Series, f: Field, decimal_comma: bool = False
) -> tuple[pd.Series, pd.Series]:
    """Numbers; in a ``decimal_comma`` file ``.`` may only separate groups of three digits.

    Infinite values and NaN are not numbers here; neither is anything after the number.
    Cells that are plain numbers (:func:`_plain_number_cells`, nearly all) are read by one
    Arrow cast of the whole column; only the others go through :func:`_parse_numbers`, which
    gives a plain number the same value.
    """
    cells = text_bytes(values)
    blank = _blank_cells(cells)
    numbers = np.full(len(blank), np.nan)
    plain, parsed = _plain_number_cells(cells, decimal_comma)
    if plain.any():
        if parsed is None:
            parsed = _cast_plain_numbers(cells, plain, decimal_comma)
        if parsed is None:
            plain[:] = False
        else:
            numbers = parsed.copy()  # NaN in every cell that is not plain
    rest = ~plain & ~blank
    if rest.any():
        numbers[rest] = _parse_numbers(values[rest], decimal_comma)
    finite = np.abs(numbers) < np.inf  # False for NaN and for inf (e.g. 1e400)
    bad = ~finite & ~blank
    numbers = np.where(finite, numbers, np.nan)
    if f.kind == "int":
        # a fraction, or a whole number an Int64 column cannot hold (1e100 would wrap)
        fractional = finite & ((numbers != np.round(numbers)) | (np.abs(numbers) >= 2.0**63))
        bad |= fractional
        numbers[fractional] = np.nan
        typed = pd.Series(numbers, index=values.index).astype("Float64").round().astype("Int64")
        return typed, pd.Series(bad, index=values.index)
    typed = pd.Series(numbers, index=values.index).astype("Float64")
    return typed, pd.Series(bad, index=values.index)


def _blank_cells(cells: TextBytes) -> np.ndarray:
    """Missing or empty cells."""
    return ~cells.valid | (cells.lengths == 0)


#: Per-cell counts packed into one integer: bytes that are not digits, marks and minus signs.
_COUNT_BITS = 20


def _plain_number_cells(
    cells: TextBytes, decimal_comma: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Cells that are an optional ``-``, digits and at most one decimal mark (``,`` in a
    ``decimal_comma`` file, else ``.``) not at the end, read from the bytes; and their values
    when one Arrow cast of the whole column already gave them (else None).

    Such a cell is a number by :func:`_parse_numbers` too, and Arrow's cast of it (after ``,``
    becomes ``.``) is the value that path gives it; every other cell goes through that path.
    """
    n = len(cells.valid)
    plain = np.zeros(n, dtype=bool)
    lengths = cells.lengths
    filled = cells.valid & (lengths > 0)
    if not filled.any() or int(lengths.max()) >= 1 << _COUNT_BITS:
        return plain, None
    data, offsets = cells.data, cells.offsets
    digit = np.less(data - np.uint8(48), 10)  # uint8 wraps, so everything below "0" is large
    mark = data == (44 if decimal_comma else 46)
    minus = data == 45
    if (digit | mark | minus).all():
        # Only digits, marks and minus signs: where Arrow's cast reads every filled cell and
        # none ends in a mark, each is a plain number (Arrow reads such text only as
        # -digits, -digits.digits or -.digits), so the cast's success decides the column.
        last = data[offsets[1:][filled] - 1]
        if (last != (44 if decimal_comma else 46)).all():
            parsed = _cast_plain_numbers(cells, filled, decimal_comma)
            if parsed is not None:
                return filled, parsed
    weight = (~digit).astype(np.int64)
    weight += mark * ((1 << _COUNT_BITS) - 1) + minus * ((1 << 2 * _COUNT_BITS) - 1)
    total = np.concatenate(([0], np.cumsum(weight)))
    counts = total[offsets[1:]] - total[offsets[:-1]]
    low = (1 << _COUNT_BITS) - 1
    others, marks, minuses = counts & low, counts >> _COUNT_BITS & low, counts >> 2 * _COUNT_BITS
    first = np.zeros(n, dtype=np.uint8)
    last = np.zeros(n, dtype=np.uint8)
    first[filled] = data[offsets[:-1][filled]]
    last[filled] = data[offsets[1:][filled] - 1]
    plain = filled & (others == 0) & (marks <= 1) & (minuses <= 1)
    plain &= (minuses == 0) | (first == 45)
    plain &= np.less(last - np.uint8(48), 10)
    return plain, None


def _cast_plain_numbers(
    cells: TextBytes, plain: np.ndarray, decimal_comma: bool
) -> np.ndarray | None:
    """float64 of the ``plain`` cells by one Arrow cast (NaN elsewhere); None if Arrow
    refuses one (then they all take the per-cell path)."""
    data = cells.data
    if decimal_comma:
        data = np.where(data == 44, np.uint8(46), data)
    n = len(plain)
    validity = np.packbits(plain, bitorder="little")
    arr = pa_arrow.LargeStringArray.from_buffers(
        n,
        pa_arrow.py_buffer(np.ascontiguousarray(cells.offsets)),
        pa_arrow.py_buffer(np.ascontiguousarray(data)),
        pa_arrow.py_buffer(validity),
        n - int(plain.sum()),
    )
    try:
        parsed = pc.cast(arr, pa_arrow.float64())
    except (pa_arrow.ArrowInvalid, pa_arrow.ArrowTypeError):
        return None
    return parsed.to_numpy(zero_copy_only=False)


def _parse_numbers(values: pd.Series, decimal_comma: bool) -> np.ndarray:
    """float64 of each cell read as a number by the column rules (NaN where it is not one):
    the per-cell path, for the cells :func:`_plain_number_cells` does not settle."""
    blank = _blank(values)
    numbers = _to_float(values.where(~blank))
    plain = numbers.notna()  # what pandas reads as is, e.g. 12, -3.5, 1e5 (and 2.400 as 2.4)
    if decimal_comma:
        plain &= ~values.str.contains(".", regex=False).fillna(False).astype(bool)
    retry = ~plain & ~blank
    if retry.any():
        text = values[retry]
        ok = text.str.fullmatch(_number_pattern(decimal_comma)).fillna(False).astype(bool)
        separators = f"(?:[.]|{_SPACES})" if decimal_comma else _SPACES
        cleaned = text[ok].str.replace(separators, "", regex=True)
        cleaned = cleaned.str.replace(",", ".", regex=False).str.replace("\u2212", "-", regex=False)
        numbers[retry] = float("nan")
        numbers[cleaned.index] = _to_float(cleaned)
    return numbers.to_numpy(dtype="float64", na_value=np.nan)


def _has_decimal_comma(values: pd.Series) -> bool:
    """Whether any cell is a number with a decimal comma: then the whole file has decimal
    commas, and a '.' in its numbers may only separate groups of three digits."""
    if not (text_bytes(values).data == 44).any():  # no comma in any cell
        return False
    commas = values.str.contains(",", regex=False).fillna(False).astype(bool)
    if not commas.any():
        return False
    candidates, pattern = values[commas], _number_pattern(True)
    for part in (candidates.iloc[:1000], candidates.iloc[1000:]):  # usually the first decide
        if bool(part.str.fullmatch(pattern).fillna(False).any()):
            return True
    return False


def _number_hint(cell: str, decimal_comma: bool) -> str:
    """Why a number cell was refused, beyond what the column accepts."""
    if decimal_comma and "." in cell:
        return (
            "; this file has decimal commas, so '.' may only separate groups of three digits "
            "(2.400 = 2400)"
        )
    try:
        infinite = fold(cell) in _NON_FINITE or abs(float(cell)) == float("inf")
    except ValueError:
        infinite = False
    return "; a finite number, not inf, NaN or beyond 1e308" if infinite else ""


def _coerce_date(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates that fill the cell (a trailing time of day is dropped) and exist in the calendar.

    Cells of exactly ``YYYY-MM-DD`` (nearly all) are read from their bytes; the others by the
    full pattern :data:`_DATE`.
    """
    cells = text_bytes(values)
    blank = _blank_cells(cells)
    out = np.full(len(blank), np.datetime64("NaT", "ns"))
    iso, number = _iso_dates(cells)
    if iso.any():
        rows = np.flatnonzero(iso)
        days, far = _days(number[iso])
        iso[rows[far]] = False  # years pandas decides: the general path below
        out[rows[~far]] = days[~far]
    rest = ~iso & ~blank
    if rest.any():
        other = values[rest]
        ok = other.str.fullmatch(_DATE).fillna(False).astype(bool).to_numpy()
        digits = other[ok].str.slice(0, 10).str.replace("-", "", regex=False).str.slice(0, 8)
        if ok.any():
            out[np.flatnonzero(rest)[ok]] = _yyyymmdd(digits)
    bad = np.isnat(out) & ~blank
    return pd.Series(out, index=values.index), pd.Series(bad, index=values.index)


def _iso_dates(cells: TextBytes) -> tuple[np.ndarray, np.ndarray]:
    """A mask of the cells that are exactly ``YYYY-MM-DD`` in ASCII digits, and their
    ``YYYYMMDD`` numbers (0 elsewhere): read from the Arrow bytes with numpy, no regex."""
    n = len(cells.valid)
    mask, numbers = np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int64)
    if n == 0:
        return mask, numbers
    chars = cells.fixed_width()
    if chars is not None and chars.shape[1] == 10:
        ten = np.ones(n, dtype=bool)
    else:
        ten = (cells.lengths == 10) & cells.valid
        if not ten.any():
            return mask, numbers
        chars = cells.data[cells.offsets[:-1][ten][:, None] + np.arange(10)]
    digits = np.ascontiguousarray(chars[:, _ISO_DIGITS]) - np.uint8(48)  # a non-digit: >= 10
    # The eight digits of a row as one 64-bit word: every byte is below 10 when no byte has
    # a high nibble, and adding 6 to each (no carry then) gives none either.
    word = digits.view(np.uint64).ravel()
    high = np.uint64(0xF0F0F0F0F0F0F0F0)
    all_digits = ((word & high) == 0) & (((word + np.uint64(0x0606060606060606)) & high) == 0)
    shape = all_digits & (chars[:, 4] == 45) & (chars[:, 7] == 45)  # "-"
    rows = np.flatnonzero(ten)[shape]
    mask[rows] = True
    numbers[rows] = digits[shape] @ _POWERS_OF_TEN
    return mask, numbers


def _days(number: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """datetime64[ns] of ``YYYYMMDD`` numbers by calendar arithmetic (NaT for a day not in
    the calendar), and a mask of years outside 1678-2261 (left to pandas.to_datetime).

    Each month of those years is looked up in a table of its first day and its length.
    """
    year, month, day = number // 10000, number // 100 % 100, number % 100
    far = (year < _FAST_YEARS[0]) | (year > _FAST_YEARS[1])
    month_index = np.where(
        far | (month < 1) | (month > 12), 0, (year - _FAST_YEARS[0]) * 12 + month
    )
    first, length = _MONTH_TABLE
    real = (day >= 1) & (day <= length[month_index])  # index 0: no month, length 0
    stamps = ((first[month_index] + day - 1) * 86_400_000_000_000).view("datetime64[ns]")
    return np.where(real, stamps, np.datetime64("NaT", "ns")), far


def _month_table() -> tuple[np.ndarray, np.ndarray]:
    """Per month of the years 1678-2261 (index (year - 1678) * 12 + month; 0 is no month):
    days from 1970-01-01 to its first day, and its number of days."""
    years = np.arange(_FAST_YEARS[0], _FAST_YEARS[1] + 1)
    since_1970 = ((years[:, None] - 1970) * 12 + np.arange(12)[None, :]).ravel()
    first_day = since_1970.astype("datetime64[M]").astype("datetime64[D]")
    next_day = (since_1970 + 1).astype("datetime64[M]").astype("datetime64[D]")
    first = first_day.astype(np.int64)
    length = (next_day - first_day).astype(np.int64)
    return np.concatenate(([0], first)), np.concatenate(([0], length))


_MONTH_TABLE = _month_table()


def _yyyymmdd(digits: pd.Series) -> np.ndarray:
    """datetime64[ns] of 8-digit ``YYYYMMDD`` cells, NaT for a day not in the calendar.

    Years 1678-2261 by :func:`_days` (many times faster than pandas.to_datetime, with the same
    result); other years, and anything Arrow cannot read as an integer, by pandas.to_datetime.
    """

    def by_pandas(cells: pd.Series) -> np.ndarray:
        parsed = pd.to_datetime(cells, format="%Y%m%d", errors="coerce")
        # a year outside 1678-2261 has no nanosecond timestamp: an unreadable cell, not a crash
        years = parsed.dt.year
        parsed = parsed.where((years >= _FAST_YEARS[0]) & (years <= _FAST_YEARS[1]))
        return parsed.astype("datetime64[ns]").to_numpy()

    try:
        number = pc.cast(pa_arrow.array(digits), pa_arrow.int64()).to_numpy()
    except (pa_arrow.ArrowInvalid, pa_arrow.ArrowTypeError):
        return by_pandas(digits)
    result, far = _days(number)
    if far.any():
        result[far] = np.datetime64("NaT", "ns")  # no nanosecond timestamp that far out
    return result


def _coerce_code(values: pd.Series, f: Field) -> tuple[pd.Series, pd.Series]:
    """Codes of the labels; each distinct cell is looked up once (a column has few)."""
    assert f.lookup is not None
    encoded = pc.dictionary_encode(text_bytes(values).array)
    positions = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)  # -1: missing
    uniques = encoded.dictionary.to_pylist()
    found = [f.lookup.get(fold(u)) if u != "" else None for u in uniques]
    unread = np.array([c is None and u != "" for c, u in zip(found, uniques, strict=True)])
    unread = np.append(unread, False).astype(bool)  # the last for a missing cell
    table = pa_arrow.array([*found, None], pa_arrow.large_string())
    taken = table.take(pa_arrow.array(np.where(positions < 0, len(found), positions)))
    codes = pd.Series(pd.array(taken, dtype=_STR), index=values.index)
    return codes, pd.Series(unread[positions], index=values.index)


def _coerce(
    values: pd.Series, f: Field, decimal_comma: bool = False
) -> tuple[pd.Series, pd.Series]:
    """Typed values and a mask of cells that could not be read."""
    if f.kind in ("int", "float"):
        return _coerce_number(values, f, decimal_comma)
    if f.kind == "date":
        return _coerce_date(values)
    if f.kind == "code":
        return _coerce_code(values, f)
    blank = _blank_cells(text_bytes(values))
    text = values.where(~blank) if blank.any() else values
    return text, pd.Series(False, index=values.index)


def _as_dtype(values: pd.Series, f: Field) -> pd.Series:
    if f.kind in ("str", "code"):
        return values.astype("str")
    return values


# --------------------------------------------------------------------------- validation


def _pandera_problems(
    df: pd.DataFrame,
    raw: pd.DataFrame,
    spec: TableSpec,
    header_of: dict[str, str],
    already: set[tuple[int, str]],
) -> list[Problem]:
    problems: list[Problem] = []
    if spec.surely_valid(df):
        return problems
    try:
        spec.pandera_schema().validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        for _, case in cases.iterrows():
            column = case["column"]
            line = case["index"]
            line = int(line) if pd.notna(line) else None
            if (line, column) in already:
                continue
            check = str(case["check"])
            if check == "multiple_fields_uniqueness":
                keys = ", ".join(spec.unique)
                expected = f"a unique combination of ({keys}); this row repeats another"
                column = " + ".join(header_of.get(k, k) for k in spec.unique)
                if any(p.line == line and p.column == column for p in problems):
                    continue
                problems.append(Problem(line, column, None, expected))
                continue
            # Said in the column's own terms: never pandera's check names or failure cases.
            f = spec.field(column) if column in spec.columns else None
            expected = f.expected() if f else "a valid value"
            header = header_of.get(column, column)
            # Echo the cell as the file has it (e.g. "150", not the parsed 150.0).
            found = (
                str(raw.at[line, header]) if line in raw.index and header in raw.columns else None
            )
            problems.append(Problem(line, header, found, expected))
    return problems


def _rule_problems(
    df: pd.DataFrame, raw: pd.DataFrame, spec: TableSpec, header_of: dict[str, str]
) -> list[Problem]:
    problems = []
    for rule in spec.rules:
        if not set(rule.columns) <= set(header_of):
            continue
        ok = rule.check(df)
        for line in df.index[~ok]:
            shown = "; ".join(f"{header_of[c]}={raw.at[line, header_of[c]]}" for c in rule.columns)
            problems.append(
                Problem(
                    int(line),
                    " + ".join(header_of.get(c, c) for c in rule.columns),
                    shown,
                    rule.expected,
                )
            )
    return problems


def _provenance(path: Path) -> str:
    """The file's provenance from the nearest MANIFEST.csv above it, else ``user``."""
    resolved = path.resolve()
    for parent in resolved.parents:
        manifest = parent / MANIFEST_NAME
        if manifest.is_file():
            entries = pd.read_csv(manifest, dtype=str, keep_default_na=False)
            rel = resolved.relative_to(parent).as_posix()
            hit = entries.loc[entries["path"] == rel, "provenance"]
            if not hit.empty:
                return str(hit.iloc[0])
    return "user"


def _validate(
    path: Path,
    raw: pd.DataFrame,
    spec: TableSpec,
    mapping: Mapping[str, str] | None,
) -> tuple[pd.DataFrame, bool]:
    """Coerce and validate ``raw``: the canonical table, and whether it is marked synthetic."""
    refuse_identity_numbers(path, raw)
    synthetic_cols = [c for c in raw.columns if fold(c) in SYNTHETIC_MARKERS]
    synthetic = bool(synthetic_cols) and all(
        raw[c].map(lambda v: fold(v) in {"ja", "yes", "true", "1", "syntetisk"}).all()
        for c in synthetic_cols
    )
    header_line = int(raw.attrs.get("header_line", 1))
    header_for = _match_headers(path, list(raw.columns), spec, mapping, header_line)
    header_of = {v: k for k, v in header_for.items()}
    problems: list[Problem] = []
    failed: set[tuple[int, str]] = set()
    decimal_comma = any(
        _has_decimal_comma(raw[header_of[f.name]])
        for f in spec.fields
        if f.kind in ("int", "float") and f.name in header_of
    )
    columns: dict[str, pd.Series] = {}  # one frame at the end: 16 inserts cost ~0.7 s at 1 M
    for f in spec.fields:
        if f.name not in header_of:
            absent = pd.Series("", index=raw.index, dtype="str")
            columns[f.name] = _as_dtype(_coerce(absent, f)[0], f)
            continue
        source = raw[header_of[f.name]]
        values, bad = _coerce(source, f, decimal_comma)
        for line in raw.index[bad]:
            cell = str(source[line])
            expected = f.expected()
            if f.kind in ("int", "float"):
                expected += _number_hint(cell, decimal_comma)
            problems.append(Problem(int(line), header_of[f.name], cell, expected))
            failed.add((int(line), f.name))
        if not f.nullable:
            missing = _blank_cells(text_bytes(source))
            for line in raw.index[missing]:
                problems.append(
                    Problem(int(line), header_of[f.name], "", f.expected() + " (required)")
                )
                failed.add((int(line), f.name))
        columns[f.name] = _as_dtype(values, f)
        if len(problems) > 10 * MAX_REPORTED_PROBLEMS:
            problems.append(
                Problem(
                    None,
                    None,
                    None,
                    f"at most {10 * MAX_REPORTED_PROBLEMS} problems per file: checking stopped "
                    f"at column {header_of[f.name]!r}; fix these and load the file again",
                )
            )
            raise FinsamDataError(path, problems)
    out = pd.DataFrame(columns, index=raw.index)
    problems += _pandera_problems(out, raw, spec, header_of, failed)
    problems += _rule_problems(out, raw, spec, header_of)
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.column or ""))
        raise FinsamDataError(path, problems)
    return out.reset_index(drop=True), synthetic


def load_table(
    path: str | Path,
    table: str | TableSpec,
    mapping: Mapping[str, str] | None = None,
    *,
    sheet: str | None = None,
) -> pd.DataFrame:
    """Load any canonical table by name (see :data:`finsamlib.schemas.SPECS`).

    ``sheet`` names the workbook sheet to read (default: the one sheet with the table's
    headers). ``attrs`` tells the ``sheet`` and ``header_line`` used and a ``read_note``.
    ``support_measure`` (SCB's försörjningsmått, with aggregate and note rows) has its own
    loader, :func:`finsamlib.support_measure.load_support_measure`.
    """
    if table == "support_measure":
        from .support_measure import load_support_measure

        return load_support_measure(path, mapping, sheet=sheet)
    spec = SPECS[table] if isinstance(table, str) else table
    path = Path(path)
    raw = read_raw(path, spec, sheet=sheet, mapping=mapping)
    df, synthetic = _validate(path, raw, spec, mapping)
    provenance = _provenance(path)
    if synthetic:
        provenance = "synthetic"
    df.attrs["source"] = str(path)
    df.attrs["provenance"] = provenance
    df.attrs["table"] = spec.name
    for key in ("sheet", "header_line", "read_note"):
        df.attrs[key] = raw.attrs.get(key)
    return df


def load_participants(
    path: str | Path, mapping: Mapping[str, str] | None = None, *, sheet: str | None = None
) -> pd.DataFrame:
    """Participants of individual insatser (one row per registration), from a SUS-like export.

    ``mapping`` maps the file's own headers to canonical column names where they differ from
    the Swedish headers the loader knows, e.g. ``{"Deltagarnummer": "person_id"}``.
    """
    return load_table(path, "participants", mapping, sheet=sheet)


def load_registry(
    path: str | Path, mapping: Mapping[str, str] | None = None, *, sheet: str | None = None
) -> pd.DataFrame:
    """Associations, their counties and member kommuner."""
    return load_table(path, "registry", mapping, sheet=sheet)


def load_portfolio(
    path: str | Path, mapping: Mapping[str, str] | None = None, *, sheet: str | None = None
) -> pd.DataFrame:
    """The insats portfolio (one row per insats)."""
    return load_table(path, "portfolio", mapping, sheet=sheet)


def load_insats_budget(
    path: str | Path, mapping: Mapping[str, str] | None = None, *, sheet: str | None = None
) -> pd.DataFrame:
    """Budget and outcome per insats and year."""
    return load_table(path, "insats_budget", mapping, sheet=sheet)


def load_accounts(
    path: str | Path, mapping: Mapping[str, str] | None = None, *, sheet: str | None = None
) -> pd.DataFrame:
    """Annual accounts lines per association and year."""
    return load_table(path, "accounts", mapping, sheet=sheet)


def load_population(
    path: str | Path, mapping: Mapping[str, str] | None = None, *, sheet: str | None = None
) -> pd.DataFrame:
    """Population per kommun, year and age band."""
    return load_table(path, "population", mapping, sheet=sheet)


def load_target_group_sources(
    path: str | Path, mapping: Mapping[str, str] | None = None, *, sheet: str | None = None
) -> pd.DataFrame:
    """Counts per area of the population groups behind the target-group sizing."""
    return load_table(path, "target_group_sources", mapping, sheet=sheet)


#: Columns every transcribed published table has first and last (data/raw/published/README.md).
PUBLISHED_FIRST = ("source", "table")
PUBLISHED_LAST = ("value", "unit")


def load_published(path: str | Path) -> pd.DataFrame:
    """A transcribed published table (long format: source, table, dimensions…, value, unit, note).

    Values become floats (empty cells NaN); dimension columns stay text. Tables without a
    ``value`` column (lists such as the insatser of a year) are returned as text.
    """
    path = Path(path)
    raw = read_raw(path)
    refuse_identity_numbers(path, raw)
    columns = list(raw.columns)
    problems = [
        Problem(1, name, None, f"a column {name!r} (see data/raw/published/README.md)")
        for name in PUBLISHED_FIRST
        if name not in columns
    ]
    if problems:
        raise FinsamDataError(path, problems)
    df = raw.map(lambda v: v.strip() if isinstance(v, str) else v).replace("", None)
    if "value" in columns:
        values = pd.to_numeric(df["value"], errors="coerce")
        bad = values.isna() & df["value"].notna()
        if bad.any():
            raise FinsamDataError(
                path,
                [
                    Problem(
                        int(line), "value", str(df.at[line, "value"]), "a number with . as decimal"
                    )
                    for line in df.index[bad]
                ],
            )
        df["value"] = values.astype(float)
    df = df.reset_index(drop=True)
    df.attrs["source"] = str(path)
    df.attrs["provenance"] = _provenance(path)
    df.attrs["table"] = "published"
    return df


def load_standard_costs(
    path: str | Path, mapping: Mapping[str, str] | None = None, *, sheet: str | None = None
) -> pd.DataFrame:
    """The standard costs behind the revenue model (see finsamlib.economics.annual_revenue)."""
    return load_table(path, "standard_costs", mapping, sheet=sheet)


def load_audit_rules(path: str | Path) -> list:
    """Audit rules (finsamlib.audit) from a TOML file, or from every ``*.toml`` of a folder.

    The embedded rule sets for the published tables are in ``data/raw/audit/``. Returns a list
    of :class:`finsamlib.audit.Rule`; a malformed file raises FinsamDataError naming it.
    """
    import tomllib

    from .audit import parse_rules

    path = Path(path)
    files = sorted(path.glob("*.toml")) if path.is_dir() else [path]
    if not files:
        raise FinsamDataError(path, "a .toml rule file (the folder has none)")
    rules = []
    for file in files:
        try:
            spec = tomllib.loads(_read_bytes(file).decode("utf-8"))
            rules += parse_rules(spec)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, ValueError) as exc:
            if isinstance(exc, FinsamDataError):
                raise
            raise FinsamDataError(file, f"valid audit rules in TOML ({exc})") from exc
    ids = [r.id for r in rules]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise FinsamDataError(path, f"unique rule ids across the files; repeated: {repeated}")
    return rules
