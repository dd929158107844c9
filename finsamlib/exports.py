"""Files as Swedish offices export them: from bytes or a workbook to rows of text cells.

Finds the encoding (UTF-8 with or without BOM, Windows-1252, UTF-16 with BOM), the delimiter,
the header row below any title rows and, in a workbook, the sheet that holds the table. Checks
that every row has as many fields as the header, so that columns never shift silently. The
result is a :class:`RawTable` of untouched text cells indexed by the file's own line (or sheet
row) numbers; :func:`finsamlib.loaders.read_raw` turns it into the raw frame.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import posixpath
import re
import warnings
import zipfile
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from .categories import fold
from .errors import FinsamDataError, Problem

DELIMITERS = (";", ",", "\t")
#: How many rows from the top are searched for the header row.
HEADER_SCAN_ROWS = 50

# A well-formed UTF-8 sequence of two to four bytes (never found in Swedish Windows-1252 text).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_MERGED = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


@dataclass
class RawTable:
    """Text cells of one table: ``frame`` has the header's names and the file's line numbers."""

    frame: pd.DataFrame
    header_line: int  # 1-based line (sheet row) of the header
    sheet: str | None = None  # the sheet read, for a workbook
    sheets: tuple[str, ...] = ()  # every sheet of the workbook

    def note(self) -> str:
        """Where the table was found, when it was not simply the first line of the first sheet."""
        parts = []
        if self.sheet is not None and len(self.sheets) > 1:
            others = ", ".join(repr(s) for s in self.sheets if s != self.sheet)
            parts.append(f"read sheet {self.sheet!r} (other sheets: {others})")
        if self.header_line > 1:
            row = "row" if self.sheet is not None else "line"
            parts.append(f"header on {row} {self.header_line}, rows above it skipped")
        return "; ".join(parts)


@dataclass(frozen=True)
class HeaderSpec:
    """What a header row looks like: the folded headers known, and how many must be present."""

    known: frozenset[str]
    needed: int
    expected: str  # the headers listed in an error when no row has them

    def score(self, cells: list[str], folded: Callable[[str], str] = fold) -> int:
        """How many different known headers the row names (``folded``: :func:`fold`, perhaps
        remembering earlier cells)."""
        return len({folded(c) for c in cells} & self.known)


# --------------------------------------------------------------------------- decoding


def decode(path: Path, data: bytes) -> str:
    """The file's text with ``\\n`` line endings; a clear error for binary or mixed encodings."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif (guess := _bomless_utf16(data)) is not None:
        encoding = guess
    elif b"\x00" in data[:65536] or data.startswith(b"PK\x03\x04"):
        raise FinsamDataError(
            path, "a text CSV file (this file is binary; an Excel file should end in .xlsx)"
        )
    else:
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding != "utf-8-sig":
            raise FinsamDataError(path, f"text in {encoding.upper()} (byte {exc.start})") from exc
        if _UTF8_MULTIBYTE.search(data):
            raise FinsamDataError(path, _mixed_encoding_problems(data)) from exc
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc2:
            raise FinsamDataError(path, "text in UTF-8 or Windows-1252 (cp1252)") from exc2
    text = text.lstrip("\ufeff")
    if "\r" in text:  # Windows (CR LF) and old Mac (CR only) line endings
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _bomless_utf16(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when every other byte of the start is zero (text without a BOM)."""
    sample = data[:4096]
    if len(sample) < 8:
        return None
    sample = sample[: len(sample) // 2 * 2]
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) == len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) == len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _mixed_encoding_problems(data: bytes) -> list[Problem]:
    """Each line that is not UTF-8 in a file that otherwise is."""
    problems = []
    for number, line in enumerate(data.splitlines(), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = line[exc.start : exc.end]
            shown = bad.decode("cp1252", errors="replace")
            problems.append(
                Problem(
                    number,
                    None,
                    f"byte {bad.hex(' ').upper()} ({shown!r} in Windows-1252)",
                    "UTF-8 like the rest of the file (this line is in another encoding, e.g. "
                    "pasted from another program); save the whole file as UTF-8",
                )
            )
    return problems


# --------------------------------------------------------------------------- header row


def _find_header(
    path: Path,
    rows: list[list[str]],
    spec: HeaderSpec | None,
    folded: Callable[[str], str] = fold,
) -> tuple[int, int]:
    """(position in ``rows``, score) of the header row; the first non-blank row without a spec."""
    filled = [(i, cells) for i, cells in enumerate(rows) if any(c.strip() for c in cells)]
    if not filled:
        raise FinsamDataError(path, "a header row and at least one data row (the file is empty)")
    if spec is None:
        return filled[0][0], 0
    scores = [(spec.score(cells, folded), i) for i, cells in filled]
    for score, i in scores:
        if score >= spec.needed:
            return i, score
    best, i = max(scores, key=lambda s: (s[0], -s[1]))
    if best == 0:
        raise FinsamDataError(
            path,
            f"a header row naming the columns ({spec.expected}); none of the first "
            f"{HEADER_SCAN_ROWS} rows has any of them",
        )
    return i, best  # too few headers: the header check then names the missing columns


def _column_names(path: Path, header: list[str], line: int) -> list[str]:
    """Stripped header names (``(column N)`` for unnamed ones); repeated names are an error."""
    names = [h.strip() or f"(column {n})" for n, h in enumerate(header, start=1)]
    seen: dict[str, int] = {}
    problems = []
    for n, name in enumerate(names, start=1):
        if not header[n - 1].strip():
            continue
        key = fold(name) or name
        if key in seen:
            first = seen[key]
            same = (
                "the same header"
                if names[first - 1] == name
                else ("the same header once case, spaces and accents are ignored")
            )
            problems.append(
                Problem(
                    line,
                    name,
                    None,
                    f"one column per header: {names[first - 1]!r} (column {first}) and "
                    f"{name!r} (column {n}) are {same}; rename or remove one",
                )
            )
        else:
            seen[key] = n
    if problems:
        raise FinsamDataError(path, problems)
    return names


# --------------------------------------------------------------------------- CSV


def _head(text: str, lines: int) -> str:
    """The first ``lines`` lines of ``text`` (without copying the rest)."""
    end = -1
    for _ in range(lines):
        end = text.find("\n", end + 1)
        if end < 0:
            return text
    return text[:end]


def _records(
    text: str, sep: str, first_line: int = 1
) -> tuple[list[list[str]], list[int], list[int]]:
    """Records of ``text``, the 1-based line where each starts and where it ends (exact for
    multi-line cells)."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    rows: list[list[str]] = []
    starts: list[int] = []
    ends: list[int] = []
    start = 1
    try:
        for record in reader:
            rows.append(record)
            starts.append(first_line + start - 1)
            ends.append(first_line + reader.line_num - 1)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ValueError(f"line {first_line + start - 1}: {exc}") from exc
    return rows, starts, ends


def _sniff(head: str, spec: HeaderSpec | None, folded: Callable[[str], str] = fold) -> str:
    """The delimiter: the one whose header row names most known headers, else the most frequent."""
    first = next((ln for ln in head.split("\n") if ln.strip()), "")
    counts = {d: first.count(d) for d in DELIMITERS}
    frequent = max(DELIMITERS, key=lambda d: counts[d])
    if spec is None:
        return frequent if counts[frequent] else ","
    best = (0, frequent)
    for sep in DELIMITERS:
        try:
            rows = _records(head, sep)[0]
        except ValueError:
            continue
        score = max((spec.score(r, folded) for r in rows), default=0)
        if score > best[0]:
            best = (score, sep)
    return best[1]


def read_csv_file(path: Path, data: bytes, spec: HeaderSpec | None) -> RawTable:
    """:func:`read_csv_text` of the file's bytes: the same table as of :func:`decode`'s text.

    A UTF-8 file without carriage returns (nearly every export) is not decoded and encoded
    again as a whole: its first lines are decoded to find the header, and the body goes to
    Arrow as the file has it. Anything else, or a body that is not valid UTF-8, takes
    :func:`decode` and its errors.
    """
    start = _plain_utf8_start(data)
    if start is not None:
        end = -1
        for _ in range(HEADER_SCAN_ROWS):
            end = data.find(b"\n", end + 1)
            if end < 0:
                end = len(data)
                break
        try:
            head = data[start:end].decode("utf-8")
            return read_csv_text(path, head, spec, utf8=(data, start))
        except UnicodeDecodeError:
            pass  # decode() says what is wrong, or reads the file as cp1252
    return read_csv_text(path, decode(path, data), spec)


def _plain_utf8_start(data: bytes) -> int | None:
    """Where the text starts after any UTF-8 byte order marks, when the bytes may be plain
    UTF-8 text with ``\\n`` line ends (what :func:`decode` would return unchanged); else None."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\r" in data:
        return None
    if _bomless_utf16(data) is not None or b"\x00" in data[:65536]:
        return None
    if data.startswith(b"PK\x03\x04"):
        return None
    start = 0
    while data.startswith(codecs.BOM_UTF8, start):
        start += len(codecs.BOM_UTF8)
    return start


def read_csv_text(
    path: Path, text: str, spec: HeaderSpec | None, utf8: tuple[bytes, int] | None = None
) -> RawTable:
    """Split CSV text into header and rows, checking every row's field count.

    ``utf8``: the file's bytes and where its text starts, when ``text`` holds only the first
    lines of that UTF-8 text; the body is then sliced from the bytes (a body that is not
    UTF-8 raises UnicodeDecodeError).
    """
    head = _head(text, HEADER_SCAN_ROWS)
    folded = functools.lru_cache(maxsize=None)(fold)  # the head's cells, folded once each
    sep = _sniff(head, spec, folded)
    try:
        rows, starts, ends = _records(head, sep)
    except ValueError as exc:
        raise FinsamDataError(path, f"CSV text that can be split into fields ({exc})") from exc
    at, _ = _find_header(path, rows, spec, folded)
    header, header_line = rows[at], starts[at]
    names = _column_names(path, header, header_line)
    body_line = ends[at] + 1
    if utf8 is None:
        offset = _line_offset(text, body_line)
        body = text[offset:].encode("utf-8") if offset is not None else b""
    else:
        offset = _byte_line_offset(*utf8, body_line)
        body = utf8[0][offset:] if offset is not None else b""
    frame, counts = _parse_body(path, body, sep, body_line)
    frame = _check_widths(path, frame, counts, names, header_line, sep)
    return RawTable(frame, header_line)


def _line_offset(text: str, line: int) -> int | None:
    """Character offset where 1-based ``line`` starts, or None past the end."""
    offset = 0
    for _ in range(line - 1):
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return None
    return offset


def _byte_line_offset(data: bytes, start: int, line: int) -> int | None:
    """Byte offset in ``data`` where 1-based ``line`` of the text from ``start`` begins, or
    None past the end."""
    offset = start
    for _ in range(line - 1):
        offset = data.find(b"\n", offset) + 1
        if offset == 0:
            return None
    return offset


def _blank_text(data: bytes) -> bool:
    """Whether UTF-8 ``data`` is only white space (as ``str.strip`` sees it); a prefix
    settles any text that is not."""
    if data[:65536].decode("utf-8", errors="ignore").strip():
        return False
    return not data.decode("utf-8").strip()


def _parse_body(
    path: Path, data: bytes, sep: str, first_line: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """Data rows as text (positional columns, index = file line) and each row's field count;
    ``data`` is the body as UTF-8."""
    if _blank_text(data):
        return pd.DataFrame(index=pd.Index([], name="line", dtype="int64")), np.array([], int)
    if b'"' not in data:  # no quotes: one record per line, so no need to count fields first
        frame = _arrow_body(data, sep, None)
        records = data.count(b"\n") + (not data.endswith(b"\n"))
        if frame is not None and len(frame) == records:
            frame.index = pd.Index(np.arange(records) + first_line, name="line")
            return frame, np.full(records, frame.shape[1])
    counted = _field_counts(data, sep)
    if counted is not None:
        lines, counts = counted
        frame = _arrow_body(data, sep, counts)
        if frame is not None:
            frame.index = pd.Index(lines + first_line, name="line")
            return frame, counts
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                frame = pd.read_csv(
                    io.StringIO(data.decode("utf-8")),
                    sep=sep,
                    header=None,
                    names=list(range(int(counts.max()))),
                    index_col=False,
                    dtype="str",
                    keep_default_na=False,
                    na_filter=False,
                    skip_blank_lines=False,
                    engine="c",
                )
        except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError):
            frame = None
        if frame is not None and len(frame) == len(counts):
            frame.index = pd.Index(lines + first_line, name="line")
            return frame, counts
    try:  # the csv module: slower, exact for any quoting
        rows, row_lines, _ = _records(data.decode("utf-8"), sep, first_line)
    except ValueError as exc:
        raise FinsamDataError(path, f"CSV text that can be split into fields ({exc})") from exc
    counts = np.array([len(r) for r in rows], dtype=int)
    width = int(counts.max(initial=1))
    padded = [r + [""] * (width - len(r)) for r in rows]
    frame = pd.DataFrame(padded, index=pd.Index(row_lines, name="line"), dtype="str")
    return frame, counts


def _arrow_body(data: bytes, sep: str, counts: np.ndarray | None) -> pd.DataFrame | None:
    """The records as text by Arrow's CSV reader (many times faster than pandas' reader), when
    every record has the same number of fields (Arrow refuses others); else None.

    ``counts`` are the fields per record (:func:`_field_counts`); without them Arrow takes the
    first record's. Quoting as in :func:`_field_counts` (double quotes, ``""`` for a quote,
    line breaks inside quotes); no cell is read as missing; positional column names.
    """
    if counts is not None and not (counts == counts[0]).all():
        return None
    if counts is not None:
        width = int(counts[0])
    else:
        end = data.find(b"\n")
        width = (data if end < 0 else data[:end]).count(sep.encode()) + 1
    names = [str(n) for n in range(width)]
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(data),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(
                delimiter=sep,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                # a line break inside a value needs quotes; without any, Arrow may split
                # the text in parallel blocks at line breaks
                newlines_in_values=b'"' in data,
                ignore_empty_lines=False,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),  # pandas' own type
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if counts is not None and table.num_rows != len(counts):
        return None
    frame = table.combine_chunks().to_pandas()  # one chunk per column: read as one buffer
    frame.columns = range(width)
    return frame.astype("str")


def _field_counts(data: bytes, sep: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Per record of UTF-8 ``data``: lines before its start (0-based) and its number of fields
    (vectorised).

    Delimiters and line breaks inside double quotes do not count. None when a quote stands
    inside a field (not next to a delimiter, line break or quote), which only the csv module
    reads right.
    """
    data = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(data == 10)
    quotes = np.flatnonzero(data == 34)
    if len(quotes):
        edge = np.array([ord(sep), 10, 34], dtype=np.uint8)
        padded = np.concatenate(([10], data, [10]))
        before, after = padded[quotes], padded[quotes + 2]
        if not (np.isin(before, edge) | np.isin(after, edge)).all():
            return None
        ends = newlines[(np.searchsorted(quotes, newlines) & 1) == 0]
    else:
        ends = newlines
    starts = np.concatenate(([0], ends + 1))
    if starts[-1] >= len(data):  # the text ends with a line break
        starts = starts[:-1]
    stops = np.concatenate((ends, [len(data)]))[: len(starts)]
    seps = np.flatnonzero(data == ord(sep))
    if len(quotes):
        seps = seps[(np.searchsorted(quotes, seps) & 1) == 0]
        lines = np.searchsorted(newlines, starts)
    else:
        lines = np.arange(len(starts))
    counts = np.searchsorted(seps, stops) - np.searchsorted(seps, starts)
    return lines, counts + 1


