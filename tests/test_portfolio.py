"""Portfolio breakdowns, spending over time, utilisation, and the synthetic portfolios."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finsamlib import datasets, funding, portfolio
from finsamlib.audit import half_unit
from finsamlib.synth import portfolio as synth

RAR = "synthetic/portfolio_rar_sormland"
#: Seed 003 prints "Fk" and "Övrigt"; the portfolio codes are FK and other.
OWNER_CODES = {
    "Kommun": "Kommun",
    "Region": "Region",
    "Af": "Af",
    "Fk": "FK",
    "LSG": "LSG",
    "Ej definierad": "undefined",
    "Övrigt": "other",
}


def small() -> pd.DataFrame:
    """Three insatser; one lists two target groups, one none."""
    return pd.DataFrame(
        {
            "insats_id": ["a", "b", "c"],
            "owner": ["Kommun", "LSG", "Kommun"],
            "type": ["I", "S", "S"],
            "target_groups": ["Unga;Psykisk ohälsa", "Unga", None],
            "partners": ["Af;FK", "Af", ""],
            "start_date": pd.to_datetime(["2019-12-31", "2020-01-01", "2020-03-01"]),
            "end_date": pd.to_datetime(["2020-01-01", "2020-12-31", "2021-02-28"]),
            "granted_amount": [200.0, 100.0, 60.0],
        }
    )


def rows(df: pd.DataFrame, view: str, by: str) -> pd.DataFrame:
    return df[df["view"] == view].set_index(by)


# --------------------------------------------------------------------------- hand-computed


def test_breakdown_views_by_hand() -> None:
    b = portfolio.breakdown(small(), "target_group", views=["every", "allocated", "primary"])
    every, alloc, prim = (rows(b, v, "target_group") for v in ("every", "allocated", "primary"))
    # every: a counts fully in Unga and Psykisk ohälsa.
    assert every.loc["Unga", "insatser"] == 2 and every.loc["Unga", "amount"] == 300
    assert every.loc["Psykisk ohälsa", "amount"] == 200
    assert every["amount"].sum() == 560  # > the 360 kr in all
    # allocated: a is split 100/100 and ½ + ½.
    assert alloc.loc["Unga", "insatser"] == 1.5 and alloc.loc["Unga", "amount"] == 200
    assert alloc.loc["Psykisk ohälsa", "amount"] == 100
    assert alloc["amount"].sum() == 360 and alloc["insatser"].sum() == 3
    # primary: the first group only; the empty list is "Ej definierad", listed last.
    assert prim.loc["Unga", "amount"] == 300 and "Psykisk ohälsa" not in prim.index
    assert list(prim.index)[-1] == portfolio.UNDEFINED_GROUP == "Ej definierad"
    assert prim.loc["Ej definierad", "mean_amount"] == 60
    assert every.loc["Unga", "share_insatser"] == pytest.approx(2 / 3)


def test_breakdown_by_owner_includes_empty_codes() -> None:
    b = portfolio.breakdown(small(), "owner", views=["every"]).set_index("owner")
    assert list(b.index) == ["Kommun", "Region", "Af", "FK", "LSG", "undefined", "other"]
    assert b.loc["Kommun", "insatser"] == 2 and b.loc["Kommun", "mean_amount"] == 130
    assert b.loc["Region", "insatser"] == 0 and np.isnan(b.loc["Region", "mean_amount"])
    assert b["share_amount"].sum() == pytest.approx(1.0)


def test_breakdown_cross_tab_allocates_over_both_dimensions() -> None:
    b = portfolio.breakdown(small(), ["type", "partner"], views=["allocated"])
    assert b["amount"].sum() == pytest.approx(360)
    cell = b[(b["type"] == "I") & (b["partner"] == "FK")]
    assert float(cell["amount"].iloc[0]) == 100


def test_breakdown_rejects_bad_parameters() -> None:
    with pytest.raises(ValueError, match="view"):
        portfolio.breakdown(small(), "owner", views=["some"])
    with pytest.raises(KeyError, match="financing"):
        portfolio.breakdown(small(), "financing")


def test_spending_per_year_by_days_and_months() -> None:
    df = small()
    days = portfolio.spending_per_year(df).set_index("year")["amount"]
    # a: one day in 2019 and one in 2020; c: 306 days in 2020 of 365.
    assert days[2019] == pytest.approx(100)
    assert days[2020] == pytest.approx(100 + 100 + 60 * 306 / 365)
    assert days[2021] == pytest.approx(60 * 59 / 365)
    months = portfolio.spending_per_year(df, method="months").set_index("year")["amount"]
    assert months[2019] == pytest.approx(100)  # Dec 2019 and Jan 2020: one month each
    assert months[2021] == pytest.approx(60 * 2 / 12)  # Mar 2020–Feb 2021: 12 months
    by_type = portfolio.spending_per_year(df, by="type")
    assert by_type.groupby("type")["amount"].sum().to_dict() == pytest.approx({"I": 200, "S": 160})


def test_open_ended_insatser_need_an_end() -> None:
    df = small()
    df.loc[1, "end_date"] = pd.NaT
    with pytest.raises(ValueError, match="open_end"):
        portfolio.spending_per_year(df)
    spent = portfolio.spending_per_year(df, open_end="2020-06-30")
    assert spent["amount"].sum() == pytest.approx(360)


def test_active_at_includes_both_ends() -> None:
    df = small()
    assert list(portfolio.active_at(df, "2020-01-01")["insats_id"]) == ["a", "b"]
    assert list(portfolio.active_at(df, "2020-01-02")["insats_id"]) == ["b"]
    assert list(portfolio.active_at(df, "2021-02-28")["insats_id"]) == ["c"]
    counts = portfolio.active_counts(df, ["2019-06-01", "2019-12-31", "2020-06-01"], by="type")
    assert list(counts.itertuples(index=False, name=None)) == [
        (pd.Timestamp("2019-12-31"), "I", 1),
        (pd.Timestamp("2020-06-01"), "S", 2),
    ]
    assert portfolio.active_counts(df, ["2019-06-01"])["insatser"].tolist() == [0]


def test_structural_share_by_hand() -> None:
    share = portfolio.structural_share(small()).set_index("year")
    assert share.loc[2019, "share_structural"] == 0
    assert share.loc[2021, "share_structural"] == 1


# --------------------------------------------------------------------------- properties

OWNERS = ["Kommun", "LSG", "undefined"]
amounts = st.floats(min_value=0, max_value=1e7, allow_nan=False)
groups = st.lists(st.sampled_from(["A", "B", "C", "D"]), max_size=3, unique=True)


@st.composite
def portfolios(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 12))
    starts = [
        pd.Timestamp("2015-01-01") + pd.Timedelta(days=draw(st.integers(0, 2000))) for _ in range(n)
    ]
    return pd.DataFrame(
        {
            "owner": draw(st.lists(st.sampled_from(OWNERS), min_size=n, max_size=n)),
            "type": draw(st.lists(st.sampled_from(["I", "S"]), min_size=n, max_size=n)),
            "target_groups": [";".join(draw(groups)) for _ in range(n)],
            "start_date": starts,
            "end_date": [s + pd.Timedelta(days=draw(st.integers(0, 1500))) for s in starts],
            "granted_amount": draw(st.lists(amounts, min_size=n, max_size=n)),
        }
    )  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(portfolios())
def test_allocated_view_sums_to_the_total(df: pd.DataFrame) -> None:
    total = df["granted_amount"].sum()
    b = portfolio.breakdown(df, "target_group", views=["every", "allocated", "primary"])
    alloc, every, prim = (b[b["view"] == v] for v in ("allocated", "every", "primary"))
    assert alloc["amount"].sum() == pytest.approx(total, rel=1e-9, abs=1e-6)
    assert alloc["insatser"].sum() == pytest.approx(len(df))
    assert prim["amount"].sum() == pytest.approx(total, rel=1e-9, abs=1e-6)
    assert every["amount"].sum() >= total - 1e-6
    assert every["insatser"].sum() >= len(df)


@settings(max_examples=40, deadline=None)
@given(portfolios(), st.sampled_from(["days", "months"]))
def test_spending_over_the_years_sums_to_the_total(df: pd.DataFrame, method: str) -> None:
    spent = portfolio.spending_per_year(df, by="type", method=method)
    assert spent["amount"].sum() == pytest.approx(df["granted_amount"].sum(), rel=1e-9, abs=1e-6)
    assert spent["year"].min() >= df["start_date"].dt.year.min()
    assert spent["year"].max() <= df["end_date"].dt.year.max()


# --------------------------------------------------------------------------- utilisation


def test_utilisation_is_the_funding_modules() -> None:
    # one implementation of förbrukningskvot: finsamlib.funding.budget_utilisation
    assert portfolio.utilisation is funding.budget_utilisation
    # seed 004 (004_9cccf62022c1bfeb.txt), Not 3: budget, utfall, förbrukningskvot per insats.
    pub = datasets.load("published/seed004_insats_budget_2021")
    budget = funding.insats_budget_from_published(pub, association="RAR Sörmland", year=2021)
    out = portfolio.utilisation(budget)
    total = out[out["is_total"]].iloc[0]
    assert round(100 * total["utilisation"], 1) == 86.8  # printed 89 %


# --------------------------------------------------------------------------- synthetic data


@pytest.fixture(scope="module")
def rar() -> pd.DataFrame:
    return datasets.load(RAR)


def _ours(rar: pd.DataFrame) -> dict[tuple[str, str], float]:
    """Our value for every published cell of seed 003's portfolio tables (Mkr, counts)."""
    owner = portfolio.breakdown(rar, "owner", views=["every"]).set_index("owner")
    tg = portfolio.breakdown(rar, "target_group", views=["every", "primary"])
    primary, every = rows(tg, "primary", "target_group"), rows(tg, "every", "target_group")
    t6 = portfolio.by_pattern(
        rar, {"Processledare": "^Processledare", "Stöd till ESF-projekt": "ESF"}
    )
    t6 = t6.set_index("group")["amount"] / 1e6
    ours: dict[tuple[str, str], float] = {}
    for printed, code in OWNER_CODES.items():
        ours[("Tabell 1", printed)] = owner.loc[code, "insatser"]
        ours[("Tabell 2", printed)] = owner.loc[code, "amount"] / 1e6
        # an owner without insatser has no mean; the table prints 0 for it
        mean = owner.loc[code, "mean_amount"]
        ours[("Tabell 3", printed)] = 0.0 if np.isnan(mean) else mean / 1e6
    for group in primary.index:
        ours[("Tabell 4", group)] = primary.loc[group, "insatser"]
        ours[("Tabell 5", group)] = every.loc[group, "amount"] / 1e6
    ours[("Tabell 6", "Processledare")] = t6["Processledare"]
    ours[("Tabell 6", "Stöd till ESF-projekt")] = t6["Stöd till ESF-projekt"]
    ours[("Tabell 6", "Totalt")] = t6.sum()
    structural = rar.loc[rar["type"] == "S", "granted_amount"].sum() / 1e6
    undefined_tg = (
        every.loc["Ej definierad", "amount"] + every.loc["Personal och beslutsfattare", "amount"]
    )
    ours[("key", "insatser_count")] = len(rar)
    ours[("key", "insatser_cost")] = rar["granted_amount"].sum() / 1e6
    ours[("key", "structural_cost")] = structural
    ours[("key", "owner_undefined_count")] = owner.loc["undefined", "insatser"]
    ours[("key", "target_group_undefined_count")] = primary.loc["Ej definierad", "insatser"]
    ours[("key", "processledare_cost")] = t6["Processledare"]
    ours[("key", "esf_support_cost")] = t6["Stöd till ESF-projekt"]
    ours[("key", "staff_and_undefined_target_cost")] = undefined_tg / 1e6
    return ours


