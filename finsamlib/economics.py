"""Economic indicators: flat-rate savings, full-year equivalents, revenue, payback, break-even.

Everything here is pure: numbers or DataFrames and named parameters in, numbers or DataFrames
out; no I/O. The standard costs behind the revenue model are a *parameter table* that users
replace (``data/raw/assumptions/standard_costs.csv``, read by
:func:`finsamlib.loaders.load_standard_costs`); its values are assumptions, not published figures.

The computations and where they come from:

- :func:`flat_rate_savings`: persons who become self-supporting × a flat annual cost of public
  support (schablonbelopp) × years (seed 004, "Besparing fortsatt heltidsarbete"; seed 000 Bild 1
  and 3).
- :func:`full_year_equivalents`: benefit days to helårsekvivalenter.
- :func:`annual_revenue`: the yearly revenue (intäkt) per actor of a cohort's changed support and
  work, from standard costs (the NyttoSam idea of seed 003 §2.1.9; the parameters are ours).
- :func:`profitability` and :func:`mean_payback`: short- and medium-term result, per participant,
  payback months (seed 003 §2.1.10, Tabell 7–15).
- :func:`break_even_persons`, :func:`break_even_years`, :func:`break_even_scenarios`: how many
  persons (or years) it takes to repay a cost (seed 003 §2.1.11–2.1.12).

Actors are the keys of :data:`finsamlib.categories.ACTOR_LABELS`: ``society``, ``kommun``,
``region``, ``state`` and, as parts of the state, ``af`` and ``fk``. Revenues and costs are in kr
per year unless a name says otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from .categories import ACTOR_LABELS, SUPPORT, SUPPORT_CODES, SUPPORT_LOOKUP, WORK_CODES, fold
from .errors import FinsamDataError, Problem

ACTORS: tuple[str, ...] = tuple(ACTOR_LABELS)
#: Relative tolerance for floating-point noise when rounding a ratio up to whole units: a ratio
#: computed as 214.00000000000003 is taken as exactly 214.
_REL_EPS = 1e-12

# --------------------------------------------------------------------------- flat-rate savings


@dataclass(frozen=True)
class FlatRate:
    """A flat annual cost of public support per person (schablonbelopp) for one region."""

    region: str
    rate: float  # kr per person and year
    source: str


#: Flat rates per region. Only Sörmland's is sourced: 142 000 kr per person and year, computed by
#: Statisticon from SCB statistics (seed 004, "Uppföljning och resultat av RAR-finansierade
#: individriktade insatser"; seed 000, Bild 1). Add a region's own rate here or pass ``rate=``.
FLAT_RATES: dict[str, FlatRate] = {
    "Sörmland": FlatRate(
        "Sörmland",
        142_000.0,
        "004_9cccf62022c1bfeb.txt (schablonbelopp 142 000 kr per individ och år, Statisticon); "
        "000_bec23146d4ab8d82.txt",
    ),
}
FLAT_RATE_SORMLAND: float = FLAT_RATES["Sörmland"].rate
#: The horizons of seed 004's savings table (1, 5 and 10 years).
SAVINGS_HORIZONS: tuple[int, ...] = (1, 5, 10)


def flat_rate_savings(
    persons: float,
    rate: float | str = FLAT_RATE_SORMLAND,
    years: Iterable[float] = SAVINGS_HORIZONS,
) -> pd.DataFrame:
    """Savings when ``persons`` leave public support, at a flat annual ``rate``, over ``years``.

    ``savings = persons × rate × years``, undiscounted, as seed 004 computes it (60 persons at
    142 000 kr give 8,5 / 42,6 / 85,2 Mkr over 1 / 5 / 10 years).

    Parameters
    ----------
    persons : the number of persons who become self-supporting (work or studies).
    rate : kr per person and year, or a region name in :data:`FLAT_RATES` (default Sörmland's
        142 000 kr, seed 004).
    years : the horizons in years.

    Returns
    -------
    DataFrame with one row per horizon: ``years``, ``persons``, ``rate``, ``savings`` (kr).

    Examples
    --------
    >>> flat_rate_savings(60)["savings"].tolist()
    [8520000.0, 42600000.0, 85200000.0]
    """
    if isinstance(rate, str):
        if rate not in FLAT_RATES:
            raise KeyError(f"no flat rate for region {rate!r}; known: {', '.join(FLAT_RATES)}")
        rate = FLAT_RATES[rate].rate
    if persons < 0 or rate < 0:
        raise ValueError(f"persons and rate must be non-negative (got {persons}, {rate})")
    horizons = [float(y) for y in years]
    if any(y < 0 for y in horizons):
        raise ValueError(f"years must be non-negative (got {horizons})")
    return pd.DataFrame(
        {
            "years": horizons,
            "persons": float(persons),
            "rate": float(rate),
            "savings": [float(persons) * float(rate) * y for y in horizons],
        }
    )


# --------------------------------------------------------------------------- full-year equivalents

DAYS_PER_YEAR = 365


def full_year_equivalents(
    days: float | Sequence[float] | np.ndarray | pd.Series,
    extent: float | Sequence[float] | np.ndarray | pd.Series = 100,
) -> float | np.ndarray | pd.Series:
    """Benefit days as helårsekvivalenter: ``days / 365 × extent / 100`` (vectorised).

    A helårsekvivalent is one person supported full time for a whole year; part-time days
    count by their extent (25, 50, 75 or 100 % in the Swedish benefit systems).

    Parameters
    ----------
    days : gross benefit days (scalar, array or Series).
    extent : the extent in percent of full time (scalar or the same shape as ``days``).

    Returns
    -------
    The same kind as ``days`` (a Series keeps its index).

    Examples
    --------
    >>> full_year_equivalents(365)
    1.0
    >>> full_year_equivalents([365, 730], [50, 100]).tolist()
    [0.5, 2.0]
    """
    d = np.asarray(days, dtype=float)
    e = np.asarray(extent, dtype=float)
    if np.any(d < 0):
        raise ValueError("days must be non-negative")
    if np.any((e < 0) | (e > 100)):
        raise ValueError("extent must be a percentage from 0 to 100")
    out = d / DAYS_PER_YEAR * e / 100.0
    if isinstance(days, pd.Series):
        return pd.Series(out, index=days.index, name=days.name)
    if out.ndim == 0:
        return float(out)
    return out


# --------------------------------------------------------------------------- standard costs

#: The general (not per-category) parameters the revenue model needs from the standard costs.
GENERAL_PARAMETERS: tuple[str, ...] = (
    "wage_full_time",
    "production_value_full_time",
    "subsidised_production_share",
    "employer_fee_rate",
    "municipal_tax_rate",
    "regional_tax_rate",
    "state_tax_rate",
    "wage_subsidy_share",
)
_SHARE_PARAMETERS = tuple(p for p in GENERAL_PARAMETERS if p.endswith(("_rate", "_share")))
#: Parameters given once per support category.
CATEGORY_PARAMETERS: tuple[str, ...] = ("support_cost", "support_taxable")

#: Who bears a support category's cost in the revenue model, by the payer that
#: :mod:`finsamlib.categories` records. A-kassa (state-financed in the main) and CSN's grant part
#: are booked to the state outside Af and FK. Pass your own mapping to change it.
PAYER_ACTOR: dict[str, str] = {
    "Kommun": "kommun",
    "FK": "fk",
    "Af": "af",
    "A-kassa": "state",
    "CSN": "state",
}


@dataclass(frozen=True)
class StandardCosts:
    """The parsed standard costs (see ``data/raw/assumptions/standard_costs.csv``).

    ``support_cost`` is kr per person-year at full extent per support category (0 where there
    is no payment); ``support_taxable`` says whether the recipient pays income tax on it.
    Rates are shares (0.3142, not 31.42).
    """

    support_cost: dict[str, float]
    support_taxable: dict[str, bool]
    wage_full_time: float
    production_value_full_time: float
    subsidised_production_share: float
    employer_fee_rate: float
    municipal_tax_rate: float
    regional_tax_rate: float
    state_tax_rate: float
    wage_subsidy_share: float

    @property
    def income_tax_rate(self) -> float:
        return self.municipal_tax_rate + self.regional_tax_rate + self.state_tax_rate


def standard_cost_parameters(table: pd.DataFrame | StandardCosts) -> StandardCosts:
    """Parse the standard-costs table (columns ``parameter``, ``category``, ``value``, …).

    Every general parameter of :data:`GENERAL_PARAMETERS` must appear once (category empty);
    ``support_cost`` and ``support_taxable`` once per support category (categories not listed
    count as 0 kr and not taxable, except that every *payer's* category must be listed, so that
    a missing row is not silently a zero cost). Raises :class:`FinsamDataError` listing every
    missing, unknown or repeated parameter.
    """
    if isinstance(table, StandardCosts):
        return table
    missing_cols = [c for c in ("parameter", "category", "value") if c not in table.columns]
    if missing_cols:
        raise FinsamDataError(
            table.attrs.get("source"), f"columns {missing_cols} (the standard-costs table)"
        )
    problems: list[Problem] = []
    general: dict[str, float] = {}
    per_cat: dict[str, dict[str, float]] = {p: {} for p in CATEGORY_PARAMETERS}
    for i, row in table.reset_index(drop=True).iterrows():
        line = int(i) + 2  # header is line 1
        name = str(row["parameter"]).strip()
        raw_cat = row["category"]
        cat = None if pd.isna(raw_cat) or str(raw_cat).strip() == "" else str(raw_cat).strip()
        value = row["value"]
        if pd.isna(value):
            problems.append(Problem(line, "value", "", f"a number for {name!r}"))
            continue
        if name in GENERAL_PARAMETERS:
            if cat is not None:
                problems.append(Problem(line, "category", cat, f"no category for {name!r}"))
            elif name in general:
                problems.append(Problem(line, "parameter", name, "each parameter once"))
            else:
                general[name] = float(value)
        elif name in CATEGORY_PARAMETERS:
            code = SUPPORT_LOOKUP.get(fold(cat)) if cat is not None else None
            if code is None:
                problems.append(
                    Problem(line, "category", cat, "a support category code for " + repr(name))
                )
            elif code in per_cat[name]:
                problems.append(Problem(line, "category", cat, f"{name!r} once per category"))
            else:
                per_cat[name][code] = float(value)
        else:
            known = ", ".join(GENERAL_PARAMETERS + CATEGORY_PARAMETERS)
            problems.append(Problem(line, "parameter", name, f"one of {known}"))
    for name in GENERAL_PARAMETERS:
        if name not in general:
            problems.append(Problem(None, "parameter", None, f"a row for {name!r}"))
    paid = [c for c in SUPPORT_CODES if SUPPORT[c].payer is not None and c not in WORK_CODES]
    for code in paid:
        for name in CATEGORY_PARAMETERS:
            if code not in per_cat[name]:
                problems.append(Problem(None, "category", None, f"a {name!r} row for {code!r}"))
    for name in _SHARE_PARAMETERS:
        if name in general and not 0 <= general[name] <= 1:
            problems.append(Problem(None, name, str(general[name]), "a share from 0 to 1"))
    for code, flag in per_cat["support_taxable"].items():
        if flag not in (0.0, 1.0):
            problems.append(Problem(None, f"support_taxable {code}", str(flag), "0 or 1"))
    for code, amount in per_cat["support_cost"].items():
        if amount < 0:
            problems.append(Problem(None, f"support_cost {code}", str(amount), "kr ≥ 0"))
    if problems:
        raise FinsamDataError(table.attrs.get("source", "standard costs"), problems)
    return StandardCosts(
        support_cost={c: per_cat["support_cost"].get(c, 0.0) for c in SUPPORT_CODES},
        support_taxable={c: bool(per_cat["support_taxable"].get(c, 0.0)) for c in SUPPORT_CODES},
        **general,
    )


# --------------------------------------------------------------------------- the revenue model

#: The leaf actors that revenues are booked to; ``state`` = ``af`` + ``fk`` + ``state_other``.
_LEAVES = ("kommun", "region", "af", "fk", "state_other")


def _cohort(cohort: pd.DataFrame) -> pd.DataFrame:
    """Normalise a cohort to rows of (support_before, support_after, work extents, count)."""
    if not isinstance(cohort, pd.DataFrame):
        raise TypeError("cohort must be a DataFrame (participants, counts or a matrix)")
    cols = set(cohort.columns)
    if {"support_before", "support_after"} <= cols:
        df = cohort
        if "count" not in cols:  # the participants table: ended registrations only
            df = df[df["support_after"].notna()]
            df = df.assign(count=1.0)
    elif set(map(str, cohort.index)) <= set(SUPPORT_CODES) and set(map(str, cols)) <= set(
        SUPPORT_CODES
    ):  # a before × after matrix of counts
        stacked = cohort.stack()
        df = pd.DataFrame(
            {
                "support_before": stacked.index.get_level_values(0).astype(str),
                "support_after": stacked.index.get_level_values(1).astype(str),
                "count": stacked.to_numpy(dtype=float),
            }
        )
    else:
        raise FinsamDataError(
            cohort.attrs.get("source", "cohort"),
            "the participants table, transition counts (support_before, support_after, count) "
            "or a before × after matrix with support codes as index and columns",
        )
    out = pd.DataFrame(
        {
            "support_before": df["support_before"].astype(object),
            "support_after": df["support_after"].astype(object),
            "count": pd.to_numeric(df["count"], errors="coerce").astype(float),
        }
    )
    for col in ("work_extent_before", "work_extent_after"):
        out[col] = (
            pd.to_numeric(df[col], errors="coerce").astype(float) if col in df.columns else np.nan
        )
    problems = []
    for col in ("support_before", "support_after"):
        bad = ~out[col].isin(SUPPORT_CODES)
        for value in out.loc[bad, col].astype(str).unique():
            problems.append(Problem(None, col, value, "a support category code"))
    if (out["count"].isna() | (out["count"] < 0)).any():
        problems.append(Problem(None, "count", None, "non-negative counts"))
    for col in ("work_extent_before", "work_extent_after"):
        if ((out[col] < 0) | (out[col] > 100)).any():
            problems.append(Problem(None, col, None, "a percentage from 0 to 100"))
    if problems:
        raise FinsamDataError(cohort.attrs.get("source", "cohort"), problems)
    return out


def _work_extent(support: pd.Series, extent: pd.Series, default: float) -> np.ndarray:
    """Work in percent of full time: the registered extent, or ``default`` for a work category."""
    is_work = support.isin(WORK_CODES).to_numpy()
    e = extent.to_numpy(dtype=float)
    return np.where(np.isnan(e), np.where(is_work, default, 0.0), e)


_ACTOR_LEAF = {
    "kommun": "kommun",
    "region": "region",
    "af": "af",
    "fk": "fk",
    "state": "state_other",
}


def _leaf(payer: str, payer_actor: Mapping[str, str], code: str) -> str:
    """The leaf actor that bears a payer's costs."""
    if payer not in payer_actor:
        raise KeyError(
            f"no actor for payer {payer!r} of {code!r}; pass payer_actor with it "
            f"(known: {', '.join(payer_actor)})"
        )
    actor = payer_actor[payer]
    if actor not in _ACTOR_LEAF:
        raise ValueError(f"payer_actor maps {payer!r} to {actor!r}; use one of {list(_ACTOR_LEAF)}")
    return _ACTOR_LEAF[actor]


