"""Every cell the reports of a data folder publish about participants, for the disclosure control.

:func:`report_model` describes each count, share, amount and money figure that an association
report or a county overview shows (for every association, county and year with data) as a linear
function of the participant rows (:class:`finsamlib.disclosure.CellModel`), with the exact
relations between them. :func:`pattern_for` protects them all at once
(:func:`finsamlib.disclosure.protect`): the run's one suppression pattern, which every table
builder of :mod:`finsamlib.reports.sections` applies through the keys made here.

Keys (tuples of text and whole numbers):

- ``("flows", association, year, name)``: ``registered``, ``new``, ``ended``,
  ``ended_to_work_or_studies`` (the summary's key figures);
- ``("profile", association, year, dimension, category)``: the ended registrations by sex, age
  band, education and years of support (``category`` ``"total"`` is the table's "Samtliga");
- ``("supply", association, year, side, category)``: support before/after per category, and
  ``("supply", association, year, "n", "total")`` the table's "Samtliga";
- ``("outcome", area, sex, year, indicator)``: the SUS outcome table, ``area`` an association or
  a county, ``sex`` ``Totalt``/``Kvinnor``/``Män``; count rows as counts, the four share rows as
  the count each implies, the mean enrolment time as its sum of days, full-time equivalents as
  amounts;
- ``("money", association, year, actor)``: the yearly revenue per actor of the economic section
  (results and payback follow from it and the number of ended registrations);
- ``("reached", association, year)``: unique persons in insatser (coverage).
- ``("employment", association, year, side, status)``: sysselsättning before/after
  (:mod:`finsamlib.employment`); each side adds up to the outcome table's ended registrations;
- ``("gain", association, year, gain)``: who started or increased work or studies;
- ``("duration", association, year, band)``: time in insats per band (:mod:`finsamlib.duration`),
  adding up to the ended registrations;
- ``("insats", association, year, insats_id, name)``: per insats ``ended``,
  ``work_or_studies`` and ``gained``; the insatser add up to the association's outcome cells;
- ``("public_support", area, year, side)``: ended registrations with public main support before
  /after (:mod:`finsamlib.trends`), the sum of the supply cells of the public categories; for a
  county also its ``("supply", county, year, "n", "total")`` and, when every association of the
  county has money figures that year, ``("money", county, year, "society")``: the over-time
  tables use these with the outcome and money cells of every year, so the years link exactly
  as the one-year tables do.

The per-row definitions repeat those of :mod:`finsamlib.outcomes`, :mod:`finsamlib.supply` and
:mod:`finsamlib.economics`; the tests check every published value against the model's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from .. import disclosure, duration, economics, employment, outcomes, trends
from ..categories import EDUCATION_LABELS, SEX_LABELS, SUPPORT_CODES

#: Below this many ended registrations the economic section shows no money figures per actor.
#: Each figure is a sum over the cohort of every person's change in support, taxes and
#: production, priced with the published standard costs; one person moves an actor's figure by
#: 0.1–0.3 mnkr, the precision the report prints. In a small cohort the figures therefore tell
#: about individuals (who left försörjningsstöd, who got a job) rather than about a group, and
#: their many links to the counts of the same persons are hard to protect. 30 is the usual
#: minimum for a group mean to mean something; the linked-table audit protects the larger
#: cohorts' figures as it protects every other cell.
MIN_ECONOMICS_COHORT = 30

#: What the printed amounts tell an attacker, as the half-width of the interval around the true
#: sum (:meth:`finsamlib.disclosure.CellModel.add_amount`). Money: revenue, results and payback
#: are printed in mnkr with one decimal (± 50 000 kr); the 5-year result is 5 × revenue − cost,
#: so it pins the yearly revenue to ± 10 000 kr.
MONEY_PRECISION = 10_000.0
#: Full-time equivalents are printed with one decimal.
FTE_PRECISION = 0.05
#: The mean enrolment time is printed in whole days: the sum of days to ± 0.5 per registration.
DAYS_PRECISION = 0.5

#: Version of the cells :func:`report_model` makes; part of a pattern's fingerprint, so that a
#: pattern file written before cells were added (2: the SUS parity and over-time cells) is not
#: used for reports that publish them.
MODEL_VERSION = 2

SEXES: tuple[str, ...] = outcomes.SEX_COLUMNS
_SEX_CODE = {SEX_LABELS["K"]: "K", SEX_LABELS["M"]: "M"}
#: The count rows of the outcome table (printed as counts).
OUTCOME_COUNTS: tuple[str, ...] = (
    "ended_registrations",
    "unique_persons",
    "work_count",
    "work_or_studies_count",
    "work_or_studies_gained_count",
)
#: The share rows of the outcome table: modelled by the count each implies (over the ended).
OUTCOME_SHARE_COUNTS: tuple[str, ...] = (
    "share_under_30",
    "share_support_over_3_years",
    "share_compulsory_or_less",
    "share_post_secondary",
)
#: The amount rows of the outcome table and the count each is computed from.
OUTCOME_AMOUNTS: dict[str, str] = {
    "mean_enrolment_days": "ended_registrations",
    "work_fte": "work_count",
    "work_or_studies_fte": "work_or_studies_count",
}
#: The outcome rows computed from two published counts (no cell of their own).
OUTCOME_DERIVED: dict[str, tuple[str, str]] = {
    "share_by_sex": ("ended_registrations", "ended_registrations@Totalt"),
    "work_share": ("work_count", "ended_registrations"),
}
FLOWS: tuple[str, ...] = ("registered", "new", "ended", "ended_to_work_or_studies")
PROFILE_DIMENSIONS: tuple[str, ...] = ("sex", "age_band", "education", "support_years")
ACTORS: tuple[str, ...] = economics.ACTORS


# --------------------------------------------------------------------------- keys


def flow_key(association: str, year: int, name: str) -> tuple:
    return ("flows", str(association), int(year), str(name))


def profile_key(association: str, year: int, dimension: str, category: str) -> tuple:
    return ("profile", str(association), int(year), str(dimension), str(category))


def supply_key(association: str, year: int, side: str, category: str) -> tuple:
    return ("supply", str(association), int(year), str(side), str(category))


def supply_total_key(association: str, year: int) -> tuple:
    return supply_key(association, year, "n", "total")


def outcome_key(area: str, sex: str, year: int, indicator: str) -> tuple:
    return ("outcome", str(area), str(sex), int(year), str(indicator))


def outcome_cell_keys(area: str, sex: str, year: int, indicator: str) -> list[tuple]:
    """The cells one figure of the outcome table is computed from (hidden with any of them)."""
    if indicator in OUTCOME_DERIVED:
        out = []
        for source in OUTCOME_DERIVED[indicator]:
            name, _, column = source.partition("@")
            out.append(outcome_key(area, column or sex, year, name))
        return out
    return [outcome_key(area, sex, year, indicator)]


def money_key(association: str, year: int, actor: str) -> tuple:
    return ("money", str(association), int(year), str(actor))


def reached_key(association: str, year: int) -> tuple:
    return ("reached", str(association), int(year))


def employment_key(association: str, year: int, side: str, status: str) -> tuple:
    return ("employment", str(association), int(year), str(side), str(status))


def gain_key(association: str, year: int, gain: str) -> tuple:
    return ("gain", str(association), int(year), str(gain))


def duration_key(association: str, year: int, band: str) -> tuple:
    return ("duration", str(association), int(year), str(band))


#: The figures per insats of the association report (:func:`finsamlib.employment.insats_summary`)
#: and the outcome row each adds up to over the association's insatser.
INSATS_FIGURES: dict[str, str] = {
    "ended": "ended_registrations",
    "work_or_studies": "work_or_studies_count",
    "gained": "work_or_studies_gained_count",
}


def insats_key(association: str, year: int, insats_id: str, name: str) -> tuple:
    return ("insats", str(association), int(year), str(insats_id), str(name))


def public_support_key(area: str, year: int, side: str) -> tuple:
    return ("public_support", str(area), int(year), str(side))


# --------------------------------------------------------------------------- per-row values


def _band(values: np.ndarray, bands: Iterable[tuple[str, float, float]], closed_left: bool):
    out = np.full(values.shape, outcomes.UNKNOWN, dtype=object)
    done = np.isnan(values)
    for name, lo, hi in bands:
        inside = (lo <= values) & (values <= hi) if closed_left else (lo < values) & (values <= hi)
        inside &= ~done
        out[inside] = name
        done |= inside
    return out


class _Rows:
    """The per-row values every cell is built from (vectorised)."""

    def __init__(self, p: pd.DataFrame) -> None:
        def num(col: str) -> np.ndarray:
            return pd.to_numeric(p[col]).astype("Float64").to_numpy(dtype=float, na_value=np.nan)

        def extent(col: str) -> np.ndarray:
            return np.nan_to_num(num(col), nan=0.0)

        self.n = len(p)
        self.association = p["association"].astype("object").to_numpy()
        self.person = p["person_id"].astype("object").to_numpy()
        start = pd.to_datetime(p["start_date"])
        end = pd.to_datetime(p["end_date"])
        self.start = start.to_numpy()
        self.end = end.to_numpy()
        self.start_year = start.dt.year.to_numpy(dtype=float, na_value=np.nan)
        self.end_year = end.dt.year.to_numpy(dtype=float, na_value=np.nan)
        sex = p["sex"].astype("object").to_numpy()
        self.sex = np.array([s if s in SEX_LABELS else outcomes.UNKNOWN for s in sex], dtype=object)
        self.sex_raw = sex
        age = self.start_year - num("birth_year")
        self.age = age
        years = num("years_public_support_before")
        self.support_years = years
        edu = p["education"].astype("object").to_numpy()
        self.education_raw = edu
        self.education = np.array(
            [e if e in EDUCATION_LABELS else outcomes.UNKNOWN for e in edu], dtype=object
        )
        self.age_band = _band(age, outcomes.AGE_BANDS, closed_left=True)
        self.support_band = _band(years, outcomes.SUPPORT_YEAR_BANDS, closed_left=False)
        self.days = (end - start).dt.days.to_numpy(dtype=float, na_value=np.nan)
        self.work_after = extent("work_extent_after")
        studies_after = extent("studies_extent_after")
        self.after = self.work_after + studies_after
        self.before = extent("work_extent_before") + extent("studies_extent_before")
        self.to_wos = (self.work_after > 0) | (studies_after > 0)
        self.support_before = p["support_before"].astype("object").to_numpy()
        self.support_after = p["support_after"].astype("object").to_numpy()

    def active(self, year: int) -> np.ndarray:
        first = np.datetime64(f"{year}-01-01")
        last = np.datetime64(f"{year}-12-31")
        start_ok = self.start <= last
        end_ok = np.isnat(self.end) | (self.end >= first)
        return start_ok & end_ok & ~np.isnat(self.start)

    def ended(self, year: int) -> np.ndarray:
        return self.end_year == year


def _first_of_person(rows: np.ndarray, r: _Rows) -> np.ndarray:
    """The rows among ``rows`` (indices) that are the first of their (association, person)."""
    seen: set[tuple[object, object]] = set()
    out = []
    for i in rows.tolist():
        k = (r.association[i], r.person[i])
        if k not in seen:
            seen.add(k)
            out.append(i)
    return np.array(out, dtype=np.int64)


def _first_person_id(rows: np.ndarray, r: _Rows) -> np.ndarray:
    """The rows among ``rows`` that are the first with their person id (within one
    association: target_group.reached counts person ids)."""
    seen: set[object] = set()
    out = []
    for i in rows.tolist():
        if r.person[i] not in seen:
            seen.add(r.person[i])
            out.append(i)
    return np.array(out, dtype=np.int64)


# --------------------------------------------------------------------------- the model


def report_years(participants: pd.DataFrame | None) -> list[int]:
    """The years a report can be made for: those in which some registration ended."""
    if participants is None or participants.empty:
        return []
    years = pd.to_datetime(participants["end_date"]).dt.year.dropna().astype(int)
    return sorted(set(years.tolist()))


def published_counties(participants: pd.DataFrame, registry: pd.DataFrame) -> dict[str, list]:
    """County → its associations with participant rows, for the counties whose column the
    reports show (every association of the county has participant rows)."""
    present = set(participants["association"].astype(str))
    out: dict[str, list[str]] = {}
    for county in dict.fromkeys(registry["county"].astype(str)):
        members = list(
            dict.fromkeys(registry.loc[registry["county"] == county, "association"].astype(str))
        )
        if members and all(m in present for m in members):
            out[county] = members
    return out


def report_model(
    participants: pd.DataFrame,
    registry: pd.DataFrame,
    *,
    years: Sequence[int] | None = None,
    standard_costs: pd.DataFrame | None = None,
) -> disclosure.CellModel:
    """Every participant cell of every report of a data folder (see the module docstring).

    ``years`` default to :func:`report_years`; money cells are made when ``standard_costs`` is
    given, for cohorts of at least :data:`MIN_ECONOMICS_COHORT` ended registrations.
    """
    p = participants.reset_index(drop=True)
    r = _Rows(p)
    county_of = dict(
        zip(registry["association"].astype(str), registry["county"].astype(str), strict=True)
    )
    # the audit looks first at the registrations of one county that ended in one year
    groups = [
        None if np.isnan(ey) else (county_of.get(str(a)), int(ey))
        for a, ey in zip(r.association, r.end_year, strict=True)
    ]
    model = disclosure.CellModel(r.n, groups=groups)
    years = list(report_years(p) if years is None else years)
    known = set(registry["association"].astype(str))
    present = [a for a in dict.fromkeys(registry["association"].astype(str))]
    present = [a for a in present if (r.association == a).any()]
    unknown = sorted(set(r.association.astype(str)) - known)
    if unknown:
        raise ValueError(f"associations {unknown} are not in the registry")
    of_assoc = {a: r.association == a for a in present}
    counties = published_counties(p, registry)
    of_county = {c: np.isin(r.association, members) for c, members in counties.items()}
    money = None
    if standard_costs is not None:  # each ended row's money per actor, once for all years
        cohort = p[p["end_date"].notna() & p["support_after"].notna()]
        if not cohort.empty:
            money = economics.revenue_by_row(cohort, standard_costs)
    for y in years:
        active = r.active(y)
        ended = r.ended(y)
        for a in present:
            mine = of_assoc[a]
            _flows(model, r, a, y, mine & active, ended)
            _profile(model, r, a, y, np.flatnonzero(mine & ended))
            _supply(model, r, a, y, np.flatnonzero(mine & ended))
            _reached(model, r, a, y, np.flatnonzero(mine & active))
            _outcome_area(model, r, a, y, np.flatnonzero(mine & ended), members=None)
            if money is not None:
                _money(model, a, y, np.flatnonzero(mine & ended), money)
        for county, members in counties.items():
            rows = np.flatnonzero(of_county[county] & ended)
            _outcome_area(model, r, county, y, rows, members=members)
        add_parity_cells(model, p, r, y, {a: of_assoc[a] for a in present})
        add_trend_cells(model, r, y, {a: of_assoc[a] for a in present}, counties, money)
        for a in present:  # one year's flows follow from the year before
            if y - 1 in years:
                model.add_relation(
                    {
                        flow_key(a, y, "registered"): 1.0,
                        flow_key(a, y - 1, "registered"): -1.0,
                        flow_key(a, y - 1, "ended"): 1.0,
                        flow_key(a, y, "new"): -1.0,
                    }
                )
    return model


def _flows(model, r: _Rows, a: str, y: int, active: np.ndarray, ended_y: np.ndarray) -> None:
    new = active & (r.start_year == y)
    ended = active & ended_y
    model.add_count(flow_key(a, y, "registered"), np.flatnonzero(active))
    model.add_count(flow_key(a, y, "new"), np.flatnonzero(new))
    model.add_count(flow_key(a, y, "ended"), np.flatnonzero(ended))
    model.add_count(flow_key(a, y, "ended_to_work_or_studies"), np.flatnonzero(ended & r.to_wos))


def _profile(model, r: _Rows, a: str, y: int, rows: np.ndarray) -> None:
    if rows.size == 0:
        return
    values = {
        "sex": (r.sex, [*SEX_LABELS, outcomes.UNKNOWN]),
        "age_band": (r.age_band, [b[0] for b in outcomes.AGE_BANDS] + [outcomes.UNKNOWN]),
        "education": (r.education, list(EDUCATION_LABELS)),
        "support_years": (
            r.support_band,
            [b[0] for b in outcomes.SUPPORT_YEAR_BANDS] + [outcomes.UNKNOWN],
        ),
    }
    for dim, (per_row, categories) in values.items():
        total = profile_key(a, y, dim, "total")
        model.add_count(total, rows)
        parts = []
        for cat in dict.fromkeys(categories):
            key = profile_key(a, y, dim, cat)
            model.add_count(key, rows[per_row[rows] == cat])
            parts.append(key)
        model.add_total(total, parts)


def _supply(model, r: _Rows, a: str, y: int, ended: np.ndarray) -> None:
    b = r.support_before[ended]
    f = r.support_after[ended]
    rows = ended[pd.notna(b) & pd.notna(f)]
    if rows.size == 0:
        return
    total = supply_total_key(a, y)
    model.add_count(total, rows)
    for side, values in (("before", r.support_before), ("after", r.support_after)):
        parts = []
        for cat in SUPPORT_CODES:
            key = supply_key(a, y, side, cat)
            model.add_count(key, rows[values[rows] == cat])
            parts.append(key)
        model.add_total(total, parts)


def _reached(model, r: _Rows, a: str, y: int, active: np.ndarray) -> None:
    model.add_count(reached_key(a, y), _first_person_id(active, r))


def _outcome_area(
    model, r: _Rows, area: str, y: int, rows: np.ndarray, members: list[str] | None
) -> None:
    for sex in SEXES:
        sub = rows if sex == outcomes.TOTAL else rows[r.sex_raw[rows] == _SEX_CODE[sex]]
        n_key = outcome_key(area, sex, y, "ended_registrations")
        model.add_count(n_key, sub)
        model.add_count(outcome_key(area, sex, y, "unique_persons"), _first_of_person(sub, r))
        age = np.nan_to_num(r.age[sub], nan=np.inf)
        years = np.nan_to_num(r.support_years[sub], nan=0.0)
        implied = {
            "share_under_30": age < outcomes.YOUNG_AGE_LIMIT,
            "share_support_over_3_years": years > outcomes.LONG_SUPPORT_YEARS,
            "share_compulsory_or_less": r.education_raw[sub] == "compulsory_or_less",
            "share_post_secondary": r.education_raw[sub] == "post_secondary",
        }
        for name, mask in implied.items():
            model.add_count(
                outcome_key(area, sex, y, name), sub[mask], depends=[n_key], display="share"
            )
        work = r.work_after[sub] > 0
        wos = r.after[sub] > 0
        model.add_count(outcome_key(area, sex, y, "work_count"), sub[work])
        model.add_count(outcome_key(area, sex, y, "work_or_studies_count"), sub[wos])
        model.add_count(
            outcome_key(area, sex, y, "work_or_studies_gained_count"),
            sub[r.after[sub] > r.before[sub]],
        )
        model.add_amount(
            outcome_key(area, sex, y, "mean_enrolment_days"),
            sub,
            np.nan_to_num(r.days[sub], nan=0.0),
            depends=[n_key],
            precision=DAYS_PRECISION * sub.size,
        )
        model.add_amount(
            outcome_key(area, sex, y, "work_fte"),
            sub,
            r.work_after[sub] / outcomes.FULL_TIME_EXTENT,
            depends=[outcome_key(area, sex, y, "work_count")],
            precision=FTE_PRECISION,
        )
        model.add_amount(
            outcome_key(area, sex, y, "work_or_studies_fte"),
            sub,
            np.minimum(r.after[sub], outcomes.FULL_TIME_EXTENT) / outcomes.FULL_TIME_EXTENT,
            depends=[outcome_key(area, sex, y, "work_or_studies_count")],
            precision=FTE_PRECISION,
        )
    linear = (*OUTCOME_COUNTS, *OUTCOME_SHARE_COUNTS, *OUTCOME_AMOUNTS)
    for name in linear:
        model.add_total(
            outcome_key(area, outcomes.TOTAL, y, name),
            [outcome_key(area, s, y, name) for s in SEXES[1:]],
        )
        if members:
            for sex in SEXES:
                model.add_total(
                    outcome_key(area, sex, y, name), [outcome_key(m, sex, y, name) for m in members]
                )
    if members is None and rows.size:  # the outcome shares against the profile's bands
        a = area
        model.add_total(
            outcome_key(a, outcomes.TOTAL, y, "share_under_30"),
            [profile_key(a, y, "age_band", b) for b, _lo, hi in outcomes.AGE_BANDS if hi < 30],
        )
        model.add_total(
            outcome_key(a, outcomes.TOTAL, y, "share_support_over_3_years"),
            [profile_key(a, y, "support_years", b) for b in ("3-9", "over 9")],
        )


def _money_rows(rows: np.ndarray, money: pd.DataFrame) -> np.ndarray:
    """The rows (sorted, each once) that have money figures: ``np.intersect1d`` with the money
    table's row numbers, by binary search when those are sorted (they are: the cohort keeps the
    participants' order), so that no call sorts every row of the folder again."""
    index = money.index
    if not index.is_monotonic_increasing or not index.is_unique:
        return np.intersect1d(rows, index.to_numpy(dtype=np.int64))
    known = index.to_numpy(dtype=np.int64)
    rows = np.unique(rows)
    at = np.searchsorted(known, rows)
    found = at < known.size
    found[found] = known[at[found]] == rows[found]
    return rows[found]


