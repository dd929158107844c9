"""The SUS outcome table ("UTFALL") and the participant counts a report needs around it.

Seed 001 (``001_bfa0679e96509604.txt``, "UTFALL 2019 (källa: SUS-rapport 2020-04-29)") publishes,
per association, county and nation and split by sex, fourteen indicators of the participants who
ended in a year. :func:`outcome_table` computes the same table from participant microdata (the
canonical ``participants`` table), with the same rows in the same order and stable keys (the
``indicator_key`` values of ``data/raw/published/seed001_utfall_2019.csv``).

Definitions (every indicator is computed over *registrations*, as SUS does: "En person kan medverka
(registreras) flera gånger ... När antalet deltagare och antalet unika deltagare skiljer sig åt
innebär det att en eller flera personers data redovisas flera gånger i resultat", seed 001):

* **ended in year Y**: a registration whose ``end_date`` falls in calendar year Y
  (:func:`ended_in_year`). Registrations without an end date are ongoing and never "ended".
* ``ended_registrations``: the number of ended registrations.
* ``share_by_sex``: percent of the area's ended registrations that are of this sex; 100 in the
  ``Totalt`` column.
* ``unique_persons``: distinct persons among the ended registrations. A person is the pair
  (``association``, ``person_id``): person ids are pseudonymous per export, so the same id in two
  associations is not assumed to be the same person (a county column therefore adds up the
  associations' unique persons).
* ``share_under_30``: percent with age at start < 30, where age at start = year of
  ``start_date`` − ``birth_year`` (SUS registers the birth year, not the birth date).
* ``share_support_over_3_years``: percent with ``years_public_support_before`` > 3 ("i mer än 3
  år"; exactly 3 does not count). A missing value counts as not more than 3 years.
* ``share_compulsory_or_less``: percent with ``education`` = ``compulsory_or_less``.
* ``share_post_secondary``: percent with ``education`` = ``post_secondary``. For both education
  shares the denominator is every ended registration, unknown or missing education included.
* ``mean_enrolment_days``: mean of ``end_date`` − ``start_date`` in days (a registration that
  starts and ends on the same day has 0 days).
* ``work_count``: registrations with ``work_extent_after`` > 0 ("i förvärvsarbete").
* ``work_fte``: full-time equivalents of work after: the sum of ``work_extent_after`` / 100, where
  an extent is percent of full time (seed 001 footnote "*": full time = 40 tim/vecka).
* ``work_share``: ``work_count`` as percent of the ended registrations.
* ``work_or_studies_count``: registrations with work and/or studies after (either extent > 0).
* ``work_or_studies_fte``: the sum over registrations of min(work + studies extent after, 100) /
  100: work and studies together are at most one full-time equivalent per registration.
* ``work_or_studies_gained_count``: registrations that "got or increased" work and/or studies:
  (work + studies extent after) > (work + studies extent before), both uncapped.

Missing extents count as 0. Shares are percent (0–100) as floats at full precision: the published
shares are whole percents, rounding is left to the report. Counts and full-time equivalents are
floats too (a table column holds all indicators). A share or mean of an empty group is NaN.

The module is pure: DataFrames and parameters in, DataFrames out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .categories import EDUCATION_LABELS, SEX_LABELS, SUPPORT_FAMILY
from .errors import FinsamDataError

#: Label of the column with both sexes, as SUS prints it.
TOTAL = "Totalt"
#: Column labels of the sexes, in SUS order: Totalt, Kvinnor, Män.
SEX_COLUMNS: tuple[str, ...] = (TOTAL, SEX_LABELS["K"], SEX_LABELS["M"])
_SEX_OF_COLUMN = {SEX_LABELS["K"]: "K", SEX_LABELS["M"]: "M"}


@dataclass(frozen=True)
class Indicator:
    """One row of the outcome table: its stable key, SUS's Swedish row label and its unit."""

    key: str
    label: str
    unit: str  # count, percent, days or fte


#: The rows of the SUS outcome table, in SUS order (seed 001, "UTFALL 2019"). Labels are SUS's
#: own wording (with "förvärvsarbete" spelt correctly; the print has "förvärsarbete").
INDICATORS: tuple[Indicator, ...] = (
    Indicator("ended_registrations", "Antal avslutade deltagare", "count"),
    Indicator("share_by_sex", "Fördelning", "percent"),
    Indicator("unique_persons", "Antal unika", "count"),
    Indicator("share_under_30", "Andel yngre än 30 år vid start", "percent"),
    Indicator(
        "share_support_over_3_years",
        "Andel med offentlig försörjning i mer än 3 år vid start",
        "percent",
    ),
    Indicator(
        "share_compulsory_or_less",
        "Andel med grundskoleexamen som högst slutförda utbildning",
        "percent",
    ),
    Indicator(
        "share_post_secondary", "Andel med någon form av eftergymnasial utbildning", "percent"
    ),
    Indicator("mean_enrolment_days", "Genomsnittlig inskrivningstid i dagar", "days"),
    Indicator("work_count", "Antal i förvärvsarbete", "count"),
    Indicator("work_fte", "Förvärvsarbete motsvarande antal heltidsarbeten", "fte"),
    Indicator("work_share", "Andel i förvärvsarbete", "percent"),
    Indicator("work_or_studies_count", "Antal i förvärvsarbete och/eller studier", "count"),
    Indicator(
        "work_or_studies_fte",
        "Förvärvsarbete och/eller studier, motsvarande antal heltidsarbeten",
        "fte",
    ),
    Indicator(
        "work_or_studies_gained_count",
        "Antal som fått eller ökat omfattning av arbete och/eller studier",
        "count",
    ),
)
INDICATOR_KEYS: tuple[str, ...] = tuple(i.key for i in INDICATORS)
INDICATOR_LABELS: dict[str, str] = {i.key: i.label for i in INDICATORS}
INDICATOR_UNITS: dict[str, str] = {i.key: i.unit for i in INDICATORS}