def _side(
    support: pd.Series,
    extent: pd.Series,
    sc: StandardCosts,
    payer_actor: Mapping[str, str],
    default_work_extent: float,
) -> dict[str, np.ndarray]:
    """Per row: the public sector's yearly net flows (+ income, − cost) per leaf, and production."""
    n = len(support)
    components = ("support", "taxes", "wage_subsidies")
    parts = {leaf: {c: np.zeros(n) for c in components} for leaf in _LEAVES}
    codes = support.astype(str).to_numpy()
    cost = np.array([sc.support_cost[c] for c in codes], dtype=float)
    taxable = np.array([sc.support_taxable[c] for c in codes], dtype=bool)
    for code in np.unique(codes):
        payer = SUPPORT[code].payer
        if payer is None or code == "subsidised_employment" or sc.support_cost[code] == 0:
            continue
        rows = codes == code
        parts[_leaf(payer, payer_actor, code)]["support"][rows] -= cost[rows]
    work = _work_extent(support, extent, default_work_extent) / 100.0
    wage = sc.wage_full_time * work
    subsidised = codes == "subsidised_employment"
    taxable_income = wage + np.where(taxable, cost, 0.0)
    parts["kommun"]["taxes"] += sc.municipal_tax_rate * taxable_income
    parts["region"]["taxes"] += sc.regional_tax_rate * taxable_income
    parts["state_other"]["taxes"] += sc.state_tax_rate * taxable_income
    parts["state_other"]["taxes"] += sc.employer_fee_rate * wage
    if subsidised.any():
        subsidy = np.where(subsidised, sc.wage_subsidy_share * wage * (1 + sc.employer_fee_rate), 0)
        payer = SUPPORT["subsidised_employment"].payer or "Af"
        parts[_leaf(payer, payer_actor, "subsidised_employment")]["wage_subsidies"] -= subsidy
    production = sc.production_value_full_time * work
    production = np.where(subsidised, production * sc.subsidised_production_share, production)
    out = {f"{leaf}:{c}": parts[leaf][c] for leaf in _LEAVES for c in components}
    out["production"] = production
    return out


