"""Sysselsättning before/after, gains, time in insats and the per-insats summary
(finsamlib.employment, finsamlib.duration): hand-computed cases and properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finsamlib import duration, employment, outcomes
from finsamlib.categories import SUPPORT_CODES
from finsamlib.errors import FinsamDataError


def frame(rows: list[tuple]) -> pd.DataFrame:
    """(insats, start, end, support before, after, work before, after, studies before, after)."""
    cols = [
        "insats_id",
        "start_date",
        "end_date",
        "support_before",
        "support_after",
        "work_extent_before",
        "work_extent_after",
        "studies_extent_before",
        "studies_extent_after",
    ]
    df = pd.DataFrame(rows, columns=cols)
    df["start_date"] = pd.to_datetime(df["start_date"])
    df["end_date"] = pd.to_datetime(df["end_date"])
    return df


AKASSA = "unemployment_insurance"
#: Six registrations, five ended in 2021 (hand-computed below), one in 2020, one ongoing.
SMALL = frame(
    [
        # work 0 -> 50: job seeking before (aktivitetsstöd), work after; started work
        ("I1", "2021-01-01", "2021-03-01", "activity_support", "employment", 0, 50, 0, 0),
        # work 25 -> 75: work both times; increased work
        ("I1", "2020-06-01", "2021-06-01", "sickness_benefit", "employment", 25, 75, 0, 0),
        # nothing -> studies 100: other before (försörjningsstöd), studies after; started studies
        ("I2", "2019-01-01", "2021-01-10", "social_assistance", "student_aid", 0, 0, 0, 100),
        # studies 50 -> work 50 and studies 25: combined 50 -> 75: started work, gained
        ("I2", "2021-02-01", "2021-08-01", "student_aid", "employment", 0, 50, 50, 25),
        # a-kassa both times, no extents: job seeking -> job seeking; nothing gained
        ("I2", "2020-12-01", "2021-12-31", AKASSA, AKASSA, 0, 0, 0, 0),
        ("I1", "2020-01-01", "2020-05-01", "social_assistance", "employment", 0, 100, 0, 0),
        ("I1", "2021-05-01", None, "social_assistance", None, 0, None, 0, None),
    ]
)


def test_status_rule_by_hand():
    ended = outcomes.ended_in_year(SMALL, 2021)
    before = employment.employment_status(ended, "before").tolist()
    after = employment.employment_status(ended, "after").tolist()
    assert before == ["job_seeking", "work", "other", "studies", "job_seeking"]
    assert after == ["work", "work", "studies", "work", "job_seeking"]


def test_before_after_counts_by_hand():
    t = employment.employment_before_after(SMALL, 2021).set_index("status")
    assert t["count_before"].to_dict() == {"work": 1, "studies": 1, "job_seeking": 2, "other": 1}
    assert t["count_after"].to_dict() == {"work": 3, "studies": 1, "job_seeking": 1, "other": 0}
    assert t.loc["work", "share_after"] == pytest.approx(3 / 5)
    assert set(t["n"]) == {5}
    assert t.loc["job_seeking", "label"] == "Aktivt arbetssökande"


def test_work_after_is_the_outcome_tables_work_count():
    """Förvärvsarbete after uses the same rule as SUS's "i förvärvsarbete" (outcome table)."""
    df = SMALL.assign(
        association="A",
        person_id=[f"p{i}" for i in range(len(SMALL))],
        sex="K",
        birth_year=1990,
        education="unknown",
        years_public_support_before=1.0,
    )
    table = outcomes.outcome_table(df, 2021)
    status = employment.employment_before_after(df, 2021).set_index("status")
    assert status.loc["work", "count_after"] == table.loc["work_count", ("A", "Totalt")]
    gains = employment.gains(df, 2021).set_index("gain")
    assert (
        gains.loc["work_or_studies_gained", "count"]
        == table.loc["work_or_studies_gained_count", ("A", "Totalt")]
    )


def test_gains_by_hand():
    g = employment.gains(SMALL, 2021).set_index("gain")["count"].to_dict()
    assert g == {
        "work_started": 2,  # rows 1 and 4
        "work_increased": 1,  # row 2
        "studies_started": 1,  # row 3
        "studies_increased": 0,  # row 4 went from 50 to 25
        "work_or_studies_gained": 4,  # rows 1-4; row 5 stayed at 0
    }