def _published() -> dict[tuple[str, str], tuple[float, str]]:
    """seed 003 (003_9bccd6897a9e149e.txt) §2.1.2 tables 1–6 and the key figures, as printed."""
    cells: dict[tuple[str, str], tuple[float, str]] = {}
    for n, stem, dim in (
        (1, "seed003_table1_count_by_owner", "owner"),
        (2, "seed003_table2_money_by_owner", "owner"),
        (3, "seed003_table3_mean_by_owner", "owner"),
        (4, "seed003_table4_count_by_target_group", "target_group"),
        (5, "seed003_table5_money_by_target_group", "target_group"),
        (6, "seed003_table6_process_and_esf_support", "item"),
    ):
        df = datasets.load(f"published/{stem}")
        for r in df.itertuples():
            cells[(f"Tabell {n}", getattr(r, dim))] = (r.value, r.unit)
    key = datasets.load("published/seed003_key_figures")
    for k in (
        "insatser_count", "insatser_cost", "structural_cost", "owner_undefined_count",
        "target_group_undefined_count", "processledare_cost", "esf_support_cost",
        "staff_and_undefined_target_cost",
    ):  # fmt: skip
        hit = key[key["indicator_key"] == k].iloc[0]
        cells[("key", k)] = (hit["value"], hit["unit"])
    return cells