def _money(model, a: str, y: int, ended: np.ndarray, money: pd.DataFrame) -> None:
    if ended.size < MIN_ECONOMICS_COHORT:
        return
    rows = _money_rows(ended, money)
    if rows.size == 0:
        return
    per_row = money.loc[rows]
    for actor in ACTORS:
        model.add_amount(
            money_key(a, y, actor),
            rows,
            per_row[actor].to_numpy(),
            depends=[outcome_key(a, outcomes.TOTAL, y, "ended_registrations")],
            precision=MONEY_PRECISION,
        )


def add_parity_cells(
    model, p: pd.DataFrame, r: _Rows, y: int, associations: dict[str, np.ndarray]
) -> None:
    """The cells of the SUS parity tables of one year (:mod:`finsamlib.reports.sus_sections`):
    sysselsättning before and after, gains, time in insats and the per-insats figures."""
    status = {side: employment.employment_status(p, side).to_numpy() for side in employment.SIDES}
    flags = employment.gain_flags(p)
    band = duration.duration_band(r.days)
    wos = r.to_wos
    gained = flags["work_or_studies_gained"].to_numpy()
    insats = p["insats_id"].astype("object").to_numpy()
    for a, mine in associations.items():
        rows = np.flatnonzero(mine & r.ended(y))
        if rows.size == 0:
            continue
        ended = outcome_key(a, outcomes.TOTAL, y, "ended_registrations")
        for side in employment.SIDES:
            keys = [employment_key(a, y, side, st) for st in employment.STATUSES]
            for key, st in zip(keys, employment.STATUSES, strict=True):
                model.add_count(key, rows[status[side][rows] == st])
            model.add_total(ended, keys)
        for gain in employment.GAINS:
            model.add_count(gain_key(a, y, gain), rows[flags[gain].to_numpy()[rows]])
        bands = [b[0] for b in duration.DURATION_BANDS]
        if (band[rows] == duration.UNKNOWN_BAND).any():
            bands.append(duration.UNKNOWN_BAND)
        for b in bands:
            model.add_count(duration_key(a, y, b), rows[band[rows] == b])
        model.add_total(ended, [duration_key(a, y, b) for b in bands])
        ids = sorted({str(i) for i in insats[rows] if pd.notna(i)})
        per_row = {"ended": np.ones(len(p), dtype=bool), "work_or_studies": wos, "gained": gained}
        for i in ids:
            mine_i = rows[insats[rows] == i]
            for name, mask in per_row.items():
                model.add_count(insats_key(a, y, i, name), mine_i[mask[mine_i]])
        if pd.notna(insats[rows]).all():
            for name, outcome in INSATS_FIGURES.items():
                model.add_total(
                    outcome_key(a, outcomes.TOTAL, y, outcome),
                    [insats_key(a, y, i, name) for i in ids],
                )


