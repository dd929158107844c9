"""Support for the fault and output-folder tests: a light notebook that can wait for a signal
file, jobs of it, and ``finsam reports`` in a real subprocess with those jobs planned.

The notebook notes each kernel it runs in (``<n>.<pid>.started`` in a marker folder) and, with
``wait``, waits until the file ``go`` appears there (at most ``wait_max`` seconds): the tests
poll for those markers instead of sleeping a fixed time, so they hold on a loaded machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from finsamlib.reports import runner

REPO = Path(__file__).resolve().parents[1]

DRIVER = """
import json, sys
from finsamlib import cli
from finsamlib.reports import runner

if __name__ == "__main__":
    spec = json.loads(sys.argv[1])
    jobs = [runner.Job(**j) for j in spec["jobs"]]
    runner.plan = lambda **_kw: jobs
    cli.main(["reports", "--out", spec["out"], "--workers", str(spec["workers"]),
              "--no-progress"], prog_name="finsam")
"""


def waiting_notebook(path: Path) -> Path:
    """A notebook without finsamlib imports that notes its kernel and may wait for ``go``
    (``page``: the HTML it shows instead of its heading)."""
    nb = new_notebook(
        cells=[
            new_code_cell(
                "n = 0\nwait = False\nwait_max = 600\nmarkers = ''\nbig = 0\nfail = False\n"
                "page = ''",
                metadata={"tags": ["parameters"]},
            ),
            new_code_cell(
                "import os, pathlib, time\n"
                "if markers:\n"
                "    pathlib.Path(markers, f'{n}.{os.getpid()}.started').write_text('')\n"
                "t0 = time.monotonic()\n"
                "while wait and not pathlib.Path(markers, 'go').exists():\n"
                "    if time.monotonic() - t0 > wait_max:\n"
                "        break\n"
                "    time.sleep(0.05)\n"
                "if fail:\n"
                "    raise ValueError(f'avsiktligt fel i rapport {n}')"
            ),
            new_code_cell(
                "from IPython.display import HTML\n"
                "HTML(page or f'<h1>Rapport {n}</h1>' + '<p>' + 'x' * big + '</p>')"
            ),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python", "language": "python"}
    nbformat.write(nb, path)
    return path


def job(notebook: Path, n: int, markers: Path | None = None, **params: object) -> runner.Job:
    return runner.Job(
        notebook=str(notebook),
        parameters={"n": n, "markers": str(markers or ""), **params},
        output=f"2021/test/r{n:02d}.html",
        title=f"Rapport {n}",
        kind="other",
    )


def started(markers: Path) -> dict[int, int]:
    """Report number -> pid of the kernel, for every kernel that started so far."""
    found = {}
    for p in markers.glob("*.started"):
        n, pid, _ = p.name.split(".")
        found[int(n)] = int(pid)
    return found


def wait_until(check: Callable[[], object], timeout: float = 300, what: str = "") -> object:
    """Poll ``check`` until it returns something true (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or check}")


def start_cli(tmp: Path, jobs: list[runner.Job], out: Path, workers: int = 2) -> subprocess.Popen:
    """``finsam reports`` in a new session (like a shell job), with ``jobs`` as its plan."""
    driver = tmp / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    spec = {"jobs": [j.__dict__ for j in jobs], "out": str(out), "workers": workers}
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "default"}
    env.pop("CI", None)
    return subprocess.Popen(
        [sys.executable, str(driver), json.dumps(spec)],
        stdout=(tmp / "stdout.txt").open("w"),
        stderr=(tmp / "stderr.txt").open("w"),
        env=env,
        start_new_session=True,
    )
