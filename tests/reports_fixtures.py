"""Support for the report tests: data folders in a temporary directory, and one shared render.

Rendering reports costs seconds, so the report tests share one rendering of the embedded data
per session (:func:`rendered`), cached here at module level because several test modules need
it. Data folders for special cases (a planted small cell, a broken file) are copies of the
embedded ``data/raw`` made under pytest's temporary directory; nothing is written to the tree.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from finsamlib import datasets
from finsamlib.categories import SUPPORT_LOOKUP, fold
from finsamlib.reports import runner

RAW = datasets.data_dir()
#: Set by the first caller of :func:`rendered`.
_CACHE: dict[str, object] = {}


def copy_data_dir(target: Path) -> Path:
    """A copy of the embedded data folder (for tests that change a file)."""
    shutil.copytree(RAW, target)
    return target


def participant_files(root: Path) -> list[Path]:
    """The participant files a data folder's manifest names."""
    m = datasets.manifest(root)
    return [root / p for p in m.loc[m["table"] == "participants", "path"]]


def plant_small_cell(root: Path, association: str, year: int, support: str, n: int = 2) -> None:
    """Make exactly ``n`` ended registrations of ``association`` in ``year`` have
    ``support`` as their support before, and nobody else (a small cell the report must hide)."""
    for file in participant_files(root):
        raw = pd.read_csv(
            file, dtype=str, keep_default_na=False, sep=None, engine="python", encoding="utf-8-sig"
        )
        cols = {c.lower(): c for c in raw.columns}
        assoc_col = next(cols[c] for c in cols if c in ("association", "förbund"))
        before_col = next(cols[c] for c in cols if c in ("support_before", "försörjning före"))
        end_col = next(cols[c] for c in cols if c in ("end_date", "slutdatum"))
        ours = raw[assoc_col] == association
        ended = raw[end_col].str.slice(0, 4) == str(year)
        mask = ours & ended
        if not mask.any():
            continue
        # nobody has that support before, except n ended registrations of this year
        codes = raw[before_col].map(lambda v: SUPPORT_LOOKUP.get(fold(v), v))
        others = codes == support
        raw.loc[others, before_col] = "unknown" if support != "unknown" else "social_assistance"
        chosen = raw.index[mask][:n]
        raw.loc[chosen, before_col] = support
        raw.to_csv(file, index=False)
        return
    raise AssertionError(f"no ended participants of {association} in {year} to plant a cell in")


@dataclass
class Rendered:
    """One rendering of the embedded data's reports."""

    out: Path
    summary: runner.RunSummary
    jobs: list[runner.Job]


def rendered(tmp_path_factory) -> Rendered:
    """Render every report of the embedded data once per test session (2 workers)."""
    if "rendered" not in _CACHE:
        out = tmp_path_factory.mktemp("reports")
        jobs = runner.plan(generated_at="2026-01-01T00:00:00Z")
        summary = runner.run(
            jobs, out, workers=2, progress=False, generated_at="2026-01-01T00:00:00Z"
        )
        _CACHE["rendered"] = Rendered(out=out, summary=summary, jobs=jobs)
    return _CACHE["rendered"]  # type: ignore[return-value]