def add_trend_cells(
    model,
    r: _Rows,
    y: int,
    associations: dict[str, np.ndarray],
    counties: dict[str, list[str]],
    money: pd.DataFrame | None = None,
) -> None:
    """The cells of the over-time tables of one year (:mod:`finsamlib.reports.trend_sections`)
    that the one-year tables lack: public support before and after, per association and county,
    and a county's supply total and money for society. The ended registrations, those in work
    and/or studies after and an association's money are the outcome and money cells of that
    year."""
    public = {
        side: np.isin(values, trends.PUBLIC_CODES)
        for side, values in (("before", r.support_before), ("after", r.support_after))
    }
    for a in associations:
        if supply_total_key(a, y) not in model:
            continue
        rows = model.rows(supply_total_key(a, y))
        for side in ("before", "after"):
            key = public_support_key(a, y, side)
            model.add_count(key, rows[public[side][rows]])
            model.add_total(key, [supply_key(a, y, side, c) for c in trends.PUBLIC_CODES])
    for county, members in counties.items():
        with_supply = [m for m in members if supply_total_key(m, y) in model]
        if not with_supply:
            continue
        rows = np.concatenate([model.rows(supply_total_key(m, y)) for m in with_supply])
        total = supply_total_key(county, y)
        model.add_count(total, rows)
        model.add_total(total, [supply_total_key(m, y) for m in with_supply])
        for side in ("before", "after"):
            key = public_support_key(county, y, side)
            model.add_count(key, rows[public[side][rows]])
            model.add_total(key, [public_support_key(m, y, side) for m in with_supply])
        parts = [money_key(m, y, "society") for m in members]
        if money is not None and all(k in model for k in parts):
            ended = np.flatnonzero(np.isin(r.association, members) & r.ended(y))
            rows = _money_rows(ended, money)
            model.add_amount(
                money_key(county, y, "society"),
                rows,
                money.loc[rows, "society"].to_numpy(),
                depends=[outcome_key(county, outcomes.TOTAL, y, "ended_registrations")],
                precision=MONEY_PRECISION,
            )
            model.add_total(money_key(county, y, "society"), parts)


