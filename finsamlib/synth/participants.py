"""Synthetic participant exports (SUS-like microdata) calibrated to the published aggregates.

**Synthetic demonstration data: not real persons.** One file per association, written as a
Swedish SUS export (``;``, decimal comma, UTF-8 with BOM, Swedish headers and labels, dates
``YYYY-MM-DD``) with a column ``Syntetisk`` = ``ja`` on every row, which the loader recognises:

* ``synthetic/participants_rar_sormland.csv``: registrations active 2016–2021 (SUS registration
  started in 2016, seed 003 "Under 2014–2015 registrerades inte några individer i SUS");
* ``synthetic/participants_sodra_vatterbygden.csv``, ``…_finnveden.csv``, ``…_hoglandet.csv``:
  registrations active 2017–2021.

The data are as exported after 2021: registrations ongoing then have no end date and no
"after" values. Person ids are pseudonymous (``S-000123``), numbered across the four files.

What is calibrated, exactly and by construction (``finsamlib.outcomes`` definitions):

* **Jönköping 2019** (seed 001, "UTFALL 2019", ``seed001_utfall_2019.csv``): per association and
  sex, every count row (ended registrations, unique persons, in work, in work and/or studies, got
  or increased work and/or studies) exactly; every share rounds to the printed whole percent (an
  empty printed cell of ``share_post_secondary`` means 0: Finnveden Totalt 10 % = 5 of 49 = the
  men's 5 of 26); every mean enrolment time rounds to the printed whole day; every full-time
  equivalent rounds to the printed one decimal. :func:`calibrate_jonkoping` first fixes integer
  sums per association and sex (counts of persons with an attribute, sums of days, sums of
  extents in percent) so that the sexes, the associations' Totalt and the county ("Länet") all
  round to the print, then the rows are built to hit those sums exactly. Where a printed Totalt
  or county cell cannot follow from the printed sexes, :func:`calibrate_jonkoping` returns it as
  unreproducible (listed in ``data/raw/synthetic/README.md``):
  Höglandet's "Förvärsarbete och/eller studier, motsvarande antal heltidsarbeten" Totalt 28,4
  while Kvinnor 9,5 + Män 15,3 is at most 24,9.
* **Jönköping, participants in 2019** (seed 001 §3.4, ``seed001_participants_by_sex_2019.csv``):
  registrations active in 2019 (170 / 200 / 202) exactly and the share of women (55 / 51 / 40 %)
  to the printed whole percent.
* **RAR Sörmland**: registrations ended per year 2016–2019 = 42 / 140 / 263 / 66 (seed 003
  §2.1.10, ``seed003_sus_ended_per_year.csv``); 2021 (seed 004, ``seed004_participants_2021.csv``):
  263 registered (active at any time in 2021), 202 new, 156 ended, 60 of them in work and/or
  studies after.
* **Supply before and after** (not published as numbers): the categories are allocated with exact
  counts from weights so that the sources' statements hold: seed 001 Bilaga 1 (Finnveden: social
  assistance most common before, then activity support, no public support largest after;
  Höglandet: activity compensation most common before, after more without public support and
  fewer with activity compensation and activity support; Södra Vätterbygden: social assistance and
  sickness benefit most common before, more with sickness benefit and without public support
  after; the county: social assistance then activity compensation before, no public support the
  largest after); seed 000 Bild 2 (RAR Sörmland, ended 2021: the share with social assistance down
  by more than 20 percentage points, the share without public support up by about 10).

Everything else (other years, sex splits outside 2019, ages, kommun, insatser, extents) is drawn
from documented assumptions (:data:`PLANS`) with numpy ``default_rng`` and fixed seeds. Support
categories are coherent with the extents: ``employment``/``subsidised_employment`` imply work
(before or after, as the column), ``student_aid`` studies; after work the main support is work or
none, after studies only student aid or none. Activity compensation (19–29 years) is given only
at ages 19–29. Kommun of residence follows the derived population 16–64 of the member kommuner
(insatser with named member kommuner draw from those). Regenerating writes byte-identical files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from .. import categories as cat
from ..loaders import load_published, load_registry
from ..outcomes import SEX_COLUMNS, TOTAL
from ..schemas import PARTICIPANTS
from . import derived, portfolio

OUT_DIR = "synthetic"
FILES: dict[str, str] = {
    "RAR Sörmland": f"{OUT_DIR}/participants_rar_sormland.csv",
    "Södra Vätterbygden": f"{OUT_DIR}/participants_sodra_vatterbygden.csv",
    "Finnveden": f"{OUT_DIR}/participants_finnveden.csv",
    "Höglandet": f"{OUT_DIR}/participants_hoglandet.csv",
}
JONKOPING: tuple[str, ...] = ("Södra Vätterbygden", "Finnveden", "Höglandet")
#: The area name of the county in seed 001's UTFALL table.
PUBLISHED_COUNTY = "Länet"
#: The export is taken after 2021: nothing ends later; registrations still open have no end.
EXPORT_DATE = pd.Timestamp("2021-12-31")
CALIBRATED_YEAR = 2019

#: Headers of the export: each column's Swedish export header (the first one its schema field
#: names, see finsamlib.schemas.PARTICIPANTS) plus the synthetic marker the loader recognises.
EXPORT_HEADERS: list[str] = [f.headers[0] for f in PARTICIPANTS.fields] + ["Syntetisk"]
#: How a SUS export spells sex and education (the loader maps them through categories' lookups;
#: tests check that they map back to the codes). Support categories use categories' labels.
EXPORT_SEX: dict[str, str] = {"K": "Kvinna", "M": "Man"}
EXPORT_EDUCATION: dict[str, str] = {
    "compulsory_or_less": "Förgymnasial",
    "upper_secondary": "Gymnasial",
    "post_secondary": "Eftergymnasial",
    "unknown": "Okänd",
}

#: Lowest extent (percent of full time) of a registration in work, and of one in studies only.
MIN_WORK_EXTENT = 10
MIN_STUDY_EXTENT = 20
MIN_DAYS = 14


# --------------------------------------------------------------------------- plans (assumptions)


@dataclass(frozen=True)
class Profile:
    """Rates from which the attributes of non-calibrated cohorts are drawn."""

    under30: float
    over3: float
    compulsory: float
    post_secondary: float
    unknown_education: float  # share of the rest (neither compulsory nor post-secondary)
    work: float  # share of ended registrations in work after
    study_only: float  # share of ended registrations with studies but no work after
    gained: float  # share of those in work and/or studies who got or increased it


@dataclass(frozen=True)
class Supply:
    """Weights of the support categories before, and after for each outcome group."""

    before: Mapping[str, float]
    after_work: Mapping[str, float]
    after_studies: Mapping[str, float]
    after_none: Mapping[str, float]


@dataclass(frozen=True)
class Insats:
    """An individual insats of the portfolio: id, period and the kommuner its partners name."""

    insats_id: str
    start: pd.Timestamp
    end: pd.Timestamp
    kommuner: tuple[str, ...] = ()  # kommun codes; empty = all member kommuner


@dataclass(frozen=True)
class Plan:
    """Everything assumed about one association's synthetic data."""

    association: str
    seed: int
    first_start: pd.Timestamp
    #: share of women where nothing is published; None = the association's share of women
    #: among the participants of 2019 (seed 001 §3.4), read at build time
    women: float | None
    supply: Supply
    #: ended registrations per year where nothing is published, with start-year weights
    ended: Mapping[int, int] = field(default_factory=dict)
    start_weights: Mapping[int, Mapping[int, float]] = field(default_factory=dict)
    repeat_share: float = 0.04  # share of non-calibrated registrations by a returning person


