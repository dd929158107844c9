"""Benchmark: the participant loader against a bare pandas.read_csv of the same file (the baseline).

Run on demand, not in CI: ``.venv/bin/python benchmarks/bench_loaders.py [ROWS]``.
The loader does more than read (encoding and delimiter detection, header mapping, personnummer
guard, coercion with line-level errors, pandera validation), so it is reported as a ratio of
the baseline measured in the same run on the same machine.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from finsamlib import load_participants
from finsamlib.categories import SUPPORT_LABELS

HEADERS = [
    "Förbund", "Insats", "Person-ID", "Kön", "Födelseår", "Kommun", "Startdatum", "Slutdatum",
    "Utbildning", "Offentlig försörjning före (år)", "Försörjning före", "Försörjning efter",
    "Arbete före (%)", "Arbete efter (%)", "Studier före (%)", "Studier efter (%)",
]  # fmt: skip


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


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.csv"
        make_export(path, rows)
        base_min, base_med = best_of(
            lambda: pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", dtype={5: str})
        )
        load_min, load_med = best_of(lambda: load_participants(path))
    print(f"rows: {rows}")
    print(f"baseline pandas.read_csv: best {base_min:.3f} s, median {base_med:.3f} s")
    print(f"finsamlib.load_participants: best {load_min:.3f} s, median {load_med:.3f} s")
    print(f"ratio (loader / baseline, best): {load_min / base_min:.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
