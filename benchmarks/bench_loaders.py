"""Benchmark: the participant loader against a bare pyarrow read of the same file (the baseline).

Run on demand, not in CI: ``.venv/bin/python benchmarks/bench_loaders.py [ROWS ...]``
(default 100 000 and 1 000 000 rows; ``--repeat N`` for best of N, default 3).

The loader does more than read (encoding and delimiter detection, header row detection and
mapping, personnummer guard on every cell, strict coercion with line-numbered errors,
validation), so it is reported as a ratio of the baseline measured in the same run on the same
machine: ``pandas.read_csv(path, sep=";", decimal=",", engine="pyarrow")``. Three ratios are
printed, each of wall time and of CPU time (``time.process_time``; pyarrow reads on several
threads, so its CPU time exceeds its wall time): the loader alone, the loader plus the
indicators a report computes from it (``supply.change``, ``supply.transition_matrix``,
``outcomes.outcome_table``), and the indicators alone.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from finsamlib import load_participants, outcomes, supply
from finsamlib.categories import SUPPORT_LABELS

HEADERS = [
    "Förbund", "Insats", "Person-ID", "Kön", "Födelseår", "Kommun", "Startdatum", "Slutdatum",
    "Utbildning", "Offentlig försörjning före (år)", "Försörjning före", "Försörjning efter",
    "Arbete före (%)", "Arbete efter (%)", "Studier före (%)", "Studier efter (%)",
]  # fmt: skip
#: Issue #13's target for the loader plus the indicators, as a multiple of the bare read.
TARGET = 3.0
#: The year whose ended registrations the outcome table describes.
YEAR = 2019


def make_export(path: Path, rows: int, seed: int = 1) -> None:
    """A Swedish-format export (`;`, decimal comma, UTF-8 with BOM) of ``rows`` registrations."""
    rng = np.random.default_rng(seed)
    labels = list(SUPPORT_LABELS.values())
    start = pd.Timestamp("2017-01-01") + pd.to_timedelta(rng.integers(0, 1500, rows), unit="D")
    end = start + pd.to_timedelta(rng.integers(10, 700, rows), unit="D")
    frame = pd.DataFrame(
        {
            HEADERS[0]: "Finnveden",
            HEADERS[1]: rng.choice(["A", "B", "C", "D"], rows),
            HEADERS[2]: [f"S-{i:07d}" for i in range(rows)],
            HEADERS[3]: rng.choice(["Kvinna", "Man"], rows),
            HEADERS[4]: rng.integers(1960, 2004, rows),
            HEADERS[5]: rng.choice(["0662", "0617", "0665", "0683"], rows),
            HEADERS[6]: start.strftime("%Y-%m-%d"),
            HEADERS[7]: end.strftime("%Y-%m-%d"),
            HEADERS[8]: rng.choice(["Förgymnasial", "Gymnasial", "Eftergymnasial"], rows),
            HEADERS[9]: np.round(rng.uniform(0, 10, rows), 1),
            HEADERS[10]: rng.choice(labels, rows),
            HEADERS[11]: rng.choice(labels, rows),
            HEADERS[12]: rng.choice([0, 25, 50], rows),
            HEADERS[13]: rng.choice([0, 50, 100], rows),
            HEADERS[14]: 0,
            HEADERS[15]: rng.choice([0, 50], rows),
        }
    )
    frame.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig")


def best_of(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(best wall time, best CPU time) of ``repeat`` calls, in seconds."""
    walls, cpus = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        cpus.append(time.process_time() - c0)
        walls.append(time.perf_counter() - w0)
    return min(walls), min(cpus)


def indicators(participants: pd.DataFrame) -> None:
    """What a report computes from the participants: change, transitions, the outcome table."""
    supply.change(participants)
    supply.transition_matrix(participants)
    outcomes.outcome_table(participants, YEAR)


def baseline(path: Path) -> pd.DataFrame:
    """The bare read: no checks at all."""
    return pd.read_csv(path, sep=";", decimal=",", engine="pyarrow")


def run(rows: int, repeat: int) -> dict[str, float]:
    """Print and return the ratios at ``rows`` rows (loader + indicators over the bare read)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.csv"
        make_export(path, rows)
        loaded = load_participants(path)  # warm-up (imports, caches)
        baseline(path)
        base = best_of(lambda: baseline(path), repeat)
        load = best_of(lambda: load_participants(path), repeat)
        both = best_of(lambda: indicators(load_participants(path)), repeat)
        only = best_of(lambda: indicators(loaded), repeat)
    print(f"\nrows: {rows:,}".replace(",", " "))
    print(f"{'':44}{'wall s':>8}{'cpu s':>8}{'wall ×':>8}{'cpu ×':>8}")
    for name, (wall, cpu) in (
        ("baseline read_csv(engine='pyarrow')", base),
        ("load_participants", load),
        ("load_participants + indicators", both),
        ("indicators alone", only),
    ):
        print(f"{name:44}{wall:8.3f}{cpu:8.3f}{wall / base[0]:8.1f}{cpu / base[1]:8.1f}")
    for what, i in (("wall", 0), ("CPU", 1)):  # on a loaded machine CPU time is the steadier
        ratio = both[i] / base[i]
        verdict = "met" if ratio <= TARGET else "not met"
        print(
            f"loader + indicators, {what}: {ratio:.1f}x the bare read "
            f"(target <= {TARGET:g}x: {verdict})"
        )
    return {
        "rows": rows,
        "wall": both[0] / base[0],
        "cpu": both[1] / base[1],
        "load_wall": load[0] / base[0],
        "load_cpu": load[1] / base[1],
        "only_wall": only[0] / base[0],
        "only_cpu": only[1] / base[1],
        "base_wall": base[0],
        "base_cpu": base[1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="*", type=int, default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="best of N (default 3)")
    args = parser.parse_args()
    for rows in args.rows:
        run(rows, args.repeat)


if __name__ == "__main__":
    main()
