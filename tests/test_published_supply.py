"""The supply before/after chart of the notebooks is drawn from the report's protected table:
every value hidden in the table is hidden in the chart, every shown one is the table's."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from finsamlib import datasets, privacy, published_supply, supply
from finsamlib.reports import sections

COUNT = {"Antal före": "count_before", "Antal efter": "count_after"}
SHARE = {"Andel före": "share_before", "Andel efter": "share_after"}


@pytest.fixture(scope="module")
def change() -> pd.DataFrame:
    """Finnveden's participants who ended in 2019 (embedded synthetic data, as the notebook)."""
    rows = datasets.load_all("participants")
    return supply.change(rows[rows["association"] == "Finnveden"], year=2019)


@pytest.fixture(scope="module")
def pattern():
    """The pattern the notebook computes for the embedded data (with their registry)."""
    return published_supply.pattern(4)


def test_the_table_is_the_reports_table(change, pattern):
    """The same pattern as finsam reports' run on the embedded data, so the same table."""
    got = published_supply.supply_table(change, pattern, "Finnveden", 2019)
    report = sections.load(association="Finnveden", year=2019)
    assert pattern.hidden == report.pattern.hidden
    expected = sections.supply_table(
        change, pattern=report.pattern, association="Finnveden", year=2019
    )
    pd.testing.assert_frame_equal(got, expected)
    assert privacy.suppressed_cells(got), "Finnveden 2019 has small counts to hide"


def test_the_chart_hides_what_the_table_hides(change, pattern):
    table = published_supply.supply_table(change, pattern, "Finnveden", 2019)
    data = published_supply.chart_data(change, pattern, "Finnveden", 2019)
    hidden = privacy.suppressed_cells(table)
    for i, label in enumerate(data["label"]):
        for col, target in {**COUNT, **SHARE}.items():
            value = data.loc[i, target]
            if (label, col) in hidden:
                assert math.isnan(value), (label, col)
            else:
                assert value == pytest.approx(table.loc[label, col]), (label, col)
    # a count of 1..4 and its share are in the data, but not in what is charted
    small = change[(change["count_before"] > 0) & (change["count_before"] <= 4)]
    assert not small.empty
    assert data.loc[small.index, "share_before"].isna().all()


def test_the_figure_marks_the_hidden_bars(change, pattern):
    fig = published_supply.before_after_chart(
        change, pattern, "Finnveden", 2019, title="Finnveden 2019"
    )
    try:
        texts = [t.get_text() for ax in fig.axes for t in ax.texts]
        data = published_supply.chart_data(change, pattern, "Finnveden", 2019)
        drawn = data[~((data["count_before"] == 0) & (data["count_after"] == 0))]
        n_hidden = int(drawn[["share_before", "share_after"]].isna().sum().sum())
        marks = [t for t in texts if t.strip() in ("<5", "..")]
        assert len(marks) == n_hidden > 0
        shown = drawn["share_before"].dropna()
        assert len([t for t in texts if t.strip().endswith("%")]) == int(
            (shown > 0).sum() + (drawn["share_after"].dropna() > 0).sum()
        )
    finally:
        plt.close(fig)