def test_synthetic_rar_reproduces_seed003_except_the_documented_cells(rar: pd.DataFrame) -> None:
    """data/raw/synthetic/README-portfolio.md lists exactly these unreproducible cells."""
    ours = _ours(rar)
    mismatches = []
    for cell, (value, unit) in _published().items():
        ours_value = ours[cell]
        if abs(ours_value - value) > half_unit(value, unit) + 1e-9:
            mismatches.append((*cell, value, round(ours_value, 2)))
    assert sorted(mismatches) == sorted(
        [
            ("Tabell 1", "Ej definierad", 30.0, 29.0),
            ("Tabell 3", "Kommun", 0.7, 0.86),
            ("key", "owner_undefined_count", 32.0, 29.0),
        ]
    )


def test_synthetic_rar_totals(rar: pd.DataFrame) -> None:
    # seed 003 §2.1.2: 56 insatser, 70,2 miljoner kronor, ca 57 miljoner structural.
    assert len(rar) == 56 and rar["granted_amount"].sum() == 70_200_000
    assert rar.attrs["provenance"] == "synthetic"
    assert rar["start_date"].min() >= pd.Timestamp("2014-01-01")
    assert rar["end_date"].max() <= pd.Timestamp("2019-12-31")
    # Table 5 counts 2,6 Mkr twice (insatser with two target groups); the allocated view does not.
    tg = portfolio.breakdown(rar, "target_group", views=["every", "allocated"])
    sums = tg.groupby("view")["amount"].sum() / 1e6
    assert round(sums["every"], 1) == 72.8 and round(sums["allocated"], 1) == 70.2