def annual_revenue(
    cohort: pd.DataFrame,
    standard_costs: pd.DataFrame | StandardCosts,
    *,
    payer_actor: Mapping[str, str] = PAYER_ACTOR,
    default_work_extent: float = 100.0,
) -> pd.DataFrame:
    """The yearly revenue (intäkt) per actor of a cohort's change from support before to after.

    For every person the model prices the situation before and after the insats for one year
    and books the difference (after − before) to the actors:

    - **support**: the main support category's yearly cost (``support_cost``, full extent; SUS
      registers only the main source) to its payer, from :mod:`finsamlib.categories` through
      ``payer_actor`` (Kommun → kommun, FK → fk, Af → af, A-kassa and CSN → state outside Af/FK);
      leaving a support is a revenue for its payer;
    - **taxes**: income tax on the wage and on taxable support, split by the municipal (kommun),
      regional (region) and state tax rates, plus employer fees on the wage (state);
    - **wage subsidies**: for ``subsidised_employment``, ``wage_subsidy_share`` of the wage cost
      (wage + employer fees), a cost to the payer of that category (Af);
    - **production** (society): the value of work, ``production_value_full_time`` × extent,
      times ``subsidised_production_share`` for subsidised work.

    Work extent comes from ``work_extent_before``/``work_extent_after`` where given, else
    ``default_work_extent`` for the work categories and 0 for the others. ``society``'s revenue
    is the change in production only: support, taxes and subsidies move money between the public
    sector and households and cancel out for society as a whole. ``state`` = ``af`` + ``fk`` +
    the rest of the state (employer fees, state income tax, a-kassa, CSN). Grundavdrag,
    jobbskatteavdrag, resource use (health care, case handling) and study costs are not modelled.

    Parameters
    ----------
    cohort : the canonical participants table (ended registrations are used), transition counts
        (``support_before``, ``support_after``, ``count``, optionally ``work_extent_before`` and
        ``work_extent_after`` as the group's mean extents), or a before × after matrix of counts
        with support codes as index and columns.
    standard_costs : the standard-costs table (:func:`finsamlib.loaders.load_standard_costs`) or a
        parsed :class:`StandardCosts`.
    payer_actor : payer (as in categories) → actor key.
    default_work_extent : percent of full time assumed for a work category without an extent.

    Returns
    -------
    DataFrame indexed by actor (``society``, ``kommun``, ``region``, ``state``, ``af``, ``fk``)
    with columns ``support``, ``taxes``, ``wage_subsidies``, ``production``, ``revenue`` (their
    sum, kr per year) and ``revenue_per_participant``; ``attrs["participants"]`` is the cohort
    size.
    """
    sc = standard_cost_parameters(standard_costs)
    if not 0 <= default_work_extent <= 100:
        raise ValueError("default_work_extent must be a percentage from 0 to 100")
    rows = _cohort(cohort)
    n = float(rows["count"].sum())
    if n <= 0:
        raise FinsamDataError(
            cohort.attrs.get("source", "cohort"), "at least one ended registration"
        )
    before = _side(
        rows["support_before"], rows["work_extent_before"], sc, payer_actor, default_work_extent
    )
    after = _side(
        rows["support_after"], rows["work_extent_after"], sc, payer_actor, default_work_extent
    )
    w = rows["count"].to_numpy()
    delta = {k: float(np.sum((after[k] - before[k]) * w)) for k in after}
    components = ("support", "taxes", "wage_subsidies")
    columns = [*components, "production"]
    # summed in plain floats, then one frame (a .loc update per cell was most of the time)
    cell = {(actor, c): 0.0 for actor in ACTORS for c in columns}
    for leaf in _LEAVES:
        for c in components:
            value = delta[f"{leaf}:{c}"]
            if leaf in ("kommun", "region"):
                cell[leaf, c] += value
            else:
                cell["state", c] += value
                if leaf in ("af", "fk"):
                    cell[leaf, c] += value
    cell["society", "production"] = delta["production"]
    table = pd.DataFrame(
        [[cell[actor, c] for c in columns] for actor in ACTORS],
        index=pd.Index(ACTORS, name="actor"),
        columns=columns,
        dtype=float,
    )
    table["revenue"] = table[columns].sum(axis=1)
    table["revenue_per_participant"] = table["revenue"] / n
    table.attrs["participants"] = n
    return table


