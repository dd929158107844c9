"""Check the transcriptions of seed 003 (Genomlysning av Samordningsförbundet RAR Sörmland,
Tranquist Utvärdering & Payoff, 2020) against the printed figures.

Every expected value below is copied from the seed text, not computed: the tables are
transcribed as printed, inconsistencies included. Each case is (where, expected value).
"""

from __future__ import annotations

import pytest

from .conftest import UNITS, cell

SOURCE = "003_9bccd6897a9e149e.txt"
FILES = {
    "seed003_table1_count_by_owner.csv": ["owner"],
    "seed003_table2_money_by_owner.csv": ["owner"],
    "seed003_table3_mean_by_owner.csv": ["owner"],
    "seed003_table4_count_by_target_group.csv": ["target_group"],
    "seed003_table5_money_by_target_group.csv": ["target_group"],
    "seed003_table6_process_and_esf_support.csv": ["item"],
    "seed003_sus_ended_per_year.csv": ["year", "measure"],
    "seed003_profitability.csv": ["year", "actor", "actor_key", "measure", "measure_label"],
    "seed003_esf_projects.csv": ["project", "group", "outcome", "outcome_key"],
    "seed003_break_even.csv": ["scenario", "scenario_key", "measure"],
    "seed003_key_figures.csv": ["indicator", "indicator_key"],
}


def check(df, cases):
    for where, expected in cases:
        assert cell(df, **where) == pytest.approx(expected), where


@pytest.mark.parametrize("name", sorted(FILES))
def test_format(published, name):
    df = published(name)
    dims = FILES[name]
    assert list(df.columns) == ["source", "table", *dims, "value", "unit", "note"]
    assert set(df["source"]) == {SOURCE}
    assert set(df["unit"]) <= UNITS
    # one row per published cell: the table and the dimension columns identify a row
    keys = [c for c in ["table", *dims] if c != "measure_label"]
    assert not df.duplicated(keys).any()


def test_table1_count_by_owner(published):
    df = published("seed003_table1_count_by_owner.csv")
    # seed 003, Tabell 1: Kommun Region Af Fk LSG Ej definierad Övrigt = 5/0/1/0/17/30/4 st
    check(df, [
        ({"owner": "Kommun"}, 5),
        ({"owner": "Region"}, 0),
        ({"owner": "Af"}, 1),
        ({"owner": "LSG"}, 17),
        ({"owner": "Ej definierad"}, 30),  # the text says 32; the table prints 30
        ({"owner": "Övrigt"}, 4),
    ])  # fmt: skip
    # as printed the counts sum to 57, not to the 56 insatser of §2.1.2
    assert df["value"].sum() == 57


def test_table2_money_by_owner(published):
    df = published("seed003_table2_money_by_owner.csv")
    # seed 003, Tabell 2: 4,3 / 0 / 1,4 / 0 / 43 / 20,2 / 1,3 mkr
    check(df, [
        ({"owner": "Kommun"}, 4.3),
        ({"owner": "Af"}, 1.4),
        ({"owner": "Fk"}, 0),
        ({"owner": "LSG"}, 43),
        ({"owner": "Ej definierad"}, 20.2),
        ({"owner": "Övrigt"}, 1.3),
    ])  # fmt: skip
    # holds in print: the owners sum to the 70,2 mkr of §2.1.2
    assert df["value"].sum() == pytest.approx(70.2)
    assert set(df["unit"]) == {"mkr"}


def test_table3_mean_by_owner(published):
    df = published("seed003_table3_mean_by_owner.csv")
    # seed 003, Tabell 3: 0,7 / 0 / 1,4 / 0 / 2,5 / 0,7 / 0,3 mkr
    check(df, [
        ({"owner": "Kommun"}, 0.7),  # printed 0,7 though Tabell 2 / Tabell 1 = 4,3/5 = 0,86
        ({"owner": "Af"}, 1.4),
        ({"owner": "LSG"}, 2.5),
        ({"owner": "Ej definierad"}, 0.7),
        ({"owner": "Övrigt"}, 0.3),
    ])  # fmt: skip


