"""Tests of finsamlib.plots.supply: charts render headless and draw what the tables hold."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.container import ErrorbarContainer
from matplotlib.patches import PathPatch, Rectangle

from finsamlib import outcomes, privacy, supply
from finsamlib.categories import FAMILIES, SUPPORT_CODES, SUPPORT_LABELS
from finsamlib.plots import supply as ps
from finsamlib.plots.style import SERIES_COLOURS
from tests.test_supply import EMP, NPS, SA, SB, STU, small

# In the small frame (tests/test_supply.py) the seven usable pairs have these categories:
BEFORE = [SA, SB, "activity_support", "unknown"]  # canonical order
AFTER = [SA, SB, EMP, STU, NPS]
PRESENT = [c for c in SUPPORT_CODES if c in BEFORE or c in AFTER]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    matplotlib.pyplot.close("all")


def texts(fig) -> list[str]:
    """The figure's texts, each as one line (notes wrap to the figure's width)."""
    return [" ".join(t.get_text().split()) for t in fig.texts]


def finished(fig, title: str) -> None:
    """Titled and sourced through plots.style.finish."""
    assert fig._suptitle is not None and fig._suptitle.get_text() == title
    assert any(t.startswith("Källa: ") for t in texts(fig))


def shown(labels) -> list[str]:
    """Tick labels as read: charts wrap long labels onto several lines."""
    return [" ".join(t.get_text().split()) for t in labels]


def rectangles(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_charts_render_headless():
    assert matplotlib.get_backend().lower() == "agg"


# --------------------------------------------------------------------------- before/after bars


def test_before_after_bars_draw_two_bars_per_category_present():
    fig = ps.before_after_bars(supply.change(small()))
    ax = fig.axes[0]
    assert len(rectangles(ax)) == 2 * len(PRESENT) == 14
    assert shown(ax.get_yticklabels()) == [SUPPORT_LABELS[c] for c in PRESENT]
    values = [t.get_text().strip() for t in ax.texts]
    assert len(values) == 14 - 5  # the five zero shares get no bar and no "0 %" label
    assert "0\u00a0%" not in values
    assert values[:2] == ["43\u00a0%", "14\u00a0%"]  # social assistance: 3/7 before, 1/7 after
    widths = [round(r.get_width(), 6) for r in rectangles(ax)]
    assert widths[:2] == [round(3 / 7, 6), round(1 / 7, 6)]
    finished(fig, "Försörjning före och efter insats")
    assert any("före och efter: 7." in t for t in texts(fig))


def test_before_after_bars_keep_empty_categories_on_request_and_take_titles():
    fig = ps.before_after_bars(
        supply.change(small(), families=True),
        drop_empty=False,
        title="Försörjning, Finnveden",
        source="Egen",
    )
    ax = fig.axes[0]
    assert len(rectangles(ax)) == 2 * len(FAMILIES)
    assert ax.get_yticklabels()[3].get_text() == "Arbete"
    finished(fig, "Försörjning, Finnveden")
    assert "Källa: Egen" in "".join(texts(fig))


def test_before_after_bars_leave_out_suppressed_shares():
    table = supply.change(small())
    hidden = privacy.suppress(
        table,
        counts=["count_before", "count_after"],
        derived={"share_before": "count_before", "share_after": "count_after"},
    )
    # every non-zero count in seven pairs is below 5: of the categories present, only the
    # zero shares remain (activity_support and unknown after; employment, student_aid and
    # no_public_support before)
    present = hidden[hidden["category"].isin(PRESENT)]
    shown = present[["share_before", "share_after"]].notna().to_numpy().sum()
    assert shown == 5
    fig = ps.before_after_bars(hidden)
    assert len(rectangles(fig.axes[0])) == shown
    assert any("dolda" in t for t in texts(fig))


def test_before_after_bars_refuse_several_groups():
    with pytest.raises(ValueError, match="one group"):
        ps.before_after_bars(supply.change(small(), by="association"))


# --------------------------------------------------------------------------- flow


def test_transition_flow_draws_a_bar_per_category_and_a_band_per_cell():
    fig = ps.transition_flow(supply.transition_matrix(small()))
    ax = fig.axes[0]
    bars = [p for p in ax.patches if type(p) is Rectangle]
    bands = [p for p in ax.patches if isinstance(p, PathPatch)]
    assert len(bars) == len(BEFORE) + len(AFTER) == 9
    assert len(bands) == 7  # the seven non-zero cells
    labels = [t.get_text() for t in ax.texts]
    assert "Före insats" in labels and "Efter insats" in labels
    assert "Försörjningsstöd (3)" in labels and "Försörjningsstöd (1)" in labels
    assert "Studiemedel (1)" in labels
    finished(fig, "Från försörjning före till försörjning efter insats")
    assert any("Antal avslutade deltagare: 7." in t for t in texts(fig))


def test_transition_flow_band_widths_are_proportional_to_counts():
    m = supply.transition_matrix(small(), families=True)
    ax = ps.transition_flow(m).axes[0]
    bars = [p for p in ax.patches if type(p) is Rectangle]
    bands = [p for p in ax.patches if isinstance(p, PathPatch)]
    unit = bars[0].get_height() / 3  # the kommun bar holds 3 pairs
    for band in bands:
        v = band.get_path().vertices
        left, right = v[0, 1] - v[7, 1], v[3, 1] - v[4, 1]
        assert left == pytest.approx(right)  # a band keeps its width
        assert left / unit == pytest.approx(round(left / unit))  # a whole number of pairs
    assert sum(v.get_path().vertices[0, 1] - v.get_path().vertices[7, 1] for v in bands) == (
        pytest.approx(7 * unit)
    )


def test_transition_flow_refuses_row_shares_and_groups():
    with pytest.raises(ValueError, match="row shares"):
        ps.transition_flow(supply.transition_matrix(small(), normalize="index"))
    with pytest.raises(ValueError, match="one group"):
        ps.transition_flow(supply.transition_matrix(small(), by="association"))


# --------------------------------------------------------------------------- heatmap


def test_transition_heatmap_annotates_every_cell_shown():
    fig = ps.transition_heatmap(supply.transition_matrix(small()))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [SUPPORT_LABELS[c] for c in BEFORE]
    assert [t.get_text() for t in ax.get_xticklabels()] == [SUPPORT_LABELS[c] for c in AFTER]
    cells = [t.get_text() for t in ax.texts]
    assert len(cells) == len(BEFORE) * len(AFTER)
    assert cells.count("1") == 7 and cells.count("0") == 13
    assert ax.get_xlabel() == "Försörjning efter insats"
    finished(fig, "Försörjning före och efter insats")


def test_transition_heatmap_shows_row_shares_and_suppression_marks():
    fig = ps.transition_heatmap(supply.transition_matrix(small(), normalize="index"))
    cells = [t.get_text() for t in fig.axes[0].texts]
    assert cells.count("33\u00a0%") == 3 and cells.count("50\u00a0%") == 2
    hidden = privacy.suppress(supply.transition_matrix(small()), counts=list(SUPPORT_CODES))
    cells = [t.get_text() for t in ps.transition_heatmap(hidden).axes[0].texts]
    assert cells.count("<5") == 7
    full = ps.transition_heatmap(supply.transition_matrix(small()), drop_empty=False)
    assert len(full.axes[0].texts) == len(SUPPORT_CODES) ** 2


# --------------------------------------------------------------------------- change


def test_change_chart_draws_a_bar_with_interval_per_category():
    table = supply.change(small())
    fig = ps.change_chart(table)
    ax = fig.axes[0]
    bars = rectangles(ax)
    assert len(bars) == len(PRESENT)
    widths = {
        lab.get_text(): b.get_width() for lab, b in zip(ax.get_yticklabels(), bars, strict=True)
    }
    assert widths["Försörjningsstöd"] == pytest.approx(-200 / 7)
    assert widths["Lön, osubventionerad anställning"] == pytest.approx(200 / 7)
    labels = [t.get_text().strip() for t in ax.texts]
    assert "\u221228,6 p.e." in labels and "+28,6 p.e." in labels
    errorbars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(errorbars) == len(PRESENT)  # one interval per category
    assert "95\u00a0%" in ax.get_xlabel() or "95 %" in ax.get_xlabel()
    finished(fig, "Förändring av försörjning efter insats")


def test_change_chart_works_for_work_or_studies():
    fig = ps.change_chart(supply.work_or_studies_share(small()), drop_empty=False)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks == ["Arbete", "Studier", "Arbete och/eller studier"]


# --------------------------------------------------------------------------- outcome table


def outcome_frame() -> pd.DataFrame:
    """The shape of outcomes.outcome_table: indicators × (area, sex), shares in percent."""
    columns = pd.MultiIndex.from_product(
        [["Finnveden", "Jönköpings län", "Riket"], ["Totalt", "Kvinnor", "Män"]],
        names=["area", "sex"],
    )
    data = np.array(
        [
            [49, 23, 26, 201, 103, 98, 12309, 6681, 5628],  # ended_registrations
            [57, 39, 73, 42, 31, 52, 17, 15, 20],  # work_share
            [27, 26, 27, 58, 55, 61, 37, 31, 44],  # share_under_30
        ],
        dtype=float,
    )
    table = pd.DataFrame(
        data, index=["ended_registrations", "work_share", "share_under_30"], columns=columns
    )
    table.attrs["units"] = {
        "ended_registrations": "count",
        "work_share": "percent",
        "share_under_30": "percent",
    }
    return table


def test_outcome_comparison_draws_grouped_bars():
    fig = ps.outcome_comparison(
        outcome_frame(),
        ["work_share", "share_under_30"],
        labels={"work_share": "Andel i arbete", "share_under_30": "Andel under 30 år"},
    )
    ax = fig.axes[0]
    bars = rectangles(ax)
    assert len(bars) == 2 * 3
    widths = [round(b.get_width(), 2) for b in bars]  # horizontal bars
    assert widths == [0.57, 0.27, 0.42, 0.58, 0.17, 0.37]  # area by area, percent -> share
    colours = {tuple(b.get_facecolor()[:3]) for b in bars}
    assert len(colours) == 3
    assert len({b.get_hatch() or "" for b in bars}) == 3  # greyscale: one hatch per area
    assert shown(ax.get_yticklabels()) == ["Andel i arbete", "Andel under 30 år"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Finnveden", "Jönköpings län", "Riket"]
    assert "57\u00a0%" in [t.get_text().strip() for t in ax.texts]
    finished(fig, "Utfall jämfört med länet och riket")
    assert matplotlib.colors.to_hex(bars[0].get_facecolor()) == SERIES_COLOURS[0].lower()


def test_outcome_comparison_sex_areas_missing_values_and_units():
    table = outcome_frame()
    table.loc["work_share", ("Riket", "Kvinnor")] = np.nan
    fig = ps.outcome_comparison(table, ["work_share"], sex="Kvinnor", areas=["Riket", "Finnveden"])
    ax = fig.axes[0]
    assert [round(b.get_width(), 2) for b in rectangles(ax)] == [0.39]
    assert any("Avser kvinnor." in t and "saknas" in t for t in texts(fig))
    counts = ps.outcome_comparison(table, ["ended_registrations"])
    assert counts.axes[0].get_xlabel() == "Antal"
    assert [b.get_width() for b in rectangles(counts.axes[0])] == [49, 201, 12309]
    with pytest.raises(ValueError, match="one unit"):
        ps.outcome_comparison(table, ["ended_registrations", "work_share"])
    with pytest.raises(KeyError, match="mean_enrolment_days"):
        ps.outcome_comparison(table, ["mean_enrolment_days"])
    with pytest.raises(KeyError, match="Höglandet"):
        ps.outcome_comparison(table, ["work_share"], areas=["Höglandet"])


def test_outcome_comparison_reads_fractions_without_units():
    table = outcome_frame().loc[["work_share"]] / 100
    table.attrs = {}
    bars = rectangles(ps.outcome_comparison(table, ["work_share"]).axes[0])
    assert [round(b.get_width(), 2) for b in bars] == [0.57, 0.42, 0.17]


def test_outcome_comparison_takes_the_outcome_table_itself():
    df = small()
    df["person_id"] = [f"p{i}" for i in range(len(df))]
    df["education"] = "upper_secondary"
    df["years_public_support_before"] = 1.0
    df["work_extent_before"] = 0.0
    df["work_extent_after"] = np.where(df["support_after"] == EMP, 100.0, 0.0)
    df["studies_extent_before"] = 0.0
    df["studies_extent_after"] = 0.0
    table = outcomes.outcome_table(df, 2021)
    fig = ps.outcome_comparison(table, ["work_share"])
    ax = fig.axes[0]
    # ended in 2021: A rows 1-4 and 9 (row 1 in work), B rows 5, 8 and 10 (row 10 in work)
    assert [round(b.get_width(), 4) for b in rectangles(ax)] == [0.2, round(1 / 3, 4)]
    assert shown(ax.get_yticklabels()) == ["Andel i förvärvsarbete"]
