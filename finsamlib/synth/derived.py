"""Derived tables: population 16–64 per kommun and target-group source counts per kommun.

Both are computed from published figures (``data/raw/published``), so their provenance is
*derived*, not published:

``derived/population.csv`` (canonical ``population``: kommun_code, year, age_band, count)
    * Sörmland: the population aged 16–64 per kommun per 1 November 2020 (SCB) as printed in
      seed 004's table "Fördelning av medlemsinsatser" (``seed004_member_contributions_2021.csv``),
      reshaped; year 2020. The nine kommuner sum to the printed 172 458.
    * Jönköpings län: seed 001 §3.3 gives each association's state allocation 2019 and the
      allocation per inhabitant aged 16–64 (``seed001_allocation_2019.csv``), so the association's
      population 16–64 ≈ amount ÷ kr per inhabitant: 3 036 000 / 32 = 94 875 (Södra
      Vätterbygden), 2 570 000 / 58 ≈ 44 310 (Finnveden), 3 205 000 / 61 ≈ 52 541 (Höglandet).
      The kr per inhabitant are printed as whole kronor, so these totals are uncertain by about
      ±1,5 % (half a krona in 32) to ±0,9 %. Each total is split over the member kommuner in
      proportion to :data:`JONKOPING_KOMMUN_WEIGHTS` (an assumption: approximate relative
      population sizes in thousands, not from the seeds) with the largest-remainder method, so
      the kommuner add up to the association exactly; year 2019.

``derived/target_group_sources.csv`` (canonical ``target_group_sources``: area, year, group, count)
    The national counts behind seed 002's target-group sizing (Bilaga 4;
    ``seed002_target_group_sizing.csv``, measure ``population_count``: NEET 80 000, economic
    assistance 260 000, unemployed and in programmes 372 200, activity compensation 37 600,
    sick-listed 194 200, part-time sickness compensation 87 000) scaled to each kommun by its
    share of the national working-age population (7 300 000, same file): count = national count ×
    kommun population 16–64 ÷ 7 300 000, rounded to one decimal. ``area`` is the kommun code and
    ``year`` the year of the kommun's population. This assumes that each group is as common in
    every kommun as in the nation, and it divides a 16–64 population by a 15–74 national one
    (seed 002's "arbetsför ålder"), which understates the counts by roughly a sixth; both are
    documented simplifications for demonstration, to be replaced by local statistics.

Inputs are read from ``raw_dir`` when it holds ``published/`` and ``registry.csv``, otherwise
from the embedded data (:func:`finsamlib.datasets.data_dir`); outputs go to ``raw_dir``.
Regenerating writes byte-identical files.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..categories import TARGET_GROUP_LABELS
from ..datasets import data_dir
from ..errors import FinsamDataError
from ..loaders import load_published, load_registry

POPULATION_FILE = "derived/population.csv"
TARGET_GROUP_FILE = "derived/target_group_sources.csv"
AGE_BAND = "16-64"
#: Year of the Sörmland figures: SCB per 1 November 2020 (seed 004, "per 1 nov 2020 SCB").
SORMLAND_YEAR = 2020
#: Year of the Jönköping figures: the state allocation of 2019 (seed 001 §3.3).
JONKOPING_YEAR = 2019

#: Relative sizes used to split each Jönköping association's population 16–64 over its member
#: kommuner (kommun code → weight). ASSUMPTION, not from the seeds: approximate total populations
#: of the kommuner around 2019 in thousands, rounded; only their ratios within an association
#: matter.
JONKOPING_KOMMUN_WEIGHTS: dict[str, int] = {
    "0680": 141,  # Jönköping
    "0643": 12,  # Habo
    "0642": 7,  # Mullsjö
    "0662": 30,  # Gislaved
    "0617": 10,  # Gnosjö
    "0665": 14,  # Vaggeryd
    "0683": 34,  # Värnamo
    "0604": 7,  # Aneby
    "0686": 18,  # Eksjö
    "0682": 31,  # Nässjö
    "0684": 11,  # Sävsjö
    "0687": 19,  # Tranås
    "0685": 27,  # Vetlanda
}

#: The population groups of seed 002's model, in its order (``group_key`` of the sizing table).
TARGET_GROUPS: tuple[str, ...] = tuple(TARGET_GROUP_LABELS)


def largest_remainder(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Split a whole number over keys in proportion to weights; the parts sum to ``total``.

    Ties in the remainders go to the larger weight, then to the earlier key.

    >>> largest_remainder(10, {"a": 1, "b": 1, "c": 1})
    {'a': 4, 'b': 3, 'c': 3}
    """
    keys = list(weights)
    w = np.array([float(weights[k]) for k in keys])
    if total < 0 or (w < 0).any() or w.sum() <= 0:
        raise ValueError("largest_remainder needs a non-negative total and positive weights")
    exact = total * w / w.sum()
    parts = np.floor(exact).astype(np.int64)
    rest = exact - parts
    order = sorted(range(len(keys)), key=lambda i: (-round(rest[i], 12), -w[i], i))
    for i in order[: int(total - parts.sum())]:
        parts[i] += 1
    return {k: int(p) for k, p in zip(keys, parts, strict=True)}


