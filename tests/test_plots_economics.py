"""The economics and funding charts render headless, titled and sourced, with one bar per value."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.container import BarContainer

from finsamlib import datasets
from finsamlib import economics as eco
from finsamlib import funding as fund
from finsamlib.categories import ACTOR_LABELS
from finsamlib.plots import economics as pe


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def bars(fig) -> int:
    ax = fig.axes[0]
    return sum(len(c) for c in ax.containers if isinstance(c, BarContainer))


def texts(fig) -> str:
    return "\n".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


def assert_titled_and_sourced(fig, title: str) -> None:
    fig.canvas.draw()  # renders headless without error
    assert fig._suptitle is not None and fig._suptitle.get_text() == title
    assert "Källa: " in texts(fig)


def test_savings_chart_one_bar_per_horizon_and_group() -> None:
    savings = pd.concat(
        [
            eco.flat_rate_savings(60).assign(cohort="RAR-insatser"),
            eco.flat_rate_savings(63).assign(cohort="ESF"),
        ]
    )
    fig = pe.savings_chart(savings, group="cohort", source="RAR Sörmland, årsredovisning 2021")
    assert_titled_and_sourced(fig, "Besparing med schablonbelopp")
    assert bars(fig) == 6
    assert "Källa: RAR Sörmland, årsredovisning 2021" in texts(fig)
    assert "85,2" in texts(fig) and "10 år" in texts(fig)  # Swedish decimal comma and labels
    assert bars(pe.savings_chart(eco.flat_rate_savings(10, years=(1, 3)))) == 2
    with pytest.raises(KeyError):
        pe.savings_chart(savings.drop(columns="savings"))


@pytest.fixture(scope="module")
def profitability_2016() -> pd.DataFrame:
    table = datasets.load("published/seed003_profitability")
    revenue, cost = eco.profitability_inputs_from_published(table, 2016)
    return eco.profitability(revenue, cost, 42)


def test_profitability_chart_diverges_per_actor(profitability_2016) -> None:
    fig = pe.profitability_chart(profitability_2016)
    assert_titled_and_sourced(fig, "Lönsamhet per aktör")
    assert bars(fig) == 2 * 6
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks == list(ACTOR_LABELS.values())
    # negative bars are hatched and orange, positive plain
    rects = [r for c in fig.axes[0].containers for r in c]
    hatched = sum(1 for r in rects if r.get_hatch())
    values = profitability_2016[["result_short_term", "result_medium_term"]].to_numpy()
    assert hatched == int((values < 0).sum())
    one = pe.profitability_chart(profitability_2016, horizons=("short",), per_participant=True)
    assert bars(one) == 6
    with pytest.raises(ValueError):
        pe.profitability_chart(profitability_2016, horizons=("long",))


def test_payback_chart_leaves_no_payback_out() -> None:
    paybacks = pd.DataFrame(
        {"2016": [27.0, np.nan, 9.0], "2017": [32.0, np.nan, 29.0]},
        index=["society", "af", "kommun"],
    )
    fig = pe.payback_chart(paybacks)
    assert_titled_and_sourced(fig, "Återbetalningstid per aktör och år")
    assert bars(fig) == 4
    assert texts(fig).count(pe.NO_PAYBACK) >= 2 + 1  # two marks and the note


def test_contributions_chart_one_bar_per_kommun() -> None:
    out = fund.member_contributions({"Vingåker": 5048, "Gnesta": 6439, "Trosa": 7712}, 400_000)
    fig = pe.contributions_chart(out)
    assert_titled_and_sourced(fig, "Medlemsinsatser per kommun")
    assert bars(fig) == 3
    assert "Vingåker" in texts(fig)


def test_budget_chart_pairs_budget_and_outcome() -> None:
    budget = pd.DataFrame(
        {
            "association": "X",
            "year": 2021,
            "insats": ["a", "b", "c"],
            "budget": [100_000.0, 200_000.0, 300_000.0],
            "outcome": [90_000.0, 250_000.0, 0.0],
        }
    )
    fig = pe.budget_chart(fund.budget_utilisation(budget))
    assert_titled_and_sourced(fig, "Budget och utfall per insats")
    assert bars(fig) == 2 * 3  # the total row is in the note, not a bar
    assert "125\u00a0%" in texts(fig)  # utilisation of b, Swedish percent
    assert "Totalt: budget 600 tkr, utfall 340 tkr" in texts(fig)


def test_equity_chart_one_bar_per_association() -> None:
    accounts = fund.accounts_from_published(
        datasets.load("published/seed001_bokslut_2019"), year=2019
    )
    indicators = fund.equity_indicators(accounts)
    fig = pe.equity_chart(indicators)
    assert_titled_and_sourced(fig, "Eget kapital och rekommenderat tak")
    assert bars(fig) == 4  # three associations and their total
    assert "(antagande)" in texts(fig)  # the assumed second step is labelled as such
