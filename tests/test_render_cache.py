"""Incremental renders (issue #13): the record of each page, what invalidates it, and real
re-runs of ``finsam reports`` on a copy of the embedded data (two counties) that skip exactly
the pages whose inputs did not change."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from finsamlib import cli, disclosure
from finsamlib.reports import cache, cells, runner
from finsamlib.reports.inputs import sha256_of

from .reports_fixtures import copy_data_dir, participant_files

NOTEBOOK = str(runner.NOTEBOOK_DIR / runner.ASSOCIATION_NOTEBOOK)
PAGE = "2021/lan/forbund.html"


# --------------------------------------------------------------------------- the record alone


@pytest.fixture()
def recorded(tmp_path):
    """A data folder, a page and its record as the runner writes them (no kernel: what a
    report read is given as a report would give it)."""
    data = copy_data_dir(tmp_path / "data")
    out = tmp_path / "out"
    html = "<html>sida</html>"
    runner.atomic_write(out / PAGE, html)
    params = {"association": "Finnveden", "year": 2021, "data_dir": str(data), "threshold": 4}
    read = ["registry.csv", "derived/population.csv"]
    inputs = {rel: sha256_of(data / rel) for rel in read}
    deps = cache.Dependencies(data, 4)
    cache.write(out, PAGE, NOTEBOOK, params, html, inputs, cache.always_inputs(data), deps)
    assert cache.fresh(out, PAGE, NOTEBOOK, params)
    return data, out, params


def test_record_lists_what_was_read_and_the_pattern_inputs(recorded):
    data, out, _ = recorded
    record = json.loads(cache.record_path(out, PAGE).read_text(encoding="utf-8"))
    always = {"MANIFEST.csv", "registry.csv", "assumptions/standard_costs.csv"}
    assert set(cache.always_inputs(data)) == always
    expected = always | {"derived/population.csv"}
    assert set(record["inputs"]) == expected
    assert record["participants"] == {
        p.relative_to(data).as_posix(): sha256_of(p) for p in participant_files(data)
    }
    assert len(record["rows"]) == 64 and len(record["pattern"]) == 64
    assert record["notebook"] == sha256_of(NOTEBOOK)
    assert record["page"] == sha256_of(out / PAGE)


def test_generation_time_does_not_invalidate(recorded):
    _, out, params = recorded
    assert cache.fresh(out, PAGE, NOTEBOOK, {**params, "generated_at": "2030-01-01T00:00:00Z"})


@pytest.mark.parametrize(
    "change",
    [
        "data file bytes",
        "own participant row",
        "a county sibling's participant row",
        "a row of the county moved into another county's file",
        "manifest",
        "a file now missing",
        "parameter",
        "notebook",
        "version",
        "page edited",
        "page deleted",
        "record broken",
    ],
)
def test_any_change_invalidates(recorded, change, tmp_path, monkeypatch):
    data, out, params = recorded
    notebook = NOTEBOOK
    if change == "data file bytes":
        with (data / "derived/population.csv").open("a", encoding="utf-8") as fh:
            fh.write("\n")
    elif change == "own participant row":
        _edit_first_row(_participant_file(data, "finnveden"))
    elif change == "a county sibling's participant row":
        _edit_first_row(_participant_file(data, "hoglandet"))
    elif change == "a row of the county moved into another county's file":
        _add_row(_participant_file(data, "rar_sormland"), "Finnveden")
    elif change == "manifest":
        text = (data / "MANIFEST.csv").read_text(encoding="utf-8")
        (data / "MANIFEST.csv").write_text(text.replace("Förbunden", "Alla förbund", 1), "utf-8")
    elif change == "a file now missing":
        (data / "derived/population.csv").unlink()
    elif change == "parameter":
        params = {**params, "threshold": 5}
    elif change == "notebook":
        notebook = str(tmp_path / "copy.ipynb")
        text = Path(NOTEBOOK).read_text(encoding="utf-8")
        Path(notebook).write_text(text.replace("förbundets namn", "namnet"), encoding="utf-8")
    elif change == "version":
        monkeypatch.setattr(cache, "__version__", "99.0")
    elif change == "page edited":
        with (out / PAGE).open("a", encoding="utf-8") as fh:
            fh.write("<!-- ändrad -->")
    elif change == "page deleted":
        (out / PAGE).unlink()
    elif change == "record broken":
        cache.record_path(out, PAGE).write_text("{", encoding="utf-8")
    assert not cache.fresh(out, PAGE, notebook, params)


def _participant_file(data: Path, slug: str) -> Path:
    return next(p for p in participant_files(data) if slug in p.name)


def _edit_first_row(file: Path) -> None:
    """One year earlier birth for the file's first registration (still valid)."""
    lines = file.read_text(encoding="utf-8-sig").split("\n")
    cells = lines[1].split(";")
    cells[4] = str(int(cells[4]) - 1)  # Födelseår
    lines[1] = ";".join(cells)
    file.write_text("\n".join(lines), encoding="utf-8-sig")


