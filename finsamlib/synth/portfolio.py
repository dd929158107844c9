"""Synthetic insats portfolios: RAR Sörmland (seed 003 and seed 004) and the Jönköping associations.

**Synthetic demonstration data, not real insatser.** RAR Sörmland's portfolio is in two files:

* ``portfolio_rar_sormland.csv``, the insatser of 2014–2019, built so that its breakdowns
  reproduce seed 003's portfolio tables 1–6 and key figures as far as those tables agree with each
  other (``data/raw/synthetic/README-portfolio.md`` lists the cells that cannot be reproduced and
  why): 56 insatser, 70,2 Mkr granted, 56,8 Mkr ("ca 57") structural. It is laid out as *cells*:
  groups of insatser with one owner, primary target group, type and financing whose count and
  total amount are fixed by the published tables; the random generator only splits a cell's
  total between its insatser and draws names, partners and periods.
* ``portfolio_rar_sormland_2021.csv``, the RAR-financed insatser of seed 004's annual report
  2021 (the insatser of its Not 3), with their printed names (also their ids), types, partners
  and periods; their granted amounts follow from the Not 3 budget of 2021
  (:func:`rar_sormland_2021`).

The Jönköping portfolios (Södra Vätterbygden, Finnveden, Höglandet, 2017–2021) are plausible
only: their yearly size follows the associations' 2019 revenues (seed 001, Bokslut 2019) and
their target groups the participants' main support before the insatser (seed 001, Bilaga 1).
Budget and outcome per insats and year (``insats_budget``) are derived from them.

The individual insatser are the catalogue the synthetic participants are drawn from
(:func:`build` is read by ``finsamlib.synth.participants``): the individual insatser of each
association follow one another without a gap over the years its participants start
(:func:`_chain`), and they name every member kommun as partner, as an insats open to the whole
association does (seed 004's named insatser keep their printed partners).

Deterministic: one fixed seed per file; regenerating writes byte-identical files.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..loaders import load_published

OUT_DIR = "synthetic"
RAR_FILE = f"{OUT_DIR}/portfolio_rar_sormland.csv"
RAR_2021_FILE = f"{OUT_DIR}/portfolio_rar_sormland_2021.csv"
JKP_FILES = {
    "Södra Vätterbygden": f"{OUT_DIR}/portfolio_sodra_vatterbygden.csv",
    "Finnveden": f"{OUT_DIR}/portfolio_finnveden.csv",
    "Höglandet": f"{OUT_DIR}/portfolio_hoglandet.csv",
}
BUDGET_FILE = f"{OUT_DIR}/insats_budget_jonkoping.csv"

#: Swedish export headers (finsamlib.schemas.PORTFOLIO knows them) and the synthetic marker.
PORTFOLIO_HEADER = [
    "Insats-ID",
    "Namn",
    "Förbund",
    "Typ",
    "Finansiering",
    "Huvudman",
    "Samverkansparter",
    "Målgrupper",
    "Startdatum",
    "Slutdatum",
    "Beviljat belopp",
    "Syntetisk",
]
BUDGET_HEADER = ["Förbund", "Insats", "År", "Budget", "Utfall", "Syntetisk"]

# Seed 003 table 4/5 target groups, as printed (free-text values of the target_groups column).
LB = "Långvarigt bidragsberoende"
POB = "Personal och beslutsfattare"
PO = "Psykisk ohälsa"
UNGA = "Unga"
EJ = ""  # no documented target group: counts as "Ej definierad"

AF, FK, REGION_S = "Arbetsförmedlingen", "Försäkringskassan", "Region Sörmland"
SORMLAND_KOMMUNER = (
    "Vingåker",
    "Gnesta",
    "Nyköping",
    "Oxelösund",
    "Flen",
    "Katrineholm",
    "Eskilstuna",
    "Strängnäs",
    "Trosa",
)
#: Six LSG (seed 003 §2.1.6: "sex lokala samverkansgrupper"); the grouping of kommuner is invented.
LSG = {
    "Eskilstuna": ("Eskilstuna",),
    "Strängnäs": ("Strängnäs",),
    "Nyköping–Oxelösund": ("Nyköping", "Oxelösund"),
    "Gnesta–Trosa": ("Gnesta", "Trosa"),
    "Katrineholm": ("Katrineholm",),
    "Flen–Vingåker": ("Flen", "Vingåker"),
}


@dataclass(frozen=True)
class Cell:
    """A group of insatser sharing owner, primary target group, type and financing."""

    kind: str  # which name pool and duration to draw from
    n: int
    total: int  # kr, exact
    owner: str
    target: str
    type: str
    financing: str = "finsam"
    secondary: str = ""  # a second target group listed by one insats of the cell
    secondary_amount: int = 0  # that insats's fixed amount (kr)


#: The RAR Sörmland cells. Per owner (tables 1–2): LSG 17 / 43,0 Mkr, Kommun 5 / 4,3, Af 1 / 1,4,
#: Övrigt 4 / 1,3, Ej definierad 29 / 20,2 (table 1 prints 30, the text 32: see the README).
#: Per primary target group (tables 4–5): Långvarigt bidragsberoende 3 / 3,3, Personal och
#: beslutsfattare 10 / 21,4, Psykisk ohälsa 5 / 12,3 (+2,6 listed as second group = 14,9),
#: Unga 2 / 5,0, Ej definierad 36 / 28,2. Table 6: processledare 14,2, ESF support 9,6 + 2,2.
RAR_CELLS: tuple[Cell, ...] = (
    Cell("processledare", 6, 14_200_000, "LSG", EJ, "S"),
    Cell("esf_cofinancing", 3, 9_600_000, "LSG", EJ, "S", "esf"),
    Cell("staff", 5, 12_000_000, "LSG", POB, "S"),
    Cell("mental_health_structural", 2, 5_000_000, "LSG", PO, "S"),
    Cell("long_term_structural", 1, 2_200_000, "LSG", LB, "S"),
    Cell("long_term_individual", 2, 1_100_000, "Kommun", LB, "I"),
    Cell("mental_health_individual", 1, 2_000_000, "Kommun", PO, "I"),
    Cell("staff", 1, 700_000, "Kommun", POB, "S"),
    Cell("minor", 1, 500_000, "Kommun", EJ, "S"),
    Cell(
        "young_individual", 1, 1_400_000, "Af", UNGA, "I", secondary=PO, secondary_amount=1_400_000
    ),
    Cell("minor", 3, 600_000, "other", EJ, "S"),
    Cell("staff", 1, 700_000, "other", POB, "S"),
    Cell("esf_prestudy", 2, 2_200_000, "undefined", EJ, "S"),
    Cell("small", 21, 1_100_000, "undefined", EJ, "S"),
    Cell("staff", 3, 8_000_000, "undefined", POB, "S", secondary=PO, secondary_amount=1_200_000),
    Cell("mental_health_individual", 2, 5_300_000, "undefined", PO, "I"),
    Cell("young_individual", 1, 3_600_000, "undefined", UNGA, "I"),
)

NAMES: dict[str, tuple[str, ...]] = {
    "staff": (
        "Kompetensutveckling samverkan",
        "Gemensam utbildning handläggare",
        "Samverkansutbildning chefer",
        "Metodutveckling arbetslivsinriktad rehabilitering",
        "Ledarskap i samverkan",
        "Kartläggning av samverkansbehov",
        "Utbildning i motiverande samtal",
        "Kunskapslyft psykiatri och socialtjänst",
        "Gemensamma arbetssätt i LSG",
        "Utvecklingsarbete aktivitetsersättning",
    ),
    "mental_health_structural": (
        "Kunskapsspridning psykisk ohälsa",
        "Nätverk psykisk hälsa i arbetslivet",
    ),
    "long_term_structural": ("Metodstöd långvarigt försörjningsstöd",),
    "long_term_individual": ("Vägen till egen försörjning", "Steg mot arbete"),
    "mental_health_individual": (
        "Arbetsinriktat stöd vid psykisk ohälsa",
        "IPS-inspirerat stöd",
        "Rehabteam psykisk ohälsa",
    ),
    "young_individual": ("Unga i arbete", "Ung framtid"),
    "minor": (
        "Behovsinventering",
        "Utvärdering av samverkan",
        "Pilotstudie arbetsgivarkontakter",
        "Förstudie samordnat stöd",
    ),
    "small": (
        "Temadag samverkan",
        "Konferens arbetslivsinriktad rehabilitering",
        "Studiebesök samordningsförbund",
        "Seminarium om försörjningsstöd",
        "Föreläsningsserie",
        "Workshop målgruppsanalys",
        "Nätverksträff LSG",
        "Informationsinsats till arbetsgivare",
    ),
}

#: Months of duration (low, high) drawn per kind.
DURATION: dict[str, tuple[int, int]] = {
    "staff": (6, 30),
    "mental_health_structural": (12, 30),
    "long_term_structural": (18, 30),
    "long_term_individual": (18, 36),
    "mental_health_individual": (18, 36),
    "young_individual": (18, 36),
    "small": (1, 4),
    "minor": (3, 9),
    "esf_prestudy": (4, 8),
}


#: How even the amounts of a cell's insatser are (Dirichlet alpha; 2 unless given here).
ALPHA: dict[str, float] = {"processledare": 8.0, "esf_cofinancing": 8.0, "esf_prestudy": 8.0}


def _split(
    total: int, n: int, rng: np.random.Generator, unit: int = 1_000, alpha: float = 2.0
) -> list[int]:
    """Split ``total`` kr into ``n`` positive amounts, multiples of ``unit``, summing exactly.

    Dirichlet weights: a larger ``alpha`` gives more even amounts.
    """
    if n == 1:
        return [total]
    units = total // unit
    weights = rng.dirichlet(np.full(n, alpha))
    parts = np.maximum(1, np.floor(weights * units).astype(int))
    parts[-1] = units - parts[:-1].sum()
    if parts[-1] < 1:  # pragma: no cover - defensive, weights never get this lopsided here
        raise RuntimeError("could not split the amount")
    return [int(p) * unit for p in rng.permutation(parts)]


def _period(
    rng: np.random.Generator, first: str, last: str, months: tuple[int, int]
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """A period starting on the 1st of a month, at most ending on ``last``."""
    first_m, last_m = pd.Period(first, "M"), pd.Period(last, "M")
    length = int(rng.integers(months[0], months[1] + 1))
    latest_start = max(first_m.ordinal, last_m.ordinal - length + 1)
    start = pd.Period(ordinal=int(rng.integers(first_m.ordinal, latest_start + 1)), freq="M")
    end = min(start + length - 1, last_m)
    return start.start_time, end.end_time.normalize()


def _partners(rng: np.random.Generator, kommuner: tuple[str, ...], region: str) -> str:
    pool = [AF, FK, region]
    chosen = [p for p in pool if rng.random() < 0.6] or [AF]
    k = [
        f"{kommuner[i]} kommun"
        for i in sorted(rng.choice(len(kommuner), 1 + int(rng.random() < 0.3), replace=False))
    ]
    return ";".join(k + chosen)


def _chain(
    rng: np.random.Generator, n: int, first: str, last: str, months: tuple[int, int]
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """``n`` periods of whole months that together cover every day from ``first`` to ``last``.

    The first starts in ``first``, the last ``months[0]`` months before the end of ``last`` and
    ends there; the others start evenly in between (plus up to a third of a step). Each lasts
    ``months`` (low, high) but at least until the next one starts, so there is no gap and none
    is shorter than ``months[0]`` (when the window allows). Periods are returned in start order.
    """
    first_m, last_m = pd.Period(first, "M").ordinal, pd.Period(last, "M").ordinal
    latest = max(first_m, last_m - months[0] + 1)
    step = (latest - first_m) / max(1, n - 1)
    jitter = max(1, round(step / 3))
    starts = [
        first_m + round(i * step) + (int(rng.integers(0, jitter)) if 0 < i < n - 1 else 0)
        for i in range(n)
    ]
    periods = []
    for i, s in enumerate(starts):
        if i == n - 1:
            e = last_m
        else:
            lo = max(s + months[0] - 1, starts[i + 1] - 1)
            e = min(int(rng.integers(lo, max(lo, s + months[1] - 1) + 1)), last_m)
        start, end = pd.Period(ordinal=s, freq="M"), pd.Period(ordinal=e, freq="M")
        periods.append((start.start_time, end.end_time.normalize()))
    return periods


def _individual_partners(rng: np.random.Generator, kommuner: tuple[str, ...], region: str) -> str:
    """Partners of an individual insats open to the whole association: every member kommun."""
    chosen = [p for p in (AF, FK, region) if rng.random() < 0.6] or [AF]
    return ";".join([f"{k} kommun" for k in kommuner] + chosen)


#: Months over which RAR Sörmland's individual insatser of 2014–2019 follow one another: SUS
#: registered no participants before 2016 (seed 003 §2.1.10, "Under 2014–2015 registrerades inte
#: några individer i SUS"), so the synthetic ones start in 2016 (ASSUMPTION).
RAR_INDIVIDUAL_WINDOW = ("2016-01", "2019-12")


def rar_sormland(seed: int = 20140101) -> pd.DataFrame:
    """The synthetic RAR Sörmland portfolio 2014–2019 (56 insatser) as a canonical DataFrame.

    The seven individual insatser (cells of type I) run one after another without a gap over
    :data:`RAR_INDIVIDUAL_WINDOW`, so that every synthetic participant who starts before seed
    004's insatser can be registered in one of them.
    """
    rng = np.random.default_rng(seed)
    rows: list[dict[str, object]] = []
    used: set[str] = set()
    all_members = ";".join([AF, FK, REGION_S])
    n_individual = sum(c.n for c in RAR_CELLS if c.type == "I")
    chain = _chain(rng, n_individual, *RAR_INDIVIDUAL_WINDOW, DURATION["mental_health_individual"])
    individual_periods: Iterator[tuple[pd.Timestamp, pd.Timestamp]] = iter(
        [chain[int(k)] for k in rng.permutation(n_individual)]
    )

    def unique(name: str) -> str:
        base, i = name, 2
        while name in used:
            name = f"{base}, del {i}"
            i += 1
        used.add(name)
        return name

    for cell in RAR_CELLS:
        if cell.secondary_amount:
            rest = _split(cell.total - cell.secondary_amount, cell.n - 1, rng) if cell.n > 1 else []
            amounts = [cell.secondary_amount, *rest]
        else:
            amounts = _split(cell.total, cell.n, rng, alpha=ALPHA.get(cell.kind, 2.0))
        for j, amount in enumerate(amounts):
            targets = cell.target
            if cell.secondary and j == 0:
                targets = f"{cell.target};{cell.secondary}"
            if cell.kind == "processledare":
                lsg = list(LSG)[j]
                name = unique(f"Processledare LSG {lsg}")
                start, end = pd.Timestamp("2014-01-01"), pd.Timestamp("2019-12-31")
                partners = ";".join([*(f"{k} kommun" for k in LSG[lsg]), all_members])
            elif cell.kind == "esf_cofinancing":
                project = ("IBIS", "SSI", "Vägen in")[j]
                name = unique(f"Medfinansiering ESF-projekt {project}")
                periods = (("2015-09-01", "2018-08-31"), ("2016-01-01", "2018-12-31"),
                           ("2017-03-01", "2019-12-31"))  # fmt: skip
                start, end = (pd.Timestamp(d) for d in periods[j])
                partners = ";".join(["Eskilstuna kommun", "Katrineholm kommun", all_members])
            elif cell.kind == "esf_prestudy":
                name = unique(("Förstudie inför ESF-ansökan unga vuxna",
                               "Förstudie inför ESF-ansökan nyanlända")[j])  # fmt: skip
                start, end = _period(rng, "2014-01", "2019-12", DURATION["esf_prestudy"])
                partners = all_members
            elif cell.type == "I":
                pool = NAMES[cell.kind]
                start, end = next(individual_periods)
                name = unique(f"{pool[int(rng.integers(len(pool)))]} {start.year}")
                partners = _individual_partners(rng, SORMLAND_KOMMUNER, REGION_S)
            else:
                pool = NAMES[cell.kind]
                start, end = _period(rng, "2014-01", "2019-12", DURATION[cell.kind])
                name = unique(f"{pool[int(rng.integers(len(pool)))]} {start.year}")
                partners = _partners(rng, SORMLAND_KOMMUNER, REGION_S)
            rows.append(
                {
                    "name": name,
                    "association": "RAR Sörmland",
                    "type": cell.type,
                    "financing": cell.financing,
                    "owner": cell.owner,
                    "partners": partners,
                    "target_groups": targets,
                    "start_date": start,
                    "end_date": end,
                    "granted_amount": amount,
                }
            )
    return _with_ids(pd.DataFrame(rows), "RAR")


# --------------------------------------------------------------------------- RAR Sörmland 2021

#: Seed 004 Not 3 names three insatser differently from its list of insatser (the notes of
#: ``seed004_insats_budget_2021.csv`` say which): Not 3 name -> list name.
NOT3_NAMES = {
    "Rättinsats 2.0": "Rätt Insats 2.0",
    "Långa Sjukfall": "Långa sjukfall",
    "Steg för steg": "Steg för steg mot arbete",
}
#: How seed 004 spells the partners that are not kommuner (a kommun is any token starting with
#: a member kommun's name: "Katrineholms kommun", "Flen").
SEED004_PARTNERS = {
    "Arbetsförmedlingen": AF,
    "Försäkringskassan": FK,
    "Region Sörmland": REGION_S,
    "regionen": REGION_S,
}
#: Seed 004's "Samtliga myndigheter": every member.
SEED004_ALL = "Samtliga myndigheter"


def seed004_partners(text: str) -> str:
    """Seed 004's printed partners as the portfolio's ``;``-list (kommuner first, as elsewhere).

    >>> seed004_partners("Region Sörmland, Försäkringskassan, Flen och Katrineholms kommun")
    'Flen kommun;Katrineholm kommun;Försäkringskassan;Region Sörmland'
    """
    kommuner: list[str] = []
    others: list[str] = []
    for token in (t.strip() for t in re.split(r",|\s+och\s+", text)):
        if not token:
            continue
        if token == SEED004_ALL:
            kommuner += list(SORMLAND_KOMMUNER)
            others += [AF, FK, REGION_S]
            continue
        kommun = [k for k in SORMLAND_KOMMUNER if token.startswith(k)]
        if kommun:
            kommuner.append(kommun[0])
        elif token in SEED004_PARTNERS:
            others.append(SEED004_PARTNERS[token])
        else:
            raise ValueError(f"unknown partner {token!r} in seed 004's {text!r}")
    agencies = [a for a in (AF, FK, REGION_S) if a in others]
    return ";".join([f"{k} kommun" for k in dict.fromkeys(kommuner)] + agencies)


def rar_sormland_2021(insatser_2021: pd.DataFrame, budget_2021: pd.DataFrame) -> pd.DataFrame:
    """RAR Sörmland's RAR-financed insatser of 2021 (seed 004) as a canonical portfolio.

    ``insatser_2021`` is ``published/seed004_insatser_2021.csv`` (the list of insatser ongoing or
    ended during 2021: name, I/S, financing, partners, period) and ``budget_2021``
    ``published/seed004_insats_budget_2021.csv`` (Not 3: budget 2021 per insats, tkr). The rows
    are the insatser of Not 3 ("Summa RAR-insatser"): the RAR-financed ones of the list except
    Processledare, whose 2014–2019 part is in the seed 003 portfolio and which Not 3 does not
    list. The ESF projects are left out too: Not 3 gives them no budget, and their participants
    are reported to SCB, not SUS (seed 004).

    Each insats keeps its printed name (also its id, as a SUS export names insatser), type,
    partners and period; financing is ``finsam`` (RAR's own funds), the owner ``undefined`` and
    the target groups empty (the list prints neither). The granted amount is an ASSUMPTION: the
    2021 budget spread evenly over the insats's days, i.e. budget × (days of the period) ÷
    (days of the period in 2021), rounded to 1 000 kr, so that spreading it by days
    (:func:`finsamlib.portfolio.spending_per_year`) gives back the printed budget of 2021.
    """
    budget = budget_2021[budget_2021["measure"] == "budget"]
    budget = budget[~budget["insats"].astype(str).str.startswith("Summa")]
    if set(budget["unit"]) != {"tkr"}:
        raise ValueError("seed 004 Not 3 budgets are expected in tkr")
    tkr = {
        NOT3_NAMES.get(str(k), str(k)): float(v)
        for k, v in zip(budget["insats"], budget["value"], strict=True)
    }
    rows = insatser_2021[insatser_2021["financing"] == "RAR"]
    rows = rows[rows["insats"].isin(list(tkr))]
    missing = sorted(set(tkr) - set(rows["insats"]))
    if missing:
        raise ValueError(f"Not 3 insatser not in seed 004's list of insatser: {missing}")
    out = []
    for r in rows.itertuples(index=False):
        start, end = pd.Timestamp(r.start), pd.Timestamp(r.end)
        days = (end - start).days + 1
        in_2021 = min(end, pd.Timestamp("2021-12-31")) - max(start, pd.Timestamp("2021-01-01"))
        granted = round(tkr[r.insats] * days / (in_2021.days + 1)) * 1_000
        out.append(
            {
                "insats_id": str(r.insats),
                "name": str(r.insats),
                "association": "RAR Sörmland",
                "type": str(r.type),
                "financing": "finsam",
                "owner": "undefined",
                "partners": seed004_partners(str(r.partners)),
                "target_groups": EJ,
                "start_date": start,
                "end_date": end,
                "granted_amount": granted,
            }
        )
    df = pd.DataFrame(out).sort_values(["start_date", "name"], kind="stable")
    return df.reset_index(drop=True)


def _with_ids(df: pd.DataFrame, prefix: str) -> pd.DataFrame:
    df = df.sort_values(["start_date", "name"], kind="stable").reset_index(drop=True)
    df.insert(0, "insats_id", [f"{prefix}-{i + 1:03d}" for i in range(len(df))])
    return df


# --------------------------------------------------------------------------- Jönköping


@dataclass(frozen=True)
class Association:
    """What the plausible Jönköping portfolio of one association is drawn from."""

    name: str
    prefix: str
    kommuner: tuple[str, ...]
    yearly_kr: (
        int  # about 70 % of the 2019 revenues (seed 001 Bokslut 2019: 7 018 / 5 144 / 6 423 tkr)
    )
    targets: tuple[tuple[str, float], ...]  # individual target groups and weights
    n: int
    seed: int


JKP_TARGETS_SV = ((LB, 0.4), (PO, 0.3), ("Sjukskrivna", 0.2), (UNGA, 0.1))
JKP_TARGETS_FV = ((LB, 0.5), ("Nyanlända", 0.3), (UNGA, 0.2))
JKP_TARGETS_HL = ((UNGA, 0.6), (PO, 0.3), (LB, 0.1))
JKP = (
    Association("Södra Vätterbygden", "SV", ("Jönköping", "Habo", "Mullsjö"), 4_900_000,
                JKP_TARGETS_SV, 12, 2017_06_80),
    Association("Finnveden", "FV", ("Gislaved", "Gnosjö", "Vaggeryd", "Värnamo"), 3_600_000,
                JKP_TARGETS_FV, 9, 2017_06_62),
    Association("Höglandet", "HL", ("Aneby", "Eksjö", "Nässjö", "Sävsjö", "Tranås", "Vetlanda"),
                4_500_000, JKP_TARGETS_HL, 11, 2017_06_82),
)  # fmt: skip

JKP_INDIVIDUAL_NAMES = (
    "Arbetsträning i samverkan",
    "Steget ut",
    "Vägen vidare",
    "Samordnad rehabilitering",
    "Framtidsverkstan",
    "Arbetslivsinriktat stöd",
    "Hälsa och arbete",
    "Jobbspåret",
)
JKP_STRUCTURAL_NAMES = (
    "Kompetensutveckling i samverkan",
    "Samverkansforum",
    "Gemensam kartläggning",
    "Utbildningsdagar",
)


#: The Jönköping portfolios' years: the first and last month of any insats.
JKP_WINDOW = ("2017-01", "2021-12")


def jonkoping(assoc: Association) -> pd.DataFrame:
    """A plausible synthetic portfolio 2017–2021 for one Jönköping association.

    The individual insatser (the larger ~60 % of the insatser by amount) run one after another
    without a gap over :data:`JKP_WINDOW`, the larger amounts over the longer periods, so that
    every synthetic participant (starting 2017–2021) can be registered in one of them; the
    structural ones have random periods.
    """
    rng = np.random.default_rng(assoc.seed)
    total = assoc.yearly_kr * 5
    amounts = _split(total, assoc.n, rng, unit=5_000)
    groups, weights = zip(*assoc.targets, strict=True)
    rows = []
    used: set[str] = set()
    n_individual = round(assoc.n * 0.6)  # the smaller ~40 % are structural
    chain = _chain(rng, n_individual, *JKP_WINDOW, (18, 36))
    # the larger amounts to the longer periods
    individual_periods = iter(sorted(chain, key=lambda p: p[0] - p[1]))
    for i, amount in enumerate(sorted(amounts, reverse=True)):
        structural = i >= n_individual
        if structural:
            pool, months, target = JKP_STRUCTURAL_NAMES, (6, 24), POB
        else:
            pool, months = JKP_INDIVIDUAL_NAMES, (18, 36)
            target = groups[int(rng.choice(len(groups), p=np.array(weights) / sum(weights)))]
            if rng.random() < 0.2:
                others = [g for g in groups if g != target]
                target = f"{target};{others[int(rng.integers(len(others)))]}"
        name = pool[int(rng.integers(len(pool)))]
        while name in used:
            place = assoc.kommuner[int(rng.integers(len(assoc.kommuner)))]
            name = f"{pool[int(rng.integers(len(pool)))]} {place}"
        used.add(name)
        start, end = _period(rng, *JKP_WINDOW, months) if structural else next(individual_periods)
        owner = (
            "Kommun"
            if not structural
            else ("undefined", "Region", "Af", "FK")[int(rng.integers(4))]
        )
        if not structural and rng.random() < 0.25:
            owner = ("Region", "Af", "FK")[int(rng.integers(3))]
        rows.append(
            {
                "name": name,
                "association": assoc.name,
                "type": "S" if structural else "I",
                "financing": "finsam",
                "owner": owner,
                "partners": (_partners if structural else _individual_partners)(
                    rng, assoc.kommuner, "Region Jönköpings län"
                ),
                "target_groups": target,
                "start_date": start,
                "end_date": end,
                "granted_amount": amount,
            }
        )
    return _with_ids(pd.DataFrame(rows), assoc.prefix)


def insats_budget(portfolio: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Budget per insats and year = its amount spread by days; outcome 65–105 % of budget."""
    from ..portfolio import spending_per_year

    rng = np.random.default_rng(seed)
    spent = spending_per_year(portfolio, by=["association", "insats_id"])
    names = portfolio.set_index("insats_id")["name"]
    spent["budget"] = (spent["amount"] / 1_000).round().astype(int) * 1_000
    spent["outcome"] = [
        round(float(b) * rng.uniform(0.65, 1.05) / 1_000) * 1_000 for b in spent["budget"]
    ]
    spent["insats"] = spent["insats_id"].map(names)
    return spent[["association", "insats", "year", "budget", "outcome"]]


# --------------------------------------------------------------------------- writing


def _portfolio_csv(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(PORTFOLIO_HEADER)
    for r in df.itertuples(index=False):
        w.writerow(
            [
                r.insats_id,
                r.name,
                r.association,
                r.type,
                r.financing,
                r.owner,
                r.partners,
                r.target_groups,
                r.start_date.strftime("%Y-%m-%d"),
                r.end_date.strftime("%Y-%m-%d"),
                int(r.granted_amount),
                "ja",
            ]
        )
    return buf.getvalue()


def _budget_csv(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(BUDGET_HEADER)
    for r in df.itertuples(index=False):
        w.writerow([r.association, r.insats, int(r.year), int(r.budget), int(r.outcome), "ja"])
    return buf.getvalue()


def build(source_dir: Path) -> dict[str, pd.DataFrame]:
    """Every synthetic portfolio file's table (canonical columns), keyed by its path under
    ``data/raw``; ``source_dir`` holds the published inputs (``published/``)."""
    published = Path(source_dir) / "published"
    frames = {
        RAR_FILE: rar_sormland(),
        RAR_2021_FILE: rar_sormland_2021(
            load_published(published / "seed004_insatser_2021.csv"),
            load_published(published / "seed004_insats_budget_2021.csv"),
        ),
    }
    for assoc in JKP:
        frames[JKP_FILES[assoc.name]] = jonkoping(assoc)
    return frames


def by_association(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The portfolio files of :func:`build` joined per association (RAR Sörmland: both files)."""
    whole = pd.concat(list(frames.values()), ignore_index=True)
    return {
        str(name): part.reset_index(drop=True)
        for name, part in whole.groupby("association", sort=False)
    }


def generate(raw_dir: Path) -> list[str]:
    """Write the synthetic portfolio files under ``raw_dir``; return their relative paths."""
    from .derived import inputs_dir

    raw_dir = Path(raw_dir)
    (raw_dir / OUT_DIR).mkdir(parents=True, exist_ok=True)
    written = []
    budgets = []
    frames = build(inputs_dir(raw_dir))
    for rel, df in frames.items():
        (raw_dir / rel).write_text(_portfolio_csv(df), encoding="utf-8")
        written.append(rel)
    for assoc in JKP:
        budgets.append(insats_budget(frames[JKP_FILES[assoc.name]], assoc.seed + 1))
    (raw_dir / BUDGET_FILE).write_text(_budget_csv(pd.concat(budgets)), encoding="utf-8")
    written.append(BUDGET_FILE)
    return written