def test_table4_count_by_target_group(published):
    df = published("seed003_table4_count_by_target_group.csv")
    # seed 003, Tabell 4: 3 / 10 / 5 / 2 / 36 st
    check(df, [
        ({"target_group": "Långvarigt bidragsberoende"}, 3),
        ({"target_group": "Personal och beslutsfattare"}, 10),
        ({"target_group": "Psykisk ohälsa"}, 5),
        ({"target_group": "Unga"}, 2),
        ({"target_group": "Ej definierad"}, 36),
    ])  # fmt: skip
    # holds in print: 56 insatser
    assert df["value"].sum() == 56


def test_table5_money_by_target_group(published):
    df = published("seed003_table5_money_by_target_group.csv")
    # seed 003, Tabell 5: 3,3 / 21,4 / 14,9 / 5,0 / 28,2 mkr
    check(df, [
        ({"target_group": "Långvarigt bidragsberoende"}, 3.3),
        ({"target_group": "Personal och beslutsfattare"}, 21.4),
        ({"target_group": "Psykisk ohälsa"}, 14.9),
        ({"target_group": "Unga"}, 5.0),
        ({"target_group": "Ej definierad"}, 28.2),
    ])  # fmt: skip
    # seed 003, §2.1.2.2: the two largest together 49,6 mkr (holds in print)
    two = df[df["target_group"].isin(["Personal och beslutsfattare", "Ej definierad"])]
    assert two["value"].sum() == pytest.approx(49.6)


def test_table6_process_and_esf_support(published):
    df = published("seed003_table6_process_and_esf_support.csv")
    # seed 003, Tabell 6: Processledare 14,2 mkr, Stöd till ESF-projekt 11.8 mkr, Totalt 26 mkr
    check(df, [
        ({"item": "Processledare"}, 14.2),
        ({"item": "Stöd till ESF-projekt"}, 11.8),
        ({"item": "Totalt"}, 26),
    ])  # fmt: skip
    parts = df[df["item"] != "Totalt"]
    assert parts["value"].sum() == pytest.approx(cell(df, item="Totalt"))


def test_sus_ended_per_year(published):
    df = published("seed003_sus_ended_per_year.csv")
    m = "ended_participants"
    check(df, [
        # seed 003, §2.1.10: 2016: 42, 2017: 140, 2018: 263, 2019: 66 deltagare
        ({"year": 2016, "measure": m}, 42),
        ({"year": 2017, "measure": m}, 140),
        ({"year": 2018, "measure": m}, 263),
        ({"year": 2019, "measure": m}, 66),
        # seed 003, Sammanfattning: 511 individer 2016–2019; none registered in 2014–2015
        ({"year": "2016–2019", "measure": m}, 511),
        ({"year": "2014–2015", "measure": m}, 0),
    ])  # fmt: skip
    years = df[df["year"].isin(["2016", "2017", "2018", "2019"])]
    assert years["value"].sum() == 511


