"""Small-cell suppression: hand-computed cases and hypothesis properties."""

from __future__ import annotations

import math

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from finsamlib import privacy
from finsamlib.privacy import display_values, flags, suppress


def distribution(counts: dict[str, int]) -> pd.DataFrame:
    t = pd.DataFrame({"antal": list(counts.values())}, index=list(counts))
    t["andel"] = t["antal"] / t["antal"].sum()
    t.loc["Totalt"] = [t["antal"].sum(), 1.0]
    t["antal"] = t["antal"].astype(int)
    return t


def test_primary_small_counts_hidden_zero_and_larger_shown():
    t = pd.DataFrame({"antal": [0, 1, 4, 5, 30]}, index=list("abcde"))
    s = suppress(t)
    assert s["antal"].isna().tolist() == [False, True, True, False, False]
    assert s.loc["a", "antal"] == 0 and s.loc["d", "antal"] == 5
    f = flags(s)
    assert f.loc["b", "antal"] == privacy.PRIMARY and f.loc["a", "antal"] == ""


def test_threshold_parameter_and_mark():
    t = pd.DataFrame({"antal": [2, 9, 10]}, index=list("abc"))
    s = suppress(t, threshold=9)
    assert s["antal"].isna().tolist() == [True, True, False]
    assert display_values(s)["antal"].tolist() == ["<10", "<10", "10"]
    assert privacy.primary_mark() == "<5"


def test_secondary_suppression_protects_the_total():
    # 12 + 3 + 20 = 35: with only 3 hidden, 35 - 12 - 20 reveals it; the smallest other
    # component (12) is hidden as well, and the total stays visible.
    t = distribution({"a": 12, "b": 3, "c": 20})
    s = suppress(t, counts=["antal"], derived={"andel": "antal"}, total_row="Totalt")
    assert s["antal"].isna().tolist() == [True, True, False, False]
    assert s.loc["Totalt", "antal"] == 35
    # the shares of hidden counts are hidden too (3/35 would give 3 away)
    assert s["andel"].isna().tolist() == [True, True, False, False]
    shown = display_values(s, {"andel": lambda v: f"{v:.2f}"})
    assert shown["antal"].tolist() == ["..", "<5", "20", "35"]
    assert shown["andel"].tolist() == ["..", "..", "0.57", "1.00"]


def test_secondary_total_option_hides_the_total_instead():
    t = distribution({"a": 12, "b": 3, "c": 20})
    s = suppress(t, counts=["antal"], total_row="Totalt", secondary="total")
    assert s["antal"].isna().tolist() == [False, True, False, True]


def test_two_hidden_cells_need_no_secondary():
    t = distribution({"a": 2, "b": 3, "c": 20})
    s = suppress(t, counts=["antal"], total_row="Totalt")
    assert s["antal"].isna().tolist() == [True, True, False, False]
    assert set(privacy.suppressed_cells(s).values()) == {privacy.PRIMARY}


def test_positive_component_preferred_over_zero():
    t = distribution({"a": 0, "b": 3, "c": 20, "d": 7})
    s = suppress(t, counts=["antal"], total_row="Totalt")
    assert s["antal"].isna().tolist() == [False, True, False, True, False]


def test_only_zero_components_left_then_the_total_goes():
    # 3 + 0 = 3 is hidden by primary suppression (total 3 is small too)
    t = pd.DataFrame({"antal": [3, 0, 3]}, index=["a", "b", "Totalt"])
    s = suppress(t, total_row="Totalt")
    assert s["antal"].isna().tolist() == [True, False, True]
    # 3 + nothing else: the total must go
    t = pd.DataFrame({"antal": [3, 30]}, index=["a", "Totalt"])
    with pytest.raises(KeyError):
        suppress(t, total_row="nope")


def test_sus_outcome_layout_column_totals_and_derived_rows():
    # the SUS table: indicators in rows, Totalt = Kvinnor + Män in columns
    t = pd.DataFrame(
        {"Totalt": [40, 7, 0.175], "Kvinnor": [22, 3, 3 / 22], "Män": [18, 4, 4 / 18]},
        index=["avslutade", "i_arbete", "andel_i_arbete"],
    )
    s = suppress(
        t,
        count_rows=["avslutade", "i_arbete"],
        derived_rows={"andel_i_arbete": "i_arbete"},
        column_totals={"Totalt": ["Kvinnor", "Män"]},
    )
    f = flags(s)
    assert f.loc["i_arbete"].tolist() == ["", "primary", "primary"]
    assert f.loc["andel_i_arbete"].tolist() == ["", "secondary", "secondary"]
    assert s.loc["i_arbete", "Totalt"] == 7
    assert s.loc["avslutade"].tolist() == [40, 22, 18]


