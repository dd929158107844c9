"""The county overview's section on the state's allocation model ("Statlig tilldelning enligt
fördelningsmodellen"): the allocation per association from SCB's försörjningsmått and the
population 16–64, kr per inhabitant, and what merging the county's associations would do.

Aggregate public statistics, not participant rows, so nothing here goes through the
disclosure pattern; when the försörjningsmått are synthetic (the embedded sample) the section
says so above its tables and in their source lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import allocation as al
from .. import funding
from .. import narrative as nr
from ..funding import NationalTotals
from .sections import ReportData, _join

MODEL_SOURCE = (
    "statens fördelningsmodell (grundbidrag 400 000 kr per förbund, 75 % efter "
    "försörjningsmått och 25 % efter befolkning 16–64 år), egen beräkning"
)
SYNTHETIC_NOTE = (
    "Syntetiska data: försörjningsmåtten i det här avsnittet är påhittade värden i en antagen "
    "SCB-layout, inte SCB:s statistik. Beloppen visar hur modellen räknar, inte förbundens "
    "verkliga tilldelning."
)
TOTAL_ROW = "Summa länet"
MERGED = "Sammanslaget förbund"


@dataclass
class AllocationInputs:
    """What the section computes from: the county's areas, the nation and the years used."""

    areas: pd.DataFrame
    nation: NationalTotals
    year: int
    population_years: list[int]
    synthetic: bool
    previous: pd.Series | None = None


def _year_of(years: list[int], wanted: int) -> int:
    earlier = [y for y in years if y <= wanted]
    return max(earlier) if earlier else min(years)


def allocation_inputs(data: ReportData) -> AllocationInputs | None:
    """The county's allocation inputs from the data folder's ``support_measure`` (the year of
    the report, else the latest before it, else the earliest) and ``population`` tables; None
    when either is missing or the county has no association."""
    support = data.inputs.load_table("support_measure")
    population = data.inputs.load_table("population")
    if support is None or population is None or not data.associations:
        return None
    years = sorted({int(y) for y in support["year"].dropna()})
    year = _year_of(years, data.year)
    registry = data.registry[data.registry["county"] == data.county]

    def county_areas(y: int) -> tuple[pd.DataFrame, NationalTotals, list[int]]:
        rows = support[support["year"] == y]
        rows.attrs = {**support.attrs, "source": ", ".join(support.attrs.get("sources", ()))}
        pop = al.population_for(population, y)
        areas = al.areas(rows, registry, pop["population_16_64"])
        used = sorted({int(pop.at[k, "year"]) for k in areas["kommun_code"]})
        return areas, al.national_totals(rows), used

    areas, nation, used = county_areas(year)
    previous = None
    if year - 1 in years:
        before, nation_before, _ = county_areas(year - 1)
        previous = al.allocation_by_association(before, nation_before)["allocation"]
    synthetic = "synthetic" in str(support.attrs.get("provenance", "")).split(",")
    return AllocationInputs(areas, nation, year, used, synthetic, previous)


def allocation_table(inputs: AllocationInputs) -> pd.DataFrame:
    """The allocation per association of the county, with the county's sum, in Swedish."""
    out = al.allocation_by_association(inputs.areas, inputs.nation, previous=inputs.previous)
    total = out[["support_measure", "population_16_64", "allocation", "total_funding"]].sum()
    t = pd.DataFrame(
        {
            "Försörjningsmått (helårsekv.)": out["support_measure"],
            "Andel av riket, försörjningsmått": out["support_share"],
            "Befolkning 16–64 år": out["population_16_64"],
            "Andel av riket, befolkning": out["population_share"],
            "Statlig tilldelning": out["allocation"],
            "Kr per invånare 16–64 år": out["kr_per_inhabitant"],
            "Finansiering med region och kommuner": out["total_funding"],
        }
    )
    t.loc[TOTAL_ROW] = [
        total["support_measure"],
        total["support_measure"] / inputs.nation.support_measure,
        total["population_16_64"],
        total["population_16_64"] / inputs.nation.population_16_64,
        total["allocation"],
        total["allocation"] / total["population_16_64"],
        total["total_funding"],
    ]
    t.index.name = "Förbund"
    t.attrs["at_floor"] = [str(a) for a in out.index[out["at_floor"]]]
    return t


def merger_table(inputs: AllocationInputs) -> pd.DataFrame | None:
    """Before and after merging every association of the county into one; None with one."""
    names = list(inputs.areas["association"].unique())
    if len(names) < 2:
        return None
    m = al.merger(inputs.areas, inputs.nation, {MERGED: names}).loc[MERGED]
    before = m["state_before"]
    rows = {
        f"Före: {len(names)} förbund": before,
        "Efter: grundbidragen fördelas om i riket": m["state_after"],
        "Efter: grundbidragen försvinner ur potten": m["state_after_no_redistribution"],
    }
    state = pd.Series(rows, dtype=float)
    share = funding.FUNDING_SHARES["state"]
    t = pd.DataFrame(
        {
            "Statlig tilldelning": state,
            "Förändring": state - before,
            "Finansiering med region och kommuner": state / share,
            "Kr per invånare 16–64 år": state / inputs.areas["population_16_64"].sum(),
        }
    )
    t.index.name = "Länets förbund"
    return t