def test_revenue_tables(published):
    df = published("seed003_profitability.csv")
    rs, rp, rm = (
        "revenue_short_term",
        "revenue_per_participant_short_term",
        "revenue_medium_term",
    )
    check(df, [
        # seed 003, Tabell 7 (2016): Samhället 1 540 000 / 37 000 / 7 698 000 kr
        ({"table": "Tabell 7", "actor_key": "society", "measure": rs}, 1_540_000),
        ({"table": "Tabell 7", "actor_key": "society", "measure": rp}, 37_000),
        ({"table": "Tabell 7", "actor_key": "society", "measure": rm}, 7_698_000),
        # seed 003, Tabell 7: Regionen medellång sikt 521 000 kr
        ({"table": "Tabell 7", "actor": "Regionen", "measure": rm}, 521_000),
        # seed 003, Tabell 9 (2017): Staten totalt 3 152 000 / 23 000 / 15 759 000 kr
        ({"table": "Tabell 9", "actor": "Staten totalt", "measure": rs}, 3_152_000),
        ({"table": "Tabell 9", "actor": "Staten totalt", "measure": rp}, 23_000),
        ({"table": "Tabell 9", "actor": "Staten totalt", "measure": rm}, 15_759_000),
        # seed 003, Tabell 11 (2018): Kommunen 1 488 000 kr, medellång sikt 7 439 000 kr
        ({"table": "Tabell 11", "actor": "Kommunen", "measure": rs}, 1_488_000),
        ({"table": "Tabell 11", "actor": "Kommunen", "measure": rm}, 7_439_000),
        # seed 003, Tabell 13 (2019): Samhället 2 642 000 kr, per deltagare 40 000 kr
        ({"table": "Tabell 13", "actor_key": "society", "measure": rs}, 2_642_000),
        ({"table": "Tabell 13", "actor_key": "society", "measure": rp}, 40_000),
        ({"table": "Tabell 13", "year": 2019, "actor": "Regionen", "measure": rm}, 332_000),
    ])  # fmt: skip
    # the intäkt tables print society, kommun, region and state only
    rev = df[df["measure"].str.startswith("revenue")]
    assert set(rev["actor_key"]) == {"society", "kommun", "region", "state"}
    assert len(rev) == 4 * 4 * 3


def test_result_tables(published):
    df = published("seed003_profitability.csv")
    rs, rm, ps, pm, pb = (
        "result_short_term",
        "result_medium_term",
        "result_per_participant_short_term",
        "result_per_participant_medium_term",
        "payback_months",
    )
    check(df, [
        # seed 003, Tabell 8 (2016): Samhället -1 803 000 / 4 355 000 / -43 000 / 27 / 104 000
        ({"table": "Tabell 8", "actor": "Samhället", "measure": rs}, -1_803_000),
        ({"table": "Tabell 8", "actor": "Samhället", "measure": rm}, 4_355_000),
        ({"table": "Tabell 8", "actor": "Samhället", "measure": ps}, -43_000),
        ({"table": "Tabell 8", "actor": "Samhället", "measure": pb}, 27),
        ({"table": "Tabell 8", "actor": "Samhället", "measure": pm}, 104_000),
        # seed 003, Tabell 8: Varav Af medellång sikt -4 923 000; Staten totalt -1 298 000
        ({"table": "Tabell 8", "actor": "Varav Af", "measure": rm}, -4_923_000),
        ({"table": "Tabell 8", "actor": "Staten totalt", "measure": rm}, -1_298_000),
        # seed 003, Tabell 10 (2017): Regionen payoff-tid 374; Varav Fk 196 000 / 9 938 000
        ({"table": "Tabell 10", "actor": "Regionen", "measure": pb}, 374),
        ({"table": "Tabell 10", "actor": "Varav Fk", "measure": rs}, 196_000),
        ({"table": "Tabell 10", "actor": "Varav Fk", "measure": rm}, 9_938_000),
        # seed 003, Tabell 12 (2018): row label 'Samhälle' -15 698 000, payoff-tid 49; FK
        ({"table": "Tabell 12", "actor": "Samhälle", "measure": rs}, -15_698_000),
        ({"table": "Tabell 12", "actor_key": "society", "measure": pb}, 49),
        ({"table": "Tabell 12", "actor": "FK", "measure": rm}, -8_378_000),
        # seed 003, Tabell 14 (2019): Staten totalt 5 805 000, payoff-tid 22; Af 33; Kommunen
        ({"table": "Tabell 14", "actor": "Staten totalt", "measure": rm}, 5_805_000),
        ({"table": "Tabell 14", "actor": "Staten totalt", "measure": pb}, 22),
        ({"table": "Tabell 14", "actor": "Af", "measure": pb}, 33),
        ({"table": "Tabell 14", "actor": "Kommunen", "measure": ps}, -12_000),
    ])  # fmt: skip
    # seed 003, Tabell 8, 10, 12: Af payoff-tid printed '---' -> empty value
    for table in ["Tabell 8", "Tabell 10", "Tabell 12"]:
        af = df[(df["table"] == table) & (df["actor_key"] == "af") & (df["measure"] == pb)]
        assert len(af) == 1 and af["value"].isna().all()
    # the lönsamhet tables print six actors x five columns each
    for table in ["Tabell 8", "Tabell 10", "Tabell 12", "Tabell 14"]:
        assert len(df[df["table"] == table]) == 6 * 5


