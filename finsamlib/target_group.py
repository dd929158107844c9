"""Target-group sizing (målgruppsberäkning): how many need coordinated rehabilitation, and coverage.

The model (seed 002, Bilaga 4 "Sammanfattning och reflektioner", table "Andel av målgrupp /
Antal"): the target group is a sum over population groups, each group's count multiplied by an
assumed share of it that needs coordinated rehabilitation::

    target = Σ_g count_g × share_g          share of working age = target / working-age population

Seed 002 nationally: NEET 80 000 × 100 % + economic assistance 260 000 × 80 % + unemployed and
in programmes 372 200 × 25 % + activity compensation 37 600 × 50 % + sick-listed 194 200 × 20 %
+ part-time sickness compensation 87 000 × 50 % = 482 190; the seed rounds two rows ("ca 93 000",
"närmare ca 40 000") and prints 483 300 = 6,6 % of 7 300 000 (:data:`SEED002_ROUNDING`
reproduces that). The shares are assumptions, so they are a parameter table
(:data:`DEFAULT_SHARES`) with a low and a high bound per group, and :func:`sensitivity` shows
what they do to the total.

The printed table contradicts its own text in two rows (:func:`discrepancies`): its label says
10 % for the sick-listed, but its 40 000 is ~20 % of ~194 200 (the text: "Om vi utgår från 20
procent"); its label says 100 % for economic assistance, but 208 000 is 80 % of 260 000 (the text
box: "208 000 individer vilket motsvarar 80 %"). The defaults follow the texts.

Areas are kommuner (``area`` = kommun code), associations or counties; :func:`to_level` sums
kommun rows to associations or counties through the registry. :func:`coverage` divides the
persons reached by the estimated target group.

**Reached** (:func:`reached`): the number of unique persons with at least one registration in
an individual insats that was active some day in the year (start on or before 31 December, and
no end date or an end on or after 1 January). A person registered several times, or in several
insatser, counts once per area.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd

from .categories import TARGET_GROUP_LABELS
from .errors import FinsamDataError

TOTAL = "total"  #: the ``group`` of the total rows of :func:`size`
ALL = "all"  #: the ``group`` of the all-low / all-high rows of :func:`sensitivity`
Level = Literal["kommun", "association", "county"]


@dataclass(frozen=True)
class GroupShare:
    """One population group of the model with its assumed share (central, low, high)."""

    group: str  # stable key (the ``group`` of target_group_sources)
    label: str  # Swedish label (finsamlib.categories.TARGET_GROUP_LABELS for the defaults)
    share: float  # central assumption, 0–1
    low: float
    high: float
    source: str  # where the central share comes from
    bounds: str  # where the low/high bounds come from (documented assumptions)


#: The default model: seed 002 (002_c59416c08b1b6909.txt, Bilaga 4; transcribed in
#: data/raw/published/seed002_target_group_sizing.csv). Central shares are the seed's; the bounds
#: are documented assumptions unless the seed gives a range.
DEFAULT_SHARE_ROWS: tuple[GroupShare, ...] = (
    GroupShare(
        "neet",
        TARGET_GROUP_LABELS["neet"],
        1.00,
        0.50,
        1.00,
        "seed 002 Bilaga 4, table 'Andel av målgrupp / Antal': 'NEET (100%)'; the text counts "
        "the whole NEET group (knappt 80 000, 15–24 år) rather than UVAS",
        "assumption: at least half of NEET need coordinated support (low); all of them (high)",
    ),
    GroupShare(
        "economic_assistance",
        TARGET_GROUP_LABELS["economic_assistance"],
        0.80,
        94_200 / 260_000,
        1.00,
        "seed 002 Bilaga 4 'Ekonomiskt bistånd', text box: '208 000 individer vilket motsvarar "
        "80 % av målgruppen' (the summary table's label says 100 %)",
        "low: the long-term recipients, ca 94 200 of knappt 260 000 (seed 002 Bilaga 4, 36 %); "
        "high: 100 %, the summary table's label",
    ),
    GroupShare(
        "unemployed",
        TARGET_GROUP_LABELS["unemployed"],
        0.25,
        0.15,
        0.35,
        "seed 002 Bilaga 4 'Arbetsförmedlingen': 'cirka en fjärdedel' of 372 200 openly "
        "unemployed and in programmes with aktivitetsstöd",
        "assumption: ±10 percentage points",
    ),
    GroupShare(
        "activity_compensation",
        TARGET_GROUP_LABELS["activity_compensation"],
        0.50,
        0.30,
        0.70,
        "seed 002 Bilaga 4 'Unga med aktivitetsersättning': 'hälften' of 37 600",
        "assumption: ±20 percentage points",
    ),
    GroupShare(
        "sick_listed",
        TARGET_GROUP_LABELS["sick_listed"],
        0.20,
        0.10,
        0.30,
        "seed 002 Bilaga 4 'Sjukskrivningar': 'Om vi utgår från 20 procent' of cirka 194 200 "
        "(the summary table's label says 10 %)",
        "seed 002: an earlier survey suggests '10- 30 procent'",
    ),
    GroupShare(
        "part_time_sickness_compensation",
        TARGET_GROUP_LABELS["part_time_sickness_compensation"],
        0.50,
        0.30,
        0.70,
        "seed 002 Bilaga 4 'Personer med sjukersättning': 'hälften' of cirka 87 000",
        "assumption: ±20 percentage points",
    ),
)

#: The default shares as a table: group, label, share, low, high, source, bounds.
DEFAULT_SHARES: pd.DataFrame = pd.DataFrame([asdict(r) for r in DEFAULT_SHARE_ROWS])

#: Seed 002's own rounding of two rows of its national table ('ca 93 000' for 25 % of 372 200 =
#: 93 050; 'närmare ca 40 000' for 20 % of 194 200 = 38 840): round to the nearest multiple.
SEED002_ROUNDING: dict[str, float] = {"unemployed": 1_000, "sick_listed": 10_000}

#: The working-age population seed 002 divides by ('cirka 7 300 000', 15–74 år, 2015).
SEED002_WORKING_AGE_POPULATION = 7_300_000

#: ISF's coverage of 2017: 28 500 participants in individual insatser, 'drygt 10 procent' of the
#: persons the preparatory works judged to need them (seed 001, Bilaga 2; also in
#: data/raw/published/seed001_text_figures.csv). A reference line, not a target.
REFERENCE_COVERAGE = 0.10
REFERENCE_PARTICIPANTS_2017 = 28_500


# --------------------------------------------------------------------------- inputs


def _check_shares(shares: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("group", "share") if c not in shares.columns]
    if missing:
        raise KeyError(f"shares needs the columns group and share; missing {missing}")
    s = shares.copy()
    if "label" not in s.columns:
        s["label"] = s["group"]
    for bound in ("low", "high"):
        if bound not in s.columns:
            s[bound] = s["share"]
    for col in ("share", "low", "high"):
        s[col] = pd.to_numeric(s[col]).astype(float)
    bad = s[
        (s[["share", "low", "high"]] < 0).any(axis=1)
        | (s[["share", "low", "high"]] > 1).any(axis=1)
    ]
    if not bad.empty:
        raise ValueError(f"shares must lie in 0–1 (0.25 = 25 %): {', '.join(bad['group'])}")
    bad = s[(s["low"] > s["share"]) | (s["share"] > s["high"])]
    if not bad.empty:
        raise ValueError(f"each group needs low ≤ share ≤ high: {', '.join(bad['group'])}")
    if s["group"].duplicated().any():
        raise ValueError("each group may appear once in shares")
    return s.set_index("group")


def _working_age(wap: object, keys: pd.DataFrame) -> pd.Series:
    """The working-age population for each row of ``keys`` (area, year)."""
    if wap is None:
        return pd.Series(np.nan, index=keys.index)
    if isinstance(wap, int | float | np.integer | np.floating):
        return pd.Series(float(wap), index=keys.index)
    if isinstance(wap, pd.Series):
        return keys["area"].map(wap).astype(float)
    if isinstance(wap, pd.DataFrame):
        if not {"area", "count"} <= set(wap.columns):
            raise KeyError("working_age_population needs the columns area and count (and year)")
        on = ["area", "year"] if "year" in wap.columns and "year" in keys.columns else ["area"]
        w = wap[[*on, "count"]].copy()
        w["area"] = w["area"].astype(str)
        if "year" in on:
            w["year"] = w["year"].astype("Int64")
        merged = keys[on].merge(w, how="left", on=on, validate="many_to_one")
        return pd.Series(merged["count"].astype(float).to_numpy(), index=keys.index)
    raise TypeError("working_age_population must be a number, a Series by area or a DataFrame")


def _prepare_sources(sources: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("area", "group", "count") if c not in sources.columns]
    if missing:
        raise KeyError(
            f"sources needs the columns area, group, count (and year); missing {missing}"
        )
    src = sources.copy()
    if "year" not in src.columns:
        src["year"] = pd.NA
    src["area"] = src["area"].astype(str)
    src["year"] = src["year"].astype("Int64")
    src["count"] = pd.to_numeric(src["count"]).astype(float)
    unknown = sorted(set(src["group"]) - set(shares.index))
    if unknown:
        raise KeyError(
            f"no share for the group(s) {', '.join(unknown)}; add a row to shares "
            f"(known: {', '.join(shares.index)})"
        )
    return src


# --------------------------------------------------------------------------- sizing


def size(
    sources: pd.DataFrame,
    shares: pd.DataFrame = DEFAULT_SHARES,
    working_age_population: object = None,
    round_to: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The estimated target group per area (and year): each group's contribution and the total.

    Parameters
    ----------
    sources : a ``target_group_sources`` table (area, year, group, count).
    shares : the model (group, share; optionally label, low, high); default :data:`DEFAULT_SHARES`.
    working_age_population : a number, a Series indexed by area, or a DataFrame (area, [year],
        count), e.g. from :func:`working_age`; None leaves the shares of it empty.
    round_to : group → round that group's contribution to the nearest multiple (the seed's "ca"
        figures, :data:`SEED002_ROUNDING`); None (default) computes exactly.

    Returns
    -------
    DataFrame: ``area``, ``year``, ``group``, ``label``, ``count`` (the population group),
    ``share`` (assumed), ``contribution`` (count × share), ``working_age_population`` and
    ``share_of_working_age`` (contribution ÷ working-age population). Each area-year ends with a
    row whose ``group`` is :data:`TOTAL` and whose contribution is the sum. ``attrs["missing"]``
    lists (area, year, group) combinations of the model that the sources lack.
    """
    s = _check_shares(shares)
    src = _prepare_sources(sources, s)
    src = (
        src.groupby(["area", "year", "group"], dropna=False, sort=False)["count"]
        .sum()
        .reset_index()
    )
    src["label"] = src["group"].map(s["label"])
    src["share"] = src["group"].map(s["share"])
    src["contribution"] = src["count"] * src["share"]
    for group, step in (round_to or {}).items():
        if step <= 0:
            raise ValueError("round_to steps must be positive")
        hit = src["group"] == group
        src.loc[hit, "contribution"] = (src.loc[hit, "contribution"] / step).round() * step
    order = {g: i for i, g in enumerate(s.index)}
    src["_order"] = src["group"].map(order)
    src = src.sort_values(["area", "year", "_order"], kind="stable").drop(columns="_order")
    totals = (
        src.groupby(["area", "year"], dropna=False, sort=True)["contribution"].sum().reset_index()
    )
    totals["group"] = TOTAL
    totals["label"] = None
    out = pd.concat([src, totals], ignore_index=True)
    out["_total"] = out["group"] == TOTAL
    out = out.sort_values(["area", "year", "_total"], kind="stable").drop(columns="_total")
    out = out.reset_index(drop=True)
    out["working_age_population"] = _working_age(working_age_population, out)
    out["share_of_working_age"] = out["contribution"] / out["working_age_population"]
    out = out[
        ["area", "year", "group", "label", "count", "share", "contribution",
         "working_age_population", "share_of_working_age"]
    ]  # fmt: skip
    missing = []
    for (area, year), part in src.groupby(["area", "year"], dropna=False):
        for g in s.index.difference(part["group"]):
            missing.append((area, year, g))
    out.attrs["missing"] = missing
    out.attrs["provenance"] = sources.attrs.get("provenance")
    return out


