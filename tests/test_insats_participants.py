"""Participants and money per insats: the portfolio joined with the participants.

Hand-computed small cases, a hypothesis property, and the embedded synthetic data, where the
join must account for every registration (data/raw/synthetic/README-portfolio.md) and the RAR
Sörmland 2021 figures must add up to seed 004's participant counts and Not 3 budgets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finsamlib import datasets, portfolio
from finsamlib.errors import FinsamDataError
from finsamlib.synth import portfolio as synth_portfolio

T = pd.Timestamp


def small_portfolio() -> pd.DataFrame:
    """Two associations; both have an insats "X" (the join must keep them apart)."""
    return pd.DataFrame(
        {
            "insats_id": ["X", "Y", "S", "X"],
            "name": ["Ix", "Iy", "Struktur", "Annan X"],
            "association": ["A", "A", "A", "B"],
            "type": ["I", "I", "S", "I"],
            "owner": ["Kommun", "Af", "LSG", "Kommun"],
            "financing": ["finsam"] * 4,
            "start_date": pd.to_datetime(["2020-01-01", "2021-01-01", "2020-01-01", "2020-01-01"]),
            "end_date": pd.to_datetime(["2021-12-31", "2021-12-31", "2021-12-31", None]),
            "granted_amount": [731_000.0, 100_000.0, 50_000.0, 90_000.0],
        }
    )


def small_participants() -> pd.DataFrame:
    """A: p1 twice in X (2020 ended, 2021 open), p2 in X (2021 ended), p3 in Z (not in the
    portfolio); B: q1 in X."""
    return pd.DataFrame(
        {
            "association": ["A", "A", "A", "A", "B"],
            "insats_id": ["X", "X", "X", "Z", "X"],
            "person_id": ["p1", "p1", "p2", "p3", "q1"],
            "start_date": pd.to_datetime(
                ["2020-02-01", "2021-03-01", "2021-01-15", "2020-05-01", "2020-06-01"]
            ),
            "end_date": pd.to_datetime(["2020-10-31", None, "2021-06-30", "2020-12-31", None]),
        }
    )


def by_id(df: pd.DataFrame) -> pd.DataFrame:
    return df.set_index(["association", "insats_id"])


def counts(t: pd.DataFrame, key: tuple[str, str]) -> tuple[int, ...]:
    """(registrations, persons, ended, ongoing) of one insats."""
    return tuple(int(v) for v in t.loc[key, ["registrations", "persons", "ended", "ongoing"]])


# --------------------------------------------------------------------------- hand-computed


def test_participants_per_insats_by_hand() -> None:
    t = portfolio.participants_per_insats(small_portfolio(), small_participants())
    # the individual insatser in portfolio order, then Z, which only the participants name
    assert list(t["insats_id"]) == ["X", "Y", "X", "Z"]
    assert list(t["association"]) == ["A", "A", "B", "A"]
    r = by_id(t)
    # A/X: three registrations of two persons, two ended, one open
    assert counts(r, ("A", "X")) == (3, 2, 2, 1)
    assert r.loc[("A", "X"), "name"] == "Ix" and r.loc[("B", "X"), "name"] == "Annan X"
    assert counts(r, ("B", "X")) == (1, 1, 0, 1)
    assert r.loc[("A", "Y"), "registrations"] == 0 and r.loc[("A", "Y"), "in_portfolio"]
    assert not r.loc[("A", "Z"), "in_portfolio"] and pd.isna(r.loc[("A", "Z"), "name"])
    assert t["registrations"].sum() == len(small_participants())
    # the structural insats is listed when every type is asked for
    every = portfolio.participants_per_insats(small_portfolio(), small_participants(), types=None)
    assert "S" in set(every["insats_id"]) and len(every) == len(t) + 1


def test_participants_per_insats_in_a_year() -> None:
    t = by_id(portfolio.participants_per_insats(small_portfolio(), small_participants(), 2021))
    # 2021: p1's second registration (open) and p2's (ended in June) are registered; B's q1 is
    # still open; Z ended in 2020 and is not counted at all
    assert counts(t, ("A", "X")) == (2, 2, 1, 1)
    assert t.loc[("B", "X"), "registrations"] == 1
    assert ("A", "Z") not in t.index
    t20 = by_id(portfolio.participants_per_insats(small_portfolio(), small_participants(), 2020))
    assert t20.loc[("A", "X"), ["registrations", "ended"]].tolist() == [1, 1]
    assert t20.loc[("A", "Z"), ["registrations", "ended"]].tolist() == [1, 1]


def test_join_on_insats_id_alone_without_association() -> None:
    pf = small_portfolio().iloc[:3].drop(columns="association")
    pp = small_participants().iloc[:4].drop(columns="association")
    t = portfolio.participants_per_insats(pf, pp)
    assert "association" not in t.columns
    assert t.set_index("insats_id").loc["X", "registrations"] == 3


def test_cost_per_participant_by_hand() -> None:
    pf, pp = small_portfolio(), small_participants()
    c = by_id(portfolio.cost_per_participant(pf, pp))
    # A/X: 731 000 kr granted over 2 persons (3 registrations)
    assert c.loc[("A", "X"), "cost_per_participant"] == 365_500
    reg = by_id(portfolio.cost_per_participant(pf, pp, per="registrations"))
    assert reg.loc[("A", "X"), "cost_per_participant"] == pytest.approx(731_000 / 3)
    # no participants, or not in the portfolio: no figure (never infinite)
    assert np.isnan(c.loc[("A", "Y"), "cost_per_participant"])
    assert np.isnan(c.loc[("A", "Z"), "cost_per_participant"])
    # 2021: X runs 2020-01-01..2021-12-31 = 731 days, 365 of them in 2021, so 365 000 kr over
    # the 2 persons registered in 2021
    y = by_id(portfolio.cost_per_participant(pf, pp, year=2021, open_end="2021-12-31"))
    assert y.loc[("A", "X"), "amount"] == pytest.approx(365_000)
    assert y.loc[("A", "X"), "cost_per_participant"] == pytest.approx(182_500)
    # B/X has no end date: spread to open_end (2020-01-01..2021-12-31), 1 person in 2021
    assert y.loc[("B", "X"), "cost_per_participant"] == pytest.approx(90_000 * 365 / 731)
    with pytest.raises(ValueError, match="open_end"):
        portfolio.cost_per_participant(pf, pp, year=2021)
    with pytest.raises(ValueError, match="per must be"):
        portfolio.cost_per_participant(pf, pp, per="heads")


def test_check_participant_insatser_by_hand() -> None:
    pf, pp = small_portfolio(), small_participants()
    assert list(portfolio.check_participant_insatser(pf, pp).itertuples(index=False)) == [
        ("A", "Z", "missing", 1)
    ]
    late = pd.concat(
        [
            pp,
            pd.DataFrame(
                {
                    "association": ["A", "A", "A", "B", "C"],
                    "insats_id": ["Y", "Y", "S", "X", "X"],
                    "person_id": ["p4", "p5", "p6", "q2", "r1"],
                    # Y runs 2021; S is structural; B/X has no end; C has no portfolio
                    "start_date": pd.to_datetime(
                        ["2020-12-31", "2022-01-01", "2020-06-01", "2030-01-01", "2020-06-01"]
                    ),
                    "end_date": pd.NaT,
                }
            ),
        ],
        ignore_index=True,
    )
    found = portfolio.check_participant_insatser(pf, late)
    assert list(found.itertuples(index=False)) == [
        ("A", "S", "not_individual", 1),
        ("A", "Y", "starts_outside_period", 2),
        ("A", "Z", "missing", 1),
        ("C", "X", "missing", 1),
    ]
    assert set(found["problem"]) <= set(portfolio.INSATS_PROBLEMS)


def test_duplicated_insatser_are_a_data_error() -> None:
    pf = pd.concat([small_portfolio(), small_portfolio().iloc[:1]], ignore_index=True)
    with pytest.raises(FinsamDataError, match="X"):
        portfolio.participants_per_insats(pf, small_participants())
    with pytest.raises(KeyError, match="insats_id"):
        portfolio.check_participant_insatser(pf.drop(columns="insats_id"), small_participants())


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["X", "Y", "Z", "W"]),
            st.sampled_from(["p1", "p2", "p3"]),
            st.integers(0, 700),
            st.one_of(st.none(), st.integers(0, 400)),
        ),
        max_size=25,
    ),
    st.one_of(st.none(), st.sampled_from([2020, 2021])),
)
def test_every_registration_is_counted_once(rows: list, year: int | None) -> None:
    pf = small_portfolio().iloc[:3]
    pp = pd.DataFrame(
        {
            "association": "A",
            "insats_id": [r[0] for r in rows],
            "person_id": [r[1] for r in rows],
            "start_date": [T("2020-01-01") + pd.Timedelta(days=r[2]) for r in rows],
            "end_date": [
                pd.NaT if r[3] is None else T("2020-01-01") + pd.Timedelta(days=r[2] + r[3])
                for r in rows
            ],
        }
    )
    pp = pp.astype({"start_date": "datetime64[ns]", "end_date": "datetime64[ns]"})
    t = portfolio.participants_per_insats(pf, pp, year=year)
    counted = len(pp)
    if year is not None:  # active in the year: started by its end, not ended before it
        active = (pp["start_date"].dt.year <= year) & ~(pp["end_date"].dt.year < year)
        counted = int(active.sum())
    assert t["registrations"].sum() == counted
    assert (t["persons"] <= t["registrations"]).all()
    assert (t["ended"] + t["ongoing"] == t["registrations"]).all()
    assert set(t.loc[~t["in_portfolio"], "insats_id"]) <= {"Z", "W"}


# --------------------------------------------------------------------------- embedded data


@pytest.fixture(scope="module")
def embedded() -> tuple[pd.DataFrame, pd.DataFrame]:
    names = datasets.names()
    pf = [datasets.load(n) for n in names if n.startswith("synthetic/portfolio_")]
    pp = [datasets.load(n) for n in names if n.startswith("synthetic/participants_")]
    assert len(pf) == len(synth_portfolio.build(datasets.data_dir())) == 5 and len(pp) == 4
    return pd.concat(pf, ignore_index=True), pd.concat(pp, ignore_index=True)


def test_embedded_participants_are_all_accounted_for(
    embedded: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    pf, pp = embedded
    assert portfolio.check_participant_insatser(pf, pp).empty
    t = portfolio.participants_per_insats(pf, pp)
    assert t["in_portfolio"].all() and (t["type"] == "I").all()
    assert t["registrations"].sum() == len(pp)
    # every individual insats of the synthetic portfolios has participants
    assert (t["registrations"] > 0).all()


def test_embedded_rar_2021_per_insats_adds_up_to_seed004(
    embedded: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """seed 004 (004_9cccf62022c1bfeb.txt): 263 registered in RAR-financed individual insatser in
    2021, 156 ended; Not 3 budgets 2021 per insats (tkr)."""
    pf, pp = embedded
    rar_pf = pf[pf["association"] == "RAR Sörmland"]
    rar_pp = pp[pp["association"] == "RAR Sörmland"]
    t = portfolio.cost_per_participant(rar_pf, rar_pp, year=2021)
    p21 = datasets.load("published/seed004_participants_2021")
    p21 = p21[p21["group"] == "RAR-finansierade individriktade insatser"]
    printed = p21.set_index("measure")["value"]
    assert t["registrations"].sum() == printed["registered"] == 263
    assert t["ended"].sum() == printed["ended"] == 156
    active = t[t["registrations"] > 0]
    assert set(active["insats_id"]) <= set(
        datasets.load("synthetic/portfolio_rar_sormland_2021")["insats_id"]
    )
    # the money of 2021 is each insats's Not 3 budget (spread by days, to within 500 kr)
    not3 = datasets.load("published/seed004_insats_budget_2021")
    budget = not3[not3["measure"] == "budget"].set_index("insats")["value"] * 1_000
    budget.index = [synth_portfolio.NOT3_NAMES.get(k, k) for k in budget.index]
    sikta = t.set_index("insats_id").loc["SIKTA"]
    assert abs(sikta["amount"] - budget["SIKTA"]) <= 500  # printed 2 828 tkr
    assert sikta["cost_per_participant"] == pytest.approx(sikta["amount"] / sikta["persons"])
    for row in active.itertuples():
        assert abs(row.amount - budget[row.insats_id]) <= 500, row.insats_id