def test_table15_payback(published):
    df = published("seed003_profitability.csv")
    t15 = df[df["table"] == "Tabell 15"]
    check(t15, [
        # seed 003, Tabell 15: Samhället 27 32 49 24, Medelvärde 33
        ({"actor": "Samhället", "year": 2016}, 27),
        ({"actor": "Samhället", "year": 2018}, 49),
        ({"actor": "Samhället", "year": "Medelvärde"}, 33),
        # seed 003, Tabell 15: Regionen 78 374 155 192, Medelvärde 200
        ({"actor": "Regionen", "year": 2017}, 374),
        ({"actor": "Regionen", "year": "Medelvärde"}, 200),
        # seed 003, Tabell 15: Staten totalt Medelvärde 89; FK 2017: 12
        ({"actor": "Staten totalt", "year": "Medelvärde"}, 89),
        ({"actor": "FK", "year": 2017}, 12),
    ])  # fmt: skip
    # seed 003, Tabell 15: Af '---' 2016–2018, 33 in 2019, no mean printed for Af
    af = t15[t15["actor"] == "Af"].set_index("year")["value"]
    assert af.isna().sum() == 4 and af["2019"] == 33
    # holds in print: Tabell 15 repeats the Payoff-tid column of Tabell 8, 10, 12 and 14
    pairs = [("Tabell 8", 2016), ("Tabell 10", 2017), ("Tabell 12", 2018), ("Tabell 14", 2019)]
    for table, year in pairs:
        per_table = df[(df["table"] == table) & (df["measure"] == "payback_months")]
        summary = t15[t15["year"].astype(str) == str(year)]
        left = per_table.set_index("actor_key")["value"].sort_index()
        right = summary.set_index("actor_key")["value"].sort_index()
        assert left.equals(right), (table, year)


def test_esf_projects(published):
    df = published("seed003_esf_projects.csv")
    ibis, ssi, summ = "2.1.11.1 Projekt IBIS", "2.1.11.2 Projekt SSI", "Sammanfattning"
    check(df, [
        # seed 003, §2.1.11.1: IBIS 21,4 mkr, 647 deltagare, 628 fullföljt, 151 studerar, 484 annat
        ({"table": ibis, "outcome_key": "budget"}, 21.4),
        ({"table": ibis, "outcome_key": "participants"}, 647),
        ({"table": ibis, "outcome_key": "completed"}, 628),
        ({"table": ibis, "outcome_key": "studying"}, 151),
        ({"table": ibis, "outcome_key": "other"}, 484),
        # seed 003, Sammanfattning: IBIS 4 to work, 154 to studies, 10 to praktik/job seeking
        ({"table": summ, "project": "IBIS", "outcome_key": "to_work"}, 4),
        ({"table": summ, "project": "IBIS", "outcome_key": "to_studies"}, 154),
        ({"table": summ, "project": "IBIS", "outcome_key": "to_placement_or_job_seeking"}, 10),
        # seed 003, §2.1.11.2: SSI 11,8 mkr, 60 deltagare, 40 fullföljt, 13 avbrutit, 26 studerar
        ({"table": ssi, "outcome_key": "budget"}, 11.8),
        ({"table": ssi, "outcome_key": "participants"}, 60),
        ({"table": ssi, "outcome_key": "completed"}, 40),
        ({"table": ssi, "outcome_key": "dropped_out"}, 13),
        ({"table": ssi, "outcome_key": "studying"}, 26),
        # seed 003, Sammanfattning: SSI 26 to studies
        ({"table": summ, "project": "SSI", "outcome_key": "to_studies"}, 26),
    ])  # fmt: skip
    for project, total in [("IBIS", 647), ("SSI", 60)]:
        # holds in print: the reasons reported to SCB sum to all participants
        exits = df[(df["project"] == project) & (df["group"] == "reported_to_scb")]
        assert exits["value"].sum() == total
        # as printed, "av de som fullföljt" also sums to all participants, not to those completing
        done = df[(df["project"] == project) & (df["group"] == "of_completed")]
        assert done["value"].sum() == total


