"""A data folder's MANIFEST.csv cannot make the reports read a file outside the folder.

Every case is a real folder under pytest's temporary directory: a copy of the embedded data
whose manifest row points elsewhere through ``..``, an absolute path, a symlinked file or a
symlinked folder. The refusal names MANIFEST.csv, the row's line and the column, and comes
before any file is read.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from finsamlib import datasets
from finsamlib.errors import FinsamDataError
from finsamlib.reports import runner
from finsamlib.reports.inputs import ReportInputs

RAW = datasets.data_dir()
REPO = Path(__file__).resolve().parents[1]
#: The registry's row in the embedded manifest (line 2: the header is line 1).
REGISTRY_LINE = 2


def folder(tmp_path: Path) -> Path:
    """A copy of the embedded data folder and, beside it, a folder it must not reach."""
    root = shutil.copytree(RAW, tmp_path / "data")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copyfile(RAW / "registry.csv", elsewhere / "x.csv")
    return root


def set_path(root: Path, old: str, new: str, column: str = "path") -> int:
    """Point the manifest row of ``old`` at ``new``; the row's line in MANIFEST.csv."""
    m = pd.read_csv(root / "MANIFEST.csv", dtype=str, keep_default_na=False)
    hit = m.index[m["path"] == old][0]
    if column not in m.columns:
        m[column] = ""
    m.loc[hit, column] = new
    m.to_csv(root / "MANIFEST.csv", index=False)
    return int(hit) + 2


def digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def assert_refused(root: Path, line: int, value: str, column: str = "path") -> FinsamDataError:
    with pytest.raises(FinsamDataError) as info:
        ReportInputs(root)
    err = info.value
    assert err.path == str(root / "MANIFEST.csv")
    assert (err.line, err.column, err.value) == (line, column, value)
    assert "inside the data folder" in str(err)
    assert f"line {line}, column '{column}'" in str(err)
    return err


def test_dotdot_escape_is_refused_before_reading(tmp_path):
    root = folder(tmp_path)
    line = set_path(root, "registry.csv", "../elsewhere/x.csv")
    assert line == REGISTRY_LINE
    before = digests(tmp_path)
    assert_refused(root, line, "../elsewhere/x.csv")
    # every entry point refuses: planning, datasets by name, and the plain manifest
    with pytest.raises(FinsamDataError, match="line 2, column 'path'"):
        runner.plan(data_dir=root)
    with pytest.raises(FinsamDataError):
        datasets.path("registry", root)
    with pytest.raises(FinsamDataError):
        datasets.load("registry", root)
    assert digests(tmp_path) == before  # nothing was changed


def test_absolute_path_is_refused_even_when_it_points_inside(tmp_path):
    root = folder(tmp_path)
    for target in (str(tmp_path / "elsewhere" / "x.csv"), str(root / "registry.csv")):
        line = set_path(root, datasets.manifest(RAW)["path"].iloc[0], target)
        assert_refused(root, line, target)
        shutil.copyfile(RAW / "MANIFEST.csv", root / "MANIFEST.csv")


def test_symlinked_file_pointing_out_is_refused(tmp_path):
    root = folder(tmp_path)
    (root / "registry.csv").unlink()
    (root / "registry.csv").symlink_to(tmp_path / "elsewhere" / "x.csv")
    assert_refused(root, REGISTRY_LINE, "registry.csv")


def test_symlinked_folder_pointing_out_is_refused(tmp_path):
    root = folder(tmp_path)
    shutil.rmtree(root / "derived")
    outside = tmp_path / "elsewhere" / "derived"
    shutil.copytree(RAW / "derived", outside)
    (root / "derived").symlink_to(outside, target_is_directory=True)
    m = datasets.manifest(RAW)
    lines = [int(i) + 2 for i in m.index[m["path"].str.startswith("derived/")]]
    err = assert_refused(root, lines[0], m.loc[lines[0] - 2, "path"])
    assert [p.line for p in err.problems] == lines  # every row under it, not just the first


def test_symlinks_that_stay_inside_are_allowed(tmp_path):
    root = folder(tmp_path)
    (root / "links").mkdir()
    (root / "links" / "registry.csv").symlink_to(root / "registry.csv")
    set_path(root, "registry.csv", "links/../links/registry.csv")
    inputs = ReportInputs(root)
    assert len(inputs.load("registry")) == len(datasets.load("registry"))


def test_mapping_column_pointing_out_is_refused(tmp_path):
    root = folder(tmp_path)
    (tmp_path / "elsewhere" / "m.json").write_text('{"a": "person_id"}', encoding="utf-8")
    rel = datasets.manifest(RAW).query("table == 'participants'")["path"].iloc[0]
    line = set_path(root, rel, "../elsewhere/m.json", column="mapping")
    assert_refused(root, line, "../elsewhere/m.json", column="mapping")


