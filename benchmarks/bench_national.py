"""Benchmark at national scale, on demand: ``.venv/bin/python benchmarks/bench_national.py``.

Sweden has about 80 samordningsförbund in 21 counties. This generates a registry of that size
in a temporary data folder and times ``finsam reports --workers 2`` rendering every report of
it (association reports, county overviews, the index), for 10, 40 and 80 associations, and
prints how the wall time grows (it should be linear in the number of pages, or better).

The data are SYNTHETIC: the embedded data's four associations (two real counties) are kept, and
the others are renamed copies of their synthetic participant files (``Syntetiskt förbund N`` in
``Syntetiskt län M``, four associations per county, SCB-shaped but invented county and kommun
codes 80-98), listed in the manifest with provenance ``synthetic`` and the ``Syntetisk`` column
kept, so every report shows the synthetic-data banner. Nothing is written to the repository.

``--sizes 10 40`` runs fewer cases (the 80-association case takes the longest).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import synthetic_registry

BIN = Path(sys.executable).parent
#: Associations per synthetic county (the country has 80 in 21 counties: about four).
PER_COUNTY = 4
#: County codes of the synthetic counties start here (real codes are 01-25).
FIRST_COUNTY_CODE = 80


def make_registry(root: Path, n: int) -> Path:
    """A data folder with ``n`` associations: the embedded four and ``n - 4`` synthetic ones
    (renamed copies of the embedded synthetic participant files), four per synthetic county."""

    def member(i: int) -> synthetic_registry.Member:
        county, place = divmod(i, PER_COUNTY)
        county_code = f"{FIRST_COUNTY_CODE + county:02d}"
        kommun_code = f"{county_code}{place:02d}"
        return synthetic_registry.Member(
            f"Syntetiskt förbund {i + 1}",
            county_code,
            f"Syntetiskt län {county + 1}",
            kommun_code,
            f"Syntetisk kommun {kommun_code}",
        )

    return synthetic_registry.make_data_dir(
        root, n, member, tag="national", id_prefix="N", what="national-scale benchmark"
    )


def render(raw: Path, out: Path, workers: int) -> tuple[float, int]:
    """Wall time of ``finsam reports`` over the whole folder, and the pages it wrote."""
    start = time.perf_counter()
    done = subprocess.run(
        [
            str(BIN / "finsam"),
            "reports",
            "--data-dir",
            str(raw),
            "--out",
            str(out),
            "--workers",
            str(workers),
            "--no-progress",
            "--force",
        ],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"finsam reports failed:\n{done.stdout}\n{done.stderr}")
    written = re.search(r"(\d+) of (\d+) reports written", done.stdout + done.stderr)
    if written is None or written.group(1) != written.group(2):
        raise SystemExit(f"not every report was written:\n{done.stdout}\n{done.stderr}")
    return seconds, int(written.group(1)) + 1  # and the index


def measure(sizes: list[int], workers: int) -> list[tuple[int, int, int, float]]:
    """Print and return (associations, counties, pages, seconds) for each size, and how the
    time grows from one size to the next."""
    print(
        f"SYNTHETIC registry; finsam reports --workers {workers}; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start"
    )
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="finsam-national-") as tmp:
            raw = make_registry(Path(tmp), n)
            with (raw / "registry.csv").open(encoding="utf-8") as fh:
                counties = len({r["county"] for r in csv.DictReader(fh)})
            seconds, pages = render(raw, Path(tmp) / "out", workers)
        rows.append((n, counties, pages, seconds))
        print(
            f"{n:3d} associations, {counties:2d} counties: {pages:3d} pages in {seconds:7.1f} s "
            f"({seconds / pages:5.2f} s/page), load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    for (n0, _, p0, t0), (n1, _, p1, t1) in itertools.pairwise(rows):
        print(
            f"{n0} -> {n1} associations: pages x{p1 / p0:.2f}, time x{t1 / t0:.2f} "
            f"({'linear or better' if linear(p0, t0, p1, t1) else 'worse than linear'})"
        )
    return rows


def linear(p0: int, t0: float, p1: int, t1: float) -> bool:
    """Whether the time grew no faster than the pages (10 % allowed for noise)."""
    return t1 / t0 <= p1 / p0 * 1.1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 40, 80])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    measure(args.sizes, args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