def test_grouped_by_insats_and_summary_by_hand():
    t = employment.employment_before_after(SMALL, 2021, by="insats_id")
    assert t.groupby("insats_id")["n"].first().to_dict() == {"I1": 2, "I2": 3}
    s = employment.insats_summary(SMALL, 2021)
    assert s["ended"].to_dict() == {"I1": 2, "I2": 3}
    assert s["work_or_studies_after"].to_dict() == {"I1": 2, "I2": 2}
    assert s["gained"].to_dict() == {"I1": 2, "I2": 2}
    assert s.loc["I2", "share_gained"] == pytest.approx(2 / 3)


def test_time_in_insats_by_hand():
    t = duration.time_in_insats(SMALL, 2021).set_index("band")
    # days: 59, 365, 740, 181, 395
    assert t["count"].to_dict() == {
        "under_3_months": 1,
        "3_6_months": 1,
        "6_12_months": 0,
        "1_2_years": 2,
        "over_2_years": 1,
    }
    assert t.loc["1_2_years", "share"] == pytest.approx(0.4)
    assert duration.days_in_insats(SMALL).iloc[:5].tolist() == [59, 365, 740, 181, 395]


def test_band_edges():
    days = np.array([0, 90, 91, 182, 183, 364, 365, 729, 730, 5000, np.nan])
    assert duration.duration_band(days).tolist() == [
        "under_3_months",
        "under_3_months",
        "3_6_months",
        "3_6_months",
        "6_12_months",
        "6_12_months",
        "1_2_years",
        "1_2_years",
        "over_2_years",
        "over_2_years",
        "unknown",
    ]


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="side"):
        employment.employment_status(SMALL, "during")
    with pytest.raises(FinsamDataError, match="studies_extent_after"):
        employment.gains(SMALL.drop(columns="studies_extent_after"), 2021)
    with pytest.raises(KeyError, match="no_such"):
        employment.employment_before_after(SMALL, 2021, by="no_such")


row = st.tuples(
    st.sampled_from(["I1", "I2", "I3"]),
    st.dates(pd.Timestamp("2017-01-01").date(), pd.Timestamp("2020-12-31").date()),
    st.one_of(st.none(), st.integers(0, 1200)),
    st.one_of(st.none(), st.sampled_from(SUPPORT_CODES)),
    st.one_of(st.none(), st.sampled_from(SUPPORT_CODES)),
    st.one_of(st.none(), st.integers(0, 100)),
    st.one_of(st.none(), st.integers(0, 100)),
    st.one_of(st.none(), st.integers(0, 100)),
    st.one_of(st.none(), st.integers(0, 100)),
)


def generated(rows: list[tuple]) -> pd.DataFrame:
    out = []
    for insats, start, days, *rest in rows:
        start = pd.Timestamp(start)
        end = None if days is None else start + pd.Timedelta(days=days)
        out.append((insats, start, end, *rest))
    return frame(out)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row, min_size=1, max_size=30), st.sampled_from([2018, 2019, 2020, 2021]))
def test_totals_equal_the_ended(rows, year):
    df = generated(rows)
    n = len(outcomes.ended_in_year(df, year))
    emp = employment.employment_before_after(df, year)
    assert emp["count_before"].sum() == n
    assert emp["count_after"].sum() == n
    per_insats = employment.employment_before_after(df, year, by="insats_id")
    assert per_insats["count_after"].sum() == n
    dur = duration.time_in_insats(df, year)
    assert dur["count"].sum() == n
    summary = employment.insats_summary(df, year)
    assert summary["ended"].sum() == n
    g = employment.gains(df, year).set_index("gain")["count"]
    # every gain is a subset of the ended; starting or increasing work or studies adds extent
    assert (g <= n).all()
    assert g["work_or_studies_gained"] <= n
    assert max(g["work_started"], g["work_increased"]) <= n
    if n:
        work_after = emp.set_index("status").loc["work", "count_after"]
        assert g["work_started"] + g["work_increased"] <= work_after


@pytest.mark.parametrize("module", [employment, duration])
def test_docstring_examples_run(module):
    import doctest

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