def _ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


SA, SB, RB = "social_assistance", "sickness_benefit", "rehabilitation_benefit"
AC, SC = "activity_compensation", "sickness_compensation"
AS, EA, UI = "activity_support", "establishment_allowance", "unemployment_insurance"
EMP, SUB, STU = "employment", "subsidised_employment", "student_aid"
NPS, UNK = "no_public_support", "unknown"

#: Seed 001 Bilaga 1 (and DOMAIN.md) read into weights; see the module docstring for the
#: statements they reproduce. ASSUMPTIONS: the sources give the order, not the numbers.
# fmt: off
SUPPLY: dict[str, Supply] = {
    "Södra Vätterbygden": Supply(
        before={SA: 22, SB: 18, AC: 9, AS: 8, NPS: 7, UI: 5, SC: 4, RB: 3, EA: 2, UNK: 2,
                EMP: 3, SUB: 1, STU: 1},
        after_work={NPS: 11, EMP: 8, SUB: 10},
        after_studies={STU: 6, NPS: 1},
        after_none={SB: 20, SA: 9, AC: 6, NPS: 5, AS: 3, SC: 3, UI: 1, UNK: 2},
    ),
    "Finnveden": Supply(
        before={SA: 16, AS: 10, AC: 6, SB: 5, NPS: 4, UI: 3, EA: 2, SC: 1, UNK: 1, EMP: 1},
        after_work={NPS: 12, EMP: 7, SUB: 9},
        after_studies={STU: 2, NPS: 0.5},
        after_none={SA: 6, AS: 3, AC: 3, SB: 2, NPS: 3, SC: 1, UNK: 1},
    ),
    "Höglandet": Supply(
        before={AC: 20, AS: 12, SA: 10, NPS: 7, SB: 5, EA: 3, UI: 2, SC: 2, UNK: 3, EMP: 2,
                STU: 1},
        after_work={NPS: 10, EMP: 8, SUB: 10},
        after_studies={STU: 4, NPS: 1},
        after_none={AC: 12, AS: 4, SA: 6, NPS: 5, SB: 3, SC: 2, UNK: 2},
    ),
    # Seed 000 Bild 2 / seed 004: social assistance dominates before; many newly arrived
    # (establishment allowance; seed 004's note on missing education).
    "RAR Sörmland": Supply(
        before={SA: 46, AC: 11, SB: 10, AS: 9, NPS: 8, EA: 6, UI: 3, SC: 3, UNK: 3, EMP: 0.5,
                SUB: 0.5},
        after_work={NPS: 14, EMP: 16, SUB: 20},
        after_studies={STU: 8, NPS: 2},
        after_none={SA: 40, NPS: 12, SB: 14, AC: 12, AS: 8, UI: 3, SC: 5, UNK: 2},
    ),
}
# fmt: on

#: Start-year weights of an ended cohort: start in the end year, the year before, two before.
_USUAL_START = {0: 0.55, 1: 0.37, 2: 0.08}


#: The Jönköping registrations start no earlier than their portfolios (2017–2021, ASSUMPTION).
JONKOPING_FIRST_START = _ts("2017-01-01")


def _start_weights(years: range) -> dict[int, dict[int, float]]:
    return {y: {y - k: w for k, w in _USUAL_START.items()} for y in years}


PLANS: dict[str, Plan] = {
    "RAR Sörmland": Plan(
        "RAR Sörmland",
        seed=2016_04_28,
        first_start=_ts("2016-01-01"),
        women=0.52,
        supply=SUPPLY["RAR Sörmland"],
        ended={2020: 90},  # ASSUMPTION: nothing published for 2020
        start_weights=_start_weights(range(2016, 2021)),
    ),
    # Jönköping: ended per year outside 2019 are ASSUMPTIONS of the same size as 2019; 2020 and
    # 2021 grow by what the registrations active in 2019 (seed 001 §3.4) carry over.
    "Södra Vätterbygden": Plan(
        "Södra Vätterbygden",
        seed=2017_06_80,
        first_start=JONKOPING_FIRST_START,
        women=None,
        supply=SUPPLY["Södra Vätterbygden"],
        ended={2017: 70, 2018: 80},
        start_weights=_start_weights(range(2017, 2019)),
    ),
    "Finnveden": Plan(
        "Finnveden",
        seed=2017_06_62,
        first_start=JONKOPING_FIRST_START,
        women=None,
        supply=SUPPLY["Finnveden"],
        ended={2017: 45, 2018: 50},
        start_weights=_start_weights(range(2017, 2019)),
    ),
    "Höglandet": Plan(
        "Höglandet",
        seed=2017_06_82,
        first_start=JONKOPING_FIRST_START,
        women=None,
        supply=SUPPLY["Höglandet"],
        ended={2017: 55, 2018: 60},
        start_weights=_start_weights(range(2017, 2019)),
    ),
}

#: Jönköping registrations active in 2019 that end later: how they spread over ended 2020, ended
#: 2021 and still ongoing, and how many start in 2020-2021 in each (ASSUMPTIONS).
JONKOPING_LATER: dict[str, dict[str, tuple[float, int]]] = {
    "Södra Vätterbygden": {"2020": (0.65, 25), "2021": (0.28, 55), "ongoing": (0.07, 65)},
    "Finnveden": {"2020": (0.72, 15), "2021": (0.22, 40), "ongoing": (0.06, 60)},
    "Höglandet": {"2020": (0.63, 15), "2021": (0.30, 35), "ongoing": (0.07, 60)},
}
#: RAR Sörmland 2021: share of the carried-over registrations (263 − 202) that end in 2021.
RAR_CARRIED_ENDING_2021 = 0.74
#: RAR Sörmland ended 2021 in work and/or studies: share of them in work (ASSUMPTION).
RAR_WORK_OF_WOS_2021 = 0.83

#: Rates for non-calibrated RAR cohorts where nothing about RAR Sörmland is published
#: (ASSUMPTIONS): education has a large unknown share (seed 004 notes that education is missing
#: for many, newly arrived); outcomes about the 38 % to work or studies of 2021. Age and support
#: history are the nation's in UTFALL 2019 (:func:`rar_profile`).
RAR_EDUCATION = {"compulsory": 0.30, "post_secondary": 0.10, "unknown_education": 0.40}
RAR_OUTCOMES = {"work": 0.28, "study_only": 0.08, "gained": 0.85}


# --------------------------------------------------------------------------- small exact tools


def largest_remainder(total: int, weights: Mapping[str, float] | Mapping[int, float]) -> dict:
    """Whole parts of ``total`` in proportion to ``weights`` (see derived.largest_remainder)."""
    kept = {k: w for k, w in weights.items() if w > 0}
    if total == 0 or not kept:
        return {k: 0 for k in weights}
    parts = derived.largest_remainder(int(total), {str(k): float(w) for k, w in kept.items()})
    return {k: parts.get(str(k), 0) for k in weights}


