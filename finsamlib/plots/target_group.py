"""Charts of the target-group sizing: the estimate per area with coverage, and a tornado chart.

Each function takes an indicator table from :mod:`finsamlib.target_group` (``size``,
``coverage``, ``sensitivity``) and returns a matplotlib Figure (never saved or shown) in the
shared style, with Swedish labels, a title and a "Källa:" line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..target_group import ALL, REFERENCE_COVERAGE, TOTAL
from .style import (
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    SERIES_COLOURS,
    SMALL,
    WIDTH,
    describe,
    finish,
    legend_above,
    new_figure,
    sv_number,
    sv_percent,
    wrap,
)

DEFAULT_SOURCE = "Målgruppsmodell efter SKL:s förstudie FINSAM 2016 (Bilaga 4), egen bearbetning"
REFERENCE_LABEL = "ISF 2017: drygt 10 %"


def _area_names(areas: pd.Series, names: dict[str, str] | None) -> list[str]:
    names = names or {}
    return [names.get(str(a), str(a)) for a in areas]


def target_group_chart(
    sized: pd.DataFrame,
    coverage: pd.DataFrame | None = None,
    area_names: dict[str, str] | None = None,
    title: str = "Målgruppens beräknade storlek per område",
    source: str = DEFAULT_SOURCE,
    note: str | None = None,
) -> Figure:
    """Stacked bars of each group's contribution per area; beside them, coverage if given.

    ``sized`` is :func:`finsamlib.target_group.size` (one year); ``coverage`` the output of
    :func:`finsamlib.target_group.coverage` for the same areas, drawn with ISF's ~10 % of 2017
    as a reference line. ``area_names`` maps area codes (kommun codes) to names.
    """
    groups = sized[sized["group"] != TOTAL]
    if groups.empty:
        raise ValueError("the sizing table has no group rows")
    areas = list(dict.fromkeys(groups["area"].astype(str)))
    wide = groups.pivot_table(index="area", columns="group", values="contribution", aggfunc="sum")
    order = list(dict.fromkeys(groups["group"]))
    wide.index = wide.index.astype(str)
    wide = wide.reindex(index=areas, columns=order).fillna(0.0)
    labels = dict(zip(groups["group"], groups["label"].fillna(groups["group"]), strict=False))
    y = np.arange(len(areas))[::-1]
    ncols = 2 if coverage is not None else 1
    fig, axes = new_figure(
        10 if ncols == 2 else 8, 1.6 + 0.45 * len(areas), ncols=ncols, sharey=True
    )
    ax = axes[0] if ncols == 2 else axes
    left = np.zeros(len(areas))
    for i, g in enumerate(order):
        ax.barh(
            y, wide[g], left=left, color=SERIES_COLOURS[i % len(SERIES_COLOURS)], label=labels[g]
        )
        left += wide[g].to_numpy()
    for yi, v in zip(y, left, strict=True):
        ax.text(v * 1.01, yi, sv_number(v), va="center", fontsize=8)
    ax.set_xlim(0, left.max() * 1.2)
    ax.set_yticks(y, _area_names(pd.Series(areas), area_names))
    ax.set_xlabel("Personer i behov av samordnad rehabilitering (beräknat)")
    ax.xaxis.set_major_formatter(lambda v, _p: sv_number(v))
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3)
    ax.grid(axis="y", visible=False)
    if coverage is not None:
        ax2 = axes[1]
        cov = coverage.copy()
        cov["area"] = cov["area"].astype(str)
        values = cov.set_index("area")["coverage"].reindex(areas).to_numpy(dtype=float)
        ax2.barh(y, np.nan_to_num(values), color=SERIES_COLOURS[2])
        for yi, v in zip(y, values, strict=True):
            if not np.isnan(v):
                ax2.text(v * 1.01, yi, sv_percent(v, 1), va="center", fontsize=8)
        ax2.axvline(REFERENCE_COVERAGE, color=NEUTRAL, linestyle="--", label=REFERENCE_LABEL)
        top = np.nanmax(np.append(values, REFERENCE_COVERAGE))
        ax2.set_xlim(0, top * 1.25)
        ax2.xaxis.set_major_formatter(lambda v, _p: sv_percent(v))
        ax2.set_xlabel("Täckning: nådda personer / beräknad målgrupp")
        ax2.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16))
        ax2.grid(axis="y", visible=False)
    return finish(fig, title, source, note)


def tornado_chart(
    sensitivity: pd.DataFrame,
    area: str | None = None,
    title: str = "Känslighet: målgruppens storlek när en andel ändras",
    source: str = DEFAULT_SOURCE,
    note: str | None = None,
) -> Figure:
    """A tornado chart: the total with each group's share at its low and high bound.

    ``sensitivity`` is :func:`finsamlib.target_group.sensitivity`; ``area`` picks one area (the
    only one if None). Groups are sorted by the width of their range, the widest on top; a
    last bar shows all shares low and all high together.
    """
    areas = sensitivity["area"].astype(str).unique()
    if area is None:
        if len(areas) != 1:
            raise ValueError(f"pick one area; the table has {', '.join(areas)}")
        area = areas[0]
    rows = sensitivity[sensitivity["area"].astype(str) == str(area)]
    if rows.empty:
        raise KeyError(f"no rows for area {area!r}")
    if rows["year"].nunique(dropna=False) > 1:
        raise ValueError("the table has several years for this area; pass one year's rows")
    groups = rows[rows["group"] != ALL].copy()
    groups["width"] = groups["total_high"] - groups["total_low"]
    groups = groups.sort_values("width", ascending=True, kind="stable")
    everything = rows[rows["group"] == ALL]
    central = float(rows["total"].iloc[0])
    labels = [
        f"{r.label} ({sv_percent(r.share_low)}–{sv_percent(r.share_high)})"
        for r in groups.itertuples()
    ]
    lows = groups["total_low"].to_numpy(dtype=float)
    highs = groups["total_high"].to_numpy(dtype=float)
    if not everything.empty:
        labels.insert(0, "Alla andelar låga / höga")
        lows = np.insert(lows, 0, float(everything["total_low"].iloc[0]))
        highs = np.insert(highs, 0, float(everything["total_high"].iloc[0]))
    y = np.arange(len(labels))
    fig, ax = new_figure(WIDTH, 2.4 + 0.55 * len(labels))
    ax.barh(y, central - lows, left=lows, color=NEGATIVE, label="Låg andel")
    ax.barh(y, highs - central, left=central, color=POSITIVE, label="Hög andel")
    ax.axvline(central, color="black", linewidth=1)
    for yi, lo, hi in zip(y, lows, highs, strict=True):
        ax.text(lo, yi, sv_number(lo) + " ", va="center", ha="right", fontsize=SMALL)
        ax.text(hi, yi, " " + sv_number(hi), va="center", ha="left", fontsize=SMALL)
    span = highs.max() - lows.min()
    ax.set_xlim(lows.min() - 0.3 * span, highs.max() + 0.3 * span)
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.set_yticks(y, [wrap(lab, 22) for lab in labels])
    ax.xaxis.set_major_formatter(lambda v, _p: sv_number(v))
    ax.set_xlabel(f"Beräknad målgrupp (mitt: {sv_number(central)})")
    legend_above(ax, ncols=2)
    ax.grid(axis="y", visible=False)
    widest = int(np.argmax(highs - lows))
    describe(
        fig,
        f"Beräknad målgrupp {sv_number(central)} personer. Störst spann: {labels[widest]}, "
        f"{sv_number(lows[widest])}–{sv_number(highs[widest])}.",
    )
    return finish(fig, title, source, note)
