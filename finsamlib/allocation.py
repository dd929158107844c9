"""The state's allocation model from real inputs: SCB's försörjningsmått per kommun and the
population 16–64, turned into the allocation per association, kr per inhabitant and the
effect of a merger.

The model itself is :func:`finsamlib.funding.state_allocation` (seed 001 §2.5 and §8.2, seed
003 §2.1.1): every association gets a base of :data:`~finsamlib.funding.BASE_ALLOCATION`
(400 000 kr) and the rest of the national pot is shared by ``0,75 × försörjningsmått share +
0,25 × population 16–64 share`` (:data:`~finsamlib.funding.ALLOCATION_WEIGHTS`); no
association falls more than :data:`~finsamlib.funding.MAX_DECREASE` (10 %) below last year's
allocation, the lift being financed by the others (see there). Here the shares are of the
national totals (SCB's *Riket* row), so one county can be computed on its own.

Everything here is pure (DataFrames in, DataFrames out); the SCB file is read by
:func:`finsamlib.support_measure.load_support_measure`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from . import funding
from .errors import FinsamDataError, Problem
from .funding import NationalTotals

#: Columns of the allocation table per association (:func:`allocation_by_association`).
ALLOCATION_COLUMNS = (
    "support_measure",
    "support_share",
    "population_16_64",
    "population_share",
    "key",
    "allocation",
    "kr_per_inhabitant",
    "total_funding",
    "floor",
    "at_floor",
)


def population_for(population: pd.DataFrame, year: int, age_band: str = "16-64") -> pd.DataFrame:
    """Population per kommun for ``year`` from the canonical ``population`` table: the year's
    own figure, else the latest earlier year, else the earliest later one.

    Returns ``kommun_code`` → ``population_16_64`` and ``year`` (the year used), so a report
    can say which years went in.
    """
    need = {"kommun_code", "year", "age_band", "count"}
    if not need <= set(population.columns):
        raise FinsamDataError(population.attrs.get("source"), f"columns {sorted(need)}")
    p = population[population["age_band"] == age_band]
    if p.empty:
        raise FinsamDataError(population.attrs.get("source"), f"rows for age band {age_band!r}")
    p = p.assign(year=p["year"].astype(int))
    # rank: the year itself, then earlier years (latest first), then later (earliest first)
    distance = (p["year"] - int(year)).abs() * 2 + (p["year"] > int(year))
    best = p.assign(_d=distance).sort_values(["kommun_code", "_d"]).drop_duplicates("kommun_code")
    out = best.set_index("kommun_code")[["count", "year"]]
    return out.rename(columns={"count": "population_16_64"}).astype(
        {"population_16_64": float, "year": int}
    )


def areas(
    support: pd.DataFrame, registry: pd.DataFrame, population_16_64: pd.Series
) -> pd.DataFrame:
    """The allocation model's input per kommun: the registry's member kommuner with their
    försörjningsmått (SCB's ``total``, helårsekvivalenter) and population 16–64.

    ``support`` is :func:`~finsamlib.support_measure.load_support_measure`'s table (its
    kommuner not in the registry are left out: SCB's file covers the whole country);
    ``population_16_64`` is indexed by kommun code. Raises FinsamDataError naming the file
    when a member kommun has no försörjningsmått or no population.

    Returns ``association``, ``county``, ``kommun_code``, ``kommun``, ``support_measure`` and
    ``population_16_64``, one row per member kommun in the registry's order.
    """
    kommuner = support[support["level"] == "kommun"].set_index("kommun_code")
    members = registry[["association", "county", "kommun_code", "kommun"]].copy()
    missing = [c for c in members["kommun_code"] if c not in kommuner.index]
    if missing:
        names = members.set_index("kommun_code").loc[missing]
        raise FinsamDataError(
            support.attrs.get("source", "support_measure"),
            [
                Problem(
                    None,
                    "Kommunkod",
                    code,
                    f"a row for {row['kommun']}, member of {row['association']}",
                )
                for code, row in names.iterrows()
            ],
        )
    no_pop = [c for c in members["kommun_code"] if c not in population_16_64.index]
    if no_pop:
        raise FinsamDataError(
            "population",
            Problem(None, "kommun_code", ", ".join(no_pop), "population 16–64 of every member"),
        )
    members["support_measure"] = members["kommun_code"].map(kommuner["total"]).astype(float)
    members["population_16_64"] = members["kommun_code"].map(population_16_64).astype(float)
    return members.reset_index(drop=True)


def national_totals(
    support: pd.DataFrame,
    *,
    pot: float = funding.NATIONAL_POT_SEED001,
    associations: int = funding.ASSOCIATIONS_2019,
    population_16_64: float | None = None,
) -> NationalTotals:
    """The national totals of the model: the pot (default 339 Mkr, seed 001 §2.5), the number
    of associations (default 80, seed 001 §2.4), and the försörjningsmått and population 16–64
    of the nation from SCB's *Riket* row (``population_16_64`` overrides the row's)."""
    nation = support[support["level"] == "nation"]
    source = support.attrs.get("source", "support_measure")
    if len(nation) != 1:
        raise FinsamDataError(
            source, Problem(None, "Kommunkod", None, "one row for the nation (Riket, code 00)")
        )
    row = nation.iloc[0]
    pop = population_16_64 if population_16_64 is not None else row["population_16_64"]
    if pop is None or pd.isna(pop) or float(pop) <= 0:
        raise FinsamDataError(
            source,
            Problem(
                None,
                "Befolkning 16–64 år",
                None,
                "the nation's population 16–64 in the Riket row, or population_16_64=",
            ),
        )
    return NationalTotals(
        pot=float(pot),
        associations=int(associations),
        support_measure=float(row["total"]),
        population_16_64=float(pop),
    )


def kr_per_inhabitant(
    amount: pd.Series | Mapping[str, float], population_16_64: pd.Series | Mapping[str, float]
) -> pd.Series:
    """Kronor per inhabitant aged 16–64 (seed 001 §3.3: "32 kr per invånare (16-64 år) i Södra
    Vätterbygden, 58 … i Finnveden och 61 … i Högländet"), per association."""
    a = pd.Series(amount, dtype=float)
    p = pd.Series(population_16_64, dtype=float).reindex(a.index)
    if p.isna().any() or (p <= 0).any():
        bad = ", ".join(map(str, a.index[p.isna() | (p <= 0)]))
        raise ValueError(f"a positive population 16–64 is needed for: {bad}")
    return (a / p).rename("kr_per_inhabitant")


def allocation_by_association(
    areas: pd.DataFrame,
    nation: NationalTotals,
    *,
    previous: Mapping[str, float] | pd.Series | None = None,
    base: float = funding.BASE_ALLOCATION,
    weights: tuple[float, float] = funding.ALLOCATION_WEIGHTS,
    max_decrease: float = funding.MAX_DECREASE,
    state_share: float = funding.FUNDING_SHARES["state"],
) -> pd.DataFrame:
    """The state's allocation per association of ``areas`` (:func:`areas`) against the nation.

    Returns a DataFrame indexed by association (:data:`ALLOCATION_COLUMNS`): the two keys and
    their national shares, the combined ``key``, the ``allocation`` (kr; with ``previous``
    capped at ``max_decrease`` below it, see :func:`finsamlib.funding.state_allocation`),
    ``kr_per_inhabitant`` (16–64) and ``total_funding`` (the allocation with the region's and
    kommuner's matching contributions: allocation ÷ the state's share, 50 %).
    """
    out = funding.state_allocation(
        areas,
        nation.pot,
        base,
        weights,
        max_decrease,
        previous,
        nation=nation,
    )
    out["support_share"] = out["support_measure"] / nation.support_measure
    out["population_share"] = out["population_16_64"] / nation.population_16_64
    out["kr_per_inhabitant"] = kr_per_inhabitant(out["allocation"], out["population_16_64"])
    out["total_funding"] = out["allocation"] / state_share
    rest = out.attrs.get("rest")
    out = out[list(ALLOCATION_COLUMNS)].copy()
    out.attrs = {"rest": rest}
    return out


def merger(
    areas: pd.DataFrame,
    nation: NationalTotals,
    mergers: Mapping[str, Sequence[str]],
    *,
    base: float = funding.BASE_ALLOCATION,
    weights: tuple[float, float] = funding.ALLOCATION_WEIGHTS,
) -> pd.DataFrame:
    """Allocation before and after merging associations, against the nation (seed 001 §8.2).

    See :func:`finsamlib.funding.merge_effect`: ``state_after`` shares the freed bases out
    again by the keys over the whole country (a fixed national pot);
    ``state_after_no_redistribution`` is the members' sum less ``(k − 1) × base``.
    """
    return funding.merge_effect(areas, nation.pot, mergers, base, weights, nation=nation)
