"""Every participant figure the reports publish goes through the run's one pattern: the tables of
the embedded data's reports are captured as the sections publish them and checked against the
disclosure model (completeness), and the model's values against the published ones."""

from __future__ import annotations

from pathlib import Path

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import given, settings

from finsamlib import disclosure, privacy
from finsamlib.reports import cells, sections

#: Tables that carry no participant figures (captions), with the reason.
PUBLIC_TABLES = {
    "Målgruppens storlek": "population statistics and assumed shares",
    "Insatser per huvudman": "the insats portfolio (money and insatser, not persons)",
    "Insatser per typ av insats": "the insats portfolio",
    "Insatsernas budget och utfall per år": "budgets",
    None: "the sources section's file list and parameters",
}
ASSOCIATION_SECTIONS = (
    sections.summary_section,
    sections.participants_section,
    sections.supply_section,
    sections.outcome_section,
    sections.economics_section,
    sections.target_group_section,
    sections.portfolio_section,
    sections.finance_section,
    sections.sources_section,
)


@pytest.fixture(scope="module")
def model_and_pattern():
    data = sections.load(association="Finnveden", year=2021)
    costs = data.inputs.load("assumptions/standard_costs")
    everyone = data.inputs.load_table("participants", remember=False)  # the page has its county's
    model = cells.report_model(everyone, data.registry, standard_costs=costs)
    return model, data.pattern


def captured(
    monkeypatch, data: sections.ReportData, calls
) -> list[tuple[str | None, pd.DataFrame]]:
    tables: list[tuple[str | None, pd.DataFrame]] = []
    real = sections.nr.table

    def spy(df, *args, **kwargs):
        tables.append((kwargs.get("caption"), df))
        return real(df, *args, **kwargs)

    def no_chart(fig, alt):  # charts are not tables, and drawing them as SVG costs most here
        import matplotlib.pyplot as plt

        plt.close(fig)
        return sections.nr.Html("")

    monkeypatch.setattr(sections.nr, "table", spy)
    monkeypatch.setattr(sections.nr, "figure", no_chart)
    for section in calls:
        str(section(data))
    return tables


@pytest.mark.parametrize("year", [2021, 2019])
def test_every_published_participant_table_is_drawn_from_the_pattern(
    monkeypatch, model_and_pattern, year
):
    model, pattern = model_and_pattern
    reports = [
        (sections.load(association=a, year=year), ASSOCIATION_SECTIONS)
        for a in ("Finnveden", "Höglandet", "RAR Sörmland", "Södra Vätterbygden")
    ]
    reports += [
        (
            sections.load(county=c, year=year),
            (sections.county_outcome_section, sections.sources_section),
        )
        for c in ("Jönköpings län", "Södermanlands län")
    ]
    seen = 0
    for data, calls in reports:
        assert data.pattern is not None and data.pattern.fingerprint == pattern.fingerprint
        for caption, df in captured(monkeypatch, data, calls):
            if caption in PUBLIC_TABLES or (caption or "").startswith(
                ("Insatser per", "Målgruppens storlek")
            ):
                continue
            assert privacy.from_pattern(df), caption  # not suppressed on its own
            keys = df.attrs[privacy.ATTR]["keys"]
            for (r, c), ks in keys.items():
                if r not in df.index:  # a row left out of the display (zero before and after)
                    continue
                for k in ks:
                    assert k in model, (caption, r, c, k)  # the model knows every cell
                v = df.at[r, c]
                if (
                    len(ks) == 1
                    and model.is_count(ks[0])
                    and isinstance(v, int | float)
                    and pd.notna(v)
                    and not str(c).startswith(("Andel", "Förändring", "Besparing"))
                    and ks[0][0] != "outcome"
                ):
                    assert float(v) == model.value(ks[0]), (caption, r, c)  # same number
                hidden = data.pattern.is_hidden(ks[0]) if len(ks) == 1 else None
                if hidden:
                    assert (r, c) in privacy.suppressed_cells(df)
            seen += 1
    assert seen >= 30


