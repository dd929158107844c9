"""Faults during a run, with real processes and real signals: SIGTERM and Ctrl-C stop every
process of the run with one line; a worker killed mid-report fails only that report."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import psutil
import pytest

from finsamlib.reports import kernels, paths, runner
from tests.faults_fixtures import job, start_cli, started, wait_until, waiting_notebook

NOISE = ("Traceback", "Task was destroyed", "Event loop is closed", "Exception ignored", "Error")


def descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def gone(procs: list[psutil.Process]) -> list[psutil.Process]:
    """Those of ``procs`` still running (is_running also checks the start time: no pid reuse)."""
    return [p for p in procs if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def worker_of(socket_root: Path, marker: str) -> int | None:
    """The pid of the worker that started a job (the pool notes it in the run's folder)."""
    for p in socket_root.glob(f"fsr-*/started/{marker}"):
        text = p.read_text(encoding="ascii")
        if text.isdigit():
            return int(text)
    return None


@pytest.fixture
def short_tmp():
    """A short folder for the run's sockets (Unix socket paths are limited to 107 bytes)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="ftst-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "code", "group"),
    [(signal.SIGTERM, 143, False), (signal.SIGINT, 130, True)],
    ids=["sigterm", "ctrl-c"],
)
def test_a_signal_ends_every_process_of_the_run(tmp_path, signum, code, group):
    """SIGTERM to the command (or Ctrl-C: SIGINT to its whole process group, as a terminal
    sends it) while two reports are running and one is written: every worker, the zygote and
    every kernel end, the command exits 128+signal with one line, and the page is kept."""
    nb = waiting_notebook(tmp_path / "wait.ipynb")
    markers = tmp_path / "markers"
    markers.mkdir()
    out = tmp_path / "out"
    jobs = [job(nb, 0, markers), job(nb, 1, markers, wait=True), job(nb, 2, markers, wait=True)]
    proc = start_cli(tmp_path, jobs, out)
    try:
        wait_until(lambda: (out / "2021/test/r00.html").is_file(), what="the first page")
        kernel_pids = wait_until(
            lambda: (lambda s: s if {1, 2} <= set(s) else None)(started(markers)),
            what="both waiting reports to run",
        )
        tree = descendants(proc.pid)
        assert {kernel_pids[1], kernel_pids[2]} <= {p.pid for p in tree}
        assert len(tree) >= 5  # two workers, the zygote, two kernels
        if group:
            os.killpg(proc.pid, signum)
        else:
            proc.send_signal(signum)
        assert proc.wait(timeout=120) == code
        wait_until(lambda: not gone(tree), timeout=30, what=f"the run's processes {gone(tree)}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        (markers / "go").touch()  # let any kernel that was left (a failure) finish
    stderr = (tmp_path / "stderr.txt").read_text(encoding="utf-8")
    stdout = (tmp_path / "stdout.txt").read_text(encoding="utf-8")
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert signal.Signals(signum).name in lines[0] and str(out) in lines[0]
    for word in NOISE:
        assert word not in stderr + stdout, stderr + stdout
    assert (out / "2021/test/r00.html").read_text(encoding="utf-8").count("Rapport 0")
    assert not (out / "2021/test/r01.html").exists() and not (out / paths.FAILED_DIR).exists()
    assert not list(out.rglob("*.tmp"))


@pytest.mark.slow
def test_a_killed_worker_fails_only_its_report(tmp_path, short_tmp, monkeypatch):
    """SIGKILL to the worker running report 0 while report 1 runs on the other worker: report 0
    fails with the signal named, report 1 (taken down with the pool) is retried in a fresh pool,
    reports 2 and 3 are rendered, and report 0's kernel is ended too."""
    monkeypatch.setattr(kernels, "_SOCKET_ROOT", str(short_tmp))
    nb = waiting_notebook(tmp_path / "wait.ipynb")
    markers = tmp_path / "markers"
    markers.mkdir()
    out = tmp_path / "out"
    jobs = [
        job(nb, 0, markers, wait=True),
        job(nb, 1, markers, wait=True),
        job(nb, 2, markers),
        job(nb, 3, markers),
    ]
    killed = {}

    def kill_when_running() -> None:
        kernel_pids = wait_until(
            lambda: (lambda s: s if {0, 1} <= set(s) else None)(started(markers)),
            what="reports 0 and 1 to run",
        )
        worker = wait_until(lambda: worker_of(short_tmp, "0-0"), what="report 0's worker")
        killed.update(worker=worker, kernel=kernel_pids[0])
        os.kill(worker, signal.SIGKILL)
        (markers / "go").touch()  # report 1 may finish now (in its retry)

    import threading

    killer = threading.Thread(target=kill_when_running, daemon=True)
    killer.start()
    start = time.monotonic()
    summary = runner.run(jobs, out, workers=2, progress=False)
    killer.join(timeout=5)
    assert killed, "the worker was not killed"
    assert time.monotonic() - start < 500  # report 0's wait (600 s) was cut short
    assert [r.job.parameters["n"] for r in summary.failed] == [0]
    assert "worker process died" in summary.failed[0].error
    assert "SIGKILL" in summary.failed[0].error
    assert sorted(p.name for p in summary.written) == ["r01.html", "r02.html", "r03.html"]
    assert "2021/test/r01" in summary.retried
    text = summary.text()
    assert "retried in a fresh pool" in text and "2021/test/r01" in text
    # nothing kept for a report whose worker died, and the summary does not point to _failed/
    assert paths.FAILED_DIR not in text and not (out / paths.FAILED_DIR).exists()
    wait_until(lambda: not psutil.pid_exists(killed["kernel"]), 30, "the dead worker's kernel")
    assert not list(short_tmp.iterdir())  # the run's socket folder is gone


def test_a_signal_before_any_worker_starts_exits_quietly(tmp_path):
    """A run stopped at once (SIGTERM right after start) still ends with one line or none,
    never a traceback, and leaves no process behind."""
    nb = waiting_notebook(tmp_path / "wait.ipynb")
    out = tmp_path / "out"
    proc = start_cli(tmp_path, [job(nb, 0, None, wait=True, wait_max=60)], out)
    try:
        wait_until(lambda: out.is_dir(), timeout=120, what="the output folder")
        tree = descendants(proc.pid)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=120) == 143
        wait_until(lambda: not gone(tree), timeout=30, what="the run's processes")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    stderr = (tmp_path / "stderr.txt").read_text(encoding="utf-8")
    assert len(stderr.strip().splitlines()) == 1 and "SIGTERM" in stderr, stderr
    assert "Traceback" not in stderr


