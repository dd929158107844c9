"""The outcome table's vectorised counting (issue #13) gives exactly what counting each cell's
own frame gives.

``outcomes.area_counts`` computes each registration's values once and lets every cell select its
rows; the reference below is the former per-cell computation (one sub-frame per area and sex,
``drop_duplicates`` for the persons), kept here only as the oracle.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finsamlib.outcomes import (
    COUNT_KEYS,
    FULL_TIME_EXTENT,
    LONG_SUPPORT_YEARS,
    SEX_COLUMNS,
    YOUNG_AGE_LIMIT,
    area_counts,
    cell_counts,
    ended_in_year,
)

REGISTRY = pd.DataFrame(
    {
        "association": ["A", "B", "C"],
        "county_code": ["98", "98", "99"],
        "county": ["Län ett", "Län ett", "Län två"],
        "kommun_code": ["9801", "9802", "9901"],
        "kommun": ["Ett", "Två", "Tre"],
    }
)
SEX_VALUE = {"Kvinnor": "K", "Män": "M"}


def reference_counts(sub: pd.DataFrame) -> dict[str, float]:
    """The counts of one cell computed from that cell's rows alone (the former path)."""

    def extent(column: str) -> np.ndarray:
        return pd.to_numeric(sub[column]).astype("Float64").fillna(0.0).to_numpy(dtype=float)

    work_after, studies_after = extent("work_extent_after"), extent("studies_extent_after")
    before = extent("work_extent_before") + extent("studies_extent_before")
    after = work_after + studies_after
    start, end = pd.to_datetime(sub["start_date"]), pd.to_datetime(sub["end_date"])
    age = (start.dt.year - pd.to_numeric(sub["birth_year"])).astype("Float64")
    age = age.to_numpy(dtype=float, na_value=np.nan)
    years = sub["years_public_support_before"].astype("Float64").to_numpy(float, na_value=np.nan)
    education = sub["education"].astype("object").to_numpy()
    days = (end - start).dt.days.to_numpy(dtype=float)
    return {
        "ended_registrations": float(len(sub)),
        "unique_persons": float(len(sub[["association", "person_id"]].drop_duplicates())),
        "under_30": float((np.nan_to_num(age, nan=np.inf) < YOUNG_AGE_LIMIT).sum()),
        "support_over_3_years": float((np.nan_to_num(years, nan=0.0) > LONG_SUPPORT_YEARS).sum()),
        "compulsory_or_less": float((education == "compulsory_or_less").sum()),
        "post_secondary": float((education == "post_secondary").sum()),
        "enrolment_days": float(days.sum()),
        "work_count": float((work_after > 0).sum()),
        "work_fte": float(work_after.sum() / FULL_TIME_EXTENT),
        "work_or_studies_count": float((after > 0).sum()),
        "work_or_studies_fte": float(np.minimum(after, FULL_TIME_EXTENT).sum() / FULL_TIME_EXTENT),
        "work_or_studies_gained_count": float((after > before).sum()),
    }


def frame(rows: list[tuple]) -> pd.DataFrame:
    """A participants table with the loader's dtypes (Arrow strings, nullable numbers)."""
    records = [
        {
            "association": assoc,
            "insats_id": insats,
            "person_id": person,
            "sex": sex,
            "birth_year": birth,
            "start_date": pd.Timestamp(start),
            "end_date": pd.NaT if days is None else pd.Timestamp(start) + pd.Timedelta(days=days),
            "education": edu,
            "years_public_support_before": years,
            "work_extent_before": wb,
            "work_extent_after": wa,
            "studies_extent_before": sb,
            "studies_extent_after": sa,
        }
        for assoc, insats, person, sex, birth, start, days, edu, years, wb, wa, sb, sa in rows
    ]
    df = pd.DataFrame.from_records(records, columns=list(frame_columns()))
    for column in ("association", "insats_id", "person_id", "sex", "education"):
        df[column] = df[column].astype("str")
    df["birth_year"] = df["birth_year"].astype("Int64")
    for column in ("years_public_support_before", *frame_columns()[9:]):
        df[column] = df[column].astype("Float64")
    df["start_date"] = pd.to_datetime(df["start_date"])
    df["end_date"] = pd.to_datetime(df["end_date"])
    return df