def test_outcome_counts_are_the_models(model_and_pattern):
    model, pattern = model_and_pattern
    data = sections.load(association="Höglandet", year=2021)
    table = sections.outcome_data(data)
    for ind in cells.OUTCOME_COUNTS:
        for area, sex in table.columns:
            if area.startswith(sections.NATION):
                continue
            key = cells.outcome_key(area, sex, 2021, ind)
            v = table.at[ind, (area, sex)]
            if pattern.is_hidden(key):
                assert pd.isna(v)
            else:
                assert v == model.value(key), key
    for ind in cells.OUTCOME_SHARE_COUNTS:
        key = cells.outcome_key("Höglandet", "Totalt", 2021, ind)
        n = model.value(cells.outcome_key("Höglandet", "Totalt", 2021, "ended_registrations"))
        v = table.at[ind, ("Höglandet", "Totalt")]
        if not pattern.is_hidden(key):
            assert round(v * n / 100) == model.value(key)


def test_a_key_outside_the_model_is_refused(model_and_pattern):
    _model, pattern = model_and_pattern
    t = pd.DataFrame({"Antal": [7]}, index=["x"])
    with pytest.raises(KeyError, match="not in the run's disclosure model"):
        privacy.apply_pattern(t, pattern, {("x", "Antal"): ("flows", "Nowhere", 2021, "new")})
    with pytest.raises(ValueError, match="neither linked"):
        privacy.apply_pattern(t, pattern, {})


def test_the_pattern_protects_every_small_count_of_the_embedded_data(model_and_pattern):
    model, pattern = model_and_pattern
    assert not pattern.unprotected
    bounds = disclosure.attack(model, pattern)
    pinned = [k for k, (lo, hi) in bounds.items() if pattern.hidden[k] == "primary" and lo == hi]
    assert not pinned


def test_the_runner_hands_every_report_the_same_pattern(tmp_path):
    from finsamlib.reports import runner

    jobs = runner.plan(county="Södermanlands län", generated_at="2026-01-01T00:00:00Z")
    out = runner.with_disclosure(jobs, tmp_path)
    files = {j.parameters[runner.DISCLOSURE_PARAMETER] for j in out}
    assert len(files) == 1
    pattern = disclosure.Pattern.from_json(Path(next(iter(files))).read_text(encoding="utf-8"))
    data = sections.load(
        association="RAR Sörmland", year=jobs[0].parameters["year"], disclosure_file=files.pop()
    )
    assert data.pattern == pattern


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(0, 60), max_size=30),
    st.lists(st.integers(0, 60), max_size=30, unique=True),
    st.booleans(),
)
def test_money_rows_are_the_intersection_with_the_money_table(rows, indexed, in_order):
    # the model finds an association's rows with money figures by binary search in the money
    # table's sorted row numbers: the same rows as numpy's intersect1d, in any order given
    import numpy as np

    index = sorted(indexed) if in_order else indexed
    money = pd.DataFrame({"kommun": np.ones(len(index))}, index=pd.Index(index, dtype="int64"))
    rows = np.array(rows, dtype=np.int64)
    expected = np.intersect1d(rows, np.array(index, dtype=np.int64))
    got = cells._money_rows(rows, money)
    assert got.tolist() == expected.tolist()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 19), max_size=25))
def test_a_count_takes_its_rows_once_in_order_however_they_are_given(rows):
    # sorted rows skip the sort; any other order, or a row twice, is sorted and counted once;
    # a row beyond the model is refused either way
    m = disclosure.CellModel(20)
    m.add_count(("c",), rows)
    assert m.rows(("c",)).tolist() == sorted(set(rows))
    assert m.value(("c",)) == len(set(rows))
    with pytest.raises(IndexError):
        m.add_count(("sorted",), [*sorted(set(rows)), 20])
    with pytest.raises(IndexError):
        m.add_count(("unsorted",), [20, *rows])