def totals(sized: pd.DataFrame) -> pd.DataFrame:
    """Only the total rows of :func:`size` (area, year, contribution as ``target_group`` …)."""
    t = sized[sized["group"] == TOTAL]
    return (
        t[["area", "year", "contribution", "working_age_population", "share_of_working_age"]]
        .rename(columns={"contribution": "target_group"})
        .reset_index(drop=True)
    )


def sensitivity(
    sources: pd.DataFrame,
    shares: pd.DataFrame = DEFAULT_SHARES,
    working_age_population: object = None,
) -> pd.DataFrame:
    """How the total moves when one group's share goes to its low or high bound.

    For every area-year and group: the total with that group's share at ``low`` (the others at
    their central share), at the central shares, and at ``high``; plus one row per area-year
    whose ``group`` is :data:`ALL`: every share low, and every share high. Columns: ``area``,
    ``year``, ``group``, ``label``, ``share_low``, ``share``, ``share_high``, ``total_low``,
    ``total``, ``total_high``, ``working_age_population``, ``share_of_working_age_low``,
    ``share_of_working_age``, ``share_of_working_age_high``. A tornado chart sorts the group
    rows by ``total_high − total_low``.
    """
    s = _check_shares(shares)
    base = size(sources, shares, working_age_population)
    groups = base[base["group"] != TOTAL]
    tot = base[base["group"] == TOTAL].set_index(["area", "year"])
    rows = []
    for (area, year), part in groups.groupby(["area", "year"], dropna=False, sort=True):
        central = float(tot.loc[(area, year), "contribution"])
        wap = float(tot.loc[(area, year), "working_age_population"])
        low_all = high_all = 0.0
        for r in part.itertuples(index=False):
            lo = r.count * s.at[r.group, "low"]
            hi = r.count * s.at[r.group, "high"]
            low_all += lo
            high_all += hi
            rows.append(
                {
                    "area": area,
                    "year": year,
                    "group": r.group,
                    "label": r.label,
                    "share_low": s.at[r.group, "low"],
                    "share": s.at[r.group, "share"],
                    "share_high": s.at[r.group, "high"],
                    "total_low": central - r.contribution + lo,
                    "total": central,
                    "total_high": central - r.contribution + hi,
                    "working_age_population": wap,
                }
            )
        rows.append(
            {
                "area": area,
                "year": year,
                "group": ALL,
                "label": None,
                "share_low": np.nan,
                "share": np.nan,
                "share_high": np.nan,
                "total_low": low_all,
                "total": central,
                "total_high": high_all,
                "working_age_population": wap,
            }
        )
    out = pd.DataFrame(rows)
    for k in ("low", "", "high"):
        suffix = f"_{k}" if k else ""
        out[f"share_of_working_age{suffix}"] = out[f"total{suffix}"] / out["working_age_population"]
    return out


