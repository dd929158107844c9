"""The SUS outcome table and the participant counts around it, on hand-computed small cases.

Every expected number below is worked out by hand in the comment next to it from the eight rows
of ``SMALL``; the definitions are those of the module docstring of finsamlib.outcomes (seed 001,
"UTFALL 2019").
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finsamlib import datasets
from finsamlib.errors import FinsamDataError
from finsamlib.outcomes import (
    INDICATOR_KEYS,
    INDICATOR_UNITS,
    SEX_COLUMNS,
    active_in_year,
    age_at_start,
    ended_in_year,
    outcome_table,
    participant_flows,
    participant_profile,
    started_in_year,
)

COLUMNS = [
    "association", "insats_id", "person_id", "sex", "birth_year", "kommun_code", "start_date",
    "end_date", "education", "years_public_support_before", "support_before", "support_after",
    "work_extent_before", "work_extent_after", "studies_extent_before", "studies_extent_after",
]  # fmt: skip

# r  assoc person sex birth start        end          education        years  work b/a  stud b/a
ROWS = [
    ("A", "p1", "K", 1995, "2019-01-01", "2019-01-31", "compulsory_or_less", 4.0, 0, 100, 0, 0),
    ("A", "p1", "K", 1995, "2019-03-01", "2019-12-31", "compulsory_or_less", 3.0, 0, 50, 0, 50),
    ("A", "p2", "M", 1980, "2018-07-01", "2019-06-30", "post_secondary", 10.0, 50, 50, 0, 0),
    ("A", "p3", "M", 1990, "2019-02-01", "2019-02-01", "upper_secondary", None, 0, 0, 0, 75),
    ("A", "p4", "K", 2000, "2019-05-01", None, "upper_secondary", 1.0, 0, None, 0, None),
    ("A", "p5", "M", 1989, "2018-01-01", "2018-12-31", "unknown", 0.5, 0, 0, 0, 0),
    ("B", "p1", "K", 1970, "2019-01-01", "2019-04-11", "unknown", 2.5, 80, 60, 0, 60),
    ("B", "p6", "M", 1989, "2019-01-10", "2019-01-20", "compulsory_or_less", 3.5, 0, 0, 0, 0),
]


def make(rows: list[tuple]) -> pd.DataFrame:
    records = []
    for i, (assoc, person, sex, birth, start, end, edu, years, wb, wa, sb, sa) in enumerate(rows):
        records.append(
            {
                "association": assoc,
                "insats_id": f"I{i}",
                "person_id": person,
                "sex": sex,
                "birth_year": birth,
                "kommun_code": None,
                "start_date": pd.Timestamp(start),
                "end_date": pd.Timestamp(end) if end else pd.NaT,
                "education": edu,
                "years_public_support_before": years,
                "support_before": "social_assistance",
                "support_after": "no_public_support" if end else None,
                "work_extent_before": wb,
                "work_extent_after": wa,
                "studies_extent_before": sb,
                "studies_extent_after": sa,
            }
        )
    df = pd.DataFrame.from_records(records, columns=COLUMNS)
    df["birth_year"] = df["birth_year"].astype("Int64")
    for c in [*COLUMNS[-4:], "years_public_support_before"]:
        df[c] = df[c].astype("Float64")
    return df


SMALL = make(ROWS)
REGISTRY = pd.DataFrame(
    {
        "association": ["A", "A", "B"],
        "county_code": ["99", "99", "99"],
        "county": ["Testlän", "Testlän", "Testlän"],
        "kommun_code": ["9901", "9902", "9903"],
        "kommun": ["Ett", "Två", "Tre"],
    }
)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return outcome_table(SMALL, 2019, registry=REGISTRY)


# Ended in 2019: A = rows 1-4 (r5 is ongoing, r6 ended 2018), B = rows 7-8.
# Days: r1 2019-01-01..01-31 = 30; r2 03-01..12-31 = 305; r3 2018-07-01..2019-06-30 = 364;
# r4 same day = 0; r7 01-01..04-11 = 100; r8 01-10..01-20 = 10.
# Age at start = start year - birth year: r1 24, r2 24, r3 38, r4 29, r7 49, r8 30 (not < 30).
# Years of support > 3: r1 (4.0), r3 (10), r8 (3.5); not r2 (exactly 3.0), r4 (missing), r7 (2.5).
# Work after > 0: r1 100, r2 50, r3 50, r7 60. Work+studies after (capped at 100): r1 100,
# r2 50+50 = 100, r3 50, r4 75, r7 60+60 = 120 -> 100, r8 0.
# Gained (work+studies after > before): r1 0->100, r2 0->100, r4 0->75, r7 80->120;
# not r3 (50->50) nor r8 (0->0).
EXPECTED = {
    ("A", "Totalt"): {
        "ended_registrations": 4,  # r1-r4
        "share_by_sex": 100,
        "unique_persons": 3,  # p1 (twice), p2, p3
        "share_under_30": 75,  # r1, r2, r4 of 4
        "share_support_over_3_years": 50,  # r1, r3 of 4
        "share_compulsory_or_less": 50,  # r1, r2 of 4
        "share_post_secondary": 25,  # r3 of 4
        "mean_enrolment_days": 174.75,  # (30 + 305 + 364 + 0) / 4
        "work_count": 3,  # r1, r2, r3
        "work_fte": 2.0,  # (100 + 50 + 50) / 100
        "work_share": 75,  # 3 of 4
        "work_or_studies_count": 4,  # r1-r4
        "work_or_studies_fte": 3.25,  # (100 + 100 + 50 + 75) / 100
        "work_or_studies_gained_count": 3,  # r1, r2, r4
    },
    ("A", "Kvinnor"): {
        "ended_registrations": 2,  # r1, r2
        "share_by_sex": 50,  # 2 of A's 4
        "unique_persons": 1,  # p1 twice
        "share_under_30": 100,
        "share_support_over_3_years": 50,  # r1 (4.0) yes, r2 (3.0) no
        "share_compulsory_or_less": 100,
        "share_post_secondary": 0,
        "mean_enrolment_days": 167.5,  # (30 + 305) / 2
        "work_count": 2,
        "work_fte": 1.5,  # (100 + 50) / 100
        "work_share": 100,
        "work_or_studies_count": 2,
        "work_or_studies_fte": 2.0,  # 100 + min(50 + 50, 100)
        "work_or_studies_gained_count": 2,
    },
    ("A", "Män"): {
        "ended_registrations": 2,  # r3, r4
        "share_by_sex": 50,
        "unique_persons": 2,
        "share_under_30": 50,  # r4 (29) yes, r3 (38) no
        "share_support_over_3_years": 50,  # r3 (10) yes, r4 (missing) no
        "share_compulsory_or_less": 0,
        "share_post_secondary": 50,  # r3
        "mean_enrolment_days": 182.0,  # (364 + 0) / 2
        "work_count": 1,  # r3
        "work_fte": 0.5,
        "work_share": 50,
        "work_or_studies_count": 2,
        "work_or_studies_fte": 1.25,  # (50 + 75) / 100
        "work_or_studies_gained_count": 1,  # r4 only; r3 kept 50 % work
    },
    ("B", "Totalt"): {
        "ended_registrations": 2,  # r7, r8
        "share_by_sex": 100,
        "unique_persons": 2,
        "share_under_30": 0,  # r7 49, r8 exactly 30
        "share_support_over_3_years": 50,  # r8 (3.5)
        "share_compulsory_or_less": 50,  # r8
        "share_post_secondary": 0,
        "mean_enrolment_days": 55.0,  # (100 + 10) / 2
        "work_count": 1,  # r7
        "work_fte": 0.6,
        "work_share": 50,
        "work_or_studies_count": 1,
        "work_or_studies_fte": 1.0,  # r7: min(60 + 60, 100) / 100
        "work_or_studies_gained_count": 1,  # r7: 80 -> 120
    },
    ("Testlän", "Totalt"): {
        "ended_registrations": 6,  # A's 4 + B's 2
        "share_by_sex": 100,
        "unique_persons": 5,  # (A,p1) (A,p2) (A,p3) (B,p1) (B,p6): p1 of B is another person
        "share_under_30": 50,  # r1, r2, r4 of 6
        "share_support_over_3_years": 50,  # r1, r3, r8 of 6
        "share_compulsory_or_less": 50,  # r1, r2, r8 of 6
        "share_post_secondary": 100 / 6,  # r3 of 6
        "mean_enrolment_days": 809 / 6,  # (699 + 110) / 6
        "work_count": 4,
        "work_fte": 2.6,  # 2.0 + 0.6
        "work_share": 400 / 6,
        "work_or_studies_count": 5,
        "work_or_studies_fte": 4.25,  # 3.25 + 1.0
        "work_or_studies_gained_count": 4,
    },
    ("Testlän", "Kvinnor"): {
        "ended_registrations": 3,  # r1, r2, r7
        "share_by_sex": 50,  # 3 of 6
        "unique_persons": 2,  # (A,p1), (B,p1)
        "share_under_30": 200 / 3,  # r1, r2 of 3
        "mean_enrolment_days": 145.0,  # (30 + 305 + 100) / 3
        "work_or_studies_fte": 3.0,  # 1 + 1 + 1
    },
}


@pytest.mark.parametrize("column", list(EXPECTED))
def test_hand_computed_cells(table: pd.DataFrame, column: tuple[str, str]) -> None:
    for key, expected in EXPECTED[column].items():
        assert table.loc[key, column] == pytest.approx(expected), (column, key)


def test_shape_order_and_columns(table: pd.DataFrame) -> None:
    # 14 rows in SUS order, keyed as the published CSV; the published file's keys in its order.
    utfall = datasets.load("published/seed001_utfall_2019")
    assert list(table.index) == list(INDICATOR_KEYS)
    assert list(INDICATOR_KEYS) == list(dict.fromkeys(utfall["indicator_key"]))
    assert table.index.name == "indicator"
    assert table.columns.names == ["area", "sex"]
    assert list(table.columns) == [
        (area, sex) for area in ("A", "B", "Testlän") for sex in SEX_COLUMNS
    ]
    assert set(INDICATOR_UNITS.values()) == {"count", "percent", "days", "fte"}
    # The units agree with the published file's units.
    units = utfall.drop_duplicates("indicator_key").set_index("indicator_key")["unit"]
    assert units.to_dict() == INDICATOR_UNITS


def test_county_is_the_sum_of_its_associations(table: pd.DataFrame) -> None:
    additive = ["ended_registrations", "unique_persons", "work_count", "work_fte"]
    additive += ["work_or_studies_count", "work_or_studies_fte", "work_or_studies_gained_count"]
    for sex in SEX_COLUMNS:
        for key in additive:
            assert table.loc[key, ("Testlän", sex)] == pytest.approx(
                table.loc[key, ("A", sex)] + table.loc[key, ("B", sex)]
            )


def test_other_years_and_empty_cells() -> None:
    t = outcome_table(SMALL, 2018)
    # Only r6 (A, man) ended in 2018; B has no ended registration: counts 0, shares NaN.
    assert t.loc["ended_registrations", ("A", "Män")] == 1
    assert t.loc["ended_registrations", ("A", "Kvinnor")] == 0
    assert np.isnan(t.loc["share_under_30", ("A", "Kvinnor")])
    assert t.loc["mean_enrolment_days", ("A", "Män")] == 364  # 2018-01-01 .. 2018-12-31
    assert t.loc["ended_registrations", ("B", "Totalt")] == 0
    assert np.isnan(t.loc["share_by_sex", ("B", "Kvinnor")])
    assert t.loc["work_fte", ("B", "Totalt")] == 0
    # Without a registry there are no county columns; areas are sorted.
    assert list(t.columns.get_level_values(0).unique()) == ["A", "B"]


def test_by_insats() -> None:
    t = outcome_table(SMALL, 2019, by="insats_id")
    # One registration per insats: I0 = r1 (30 days).
    assert t.loc["mean_enrolment_days", ("I0", "Totalt")] == 30
    assert len(t.columns) == 3 * SMALL["insats_id"].nunique()


def test_published_comparison_is_appended() -> None:
    utfall = datasets.load("published/seed001_utfall_2019")
    riket = utfall[utfall["area"] == "Riket"]
    t = outcome_table(SMALL, 2019, comparison=riket)
    # seed 001 UTFALL 2019, Riket: 12 309 ended, 2 118 in work.
    for _, row in riket.iterrows():
        assert t.loc[row["indicator_key"], ("Riket", row["sex"])] == row["value"]
    shaped = outcome_table(SMALL, 2019, comparison=t[["Riket"]])
    assert shaped[["Riket"]].equals(t[["Riket"]])
    with pytest.raises(ValueError, match="also computed"):
        outcome_table(SMALL, 2019, comparison=t[["A"]])
    with pytest.raises(ValueError, match="indicator_key"):
        outcome_table(SMALL, 2019, comparison=riket.drop(columns="indicator_key"))


def test_bad_input() -> None:
    with pytest.raises(FinsamDataError, match="work_extent_after"):
        outcome_table(SMALL.drop(columns="work_extent_after"), 2019)
    with pytest.raises(TypeError, match="year"):
        outcome_table(SMALL, "2019")  # type: ignore[arg-type]
    with pytest.raises(KeyError, match="no_such"):
        outcome_table(SMALL, 2019, by="no_such")
    with pytest.raises(ValueError, match="not in the registry"):
        outcome_table(SMALL, 2019, registry=REGISTRY[REGISTRY["association"] == "A"])


def test_year_selections() -> None:
    # r5 (ongoing) and r6 (ended 2018-12-31) are the boundary cases.
    assert set(ended_in_year(SMALL, 2019).index) == {0, 1, 2, 3, 6, 7}
    assert set(active_in_year(SMALL, 2019).index) == {0, 1, 2, 3, 4, 6, 7}
    assert set(active_in_year(SMALL, 2018).index) == {2, 5}  # r3 started 2018-07-01, r6
    assert set(started_in_year(SMALL, 2018).index) == {2, 5}
    assert active_in_year(SMALL, 2030).index.tolist() == [4]  # the ongoing r5 only
    edge = make([("A", "x", "K", 1990, "2019-12-31", "2020-01-01", "unknown", 0, 0, 0, 0, 0)])
    assert len(active_in_year(edge, 2019)) == len(active_in_year(edge, 2020)) == 1
    assert len(active_in_year(edge, 2021)) == 0
    assert age_at_start(SMALL).tolist()[:4] == [24, 24, 38, 29]


def test_participant_flows() -> None:
    flows = participant_flows(SMALL, 2019)
    a = flows.loc["A"]
    # Active in 2019 in A: r1-r5 (r6 ended 2018); new: r1, r2, r4, r5 (r3 started 2018);
    # ended: r1-r4; ongoing at year end: r5; to work or studies: r1-r4 all have some.
    assert a[["registered", "new", "carried_over", "ended", "ongoing_at_year_end"]].tolist() == [
        5, 4, 1, 4, 1,
    ]  # fmt: skip
    assert a["ended_to_work_or_studies"] == 4 and a["share_ended_to_work_or_studies"] == 100
    b = flows.loc["B"]
    assert b["ended_to_work_or_studies"] == 1 and b["share_ended_to_work_or_studies"] == 50
    total = participant_flows(SMALL, 2019, by=None)
    assert total.loc["Totalt", "registered"] == 7


def test_participant_profile() -> None:
    prof = participant_profile(ended_in_year(SMALL, 2019), by=None)
    get = prof.set_index(["dimension", "category"])
    # Ages at start 24, 24, 38, 29, 49, 30: 16-24 two, 25-29 one, 30-39 two, 40-49 one.
    assert get.loc[("age_band", "16-24"), "count"] == 2
    assert get.loc[("age_band", "25-29"), "count"] == 1
    assert get.loc[("age_band", "30-39"), "count"] == 2
    assert get.loc[("age_band", "40-49"), "count"] == 1
    # Years 4, 3, 10, missing, 2.5, 3.5: (1,3] r2 r7; (3,9] r1 r8; over 9 r3; unknown r4.
    assert get.loc[("support_years", "1-3"), "count"] == 2
    assert get.loc[("support_years", "3-9"), "count"] == 2
    assert get.loc[("support_years", "over 9"), "count"] == 1
    assert get.loc[("support_years", "unknown"), "count"] == 1
    assert get.loc[("sex", "K"), "percent"] == pytest.approx(50)
    assert get.loc[("education", "compulsory_or_less"), "count"] == 3
    # Percent sums to 100 per dimension; "more than 3 years" agrees with the outcome table.
    assert prof.groupby("dimension")["percent"].sum().tolist() == pytest.approx([100] * 4)
    over3 = (
        get.loc[("support_years", "3-9"), "percent"]
        + get.loc[("support_years", "over 9"), "percent"]
    )
    t = outcome_table(SMALL.assign(association="X"), 2019)
    assert over3 == pytest.approx(t.loc["share_support_over_3_years", ("X", "Totalt")])


# --------------------------------------------------------------------------- properties

row = st.tuples(
    st.sampled_from(["A", "B"]),
    st.sampled_from(["p1", "p2", "p3", "p4"]),
    st.sampled_from(["K", "M"]),
    st.integers(1950, 2003),
    st.dates(pd.Timestamp("2018-01-01").date(), pd.Timestamp("2019-12-31").date()),
    st.one_of(st.none(), st.integers(0, 700)),
    st.sampled_from(["compulsory_or_less", "upper_secondary", "post_secondary", "unknown"]),
    st.one_of(st.none(), st.floats(0, 20)),
    st.integers(0, 100),
    st.integers(0, 100),
    st.integers(0, 100),
    st.integers(0, 100),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row, min_size=1, max_size=25))
def test_totals_add_up(rows: list[tuple]) -> None:
    fixed = []
    for assoc, person, sex, birth, start, days, edu, years, wb, wa, sb, sa in rows:
        end = None if days is None else str(pd.Timestamp(start) + pd.Timedelta(days=days))[:10]
        fixed.append((assoc, f"{sex}{person}", sex, birth, str(start), end, edu, years, wb, wa,
                      sb, sa))  # fmt: skip
    df = make(fixed).drop_duplicates(["association", "person_id", "start_date"])
    t = outcome_table(df, 2019, registry=REGISTRY)
    additive = ["ended_registrations", "unique_persons", "work_count", "work_fte"]
    additive += ["work_or_studies_count", "work_or_studies_fte", "work_or_studies_gained_count"]
    areas = list(t.columns.get_level_values(0).unique())
    for area in areas:
        for key in additive:  # Totalt = Kvinnor + Män (a person id carries one sex here)
            assert t.loc[key, (area, "Totalt")] == pytest.approx(
                t.loc[key, (area, "Kvinnor")] + t.loc[key, (area, "Män")]
            )
        n = t.loc["ended_registrations", (area, "Totalt")]
        assert (
            t.loc["work_count", (area, "Totalt")]
            <= t.loc["work_or_studies_count", (area, "Totalt")]
        )
        assert t.loc["work_fte", (area, "Totalt")] <= t.loc["work_count", (area, "Totalt")] + 1e-9
        assert t.loc["work_or_studies_fte", (area, "Totalt")] <= n + 1e-9
        assert (
            t.loc["work_or_studies_gained_count", (area, "Totalt")]
            <= t.loc["work_or_studies_count", (area, "Totalt")]
        )
        if n:
            assert t.loc["work_share", (area, "Totalt")] == pytest.approx(
                100 * t.loc["work_count", (area, "Totalt")] / n
            )
    for sex in SEX_COLUMNS:
        for key in additive:  # the county adds up its associations
            parts = sum(t.loc[key, (a, sex)] for a in areas if a != "Testlän")
            assert t.loc[key, ("Testlän", sex)] == pytest.approx(parts)
