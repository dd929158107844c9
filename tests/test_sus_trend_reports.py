"""The SUS parity sections and Utveckling över tid on the embedded data: every published cell is
in the run's disclosure model and drawn from its one pattern, the over-time cells are the
one-year tables' cells of each year, and the sections render into the report notebooks."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from finsamlib import employment, outcomes, privacy, trends
from finsamlib.reports import cells, sections, sus_sections, trend_sections
from finsamlib.reports.inputs import ReportInputs

from .test_disclosure_reports import captured

ROOT = Path(__file__).resolve().parents[1]
ASSOCIATIONS = ("Finnveden", "Höglandet", "RAR Sörmland", "Södra Vätterbygden")
ASSOCIATION_SECTIONS = (
    sus_sections.employment_section,
    sus_sections.time_in_insats_section,
    sus_sections.insats_section,
    trend_sections.trend_section,
)


@pytest.fixture(scope="module")
def model():
    """The run's cell model of the embedded data (the reports' pattern protects it)."""
    inputs = ReportInputs(None)
    return cells.report_model(
        inputs.load_table("participants"),
        inputs.load("registry"),
        standard_costs=inputs.load("assumptions/standard_costs"),
    )


def test_every_new_table_is_drawn_from_the_pattern(monkeypatch, model):
    reports = [
        (sections.load(association=a, year=2021), ASSOCIATION_SECTIONS) for a in ASSOCIATIONS
    ]
    reports += [
        (sections.load(association="Höglandet", year=2018), ASSOCIATION_SECTIONS),
        (sections.load(county="Jönköpings län", year=2021), (trend_sections.county_trend_section,)),
        (
            sections.load(county="Södermanlands län", year=2019),
            (trend_sections.county_trend_section,),
        ),
    ]
    seen = 0
    for data, calls in reports:
        for caption, df in captured(monkeypatch, data, calls):
            assert privacy.from_pattern(df), caption
            keys = df.attrs[privacy.ATTR]["keys"]
            hidden = privacy.suppressed_cells(df)
            numeric = [
                (r, c)
                for c in df.columns
                for r in df.index
                if pd.notna(df.at[r, c]) or (r, c) in hidden
            ]
            assert set(numeric) <= set(keys), caption  # no figure outside the model
            for (r, c), ks in keys.items():
                for k in ks:
                    assert k in model, (caption, r, c, k)
                if any(data.pattern.is_hidden(k) for k in ks):
                    assert (r, c) in hidden and pd.isna(df.at[r, c]), (caption, r, c)
                elif len(ks) == 1 and model.is_count(ks[0]) and not str(c).startswith("Andel"):
                    assert df.at[r, c] == model.value(ks[0]), (caption, r, c)
            seen += 1
    assert seen >= 5 * 5 + 4


def test_over_time_cells_are_each_years_one_year_cells(model):
    """The over-time table's ended registrations of a year are the outcome table's (and the
    summary's flows') cell of that year: the same key, the same value, hidden alike."""
    data = sections.load(association="Höglandet", year=2021)
    frame = trend_sections.trend_frame(data)
    years = trend_sections.trend_years(frame, ["Höglandet"])
    assert years == [2017, 2018, 2019, 2020, 2021]
    table = trend_sections.trend_table(data, frame, "Höglandet", years)
    keys = table.attrs[privacy.ATTR]["keys"]
    for y in years:
        ended = cells.outcome_key("Höglandet", outcomes.TOTAL, y, "ended_registrations")
        assert keys[(y, "Avslutade")] == [ended]
        assert table.at[y, "Avslutade"] == model.value(cells.flow_key("Höglandet", y, "ended"))
        one_year = sections.outcome_data(sections.load(association="Höglandet", year=y))
        assert (
            table.at[y, "Avslutade"] == one_year.at["ended_registrations", ("Höglandet", "Totalt")]
        )
        wos = cells.outcome_key("Höglandet", outcomes.TOTAL, y, "work_or_studies_count")
        assert keys[(y, "Arbete och/eller studier efter")] == [wos, ended]
        assert model.value(wos) == model.value(
            cells.flow_key("Höglandet", y, "ended_to_work_or_studies")
        )


def test_new_cells_add_up_as_the_model_declares(model):
    """Public support is the sum of the supply cells of the public categories; a county's is the
    sum of its associations'; sysselsättning and time in insats add up to the ended; the insatser
    add up to the association's outcome cells."""
    jkpg = ("Finnveden", "Höglandet", "Södra Vätterbygden")
    for y in (2017, 2021):
        for side in employment.SIDES:
            for a in jkpg:
                parts = [cells.supply_key(a, y, side, c) for c in trends.PUBLIC_CODES]
                assert model.value(cells.public_support_key(a, y, side)) == sum(
                    model.value(k) for k in parts
                )
            county = model.value(cells.public_support_key("Jönköpings län", y, side))
            assert county == sum(model.value(cells.public_support_key(a, y, side)) for a in jkpg)
            ended = model.value(cells.outcome_key("Finnveden", "Totalt", y, "ended_registrations"))
            statuses = [cells.employment_key("Finnveden", y, side, s) for s in employment.STATUSES]
            assert sum(model.value(k) for k in statuses) == ended
        money = [model.value(cells.money_key(a, y, "society")) for a in jkpg]
        assert model.value(cells.money_key("Jönköpings län", y, "society")) == pytest.approx(
            sum(money)
        )
    every = model.keys()  # a CellModel is not iterable
    ids = {k[3] for k in every if k[:3] == ("insats", "Höglandet", 2021)}
    for name, row in cells.INSATS_FIGURES.items():
        total = sum(model.value(cells.insats_key("Höglandet", 2021, i, name)) for i in ids)
        assert total == model.value(cells.outcome_key("Höglandet", "Totalt", 2021, row))


