"""Make a data folder for the reports from the user's own exports (``finsam init``).

A data folder is laid out like the embedded ``data/raw/``: a ``MANIFEST.csv`` and the files it
names. :func:`init_data_folder` copies the embedded registry, published tables, derived data,
assumptions and audit rules (and, on request, the synthetic demonstration data) with their
manifest rows, and adds each of the user's files under ``user/`` with a row of provenance
``user``. Every user file is validated by its loader first; the folder is built next to its
target and renamed into place at the end, so a failure leaves nothing behind.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import datasets, loaders
from ..errors import FinsamDataError, Problem
from .inputs import BESKRIVNING_COLUMN, MAPPING_COLUMN, SHEET_COLUMN, read_mapping, sha256_of

#: Loader tables whose user files are added beside the embedded ones (one file per association
#: or per export is fine: the reports concatenate them).
ADDED_TABLES = ("participants", "portfolio", "insats_budget", "accounts")
#: Loader tables whose user file replaces the embedded one: they cover the same kommuner and
#: areas, so keeping both would count them twice.
REPLACED_TABLES = ("registry", "population", "target_group_sources", "support_measure")
USER_TABLES = (*ADDED_TABLES, *REPLACED_TABLES)
#: Tables read by kommun (area) that must match the registry: with the user's own registry,
#: an embedded one naming kommuner that registry lacks is left out (the reports then say that
#: population figures are missing) unless the user gives their own.
BY_KOMMUN = {"population": "kommun_code", "target_group_sources": "area"}
#: Folder of the user's files inside a data folder.
USER_DIR = "user"
#: Embedded folders left out unless synthetic data are asked for.
SYNTHETIC_DIR = "synthetic"


@dataclass(frozen=True)
class UserFile:
    """One of the user's files as it was added to the data folder."""

    source: Path  # the file the user gave
    table: str  # the loader table
    path: str  # relative to the data folder, with /
    provenance: str  # "user" (or "synthetic" for a file marked so by a Syntetisk column)
    rows: int
    sha256: str
    associations: tuple[str, ...] = ()  # those in the file, for tables that have them
    note: str = ""  # where the loader found the table (sheet, header row), when not obvious


@dataclass
class InitResult:
    """What :func:`init_data_folder` wrote."""

    root: Path
    user: list[UserFile] = field(default_factory=list)
    embedded: list[str] = field(default_factory=list)  # manifest paths copied from data/raw
    replaced: list[str] = field(default_factory=list)  # embedded paths a user file replaced
    skipped: list[str] = field(default_factory=list)  # synthetic paths left out (overlap)
    #: embedded paths left out because they name kommuner the user's registry lacks -> those
    unmatched: dict[str, list[str]] = field(default_factory=dict)
    mapping: str | None = None  # path of the header mapping in the folder

    def text(self) -> str:
        """A short account for the terminal."""
        lines = [f"Created the data folder {self.root}:"]
        for f in self.user:
            names = f" ({', '.join(f.associations)})" if f.associations else ""
            marked = ", marked synthetic by its Syntetisk column" if f.provenance != "user" else ""
            lines.append(
                f"  {f.path}: {f.table}, {f.rows} rows{names}, from {f.source.name}{marked}"
            )
            if f.note:
                lines.append(f"    {f.note}")
        if self.mapping:
            lines.append(f"  {self.mapping}: header mapping for the participant exports")
        groups: dict[str, int] = {}
        for p in self.embedded:
            top = p.split("/", 1)[0] if "/" in p else p
            groups[top] = groups.get(top, 0) + 1
        shown = ", ".join(f"{k} ({v})" for k, v in sorted(groups.items()))
        lines.append(f"  {len(self.embedded)} embedded files: {shown}")
        for p in self.replaced:
            lines.append(f"  left out {p}: replaced by your file")
        for p in self.skipped:
            lines.append(f"  left out {p}: your files cover the same associations")
        for p, areas in self.unmatched.items():
            shown = ", ".join(areas[:8]) + (", …" if len(areas) > 8 else "")
            lines.append(
                f"  left out {p}: it counts kommuner your registry does not have ({shown})"
            )
        if self.unmatched:
            lines.append(
                "  The reports show no target group until you give --population (population "
                "16-64 per kommun_code, year, age_band) and --target-group-sources (counts per "
                "area, year, group) for the kommuner of your registry."
            )
        return "\n".join(lines)


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise FileExistsError(f"{target} exists and is not a folder; choose a new folder name")
    if target.is_dir() and any(target.iterdir()):
        raise FileExistsError(
            f"{target} exists and is not empty; choose a new folder name (finsam init never "
            "writes into a folder that has files)"
        )