def revenue_by_row(
    cohort: pd.DataFrame,
    standard_costs: pd.DataFrame | StandardCosts,
    *,
    payer_actor: Mapping[str, str] = PAYER_ACTOR,
    default_work_extent: float = 100.0,
) -> pd.DataFrame:
    """Each row's share of :func:`annual_revenue`: its yearly revenue per actor (kr).

    Takes the same cohort (the participants table: its ended registrations with a support
    after; or transition counts) and returns one row per row used, indexed like the input,
    with one column per actor (:data:`ACTORS`); the column sums are ``annual_revenue(...)
    ["revenue"]``. The disclosure control (:mod:`finsamlib.disclosure`) uses it: a money figure
    is a weighted sum of the participants behind it.
    """
    sc = standard_cost_parameters(standard_costs)
    rows = _cohort(cohort)
    before = _side(
        rows["support_before"], rows["work_extent_before"], sc, payer_actor, default_work_extent
    )
    after = _side(
        rows["support_after"], rows["work_extent_after"], sc, payer_actor, default_work_extent
    )
    w = rows["count"].to_numpy()
    delta = {k: (after[k] - before[k]) * w for k in after}
    out = pd.DataFrame(0.0, index=rows.index, columns=pd.Index(ACTORS, name="actor"))
    for leaf in _LEAVES:
        total = sum(delta[f"{leaf}:{c}"] for c in ("support", "taxes", "wage_subsidies"))
        if leaf in ("kommun", "region"):
            out[leaf] += total
        else:
            out["state"] += total
            if leaf in ("af", "fk"):
                out[leaf] += total
    out["society"] += delta["production"]
    return out


