"""The report runner with tiny notebooks: parallel kernels, failure isolation, atomic writes,
the dask executor and the CLI's errors. The real report notebooks are tested in
``test_reports.py`` and ``test_notebooks.py``."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from finsamlib import cli
from finsamlib.reports import kernels, paths, runner


def tiny_notebook(path: Path, light: bool = False) -> Path:
    """A notebook with a tagged parameters cell, a heading and one displayed output
    (``light``: without importing finsamlib, for the kernel stress test)."""
    show = (
        "from IPython.display import HTML\nHTML(f'<h1>Rapport {n}</h1>')"
        if light
        else "from finsamlib import narrative as nr\nnr.header(f'Rapport {n}', synthetic=False)"
    )
    nb = new_notebook(
        cells=[
            new_code_cell("n = 0\nfail = False", metadata={"tags": ["parameters"]}),
            new_code_cell("if fail:\n    raise ValueError(f'avsiktligt fel i rapport {n}')"),
            new_markdown_cell("## Rubrik"),
            new_code_cell(show),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def jobs_for(notebook: Path, n: int, broken: set[int] = frozenset()) -> list[runner.Job]:
    return [
        runner.Job(
            notebook=str(notebook),
            parameters={"n": i, "fail": i in broken},
            output=f"2021/test/r{i:02d}.html",
            title=f"Rapport {i}",
            kind="other",
        )
        for i in range(n)
    ]


def test_ipc_kernel_manager_uses_a_private_socket_folder():
    a, b = kernels.IPCKernelManager(), kernels.IPCKernelManager()
    assert a.transport == b.transport == "ipc"
    assert a.ip != b.ip
    assert Path(a.ip).parent.is_dir() and len(a.ip) < 90  # Unix socket path limit
    assert a.kernel_spec.argv[0] == os.sys.executable
    a._remove_folder()
    b._remove_folder()
    assert not Path(a.ip).parent.exists()


def test_failure_isolation_one_broken_job(tmp_path, caplog):
    nb = tiny_notebook(tmp_path / "tiny.ipynb")
    out = tmp_path / "out"
    jobs = jobs_for(nb, 4, broken={2})
    with caplog.at_level(logging.ERROR, logger="finsamlib.reports"):
        summary = runner.run(jobs, out, workers=2, progress=False)
    assert not summary.ok
    assert len(summary.written) == 3 and len(summary.failed) == 1
    failed = summary.failed[0]
    assert failed.job.parameters["n"] == 2
    assert "ValueError" in failed.error and "avsiktligt fel i rapport 2" in failed.error
    assert failed.cell_index == 2  # papermill inserted the injected-parameters cell
    for i in (0, 1, 3):
        assert (out / f"2021/test/r{i:02d}.html").is_file()
    assert not (out / "2021/test/r02.html").exists()
    kept = out / paths.FAILED_DIR / "2021__test__r02.ipynb"
    executed = nbformat.read(kept, as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors and errors[0].ename == "ValueError"
    # the log line names the report, the failing cell and the error
    line = next(r.getMessage() for r in caplog.records if "r02" in r.getMessage())
    assert "cell 2" in line and "ValueError" in line and str(kept) in line
    assert "FAILED 2021/test/r02" in summary.text()
    # the index links the written pages only
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "2021/test/r00.html" in index and "r02.html" not in index
    assert not list(out.rglob("*.tmp"))


@pytest.mark.slow
def test_stress_32_reports_on_4_workers_no_kernel_failures(tmp_path, monkeypatch):
    """nteract/papermill#511: parallel kernel starts must not collide (IPC transport)."""
    import shutil
    import tempfile

    nb = tiny_notebook(tmp_path / "tiny.ipynb", light=True)
    jobs = jobs_for(nb, 32)
    # a private socket root (short: Unix socket paths are limited), not /tmp that other runs
    # on the machine share
    sockets = Path(tempfile.mkdtemp(prefix="ftst-", dir="/tmp"))
    monkeypatch.setattr(kernels, "_SOCKET_ROOT", str(sockets))
    results = []
    summary = runner.run(
        jobs, tmp_path / "out", workers=4, progress=False, index=False, on_result=results.append
    )
    assert summary.failed == [], summary.text()
    assert len(summary.written) == 32
    assert all(r.attempts == 1 for r in results), [r.attempts for r in results]
    # every kernel's socket folder was removed with its kernel, and the run's with the run
    assert list(sockets.iterdir()) == []
    shutil.rmtree(sockets)


