"""Utveckling över tid: the key figures of every year, per association and county.

A follow-up report describes one year; :func:`yearly_trend` puts the years side by side, with the
same definitions as the one-year tables:

* ``ended``: registrations that ended in the year (:func:`finsamlib.outcomes.ended_in_year`);
* ``work_or_studies``: of them, with work and/or studies after (either extent > 0, the outcome
  table's "arbete och/eller studier"), and ``share_work_or_studies`` (fraction of ``ended``);
* the supply change: ``supply_n`` ended registrations with a registered main support both before
  and after (those :mod:`finsamlib.supply` includes), ``public_before`` / ``public_after`` of
  them whose main support was public (the families of :data:`PUBLIC_FAMILIES`: paid by the
  kommun, Försäkringskassan or via Arbetsförmedlingen/a-kassa), their shares (fractions of
  ``supply_n``) and ``public_change_pp`` = 100 × (after − before), in percentage points;
* the money: ``revenue_society``, the yearly revenue for society of the change from support
  before to after (:func:`finsamlib.economics.annual_revenue`, with the standard costs given),
  ``cost_society`` (:func:`finsamlib.economics.insats_cost` of the ended) and
  ``result_society`` = revenue − cost, the short-term result of seed 003's Tabell 7. NaN without
  standard costs or without anyone ended.

Areas are the values of ``by`` (associations by default) and, with a ``registry``, every
county all of whose associations are in the data (a county summed over only some of them would
not be the county's). The module is pure: DataFrames and parameters in, a DataFrame out.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import economics
from .categories import SUPPORT_FAMILY
from .errors import FinsamDataError
from .outcomes import _extent, _require, ended_in_year

#: The families of support counted as public support in the supply change: paid by the kommun,
#: by Försäkringskassan or via Arbetsförmedlingen/a-kassa (:data:`finsamlib.categories.FAMILIES`).
PUBLIC_FAMILIES: tuple[str, ...] = ("kommun", "fk", "af")
#: The support codes of :data:`PUBLIC_FAMILIES`.
PUBLIC_CODES: tuple[str, ...] = tuple(c for c, f in SUPPORT_FAMILY.items() if f in PUBLIC_FAMILIES)

COLUMNS: tuple[str, ...] = (
    "ended",
    "work_or_studies",
    "share_work_or_studies",
    "supply_n",
    "public_before",
    "public_after",
    "share_public_before",
    "share_public_after",
    "public_change_pp",
    "revenue_society",
    "cost_society",
    "result_society",
)


def _ratio(count: float, n: float) -> float:
    return count / n if n else float("nan")


def year_figures(
    ended: pd.DataFrame, standard_costs: pd.DataFrame | economics.StandardCosts | None = None
) -> dict[str, float]:
    """The figures of :data:`COLUMNS` for one area's registrations that ended in one year."""
    n = len(ended)
    wos = int(
        (
            (_extent(ended, "work_extent_after") > 0) | (_extent(ended, "studies_extent_after") > 0)
        ).sum()
    )
    both = ended["support_before"].notna() & ended["support_after"].notna()
    paired = ended[both.to_numpy(dtype=bool)]
    supply_n = len(paired)
    before = int(paired["support_before"].isin(PUBLIC_CODES).sum())
    after = int(paired["support_after"].isin(PUBLIC_CODES).sum())
    share_before, share_after = _ratio(before, supply_n), _ratio(after, supply_n)
    revenue = cost = float("nan")
    if standard_costs is not None and n and ended["support_after"].notna().any():
        revenue = float(economics.annual_revenue(ended, standard_costs).loc["society", "revenue"])
        cost = float(economics.insats_cost(n)["society"])
    return {
        "ended": float(n),
        "work_or_studies": float(wos),
        "share_work_or_studies": _ratio(wos, n),
        "supply_n": float(supply_n),
        "public_before": float(before),
        "public_after": float(after),
        "share_public_before": share_before,
        "share_public_after": share_after,
        "public_change_pp": 100.0 * (share_after - share_before),
        "revenue_society": revenue,
        "cost_society": cost,
        "result_society": revenue - cost,
    }


def trend_areas(
    participants: pd.DataFrame, by: str = "association", registry: pd.DataFrame | None = None
) -> dict[str, list[str]]:
    """Area name → the values of ``by`` it covers: each value alone (sorted, or in registry
    order for associations), then, with a ``registry``, each county all of whose associations
    have participant rows."""
    present = [str(v) for v in participants[by].dropna().unique()]
    if registry is not None and by == "association":
        order = [str(a) for a in dict.fromkeys(registry["association"])]
        present = [a for a in order if a in set(present)] + sorted(set(present) - set(order))
    else:
        present = sorted(present)
    areas = {a: [a] for a in present}
    if registry is not None and by == "association":
        for county in dict.fromkeys(registry["county"].astype(str)):
            members = [
                str(a)
                for a in dict.fromkeys(registry.loc[registry["county"] == county, "association"])
            ]
            if members and all(m in areas for m in members):
                if county in areas:
                    raise ValueError(f"county {county!r} has the name of an association")
                areas[county] = members
    return areas


def yearly_trend(
    participants: pd.DataFrame,
    years: Sequence[int] | None = None,
    *,
    by: str = "association",
    registry: pd.DataFrame | None = None,
    standard_costs: pd.DataFrame | economics.StandardCosts | None = None,
) -> pd.DataFrame:
    """The figures of :data:`COLUMNS` for every area (:func:`trend_areas`) and year.

    ``years`` default to every year in which some registration ended. Returns a frame indexed
    by (``area``, ``year``), every area with every year (zeros and NaN where no one ended).

    Examples
    --------
    >>> df = pd.DataFrame({"association": ["A", "A", "A"],
    ...     "start_date": pd.to_datetime(["2019-01-01"] * 3),
    ...     "end_date": pd.to_datetime(["2019-06-01", "2020-06-01", "2020-07-01"]),
    ...     "work_extent_after": [100, 0, 0], "studies_extent_after": [0, 50, 0],
    ...     "support_before": ["social_assistance"] * 3,
    ...     "support_after": ["employment", "student_aid", "sickness_benefit"]})
    >>> t = yearly_trend(df)
    >>> t.loc[("A", 2020), ["ended", "work_or_studies", "public_after"]].tolist()
    [2.0, 1.0, 1.0]
    >>> float(t.loc[("A", 2020), "public_change_pp"])
    -50.0
    """
    participants = participants.reset_index(drop=True)
    _require(participants, [by, "end_date", "support_before", "support_after"])
    if years is None:
        ended_years = pd.to_datetime(participants["end_date"]).dt.year.dropna().astype(int)
        years = sorted(set(ended_years.tolist()))
    years = [int(y) for y in years]
    areas = trend_areas(participants, by, registry)
    if isinstance(standard_costs, pd.DataFrame):
        # parsed once, not once per area and year (a table that does not parse is passed on
        # as it is, so the error comes where it always came: where the costs are used)
        with contextlib.suppress(FinsamDataError):
            standard_costs = economics.standard_cost_parameters(standard_costs)
    keys = participants[by].astype("object").astype(str).to_numpy()
    records = {}
    for year in years:
        ended = participants.index.isin(ended_in_year(participants, year).index)
        for area, members in areas.items():
            rows = participants.loc[ended & np.isin(keys, members)]
            records[(area, year)] = year_figures(rows, standard_costs)
    out = pd.DataFrame.from_dict(records, orient="index", columns=list(COLUMNS))
    out.index = pd.MultiIndex.from_tuples(list(records), names=["area", "year"])
    out.attrs["areas"] = {a: list(m) for a, m in areas.items()}
    return out