def test_a_manifest_that_passed_is_checked_again_when_the_folder_changes(tmp_path):
    """``datasets.manifest`` remembers a manifest that passed; a changed manifest, a file
    swapped for a symlink pointing out, or a file moved out and linked back is checked again."""
    root = folder(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    datasets.manifest(root)  # passes, and is remembered
    line = set_path(root, "registry.csv", "../elsewhere/x.csv")
    with pytest.raises(FinsamDataError, match=f"line {line}, column 'path'"):
        datasets.manifest(root)
    shutil.copyfile(RAW / "MANIFEST.csv", root / "MANIFEST.csv")
    m = datasets.manifest(root)
    rel = m.loc[m["path"].str.startswith("derived/"), "path"].iloc[0]  # below the folder's top
    (root / rel).unlink()
    (root / rel).symlink_to(elsewhere / "x.csv")
    with pytest.raises(FinsamDataError, match=f"column 'path': found '{rel}'"):
        datasets.manifest(root)
    (root / rel).unlink()
    shutil.copyfile(RAW / rel, root / rel)
    datasets.manifest(root)
    time.sleep(0.05)  # past the file system's timestamp granularity
    os.rename(root / "registry.csv", elsewhere / "moved.csv")  # the same file, now outside
    (root / "registry.csv").symlink_to(elsewhere / "moved.csv")
    with pytest.raises(FinsamDataError, match=f"line {REGISTRY_LINE}, column 'path'"):
        datasets.manifest(root)
    with pytest.raises(FinsamDataError):
        datasets.load("registry", root)


def test_the_command_prints_the_manifest_problem_without_a_traceback(tmp_path):
    root = folder(tmp_path)
    set_path(root, "registry.csv", "../elsewhere/x.csv")
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "finsamlib.cli", "reports", "--data-dir", str(root), "--out", out],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "MANIFEST.csv" in proc.stderr and "line 2, column 'path'" in proc.stderr
    assert "../elsewhere/x.csv" in proc.stderr
    assert not out.exists()  # nothing rendered, not even an empty folder


@pytest.mark.slow
def test_init_with_a_registry_only_gives_working_reports(tmp_path):
    """The README flow with the user's own registry and no --population: the embedded
    population (other kommuner) is left out with a clear note, and every report of the user's
    county renders, the target group replaced by a Swedish notice."""
    from click.testing import CliRunner

    from finsamlib import cli

    norr = {
        "association": "Samordningsförbundet Norr",
        "county_code": "25",
        "county": "Norrbottens län",
        "kommun_code": "2580",
        "kommun": "Luleå",
    }
    pd.DataFrame([norr]).to_csv(tmp_path / "forbund.csv", index=False)
    raw = pd.read_csv(
        RAW / "synthetic" / "participants_finnveden.csv",
        sep=";",
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    ).drop(columns=["Syntetisk"])
    raw["Förbund"], raw["Kommun"] = norr["association"], norr["kommun_code"]
    raw.to_csv(tmp_path / "uttag.csv", sep=";", index=False)
    data = tmp_path / "mina_data"
    args = ["init", str(data), "--participants", str(tmp_path / "uttag.csv")]
    made = CliRunner().invoke(cli.main, [*args, "--registry", str(tmp_path / "forbund.csv")])
    assert made.exit_code == 0, made.output
    assert "left out derived/population.csv: it counts kommuner your registry" in made.output
    assert "--population" in made.output
    kept = set(datasets.manifest(data)["path"])
    assert "derived/population.csv" not in kept and "derived/target_group_sources.csv" not in kept
    out = tmp_path / "rapporter"
    summary = runner.render_reports(
        county="Norrbottens län", data_dir=data, out=out, workers=2, progress=False
    )
    assert summary.ok, summary.text()
    page = out / "2021" / "norrbottens-lan" / "samordningsforbundet-norr.html"
    assert "Befolkningsuppgifter för målgruppsberäkningen saknas" in page.read_text("utf-8")


def test_init_with_a_registry_covering_the_embedded_kommuner_keeps_the_population(tmp_path):
    from finsamlib.reports.datafolder import init_data_folder

    reg = pd.read_csv(RAW / "registry.csv", dtype=str, keep_default_na=False)
    reg.to_csv(tmp_path / "forbund.csv", index=False)
    result = init_data_folder(tmp_path / "d", {}, registry=tmp_path / "forbund.csv")
    assert result.unmatched == {}
    assert "derived/population.csv" in set(datasets.manifest(tmp_path / "d")["path"])