def test_rerun_gives_identical_files(tmp_path):
    nb = tiny_notebook(tmp_path / "tiny.ipynb")
    jobs = jobs_for(nb, 2)
    a = runner.run(
        jobs, tmp_path / "a", workers=2, progress=False, generated_at="2026-01-01T00:00:00Z"
    )
    b = runner.run(
        jobs, tmp_path / "b", workers=2, progress=False, generated_at="2026-01-01T00:00:00Z"
    )
    for pa, pb in zip(sorted(a.written), sorted(b.written), strict=True):
        assert pa.read_bytes() == pb.read_bytes()
    assert (tmp_path / "a/index.html").read_bytes() == (tmp_path / "b/index.html").read_bytes()


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path):
    target = tmp_path / "x" / "page.html"
    runner.atomic_write(target, "first")
    runner.atomic_write(target, "second")
    assert target.read_text() == "second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["page.html"]


def test_dask_executor_on_a_local_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    nb = tiny_notebook(tmp_path / "tiny.ipynb")
    jobs = jobs_for(nb, 3, broken={1})
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        summary = runner.run(
            jobs, tmp_path / "out", executor=client.get_executor(pure=False), progress=False
        )
    assert len(summary.written) == 2 and len(summary.failed) == 1
    assert (tmp_path / "out/2021/test/r00.html").is_file()


def test_dask_executor_via_render_reports_needs_a_scheduler():
    with pytest.raises(ValueError, match="scheduler"):
        runner.render_reports(executor="dask", scheduler=None)
    result = CliRunner().invoke(cli.main, ["reports", "--executor", "dask"])
    assert result.exit_code == 2 and "--scheduler" in result.output


def test_cli_unknown_names_list_the_valid_ones():
    result = CliRunner().invoke(cli.main, ["reports", "--county", "Atlantis"])
    assert result.exit_code == 2
    assert "unknown county 'Atlantis'" in result.output
    assert "Jönköpings län" in result.output and "Södermanlands län" in result.output
    result = CliRunner().invoke(cli.main, ["reports", "--association", "Nowhere"])
    assert (
        result.exit_code == 2 and "RAR Sörmland" in result.output and "Finnveden" in result.output
    )


def test_cli_exit_code_and_summary_when_a_report_fails(tmp_path, monkeypatch):
    nb = tiny_notebook(tmp_path / "tiny.ipynb")
    monkeypatch.setattr(runner, "plan", lambda **_kw: jobs_for(nb, 3, broken={0}))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli.main, ["reports", "--out", str(out), "--workers", "2"])
    assert result.exit_code == 1, result.output
    assert "2 of 3 reports written" in result.output
    assert "FAILED 2021/test/r00" in result.output
    assert (out / "2021/test/r01.html").is_file() and (out / "2021/test/r02.html").is_file()
    assert f"index: {(out / 'index.html').resolve()}" in result.output


def test_summary_json_is_machine_readable(tmp_path):
    s = runner.RunSummary(out=tmp_path, written=[tmp_path / "a.html"], seconds=1.234)
    assert json.loads(runner.summary_json(s)) == {
        "written": [str(tmp_path / "a.html")],
        "skipped": [],
        "failed": [],
        "index": None,
        "seconds": 1.23,
    }


def test_forked_kernels_share_no_state_between_reports(tmp_path):
    """Kernels forked from the warm zygote are fresh processes: a module attribute one report
    sets is not there in the next report on the same worker."""
    nb = new_notebook(
        cells=[
            new_code_cell("n = 0", metadata={"tags": ["parameters"]}),
            new_code_cell(
                "import os, finsamlib\n"
                "assert not hasattr(finsamlib, '_set_by_a_report'), 'state leaked'\n"
                "finsamlib._set_by_a_report = n\n"
                "print(os.getpid())"
            ),
        ]
    )
    nbformat.write(nb, tmp_path / "leak.ipynb")
    jobs = [
        runner.Job(str(tmp_path / "leak.ipynb"), {"n": i}, f"2021/t/r{i}.html", "t", "other")
        for i in range(3)
    ]
    results = []
    summary = runner.run(
        jobs, tmp_path / "out", workers=1, progress=False, index=False, on_result=results.append
    )
    assert summary.ok, summary.text()
    pids = {r.html.split("<pre>")[1].split("</pre>")[0].strip() for r in results}
    assert len(pids) == 3  # three kernel processes


