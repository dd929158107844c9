"""Utveckling över tid (finsamlib.trends): hand-computed cases and properties."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finsamlib import datasets, economics, outcomes, trends
from finsamlib.categories import SUPPORT_CODES

REGISTRY = pd.DataFrame(
    {
        "association": ["A", "B", "C"],
        "county": ["Län 1", "Län 1", "Län 2"],
    }
)


def frame(rows: list[tuple]) -> pd.DataFrame:
    """(association, end date, support before, after, work after, studies after)."""
    df = pd.DataFrame(
        rows,
        columns=[
            "association",
            "end_date",
            "support_before",
            "support_after",
            "work_extent_after",
            "studies_extent_after",
        ],
    )
    df["end_date"] = pd.to_datetime(df["end_date"])
    df["start_date"] = pd.Timestamp("2018-01-01")
    df["work_extent_before"] = 0
    return df


SMALL = frame(
    [
        ("A", "2019-03-01", "social_assistance", "employment", 100, 0),
        ("A", "2019-05-01", "sickness_benefit", "sickness_benefit", 0, 0),
        ("A", "2020-05-01", "activity_support", "student_aid", 0, 100),
        ("A", "2020-06-01", "no_public_support", "social_assistance", 0, 0),
        ("A", "2020-07-01", "social_assistance", None, 25, 0),  # no support after registered
        ("B", "2020-02-01", "activity_compensation", "no_public_support", 0, 0),
        ("B", None, "social_assistance", None, None, None),  # ongoing
    ]
)


def test_hand_computed_years_and_county():
    t = trends.yearly_trend(SMALL, registry=REGISTRY)
    assert list(dict.fromkeys(t.index.get_level_values("area"))) == ["A", "B", "Län 1"]
    assert sorted(set(t.index.get_level_values("year"))) == [2019, 2020]
    a19 = t.loc[("A", 2019)]
    assert (a19["ended"], a19["work_or_studies"], a19["share_work_or_studies"]) == (2, 1, 0.5)
    # both public before (försörjningsstöd, sjukpenning); after only sjukpenning
    assert (a19["supply_n"], a19["public_before"], a19["public_after"]) == (2, 2, 1)
    assert a19["public_change_pp"] == pytest.approx(-50.0)
    a20 = t.loc[("A", 2020)]
    # three ended, two with work or studies (studies 100, work 25); two with both supports
    assert (a20["ended"], a20["work_or_studies"], a20["supply_n"]) == (3, 2, 2)
    # before: aktivitetsstöd public, no public support not; after: CSN not, FBS public
    assert (a20["public_before"], a20["public_after"], a20["public_change_pp"]) == (1, 1, 0.0)
    county = t.loc[("Län 1", 2020)]
    assert (county["ended"], county["supply_n"], county["public_before"]) == (4, 3, 2)
    assert county["public_after"] == 1
    assert t.loc[("B", 2019), "ended"] == 0
    assert pd.isna(t.loc[("B", 2019), "share_work_or_studies"])
    assert pd.isna(t.loc[("A", 2019), "revenue_society"])  # no standard costs given


def test_a_county_with_an_association_missing_is_left_out():
    t = trends.yearly_trend(SMALL[SMALL["association"] == "A"], registry=REGISTRY)
    assert set(t.index.get_level_values("area")) == {"A"}


def test_public_families_are_kommun_fk_af():
    assert set(trends.PUBLIC_CODES) == {
        "social_assistance",
        "sickness_benefit",
        "rehabilitation_benefit",
        "activity_compensation",
        "sickness_compensation",
        "activity_support",
        "establishment_allowance",
        "unemployment_insurance",
    }


def test_money_is_the_economics_sections():
    """Revenue and result for society are economics.annual_revenue / insats_cost of the year's
    ended registrations, for the association and for the county."""
    participants = datasets.load("synthetic/participants_finnveden")
    costs = datasets.load("assumptions/standard_costs")
    t = trends.yearly_trend(participants, [2020, 2021], standard_costs=costs)
    for year in (2020, 2021):
        ended = outcomes.ended_in_year(participants, year)
        revenue = economics.annual_revenue(ended, costs).loc["society", "revenue"]
        cost = economics.insats_cost(len(ended))["society"]
        assert t.loc[("Finnveden", year), "revenue_society"] == pytest.approx(revenue)
        assert t.loc[("Finnveden", year), "result_society"] == pytest.approx(revenue - cost)
        assert t.loc[("Finnveden", year), "ended"] == len(ended)


def test_rar_sormland_2021_matches_the_flows():
    """The ended and to-work-or-studies figures are participant_flows' (seed 004's 156 / 60
    for RAR Sörmland 2021 are reproduced by the embedded synthetic data)."""
    participants = datasets.load("synthetic/participants_rar_sormland")
    t = trends.yearly_trend(participants, [2021])
    flows = outcomes.participant_flows(participants, 2021)
    assert t.loc[("RAR Sörmland", 2021), "ended"] == flows.loc["RAR Sörmland", "ended"]
    assert (
        t.loc[("RAR Sörmland", 2021), "work_or_studies"]
        == flows.loc["RAR Sörmland", "ended_to_work_or_studies"]
    )


row = st.tuples(
    st.sampled_from(["A", "B", "C"]),
    st.one_of(
        st.none(), st.dates(pd.Timestamp("2018-01-01").date(), pd.Timestamp("2021-12-31").date())
    ),
    st.one_of(st.none(), st.sampled_from(SUPPORT_CODES)),
    st.one_of(st.none(), st.sampled_from(SUPPORT_CODES)),
    st.one_of(st.none(), st.integers(0, 100)),
    st.one_of(st.none(), st.integers(0, 100)),
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row, min_size=1, max_size=30))
def test_counties_add_up_and_counts_nest(rows):
    df = frame(rows)
    t = trends.yearly_trend(df, registry=REGISTRY)
    areas = t.attrs["areas"]
    for year in set(t.index.get_level_values("year")):
        for area, members in areas.items():
            row = t.loc[(area, year)]
            assert row["public_before"] <= row["supply_n"] <= row["ended"]
            assert row["public_after"] <= row["supply_n"]
            assert row["work_or_studies"] <= row["ended"]
            if len(members) > 1:
                for col in ("ended", "work_or_studies", "supply_n", "public_before"):
                    assert row[col] == sum(t.loc[(m, year), col] for m in members)
        assert sum(t.loc[(a, year), "ended"] for a in ("A", "B", "C") if a in areas) == len(
            outcomes.ended_in_year(df, year)
        )


def test_docstring_examples_run():
    import doctest

    result = doctest.testmod(trends, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
