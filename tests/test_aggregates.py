"""Tables from published aggregate counts: the same computation as from microdata."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finsamlib import FinsamDataError, aggregates, datasets, outcomes, supply
from finsamlib.categories import SUPPORT_CODES

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REGISTRY = pd.DataFrame(
    {
        "association": ["A", "B", "C"],
        "county": ["Länet", "Länet", "Annat län"],
        "kommun_code": ["0001", "0002", "0003"],
    }
)
COLUMNS = [
    "association", "person_id", "sex", "birth_year", "start_date", "end_date", "education",
    "years_public_support_before", "work_extent_before", "work_extent_after",
    "studies_extent_before", "studies_extent_after", "support_before", "support_after",
]  # fmt: skip

row = st.tuples(
    st.sampled_from(["A", "B", "C"]),
    st.sampled_from(["p1", "p2", "p3", "p4", "p5"]),
    st.sampled_from(["K", "M"]),
    st.integers(1950, 2003),
    st.dates(pd.Timestamp("2017-06-01").date(), pd.Timestamp("2019-12-31").date()),
    st.one_of(st.none(), st.integers(0, 700)),
    st.sampled_from(["compulsory_or_less", "upper_secondary", "post_secondary", "unknown"]),
    st.one_of(st.none(), st.floats(0, 20)),
    st.one_of(st.none(), st.sampled_from([0.0, 25.0, 50.0, 100.0])),
    st.one_of(st.none(), st.floats(0, 100)),
    st.one_of(st.none(), st.sampled_from([0.0, 50.0, 100.0])),
    st.one_of(st.none(), st.floats(0, 100)),
    st.one_of(st.none(), st.sampled_from(SUPPORT_CODES)),
    st.sampled_from(SUPPORT_CODES),
)


def participants(rows: list[tuple]) -> pd.DataFrame:
    """Canonical participants from hypothesis rows (an end date = start + days, or ongoing)."""
    records = []
    for a, pid, sex, born, start, days, edu, years, wb, wa, sb, sa, before, after in rows:
        start = pd.Timestamp(start)
        end = start + pd.Timedelta(days=days) if days is not None else pd.NaT
        records.append(
            (a, pid, sex, born, start, end, edu, years, wb, wa, sb, sa, before,
             after if days is not None else None)
        )  # fmt: skip
    df = pd.DataFrame(records, columns=COLUMNS)
    for c in ("start_date", "end_date"):
        df[c] = pd.to_datetime(df[c])
    return df


# --------------------------------------------------------------------------- one computation


@FAST
@given(st.lists(row, min_size=1, max_size=30), st.sampled_from([2018, 2019]))
def test_microdata_to_counts_to_outcome_table_is_the_microdata_table(rows, year) -> None:
    """microdata → aggregate counts → outcome table equals the microdata outcome table, county
    columns included (the aggregate's counties are sums of its associations' counts)."""
    p = participants(rows)
    direct = outcomes.outcome_table(p, year, registry=REGISTRY)
    counts = aggregates.counts_from_microdata(p, year)
    via = aggregates.outcome_table(counts, registry=REGISTRY)
    pd.testing.assert_frame_equal(via, direct, check_exact=False, rtol=1e-12, check_like=False)
    # the counts with the counties already in them give the same table without a registry
    with_counties = aggregates.counts_from_microdata(p, year, registry=REGISTRY)
    pd.testing.assert_frame_equal(
        aggregates.outcome_table(with_counties), direct, check_exact=False, rtol=1e-12
    )
    flows = outcomes.participant_flows(p, year)
    from_counts = aggregates.participant_flows(counts).loc[flows.index.astype(str)]
    np.testing.assert_allclose(from_counts.to_numpy(float), flows.to_numpy(float), rtol=1e-12)


@FAST
@given(st.lists(row, min_size=1, max_size=30))
def test_microdata_to_counts_to_supply_tables_are_the_microdata_tables(rows) -> None:
    p = participants(rows)
    if supply.transition_matrix(p, year=2019).to_numpy().sum() == 0:
        return  # nobody ended in 2019 with both supports: no counts, nothing to compare
    counts = aggregates.supply_counts_from_microdata(p, year=2019)
    pairs = aggregates.supply_pairs(counts)
    for direct, via in [
        (supply.change(p, by="association", year=2019), supply.change(pairs, by="area")),
        (
            supply.work_or_studies_share(p, by=["association", "sex"], year=2019),
            supply.work_or_studies_share(pairs, by=["area", "sex"]),
        ),
        (
            supply.distribution(p, "after", by="association", families=True, year=2019),
            aggregates.supply_distribution(counts, "after", families=True),
        ),
    ]:
        via = via.rename(columns={"area": "association"})
        pd.testing.assert_frame_equal(via, direct, check_dtype=False, check_categorical=False)


def test_counts_round_trip_through_a_file(tmp_path: Path) -> None:
    p = datasets.load_all("participants")
    counts = aggregates.counts_from_microdata(p, 2019)
    file = tmp_path / "sus_counts.csv"
    counts.to_csv(file, index=False)
    loaded = aggregates.load_aggregate(file)
    assert len(loaded) == len(counts) and loaded.index[0] == 2  # indexed by file line
    reg = datasets.load("registry")
    pd.testing.assert_frame_equal(
        aggregates.outcome_table(loaded, registry=reg),
        outcomes.outcome_table(p, 2019, registry=reg),
        check_exact=False,
        rtol=1e-12,
    )


# --------------------------------------------------------------------------- published counts


@pytest.fixture(scope="module")
def utfall() -> pd.DataFrame:
    return datasets.load("published/seed001_utfall_2019")


def test_the_nation_column_from_its_published_counts(utfall: pd.DataFrame) -> None:
    """Seed 001 (001_bfa0679e96509604.txt), UTFALL 2019, column Riket: the counts give the
    printed shares. The printed Män FTE 9 744,0 cannot be (5 628 ended registrations, at most
    one FTE each; the audit's seed001.utfall.sexes_sum finds it too): the loader refuses it,
    naming line 151 of the transcription, and the table is computed without it."""
    riket = utfall[utfall["area"] == "Riket"]
    with pytest.raises(FinsamDataError, match=r"seed001_utfall_2019\.csv") as err:
        aggregates.from_published_utfall(riket, 2019)
    assert [(p.line, p.column, p.value) for p in err.value.problems] == [(151, "value", "9744")]
    bad = (riket["sex"] == "Män") & (riket["indicator_key"] == "work_fte")
    counts = aggregates.from_published_utfall(riket[~bad], 2019)
    table = aggregates.outcome_table(counts)
    assert table.attrs["year"] == 2019
    col = table["Riket"]
    assert col.loc["ended_registrations"].tolist() == [12309, 6681, 5628]
    # Fördelning: 6 681 / 12 309 = 54,3 % and 5 628 / 12 309 = 45,7 %, printed 54 and 46
    assert col.loc["share_by_sex"].round().tolist() == [100, 54, 46]
    # Andel i förvärvsarbete: 2 118 / 12 309 = 17,2 %, 1 008 / 6 681 = 15,1 %, 1 110 / 5 628 =
    # 19,7 %, printed 17 %, 15 %, 20 %
    assert col.loc["work_share"].tolist() == pytest.approx(
        [100 * 2118 / 12309, 100 * 1008 / 6681, 100 * 1110 / 5628]
    )
    printed = riket[riket["indicator_key"] == "work_share"].set_index("sex")["value"]
    assert col.loc["work_share"].round().tolist() == printed.loc[list(col.columns)].tolist()
    assert col.loc["work_fte"].tolist()[:2] == [1758, 784] and np.isnan(col.loc["work_fte", "Män"])
    # shares printed without their counts (age, education, support years) are not invented
    assert col.loc[["share_under_30", "mean_enrolment_days"]].isna().all().all()


def test_a_county_from_its_associations_published_counts(utfall: pd.DataFrame) -> None:
    """Seed 001, UTFALL 2019: the three Jönköping associations' counts summed give the county
    as the microdata table computes it; their sum is the printed Länet except where the audit
    finds the print inconsistent (work-or-studies FTE: 82,1 summed, 78,5 printed)."""
    three = utfall[utfall["area"].isin(["Södra Vätterbygden", "Finnveden", "Höglandet"])]
    reg = datasets.load("registry")
    reg = reg[reg["county"] == "Jönköpings län"]
    table = aggregates.outcome_table(aggregates.from_published_utfall(three, 2019), registry=reg)
    county = table["Jönköpings län"]
    lanet = utfall[utfall["area"] == "Länet"].set_index(["indicator_key", "sex"])["value"]
    for key in ("ended_registrations", "unique_persons", "work_count", "work_or_studies_count"):
        assert county.loc[key].tolist() == [lanet[(key, s)] for s in county.columns], key
    assert county.loc["work_share", "Totalt"] == pytest.approx(
        100 * lanet[("work_count", "Totalt")] / 201
    )
    assert county.loc["work_or_studies_fte", "Totalt"] == pytest.approx(82.1)
    assert lanet[("work_or_studies_fte", "Totalt")] == 78.5


def test_esf_share_to_own_support_from_its_counts() -> None:
    """Seed 004 (004_9cccf62022c1bfeb.txt), "Uppföljning och resultat av individriktade
    ESF-insatser": 179 ended in LIKES and KLARA, 63 to work or studies; the chair's foreword
    prints "35% gått vidare till egen försörjning". RAR-financed: 156 ended, 60 to work or
    studies, printed 38 %. Seed 000 (000_bec23146d4ab8d82.txt) prints the same counts."""
    counts = datasets.load("published/seed004_participants_2021_counts")
    assert counts.attrs["provenance"] == "published"
    flows = aggregates.participant_flows(counts)
    assert flows.attrs["year"] == 2021
    esf = flows.loc["Individriktade ESF-insatser (LIKES och KLARA)"]
    assert esf["share_ended_to_work_or_studies"] == pytest.approx(100 * 63 / 179)
    assert round(esf["share_ended_to_work_or_studies"]) == 35
    assert np.isnan(esf["registered"])  # the ESF projects print no "registered"
    rar = flows.loc["RAR-finansierade individriktade insatser"]
    assert round(rar["share_ended_to_work_or_studies"]) == 38
    # 263 registered − 156 ended = 107 still registered (seed 000 prints "resterande 165")
    assert (rar["carried_over"], rar["ongoing_at_year_end"]) == (61, 107)
    # the file restates seed004_participants_2021 and seed000_participants_2021, count by count
    p4 = datasets.load("published/seed004_participants_2021").set_index(["group", "measure"])
    p0 = datasets.load("published/seed000_participants_2021")
    for area, group in [
        ("RAR-finansierade individriktade insatser", "RAR-finansierade individriktade insatser"),
        ("Individriktade ESF-insatser (LIKES och KLARA)",
         "Individriktade ESF-insatser (LIKES och KLARA)"),
    ]:  # fmt: skip
        mine = counts[counts["area"] == area].set_index("indicator")["value"]
        assert mine["ended_registrations"] == p4.loc[(group, "ended"), "value"]
        assert mine["work_or_studies_count"] == p4.loc[(group, "to_work_or_studies"), "value"]
        assert mine["ended_registrations"] in set(
            p0.loc[p0["measure_key"] == "ended_participants", "value"]
        )
    shares = p4.xs("share_to_work_or_studies", level="measure")["value"].tolist()
    assert shares == [38, 35]


# --------------------------------------------------------------------------- supply by hand


def test_supply_from_marginal_counts_by_hand() -> None:
    """SUS prints support before and after as counts per category: 10 ended, 6 on
    försörjningsstöd before and 2 after; 4 on sjukpenning before, 3 in work after."""
    agg = pd.DataFrame(
        {
            "area": "X",
            "sex": "Totalt",
            "indicator": [
                "support_before:social_assistance", "support_before:sickness_benefit",
                "support_after:social_assistance", "support_after:employment",
                "support_after:sickness_benefit", "ended_registrations",
            ],
            "value": [6, 4, 2, 3, 5, 10],
        }
    )  # fmt: skip
    before = aggregates.supply_distribution(agg, "before").set_index("category")
    assert before.loc["social_assistance", "share"] == 0.6 and before["n"].iloc[0] == 10
    after = aggregates.supply_distribution(agg, "after", families=True).set_index("category")
    assert after.loc["work", "count"] == 3 and after.loc["kommun", "share"] == 0.2
    with pytest.raises(ValueError, match="only marginal"):
        aggregates.supply_pairs(agg)


def test_supply_transitions_by_hand() -> None:
    agg = pd.DataFrame(
        {
            "area": "X",
            "sex": ["Kvinnor", "Kvinnor", "Män"],
            "indicator": [
                "support_transition:social_assistance:employment",
                "support_transition:social_assistance:social_assistance",
                "support_transition:sickness_benefit:employment",
            ],
            "value": [3, 1, 2],
        }
    )
    pairs = aggregates.supply_pairs(agg)
    assert len(pairs) == 6 and set(pairs["sex"]) == {"K", "M"}
    change = supply.change(pairs, by="area").set_index("category")
    assert change.loc["employment", "change_pp"] == pytest.approx(100 * 5 / 6)
    assert change.loc["social_assistance", "share_before"] == pytest.approx(4 / 6)


# --------------------------------------------------------------------------- validation


def write(tmp_path: Path, text: str) -> Path:
    file = tmp_path / "counts.csv"
    file.write_text(text, encoding="utf-8")
    return file


@pytest.mark.parametrize(
    ("body", "line", "column", "expected"),
    [
        ("X,Totalt,ended,5", 2, "indicator", "an indicator"),
        ("X,Alla,ended_registrations,5", 2, "sex", "Totalt, Kvinnor, Män"),
        ("X,Totalt,ended_registrations,-1", 2, "value", "at least 0"),
        ("X,Totalt,ended_registrations,2.5", 2, "value", "whole number"),
        ("X,Totalt,ended_registrations,många", 2, "value", "a number"),
        (",Totalt,ended_registrations,5", 2, "area", "name of an area"),
        ("X,Totalt,support_after:salary,5", 2, "indicator", "support code"),
        ("X,Totalt,ended_registrations,5\nX,Totalt,ended_registrations,6", 3, "indicator",
         "also on line 2"),
        ("X,Totalt,ended_registrations,5\nX,Totalt,work_count,6", 3, "value",
         "at most ended_registrations = 5"),
        ("X,Totalt,ended_registrations,5\nX,Totalt,work_fte,5.5", 3, "value",
         "at most one full-time"),
        ("X,Totalt,registered,5\nX,Totalt,new,6", 3, "value", "at most registered"),
        ("X,Totalt,ended_registrations,2\nX,Totalt,support_before:employment,3", 3, "value",
         "at most ended_registrations"),
        ("X,Totalt,support_transition:employment:employment,3\n"
         "X,Totalt,support_before:employment,2", 3, "value", "sum of the transitions"),
    ],
)  # fmt: skip
def test_bad_counts_are_refused_naming_file_line_and_column(
    tmp_path: Path, body: str, line: int, column: str, expected: str
) -> None:
    file = write(tmp_path, "area,sex,indicator,value\n" + body + "\n")
    with pytest.raises(FinsamDataError, match=r"counts\.csv") as err:
        aggregates.load_aggregate(file)
    problem = err.value.problems[0]
    assert (problem.line, problem.column) == (line, column)
    assert expected in problem.expected
    assert file.read_text(encoding="utf-8").endswith(body + "\n")  # never modified


def test_bad_columns_and_units(tmp_path: Path) -> None:
    with pytest.raises(FinsamDataError, match="'sex'"):
        aggregates.load_aggregate(
            write(tmp_path, "area,indicator,value\nX,ended_registrations,1\n")
        )
    with pytest.raises(FinsamDataError, match="only the columns"):
        aggregates.load_aggregate(
            write(tmp_path, "area,sex,indicator,value,kommun\nX,Totalt,new,1,a\n")
        )
    file = write(tmp_path, "area,sex,indicator,value,unit\nX,Totalt,work_fte,1,count\n")
    with pytest.raises(FinsamDataError, match="'fte' for work_fte") as err:
        aggregates.load_aggregate(file)
    assert (err.value.line, err.value.column) == (2, "unit")


def test_years_must_be_chosen_when_several() -> None:
    agg = pd.DataFrame(
        {"area": "X", "sex": "Totalt", "year": [2019, 2020],
         "indicator": "ended_registrations", "value": [4, 6]}
    )  # fmt: skip
    with pytest.raises(ValueError, match="choose one"):
        aggregates.outcome_table(agg)
    assert aggregates.outcome_table(agg, year=2020).loc["ended_registrations"].iloc[0] == 6
    with pytest.raises(ValueError, match="no counts for 2018"):
        aggregates.outcome_table(agg, year=2018)


def test_totalt_is_the_sum_of_the_sexes_when_not_given() -> None:
    agg = pd.DataFrame(
        {"area": "X", "sex": ["Kvinnor", "Män", "Kvinnor", "Män"],
         "indicator": ["ended_registrations"] * 2 + ["work_count"] * 2, "value": [3, 1, 1, 1]}
    )  # fmt: skip
    t = aggregates.outcome_table(agg)["X"]
    assert t.loc["ended_registrations"].tolist() == [4, 3, 1]
    assert t.loc["work_share"].tolist() == pytest.approx([50, 100 / 3, 100])
    assert t.loc["share_by_sex"].tolist() == pytest.approx([100, 75, 25])


def test_a_loaded_table_edited_afterwards_is_checked_again() -> None:
    counts = datasets.load("published/seed004_participants_2021_counts")
    edited = counts.copy()
    edited.loc[4, "value"] = 300.0  # line 4: 300 ended of the 263 registered
    with pytest.raises(FinsamDataError, match="at most registered = 263") as err:
        aggregates.participant_flows(edited)
    assert (err.value.line, err.value.column) == (4, "value")
