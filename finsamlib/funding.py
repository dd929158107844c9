"""Funding and finances of an association: member contributions, the state's allocation model,
mergers, equity against the recommendation, soliditet, administration share and budget use.

Everything here is pure (no I/O). Inputs are numbers, Series or the canonical tables of
``docs/data-model.md``:

- ``accounts``: ``association``, ``year``, ``line``, ``amount`` (kr);
- ``insats_budget``: ``association``, ``insats``, ``year``, ``budget``, ``outcome`` (kr);
- ``areas`` (for the allocation model): ``association``, ``support_measure`` (försörjningsmått:
  public support paid out in the area, e.g. SCB's helårsekvivalenter; only shares matter) and
  ``population_16_64``; :mod:`finsamlib.allocation` builds it from SCB's file.

:func:`accounts_from_published` and :func:`insats_budget_from_published` turn the transcribed
published tables into those canonical tables.

Sources: the funding shares (state 50 %, region 25 %, kommuner 25 %) are in seed 001 §2.5,
seed 000 "Finansiering" and seed 004's "Fördelning av medlemsinsatser"; the state's allocation
model (400 000 kr base, 75/25 keys, 10 % cap) in seed 001 §2.5 and §8.2 and seed 003 §2.1.1;
the equity recommendation ("trappan") in seed 001 §2.7 and seed 000.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .errors import FinsamDataError, Problem

# --------------------------------------------------------------------------- parameters

#: Shares of an association's funding by member (Lag 2003:1210; seed 001 §2.5 "hälften … en
#: fjärdedel … en fjärdedel"; seed 004 "Fördelning av medlemsinsatser": 50/25/25 %).
FUNDING_SHARES: dict[str, float] = {"state": 0.50, "region": 0.25, "kommun": 0.25}
#: The state's base allocation per association, kr per year (seed 001 §2.5 and §8.2; seed 003
#: §2.1.1).
BASE_ALLOCATION: float = 400_000.0
#: Weights of the allocation keys: försörjningsmått, population 16–64 (seed 001 §8.2; seed 003
#: §2.1.1: 75 % and 25 %).
ALLOCATION_WEIGHTS: tuple[float, float] = (0.75, 0.25)
#: The largest decrease of an association's allocation from one year to the next (seed 001 §2.5,
#: "10-procents spärr").
MAX_DECREASE: float = 0.10
#: The state's yearly national pot "i dagsläget" (seed 001 §2.5: 339 Mkr).
NATIONAL_POT_SEED001: float = 339_000_000.0
#: The number of associations in the country at the end of 2019 (seed 001 §2.4: "80
#: samordningsförbund"), each of which gets a base.
ASSOCIATIONS_2019: int = 80
QUARTERS = 4


@dataclass(frozen=True)
class EquityStep:
    """One step of the equity recommendation: ``share`` of revenue up to ``up_to`` kr."""

    up_to: float
    share: float
    source: str


#: The equity recommendation of Nationella rådet ("trappan": a lower percentage the larger the
#: association). Only the first step is published: 20 % of revenues for a turnover up to 7 Mkr
#: (seed 001 §2.7). The second step, 10 % of the revenue above 7 Mkr, is an ASSUMPTION: it is the
#: marginal share that reproduces RAR Sörmland's stated ceiling of 2,6 Mkr (seed 000) from its
#: 2021 revenues of 19 230 tkr (seed 004 §1.1): 0,20 × 7 000 + 0,10 × 12 230 = 2 623 tkr. Replace
#: it with the council's full table when you have it.
EQUITY_STEPS: tuple[EquityStep, ...] = (
    EquityStep(7_000_000.0, 0.20, "001_bfa0679e96509604.txt §2.7"),
    EquityStep(
        math.inf,
        0.10,
        "assumption, calibrated to 000_bec23146d4ab8d82.txt (ceiling 2,6 mnkr) and "
        "004_9cccf62022c1bfeb.txt §1.1 (revenues 2021: 19 230 tkr)",
    ),
)


# --------------------------------------------------------------------------- apportionment


def apportion(weights: Mapping[str, float] | pd.Series, total: float) -> pd.Series:
    """Split a whole-kronor ``total`` in proportion to ``weights`` into whole kronor that sum to it.

    Largest remainder method (Hamilton): every part gets the whole kronor of its exact share,
    and the kronor left over go one each to the parts with the largest remainders (ties: the
    larger weight, then the earlier part). Plain rounding of each part can miss the total by a
    few kronor (seed 004's kommun contributions sum to 4 000 002 kr).
    """
    w = pd.Series(weights, dtype=float) if not isinstance(weights, pd.Series) else weights
    w = w.astype(float)
    if w.empty:
        raise ValueError("no weights to apportion by")
    if (w < 0).any() or w.isna().any() or w.sum() <= 0:
        raise ValueError("weights must be non-negative numbers with a positive sum")
    if total < 0 or abs(total - round(total)) > 1e-9:
        raise ValueError(f"total must be a non-negative whole number of kronor, not {total}")
    total = int(np.rint(total))
    exact = w / w.sum() * total
    floor = np.floor(exact + 1e-9)
    left = total - int(floor.sum())
    rest = (exact - floor).to_numpy()
    order = sorted(range(len(w)), key=lambda i: (-round(rest[i], 12), -w.iloc[i], i))
    parts = floor.to_numpy().astype(np.int64)
    for i in order[:left]:
        parts[i] += 1
    return pd.Series(parts, index=w.index, name="amount")


# --------------------------------------------------------------------------- member contributions


def population_16_64(
    population: pd.DataFrame, year: int | None = None, age_band: str = "16-64"
) -> pd.Series:
    """Population aged 16–64 per kommun code from the canonical ``population`` table."""
    need = {"kommun_code", "year", "age_band", "count"}
    if not need <= set(population.columns):
        raise FinsamDataError(population.attrs.get("source"), f"columns {sorted(need)}")
    p = population[population["age_band"] == age_band]
    if year is not None:
        p = p[p["year"] == year]
    if p.empty:
        raise FinsamDataError(
            population.attrs.get("source"), f"rows for age band {age_band!r} and year {year}"
        )
    if p["kommun_code"].duplicated().any():
        raise ValueError("several years per kommun: pass year=")
    return p.set_index("kommun_code")["count"].astype(float).rename("population_16_64")


def member_contributions(
    population_16_64: Mapping[str, float] | pd.Series,
    total_kommun_share: float,
    quarters: int = QUARTERS,
) -> pd.DataFrame:
    """Each kommun's part of the kommuner's contribution, by population aged 16–64.

    Parameters
    ----------
    population_16_64 : inhabitants aged 16–64 per kommun (seed 004 uses SCB's 1 November figure
        of the year before).
    total_kommun_share : the kommuner's joint contribution, kr per year (25 % of the funding;
        4 000 000 kr for RAR Sörmland 2021).
    quarters : payments per year.

    Returns
    -------
    DataFrame indexed by kommun: ``population_16_64``, ``share`` (0–1, unrounded), ``kr_per_year``
    and ``kr_per_quarter``, both whole kronor apportioned by :func:`apportion` so that they sum
    exactly to the total and to the total / ``quarters``.

    Examples
    --------
    >>> member_contributions({"A": 1, "B": 2}, 300)["kr_per_year"].tolist()
    [100, 200]
    """
    pop = population_16_64
    pop = pd.Series(pop, dtype=float) if not isinstance(pop, pd.Series) else pop.astype(float)
    if quarters < 1:
        raise ValueError("quarters must be at least 1")
    per_quarter = total_kommun_share / quarters
    if abs(per_quarter - round(per_quarter)) > 1e-9:
        raise ValueError(f"{total_kommun_share} kr does not split into {quarters} whole payments")
    out = pd.DataFrame({"population_16_64": pop})
    out.index.name = pop.index.name or "kommun"
    out["share"] = pop / pop.sum()
    out["kr_per_year"] = apportion(pop, total_kommun_share)
    out["kr_per_quarter"] = apportion(pop, per_quarter)
    return out


def funding_split(
    total: float, shares: Mapping[str, float] = FUNDING_SHARES, quarters: int = QUARTERS
) -> pd.DataFrame:
    """Split an association's yearly funding between the members (50/25/25 % by default).

    Returns a DataFrame indexed by funder (``state``, ``region``, ``kommun``) with ``share``,
    ``kr_per_year`` and ``kr_per_quarter`` (whole kronor, apportioned to sum to the totals).
    """
    s = pd.Series(shares, dtype=float)
    if abs(s.sum() - 1.0) > 1e-9:
        raise ValueError(f"shares must sum to 1, not {s.sum()}")
    out = pd.DataFrame({"share": s})
    out.index.name = "funder"
    out["kr_per_year"] = apportion(s, total)
    out["kr_per_quarter"] = apportion(s, total / quarters)
    return out


# --------------------------------------------------------------------------- state allocation

AREA_COLUMNS = ("association", "support_measure", "population_16_64")


@dataclass(frozen=True)
class NationalTotals:
    """The whole country behind the allocation model, when the areas are only part of it.

    ``associations`` is the number of associations in the country (each gets a base);
    ``support_measure`` and ``population_16_64`` are the national totals of the two keys (in
    the same units as the areas' columns, e.g. SCB's helårsekvivalenter and persons).
    """

    pot: float
    associations: int
    support_measure: float
    population_16_64: float


def _areas(areas: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in AREA_COLUMNS if c not in areas.columns]
    if missing:
        raise FinsamDataError(
            areas.attrs.get("source", "areas"),
            f"columns {list(AREA_COLUMNS)} (missing {missing})",
        )
    a = areas.groupby("association", sort=False)[["support_measure", "population_16_64"]].sum()
    problems = [
        Problem(None, col, None, "non-negative numbers with a positive total")
        for col in ("support_measure", "population_16_64")
        if (a[col] < 0).any() or a[col].sum() <= 0
    ]
    if problems:
        raise FinsamDataError(areas.attrs.get("source", "areas"), problems)
    return a.astype(float)


def state_allocation(
    areas: pd.DataFrame,
    national_pot: float,
    base: float = BASE_ALLOCATION,
    weights: tuple[float, float] = ALLOCATION_WEIGHTS,
    max_decrease: float = MAX_DECREASE,
    previous: Mapping[str, float] | pd.Series | None = None,
    nation: NationalTotals | None = None,
) -> pd.DataFrame:
    """The state's allocation model: a base per association, the rest by the two keys.

    ``allocation = base + (pot − n × base) × key``, where ``key = w₁ × support_measure share +
    w₂ × population 16–64 share`` (75 % / 25 %). Several rows of one association (e.g. one per
    kommun) are summed first.

    Without ``nation`` the areas are the whole country: the shares are of their sums, ``n`` is
    their number and ``national_pot`` is shared among them. With ``nation``
    (:class:`NationalTotals`; its ``pot`` replaces ``national_pot``) the areas are part of the
    country (e.g. one county): the shares are of the national totals and ``n`` is the national
    number of associations; the rest of the country is treated as one remainder holding the
    other associations and the rest of both keys. Its allocation is in ``attrs["rest"]``.

    With ``previous`` (last year's allocation per association), no association falls more than
    ``max_decrease`` below it. **Redistribution**: associations under their floor are lifted to
    it and fixed; the rest of the pot, less the fixed amounts, is shared again among the others
    by the same rule (base + keys renormalised among them); this repeats until no one is under
    its floor. The pot is kept: the floors are financed by the others. Raises ``ValueError``
    when the floors alone exceed the pot. With ``nation`` the others include the rest of the
    country, which is ASSUMED not to be at a floor itself (no previous allocation is known for
    it), so it finances its key's share of the lifts.

    Returns
    -------
    DataFrame indexed by association: ``support_measure``, ``population_16_64``, ``key``,
    ``unconstrained`` (before the floor), ``floor`` (NaN without ``previous``), ``allocation``
    and ``at_floor``.
    """
    a = _areas(areas)
    w_support, w_pop = weights
    if abs(w_support + w_pop - 1) > 1e-9 or min(weights) < 0:
        raise ValueError(f"weights must be non-negative and sum to 1, not {weights}")
    if not 0 <= max_decrease <= 1:
        raise ValueError("max_decrease must be a share from 0 to 1")
    if nation is None:
        n, support_total, pop_total = (
            len(a),
            a["support_measure"].sum(),
            a["population_16_64"].sum(),
        )
    else:
        national_pot = nation.pot
        n, support_total, pop_total = (
            nation.associations,
            nation.support_measure,
            nation.population_16_64,
        )
        if (
            n < len(a)
            or support_total < a["support_measure"].sum() - 1e-6
            or (pop_total < a["population_16_64"].sum() - 1e-6)
        ):
            raise ValueError(
                "the national totals must include the areas: at least "
                f"{len(a)} associations and the areas' sums of both keys"
            )
    if base < 0 or national_pot < n * base:
        raise ValueError(
            f"the national pot ({national_pot:,.0f} kr) must cover {n} bases of {base:,.0f} kr"
        )
    key = (
        w_support * a["support_measure"] / support_total + w_pop * a["population_16_64"] / pop_total
    )
    # the rest of the country (nothing without ``nation``): its associations and key
    rest_n = n - len(a)
    rest_key = 0.0 if nation is None else max(0.0, 1.0 - float(key.sum()))

    def share_out(pot: float, members: pd.Index) -> pd.Series:
        k = key[members]
        return base + (pot - (len(members) + rest_n) * base) * k / (k.sum() + rest_key)

    out = a.copy()
    out["key"] = key
    out["unconstrained"] = share_out(national_pot, a.index)
    allocation = out["unconstrained"].copy()
    floor = pd.Series(np.nan, index=a.index)
    if previous is not None:
        prev = pd.Series(previous, dtype=float).reindex(a.index)
        floor = (1 - max_decrease) * prev
        fixed = pd.Index([])
        while True:
            under = allocation.index[(allocation < floor - 1e-6) & ~allocation.index.isin(fixed)]
            if len(under) == 0:
                break
            fixed = fixed.append(under)
            free = a.index.difference(fixed, sort=False)
            left = national_pot - floor[fixed].sum()
            if left < (len(free) + rest_n) * base:
                raise ValueError(
                    "the pot does not cover the floors of the 10 % cap and the others' bases"
                )
            allocation[fixed] = floor[fixed]
            if len(free):
                allocation[free] = share_out(left, free)
    out["floor"] = floor
    out["allocation"] = allocation
    out["at_floor"] = floor.notna() & np.isclose(allocation, floor)
    out.attrs["rest"] = float(national_pot - allocation.sum())
    return out


MERGE_COLUMNS = (
    "state_before",
    "state_after",
    "state_change",
    "state_after_no_redistribution",
    "bases_before",
    "bases_after",
    "total_before",
    "total_after",
)


def merge_effect(
    areas: pd.DataFrame,
    national_pot: float,
    mergers: Mapping[str, Sequence[str]],
    base: float = BASE_ALLOCATION,
    weights: tuple[float, float] = ALLOCATION_WEIGHTS,
    shares: Mapping[str, float] = FUNDING_SHARES,
    nation: NationalTotals | None = None,
) -> pd.DataFrame:
    """What merging associations does to the state allocation (seed 001 §8.2).

    A merged association gets one base instead of one per member: ``(k − 1) × base`` less for
    ``k`` merged associations, and the region and kommuner, which match the state's half,
    contribute correspondingly less (seed 001 §8.2: "minskar från 3*400 tkr till endast 400
    tkr. Motsvarande minskning av bidraget från regionen och kommunerna"). The keys are
    unchanged, since the areas are the same. With a fixed national pot the freed bases are
    shared out again by the keys among all associations, so the merged one gets part back
    (seed 001 §8.2: "under förutsättning att statens totala kostnadsram är oförändrad").
    ``state_after_no_redistribution`` is the other reading: the freed bases leave the pot, so
    the merged association gets exactly its members' sum less ``(k − 1) × base``.

    Parameters
    ----------
    mergers : new association name → the associations it replaces.
    nation : the whole country when the areas are only part of it (see
        :func:`state_allocation`); the merger lowers its number of associations by ``k − 1``.

    Returns
    -------
    DataFrame indexed by association after the merger: ``state_before`` (the members' sum),
    ``state_after``, ``state_change``, ``state_after_no_redistribution``, ``bases_before``,
    ``bases_after``, and the total funding
    with the members' matching contributions, ``total_before`` and ``total_after``
    (state / the state's share).
    """
    a = _areas(areas)
    rename: dict[str, str] = {}
    for new, old in mergers.items():
        for name in old:
            if name not in a.index:
                raise KeyError(f"{name!r} is not among the areas ({', '.join(a.index)})")
            if name in rename:
                raise ValueError(f"{name!r} is in more than one merger")
            rename[name] = new
    before = state_allocation(a.reset_index(), national_pot, base, weights, nation=nation)
    merged_areas = a.rename(index=lambda x: rename.get(x, x)).groupby(level=0, sort=False).sum()
    merged_nation = None
    if nation is not None:
        lost = len(rename) - len(mergers)
        merged_nation = replace(nation, associations=nation.associations - lost)
    after = state_allocation(
        merged_areas.reset_index(), national_pot, base, weights, nation=merged_nation
    )
    groups = pd.Series([rename.get(x, x) for x in a.index], index=a.index)
    out = pd.DataFrame(
        {
            "state_before": before["allocation"].groupby(groups, sort=False).sum(),
            "bases_before": groups.value_counts(sort=False) * base,
        }
    ).reindex(after.index)
    out["state_after"] = after["allocation"]
    out["bases_after"] = base
    out["state_change"] = out["state_after"] - out["state_before"]
    out["state_after_no_redistribution"] = (
        out["state_before"] - out["bases_before"] + out["bases_after"]
    )
    out["total_before"] = out["state_before"] / shares["state"]
    out["total_after"] = out["state_after"] / shares["state"]
    out.index.name = "association"
    return out[list(MERGE_COLUMNS)]


def merger_headroom(
    drawn: Mapping[str, float] | pd.Series,
    utilisation: Mapping[str, float] | pd.Series,
    base: float = BASE_ALLOCATION,
) -> pd.Series:
    """Can a merged association get at least what the members draw today? (seed 001 §8.2)

    ``drawn`` is each association's state allocation drawn in a year and ``utilisation`` the
    share (0–1) of the possible allocation it drew; the possible allocation is drawn /
    utilisation. Merging loses ``(k − 1) × base``; if the merged association draws its full
    possible allocation, it gets ``possible − (k − 1) × base``.

    Returns a Series: ``drawn``, ``possible``, ``bases_lost``, ``possible_after_merger`` and
    ``headroom`` (possible after merger − drawn today; ≥ 0 means the loss can be compensated).
    """
    d = pd.Series(drawn, dtype=float)
    u = pd.Series(utilisation, dtype=float).reindex(d.index)
    if u.isna().any() or (u <= 0).any() or (u > 1).any():
        raise ValueError("utilisation must be a share in (0, 1] for every association")
    possible = float((d / u).sum())
    lost = (len(d) - 1) * base
    return pd.Series(
        {
            "drawn": float(d.sum()),
            "possible": possible,
            "bases_lost": lost,
            "possible_after_merger": possible - lost,
            "headroom": possible - lost - float(d.sum()),
        }
    )


# --------------------------------------------------------------------------- equity


def recommended_equity(
    revenue: float | np.ndarray | pd.Series,
    steps: Sequence[EquityStep] = EQUITY_STEPS,
    *,
    marginal: bool = True,
):
    """The recommended ceiling of equity for a yearly revenue (Nationella rådet's "trappan").

    ``marginal=True`` (default) applies each step's share to the part of the revenue within it
    (20 % of the first 7 Mkr, then the next step's share of the rest); ``marginal=False`` applies
    the share of the step the revenue falls in to all of it. Revenue beyond the last step's
    ``up_to`` gives NaN.
    """
    ordered = sorted(steps, key=lambda s: s.up_to)
    if not ordered:
        raise ValueError("no steps")
    r = np.asarray(revenue, dtype=float)
    if np.any(r < 0):
        raise ValueError("revenue must be non-negative")
    out = np.zeros_like(r)
    lower = 0.0
    found = np.zeros(r.shape, dtype=bool)
    for step in ordered:
        if marginal:
            out += step.share * np.clip(np.minimum(r, step.up_to) - lower, 0, None)
        else:
            inside = ~found & (r <= step.up_to)
            out = np.where(inside, step.share * r, out)
        found |= r <= step.up_to
        lower = step.up_to
    out = np.where(found, out, np.nan)
    if isinstance(revenue, pd.Series):
        return pd.Series(out, index=revenue.index, name="recommended_equity")
    return float(out) if out.ndim == 0 else out


def _lines(accounts: pd.DataFrame, lines: Mapping[str, str]) -> pd.DataFrame:
    need = {"association", "year", "line", "amount"}
    if not need <= set(accounts.columns):
        raise FinsamDataError(accounts.attrs.get("source", "accounts"), f"columns {sorted(need)}")
    wanted = accounts[accounts["line"].isin(list(lines.values()))]
    wide = wanted.pivot_table(
        index=["association", "year"], columns="line", values="amount", aggfunc="sum"
    )
    missing = [line for line in lines.values() if line not in wide.columns]
    if missing:
        known = ", ".join(sorted(accounts["line"].astype(str).unique()))
        raise FinsamDataError(
            accounts.attrs.get("source", "accounts"),
            f"account lines {missing} (the table has: {known})",
        )
    return wide.rename(columns={v: k for k, v in lines.items()})[list(lines)]


def equity_indicators(
    accounts: pd.DataFrame,
    *,
    revenue_line: str = "total_revenue",
    equity_line: str = "equity",
    steps: Sequence[EquityStep] = EQUITY_STEPS,
    marginal: bool = True,
) -> pd.DataFrame:
    """Equity as a share of revenue and against the recommendation, per association and year.

    Returns a DataFrame indexed by (association, year): ``revenue``, ``equity``,
    ``equity_share_of_revenue`` (seed 001 §3.3: 9 %, 14 %, 33 %, 17 %), ``recommended_equity``
    (:func:`recommended_equity`), ``excess_equity`` (equity − recommended) and
    ``within_recommendation``.
    """
    t = _lines(accounts, {"revenue": revenue_line, "equity": equity_line})
    t["equity_share_of_revenue"] = t["equity"] / t["revenue"]
    t["recommended_equity"] = recommended_equity(t["revenue"], steps, marginal=marginal)
    t["excess_equity"] = t["equity"] - t["recommended_equity"]
    t["within_recommendation"] = t["excess_equity"] <= 0
    t.columns.name = None
    return t


def equity_ratio(
    accounts: pd.DataFrame,
    *,
    equity_line: str = "closing_equity",
    assets_line: str = "total_assets",
) -> pd.DataFrame:
    """Soliditet: equity as a share of total assets, per association and year."""
    t = _lines(accounts, {"equity": equity_line, "total_assets": assets_line})
    t["equity_ratio"] = t["equity"] / t["total_assets"]
    t.columns.name = None
    return t


def administration_share(admin_costs: float | pd.Series, total_costs: float | pd.Series):
    """Administration (kansli, information, finance) as a share of total costs (seed 001 §3.2)."""
    if np.any(np.asarray(total_costs, dtype=float) <= 0):
        raise ValueError("total costs must be positive")
    if np.any(np.asarray(admin_costs, dtype=float) < 0):
        raise ValueError("administration costs must be non-negative")
    return admin_costs / total_costs


# --------------------------------------------------------------------------- budget utilisation


def budget_utilisation(
    insats_budget: pd.DataFrame,
    total_label: str = "Totalt",
    by: Sequence[str] = ("association", "year"),
) -> pd.DataFrame:
    """Budget use (förbrukningskvot) per insats and in total: outcome / budget.

    The total is computed from the sums of budget and outcome (seed 004 Not 3: 12 987 / 14 955 =
    86,8 %, printed 89 %), not copied. Returns the insats rows with ``utilisation`` and
    ``deviation`` (budget − outcome), followed per group (``by``) by a row whose ``insats`` is
    ``total_label`` and ``is_total`` True. Utilisation is NaN where the budget is 0 or missing.
    """
    need = {"insats", "budget", "outcome", *by}
    if not need <= set(insats_budget.columns):
        raise FinsamDataError(
            insats_budget.attrs.get("source", "insats_budget"), f"columns {sorted(need)}"
        )
    t = insats_budget[[*by, "insats", "budget", "outcome"]].copy()
    t["budget"] = t["budget"].astype(float)
    t["outcome"] = t["outcome"].astype(float)
    t["is_total"] = False
    groups = t.groupby(list(by), sort=False, dropna=False) if by else [((), t)]
    totals = []
    for keys, g in groups:
        keys = keys if isinstance(keys, tuple) else (keys,)
        row = dict(zip(by, keys, strict=True))
        row.update(
            insats=total_label,
            budget=g["budget"].sum(min_count=1),
            outcome=g["outcome"].sum(min_count=1),
            is_total=True,
        )
        totals.append(row)
    out = pd.concat([t, pd.DataFrame(totals)], ignore_index=True)
    budget = out["budget"].where(out["budget"] > 0)
    out["utilisation"] = out["outcome"] / budget
    out["deviation"] = out["budget"] - out["outcome"]
    return out


# --------------------------------------------------------------------------- published → inputs

_SCALE = {"kr": 1.0, "tkr": 1e3, "mkr": 1e6}


def accounts_from_published(
    table: pd.DataFrame,
    *,
    association: str | None = None,
    year: int | None = None,
    line_column: str = "line_key",
) -> pd.DataFrame:
    """The canonical ``accounts`` table from a transcribed published table (pure, no I/O).

    Amount rows (unit kr, tkr or mkr) become kronor; other units (percent …) are left out. The
    association and year come from the table's ``association``/``year`` columns or from the
    arguments (which take precedence).
    """
    for col in (line_column, "value", "unit"):
        if col not in table.columns:
            raise FinsamDataError(table.attrs.get("source"), f"a column {col!r}")
    t = table[table["unit"].isin(list(_SCALE)) & table["value"].notna()]
    assoc = association if association is not None else t.get("association")
    yr = year if year is not None else t.get("year")
    if assoc is None or yr is None:
        raise ValueError("give association= and year= when the table has no such columns")
    out = pd.DataFrame(
        {
            "association": assoc,
            "year": pd.to_numeric(pd.Series(yr, index=t.index)).astype("Int64"),
            "line": t[line_column].astype(str),
            "amount": t["value"].astype(float) * t["unit"].map(_SCALE).astype(float),
        },
        index=t.index,
    )
    return out.reset_index(drop=True)


def insats_budget_from_published(
    table: pd.DataFrame,
    *,
    association: str,
    year: int,
    total_prefixes: Sequence[str] = ("Summa",),
) -> pd.DataFrame:
    """The canonical ``insats_budget`` table from a published Not-3-like table (pure, no I/O).

    ``table`` is long (``insats``, ``measure`` in budget/outcome/…, ``value``, ``unit``). Printed
    total rows (insats starting with one of ``total_prefixes``) are left out: the total is
    recomputed by :func:`budget_utilisation`.
    """
    t = table[table["measure"].isin(["budget", "outcome"])]
    is_total = t["insats"].astype(str).str.startswith(tuple(total_prefixes))
    t = t[~is_total]
    scale = t["unit"].map(_SCALE)
    if scale.isna().any():
        raise FinsamDataError(table.attrs.get("source"), "budget and outcome in kr, tkr or mkr")
    t = t.assign(amount=t["value"] * scale)
    wide = t.pivot_table(
        index="insats", columns="measure", values="amount", aggfunc="first", sort=False
    )
    out = pd.DataFrame(
        {
            "association": association,
            "insats": wide.index.astype(str),
            "year": year,
            "budget": wide["budget"].to_numpy(),
            "outcome": wide["outcome"].to_numpy(),
        }
    )
    return out
