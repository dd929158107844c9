"""Property: any valid participants table round-trips through CSV unchanged, in every dialect."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finsamlib import load_participants
from finsamlib.categories import EDUCATION_LABELS, SEX_LABELS, SUPPORT_CODES, SUPPORT_LABELS

from .conftest import SWEDISH_HEADERS, write_csv

extent = st.one_of(st.none(), st.integers(0, 100).map(float), st.sampled_from([12.5, 37.5, 62.5]))


@st.composite
def registration(draw: st.DrawFn, i: int) -> dict:
    start = draw(st.dates(pd.Timestamp("2014-01-01").date(), pd.Timestamp("2022-12-31").date()))
    ended = draw(st.booleans())
    end = start + pd.Timedelta(days=draw(st.integers(0, 900))) if ended else None
    return {
        "association": draw(st.sampled_from(["Finnveden", "Höglandet", "RAR Sörmland"])),
        "insats_id": draw(st.sampled_from(["A", "B", "Insats ÅÄÖ"])),
        "person_id": f"p{i:05d}",
        "sex": draw(st.sampled_from(sorted(SEX_LABELS))),
        "birth_year": draw(st.integers(1950, 2006)),
        "kommun_code": draw(st.sampled_from(["0428", "0680", "0617", None])),
        "start_date": pd.Timestamp(start),
        "end_date": pd.Timestamp(end) if end else pd.NaT,
        "education": draw(st.sampled_from([*EDUCATION_LABELS, None])),
        "years_public_support_before": draw(
            st.one_of(st.none(), st.sampled_from([0.0, 0.5, 3.25, 12.0]))
        ),
        "support_before": draw(st.sampled_from(SUPPORT_CODES)),
        "support_after": draw(st.sampled_from(SUPPORT_CODES)) if ended else None,
        "work_extent_before": draw(extent),
        "work_extent_after": draw(extent),
        "studies_extent_before": draw(extent),
        "studies_extent_after": draw(extent),
    }


@st.composite
def tables(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 12))
    return pd.DataFrame([draw(registration(i)) for i in range(n)])


def to_export_rows(df: pd.DataFrame, decimal: str, swedish_labels: bool) -> list[list[str]]:
    def cell(column: str, value: object) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        if isinstance(value, pd.Timestamp):
            return value.strftime("%Y-%m-%d")
        if isinstance(value, float):
            return f"{value:g}".replace(".", decimal)
        if swedish_labels and column in ("support_before", "support_after"):
            return SUPPORT_LABELS[value]
        return str(value)

    return [[cell(c, v) for c, v in row.items()] for _, row in df.iterrows()]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    table=tables(),
    sep=st.sampled_from([";", ","]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    swedish_labels=st.booleans(),
)
def test_roundtrip(table: pd.DataFrame, sep: str, encoding: str, swedish_labels: bool) -> None:
    decimal = "," if sep == ";" else "."
    with tempfile.TemporaryDirectory() as tmp:
        path = write_csv(
            Path(tmp) / "x.csv",
            to_export_rows(table, decimal, swedish_labels),
            header=SWEDISH_HEADERS,
            sep=sep,
            encoding=encoding,
        )
        loaded = load_participants(path)
    assert len(loaded) == len(table)
    for column in table.columns:
        got, want = loaded[column].tolist(), table[column].tolist()
        if column == "birth_year":
            got = [int(v) for v in got]
        norm = [None if (v is None or (not isinstance(v, str) and pd.isna(v))) else v for v in got]
        wnorm = [
            None if (v is None or (not isinstance(v, str) and pd.isna(v))) else v for v in want
        ]
        assert norm == wnorm, column