def _add_row(file: Path, association: str) -> None:
    """A copy of the file's first registration, of ``association`` and a new person."""
    lines = file.read_text(encoding="utf-8-sig").rstrip("\n").split("\n")
    cells = lines[1].split(";")
    cells[0], cells[2] = association, "S-999999"
    file.write_text("\n".join([*lines, ";".join(cells)]) + "\n", encoding="utf-8-sig")


def test_another_countys_participants_leave_the_page_fresh(recorded):
    """Finnveden's page computes from Jönköpings län's rows: a changed row, and a new row, in
    Södermanlands län's file change neither its rows nor its part of the pattern."""
    data, out, params = recorded
    file = _participant_file(data, "rar_sormland")
    _edit_first_row(file)
    _add_row(file, "RAR Sörmland")
    assert cache.fresh(out, PAGE, NOTEBOOK, params)
    record = json.loads(cache.record_path(out, PAGE).read_text(encoding="utf-8"))
    assert record["participants"][file.relative_to(data).as_posix()] != sha256_of(file)


def test_page_pattern_digest_follows_only_the_pages_cells():
    """Hand-made pattern: a hidden cell of another county leaves the digests of Finnveden's
    page and of its county's overview as they were; a cell of its county's outcome column,
    or one of its own, changes them."""
    registry = pd.DataFrame(
        {
            "association": ["Finnveden", "Höglandet", "RAR Sörmland"],
            "county": ["Jönköpings län", "Jönköpings län", "Södermanlands län"],
        }
    )
    own = cells.flow_key("Finnveden", 2021, "ended")
    county = cells.outcome_key("Jönköpings län", "Totalt", 2021, "work_count")
    sibling = cells.outcome_key("Höglandet", "Totalt", 2021, "work_count")
    other = cells.flow_key("RAR Sörmland", 2021, "ended")
    other_year = cells.outcome_key("Finnveden", "Totalt", 2018, "work_count")
    keys = frozenset({own, county, sibling, other, other_year})

    def digests(hidden: dict) -> tuple[str, str]:
        pattern = disclosure.Pattern(threshold=4, hidden=hidden, keys=keys)
        return (
            cells.page_pattern_digest(pattern, registry, association="Finnveden", year=2021),
            cells.page_pattern_digest(pattern, registry, county="Jönköpings län", year=2021),
        )

    base = digests({})
    # another county's cell: not on Finnveden's page, but on every county overview (its
    # adjusted comparison places the county's associations among all of them)
    assert digests({other: "primary"})[0] == base[0]
    assert digests({other: "primary"})[1] != base[1]
    assert digests({other_year: "secondary"}) == base  # a page shows its own year only
    assert digests({own: "primary"})[0] != base[0] and digests({own: "primary"})[1] != base[1]
    assert digests({county: "secondary"})[0] != base[0]
    assert digests({own: "primary"}) != digests({own: "secondary"})
    # the sibling's own outcome column is not on Finnveden's page, but on the overview
    assert digests({sibling: "primary"})[0] == base[0]
    assert digests({sibling: "primary"})[1] != base[1]


def test_mapping_file_change_invalidates(tmp_path):
    """A header mapping that a report applied is one of its inputs (ReportInputs records it)."""
    data = copy_data_dir(tmp_path / "data")
    mapping = data / "user" / "mapping.json"
    mapping.parent.mkdir()
    mapping.write_text('{"Deltagarnummer": "person_id"}', encoding="utf-8")
    out = tmp_path / "out"
    runner.atomic_write(out / PAGE, "x")
    params = {"association": "Finnveden", "data_dir": str(data)}
    inputs = {"user/mapping.json": sha256_of(mapping)}
    deps = cache.Dependencies(data, 4)
    cache.write(out, PAGE, NOTEBOOK, params, "x", inputs, cache.always_inputs(data), deps)
    assert cache.fresh(out, PAGE, NOTEBOOK, params)
    mapping.write_text('{"Deltagarnr": "person_id"}', encoding="utf-8")
    assert not cache.fresh(out, PAGE, NOTEBOOK, params)


