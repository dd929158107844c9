"""The shared chart style: one look, Swedish number format, a title and a source on every figure.

Colours of support categories come from :mod:`finsamlib.categories` so every chart colours a
category the same way; those colours follow the Okabe–Ito colour-blind-safe palette and the
family hatches keep charts readable in greyscale.

Charts are drawn for the web page first: :data:`WIDTH` inches wide with no text smaller than
:data:`SMALL` points, so that as inline SVG scaled to a 390 px phone the smallest text is still
about 9 px (see :func:`finsamlib.narrative.figure`). Legends sit above the data
(:func:`legend_above`), legend swatches take the bars' own colours, a suppressed value is
marked where its bar would be (:func:`mark_hidden`) and every chart carries a one-sentence
summary of its data for the alt text (:func:`describe`).
"""

from __future__ import annotations

import logging
import re
import textwrap
from collections.abc import Hashable

import matplotlib

matplotlib.use("Agg")  # headless: the library never opens windows

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.layout_engine import TightLayoutEngine
from matplotlib.ticker import FuncFormatter

from .. import privacy
from ..categories import FAMILIES, SUPPORT, SUPPORT_COLOURS

#: Neutral colours for series that are not support categories (association, county, nation …).
SERIES_COLOURS: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
#: Hatches for series that are not support categories, so grouped bars read in greyscale.
SERIES_HATCHES: tuple[str, ...] = ("", "//", "..", "xx", "\\\\", "oo")
POSITIVE = "#009E73"
NEGATIVE = "#D55E00"
NEUTRAL = "#7F7F7F"
#: Width of a report chart in inches: the page shows it at most 600 px wide and scales it down
#: on a phone, where 9 pt text at this width is about 9 px.
WIDTH = 5.0
#: The smallest text on a chart (points): value labels, notes, ticks.
SMALL = 9
#: Colour of the marks of suppressed or missing values.
MARK_COLOUR = "#444444"
#: Attribute of a Figure holding its data summary (see :func:`describe`).
SUMMARY_ATTR = "finsam_summary"
#: The charts' font: bundled with matplotlib, so text is measured the same on every machine.
FONT = "DejaVu Sans"
#: Families the SVG names after :data:`FONT` for a reader's browser that lacks it. matplotlib
#: never needs them (it has :data:`FONT`), so their absence here is not worth a warning.
WEB_FALLBACK_FONTS: tuple[str, ...] = ("Liberation Sans",)

RC = {
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "font.size": 10,
    "xtick.labelsize": SMALL,
    "ytick.labelsize": SMALL,
    "legend.fontsize": SMALL,
    "axes.labelsize": SMALL,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "legend.frameon": False,
    "axes.formatter.use_locale": False,
    # SVG for the web: text stays text (it scales and can be selected), and the output is the
    # same from run to run (fixed hash salt for clip-path ids, no date in the metadata)
    "svg.fonttype": "none",
    "svg.hashsalt": "finsam",
    "font.family": [FONT, *WEB_FALLBACK_FONTS, "sans-serif"],
}


class _QuietWebFallbacks(logging.Filter):
    """Drops matplotlib's "findfont: Font family 'Liberation Sans' not found." for the web
    fallback families: without the font installed it came once per text drawn (thousands of
    lines on a run's standard error), though every chart is drawn in :data:`FONT`."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        return text not in {f"findfont: Font family {f!r} not found." for f in WEB_FALLBACK_FONTS}


def apply_style() -> None:
    """Set the project's matplotlib defaults (idempotent)."""
    plt.rcParams.update(RC)
    fonts = logging.getLogger("matplotlib.font_manager")
    if not any(isinstance(f, _QuietWebFallbacks) for f in fonts.filters):
        fonts.addFilter(_QuietWebFallbacks())


def new_figure(
    width: float = WIDTH, height: float = 4.5, **kwargs: object
) -> tuple[Figure, object]:
    """A styled Figure and its Axes (``plt.subplots`` arguments pass through)."""
    apply_style()
    fig, ax = plt.subplots(figsize=(width, height), **kwargs)
    return fig, ax


def finish(fig: Figure, title: str, source: str, note: str | None = None) -> Figure:
    """Give a figure its title and a 'Källa:' line (and an optional note) at the bottom; long
    lines wrap to the figure's width."""
    width = fig.get_figwidth()
    title = wrap(title, int(width * 8.5))
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    text = f"Källa: {source}" + (f"\n{note}" if note else "")
    text = "\n".join(wrap(line, int(width * 13)) for line in text.split("\n"))
    fig.text(0.01, 0.005, text, ha="left", va="bottom", fontsize=SMALL, color="#444444")
    height_pt = 72 * fig.get_figheight()
    bottom = min(0.45, ((text.count("\n") + 1) * SMALL * 1.3 + 6) / height_pt)
    top = 1 - min(0.3, ((title.count("\n") + 1) * 12 * 1.3 + 8) / height_pt)
    # Apply a tight layout once without attaching an engine to the figure: a figure that has one
    # (fig.tight_layout() leaves a placeholder) is drawn twice by every savefig, a dry run first.
    TightLayoutEngine(rect=(0, bottom, 1, top), pad=0.6).execute(fig)
    _close_top_gap(fig, top - 6 / height_pt)
    return fig