def pattern_for(
    participants: pd.DataFrame | None,
    registry: pd.DataFrame,
    threshold: int,
    *,
    standard_costs: pd.DataFrame | None = None,
    map_: Callable = map,
    batches: int = 1,
) -> disclosure.Pattern:
    """The one suppression pattern of every report of a data folder (``map_`` and ``batches``:
    how to share the audit's work, see :func:`finsamlib.disclosure.protect`).

    The last few patterns are remembered by their data fingerprint (:func:`data_fingerprint`:
    the rows, the registry, the costs, the threshold and the method's version), so the runner,
    a notebook run by hand and its sections ask for the same data's pattern and compute it once
    per process."""
    fp = data_fingerprint(participants, registry, standard_costs, threshold)
    remembered = _remembered(fp)
    if remembered is not None:
        return remembered
    if participants is None or participants.empty:
        pattern = disclosure.Pattern(threshold=int(threshold), hidden={}, fingerprint=fp)
    else:
        model = report_model(participants, registry, standard_costs=standard_costs)
        pattern = disclosure.protect(
            model, int(threshold), fingerprint=fp, map_=map_, batches=batches
        )
    return remember_pattern(pattern)


def _remembered(fp: str) -> disclosure.Pattern | None:
    """The pattern remembered for fingerprint ``fp`` (now the most recently used), if any."""
    pattern = _FOLDER_PATTERNS.pop(fp, None)
    if pattern is not None:
        _FOLDER_PATTERNS[fp] = pattern
    return pattern


