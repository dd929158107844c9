"""display.sv: the Swedish, rounded view of real results of the indicator functions."""

from __future__ import annotations

import pandas as pd
import pytest

from finsamlib import datasets, display, economics, outcomes, supply
from finsamlib import portfolio as pf


@pytest.fixture(scope="module")
def participants() -> pd.DataFrame:
    return datasets.load_all("participants")


@pytest.fixture(scope="module")
def finnveden(participants: pd.DataFrame) -> pd.DataFrame:
    return participants[participants["association"] == "Finnveden"]


def test_supply_change_in_swedish_with_decimal_comma(finnveden: pd.DataFrame) -> None:
    ch = supply.change(finnveden, year=2019)
    view = ch.pipe(display.sv)
    text = view.text()
    assert list(text.columns) == [
        "Antal avslutade",
        "Antal före",
        "Andel före",
        "Antal efter",
        "Andel efter",
        "Förändring (procentenheter)",
    ]
    assert text.index.name == "Försörjning"
    assert "Försörjningsstöd" in text.index and "social_assistance" not in text.index
    row = ch.set_index("category").loc["social_assistance"]
    expected = f"{row['share_before'] * 100:.1f}".replace(".", ",") + "\u00a0%"
    assert text.loc["Försörjningsstöd", "Andel före"] == expected
    html = view._repr_html_()
    assert "<table" in html and "Försörjningsstöd" in html and "0.3" not in html


def test_threshold_hides_small_counts_and_their_shares(finnveden: pd.DataFrame) -> None:
    ch = supply.change(finnveden, year=2019).set_index("category")
    text = display.sv(supply.change(finnveden, year=2019), threshold=4).text()
    small = ch[(ch["count_after"] >= 1) & (ch["count_after"] <= 4)]
    assert not small.empty  # the embedded data has small cells here
    for label in small["label"]:
        assert text.loc[label, "Antal efter"] == "<5"
        assert text.loc[label, "Andel efter"] in {"<5", ".."}
    assert text.loc["Samtliga", "Antal före"] == str(int(ch["n"].iloc[0]))
    assert (
        "<td>&lt;5</td>"
        in display.sv(supply.change(finnveden, year=2019), threshold=4)._repr_html_()
    )


def test_grouped_results_have_no_tuple_labels(participants: pd.DataFrame) -> None:
    grouped = supply.change(participants, by="association", year=2019)
    index = display.sv(grouped).frame.index
    assert "Finnveden – Försörjningsstöd" in index
    assert not any(isinstance(k, tuple) for k in index)


def test_outcome_table_joins_area_and_sex_and_formats_by_unit(participants) -> None:
    table = outcomes.outcome_table(participants, 2019, registry=datasets.load("registry"))
    text = display.sv(table).text()
    assert "Finnveden – Kvinnor" in text.columns
    assert "Antal avslutade deltagare" in text.index
    value = table.loc["share_under_30", ("Finnveden", "Totalt")]
    assert text.loc["Andel yngre än 30 år vid start", "Finnveden – Totalt"] == (
        f"{value:.1f}".replace(".", ",") + "\u00a0%"
    )
    with pytest.raises(ValueError, match="threshold"):
        display.sv(table, threshold=4)


def test_transition_matrix_uses_family_labels_and_totals(finnveden: pd.DataFrame) -> None:
    m = supply.transition_matrix(finnveden, families=True, year=2019)
    text = display.sv(m, threshold=4).text()
    assert "Arbete" in text.columns and "Offentlig försörjning från kommunen" in text.index
    assert text.loc["Samtliga", "Samtliga"] == str(int(m.to_numpy().sum()))


def test_profitability_actors_and_kronor(participants: pd.DataFrame) -> None:
    rows = participants[participants["association"] == "RAR Sörmland"]
    ended = outcomes.ended_in_year(rows, 2021)
    revenue = economics.annual_revenue(ended, datasets.load("assumptions/standard_costs"))
    prof = economics.profitability(
        revenue["revenue"], economics.insats_cost(len(ended)), len(ended)
    )
    text = display.sv(prof).text()
    assert list(text.index[:4]) == ["Samhället", "Kommun", "Region", "Staten"]
    cost = prof.loc["society", "cost"]
    assert text.loc["Samhället", "Kostnad"] == f"{cost:,.0f}".replace(",", "\u202f") + "\u00a0kr"


def test_portfolio_breakdown_owner_labels() -> None:
    port = datasets.load("synthetic/portfolio_rar_sormland")
    view = display.sv(pf.breakdown(port, "owner"))
    text = view.text()
    assert {"Urval", "Huvudman", "Beviljade medel"} <= set(text.columns)
    assert "Lokal samverkansgrupp" in set(text["Huvudman"])
    assert set(text["Urval"]) == {"Alla", "Fördelat"}
    assert '<th scope="row">0</th>' not in view._repr_html_()


def test_sv_refuses_what_it_cannot_show() -> None:
    with pytest.raises(TypeError):
        display.sv([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="count columns"):
        display.sv(pd.DataFrame({"x": [1.5]}), threshold=4)


def test_homogeneity_tests_and_yearly_shares(finnveden: pd.DataFrame) -> None:
    tests = supply.homogeneity_test(finnveden, families=True, year=2019)
    text = display.sv(tests).text()
    assert "Stuart–Maxwell – Samtliga" in text.index
    assert set(text["Signifikant (5 %)"]) <= {"ja", "nej"}
    shares = pf.structural_share(datasets.load("synthetic/portfolio_rar_sormland"))
    text = display.sv(shares).text()
    assert list(text["År"][:2]) == ["2014", "2015"]  # a year, not "2 014"
    assert text["Andel strukturinriktat"].iloc[0] == "100,0\u00a0%"
