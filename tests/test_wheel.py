"""The wheel as a real client gets it: built from the checkout, installed with its dependencies
into a fresh venv outside the checkout, then ``finsam reports`` run from another folder.

This is the CI step of issue #12: the wheel must carry the embedded data, the notebooks and the
licence, and find them through ``importlib.resources`` without the repository nearby.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from finsamlib.narrative import BANNER_TEXT

ROOT = Path(__file__).resolve().parents[1]
COUNTY = "Jönköpings län"
pytestmark = pytest.mark.slow


def run(args: list[str | Path], cwd: Path, timeout: int = 900) -> str:
    """Run a command as a user would: no PYTHONPATH or data override from the test session."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "FINSAM_DATA_DIR"}}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


#: What a build needs from the checkout (copied, so the build writes nothing into the tree).
BUILD_INPUTS = ("pyproject.toml", "setup.py", "MANIFEST.in", "LICENSE", "README.md")
BUILD_FOLDERS = ("finsamlib", "data/raw", "notebooks")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in BUILD_INPUTS:
        shutil.copy2(ROOT / name, src / name)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    for folder in BUILD_FOLDERS:
        shutil.copytree(ROOT / folder, src / folder, ignore=skip)
    dist = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "pip", "wheel", src, "--no-deps", "-q", "-w", dist], cwd=dist)
    (whl,) = dist.glob("finsamlib-*.whl")
    return whl


def test_the_wheel_carries_data_notebooks_and_licence(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    raw = {
        p.relative_to(ROOT / "data" / "raw").as_posix()
        for p in (ROOT / "data" / "raw").rglob("*")
        if p.is_file()
    }
    assert {f"finsamlib/_data/{p}" for p in raw} <= names
    assert "finsamlib/_data/MANIFEST.csv" in names
    notebooks = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert {f"finsamlib/_notebooks/{n}" for n in notebooks} <= names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert any(n.startswith("finsamlib/templates/") for n in names)


def test_installed_wheel_renders_a_county_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv], cwd=tmp_path)
    bindir = venv / "bin"
    # A plain install: the wheel and its dependencies from the package registry. --no-compile:
    # byte-compiling every dependency at install costs about half the install's CPU time here,
    # and Python compiles what the render imports anyway.
    run([bindir / "python", "-m", "pip", "install", "-q", "--no-compile", wheel], cwd=tmp_path)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = (
        "from finsamlib import datasets; from finsamlib.reports import runner; "
        "print(len(datasets.names())); print(datasets.data_dir()); print(runner.NOTEBOOK_DIR)"
    )
    count, data, notebooks = run([bindir / "python", "-c", probe], cwd=elsewhere).split()
    assert int(count) > 30
    for folder in (data, notebooks):
        assert Path(folder).is_relative_to(venv), folder
        assert not Path(folder).is_relative_to(ROOT), folder

    out = elsewhere / "rapporter"
    args = ["reports", "--out", out, "--county", COUNTY, "--workers", "2", "--no-progress"]
    run([bindir / "finsam", *args], cwd=elsewhere)
    pages = sorted(out.rglob("*.html"))
    assert out / "index.html" in pages
    county_pages = [p for p in pages if "jonkopings-lan" in p.parts]
    assert len(county_pages) == 4, pages  # the overview and three associations
    for page in county_pages:
        assert BANNER_TEXT in page.read_text(encoding="utf-8"), page