def test_jonkoping_portfolios_are_plausible_and_labelled() -> None:
    for stem, assoc in (
        ("portfolio_sodra_vatterbygden", "Södra Vätterbygden"),
        ("portfolio_finnveden", "Finnveden"),
        ("portfolio_hoglandet", "Höglandet"),
    ):
        df = datasets.load(f"synthetic/{stem}")
        assert df.attrs["provenance"] == "synthetic"
        assert set(df["association"]) == {assoc}
        assert df["start_date"].min().year >= 2017 and df["end_date"].max().year <= 2021
        assert set(df["type"]) == {"I", "S"}
        per_year = df["granted_amount"].sum() / 5
        assert 3e6 <= per_year <= 5.5e6  # ~70 % of the 2019 revenues (seed 001 Bokslut 2019)
    budget = datasets.load("synthetic/insats_budget_jonkoping")
    assert budget.attrs["provenance"] == "synthetic"
    util = portfolio.utilisation(budget)
    assert util.loc[~util["is_total"], "utilisation"].between(0.6, 1.1).all()


def test_insats_budget_follows_the_portfolio_spread() -> None:
    budget = datasets.load("synthetic/insats_budget_jonkoping")
    df = datasets.load("synthetic/portfolio_hoglandet")
    mine = budget[budget["association"] == "Höglandet"].groupby("insats")["budget"].sum()
    granted = df.set_index("name")["granted_amount"]
    # each year is rounded to 1 000 kr
    assert ((mine - granted.reindex(mine.index)).abs() <= 3_000).all()


RAR_2021 = "synthetic/portfolio_rar_sormland_2021"


