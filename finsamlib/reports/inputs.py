"""What a report reads: datasets loaded from a data folder, each file remembered with its
provenance and SHA-256 so that the report can list its sources and show the synthetic-data
banner when (and only when) a synthetic file went into it.

A data folder is laid out like the embedded ``data/raw/``: a ``MANIFEST.csv`` naming every file
with its provenance and the loader table that reads it (``finsam init`` makes one from the user's
own exports). The manifest may have a sixth column, ``mapping``: the path of a header mapping
(:func:`read_mapping`) that the loader applies to that file. Imported by the report notebooks, so
it imports nothing heavy.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import datasets, loaders
from ..errors import FinsamDataError, Problem
from ..schemas import SPECS
from ..sources import documents_of

#: Parsed datasets by (file, SHA-256, provenance, loader table, SHA-256 of its header mapping):
#: the runner's zygote parses a data folder once (:func:`warm`) and every kernel forked from it
#: starts with the result; a file whose bytes changed has another key, so a stale parse is
#: never used.
_PARSED: dict[tuple[str, str, str, str, str], pd.DataFrame] = {}

#: The optional manifest column naming a file's header mapping (relative to the data folder).
MAPPING_COLUMN = "mapping"
#: The optional manifest column naming the sheet of a workbook (``finsam init --sheet``).
SHEET_COLUMN = "sheet"
#: The optional manifest column with a Swedish description of the file, for the reports.
BESKRIVNING_COLUMN = "beskrivning"

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
    beskrivning: str = ""  # the manifest's Swedish description, if it has one


def read_mapping(path: str | Path, table: str | None = None) -> dict[str, str]:
    """A header mapping (the export's header -> canonical column) from a JSON or CSV file.

    JSON: one object, ``{"Deltagarnummer": "person_id", "Startdag": "start_date"}``. CSV (or
    XLSX): two columns with a heading row of any names, then one row per header, e.g.
    ``rubrik;kolumn`` / ``Deltagarnummer;person_id``. With ``table``, every target must be one
    of that table's canonical columns (see :data:`finsamlib.schemas.SPECS`). Raises
    FinsamDataError naming the file, line and column of each problem.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "mapping.json"
    >>> _ = f.write_text('{"Deltagarnummer": "person_id"}', encoding="utf-8")
    >>> read_mapping(f, "participants")
    {'Deltagarnummer': 'person_id'}
    """
    path = Path(path)
    problems: list[Problem] = []
    pairs: list[tuple[int | None, str, str]] = []
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_bytes().decode("utf-8-sig"))
        except FileNotFoundError as exc:
            raise FinsamDataError(path, "an existing file (no file at this path)") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FinsamDataError(path, f"a JSON object of header -> column ({exc})") from exc
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise FinsamDataError(
                path, 'a JSON object of text to text, e.g. {"Deltagarnummer": "person_id"}'
            )
        pairs = [(None, k.strip(), v.strip()) for k, v in data.items()]
    else:
        raw = loaders.read_raw(path)
        if len(raw.columns) != 2:
            raise FinsamDataError(
                path,
                Problem(1, None, None, f"two columns (header; column), found {len(raw.columns)}"),
            )
        for line, (source, target) in zip(raw.index, raw.itertuples(index=False), strict=True):
            pairs.append((int(line), str(source), str(target)))
    columns = SPECS[table].columns if table is not None else None
    mapping: dict[str, str] = {}
    for line, source, target in pairs:
        if not source or not target:
            problems.append(Problem(line, None, None, "a header and a column name on every row"))
        elif source in mapping:
            problems.append(Problem(line, source, target, "each header mapped once"))
        elif columns is not None and target not in columns:
            problems.append(Problem(line, source, target, f"a column among {', '.join(columns)}"))
        else:
            mapping[source] = target
    if problems:
        raise FinsamDataError(path, problems)
    if not mapping:
        raise FinsamDataError(path, "at least one header -> column pair")
    return mapping


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
        # read and checked once (every path inside the folder): a report loads some twenty
        # datasets, and reading the manifest again for each took a tenth of its time
        self._entries: dict[str, pd.Series] = {}
        self._paths: dict[str, str] = {}
        self._tables: dict[str, list[str]] = {}  # loader table -> its dataset names, sorted
        for _i, row in self.manifest.iterrows():
            rel = str(row["path"])
            self._entries.setdefault(rel, row)
            self._paths.setdefault(rel.rsplit(".", 1)[0], rel)
            if row["table"] != "":
                self._tables.setdefault(str(row["table"]), []).append(rel.rsplit(".", 1)[0])
        self._names = sorted(n for names in self._tables.values() for n in names)
        self._tables = {t: sorted(names) for t, names in self._tables.items()}
        self._files: dict[str, InputFile] = {}
        self._cache: dict[str, pd.DataFrame] = {}

    # ------------------------------------------------------------------ what is there
    def names(self, table: str | None = None) -> list[str]:
        """Dataset names in the folder (only those a given loader ``table`` reads, if given)."""
        return list(self._names if table is None else self._tables.get(table, []))

    def has(self, name: str) -> bool:
        """Whether the folder has the dataset ``name`` (or one dataset of the table ``name``)."""
        return self._resolve(name) in self.names()

    def _resolve(self, name: str) -> str:
        """``name`` if the folder has that dataset; else the one dataset of the loader table
        ``name`` (so ``registry`` finds ``user/registry_2024`` in a folder made by
        ``finsam init --registry``); else ``name`` unchanged."""
        if name in self.names():
            return name
        of_table = self.names(name)
        return of_table[0] if len(of_table) == 1 else name

    def _entry(self, rel: str) -> pd.Series:
        if rel not in self._entries:
            raise KeyError(rel)
        return self._entries[rel]

    # ------------------------------------------------------------------ loading
    def load(self, name: str, *, remember: bool = True) -> pd.DataFrame:
        """One dataset by name (e.g. ``registry``, ``published/seed001_utfall_2019``), or the
        only dataset of a loader table by the table's name; a header mapping named in the
        manifest's ``mapping`` column is applied. With ``remember=False`` the file is not
        listed among the files read (see :meth:`load_table`'s ``only``)."""
        name = self._resolve(name)
        if not remember:
            return self._parse(name)[0]
        if name not in self._cache:
            df, rel, digest, mapping_rel, mapping_digest = self._parse(name)
            self._remember(rel, str(df.attrs.get("provenance", "user")), digest)
            if mapping_rel:
                mapping_entry = self._entry(mapping_rel)
                self._remember(mapping_rel, str(mapping_entry["provenance"]), mapping_digest)
            self._cache[name] = df
        return self._cache[name].copy()

    def _parse(self, name: str) -> tuple[pd.DataFrame, str, str, str, str]:
        """A copy of the parsed dataset, its path, SHA-256, mapping path and its SHA-256."""
        if name not in self._paths:
            raise KeyError(f"no embedded dataset {name!r}; known: {', '.join(self.names())}")
        rel = self._paths[name]
        file = self.root / rel
        entry = self._entry(rel)
        digest = sha256_of(file)
        table = str(entry["table"])
        mapping_rel = str(entry.get(MAPPING_COLUMN, "") or "")
        mapping_digest = sha256_of(self.root / mapping_rel) if mapping_rel else ""
        sheet = str(entry.get(SHEET_COLUMN, "") or "")
        key = (str(file), digest, str(entry["provenance"]), table, mapping_digest, sheet)
        if key not in _PARSED:
            kwargs: dict[str, object] = {}
            if mapping_rel:
                kwargs["mapping"] = read_mapping(self.root / mapping_rel, table)
            if sheet:
                kwargs["sheet"] = sheet
            _PARSED[key] = datasets.load(name, root=self.root, **kwargs)
        df = _PARSED[key].copy()
        df.attrs = dict(_PARSED[key].attrs)
        return df, rel, digest, mapping_rel, mapping_digest

    def load_table(
        self,
        table: str,
        *,
        only: tuple[str, Iterable[str]] | None = None,
        remember: bool = True,
    ) -> pd.DataFrame | None:
        """Every dataset of one loader table, concatenated (e.g. participants split in files
        per association), or None when the folder has none.

        ``only=(column, values)``: the rows whose ``column`` is one of ``values``, and only
        the files that gave such a row are listed among the files read (an association report
        reads its county's participants, not the country's; with no such row anywhere, an
        empty table with the columns of the first file). ``remember=False``: no file listed."""
        names = self.names(table)
        if not names:
            return None
        if only is not None:
            column, values = only[0], list(only[1])
            kept: list[str] = []
            frames = []
            for n in names:
                frame = self.load(n, remember=False)
                if column in frame.columns:
                    frame = frame[frame[column].isin(values)].reset_index(drop=True)
                if len(frame):
                    kept.append(n)
                    frames.append(frame)
            if not kept:  # no such row: an empty table, and no file read for it
                empty = self.load(names[0], remember=False).iloc[:0]
                empty.attrs = {}
                frames = [empty]
            for n in kept if remember else ():
                self.load(n)  # listed among the files read
            names = kept
        else:
            frames = [self.load(n, remember=remember) for n in names]
        provenances = sorted({f.attrs.get("provenance", "user") for f in frames if f.attrs})
        out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        out.attrs = {
            "provenance": ",".join(provenances),
            "name": table,
            "sources": tuple(names),
        }
        return out

    def _remember(self, rel: str, provenance: str, digest: str) -> None:
        entry = self._entry(rel)
        self._files[rel] = InputFile(
            path=rel,
            provenance=provenance,
            sha256=digest,
            description=str(entry["description"]),
            origin=str(entry["source"]),
            beskrivning=str(entry.get(BESKRIVNING_COLUMN, "") or ""),
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
        """The files read, for the report's "Datakällor och metod", in Swedish: the source
        documents by title (joined by "; "; a user's file by its original name), the Swedish
        description (the English one where the
        manifest has none), the provenance, the file and its SHA-256."""
        rows = [
            {
                "Fil": f.path,
                "Ursprung": PROVENANCE_LABELS.get(f.provenance, f.provenance),
                "Källa": "; ".join(d.citation for d in documents_of(f.origin))
                or (f.origin if f.provenance == "user" else ""),
                "Beskrivning": f.beskrivning or f.description,
                "SHA-256": f.sha256,
            }
            for f in self.files
        ]
        columns = ["Fil", "Ursprung", "Källa", "Beskrivning", "SHA-256"]
        return pd.DataFrame(rows, columns=columns)


def share_parsed(path: str | Path) -> None:
    """Write what this process has parsed to ``path`` (a private folder of the run), whole or
    not at all, for :func:`take_parsed` in the run's zygote: the runner parses the participant
    files for the suppression pattern before the zygote warms up, which then need not parse them
    again."""
    import pickle

    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(pickle.dumps(dict(_PARSED), protocol=pickle.HIGHEST_PROTOCOL))
    tmp.replace(path)


def take_parsed(path: str | Path) -> int:
    """Add what :func:`share_parsed` wrote to this process's cache (entries it has not parsed
    itself); how many. Each entry's key holds its file's SHA-256, so an entry for a file whose
    bytes changed is never used. Nothing there, or unreadable: 0."""
    import pickle

    try:
        shared = pickle.loads(Path(path).read_bytes())  # written by this run's own process
    except (OSError, pickle.UnpicklingError, EOFError):
        return 0
    new = {k: v for k, v in shared.items() if k not in _PARSED}
    _PARSED.update(new)
    return len(new)


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
