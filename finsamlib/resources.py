"""Where the embedded data and the report notebooks are: inside the installed package, or in
the checkout.

A wheel carries ``data/raw/`` as ``finsamlib/_data/`` and ``notebooks/`` as
``finsamlib/_notebooks/`` (``setup.py`` copies them in at build time), found here through
:mod:`importlib.resources`. A source checkout or an editable install has no such folders and
reads the repository's ``data/raw/`` and ``notebooks/``, the single source of truth.
"""

from __future__ import annotations

import atexit
from contextlib import ExitStack
from importlib import resources
from pathlib import Path

#: package folder in the wheel -> folder in the checkout
EMBEDDED = {"_data": "data/raw", "_notebooks": "notebooks"}

_files = ExitStack()
atexit.register(_files.close)


def embedded_dir(name: str) -> Path:
    """A real folder for ``name`` (``"_data"`` or ``"_notebooks"``): the installed package's copy,
    else the checkout's. Raises FileNotFoundError when neither exists."""
    packaged = resources.files("finsamlib") / name
    if packaged.is_dir():
        # A Path for an unpacked install; extracted once per process for a zipped one.
        return Path(_files.enter_context(resources.as_file(packaged)))
    checkout = Path(__file__).resolve().parents[1] / EMBEDDED[name]
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"finsamlib has no {EMBEDDED[name]}: neither the installed package ({packaged}) nor a "
        f"checkout ({checkout}) holds it; reinstall finsamlib from a wheel or sdist"
    )


def data_dir() -> Path:
    """The embedded raw data (a folder laid out like the repository's ``data/raw/``)."""
    return embedded_dir("_data")


def notebook_dir() -> Path:
    """The report and exploratory notebooks."""
    return embedded_dir("_notebooks")
