"""Check the transcription of seed 000 (Region Sörmland, Uppföljning Samordningsförbundet RAR i Sörmland,
2021-11-08, RS-LED21-3052-1).

Every expected value below is read off /work/shared/seeds/000_bec23146d4ab8d82.txt; the comment
above each block says where. Figures are kept as printed: where the print disagrees with itself
the tests assert the disagreement, so that a silent "correction" fails.
"""

from __future__ import annotations

import pytest

from .conftest import PUBLISHED, UNITS, cell

SOURCE = "000_bec23146d4ab8d82.txt"
FILES = {
    "seed000_supply_before_after_2021.csv": [
        "cohort",
        "category",
        "category_key",
        "measure",
        "direction",
    ],
    "seed000_participants_2021.csv": ["programme", "measure", "measure_key", "year"],
    "seed000_savings_flat_rate_2021.csv": [
        "programme",
        "persons",
        "measure",
        "measure_key",
        "years",
    ],
    "seed000_region_insatser_2019_2021.csv": [
        "insats",
        "insats_type",
        "region_role",
        "measure",
        "measure_key",
        "period",
    ],
    "seed000_finances.csv": ["measure", "measure_key", "period"],
    "seed000_genomlysning_2020.csv": ["measure", "measure_key", "period"],
    "seed000_organisation_facts.csv": ["measure", "measure_key", "period"],
}
RAR = "Individinriktade RAR-finansierade insatser"
ESF = "Individinriktade ESF-projekt (Likes och KLARA)"


@pytest.mark.parametrize("name", sorted(FILES))
def test_format(published, name):
    df = published(name)
    dims = FILES[name]
    assert list(df.columns) == ["source", "table", *dims, "value", "unit", "note"]
    assert (df["source"] == SOURCE).all()
    assert set(df["unit"]) <= UNITS
    assert df["value"].notna().all()
    assert not df.duplicated(["table", *dims]).any()
    assert not (PUBLISHED / name).read_bytes().startswith(b"\xef\xbb\xbf")


def test_supply_before_after_bild2(published):
    df = published("seed000_supply_before_after_2021.csv")
    # seed 000, "Uppföljning och resultat av samtliga individriktade RAR-finansierade insatser 2021", Bild 2:
    # "andelen som erhåller försörjningsstöd minskat med drygt 20%, ... utan offentlig försörjning ökat med ca 10%"
    assert (
        cell(df, category_key="social_assistance", measure="change_in_share", direction="minskat")
        == 20
    )
    assert (
        cell(df, category_key="no_public_support", measure="change_in_share", direction="ökat")
        == 10
    )
    assert cell(df, category="Försörjningsstöd", measure="change_in_share") == 20
    # the cohort: 156 registered as ended in 2021
    assert cell(df, category_key="all", measure="ended_participants") == 156


def test_participants_rar_2021(published):
    df = published("seed000_participants_2021.csv")
    # seed 000, same section: 263 registered, 156 ended, 60 to work or studies = 38 %, "resterande 165", 113 kvar
    assert cell(df, programme=RAR, measure_key="registered_participants") == 263
    assert cell(df, programme=RAR, measure_key="ended_participants") == 156
    assert cell(df, programme=RAR, measure_key="ended_to_work_or_studies") == 60
    assert cell(df, programme=RAR, measure_key="share_ended_to_work_or_studies") == 38
    assert round(100 * 60 / 156) == 38
    assert cell(df, programme=RAR, measure_key="still_in_intervention") == 113
    # printed "Av de resterande 165": not 263 - 156 = 107; kept as printed
    assert cell(df, programme=RAR, measure_key="remaining_participants") == 165
    assert cell(df, programme=RAR, measure_key="remaining_participants") != 263 - 156


def test_participants_esf_and_structural_2021(published):
    df = published("seed000_participants_2021.csv")
    # seed 000, "Uppföljning och resultat av samtliga individriktade ESF-insatser 2021": 246 in, 179 ended, 63 = 35 %
    assert cell(df, programme=ESF, measure_key="enrolled_participants") == 246
    assert cell(df, programme=ESF, measure_key="ended_participants") == 179
    assert cell(df, programme=ESF, measure_key="ended_to_work_or_studies") == 63
    assert cell(df, programme=ESF, measure_key="share_ended_to_work_or_studies") == 35
    assert round(100 * 63 / 179) == 35
    # seed 000, "Uppföljning och resultat för strukturövergripande insatser 2021": "minst 560 personer"
    assert cell(df, measure_key="lecture_and_training_attendees") == 560


