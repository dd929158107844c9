"""Benchmark the report runner, on demand: ``make bench`` (``benchmarks/bench_reports.py``).

In one run, on the same machine and data:

1. ``finsam reports`` renders N >= 6 association reports (and their county overviews);
2. a naive loop renders the same pages one at a time with the ``papermill`` CLI and the
   ``jupyter nbconvert --to html --no-input`` CLI, as a notebook user would script it;
3. the runner renders the same number of pages from an *imports-only* notebook (a parameters
   cell and the imports a report needs): the floor of what any page costs through the runner;
4. the runner renders the reports again through the same Python API, to compare with the floor.

The embedded data have four associations; the benchmark adds synthetic copies of them (renamed,
in a county "Demolän", in a temporary data folder) until there are N. Prints the times and the
ratios: the targets (issue #13) are runner >= 5x faster than the naive loop and a report <=
1.5x the floor.
Nothing is written to the repository.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import synthetic_registry
from nbformat.v4 import new_code_cell, new_notebook

from finsamlib.reports import runner

BIN = Path(sys.executable).parent


def make_data_dir(root: Path, n: int) -> Path:
    """A copy of the embedded data with synthetic copies of its associations until there are n,
    each with one kommun in the county "Demolän"."""
    return synthetic_registry.make_data_dir(
        root,
        n,
        lambda i: synthetic_registry.Member(
            f"Demoförbund {i + 1}", "99", "Demolän", f"99{i:02d}", f"Demokommun {i + 1}"
        ),
        tag="demo",
        id_prefix="D",
        what="benchmark",
    )


def floor_notebook(path: Path) -> Path:
    """The imports-only notebook: the same parameters and imports as a report, nothing else."""
    nb = new_notebook(
        cells=[
            new_code_cell(
                'association = ""\ncounty = ""\nyear = 2021\ndata_dir = ""\nthreshold = 4\n'
                'generated_at = ""',
                metadata={"tags": ["parameters"]},
            ),
            new_code_cell(
                "import matplotlib.pyplot as plt\nimport pandas as pd\n\n"
                "from finsamlib.reports import sections as s"
            ),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def naive(jobs: list[runner.Job], out: Path) -> float:
    """papermill CLI + jupyter nbconvert CLI per page, one after the other."""
    out.mkdir(parents=True)
    start = time.perf_counter()
    for i, job in enumerate(jobs):
        executed = out / f"page{i}.ipynb"
        args = [
            str(BIN / "papermill"),
            job.notebook,
            str(executed),
            "--no-progress-bar",
            "--cwd",
            str(Path(job.notebook).parent),
        ]
        for key, value in job.parameters.items():
            if value is None:
                continue
            args += ["-p", key, str(value)]
        subprocess.run(args, check=True, capture_output=True)
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - start


def measure(associations: int, workers: int, skip_naive: bool = False) -> dict[str, float]:
    """Print and return the times and ratios: ``speedup`` (runner over the naive loop, None
    if skipped) and ``floor`` (a report over the imports-only floor)."""
    n = max(6, associations)
    with tempfile.TemporaryDirectory(prefix="finsam-bench-") as tmp:
        tmp = Path(tmp)
        raw = make_data_dir(tmp, n)
        jobs = runner.plan(data_dir=raw, generated_at="2026-01-01T00:00:00Z")
        n_assoc = sum(j.kind == "association" for j in jobs)
        print(
            f"{n_assoc} association reports + {len(jobs) - n_assoc} county overviews, "
            f"{workers} workers, {os.cpu_count()} CPUs, "
            f"load average {os.getloadavg()[0]:.1f} at start"
        )

        start = time.perf_counter()
        cli = subprocess.run(
            [
                str(BIN / "finsam"),
                "reports",
                "--data-dir",
                str(raw),
                "--out",
                str(tmp / "cli"),
                "--workers",
                str(workers),
                "--no-progress",
            ],
            capture_output=True,
            text=True,
        )
        t_cli = time.perf_counter() - start
        if cli.returncode != 0:
            raise SystemExit(f"finsam reports failed:\n{cli.stdout}\n{cli.stderr}")

        t_naive = None if skip_naive else naive(jobs, tmp / "naive")

        floor_nb = floor_notebook(tmp / "floor.ipynb")
        floor_jobs = [
            runner.Job(str(floor_nb), j.parameters, j.output, j.title, "other") for j in jobs
        ]
        start = time.perf_counter()
        floor = runner.run(floor_jobs, tmp / "floor", workers=workers, progress=False, index=False)
        t_floor = time.perf_counter() - start
        start = time.perf_counter()
        again = runner.run(jobs, tmp / "api", workers=workers, progress=False, index=False)
        t_api = time.perf_counter() - start
        assert floor.ok and again.ok, (floor.text(), again.text())

    pages = len(jobs)
    print(f"finsam reports (CLI, wall):          {t_cli:7.1f} s  ({t_cli / pages:5.2f} s/page)")
    if t_naive is not None:
        print(
            f"naive papermill + nbconvert loop:    {t_naive:7.1f} s  "
            f"({t_naive / pages:5.2f} s/page)"
        )
        print(f"speed-up of the runner:              {t_naive / t_cli:7.1f} x   (target >= 5)")
    print(f"floor: imports-only notebook, runner:{t_floor:7.1f} s  ({t_floor / pages:5.2f} s/page)")
    print(f"reports through the same runner API: {t_api:7.1f} s  ({t_api / pages:5.2f} s/page)")
    print(f"a report / the floor:                {t_api / t_floor:7.2f} x   (target <= 1.5)")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    return {
        "pages": pages,
        "cli": t_cli,
        "naive": t_naive,
        "speedup": None if t_naive is None else t_naive / t_cli,
        "floor": t_api / t_floor,
        "floor_seconds": t_floor,
        "api": t_api,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--associations", type=int, default=6, help="N (at least 6)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-naive", action="store_true", help="only time the runner")
    args = parser.parse_args()
    measure(args.associations, args.workers, args.skip_naive)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
