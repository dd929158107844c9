"""Charts of the economic and funding indicators: savings, profitability, payback, member
contributions, budget use and equity.

Every function takes the output of :mod:`finsamlib.economics` or :mod:`finsamlib.funding`
(aggregates, never participant rows) and returns a matplotlib Figure (never saved or shown) in
the shared style with Swedish labels, a title and a "Källa:" line; ``title``, ``source`` and
``note`` override the Swedish defaults. Positive and negative amounts are told apart by colour
*and* hatch so the charts read in greyscale.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..categories import ACTOR_LABELS
from ..funding import EQUITY_STEPS, EquityStep
from .style import (
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    SERIES_COLOURS,
    SERIES_HATCHES,
    SMALL,
    THOUSANDS,
    WIDTH,
    describe,
    finish,
    legend_above,
    new_figure,
    sv_number,
    sv_percent,
    wrap,
)

DEFAULT_SOURCE = "Egen beräkning"
NEGATIVE_HATCH = "//"
NO_PAYBACK = "—"

MKR = FuncFormatter(lambda x, _pos: sv_number(x / 1e6, 1))
TKR = FuncFormatter(lambda x, _pos: sv_number(x / 1e3))


def _actor_label(actor: str) -> str:
    return ACTOR_LABELS.get(actor, str(actor))


def _years_label(years: float) -> str:
    y = int(years) if float(years).is_integer() else years
    return f"{sv_number(y, 0) if isinstance(y, int) else sv_number(y, 1)} år"


def _diverging_colours(values: Sequence[float]) -> tuple[list[str], list[str]]:
    colours = [POSITIVE if v >= 0 else NEGATIVE for v in values]
    hatches = ["" if v >= 0 else NEGATIVE_HATCH for v in values]
    return colours, hatches


# --------------------------------------------------------------------------- savings


def savings_chart(
    savings: pd.DataFrame,
    *,
    group: str | None = None,
    title: str = "Besparing med schablonbelopp",
    source: str = DEFAULT_SOURCE,
    note: str | None = None,
) -> Figure:
    """Savings over the horizons (Mkr): :func:`finsamlib.economics.flat_rate_savings`.

    ``savings`` has ``years``, ``savings`` (kr) and, to compare cohorts, a ``group`` column named
    by ``group``: one bar per horizon and group.
    """
    need = {"years", "savings"} | ({group} if group else set())
    if not need <= set(savings.columns):
        raise KeyError(f"savings needs columns {sorted(need)}")
    groups = list(dict.fromkeys(savings[group])) if group else [None]
    horizons = sorted(savings["years"].unique())
    fig, ax = new_figure(8.0, 4.5)
    width = 0.8 / len(groups)
    x = np.arange(len(horizons))
    for i, g in enumerate(groups):
        part = savings if g is None else savings[savings[group] == g]
        heights = part.set_index("years")["savings"].reindex(horizons).to_numpy(dtype=float)
        bars = ax.bar(
            x + (i - (len(groups) - 1) / 2) * width,
            heights,
            width,
            color=SERIES_COLOURS[i % len(SERIES_COLOURS)],
            hatch=SERIES_HATCHES[i % len(SERIES_HATCHES)],
            edgecolor="white",
            label=None if g is None else str(g),
        )
        ax.bar_label(bars, labels=[sv_number(h / 1e6, 1) for h in heights], padding=2, fontsize=8)
    ax.set_xticks(x, [_years_label(h) for h in horizons])
    ax.yaxis.set_major_formatter(MKR)
    ax.set_ylabel("Mkr")
    ax.set_xlabel("Tidshorisont")
    if group:
        ax.legend()
    if note is None and "rate" in savings.columns and savings["rate"].nunique() == 1:
        rate = float(savings["rate"].iloc[0])
        note = f"Schablonbelopp {sv_number(rate)} kr per person och år, odiskonterat."
    return finish(fig, title, source, note)


# --------------------------------------------------------------------------- profitability

_HORIZONS = {
    "short": ("result_short_term", "result_per_participant_short_term", "Kort sikt (1 år)"),
    "medium": ("result_medium_term", "result_per_participant_medium_term", "Medellång sikt"),
}


def profitability_chart(
    profitability: pd.DataFrame,
    *,
    horizons: Sequence[str] = ("short", "medium"),
    per_participant: bool = False,
    title: str = "Lönsamhet per aktör",
    source: str = DEFAULT_SOURCE,
    note: str | None = None,
) -> Figure:
    """Diverging bars of the result per actor: :func:`finsamlib.economics.profitability`.

    One bar per actor and horizon (``short``: 1 year, ``medium``: the table's medium term),
    green above zero, orange and hatched below it; the short term is the paler bar. Totals in
    Mkr or, with ``per_participant``, kr per participant.
    """
    unknown = [h for h in horizons if h not in _HORIZONS]
    if unknown or not horizons:
        raise ValueError(f"horizons must be among {list(_HORIZONS)}, not {list(horizons)}")
    actors = list(profitability.index)
    years = profitability.attrs.get("medium_term_years")
    fig, ax = new_figure(WIDTH, 2.4 + 0.45 * len(actors) * len(horizons))
    height = 0.8 / len(horizons)
    y = np.arange(len(actors))
    handles: list[Patch] = []
    summary: list[str] = []
    for i, h in enumerate(horizons):
        total_col, pp_col, label = _HORIZONS[h]
        if h == "medium" and years:
            label = f"Medellång sikt ({years} år)"
        alpha = 1.0 if (h == "medium" or len(horizons) == 1) else 0.55
        values = profitability[pp_col if per_participant else total_col].to_numpy(dtype=float)
        colours, hatches = _diverging_colours(values)
        offset = (i - (len(horizons) - 1) / 2) * height
        bars = ax.barh(y + offset, values, height, color=colours, alpha=alpha, edgecolor="white")
        for bar, hatch in zip(bars, hatches, strict=True):
            bar.set_hatch(hatch)
        if per_participant:
            labels = [sv_number(v) for v in values]
        else:
            labels = [sv_number(v / 1e6, 1) for v in values]
        ax.bar_label(bars, labels=labels, padding=3, fontsize=SMALL)
        handles.append(Patch(facecolor=POSITIVE, alpha=alpha, edgecolor="white", label=label))
        summary.append(
            f"{label}: "
            + ", ".join(
                f"{_actor_label(a)} {lab}{'' if per_participant else ' Mkr'}"
                for a, lab in zip(actors, labels, strict=True)
            )
            + "."
        )
    ax.axvline(0, color=NEUTRAL, linewidth=0.8)
    ax.set_yticks(y, [_actor_label(a) for a in actors])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(THOUSANDS if per_participant else MKR)
    ax.set_xlabel("kr per deltagare" if per_participant else "Mkr")
    ax.margins(x=0.25)
    handles.append(
        Patch(facecolor=NEGATIVE, hatch=NEGATIVE_HATCH, edgecolor="white", label="Negativt")
    )
    legend_above(ax, handles, ncols=len(handles))
    describe(fig, "Resultat per aktör. " + " ".join(summary))
    if note is None:
        note = "Resultat = intäkt minus insatskostnad; negativa värden är orange och streckade."
    return finish(fig, title, source, note)


# --------------------------------------------------------------------------- payback


def payback_chart(
    paybacks: pd.DataFrame,
    *,
    title: str = "Återbetalningstid per aktör och år",
    source: str = DEFAULT_SOURCE,
    note: str | None = None,
) -> Figure:
    """Payback months per actor (rows) and year (columns), grouped bars.

    A missing value (no payback: the revenue is not positive) gets no bar but a "—" at zero.
    """
    actors = list(paybacks.index)
    years = list(paybacks.columns)
    fig, ax = new_figure(9.0, 4.8)
    width = 0.8 / max(len(years), 1)
    x = np.arange(len(actors))
    for i, year in enumerate(years):
        values = paybacks[year].to_numpy(dtype=float)
        pos = x + (i - (len(years) - 1) / 2) * width
        shown = ~np.isnan(values)
        bars = ax.bar(
            pos[shown],
            values[shown],
            width,
            color=SERIES_COLOURS[i % len(SERIES_COLOURS)],
            hatch=SERIES_HATCHES[i % len(SERIES_HATCHES)],
            edgecolor="white",
            label=str(year),
        )
        ax.bar_label(bars, labels=[sv_number(v) for v in values[shown]], padding=2, fontsize=7)
        for p in pos[~shown]:
            ax.text(p, 0, NO_PAYBACK, ha="center", va="bottom", fontsize=9, color=NEUTRAL)
    ax.set_xticks(x, [_actor_label(a) for a in actors], rotation=15, ha="right")
    ax.set_ylabel("Månader")
    ax.yaxis.set_major_formatter(THOUSANDS)
    ax.legend(title="År", ncols=min(len(years), 5))
    if note is None:
        note = f"{NO_PAYBACK} = ingen återbetalning (den årliga intäkten är inte positiv)."
    return finish(fig, title, source, note)


# --------------------------------------------------------------------------- contributions


def contributions_chart(
    contributions: pd.DataFrame,
    *,
    title: str = "Medlemsinsatser per kommun",
    source: str = DEFAULT_SOURCE,
    note: str | None = None,
) -> Figure:
    """Each kommun's yearly contribution: :func:`finsamlib.funding.member_contributions`."""
    if "kr_per_year" not in contributions.columns:
        raise KeyError("contributions needs a kr_per_year column")
    t = contributions.sort_values("kr_per_year", ascending=True)
    fig, ax = new_figure(8.0, 1.2 + 0.4 * len(t))
    bars = ax.barh([str(k) for k in t.index], t["kr_per_year"], color=SERIES_COLOURS[0])
    if "share" in t.columns:
        labels = [
            f"{sv_number(v)} kr ({sv_percent(s, 1)})"
            for v, s in zip(t["kr_per_year"], t["share"], strict=True)
        ]
    else:
        labels = [f"{sv_number(v)} kr" for v in t["kr_per_year"]]
    ax.bar_label(bars, labels=labels, padding=3, fontsize=8)
    ax.xaxis.set_major_formatter(THOUSANDS)
    ax.set_xlabel("kr per år")
    ax.margins(x=0.25)
    if note is None:
        total = float(t["kr_per_year"].sum())
        note = (
            f"Fördelat efter antal invånare 16–64 år; totalt {sv_number(total)} kr per år. "
            "Avrundat med största-restmetoden så att delarna summerar till totalen."
        )
    return finish(fig, title, source, note)


# --------------------------------------------------------------------------- budget vs outcome


def budget_chart(
    utilisation: pd.DataFrame,
    *,
    title: str = "Budget och utfall per insats",
    source: str = DEFAULT_SOURCE,
    note: str | None = None,
) -> Figure:
    """Budget and outcome per insats (tkr), with the utilisation on each pair.

    ``utilisation`` is :func:`finsamlib.funding.budget_utilisation`'s output; its total rows are
    left out of the bars and given in the note.
    """
    is_total = utilisation.get("is_total", pd.Series(False, index=utilisation.index))
    rows = utilisation[~is_total.astype(bool)]
    totals = utilisation[is_total.astype(bool)]
    fig, ax = new_figure(WIDTH, 2.4 + 0.5 * len(rows))
    y = np.arange(len(rows))
    h = 0.4
    ax.barh(y - h / 2, rows["budget"], h, color=SERIES_COLOURS[0], label="Budget")
    out_bars = ax.barh(
        y + h / 2,
        rows["outcome"],
        h,
        color=SERIES_COLOURS[1],
        hatch="//",
        edgecolor="white",
        label="Utfall",
    )
    labels = ["" if pd.isna(u) or u == 0 else sv_percent(u) for u in rows["utilisation"]]
    ax.bar_label(out_bars, labels=labels, padding=3, fontsize=SMALL)
    ax.set_yticks(y, [wrap(str(i), 18) for i in rows["insats"]])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(TKR)
    ax.set_xlabel("tkr")
    ax.margins(x=0.15)
    ax.xaxis.set_major_locator(MaxNLocator(4))
    legend_above(ax, ncols=2)
    describe(
        fig,
        "Förbrukning av budgeten per insats: "
        + ", ".join(
            f"{i} {'–' if pd.isna(u) else sv_percent(u)}"
            for i, u in zip(rows["insats"], rows["utilisation"], strict=True)
        )
        + ".",
    )
    if note is None and len(totals):
        t = totals.iloc[0]
        note = (
            f"Totalt: budget {sv_number(t['budget'] / 1e3)} tkr, utfall "
            f"{sv_number(t['outcome'] / 1e3)} tkr, förbrukning {sv_percent(t['utilisation'], 1)}."
        )
    return finish(fig, title, source, note)


# --------------------------------------------------------------------------- equity


def _equity_note(steps: Sequence[EquityStep]) -> str:
    parts, lower = [], 0.0
    for step in sorted(steps, key=lambda st: st.up_to):
        span = (
            f"över {sv_number(lower / 1e6)} Mkr"
            if math.isinf(step.up_to)
            else f"upp till {sv_number(step.up_to / 1e6)} Mkr"
        )
        kind = " (antagande)" if "assumption" in step.source else ""
        parts.append(f"{sv_percent(step.share)} av intäkterna {span}{kind}")
        lower = step.up_to
    return "Rekommenderat tak (trappan): " + "; ".join(parts) + "."


def equity_chart(
    equity: pd.DataFrame,
    *,
    year: int | None = None,
    title: str = "Eget kapital och rekommenderat tak",
    source: str = DEFAULT_SOURCE,
    note: str | None = None,
) -> Figure:
    """Equity per association against the recommended ceiling (tkr).

    ``equity`` is :func:`finsamlib.funding.equity_indicators`' output (indexed by association
    and year); ``year`` picks one year (default: the latest). Bars above the ceiling are orange
    and hatched, the ceiling is a black mark.
    """
    t = equity
    if isinstance(t.index, pd.MultiIndex):
        years = t.index.get_level_values("year")
        chosen = max(years) if year is None else year
        t = t.xs(chosen, level="year")
    fig, ax = new_figure(8.0, 4.5)
    x = np.arange(len(t))
    over = (t["equity"] > t["recommended_equity"]).to_numpy()
    colours = [NEGATIVE if o else POSITIVE for o in over]
    bars = ax.bar(x, t["equity"], 0.6, color=colours, edgecolor="white", label="Eget kapital")
    for bar, o in zip(bars, over, strict=True):
        bar.set_hatch(NEGATIVE_HATCH if o else "")
    ax.scatter(
        x,
        t["recommended_equity"],
        marker="_",
        s=900,
        color="black",
        linewidths=2,
        zorder=3,
        label="Rekommenderat tak",
    )
    labels = [
        f"{sv_number(e / 1e3)}\n({sv_percent(s)} av intäkterna)"
        for e, s in zip(t["equity"], t["equity_share_of_revenue"], strict=True)
    ]
    ax.bar_label(bars, labels=labels, padding=2, fontsize=8)
    ax.set_xticks(x, [str(a) for a in t.index])
    ax.yaxis.set_major_formatter(TKR)
    ax.set_ylabel("tkr")
    ax.margins(y=0.2)
    handles, _ = ax.get_legend_handles_labels()
    handles = [h for h in handles if not isinstance(h, BarContainer)] + [
        Patch(facecolor=POSITIVE, label="Eget kapital inom taket"),
        Patch(facecolor=NEGATIVE, hatch=NEGATIVE_HATCH, edgecolor="white", label="Över taket"),
    ]
    ax.legend(handles=handles, loc="upper left")
    if note is None:
        note = _equity_note(EQUITY_STEPS)
    return finish(fig, title, source, note)
