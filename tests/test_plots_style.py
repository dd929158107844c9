"""The shared chart conventions, checked on the Figure objects the report charts return:
legends above the data in the bars' own colours, suppressed values marked where their bar
would be, no "0 %" labels, text big enough for a phone, a data summary for the alt text, and
the inline SVG they become."""

from __future__ import annotations

import io
import re

import matplotlib
import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from finsamlib import datasets, funding, portfolio, privacy, supply
from finsamlib import target_group as tg
from finsamlib.plots import economics as pe
from finsamlib.plots import portfolio as pp
from finsamlib.plots import supply as ps
from finsamlib.plots import target_group as pt
from finsamlib.plots.style import SMALL, WIDTH, summary_of
from finsamlib.plots.svg import inline_svg
from tests.test_plots_economics import profitability_2016  # noqa: F401 (fixture)
from tests.test_plots_supply import outcome_frame
from tests.test_supply import small


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    matplotlib.pyplot.close("all")


def bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() != 0]


def rgb(colour) -> tuple[float, ...]:
    return tuple(round(c, 3) for c in mcolors.to_rgb(colour))


def all_texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]


def legend_is_above_the_data(fig, ax) -> None:
    renderer = fig.canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.y0 >= ax.get_window_extent(renderer).y1 - 0.5


def suppressed_change() -> pd.DataFrame:
    return privacy.suppress(
        supply.change(small()),
        counts=["count_before", "count_after"],
        derived={"share_before": "count_before", "share_after": "count_after"},
    )


@pytest.fixture
def rar() -> pd.DataFrame:
    return datasets.load("synthetic/portfolio_rar_sormland")


def report_charts(profitability) -> dict[str, object]:
    """The charts the reports draw, from small inputs."""
    budget = pd.DataFrame(
        {
            "association": "X",
            "year": 2021,
            "insats": ["a", "b", "c"],
            "budget": [100_000.0, 200_000.0, 300_000.0],
            "outcome": [90_000.0, 250_000.0, 0.0],  # c spent nothing: no bar, no "0 %"
        }
    )
    sizing = datasets.load("published/seed002_target_group_sizing")
    sens = tg.sensitivity(tg.sources_from_published(sizing), working_age_population=7_300_000)
    pf = datasets.load("synthetic/portfolio_rar_sormland")
    return {
        "before_after": ps.before_after_bars(supply.change(small())),
        "outcome": ps.outcome_comparison(outcome_frame(), ["work_share", "share_under_30"]),
        "profitability": pe.profitability_chart(profitability),
        "budget": pe.budget_chart(funding.budget_utilisation(budget)),
        "tornado": pt.tornado_chart(sens),
        "breakdown": pp.breakdown_chart(portfolio.breakdown(pf, "owner"), "owner"),
        "spending": pp.spending_chart(portfolio.spending_per_year(pf, by="type")),
    }


@pytest.fixture(scope="module")
def charts(profitability_2016):  # noqa: F811
    """The report charts, drawn once for the tests below, which only read them."""
    return report_charts(profitability_2016)


# --------------------------------------------------------------------------- legends


def test_legends_sit_above_the_data(charts):
    for name in ("before_after", "outcome", "profitability", "budget", "tornado", "spending"):
        fig = charts[name]
        legend_is_above_the_data(fig, fig.axes[0])


def test_legend_swatches_take_the_bars_colours(charts):
    for name in ("before_after", "outcome", "profitability", "budget"):
        ax = charts[name].axes[0]
        faces = {rgb(b.get_facecolor()) for b in bars(ax)}
        swatches = [rgb(h.get_facecolor()) for h in ax.get_legend().get_patches()]
        assert swatches and all(s in faces for s in swatches), (name, swatches, faces)
        assert rgb("#7F7F7F") not in swatches  # no grey stand-ins


# --------------------------------------------------------------------------- marks and labels


def test_a_suppressed_share_is_marked_where_its_bar_would_be():
    hidden = suppressed_change()
    fig = ps.before_after_bars(hidden)
    ax = fig.axes[0]
    marks = [t for t in ax.texts if t.get_text().strip() in ("<5", "..")]
    cells = privacy.suppressed_cells(hidden)
    shown_rows = [
        r
        for r in hidden.index
        if not (hidden.at[r, "count_before"] == 0 and hidden.at[r, "count_after"] == 0)
    ]
    expected = [c for c in cells if c[0] in shown_rows and c[1] in ("share_before", "share_after")]
    assert len(marks) == len(expected) > 0
    assert all(t.get_position()[0] == 0 for t in marks)  # at the start of the missing bar
    assert {t.get_text().strip() for t in marks} <= {"<5", ".."}


