"""The report building blocks on their own: inputs, paths, tables, suppression of the SUS table,
narrative formatting and the HTML helpers."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from finsamlib import datasets, disclosure, outcomes, privacy, supply
from finsamlib import narrative as nr
from finsamlib.reports import cells, html, paths, sections
from finsamlib.reports.inputs import ReportInputs


def test_slugs_and_layout():
    assert paths.slug("RAR Sörmland") == "rar-sormland"
    assert paths.slug("Södra Vätterbygden") == "sodra-vatterbygden"
    assert paths.county_index(2021, "Jönköpings län").as_posix() == "2021/jonkopings-lan/index.html"
    assert (
        paths.association_report(2021, "Södermanlands län", "RAR Sörmland").as_posix()
        == "2021/sodermanlands-lan/rar-sormland.html"
    )
    # nothing to slug: a stable name from the exact name's hash (tests/test_slugs.py)
    assert paths.slug("  ") == paths.slug("  ") != paths.slug(" ")
    assert paths.slug("  ").startswith("namn-")


def test_inputs_record_provenance_and_sha256():
    inputs = ReportInputs()
    reg = inputs.load("registry")
    assert not inputs.synthetic
    p = inputs.load_table("participants")
    assert p["association"].nunique() == reg["association"].nunique()
    assert inputs.synthetic and p.attrs["provenance"] == "synthetic"
    files = {f.path: f for f in inputs.files}
    assert files["registry.csv"].provenance == "published"
    raw = datasets.data_dir() / "synthetic/participants_finnveden.csv"
    assert (
        files["synthetic/participants_finnveden.csv"].sha256
        == hashlib.sha256(raw.read_bytes()).hexdigest()
    )
    table = inputs.sources_table()
    assert list(table.columns) == ["Fil", "Ursprung", "Källa", "Beskrivning", "SHA-256"]
    assert table["Fil"].tolist() == sorted(files)
    with pytest.raises(FileNotFoundError, match="MANIFEST"):
        ReportInputs("/nonexistent")


def test_load_rejects_unknown_names_with_the_valid_ones():
    with pytest.raises(KeyError, match=r"valid: .*Finnveden"):
        sections.load(association="Nowhere", year=2021)
    with pytest.raises(KeyError, match="Jönköpings län"):
        sections.load(county="Atlantis", year=2021)
    with pytest.raises(ValueError):
        sections.load(year=2021)


def test_supply_table_hand_case():
    # 6 ended: 4 social assistance -> 2 work, 2 stay; 2 sickness benefit -> no public support
    df = pd.DataFrame(
        {
            "end_date": ["2021-03-01"] * 6,
            "support_before": ["social_assistance"] * 4 + ["sickness_benefit"] * 2,
            "support_after": ["employment"] * 2
            + ["social_assistance"] * 2
            + ["no_public_support"] * 2,
        }
    )
    # the run's pattern hides the small counts (4 and 2 before; 2, 2 and 2 after)
    small = [("before", "social_assistance"), ("before", "sickness_benefit")] + [
        ("after", c) for c in ("employment", "social_assistance", "no_public_support")
    ]
    pattern = disclosure.Pattern(
        threshold=4,
        hidden={cells.supply_key("A", 2021, side, c): disclosure.PRIMARY for side, c in small},
    )
    t = sections.supply_table(supply.change(df), pattern=pattern, association="A", year=2021)
    assert t.loc["Samtliga", "Antal före"] == 6
    # 4 and 2 before are small; every count here is hidden except the total
    assert t.loc["Försörjningsstöd", "Antal före"] != t.loc["Försörjningsstöd", "Antal före"]
    shown = privacy.display_values(t)
    assert shown.loc["Försörjningsstöd", "Antal före"] == "<5"
    assert shown.loc["Försörjningsstöd", "Andel före"] == ".."
    assert shown.loc["Studiemedel", "Antal före"] == "0"
    t0 = sections.supply_table(
        supply.change(df), pattern=disclosure.Pattern(0, {}), association="A", year=2021
    )
    assert t0.loc["Försörjningsstöd", "Antal före"] == 4
    assert t0.loc["Försörjningsstöd", "Andel efter"] == pytest.approx(2 / 6)
    assert t0.loc["Försörjningsstöd", "Förändring (procentenheter)"] == pytest.approx(-100 / 3)


def test_flows_table_is_the_library_flows_and_hides_small_counts():
    data = sections.load(association="RAR Sörmland", year=2021)
    t = sections.flows_table(data)
    # seed 004: 263 registered, 202 new, 156 ended, 60 of them to work or studies (38 %)
    published = datasets.load("published/seed004_participants_2021")
    assert t["Antal"].tolist() == [263, 202, 156, 60]
    assert t.loc["Avslutade till arbete och/eller studier", "Andel"] == pytest.approx(60 / 156)
    assert 60 in published["value"].tolist() and 156 in published["value"].tolist()
    big = sections.load(association="RAR Sörmland", year=2021, threshold=100)
    assert pd.isna(
        sections.flows_table(big).loc["Avslutade till arbete och/eller studier", "Antal"]
    )


def test_profile_table_adds_up():
    data = sections.load(association="Finnveden", year=2021)
    ended = outcomes.ended_in_year(data.participants_of(), 2021)
    nothing_hidden = disclosure.Pattern(0, {})
    t = sections.profile_table(
        ended, "sex", pattern=nothing_hidden, association="Finnveden", year=2021
    )
    assert t.loc["Samtliga", "Antal"] == len(ended)
    assert t.loc["Kvinnor", "Antal"] + t.loc["Män", "Antal"] == len(ended)


def test_narrative_formats_and_escapes():
    assert nr.fmt_count(1234567) == "1\u202f234\u202f567"
    assert nr.fmt_share()(0.342) == "34\u00a0%"
    assert nr.fmt_mkr(1)(8_520_000) == "8,5\u00a0mnkr"
    t = pd.DataFrame({"Antal": [3, 30]}, index=["<a>", "b"])
    out = str(nr.table(privacy.suppress(t), caption="x & y"))
    assert "&lt;a&gt;" in out and "x &amp; y" in out and "&lt;5" in out
    h = nr.header("Titel", synthetic=True)
    data, meta = h._repr_mimebundle_()
    assert nr.BANNER_TEXT in data["text/html"] and meta == {
        "finsam": {"title": "Titel", "synthetic": True}
    }
    assert nr.BANNER_TEXT not in str(nr.header("Titel", synthetic=False))
    assert nr.generation_time("2026-01-01T00:00:00Z") == "2026-01-01T00:00:00Z"


def test_generation_time_honours_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert nr.generation_time() == "1970-01-01T00:00:00Z"


def test_html_helpers_strip_run_metadata_and_read_page_metadata():
    nb = new_notebook(
        cells=[
            new_code_cell(
                "x",
                metadata={"tags": ["injected-parameters"], "papermill": {"duration": 1.2}},
                execution_count=3,
                outputs=[
                    new_output(
                        "display_data",
                        data={"text/html": "<b>x</b>"},
                        metadata={"finsam": {"title": "T", "synthetic": True}},
                    )
                ],
            )
        ]
    )
    nb.metadata["papermill"] = {"start_time": "now"}
    clean = html.strip_volatile(nb)
    assert "papermill" not in clean.metadata
    assert clean.cells[0].id.startswith("injected-parameters")
    assert clean.cells[0].execution_count is None
    assert html.page_metadata(nb) == {"title": "T", "synthetic": True}
    page = html.notebook_to_html(nbformat.from_dict(nb), "Min titel")
    assert "<title>Min titel</title>" in page and '<html lang="sv">' in page


def test_outcome_section_shows_the_county_only_when_it_differs_from_the_association():
    """RAR Sörmland is its county's only association (registry), so the county columns would
    repeat it; Finnveden shares Jönköpings län with two others, so the county is shown."""
    rar = str(sections.outcome_section(sections.load(association="RAR Sörmland", year=2021)))
    assert column("Södermanlands län") not in rar
    assert rar.count(column("RAR Sörmland")) == 3 and "omfattar hela Södermanlands län" in rar
    fin = str(sections.outcome_section(sections.load(association="Finnveden", year=2021)))
    assert fin.count(column("Jönköpings län")) == 3 and "omfattar hela" not in fin


def column(area: str) -> str:
    """The heading of an area's column in the outcome tables (one table per sex)."""
    return f'<th scope="col">{area}</th>'