#: Full time in percent of full time; SUS: 40 hours a week (seed 001, footnote "*").
FULL_TIME_EXTENT = 100.0
#: Age at start below which a participant counts as young (seed 001: "yngre än 30 år vid start").
YOUNG_AGE_LIMIT = 30
#: Years of public support before start above which support counts as long (seed 001: "mer än 3").
LONG_SUPPORT_YEARS = 3.0

_OUTCOME_COLUMNS = (
    "association",
    "person_id",
    "sex",
    "birth_year",
    "start_date",
    "end_date",
    "education",
    "years_public_support_before",
    "work_extent_before",
    "work_extent_after",
    "studies_extent_before",
    "studies_extent_after",
)


# --------------------------------------------------------------------------- checks and helpers


def _require(participants: pd.DataFrame, columns: tuple[str, ...] | list[str]) -> None:
    if not isinstance(participants, pd.DataFrame):
        raise TypeError(f"participants must be a DataFrame, not {type(participants).__name__}")
    missing = [c for c in columns if c not in participants.columns]
    if missing:
        raise FinsamDataError(
            participants.attrs.get("source", "participants"),
            f"the canonical participants columns {', '.join(missing)} (see docs/data-model.md)",
        )


def _year(year: object) -> int:
    if isinstance(year, bool) or not isinstance(year, int | np.integer):
        raise TypeError(f"year must be a whole number such as 2019, not {year!r}")
    return int(year)


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values)