def test_break_even(published):
    df = published("seed003_break_even.csv")
    t, full, half, wage = (
        "2.1.12",
        "structural_fulltime",
        "structural_halftime_subsidised",
        "structural_higher_wage",
    )
    check(df, [
        # seed 003, §2.1.12: 57 mkr / ca 500 000 kr per year -> 114 personer
        ({"table": t, "scenario_key": full, "measure": "cost"}, 57),
        ({"table": t, "scenario_key": full, "measure": "annual_value_per_person"}, 500_000),
        ({"table": t, "scenario_key": full, "measure": "persons"}, 114),
        # seed 003, §2.1.12: halvtidsarbete med 80 procent lönesubvention -> ca 850 personer
        ({"table": t, "scenario_key": half, "measure": "persons"}, 850),
        ({"table": t, "scenario_key": half, "measure": "wage_subsidy"}, 80),
        # seed 003, §2.1.12 and footnote 1: +5 000 kr/month (25 000 vs 20 000), ca 100 000 kr/year
        ({"table": t, "scenario_key": wage, "measure": "annual_value_per_person"}, 100_000),
        ({"table": t, "scenario_key": wage, "measure": "persons"}, 580),
        ({"table": t, "scenario_key": wage, "measure": "monthly_wage_with"}, 25_000),
        ({"table": t, "scenario_key": wage, "measure": "monthly_wage_without"}, 20_000),
        # seed 003, §2.1.11.1: IBIS 21,4 mkr, 215 deltagare for one year
        ({"table": "2.1.11.1 Projekt IBIS", "measure": "cost"}, 21.4),
        ({"table": "2.1.11.1 Projekt IBIS", "measure": "persons"}, 215),
        # seed 003, §2.1.11.2: SSI all 40 deltagare for 3 years
        ({"table": "2.1.11.2 Projekt SSI", "measure": "persons"}, 40),
        ({"table": "2.1.11.2 Projekt SSI", "measure": "years"}, 3),
        # seed 003, Sammanfattning: structural break-even 580 personer
        ({"table": "Sammanfattning", "scenario_key": wage, "measure": "persons"}, 580),
    ])  # fmt: skip


def test_key_figures(published):
    df = published("seed003_key_figures.csv")
    check(df, [
        # seed 003, §2.1.2: 56 insatser, 70,2 mkr, ca 57 mkr structural, ca 100 mkr ESF
        ({"indicator_key": "insatser_count"}, 56),
        ({"indicator_key": "insatser_cost"}, 70.2),
        ({"indicator_key": "structural_cost"}, 57),
        ({"indicator_key": "esf_funding"}, 100),
        # seed 003, Sammanfattning: 32 of 56 without huvudman; 511 SUS individuals; 33 months
        ({"indicator_key": "owner_undefined_count"}, 32),
        ({"indicator_key": "sus_individuals"}, 511),
        ({"indicator_key": "society_mean_payback"}, 33),
        # seed 003, Tabell 7 headers: kort sikt (1 år), medellång sikt (5 år)
        ({"indicator_key": "short_term_horizon"}, 1),
        ({"indicator_key": "medium_term_horizon"}, 5),
        # seed 003, §2.1.1: grundtilldelning 400 000 kr; §1.1.2: Finsam 2018 678 miljoner kronor
        ({"indicator_key": "base_allocation"}, 400_000),
        ({"indicator_key": "national_budget_2018"}, 678),
    ])  # fmt: skip