def frame_columns() -> tuple[str, ...]:
    return (
        "association", "insats_id", "person_id", "sex", "birth_year", "start_date", "end_date",
        "education", "years_public_support_before", "work_extent_before", "work_extent_after",
        "studies_extent_before", "studies_extent_after",
    )  # fmt: skip


maybe = st.one_of
row = st.tuples(
    maybe(st.none(), st.sampled_from(["A", "B", "C"])),
    st.sampled_from(["I1", "I2"]),
    maybe(st.none(), st.sampled_from(["p1", "p2", "p3"])),
    maybe(st.none(), st.sampled_from(["K", "M"])),
    maybe(st.none(), st.integers(1950, 2003)),
    st.dates(pd.Timestamp("2018-06-01").date(), pd.Timestamp("2019-12-31").date()),
    maybe(st.none(), st.integers(0, 500)),
    maybe(st.none(), st.sampled_from(["compulsory_or_less", "upper_secondary", "post_secondary"])),
    maybe(st.none(), st.floats(0, 12, allow_subnormal=False)),
    maybe(st.none(), st.floats(0, 100, allow_subnormal=False)),
    maybe(st.none(), st.floats(0, 100, allow_subnormal=False)),
    maybe(st.none(), st.floats(0, 100, allow_subnormal=False)),
    maybe(st.none(), st.floats(0, 100, allow_subnormal=False)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row, max_size=30), st.sampled_from(["association", "insats_id"]))
def test_area_counts_equal_counting_each_cell_alone(rows: list[tuple], by: str) -> None:
    df = frame(rows)
    got = area_counts(df, 2019, by=by, registry=REGISTRY if by == "association" else None)
    ended = ended_in_year(df, 2019)
    for (area, sex), counts in got.items():
        if area in set(REGISTRY["county"]):
            members = REGISTRY.loc[REGISTRY["county"] == area, "association"]
            rows_of_area = ended["association"].isin(list(members))
        else:
            rows_of_area = ended[by] == area
        cell = ended.loc[rows_of_area.to_numpy(dtype=bool)]
        if sex != SEX_COLUMNS[0]:
            cell = cell.loc[(cell["sex"].astype("object") == SEX_VALUE[sex]).to_numpy(bool)]
        assert counts == reference_counts(cell)  # exact: same values summed in the same order
        assert cell_counts(cell) == counts


def test_unique_persons_by_hand() -> None:
    """Persons are (association, person_id) pairs; a missing value is one value of its own."""
    rows = [
        ("A", "I1", "p1", "K", 1990, "2019-01-01", 10, None, 1.0, 0, 0, 0, 0),
        ("A", "I1", "p1", "K", 1990, "2019-02-01", 10, None, 1.0, 0, 0, 0, 0),  # same person
        ("B", "I1", "p1", "K", 1990, "2019-02-01", 10, None, 1.0, 0, 0, 0, 0),  # other assoc.
        ("A", "I1", None, "K", 1990, "2019-02-01", 10, None, 1.0, 0, 0, 0, 0),
        ("A", "I1", None, "M", 1990, "2019-03-01", 10, None, 1.0, 0, 0, 0, 0),  # same (missing)
        ("A", "I1", "p2", "M", 1990, "2019-03-01", 10, None, 1.0, 0, 0, 0, 0),
    ]
    df = frame([(a, i, p, s, b, pd.Timestamp(d).date(), *rest) for a, i, p, s, b, d, *rest in rows])
    assert cell_counts(df)["unique_persons"] == 4.0  # A/p1, B/p1, A/missing, A/p2
    got = area_counts(df, 2019, registry=REGISTRY)
    assert got[("A", "Totalt")]["unique_persons"] == 3.0
    assert got[("A", "Kvinnor")]["unique_persons"] == 2.0  # p1 and the missing id
    assert got[("A", "Män")]["unique_persons"] == 2.0
    assert got[("Län ett", "Totalt")]["unique_persons"] == 4.0
    assert got[("A", "Totalt")]["enrolment_days"] == 50.0
    assert set(got[("A", "Totalt")]) == set(COUNT_KEYS)
    assert cell_counts(df.iloc[:0]) == dict.fromkeys(COUNT_KEYS, 0.0)
