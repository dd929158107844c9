"""What a report reads: datasets loaded from a data folder, each file remembered with its
provenance and SHA-256 so that the report can list its sources and show the synthetic-data
banner when (and only when) a synthetic file went into it.

A data folder is laid out like the embedded ``data/raw/``: a ``MANIFEST.csv`` naming every file
with its provenance and the loader table that reads it. Imported by the report notebooks, so it
imports nothing heavy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import datasets

#: Parsed datasets by (file, SHA-256, provenance, loader table): the runner's zygote parses a
#: data folder once (:func:`warm`) and every kernel forked from it starts with the result; a
#: file whose bytes changed has another key, so a stale parse is never used.
_PARSED: dict[tuple[str, str, str, str], pd.DataFrame] = {}

#: Swedish names of the provenances, for the report's source list.
PROVENANCE_LABELS = {
    "published": "Publicerad (transkriberad ur källdokument)",
    "derived": "Härledd ur publicerade uppgifter",
    "synthetic": "Syntetisk (demonstrationsdata)",
    "assumption": "Antagande",
    "user": "Användarens egen fil",
}


@dataclass(frozen=True)
class InputFile:
    """One file a report read."""

    path: str  # relative to the data folder, with /
    provenance: str
    sha256: str
    description: str
    origin: str  # the source document(s) the manifest names


def sha256_of(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


class ReportInputs:
    """Loads datasets from one data folder and records every file read.

    Parameters
    ----------
    data_dir : the data folder; None for the embedded data (``FINSAM_DATA_DIR`` overrides).

    Examples
    --------
    >>> inputs = ReportInputs()
    >>> registry = inputs.load("registry")
    >>> [f.path for f in inputs.files]
    ['registry.csv']
    """

    def __init__(self, data_dir: str | Path | None = None) -> None:
        root = Path(data_dir) if data_dir not in (None, "") else datasets.data_dir()
        if not (root / "MANIFEST.csv").is_file():
            raise FileNotFoundError(
                f"{root} is not a data folder: it has no MANIFEST.csv (lay it out like data/raw)"
            )
        self.root = root.resolve()
        self.manifest = datasets.manifest(self.root)
        self._files: dict[str, InputFile] = {}
        self._cache: dict[str, pd.DataFrame] = {}

    # ------------------------------------------------------------------ what is there
    def names(self, table: str | None = None) -> list[str]:
        """Dataset names in the folder (only those a given loader ``table`` reads, if given)."""
        m = self.manifest[self.manifest["table"] != ""]
        if table is not None:
            m = m[m["table"] == table]
        return sorted(p.rsplit(".", 1)[0] for p in m["path"])

    def has(self, name: str) -> bool:
        """Whether the folder has the dataset ``name``."""
        return name in self.names()

    # ------------------------------------------------------------------ loading
    def load(self, name: str) -> pd.DataFrame:
        """One dataset by name (e.g. ``registry``, ``published/seed001_utfall_2019``)."""
        if name not in self._cache:
            file = datasets.path(name, self.root)
            rel = file.relative_to(self.root).as_posix()
            entry = self.manifest.set_index("path").loc[rel]
            digest = sha256_of(file)
            key = (str(file), digest, str(entry["provenance"]), str(entry["table"]))
            if key not in _PARSED:
                _PARSED[key] = datasets.load(name, root=self.root)
            df = _PARSED[key].copy()
            df.attrs = dict(_PARSED[key].attrs)
            self._remember(name, str(df.attrs.get("provenance", "user")), digest)
            self._cache[name] = df
        return self._cache[name].copy()

    def load_table(self, table: str) -> pd.DataFrame | None:
        """Every dataset of one loader table, concatenated (e.g. participants split in files
        per association), or None when the folder has none."""
        names = self.names(table)
        if not names:
            return None
        frames = [self.load(n) for n in names]
        provenances = sorted({f.attrs.get("provenance", "user") for f in frames})
        out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        out.attrs = {
            "provenance": ",".join(provenances),
            "name": table,
            "sources": tuple(names),
        }
        return out

    def _remember(self, name: str, provenance: str, digest: str) -> None:
        file = datasets.path(name, self.root)
        rel = file.relative_to(self.root).as_posix()
        entry = self.manifest.set_index("path").loc[rel]
        self._files[rel] = InputFile(
            path=rel,
            provenance=provenance,
            sha256=digest,
            description=str(entry["description"]),
            origin=str(entry["source"]),
        )

    # ------------------------------------------------------------------ what was read
    @property
    def files(self) -> list[InputFile]:
        """The files read so far, sorted by path."""
        return [self._files[k] for k in sorted(self._files)]

    @property
    def synthetic(self) -> bool:
        """Whether any file read so far is synthetic demonstration data."""
        return any(f.provenance == "synthetic" for f in self._files.values())

    def sources_table(self) -> pd.DataFrame:
        """The files read, for the report's "Datakällor och metod" (Swedish column names)."""
        rows = [
            {
                "Fil": f.path,
                "Ursprung": PROVENANCE_LABELS.get(f.provenance, f.provenance),
                "Källa": f.origin,
                "Beskrivning": f.description,
                "SHA-256": f.sha256,
            }
            for f in self.files
        ]
        columns = ["Fil", "Ursprung", "Källa", "Beskrivning", "SHA-256"]
        return pd.DataFrame(rows, columns=columns)


def warm(data_dir: str | Path | None = None) -> int:
    """Parse every dataset of a data folder into this process's cache; how many.

    The report runner's zygote calls this before it forks kernels, so no report parses and
    validates the same files again. Files that do not load are skipped here: the report that
    needs one gets the error itself.
    """
    inputs = ReportInputs(data_dir)
    n = 0
    for name in inputs.names():
        try:
            inputs.load(name)
            n += 1
        except Exception:
            continue
    return n
