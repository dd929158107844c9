"""Regenerate the embedded synthetic and derived data: ``python -m finsamlib.synth [RAW_DIR]``."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from ..datasets import data_dir

#: Generator modules, run in this order (later ones may read what earlier ones wrote). The
#: participants draw their insatser from the portfolios' catalogue in memory
#: (:func:`finsamlib.synth.portfolio.build`), not from the written files.
GENERATORS = ("derived", "participants", "portfolio", "support_measure")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    raw = Path(args[0]) if args else data_dir()
    for name in GENERATORS:
        module = importlib.import_module(f"{__package__}.{name}")
        for rel in module.generate(raw):
            print(f"wrote data/raw/{rel}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
