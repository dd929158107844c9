"""A run whose main process is killed outright (SIGKILL: no cleanup runs) leaves no process
behind: the pool's workers and the zygote notice that their parent is gone and exit. Before,
the workers waited forever on their task queue, or retried starting a kernel against the
zygote that had gone with the parent."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")

# the main process of a run: a ReportPool with its zygote and two warm workers; it prints the
# pids of its children and then kills itself
SCRIPT = """
import json, os, signal, sys
from finsamlib.reports import pool, runner

if __name__ == "__main__":
    with pool.ReportPool(2, runner.process_pool) as p:
        p.map(abs, range(8))  # the workers are up
        workers = sorted(p._executor._processes)
        zygote = p._zygote.proc.pid if p._zygote is not None else None
        print(json.dumps({"workers": workers, "zygote": zygote}), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
"""


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting for init to reap it is not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    state = next(line for line in status.splitlines() if line.startswith("State:"))
    return "Z" not in state.split()[1]


def test_killing_the_main_process_ends_the_workers_and_the_zygote(tmp_path: Path) -> None:
    script = tmp_path / "main.py"
    script.write_text(SCRIPT, encoding="utf-8")
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    # into files, not pipes: a child left behind would hold a pipe open, and run() wait for it
    with out.open("w") as stdout, err.open("w") as stderr:
        done = subprocess.run(
            [sys.executable, str(script)], stdout=stdout, stderr=stderr, timeout=120
        )
    assert done.returncode == -9, err.read_text()
    children = json.loads(out.read_text().splitlines()[-1])
    pids = [*children["workers"], *([children["zygote"]] if children["zygote"] else [])]
    assert len(children["workers"]) == 2
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_running(p) for p in pids):
        time.sleep(0.2)
    left = [p for p in pids if _running(p)]
    # leave nothing behind for the next test, whatever the outcome
    for p in left:
        with contextlib.suppress(OSError):
            os.kill(p, signal.SIGKILL)
    assert not left, f"processes of a killed run still running: {left}"