def test_rar_2021_part_is_seed004s_list_with_not3_budgets() -> None:
    """seed 004 (004_9cccf62022c1bfeb.txt): the RAR-financed insatser of the list "Sammanställning
    av pågående och avslutade insatser" that Not 3 budgets; spread by days, each granted amount
    gives back its printed 2021 budget (tkr) and together "Summa RAR-insatser" 14 955."""
    part = datasets.load(RAR_2021)
    assert part.attrs["provenance"] == "synthetic"
    listed = datasets.load("published/seed004_insatser_2021").set_index("insats")
    not3 = datasets.load("published/seed004_insats_budget_2021")
    budget = not3[not3["measure"] == "budget"].set_index("insats")["value"]
    printed_total = budget.pop("Summa RAR-insatser")
    budget.index = [synth.NOT3_NAMES.get(k, k) for k in budget.index]
    assert sorted(part["insats_id"]) == sorted(budget.index) == sorted(part["name"])
    for row in part.itertuples():
        printed = listed.loc[row.insats_id]
        assert printed["financing"] == "RAR" and row.financing == "finsam"
        assert row.type == printed["type"]
        assert row.start_date == pd.Timestamp(printed["start"])
        assert row.end_date == pd.Timestamp(printed["end"])
    # Processledare (2014-2021) is RAR-financed but has no Not 3 budget: its 2014-2019 part is
    # the seed 003 portfolio's "Processledare LSG …"
    rar_financed = set(listed.index[listed["financing"] == "RAR"])
    assert rar_financed - set(part["insats_id"]) == {"Processledare"}
    spent = portfolio.spending_per_year(part, by="insats_id")
    in_2021 = spent[spent["year"] == 2021].set_index("insats_id")["amount"]
    assert ((in_2021 - budget.reindex(in_2021.index) * 1_000).abs() <= 500).all()
    assert round(in_2021.sum() / 1_000) == printed_total == budget.sum() == 14_955
    # individual and structural as printed: 10 I (with participants in SUS), 2 S
    assert part["type"].value_counts().to_dict() == {"I": 10, "S": 2}
    # the seed 003 and seed 004 parts never share an id
    assert not set(part["insats_id"]) & set(datasets.load(RAR)["insats_id"])


def test_seed004_partners_become_a_list() -> None:
    # seed 004, list of insatser: SIKTA "Region Sörmland, Försäkringskassan, Vingåker, Flen och
    # Katrineholms kommun"; Slussen "Nyköpings kommun och Arbetsförmedlingen".
    assert synth.seed004_partners(
        "Region Sörmland, Försäkringskassan, Vingåker, Flen och Katrineholms kommun"
    ) == ("Vingåker kommun;Flen kommun;Katrineholm kommun;Försäkringskassan;Region Sörmland")
    assert synth.seed004_partners("Nyköpings kommun och Arbetsförmedlingen") == (
        "Nyköping kommun;Arbetsförmedlingen"
    )
    every = synth.seed004_partners("Samtliga myndigheter").split(";")
    assert len(every) == 9 + 3 and "Trosa kommun" in every
    with pytest.raises(ValueError, match="Atlantis"):
        synth.seed004_partners("Atlantis kommun, Arbetsförmedlingen")


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 9),
    st.integers(2014, 2018),
    st.integers(24, 72),
    st.integers(0, 2**32 - 1),
)
def test_chained_periods_leave_no_gap(n: int, first_year: int, span: int, seed: int) -> None:
    first = pd.Period(f"{first_year}-01", "M")
    last = first + span - 1
    periods = synth._chain(np.random.default_rng(seed), n, str(first), str(last), (18, 36))
    assert len(periods) == n
    assert periods[0][0] == first.start_time
    assert max(e for _, e in periods) == last.end_time.normalize()
    covered_to = periods[0][0] - pd.Timedelta(days=1)
    for start, end in periods:
        assert start <= covered_to + pd.Timedelta(days=1)  # no gap
        assert start <= end <= last.end_time
        if span >= 18:
            assert (end.to_period("M") - start.to_period("M")).n + 1 >= 18
        covered_to = max(covered_to, end)
    assert [s for s, _ in periods] == sorted(s for s, _ in periods)


def test_regeneration_is_byte_identical(tmp_path: Path) -> None:
    written = synth.generate(tmp_path)
    assert written == [
        synth.RAR_FILE,
        synth.RAR_2021_FILE,
        *synth.JKP_FILES.values(),
        synth.BUDGET_FILE,
    ]
    for rel in written:
        assert (tmp_path / rel).read_bytes() == (datasets.data_dir() / rel).read_bytes(), rel


def test_generator_member_kommuner_are_the_registry_s():
    """The portfolio generator's kommun lists restate data/raw/registry.csv (kept as constants so
    the generated files stay byte-identical); they must not drift from it."""
    reg = datasets.load("registry")
    members = {a: list(g["kommun"]) for a, g in reg.groupby("association", sort=False)}
    assert list(synth.SORMLAND_KOMMUNER) == members["RAR Sörmland"]
    for assoc in synth.JKP:
        assert list(assoc.kommuner) == members[assoc.name], assoc.name