def test_plain_kernels_when_fork_is_switched_off(tmp_path, monkeypatch):
    monkeypatch.setenv("FINSAM_KERNEL", "plain")
    assert kernels.manager_class() is kernels.IPCKernelManager
    nb = tiny_notebook(tmp_path / "tiny.ipynb", light=True)
    result = runner.execute(jobs_for(nb, 1)[0])
    assert result.ok and "Rapport 0" in result.html
    monkeypatch.setenv("FINSAM_KERNEL", "fork")
    assert kernels.manager_class() is kernels.ForkingKernelManager


def test_cli_unknown_year_lists_the_years_with_data():
    result = CliRunner().invoke(cli.main, ["reports", "--year", "1990"])
    assert result.exit_code == 2
    assert "no data for year 1990" in result.output and "2021" in result.output


def test_a_kernel_that_fails_to_start_is_retried(tmp_path, monkeypatch):
    import papermill

    nb = tiny_notebook(tmp_path / "tiny.ipynb", light=True)
    real = papermill.execute_notebook
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(*args, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    result = runner.execute(jobs_for(nb, 1)[0])
    assert result.ok and result.attempts == 2 and len(calls) == 2
    # a failing cell is not a kernel failure: no retry
    counted = []
    monkeypatch.setattr(
        papermill, "execute_notebook", lambda *a, **k: counted.append(1) or real(*a, **k)
    )
    result = runner.execute(jobs_for(nb, 1, broken={0})[0])
    assert not result.ok and result.attempts == 1 and len(counted) == 1


def test_progress_bar_on_a_terminal_only(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert runner._progress(3, None).disable
    assert not runner._progress(3, True).disable


@pytest.mark.slow
def test_render_reports_on_a_dask_scheduler(tmp_path):
    """The --executor dask path end to end: a LocalCluster's scheduler address, one county."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        summary = runner.render_reports(
            county="Södermanlands län",
            out=tmp_path,
            executor="dask",
            scheduler=cluster.scheduler_address,
            progress=False,
        )
    assert summary.ok, summary.text()
    assert {p.relative_to(tmp_path).as_posix() for p in summary.written} == {
        "2021/sodermanlands-lan/index.html",
        "2021/sodermanlands-lan/rar-sormland.html",
    }
    assert (tmp_path / "index.html").is_file()


@pytest.mark.slow
def test_cli_with_a_broken_parameter_set_of_the_real_report(tmp_path, monkeypatch):
    """The association report run with a broken threshold fails alone: the county's other pages
    are written, the failed notebook is kept with its error, and the command exits 1."""
    real_plan = runner.plan
    jobs = real_plan(county="Södermanlands län", generated_at="2026-01-01T00:00:00Z")
    broken = runner.Job(
        jobs[0].notebook,
        {**jobs[0].parameters, "threshold": -1},
        jobs[0].output.replace(".html", "-trasig.html"),
        "trasig",
        "association",
    )
    monkeypatch.setattr(runner, "plan", lambda **_kw: [*jobs, broken])
    result = CliRunner().invoke(cli.main, ["reports", "--out", str(tmp_path), "--workers", "2"])
    assert result.exit_code == 1, result.output
    assert "2 of 3 reports written" in result.output
    assert "rar-sormland-trasig: cell" in result.output and "threshold" in result.output
    assert (tmp_path / "2021/sodermanlands-lan/rar-sormland.html").is_file()
    assert (tmp_path / "2021/sodermanlands-lan/index.html").is_file()
    assert (
        tmp_path / paths.FAILED_DIR / "2021__sodermanlands-lan__rar-sormland-trasig.ipynb"
    ).is_file()