def remember_pattern(pattern: disclosure.Pattern) -> disclosure.Pattern:
    """Remember ``pattern`` under its fingerprint (one the runner wrote, read back by a report),
    forgetting the least recently used beyond :data:`_FOLDER_PATTERNS_KEPT`."""
    _FOLDER_PATTERNS.pop(pattern.fingerprint, None)
    while len(_FOLDER_PATTERNS) >= _FOLDER_PATTERNS_KEPT:
        _FOLDER_PATTERNS.pop(next(iter(_FOLDER_PATTERNS)))
    _FOLDER_PATTERNS[pattern.fingerprint] = pattern
    return pattern


class PatternMemory(Protocol):
    """Patterns kept between runs, by data fingerprint (the runner's
    :class:`finsamlib.reports.cache.PatternStore`)."""

    def get(self, fingerprint: str) -> disclosure.Pattern | None: ...

    def put(self, fingerprint: str, pattern: disclosure.Pattern) -> None: ...


def folder_pattern(
    data_dir: str | Path | None,
    threshold: int,
    *,
    map_: Callable = map,
    batches: int = 1,
    memory: PatternMemory | None = None,
    after_load: Callable[[], None] | None = None,
) -> disclosure.Pattern:
    """The one suppression pattern of every report of a data folder (None: the embedded data),
    for the runner to compute once per run and hand to every report (the runner shares the
    audit with its idle workers: ``map_``, ``batches``). With ``memory``, a pattern made
    earlier for the same fingerprint is taken from it, and a new one kept in it; within a
    process :func:`pattern_for` remembers it. ``after_load`` is called once the data are
    parsed (the runner shares them with its zygote)."""
    from .inputs import ReportInputs

    inputs = ReportInputs(data_dir)
    registry = inputs.load("registry")
    participants = inputs.load_table("participants")
    costs = (
        inputs.load("assumptions/standard_costs")
        if inputs.has("assumptions/standard_costs")
        else None
    )
    if after_load is not None:
        after_load()
    fp = data_fingerprint(participants, registry, costs, int(threshold))
    pattern = _remembered(fp)
    if pattern is None and memory is not None:
        pattern = memory.get(fp)
        if pattern is not None:
            remember_pattern(pattern)
    if pattern is None:
        pattern = pattern_for(
            participants, registry, int(threshold), standard_costs=costs, map_=map_, batches=batches
        )
    if memory is not None:
        memory.put(fp, pattern)
    return pattern


