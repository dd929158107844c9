"""The target-group and portfolio charts render headless with the expected bars and labels."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from finsamlib import datasets, portfolio
from finsamlib import target_group as tg
from finsamlib.plots import portfolio as pp
from finsamlib.plots import target_group as pt


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def rar() -> pd.DataFrame:
    return datasets.load("synthetic/portfolio_rar_sormland")


def bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def texts(fig) -> str:
    """The figure's texts as read (long lines are wrapped onto several)."""
    return " ".join(" ".join(t.get_text() for t in fig.texts).split())


def test_breakdown_chart_by_owner(rar: pd.DataFrame) -> None:
    b = portfolio.breakdown(rar, "owner")
    fig = pp.breakdown_chart(b, "owner")
    ax_n, ax_m = fig.axes
    assert len(bars(ax_n)) == len(bars(ax_m)) == 7  # every owner code, Region and FK empty
    widths = sorted(p.get_width() for p in bars(ax_n))
    assert widths == [0, 0, 1, 4, 5, 17, 29]
    money = sorted(round(p.get_width(), 1) for p in bars(ax_m))
    assert money == [0, 0, 1.3, 1.4, 4.3, 20.2, 43.0]
    labels = [t.get_text() for t in ax_n.get_yticklabels()]
    assert "Lokal samverkansgrupp" in labels and "Ej definierad" in labels
    assert fig._suptitle.get_text() == "Insatser och beviljade medel per huvudman"
    assert "Källa:" in texts(fig) and "Syntetiska" in texts(fig)


def test_breakdown_chart_by_target_group_names_the_view(rar: pd.DataFrame) -> None:
    b = portfolio.breakdown(rar, "target_group", views=["every", "allocated"])
    fig = pp.breakdown_chart(b, "target_group", view="every")
    assert round(sum(p.get_width() for p in bars(fig.axes[1])), 1) == 72.8
    assert "räknas i varje grupp" in texts(fig)
    fig2 = pp.breakdown_chart(b, "target_group", view="allocated")
    assert round(sum(p.get_width() for p in bars(fig2.axes[1])), 1) == 70.2
    with pytest.raises(ValueError, match="primary"):
        pp.breakdown_chart(b, "target_group", view="primary")


def test_breakdown_chart_by_type(rar: pd.DataFrame) -> None:
    fig = pp.breakdown_chart(portfolio.breakdown(rar, "type"), "type")
    labels = {t.get_text() for t in fig.axes[0].get_yticklabels()}
    assert labels == {"Individinriktad", "Strukturinriktad"}
    assert sorted(round(p.get_width(), 1) for p in bars(fig.axes[1])) == [13.4, 56.8]


def test_spending_chart(rar: pd.DataFrame) -> None:
    spent = portfolio.spending_per_year(rar, by="type")
    fig = pp.spending_chart(spent)
    ax = fig.axes[0]
    assert len(bars(ax)) == 2 * 6  # two types × 2014–2019
    assert round(sum(p.get_height() for p in bars(ax)), 6) == 70.2
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(y) for y in range(2014, 2020)]
    share_line = fig.axes[1].get_lines()[0]
    assert np.nanmax(share_line.get_ydata()) <= 1
    assert "per dag" in texts(fig)


def sized_kommuner() -> tuple[pd.DataFrame, pd.DataFrame]:
    sources = pd.DataFrame(
        {
            "area": ["0428"] * 2 + ["0461"] * 2,
            "year": 2020,
            "group": ["neet", "sick_listed"] * 2,
            "count": [100.0, 500.0, 200.0, 1000.0],
        }
    )
    sized = tg.size(sources, working_age_population=pd.Series({"0428": 5048, "0461": 6439}))
    reached = pd.DataFrame({"area": ["0428", "0461"], "year": 2020, "reached": [20, 60]})
    return sized, tg.coverage(reached, sized)


def test_target_group_chart_with_coverage() -> None:
    sized, cov = sized_kommuner()
    fig = pt.target_group_chart(sized, cov, area_names={"0428": "Vingåker", "0461": "Gnesta"})
    ax, ax2 = fig.axes
    assert len(bars(ax)) == 2 * 2  # two groups stacked for two kommuner
    # the areas in table order, the first on top
    ticks = {t.get_text(): y for t, y in zip(ax.get_yticklabels(), ax.get_yticks(), strict=True)}
    assert ticks["Vingåker"] > ticks["Gnesta"]
    totals = tg.totals(sized).set_index("area")["target_group"]
    ends = sorted(p.get_x() + p.get_width() for p in bars(ax))
    assert ends[-1] == pytest.approx(totals.max())  # 200 + 0,2 × 1 000 = 400
    coverage = sorted(p.get_width() for p in bars(ax2))
    assert coverage == pytest.approx(sorted([20 / 200, 60 / 400]))
    assert ax2.get_lines()[0].get_xdata()[0] == tg.REFERENCE_COVERAGE
    assert "Källa:" in texts(fig)


def test_target_group_chart_without_coverage() -> None:
    sized, _ = sized_kommuner()
    fig = pt.target_group_chart(sized)
    assert len(fig.axes) == 1 and len(bars(fig.axes[0])) == 4


def test_tornado_chart() -> None:
    sizing = datasets.load("published/seed002_target_group_sizing")
    sens = tg.sensitivity(tg.sources_from_published(sizing), working_age_population=7_300_000)
    fig = pt.tornado_chart(sens)
    ax = fig.axes[0]
    assert len(bars(ax)) == 2 * 7  # six groups and the all-low/all-high bar, low and high halves
    labels = [" ".join(t.get_text().split()) for t in ax.get_yticklabels()]
    assert labels[0] == "Alla andelar låga / höga"
    assert labels[-1].startswith("Ekonomiskt bistånd")  # the widest range on top
    assert ax.get_lines()[0].get_xdata()[0] == pytest.approx(482_190)
    two = pd.concat([sens, sens.assign(area="Annat")])
    with pytest.raises(ValueError, match="pick one area"):
        pt.tornado_chart(two)