def sormland_population(contributions: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """Population 16–64 per Sörmland kommun from seed 004's member-contribution table."""
    rows = contributions[contributions["measure"] == "population_16_64"]
    rows = rows[rows["kommun"] != "Summa kommuner"]
    code_of = registry.set_index("kommun")["kommun_code"]
    unknown = sorted(set(rows["kommun"]) - set(code_of.index))
    if unknown:
        raise FinsamDataError(contributions.attrs.get("source"), f"kommuner in the registry, "
                              f"not {unknown}")  # fmt: skip
    return pd.DataFrame(
        {
            "kommun_code": rows["kommun"].map(code_of).to_numpy(),
            "year": SORMLAND_YEAR,
            "age_band": AGE_BAND,
            "count": rows["value"].round().astype(int).to_numpy(),
        }
    )


def jonkoping_association_population(allocation: pd.DataFrame) -> dict[str, int]:
    """Population 16–64 per Jönköping association: state allocation ÷ allocation per inhabitant."""
    wide = allocation.pivot(index="association", columns="indicator_key", values="value")
    amount = wide["state_allocation_amount"]
    per_inhabitant = wide["state_allocation_per_inhabitant_16_64"]
    return {a: round(float(amount[a] / per_inhabitant[a])) for a in wide.index}


def jonkoping_population(
    allocation: pd.DataFrame,
    registry: pd.DataFrame,
    weights: Mapping[str, float] = JONKOPING_KOMMUN_WEIGHTS,
) -> pd.DataFrame:
    """Population 16–64 per Jönköping kommun: each association's derived total split by weights."""
    totals = jonkoping_association_population(allocation)
    records = []
    for association, total in totals.items():
        members = registry.loc[registry["association"] == association, "kommun_code"].tolist()
        if not members:
            raise FinsamDataError(registry.attrs.get("source"), f"member kommuner of {association}")
        missing = [k for k in members if k not in weights]
        if missing:
            raise KeyError(f"no weight for the kommun codes {missing} of {association}")
        for code, count in largest_remainder(total, {k: weights[k] for k in members}).items():
            records.append((code, JONKOPING_YEAR, AGE_BAND, count))
    return pd.DataFrame.from_records(records, columns=["kommun_code", "year", "age_band", "count"])


def population(
    contributions: pd.DataFrame, allocation: pd.DataFrame, registry: pd.DataFrame
) -> pd.DataFrame:
    """The derived ``population`` table of both counties, ordered as the registry."""
    df = pd.concat(
        [sormland_population(contributions, registry), jonkoping_population(allocation, registry)],
        ignore_index=True,
    )
    order = {k: i for i, k in enumerate(registry["kommun_code"])}
    return df.sort_values("kommun_code", key=lambda s: s.map(order)).reset_index(drop=True)


def national_counts(sizing: pd.DataFrame) -> tuple[dict[str, float], float]:
    """Seed 002's national population count per group and the working-age population."""
    counts = sizing[sizing["measure"] == "population_count"].set_index("group_key")["value"]
    missing = [g for g in TARGET_GROUPS if g not in counts.index]
    if missing:
        raise FinsamDataError(sizing.attrs.get("source"), f"population_count rows for {missing}")
    wap = sizing[(sizing["group_key"] == "total") & (sizing["measure"] == "working_age_population")]
    if len(wap) != 1:
        raise FinsamDataError(sizing.attrs.get("source"), "one working_age_population row")
    return {g: float(counts[g]) for g in TARGET_GROUPS}, float(wap["value"].iloc[0])


def target_group_sources(sizing: pd.DataFrame, population_table: pd.DataFrame) -> pd.DataFrame:
    """National group counts scaled to each kommun by its share of the working-age population."""
    counts, working_age = national_counts(sizing)
    records = []
    for row in population_table.itertuples(index=False):
        share = row.count / working_age
        for group in TARGET_GROUPS:
            records.append((row.kommun_code, int(row.year), group, round(counts[group] * share, 1)))
    return pd.DataFrame.from_records(records, columns=["area", "year", "group", "count"])


def _csv(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def inputs_dir(raw_dir: Path) -> Path:
    """Where the generators read the published inputs: ``raw_dir`` when it holds them, else the
    embedded data (so that generating into an empty folder works)."""
    if (raw_dir / "published").is_dir() and (raw_dir / "registry.csv").is_file():
        return raw_dir
    return data_dir()


def build(source_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both derived tables from the published files under ``source_dir``."""
    registry = load_registry(source_dir / "registry.csv")
    published = source_dir / "published"
    pop = population(
        load_published(published / "seed004_member_contributions_2021.csv"),
        load_published(published / "seed001_allocation_2019.csv"),
        registry,
    )
    sources = target_group_sources(
        load_published(published / "seed002_target_group_sizing.csv"), pop
    )
    return pop, sources


def generate(raw_dir: Path) -> list[str]:
    """Write the derived tables under ``raw_dir``; return their paths relative to it."""
    raw_dir = Path(raw_dir)
    pop, sources = build(inputs_dir(raw_dir))
    (raw_dir / "derived").mkdir(parents=True, exist_ok=True)
    (raw_dir / POPULATION_FILE).write_text(_csv(pop), encoding="utf-8")
    (raw_dir / TARGET_GROUP_FILE).write_text(_csv(sources), encoding="utf-8")
    return [POPULATION_FILE, TARGET_GROUP_FILE]
