"""Charts of the insats portfolio: counts and money per group side by side, spending over time.

Every function takes an indicator table from :mod:`finsamlib.portfolio` (``breakdown``,
``spending_per_year``, ``structural_share``), returns a matplotlib Figure (never saved or
shown) in the shared style, with Swedish labels, a title and a "Källa:" line. Tables computed
from synthetic data get a note saying so.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..categories import FINANCING_LABELS, INSATS_TYPE_LABELS, OWNER_LABELS
from ..portfolio import UNDEFINED_GROUP
from .style import (
    NEUTRAL,
    SERIES_COLOURS,
    SMALL,
    WIDTH,
    describe,
    finish,
    legend_above,
    new_figure,
    sv_number,
    sv_percent,
    top_items,
    wrap,
)

DEFAULT_SOURCE = "Insatsportfölj (beviljade medel), egen bearbetning"
SYNTHETIC_NOTE = "Syntetiska demonstrationsdata, inte verkliga insatser."
#: Swedish names of the breakdown dimensions, for titles.
DIMENSION_LABELS: dict[str, str] = {
    "owner": "huvudman",
    "target_group": "målgrupp",
    "type": "typ av insats",
    "financing": "finansiering",
    "partner": "samverkanspart",
    "year": "startår",
    "association": "förbund",
}
#: Swedish names of the views of a list-valued dimension.
VIEW_NOTES: dict[str, str] = {
    "every": "En insats med flera grupper räknas i varje grupp, så staplarna summerar till mer "
    "än totalen.",
    "allocated": "En insats med flera grupper delas lika mellan grupperna.",
    "primary": "Varje insats räknas i sin första (primära) grupp.",
}
TYPE_COLOURS: dict[str, str] = {"I": SERIES_COLOURS[0], "S": SERIES_COLOURS[1]}


def _label(dimension: str, value: object) -> str:
    labels: Mapping[str, str] = {
        "owner": OWNER_LABELS,
        "type": INSATS_TYPE_LABELS,
        "financing": FINANCING_LABELS,
    }.get(dimension, {})
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return UNDEFINED_GROUP
    return labels.get(str(value), str(value))


def _note(table: pd.DataFrame, extra: str | None) -> str | None:
    parts = [p for p in (extra,) if p]
    if table.attrs.get("provenance") == "synthetic":
        parts.append(SYNTHETIC_NOTE)
    return " ".join(parts) or None


def breakdown_chart(
    breakdown: pd.DataFrame,
    by: str,
    view: str = "every",
    title: str | None = None,
    source: str = DEFAULT_SOURCE,
    note: str | None = None,
) -> Figure:
    """Insatser (count) and granted money (Mkr) per group, as two bar panels side by side.

    ``breakdown`` is :func:`finsamlib.portfolio.breakdown` for one dimension ``by``; ``view``
    picks its rows (``every``, ``allocated`` or ``primary``).
    """
    if by not in breakdown.columns:
        raise KeyError(f"the breakdown has no column {by!r}")
    rows = breakdown[breakdown["view"] == view] if "view" in breakdown.columns else breakdown
    if rows.empty:
        raise ValueError(f"the breakdown has no rows for the view {view!r}")
    labels = [_label(by, v) for v in rows[by]]
    y = np.arange(len(rows))[::-1]
    # one panel above the other: side by side they would not fit a phone's width
    fig, (ax_n, ax_m) = new_figure(WIDTH, 2.6 + 0.75 * len(rows), nrows=2)
    counts = rows["insatser"].to_numpy(dtype=float)
    money = rows["amount"].to_numpy(dtype=float) / 1e6
    ax_n.barh(y, counts, color=SERIES_COLOURS[0])
    ax_m.barh(y, money, color=SERIES_COLOURS[1])
    for ax in (ax_n, ax_m):
        ax.set_yticks(y, [wrap(lab, 24) for lab in labels])
    ax_n.set_xlabel("Antal insatser")
    ax_m.set_xlabel("Beviljade medel (Mkr)")
    for ax, values, decimals in ((ax_n, counts, 1 if view == "allocated" else 0), (ax_m, money, 1)):
        top = max(values.max(), 1e-9)
        for yi, v in zip(y, values, strict=True):
            ax.text(v + top * 0.01, yi, sv_number(v, decimals), va="center", fontsize=SMALL)
        ax.set_xlim(0, top * 1.22)
        ax.grid(axis="y", visible=False)
    dim = DIMENSION_LABELS.get(by, by)
    describe(
        fig,
        f"Flest insatser per {dim}: "
        + top_items(list(zip(labels, counts, strict=True)), 3, lambda v: sv_number(v, 0))
        + f". Mest beviljade medel per {dim}: "
        + top_items(list(zip(labels, money, strict=True)), 3, lambda v: f"{sv_number(v, 1)} Mkr")
        + ".",
    )
    total_n = breakdown.attrs.get("n_insatser")
    total_m = breakdown.attrs.get("total_amount")
    summary = None
    if total_n is not None and total_m is not None:
        summary = f"Totalt {sv_number(total_n)} insatser, {sv_number(total_m / 1e6, 1)} Mkr."
    view_note = VIEW_NOTES.get(view) if by in ("target_group", "partner") else None
    return finish(
        fig,
        title or f"Insatser och beviljade medel per {dim}",
        source,
        _note(breakdown, " ".join(p for p in (summary, view_note, note) if p)),
    )


def spending_chart(
    spending: pd.DataFrame,
    title: str | None = None,
    source: str = DEFAULT_SOURCE,
    note: str | None = None,
) -> Figure:
    """Granted money spread over the years (Mkr), stacked by insats type when given.

    ``spending`` is :func:`finsamlib.portfolio.spending_per_year`, optionally ``by="type"``;
    with types, a line on a second axis shows the structural share.
    """
    if not {"year", "amount"} <= set(spending.columns):
        raise KeyError("spending needs the columns year and amount")
    fig, ax = new_figure(WIDTH, 4.5)
    years = sorted(spending["year"].unique())
    x = np.arange(len(years))
    if "type" in spending.columns:
        wide = spending.pivot_table(index="year", columns="type", values="amount", aggfunc="sum")
        wide = wide.reindex(index=years, columns=list(INSATS_TYPE_LABELS)).fillna(0.0) / 1e6
        bottom = np.zeros(len(years))
        for code in wide.columns:
            ax.bar(
                x,
                wide[code],
                bottom=bottom,
                color=TYPE_COLOURS[code],
                label=INSATS_TYPE_LABELS[code],
                hatch="" if code == "I" else "//",
            )
            bottom += wide[code].to_numpy()
        total = wide.sum(axis=1).to_numpy()
        share = np.divide(
            wide["S"].to_numpy(), total, out=np.full(len(total), np.nan), where=total > 0
        )
        ax2 = ax.twinx()
        ax2.plot(x, share, color=NEUTRAL, marker="o", label="Andel strukturinriktat")
        ax2.set_ylim(0, 1.05)
        ax2.set_ylabel("Andel strukturinriktade medel")
        ax2.yaxis.set_major_formatter(lambda v, _p: sv_percent(v))
        ax2.grid(False)
        h1, _ = ax.get_legend_handles_labels()
        h2, _ = ax2.get_legend_handles_labels()
        legend_above(ax, h1 + h2)
    else:
        per_year = spending.groupby("year")["amount"].sum().reindex(years) / 1e6
        ax.bar(x, per_year.to_numpy(), color=SERIES_COLOURS[0])
    ax.set_xticks(x, [str(y) for y in years])
    ax.set_ylabel("Mkr per år")
    method = spending.attrs.get("method", "days")
    spread = "dag" if method == "days" else "månad"
    base_note = f"Beviljade medel fördelade jämnt per {spread} över insatsens period."
    return finish(
        fig,
        title or "Beviljade medel per år",
        source,
        _note(spending, " ".join(p for p in (base_note, note) if p)),
    )
