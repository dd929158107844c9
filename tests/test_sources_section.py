"""The "Datakällor och metod" section for boards: Swedish titles of the source documents, Swedish
descriptions, file names and checksums in a collapsed appendix, Swedish dates; and the note that
reconciles the economics figures."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from datetime import UTC, datetime

import pytest

from finsamlib import datasets, disclosure, privacy, sources
from finsamlib import narrative as nr
from finsamlib.reports import sections

GENERATED = "2026-12-02T13:52:00Z"


@pytest.fixture(scope="module")
def rar() -> sections.ReportData:
    data = sections.load(association="RAR Sörmland", year=2021, generated_at=GENERATED)
    sections.summary_section(data)  # the report reads its inputs section by section
    sections.economics_section(data)
    return data


def test_swedish_dates() -> None:
    assert nr.sv_date("2026-12-02") == "2 december 2026"
    assert nr.sv_date(datetime(2027, 1, 9, tzinfo=UTC)) == "9 januari 2027"
    assert nr.sv_datetime(GENERATED) == "2 december 2026 kl. 13.52 UTC"
    assert nr.sv_datetime("2026-05-01T06:05:00+02:00") == "1 maj 2026 kl. 04.05 UTC"
    assert nr.sv_datetime("not a time") == "not a time"


def test_source_ids_become_swedish_titles() -> None:
    origin = "001_bfa0679e96509604.txt; 004_9cccf62022c1bfeb.txt (Not 3); 001_bfa0679e96509604.txt"
    titles = [d.title for d in sources.documents_of(origin)]
    assert titles == ["Översyn av samordningsförbunden i Jönköpings län", "Årsredovisning 2021"]
    assert sources.documents_of("The user's own export") == []
    # every document the manifest names has a title
    named = {i for s in datasets.manifest()["source"] for i in re.findall(r"(\d{3})_\w+\.txt", s)}
    assert named == set(sources.DOCUMENTS)


def test_every_manifest_row_has_a_swedish_description() -> None:
    m = datasets.manifest()
    assert "beskrivning" in m.columns
    assert (m["beskrivning"].str.len() > 10).all()
    assert not m["beskrivning"].str.contains(r"\b(?:the|of|and)\b").any()  # not English


def test_sources_section_in_swedish_with_checksums_collapsed(rar) -> None:
    html = sections.sources_section(rar).body
    for title in (
        "Översyn av samordningsförbunden i Jönköpings län",
        "Årsredovisning 2021 (Samordningsförbundet RAR i Sörmland, 2022)",
        "Genomlysning av Samordningsförbundet RAR Sörmland",
    ):
        assert f"<cite>{title}" in html, title
    assert "Förbunden, deras län och medlemskommuner" in html  # the Swedish description
    assert "Associations, their county" not in html
    assert "Syntetisk (demonstrationsdata)" in html and "Antagande" in html
    summary = "<summary>Filer och kontrollsummor</summary>"
    assert html.count("<details") == 1 and summary in html
    appendix = html[html.index("<details") : html.index("</details>")]
    digest = hashlib.sha256((datasets.data_dir() / "registry.csv").read_bytes()).hexdigest()
    assert digest in appendix and "registry.csv" in appendix
    before = html[: html.index("<details")]
    assert digest not in before and "registry.csv" not in before  # names only in the appendix
    assert f'datetime="{GENERATED}">2 december 2026 kl. 13.52 UTC</time>' in html


def test_economics_note_explains_the_figures_that_seem_to_disagree(rar) -> None:
    # Every money cell shown (a pattern that hides nothing), so the note can quote them all;
    # the run's own pattern is checked below in test_economics_note_quotes_no_hidden_figure.
    shown = dataclasses.replace(
        rar,
        pattern=disclosure.Pattern(
            threshold=4, hidden={}, keys=rar.pattern.keys, fingerprint="test"
        ),
    )
    sav, actors = sections.economics_tables(shown)
    note = sections.economics_note(sav, actors).body
    assert "Så hänger siffrorna ihop" in note
    mkr = nr.fmt_mkr(1)
    parts = actors.loc[["varav Arbetsförmedlingen", "varav Försäkringskassan"], "Intäkt per år"]
    assert abs(parts.sum() - actors.loc["Staten", "Intäkt per år"]) > 1  # they do differ
    assert mkr(parts.sum()) in note and mkr(actors.loc["Staten", "Intäkt per år"]) in note
    assert mkr(sav.loc["5 år", "Besparing"]) in note
    assert mkr(actors.loc["Samhället", "Resultat 5 år"]) in note
    assert "bruttosiffra" in note and "nettosiffra" in note
    assert "finsam-note" in sections.economics_section(rar).body


def test_economics_note_quotes_no_hidden_figure(rar) -> None:
    """With the run's pattern, a hidden "varav" figure is neither quoted nor summed."""
    sav, actors = sections.economics_tables(rar)
    note = sections.economics_note(sav, actors).body
    hidden = privacy.suppressed_cells(actors)
    mkr = nr.fmt_mkr(1)
    nothing_hidden = disclosure.Pattern(
        threshold=4, hidden={}, keys=rar.pattern.keys, fingerprint="test"
    )
    _sav, full = sections.economics_tables(dataclasses.replace(rar, pattern=nothing_hidden))
    for row, column in hidden:
        assert mkr(full.at[row, column]) not in note
    if any(r.startswith("varav") for r, c in hidden if c == "Intäkt per år"):
        varav = ["varav Arbetsförmedlingen", "varav Försäkringskassan"]
        assert mkr(full.loc[varav, "Intäkt per år"].sum()) not in note
