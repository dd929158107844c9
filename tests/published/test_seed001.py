"""Check the transcription of seed 001 (Översyn av samordningsförbunden i Jönköpings län).

Every expected value below is read off /work/shared/seeds/001_bfa0679e96509604.txt; the comment
above each block says where. The files keep the print's inconsistencies, so the tests assert
them as printed (and assert that they *are* inconsistent, so a silent "correction" fails).
"""

from __future__ import annotations

import pytest

from .conftest import UNITS, cell, read_published

SOURCE = "001_bfa0679e96509604.txt"
AREAS = ["Södra Vätterbygden", "Finnveden", "Höglandet", "Länet", "Riket"]
ASSOCIATIONS = ["Södra Vätterbygden", "Finnveden", "Höglandet"]
SEXES = ["Totalt", "Kvinnor", "Män"]
UTFALL_KEYS = [
    "ended_registrations",
    "share_by_sex",
    "unique_persons",
    "share_under_30",
    "share_support_over_3_years",
    "share_compulsory_or_less",
    "share_post_secondary",
    "mean_enrolment_days",
    "work_count",
    "work_fte",
    "work_share",
    "work_or_studies_count",
    "work_or_studies_fte",
    "work_or_studies_gained_count",
]
COUNT_KEYS = [
    "ended_registrations",
    "unique_persons",
    "work_count",
    "work_or_studies_count",
    "work_or_studies_gained_count",
]
FILES = [
    "seed001_utfall_2019.csv",
    "seed001_participants_by_sex_2019.csv",
    "seed001_bokslut_2019.csv",
    "seed001_allocation_2019.csv",
    "seed001_administration_2019.csv",
    "seed001_text_figures.csv",
]


@pytest.fixture(scope="module")
def utfall():
    return read_published("seed001_utfall_2019.csv")


# ---------------------------------------------------------------- format of every file
@pytest.mark.parametrize("name", FILES)
def test_format(name):
    df = read_published(name)
    assert list(df.columns[:2]) == ["source", "table"]
    assert list(df.columns[-3:]) == ["value", "unit", "note"]
    assert (df["source"] == SOURCE).all()
    assert set(df["unit"]) <= UNITS
    assert df["value"].dtype.kind in "if"  # numbers only, "." as decimal separator
    dims = [c for c in df.columns if c not in ("value", "unit", "note")]
    assert not df.duplicated(dims).any(), "each published cell once"


# ---------------------------------------------------------------- UTFALL 2019
def test_utfall_shape(utfall):
    # seed 001, "UTFALL 2019": 14 rows, 5 areas x 3 sexes each
    assert list(dict.fromkeys(utfall["indicator_key"])) == UTFALL_KEYS
    assert len(utfall) == 14 * 5 * 3
    for key, group in utfall.groupby("indicator_key"):
        assert sorted(zip(group["area"], group["sex"], strict=True)) == sorted(
            (a, s) for a in AREAS for s in SEXES
        ), key
    assert (utfall["table"] == "UTFALL 2019").all()
    # the print spells two areas differently from the associations' names
    printed = dict(zip(utfall["area"], utfall["area_as_printed"], strict=True))
    assert printed["Södra Vätterbygden"] == "Södra vätterbygden"
    assert printed["Höglandet"] == "Högländet"


@pytest.mark.parametrize(
    "area, total, women, men",
    [
        # seed 001, "UTFALL 2019": <area>, Totalt/Kvinnor/Män, Avslutade deltagare: Antal
        ("Södra Vätterbygden", 85, 48, 37),
        ("Finnveden", 49, 23, 26),
        ("Höglandet", 67, 32, 35),
        ("Länet", 201, 103, 98),
        ("Riket", 12309, 6681, 5628),
    ],
)
def test_utfall_ended(utfall, area, total, women, men):
    for sex, expected in zip(SEXES, (total, women, men), strict=True):
        assert cell(utfall, area=area, sex=sex, indicator_key="ended_registrations") == expected