# --------------------------------------------------------------------------- real re-runs


def _state(out: Path) -> dict[str, tuple[int, str]]:
    """Every page under ``out``: (mtime in ns, SHA-256)."""
    return {
        p.relative_to(out).as_posix(): (p.stat().st_mtime_ns, sha256_of(p))
        for p in sorted(out.rglob("*.html"))
        if not p.relative_to(out).as_posix().startswith("_")
    }


def _reports(out: Path, data: Path, *args: str):
    common = ["--out", str(out), "--data-dir", str(data), "--workers", "2", "--no-progress"]
    return CliRunner().invoke(cli.main, ["reports", *common, *args])


@pytest.fixture(scope="module")
def two_counties(tmp_path_factory):
    """A copy of the embedded data (two counties, four associations) rendered once."""
    root = tmp_path_factory.mktemp("cache")
    data = copy_data_dir(root / "data")
    out = root / "out"
    first = _reports(out, data)
    assert first.exit_code == 0, first.output
    assert "6 of 6 reports written" in first.output and "skipped" not in first.output
    return data, out


def test_second_run_skips_every_page_and_says_so(two_counties):
    data, out = two_counties
    before = _state(out)
    index_before = (out / "index.html").stat().st_mtime_ns
    result = _reports(out, data)
    assert result.exit_code == 0, result.output
    assert "0 of 0 reports written" in result.output
    assert "6 skipped (unchanged)" in result.output
    after = _state(out)
    assert {k: v for k, v in after.items() if k != "index.html"} == {
        k: v for k, v in before.items() if k != "index.html"
    }
    assert (out / "index.html").stat().st_mtime_ns > index_before  # the index is rewritten


def test_changed_file_renders_exactly_the_pages_that_read_it(two_counties):
    """A file only RAR Sörmland's report reads (its insats budget 2021): that page is rendered
    again, a page deleted by hand too; every other page of both counties is left as it was."""
    data, out = two_counties
    rel = "published/seed004_insats_budget_2021.csv"
    records = {
        p.relative_to(out / cache.RECORD_DIR).as_posix().removesuffix(".json"): json.loads(
            p.read_text(encoding="utf-8")
        )
        for p in (out / cache.RECORD_DIR).rglob("*.json")
    }
    assert len(records) == 6
    readers = {page for page, r in records.items() if rel in r["inputs"]}
    assert readers == {"2021/sodermanlands-lan/rar-sormland.html"}
    deleted = "2021/jonkopings-lan/hoglandet.html"
    (out / deleted).unlink()
    with (data / rel).open("a", encoding="utf-8") as fh:
        fh.write("\n")  # the bytes change, the table does not
    before = _state(out)
    result = _reports(out, data)
    assert result.exit_code == 0, result.output
    assert "2 of 2 reports written" in result.output and "4 skipped (unchanged)" in result.output
    after = _state(out)
    changed = {k for k in after if before.get(k) != after[k]}
    assert changed == readers | {deleted, "index.html"}
    # the county overview of the same county read nothing that changed: left as it was
    assert after["2021/sodermanlands-lan/index.html"] == before["2021/sodermanlands-lan/index.html"]


def test_participant_row_renders_its_association_county_and_index_only(two_counties):
    """Issue #13: a changed row in RAR Sörmland's participant file renders its page, its
    county's overview and the index again; Jönköpings län's three association pages, which
    neither read that file nor show a cell whose suppression changed, are left as they were.
    (In a county of several associations the siblings render too: their page shows the county
    column. Every county overview renders too: its adjusted comparison fits one model on all
    associations of the folder, so RAR Sörmland's rows are on Jönköpings län's overview.)"""
    data, out = two_counties
    before = _state(out)
    _edit_first_row(_participant_file(data, "rar_sormland"))
    result = _reports(out, data)
    assert result.exit_code == 0, result.output
    assert "3 of 3 reports written" in result.output and "3 skipped (unchanged)" in result.output
    after = _state(out)
    changed = {k for k in after if before.get(k) != after[k]}
    assert changed == {
        "2021/sodermanlands-lan/rar-sormland.html",
        "2021/sodermanlands-lan/index.html",
        "2021/jonkopings-lan/index.html",
        "index.html",
    }
    page = (out / "2021/sodermanlands-lan/rar-sormland.html").read_text(encoding="utf-8")
    assert "participants_rar_sormland.csv" in page and "participants_finnveden.csv" not in page