def _extent(df: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(df[column]).astype("Float64").fillna(0.0).to_numpy(dtype=float)


def ended_in_year(participants: pd.DataFrame, year: int) -> pd.DataFrame:
    """The registrations whose end date falls in ``year`` (SUS: "avslutade deltagare").

    Examples
    --------
    >>> df = pd.DataFrame({"start_date": pd.to_datetime(["2018-05-01", "2019-02-01"]),
    ...                    "end_date": pd.to_datetime(["2019-03-01", None])})
    >>> len(ended_in_year(df, 2019))
    1
    """
    _require(participants, ["end_date"])
    year = _year(year)
    end = _dates(participants["end_date"])
    return participants.loc[(end.dt.year == year).fillna(False).to_numpy(dtype=bool)]


def active_in_year(participants: pd.DataFrame, year: int) -> pd.DataFrame:
    """The registrations active at any time in ``year``: started on or before 31 December and
    not ended before 1 January (ongoing registrations have no end date).

    This is what an annual report calls "registrerade under året" (seed 004: 263 registered in
    2021, of whom 202 new and 156 ended).
    """
    _require(participants, ["start_date", "end_date"])
    year = _year(year)
    start = _dates(participants["start_date"])
    end = _dates(participants["end_date"])
    first, last = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    active = (start <= last) & (end.isna() | (end >= first))
    return participants.loc[active.fillna(False).to_numpy(dtype=bool)]


def started_in_year(participants: pd.DataFrame, year: int) -> pd.DataFrame:
    """The registrations whose start date falls in ``year`` (new participants of the year)."""
    _require(participants, ["start_date"])
    year = _year(year)
    start = _dates(participants["start_date"])
    return participants.loc[(start.dt.year == year).fillna(False).to_numpy(dtype=bool)]


def age_at_start(participants: pd.DataFrame) -> pd.Series:
    """Age at start as SUS counts it: the year of the start date minus the birth year."""
    _require(participants, ["start_date", "birth_year"])
    start = _dates(participants["start_date"])
    return (start.dt.year - pd.to_numeric(participants["birth_year"])).astype("Float64")


def in_work_or_studies_after(participants: pd.DataFrame) -> pd.Series:
    """True where a registration has work and/or studies after (either extent > 0)."""
    _require(participants, ["work_extent_after", "studies_extent_after"])
    work = _extent(participants, "work_extent_after")
    studies = _extent(participants, "studies_extent_after")
    return pd.Series((work > 0) | (studies > 0), index=participants.index)


# --------------------------------------------------------------------------- the indicators


#: The additive counts of one cell (one area and sex) from which :func:`indicators_from_counts`
#: computes every indicator, in the order of the table. Each is a sum over the cell's ended
#: registrations, so the counts of several areas (or of both sexes) add up to the counts of
#: their union: a county is the sum of its associations. Published aggregate tables give these
#: counts directly (``finsamlib.aggregates``); microdata give them through :func:`cell_counts`.
#: ``enrolment_days`` is the *sum* of the registrations' days, ``work_fte`` and
#: ``work_or_studies_fte`` sums of full-time equivalents, every other key a number of
#: registrations (``unique_persons`` a number of persons).
COUNT_KEYS: tuple[str, ...] = (
    "ended_registrations",
    "unique_persons",
    "under_30",
    "support_over_3_years",
    "compulsory_or_less",
    "post_secondary",
    "enrolment_days",
    "work_count",
    "work_fte",
    "work_or_studies_count",
    "work_or_studies_fte",
    "work_or_studies_gained_count",
)


def _row_values(ended: pd.DataFrame) -> dict[str, np.ndarray]:
    """What :func:`cell_counts` adds up, per registration of ``ended``: computed once for all
    the cells of a table, which then only select rows (the per-cell frames and their column
    conversions were most of the outcome table's cost)."""
    work_after = _extent(ended, "work_extent_after")
    studies_after = _extent(ended, "studies_extent_after")
    before = _extent(ended, "work_extent_before") + _extent(ended, "studies_extent_before")
    after = work_after + studies_after
    age = age_at_start(ended).to_numpy(dtype=float, na_value=np.nan)
    years = (
        pd.to_numeric(ended["years_public_support_before"])
        .astype("Float64")
        .to_numpy(dtype=float, na_value=np.nan)
    )
    education = ended["education"].astype("object").to_numpy()
    days = (_dates(ended["end_date"]) - _dates(ended["start_date"])).dt.days.to_numpy(dtype=float)
    # A person is an (association, person_id) pair; a missing value is a value of its own, as
    # in DataFrame.drop_duplicates.
    association, associations = pd.factorize(ended["association"], use_na_sentinel=True)
    person, persons = pd.factorize(ended["person_id"], use_na_sentinel=True)
    association = np.where(association < 0, len(associations), association).astype(np.int64)
    person = np.where(person < 0, len(persons), person).astype(np.int64)
    # Dense person numbers 0..m-1, so that a cell counts its persons with one bincount.
    pair, _ = pd.factorize(association * (len(persons) + 1) + person)
    return {
        "person": pair.astype(np.int64),
        "under_30": np.nan_to_num(age, nan=np.inf) < YOUNG_AGE_LIMIT,
        "support_over_3_years": np.nan_to_num(years, nan=0.0) > LONG_SUPPORT_YEARS,
        "compulsory_or_less": education == "compulsory_or_less",
        "post_secondary": education == "post_secondary",
        "days": days,
        "work_after": work_after,
        "work": work_after > 0,
        "work_or_studies": after > 0,
        "capped": np.minimum(after, FULL_TIME_EXTENT),
        "gained": after > before,
    }


def _counts_of(values: Mapping[str, np.ndarray], rows: np.ndarray | None) -> dict[str, float]:
    """The additive counts of the registrations ``rows`` (a boolean mask; ``None``: all) of
    :func:`_row_values`. Sums run over the selected values in their order, so each equals the
    sum over a frame of those rows alone."""
    v = {k: a if rows is None else a[rows] for k, a in values.items()}
    return {
        "ended_registrations": float(len(v["person"])),
        "unique_persons": float(np.count_nonzero(np.bincount(v["person"]))),
        "under_30": float(v["under_30"].sum()),
        "support_over_3_years": float(v["support_over_3_years"].sum()),
        "compulsory_or_less": float(v["compulsory_or_less"].sum()),
        "post_secondary": float(v["post_secondary"].sum()),
        "enrolment_days": float(v["days"].sum()),
        "work_count": float(v["work"].sum()),
        "work_fte": float(v["work_after"].sum() / FULL_TIME_EXTENT),
        "work_or_studies_count": float(v["work_or_studies"].sum()),
        "work_or_studies_fte": float(v["capped"].sum() / FULL_TIME_EXTENT),
        "work_or_studies_gained_count": float(v["gained"].sum()),
    }


def cell_counts(sub: pd.DataFrame) -> dict[str, float]:
    """The additive counts (:data:`COUNT_KEYS`) of the ended registrations ``sub`` of one cell."""
    return _counts_of(_row_values(sub), None)


def indicators_from_counts(counts: Mapping[str, float], area_total: float) -> dict[str, float]:
    """The fourteen indicators of one cell from its additive counts (:data:`COUNT_KEYS`).

    ``area_total`` is the ended registrations of the area's ``Totalt`` cell (for
    ``share_by_sex``). A count missing from ``counts`` (or NaN) gives NaN for every indicator
    that needs it, so a published table with only some counts still gives those rows.
    """
    c = {k: float(counts.get(k, np.nan)) for k in COUNT_KEYS}
    n = c["ended_registrations"]

    def per_n(x: float, scale: float = 100.0) -> float:
        return float(scale * x / n) if n else float("nan")

    return {
        "ended_registrations": n,
        "share_by_sex": float(100.0 * n / area_total) if area_total else float("nan"),
        "unique_persons": c["unique_persons"],
        "share_under_30": per_n(c["under_30"]),
        "share_support_over_3_years": per_n(c["support_over_3_years"]),
        "share_compulsory_or_less": per_n(c["compulsory_or_less"]),
        "share_post_secondary": per_n(c["post_secondary"]),
        "mean_enrolment_days": per_n(c["enrolment_days"], scale=1.0),
        "work_count": c["work_count"],
        "work_fte": c["work_fte"],
        "work_share": per_n(c["work_count"]),
        "work_or_studies_count": c["work_or_studies_count"],
        "work_or_studies_fte": c["work_or_studies_fte"],
        "work_or_studies_gained_count": c["work_or_studies_gained_count"],
    }


def _area_counts(
    values: Mapping[str, np.ndarray], sexes: np.ndarray, rows: np.ndarray
) -> dict[str, dict[str, float]]:
    """The counts of one area (the registrations ``rows`` of :func:`_row_values`) for Totalt,
    Kvinnor and Män; ``sexes``: each registration's ``sex``."""
    return {
        column: _counts_of(
            values, rows if column == TOTAL else rows & (sexes == _SEX_OF_COLUMN[column])
        )
        for column in SEX_COLUMNS
    }


def _comparison_frame(comparison: pd.DataFrame) -> pd.DataFrame:
    """A published comparison as a frame shaped like the outcome table."""
    if isinstance(comparison.columns, pd.MultiIndex):
        if comparison.columns.nlevels != 2:
            raise ValueError("a shaped comparison needs two column levels (area, sex)")
        unknown = sorted(set(comparison.index) - set(INDICATOR_KEYS))
        if unknown:
            raise ValueError(f"comparison rows {unknown} are not outcome indicators")
        shaped = comparison.reindex(list(INDICATOR_KEYS)).astype(float)
        shaped.columns = shaped.columns.set_names(["area", "sex"])
        return shaped
    needed = ["area", "sex", "indicator_key", "value"]
    missing = [c for c in needed if c not in comparison.columns]
    if missing:
        raise ValueError(
            "comparison must be a published long table with columns area, sex, indicator_key, "
            f"value (e.g. datasets.load('published/seed001_utfall_2019') filtered to the areas "
            f"to compare) or a frame shaped like the outcome table; missing {missing}"
        )
    long = comparison[comparison["indicator_key"].isin(INDICATOR_KEYS)]
    if long.duplicated(["area", "sex", "indicator_key"]).any():
        raise ValueError("comparison has more than one value for an (area, sex, indicator_key)")
    areas = list(dict.fromkeys(long["area"]))
    wide = long.pivot(index="indicator_key", columns=["area", "sex"], values="value")
    columns = [(a, s) for a in areas for s in SEX_COLUMNS if (a, s) in wide.columns]
    shaped = wide.reindex(index=list(INDICATOR_KEYS), columns=pd.MultiIndex.from_tuples(columns))
    shaped.columns = shaped.columns.set_names(["area", "sex"])
    return shaped.astype(float)


def area_counts(
    participants: pd.DataFrame,
    year: int,
    by: str = "association",
    registry: pd.DataFrame | None = None,
) -> dict[tuple[str, str], dict[str, float]]:
    """The additive counts (:data:`COUNT_KEYS`) of every column of :func:`outcome_table`.

    Keys are (area, sex) in the table's column order: the areas of ``by``, then (with a
    ``registry``) one column per county. Parameters as :func:`outcome_table`.
    """
    _require(participants, list(_OUTCOME_COLUMNS))
    year = _year(year)
    if by not in participants.columns:
        raise KeyError(
            f"no column {by!r} in participants to group by; columns: "
            f"{', '.join(map(str, participants.columns))}"
        )
    groups = [g for g in participants[by].dropna().unique()]
    if registry is not None:
        _require_registry(registry)
        order = list(dict.fromkeys(registry["association"])) if by == "association" else []
        groups = [g for g in order if g in set(groups)] + sorted(
            (g for g in groups if g not in set(order)), key=str
        )
    else:
        groups = sorted(groups, key=str)
    # Only the columns the counts read are selected (not every column of every ended row).
    ended = ended_in_year(participants[list(dict.fromkeys([*_OUTCOME_COLUMNS, by]))], year)
    values = _row_values(ended)
    sexes = ended["sex"].astype("object").to_numpy()
    columns: dict[tuple[str, str], dict[str, float]] = {}
    for group in groups:
        cells = _area_counts(values, sexes, (ended[by] == group).to_numpy(dtype=bool))
        for sex, counts in cells.items():
            columns[(str(group), sex)] = counts
    if registry is not None:
        county_of = _county_of(participants, registry)
        for county in dict.fromkeys(registry["county"]):
            members = [a for a, c in county_of.items() if c == county]
            if not members:
                continue
            rows = ended["association"].isin(members).to_numpy(dtype=bool)
            for sex, counts in _area_counts(values, sexes, rows).items():
                if (county, sex) in columns:
                    raise ValueError(f"county {county!r} has the name of an area in {by!r}")
                columns[(county, sex)] = counts
    return columns


def table_from_counts(columns: Mapping[tuple[str, str], Mapping[str, float]]) -> pd.DataFrame:
    """The outcome table of columns given as additive counts: (area, sex) → :data:`COUNT_KEYS`.

    The one place where indicators are computed, whether the counts come from microdata
    (:func:`area_counts`) or from a published aggregate table (``finsamlib.aggregates``).
    ``share_by_sex`` divides by the ended registrations of the area's ``Totalt`` column.
    """
    values = {
        (area, sex): indicators_from_counts(
            counts, columns.get((area, TOTAL), {}).get("ended_registrations", np.nan)
        )
        for (area, sex), counts in columns.items()
    }
    table = pd.DataFrame(values, index=list(INDICATOR_KEYS), dtype=float)
    table.columns = pd.MultiIndex.from_tuples(list(values), names=["area", "sex"])
    table.index.name = "indicator"
    return table


def outcome_table(
    participants: pd.DataFrame,
    year: int,
    by: str = "association",
    registry: pd.DataFrame | None = None,
    comparison: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The SUS outcome table of the registrations that ended in ``year``.

    Parameters
    ----------
    participants : the canonical participants table (one row per registration).
    year : the calendar year whose ended registrations the table describes.
    by : the column whose values become the areas (default one area per association; e.g.
        ``"insats_id"`` gives one per insats).
    registry : the canonical registry (``datasets.load("registry")``). When given, one column per
        county is added after the areas: all registrations of the county's associations found in
        ``participants`` together, named by the registry's county name (e.g. "Jönköpings län").
        Every association in ``participants`` must then be in the registry.
    comparison : published columns to append, either a published long table with columns
        ``area``, ``sex``, ``indicator_key`` and ``value`` (as ``seed001_utfall_2019.csv``:
        select the areas to compare first, e.g. ``utfall[utfall["area"] == "Riket"]``) or a
        frame already shaped like this table (index indicator keys, columns (area, sex)).

    Returns
    -------
    DataFrame with one row per indicator (index ``indicator``, the keys of :data:`INDICATORS` in
    SUS order) and columns a MultiIndex (``area``, ``sex``) with sex ``Totalt``, ``Kvinnor``,
    ``Män``. Values are floats at full precision (see the module docstring for definitions).

    Examples
    --------
    >>> table = outcome_table(participants, 2019, registry=datasets.load("registry"))
    ... # doctest: +SKIP
    >>> table.loc["work_share", ("Finnveden", "Kvinnor")]  # doctest: +SKIP
    39.13...
    """
    year = _year(year)
    table = table_from_counts(area_counts(participants, year, by=by, registry=registry))
    if comparison is not None:
        extra = _comparison_frame(comparison)
        clash = sorted(set(extra.columns.get_level_values(0)) & set(table.columns.levels[0]))
        if clash:
            raise ValueError(
                f"comparison areas {clash} are also computed areas; select other areas "
                "(e.g. the nation 'Riket') for the comparison"
            )
        table = pd.concat([table, extra], axis=1)
        table.index.name = "indicator"
    table.attrs["year"] = year
    table.attrs["units"] = dict(INDICATOR_UNITS)
    return table


def _require_registry(registry: pd.DataFrame) -> None:
    missing = [c for c in ("association", "county") if c not in registry.columns]
    if missing:
        raise FinsamDataError(
            registry.attrs.get("source", "registry"),
            f"the canonical registry columns {', '.join(missing)}",
        )


def _county_of(participants: pd.DataFrame, registry: pd.DataFrame) -> dict[str, str]:
    county = registry.drop_duplicates("association").set_index("association")["county"]
    present = list(dict.fromkeys(participants["association"].dropna()))
    unknown = [a for a in present if a not in county.index]
    if unknown:
        raise ValueError(
            f"associations {unknown} are not in the registry; known: {', '.join(county.index)}"
        )
    return {a: str(county[a]) for a in present}


# --------------------------------------------------------------------------- flows and profile


def participant_flows(
    participants: pd.DataFrame, year: int, by: str | None = "association"
) -> pd.DataFrame:
    """Registered, new, ended and ongoing participants of one year, as annual reports count them.

    Columns: ``registered`` (active at any time in the year, :func:`active_in_year`), ``new``
    (started in the year), ``carried_over`` (registered but started before the year), ``ended``
    (ended in the year), ``ongoing_at_year_end`` (registered and not ended in the year),
    ``ended_to_work_or_studies`` (ended with work and/or studies after) and
    ``share_ended_to_work_or_studies`` (percent of the ended). Counts are registrations.
    Seed 004 (RAR Sörmland 2021): 263 registered, 202 new, 156 ended, 60 of them to work or
    studies (38 %). ``by=None`` gives one row, ``Totalt``.
    """
    _require(participants, ["start_date", "end_date", "work_extent_after", "studies_extent_after"])
    year = _year(year)
    if by is not None and by not in participants.columns:
        raise KeyError(f"no column {by!r} in participants to group by")
    keys = participants[by] if by is not None else pd.Series(TOTAL, index=participants.index)
    rows = {}
    for group in sorted(keys.dropna().unique(), key=str):
        sub = participants.loc[(keys == group).to_numpy(dtype=bool)]
        active = active_in_year(sub, year)
        new = started_in_year(active, year)
        ended = ended_in_year(active, year)
        to_wos = int(in_work_or_studies_after(ended).sum())
        rows[group] = flows_from_counts(len(active), len(new), len(ended), to_wos)
    return flows_table(rows, by or "area", year)


#: The columns of :func:`participant_flows`.
FLOW_COLUMNS: tuple[str, ...] = (
    "registered",
    "new",
    "carried_over",
    "ended",
    "ongoing_at_year_end",
    "ended_to_work_or_studies",
    "share_ended_to_work_or_studies",
)


def flows_from_counts(
    registered: float, new: float, ended: float, ended_to_work_or_studies: float
) -> dict[str, float]:
    """One row of :func:`participant_flows` from its four counts (microdata or published).

    A count that is not known (NaN, e.g. a published table without "registered") gives NaN
    for what needs it. The ended are the outcome table's ``ended_registrations`` and those to
    work or studies its ``work_or_studies_count`` (extent after > 0).
    """
    return {
        "registered": registered,
        "new": new,
        "carried_over": registered - new,
        "ended": ended,
        "ongoing_at_year_end": registered - ended,
        "ended_to_work_or_studies": ended_to_work_or_studies,
        "share_ended_to_work_or_studies": (
            100.0 * ended_to_work_or_studies / ended if ended else float("nan")
        ),
    }


def flows_table(rows: dict, index_name: str, year: int | None) -> pd.DataFrame:
    """The :func:`participant_flows` table of rows from :func:`flows_from_counts`."""
    out = pd.DataFrame.from_dict(rows, orient="index")
    if out.empty:
        out = pd.DataFrame(columns=list(FLOW_COLUMNS))
    out.index.name = index_name
    out.attrs["year"] = year
    return out


#: Age bands of the profile: (label, lowest age, highest age), ages at start as SUS counts them.
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("under 16", 0, 15),
    ("16-24", 16, 24),
    ("25-29", 25, 29),
    ("30-39", 30, 39),
    ("40-49", 40, 49),
    ("50-64", 50, 64),
    ("65+", 65, 200),
)
#: Bands of years with public support before start: (label, more than, at most). "3-9" and
#: "over 9" together are SUS's "mer än 3 år"; ISF reports "minst nio år" (seed 001, Bilaga 2).
SUPPORT_YEAR_BANDS: tuple[tuple[str, float, float], ...] = (
    ("0-1", -np.inf, 1.0),
    ("1-3", 1.0, 3.0),
    ("3-9", 3.0, 9.0),
    ("over 9", 9.0, np.inf),
)
UNKNOWN = "unknown"


def _band(values: np.ndarray, bands: list[tuple[str, float, float]], closed_left: bool) -> list:
    out = []
    for v in values:
        label = UNKNOWN
        if not np.isnan(v):
            for name, lo, hi in bands:
                if (lo <= v <= hi) if closed_left else (lo < v <= hi):
                    label = name
                    break
        out.append(label)
    return out


def participant_profile(participants: pd.DataFrame, by: str | None = "association") -> pd.DataFrame:
    """Who the participants are: counts and percent by sex, age band at start, education and
    years of public support before start, per group.

    Select the registrations first (e.g. ``ended_in_year(df, 2019)``). Returns a long table with
    columns ``by`` (or ``area`` = ``Totalt`` when ``by`` is None), ``dimension`` (``sex``,
    ``age_band``, ``education``, ``support_years``), ``category`` (codes: ``K``/``M``, the labels
    of :data:`AGE_BANDS` and :data:`SUPPORT_YEAR_BANDS`, education codes, ``unknown``), ``count``
    and ``percent`` (of the group's registrations). Every category appears, with 0 where empty,
    so that tables and charts have a stable shape.
    """
    _require(
        participants,
        ["sex", "birth_year", "start_date", "education", "years_public_support_before"],
    )
    if by is not None and by not in participants.columns:
        raise KeyError(f"no column {by!r} in participants to group by")
    group_col = by or "area"
    keys = participants[by] if by is not None else pd.Series(TOTAL, index=participants.index)
    age = age_at_start(participants).to_numpy(dtype=float, na_value=np.nan)
    years = (
        pd.to_numeric(participants["years_public_support_before"])
        .astype("Float64")
        .to_numpy(dtype=float, na_value=np.nan)
    )
    education = participants["education"].astype("object").to_numpy()
    dims = {
        "sex": (
            [s if s in SEX_LABELS else UNKNOWN for s in participants["sex"].astype("object")],
            [*SEX_LABELS, UNKNOWN],
        ),
        "age_band": (
            _band(age, [(n, lo, hi) for n, lo, hi in AGE_BANDS], closed_left=True),
            [b[0] for b in AGE_BANDS] + [UNKNOWN],
        ),
        "education": (
            [e if e in EDUCATION_LABELS else UNKNOWN for e in education],
            list(EDUCATION_LABELS),
        ),
        "support_years": (
            _band(years, list(SUPPORT_YEAR_BANDS), closed_left=False),
            [b[0] for b in SUPPORT_YEAR_BANDS] + [UNKNOWN],
        ),
    }
    records = []
    key_values = keys.astype("object").to_numpy()
    for group in sorted(keys.dropna().unique(), key=str):
        mask = key_values == group
        n = int(mask.sum())
        for dimension, (values, categories) in dims.items():
            chosen = np.asarray(values, dtype=object)[mask]
            for category in dict.fromkeys(categories):
                count = int((chosen == category).sum())
                records.append(
                    {
                        group_col: group,
                        "dimension": dimension,
                        "category": category,
                        "count": count,
                        "percent": 100.0 * count / n if n else float("nan"),
                    }
                )
    return pd.DataFrame.from_records(
        records, columns=[group_col, "dimension", "category", "count", "percent"]
    )


# --------------------------------------------------------------------------- fair comparison

#: Age bands (age at start) of the adjustment model: coarser than :data:`AGE_BANDS` so that
#: every band holds enough ended registrations of a year for a stable fit.
ADJUSTMENT_AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("under 25", 0, 24),
    ("25-29", 25, 29),
    ("30-39", 30, 39),
    ("40-49", 40, 49),
    ("50+", 50, 200),
)
#: The participant mix adjusted for by default (issue 14: age, years on public support,
#: education, support before); see :data:`COVARIATES` for how each is coded.
DEFAULT_COVARIATES: tuple[str, ...] = ("age_band", "support_years", "education", "support_before")
#: Levels of a covariate with fewer ended registrations than this are pooled into one level
#: ``"other"``: a level of a handful of rows gives an unstable (or infinite) coefficient and
#: adds nothing to a comparison of whole associations.
MIN_LEVEL_ROWS = 10
#: Level of pooled rare categories.
OTHER = "other"
#: How the interval of an observed/expected ratio is computed (``attrs["interval"]``).
RATIO_INTERVAL = "exact Poisson (Garwood) interval for the observed count, divided by expected"


def _covariate_age_band(p: pd.DataFrame) -> np.ndarray:
    age = age_at_start(p).to_numpy(dtype=float, na_value=np.nan)
    return np.asarray(_band(age, list(ADJUSTMENT_AGE_BANDS), closed_left=True), dtype=object)


def _covariate_support_years(p: pd.DataFrame) -> np.ndarray:
    years = (
        pd.to_numeric(p["years_public_support_before"])
        .astype("Float64")
        .to_numpy(dtype=float, na_value=np.nan)
    )
    return np.asarray(_band(years, list(SUPPORT_YEAR_BANDS), closed_left=False), dtype=object)


def _covariate_education(p: pd.DataFrame) -> np.ndarray:
    values = p["education"].astype("object").to_numpy()
    return np.array([v if v in EDUCATION_LABELS else UNKNOWN for v in values], dtype=object)


def _covariate_support_before(p: pd.DataFrame) -> np.ndarray:
    values = p["support_before"].astype("object").to_numpy()
    return np.array([SUPPORT_FAMILY.get(v, UNKNOWN) for v in values], dtype=object)


def _covariate_sex(p: pd.DataFrame) -> np.ndarray:
    values = p["sex"].astype("object").to_numpy()
    return np.array([v if v in SEX_LABELS else UNKNOWN for v in values], dtype=object)


#: The named covariates of :func:`adjusted_comparison`: name → (participant columns it needs,
#: how it codes a registration). Every covariate is categorical, a missing value is its own
#: level ``"unknown"``.
#:
#: * ``age_band``: age at start (:func:`age_at_start`) in :data:`ADJUSTMENT_AGE_BANDS`;
#: * ``support_years``: years of public support before start in :data:`SUPPORT_YEAR_BANDS`;
#: * ``education``: the education code;
#: * ``support_before``: the *family* of the support before (kommun, fk, af, work, studies,
#:   none, unknown; :data:`finsamlib.categories.FAMILIES`), coarser than the 13 codes so that
#:   each level is large enough;
#: * ``sex``: K/M (not a default: SUS reports the sexes separately rather than adjusting).
COVARIATES: dict[str, tuple[tuple[str, ...], object]] = {
    "age_band": (("birth_year", "start_date"), _covariate_age_band),
    "support_years": (("years_public_support_before",), _covariate_support_years),
    "education": (("education",), _covariate_education),
    "support_before": (("support_before",), _covariate_support_before),
    "sex": (("sex",), _covariate_sex),
}


def poisson_interval(count: float, confidence: float = 0.95) -> tuple[float, float]:
    """The exact (Garwood) confidence interval of a Poisson mean, given an observed ``count``.

    Lower = χ²(α/2; 2·count)/2 (0 when count is 0), upper = χ²(1 − α/2; 2·(count + 1))/2.

    Examples
    --------
    >>> [round(v, 3) for v in poisson_interval(5)]
    [1.623, 11.668]
    """
    from scipy.stats import chi2

    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    if count < 0 or count != count:
        raise ValueError(f"count must be a count >= 0, got {count!r}")
    alpha = 1 - confidence
    low = 0.0 if count == 0 else float(chi2.ppf(alpha / 2, 2 * count) / 2)
    high = float(chi2.ppf(1 - alpha / 2, 2 * (count + 1)) / 2)
    return low, high


def _design(
    ended: pd.DataFrame, covariates: tuple[str, ...], min_level_rows: int
) -> tuple[pd.DataFrame, dict[str, list[str]], list[str]]:
    """The model matrix (intercept + one dummy per non-reference level), the pooled levels per
    covariate and the covariates left out because they have a single level."""
    columns: dict[str, np.ndarray] = {}
    pooled: dict[str, list[str]] = {}
    constant: list[str] = []
    for name in covariates:
        if name in COVARIATES:
            needs, code = COVARIATES[name]
            _require(ended, list(needs))
            values = code(ended)  # type: ignore[operator]
        elif name in ended.columns:
            raw = ended[name].astype("object").to_numpy()
            values = np.array([UNKNOWN if pd.isna(v) else str(v) for v in raw], dtype=object)
        else:
            raise KeyError(
                f"unknown covariate {name!r}: neither one of {', '.join(COVARIATES)} nor a "
                "column of participants"
            )
        counts = pd.Series(values).value_counts()
        rare = sorted(str(v) for v in counts.index[counts < min_level_rows])
        if len(rare) > 0 and len(rare) < len(counts):
            values = np.where(np.isin(values, rare), OTHER, values)
            pooled[name] = rare
        levels = pd.Series(values).value_counts()
        if len(levels) < 2:
            constant.append(name)
            continue
        # reference: the most common level (ties by name), so the fit is stable and repeatable
        order = sorted(levels.index, key=lambda v: (-levels[v], str(v)))
        for level in order[1:]:
            columns[f"{name}={level}"] = (values == level).astype(float)
    design = pd.DataFrame({"intercept": np.ones(len(ended)), **columns}, index=ended.index)
    return design, pooled, constant


def adjusted_comparison(
    participants: pd.DataFrame,
    year: int | None = None,
    *,
    by: str = "association",
    covariates: tuple[str, ...] | list[str] = DEFAULT_COVARIATES,
    confidence: float = 0.95,
    min_level_rows: int = MIN_LEVEL_ROWS,
) -> pd.DataFrame:
    """Observed against expected ended registrations to work and/or studies, per group
    (indirect standardisation with a logistic model): a comparison of associations that takes
    their participant mix into account.

    A logistic regression of "work and/or studies after" (:func:`in_work_or_studies_after`, the
    outcome table's ``work_or_studies_count``) on the ``covariates`` is fitted by maximum
    likelihood to every ended registration given (all groups together, without a group term).
    A group's *expected* count is the sum of its registrations' fitted probabilities: how many
    would have gone to work or studies had each had the average chance of registrations with the
    same covariates. The ratio observed / expected is above 1 when more than expected did.

    Parameters
    ----------
    participants : the canonical participants table; the registrations to compare (e.g. every
        association of a data folder). Only ended registrations are used.
    year : keep the registrations that ended in this year (:func:`ended_in_year`); None: every
        registration with an end date.
    by : the column naming the groups to compare.
    covariates : names in :data:`COVARIATES` (default :data:`DEFAULT_COVARIATES`) or columns of
        ``participants`` to use as categories. Levels with fewer than ``min_level_rows`` rows
        are pooled (:data:`MIN_LEVEL_ROWS`); a covariate with a single level is left out.
    confidence : the level of the intervals (default 95 %).

    Returns
    -------
    One row per group (index ``by``, sorted): ``ended``, ``observed`` (to work and/or studies),
    ``expected``, ``share_observed`` (percent of ended), ``share_expected``, ``ratio``
    (observed / expected), ``ratio_low``, ``ratio_high`` and ``share_adjusted`` (the ratio times
    the overall share: the group's share had it had the average mix). ``attrs``: ``year``,
    ``overall_share`` (percent), ``rows`` (registrations fitted), ``covariates`` (used),
    ``pooled`` (levels pooled per covariate), ``left_out`` (single-level covariates),
    ``confidence``, ``interval`` (:data:`RATIO_INTERVAL`), ``coefficients`` (log odds) and
    ``converged``.

    The interval treats the expected count as fixed and the observed count as Poisson, the usual
    interval of a standardised ratio: exact for every count down to 0 (an association's counts
    are small), and conservative (too wide) when the outcome is common, as the variance of a sum
    of Bernoulli outcomes, Σp(1 − p), is below the Poisson Σp. The model's own uncertainty is
    left out; it is small when many groups are fitted together and grows when few are.

    With an intercept and maximum likelihood, the expected counts of all groups add up to the
    observed counts (the intercept's score equation), so the ratios are relative to the average
    of the groups given: a ratio says "better or worse than these associations", not "than the
    nation". The model adjusts only for what it is given; what SUS does not register (health,
    language, the local labour market, the insatser offered) is not adjusted for, and a ratio
    is not an effect of the association's work.
    """
    import statsmodels.api as sm

    columns = ["end_date", "work_extent_after", "studies_extent_after", by]
    _require(participants, columns)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    covariates = tuple(covariates)
    if year is not None:
        ended = ended_in_year(participants, year)
    else:
        ended = participants.loc[participants["end_date"].notna().to_numpy(dtype=bool)]
    ended = ended.loc[ended[by].notna().to_numpy(dtype=bool)]
    if ended.empty:
        raise ValueError(
            "no ended registrations to compare"
            + (f" in {year}" if year is not None else "")
            + "; pass participants with end dates"
        )
    y = in_work_or_studies_after(ended).to_numpy(dtype=float)
    design, pooled, constant = _design(ended, covariates, int(min_level_rows))
    if 0 < y.sum() < len(y):
        fit = sm.GLM(y, design.to_numpy(), family=sm.families.Binomial()).fit()
        fitted = np.asarray(fit.fittedvalues, dtype=float)
        coefficients = dict(zip(design.columns, np.asarray(fit.params, dtype=float), strict=True))
        converged = bool(fit.converged)
    else:  # nobody, or everybody, to work or studies: every probability is the observed 0 or 1
        fitted = np.full(len(y), y.mean())
        coefficients = {}
        converged = True
    groups = ended[by].astype("object").to_numpy()
    overall = float(y.mean())
    rows = {}
    for group in sorted(pd.unique(groups), key=str):
        mine = groups == group
        n = int(mine.sum())
        observed = float(y[mine].sum())
        expected = float(fitted[mine].sum())
        low, high = poisson_interval(observed, confidence)
        ratio = observed / expected if expected > 0 else float("nan")
        rows[group] = {
            "ended": n,
            "observed": int(observed),
            "expected": expected,
            "share_observed": 100.0 * observed / n,
            "share_expected": 100.0 * expected / n,
            "ratio": ratio,
            "ratio_low": low / expected if expected > 0 else float("nan"),
            "ratio_high": high / expected if expected > 0 else float("nan"),
            "share_adjusted": 100.0 * ratio * overall,
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = by
    out.attrs.update(
        {
            "year": year,
            "overall_share": 100.0 * overall,
            "rows": len(y),
            "covariates": [c for c in covariates if c not in constant],
            "pooled": pooled,
            "left_out": constant,
            "confidence": confidence,
            "interval": RATIO_INTERVAL,
            "coefficients": coefficients,
            "converged": converged,
        }
    )
    return out


#: Control limits of a funnel plot: two-sided coverage, as Spiegelhalter (2005) recommends
#: (about 2 and 3 standard deviations).
FUNNEL_LEVELS: tuple[float, ...] = (0.95, 0.998)


def funnel_limits(
    overall: float, sizes: np.ndarray | list[int] | range, levels: tuple[float, ...] = FUNNEL_LEVELS
) -> pd.DataFrame:
    """Binomial control limits of a funnel plot of shares: where the share of ``n`` registrations
    falls with the given probability when every group has the share ``overall`` (0–1).

    The limits are the binomial quantiles, interpolated between whole counts (Spiegelhalter,
    "Funnel plots for comparing institutional performance", Statistics in Medicine 24 (2005),
    appendix A.1.1) so that they are smooth curves: with r the quantile of Bin(n, overall) at
    probability q and a = (F(r) − q) / (F(r) − F(r − 1)), the limit is (r + ½ − a) / n. The ½
    spreads each count over ±½ (a continuity correction); without it (Spiegelhalter's
    (r − a) / n) both limits sit ½ / n low, and the limits of a share of 0.5 are not symmetric.
    Returns one row per size (index ``n``) with columns ``low_<level>`` and ``high_<level>``
    (e.g. ``low_0.95``) as fractions 0–1.
    """
    from scipy.stats import binom

    if not 0 <= overall <= 1:
        raise ValueError(f"overall must be a share between 0 and 1, got {overall!r}")
    n = np.asarray(list(sizes), dtype=int)
    if (n < 1).any():
        raise ValueError("sizes must be whole numbers >= 1")

    def limit(q: float) -> np.ndarray:
        r = binom.ppf(q, n, overall)
        f_r = binom.cdf(r, n, overall)
        f_below = binom.cdf(r - 1, n, overall)
        step = f_r - f_below
        a = np.divide(f_r - q, step, out=np.zeros_like(step), where=step > 0)
        return np.clip((r + 0.5 - a) / n, 0.0, 1.0)

    out = {}
    for level in levels:
        if not 0 < level < 1:
            raise ValueError(f"levels must be between 0 and 1, got {level!r}")
        out[f"low_{level:g}"] = limit((1 - level) / 2)
        out[f"high_{level:g}"] = limit(1 - (1 - level) / 2)
    return pd.DataFrame(out, index=pd.Index(n, name="n"))