def test_a_suppressed_outcome_value_is_marked():
    table = outcome_frame()
    table.loc["work_share", ("Riket", "Totalt")] = np.nan
    table.attrs[privacy.ATTR] = {
        "threshold": 4,
        "cells": (("work_share", ("Riket", "Totalt"), privacy.PRIMARY),),
    }
    fig = ps.outcome_comparison(table, ["work_share", "share_under_30"])
    texts = [t.get_text().strip() for t in fig.axes[0].texts]
    assert texts.count("<5") == 1
    assert any("<5" in t for t in (t.get_text() for t in fig.texts))  # the note says why


def test_zero_and_absent_bars_get_no_percent_label(charts):
    table = outcome_frame()
    table.loc["work_share", ("Riket", "Totalt")] = 0.0
    charts = dict(charts)  # the shared charts, and this one
    charts["outcome_zero"] = ps.outcome_comparison(table, ["work_share", "share_under_30"])
    for name, fig in charts.items():
        labels = [t.get_text().strip() for ax in fig.axes for t in ax.texts]  # not the ticks
        assert "0\u00a0%" not in labels, name


def test_report_charts_fit_a_phone(charts):
    """5 inches wide with no text under 9 pt: scaled to the 366 px a 390 px phone leaves, the
    smallest text is 9 px or more."""
    for name, fig in charts.items():
        assert fig.get_figwidth() <= WIDTH, name
        smallest = min(t.get_fontsize() for t in all_texts(fig))
        assert smallest >= SMALL, (name, smallest)
        assert smallest * 366 / (72 * fig.get_figwidth()) >= 9.0, name


# --------------------------------------------------------------------------- alt text and SVG


def test_each_chart_summarises_its_own_data(charts):
    before_after = summary_of(charts["before_after"])
    assert "Försörjningsstöd 43\u00a0%" in before_after  # the largest group before (3 of 7)
    outcome = summary_of(charts["outcome"])
    assert "Finnveden 57\u00a0%" in outcome and "Riket 17\u00a0%" in outcome
    assert "dolda" in summary_of(ps.before_after_bars(suppressed_change()))
    for name, fig in charts.items():
        if name != "spending":
            assert len(summary_of(fig)) > 30, name


def test_inline_svg_is_small_deterministic_and_named():
    fig = ps.before_after_bars(supply.change(small()))
    png = io.BytesIO()
    fig.savefig(png, format="png")
    a = inline_svg(fig, "Försörjning före och efter")
    b = inline_svg(fig, "Försörjning före och efter")
    assert a == b  # the same figure gives the same bytes (no dates, fixed ids)
    assert a.startswith("<svg ") and a.endswith("</svg>")
    assert 'role="img"' in a and re.search(
        r'<title id="[^"]+">Försörjning före och efter</title>', a
    )
    assert "<metadata" not in a and "<?xml" not in a
    assert "<text" in a and "Försörjningsstöd" in a  # text is text, not glyph outlines
    assert len(a.encode()) < len(png.getvalue())
    other = inline_svg(ps.change_chart(supply.change(small())), "x")
    ids = set(re.findall(r'id="([^"]+)"', a))
    assert ids and not ids & set(re.findall(r'id="([^"]+)"', other))
    for ref in re.findall(r"url\(#([^)]+)\)", a):
        assert ref in ids


def test_a_missing_web_fallback_font_is_not_warned_about_but_other_fonts_are(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Without "Liberation Sans" installed (a fresh machine without fonts-liberation), every
    text of every chart logged "findfont: Font family 'Liberation Sans' not found." through a
    report's standard error. A family missing here stands in for it, asked for the way
    matplotlib's text layout asks (each family of the list, no fallback)."""
    from matplotlib import font_manager

    from finsamlib.plots import style

    style.apply_style()
    monkeypatch.setattr(style, "WEB_FALLBACK_FONTS", ("Finsam Missing Sans",))
    props = font_manager.FontProperties(family=[style.FONT, "Finsam Missing Sans"])
    with caplog.at_level("WARNING", logger="matplotlib.font_manager"):
        font_manager.fontManager._find_fonts_by_props(props)
    assert not [r for r in caplog.records if "Finsam Missing Sans" in r.getMessage()]
    # any other missing family is still told
    props = font_manager.FontProperties(family=[style.FONT, "Finsam Other Sans"])
    with caplog.at_level("WARNING", logger="matplotlib.font_manager"):
        font_manager.fontManager._find_fonts_by_props(props)
    assert [r for r in caplog.records if "'Finsam Other Sans' not found" in r.getMessage()]