def test_force_renders_all_and_a_parameter_change_reaches_the_pages(two_counties, tmp_path):
    data, out = two_counties
    county = ["--association", "RAR Sörmland"]  # its page and its county's overview
    unchanged = _reports(out, data, *county)
    assert "2 skipped (unchanged)" in unchanged.output, unchanged.output
    forced = _reports(out, data, *county, "--force")
    assert forced.exit_code == 0, forced.output
    assert "2 of 2 reports written" in forced.output and "skipped" not in forced.output
    params = tmp_path / "params.yaml"
    params.write_text("threshold: 6\n", encoding="utf-8")
    before = _state(out)
    changed = _reports(out, data, *county, "--params", str(params))
    assert changed.exit_code == 0, changed.output
    assert "2 of 2 reports written" in changed.output
    after = _state(out)
    pages = ["2021/sodermanlands-lan/rar-sormland.html", "2021/sodermanlands-lan/index.html"]
    for page in pages:
        assert after[page] != before[page]
        text = (out / page).read_text(encoding="utf-8")
        assert 'Gräns för små tal</th><td class="finsam-text">6</td>' in text
    # the same value given with -p: nothing to do
    again = _reports(out, data, *county, "-p", "threshold", "6")
    assert "2 skipped (unchanged)" in again.output, again.output


# --------------------------------------------------------------------------- patterns kept


def test_pattern_store_keeps_patterns_by_fingerprint_and_ignores_what_it_cannot_trust(tmp_path):
    store = cache.PatternStore(tmp_path)
    made = disclosure.Pattern(threshold=4, hidden={("a",): "primary"}, fingerprint="fp1")
    assert store.get("fp1") is None
    store.put("fp1", made)
    assert store.get("fp1") == made
    assert store.get("fp2") is None  # another fingerprint: another file
    assert not list((tmp_path / cache.RECORD_DIR).rglob("*.json"))  # not taken for a record
    # a file under the right name but made for other data (a copy by hand) is not used
    store.path("fp2").write_text(made.to_json(), encoding="utf-8")
    assert store.get("fp2") is None
    store.path("fp1").write_text("{not json", encoding="utf-8")  # cut short, edited
    assert store.get("fp1") is None
    # --force: nothing is read, the new pattern replaces the old
    forced = cache.PatternStore(tmp_path, read=False)
    assert forced.get("fp1") is None
    forced.put("fp1", made)
    assert store.get("fp1") == made
    # only the newest are kept
    for i in range(cache.PATTERNS_KEPT + 3):
        store.put(f"n{i}", disclosure.Pattern(threshold=4, hidden={}, fingerprint=f"n{i}"))
    kept = sorted(store.folder.glob("*.pattern"))
    assert len(kept) == cache.PATTERNS_KEPT
    assert store.get(f"n{cache.PATTERNS_KEPT + 2}") is not None and store.get("n0") is None


def test_a_run_with_the_same_participant_rows_reuses_the_kept_pattern(two_counties, monkeypatch):
    """A page to render again, no participant row changed: the pattern of the last run is
    reused, not audited again; a kept file that cannot be read is computed again."""
    data, out = two_counties
    computed: list[int] = []
    real = cells.pattern_for

    def counted(*args, **kwargs):
        computed.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cells, "pattern_for", counted)
    page = out / "2021/jonkopings-lan/finnveden.html"
    for broken in (False, True):
        cells._FOLDER_PATTERNS.clear()  # as in a new process
        computed.clear()
        kept = list((out / cache.RECORD_DIR / cache.PATTERN_DIR).glob("*.pattern"))
        assert kept
        if broken:
            for f in kept:
                f.write_text("{", encoding="utf-8")
        page.unlink()
        result = _reports(out, data)
        assert result.exit_code == 0, result.output
        assert page.is_file() and "reports written" in result.output
        assert len(computed) == (1 if broken else 0)
