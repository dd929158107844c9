"""Target-group sizing, sensitivity, areas and coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finsamlib import FinsamDataError, datasets
from finsamlib import target_group as tg

#: seed 002 (002_c59416c08b1b6909.txt), Bilaga 4 "Sammanfattning och reflektioner".
SIZING = "published/seed002_target_group_sizing"


@pytest.fixture(scope="module")
def sizing() -> pd.DataFrame:
    return datasets.load(SIZING)


def printed(sizing: pd.DataFrame, measure: str, group: str) -> float:
    hit = sizing[(sizing["measure"] == measure) & (sizing["group_key"] == group)]
    assert len(hit) == 1
    return float(hit["value"].iloc[0])


# --------------------------------------------------------------------------- seed 002


def test_reproduces_seed002_national_table(sizing: pd.DataFrame) -> None:
    sources = tg.sources_from_published(sizing)
    wap = printed(sizing, "working_age_population", "total")
    assert wap == tg.SEED002_WORKING_AGE_POPULATION == 7_300_000
    out = tg.size(sources, working_age_population=wap, round_to=tg.SEED002_ROUNDING)
    groups = out[out["group"] != tg.TOTAL].set_index("group")
    # Each row equals the table's printed count (NEET 80 000 … part-time 43 500).
    for group in groups.index:
        assert groups.loc[group, "contribution"] == printed(sizing, "target_group_count", group)
    total = out[out["group"] == tg.TOTAL].iloc[0]
    assert total["contribution"] == printed(sizing, "target_group_count", "total") == 483_300
    share = printed(sizing, "share_of_working_age", "total")
    assert round(100 * total["share_of_working_age"], 1) == share == 6.6


def test_exact_model_and_the_seeds_rounding(sizing: pd.DataFrame) -> None:
    out = tg.size(tg.sources_from_published(sizing), working_age_population=7_300_000)
    exact = out.set_index("group")["contribution"]
    # 80 000 + 0,8 × 260 000 + 0,25 × 372 200 + 0,5 × 37 600 + 0,2 × 194 200 + 0,5 × 87 000
    assert exact[tg.TOTAL] == pytest.approx(482_190)
    # The printed 483 300 differs exactly by the seed's "ca 93 000" and "närmare ca 40 000".
    assert 483_300 - exact[tg.TOTAL] == pytest.approx((93_000 - 93_050) + (40_000 - 38_840))
    # The main report rounds it to "cirka 480 000".
    assert round(exact[tg.TOTAL], -4) == printed(sizing, "target_group_count_rounded", "total")


def test_discrepancies_of_the_printed_table(sizing: pd.DataFrame) -> None:
    d = tg.discrepancies(sizing).set_index("group")
    assert set(d.index[~d["consistent"]]) == {"sick_listed", "economic_assistance"}
    # the sick-listed row's label says 10 %, but 40 000 of 194 200 is 20,6 %; its text says 20 %
    assert d.loc["sick_listed", "label_share"] == 10
    assert round(d.loc["sick_listed", "implied_share"], 1) == 20.6
    assert d.loc["sick_listed", "text_share"] == 20
    assert d.loc["economic_assistance", "implied_share"] == pytest.approx(80)


def test_default_shares_follow_the_seed_text(sizing: pd.DataFrame) -> None:
    shares = tg.DEFAULT_SHARES.set_index("group")
    for group in ("economic_assistance", "unemployed", "activity_compensation", "sick_listed"):
        assert 100 * shares.loc[group, "share"] == printed(sizing, "assumed_share_text", group)
    # seed 002 suggests 10–30 % for the sick-listed
    assert 100 * shares.loc["sick_listed", "low"] == printed(
        sizing, "assumed_share_range_low", "sick_listed"
    )
    assert 100 * shares.loc["sick_listed", "high"] == printed(
        sizing, "assumed_share_range_high", "sick_listed"
    )
    assert (shares["source"] != "").all() and (shares["bounds"] != "").all()


# --------------------------------------------------------------------------- hand-computed


def kommun_sources() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": ["0428", "0428", "0461", "0461", "0680"],
            "year": [2020] * 5,
            "group": ["neet", "sick_listed", "neet", "sick_listed", "neet"],
            "count": [10.0, 100.0, 20.0, 50.0, 40.0],
        }
    )


def test_size_per_kommun_by_hand() -> None:
    shares = pd.DataFrame(
        {"group": ["neet", "sick_listed"], "share": [0.5, 0.2], "low": [0.4, 0.1], "high": [1, 0.3]}
    )
    wap = pd.DataFrame({"area": ["0428", "0461", "0680"], "year": 2020, "count": [500, 1000, 0]})
    out = tg.size(kommun_sources(), shares, wap)
    t = tg.totals(out).set_index("area")
    assert t.loc["0428", "target_group"] == 10 * 0.5 + 100 * 0.2 == 25
    assert t.loc["0428", "share_of_working_age"] == pytest.approx(25 / 500)
    assert t.loc["0461", "target_group"] == 20
    assert np.isinf(t.loc["0680", "share_of_working_age"]) or np.isnan(
        t.loc["0680", "share_of_working_age"]
    )
    assert ("0680", 2020, "sick_listed") in out.attrs["missing"]
    # the last row of each area is its total
    assert out.groupby("area")["group"].last().eq(tg.TOTAL).all()


def test_to_level_sums_kommuner_through_the_registry() -> None:
    registry = datasets.load("registry")
    assoc = tg.to_level(kommun_sources(), registry, "association")
    rar = assoc[(assoc["area"] == "RAR Sörmland") & (assoc["group"] == "neet")]
    assert float(rar["count"].iloc[0]) == 30
    county = tg.to_level(kommun_sources(), registry, "county").set_index(["area", "group"])
    assert county.loc[("Jönköpings län", "neet"), "count"] == 40
    # sizing is linear, so the association's total is the sum of its kommuner's
    by_kommun = tg.totals(tg.size(kommun_sources()))
    by_assoc = tg.totals(tg.size(assoc)).set_index("area")
    rar_kommuner = by_kommun[by_kommun["area"].isin(["0428", "0461"])]["target_group"].sum()
    assert by_assoc.loc["RAR Sörmland", "target_group"] == pytest.approx(rar_kommuner)
    unknown = kommun_sources().assign(area="9999")
    with pytest.raises(FinsamDataError, match="9999"):
        tg.to_level(unknown, registry, "association")


def test_working_age_from_population() -> None:
    pop = pd.DataFrame(
        {
            "kommun_code": ["0428", "0428", "0461"],
            "year": [2020, 2020, 2020],
            "age_band": ["16-64", "65-", "16-64"],
            "count": [5048, 1800, 6439],
        }
    )
    w = tg.working_age(pop)
    assert w.set_index("area")["count"].to_dict() == {"0428": 5048, "0461": 6439}
    with pytest.raises(ValueError, match="15-74"):
        tg.working_age(pop, age_band="15-74")


def participants() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "association": ["A", "A", "A", "A", "B"],
            "kommun_code": ["0428", "0428", "0461", None, "0680"],
            "person_id": ["p1", "p1", "p2", "p3", "p1"],
            "start_date": pd.to_datetime(
                ["2018-03-01", "2019-05-01", "2019-12-31", "2017-01-01", "2019-01-01"]
            ),
            "end_date": pd.to_datetime(["2019-01-01", None, "2020-02-01", "2018-12-31", None]),
        }
    )


def test_reached_counts_unique_persons_active_in_the_year() -> None:
    r = tg.reached(participants(), 2019).set_index("area")["reached"]
    # A: p1 (twice) and p2 (starts 31 Dec); p3 ended 2018. B: p1.
    assert r.to_dict() == {"A": 2, "B": 1}
    k = tg.reached(participants(), 2019, level="kommun").set_index("area")["reached"]
    assert k.to_dict() == {"0428": 1, "0461": 1, "0680": 1}
    registry = pd.DataFrame(
        {"association": ["A", "B"], "county": ["X", "X"], "kommun_code": ["0428", "0680"],
         "kommun": ["a", "b"]}
    )  # fmt: skip
    c = tg.reached(participants(), 2019, level="county", registry=registry)
    assert c["reached"].tolist() == [2]  # p1 counts once in the county
    assert tg.reached(participants(), 2018)["reached"].tolist() == [2]  # p1 and p3


def test_coverage_and_the_isf_reference() -> None:
    # seed 001 Bilaga 2 (ISF): 28 500 participants 2017, 'drygt 10 procent' of those the
    # preparatory works judged to need insatser; seed 002: about 300 000 such persons.
    facts = datasets.load("published/seed001_text_figures").set_index("indicator_key")["value"]
    national = datasets.load("published/seed002_national_facts").set_index("measure")["value"]
    reached = pd.DataFrame(
        {"area": ["Riket"], "year": [2017], "reached": [facts["participants_2017"]]}
    )
    target = pd.DataFrame(
        {"area": ["Riket"], "year": [2016],
         "target_group": [national["preparatory_works_target_group_count"]]}
    )  # fmt: skip
    cov = tg.coverage(reached, target).iloc[0]
    assert cov["coverage"] == pytest.approx(28_500 / 300_000)  # 9,5 %, printed "drygt 10"
    assert cov["reference"] == facts["coverage_2017"] / 100 == tg.REFERENCE_COVERAGE
    assert facts["participants_2017"] == tg.REFERENCE_PARTICIPANTS_2017


def test_coverage_uses_the_latest_target_not_after_the_year() -> None:
    target = pd.DataFrame(
        {"area": ["A", "A", "A"], "year": [2018, 2019, 2021], "target_group": [100.0, 200.0, 400.0]}
    )
    reached = pd.DataFrame({"area": ["A", "A"], "year": [2020, 2017], "reached": [50, 10]})
    cov = tg.coverage(reached, target)
    assert cov["coverage"].tolist() == [0.25, 0.1]  # 2020 → 2019's target; 2017 → earliest


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(KeyError, match="unknown_group"):
        tg.size(kommun_sources().assign(group="unknown_group"))
    bad = tg.DEFAULT_SHARES.assign(share=lambda d: d["share"] * 100)
    with pytest.raises(ValueError, match="0–1"):
        tg.size(kommun_sources(), bad)
    swapped = tg.DEFAULT_SHARES.assign(low=1.0)
    with pytest.raises(ValueError, match="low"):
        tg.size(kommun_sources(), swapped)
    with pytest.raises(ValueError, match="level"):
        tg.reached(participants(), 2019, level="nation")


# --------------------------------------------------------------------------- sensitivity


def test_sensitivity_by_hand(sizing: pd.DataFrame) -> None:
    sens = tg.sensitivity(tg.sources_from_published(sizing), working_age_population=7_300_000)
    s = sens.set_index("group")
    # sick-listed at 10 % and 30 % of 194 200, the others central
    assert s.loc["sick_listed", "total_low"] == pytest.approx(482_190 - 19_420)
    assert s.loc["sick_listed", "total_high"] == pytest.approx(482_190 + 19_420)
    everything = s.loc[tg.ALL]
    # all low: 0,5 × 80 000 + 94 200 + 0,15 × 372 200 + 0,3 × (37 600 + 87 000) + 0,1 × 194 200
    assert everything["total_low"] == pytest.approx(
        40_000 + 94_200 + 55_830 + 0.3 * (37_600 + 87_000) + 19_420
    )
    assert everything["total_high"] == pytest.approx(
        80_000 + 260_000 + 0.35 * 372_200 + 0.7 * (37_600 + 87_000) + 0.3 * 194_200
    )
    assert everything["share_of_working_age_high"] == pytest.approx(
        everything["total_high"] / 7.3e6
    )


shares_strategy = st.lists(
    st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)).map(sorted),
    min_size=1,
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(shares_strategy, st.lists(st.floats(0, 1e6, allow_nan=False), min_size=6, max_size=6))
def test_sensitivity_bounds_bracket_the_central_estimate(
    bounds: list[list[float]], counts: list[float]
) -> None:
    groups = [f"g{i}" for i in range(len(bounds))]
    shares = pd.DataFrame(
        {
            "group": groups,
            "low": [b[0] for b in bounds],
            "share": [b[1] for b in bounds],
            "high": [b[2] for b in bounds],
        }
    )
    sources = pd.DataFrame(
        {"area": "X", "year": 2020, "group": groups, "count": counts[: len(groups)]}
    )
    sens = tg.sensitivity(sources, shares)
    tol = 1e-6 * (1 + sens["total"].abs())
    assert (sens["total_low"] <= sens["total"] + tol).all()
    assert (sens["total"] <= sens["total_high"] + tol).all()
    everything = sens[sens["group"] == tg.ALL].iloc[0]
    one_at_a_time = sens[sens["group"] != tg.ALL]
    assert everything["total_low"] <= one_at_a_time["total_low"].min() + 1e-6 * (
        1 + everything["total"]
    )
    assert everything["total_high"] >= one_at_a_time["total_high"].max() - 1e-6 * (
        1 + everything["total"]
    )


@pytest.mark.skipif(
    "derived/target_group_sources" not in datasets.names(),
    reason="the derived target-group sources are generated by finsamlib.synth.derived",
)
def test_embedded_kommun_sources_size_per_association() -> None:
    sources = datasets.load("derived/target_group_sources")
    population = datasets.load("derived/population")
    registry = datasets.load("registry")
    wap = tg.working_age(population)
    by_kommun = tg.totals(tg.size(sources, working_age_population=wap))
    assoc = tg.size(
        tg.to_level(sources, registry, "association"),
        working_age_population=tg.to_level(wap, registry, "association"),
    )
    t = tg.totals(assoc).set_index("area")
    assert set(t.index) == {"RAR Sörmland", "Södra Vätterbygden", "Finnveden", "Höglandet"}
    assert t["target_group"].sum() == pytest.approx(by_kommun["target_group"].sum())
    # every kommun has all six groups of the default model
    assert tg.size(sources).attrs["missing"] == []
