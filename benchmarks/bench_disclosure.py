"""Benchmark the run-wide disclosure step, on demand: ``python benchmarks/bench_disclosure.py``.

Issue #10's target: the disclosure step (one suppression pattern for every report of a run,
:func:`finsamlib.reports.cells.folder_pattern`) adds at most 10 % to ``finsam reports`` on the
embedded data. In one process, on the same machine and data:

1. the step alone: ``folder_pattern`` on the embedded data (wall and CPU time; the first call
   also pays for importing scipy's HiGHS bindings, as a run does);
2. ``finsam reports`` (:func:`finsamlib.reports.runner.render_reports`, every page rendered) as
   it is, and the same with the step made free (``folder_pattern`` replaced by one returning
   the pattern computed beforehand, so the pages still read the same pattern file), alternated
   ``--repeats`` times (ABBA order); the medians' difference is what the step adds to a run.
   The median of each pair's difference is printed beside it: the machine's speed drifts
   between runs (a fixed loop here took from 1.5 to 2.5 s), and a pair runs close in time.
   The machine's load moves whole runs by more than the step costs: run it on a quiet machine,
   and compare with the step alone (1.) as a share of a run.

Prints the times and the ratios. Nothing is written to the repository.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from finsamlib import privacy
from finsamlib.reports import cells, runner

TARGET = 0.10


def time_step(threshold: int) -> tuple[float, float, object]:
    """Wall and CPU seconds of the disclosure step on the embedded data, and its pattern."""
    wall, cpu = time.perf_counter(), time.process_time()
    pattern = cells.folder_pattern(None, threshold)
    return time.perf_counter() - wall, time.process_time() - cpu, pattern


def time_run(root: Path, name: str, workers: int, threshold: int) -> float:
    """Wall seconds of ``finsam reports`` (all pages, nothing skipped) into a fresh folder."""
    out = root / name
    start = time.perf_counter()
    summary = runner.render_reports(
        out=out, workers=workers, threshold=threshold, progress=False, force=True
    )
    seconds = time.perf_counter() - start
    if summary.failed:
        raise SystemExit(f"{name}: {len(summary.failed)} report(s) failed")
    return seconds


def measure(workers: int, repeats: int, threshold: int) -> dict[str, float]:
    """Print and return the step's figures: ``added`` is the share it adds to a run."""
    step_wall, step_cpu, pattern = time_step(threshold)
    again_wall, again_cpu, _ = time_step(threshold)
    print(f"disclosure step, first call: {step_wall:.2f} s wall, {step_cpu:.2f} s CPU")
    print(f"disclosure step, remembered: {again_wall:.2f} s wall, {again_cpu:.2f} s CPU")
    print(f"hidden cells: {len(pattern.hidden)} of {len(pattern.keys)}")  # type: ignore[attr-defined]

    real = cells.folder_pattern
    asked = threshold

    def precomputed(data_dir: object, threshold: int, **share: object) -> object:
        if data_dir is None and threshold == asked:
            return pattern
        return real(data_dir, threshold, **share)  # type: ignore[arg-type]

    with_step: list[float] = []
    without: list[float] = []
    with tempfile.TemporaryDirectory(prefix="finsam-bench-disclosure-") as tmp:
        root = Path(tmp)
        for i in range(repeats):
            order = (True, False) if i % 2 == 0 else (False, True)  # ABBA: order effects cancel
            for step in order:
                if step:
                    # folder_pattern remembers its last patterns: forget them, so that this run
                    # pays for the step as a fresh `finsam reports` does
                    cells._FOLDER_PATTERNS.clear()
                    with_step.append(time_run(root, f"with-{i}", workers, threshold))
                    continue
                cells.folder_pattern = precomputed  # type: ignore[assignment]
                try:
                    without.append(time_run(root, f"without-{i}", workers, threshold))
                finally:
                    cells.folder_pattern = real  # type: ignore[assignment]
            print(f"run {i + 1}: with the step {with_step[-1]:.2f} s, without {without[-1]:.2f} s")
    w, wo = statistics.median(with_step), statistics.median(without)
    added = (w - wo) / wo
    print(f"finsam reports, median: with the step {w:.2f} s, without {wo:.2f} s")
    print(f"the step adds {added:+.1%} to the run (target at most {TARGET:.0%})")
    # each ABBA pair ran close in time: their differences are less moved by the machine's load
    paired = statistics.median(a - b for a, b in zip(with_step, without, strict=True)) / wo
    print(f"median of the pairs' differences: {paired:+.1%} (for comparison; not the target)")
    print(f"the step alone (first call) is {step_wall / wo:.1%} of the run without it")
    print("target met" if added <= TARGET else "target missed")
    return {"added": added, "with": w, "without": wo, "step_wall": step_wall, "paired": paired}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeats", type=int, default=8, help="runs of each kind (alternated)")
    parser.add_argument("--threshold", type=int, default=privacy.DEFAULT_THRESHOLD)
    args = parser.parse_args()
    return 0 if measure(args.workers, args.repeats, args.threshold)["added"] <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