def _blank_rows(frame: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Whether each of ``rows`` (a mask) has only empty cells; False for the other rows."""
    blank = np.zeros(len(frame), dtype=bool)
    if rows.any():
        cells = frame.iloc[np.flatnonzero(rows)]
        blank[rows] = ~(cells.apply(lambda c: c.str.strip()) != "").any(axis=1).to_numpy()
    return blank


def _width_problems(
    frame: pd.DataFrame,
    counts: np.ndarray,
    wrong: np.ndarray,
    width: int,
    header_line: int,
    sep: str,
) -> list[Problem]:
    if sep == ",":
        more = "a decimal comma in a ','-separated file? Quote it (\"2,5\") or use ';'"
    else:
        more = f"a {sep!r} too many, or a {sep!r} inside a cell that is not quoted?"
    problems = []
    for line, count in zip(frame.index[wrong], counts[wrong], strict=True):
        why = more if count > width else f"a field or a {sep!r} missing?"
        problems.append(
            Problem(
                int(line),
                None,
                None,
                f"{width} fields as in the header (line {header_line}), found {count}: {why}",
            )
        )
    return problems


def _check_widths(
    path: Path,
    frame: pd.DataFrame,
    counts: np.ndarray,
    names: list[str],
    header_line: int,
    sep: str,
) -> pd.DataFrame:
    """The frame cut to the header's width; rows with more or fewer fields are an error.

    Empty extra fields are accepted only when every row has the same number of them (an export
    that ends every line with a delimiter); blank lines are skipped.
    """
    width = len(names)
    for n in range(frame.shape[1], width):
        frame[n] = ""
    wrong = counts != width
    if wrong.any():
        wrong &= ~_blank_rows(frame, wrong)  # blank lines have one field
    if wrong.any():
        extra = counts[wrong]
        trailing_empty = (
            bool((extra == extra[0]).all())
            and extra[0] > width
            and bool(_blank_rows(frame.iloc[:, width:], wrong)[wrong].all())
            and bool(_blank_rows(frame, ~wrong)[~wrong].all())  # no row of the header's width
        )
        if not trailing_empty:
            raise FinsamDataError(
                path, _width_problems(frame, counts, wrong, width, header_line, sep)
            )
    frame = frame.iloc[:, :width]
    frame.columns = names
    return frame


# --------------------------------------------------------------------------- XLSX


def _excel_cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, datetime | date):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _excel_rows(sheet, max_row: int | None = None) -> list[list[str]]:
    return [
        [_excel_cell(v) for v in row]
        for row in sheet.iter_rows(min_row=1, max_row=max_row, values_only=True)
    ]


def read_excel(path: Path, spec: HeaderSpec | None, sheet: str | None = None) -> RawTable:
    """The table of a workbook: the sheet given, else the one sheet whose header row matches."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, key errors) for broken files
        raise FinsamDataError(path, f"a readable .xlsx workbook ({type(exc).__name__})") from exc
    try:
        names = tuple(book.sheetnames)
        return _read_book(path, book, names, spec, sheet)
    except FinsamDataError:
        raise
    except Exception as exc:  # a sheet openpyxl cannot read
        raise FinsamDataError(path, f"a readable .xlsx workbook ({type(exc).__name__})") from exc
    finally:
        book.close()


def _read_book(path, book, names, spec, sheet) -> RawTable:
    listed = ", ".join(repr(n) for n in names)
    if sheet is not None and sheet not in names:
        raise FinsamDataError(path, Problem(None, None, sheet, f"a sheet among {listed}"))
    candidates = [sheet] if sheet is not None else list(names)
    full: list[tuple[str, int]] = []
    partial: list[tuple[str, int]] = []
    for name in candidates:
        head = _excel_rows(book[name], HEADER_SCAN_ROWS)
        try:
            at, score = _find_header(path, head, spec)
        except FinsamDataError as exc:
            if len(candidates) == 1:
                where = [
                    Problem(q.line, q.column, q.value, f"{q.expected} (sheet {name!r})")
                    for q in exc.problems
                ]
                raise FinsamDataError(path, where) from None
            continue
        (full if spec is None or score >= spec.needed else partial).append((name, at))
    if spec is None:
        full = full[:1]
    found = full or (partial if len(partial) == 1 else [])
    if not found:
        expected = spec.expected if spec is not None else "a header row"
        raise FinsamDataError(
            path, f"a sheet with a header row ({expected}); none of the sheets {listed} has one"
        )
    if len(found) > 1:
        both = ", ".join(repr(f[0]) for f in found)
        raise FinsamDataError(
            path,
            f"one sheet holding the table; sheets {both} all have its headers: choose one with "
            "sheet= (finsam init: --sheet)",
        )
    name, at = found[0]
    rows = _excel_rows(book[name])
    header_line = at + 1
    _refuse_merged(path, name, header_line)
    header = rows[at]
    width = max((len(r) for r in rows), default=0)
    header = header + [""] * (width - len(header))
    while header and not header[-1].strip():
        header = header[:-1]  # openpyxl may report empty columns to the right
    columns = _column_names(path, header, header_line)
    body = [(r + [""] * width)[: len(columns)] for r in rows[at + 1 :]]
    lines = pd.Index(range(header_line + 1, header_line + 1 + len(body)), name="line")
    frame = pd.DataFrame(body, columns=columns, index=lines, dtype="str")
    return RawTable(frame, header_line, name, names)


def _refuse_merged(path: Path, sheet_name: str, header_line: int) -> None:
    """Merged cells from the header row down leave all but the first cell empty: refuse them."""
    problems = []
    for col1, row1, col2, row2 in merged_cells(path, sheet_name):
        last = int(row2 or row1)
        if last < header_line:
            continue  # a merged title above the table
        ref = f"{col1}{row1}" + (f":{col2}{row2}" if col2 else "")
        where = "header" if int(row1) <= header_line else "table"
        problems.append(
            Problem(
                int(row1),
                ref,
                None,
                f"no merged cells in the {where} (cells {ref} are merged, so only the first "
                "has a value); unmerge them and give every column its own header and every "
                "row its own values",
            )
        )
    if problems:
        raise FinsamDataError(path, problems)


def merged_cells(path: Path, sheet_name: str) -> list[tuple[str, str, str, str]]:
    """The merged ranges of a sheet of an .xlsx file as (first column, first row, last column,
    last row) text, the last two empty for a one-cell range; none when the sheet's part cannot
    be found. Read from the file's XML (openpyxl's read-only mode, used for speed, does not
    report merges): the sheet's part through the workbook's relationships, then a byte search
    for ``<mergeCell ref=...>`` (they follow the cell data; parsing every cell would be slow)."""
    try:
        with zipfile.ZipFile(path) as zf:
            part = _sheet_part(zf, sheet_name)
            if part is None:
                return []
            xml = zf.read(part)
    except (KeyError, OSError, zipfile.BadZipFile, ElementTree.ParseError):
        return []
    return [
        (c1.decode(), r1.decode(), c2.decode(), r2.decode())
        for c1, r1, c2, r2 in _MERGED.findall(xml)
    ]


def _sheet_part(zf: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The zip member holding a sheet: the package's officeDocument relationship gives the
    workbook part, its ``<sheet name r:id>`` the relationship, its relationships the target."""
    workbook = _rel_targets(zf, "").get("officeDocument", "xl/workbook.xml")
    rels = _rel_targets(zf, workbook, by="Id")
    for el in ElementTree.fromstring(zf.read(workbook)).iter():
        if _local(el.tag) == "sheet" and el.get("name") == sheet_name:
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            return rels.get(rid) if rid else None
    return None


def _rel_targets(zf: zipfile.ZipFile, part: str, by: str = "Type") -> dict[str, str]:
    """The relationships of a package part (``""``: the package), keyed by the last segment of
    their type or by their Id, each to the zip member it targets."""
    folder, _, name = part.rpartition("/")
    rels = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
    try:
        root = ElementTree.fromstring(zf.read(rels))
    except KeyError:
        return {}
    found: dict[str, str] = {}
    for el in root:
        target = el.get("Target", "")
        if el.get("TargetMode") == "External" or not target:
            continue
        if target.startswith("/"):
            member = target.lstrip("/")
        else:
            member = posixpath.normpath(posixpath.join(folder, target))
        key = el.get(by, "")
        found.setdefault(key.rsplit("/", 1)[-1] if by == "Type" else key, member)
    return found


def _local(tag: str) -> str:
    """An XML name without its namespace (transitional and strict OOXML differ there)."""
    return tag.rsplit("}", 1)[-1]


def header_spec(
    fields: Collection[tuple[str, tuple[str, ...], bool]], mapping: Collection[str] = ()
) -> HeaderSpec:
    """A :class:`HeaderSpec` from (name, headers, required) per column and mapped headers."""
    known = {fold(n) for n, _, _ in fields} | {fold(h) for _, hs, _ in fields for h in hs}
    known |= {fold(m) for m in mapping}
    required = sum(1 for _, _, r in fields if r)
    needed = min(required, max(2, (required + 1) // 2)) or 1
    expected = ", ".join((hs[0] if hs else n) for n, hs, r in fields if r)
    return HeaderSpec(frozenset(known), needed, expected)