def _validate(
    files: Mapping[str, Sequence[str | Path]],
    registry: str | Path | None,
    mapping: dict[str, str] | None,
    sheet: str | None = None,
) -> list[tuple[Path, str, pd.DataFrame]]:
    """Load every user file with its loader; one FinsamDataError for every file that fails."""
    todo: list[tuple[Path, str]] = [(Path(p), t) for t, ps in files.items() for p in ps]
    if registry is not None:
        todo.append((Path(registry), "registry"))
    seen: dict[Path, str] = {}
    loaded = []
    errors: list[FinsamDataError] = []
    for path, table in todo:
        if table not in USER_TABLES:
            raise ValueError(f"unknown table {table!r}; valid: {', '.join(USER_TABLES)}")
        key = path.resolve()
        if key in seen:
            raise ValueError(f"{path} is given twice (as {seen[key]} and as {table})")
        seen[key] = table
        try:
            df = loaders.load_table(
                path, table, mapping if table == "participants" else None, sheet=sheet
            )
        except FinsamDataError as exc:
            errors.append(exc)
            continue
        loaded.append((path, table, df))
    if errors:
        raise _combined(errors)
    return loaded


def _combined(errors: list[FinsamDataError]) -> FinsamDataError:
    """One error for several files: every problem, and each file's own message in turn."""
    if len(errors) == 1:
        return errors[0]
    problems = [
        Problem(p.line, p.column, p.value, f"{p.expected} [in {e.path}]")
        for e in errors
        for p in e.problems
    ]
    err = FinsamDataError(", ".join(e.path for e in errors), problems)
    err.args = ("\n".join(str(e) for e in errors),)  # grouped by file, as each loader said it
    return err


def _check_associations(
    loaded: list[tuple[Path, str, pd.DataFrame]], registry: pd.DataFrame
) -> None:
    """Every association in the user's files must be in the registry the folder will have."""
    known = set(registry["association"])
    for path, table, df in loaded:
        if "association" not in df.columns or table == "registry":
            continue
        unknown = sorted(set(df["association"].dropna()) - known)
        if unknown:
            raise FinsamDataError(
                path,
                [
                    Problem(
                        None,
                        "association",
                        name,
                        "an association of the registry ("
                        + ", ".join(sorted(known))
                        + "); give your own registry with --registry to add one",
                    )
                    for name in unknown
                ],
            )


def _unknown_kommuner(root: Path, rel: str, table: str, registry: pd.DataFrame) -> list[str]:
    """The kommuner (codes or names) an embedded by-kommun table counts that ``registry`` lacks."""
    df = datasets.load(rel.rsplit(".", 1)[0], root=root)
    known = set(registry["kommun_code"].astype(str)) | set(registry["kommun"].astype(str))
    return sorted(set(df[BY_KOMMUN[table]].astype(str)) - known)


def _user_name(path: Path, taken: set[str]) -> str:
    """``user/<file name>``, numbered when another file has the same dataset name."""
    stem, suffix = path.stem, path.suffix.lower()
    n = 1
    while True:
        name = f"{USER_DIR}/{stem}{'' if n == 1 else f'-{n}'}"
        if name not in taken:
            taken.add(name)
            return name + suffix
        n += 1


def _associations_of(df: pd.DataFrame) -> tuple[str, ...]:
    if "association" not in df.columns:
        return ()
    return tuple(sorted(set(df["association"].dropna().astype(str))))