#: The last patterns :func:`pattern_for` computed (or :func:`remember_pattern` was given), by
#: their data fingerprint, least recently used first.
_FOLDER_PATTERNS: dict[str, disclosure.Pattern] = {}
_FOLDER_PATTERNS_KEPT = 8


# --------------------------------------------------------------------------- what a page shows


def page_areas(
    registry: pd.DataFrame, *, association: str | None = None, county: str | None = None
) -> tuple[list[str], str]:
    """The associations whose participant rows a page computes from, and its county: an
    association report shows its own figures and its county's column (summed over its sibling
    associations); a county overview every association of the data folder, because its
    adjusted comparison (``comparison_sections``) fits one model on all of them and places the
    county's associations among the others."""
    if association is not None:
        hit = registry.loc[registry["association"] == association, "county"]
        county = str(hit.iloc[0]) if len(hit) else ""
        members = registry.loc[registry["county"].astype(str) == str(county), "association"]
    else:
        members = registry["association"]
    return sorted(set(members.astype(str))), str(county)


def page_cell_keys(
    pattern: disclosure.Pattern,
    registry: pd.DataFrame,
    *,
    association: str | None = None,
    county: str | None = None,
    year: int | None = None,
) -> list[tuple]:
    """The cells of ``pattern`` a page of ``year`` (None: every year) may publish: an
    association's own cells and the outcome cells of its county; for a county overview, the
    cells of its associations and of the county. A superset of what the page prints (so a
    change to any of them renders the page again, never too few). Every key's year is its
    third element (see the key functions above), and a page shows only its own year."""
    members, county_name = page_areas(registry, association=association, county=county)
    own = {str(association)} if association is not None else set(members)
    areas = own | {county_name}
    keys = pattern.keys or frozenset(pattern.hidden)
    return sorted(
        (
            k
            for k in keys
            if (year is None or _key_year(k) in (None, int(year)))
            and (
                (k[0] == "outcome" and str(k[1]) in areas)
                or (k[0] != "outcome" and len(k) > 1 and str(k[1]) in own)
            )
        ),
        key=repr,
    )


