"""The published supply before/after table and chart outside the report runner (notebooks).

The association report protects its supply table with the run's one disclosure pattern and
draws its chart from that protected table (:func:`finsamlib.reports.sections.supply_section`).
A notebook gets the same: :func:`pattern` computes the pattern of its participants as
``finsam reports`` does (every published cell of every report of those rows, primary and
secondary suppression audited together), and the table and chart are built from it, never from
the raw counts: a value hidden in the table is hidden in the chart (marked ``<5`` or ``..``
where its bar would be), and no other table of the reports gives it back.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from .disclosure import Pattern
from .privacy import DEFAULT_THRESHOLD


def pattern(
    threshold: int = DEFAULT_THRESHOLD,
    participants: pd.DataFrame | None = None,
    data_dir: str | Path | None = None,
) -> Pattern:
    """The run-wide suppression pattern, as ``finsam reports`` computes it: of the data folder
    ``data_dir`` (None: the embedded data), or, given ``participants`` (a user's own export,
    which has no registry), of those rows with each association a county of its own and no
    money cells."""
    from .reports import cells

    if participants is None:
        return cells.folder_pattern(data_dir, int(threshold))
    names = sorted(participants["association"].astype(str).unique())
    registry = pd.DataFrame({"association": names, "county": names})
    return cells.pattern_for(participants, registry, int(threshold))


def supply_table(
    change: pd.DataFrame, pattern: Pattern, association: str, year: int
) -> pd.DataFrame:
    """The association report's table (Swedish labels, counts, shares, change) of one group of
    :func:`finsamlib.supply.change`, with the cells ``pattern`` hides hidden."""
    from .reports import sections

    return sections.supply_table(change, pattern=pattern, association=association, year=year)


def chart_data(change: pd.DataFrame, pattern: Pattern, association: str, year: int) -> pd.DataFrame:
    """``change`` with every value hidden in :func:`supply_table` set to NaN (and marked), for
    the chart."""
    from .reports import sections

    table = supply_table(change, pattern, association, year)
    return sections.supply_chart_table(change, table)


def before_after_chart(
    change: pd.DataFrame,
    pattern: Pattern,
    association: str,
    year: int,
    *,
    title: str = "Försörjning före och efter insats",
    source: str | None = None,
) -> Figure:
    """The report's before/after bars (:func:`finsamlib.plots.supply.before_after_bars`)
    drawn from :func:`chart_data`: suppression holds in the chart as in the table."""
    from .plots import supply as supply_plots

    kwargs = {"source": source} if source else {}
    data = chart_data(change, pattern, association, year)
    return supply_plots.before_after_bars(data, title=title, **kwargs)