def test_savings_bild1_bild3(published):
    df = published("seed000_savings_flat_rate_2021.csv")
    key = "saving_continued_full_time_work"
    # seed 000, Bild 1 "Besparing fortsatt heltidsarbete, Mkr": 1 år 8,5; 5 år 42,6; 10 år 85,2 (60 personer)
    assert [cell(df, programme=RAR, measure_key=key, years=y) for y in (1, 5, 10)] == [
        8.5,
        42.6,
        85.2,
    ]
    # seed 000, Bild 3: 1 år 8,9; 5 år 44,7; 10 år 89,5 (63 personer)
    assert [cell(df, programme=ESF, measure_key=key, years=y) for y in (1, 5, 10)] == [
        8.9,
        44.7,
        89.5,
    ]
    # schablonbelopp 142 000 per individ och år; here the printed figures agree with persons x 142 000 x years
    rate = cell(df, measure_key="flat_rate_public_support_per_person_year")
    assert rate == 142000
    for prog, persons in [(RAR, 60), (ESF, 63)]:
        for y in (1, 5, 10):
            printed = cell(df, programme=prog, persons=persons, measure_key=key, years=y)
            assert round(persons * rate * y / 1e6, 1) == printed


def test_region_insatser_cells(published):
    df = published("seed000_region_insatser_2019_2021.csv")
    # seed 000, "RAR-finansierade insatser samt ESF-projekt som Region Sörmland deltagit i åren 2019 – 2021"
    assert (
        cell(df, insats="TUNA (Träning, Utveckling, Nära, Arbetslivet)", measure_key="funding")
        == 23.8
    )
    assert (
        cell(
            df,
            insats="TUNA (Träning, Utveckling, Nära, Arbetslivet)",
            measure_key="participants_total",
        )
        == 1190
    )
    assert (
        cell(
            df,
            insats="TUNA (Träning, Utveckling, Nära, Arbetslivet)",
            measure_key="payback_time_region",
        )
        == 3
    )
    assert cell(df, insats="VIVA (Vinka In VuxnA)", measure_key="funding") == 0.95
    assert cell(df, insats="Långa Sjukfall", measure_key="participants") == 627
    assert cell(df, insats="Långa Sjukfall", measure_key="ended_sickness_benefit_case") == 197
    # SIKTA: 102 took part, 42 ended, 60 remain; of the 42, 4 to work or studies, 36 to further rehabilitation
    sikta = "SIKTA (Samordnad Insats Koordinering Träning Arbete)"
    assert cell(df, insats=sikta, measure_key="participants") == 102
    assert (
        cell(df, insats=sikta, measure_key="ended_participants")
        + cell(df, insats=sikta, measure_key="still_in_intervention")
    ) == 102
    # SLUSSEN: 22 took part, 16 ended (6 to work or studies), 6 remain; "60%" fullföljt as printed
    assert cell(df, insats="SLUSSEN", measure_key="participants") == 22
    assert cell(df, insats="SLUSSEN", measure_key="ended_participants") == 16
    assert cell(df, insats="SLUSSEN", measure_key="share_completed") == 60
    # Unga på väg: 34 identified; 9 short courses, 5 vocational training, 5 work
    assert cell(df, insats="Unga på väg", measure_key="participants_identified") == 34
    assert cell(df, insats="#KlarFramtid", measure_key="esf_funding") == 23.3


def test_region_insatser_against_section_totals(published):
    ins = published("seed000_region_insatser_2019_2021.csv")
    fin = published("seed000_finances.csv")
    # seed 000, same section: "10 RAR insatser och 2 ESF-projekt ... av förbundet med 23,45 mnkr och av ESF medel om 26,4 mnkr"
    rar = ins[ins["insats_type"].str.contains("RAR-insats")]
    esf = ins[ins["insats_type"].str.contains("ESF")]
    assert rar["insats"].nunique() == cell(fin, measure_key="rar_interventions_with_region") == 10
    assert esf["insats"].nunique() == cell(fin, measure_key="esf_projects_with_region") == 2
    # ESF money in 2019-2021: 3,1 (Hälsofrämjande etablering, 2019-2020) + 23,3 (#KlarFramtid) = 26,4
    esf_money = cell(
        ins, insats="Hälsofrämjande etablering", measure_key="esf_funding_part"
    ) + cell(ins, insats="#KlarFramtid", measure_key="esf_funding")
    assert round(esf_money, 2) == cell(fin, measure_key="esf_funding_projects_with_region") == 26.4
    # RAR money in 2019-2021 (the "varav" part where one is printed): 23,44, printed total 23,45 (kept)
    per_insats = 0.0
    for _name, group in rar.groupby("insats"):
        part = group[group["measure_key"] == "funding_part"]
        per_insats += float(
            (part if len(part) else group[group["measure_key"] == "funding"])["value"].iloc[0]
        )
    assert round(per_insats, 2) == 23.44
    assert cell(fin, measure_key="rar_funding_interventions_with_region") == 23.45