def fit_sum(
    values: np.ndarray, lo: np.ndarray, hi: np.ndarray, target: int, rng: np.random.Generator
) -> np.ndarray:
    """Integers within [lo, hi] near ``values`` that sum exactly to ``target``.

    Values are scaled towards the target, clipped, then moved one by one in a random order.
    Raises ValueError when the bounds cannot reach the target.
    """
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.asarray(hi, dtype=np.int64)
    if len(lo) == 0:
        if target != 0:
            raise ValueError(f"no values to reach the sum {target}")
        return np.zeros(0, dtype=np.int64)
    if not lo.sum() <= target <= hi.sum():
        raise ValueError(f"sum {target} outside what the bounds allow ({lo.sum()}..{hi.sum()})")
    v = np.asarray(values, dtype=float)
    if v.sum() > 0:
        v = v * target / v.sum()
    v = np.clip(np.round(v).astype(np.int64), lo, hi)
    order = rng.permutation(len(v))
    diff = int(target - v.sum())
    while diff:
        step = max(1, abs(diff) // len(v))
        for i in order:
            if diff > 0 and v[i] < hi[i]:
                d = min(diff, step, hi[i] - v[i])
            elif diff < 0 and v[i] > lo[i]:
                d = -min(-diff, step, v[i] - lo[i])
            else:
                continue
            v[i] += d
            diff -= int(d)
            if diff == 0:
                break
    return v


def choose_units(
    units: list[list[int]], k: int, rng: np.random.Generator, eligible: set[int] | None = None
) -> set[int]:
    """Registrations of randomly chosen units (a person's registrations) that number exactly ``k``.

    ``eligible``: only units whose registrations are all eligible may be chosen. Raises
    ValueError when no choice gives exactly ``k``.
    """
    pool = [u for u in units if eligible is None or all(i in eligible for i in u)]
    singles = [u[0] for u in pool if len(u) == 1]
    multis = [u for u in pool if len(u) > 1]
    total = len(singles) + sum(len(u) for u in multis)
    rest = sum(len(u) for u in multis)
    need = k
    chosen: set[int] = set()
    for j in rng.permutation(len(multis)):
        unit = multis[int(j)]
        rest -= len(unit)
        can_take = len(unit) <= need and need - len(unit) <= len(singles) + rest
        can_skip = need <= len(singles) + rest
        if can_take and (not can_skip or rng.random() < need / max(total, 1)):
            chosen.update(unit)
            need -= len(unit)
        elif not can_skip:
            raise ValueError(f"cannot choose exactly {k} registrations from these units")
    if not 0 <= need <= len(singles):
        raise ValueError(f"cannot choose exactly {k} registrations from these units")
    picked = rng.choice(len(singles), size=need, replace=False) if need else []
    chosen.update(singles[int(i)] for i in picked)
    return chosen


# --------------------------------------------------------------------------- calibration


@dataclass
class Targets:
    """Exact integer targets of one cell (association × cohort × sex)."""

    n: int
    under30: int
    over3: int
    compulsory: int
    post_secondary: int
    work: int = 0
    wos: int = 0
    gained: int = 0
    days_sum: int | None = None
    work_centi: int | None = None  # sum of work extents after, in percent (hundredths of FTE)
    wos_centi: int | None = None  # sum of min(work + studies, 100) after
    pairs: int = 0  # persons with two registrations in the cell


_SHARE_KEYS = {
    "share_under_30": "under30",
    "share_support_over_3_years": "over3",
    "share_compulsory_or_less": "compulsory",
    "share_post_secondary": "post_secondary",
}
_COUNT_KEYS = {
    "ended_registrations": "n",
    "work_count": "work",
    "work_or_studies_count": "wos",
    "work_or_studies_gained_count": "gained",
}


def _fits(kind: str, x: int, n: int, p: Fraction) -> bool:
    """Whether an integer sum ``x`` over ``n`` registrations rounds to the printed ``p``."""
    if kind == "share":
        return n > 0 and abs(Fraction(100 * x, n) - p) < Fraction(1, 2)
    if kind == "mean":
        return n > 0 and abs(Fraction(x, n) - p) < Fraction(1, 2)
    if kind == "fte":
        return abs(Fraction(x, 100) - p) < Fraction(1, 20)
    raise ValueError(kind)


def _center(kind: str, n: int, p: Fraction) -> Fraction:
    return {"share": p * n / 100, "mean": p * n, "fte": p * 100}[kind]


def _window(kind: str, n: int, p: Fraction) -> range:
    c = _center(kind, n, p)
    half = {"share": n, "mean": n, "fte": 6}[kind]
    return range(int(c) - half - 1, int(c) + half + 2)


def _published_cells(utfall: pd.DataFrame) -> dict[tuple[str, str, str], Fraction]:
    """Printed values by (area, sex, indicator_key); an empty cell of a share means 0."""
    out = {}
    for row in utfall.itertuples(index=False):
        value = row.value
        if pd.isna(value):
            if row.indicator_key not in _SHARE_KEYS:
                continue
            value = 0.0
        out[(row.area, row.sex, row.indicator_key)] = Fraction(str(value))
    return out


def _solve_sums(
    kind: str,
    key: str,
    pub: dict[tuple[str, str, str], Fraction],
    n: dict[tuple[str, str], int],
    bounds: dict[tuple[str, str], tuple[int, int]],
    limit: int = 40,
) -> tuple[dict[tuple[str, str], int], list[tuple[str, str, str]]]:
    """Integer sums per (association, sex) that round to every printed cell that they can.

    The sexes must always fit; an association's Totalt and the county's cells are matched where
    the printed sexes allow it, otherwise they are returned as unreproducible. Among the
    solutions the one closest to the printed values is taken (ties: the smaller sums).
    """
    sexes = ("K", "M")
    col = {"K": SEX_COLUMNS[1], "M": SEX_COLUMNS[2]}
    cands: dict[tuple[str, str], list[int]] = {}
    for a in JONKOPING:
        for s in sexes:
            p = pub[(a, col[s], key)]
            lo, hi = bounds[(a, s)]
            c = _center(kind, n[(a, s)], p)
            xs = [
                x
                for x in _window(kind, n[(a, s)], p)
                if lo <= x <= hi and _fits(kind, x, n[(a, s)], p)
            ]
            if not xs:
                raise ValueError(f"no sum for {a} {col[s]} {key} fits the printed {float(p)}")
            cands[(a, s)] = sorted(xs, key=lambda x, c=c: (abs(x - c), x))
    bad: list[tuple[str, str, str]] = []
    pairs: dict[str, list[tuple[int, int, Fraction]]] = {}
    for a in JONKOPING:
        ck = _center(kind, n[(a, "K")], pub[(a, col["K"], key)])
        cm = _center(kind, n[(a, "M")], pub[(a, col["M"], key)])
        every = [
            (xk, xm, abs(xk - ck) + abs(xm - cm))
            for xk in cands[(a, "K")]
            for xm in cands[(a, "M")]
        ]
        nt = n[(a, "K")] + n[(a, "M")]
        good = [t for t in every if _fits(kind, t[0] + t[1], nt, pub[(a, TOTAL, key)])]
        if not good:
            bad.append((a, TOTAL, key))
            good = every
        pairs[a] = sorted(good, key=lambda t: (t[2], t[0], t[1]))[:limit]
    # the county: every combination of the associations' best pairs
    grids = np.meshgrid(*[np.arange(len(pairs[a])) for a in JONKOPING], indexing="ij")
    idx = [g.ravel() for g in grids]
    xk = [np.array([t[0] for t in pairs[a]])[i] for a, i in zip(JONKOPING, idx, strict=True)]
    xm = [np.array([t[1] for t in pairs[a]])[i] for a, i in zip(JONKOPING, idx, strict=True)]
    cost = sum(
        np.array([float(t[2]) for t in pairs[a]])[i] for a, i in zip(JONKOPING, idx, strict=True)
    )
    sum_k, sum_m = sum(xk), sum(xm)
    nk = sum(n[(a, "K")] for a in JONKOPING)
    nm = sum(n[(a, "M")] for a in JONKOPING)
    ok = np.ones(len(cost), dtype=bool)
    checks = (
        (SEX_COLUMNS[1], sum_k, nk),
        (SEX_COLUMNS[2], sum_m, nm),
        (TOTAL, sum_k + sum_m, nk + nm),
    )
    for sex, sums, total_n in checks:
        p = pub[(PUBLISHED_COUNTY, sex, key)]
        fit = np.array([_fits(kind, int(x), total_n, p) for x in sums])
        if not fit.any():
            bad.append((PUBLISHED_COUNTY, sex, key))
            continue
        if (ok & fit).any():
            ok &= fit
        else:
            raise ValueError(f"{key}: the county cells cannot all be met by the nearest sums")
    best = min(np.flatnonzero(ok), key=lambda i: (cost[i], i))
    chosen = {}
    for j, a in enumerate(JONKOPING):
        chosen[(a, "K")] = int(xk[j][best])
        chosen[(a, "M")] = int(xm[j][best])
    return chosen, bad


def calibrate_jonkoping(
    utfall: pd.DataFrame,
) -> tuple[dict[tuple[str, str], Targets], list[tuple[str, str, str]]]:
    """Exact targets per (association, sex) for the registrations ended in 2019, from UTFALL 2019.

    Returns the targets and the printed cells (area, sex, indicator_key) that no microdata can
    reproduce given the printed sexes (area as printed: an association or ``Länet``).
    """
    pub = _published_cells(utfall)
    col = {"K": SEX_COLUMNS[1], "M": SEX_COLUMNS[2]}
    cells = [(a, s) for a in JONKOPING for s in ("K", "M")]
    bad: list[tuple[str, str, str]] = []
    counts: dict[tuple[str, str], dict[str, int]] = {c: {} for c in cells}
    for key, attr in {**_COUNT_KEYS, "unique_persons": "unique"}.items():
        for a, s in cells:
            counts[(a, s)][attr] = int(pub[(a, col[s], key)])
        for a in JONKOPING:  # a count's Totalt is the sum of the sexes
            if pub[(a, TOTAL, key)] != sum(counts[(a, s)][attr] for s in ("K", "M")):
                bad.append((a, TOTAL, key))
        for sex in SEX_COLUMNS:
            wanted = pub[(PUBLISHED_COUNTY, sex, key)]
            got = sum(
                counts[(a, s)][attr]
                for a in JONKOPING
                for s in ("K", "M")
                if sex == TOTAL or col[s] == sex
            )
            if wanted != got:
                bad.append((PUBLISHED_COUNTY, sex, key))
    n = {c: counts[c]["n"] for c in cells}
    sums: dict[tuple[str, str], dict[str, int]] = {c: {} for c in cells}
    for key, attr in _SHARE_KEYS.items():
        chosen, miss = _solve_sums("share", key, pub, n, {c: (0, n[c]) for c in cells})
        bad += miss
        for c in cells:
            sums[c][attr] = chosen[c]
    days, miss = _solve_sums(
        "mean", "mean_enrolment_days", pub, n, {c: (MIN_DAYS * n[c], 4000 * n[c]) for c in cells}
    )
    bad += miss
    work_bounds = {c: (MIN_WORK_EXTENT * counts[c]["work"], 100 * counts[c]["work"]) for c in cells}
    work, miss = _solve_sums("fte", "work_fte", pub, n, work_bounds)
    bad += miss
    wos_bounds = {
        c: (
            work[c] + MIN_STUDY_EXTENT * (counts[c]["wos"] - counts[c]["work"]),
            100 * counts[c]["wos"],
        )
        for c in cells
    }
    wos, miss = _solve_sums("fte", "work_or_studies_fte", pub, n, wos_bounds)
    bad += miss
    targets = {}
    for c in cells:
        t = Targets(
            n=n[c],
            under30=sums[c]["under30"],
            over3=sums[c]["over3"],
            compulsory=sums[c]["compulsory"],
            post_secondary=sums[c]["post_secondary"],
            work=counts[c]["work"],
            wos=counts[c]["wos"],
            gained=counts[c]["gained"],
            days_sum=days[c],
            work_centi=work[c],
            wos_centi=wos[c],
            pairs=n[c] - counts[c]["unique"],
        )
        if t.compulsory + t.post_secondary > t.n or not t.gained <= t.wos:
            raise ValueError(f"inconsistent targets for {c}: {t}")
        targets[c] = t
    return targets, sorted(set(bad))


def women_count(total: int, percent: float) -> int:
    """The number of women out of ``total`` whose share rounds to the printed ``percent``.

    The nearest to percent × total; of two equally near, the smaller.
    """
    p = Fraction(str(percent))
    fits = [k for k in range(total + 1) if abs(Fraction(100 * k, total) - p) < Fraction(1, 2)]
    if not fits:
        raise ValueError(f"no count of {total} rounds to {percent} %")
    return min(fits, key=lambda k: (abs(k - p * total / 100), k))


# --------------------------------------------------------------------------- cells and cohorts


@dataclass
class Cell:
    """One association × cohort × sex: how many registrations, when, and their targets."""

    association: str
    cohort: int | None  # the year the registrations end; None = still ongoing at the export
    sex: str
    #: registrations per start year; None = durations fitted to ``targets.days_sum``
    start_years: dict[int, int] | None
    targets: Targets
    calibrated: bool = False  # targets are published: no re-registration may change them
    exact_supply: bool = False  # support categories allocated exactly (statements to hold)


def _split_by_sex(counts: Mapping[int, int], women: float) -> dict[str, dict[int, int]]:
    out: dict[str, dict[int, int]] = {"K": {}, "M": {}}
    for year, count in counts.items():
        parts = largest_remainder(count, {"K": women, "M": 1 - women})
        out["K"][year] = parts["K"]
        out["M"][year] = parts["M"]
    return out


def _draw_targets(n: int, profile: Profile, rng: np.random.Generator, ended: bool) -> Targets:
    under30 = int(rng.binomial(n, profile.under30))
    over3 = int(rng.binomial(n, profile.over3))
    compulsory = int(rng.binomial(n, profile.compulsory))
    rest = profile.post_secondary / max(1e-9, 1 - profile.compulsory)
    post = int(rng.binomial(n - compulsory, min(1.0, rest)))
    t = Targets(n=n, under30=under30, over3=over3, compulsory=compulsory, post_secondary=post)
    if ended:
        t.work = int(rng.binomial(n, profile.work))
        t.wos = t.work + int(rng.binomial(n - t.work, profile.study_only / (1 - profile.work)))
        t.gained = int(rng.binomial(t.wos, profile.gained))
    return t


def _usual_cells(
    plan: Plan, profile: Profile, rng: np.random.Generator, year: int, total: int
) -> list[Cell]:
    weights = plan.start_weights[year]
    weights = {y: w for y, w in weights.items() if pd.Timestamp(y, 12, 31) >= plan.first_start}
    by_start = largest_remainder(total, weights)
    cells = []
    for sex, start_years in _split_by_sex(by_start, plan.women).items():
        n = sum(start_years.values())
        cells.append(
            Cell(plan.association, year, sex, start_years, _draw_targets(n, profile, rng, True))
        )
    return cells


def rar_cells(
    plan: Plan,
    ended_per_year: Mapping[int, int],
    flows_2021: Mapping[str, int],
    profile: Profile,
    rng: np.random.Generator,
) -> list[Cell]:
    """RAR Sörmland's cohorts: ended 2016–2021 and ongoing at the export."""
    cells: list[Cell] = []
    per_year = {**plan.ended, **ended_per_year}
    for year in range(2016, 2021):
        cells += _usual_cells(plan, profile, rng, year, per_year[year])
    registered, new, ended = flows_2021["registered"], flows_2021["new"], flows_2021["ended"]
    carried = registered - new
    carried_ending = round(carried * RAR_CARRIED_ENDING_2021)
    ended_2021 = {2021: ended - carried_ending, 2020: carried_ending}
    ongoing = {2021: new - ended_2021[2021], 2020: carried - carried_ending}
    wos_total = flows_2021["to_work_or_studies"]
    ended_by_sex = _split_by_sex(ended_2021, plan.women)
    n_by_sex = {s: sum(v.values()) for s, v in ended_by_sex.items()}
    wos = largest_remainder(wos_total, n_by_sex)
    for sex in ("K", "M"):
        t = _draw_targets(n_by_sex[sex], profile, rng, True)
        t.wos = wos[sex]
        t.work = round(t.wos * RAR_WORK_OF_WOS_2021)
        t.gained = t.wos - int(rng.binomial(t.wos, 1 - profile.gained))
        cells.append(Cell(plan.association, 2021, sex, ended_by_sex[sex], t, exact_supply=True))
    for sex, start_years in _split_by_sex(ongoing, plan.women).items():
        n = sum(start_years.values())
        t = _draw_targets(n, profile, rng, False)
        cells.append(Cell(plan.association, None, sex, start_years, t))
    return cells


def rar_profile(utfall: pd.DataFrame) -> Profile:
    """Rates for RAR Sörmland: the nation's ages and support history of UTFALL 2019 ("Riket":
    37 % under 30, 40 % more than 3 years) with :data:`RAR_EDUCATION` and :data:`RAR_OUTCOMES`."""
    v = utfall[(utfall["area"] == "Riket") & (utfall["sex"] == TOTAL)].set_index("indicator_key")
    return Profile(
        under30=v.loc["share_under_30", "value"] / 100,
        over3=v.loc["share_support_over_3_years", "value"] / 100,
        **RAR_EDUCATION,
        **RAR_OUTCOMES,
    )


def jonkoping_profile(utfall: pd.DataFrame, association: str) -> Profile:
    """Rates for the non-calibrated cohorts of an association: its printed 2019 totals."""
    v = (
        utfall[(utfall["area"] == association) & (utfall["sex"] == TOTAL)]
        .set_index("indicator_key")["value"]
        .fillna(0.0)
    )
    n = v["ended_registrations"]
    return Profile(
        under30=v["share_under_30"] / 100,
        over3=v["share_support_over_3_years"] / 100,
        compulsory=v["share_compulsory_or_less"] / 100,
        post_secondary=v["share_post_secondary"] / 100,
        unknown_education=0.05,  # ASSUMPTION
        work=v["work_count"] / n,
        study_only=(v["work_or_studies_count"] - v["work_count"]) / n,
        gained=v["work_or_studies_gained_count"] / v["work_or_studies_count"],
    )


def jonkoping_cells(
    plan: Plan,
    targets_2019: Mapping[tuple[str, str], Targets],
    active_2019: Mapping[str, int],
    profile: Profile,
    rng: np.random.Generator,
) -> list[Cell]:
    """A Jönköping association's cohorts: ended 2017–2021 and ongoing at the export."""
    a = plan.association
    cells: list[Cell] = []
    for year in (2017, 2018):
        cells += _usual_cells(plan, profile, rng, year, plan.ended[year])
    for sex in ("K", "M"):
        cells.append(
            Cell(a, CALIBRATED_YEAR, sex, None, targets_2019[(a, sex)], True, exact_supply=True)
        )
    later = JONKOPING_LATER[a]
    # registrations active in 2019 that end later, per sex (seed 001 §3.4 minus UTFALL 2019)
    carried = {s: active_2019[s] - targets_2019[(a, s)].n for s in ("K", "M")}
    if min(carried.values()) < 0:
        raise ValueError(f"{a}: fewer active than ended registrations in 2019")
    spread = {
        s: largest_remainder(carried[s], {k: f for k, (f, _) in later.items()}) for s in carried
    }
    old_starts = {"2020": {2019: 0.75, 2018: 0.25}, "2021": {2019: 1.0}, "ongoing": {2019: 1.0}}
    new_starts = {
        "2020": {2020: 1.0},
        "2021": {2021: 0.65, 2020: 0.35},
        "ongoing": {2021: 0.8, 2020: 0.2},
    }
    for cohort, (_, new_total) in later.items():
        new_by_sex = largest_remainder(new_total, {"K": plan.women, "M": 1 - plan.women})
        for sex in ("K", "M"):
            starts: dict[int, int] = {}
            for part, weights in (
                (spread[sex][cohort], old_starts[cohort]),
                (new_by_sex[sex], new_starts[cohort]),
            ):
                for y, c in largest_remainder(part, weights).items():
                    starts[y] = starts.get(y, 0) + c
            n = sum(starts.values())
            year = None if cohort == "ongoing" else int(cohort)
            t = _draw_targets(n, profile, rng, year is not None)
            cells.append(Cell(a, year, sex, starts, t))
    return cells


# --------------------------------------------------------------------------- building rows


def _uniform_dates(rng: np.random.Generator, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.Timestamp:
    days = max(0, (hi - lo).days)
    return lo + pd.Timedelta(days=int(rng.integers(0, days + 1)))


def _cell_dates(
    cell: Cell, plan: Plan, rng: np.random.Generator
) -> tuple[list[pd.Timestamp], list[pd.Timestamp | None], list[list[int]]]:
    """Start and end dates of a cell's registrations, and its units (persons)."""
    n = cell.targets.n
    starts: list[pd.Timestamp] = []
    ends: list[pd.Timestamp | None] = []
    if cell.start_years is not None:
        for year, count in sorted(cell.start_years.items()):
            for _ in range(count):
                first = max(pd.Timestamp(year, 1, 1), plan.first_start)
                if cell.cohort is None:
                    last = min(
                        pd.Timestamp(year, 12, 31), EXPORT_DATE - pd.Timedelta(days=MIN_DAYS)
                    )
                    start = _uniform_dates(rng, first, last)
                    starts.append(start)
                    ends.append(None)
                    continue
                y_end = cell.cohort
                if year == y_end:
                    end = _uniform_dates(
                        rng,
                        pd.Timestamp(y_end, 1, 1) + pd.Timedelta(days=MIN_DAYS),
                        pd.Timestamp(y_end, 12, 31),
                    )
                    start = _uniform_dates(rng, first, end - pd.Timedelta(days=MIN_DAYS))
                else:
                    start = _uniform_dates(rng, first, pd.Timestamp(year, 12, 31))
                    end = _uniform_dates(
                        rng,
                        max(pd.Timestamp(y_end, 1, 1), start + pd.Timedelta(days=MIN_DAYS)),
                        pd.Timestamp(y_end, 12, 31),
                    )
                starts.append(start)
                ends.append(end)
        units = [[i] for i in range(n)]
        return starts, ends, units
    # calibrated: end dates in the year, durations fitted to the exact sum of days
    year = cell.cohort
    assert year is not None and cell.targets.days_sum is not None
    end_list = [
        _uniform_dates(rng, pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)) for _ in range(n)
    ]
    units = [[i] for i in range(n)]
    order = [int(i) for i in rng.permutation(n)]
    pairs = [(order[2 * k], order[2 * k + 1]) for k in range(cell.targets.pairs)]
    for i, j in pairs:  # a person with two registrations ending in the year, one after the other
        end_list[i] = _uniform_dates(rng, pd.Timestamp(year, 1, 10), pd.Timestamp(year, 4, 30))
        end_list[j] = _uniform_dates(rng, pd.Timestamp(year, 9, 1), pd.Timestamp(year, 12, 31))
    paired = {i for p in pairs for i in p}
    units = [[i] for i in range(n) if i not in paired] + [list(p) for p in pairs]
    mean = cell.targets.days_sum / n
    proposal = rng.gamma(2.5, mean / 2.5, size=n)
    lo = np.full(n, MIN_DAYS)
    hi = np.array([(e - plan.first_start).days for e in end_list])
    for i, j in pairs:
        hi[j] = (end_list[j] - end_list[i]).days - 7
    days = fit_sum(proposal, lo, hi, cell.targets.days_sum, rng)
    starts = [e - pd.Timedelta(days=int(d)) for e, d in zip(end_list, days, strict=True)]
    return starts, list(end_list), units


def _weighted(rng: np.random.Generator, values: list[int], weights: list[float]) -> int:
    w = np.asarray(weights, dtype=float)
    return int(values[int(rng.choice(len(values), p=w / w.sum()))])


def _cell_attributes(
    cell: Cell,
    starts: list[pd.Timestamp],
    units: list[list[int]],
    profile: Profile,
    rng: np.random.Generator,
) -> dict[str, list]:
    """Birth year, years of support and education with the cell's exact counts."""
    t = cell.targets
    n = t.n
    years_of = [s.year for s in starts]
    young = choose_units(units, t.under30, rng)
    birth = [0] * n
    young_ages = list(range(18, 30))
    young_w = [0.4, 0.8] + [1.0] * 10
    old_ages = list(range(30, 62))
    old_w = [1.0 if a < 45 else 0.7 if a < 55 else 0.45 for a in old_ages]
    for unit in units:
        if unit[0] in young:
            b = max(years_of[i] for i in unit) - _weighted(rng, young_ages, young_w)
        else:
            b = min(years_of[i] for i in unit) - _weighted(rng, old_ages, old_w)
        for i in unit:
            birth[i] = b
    age = [years_of[i] - birth[i] for i in range(n)]
    eligible = {i for i in range(n) if age[i] >= 20}
    long = choose_units([[i] for i in range(n)], t.over3, rng, eligible)
    support_years = []
    for i in range(n):
        if i in long:
            top = max(3.5, min(15.0, age[i] - 16.0))
            support_years.append(float(rng.choice(np.arange(3.5, top + 0.01, 0.5))))
        else:
            support_years.append(float(rng.choice(np.arange(0.0, 3.01, 0.5))))
    compulsory = choose_units(units, t.compulsory, rng)
    rest_units = [u for u in units if u[0] not in compulsory]
    post = choose_units(rest_units, t.post_secondary, rng)
    education = [""] * n
    for unit in units:
        if unit[0] in compulsory:
            code = "compulsory_or_less"
        elif unit[0] in post:
            code = "post_secondary"
        elif rng.random() < profile.unknown_education:
            code = "unknown"
        else:
            code = "upper_secondary"
        for i in unit:
            education[i] = code
    return {"birth_year": birth, "years_support": support_years, "education": education}


def _cell_outcomes(cell: Cell, rng: np.random.Generator) -> dict[str, list]:
    """Extents before and after, and the outcome group, with the cell's exact targets."""
    t = cell.targets
    n = t.n
    zeros = [0] * n
    if cell.cohort is None:  # ongoing: before only
        return {
            "group": ["ongoing"] * n,
            "work_before": list(zeros),
            "studies_before": list(zeros),
            "work_after": [None] * n,
            "studies_after": [None] * n,
        }
    order = [int(i) for i in rng.permutation(n)]
    workers = order[: t.work]
    studiers = order[t.work : t.wos]
    group = ["none"] * n
    for i in workers:
        group[i] = "work"
    for i in studiers:
        group[i] = "studies"
    work_a = np.zeros(n, dtype=np.int64)
    stud_a = np.zeros(n, dtype=np.int64)
    proposal = rng.choice([25, 50, 75, 100], p=[0.15, 0.3, 0.2, 0.35], size=len(workers))
    if t.work_centi is not None:
        w = fit_sum(
            proposal,
            np.full(len(workers), MIN_WORK_EXTENT),
            np.full(len(workers), 100),
            t.work_centi,
            rng,
        )
    else:
        w = proposal
    work_a[workers] = w
    # studies: the studiers' extents, plus some workers studying beside part-time work
    study_prop = rng.choice([50, 75, 100], p=[0.3, 0.2, 0.5], size=len(studiers))
    side = np.array(
        [25 if work_a[i] <= 75 and rng.random() < 0.1 else 0 for i in workers], dtype=np.int64
    )
    if t.wos_centi is not None:
        extra = t.wos_centi - int(work_a.sum())
        lo = np.concatenate([np.full(len(studiers), MIN_STUDY_EXTENT), np.zeros(len(workers))])
        hi = np.concatenate([np.full(len(studiers), 100), 100 - work_a[workers]])
        s = fit_sum(np.concatenate([study_prop, side]), lo, hi, extra, rng)
        stud_a[studiers] = s[: len(studiers)]
        stud_a[workers] = s[len(studiers) :]
    else:
        stud_a[studiers] = study_prop
        stud_a[workers] = side
    work_b = np.zeros(n, dtype=np.int64)
    stud_b = np.zeros(n, dtype=np.int64)
    # not gained: work and/or studies already before, as much as after (kept a job or studies)
    kept = (workers + studiers)[: t.wos - t.gained]
    for i in kept:
        work_b[i], stud_b[i] = work_a[i], stud_a[i]
    for i in (workers + studiers)[t.wos - t.gained :]:  # gained; some had a part before
        if rng.random() < 0.15:
            if work_a[i] >= 20:
                work_b[i] = work_a[i] // 2
            elif stud_a[i] >= 20:
                stud_b[i] = stud_a[i] // 2
    return {
        "group": group,
        "work_before": work_b.tolist(),
        "studies_before": stud_b.tolist(),
        "work_after": work_a.tolist(),
        "studies_after": stud_a.tolist(),
    }


def _cell_frame(cell: Cell, plan: Plan, profile: Profile, rng: np.random.Generator) -> pd.DataFrame:
    starts, ends, units = _cell_dates(cell, plan, rng)
    attrs = _cell_attributes(cell, starts, units, profile, rng)
    outcomes = _cell_outcomes(cell, rng)
    unit_of = {i: k for k, unit in enumerate(units) for i in unit}
    df = pd.DataFrame(
        {
            "sex": cell.sex,
            "cohort": cell.cohort if cell.cohort is not None else 0,
            "calibrated": cell.calibrated,
            "exact_supply": cell.exact_supply,
            "start_date": starts,
            "end_date": ends,
            "unit": [unit_of[i] for i in range(cell.targets.n)],
            **attrs,
            **outcomes,
        }
    )
    return df


# --------------------------------------------------------------------------- persons


def _link_returning(df: pd.DataFrame, plan: Plan, rng: np.random.Generator) -> None:
    """Let some non-calibrated registrations belong to a person registered before (in place).

    The returning registration takes the person's sex, birth year and education; its earlier
    registration ended more than 30 days before it starts.
    """
    candidates = df.index[~df["calibrated"]].tolist()
    chosen = sorted(
        rng.choice(candidates, size=round(plan.repeat_share * len(candidates)), replace=False)
    )
    reused: set[int] = set()
    for i in sorted(chosen, key=lambda i: (df.at[i, "start_date"], i)):
        limit = df.at[i, "start_date"] - pd.Timedelta(days=30)
        ends = df["end_date"]
        earlier = df.index[
            ends.notna().to_numpy()
            & (ends.fillna(limit + pd.Timedelta(days=1)) < limit).to_numpy()
            & (df["sex"] == df.at[i, "sex"]).to_numpy()
        ]
        earlier = [j for j in earlier if df.at[j, "person"] not in reused and j != i]
        if not earlier:
            continue
        j = int(earlier[int(rng.integers(len(earlier)))])
        person = df.at[j, "person"]
        reused.add(person)
        df.at[i, "person"] = person
        df.at[i, "birth_year"] = df.at[j, "birth_year"]
        df.at[i, "education"] = df.at[j, "education"]


# --------------------------------------------------------------------------- support categories


def _counts(
    n: int, weights: Mapping[str, float], rng: np.random.Generator, exact: bool
) -> dict[str, int]:
    if exact:
        return largest_remainder(n, weights)
    keys = list(weights)
    w = np.array([weights[k] for k in keys], dtype=float)
    return dict(zip(keys, (int(x) for x in rng.multinomial(n, w / w.sum())), strict=True))


def _allocate(
    idx: list[int],
    counts: dict[str, int],
    age: pd.Series,
    rng: np.random.Generator,
    youngest: int = 19,
    oldest: int = 29,
    keep: Mapping[int, str] | None = None,
    persist: float = 0.0,
) -> dict[int, str]:
    """Give the registrations ``idx`` categories with exactly ``counts``.

    Activity compensation goes only to ages ``youngest``–``oldest`` (any surplus becomes social
    assistance); with ``keep`` (a previous category per registration) a registration keeps it
    with probability ``persist`` while that category has room.
    """
    left = dict(counts)
    out: dict[int, str] = {}
    order = [idx[int(k)] for k in rng.permutation(len(idx))]
    if keep is not None:
        for i in order:
            c = keep[i]
            if left.get(c, 0) > 0 and rng.random() < persist:
                if c == AC and not youngest <= age[i] <= oldest:
                    continue
                out[i] = c
                left[c] -= 1
    free = [i for i in order if i not in out]
    eligible = [i for i in free if youngest <= age[i] <= oldest]
    n_ac = min(left.get(AC, 0), len(eligible))
    for i in eligible[:n_ac]:
        out[i] = AC
    if left.get(AC, 0) > n_ac:
        left[SA] = left.get(SA, 0) + left[AC] - n_ac
    left[AC] = 0
    rest = [c for c, k in left.items() for _ in range(k)]
    remaining = [i for i in free if i not in out]
    if len(rest) != len(remaining):
        raise ValueError("category counts do not match the registrations")
    for i, c in zip(remaining, (rest[int(k)] for k in rng.permutation(len(rest))), strict=True):
        out[i] = c
    return out


def _supply(df: pd.DataFrame, plan: Plan, rng: np.random.Generator) -> None:
    """Support before and after, per cohort, coherent with the extents (in place)."""
    age = df["start_date"].dt.year - df["birth_year"]
    before = pd.Series("", index=df.index, dtype=object)
    after = pd.Series(None, index=df.index, dtype=object)
    for _, cohort in df.groupby("cohort", sort=True):
        exact = bool(cohort["exact_supply"].all())
        idx = cohort.index.tolist()
        got = _allocate(idx, _counts(len(idx), plan.supply.before, rng, exact), age, rng)
        for i, c in got.items():
            before[i] = c
        if (cohort["group"] == "ongoing").all():
            continue
        for group, weights in (
            ("work", plan.supply.after_work),
            ("studies", plan.supply.after_studies),
        ):
            members = cohort.index[cohort["group"] == group].tolist()
            got = _allocate(members, _counts(len(members), weights, rng, exact), age, rng)
            for i, c in got.items():
                after[i] = c
        members = cohort.index[cohort["group"] == "none"].tolist()
        counts = _counts(len(members), plan.supply.after_none, rng, exact)
        got = _allocate(members, counts, age, rng, oldest=28, keep=before, persist=0.6)
        for i, c in got.items():
            after[i] = c
    df["support_before"] = before
    df["support_after"] = after
    # before extents that the category implies (a job before means work before, …)
    for i in df.index:
        c = before[i]
        family = cat.SUPPORT_FAMILY[c]
        column = {"work": "work_before", "studies": "studies_before"}.get(family)
        if column is None or df.at[i, column] > 0:
            continue
        a_w, a_s = df.at[i, "work_after"], df.at[i, "studies_after"]
        after_sum = (a_w or 0) + (a_s or 0)
        before_sum = df.at[i, "work_before"] + df.at[i, "studies_before"]
        if df.at[i, "group"] in ("work", "studies") and before_sum < after_sum:
            # gained: keep before below after (and so at most full time)
            df.at[i, column] = max(1, (after_sum - before_sum) // 2)
            continue
        # not gained or no outcome: any extent, keeping work + studies before at most full time
        # and never lowering their sum (a kept job stays not gained)
        other = "studies_before" if column == "work_before" else "work_before"
        room = 100 - int(df.at[i, other])
        if room >= MIN_WORK_EXTENT:
            df.at[i, column] = min(int(rng.choice([25, 50, 100])), room)
        else:
            df.at[i, other] = int(df.at[i, other]) - 25
            df.at[i, column] = 25 + room


# --------------------------------------------------------------------------- insatser and kommun


def individual_insatser(portfolio: pd.DataFrame, registry: pd.DataFrame) -> tuple[Insats, ...]:
    """The insatser of an association's portfolio that SUS registers participants in.

    Those of type I financed by the association's own (Finsam) funds (seed 004: "Vid beviljande
    av RAR-medel rapporteras samtliga deltagare i SUS"; ESF projects report to SCB), with their
    periods and the member kommuner their partners name (``"<kommun> kommun"``).
    """
    rows = portfolio[(portfolio["type"] == "I") & (portfolio["financing"] == "finsam")]
    out = []
    for r in rows.sort_values(["start_date", "insats_id"], kind="stable").itertuples(index=False):
        members = registry[registry["association"] == r.association]
        named = set(str(r.partners or "").split(";"))
        kommuner = tuple(
            str(k.kommun_code) for k in members.itertuples() if f"{k.kommun} kommun" in named
        )
        out.append(Insats(str(r.insats_id), r.start_date, r.end_date, kommuner))
    return tuple(out)


def _candidates(
    insatser: tuple[Insats, ...], start: pd.Timestamp, end: pd.Timestamp | None
) -> list[Insats]:
    """The insatser a registration may be in: those whose period contains its start date; of
    them, those that also contain its end (the export date when still open) if there are any."""
    starting = [x for x in insatser if x.start <= start <= x.end]
    last = EXPORT_DATE if end is None else end
    whole = [x for x in starting if last <= x.end]
    return whole or starting


def _insats_and_kommun(
    df: pd.DataFrame,
    insatser: tuple[Insats, ...],
    weights: Mapping[str, int],
    rng: np.random.Generator,
) -> None:
    """An insats covering each registration, and each person's kommun of residence (in place)."""
    members = list(weights)
    kommun_of: dict[int, str] = {}
    insats_col, kommun_col = [], []
    for i in df.sort_values(["start_date", "unit_key"]).index:
        start = df.at[i, "start_date"]
        end = df.at[i, "end_date"]
        end = None if pd.isna(end) else end
        covering = _candidates(insatser, start, end)
        if not covering:
            raise ValueError(f"no insats of the portfolio runs on {start.date()}, a start date")
        person = df.at[i, "person"]
        if person in kommun_of:
            fitting = [x for x in covering if not x.kommuner or kommun_of[person] in x.kommuner]
            covering = fitting or covering
        ins = covering[int(rng.integers(len(covering)))]
        if person not in kommun_of:
            pool = [k for k in members if not ins.kommuner or k in ins.kommuner]
            kommun_of[person] = str(
                pool[_weighted(rng, list(range(len(pool))), [weights[k] for k in pool])]
            )
        insats_col.append((i, ins.insats_id))
        kommun_col.append((i, kommun_of[person]))
    df["insats_id"] = pd.Series(dict(insats_col))
    df["kommun_code"] = pd.Series(dict(kommun_col))


# --------------------------------------------------------------------------- one association


def build_association(
    plan: Plan,
    cells: list[Cell],
    profile: Profile,
    insatser: tuple[Insats, ...],
    kommun_weights: Mapping[str, int],
    rng: np.random.Generator,
) -> pd.DataFrame:
    """All registrations of one association (person ids still local, see :func:`build`)."""
    frames = []
    for k, cell in enumerate(cells):
        frame = _cell_frame(cell, plan, profile, rng)
        frame["unit_key"] = [f"{k:03d}-{u:04d}" for u in frame["unit"]]
        frames.append(frame)
    df = pd.concat(frames, ignore_index=True)
    keys = sorted(df["unit_key"].unique())
    df["person"] = df["unit_key"].map({k: i for i, k in enumerate(keys)})
    _link_returning(df, plan, rng)
    _supply(df, plan, rng)
    _insats_and_kommun(df, insatser, kommun_weights, rng)
    df["association"] = plan.association
    return df


# --------------------------------------------------------------------------- all of it


@dataclass
class Inputs:
    """The published tables the generator reads."""

    registry: pd.DataFrame
    utfall: pd.DataFrame
    participants_2019: pd.DataFrame
    ended_per_year: pd.DataFrame
    participants_2021: pd.DataFrame
    population: pd.DataFrame
    #: each association's synthetic portfolio (all its files), the catalogue of insatser
    portfolios: dict[str, pd.DataFrame]

    @classmethod
    def read(cls, source_dir: Path) -> Inputs:
        pub = source_dir / "published"
        population, _ = derived.build(source_dir)
        return cls(
            registry=load_registry(source_dir / "registry.csv"),
            utfall=load_published(pub / "seed001_utfall_2019.csv"),
            participants_2019=load_published(pub / "seed001_participants_by_sex_2019.csv"),
            ended_per_year=load_published(pub / "seed003_sus_ended_per_year.csv"),
            participants_2021=load_published(pub / "seed004_participants_2021.csv"),
            population=population,
            portfolios=portfolio.by_association(portfolio.build(source_dir)),
        )


def _active_2019(participants_2019: pd.DataFrame) -> dict[str, dict[str, int]]:
    out = {}
    for a in JONKOPING:
        rows = participants_2019[participants_2019["association"] == a]
        total = int(rows.loc[rows["indicator_key"] == "participants", "value"].iloc[0])
        pct = rows.loc[(rows["indicator_key"] == "share_by_sex") & (rows["sex"] == "Kvinnor")]
        women = women_count(total, float(pct["value"].iloc[0]))
        out[a] = {"K": women, "M": total - women}
    return out


def build(inputs: Inputs) -> tuple[dict[str, pd.DataFrame], list[tuple[str, str, str]]]:
    """Every association's registrations (canonical codes) and the unreproducible cells."""
    targets, unreproducible = calibrate_jonkoping(inputs.utfall)
    active = _active_2019(inputs.participants_2019)
    pop = inputs.population.set_index("kommun_code")["count"]
    frames: dict[str, pd.DataFrame] = {}
    for name, plan in PLANS.items():
        rng = np.random.default_rng(plan.seed)
        members = inputs.registry.loc[inputs.registry["association"] == name, "kommun_code"]
        weights = {str(k): int(pop[k]) for k in members}
        if name == "RAR Sörmland":
            e = inputs.ended_per_year
            e = e[(e["measure"] == "ended_participants") & e["year"].str.fullmatch(r"\d{4}")]
            ended = {int(y): int(v) for y, v in zip(e["year"], e["value"], strict=True)}
            p21 = inputs.participants_2021
            p21 = p21[p21["group"] == "RAR-finansierade individriktade insatser"]
            flows = {m: int(v) for m, v in zip(p21["measure"], p21["value"], strict=True)}
            profile = rar_profile(inputs.utfall)
            cells = rar_cells(plan, ended, flows, profile, rng)
        else:
            women = active[name]["K"] / (active[name]["K"] + active[name]["M"])
            plan = replace(plan, women=women) if plan.women is None else plan
            profile = jonkoping_profile(inputs.utfall, name)
            cells = jonkoping_cells(plan, targets, active[name], profile, rng)
        insatser = individual_insatser(inputs.portfolios[name], inputs.registry)
        frames[name] = build_association(plan, cells, profile, insatser, weights, rng)
    _number_persons(frames)
    return frames, unreproducible


def _number_persons(frames: dict[str, pd.DataFrame]) -> None:
    """Pseudonymous person ids ``S-000001`` … numbered across the files by first start date."""
    counter = 0
    for name in PLANS:
        df = frames[name]
        first = df.groupby("person")["start_date"].min().sort_values(kind="stable")
        ids = {}
        for person in sorted(first.index, key=lambda p: (first[p], p)):
            counter += 1
            ids[person] = f"S-{counter:06d}"
        df["person_id"] = df["person"].map(ids)


# --------------------------------------------------------------------------- writing


def _number(value: float | None) -> str:
    if value is None or pd.isna(value):
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}".replace(".", ",")


def export_csv(df: pd.DataFrame) -> bytes:
    """The registrations as a Swedish SUS export (bytes, UTF-8 with BOM)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\n")
    writer.writerow(EXPORT_HEADERS)
    rows = df.sort_values(["start_date", "person_id", "insats_id"], kind="stable")
    for r in rows.itertuples(index=False):
        ended = not pd.isna(r.end_date)
        writer.writerow(
            [
                r.association,
                r.insats_id,
                r.person_id,
                EXPORT_SEX[r.sex],
                str(int(r.birth_year)),
                r.kommun_code,
                r.start_date.strftime("%Y-%m-%d"),
                r.end_date.strftime("%Y-%m-%d") if ended else "",
                EXPORT_EDUCATION[r.education],
                _number(r.years_support),
                cat.SUPPORT_LABELS[r.support_before],
                cat.SUPPORT_LABELS[r.support_after] if ended else "",
                _number(r.work_before),
                _number(r.work_after) if ended else "",
                _number(r.studies_before),
                _number(r.studies_after) if ended else "",
                "ja",
            ]
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def generate(raw_dir: Path) -> list[str]:
    """Write the four participant exports under ``raw_dir``; return their relative paths."""
    raw_dir = Path(raw_dir)
    frames, _ = build(Inputs.read(derived.inputs_dir(raw_dir)))
    (raw_dir / OUT_DIR).mkdir(parents=True, exist_ok=True)
    written = []
    for name, rel in FILES.items():
        (raw_dir / rel).write_bytes(export_csv(frames[name]))
        written.append(rel)
    return written
