"""finsamlib.funding against the published figures of seeds 000, 001 and 004, hand-computed
cases and properties. Published figures are loaded from data/raw/published, never copied."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finsamlib import datasets
from finsamlib import funding as fund
from finsamlib.errors import FinsamDataError

from .published.conftest import cell as value


def published(stem: str) -> pd.DataFrame:
    return datasets.load(f"published/{stem}")


# --------------------------------------------------------------------------- member contributions


@pytest.fixture(scope="module")
def contributions_2021() -> tuple[pd.DataFrame, pd.DataFrame]:
    # seed 004 "Fördelning av medlemsinsatser per inv 16–64 år (per 1 nov 2020 SCB)"
    df = published("seed004_member_contributions_2021")
    wide = df.pivot_table(index="kommun", columns="measure", values="value", aggfunc="first")
    kommuner = wide.drop(index="Summa kommuner")
    total = value(df, kommun="Summa kommuner", measure="kr_per_year")
    out = fund.member_contributions(kommuner["population_16_64"], total)
    return out, wide


def test_contributions_sum_exactly_to_the_total(contributions_2021) -> None:
    out, wide = contributions_2021
    assert out["kr_per_year"].sum() == wide.loc["Summa kommuner", "kr_per_year"] == 4_000_000
    assert out["kr_per_quarter"].sum() == wide.loc["Summa kommuner", "kr_per_quarter"]
    # the printed amounts sum to 4 000 002 (each rounded on its own)
    assert wide.drop(index="Summa kommuner")["kr_per_year"].sum() == 4_000_002


def test_contributions_match_the_print_except_where_it_rounds_each_alone(contributions_2021):
    out, wide = contributions_2021
    printed = wide.drop(index="Summa kommuner")
    # Vingåker 5 048 of 172 458 = 2,9 % = 117 084 kr/year, 29 271 kr/quarter
    assert out.loc["Vingåker", "kr_per_year"] == printed.loc["Vingåker", "kr_per_year"]
    differs = out.index[out["kr_per_year"] != printed.loc[out.index, "kr_per_year"]]
    # Gnesta (149 346,51) and Trosa (178 872,54) are printed rounded up; the largest remainder
    # method gives the two extra kronor to kommuner with larger remainders
    assert sorted(differs) == ["Gnesta", "Trosa"]
    assert (printed.loc[differs, "kr_per_year"] - out.loc[differs, "kr_per_year"]).tolist() == [
        1,
        1,
    ]
    # every quarterly amount and every printed share (one decimal) matches
    assert (out["kr_per_quarter"] == printed.loc[out.index, "kr_per_quarter"]).all()
    assert ((out["share"] * 100).round(1) == printed.loc[out.index, "share"]).all()
    assert out["population_16_64"].sum() == wide.loc["Summa kommuner", "population_16_64"]


def test_contributions_hand_case_and_errors() -> None:
    out = fund.member_contributions({"A": 1, "B": 1, "C": 1}, 100)
    assert out["kr_per_year"].tolist() == [34, 33, 33]  # ties go to the earlier kommun
    assert out["kr_per_quarter"].tolist() == [9, 8, 8]
    with pytest.raises(ValueError):
        fund.member_contributions({"A": 1}, 10)  # 10 kr is not four whole payments
    with pytest.raises(ValueError):
        fund.member_contributions({"A": -1, "B": 2}, 100)


@settings(deadline=None, max_examples=60)
@given(
    st.lists(st.integers(0, 200_000), min_size=1, max_size=15).filter(lambda xs: sum(xs) > 0),
    st.integers(0, 10_000_000),
)
def test_apportion_always_sums_to_the_total(weights, total) -> None:
    parts = fund.apportion(pd.Series(weights, dtype=float), total)
    assert parts.sum() == total
    exact = np.array(weights) / sum(weights) * total
    assert np.all(np.abs(parts.to_numpy() - exact) < 1)  # each within a krona of its share


@settings(deadline=None, max_examples=60)
@given(
    st.lists(st.integers(0, 100_000), min_size=1, max_size=12).filter(lambda xs: sum(xs) > 0),
    st.integers(0, 2_500_000),
)
def test_member_contributions_sum_to_the_total_per_year_and_quarter(pops, quarter) -> None:
    out = fund.member_contributions({f"k{i}": p for i, p in enumerate(pops)}, 4 * quarter)
    assert out["kr_per_year"].sum() == 4 * quarter
    assert out["kr_per_quarter"].sum() == quarter
    assert out["share"].sum() == pytest.approx(1.0)


def test_population_16_64_from_the_canonical_table() -> None:
    pop = pd.DataFrame(
        {
            "kommun_code": ["0428", "0461", "0428"],
            "year": [2020, 2020, 2019],
            "age_band": ["16-64"] * 3,
            "count": [5048, 6439, 5000],
        }
    )
    s = fund.population_16_64(pop, year=2020)
    assert s.to_dict() == {"0428": 5048.0, "0461": 6439.0}
    with pytest.raises(ValueError, match="year"):
        fund.population_16_64(pop)


# --------------------------------------------------------------------------- funding split


def test_funding_split_reproduces_seed004() -> None:
    # seed 004 "Fördelning av medlemsinsatser": kommuner 25 %, Region Sörmland 25 %, staten 50 %
    # of 16 000 000 kr; also seed 001 §2.5 and seed 000 "Finansiering" (hälften, fjärdedel)
    df = published("seed004_funding_split_2021")
    total = value(df, funder="Totalt", measure="kr_per_year")
    out = fund.funding_split(total)
    names = {"state": "Staten", "region": "Region Sörmland", "kommun": "Kommuner"}
    for key, funder in names.items():
        for measure in ("kr_per_year", "kr_per_quarter"):
            assert out.loc[key, measure] == value(df, funder=funder, measure=measure)
        assert out.loc[key, "share"] * 100 == value(df, funder=funder, measure="share")
    text = published("seed001_text_figures")
    keys = {
        "state": "funding_share_state",
        "region": "funding_share_region",
        "kommun": "funding_share_kommuner",
    }
    for key, indicator in keys.items():
        assert value(text, indicator_key=indicator) == 100 * fund.FUNDING_SHARES[key]
    with pytest.raises(ValueError):
        fund.funding_split(100, {"state": 0.5, "region": 0.25})


# --------------------------------------------------------------------------- the allocation model


AREAS = pd.DataFrame(
    {
        "association": ["A", "B", "C"],
        "support_measure": [100.0, 50.0, 10.0],
        "population_16_64": [10.0, 10.0, 20.0],
    }
)


def test_allocation_parameters_are_the_published_ones() -> None:
    # seed 001 §2.5/§8.2 and seed 003 §2.1.1: 400 000 kr base, 75 % försörjningsmått, 25 % pop.
    text = published("seed001_text_figures")
    section = "2.5 Finansiering av samordningsförbundens verksamhet"
    base = value(text, table=section, indicator_key="base_grant_per_association")
    assert base == fund.BASE_ALLOCATION
    assert value(text, indicator_key="max_yearly_decrease") == 100 * fund.MAX_DECREASE
    weights = (
        value(text, indicator_key="allocation_key_support_measure") / 100,
        value(text, indicator_key="allocation_key_population_16_64") / 100,
    )
    assert weights == fund.ALLOCATION_WEIGHTS
    assert value(text, indicator_key="state_funds_total") * 1e6 == fund.NATIONAL_POT_SEED001
    key3 = published("seed003_key_figures")
    assert value(key3, indicator_key="base_allocation") == fund.BASE_ALLOCATION
    assert value(key3, indicator_key="allocation_key_support") / 100 == fund.ALLOCATION_WEIGHTS[0]


def test_state_allocation_by_hand() -> None:
    out = fund.state_allocation(AREAS, 3_000_000)
    # variable part 3 000 000 − 3 × 400 000 = 1 800 000; key A = 0,75 × 100/160 + 0,25 × 10/40
    assert out.loc["A", "key"] == pytest.approx(0.53125)
    assert out.loc["A", "allocation"] == pytest.approx(400_000 + 1_800_000 * 0.53125)
    assert out["allocation"].sum() == pytest.approx(3_000_000)
    assert out["floor"].isna().all() and not out["at_floor"].any()


def test_state_allocation_caps_the_decrease_and_redistributes() -> None:
    previous = {"A": 1_000_000, "B": 700_000, "C": 900_000}
    out = fund.state_allocation(AREAS, 3_000_000, previous=previous)
    # C would get 709 375 kr, below 90 % of 900 000: it gets 810 000, paid by A and B, who share
    # the remaining 2 190 000 by base + their keys renormalised (0,53125 and 0,296875)
    assert out.loc["C", "allocation"] == pytest.approx(810_000) and out.loc["C", "at_floor"]
    rest = 2_190_000 - 2 * 400_000
    assert out.loc["A", "allocation"] == pytest.approx(400_000 + rest * 0.53125 / 0.828125)
    assert out["allocation"].sum() == pytest.approx(3_000_000)
    with pytest.raises(ValueError, match="pot"):
        fund.state_allocation(AREAS, 3_000_000, previous={"A": 3e6, "B": 3e6, "C": 3e6})


@settings(deadline=None, max_examples=60)
@given(
    st.lists(
        st.tuples(st.floats(0, 1e9), st.floats(1, 1e6), st.floats(0, 5e6)), min_size=1, max_size=8
    ).filter(lambda r: sum(x[0] for x in r) > 0),
    st.floats(0, 5e7),
)
def test_state_allocation_keeps_the_pot_and_the_cap(rows, extra) -> None:
    areas = pd.DataFrame(
        {
            "association": [f"a{i}" for i in range(len(rows))],
            "support_measure": [r[0] for r in rows],
            "population_16_64": [r[1] for r in rows],
        }
    )
    pot = len(rows) * fund.BASE_ALLOCATION + extra
    previous = {f"a{i}": r[2] for i, r in enumerate(rows)}
    try:
        out = fund.state_allocation(areas, pot, previous=previous)
    except ValueError:
        return  # the floors do not fit in the pot: refused, as documented
    assert out["allocation"].sum() == pytest.approx(pot, rel=1e-9, abs=1e-3)
    assert (out["allocation"] >= out["floor"] - 1e-3).all()
    assert (out["allocation"] >= fund.BASE_ALLOCATION - 1e-3).all()


def test_merging_loses_bases_and_the_region_and_kommuner_match_it() -> None:
    # seed 001 §8.2: three associations merged → one base of 400 tkr instead of 3 × 400 tkr;
    # the region's and kommuner's matching contributions fall correspondingly
    out = fund.merge_effect(AREAS, 3_000_000, {"ABC": ["A", "B", "C"]})
    assert out.loc["ABC", "bases_before"] - out.loc["ABC", "bases_after"] == 2 * 400_000
    # alone in the pot the merged association still gets it all …
    assert out.loc["ABC", "state_after"] == pytest.approx(3_000_000)
    # … but among others it loses the two bases less its key's share of them back
    others = pd.concat(
        [
            AREAS,
            pd.DataFrame(
                {"association": ["D"], "support_measure": [40.0], "population_16_64": [60.0]}
            ),
        ]
    )
    out = fund.merge_effect(others, 5_000_000, {"AB": ["A", "B"]})
    before = fund.state_allocation(others, 5_000_000)
    key_after = fund.state_allocation(
        pd.DataFrame(
            {
                "association": ["AB", "C", "D"],
                "support_measure": [150.0, 10.0, 40.0],
                "population_16_64": [20.0, 20.0, 60.0],
            }
        ),
        5_000_000,
    ).loc["AB", "key"]
    expected = -400_000 + 400_000 * key_after
    assert out.loc["AB", "state_change"] == pytest.approx(expected)
    assert out.loc["AB", "state_before"] == pytest.approx(
        before.loc[["A", "B"], "allocation"].sum()
    )
    assert out["state_change"].sum() == pytest.approx(0)  # a fixed pot is only redistributed
    assert out.loc["AB", "total_after"] == pytest.approx(2 * out.loc["AB", "state_after"])
    with pytest.raises(KeyError, match="Z"):
        fund.merge_effect(AREAS, 3_000_000, {"AZ": ["A", "Z"]})


def test_merger_headroom_seed001() -> None:
    # seed 001 §3.3 and §8.2: Finnveden drew 100 % (2 570 000), Höglandet 80 % (3 205 000),
    # Södra Vätterbygden 55 % (3 036 000); drawing the maximum would more than make up for the
    # 2 × 400 tkr of bases lost in a merger ("kan bli minst lika stor som summan")
    al = published("seed001_allocation_2019")
    amount = al[al["indicator_key"] == "state_allocation_amount"].set_index("association")
    use = al[al["indicator_key"] == "state_allocation_utilisation"].set_index("association")
    out = fund.merger_headroom(amount["value"], use["value"] / 100)
    assert out["drawn"] == 2_570_000 + 3_205_000 + 3_036_000
    assert out["possible"] == pytest.approx(2_570_000 / 1.0 + 3_205_000 / 0.8 + 3_036_000 / 0.55)
    assert out["bases_lost"] == 800_000
    assert out["headroom"] > 0 and out["possible_after_merger"] >= out["drawn"]
    with pytest.raises(ValueError):
        fund.merger_headroom({"a": 1.0}, {"a": 0.0})


# --------------------------------------------------------------------------- equity


@pytest.fixture(scope="module")
def bokslut_2019() -> pd.DataFrame:
    # seed 001 §3.3 "Bokslut 2019" of the three Jönköping associations (tkr)
    return fund.accounts_from_published(published("seed001_bokslut_2019"), year=2019)


def test_equity_share_of_revenue_reproduces_seed001(bokslut_2019) -> None:
    # seed 001 §3.3: 9 %, 14 %, 33 % and 17 % (total)
    printed = published("seed001_bokslut_2019")
    out = fund.equity_indicators(bokslut_2019)
    for association in ("Höglandet", "Södra Vätterbygden", "Finnveden", "Totalt"):
        shown = value(printed, association=association, line_key="equity_share_of_revenue")
        assert round(100 * out.loc[(association, 2019), "equity_share_of_revenue"]) == shown


def test_equity_against_the_recommendation(bokslut_2019) -> None:
    # seed 001 §2.7: 20 % of revenues up to 7 Mkr turnover
    text = published("seed001_text_figures")
    first = fund.EQUITY_STEPS[0]
    assert first.share * 100 == value(text, indicator_key="equity_recommended_share_step1")
    assert first.up_to == value(text, indicator_key="equity_step1_turnover_ceiling") * 1e6
    out = fund.equity_indicators(bokslut_2019)
    # Höglandet (6 423 tkr) 20 % = 1 284,6 tkr; Finnveden's 1 690 tkr exceed its 1 028,8 tkr
    assert out.loc[("Höglandet", 2019), "recommended_equity"] == pytest.approx(0.2 * 6_423_000)
    assert out.loc[("Finnveden", 2019), "excess_equity"] == pytest.approx(1_690_000 - 1_028_800)
    assert not out.loc[("Finnveden", 2019), "within_recommendation"]
    assert out.loc[("Höglandet", 2019), "within_recommendation"]


def test_the_assumed_second_step_gives_rar_sormlands_stated_ceiling() -> None:
    # seed 000: the recommended ceiling for RAR Sörmland is 2,6 mnkr; seed 004 §1.1 revenues
    # 2021 19 230 tkr. This is the calibration of the assumed second step (see EQUITY_STEPS).
    five = published("seed004_five_year_overview")
    revenue = value(five, line_key="revenues", year=2021) * 1e3
    ceiling = value(published("seed000_finances"), measure_key="equity_ceiling_recommended")
    assert round(fund.recommended_equity(revenue) / 1e6, 1) == ceiling
    # the closing equity 2021 (2 971 tkr, seed 004 §2.2) exceeds it: "i princip uppfyllt"
    balance = published("seed004_balance_sheet_2021")
    equity = value(balance, line_key="closing_equity", year=2021) * 1e3
    assert equity > fund.recommended_equity(revenue)


def test_recommended_equity_steps() -> None:
    steps = (fund.EquityStep(10.0, 0.5, "x"), fund.EquityStep(20.0, 0.1, "y"))
    assert fund.recommended_equity(8.0, steps) == 4.0
    assert fund.recommended_equity(15.0, steps) == pytest.approx(5.0 + 0.5)
    assert fund.recommended_equity(15.0, steps, marginal=False) == pytest.approx(1.5)
    assert math.isnan(fund.recommended_equity(25.0, steps))
    with pytest.raises(ValueError):
        fund.recommended_equity(-1.0)


def test_equity_ratio_recomputed_from_the_balance_sheet() -> None:
    # seed 004 §2.2 Balansräkning: 2 971 / 12 359 = 24 % (2021) and 5 645 / 9 887 = 57 % (2020);
    # the five-year overview (§1.1) prints 28 % and 42 %: recorded, not copied
    accounts = fund.accounts_from_published(
        published("seed004_balance_sheet_2021"), association="RAR Sörmland"
    )
    out = fund.equity_ratio(accounts)
    five = published("seed004_five_year_overview")
    computed = {y: round(100 * out.loc[("RAR Sörmland", y), "equity_ratio"]) for y in (2020, 2021)}
    printed = {y: value(five, line_key="equity_ratio", year=y) for y in (2020, 2021)}
    assert computed == {2020: 57, 2021: 24}
    assert printed == {2020: 42, 2021: 28}
    with pytest.raises(FinsamDataError, match="no_such_line"):
        fund.equity_ratio(accounts, assets_line="no_such_line")


def test_administration_share_seed001() -> None:
    # seed 001 §3.2: 3,4 of 20,4 mnkr "vilket motsvarar 16 procent"; 3,4 / 20,4 = 16,7 % → 17 %,
    # and with Bokslut 2019's 20 427 tkr 16,6 %: the printed 16 % is recorded, not reproduced
    adm = published("seed001_administration_2019")
    share = fund.administration_share(
        value(adm, indicator_key="admin_costs"), value(adm, indicator_key="total_costs")
    )
    assert share == pytest.approx(3.4 / 20.4)
    assert round(100 * share) == 17 != value(adm, indicator_key="admin_cost_share")
    with pytest.raises(ValueError):
        fund.administration_share(1.0, 0.0)


# --------------------------------------------------------------------------- budget utilisation


@pytest.fixture(scope="module")
def not3() -> pd.DataFrame:
    # seed 004 Not 3: budget, utfall and förbrukningskvot per RAR-insats 2021 (tkr)
    return published("seed004_insats_budget_2021")


def test_budget_utilisation_per_insats_matches_not3(not3) -> None:
    budget = fund.insats_budget_from_published(not3, association="RAR Sörmland", year=2021)
    out = fund.budget_utilisation(budget)
    rows = out[~out["is_total"]].set_index("insats")
    printed = not3[not3["measure"] == "utilisation"].set_index("insats")["value"]
    printed = printed.drop(index="Summa RAR-insatser")
    assert len(rows) == len(printed) == 12
    assert ((100 * rows["utilisation"]).round() == printed.loc[rows.index]).all()


def test_budget_utilisation_total_is_computed_not_copied(not3) -> None:
    # seed 004 Not 3 "Summa RAR-insatser": 12 987 / 14 955 = 86,8 %; printed 89 % (recorded)
    budget = fund.insats_budget_from_published(not3, association="RAR Sörmland", year=2021)
    total = fund.budget_utilisation(budget, total_label="Summa")
    total = total[total["is_total"]].iloc[0]
    assert total["budget"] == value(not3, insats="Summa RAR-insatser", measure="budget") * 1e3
    assert total["outcome"] == value(not3, insats="Summa RAR-insatser", measure="outcome") * 1e3
    assert round(100 * total["utilisation"], 1) == 86.8
    assert value(not3, insats="Summa RAR-insatser", measure="utilisation") == 89
    # seed 004 §2.4: "nästan 2 miljoner kr lägre" than budget: 14 955 − 12 987 = 1 968 tkr
    assert total["deviation"] == 1_968_000


def test_budget_utilisation_by_hand() -> None:
    t = pd.DataFrame(
        {
            "association": "X",
            "insats": ["a", "b", "c"],
            "year": 2021,
            "budget": [100.0, 0.0, 50.0],
            "outcome": [80.0, 10.0, np.nan],
        }
    )
    out = fund.budget_utilisation(t)
    assert out.loc[0, "utilisation"] == 0.8
    assert math.isnan(out.loc[1, "utilisation"]) and math.isnan(out.loc[2, "utilisation"])
    total = out[out["is_total"]].iloc[0]
    assert total["budget"] == 150 and total["outcome"] == 90 and total["insats"] == "Totalt"
    with pytest.raises(FinsamDataError):
        fund.budget_utilisation(t.drop(columns="outcome"))
