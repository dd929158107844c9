"""Read CSV and XLSX files as Swedish exports come, and return validated canonical DataFrames.

Every loader: reads the file without writing to it; detects encoding (UTF-8, UTF-8 with BOM,
cp1252) and delimiter (``;``, ``,`` or tab); maps headers case-, space- and diacritic-
insensitively (plus a user ``mapping``); refuses columns holding personal identity numbers;
coerces each column by its spec (decimal comma, ``YYYY-MM-DD``/``YYYYMMDD`` dates, Swedish
category labels to codes); validates with pandera; and raises one :class:`FinsamDataError`
listing every problem of the file. The result carries ``attrs["source"]`` and
``attrs["provenance"]``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from .categories import fold
from .errors import MAX_REPORTED_PROBLEMS, FinsamDataError, Problem
from .personnummer import refuse_identity_numbers
from .schemas import SPECS, Field, TableSpec

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
ENCODINGS = ("utf-8-sig", "cp1252")
DELIMITERS = (";", ",", "\t")
MANIFEST_NAME = "MANIFEST.csv"
#: Headers (folded) of a column that marks a file's rows as synthetic demonstration data.
SYNTHETIC_MARKERS = {"syntetisk", "syntetiska data", "synthetic"}
PROVENANCES = ("published", "derived", "synthetic", "assumption", "user")

_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d")
_NUMBER_SPACES = r"[\s\u00a0\u202f]"  # a str pattern runs vectorised in Arrow


# --------------------------------------------------------------------------- reading raw text


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise FinsamDataError(path, "an existing file (no file at this path)")
    if path.is_dir():
        raise FinsamDataError(path, "a file, not a folder")
    data = path.read_bytes()
    if not data.strip():
        raise FinsamDataError(path, "a header row and at least one data row (the file is empty)")
    return data


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data[:65536] or data.startswith(b"PK\x03\x04"):
        raise FinsamDataError(
            path, "a text CSV file (this file is binary; an Excel file should end in .xlsx)"
        )
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FinsamDataError(path, "text in UTF-8 or Windows-1252 (cp1252) encoding")


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _read_csv_slow(text: str, sep: str) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, rows and the 1-based file line where each row starts (exact for multi-line cells)."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    rows: list[list[str]] = []
    lines: list[int] = []
    header: list[str] | None = None
    line_start = 1
    for record in reader:
        if header is None:
            header = [h.strip() for h in record]
        elif any(cell.strip() for cell in record):
            rows.append(record)
            lines.append(line_start)
        line_start = reader.line_num + 1
    return header or [], rows, lines


def _read_csv_text(path: Path, text: str) -> pd.DataFrame:
    """Parse CSV text into string columns indexed by file line (C parser when lines map 1:1)."""
    body = text.lstrip("\ufeff")
    sep = _sniff_delimiter(body.split("\n", 1)[0])
    physical_lines = body.count("\n") + (0 if body.endswith("\n") else 1)
    try:
        df = pd.read_csv(
            io.StringIO(body),
            sep=sep,
            dtype="str",
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
        fast = len(df) + 1 == physical_lines  # no quoted cell spans lines
    except pd.errors.ParserError:  # e.g. more fields than the header: report by line below
        fast = False
    if fast:
        df.columns = [str(c).strip() for c in df.columns]
        df.index = pd.RangeIndex(2, len(df) + 2, name="line")
        return df
    header, rows, lines = _read_csv_slow(body, sep)
    return _frame(path, header, rows, lines)


def _excel_cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, datetime | date):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_excel(path: Path) -> pd.DataFrame:
    try:
        raw = pd.read_excel(path, sheet_name=0, header=None, dtype=object)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise FinsamDataError(path, f"a readable .xlsx workbook ({type(exc).__name__})") from exc
    if raw.empty:
        raise FinsamDataError(path, "a header row and at least one data row (the sheet is empty)")
    header = [_excel_cell(v).strip() for v in raw.iloc[0]]
    rows, lines = [], []
    for i in range(1, len(raw)):
        record = [_excel_cell(v) for v in raw.iloc[i]]
        if any(c.strip() for c in record):
            rows.append(record)
            lines.append(i + 1)
    return _frame(path, header, rows, lines)


def _frame(path: Path, header: list[str], rows: list[list[str]], lines: list[int]) -> pd.DataFrame:
    """Rows of strings as a frame indexed by file line; too many fields in a row is an error."""
    width = len(header)
    problems = [
        Problem(line, None, None, f"{width} fields as in the header, found {len(r)}")
        for r, line in zip(rows, lines, strict=True)
        if len(r) > width and any(c.strip() for c in r[width:])
    ]
    if problems:
        raise FinsamDataError(path, problems)
    padded = [(r + [""] * width)[:width] for r in rows]
    return pd.DataFrame(padded, columns=header, index=pd.Index(lines, name="line"), dtype="str")


def read_raw(path: str | Path) -> pd.DataFrame:
    """Read a CSV or XLSX file into stripped strings, indexed by the 1-based line of each row.

    Columns keep the file's own headers; empty cells are ``""``; nothing else is converted.
    Raises FinsamDataError for a missing, empty, binary or undecodable file.
    """
    path = Path(path)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        if not path.exists():
            raise FinsamDataError(path, "an existing file (no file at this path)")
        df = _read_excel(path)
    else:
        df = _read_csv_text(path, _decode(path, _read_bytes(path)))
    if len(df.columns) == 0 or not any(str(c) for c in df.columns):
        raise FinsamDataError(path, "a header row naming the columns")
    df = df.astype("str").fillna("")
    for column in df.columns:
        df[column] = df[column].str.strip()
    df = df[(df != "").any(axis=1)]  # blank rows carry no data
    if df.empty:
        raise FinsamDataError(path, "at least one data row (the file has only a header)")
    return df


# --------------------------------------------------------------------------- header mapping


def _match_headers(
    path: Path, columns: list[str], spec: TableSpec, mapping: Mapping[str, str] | None
) -> dict[str, str]:
    """File header -> canonical column, for the columns the spec knows."""
    known: dict[str, str] = {}
    for f in spec.fields:
        known[fold(f.name)] = f.name
        for h in f.headers:
            known.setdefault(fold(h), f.name)
    user = {fold(k): v for k, v in (mapping or {}).items()}
    problems = [
        Problem(1, src, None, f"a mapping target among {', '.join(spec.columns)}")
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
                Problem(1, col, None, f"one column for {target!r} (also {other!r} maps to it)")
            )
            continue
        result[col] = target
    found = set(result.values())
    for f in spec.fields:
        if f.required and f.name not in found:
            alternatives = ", ".join(repr(h) for h in (f.name, *f.headers))
            problems.append(
                Problem(1, f.name, None, f"a column {f.name!r} (header one of {alternatives})")
            )
    if problems:
        raise FinsamDataError(path, problems)
    return result


# --------------------------------------------------------------------------- coercion


def _blank(values: pd.Series) -> pd.Series:
    return values.isna() | (values == "")


def _coerce_number(values: pd.Series, f: Field) -> tuple[pd.Series, pd.Series]:
    blank = _blank(values)
    numbers = pd.to_numeric(values.where(~blank), errors="coerce")
    retry = numbers.isna() & ~blank  # decimal comma, spaces between thousands, typographic minus
    if retry.any():
        cleaned = (
            values[retry]
            .str.replace(_NUMBER_SPACES, "", regex=True)
            .str.replace(",", ".", regex=False)
            .str.replace("\u2212", "-", regex=False)
        )
        numbers = numbers.astype("float64")
        numbers[retry] = pd.to_numeric(cleaned, errors="coerce")
    numbers = numbers.astype("float64")
    bad = numbers.isna() & ~blank
    if f.kind == "int":
        fractional = numbers.notna() & (numbers != numbers.round())
        bad |= fractional
        numbers = numbers.where(~fractional)
        return numbers.astype("Float64").round().astype("Int64"), bad
    return numbers.astype("Float64"), bad


def _coerce_date(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    blank = _blank(values)
    text = values.str.slice(0, 10).where(~blank)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in _DATE_FORMATS:
        todo = out.isna() & text.notna()
        if todo.any():
            parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce")
            out.loc[todo] = parsed.astype("datetime64[ns]")
    bad = out.isna() & text.notna()
    return out, bad


def _coerce_code(values: pd.Series, f: Field) -> tuple[pd.Series, pd.Series]:
    assert f.lookup is not None
    blank = _blank(values)
    folded = {v: f.lookup.get(fold(v)) for v in values[~blank].unique()}
    codes = values.map(folded).where(~blank)
    bad = codes.isna() & ~blank
    return codes, bad


def _coerce(values: pd.Series, f: Field) -> tuple[pd.Series, pd.Series]:
    """Typed values and a mask of cells that could not be read."""
    if f.kind in ("int", "float"):
        return _coerce_number(values, f)
    if f.kind == "date":
        return _coerce_date(values)
    if f.kind == "code":
        return _coerce_code(values, f)
    return values.where(~_blank(values)), pd.Series(False, index=values.index)


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
            f = spec.field(column) if column in spec.columns else None
            expected = f.expected() if f else check
            header = header_of.get(column, column)
            # Echo the cell as the file has it (e.g. "150", not the parsed 150.0).
            found = (
                str(raw.at[line, header])
                if line in raw.index and header in raw.columns
                else str(case["failure_case"])
            )
            problems.append(Problem(line, header, found, expected))
    return problems


def _rule_problems(df: pd.DataFrame, spec: TableSpec, header_of: dict[str, str]) -> list[Problem]:
    problems = []
    for rule in spec.rules:
        if not set(rule.columns) <= set(df.columns):
            continue
        ok = rule.check(df)
        for line in df.index[~ok]:
            shown = "; ".join(f"{header_of.get(c, c)}={df.at[line, c]}" for c in rule.columns)
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
    header_for = _match_headers(path, list(raw.columns), spec, mapping)
    header_of = {v: k for k, v in header_for.items()}
    problems: list[Problem] = []
    failed: set[tuple[int, str]] = set()
    out = pd.DataFrame(index=raw.index)
    for f in spec.fields:
        if f.name not in header_of:
            absent = pd.Series("", index=raw.index, dtype="str")
            out[f.name] = _as_dtype(_coerce(absent, f)[0], f)
            continue
        source = raw[header_of[f.name]]
        values, bad = _coerce(source, f)
        for line in raw.index[bad]:
            problems.append(Problem(int(line), header_of[f.name], str(source[line]), f.expected()))
            failed.add((int(line), f.name))
        if not f.nullable:
            missing = _blank(source)
            for line in raw.index[missing]:
                problems.append(
                    Problem(int(line), header_of[f.name], "", f.expected() + " (required)")
                )
                failed.add((int(line), f.name))
        out[f.name] = _as_dtype(values, f)
        if len(problems) > 10 * MAX_REPORTED_PROBLEMS:
            break
    problems += _pandera_problems(out, raw, spec, header_of, failed)
    problems += _rule_problems(out, spec, header_of)
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.column or ""))
        raise FinsamDataError(path, problems)
    return out.reset_index(drop=True), synthetic


def load_table(
    path: str | Path, table: str | TableSpec, mapping: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Load any canonical table by name (see :data:`finsamlib.schemas.SPECS`)."""
    spec = SPECS[table] if isinstance(table, str) else table
    path = Path(path)
    raw = read_raw(path)
    df, synthetic = _validate(path, raw, spec, mapping)
    provenance = _provenance(path)
    if synthetic:
        provenance = "synthetic"
    df.attrs["source"] = str(path)
    df.attrs["provenance"] = provenance
    df.attrs["table"] = spec.name
    return df


