"""The reports folder: checked before any report runs, a full disk fails only the page being
written, and a re-run never leaves a failed report's old page linked as current.

A folder that cannot be written and a full disk are real: a read-only or tiny tmpfs mounted for
the test (those tests are skipped where mounting is not allowed), or a folder below a file.
"""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from finsamlib import cli
from finsamlib.reports import outfolder, paths, runner
from tests.faults_fixtures import job, waiting_notebook


@contextlib.contextmanager
def tmpfs(path: Path, size_kb: int, readonly: bool = False):
    """A real tmpfs of ``size_kb`` at ``path`` (skips the test where mounting is not allowed)."""
    path.mkdir(parents=True, exist_ok=True)
    options = f"size={size_kb}k,mode=755" + (",ro" if readonly else "")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not allowed here: {done.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def cli_reports(monkeypatch, jobs: list[runner.Job], out: Path):
    monkeypatch.setattr(runner, "plan", lambda **_kw: jobs)
    return CliRunner().invoke(cli.main, ["reports", "--out", str(out), "--workers", "1"])


def assert_refused(result, words: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in result.output, lines


@pytest.fixture
def nb(tmp_path: Path) -> Path:
    return waiting_notebook(tmp_path / "page.ipynb")


def test_an_out_below_a_file_is_refused_before_any_report(tmp_path, nb, monkeypatch):
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    out = tmp_path / "file" / "reports"
    result = cli_reports(monkeypatch, [job(nb, 0)], out)
    assert_refused(result, f"cannot create the reports folder {out}")
    assert (tmp_path / "file").read_text(encoding="utf-8") == "not a folder"


def test_a_read_only_out_is_refused_and_nothing_is_written(tmp_path, nb, monkeypatch):
    with tmpfs(tmp_path / "ro", 1024, readonly=True) as ro:
        result = cli_reports(monkeypatch, [job(nb, 0)], ro / "reports")
        assert_refused(result, "cannot create the reports folder")
    with tmpfs(tmp_path / "ro2", 1024, readonly=True) as ro:
        result = cli_reports(monkeypatch, [job(nb, 0)], ro)  # exists, but read-only
        assert_refused(result, f"cannot write in the reports folder {ro}")
        assert list(ro.iterdir()) == []


def test_a_nearly_full_disk_is_refused_before_any_report(tmp_path, nb, monkeypatch):
    with tmpfs(tmp_path / "small", 64) as small:
        out = small / "new" / "reports"
        result = cli_reports(monkeypatch, [job(nb, 0)], out)
        assert_refused(result, "MiB free for the reports folder")
        assert f"at least {outfolder.MIN_FREE_MB} MiB" in result.output
        assert list(small.iterdir()) == []  # the folders made for the check are removed


def test_too_little_free_space_by_the_named_minimum(tmp_path, nb):
    """The same check anywhere: a minimum above what the disk has."""
    import shutil

    out = tmp_path / "a" / "b"
    huge = shutil.disk_usage(tmp_path).free / 2**20 + 10**6
    with pytest.raises(outfolder.OutputFolderError, match="MiB free"):
        runner.run([job(nb, 0)], out, min_free_mb=huge, progress=False)
    assert not (tmp_path / "a").exists()


@pytest.mark.slow
def test_a_full_disk_while_writing_fails_that_report_only(tmp_path, nb):
    """A page larger than what is left: its report fails with the OS's reason, no temporary
    file is left, and the other pages and the index are written."""
    with tmpfs(tmp_path / "disk", 3 * 1024) as disk:
        jobs = [job(nb, 0), job(nb, 1, big=6_000_000), job(nb, 2)]
        summary = runner.run(jobs, disk, workers=2, progress=False, min_free_mb=0)
        assert [r.job.parameters["n"] for r in summary.failed] == [1]
        error = summary.failed[0].error
        assert error.startswith(f"writing {disk / '2021/test/r01.html'}") and "space" in error
        assert "\n" not in error
        assert sorted(p.name for p in summary.written) == ["r00.html", "r02.html"]
        assert (disk / "index.html").is_file() and summary.index is not None
        assert not [p for p in disk.rglob("*") if p.name.endswith(".tmp")]
        assert not (disk / "2021/test/r01.html").exists()
        assert not (disk / paths.FAILED_DIR).exists()


@pytest.mark.slow
def test_a_report_failing_on_a_rerun_loses_its_old_page(tmp_path, nb):
    """Run 1 writes three pages; in run 2 report 1 fails: its old page is removed and the index
    no longer links it; run 3 renders it again and its failed notebook goes."""
    out = tmp_path / "out"
    first = runner.run([job(nb, i) for i in range(3)], out, workers=2, progress=False)
    assert first.ok and (out / "2021/test/r01.html").is_file()
    # PDFs an earlier `--pdf` run printed beside the pages
    for i in range(3):
        (out / f"2021/test/r0{i}.pdf").write_bytes(b"%PDF-1.4 earlier run")
    jobs = [job(nb, 0), job(nb, 1, fail=True), job(nb, 2)]
    second = runner.run(jobs, out, workers=2, progress=False)
    assert [r.job.parameters["n"] for r in second.failed] == [1]
    assert not (out / "2021/test/r01.html").exists()
    assert second.removed == [out / "2021/test/r01.html"]
    # no PDF outlives the page it printed, failed or rendered again (--pdf prints anew)
    assert not list((out / "2021/test").glob("*.pdf"))
    assert "removed the earlier pages of failed reports: 2021/test/r01.html" in second.text()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "r00.html" in index and "r02.html" in index and "r01.html" not in index
    kept = runner.failed_notebook_path(out, jobs[1])
    assert kept.is_file() and str(out / paths.FAILED_DIR) in second.text()
    third = runner.run([job(nb, i) for i in range(3)], out, workers=2, progress=False)
    assert third.ok and (out / "2021/test/r01.html").is_file()
    assert not kept.exists() and not (out / paths.FAILED_DIR).exists()
    assert "r01.html" in (out / "index.html").read_text(encoding="utf-8")
