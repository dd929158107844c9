"""The canonical data model: one specification per table, used by the loaders to read and validate.

A :class:`TableSpec` lists the canonical columns (English snake_case) with their type, the
headers that Swedish exports use for them, the allowed values and the table-level rules. The
loaders coerce every column by its spec and then validate with the pandera schema built here.
``docs/data-model.md`` documents the same tables for readers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa

from . import categories as cat
from .arrow_text import distinct_text, text_words

Kind = Literal["str", "int", "float", "date", "code"]
#: The dtype of each kind of column in a coerced table.
DTYPES = {"str": "str", "code": "str", "int": "Int64", "float": "Float64", "date": "datetime64[ns]"}


@dataclass(frozen=True)
class Field:
    """One canonical column."""

    name: str
    kind: Kind
    headers: tuple[str, ...] = ()  # other headers that map to this column (Swedish exports)
    required: bool = True  # the column must be present in the file
    nullable: bool = False  # empty cells allowed
    lookup: dict[str, str] | None = None  # folded spelling -> code, for kind "code"
    allowed: tuple[str, ...] = ()  # the codes, for error messages and validation
    min: float | None = None
    max: float | None = None
    pattern: str | None = None  # a regex that str values must match in full
    description: str = ""

    def expected(self) -> str:
        """What the column accepts, for error messages."""
        if self.kind == "code":
            return "one of " + ", ".join(self.allowed) + " (or their Swedish labels)"
        if self.kind == "date":
            return "a date as YYYY-MM-DD or YYYYMMDD"
        if self.kind in ("int", "float"):
            rng = ""
            if self.min is not None and self.max is not None:
                rng = f" from {self.min:g} to {self.max:g}"
            elif self.min is not None:
                rng = f" of at least {self.min:g}"
            whole = "a whole number" if self.kind == "int" else "a number (decimal comma allowed)"
            return whole + rng
        if self.pattern:
            digits = re.fullmatch(r"\\d\{(\d+)\}", self.pattern)
            if digits:
                return f"a code of exactly {digits.group(1)} digits (leading zeros kept)"
            return f"text matching {self.pattern}"
        return "a text value"


@dataclass(frozen=True)
class RowRule:
    """A rule across columns: ``check(df)`` is a boolean Series, False where a row breaks it."""

    name: str
    columns: tuple[str, ...]  # the columns named in the error
    check: Callable[[pd.DataFrame], pd.Series]
    expected: str


@dataclass(frozen=True)
class TableSpec:
    """A canonical table: its columns, unique key and row rules."""

    name: str
    fields: tuple[Field, ...]
    unique: tuple[str, ...] = ()
    rules: tuple[RowRule, ...] = field(default_factory=tuple)
    description: str = ""

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def pandera_schema(self) -> pa.DataFrameSchema:
        """The pandera schema for the coerced table (types, ranges, allowed values, key)."""
        columns = {}
        for f in self.fields:
            checks = []
            if f.min is not None:
                checks.append(pa.Check.ge(f.min))
            if f.max is not None:
                checks.append(pa.Check.le(f.max))
            if f.kind == "code":
                checks.append(pa.Check.isin(list(f.allowed)))
            if f.pattern:
                checks.append(pa.Check.str_matches(f"^(?:{f.pattern})$"))
            columns[f.name] = pa.Column(
                DTYPES[f.kind], checks=checks, nullable=True, required=f.required, coerce=False
            )
        return pa.DataFrameSchema(
            columns, unique=list(self.unique) or None, strict=False, name=self.name
        )

    def surely_valid(self, df: pd.DataFrame) -> bool:
        """True when :meth:`pandera_schema` surely accepts ``df``: the same checks, vectorised
        and without collecting failure cases, so a large valid table skips pandera. False
        when any check may fail; then pandera runs and words every failure."""
        for f in self.fields:
            if f.name not in df.columns:
                if f.required:
                    return False
                continue
            values = df[f.name]
            if values.dtype != DTYPES[f.kind]:
                return False
            if f.min is not None and bool((values < f.min).fillna(False).any()):
                return False
            if f.max is not None and bool((values > f.max).fillna(False).any()):
                return False
            if f.kind == "code" or f.pattern:
                # each distinct value checked once (a code or kommun column has few)
                distinct = distinct_text(values)
                if f.kind == "code" and not bool(distinct.isin(list(f.allowed)).all()):
                    return False
                if f.pattern and not bool(
                    distinct.str.match(f"^(?:{f.pattern})$").fillna(False).all()
                ):
                    return False
        if self.unique and any(k not in df.columns for k in self.unique):
            return False
        return not self.unique or _no_repeats(df, list(self.unique))


def _no_repeats(df: pd.DataFrame, keys: list[str]) -> bool:
    """Whether no two rows share the ``keys`` (missing values equal, as DataFrame.duplicated).

    First a 64-bit hash of each row's keys: equal rows have equal hashes, so distinct hashes
    settle it (text of one width is hashed from its bytes, not factorised). Otherwise each
    column is factorised once and the codes combined into one integer per row.
    """
    if _distinct_hashes(df, keys):
        return True
    group = np.zeros(len(df), dtype=np.int64)
    size = 1
    for key in keys:
        codes, uniques = pd.factorize(df[key])  # -1 for a missing value
        size *= len(uniques) + 1
        if size >= 2**62:
            return not bool(df.duplicated(keys, keep=False).any())
        group = group * (len(uniques) + 1) + (codes + 1)
    return bool(pd.Series(group).is_unique)


_MIX = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio, odd: a bijective multiplier


def _distinct_hashes(df: pd.DataFrame, keys: list[str]) -> bool:
    """True when the rows' hashes of ``keys`` are all distinct (so the rows are); False when
    some repeat (the rows may or may not)."""
    hashed = np.zeros(len(df), dtype=np.uint64)
    for key in keys:
        values = df[key]
        words = text_words(values) if values.dtype == "str" else None
        if words is not None:
            parts = [words[:, 0], words[:, 1]]
        elif values.dtype.kind == "M":
            parts = [values.to_numpy().view(np.int64).astype(np.uint64)]
        else:
            parts = [pd.factorize(values)[0].astype(np.int64).astype(np.uint64)]
        for part in parts:
            hashed = (hashed ^ part) * _MIX
            hashed ^= hashed >> np.uint64(29)
    return bool(pd.Series(hashed).is_unique)


def _code(name: str, lookup: dict[str, str], codes: tuple[str, ...], **kw) -> Field:
    return Field(name, "code", lookup=lookup, allowed=codes, **kw)


def _ended_after_start(df: pd.DataFrame) -> pd.Series:
    ok = df["end_date"].isna() | df["start_date"].isna() | (df["end_date"] >= df["start_date"])
    return ok.astype(bool)


def _born_by_start(df: pd.DataFrame) -> pd.Series:
    born = df["birth_year"].astype("Float64")
    ok = born <= df["start_date"].dt.year.astype("Float64")
    return ok.fillna(True).astype(bool)  # a missing year or date is reported on its own


def _after_only_when_ended(df: pd.DataFrame) -> pd.Series:
    return (df["end_date"].notna() | df["support_after"].isna()).astype(bool)


EXTENT = {"min": 0.0, "max": 100.0, "nullable": True}
KOMMUN_CODE = r"\d{4}"

PARTICIPANTS = TableSpec(
    name="participants",
    description="One row per registration of a person in an individual insats (SUS-like export).",
    fields=(
        Field("association", "str", ("Förbund", "Samordningsförbund"), description="association"),
        Field("insats_id", "str", ("Insats", "Insats-ID", "Insatsnamn")),
        Field("person_id", "str", ("Person-ID", "Personid", "Deltagar-ID", "Löpnummer")),
        _code("sex", cat.SEX_LOOKUP, tuple(cat.SEX_LABELS), headers=("Kön",)),
        Field("birth_year", "int", ("Födelseår",), min=1900, max=2100),
        Field(
            "kommun_code",
            "str",
            ("Kommun", "Kommunkod", "Hemkommun"),
            nullable=True,
            pattern=KOMMUN_CODE,
        ),
        Field("start_date", "date", ("Startdatum", "Inskrivningsdatum", "Start")),
        Field("end_date", "date", ("Slutdatum", "Avslutsdatum", "Slut"), nullable=True),
        _code(
            "education",
            cat.EDUCATION_LOOKUP,
            tuple(cat.EDUCATION_LABELS),
            headers=("Utbildning", "Utbildningsnivå"),
            nullable=True,
        ),
        Field(
            "years_public_support_before",
            "float",
            ("Offentlig försörjning före (år)", "År med offentlig försörjning"),
            nullable=True,
            min=0,
            max=100,
        ),
        _code(
            "support_before",
            cat.SUPPORT_LOOKUP,
            cat.SUPPORT_CODES,
            headers=("Försörjning före", "Huvudsaklig försörjning före"),
        ),
        _code(
            "support_after",
            cat.SUPPORT_LOOKUP,
            cat.SUPPORT_CODES,
            headers=("Försörjning efter", "Huvudsaklig försörjning efter"),
            nullable=True,
        ),
        Field("work_extent_before", "float", ("Arbete före (%)",), **EXTENT),
        Field("work_extent_after", "float", ("Arbete efter (%)",), **EXTENT),
        Field("studies_extent_before", "float", ("Studier före (%)",), **EXTENT),
        Field("studies_extent_after", "float", ("Studier efter (%)",), **EXTENT),
    ),
    unique=("insats_id", "person_id", "start_date"),
    rules=(
        RowRule(
            "end_after_start",
            ("start_date", "end_date"),
            _ended_after_start,
            "end_date on or after start_date",
        ),
        RowRule(
            "born_by_start",
            ("birth_year", "start_date"),
            _born_by_start,
            "a birth year no later than the year of start_date",
        ),
        RowRule(
            "after_only_when_ended",
            ("end_date", "support_after"),
            _after_only_when_ended,
            "support_after empty while the registration is ongoing (no end_date)",
        ),
    ),
)

REGISTRY = TableSpec(
    name="registry",
    description="Associations with their county and member kommuner: one row per member kommun.",
    fields=(
        Field("association", "str", ("Förbund", "Samordningsförbund")),
        Field("county_code", "str", ("Länskod",), pattern=r"\d{2}"),
        Field("county", "str", ("Län",)),
        Field("kommun_code", "str", ("Kommunkod",), pattern=KOMMUN_CODE),
        Field("kommun", "str", ("Kommun", "Kommunnamn")),
    ),
    unique=("kommun_code",),
)

PORTFOLIO = TableSpec(
    name="portfolio",
    description="Insatser (interventions) of the associations: one row per insats.",
    fields=(
        Field("insats_id", "str", ("Insats-ID", "Id")),
        Field("name", "str", ("Namn", "Insats", "Insatsnamn")),
        Field("association", "str", ("Förbund", "Samordningsförbund")),
        _code("type", cat.INSATS_TYPE_LOOKUP, tuple(cat.INSATS_TYPE_LABELS), headers=("Typ",)),
        _code(
            "financing",
            cat.FINANCING_LOOKUP,
            tuple(cat.FINANCING_LABELS),
            headers=("Finansiering",),
        ),
        _code(
            "owner",
            cat.OWNER_LOOKUP,
            tuple(cat.OWNER_LABELS),
            headers=("Huvudman", "Insatsägare", "Ägare"),
        ),
        Field("partners", "str", ("Samverkansparter", "Parter"), nullable=True, required=False),
        Field("target_groups", "str", ("Målgrupp", "Målgrupper"), nullable=True, required=False),
        Field("start_date", "date", ("Startdatum", "Start")),
        Field("end_date", "date", ("Slutdatum", "Slut"), nullable=True),
        Field("granted_amount", "float", ("Beviljat belopp", "Beviljat (kr)", "Belopp"), min=0),
    ),
    unique=("insats_id",),
    rules=(
        RowRule(
            "end_after_start",
            ("start_date", "end_date"),
            _ended_after_start,
            "end_date on or after start_date",
        ),
    ),
)

INSATS_BUDGET = TableSpec(
    name="insats_budget",
    description="Budget and outcome per insats and year.",
    fields=(
        Field("association", "str", ("Förbund",)),
        Field("insats", "str", ("Insats", "Insats-ID")),
        Field("year", "int", ("År",), min=1990, max=2100),
        Field("budget", "float", ("Budget",), min=0, nullable=True),
        Field("outcome", "float", ("Utfall",), nullable=True),
    ),
    unique=("association", "insats", "year"),
)

ACCOUNTS = TableSpec(
    name="accounts",
    description="Annual accounts: one amount per association, year and line (kr).",
    fields=(
        Field("association", "str", ("Förbund",)),
        Field("year", "int", ("År",), min=1990, max=2100),
        Field("line", "str", ("Rad", "Post", "Konto")),
        Field("amount", "float", ("Belopp", "Belopp (kr)")),
    ),
    unique=("association", "year", "line"),
)

POPULATION = TableSpec(
    name="population",
    description="Population per kommun, year and age band.",
    fields=(
        Field("kommun_code", "str", ("Kommunkod", "Kommun"), pattern=KOMMUN_CODE),
        Field("year", "int", ("År",), min=1900, max=2100),
        Field("age_band", "str", ("Ålder", "Åldersgrupp")),
        Field("count", "int", ("Antal", "Folkmängd"), min=0),
    ),
    unique=("kommun_code", "year", "age_band"),
)

TARGET_GROUP_SOURCES = TableSpec(
    name="target_group_sources",
    description="Counts of the population groups behind the target-group sizing, per area.",
    fields=(
        Field("area", "str", ("Område", "Kommun", "Kommunkod")),
        Field("year", "int", ("År",), min=1900, max=2100),
        Field("group", "str", ("Grupp", "Befolkningsgrupp")),
        Field("count", "float", ("Antal",), min=0),
    ),
    unique=("area", "year", "group"),
)

SPECS: dict[str, TableSpec] = {
    s.name: s
    for s in (
        PARTICIPANTS,
        REGISTRY,
        PORTFOLIO,
        INSATS_BUDGET,
        ACCOUNTS,
        POPULATION,
        TARGET_GROUP_SOURCES,
    )
}

STANDARD_COSTS = TableSpec(
    name="standard_costs",
    description=(
        "Standard costs and rates behind the economic revenue model (finsamlib.economics): one "
        "row per parameter, per support category where it applies. Assumptions users replace."
    ),
    fields=(
        Field("parameter", "str", ("Parameter",)),
        _code(
            "category",
            cat.SUPPORT_LOOKUP,
            cat.SUPPORT_CODES,
            headers=("Kategori", "Försörjning"),
            nullable=True,
            required=False,
        ),
        Field("value", "float", ("Värde", "Belopp")),
        Field("unit", "str", ("Enhet",), nullable=True, required=False),
        Field("source", "str", ("Källa", "Motivering"), nullable=True, required=False),
    ),
    unique=("parameter", "category"),
)
SPECS[STANDARD_COSTS.name] = STANDARD_COSTS