def _key_year(key: tuple) -> int | None:
    """The year of a cell key (None if it has none: then it counts for every page)."""
    at = 3 if key[0] == "outcome" else 2
    value = key[at] if len(key) > at else None
    return int(value) if isinstance(value, int | np.integer) else None


def page_pattern_digest(
    pattern: disclosure.Pattern,
    registry: pd.DataFrame,
    *,
    association: str | None = None,
    county: str | None = None,
    year: int | None = None,
) -> str:
    """SHA-256 of the pattern as one page of ``year`` sees it: the method, threshold and
    minimum range, and whether and why each of :func:`page_cell_keys` is hidden."""
    cells = [
        [list(k), pattern.hidden.get(k)]
        for k in page_cell_keys(
            pattern, registry, association=association, county=county, year=year
        )
    ]
    text = json.dumps(
        [pattern.method, pattern.threshold, pattern.min_range, cells],
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def page_rows_digest(
    participants: pd.DataFrame | None,
    registry: pd.DataFrame,
    *,
    association: str | None = None,
    county: str | None = None,
) -> str:
    """SHA-256 of the participant rows a page computes from (:func:`page_areas`), in any
    file: a row moved into another file changes it too."""
    if participants is None:
        return "none"
    members, _ = page_areas(registry, association=association, county=county)
    rows = participants[participants["association"].astype(str).isin(members)]
    hashed = pd.util.hash_pandas_object(rows.reset_index(drop=True), index=False)
    digest = hashlib.sha256(hashed.to_numpy().tobytes())
    digest.update(repr([(c, str(t)) for c, t in rows.dtypes.items()]).encode())
    return digest.hexdigest()


def data_fingerprint(
    participants: pd.DataFrame | None,
    registry: pd.DataFrame,
    standard_costs: pd.DataFrame | None,
    threshold: int,
) -> str:
    """What a pattern depends on: the data, the threshold and the method's version."""

    def digest(df: pd.DataFrame | None) -> bytes:
        if df is None:
            return b"none"
        hashed = pd.util.hash_pandas_object(df.reset_index(drop=True), index=False)
        return hashed.to_numpy().tobytes() + repr(list(df.columns)).encode()

    return disclosure.fingerprint(
        digest(participants),
        digest(registry),
        digest(standard_costs),
        int(threshold),
        disclosure.METHOD_VERSION,
        MIN_ECONOMICS_COHORT,
        MODEL_VERSION,
    )