def test_outcome_tables_one_per_sex_keep_every_column_and_mark():
    """The outcome table is three tables (Totalt, Kvinnor, Män) with the same area columns:
    no column is lost, and a suppressed cell keeps its mark in its sex's table."""
    data = sections.load(association="Finnveden", year=2021)
    table = sections.outcome_data(data)
    areas = ["Finnveden", "Jönköpings län", "Riket 2019"]
    html = str(sections.outcome_html(table, areas, "Utfall 2021", "SUS-rapporten"))
    captions = re.findall(r"<caption>(.*?)</caption>", html)
    assert captions == ["Utfall 2021 – totalt", "Utfall 2021 – kvinnor", "Utfall 2021 – män"]
    heads = re.findall(r"<thead><tr>(.*?)</tr></thead>", html)
    for head in heads:
        assert re.findall(r'<th scope="col">([^<]*)</th>', head) == ["", *areas]
    bodies = re.findall(r"<tbody>(.*?)</tbody>", html)
    hidden = {k: v for k, v in privacy.suppressed_cells(table).items() if k[1][0] in areas}
    assert {sex for _row, (_area, sex) in hidden} == set(sections.OUTCOME_SEXES)
    for (row, (area, sex)), reason in hidden.items():
        label = outcomes.INDICATOR_LABELS[row]
        body = bodies[sections.OUTCOME_SEXES.index(sex)]
        cells = re.search(rf"<th scope=\"row\">{re.escape(label)}</th>(.*?)</tr>", body).group(1)
        mark = "&lt;5" if reason == privacy.PRIMARY else ".."
        assert re.findall(r"<td[^>]*>(.*?)</td>", cells)[areas.index(area)] == mark
    assert html.count("SUS-rapporten") == 1  # the source once, under the last table