# --------------------------------------------------------------------------- areas


def _registry_map(registry: pd.DataFrame, level: Level) -> dict[str, str]:
    if level == "kommun":
        return {}
    column = {"association": "association", "county": "county"}.get(level)
    if column is None:
        raise ValueError("level must be 'kommun', 'association' or 'county'")
    m = dict(zip(registry["kommun_code"].astype(str), registry[column], strict=True))
    m.update(zip(registry["kommun"].astype(str), registry[column], strict=True))
    if level == "county":  # an association's rows go to its county too
        m.update(zip(registry["association"], registry["county"], strict=False))
    return m


def to_level(
    table: pd.DataFrame,
    registry: pd.DataFrame,
    level: Level,
    area: str = "area",
    value: str = "count",
) -> pd.DataFrame:
    """Sum kommun rows (area = kommun code or name) to associations or counties.

    Works for ``target_group_sources`` and for working-age tables (area, year, count). Rows
    whose area the registry does not know raise :class:`FinsamDataError`. ``level="kommun"``
    returns the table unchanged.
    """
    if level == "kommun":
        return table.copy()
    mapping = _registry_map(registry, level)
    df = table.copy()
    df[area] = df[area].astype(str)
    unknown = sorted(set(df[area]) - set(mapping))
    if unknown:
        raise FinsamDataError(
            None, f"areas the registry knows (kommun codes or names); unknown: {', '.join(unknown)}"
        )
    df[area] = df[area].map(mapping)
    keys = [c for c in df.columns if c not in (value,) and c != area]
    keys = [area, *[k for k in keys if k in ("year", "group", "age_band")]]
    return df.groupby(keys, dropna=False, sort=True)[value].sum().reset_index()