def test_builders_refuse_to_publish_without_the_pattern():
    data = sections.load(association="Finnveden", year=2021)
    data.pattern = None
    with pytest.raises(ValueError, match="disclosure pattern"):
        sus_sections.employment_table(data)
    with pytest.raises(ValueError, match="disclosure pattern"):
        trend_sections.trend_section(data)


def test_sections_render_with_their_tables_and_chart():
    data = sections.load(association="Finnveden", year=2021)
    html = str(sus_sections.employment_section(data))
    assert "Sysselsättning före och efter insats, Finnveden 2021" in html
    assert "Aktivt arbetssökande" in html and "Började eller ökade" in html
    assert "Tid i insats, Finnveden 2021" in str(sus_sections.time_in_insats_section(data))
    per_insats = sus_sections.insats_table(data)
    assert per_insats.index[-1] == "Samtliga"
    assert per_insats.loc["Samtliga", "Avslutade"] == 73  # Finnveden's ended in 2021
    trend = str(trend_sections.trend_section(data))
    assert "Utveckling över tid, Finnveden" in trend
    assert "Utveckling över tid, Jönköpings län" in trend and "<svg" in trend
    county = str(
        trend_sections.county_trend_section(sections.load(county="Jönköpings län", year=2021))
    )
    for area in ("Finnveden", "Höglandet", "Södra Vätterbygden", "Jönköpings län"):
        assert f"Utveckling över tid, {area}" in county
    rar = str(trend_sections.trend_section(sections.load(association="RAR Sörmland", year=2021)))
    assert "omfattar hela Södermanlands län" in rar
    assert '<th scope="row">2016</th>' in rar  # every year with data, 2016–2021


def headings(name: str) -> list[str]:
    nb = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))
    return [
        "".join(c["source"]).strip()
        for c in nb["cells"]
        if c["cell_type"] == "markdown" and "".join(c["source"]).startswith("## ")
    ]


def test_notebooks_place_the_new_sections():
    h = headings("association_report.ipynb")
    supply = h.index("## Försörjning före och efter")
    assert h[supply + 1 : supply + 4] == [
        "## Sysselsättning före och efter",
        "## Tid i insats",
        "## Resultat per insats",
    ]
    assert h[h.index("## Resultat") + 1] == "## Utveckling över tid"
    c = headings("county_overview.ipynb")
    assert c[c.index("## Resultat per förbund") + 1] == "## Utveckling över tid per förbund"
    assert "## Förbundens rapporter" in c and "## Datakällor och metod" in c
