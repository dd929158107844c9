"""A FABRICATED sample of SCB's försörjningsmått for Finsam, in the layout that
:func:`finsamlib.support_measure.load_support_measure` reads (see its module docstring).

``synthetic/forsorjningsmatt_finsam_2019.xlsx``: title rows (the third says "SYNTETISKA
DATA"), a header, a *Riket* row, a row per county and one per member kommun of the registry
(22 kommuner), and a note row below. No number in it is SCB's.

How the numbers are made (all invented, but chosen so that the model gives sensible
amounts):

* the nation: :data:`NATION_SUPPORT` helårsekvivalenter and :data:`NATION_POPULATION`
  inhabitants 16–64, both FABRICATED round numbers of a plausible size;
* per association, the försörjningsmått is CALIBRATED so that the state's allocation model
  (:func:`finsamlib.funding.state_allocation` with the nation; pot 339 Mkr, seed 001 §2.5;
  80 associations, seed 001 §2.4), with the association's population 16–64 from
  ``derived/population.csv``, gives the allocation the seeds print or imply: for the three
  Jönköping associations the whole possible allocation of 2019 (seed 001 §3.3: the amount
  drawn ÷ the share of the possible allocation drawn: 2 570 000 / 100 %, 3 205 000 / 80 %,
  3 036 000 / 55 %), and for RAR Sörmland the state's 8 000 000 kr of seed 004's
  "Fördelning av medlemsinsatser" (a later year; used only as a plausible size);
* each association's amount is split over its kommuner by population × a random factor
  (0,8–1,2) and each kommun's over the three groups by shares around 55 / 25 / 20 %
  (random), all whole helårsekvivalenter by the largest-remainder method; county rows are
  the sums of their kommuner.

Regenerating writes a byte-identical file (fixed seed, fixed timestamps in the workbook).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from .. import funding
from ..loaders import load_population, load_published, load_registry
from ..support_measure import GROUPS
from .derived import POPULATION_FILE, inputs_dir, largest_remainder

FILE = "synthetic/forsorjningsmatt_finsam_2019.xlsx"
YEAR = 2019
SHEET = "Försörjningsmått"
#: FABRICATED national försörjningsmått (helårsekvivalenter 16–65 år), a plausible size.
NATION_SUPPORT = 620_000
#: FABRICATED national population 16–64, a plausible size.
NATION_POPULATION = 6_300_000
#: The group shares around which each kommun's försörjningsmått is split (fabricated).
GROUP_SHARES = (0.55, 0.25, 0.20)
SEED = 2019
TITLE = (
    f"Försörjningsmått för Finsam per kommun {YEAR}",
    "Helårsekvivalenter, 16–65 år. Ohälsa: sjukpenning, rehabiliteringspenning, "
    "sjukersättning, aktivitetsersättning. Arbetsmarknadsstöd: arbetslöshetsersättning, "
    "aktivitetsstöd. Ekonomiskt bistånd.",
    "SYNTETISKA DATA: påhittade värden i en antagen SCB-layout, inte SCB:s statistik "
    "(framställda av finsamlib.synth.support_measure för demonstration).",
)
NOTE = "Källa: syntetiska data (python -m finsamlib.synth), inte SCB. Layout antagen."
HEADER = (
    "Kommunkod",
    "Kommun",
    *GROUPS.values(),
    "Totalt",
    "Befolkning 16–64 år",
)
COUNTY_CODES = {"Södermanlands län": "04", "Jönköpings län": "06"}
_FIXED_TIME = (2020, 1, 1, 0, 0, 0)


def targets(source_dir: Path) -> dict[str, float]:
    """The state allocation per association the sample is calibrated to (see the docstring)."""
    al = load_published(source_dir / "published" / "seed001_allocation_2019.csv")
    wide = al.pivot(index="association", columns="indicator_key", values="value")
    possible = wide["state_allocation_amount"] / (wide["state_allocation_utilisation"] / 100)
    split = load_published(source_dir / "published" / "seed004_funding_split_2021.csv")
    state = split[(split["funder"] == "Staten") & (split["measure"] == "kr_per_year")]
    out = {str(k): float(v) for k, v in possible.items()}
    out["RAR Sörmland"] = float(state["value"].iloc[0])
    return out


def calibrated_support(target: float, population: float, nation: funding.NationalTotals) -> float:
    """The försörjningsmått that gives an association ``target`` kr under the model."""
    w_support, w_pop = funding.ALLOCATION_WEIGHTS
    variable = nation.pot - nation.associations * funding.BASE_ALLOCATION
    key = (target - funding.BASE_ALLOCATION) / variable
    share = (key - w_pop * population / nation.population_16_64) / w_support
    if share <= 0:
        raise ValueError(f"no positive försörjningsmått gives {target:,.0f} kr")
    return share * nation.support_measure


def build(source_dir: Path) -> pd.DataFrame:
    """The sample's rows (in the order written): code, name, groups, total, population."""
    registry = load_registry(source_dir / "registry.csv")
    population = load_population(source_dir / POPULATION_FILE).set_index("kommun_code")["count"]
    nation = funding.NationalTotals(
        funding.NATIONAL_POT_SEED001,
        funding.ASSOCIATIONS_2019,
        float(NATION_SUPPORT),
        float(NATION_POPULATION),
    )
    goal = targets(source_dir)
    rng = np.random.default_rng(SEED)
    kommun_rows = []
    for association, members in registry.groupby("association", sort=False):
        codes = list(members["kommun_code"])
        pop = population.reindex(codes).astype(float)
        amount = round(calibrated_support(goal[association], float(pop.sum()), nation))
        weights = pop * rng.uniform(0.8, 1.2, len(codes))
        per_kommun = largest_remainder(amount, dict(zip(codes, weights, strict=True)))
        for code, kommun in zip(codes, members["kommun"], strict=True):
            shares = np.array(GROUP_SHARES) * rng.uniform(0.85, 1.15, len(GROUP_SHARES))
            groups = largest_remainder(per_kommun[code], dict(zip(GROUPS, shares, strict=True)))
            kommun_rows.append(
                {
                    "code": code,
                    "name": kommun,
                    "county": members.loc[members["kommun_code"] == code, "county"].iloc[0],
                    **groups,
                    "total": per_kommun[code],
                    "population": None,
                }
            )
    kommuner = pd.DataFrame(kommun_rows)
    numbers = [*GROUPS, "total"]
    rows = [
        {
            "code": "00",
            "name": "Riket",
            **{c: None for c in numbers},
            "population": NATION_POPULATION,
        }
    ]
    rows[0]["total"] = NATION_SUPPORT
    shares = np.array(GROUP_SHARES)
    rows[0].update(largest_remainder(NATION_SUPPORT, dict(zip(GROUPS, shares, strict=True))))
    for county, code in COUNTY_CODES.items():
        members = kommuner[kommuner["county"] == county]
        rows.append(
            {
                "code": code,
                "name": county,
                **{c: int(members[c].sum()) for c in numbers},
                "population": None,
            }
        )
        rows += members.drop(columns="county").to_dict("records")
    return pd.DataFrame(rows, columns=["code", "name", *numbers, "population"])


