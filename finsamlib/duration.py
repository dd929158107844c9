"""Time in insats (SUS: "tid i insats"): how long the registrations that ended in a year lasted.

The time in insats of a registration is ``end_date`` − ``start_date`` in days, the same measure
as the outcome table's mean enrolment time (:mod:`finsamlib.outcomes`). :func:`time_in_insats`
counts the ended registrations per band of :data:`DURATION_BANDS`. The module is pure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .categories import DURATION_LABELS
from .employment import By, _by, _groups, _share
from .outcomes import _require, ended_in_year

#: The bands of time in insats as (key, at least days, less than days), in report order. A month
#: is a twelfth of 365 days rounded to whole days: 3 months = 91 days, 6 months = 183, 12 months
#: = 365, 2 years = 730. Every non-negative number of days falls in exactly one band.
DURATION_BANDS: tuple[tuple[str, float, float], ...] = (
    ("under_3_months", 0.0, 91.0),
    ("3_6_months", 91.0, 183.0),
    ("6_12_months", 183.0, 365.0),
    ("1_2_years", 365.0, 730.0),
    ("over_2_years", 730.0, np.inf),
)
#: Shown for a registration whose days cannot be computed (a missing start date).
UNKNOWN_BAND = "unknown"
assert tuple(b[0] for b in DURATION_BANDS) == tuple(DURATION_LABELS)


def days_in_insats(participants: pd.DataFrame) -> pd.Series:
    """Days from start to end per registration (NaN while ongoing or without a start date)."""
    _require(participants, ["start_date", "end_date"])
    days = pd.to_datetime(participants["end_date"]) - pd.to_datetime(participants["start_date"])
    return days.dt.days.astype("Float64").astype(float)


def duration_band(days: np.ndarray | pd.Series) -> np.ndarray:
    """The band key of each number of days (:data:`DURATION_BANDS`; ``unknown`` for NaN).

    Examples
    --------
    >>> duration_band(np.array([0, 90, 91, 364, 365, 730, np.nan])).tolist()
    ['under_3_months', 'under_3_months', '3_6_months', '6_12_months', '1_2_years', 'over_2_years', 'unknown']
    """  # noqa: E501
    values = np.asarray(days, dtype=float)
    out = np.full(values.shape, UNKNOWN_BAND, dtype=object)
    for key, low, high in DURATION_BANDS:
        out[(values >= low) & (values < high)] = key
    return out


def time_in_insats(participants: pd.DataFrame, year: int, by: By = None) -> pd.DataFrame:
    """The registrations that ended in ``year`` per band of time in insats.

    Returns one row per group and band (every band of :data:`DURATION_BANDS` kept, zeros
    included; an ``unknown`` row only where some registration has no start date): the ``by``
    columns, ``band``, ``label`` (Swedish), ``count``, ``share`` (fraction of ``n``) and ``n``
    (the group's ended registrations). The counts of a group add up to ``n``.

    Examples
    --------
    >>> df = pd.DataFrame({"start_date": pd.to_datetime(["2021-01-01", "2020-01-01"]),
    ...                    "end_date": pd.to_datetime(["2021-02-01", "2021-06-30"])})
    >>> time_in_insats(df, 2021).set_index("band")["count"].tolist()
    [1, 0, 0, 1, 0]
    """
    names = _by(participants, by)
    ended = ended_in_year(participants, year)
    bands = duration_band(days_in_insats(ended).to_numpy())
    keys = [b[0] for b in DURATION_BANDS]
    if (bands == UNKNOWN_BAND).any():
        keys.append(UNKNOWN_BAND)
    records = []
    for key, mask in _groups(ended, names):
        n = int(mask.sum())
        for band in keys:
            count = int((bands[mask] == band).sum())
            label = DURATION_LABELS.get(band, "Okänd")
            share = _share(count, n)
            records.append(
                {**key, "band": band, "label": label, "count": count, "share": share, "n": n}
            )
    out = pd.DataFrame.from_records(
        records, columns=[*names, "band", "label", "count", "share", "n"]
    )
    out.attrs["year"] = int(year)
    return out