def working_age(
    population: pd.DataFrame, age_band: str = "16-64", area: str = "kommun_code"
) -> pd.DataFrame:
    """The working-age population (area, year, count) from a ``population`` table.

    The age band defaults to 16–64, the band of the funding key (seed 004 'Fördelning av
    medlemsinsatser per inv 16–64 år'); seed 002 uses 15–74 for its national 7 300 000.
    """
    missing = [c for c in (area, "year", "age_band", "count") if c not in population.columns]
    if missing:
        raise KeyError(f"population needs the columns {missing}")
    hit = population[population["age_band"].astype(str) == age_band]
    if hit.empty:
        bands = ", ".join(sorted(population["age_band"].astype(str).unique()))
        raise ValueError(f"no rows for age band {age_band!r}; the table has {bands}")
    out = hit.groupby([area, "year"], sort=True)["count"].sum().reset_index()
    return out.rename(columns={area: "area"})


# --------------------------------------------------------------------------- coverage


def reached(
    participants: pd.DataFrame,
    year: int,
    level: Level = "association",
    registry: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Unique persons with a registration active some day in ``year``, per area.

    ``level`` ``association`` groups by the participants' association, ``kommun`` by their
    kommun of residence (``kommun_code``; rows without one are left out), ``county`` by the
    association's county (needs ``registry``). Returns ``area``, ``year``, ``reached``.
    """
    need = ["person_id", "start_date", "end_date"]
    missing = [c for c in need if c not in participants.columns]
    if missing:
        raise KeyError(f"participants needs the columns {missing}")
    first, last = pd.Timestamp(year=year, month=1, day=1), pd.Timestamp(year=year, month=12, day=31)
    start = pd.to_datetime(participants["start_date"])
    end = pd.to_datetime(participants["end_date"])
    active = participants[(start <= last) & (end.isna() | (end >= first))]
    if level == "association":
        areas = active["association"]
    elif level == "kommun":
        areas = active["kommun_code"]
    elif level == "county":
        if registry is None:
            raise ValueError("level='county' needs the registry")
        to_county = dict(zip(registry["association"], registry["county"], strict=False))
        areas = active["association"].map(to_county)
    else:
        raise ValueError("level must be 'kommun', 'association' or 'county'")
    frame = pd.DataFrame({"area": areas.to_numpy(), "person_id": active["person_id"].to_numpy()})
    frame = frame.dropna(subset=["area"])
    out = frame.groupby("area", sort=True)["person_id"].nunique().reset_index(name="reached")
    out.insert(1, "year", year)
    return out


def coverage(reached_persons: pd.DataFrame, target: pd.DataFrame) -> pd.DataFrame:
    """Coverage = persons reached ÷ estimated target group, per area.

    ``reached_persons`` has ``area`` and ``reached`` (e.g. from :func:`reached`); ``target`` is
    the output of :func:`size` (its total rows are used) or of :func:`totals`. When ``target``
    has years, the target of the same year is used if there is one, else the latest earlier one,
    else the earliest later one.
    Returns ``area``, ``year``, ``reached``, ``target_group``, ``coverage`` (0–1) and
    ``reference`` (:data:`REFERENCE_COVERAGE`, ISF's ~10 % of 2017).
    """
    t = totals(target) if "group" in target.columns else target.copy()
    t["area"] = t["area"].astype(str)
    r = reached_persons.copy()
    r["area"] = r["area"].astype(str)
    rows = []
    for rec in r.itertuples(index=False):
        cand = t[t["area"] == rec.area]
        year = getattr(rec, "year", None)
        if "year" in cand.columns and year is not None and cand["year"].notna().any():
            cand = cand.sort_values("year")
            earlier = cand[cand["year"].astype(float) <= float(year)]
            cand = earlier.iloc[-1:] if not earlier.empty else cand.iloc[:1]
        tg = float(cand["target_group"].iloc[-1]) if not cand.empty else np.nan
        rows.append(
            {
                "area": rec.area,
                "year": year,
                "reached": rec.reached,
                "target_group": tg,
                "coverage": rec.reached / tg if tg and not np.isnan(tg) else np.nan,
                "reference": REFERENCE_COVERAGE,
            }
        )
    return pd.DataFrame(
        rows, columns=["area", "year", "reached", "target_group", "coverage", "reference"]
    )


# --------------------------------------------------------------------------- the published table


def sources_from_published(sizing: pd.DataFrame, area: str = "Riket") -> pd.DataFrame:
    """The population counts of seed 002's national table as ``target_group_sources`` rows.

    ``sizing`` is ``published/seed002_target_group_sizing`` (rows whose measure is
    ``population_count``). The counts come from different months of 2014–2016; the year is
    left empty.
    """
    rows = sizing[sizing["measure"] == "population_count"]
    return pd.DataFrame(
        {
            "area": area,
            "year": pd.array([pd.NA] * len(rows), dtype="Int64"),
            "group": rows["group_key"].to_numpy(),
            "count": rows["value"].astype(float).to_numpy(),
        }
    )


def discrepancies(sizing: pd.DataFrame, tolerance_pp: float = 1.0) -> pd.DataFrame:
    """Where seed 002's sizing table disagrees with itself: label share vs count ÷ population.

    For each group of ``published/seed002_target_group_sizing``: the share printed in the
    table's label, the share its text states, the population count, the printed target-group
    count, and the implied share (count ÷ population). A row is ``consistent`` when the label's
    share is within ``tolerance_pp`` percentage points of the implied share (the counts are
    rounded, e.g. 93 000 of 372 200 = 24,99 %). Finds the sick-listed row (label 10 %, implied
    20,6 %) and economic assistance (label 100 %, implied 80 %).
    """

    def pick(measure: str) -> pd.Series:
        part = sizing[sizing["measure"] == measure]
        return part.drop_duplicates("group_key").set_index("group_key")["value"].astype(float)

    label = pick("assumed_share_table_label")
    out = pd.DataFrame({"label_share": label})
    out["text_share"] = pick("assumed_share_text").reindex(out.index)
    out["population"] = pick("population_count").reindex(out.index)
    out["count"] = pick("target_group_count").reindex(out.index)
    out["implied_share"] = 100 * out["count"] / out["population"]
    out["consistent"] = (out["label_share"] - out["implied_share"]).abs() <= tolerance_pp
    out.index.name = "group"
    return out.reset_index()