# --------------------------------------------------------------------------- insats cost

#: The insats cost per participant and actor implied by seed 003 Tabell 7–14 (NyttoSam's mean
#: insats cost from Payoff's metastudy of 58 evaluations; the amount itself is not printed):
#: cost = revenue − short-term result gives exactly 16 000 kr per ended participant for the kommun,
#: the region, Af and FK in every year, and 47 580–47 585 kr for the state as a whole (the range
#: consistent with all four years' rounded figures); society = kommun + region + state.
IMPLIED_COST_PER_PARTICIPANT: dict[str, float] = {
    "society": 16_000.0 + 16_000.0 + 47_582.0,
    "kommun": 16_000.0,
    "region": 16_000.0,
    "state": 47_582.0,
    "af": 16_000.0,
    "fk": 16_000.0,
}


def insats_cost(
    participants: float, cost_per_participant: Mapping[str, float] = IMPLIED_COST_PER_PARTICIPANT
) -> pd.Series:
    """The cost of the insatser per actor: participants × cost per participant (kr)."""
    if participants < 0:
        raise ValueError("participants must be non-negative")
    s = pd.Series({a: float(v) * participants for a, v in cost_per_participant.items()})
    s.index.name = "actor"
    return s.rename("cost")


# --------------------------------------------------------------------------- profitability