def wrap(text: str, width: int) -> str:
    """Text on lines of at most ``width`` characters, broken between words only."""
    return textwrap.fill(str(text), width, break_long_words=False, break_on_hyphens=False)


def _close_top_gap(fig: Figure, top: float) -> None:
    """Raise the top row of axes so that what sits above them (a legend) ends at ``top``: the
    tight layout leaves a gap of about a legend's height there."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    axes = [ax for ax in fig.axes if ax.get_visible()]
    if not axes:
        return
    highest = max(
        ax.get_tightbbox(renderer).transformed(fig.transFigure.inverted()).y1 for ax in axes
    )
    gap = top - highest
    if gap <= 0.005:
        return
    row = max(ax.get_position().y1 for ax in axes)
    for ax in axes:
        box = ax.get_position()
        if abs(box.y1 - row) < 1e-6:
            ax.set_position([box.x0, box.y0, box.width, box.height + gap])


def sv_number(x: float, decimals: int = 0) -> str:
    """A number the Swedish way: thin space between thousands, decimal comma."""
    text = f"{x:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    return text.replace("-", "\u2212")


def sv_percent(x: float, decimals: int = 0) -> str:
    """A share (0–1) as a Swedish percentage, e.g. 0.342 -> '34 %'."""
    return f"{sv_number(100 * x, decimals)}\u00a0%"


#: Axis tick formatters.
THOUSANDS = FuncFormatter(lambda x, _pos: sv_number(x))
PERCENT = FuncFormatter(lambda x, _pos: sv_percent(x))


def category_colour(code: str) -> str:
    """The colour of a support category."""
    return SUPPORT_COLOURS[code]


def category_hatch(code: str) -> str:
    """The hatch of a support category's family (for greyscale)."""
    return FAMILIES[SUPPORT[code].family].hatch


# --------------------------------------------------------------------------- shared conventions


def legend_above(ax: object, handles: list | None = None, ncols: int | None = None, **kw: object):
    """A legend in a row above the axes, outside the data (never over bars or lines), ending at
    the axes' right edge so that a wide one spreads over the tick labels' margin."""
    if handles is None:
        handles, _labels = ax.get_legend_handles_labels()  # type: ignore[attr-defined]
    n = ncols or min(len(handles), 3)
    return ax.legend(  # type: ignore[attr-defined]
        handles=handles,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.01),
        ncols=n,
        borderaxespad=0.0,
        columnspacing=1.2,
        handlelength=1.6,
        **kw,
    )


def hidden_mark(table: object, row: Hashable, column: Hashable) -> str:
    """The mark of a value that is not shown: ``"<5"`` for a small count, ``".."`` for a
    value hidden to protect one, ``"–"`` for a value that is simply missing."""
    reason = privacy.suppressed_cells(table).get((row, column))  # type: ignore[arg-type]
    if reason == privacy.PRIMARY:
        limit = privacy.threshold_of(table)  # type: ignore[arg-type]
        return privacy.primary_mark(privacy.DEFAULT_THRESHOLD if limit is None else limit)
    if reason == privacy.SECONDARY:
        return privacy.SECONDARY_MARK
    return "–"


def mark_hidden(
    ax: object, x: float, y: float, mark: str, horizontal: bool = True, rotation: float = 0
) -> object:
    """Write ``mark`` where a hidden value's bar would start (at zero), so it does not vanish."""
    return ax.text(  # type: ignore[attr-defined]
        x,
        y,
        (" " + mark) if horizontal else mark,
        ha="left" if horizontal else "center",
        va="center" if horizontal else "bottom",
        fontsize=SMALL,
        color=MARK_COLOUR,
        fontstyle="italic",
        rotation=rotation,
        gid="finsam-hidden",
    )


def describe(fig: Figure, summary: str) -> Figure:
    """Attach a Swedish one-paragraph summary of the chart's data (the alt text)."""
    setattr(fig, SUMMARY_ATTR, re.sub(r"[ \t\n]+", " ", summary).strip())  # keeps no-break spaces
    return fig


def summary_of(fig: object) -> str:
    """The summary :func:`describe` attached, or an empty string."""
    return str(getattr(fig, SUMMARY_ATTR, "") or "")


def top_items(pairs: list[tuple[str, float]], n: int, fmt) -> str:
    """The ``n`` largest values as ``"A 34 %, B 20 %"`` (None and NaN left out)."""
    shown = [(k, v) for k, v in pairs if v is not None and v == v]
    shown.sort(key=lambda kv: -kv[1])
    return ", ".join(f"{k} {fmt(v)}" for k, v in shown[:n])
