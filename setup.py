"""Ship the embedded data and the report notebooks inside the wheel.

The repository keeps them where people use them (``data/raw/``, ``notebooks/``; ``make data``
regenerates the former in place). A wheel build copies them into the package as
``finsamlib/_data/`` and ``finsamlib/_notebooks/``, where :mod:`finsamlib.resources` finds them
through ``importlib.resources``. Editable installs copy nothing and read the checkout.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: package folder -> (checkout folder, file patterns)
EMBEDDED = {
    "_data": ("data/raw", ("**/*",)),
    "_notebooks": ("notebooks", ("*.ipynb",)),
}


class BuildPyWithData(build_py):
    """``build_py`` that also copies the embedded data and notebooks into the build."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for target, (source, patterns) in EMBEDDED.items():
            src = ROOT / source
            dest = Path(self.build_lib) / "finsamlib" / target
            shutil.rmtree(dest, ignore_errors=True)
            for pattern in patterns:
                for file in sorted(src.glob(pattern)):
                    if file.is_file() and ".ipynb_checkpoints" not in file.parts:
                        out = dest / file.relative_to(src)
                        out.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(file, out)


setup(cmdclass={"build_py": BuildPyWithData})
