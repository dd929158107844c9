"""The funnel plot of the fair comparison between associations (issue 14).

Each association's share of ended registrations that went to work and/or studies against its
number of ended registrations, with the overall share and the binomial control limits within
which a share would fall by chance alone (:func:`finsamlib.outcomes.funnel_limits`). The limits
narrow as the number grows, so a small association is not singled out for a difference that
chance gives it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from ..outcomes import FUNNEL_LEVELS, funnel_limits
from .style import (
    NEUTRAL,
    PERCENT,
    SERIES_COLOURS,
    SMALL,
    THOUSANDS,
    WIDTH,
    describe,
    finish,
    legend_above,
    new_figure,
    sv_percent,
)

DEFAULT_SOURCE = "SUS-uppföljning av deltagare, egen bearbetning"
#: Line styles of the control limits, by level (the inner limits dashed, the outer dotted).
LIMIT_STYLES: tuple[str, ...] = ("--", ":")
_OTHER_COLOUR = "#999999"


def _level_label(level: float, plural: bool = False) -> str:
    """``"95 %-gräns"`` (or ``"95 %-gränserna"``), ``"99,8 %-gräns"``."""
    text = f"{100 * level:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text} %-gräns" + ("erna" if plural else "")


def funnel_chart(
    table: pd.DataFrame,
    overall: float,
    *,
    highlight: Sequence[str] = (),
    levels: tuple[float, ...] = FUNNEL_LEVELS,
    title: str = "Andel till arbete och/eller studier mot antal avslutade",
    source: str = DEFAULT_SOURCE,
    note: str | None = None,
) -> Figure:
    """A funnel plot: share against number ended per association, with control limits.

    Parameters
    ----------
    table : one row per association (index: its name) with ``ended`` (number of ended
        registrations), ``share`` (the observed share, 0–1) and optionally ``share_adjusted``
        (the share adjusted for the participant mix, 0–1), drawn as a second mark joined to the
        first. A row with a missing (suppressed) value is left out of the chart.
    overall : the overall share (0–1) the limits are drawn around.
    highlight : associations drawn in colour (e.g. the county's own); the others in grey.
        Empty: every association in colour.
    levels : the coverage of the control limits (default 95 % and 99.8 %).
    """
    missing = [c for c in ("ended", "share") if c not in table.columns]
    if missing:
        raise KeyError(f"the funnel table needs columns ended and share; missing {missing}")
    if not 0 <= overall <= 1:
        raise ValueError(f"overall must be a share between 0 and 1, got {overall!r}")
    adjusted = "share_adjusted" in table.columns
    wanted = ["ended", "share", *(["share_adjusted"] if adjusted else [])]
    data = table[wanted].apply(pd.to_numeric, errors="coerce")
    shown = data.dropna()
    shown = shown[shown["ended"] > 0]
    left_out = [str(a) for a in data.index if a not in shown.index]
    fig, ax = new_figure(WIDTH, 4.6)
    top_n = int(max(shown["ended"].max() if not shown.empty else 10, 10) * 1.15) + 1
    sizes = np.unique(np.linspace(1, top_n, 200).round().astype(int))
    limits = funnel_limits(overall, sizes, levels)
    handles = [Line2D([], [], color="black", linewidth=1.2, label=f"Alla: {sv_percent(overall)}")]
    ax.axhline(overall, color="black", linewidth=1.2)
    for i, level in enumerate(levels):
        style = LIMIT_STYLES[i % len(LIMIT_STYLES)]
        for side in ("low", "high"):
            ax.plot(sizes, limits[f"{side}_{level:g}"], color=NEUTRAL, linestyle=style, lw=1)
        handles.append(
            Line2D([], [], color=NEUTRAL, linestyle=style, lw=1, label=_level_label(level))
        )
    marked = set(map(str, highlight)) or set(map(str, shown.index))
    for i, (name, row) in enumerate(shown.iterrows()):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)] if str(name) in marked else _OTHER_COLOUR
        x, y = float(row["ended"]), float(row["share"])
        ax.plot(x, y, marker="o", markersize=7, markerfacecolor="white", color=colour, mew=1.5)
        label_y = y
        if adjusted:
            ya = float(row["share_adjusted"])
            ax.plot([x, x], [y, ya], color=colour, linewidth=0.8)
            ax.plot(x, ya, marker="D", markersize=6, color=colour)
            label_y = ya
        ax.annotate(
            str(name),
            (x, label_y),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=SMALL,
            color="black" if str(name) in marked else "#555555",
        )
    handles.append(
        Line2D([], [], marker="o", color=NEUTRAL, markerfacecolor="white", ls="", label="Andel")
    )
    if adjusted:
        handles.append(Line2D([], [], marker="D", color=NEUTRAL, ls="", label="Justerad andel"))
    # the y range: every mark, and the inner limits from a tenth of the x range on
    values = shown[[c for c in wanted if c != "ended"]].to_numpy(dtype=float).ravel()
    at = limits.iloc[len(limits) // 10]
    low = float(np.min(np.append(values, at[f"low_{levels[0]:g}"])))
    high = float(np.max(np.append(values, at[f"high_{levels[0]:g}"])))
    pad = max(0.05, 0.1 * (high - low))
    ax.set_ylim(max(0.0, low - pad), min(1.0, high + pad))
    ax.set_xlim(0, top_n * 1.12)  # room for the names
    ax.yaxis.set_major_formatter(PERCENT)
    ax.xaxis.set_major_formatter(THOUSANDS)
    ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax.set_xlabel("Antal avslutade deltagare")
    ax.set_ylabel("Andel till arbete och/eller studier")
    legend_above(ax, handles, ncols=3)
    outside = []
    for name, row in shown.iterrows():
        lim = funnel_limits(overall, [int(row["ended"])], levels[:1]).iloc[0]
        y = float(row["share_adjusted"] if adjusted else row["share"])
        if not lim.iloc[0] <= y <= lim.iloc[1]:
            outside.append(str(name))
    what = "justerade andelar" if adjusted else "andelar"
    summary = (
        f"{len(shown)} förbund, andelen till arbete och/eller studier för alla är "
        f"{sv_percent(overall)}. "
        + (
            f"Utanför {_level_label(levels[0], plural=True)} ({what}): {', '.join(outside)}."
            if outside
            else f"Alla {what} ligger inom {_level_label(levels[0], plural=True)}."
        )
    )
    if left_out:
        extra = "Visas inte (för få eller dolda uppgifter): " + ", ".join(left_out) + "."
        note = f"{note} {extra}" if note else extra
        summary += " " + extra
    describe(fig, summary)
    return finish(fig, title, source, note)
