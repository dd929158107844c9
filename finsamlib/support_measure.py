"""SCB's försörjningsmått for Finsam per kommun: the loader of its workbook layout.

The state's allocation model (seed 001 §2.5, seed 003 §2.1.1; :func:`finsamlib.funding.
state_allocation`) shares 75 % of the national pot by *försörjningsmått*: the public support
paid out in an area, which SCB publishes per kommun for Finsam as an Excel file: seven
benefits in three groups, in helårsekvivalenter (full-year equivalents: days of benefit / 365,
part-time days scaled; seed 004 §2 footnote 1), for ages 16–65. The groups (seed 001 §2.5:
"utbetalda offentliga ersättningar vid ohälsa, arbetsmarknadsstöd och försörjningsstöd"):

* **Ohälsa**: sjukpenning, rehabiliteringspenning, sjukersättning, aktivitetsersättning;
* **Arbetsmarknadsstöd**: arbetslöshetsersättning, aktivitetsstöd;
* **Ekonomiskt bistånd** (försörjningsstöd).

ASSUMED LAYOUT. The seeds name the content, not the sheet, so the layout read here is modelled
on SCB's statistical tables and must be checked against a real file (different headers can be
mapped with ``mapping=``, as for every loader):

* a few **title rows** above the table (title, unit, year, source), which are skipped; a
  year (four digits, 1990–2099) in them is the data's year unless the table has a year column
  or ``year=`` is given; a title row saying "syntetisk"/"syntetiska data" marks the file as
  synthetic demonstration data;
* a **header row**: ``Kommunkod``, ``Kommun``, ``Ohälsa``, ``Arbetsmarknadsstöd``,
  ``Ekonomiskt bistånd``, ``Totalt`` (optionally ``År`` and ``Befolkning 16–64 år``);
* **one row per kommun** (4-digit SCB code; a 3-digit number is an Excel number that lost its
  leading zero and gets it back; code and name in one cell, ``0604 Aneby``, are split), and
  optionally aggregate rows: a county (2-digit code) and the nation (code ``00`` or the text
  ``Riket``/``Hela riket``/``Sverige``); with a column ``År`` several years may follow each
  other;
* **notes below** the table (rows with no numbers, e.g. "Källa: SCB"), which are skipped.

The loader refuses, naming file, row and column: a cell that is not a number ≥ 0 (decimal
comma allowed), a code that is neither a kommun, county nor nation code, a kommun code given
twice, and a row whose ``Totalt`` differs from the sum of the three groups by more than
``tolerance`` (default 1 helårsekvivalent, for rounding in the print).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import pandas as pd

from .categories import fold
from .errors import FinsamDataError, Problem
from .loaders import (
    EXCEL_SUFFIXES,
    SYNTHETIC_MARKERS,
    _match_headers,
    _provenance,
    _validate,
    read_raw,
)
from .schemas import SPECS, Field, RowRule, TableSpec

#: The loader table name (the manifest's ``table`` column).
TABLE = "support_measure"
#: The benefit groups (canonical column → Swedish label) and the benefits in each.
GROUPS: dict[str, str] = {
    "ill_health": "Ohälsa",
    "labour_market": "Arbetsmarknadsstöd",
    "social_assistance": "Ekonomiskt bistånd",
}
BENEFITS: dict[str, tuple[str, ...]] = {
    "ill_health": (
        "sjukpenning",
        "rehabiliteringspenning",
        "sjukersättning",
        "aktivitetsersättning",
    ),
    "labour_market": ("arbetslöshetsersättning", "aktivitetsstöd"),
    "social_assistance": ("ekonomiskt bistånd",),
}
#: Default tolerance of Totalt against the sum of the groups, in helårsekvivalenter.
TOTAL_TOLERANCE = 1.0
#: Codes and names of the nation's row (folded).
NATION_NAMES = {"00", "riket", "hela riket", "sverige"}
NATION_CODE = "00"
LEVELS = ("kommun", "county", "nation")
OUTPUT_COLUMNS = (
    "kommun_code",
    "kommun",
    "level",
    "year",
    *GROUPS,
    "total",
    "population_16_64",
)


def _number(name: str, headers: tuple[str, ...], **kw: object) -> Field:
    """A column of helårsekvivalenter (or persons): a number of at least 0."""
    return Field(name, "float", headers, min=0.0, **kw)  # type: ignore[arg-type]


def _total_matches(tolerance: float):
    def check(df: pd.DataFrame) -> pd.Series:
        parts = df[list(GROUPS)].sum(axis=1, min_count=len(GROUPS))
        ok = (df["total"] - parts).abs() <= tolerance
        return ok.fillna(True).astype(bool)  # a missing number is reported on its own

    return check


def spec(tolerance: float = TOTAL_TOLERANCE) -> TableSpec:
    """The table specification of the layout (headers known, types, the total rule)."""
    return TableSpec(
        name=TABLE,
        description="SCB försörjningsmått for Finsam per kommun (helårsekvivalenter, 16–65 år).",
        fields=(
            Field("kommun_code", "str", ("Kommunkod", "Kod", "Regionkod", "Region")),
            Field("kommun", "str", ("Kommun", "Kommunnamn", "Namn"), required=False, nullable=True),
            Field("year", "int", ("År",), required=False, nullable=True, min=1990, max=2100),
            _number("ill_health", ("Ohälsa",)),
            _number("labour_market", ("Arbetsmarknadsstöd", "Arbetsmarknad", "Arbetslöshet")),
            _number("social_assistance", ("Ekonomiskt bistånd", "Försörjningsstöd")),
            _number("total", ("Totalt", "Summa", "Försörjningsmått", "Total")),
            _number(
                "population_16_64",
                ("Befolkning 16–64 år", "Befolkning 16-64 år", "Befolkning 16–64"),
                required=False,
                nullable=True,
            ),
        ),
        unique=("kommun_code", "year"),
        rules=(
            RowRule(
                "total",
                ("total", *GROUPS),
                _total_matches(tolerance),
                f"Totalt = Ohälsa + Arbetsmarknadsstöd + Ekonomiskt bistånd (within {tolerance:g})",
            ),
        ),
    )


#: Registered with the other canonical tables, so that e.g. a header mapping for this table is
#: checked against its columns; :func:`finsamlib.loaders.load_table` sends it to this module.
SPECS.setdefault(TABLE, spec())


def _title_rows(path: Path, sheet: str | None, header_line: int) -> list[str]:
    """The text of the rows above the header (a workbook's title rows), one string per row."""
    if header_line <= 1:
        return []
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        return [re.sub(r"[;,\t]+", " ", t).strip() for t in text.splitlines()[: header_line - 1]]
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = book[sheet] if sheet else book.worksheets[0]
        rows = ws.iter_rows(min_row=1, max_row=header_line - 1, values_only=True)
        return [" ".join(str(v) for v in row if v not in (None, "")).strip() for row in rows]
    finally:
        book.close()


def _level(code: str) -> str | None:
    """``kommun``, ``county`` or ``nation`` for a code cell, None when it is neither."""
    folded = fold(code)
    if folded in NATION_NAMES:
        return "nation"
    if re.fullmatch(r"\d{2}", code):
        return "county"
    if re.fullmatch(r"\d{3,4}", code):
        return "kommun"
    return None


def load_support_measure(
    path: str | Path,
    mapping: Mapping[str, str] | None = None,
    *,
    sheet: str | None = None,
    year: int | None = None,
    tolerance: float = TOTAL_TOLERANCE,
) -> pd.DataFrame:
    """SCB's försörjningsmått for Finsam per kommun from a workbook (or CSV) in the layout of
    the module docstring.

    Returns one row per kommun and aggregate row: ``kommun_code`` (4 digits; county 2 digits;
    nation ``00``), ``kommun``, ``level`` (kommun/county/nation), ``year``, ``ill_health``,
    ``labour_market``, ``social_assistance``, ``total`` (helårsekvivalenter) and
    ``population_16_64`` (NaN when the file has none). ``attrs``: ``source``, ``provenance``
    (``synthetic`` when a title row says so), ``title`` (the title rows), ``sheet``,
    ``header_line``.
    """
    path = Path(path)
    table_spec = spec(tolerance)
    raw = read_raw(path, table_spec, sheet=sheet, mapping=mapping)
    header_line = int(raw.attrs.get("header_line", 1))
    header_for = _match_headers(path, list(raw.columns), table_spec, mapping, header_line)
    header_of = {v: k for k, v in header_for.items()}
    numbers = [header_of[c] for c in (*GROUPS, "total") if c in header_of]
    # notes below the table: trailing rows without a single number
    has_number = (raw[numbers] != "").any(axis=1)
    if has_number.any():
        last = has_number[has_number].index[-1]
        raw = raw.loc[:last]
    raw = raw.copy()
    code_col = header_of["kommun_code"]
    levels: list[str] = []
    problems: list[Problem] = []
    names: list[str | None] = []
    for line, cell in raw[code_col].items():
        code = str(cell).strip()
        joined = re.fullmatch(r"(\d{2,4})\s+(\S.*)", code)  # "0604 Aneby" in one cell
        names.append(joined.group(2).strip() if joined else None)
        if joined:
            code = joined.group(1)
        level = _level(code)
        if level is None:
            problems.append(
                Problem(
                    int(line),
                    code_col,
                    code,
                    "a kommun code of 4 digits (SCB), a county code of 2 digits or Riket",
                )
            )
            levels.append("")
            continue
        if level == "nation":
            code = NATION_CODE
        elif level == "kommun":
            code = code.zfill(4)
        raw.at[line, code_col] = code
        levels.append(level)
    if problems:
        raise FinsamDataError(path, problems)
    # a kommun once per year; without a year column once in the file (named as the file does)
    unique = ("kommun_code", "year") if "year" in header_of else ("kommun_code",)
    checked = replace(table_spec, rules=(), unique=unique)
    df, synthetic_column = _validate(path, raw, checked, mapping)
    lines = list(raw.index)
    bad_total = ~_total_matches(tolerance)(df)
    if bad_total.any():
        rule = table_spec.rules[0]
        raise FinsamDataError(
            path,
            [
                Problem(
                    int(lines[i]),
                    header_of["total"],
                    str(raw.iloc[i][header_of["total"]]),
                    f"{rule.expected}; the groups sum to {df.loc[i, list(GROUPS)].sum():g}",
                )
                for i in df.index[bad_total]
            ],
        )
    title = _title_rows(path, raw.attrs.get("sheet"), header_line)
    df["level"] = levels
    if year is not None:
        df["year"] = int(year)
    elif df["year"].isna().any():
        found = sorted({int(y) for t in title for y in re.findall(r"\b(?:19|20)\d{2}\b", t)})
        if len(found) != 1:
            raise FinsamDataError(
                path,
                Problem(
                    None,
                    "År",
                    ", ".join(map(str, found)) or None,
                    "one year for the data: a column År, one year in the title rows, or year=",
                ),
            )
        df["year"] = df["year"].fillna(found[0])
    df["year"] = df["year"].astype("Int64")
    if "kommun" not in header_of:
        df["kommun"] = pd.Series(names, dtype="str")
    else:
        df["kommun"] = df["kommun"].fillna(pd.Series(names, dtype="str"))
    out = df[list(OUTPUT_COLUMNS)].copy()
    for c in (*GROUPS, "total", "population_16_64"):
        out[c] = out[c].astype(float)
    synthetic = synthetic_column or any(
        marker in fold(t) for t in title for marker in SYNTHETIC_MARKERS
    )
    out.attrs.update(
        source=str(path),
        provenance="synthetic" if synthetic else _provenance(path),
        table=TABLE,
        title=tuple(t for t in title if t),
        sheet=raw.attrs.get("sheet"),
        header_line=header_line,
        read_note=raw.attrs.get("read_note"),
    )
    return out
