"""A data folder with more associations than the embedded four, for the benchmarks.

Shared by ``bench_reports.py`` (synthetic copies in one county, ``Demolän``) and
``bench_national.py`` (a national-size registry, four per synthetic county): the embedded data
are copied into a temporary folder and each extra association is a renamed copy of one of the
embedded synthetic participant files, with a registry row and a manifest row (provenance
``synthetic``, so every report that uses them shows the synthetic-data banner).

Each extra association has one member kommun, and that kommun gets the försörjningsmått and the
population 16–64 of the first member kommun of the association it copies, in two extra
SYNTHETIC files (``synthetic/forsorjningsmatt_TAG.csv`` in the loader's layout, and
``synthetic/population_TAG.csv``): a county overview's allocation section needs both for every
member kommun of its county. Nothing is written to the repository.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from finsamlib import datasets
from finsamlib.reports import paths
from finsamlib.support_measure import load_support_measure

#: The embedded försörjningsmått workbook (synthetic) and population table (derived).
SUPPORT_MEASURE = "synthetic/forsorjningsmatt_finsam_2019.xlsx"
POPULATION = "derived/population.csv"


@dataclass(frozen=True)
class Member:
    """The registry row of one extra association (its one member kommun)."""

    association: str
    county_code: str
    county: str
    kommun_code: str
    kommun: str


def make_data_dir(
    root: Path, n: int, member: Callable[[int], Member], *, tag: str, id_prefix: str, what: str
) -> Path:
    """A copy of the embedded data under ``root / "raw"`` with synthetic copies of its
    associations until there are ``n``.

    ``member(i)`` names the i-th extra association (from 0) and its county and kommun; the
    copies' files are ``synthetic/participants_TAG_{i + 1}.csv``, their person ids get the
    prefix ``{id_prefix}{i + 1}-`` (unique per association), and the manifest describes each
    as a "SYNTHETIC {what} copy of" its source association.
    """
    raw = root / "raw"
    shutil.copytree(datasets.data_dir(), raw)
    registry = list(csv.DictReader((raw / "registry.csv").open(encoding="utf-8")))
    originals = sorted({r["association"] for r in registry})
    manifest = datasets.manifest(raw)
    support = load_support_measure(raw / SUPPORT_MEASURE).set_index("kommun_code")
    population = pd.read_csv(raw / POPULATION, dtype=str, keep_default_na=False)
    extra_registry: list[dict[str, str]] = []
    extra_manifest: list[str] = []
    support_rows: list[str] = []
    population_rows: list[str] = []
    for i in range(max(0, n - len(originals))):
        source = originals[i % len(originals)]
        row = member(i)
        extra_registry.append(asdict(row))
        rel = f"synthetic/participants_{paths.slug(source).replace('-', '_')}.csv"
        assert rel in set(manifest["path"]), rel
        lines = (raw / rel).read_text(encoding="utf-8-sig").splitlines()
        out = [lines[0]]
        for line in lines[1:]:
            fields = line.split(";")
            fields[0] = row.association
            fields[2] = f"{id_prefix}{i + 1}-{fields[2]}"  # person ids stay unique per association
            fields[5] = row.kommun_code
            out.append(";".join(fields))
        target = f"synthetic/participants_{tag}_{i + 1}.csv"
        (raw / target).write_text("\n".join(out) + "\n", encoding="utf-8")
        extra_manifest.append(
            f"{target},synthetic,benchmark copy of {rel},"
            f"SYNTHETIC {what} copy of {source},participants"
        )
        # the allocation model's inputs: those of the source's first member kommun
        like = next(r["kommun_code"] for r in registry if r["association"] == source)
        s = support.loc[like]
        numbers = [s["ill_health"], s["labour_market"], s["social_assistance"], s["total"]]
        support_rows.append(";".join([row.kommun_code, row.kommun, *(f"{v:.0f}" for v in numbers)]))
        for p in population[population["kommun_code"] == like].itertuples(index=False):
            population_rows.append(f"{row.kommun_code},{p.year},{p.age_band},{p.count}")
    if extra_registry:
        year = int(support["year"].iloc[0])
        (raw / f"synthetic/forsorjningsmatt_{tag}.csv").write_text(
            f"Försörjningsmått för Finsam per kommun {year}\n"
            "SYNTETISKA DATA: kopior för prestandamätning, inte SCB:s statistik\n"
            "Kommunkod;Kommun;Ohälsa;Arbetsmarknadsstöd;Ekonomiskt bistånd;Totalt\n"
            + "\n".join(support_rows)
            + "\n",
            encoding="utf-8",
        )
        (raw / f"synthetic/population_{tag}.csv").write_text(
            "kommun_code,year,age_band,count\n" + "\n".join(population_rows) + "\n",
            encoding="utf-8",
        )
        extra_manifest += [
            f"synthetic/forsorjningsmatt_{tag}.csv,synthetic,benchmark copy of "
            f"{SUPPORT_MEASURE},SYNTHETIC {what} försörjningsmått of the copies' kommuner,"
            "support_measure",
            f"synthetic/population_{tag}.csv,synthetic,benchmark copy of {POPULATION},"
            f"SYNTHETIC {what} population of the copies' kommuner,population",
        ]
    with (raw / "registry.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, fieldnames=list(registry[0])).writerows(extra_registry)
    with (raw / "MANIFEST.csv").open("a", encoding="utf-8") as fh:
        fh.write("\n".join(extra_manifest) + ("\n" if extra_manifest else ""))
    return raw