PaybackRounding = Literal["ceil", "round", "none"]
#: The columns of :func:`profitability`, named as seed 003's published measures.
PROFITABILITY_COLUMNS: tuple[str, ...] = (
    "revenue_short_term",
    "revenue_per_participant_short_term",
    "revenue_medium_term",
    "cost",
    "result_short_term",
    "result_medium_term",
    "result_per_participant_short_term",
    "payback_months",
    "result_per_participant_medium_term",
)
_AMOUNT_COLUMNS = tuple(c for c in PROFITABILITY_COLUMNS if c != "payback_months")


def round_half_away(x: float | np.ndarray | pd.Series, unit: float = 1.0):
    """Round to a multiple of ``unit``, halves away from zero (as spreadsheets print)."""
    arr = np.asarray(x, dtype=float) / unit
    # 1e-9 guards values such as 88.49999999 that are halves up to floating-point error
    out = np.sign(arr) * np.floor(np.abs(arr) + 0.5 + 1e-9) * unit
    if isinstance(x, pd.Series):
        return pd.Series(out, index=x.index, name=x.name)
    if isinstance(x, pd.DataFrame):
        return pd.DataFrame(out, index=x.index, columns=x.columns)
    return float(out) if out.ndim == 0 else out


def payback_months(
    cost: float | np.ndarray | pd.Series,
    revenue: float | np.ndarray | pd.Series,
    rounding: PaybackRounding = "ceil",
):
    """Months until a yearly ``revenue`` repays ``cost``: ``12 × cost / revenue``.

    NaN (no payback, printed "—"/"---") where the revenue is not positive. ``rounding="ceil"``
    (default) rounds up to whole months, which reproduces every payback of seed 003 Tabell 8–15;
    ``"round"`` rounds halves away from zero; ``"none"`` keeps the fraction.
    """
    c = np.asarray(cost, dtype=float)
    r = np.asarray(revenue, dtype=float)
    if np.any(c < 0):
        raise ValueError("cost must be non-negative")
    with np.errstate(divide="ignore", invalid="ignore"):
        months = np.where(r > 0, 12.0 * c / np.where(r > 0, r, 1.0), np.nan)
    if rounding == "ceil":
        months = np.ceil(months * (1 - _REL_EPS))  # 48.00000000000001 is 48 months
    elif rounding == "round":
        months = round_half_away(months)
    elif rounding != "none":
        raise ValueError(f"rounding must be 'ceil', 'round' or 'none', not {rounding!r}")
    if isinstance(cost, pd.Series):
        return pd.Series(months, index=cost.index, name="payback_months")
    if isinstance(revenue, pd.Series):
        return pd.Series(months, index=revenue.index, name="payback_months")
    return float(months) if np.ndim(months) == 0 else months


def _by_actor(values: Mapping[str, float] | pd.Series, name: str) -> pd.Series:
    s = (
        pd.Series(values, dtype=float)
        if not isinstance(values, pd.Series)
        else values.astype(float)
    )
    if s.index.has_duplicates:
        raise ValueError(f"{name}: one value per actor")
    return s