def init_data_folder(
    target: str | Path,
    files: Mapping[str, Sequence[str | Path]],
    *,
    registry: str | Path | None = None,
    mapping: str | Path | None = None,
    with_synthetic: bool = False,
    sheet: str | None = None,
) -> InitResult:
    """Make a data folder for ``finsam reports --data-dir`` from the user's own files.

    Parameters
    ----------
    target : the folder to make; it must not exist, or be empty.
    files : loader table -> the user's files of it, e.g. ``{"participants": ["uttag.csv"]}``;
        tables in :data:`ADDED_TABLES` are added beside the embedded data, those in
        :data:`REPLACED_TABLES` (population, target_group_sources) replace the embedded file.
    registry : the user's registry (associations, counties, member kommuner), replacing the
        embedded one, so that the user's own associations can be reported on. The embedded
        population and target-group tables are then kept only if every kommun they count is in
        it (else they are left out, listed in ``InitResult.unmatched``, and the reports say
        that population figures are missing, until the user gives their own).
    mapping : a header mapping file (:func:`~finsamlib.reports.inputs.read_mapping`) for the
        participant exports; it is copied into the folder and named in the manifest's
        ``mapping`` column, so the reports read the exports the same way.
    sheet : the sheet to read in the user's workbooks (default: the one sheet holding the
        table's headers); CSV files have none.
    with_synthetic : also copy the embedded synthetic demonstration data (except the files of a
        table for associations the user's files cover, which would be counted twice).

    Returns
    -------
    InitResult : the files written.

    Raises
    ------
    FinsamDataError : a user file (or the mapping) does not load; nothing is written.
    FileExistsError : ``target`` exists and is not an empty folder.
    ValueError : an unknown table, or the same file given twice.

    User files are copied byte for byte (never changed); their manifest rows have provenance
    ``user`` (``synthetic`` for a file whose ``Syntetisk`` column marks every row), the original
    file name as source and the loader table.
    """
    target = Path(target)
    _check_target(target)
    if mapping is not None and not files.get("participants"):
        raise ValueError("a header mapping applies to participant exports; none was given")
    header_mapping = read_mapping(mapping, "participants") if mapping is not None else None
    loaded = _validate(files, registry, header_mapping, sheet)

    source_root = datasets.data_dir()
    manifest = datasets.manifest(source_root)
    replaced_tables = {t for _, t, _ in loaded if t in REPLACED_TABLES}
    user_registry = next((df for _, t, df in loaded if t == "registry"), None)
    if user_registry is None:
        user_registry = datasets.load("registry", root=source_root)
    _check_associations(loaded, user_registry)

    result = InitResult(root=target)
    user_associations: dict[str, set[str]] = {}
    for _, t, df in loaded:
        user_associations.setdefault(t, set()).update(_associations_of(df))
    keep = []
    for row in manifest.to_dict("records"):
        rel = row["path"]
        if rel.startswith(SYNTHETIC_DIR + "/") and not with_synthetic:
            continue
        if row["table"] in replaced_tables:
            result.replaced.append(rel)
            continue
        if "registry" in replaced_tables and row["table"] in BY_KOMMUN:
            unknown = _unknown_kommuner(source_root, rel, row["table"], user_registry)
            if unknown:
                result.unmatched[rel] = unknown
                continue
        if rel.startswith(SYNTHETIC_DIR + "/") and row["table"] in user_associations:
            theirs = set(_associations_of(datasets.load(rel.rsplit(".", 1)[0], root=source_root)))
            if theirs & user_associations[row["table"]]:
                result.skipped.append(rel)
                continue
        keep.append(row)
    docs = [
        p.relative_to(source_root).as_posix()
        for p in sorted(source_root.rglob("*.md"))
        if with_synthetic or not p.relative_to(source_root).as_posix().startswith(SYNTHETIC_DIR)
    ]

    taken = {r["path"].rsplit(".", 1)[0] for r in keep}
    rows = [dict(r) for r in keep]
    if header_mapping is not None:
        assert mapping is not None
        result.mapping = _user_name(Path(mapping), taken)
        rows.append(
            {
                "path": result.mapping,
                "provenance": "user",
                "source": Path(mapping).name,
                "description": "The user's header mapping (export header -> canonical column) "
                "for the participant exports; copied unchanged by finsam init",
                "table": "",
            }
        )
    copies: list[tuple[Path, str]] = []
    for path, table, df in loaded:
        rel = _user_name(path, taken)
        provenance = "synthetic" if df.attrs.get("provenance") == "synthetic" else "user"
        what = "marked synthetic by its Syntetisk column" if provenance == "synthetic" else ""
        row = {
            "path": rel,
            "provenance": provenance,
            "source": path.name,
            "description": f"The user's own export ({table}, {len(df)} rows"
            + (f"; {what}" if what else "")
            + "); copied unchanged by finsam init",
            "table": table,
        }
        if table == "participants" and result.mapping:
            row[MAPPING_COLUMN] = result.mapping
        if sheet and df.attrs.get("sheet"):  # the reports read the workbook's same sheet
            row[SHEET_COLUMN] = str(df.attrs["sheet"])
        rows.append(row)
        copies.append((path, rel))
        result.user.append(
            UserFile(
                source=path,
                table=table,
                path=rel,
                provenance=provenance,
                rows=len(df),
                sha256=sha256_of(path),
                associations=_associations_of(df),
                note=str(df.attrs.get("read_note") or ""),
            )
        )
    result.embedded = [r["path"] for r in keep]
    _write(target, source_root, keep, docs, copies, rows, mapping, result)
    return result


def _manifest_text(rows: list[dict[str, str]]) -> str:
    columns = list(datasets.MANIFEST_COLUMNS)
    if any(r.get(BESKRIVNING_COLUMN) for r in rows):  # the embedded rows' Swedish descriptions
        columns.append(BESKRIVNING_COLUMN)
    if any(r.get(MAPPING_COLUMN) for r in rows):
        columns.append(MAPPING_COLUMN)
    if any(r.get(SHEET_COLUMN) for r in rows):
        columns.append(SHEET_COLUMN)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({c: r.get(c, "") for c in columns})
    return buf.getvalue()


def _write(
    target: Path,
    source_root: Path,
    keep: list[dict[str, str]],
    docs: list[str],
    copies: list[tuple[Path, str]],
    rows: list[dict[str, str]],
    mapping: str | Path | None,
    result: InitResult,
) -> None:
    """Build the folder next to ``target`` and rename it into place (nothing left on failure)."""
    parent = target.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
    tmp.mkdir()
    try:
        for rel in [r["path"] for r in keep] + docs:
            dest = tmp / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source_root / rel, dest)
        if mapping is not None and result.mapping:
            copies = [(Path(mapping), result.mapping), *copies]
        for src, rel in copies:
            dest = tmp / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            before = sha256_of(src)
            shutil.copyfile(src, dest)
            if sha256_of(dest) != before:  # pragma: no cover - the disk lost bytes
                raise OSError(f"copying {src} to {dest} changed its bytes")
        (tmp / loaders.MANIFEST_NAME).write_text(_manifest_text(rows), encoding="utf-8")
        _check_target(target)  # nobody made it meanwhile
        if target.is_dir():
            target.rmdir()  # an empty folder the user made for it
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
