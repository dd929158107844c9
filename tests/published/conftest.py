"""Helpers for the tests that check the transcribed published tables against the seeds."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

PUBLISHED = Path(__file__).resolve().parents[2] / "data" / "raw" / "published"
FIRST_COLUMNS = ["source", "table"]
LAST_COLUMNS = ["value", "unit"]
#: The units a published table may use (data/raw/published/README.md).
UNITS = frozenset(
    {"count", "percent", "kr", "tkr", "mkr", "days", "fte", "months", "years",
     "kr_per_inhabitant", "persons", "ratio"}
)  # fmt: skip


def read_published(name: str) -> pd.DataFrame:
    """Read one transcribed table as plain CSV (no library code, so these tests check the files)."""
    return pd.read_csv(PUBLISHED / name, encoding="utf-8", keep_default_na=False, na_values=[""])


def cell(df: pd.DataFrame, **where: object) -> float:
    """The one value whose dimension columns equal ``where``; fails unless one row matches."""
    mask = pd.Series(True, index=df.index)
    for column, wanted in where.items():
        mask &= df[column].astype(str) == str(wanted)
    hits = df.loc[mask, "value"]
    assert len(hits) == 1, f"{len(hits)} rows match {where}"
    return float(hits.iloc[0])


@pytest.fixture
def published():
    return read_published