def test_the_summary_names_failed_only_when_a_notebook_was_kept(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    j = job(tmp_path / "missing.ipynb", 0)
    s = runner.RunSummary(out=out, failed=[runner.JobResult(j, error="worker process died")])
    assert paths.FAILED_DIR not in s.text()
    kept = runner.failed_notebook_path(out, j)
    s.kept.append(kept)
    assert paths.FAILED_DIR not in s.text()  # listed, but not on disk
    runner.atomic_write(kept, "{}")
    assert f"executed notebooks of failed reports: {out / paths.FAILED_DIR}" in s.text()


def test_a_report_whose_notebook_cannot_run_keeps_nothing(tmp_path):
    out = tmp_path / "out"
    summary = runner.run([job(tmp_path / "missing.ipynb", 0)], out, workers=1, progress=False)
    assert not summary.ok and summary.failed[0].failed_notebook is None
    assert paths.FAILED_DIR not in summary.text()
    assert not (out / paths.FAILED_DIR).exists()


def test_a_sigterm_whose_exception_python_swallowed_still_interrupts():
    """SIGTERM landing in a callback Python runs for itself (an import lock's weakref callback)
    has its Interrupted printed as "ignored"; the block must still end as interrupted (exit 143),
    not as a success. Swallowed here by hand, with a real signal."""
    from finsamlib.reports.pool import Interrupted, sigterm_interrupts

    with pytest.raises(Interrupted) as caught, sigterm_interrupts():
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)  # the handler runs here
        except Interrupted:
            pass  # what Python does with an exception raised in such a callback
    assert caught.value.signum == signal.SIGTERM
