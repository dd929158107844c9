"""The embedded data under ``data/raw/``, by name, and its manifest.

A dataset's name is its path under ``data/raw/`` without the suffix, e.g. ``registry`` or
``published/seed001_utfall_2019``. ``data/raw/MANIFEST.csv`` lists every file with its
provenance (published, derived, synthetic, assumption), source and which loader reads it.
Set ``FINSAM_DATA_DIR`` to use another folder laid out the same way. An installed wheel carries
the folder inside the package (see :mod:`finsamlib.resources`).

Every path the manifest names (its ``path`` and optional ``mapping`` columns) must lie inside
the folder once resolved: an absolute path, a ``..`` that climbs out, or a symlink (file or
folder) pointing outside is refused with a FinsamDataError naming the manifest's line and
column before any file is read. Symlinks that stay inside the folder are allowed.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path, PurePosixPath, PureWindowsPath

import pandas as pd

from . import loaders, resources

MANIFEST_COLUMNS = ("path", "provenance", "source", "description", "table")
#: Manifest columns that name a file of the folder (``mapping`` is optional).
PATH_COLUMNS = ("path", "mapping")


def data_dir() -> Path:
    """The folder of the embedded raw data (``FINSAM_DATA_DIR`` overrides)."""
    override = os.environ.get("FINSAM_DATA_DIR")
    if override:
        return Path(override)
    return resources.data_dir()


def manifest(root: str | Path | None = None) -> pd.DataFrame:
    """The manifest: one row per file under ``data/raw`` (path relative to it).

    Reading it is cheap but checking its paths is not (every path is resolved through its
    symlinks), and a report loads datasets many times. So a checked manifest is remembered
    by what the check depends on (:func:`_check_key`): the manifest's bytes, the folder, and
    which file each named path reaches now. Any change to those checks it again."""
    root = Path(root) if root is not None else data_dir()
    file = root / loaders.MANIFEST_NAME
    content = file.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    if digest not in _PARSED:
        while len(_PARSED) >= _KEPT:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[digest] = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    df = _PARSED[digest].copy()
    missing = [c for c in MANIFEST_COLUMNS if c not in df.columns]
    if missing:
        raise loaders.FinsamDataError(file, f"columns {missing}")
    key = _check_key(root, digest, df)
    if key not in _CHECKED:
        _check_inside(root, df)  # raises: a refused manifest is never remembered
        while len(_CHECKED) >= _KEPT:
            _CHECKED.pop(next(iter(_CHECKED)))
        _CHECKED[key] = None
    return df


#: Manifests read, by the SHA-256 of their bytes (copies are handed out).
_PARSED: dict[str, pd.DataFrame] = {}
#: Keys (:func:`_check_key`) of manifests that passed :func:`_check_inside`, oldest first.
_CHECKED: dict[tuple, None] = {}
#: How many of each are kept.
_KEPT = 64


def _check_key(root: Path, digest: str, df: pd.DataFrame) -> tuple:
    """What :func:`_check_inside` depends on: the folder (its absolute path and the directory
    it is now), the manifest (``digest``: the SHA-256 of its bytes), and the file each named
    path reaches now, following symlinks (device, inode and change time). A symlink pointed
    elsewhere, a file or folder swapped for a symlink, a file moved out of the folder and
    linked back: each changes what a path reaches, or that file's change time, so the key."""

    def reaches(path: str) -> tuple[int, int, int] | None:
        try:
            st = os.stat(path)
        except OSError:  # missing, a dangling link or a loop: whatever it is, key it as absent
            return None
        return (st.st_dev, st.st_ino, st.st_ctime_ns)

    base = os.path.abspath(root)
    rels = [rel for column in PATH_COLUMNS if column in df.columns for rel in df[column] if rel]
    return (
        base,
        reaches(base),
        digest,
        tuple(reaches(os.path.join(base, rel)) for rel in rels),
    )


def _inside(base: Path, rel: str) -> bool:
    """Whether the manifest path ``rel`` names a file inside the folder ``base`` (resolved)
    once every symlink is followed (absolute paths never do)."""
    if PurePosixPath(rel).is_absolute() or PureWindowsPath(rel).anchor:
        return False
    return (base / rel).resolve().is_relative_to(base)


def _check_inside(root: Path, df: pd.DataFrame) -> None:
    """Refuse a manifest naming a file outside its folder (one problem per such cell)."""
    base = root.resolve()
    problems = [
        loaders.Problem(
            int(line) + 2,  # the header is line 1
            column,
            rel,
            "a path inside the data folder (relative, no '..' or symlink leading out of it)",
        )
        for column in PATH_COLUMNS
        if column in df.columns
        for line, rel in df[column].items()
        if rel and not _inside(base, rel)
    ]
    if problems:
        raise loaders.FinsamDataError(root / loaders.MANIFEST_NAME, problems)


def names(root: str | Path | None = None) -> list[str]:
    """The names of the embedded datasets that a loader reads, sorted."""
    m = manifest(root)
    m = m[m["table"] != ""]
    return sorted(p.rsplit(".", 1)[0] for p in m["path"])


def path(name: str, root: str | Path | None = None) -> Path:
    """The file behind a dataset name."""
    root = Path(root) if root is not None else data_dir()
    m = manifest(root)
    hits = m[m["path"].str.rsplit(".", n=1).str[0] == name]
    if hits.empty:
        known = ", ".join(names(root))
        raise KeyError(f"no embedded dataset {name!r}; known: {known}")
    return root / hits["path"].iloc[0]


def load(name: str, root: str | Path | None = None, **kwargs: object) -> pd.DataFrame:
    """Load one embedded dataset through its loader, with provenance from the manifest."""
    root = Path(root) if root is not None else data_dir()
    file = path(name, root)
    entry = manifest(root).set_index("path").loc[file.relative_to(root).as_posix()]
    table = entry["table"]
    if table == "published":
        df = loaders.load_published(file)
    elif table == "aggregate":
        from .aggregates import load_aggregate  # aggregates imports outcomes and supply

        df = load_aggregate(file)
    else:
        df = loaders.load_table(file, table, **kwargs)
    df.attrs["provenance"] = entry["provenance"]
    df.attrs["name"] = name
    df.attrs["description"] = entry["description"]
    df.attrs["origin"] = entry["source"]
    return df


def load_all(table: str, root: str | Path | None = None) -> pd.DataFrame:
    """Every dataset one loader reads, concatenated: e.g. ``load_all("participants")`` gives
    the participant files of all associations as one table."""
    root = Path(root) if root is not None else data_dir()
    m = manifest(root)
    found = sorted(p.rsplit(".", 1)[0] for p in m.loc[m["table"] == table, "path"])
    if not found:
        tables = ", ".join(sorted(set(m["table"]) - {""}))
        raise KeyError(f"no embedded dataset of table {table!r}; known tables: {tables}")
    frames = [load(name, root) for name in found]
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].copy()
    out.attrs = {
        "provenance": ",".join(sorted({f.attrs["provenance"] for f in frames})),
        "name": table,
        "sources": tuple(found),
    }
    return out
