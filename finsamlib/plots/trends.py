"""Charts of figures over the years (Utveckling över tid)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .style import (
    PERCENT,
    SERIES_COLOURS,
    describe,
    finish,
    legend_above,
    new_figure,
    sv_percent,
)

#: Line styles and markers per series, so that the lines read in greyscale too.
LINE_STYLES: tuple[str, ...] = ("-", "--", ":", "-.", (0, (5, 1)), (0, (1, 1)))
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P")


def share_lines(
    shares: pd.DataFrame,
    *,
    title: str,
    source: str,
    note: str | None = None,
) -> Figure:
    """Shares (fractions 0–1) over the years, one line per area.

    ``shares`` has the years as index and one column per area, as published (a hidden or
    missing share is NaN and leaves a gap in its line; the table beside the chart shows its
    mark). The y axis runs from 0 to at least 100 % of the highest share shown.
    """
    if shares.empty:
        raise ValueError("no years to draw")
    fig, ax = new_figure(height=3.6)
    years = [int(y) for y in shares.index]
    parts = []
    for i, area in enumerate(shares.columns):
        values = pd.to_numeric(shares[area], errors="coerce").to_numpy(dtype=float)
        ax.plot(
            years,
            values,
            label=str(area),
            color=SERIES_COLOURS[i % len(SERIES_COLOURS)],
            linestyle=LINE_STYLES[i % len(LINE_STYLES)],
            marker=MARKERS[i % len(MARKERS)],
            linewidth=2,
            markersize=5,
        )
        shown = [f"{y} {sv_percent(v)}" for y, v in zip(years, values, strict=True) if v == v]
        parts.append(f"{area}: " + (", ".join(shown) if shown else "inga visade värden"))
    top = np.nanmax(shares.to_numpy(dtype=float)) if shares.notna().any().any() else 1.0
    ax.set_ylim(0, max(0.1, min(1.0, top * 1.15 + 0.02)))
    ax.yaxis.set_major_formatter(PERCENT)
    ax.set_xticks(years)
    ax.set_xticklabels([str(y) for y in years])
    ax.set_xlim(years[0] - 0.3, years[-1] + 0.3)
    legend_above(ax, ncols=min(len(shares.columns), 3))
    finish(fig, title, source, note)
    return describe(fig, f"{title}. " + "; ".join(parts) + ".")