def profitability(
    revenue: Mapping[str, float] | pd.Series,
    cost: Mapping[str, float] | pd.Series,
    participants: float,
    medium_term_years: int = 5,
    *,
    payback_rounding: PaybackRounding = "ceil",
    round_to: float | None = None,
) -> pd.DataFrame:
    """Short- and medium-term result, per participant and payback per actor (seed 003 Tabell 7–15).

    For each actor with a yearly ``revenue`` R and an insats ``cost`` C (once, at the start):

    - short term (1 year): ``result_short_term = R − C``;
    - medium term (``medium_term_years``, 5 in seed 003): ``revenue_medium_term = years × R``,
      ``result_medium_term = years × R − C`` (no discounting, as the source);
    - per participant: the totals divided by ``participants`` (seed 003 uses the participants
      who ended in SUS that year);
    - ``payback_months``: :func:`payback_months` (``12 × C / R``, rounded up; NaN when R ≤ 0).

    ``round_to`` (e.g. 1000 for seed 003's whole thousands) rounds every kr column, halves away
    from zero, *after* computing the per-participant figures from unrounded totals; the default
    ``None`` keeps full precision.

    Returns
    -------
    DataFrame indexed by actor (report order: :data:`ACTORS` first) with the columns of
    :data:`PROFITABILITY_COLUMNS`.
    """
    rev = _by_actor(revenue, "revenue")
    cst = _by_actor(cost, "cost")
    if participants <= 0:
        raise ValueError("participants must be positive")
    if medium_term_years < 1:
        raise ValueError("medium_term_years must be at least 1")
    missing = sorted(set(rev.index) ^ set(cst.index))
    if missing:
        raise KeyError(f"revenue and cost must name the same actors; differing: {missing}")
    if (cst < 0).any():
        raise ValueError("cost must be non-negative for every actor")
    order = [a for a in ACTORS if a in rev.index] + [a for a in rev.index if a not in ACTORS]
    rev, cst = rev.reindex(order), cst.reindex(order)
    out = pd.DataFrame(index=pd.Index(order, name="actor"))
    out["revenue_short_term"] = rev
    out["revenue_per_participant_short_term"] = rev / participants
    out["revenue_medium_term"] = medium_term_years * rev
    out["cost"] = cst
    out["result_short_term"] = rev - cst
    out["result_medium_term"] = medium_term_years * rev - cst
    out["result_per_participant_short_term"] = out["result_short_term"] / participants
    out["payback_months"] = payback_months(cst, rev, payback_rounding)
    out["result_per_participant_medium_term"] = out["result_medium_term"] / participants
    if round_to is not None:
        for col in _AMOUNT_COLUMNS:
            out[col] = round_half_away(out[col], round_to)
    out.attrs.update(
        participants=participants,
        medium_term_years=medium_term_years,
        payback_rounding=payback_rounding,
        round_to=round_to,
    )
    return out


def mean_payback(paybacks: pd.DataFrame, *, skipna: bool = False, decimals: int = 0) -> pd.Series:
    """The mean payback per actor over years (seed 003 Tabell 15, "Medelvärde").

    ``paybacks`` has one row per actor and one column per year (months; NaN = no payback). With
    ``skipna=False`` (default, as the source) an actor without payback in some year has no mean;
    means are rounded to ``decimals`` with halves away from zero (88,5 → 89 as printed).
    """
    mean = paybacks.mean(axis=1, skipna=skipna)
    return round_half_away(mean, 10.0**-decimals).rename("mean_payback_months")


# --------------------------------------------------------------------------- break-even

#: Socio-economic value per kr of gross wage (wage, employer fees and production surplus), as
#: seed 003 §2.1.12 uses it: a wage 5 000 kr/month higher (60 000 kr/year) is worth "ca 100 000
#: kr per år", and unsubsidised full-time work at 25 000 kr/month (footnote 1; 300 000 kr/year)
#: "cirka 500 000 kr per år": both 5/3 of the gross wage.
WAGE_VALUE_FACTOR: float = 5.0 / 3.0
#: The yearly value of unsubsidised full-time work vs full unemployment (seed 003 §2.1.12).
FULL_TIME_WORK_VALUE: float = 500_000.0


def wage_increase_value(monthly_increase: float, factor: float = WAGE_VALUE_FACTOR) -> float:
    """The yearly socio-economic value of a higher monthly wage: ``12 × increase × factor``.

    >>> wage_increase_value(5000)
    100000.0
    """
    return 12.0 * monthly_increase * factor


def _check_break_even(cost: float, value: float, other: float, other_name: str) -> None:
    if cost < 0:
        raise ValueError("cost must be non-negative")
    if value <= 0:
        raise ValueError("annual_value_per_person must be positive")
    if other <= 0:
        raise ValueError(f"{other_name} must be positive")


def _smallest_whole(ratio: float, strict: bool) -> int:
    if strict:
        return math.floor(ratio * (1 + _REL_EPS)) + 1
    return math.ceil(ratio * (1 - _REL_EPS))


def break_even_persons(
    cost: float, annual_value_per_person: float, years: float = 1, *, strict: bool = False
) -> int:
    """The fewest persons whose yearly value over ``years`` repays ``cost``.

    The smallest whole ``n`` with ``n × annual_value_per_person × years ≥ cost`` (``> cost``
    with ``strict=True``, i.e. a strictly positive result). Seed 003 §2.1.12: 57 Mkr at
    500 000 kr per person-year needs 114 persons.
    """
    _check_break_even(cost, annual_value_per_person, years, "years")
    return _smallest_whole(cost / (annual_value_per_person * years), strict)


def break_even_years(
    cost: float, annual_value_per_person: float, persons: float, *, strict: bool = False
) -> int:
    """The fewest whole years over which ``persons`` with the yearly value repay ``cost``.

    Seed 003 §2.1.11.2: SSI, 11,8 Mkr, all 40 participants at 100 000 kr a year: 3 years.
    """
    _check_break_even(cost, annual_value_per_person, persons, "persons")
    return _smallest_whole(cost / (annual_value_per_person * persons), strict)


