"""The fair comparison between associations (issue 14): observed/expected ratios from a logistic
model (indirect standardisation), their exact intervals and the funnel plot's control limits.

Checked on a hand-computed tiny case, on simulated participants with a known effect and a
participant mix that makes the crude comparison mislead, and by the property that the expected
counts of all groups add up to the observed ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finsamlib import outcomes, privacy


def _rows(association, level, to_work, year=2021) -> pd.DataFrame:
    """Ended registrations with one custom covariate ``level`` and the outcome as work after."""
    return pd.DataFrame(
        {
            "association": association,
            "level": level,
            "end_date": pd.Timestamp(year, 6, 1),
            "work_extent_after": np.where(np.asarray(to_work, dtype=bool), 50.0, 0.0),
            "studies_extent_after": 0.0,
        }
    )


def test_tiny_case_by_hand():
    # level X: 10 rows, 6 to work (0.6); level Y: 10 rows, 2 to work (0.2). One covariate with
    # two levels makes the model saturated: every fitted probability is its level's share.
    # A: 8 X (5 to work) + 2 Y (0); B: 2 X (1) + 8 Y (2).
    df = _rows(
        ["A"] * 10 + ["B"] * 10,
        ["X"] * 8 + ["Y"] * 2 + ["X"] * 2 + ["Y"] * 8,
        [1] * 5 + [0] * 3 + [0, 0] + [1, 0] + [1, 1] + [0] * 6,
    )
    t = outcomes.adjusted_comparison(df, 2021, covariates=["level"])
    # E_A = 8 * 0.6 + 2 * 0.2 = 5.2, E_B = 2 * 0.6 + 8 * 0.2 = 2.8
    assert t.loc["A", "expected"] == pytest.approx(5.2, abs=1e-6)
    assert t.loc["B", "expected"] == pytest.approx(2.8, abs=1e-6)
    assert t.loc["A", "observed"] == 5 and t.loc["B", "observed"] == 3
    assert t.loc["A", "ratio"] == pytest.approx(5 / 5.2, rel=1e-6)
    assert t.loc["B", "ratio"] == pytest.approx(3 / 2.8, rel=1e-6)
    # crude: A 50 % against B 30 %; adjusted to the overall 40 %: A 38.5 %, B 42.9 %
    assert t.loc["A", "share_observed"] == pytest.approx(50.0)
    assert t.loc["B", "share_observed"] == pytest.approx(30.0)
    assert t.attrs["overall_share"] == pytest.approx(40.0)
    assert t.loc["A", "share_adjusted"] == pytest.approx(40 * 5 / 5.2, rel=1e-6)
    assert t.loc["B", "share_adjusted"] == pytest.approx(40 * 3 / 2.8, rel=1e-6)
    # exact Poisson interval of 5 (Garwood; tabulated e.g. in Breslow & Day vol. II, table
    # 2.11: 1.62 and 11.67), divided by E = 5.2
    assert t.loc["A", "ratio_low"] == pytest.approx(1.6235 / 5.2, abs=1e-4)
    assert t.loc["A", "ratio_high"] == pytest.approx(11.6683 / 5.2, abs=1e-4)
    assert t.attrs["covariates"] == ["level"] and t.attrs["converged"]


def test_poisson_interval_known_values():
    # Garwood's exact limits (95 %): 0 -> (0, 3.689), 1 -> (0.0253, 5.572), 10 -> (4.795, 18.39)
    assert outcomes.poisson_interval(0) == (0.0, pytest.approx(3.6889, abs=1e-4))
    assert outcomes.poisson_interval(1) == (
        pytest.approx(0.0253, abs=1e-4),
        pytest.approx(5.5716, abs=1e-4),
    )
    assert outcomes.poisson_interval(10) == (
        pytest.approx(4.7954, abs=1e-4),
        pytest.approx(18.3904, abs=1e-4),
    )
    with pytest.raises(ValueError, match="confidence"):
        outcomes.poisson_interval(3, confidence=95)


def _simulated(seed: int = 2026, n: int = 900) -> pd.DataFrame:
    """Three associations with different participant mixes; B has a true odds ratio of 2.

    Log odds of work and/or studies after: -1.0, -1.5 with more than 3 years of public support
    before, +0.5 under 30 at start, + log 2 in B. A has mostly short support and young
    participants, B mostly long support and older ones, C half of each.
    """
    rng = np.random.default_rng(seed)
    mixes = {"A": (0.9, 0.7, 0.0), "B": (0.2, 0.3, np.log(2.0)), "C": (0.5, 0.5, 0.0)}
    frames = []
    for name, (short, young, effect) in mixes.items():
        is_short = rng.random(n) < short
        is_young = rng.random(n) < young
        logit = -1.0 - 1.5 * ~is_short + 0.5 * is_young + effect
        outcome = rng.random(n) < 1 / (1 + np.exp(-logit))
        frames.append(
            pd.DataFrame(
                {
                    "association": name,
                    "person_id": [f"{name}{i}" for i in range(n)],
                    "sex": "K",
                    "birth_year": np.where(is_young, 1995, 1975),  # 25 or 45 at start
                    "start_date": pd.Timestamp(2020, 3, 1),
                    "end_date": pd.Timestamp(2021, 3, 1),
                    "education": "upper_secondary",
                    "years_public_support_before": np.where(is_short, 0.5, 6.0),
                    "support_before": "social_assistance",
                    "work_extent_after": np.where(outcome, 100.0, 0.0),
                    "studies_extent_after": 0.0,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_known_effect_is_recovered_where_the_crude_comparison_misleads():
    df = _simulated()
    t = outcomes.adjusted_comparison(df, 2021)
    # crude: A looks best and B worst, though B truly has twice the odds of the others
    crude = t["share_observed"]
    assert crude["A"] > crude["C"] > crude["B"]
    assert crude["A"] - crude["B"] > 8
    # adjusted: the null associations near 1 with 1 inside their intervals, B clearly above 1
    for name in ("A", "C"):
        assert 0.8 < t.loc[name, "ratio"] < 1.1
        assert t.loc[name, "ratio_low"] < 1 < t.loc[name, "ratio_high"]
    # the reference (the fitted model) includes B itself, so B's ratio is below the true 1.7
    # or so of its mix and the null associations' slightly below 1
    assert t.loc["B", "ratio"] > 1.15
    assert t.loc["B", "ratio_low"] > 1
    assert t.loc["B", "ratio"] / t.loc["A", "ratio"] > 1.2  # crude: A 1.75 times B
    assert t["share_adjusted"].idxmax() == "B"
    # only the covariates that vary are in the model (education, support before are constant)
    assert t.attrs["covariates"] == ["age_band", "support_years"]
    assert t.attrs["left_out"] == ["education", "support_before"]
    assert t.attrs["rows"] == len(df)


def test_the_crude_model_gives_ratio_one_for_all():
    # with no covariate at all, everyone's expected probability is the overall share, so the
    # adjusted share equals the crude one
    df = _simulated(n=200)
    t = outcomes.adjusted_comparison(df, 2021, covariates=[])
    assert np.allclose(t["share_adjusted"], t["share_observed"])
    assert np.allclose(t["share_expected"], t.attrs["overall_share"])


def test_year_selects_the_ended_and_bad_input_is_named():
    df = _simulated(n=60)
    later = df.assign(end_date=pd.Timestamp(2022, 1, 5)).iloc[:30]
    both = pd.concat([df, later], ignore_index=True)
    assert outcomes.adjusted_comparison(both, 2021).attrs["rows"] == len(df)
    with pytest.raises(ValueError, match=r"no ended registrations .* 2019"):
        outcomes.adjusted_comparison(df, 2019)
    with pytest.raises(KeyError, match="unknown covariate 'shoe_size'"):
        outcomes.adjusted_comparison(df, 2021, covariates=["shoe_size"])
    with pytest.raises(Exception, match="work_extent_after"):
        outcomes.adjusted_comparison(df.drop(columns="work_extent_after"), 2021)


def test_rare_levels_are_pooled():
    # 3 registrations with studies before would get their own coefficient; they are pooled
    df = _simulated(n=100)
    df.loc[:2, "support_before"] = "student_aid"
    df.loc[3:20, "support_before"] = "sickness_benefit"
    t = outcomes.adjusted_comparison(df, 2021, min_level_rows=10)
    assert t.attrs["pooled"] == {"support_before": ["studies"]}
    assert "support_before=other" in t.attrs["coefficients"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C", "D"]),
            st.sampled_from(["x", "y", "z"]),
            st.sampled_from(["u", "v"]),
            st.booleans(),
        ),
        min_size=12,
        max_size=80,
    )
)
def test_expected_adds_up_to_observed(rows):
    """With an intercept and maximum likelihood, Σ fitted = Σ observed (the intercept's score
    equation), so the expected counts of all associations add up to the observed ones."""
    assoc, a, b, y = map(list, zip(*rows, strict=True))
    df = _rows(assoc, a, y).assign(other=b)
    t = outcomes.adjusted_comparison(df, 2021, covariates=["level", "other"], min_level_rows=1)
    assert t["expected"].sum() == pytest.approx(t["observed"].sum(), abs=1e-6 * len(rows) + 1e-6)
    assert t["ended"].sum() == len(rows)


def test_funnel_limits_by_hand_and_normal_for_large_n():
    # n = 10, p = 0.5, q = 0.975: r = 8 (F(8) = 0.98926, F(7) = 0.94531),
    # a = (0.98926 - 0.975) / (0.98926 - 0.94531) = 0.3245, limit = (8.5 - 0.3245) / 10 = 0.8176;
    # q = 0.025: r = 2 (F(2) = 0.05469, F(1) = 0.01074), a = 0.6755, limit = 0.1824
    lim = outcomes.funnel_limits(0.5, [10, 10_000])
    assert lim.loc[10, "high_0.95"] == pytest.approx(0.8176, abs=1e-4)
    assert lim.loc[10, "low_0.95"] == pytest.approx(0.1824, abs=1e-4)
    # 8 of 10 (P(>= 8) = 0.055) is inside the 95 % limits, 9 of 10 (P(>= 9) = 0.011) outside
    assert 0.8 < lim.loc[10, "high_0.95"] < 0.9
    # large n: the normal approximation p ± z sqrt(p(1 - p)/n)
    se = np.sqrt(0.25 / 10_000)
    assert lim.loc[10_000, "high_0.95"] == pytest.approx(0.5 + 1.95996 * se, abs=2e-4)
    assert lim.loc[10_000, "high_0.998"] == pytest.approx(0.5 + 3.0902 * se, abs=2e-4)
    # wider at the higher level, narrower with more registrations
    assert (lim["high_0.998"] >= lim["high_0.95"]).all()
    assert lim["high_0.95"].is_monotonic_decreasing
    with pytest.raises(ValueError, match="sizes"):
        outcomes.funnel_limits(0.5, [0, 5])


# --------------------------------------------------------------------------- the report section


@pytest.fixture(scope="module")
def county_2021():
    from finsamlib.reports import sections

    return sections.load(county="Jönköpings län", year=2021)


def test_section_table_on_the_embedded_data(county_2021):
    from finsamlib.reports import comparison_sections as cs

    data = county_2021
    t, model = cs.comparison_table(data)
    # the county's three associations first, then the other county's one
    assert list(t.index) == ["Södra Vätterbygden", "Finnveden", "Höglandet", "RAR Sörmland"]
    # the counts are the flows' (and the outcome table's) published ones
    flows = outcomes.participant_flows(data.participants, 2021)
    for a in t.index:
        assert t.at[a, cs.ENDED] == flows.at[a, "ended"]
        assert t.at[a, cs.OBSERVED] == flows.at[a, "ended_to_work_or_studies"]
    # the model is fitted on every compared association's ended registrations
    direct = outcomes.adjusted_comparison(data.participants, 2021)
    assert list(model.index) == sorted(t.index)
    assert np.allclose(t.loc[direct.index, cs.RATIO], direct["ratio"])
    assert np.allclose(t.loc[direct.index, cs.ADJUSTED], direct["share_adjusted"] / 100)
    # the overall share is the published counts' sum (no hidden figure in it)
    assert model.attrs["overall_share"] == pytest.approx(
        100 * t[cs.OBSERVED].sum() / t[cs.ENDED].sum()
    )
    assert t.at["Finnveden", cs.INTERVAL] == "0,88–1,67"  # 0.881 to 1.666, as in the README
    html = str(cs.comparison_section(data))
    assert "Kvot observerat/förväntat" in html and "<svg" in html
    assert "inte orsakssamband" in html and "syntetiska data" in html


def test_a_hidden_count_keeps_its_association_out(county_2021):
    """The pattern hides Finnveden's number to work or studies: all its figures are hidden,
    it is not compared, and the model and the overall share use the other three only."""
    import dataclasses

    from finsamlib import disclosure
    from finsamlib.reports import cells
    from finsamlib.reports import comparison_sections as cs

    data = county_2021
    key = cells.outcome_key("Finnveden", "Totalt", 2021, "work_or_studies_count")
    pattern = disclosure.Pattern(
        threshold=4, hidden={key: "primary"}, keys=data.pattern.keys, fingerprint="test"
    )
    t, model = cs.comparison_table(dataclasses.replace(data, pattern=pattern))
    assert "Finnveden" not in model.index and len(model.index) == 3
    assert t.loc["Finnveden", cs.ENDED] == 73  # its ended count is still shown
    assert t.loc["Finnveden", cs.COLUMNS[1:]].isna().all()
    shown = privacy.display_values(t)
    assert shown.at["Finnveden", cs.OBSERVED] == "<5"
    assert shown.at["Finnveden", cs.RATIO] == ".."
    assert shown.at["Finnveden", cs.INTERVAL] == ".."
    # the others are compared among themselves: the model of their rows alone
    three = data.participants[data.participants["association"] != "Finnveden"]
    direct = outcomes.adjusted_comparison(three, 2021)
    assert np.allclose(t.loc[direct.index, cs.RATIO], direct["ratio"])
    low, high = direct.loc["Höglandet", ["ratio_low", "ratio_high"]]
    assert shown.at["Höglandet", cs.INTERVAL] == f"{low:.2f}–{high:.2f}".replace(".", ",")
    rest = t.drop(index="Finnveden")
    assert model.attrs["overall_share"] == pytest.approx(
        100 * rest[cs.OBSERVED].sum() / rest[cs.ENDED].sum()
    )
    assert model["expected"].sum() == pytest.approx(rest[cs.OBSERVED].sum(), abs=1e-6)


def test_too_few_to_compare_is_said_in_swedish(county_2021, monkeypatch):
    from finsamlib.reports import comparison_sections as cs

    # 2021: 73, 76, 79 and 156 ended; with a minimum of 77 only two qualify
    monkeypatch.setattr(cs, "MIN_ENDED_FOR_RATIO", 77)
    t, model = cs.comparison_table(county_2021)
    assert model is None and t[cs.RATIO].isna().all()
    html = str(cs.comparison_section(county_2021))
    assert "För få förbund att jämföra 2021" in html
    assert "underlaget har 2 (RAR Sörmland, Södra Vätterbygden)" in html
    assert "<svg" not in html
    # with a minimum of 75 three qualify; Finnveden (73) is listed as not compared
    monkeypatch.setattr(cs, "MIN_ENDED_FOR_RATIO", 75)
    t, model = cs.comparison_table(county_2021)
    assert sorted(model.index) == ["Höglandet", "RAR Sörmland", "Södra Vätterbygden"]
    assert np.isnan(t.loc["Finnveden", cs.RATIO]) and t.loc["Finnveden", cs.ENDED] == 73
    html = str(cs.comparison_section(county_2021))
    assert "Jämförs inte (färre än 75 avslutade eller dolda antal): Finnveden." in html


def test_without_a_pattern_the_table_is_suppressed_on_its_own(county_2021):
    import dataclasses

    from finsamlib.reports import comparison_sections as cs

    # a threshold of 40 makes Södra Vätterbygden's 38 to work or studies a small count
    data = dataclasses.replace(county_2021, pattern=None, threshold=40)
    t, model = cs.comparison_table(data)
    shown = privacy.display_values(t)
    assert shown.at["Södra Vätterbygden", cs.OBSERVED] == "<41"
    assert shown.at["Södra Vätterbygden", cs.RATIO] == ".."
    assert sorted(model.index) == ["Finnveden", "Höglandet", "RAR Sörmland"]