def load_participants(path: str | Path, mapping: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Participants of individual insatser (one row per registration), from a SUS-like export.

    ``mapping`` maps the file's own headers to canonical column names where they differ from
    the Swedish headers the loader knows, e.g. ``{"Deltagarnummer": "person_id"}``.
    """
    return load_table(path, "participants", mapping)


def load_registry(path: str | Path, mapping: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Associations, their counties and member kommuner."""
    return load_table(path, "registry", mapping)


def load_portfolio(path: str | Path, mapping: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The insats portfolio (one row per insats)."""
    return load_table(path, "portfolio", mapping)


def load_insats_budget(path: str | Path, mapping: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Budget and outcome per insats and year."""
    return load_table(path, "insats_budget", mapping)


def load_accounts(path: str | Path, mapping: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Annual accounts lines per association and year."""
    return load_table(path, "accounts", mapping)


def load_population(path: str | Path, mapping: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Population per kommun, year and age band."""
    return load_table(path, "population", mapping)


def load_target_group_sources(
    path: str | Path, mapping: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Counts per area of the population groups behind the target-group sizing."""
    return load_table(path, "target_group_sources", mapping)


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


def load_standard_costs(path: str | Path, mapping: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The standard costs behind the revenue model (see finsamlib.economics.annual_revenue)."""
    return load_table(path, "standard_costs", mapping)


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
