"""The published supply before/after table and chart outside the report runner (notebooks).

The association report protects its supply table with the run's disclosure pattern and draws
its chart from that protected table (:func:`finsamlib.reports.sections.supply_section`). A
notebook has no run, so here the same table function suppresses the table on its own
(``threshold``: small counts, their shares and changes, and a second count wherever the total
would reveal one), and the chart is drawn from that table, never from the raw counts: a value
hidden in the table is hidden in the chart (marked ``<5`` or ``..`` where its bar would be).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from .privacy import DEFAULT_THRESHOLD


def supply_table(change: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """The protected table of one group of :func:`finsamlib.supply.change`: the association
    report's table (Swedish labels, counts, shares, change), suppressed with ``threshold``."""
    from .reports import sections

    return sections.supply_table(change, threshold)


def chart_data(change: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """``change`` with every value hidden in :func:`supply_table` set to NaN (and marked), for
    the chart."""
    from .reports import sections

    return sections.supply_chart_table(change, supply_table(change, threshold))


def before_after_chart(
    change: pd.DataFrame,
    threshold: int = DEFAULT_THRESHOLD,
    *,
    title: str = "Försörjning före och efter insats",
    source: str | None = None,
) -> Figure:
    """The report's before/after bars (:func:`finsamlib.plots.supply.before_after_bars`)
    drawn from :func:`chart_data`: suppression holds in the chart as in the table."""
    from .plots import supply as supply_plots

    kwargs = {"source": source} if source else {}
    return supply_plots.before_after_bars(chart_data(change, threshold), title=title, **kwargs)
