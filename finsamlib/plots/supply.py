"""Charts of supply (försörjning) before and after, and of the SUS outcome table.

Every function takes an **indicator table**, never participant rows: the output of
:mod:`finsamlib.supply` (``change``, ``work_or_studies_share``, ``transition_matrix``) or of
``finsamlib.outcomes.outcome_table``. The report layer can therefore suppress small counts
(:func:`finsamlib.privacy.suppress`) before plotting: suppressed cells are NaN, and the charts
leave them out (the heatmap marks them ``<5`` / ``..``) and say so in a note.

Each function returns a matplotlib Figure (never saved or shown) in the shared style, with
Swedish labels, category colours and family hatches (so the charts read in greyscale), a title
and a "Källa:" line from :func:`finsamlib.plots.style.finish`. ``title``, ``source`` and
``note`` override the Swedish defaults.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Literal

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path
from matplotlib.ticker import MaxNLocator

from .. import privacy
from ..categories import FAMILIES, SUPPORT
from ..outcomes import INDICATOR_LABELS, INDICATOR_UNITS
from ..supply import category_label
from .style import (
    NEUTRAL,
    PERCENT,
    SERIES_COLOURS,
    SERIES_HATCHES,
    SMALL,
    THOUSANDS,
    WIDTH,
    describe,
    finish,
    hidden_mark,
    legend_above,
    mark_hidden,
    new_figure,
    sv_number,
    sv_percent,
    top_items,
    wrap,
)

#: Default source line: the data are SUS-like participant follow-up.
DEFAULT_SOURCE = "SUS (Sektorsövergripande system för uppföljning av samverkan), egen bearbetning"
#: The SUS outcome indicators shown by default: the shares of the outcome table (seed 001,
#: UTFALL 2019), which share one axis.
DEFAULT_OUTCOME_INDICATORS: tuple[str, ...] = (
    "share_under_30",
    "share_support_over_3_years",
    "share_compulsory_or_less",
    "share_post_secondary",
    "work_share",
)
_MISSING_NOTE = "Värden som saknas visas inte."


def _missing_note(table: pd.DataFrame, missing: bool) -> str | None:
    """The note for values left out: hidden small counts (suppressed table) or missing values."""
    if not missing:
        return None
    if privacy.is_suppressed(table):
        limit = privacy.threshold_of(table)
        mark = privacy.primary_mark(privacy.DEFAULT_THRESHOLD if limit is None else limit)
        return (
            f"Små tal ({mark}) och värden som räknas fram ur dem ({privacy.SECONDARY_MARK}) "
            "är dolda."
        )
    return _MISSING_NOTE


# --------------------------------------------------------------------------- helpers


def _colour(key: str) -> str:
    """Colour of a support code or family key (``work_or_studies`` takes the work colour)."""
    if key in SUPPORT:
        return SUPPORT[key].colour
    if key in FAMILIES:
        return FAMILIES[key].colour
    if key == "work_or_studies":
        return FAMILIES["work"].colour
    return NEUTRAL


def _hatch(key: str) -> str:
    if key in SUPPORT:
        return FAMILIES[SUPPORT[key].family].hatch
    if key in FAMILIES:
        return FAMILIES[key].hatch
    if key == "work_or_studies":
        return "++"
    return ""


def _label(key: str) -> str:
    try:
        return category_label(key)
    except KeyError:
        return str(key)


def _lighter(colour: str, amount: float = 0.6) -> tuple[float, float, float]:
    """The colour mixed with white (for the 'before' bars)."""
    r, g, b = mcolors.to_rgb(colour)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def _one_group(table: pd.DataFrame, what: str) -> pd.DataFrame:
    """The table of one group: categories must not repeat."""
    missing = [c for c in ("category",) if c not in table.columns]
    if missing:
        raise KeyError(f"{what} needs a 'category' column (the output of finsamlib.supply)")
    if table["category"].duplicated().any():
        by = table.attrs.get("by") or "the grouping columns"
        raise ValueError(
            f"{what} draws one group; the table holds several (grouped by {by}). "
            "Select one first, e.g. table[table['association'] == 'Finnveden']."
        )
    return table.reset_index(drop=True)


def _joined(*notes: str | None) -> str | None:
    text = " ".join(n for n in notes if n)
    return text or None


def _count_note(table: pd.DataFrame) -> str | None:
    """'Avslutade deltagare med ...: n' when the table has a shown n."""
    if "n" not in table.columns or table.empty:
        return None
    n = table["n"].iloc[0]
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return None
    return f"Avslutade deltagare med registrerad försörjning före och efter: {sv_number(n)}."


def _confidence(table: pd.DataFrame) -> str:
    alpha = table.attrs.get("alpha", 0.05)
    return f"{sv_number(100 * (1 - alpha))} %"


def _signed_pp(x: float) -> str:
    sign = "+" if x > 0 else ""
    return f"{sign}{sv_number(x, 1)} p.e."


# --------------------------------------------------------------------------- before/after bars


def before_after_bars(
    table: pd.DataFrame,
    *,
    title: str = "Försörjning före och efter insats",
    source: str = DEFAULT_SOURCE,
    note: str | None = None,
    drop_empty: bool = True,
    show_values: bool = True,
) -> Figure:
    """Share per support category before and after the insats, as paired horizontal bars.

    Parameters
    ----------
    table : one group of :func:`finsamlib.supply.change` (or ``work_or_studies_share``): the
        columns ``category``, ``label``, ``share_before``, ``share_after`` (and ``n``,
        ``count_before``/``count_after`` if present).
    drop_empty : leave out categories nobody had before or after.
    show_values : write the share at the end of each bar.

    The 'before' bar is a light tint of the category colour, the 'after' bar the full colour;
    both carry the family hatch; the legend above the bars shows both in the first category's
    colours. A suppressed (NaN) share gets no bar but its mark (``<5``, ``..``) at zero; a zero
    share gets no bar and no label.
    """
    t = _one_group(table.assign(_row=list(table.index)), "before_after_bars")
    if drop_empty and {"count_before", "count_after"} <= set(t.columns):
        t = t[~((t["count_before"] == 0) & (t["count_after"] == 0))].reset_index(drop=True)
    fig, ax = new_figure(WIDTH, max(3.2, 0.62 * len(t) + 2.0))
    height = 0.4
    suppressed = False
    top = np.nanmax(t[["share_before", "share_after"]].to_numpy(dtype=float), initial=0.0)
    first: str | None = None
    for i, row in t.iterrows():
        colour, hatch = _colour(row["category"]), _hatch(row["category"])
        for offset, column, face, edge in (
            (-height / 2, "share_before", _lighter(colour), colour),
            (height / 2, "share_after", colour, "white"),
        ):
            share = row[column]
            if pd.isna(share):
                suppressed = True
                mark_hidden(ax, 0, i + offset, hidden_mark(table, row["_row"], column))
                continue
            first = first or row["category"]
            ax.barh(
                i + offset,
                share,
                height=height,
                color=face,
                edgecolor=edge,
                hatch=hatch,
                linewidth=0.8,
            )
            if show_values and share > 0:
                ax.text(share, i + offset, " " + sv_percent(share), va="center", fontsize=SMALL)
    labels = [wrap(row.get("label") or _label(row["category"]), 22) for _, row in t.iterrows()]
    ax.set_yticks(range(len(t)), labels)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(PERCENT)
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.set_xlim(0, max(0.1, top * 1.3))
    ax.set_xlabel("Andel av avslutade deltagare")
    ax.grid(axis="y", visible=False)
    # the swatches are the bars of the first category drawn: light before, full after
    colour = _colour(first) if first else NEUTRAL
    hatch = _hatch(first) if first else ""
    legend_above(
        ax,
        [
            Patch(facecolor=_lighter(colour), edgecolor=colour, hatch=hatch, label="Före insats"),
            Patch(facecolor=colour, edgecolor="white", hatch=hatch, label="Efter insats"),
        ],
    )
    names = [row.get("label") or _label(row["category"]) for _, row in t.iterrows()]
    describe(
        fig,
        "Största grupperna före insats: "
        + (top_items(list(zip(names, t["share_before"], strict=True)), 3, sv_percent) or "inga")
        + ". Efter insats: "
        + (top_items(list(zip(names, t["share_after"], strict=True)), 3, sv_percent) or "inga")
        + "."
        + (" Vissa värden är dolda (små tal)." if suppressed else ""),
    )
    extra = _missing_note(table, suppressed)
    return finish(fig, title, source, _joined(note, _count_note(t), extra))


# --------------------------------------------------------------------------- transitions


def _matrix(matrix: pd.DataFrame, what: str) -> pd.DataFrame:
    if isinstance(matrix.index, pd.MultiIndex):
        raise ValueError(
            f"{what} draws one group; the matrix is grouped by {list(matrix.index.names[:-1])}. "
            "Select one first, e.g. matrix.loc['Finnveden']."
        )
    return matrix


def transition_flow(
    matrix: pd.DataFrame,
    *,
    title: str = "Från försörjning före till försörjning efter insats",
    source: str = DEFAULT_SOURCE,
    note: str | None = None,
    min_label_share: float = 0.02,
) -> Figure:
    """The transition drawn as a flow: before on the left, after on the right, bands between.

    Parameters
    ----------
    matrix : one group of :func:`finsamlib.supply.transition_matrix` with counts (or
        ``normalize="all"`` shares): rows ``before``, columns ``after``.
    min_label_share : categories smaller than this share of all get no label (they would
        overlap); their bars and bands are still drawn.

    Each category present is a bar whose height is proportional to its count (category colour
    and family hatch); each non-zero cell is a band from its before bar to its after bar, with
    a width proportional to the count, coloured by where it came from. Suppressed (NaN) cells
    are left out (the bars are then the sums of the cells shown, and no total is printed) and
    the note says so.
    """
    m = _matrix(matrix, "transition_flow")
    if m.attrs.get("normalize") == "index":
        raise ValueError(
            "transition_flow needs counts or shares of all (normalize=None or 'all'), "
            "not row shares: row shares do not add up across rows"
        )
    values = m.to_numpy(dtype=float)
    suppressed = bool(np.isnan(values).any())
    values = np.nan_to_num(values, nan=0.0)
    total = values.sum()
    if total <= 0:
        raise ValueError("transition_flow needs at least one pair with a count above zero")
    rows, cols = list(m.index), list(m.columns)
    left = [i for i in range(len(rows)) if values[i].sum() > 0]
    right = [j for j in range(len(cols)) if values[:, j].sum() > 0]

    shares = m.attrs.get("normalize") == "all"

    def amount(v: float) -> str:
        return sv_percent(v) if shares else sv_number(v)

    fig, ax = new_figure(9.0, 6.0)
    ax.set_axis_off()
    width, x_left, x_right, gap = 0.05, 0.0, 0.95, 0.015

    def stack(sizes: list[float]) -> list[tuple[float, float]]:
        """(top, bottom) of each node, top to bottom, the whole stack 1 high with gaps."""
        scale = (1 - gap * (len(sizes) - 1)) / sum(sizes)
        spans, y = [], 1.0
        for s in sizes:
            spans.append((y, y - s * scale))
            y -= s * scale + gap
        return spans

    left_spans = dict(zip(left, stack([values[i].sum() for i in left]), strict=True))
    right_spans = dict(zip(right, stack([values[:, j].sum() for j in right]), strict=True))
    scale = (left_spans[left[0]][0] - left_spans[left[0]][1]) / values[left[0]].sum()

    for spans, x, keys, sums in (
        (left_spans, x_left, rows, values.sum(axis=1)),
        (right_spans, x_right, cols, values.sum(axis=0)),
    ):
        for idx, (top, bottom) in spans.items():
            key = str(keys[idx])
            ax.add_patch(
                Rectangle(
                    (x, bottom),
                    width,
                    top - bottom,
                    facecolor=_colour(key),
                    edgecolor="white",
                    hatch=_hatch(key),
                    linewidth=0.6,
                )
            )
            if sums[idx] / total >= min_label_share:
                on_left = x == x_left
                ax.text(
                    x - 0.01 if on_left else x + width + 0.01,
                    (top + bottom) / 2,
                    textwrap.fill(f"{_label(key)} ({amount(sums[idx])})", 28),
                    ha="right" if on_left else "left",
                    va="center",
                    fontsize=8,
                )

    # bands: stacked in canonical order inside each node
    out_pos = {i: left_spans[i][0] for i in left}
    in_pos = {j: right_spans[j][0] for j in right}
    x0, x1 = x_left + width, x_right
    mid = (x0 + x1) / 2
    for i in left:
        for j in right:
            v = values[i, j]
            if v <= 0:
                continue
            h = v * scale
            y0, y1 = out_pos[i], in_pos[j]
            out_pos[i] -= h
            in_pos[j] -= h
            verts = [
                (x0, y0),
                (mid, y0),
                (mid, y1),
                (x1, y1),
                (x1, y1 - h),
                (mid, y1 - h),
                (mid, y0 - h),
                (x0, y0 - h),
                (x0, y0),
            ]
            codes = [
                Path.MOVETO,
                Path.CURVE4,
                Path.CURVE4,
                Path.CURVE4,
                Path.LINETO,
                Path.CURVE4,
                Path.CURVE4,
                Path.CURVE4,
                Path.CLOSEPOLY,
            ]
            ax.add_patch(
                PathPatch(
                    Path(verts, codes),
                    facecolor=_colour(str(rows[i])),
                    alpha=0.45,
                    edgecolor="none",
                )
            )
    ax.text(x_left + width / 2, 1.03, "Före insats", ha="center", va="bottom", fontweight="bold")
    ax.text(x_right + width / 2, 1.03, "Efter insats", ha="center", va="bottom", fontweight="bold")
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylim(-0.02, 1.08)
    extra = _missing_note(m, suppressed)
    base = (
        f"Antal avslutade deltagare: {sv_number(total)}."
        if m.attrs.get("normalize") is None and not suppressed
        else None
    )
    return finish(fig, title, source, _joined(note, base, extra))


def transition_heatmap(
    matrix: pd.DataFrame,
    *,
    title: str = "Försörjning före och efter insats",
    source: str = DEFAULT_SOURCE,
    note: str | None = None,
    values: Literal["auto", "count", "share"] = "auto",
    drop_empty: bool = True,
) -> Figure:
    """The transition matrix as an annotated heatmap (before in rows, after in columns).

    Parameters
    ----------
    matrix : one group of :func:`finsamlib.supply.transition_matrix`.
    values : how cells are written: ``"count"``, ``"share"`` (percent), or ``"auto"`` (shares
        when the matrix was normalized, else counts; from ``attrs["normalize"]``).
    drop_empty : leave out categories nobody had before (rows) or after (columns).

    Suppressed cells (from :func:`finsamlib.privacy.suppress`) are blank and marked ``<5`` or
    ``..``; a sequential colour map keeps the chart readable in greyscale.
    """
    m = _matrix(matrix, "transition_heatmap")
    normalize = m.attrs.get("normalize")
    if values == "auto":
        values = "share" if normalize else "count"
    if values not in ("count", "share"):
        raise ValueError(f"values must be 'auto', 'count' or 'share', got {values!r}")
    hidden = privacy.suppressed_cells(m)
    limit = privacy.threshold_of(m)
    if drop_empty:
        data = m.to_numpy(dtype=float)
        filled = np.nan_to_num(data, nan=0.0) > 0
        hidden_at = np.zeros_like(filled)
        for r, c in hidden:
            hidden_at[m.index.get_loc(r), m.columns.get_loc(c)] = True
        keep_rows = (filled | hidden_at).any(axis=1)
        keep_cols = (filled | hidden_at).any(axis=0)
        m = m.loc[keep_rows, keep_cols]
    data = m.to_numpy(dtype=float)
    n_rows, n_cols = data.shape
    fig, ax = new_figure(max(6.0, 0.75 * n_cols + 3.5), max(4.0, 0.5 * n_rows + 2.6))
    shown = np.ma.masked_invalid(data)
    vmax = float(np.nanmax(data, initial=0.0)) or 1.0
    image = ax.imshow(shown, cmap="Blues", vmin=0, vmax=vmax, aspect="auto")
    for r in range(n_rows):
        for c in range(n_cols):
            v = data[r, c]
            reason = hidden.get((m.index[r], m.columns[c]))
            if reason == privacy.PRIMARY:
                text, colour = privacy.primary_mark(limit or privacy.DEFAULT_THRESHOLD), "#444444"
            elif reason == privacy.SECONDARY:
                text, colour = privacy.SECONDARY_MARK, "#444444"
            elif np.isnan(v):
                text, colour = "–", "#444444"
            else:
                text = sv_percent(v) if values == "share" else sv_number(v)
                colour = "white" if v > 0.6 * vmax else ("#999999" if v == 0 else "black")
            ax.text(c, r, text, ha="center", va="center", fontsize=8, color=colour)
    ax.set_xticks(range(n_cols), [_label(str(k)) for k in m.columns], rotation=40, ha="right")
    ax.set_yticks(range(n_rows), [_label(str(k)) for k in m.index])
    ax.set_xlabel("Försörjning efter insats")
    ax.set_ylabel("Försörjning före insats")
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    if values == "share":
        bar.formatter = PERCENT
        what = {
            "index": "Andel av dem med samma försörjning före",
            "all": "Andel av samtliga",
        }.get(normalize or "", "Andel")
        bar.set_label(what)
    else:
        bar.formatter = THOUSANDS
        bar.set_label("Antal deltagare")
    bar.update_ticks()
    extra = _missing_note(m, bool(hidden) or bool(np.isnan(data).any()))
    return finish(fig, title, source, _joined(note, extra))


# --------------------------------------------------------------------------- change


def change_chart(
    table: pd.DataFrame,
    *,
    title: str = "Förändring av försörjning efter insats",
    source: str = DEFAULT_SOURCE,
    note: str | None = None,
    drop_empty: bool = True,
    show_values: bool = True,
) -> Figure:
    """The change per category in percentage points, with its confidence interval.

    Parameters
    ----------
    table : one group of :func:`finsamlib.supply.change` (or ``work_or_studies_share``):
        ``category``, ``label``, ``change_pp``, ``change_pp_low``, ``change_pp_high``.
    drop_empty : leave out categories nobody had before or after.

    Bars in the category colour and family hatch from zero to the change, error bars for
    Newcombe's paired interval (see :func:`finsamlib.supply.paired_difference_interval`).
    """
    t = _one_group(table, "change_chart")
    needed = ["change_pp", "change_pp_low", "change_pp_high"]
    missing = [c for c in needed if c not in t.columns]
    if missing:
        raise KeyError(f"change_chart needs the columns {missing} (finsamlib.supply.change)")
    if drop_empty and {"count_before", "count_after"} <= set(t.columns):
        t = t[~((t["count_before"] == 0) & (t["count_after"] == 0))].reset_index(drop=True)
    fig, ax = new_figure(8.0, max(3.0, 0.45 * len(t) + 1.6))
    suppressed = False
    for i, row in t.iterrows():
        value = row["change_pp"]
        if pd.isna(value):
            suppressed = True
            continue
        key = row["category"]
        ax.barh(
            i,
            value,
            height=0.6,
            color=_colour(key),
            edgecolor="white",
            hatch=_hatch(key),
            linewidth=0.8,
        )
        low, high = row["change_pp_low"], row["change_pp_high"]
        if not (pd.isna(low) or pd.isna(high)):
            ax.errorbar(
                value,
                i,
                xerr=[[value - low], [high - value]],
                fmt="none",
                ecolor="black",
                elinewidth=1,
                capsize=3,
            )
        if show_values:
            end = high if not pd.isna(high) and value >= 0 else (low if not pd.isna(low) else 0)
            ax.text(
                end,
                i,
                (" " if value >= 0 else "") + _signed_pp(value) + (" " if value < 0 else ""),
                va="center",
                ha="left" if value >= 0 else "right",
                fontsize=8,
            )
    labels = [row.get("label") or _label(row["category"]) for _, row in t.iterrows()]
    ax.set_yticks(range(len(t)), labels)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    spread = t[["change_pp_low", "change_pp_high", "change_pp"]].abs().to_numpy(dtype=float)
    reach = float(np.nanmax(spread, initial=1.0))
    ax.set_xlim(-reach * 1.35, reach * 1.35)
    ax.xaxis.set_major_formatter(THOUSANDS)
    ax.set_xlabel(f"Förändring i procentenheter, med {_confidence(t)} konfidensintervall")
    ax.grid(axis="y", visible=False)
    extra = _missing_note(table, suppressed)
    return finish(fig, title, source, _joined(note, _count_note(t), extra))


# --------------------------------------------------------------------------- outcome table


def _unit(table: pd.DataFrame, key: str) -> str:
    """An indicator's unit: ``attrs["units"]`` (set by ``outcome_table``), else the outcome
    module's :data:`~finsamlib.outcomes.INDICATOR_UNITS`, else its name (``share_*``/``*_share``
    are percent, anything else a count)."""
    units = table.attrs.get("units") or {}
    if key in units:
        return str(units[key])
    if key in INDICATOR_UNITS:
        return INDICATOR_UNITS[key]
    return "percent" if key.startswith("share_") or key.endswith("_share") else "count"


_UNIT_AXIS = {"percent": "Andel", "count": "Antal", "days": "Dagar", "fte": "Heltidsekvivalenter"}


def outcome_comparison(
    table: pd.DataFrame,
    indicators: Sequence[str] = DEFAULT_OUTCOME_INDICATORS,
    *,
    areas: Sequence[str] | None = None,
    sex: str = "Totalt",
    labels: Mapping[str, str] | None = None,
    scale: Literal["auto", "fraction", "percent"] = "auto",
    title: str = "Utfall jämfört med länet och riket",
    source: str = DEFAULT_SOURCE,
    note: str | None = None,
) -> Figure:
    """Selected indicators of the SUS outcome table for several areas, as grouped horizontal
    bars (one group per indicator, top to bottom; one bar per area).

    Parameters
    ----------
    table : the outcome table (``finsamlib.outcomes.outcome_table``): rows are indicator keys
        (``work_share`` …), columns a MultiIndex (area, sex) with sex in Totalt/Kvinnor/Män.
    indicators : the rows to show, all of one unit (one axis): the units come from
        ``attrs["units"]`` (as ``outcome_table`` sets them), else shares are the keys named
        ``share_*`` or ``*_share`` and everything else counts.
    areas : the areas to compare, in this order (default: every area of the table, e.g. the
        association, the county and the nation).
    sex : ``"Totalt"``, ``"Kvinnor"`` or ``"Män"``.
    labels : Swedish labels of the indicators, over the defaults of
        :data:`finsamlib.outcomes.INDICATOR_LABELS` (SUS's row labels).
    scale : for shares, whether the table holds fractions (0.34) or percentages (34);
        ``"auto"`` takes percentages when ``attrs["units"]`` names the unit (``outcome_table``
        gives percent), otherwise fractions when every shown value is at most 1.

    One bar per area and indicator, in the series colours with a hatch per area so that the
    areas can be told apart in greyscale; the legend sits above the bars. A suppressed (NaN)
    value gets no bar but its mark (``<5``, ``..``) at zero; a zero gets no label.
    """
    if not isinstance(table.columns, pd.MultiIndex) or table.columns.nlevels != 2:
        raise ValueError("the outcome table needs columns (area, sex) as a two-level MultiIndex")
    indicators = list(indicators)
    unknown = [k for k in indicators if k not in table.index]
    if unknown:
        raise KeyError(f"indicators {unknown} not in the outcome table; it has {list(table.index)}")
    kinds = {_unit(table, k) for k in indicators}
    if len(kinds) != 1:
        raise ValueError(
            "show indicators of one unit in one chart; got "
            + ", ".join(f"{k} ({_unit(table, k)})" for k in indicators)
        )
    (unit,) = kinds
    sexes = table.columns.get_level_values(1)
    if sex not in set(sexes):
        raise KeyError(f"sex {sex!r} not in the outcome table; it has {sorted(set(sexes))}")
    all_areas = list(dict.fromkeys(table.columns.get_level_values(0)))
    areas = list(areas) if areas is not None else all_areas
    missing = [a for a in areas if a not in all_areas]
    if missing:
        raise KeyError(f"areas {missing} not in the outcome table; it has {all_areas}")
    data = pd.DataFrame(
        {a: pd.to_numeric(table[(a, sex)].loc[indicators], errors="coerce") for a in areas}
    )
    share = unit == "percent"
    if share:
        if scale == "auto":
            if any(k in (table.attrs.get("units") or {}) for k in indicators):
                scale = "percent"
            else:
                small = bool((data.abs() <= 1).all().all()) or data.isna().all().all()
                scale = "fraction" if small else "percent"
        if scale == "percent":
            data = data / 100
        elif scale != "fraction":
            raise ValueError(f"scale must be 'auto', 'fraction' or 'percent', got {scale!r}")
    names = {**INDICATOR_LABELS, **dict(labels or {})}

    # horizontal bars: the indicators' long Swedish labels read on the left, the values at the
    # bar ends, and the chart stays readable at a phone's width
    rows = len(areas) * len(indicators)
    fig, ax = new_figure(WIDTH, max(3.4, 1.9 + 0.24 * rows + 0.15 * len(indicators)))
    height = 0.8 / max(1, len(areas))
    suppressed = False

    def shown(v: float) -> str:
        return sv_percent(v) if share else sv_number(v, 0 if unit == "count" else 1)

    for a_i, area in enumerate(areas):
        y = np.arange(len(indicators)) - 0.4 + height * (a_i + 0.5)
        colour = SERIES_COLOURS[a_i % len(SERIES_COLOURS)]
        hatch = SERIES_HATCHES[a_i % len(SERIES_HATCHES)]
        for yi, key, v in zip(y, indicators, data[area], strict=True):
            if pd.isna(v):
                suppressed = True
                mark_hidden(ax, 0, yi, hidden_mark(table, key, (area, sex)))
                continue
            ax.barh(
                yi, v, height=height, color=colour, edgecolor="white", hatch=hatch, linewidth=0.8
            )
            if v != 0:
                ax.text(v, yi, " " + shown(v), ha="left", va="center", fontsize=SMALL)
    ticks = [wrap(names.get(k, k), 20) for k in indicators]
    ax.set_yticks(range(len(indicators)), ticks)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(PERCENT if share else THOUSANDS)
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.set_xlabel(_UNIT_AXIS.get(unit, unit))
    ax.grid(axis="y", visible=False)
    long_names = max((len(str(a)) for a in areas), default=0) > 14
    legend_above(
        ax,
        [
            Patch(
                facecolor=SERIES_COLOURS[i % len(SERIES_COLOURS)],
                edgecolor="white",
                hatch=SERIES_HATCHES[i % len(SERIES_HATCHES)],
                label=str(area),
            )
            for i, area in enumerate(areas)
        ],
        ncols=min(len(areas), 2 if long_names else 3),
    )
    top = float(np.nanmax(data.to_numpy(dtype=float), initial=0.0))
    ax.set_xlim(0, (top or 1.0) * 1.3)
    describe(
        fig,
        " ".join(
            f"{names.get(k, k)}: "
            + ", ".join(
                f"{a} {shown(data.at[k, a]) if pd.notna(data.at[k, a]) else 'dolt'}" for a in areas
            )
            + "."
            for k in indicators
        ),
    )
    sex_note = {"Kvinnor": "Avser kvinnor.", "Män": "Avser män."}.get(sex)
    extra = _missing_note(table, suppressed)
    return finish(fig, title, source, _joined(note, sex_note, extra))