def test_two_way_table_iterates_until_every_line_is_safe():
    # rows and columns both add up; hiding 2 forces a second cell in its row and column,
    # and those force more, until no line hides exactly one cell.
    t = pd.DataFrame(
        {"x": [2, 10, 12], "y": [20, 30, 50], "Totalt": [22, 40, 62]},
        index=["a", "b", "Totalt"],
    )
    s = suppress(t, total_row="Totalt", total_column="Totalt")
    hidden = privacy.suppressed_cells(s)
    assert ("a", "x") in hidden
    for total, parts in [
        (("a", "Totalt"), [("a", "x"), ("a", "y")]),
        (("b", "Totalt"), [("b", "x"), ("b", "y")]),
        (("Totalt", "Totalt"), [("Totalt", "x"), ("Totalt", "y")]),
        (("Totalt", "x"), [("a", "x"), ("b", "x")]),
        (("Totalt", "y"), [("a", "y"), ("b", "y")]),
    ]:
        n = sum(cell in hidden for cell in (total, *parts))
        assert n != 1, (total, n)


def test_input_not_modified_and_attrs_record_threshold():
    t = distribution({"a": 12, "b": 3, "c": 20})
    before = t.copy()
    s = suppress(t, threshold=5, counts=["antal"], total_row="Totalt")
    pd.testing.assert_frame_equal(t, before)
    assert privacy.threshold_of(s) == 5 and privacy.is_suppressed(s)
    assert not privacy.is_suppressed(t)


def test_bad_parameters_are_clear_errors():
    t = pd.DataFrame({"antal": [1, 2]}, index=["a", "a"])
    with pytest.raises(ValueError, match="unique row labels"):
        suppress(t)
    with pytest.raises(ValueError, match="threshold"):
        suppress(pd.DataFrame({"antal": [1]}), threshold=-1)
    with pytest.raises(KeyError, match="count columns"):
        suppress(pd.DataFrame({"antal": [1]}), counts=["antal", "nope"])
    with pytest.raises(TypeError):
        suppress([1, 2, 3])  # type: ignore[arg-type]


def test_suppress_count_and_method_text():
    assert privacy.suppress_count(3) is None
    assert privacy.suppress_count(0) == 0
    assert privacy.suppress_count(12) == 12
    text = privacy.method_text(4)
    assert "1 till 4" in text and "<5" in text and ".." in text


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8),
    st.integers(min_value=0, max_value=6),
)
def test_properties_of_a_distribution_with_total(values, threshold):
    t = pd.DataFrame({"antal": values}, index=[f"r{i}" for i in range(len(values))])
    t.loc["Totalt"] = sum(values)
    s = suppress(t, threshold=threshold, total_row="Totalt")
    shown = s["antal"].dropna()
    # no shown count is small
    assert not ((shown >= 1) & (shown <= threshold)).any()
    # shown values are the original ones
    assert (shown == t.loc[shown.index, "antal"]).all()
    # every small count is hidden
    small = t.index[(t["antal"] >= 1) & (t["antal"] <= threshold)]
    assert s.loc[small, "antal"].isna().all()
    # the line never hides exactly one cell (else subtraction reveals it)
    assert s["antal"].isna().sum() != 1
    # if the total is shown, the hidden cells are at least two or none
    if not math.isnan(s.loc["Totalt", "antal"]):
        assert s["antal"].drop("Totalt").isna().sum() in (0, *range(2, len(values) + 1))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=15), min_size=2, max_size=4),
        min_size=2,
        max_size=4,
    ).filter(lambda rows: len({len(r) for r in rows}) == 1)
)
def test_properties_two_way(rows):
    t = pd.DataFrame(rows, columns=[f"c{i}" for i in range(len(rows[0]))])
    t.index = [f"r{i}" for i in range(len(rows))]
    t["Totalt"] = t.sum(axis=1)
    t.loc["Totalt"] = t.sum(axis=0)
    s = suppress(t, total_row="Totalt", total_column="Totalt")
    hidden = s.isna()
    for r in t.index:
        assert hidden.loc[r].sum() != 1
    for c in t.columns:
        assert hidden[c].sum() != 1
    values = t.to_numpy()
    assert not (((values >= 1) & (values <= 4)) & ~hidden.to_numpy()).any()
    assert np.array_equal(s.to_numpy()[~hidden.to_numpy()], values[~hidden.to_numpy()])


def test_derived_from_several_counts():
    # a change after - before reveals the hidden count when the other one is shown
    t = pd.DataFrame(
        {"före": [3, 20, 23], "efter": [10, 13, 23], "förändring": [7, -7, 0]},
        index=["a", "b", "Totalt"],
    )
    s = suppress(
        t,
        counts=["före", "efter"],
        derived={"förändring": ["före", "efter"]},
        total_row="Totalt",
    )
    f = flags(s)
    assert f.loc["a", "före"] == "primary" and f.loc["b", "före"] == "secondary"
    assert f["förändring"].tolist() == ["secondary", "secondary", ""]
    assert s.loc["a", "efter"] == 10