def test_breadcrumbs_lead_to_the_county_overview_and_the_index():
    """Relative links that resolve, in the reports folder's layout, to the pages they name."""
    report = sections.header(sections.load(association="Finnveden", year=2021)).body
    county = sections.header(sections.load(county="Jönköpings län", year=2021)).body
    for body, page, expected in (
        (
            report,
            paths.association_report(2021, "Jönköpings län", "Finnveden"),
            [paths.INDEX, str(paths.county_index(2021, "Jönköpings län"))],
        ),
        (county, paths.county_index(2021, "Jönköpings län"), [paths.INDEX]),
    ):
        nav = re.search(
            r'<nav class="finsam-breadcrumbs" aria-label="Brödsmulor">(.*?)</nav>', body
        )
        assert nav is not None
        hrefs = re.findall(r'<a href="([^"]+)">', nav.group(1))
        root = Path("/reports")
        resolved = [str((root / page.parent / h).resolve().relative_to(root)) for h in hrefs]
        assert resolved == expected
        assert '<span aria-current="page">' in nav.group(1)
    assert "Jönköpings län – översikt 2021" in report


def test_heading_anchor_links_get_accessible_names():
    page = (
        '<h2 id="F%C3%B6rs">Försörjning &amp; mer<a class="anchor-link" href="#F%C3%B6rs"></a></h2>'
    )
    named = html.name_anchor_links(page)
    assert 'aria-label="Länk till avsnittet Försörjning &amp; mer"' in named
    assert named.count("<a ") == 1 and named.endswith("</a></h2>")


def test_the_supply_chart_marks_what_the_supply_table_hides():
    """Every share the published table hides is marked on the chart where its bar would be."""
    from finsamlib.plots import supply as supply_plots

    data = sections.load(association="Finnveden", year=2021)
    change = supply.change(data.participants_of(), year=2021)
    published = sections.supply_table(
        change, pattern=data.pattern, association="Finnveden", year=2021
    )
    hidden = [
        cell
        for cell in privacy.suppressed_cells(published)
        if cell[1] in ("Antal före", "Antal efter")
    ]
    chart_table = sections.supply_chart_table(change, published)
    fig = supply_plots.before_after_bars(chart_table)
    marks = [t.get_text().strip() for t in fig.axes[0].texts if t.get_gid() == "finsam-hidden"]
    shown = chart_table[~((chart_table["count_before"] == 0) & (chart_table["count_after"] == 0))]
    in_chart = [c for c in hidden if c[0] in set(shown["label"])]
    assert len(in_chart) > 0 and len(marks) == len(in_chart)
    assert set(marks) <= {"<5", ".."} and "–" not in marks
    import matplotlib.pyplot as plt

    plt.close(fig)