def test_utfall_reference_figure(utfall):
    # seed 001, "UTFALL 2019": Södra Vätterbygden, Totalt: 29 in work = 34 %, 21,2 heltidsarbeten
    sv = dict(area="Södra Vätterbygden", sex="Totalt")
    assert cell(utfall, **sv, indicator_key="work_count") == 29
    assert cell(utfall, **sv, indicator_key="work_share") == 34
    assert cell(utfall, **sv, indicator_key="work_fte") == 21.2
    assert cell(utfall, **sv, indicator="Antal i förvärsarbete") == 29  # label as printed


@pytest.mark.parametrize(
    "area, sex, key, expected",
    [
        # seed 001, "UTFALL 2019": one cell from each row
        ("Finnveden", "Kvinnor", "share_by_sex", 47),  # Fördelning
        ("Höglandet", "Män", "unique_persons", 34),  # Antal unika
        ("Riket", "Totalt", "unique_persons", 11469),
        ("Höglandet", "Män", "share_under_30", 94),  # Andel yngre än 30 år vid start
        ("Finnveden", "Kvinnor", "share_support_over_3_years", 57),  # ... mer än 3 år vid start
        ("Länet", "Män", "share_support_over_3_years", 38),
        ("Höglandet", "Totalt", "share_compulsory_or_less", 45),  # grundskoleexamen som högst
        ("Södra Vätterbygden", "Män", "share_post_secondary", 27),  # eftergymnasial utbildning
        ("Höglandet", "Totalt", "share_post_secondary", 1),
        ("Södra Vätterbygden", "Totalt", "mean_enrolment_days", 427),  # inskrivningstid i dagar
        ("Riket", "Män", "mean_enrolment_days", 283),
        ("Länet", "Män", "work_count", 53),  # Antal i förvärsarbete
        ("Finnveden", "Män", "work_fte", 16.5),  # ... motsvarande antal heltidsarbeten
        ("Riket", "Totalt", "work_fte", 1758.0),
        ("Riket", "Kvinnor", "work_fte", 784),
        ("Finnveden", "Män", "work_share", 73),  # Andel i förvärsarbete
        ("Riket", "Totalt", "work_share", 17),
        ("Riket", "Totalt", "work_or_studies_count", 3412),  # Antal i ... och/eller studier
        ("Länet", "Totalt", "work_or_studies_fte", 78.5),  # ... och/eller studier, heltidsarbeten
        ("Riket", "Totalt", "work_or_studies_fte", 2978),
        ("Riket", "Män", "work_or_studies_gained_count", 1337),  # fått eller ökat omfattning
        ("Höglandet", "Totalt", "work_or_studies_gained_count", 25),
    ],
)
def test_utfall_cells(utfall, area, sex, key, expected):
    assert cell(utfall, area=area, sex=sex, indicator_key=key) == expected


def test_utfall_printed_oddities(utfall):
    # seed 001, "UTFALL 2019", eftergymnasial utbildning: Finnveden Kvinnor and Höglandet Män
    # are empty in the print
    post = utfall[utfall["indicator_key"] == "share_post_secondary"]
    post = post.set_index(["area", "sex"])["value"]
    assert post.isna().sum() == 2
    assert post.isna()[("Finnveden", "Kvinnor")] and post.isna()[("Höglandet", "Män")]
    # seed 001, "UTFALL 2019", Riket, heltidsarbeten: Män printed 9744,0 although Totalt is 1758,0
    assert cell(utfall, area="Riket", sex="Män", indicator_key="work_fte") == 9744.0
    # seed 001, "UTFALL 2019", Höglandet, arbete och/eller studier heltidsarbeten: Totalt 28,4
    # although Kvinnor 9,5 + Män 15,3 = 24,8
    assert cell(utfall, area="Höglandet", sex="Totalt", indicator_key="work_or_studies_fte") == 28.4


@pytest.mark.parametrize("key", COUNT_KEYS)
def test_utfall_counts_add_up(utfall, key):
    # seed 001, "UTFALL 2019": every count row has Kvinnor + Män = Totalt, and
    # Länet = Södra Vätterbygden + Finnveden + Höglandet for each sex (holds in the print)
    for area in AREAS:
        w, m, t = (
            cell(utfall, area=area, sex=s, indicator_key=key) for s in ("Kvinnor", "Män", "Totalt")
        )
        assert w + m == t, (key, area)
    for sex in SEXES:
        parts = sum(cell(utfall, area=a, sex=sex, indicator_key=key) for a in ASSOCIATIONS)
        assert parts == cell(utfall, area="Länet", sex=sex, indicator_key=key), (key, sex)