_MONEY = {"kr": 1.0, "tkr": 1e3, "mkr": 1e6}


def break_even_scenarios(
    table: pd.DataFrame,
    *,
    wage_factor: float = WAGE_VALUE_FACTOR,
    strict: bool = False,
    exclude_tables: Sequence[str] = ("Sammanfattning",),
) -> pd.DataFrame:
    """Recompute printed break-even scenarios (the long table of ``seed003_break_even``).

    ``table`` has columns ``table``, ``scenario_key``, ``measure``, ``value``, ``unit`` with the
    measures ``cost``, ``annual_value_per_person`` or ``monthly_wage_increase`` (valued with
    :func:`wage_increase_value`), ``years`` and ``persons``. Rows of ``exclude_tables`` (the
    summary restating the sections) are skipped. Where a scenario prints both persons and years
    and the years are more than one (SSI), the unknown is the years; otherwise the persons.

    Returns
    -------
    One row per scenario: ``cost`` (kr), ``annual_value_per_person`` (NaN when neither a value nor
    a wage increase is printed), ``value_printed``, ``years``, ``persons_printed``,
    ``persons_computed``, ``years_computed``, ``implied_value_per_person`` (cost / (persons ×
    years)), and ``matches`` (whether the computed unknown equals the print).
    """
    need = {"scenario_key", "measure", "value", "unit"}
    if not need <= set(table.columns):
        raise FinsamDataError(table.attrs.get("source"), f"columns {sorted(need)}")
    t = table
    if "table" in t.columns:
        t = t[~t["table"].isin(exclude_tables)]
    records = []
    for key, g in t.groupby("scenario_key", sort=False):
        m = {r.measure: (float(r.value), str(r.unit)) for r in g.itertuples() if pd.notna(r.value)}
        if "cost" not in m:
            continue
        cost = m["cost"][0] * _MONEY.get(m["cost"][1], 1.0)
        value_printed = "annual_value_per_person" in m
        if value_printed:
            value = m["annual_value_per_person"][0]
        elif "monthly_wage_increase" in m:
            value = wage_increase_value(m["monthly_wage_increase"][0], wage_factor)
        else:
            value = float("nan")
        years = m.get("years", (1.0, ""))[0]
        persons = m.get("persons", (float("nan"), ""))[0]
        persons_c = years_c = float("nan")
        solve_years = not math.isnan(persons) and years > 1
        if not math.isnan(value):
            if solve_years:
                years_c = break_even_years(cost, value, persons, strict=strict)
            else:
                persons_c = break_even_persons(cost, value, years, strict=strict)
        matches = (years_c == years) if solve_years else (persons_c == persons)
        implied = cost / (persons * years) if not math.isnan(persons) else float("nan")
        records.append(
            {
                "scenario_key": key,
                "cost": cost,
                "annual_value_per_person": value,
                "value_printed": value_printed,
                "years": years,
                "persons_printed": persons,
                "persons_computed": persons_c,
                "years_computed": years_c,
                "implied_value_per_person": implied,
                "matches": bool(matches) if not math.isnan(value) else False,
            }
        )
    return pd.DataFrame.from_records(records).set_index("scenario_key")


# --------------------------------------------------------------------------- published → inputs


def profitability_inputs_from_published(
    table: pd.DataFrame, year: int | str, medium_term_years: int = 5
) -> tuple[pd.Series, pd.Series]:
    """The yearly revenue and insats cost per actor implied by seed 003's Tabell 7–14.

    ``table`` is ``seed003_profitability`` (long: ``year``, ``actor_key``, ``measure``,
    ``value``). Revenue: the printed short-term revenue (Tabell 7, 9, 11, 13); for Af and FK,
    whose revenue is not printed, ``(medium-term result − short-term result) / (years − 1)``.
    Cost: revenue − short-term result (Tabell 8, 10, 12, 14). Pure: no I/O.
    """
    t = table[(table["year"].astype(str) == str(year)) & table["measure"].notna()]
    t = t[t["table"] != "Tabell 15"] if "table" in t.columns else t
    if t.empty:
        raise KeyError(f"no profitability figures for year {year!r}")
    wide = t.pivot_table(index="actor_key", columns="measure", values="value", aggfunc="first")
    if medium_term_years < 2:
        raise ValueError("medium_term_years must be at least 2 to infer Af's and FK's revenue")
    revenue = wide.get("revenue_short_term", pd.Series(np.nan, index=wide.index)).copy()
    derived = (wide["result_medium_term"] - wide["result_short_term"]) / (medium_term_years - 1)
    revenue = revenue.fillna(derived)
    cost = revenue - wide["result_short_term"]
    order = [a for a in ACTORS if a in wide.index]
    return revenue.reindex(order).rename("revenue"), cost.reindex(order).rename("cost")
