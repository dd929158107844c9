"""The funnel plot of the fair comparison: limits drawn from the binomial, the marks where the
table puts them, suppressed rows left out and said so, and the house style (title, source,
summary, inline SVG)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from finsamlib import outcomes
from finsamlib.plots import funnel
from finsamlib.plots.style import summary_of
from finsamlib.plots.svg import inline_svg


def _table() -> pd.DataFrame:
    # overall 0.4: A 40/100 in the middle; B 30/40 far above (99.8 % upper limit at n = 40 is
    # about 0.64); C hidden by the disclosure pattern
    return pd.DataFrame(
        {
            "ended": [100, 40, np.nan],
            "share": [0.40, 0.75, np.nan],
            "share_adjusted": [0.42, 0.70, np.nan],
        },
        index=["A", "B", "C"],
    )


def test_limits_marks_and_summary():
    fig = funnel.funnel_chart(_table(), 0.4, highlight=["A"], title="Tratt", source="Test")
    try:
        ax = fig.axes[0]
        lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) > 2]
        assert len(lines) == 4  # low and high at 95 % and 99.8 %
        x = np.asarray(lines[0].get_xdata(), dtype=int)
        expected = outcomes.funnel_limits(0.4, x)
        drawn = {tuple(np.round(ln.get_ydata(), 9)) for ln in lines}
        for column in expected.columns:
            assert tuple(np.round(expected[column].to_numpy(), 9)) in drawn
        # the centre line at the overall share
        assert any(np.allclose(ln.get_ydata(), 0.4) for ln in ax.get_lines())
        # one observed and one adjusted mark per shown row, at the table's values
        marks = {
            (float(ln.get_xdata()[0]), round(float(ln.get_ydata()[0]), 6), ln.get_marker())
            for ln in ax.get_lines()
            if len(ln.get_xdata()) == 1
        }
        assert (100.0, 0.4, "o") in marks and (100.0, 0.42, "D") in marks
        assert (40.0, 0.75, "o") in marks and (40.0, 0.7, "D") in marks
        assert not any(m[0] != m[0] for m in marks)  # nothing drawn for the hidden row
        texts = [t.get_text() for t in ax.texts]
        assert "A" in texts and "B" in texts and "C" not in texts
        summary = summary_of(fig)
        assert "2 förbund" in summary and "40\u00a0%" in summary
        assert "Utanför 95 %-gränserna (justerade andelar): B." in summary
        assert "Visas inte (för få eller dolda uppgifter): C." in summary
        svg = inline_svg(fig, "Trattdiagram")
        assert svg.startswith("<svg") and 'role="img"' in svg
        assert "Tratt" in svg and "Källa: Test" in svg
    finally:
        plt.close(fig)


def test_without_adjusted_shares_and_bad_input():
    t = _table().drop(columns="share_adjusted").iloc[:1]
    fig = funnel.funnel_chart(t, 0.4)
    try:
        assert "Alla andelar ligger inom 95 %-gränserna." in summary_of(fig)
        assert not any(ln.get_marker() == "D" for ln in fig.axes[0].get_lines())
    finally:
        plt.close(fig)
    with pytest.raises(KeyError, match="ended and share"):
        funnel.funnel_chart(t.drop(columns="share"), 0.4)
    with pytest.raises(ValueError, match="overall"):
        funnel.funnel_chart(t, 40)