def test_finances(published):
    df = published("seed000_finances.csv")
    # seed 000, "Finansiering": Af and FK half, kommuner and region a quarter each; region 4 mnkr årligen
    shares = [
        "state_share_of_contributions",
        "kommuner_share_of_contributions",
        "region_share_of_contributions",
    ]
    assert [cell(df, measure_key=k) for k in shares] == [50, 25, 25]
    assert cell(df, measure_key="region_contribution_per_year") == 4
    # seed 000, "RAR-finansierade insatser samt ESF-projekt ...": region financed 12 mnkr in 2019-2021 (3 x 4)
    assert cell(df, measure_key="region_contribution_total", period="2019-2021") == 12
    # seed 000, "Årsbokslut 2021": result -2,7 mnr, equity ca 2,9 mkr, 28 mkr granted 2021-2023, ca 17 mkr outstanding
    assert cell(df, measure_key="result", period="2021") == -2.7
    assert cell(df, measure_key="equity_closing", period="2021") == 2.9
    assert cell(df, measure_key="granted_2021_2023") == 28
    assert cell(df, measure_key="granted_outstanding") == 17
    # seed 000, "Målformuleringar och utfall ..." 2021: recommended ceiling 2,6 mnkr "i princip uppfyllt";
    # as printed the closing equity (2,9) is above the ceiling
    assert cell(df, measure_key="equity_ceiling_recommended") == 2.6
    assert cell(df, measure_key="equity_closing") > cell(
        df, measure_key="equity_ceiling_recommended"
    )
    # seed 000, "Uppdrag": ÖMS socialfond 880 mnkr 2014-2020, 210 mnkr to Sörmland
    assert cell(df, measure_key="esf_budget_oms") == 880
    assert cell(df, measure_key="esf_funds_sormland") == 210
    # seed 000, "Mål och inriktningsplan 2022-2026": 75 % / 25 %
    assert (
        cell(df, measure_key="share_long_term_countywide")
        + cell(df, measure_key="share_shorter_interventions")
        == 100
    )


def test_genomlysning_2020(published):
    df = published("seed000_genomlysning_2020.csv")
    # seed 000, "Ur genomlysning av Samordningsförbundet RAR Sörmland, slutrapport april 2020"
    assert cell(df, measure_key="interventions_financed", period="2014-2019") == 56
    assert cell(df, measure_key="interventions_cost", period="2014-2019") == 70.2
    assert cell(df, measure_key="esf_funding_granted") == 100
    assert cell(df, measure_key="sus_registered_participants", period="2016-2019") == 511
    # payback 24 (best) to 49 (worst) months, mean 33; Tranquist meta-study average 12
    assert cell(df, measure_key="payback_time_society_best") == 24
    assert cell(df, measure_key="payback_time_society_worst") == 49
    assert cell(df, measure_key="payback_time_society_mean") == 33
    assert cell(df, measure_key="payback_time_meta_study_mean") == 12


def test_organisation_facts(published):
    df = published("seed000_organisation_facts.csv")
    # seed 000, "Omvärldsfaktorer": "ett 80-tal samordningsförbund", 90 % of kommuner
    assert cell(df, measure_key="number_of_associations") == 80
    assert cell(df, measure_key="share_kommuner_in_association") == 90
    # seed 000, "Nationella nätverket ... (NNS)": 39 förbund, 3 759 svar in the 2021 report
    assert cell(df, measure_key="nns_survey_responses") == 3759
    # seed 000, "Samordningsförbundet RAR i Sörmland": 12 + 12 in the board, kansli of 6, 3 LSG
    assert cell(df, measure_key="board_members") == 12
    assert cell(df, measure_key="office_staff") == 6
    # seed 000, "Genomförda och pågående utvecklingsinsatser sedan 2019": LSG from 6 to 3
    assert cell(df, measure_key="local_cooperation_groups_before", period="2019-2021") == 6
    assert cell(df, measure_key="local_cooperation_groups_after", period="2019-2021") == 3
    # seed 000, "Målformuleringar och utfall ...": ESF applications granted 3 (2019) and 5 (2020)
    assert cell(df, measure_key="esf_applications_granted", period=2019) == 3
    assert cell(df, measure_key="esf_applications_granted", period=2020) == 5