def workbook_bytes(rows: pd.DataFrame) -> bytes:
    """The XLSX file of the sample, with fixed timestamps (so regenerating is byte-identical)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    for line in TITLE:
        sheet.append([line])
    sheet.append([])
    sheet.append(list(HEADER))
    for r in rows.itertuples(index=False):
        sheet.append([None if pd.isna(v) else (int(v) if isinstance(v, float) else v) for v in r])
    sheet.append([])
    sheet.append([NOTE])
    for row in sheet.iter_rows(min_row=len(TITLE) + 3, max_col=1):
        for cell in row:
            cell.number_format = "@"  # codes are text: keep the leading zeros
    fixed = pd.Timestamp(*_FIXED_TIME).to_pydatetime()
    book.properties.created = fixed
    buf = io.BytesIO()
    book.save(buf)
    return _fixed_zip(buf.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with fixed member times and a fixed modification time in core.xml."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2020-01-01T00:00:00Z\g<2>",
                    content,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, content)
    return out.getvalue()


def generate(raw_dir: Path) -> list[str]:
    """Write the sample under ``raw_dir``; return its path relative to it."""
    raw_dir = Path(raw_dir)
    data = workbook_bytes(build(inputs_dir(raw_dir)))
    (raw_dir / "synthetic").mkdir(parents=True, exist_ok=True)
    (raw_dir / FILE).write_bytes(data)
    return [FILE]