def _source(inputs: AllocationInputs) -> str:
    what = "syntetiska data i antagen SCB-layout" if inputs.synthetic else "SCB"
    pop_years = "/".join(map(str, inputs.population_years))
    return (
        f"Försörjningsmått {inputs.year} ({what}); befolkning 16–64 år {pop_years}; " + MODEL_SOURCE
    )


def allocation_section(data: ReportData) -> nr.Html:
    """Statlig tilldelning: the model's allocation per association, kr per inhabitant, and
    the merger example (seed 001 §2.5, §3.3 and §8.2; seed 003 §2.1.1)."""
    inputs = allocation_inputs(data)
    if inputs is None:
        return nr.notice("Försörjningsmått eller befolkningsuppgifter saknas för länet.")
    t = allocation_table(inputs)
    nation = inputs.nation
    variable = nation.pot - nation.associations * funding.BASE_ALLOCATION
    w_support, w_pop = funding.ALLOCATION_WEIGHTS
    parts: list[nr.Html] = []
    if inputs.synthetic:
        parts.append(nr.notice(SYNTHETIC_NOTE))
    parts.append(
        nr.paragraph(
            f"Staten fördelar sina medel till samordningsförbunden med en modell: varje förbund "
            f"får ett grundbidrag på {nr.fmt_kr(funding.BASE_ALLOCATION)}, och resten av den "
            f"nationella potten ({nr.fmt_mkr(0)(nation.pot)} för {nation.associations} förbund, "
            f"alltså {nr.fmt_mkr(0)(variable)}) fördelas till {nr.fmt_share()(w_support)} efter "
            f"försörjningsmått (helårsekvivalenter med ersättning vid ohälsa, "
            f"arbetsmarknadsstöd och ekonomiskt bistånd, 16–65 år) och till "
            f"{nr.fmt_share()(w_pop)} efter befolkningen 16–64 år, båda som andel av riket. "
            f"Region och kommuner tillför lika mycket som staten. Ett förbunds tilldelning får "
            f"minska med högst {nr.fmt_share()(funding.MAX_DECREASE)} från ett år till nästa."
        )
    )
    shares = nr.fmt_share(2)
    parts.append(
        nr.table(
            t,
            caption=f"Statlig tilldelning enligt fördelningsmodellen, {inputs.year}",
            source=_source(inputs),
            formatters={
                "Försörjningsmått (helårsekv.)": nr.fmt_count,
                "Andel av riket, försörjningsmått": shares,
                "Befolkning 16–64 år": nr.fmt_count,
                "Andel av riket, befolkning": shares,
                # millions with two decimals: eight columns fit a desktop page without scrolling
                "Statlig tilldelning": nr.fmt_mkr(2),
                "Kr per invånare 16–64 år": nr.fmt_kr,
                "Finansiering med region och kommuner": nr.fmt_mkr(2),
            },
        )
    )
    if inputs.previous is None:
        cap = "Spärren mot mer än 10 % minskning är inte tillämpad: data för föregående år saknas."
    elif t.attrs["at_floor"]:
        cap = (
            "Spärren lyfter " + ", ".join(t.attrs["at_floor"]) + " till 90 % av föregående års "
            "modellbelopp; lyftet betalas av övriga förbund i riket efter deras nycklar."
        )
    else:
        cap = "Inget förbund i länet når spärren mot mer än 10 % minskning."
    parts.append(
        nr.paragraph(
            "Kr per invånare är den statliga tilldelningen delad med befolkningen 16–64 år, "
            "som i länsanalysen för Jönköpings län (32, 58 och 61 kr per invånare 2019, då "
            "räknat på de medel förbunden faktiskt tog ut). " + cap
        )
    )
    merged = merger_table(inputs)
    if merged is None:
        parts.append(
            nr.paragraph(
                "Länet har ett enda samordningsförbund, så exemplet med en sammanslagning "
                "gäller inte här."
            )
        )
    else:
        n = len(inputs.areas["association"].unique())
        parts.append(
            nr.paragraph(
                f"Om länets {n} förbund slås samman får det nya förbundet ett grundbidrag i "
                f"stället för {n}, medan nycklarna är desamma eftersom området är detsamma. "
                "Med oförändrad statlig pott fördelas de frigjorda grundbidragen om efter "
                "nycklarna i hela riket, så länet får tillbaka sin andel av dem; om de i stället "
                "försvinner ur potten minskar tilldelningen med hela beloppet. Region och "
                "kommuner minskar sina bidrag i samma mån."
            )
        )
        parts.append(
            nr.table(
                merged,
                caption=f"Exempel: alla förbund i {data.county} slås samman ({inputs.year})",
                source=_source(inputs),
                formatters={
                    "Statlig tilldelning": nr.fmt_kr,
                    "Förändring": nr.fmt_kr,
                    "Finansiering med region och kommuner": nr.fmt_kr,
                    "Kr per invånare 16–64 år": nr.fmt_kr,
                },
            )
        )
    return _join(parts)
