"""Sysselsättning before and after an insats, and who started or increased work or studies.

SUS's "Standardrapport deltagare" shows, for the participants who ended, what they did before
and after the insats (*sysselsättning*: förvärvsarbete, studier, aktivt arbetssökande, övriga)
and how many started or increased work or studies. The canonical participants table has no
column for sysselsättning; it is derived here from what SUS does register, the extents of work
and studies (percent of full time) and the main support:

* **work** (Förvärvsarbete): work extent > 0. The same rule as the outcome table's "i
  förvärvsarbete" (:mod:`finsamlib.outcomes`), so the two always agree.
* **studies** (Studier): no work, studies extent > 0.
* **job_seeking** (Aktivt arbetssökande): neither work nor studies, and a main support that
  requires being registered as a job seeker at Arbetsförmedlingen: the support categories of the
  ``af`` family (aktivitetsstöd, etableringsersättning, arbetslöshetsersättning;
  :data:`JOB_SEEKING_SUPPORT`). This is a proxy: SUS asks the question directly, the export
  does not carry the answer.
* **other** (Övriga): everyone else, including a missing support.

Each registration has exactly one status on each side, so before and after each add up to the
number of ended registrations. Missing extents count as 0, as in :mod:`finsamlib.outcomes`.

:func:`gains` counts the ways to start or increase work or studies (SUS: "påbörjat eller utökat
arbete eller studier"); a registration can count under several of them (it may start work and
increase studies), so they do not add up.

Only registrations that ended in the chosen year take part (:func:`finsamlib.outcomes.
ended_in_year`); counts are registrations, as SUS counts them. Shares are fractions (0–1) of the
group's ended registrations, NaN for an empty group. The module is pure: DataFrames and
parameters in, DataFrames out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .categories import EMPLOYMENT_LABELS, GAIN_LABELS, codes_in_family
from .outcomes import _extent, _require, ended_in_year

#: Support categories whose receivers are registered job seekers at Arbetsförmedlingen: the
#: ``af`` family of :data:`finsamlib.categories.FAMILIES` (aktivitetsstöd,
#: etableringsersättning, arbetslöshetsersättning all require registration at Af).
JOB_SEEKING_SUPPORT: tuple[str, ...] = codes_in_family("af")
#: The statuses in report order.
STATUSES: tuple[str, ...] = tuple(EMPLOYMENT_LABELS)
#: The gains in report order.
GAINS: tuple[str, ...] = tuple(GAIN_LABELS)
SIDES: tuple[str, ...] = ("before", "after")

By = str | Sequence[str] | None


def _columns(side: str) -> tuple[str, str, str]:
    if side not in SIDES:
        raise ValueError(f"side must be 'before' or 'after', not {side!r}")
    return f"work_extent_{side}", f"studies_extent_{side}", f"support_{side}"


def employment_status(participants: pd.DataFrame, side: str = "after") -> pd.Series:
    """Each registration's sysselsättning before or after (``side``): a status code of
    :data:`STATUSES` per row, indexed like ``participants`` (see the module docstring).

    Examples
    --------
    >>> df = pd.DataFrame({"work_extent_after": [50, 0, 0, 0],
    ...                    "studies_extent_after": [50, 25, 0, 0],
    ...                    "support_after": ["employment", "student_aid", "activity_support",
    ...                                      "social_assistance"]})
    >>> employment_status(df).tolist()
    ['work', 'studies', 'job_seeking', 'other']
    """
    work_col, studies_col, support_col = _columns(side)
    _require(participants, [work_col, studies_col, support_col])
    work = _extent(participants, work_col)
    studies = _extent(participants, studies_col)
    seeking = participants[support_col].astype("object").isin(JOB_SEEKING_SUPPORT).to_numpy()
    status = np.select(
        [work > 0, studies > 0, seeking], ["work", "studies", "job_seeking"], default="other"
    )
    return pd.Series(status.astype(object), index=participants.index, name=f"status_{side}")


def gain_flags(participants: pd.DataFrame) -> pd.DataFrame:
    """Per registration, whether it started or increased work or studies: one boolean column per
    key of :data:`GAINS`.

    - ``work_started``: no work before (extent 0), work after;
    - ``work_increased``: work before and a larger extent after;
    - ``studies_started`` / ``studies_increased``: the same for studies;
    - ``work_or_studies_gained``: work + studies extent after > before (the outcome table's
      "fått eller ökat arbete och/eller studier", :mod:`finsamlib.outcomes`).

    Examples
    --------
    >>> df = pd.DataFrame({"work_extent_before": [0, 25, 50], "work_extent_after": [50, 50, 0],
    ...                    "studies_extent_before": [0, 0, 0], "studies_extent_after": [0, 0, 25]})
    >>> gain_flags(df).sum().to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'work_started': 1, 'work_increased': 1, 'studies_started': 1, 'studies_increased': 0,
     'work_or_studies_gained': 2}
    """
    cols = ["work_extent_before", "work_extent_after", "studies_extent_before"]
    _require(participants, [*cols, "studies_extent_after"])
    wb, wa = _extent(participants, "work_extent_before"), _extent(participants, "work_extent_after")
    sb = _extent(participants, "studies_extent_before")
    sa = _extent(participants, "studies_extent_after")
    return pd.DataFrame(
        {
            "work_started": (wb <= 0) & (wa > 0),
            "work_increased": (wb > 0) & (wa > wb),
            "studies_started": (sb <= 0) & (sa > 0),
            "studies_increased": (sb > 0) & (sa > sb),
            "work_or_studies_gained": (wa + sa) > (wb + sb),
        },
        index=participants.index,
    )


def _by(participants: pd.DataFrame, by: By) -> list[str]:
    names = [] if by is None else [by] if isinstance(by, str) else list(by)
    for name in names:
        if name not in participants.columns:
            raise KeyError(
                f"no column {name!r} in participants to group by; columns: "
                f"{', '.join(map(str, participants.columns))}"
            )
    return names


def _groups(ended: pd.DataFrame, by: list[str]) -> list[tuple[dict, np.ndarray]]:
    """The groups of ``ended`` (sorted) with a boolean mask each; one group when ``by`` is empty."""
    if not by:
        return [({}, np.ones(len(ended), dtype=bool))]
    keys = ended[by].dropna().drop_duplicates().sort_values(by).itertuples(index=False)
    out = []
    for key in keys:
        mask = np.ones(len(ended), dtype=bool)
        for name, value in zip(by, key, strict=True):
            mask &= (ended[name] == value).to_numpy(dtype=bool)
        out.append((dict(zip(by, key, strict=True)), mask))
    return out


def _share(count: int, n: int) -> float:
    return count / n if n else float("nan")


def employment_before_after(participants: pd.DataFrame, year: int, by: By = None) -> pd.DataFrame:
    """Sysselsättning before and after for the registrations that ended in ``year``.

    Returns one row per group and status (:data:`STATUSES`, every status kept, zeros included):
    the ``by`` columns, ``status``, ``label`` (Swedish), ``count_before``, ``count_after``,
    ``share_before``, ``share_after`` (fractions of ``n``) and ``n`` (the group's ended
    registrations). Before and after each sum to ``n`` within a group.

    Examples
    --------
    >>> df = pd.DataFrame({"end_date": pd.to_datetime(["2021-03-01", "2021-06-01", "2020-01-01"]),
    ...     "work_extent_before": [0, 0, 0], "work_extent_after": [100, 0, 100],
    ...     "studies_extent_before": [0, 0, 0], "studies_extent_after": [0, 0, 0],
    ...     "support_before": ["activity_support", "social_assistance", "social_assistance"],
    ...     "support_after": ["employment", "social_assistance", "employment"]})
    >>> t = employment_before_after(df, 2021).set_index("status")
    >>> t[["count_before", "count_after"]].loc[["work", "job_seeking", "other"]].to_numpy().tolist()
    [[0, 1], [1, 0], [1, 1]]
    """
    names = _by(participants, by)
    ended = ended_in_year(participants, year)
    before = employment_status(ended, "before").to_numpy()
    after = employment_status(ended, "after").to_numpy()
    records = []
    for key, mask in _groups(ended, names):
        n = int(mask.sum())
        for status in STATUSES:
            cb = int((before[mask] == status).sum())
            ca = int((after[mask] == status).sum())
            records.append(
                {
                    **key,
                    "status": status,
                    "label": EMPLOYMENT_LABELS[status],
                    "count_before": cb,
                    "count_after": ca,
                    "share_before": _share(cb, n),
                    "share_after": _share(ca, n),
                    "n": n,
                }
            )
    columns = [*names, "status", "label", "count_before", "count_after"]
    columns += ["share_before", "share_after", "n"]
    out = pd.DataFrame.from_records(records, columns=columns)
    out.attrs["year"] = int(year)
    return out


def gains(participants: pd.DataFrame, year: int, by: By = None) -> pd.DataFrame:
    """How many of the registrations that ended in ``year`` started or increased work or
    studies (:func:`gain_flags`).

    Returns one row per group and gain (:data:`GAINS`): the ``by`` columns, ``gain``, ``label``,
    ``count``, ``share`` (fraction of ``n``) and ``n`` (the group's ended registrations).
    """
    names = _by(participants, by)
    ended = ended_in_year(participants, year)
    flags = gain_flags(ended)
    records = []
    for key, mask in _groups(ended, names):
        n = int(mask.sum())
        for gain in GAINS:
            count = int(flags[gain].to_numpy()[mask].sum())
            records.append(
                {
                    **key,
                    "gain": gain,
                    "label": GAIN_LABELS[gain],
                    "count": count,
                    "share": _share(count, n),
                    "n": n,
                }
            )
    out = pd.DataFrame.from_records(
        records, columns=[*names, "gain", "label", "count", "share", "n"]
    )
    out.attrs["year"] = int(year)
    return out


def insats_summary(participants: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per insats: the registrations that ended in ``year``, how many had work and/or studies
    after, and how many started or increased them (SUS shows its report per insats).

    Returns a frame indexed by ``insats_id`` (sorted; insatser with no one ended are left out)
    with ``ended``, ``work_or_studies_after`` (either extent > 0 after, as the outcome table's
    "arbete och/eller studier"), ``gained`` (``work_or_studies_gained`` of :func:`gain_flags`)
    and their shares ``share_work_or_studies_after`` and ``share_gained`` (fractions).
    """
    _require(participants, ["insats_id", "work_extent_after", "studies_extent_after"])
    ended = ended_in_year(participants, year)
    wos = (_extent(ended, "work_extent_after") > 0) | (_extent(ended, "studies_extent_after") > 0)
    gained = gain_flags(ended)["work_or_studies_gained"].to_numpy()
    frame = pd.DataFrame(
        {
            "insats_id": ended["insats_id"].astype("object").to_numpy(),
            "ended": 1,
            "work_or_studies_after": wos.astype(int),
            "gained": gained.astype(int),
        }
    )
    out = frame.dropna(subset=["insats_id"]).groupby("insats_id", sort=True).sum()
    out = out.astype(int)
    out["share_work_or_studies_after"] = out["work_or_studies_after"] / out["ended"]
    out["share_gained"] = out["gained"] / out["ended"]
    out.attrs["year"] = int(year)
    return out
