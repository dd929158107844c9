"""Every benchmark of issues #10 and #13 in one run, on demand: ``make bench``.

Runs, one after the other on the same machine, and prints as each goes:

1. ``bench_reports``: ``finsam reports`` against a naive papermill + nbconvert CLI loop, and a
   report against the imports-only floor (targets: >= 5x faster, <= 1.5x);
2. ``bench_loaders``: the participant loader plus the indicators against a bare pyarrow read,
   at 100 000 and 1 000 000 rows (target: <= 3x);
3. ``bench_disclosure``: what the run-wide disclosure step adds to ``finsam reports`` on the
   embedded data (target: at most 10 %);
4. ``bench_national``: every report of 10, 40 and 80 SYNTHETIC associations with
   ``--workers 2``, and how the wall time grows (target: linear in the pages, or better);

then a summary of every ratio with its target, met or missed. ``--json FILE`` also writes the
summary as JSON. Every figure is a ratio of times measured in this run; run it on a quiet
machine (other work moves whole runs). It takes about ten minutes on two cores. Nothing is
written to the repository.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from pathlib import Path

import bench_disclosure
import bench_loaders
import bench_national
import bench_reports

from finsamlib import privacy


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 40, 80])
    parser.add_argument("--repeats", type=int, default=6, help="disclosure runs of each kind")
    parser.add_argument("--json", type=Path, help="also write the summary here")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start", flush=True)

    print("\n== 1. the report runner (bench_reports)", flush=True)
    reports = bench_reports.measure(6, args.workers)
    print("\n== 2. the loader and the indicators (bench_loaders)", flush=True)
    loaders = [bench_loaders.run(rows, 3) for rows in args.rows]
    print("\n== 3. the disclosure step (bench_disclosure)", flush=True)
    step = bench_disclosure.measure(args.workers, args.repeats, privacy.DEFAULT_THRESHOLD)
    print("\n== 4. national scale (bench_national, SYNTHETIC)", flush=True)
    national = bench_national.measure(args.sizes, 2)

    lines = [
        f"runner vs naive CLI loop: {reports['speedup']:.1f}x faster (target >= 5x: "
        f"{verdict(reports['speedup'] >= 5)})",
        f"a report vs the imports-only floor: {reports['floor']:.2f}x (target <= 1.5x: "
        f"{verdict(reports['floor'] <= 1.5)})",
    ]
    for r in loaders:
        lines.append(
            f"loader + indicators, {r['rows']:_} rows: {r['wall']:.1f}x wall, {r['cpu']:.1f}x "
            f"CPU the bare read (target <= {bench_loaders.TARGET:g}x: wall "
            f"{verdict(r['wall'] <= bench_loaders.TARGET)}, CPU "
            f"{verdict(r['cpu'] <= bench_loaders.TARGET)})".replace("_", " ")
        )
    lines.append(
        f"disclosure step: adds {step['added']:+.1%} to finsam reports (target <= "
        f"{bench_disclosure.TARGET:.0%}: {verdict(step['added'] <= bench_disclosure.TARGET)})"
    )
    for n, counties, pages, seconds in national:
        lines.append(
            f"national, {n} associations ({counties} counties): {pages} pages in {seconds:.1f} s"
        )
    for (n0, _, p0, t0), (n1, _, p1, t1) in itertools.pairwise(national):
        lines.append(
            f"national, {n0} -> {n1}: pages x{p1 / p0:.2f}, time x{t1 / t0:.2f} (linear or "
            f"better: {verdict(bench_national.linear(p0, t0, p1, t1))})"
        )
    print("\n== summary (every ratio measured in this run)")
    for line in lines:
        print(line)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    if args.json:
        summary = {
            "reports": reports,
            "loaders": loaders,
            "disclosure": step,
            "national": [
                dict(zip(("associations", "counties", "pages", "seconds"), r, strict=True))
                for r in national
            ],
            "lines": lines,
        }
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