def test_utfall_fte_do_not_all_add_up(utfall):
    # seed 001, "UTFALL 2019": the full-time-equivalent rows add up except where the print errs
    def fte(area, sex, key):
        return cell(utfall, area=area, sex=sex, indicator_key=key)

    def women_plus_men(area, key):
        return fte(area, "Kvinnor", key) + fte(area, "Män", key)

    assert women_plus_men("Södra Vätterbygden", "work_fte") == pytest.approx(21.2)
    assert women_plus_men("Riket", "work_fte") != pytest.approx(1758.0)  # 784 + 9744,0
    assert women_plus_men("Höglandet", "work_or_studies_fte") == pytest.approx(24.8)  # not 28,4


def test_utfall_shares_by_sex(utfall):
    # seed 001, "UTFALL 2019", Fördelning: Totalt is 100 % and Kvinnor + Män = 100 % in every area
    for area in AREAS:
        assert cell(utfall, area=area, sex="Totalt", indicator_key="share_by_sex") == 100
        w = cell(utfall, area=area, sex="Kvinnor", indicator_key="share_by_sex")
        m = cell(utfall, area=area, sex="Män", indicator_key="share_by_sex")
        assert w + m == 100, area


# ---------------------------------------------------------------- §3.4 participants by sex
def test_participants_by_sex():
    df = read_published("seed001_participants_by_sex_2019.csv")
    assert len(df) == 9
    # seed 001, §3.4 "Deltagare i individinriktade insatser fördelat på förbund 2019"
    assert cell(df, association="Södra Vätterbygden", indicator_key="participants") == 170
    assert cell(df, association="Finnveden", indicator_key="participants") == 200
    assert cell(df, association="Höglandet", indicator_key="participants") == 202
    assert cell(df, association="Södra Vätterbygden", sex="Kvinnor") == 55
    assert cell(df, association="Finnveden", sex="Män") == 49
    assert cell(df, association="Höglandet", sex="Kvinnor") == 40
    assert cell(df, association="Höglandet", sex="Män") == 60
    for a in ASSOCIATIONS:
        assert cell(df, association=a, sex="Kvinnor") + cell(df, association=a, sex="Män") == 100


# ---------------------------------------------------------------- §3.3 Bokslut 2019
def test_bokslut():
    df = read_published("seed001_bokslut_2019.csv")
    assert len(df) == 5 * 4
    assert set(df["association"]) == {*ASSOCIATIONS, "Totalt"}
    # seed 001, §3.3 "Bokslut 2019" (tkr)
    assert cell(df, association="Höglandet", line_key="total_revenue") == 6423
    assert cell(df, association="Södra Vätterbygden", line_key="total_costs") == 8151
    assert cell(df, association="Finnveden", line="Årets resultat") == -480
    assert cell(df, association="Totalt", line_key="result") == -1842
    assert cell(df, association="Finnveden", line_key="equity") == 1690
    assert cell(df, association="Totalt", line_key="equity") == 3246
    # seed 001, §3.3 "Bokslut 2019": Eget kapital i andel av summa intäkter 9 %, 14 %, 33 %, 17 %
    shares = [
        cell(df, association=a, line_key="equity_share_of_revenue")
        for a in ["Höglandet", "Södra Vätterbygden", "Finnveden", "Totalt"]
    ]
    assert shares == [9, 14, 33, 17]
    # the print is consistent: Totalt = sum, resultat = intäkter - kostnader
    for key in ["total_revenue", "total_costs", "result", "equity"]:
        parts = sum(cell(df, association=a, line_key=key) for a in ASSOCIATIONS)
        assert parts == cell(df, association="Totalt", line_key=key)
    for a in [*ASSOCIATIONS, "Totalt"]:
        revenue = cell(df, association=a, line_key="total_revenue")
        costs = cell(df, association=a, line_key="total_costs")
        assert revenue - costs == cell(df, association=a, line_key="result")


