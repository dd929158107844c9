"""The shared chart style: one look, Swedish number format, a title and a source on every figure.

Colours of support categories come from :mod:`finsamlib.categories` so every chart colours a
category the same way; those colours follow the Okabe–Ito colour-blind-safe palette and the
family hatches keep charts readable in greyscale.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # headless: the library never opens windows

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.layout_engine import TightLayoutEngine
from matplotlib.ticker import FuncFormatter

from ..categories import FAMILIES, SUPPORT, SUPPORT_COLOURS

#: Neutral colours for series that are not support categories (association, county, nation …).
SERIES_COLOURS: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
#: Hatches for series that are not support categories, so grouped bars read in greyscale.
SERIES_HATCHES: tuple[str, ...] = ("", "//", "..", "xx", "\\\\", "oo")
POSITIVE = "#009E73"
NEGATIVE = "#D55E00"
NEUTRAL = "#7F7F7F"

RC = {
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "font.size": 10,
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
}


def apply_style() -> None:
    """Set the project's matplotlib defaults (idempotent)."""
    plt.rcParams.update(RC)


def new_figure(width: float = 8.0, height: float = 4.5, **kwargs: object) -> tuple[Figure, object]:
    """A styled Figure and its Axes (``plt.subplots`` arguments pass through)."""
    apply_style()
    fig, ax = plt.subplots(figsize=(width, height), **kwargs)
    return fig, ax


def finish(fig: Figure, title: str, source: str, note: str | None = None) -> Figure:
    """Give a figure its title and a 'Källa:' line (and an optional note) at the bottom."""
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    text = f"Källa: {source}" + (f"\n{note}" if note else "")
    fig.text(0.01, 0.005, text, ha="left", va="bottom", fontsize=8, color="#444444")
    # Apply a tight layout once without attaching an engine to the figure: a figure that has one
    # (fig.tight_layout() leaves a placeholder) is drawn twice by every savefig, a dry run first.
    TightLayoutEngine(rect=(0, 0.06 if not note else 0.1, 1, 0.95)).execute(fig)
    return fig


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