# ---------------------------------------------------------------- §3.3 state allocation
def test_allocation():
    df = read_published("seed001_allocation_2019.csv")
    assert len(df) == 9

    # seed 001, §3.3 text: 32 kr per invånare (16-64 år) Södra Vätterbygden, 58 Finnveden,
    # 61 Högländet
    def get(association, key):
        return cell(df, association=association, indicator_key=key)

    per_inh = {a: get(a, "state_allocation_per_inhabitant_16_64") for a in ASSOCIATIONS}
    assert per_inh == {"Södra Vätterbygden": 32, "Finnveden": 58, "Höglandet": 61}
    # seed 001, §3.3 text: Finnveden hela anslaget (2 570 000 kr), Högländet 80 % (3 205 000 kr),
    # Södra Vätterbygden 55 % (3 036 000 kr)
    assert get("Finnveden", "state_allocation_utilisation") == 100
    assert get("Höglandet", "state_allocation_utilisation") == 80
    assert get("Södra Vätterbygden", "state_allocation_utilisation") == 55
    assert get("Finnveden", "state_allocation_amount") == 2_570_000
    assert get("Höglandet", "state_allocation_amount") == 3_205_000
    assert get("Södra Vätterbygden", "state_allocation_amount") == 3_036_000


# ---------------------------------------------------------------- §3.2 administration
def test_administration():
    df = read_published("seed001_administration_2019.csv")
    assert len(df) == 12
    # seed 001, §3.2: total 20,4 mnkr, of which administration 3,4 mnkr = 16 procent
    assert cell(df, scope="Alla tre förbund", indicator_key="total_costs") == 20.4
    assert cell(df, scope="Alla tre förbund", indicator_key="admin_costs") == 3.4
    assert cell(df, scope="Alla tre förbund", indicator_key="admin_cost_share") == 16
    # seed 001, §3.2: Finnveden köper 45 procent av förbundschefstjänsten och 25 procent av
    # förbundssekreteraren
    assert cell(df, scope="Finnveden", indicator_key="director_post_share_bought") == 45
    assert cell(df, scope="Finnveden", indicator_key="secretary_post_share_bought") == 25
    # seed 001, §3.2 "Ekonomi- och lönehantering": ca 81 000 kr vardera, ca 400 fakturor
    for a in ASSOCIATIONS:
        assert cell(df, scope=a, indicator_key="finance_payroll_service_fee") == 81_000
    assert cell(df, scope="Alla tre förbund", indicator_key="supplier_invoices") == 400


# ---------------------------------------------------------------- figures in the running text
def test_text_figures():
    df = read_published("seed001_text_figures.csv")
    assert len(df) == 29

    def get(key, table_prefix=None):
        rows = df if table_prefix is None else df[df["table"].str.startswith(table_prefix)]
        return cell(rows, indicator_key=key)

    # seed 001, §2.5: staten 339 miljoner kronor, grundbidrag 400 000 kr, 10-procents spärr
    assert get("state_funds_total") == 339
    assert get("base_grant_per_association", "2.5") == 400_000
    assert get("max_yearly_decrease") == 10
    # seed 001, §8.2: 400 tkr, 75 procent försörjningsmått, 25 procent invånarantal (16-64 år)
    assert get("base_grant_per_association", "8.2") == 400
    assert get("allocation_key_support_measure") + get("allocation_key_population_16_64") == 100
    # seed 001, §2.7 "Rekommendation angående storlek på eget kapital": 20 % upp till 7 miljoner
    assert get("equity_recommended_share_step1") == 20
    assert get("equity_step1_turnover_ceiling") == 7
    # seed 001, §2.3 and §2.4: 1 138 insatser (53 % / 47 %), 80 förbund, 269 av 290 kommuner
    assert get("interventions_2019") == 1138
    assert get("share_individual_interventions_2019") == 53
    assert get("share_structural_interventions_2019") == 47
    assert get("associations_end_2019") == 80
    assert (get("kommuner_covered"), get("kommuner_total")) == (269, 290)
    # seed 001, Bilaga 2: 28 500 deltagare 2017
    assert get("participants_2017") == 28_500
