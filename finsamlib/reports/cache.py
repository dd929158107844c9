"""Incremental renders: a small record per page, so that ``finsam reports`` skips the pages
whose inputs did not change.

The record of a page ``OUT/2021/lan/forbund.html`` is ``OUT/_cache/2021/lan/forbund.html.json``,
written atomically after the page. It holds what the page was made from: the SHA-256 of the
notebook, the job's parameters (canonical JSON, without :data:`VOLATILE_PARAMETERS`), the
finsamlib version and a digest of the installed finsamlib code, the SHA-256 of the page as
written, and ``{path relative to the data folder: SHA-256}`` of every input file: the files the
kernel reported reading (:func:`finsamlib.reports.sections.sources_section` puts them in the
page metadata; an association report and a county overview read only the participant files
with rows of their county) and :func:`always_inputs`.

Disclosure control makes every page depend on the other associations' rows through the run's
one suppression pattern. The record therefore also holds, from before the run
(:class:`Dependencies`): the SHA-256 of every participant file of the folder, of the participant
rows the page computes from (its county's, in whichever file: ``rows``) and of the pattern
restricted to the cells the page may publish (``pattern``,
:func:`finsamlib.reports.cells.page_pattern_digest`). When no participant file changed, the
pattern did not either; when one did, the page is kept only if its rows and its part of the
newly computed pattern are the same. A page is skipped only when all of it still matches
(:func:`fresh`); a missing or unreadable record, a file now missing or changed, a page removed
or edited by hand: the page is rendered again. When in doubt, render.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from .. import __version__, datasets, disclosure, loaders
from .inputs import ReportInputs, sha256_of

#: The folder of the records under the reports root (not a year, so the index ignores it).
RECORD_DIR = "_cache"
#: Format of the record; a record of another format is treated as missing.
FORMAT = 2
#: Page-metadata key under which a report notebook lists the files it read.
INPUTS_KEY = "inputs"
#: Parameters that differ on every run without changing what a page shows from its data: the
#: generation time (a skipped page keeps the time it was made, which stays true), and the path
#: of the run's disclosure-control pattern (a temporary file; the pattern itself follows from
#: the threshold and the files of :data:`ALWAYS_TABLES`, which every record holds).
VOLATILE_PARAMETERS = frozenset({"generated_at", "disclosure_file"})

#: Loader tables whose files every record includes (see :func:`always_inputs`).
ALWAYS_TABLES = ("registry", "standard_costs")
#: The loader table whose files make the run's suppression pattern (:class:`Dependencies`).
PATTERN_TABLE = "participants"

_PACKAGE = Path(__file__).resolve().parents[1]


def record_path(out: Path, output: str) -> Path:
    """Where the record of the page ``output`` (relative to ``out``) is kept."""
    return Path(out) / RECORD_DIR / f"{output}.json"


def data_root(parameters: Mapping[str, object]) -> Path:
    """The data folder a job reads (its ``data_dir`` parameter, or the embedded data)."""
    value = parameters.get("data_dir")
    return Path(str(value)).resolve() if value else datasets.data_dir().resolve()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """SHA-256 over the finsamlib package's files (code, templates): a changed library renders
    again even when its version number did not change (a developer's checkout)."""
    digest = hashlib.sha256()
    for f in sorted(_PACKAGE.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc":
            digest.update(f.relative_to(_PACKAGE).as_posix().encode())
            digest.update(sha256_of(f).encode())
    return digest.hexdigest()


def _table_files(root: Path, tables: tuple[str, ...]) -> dict[str, str]:
    manifest = datasets.manifest(root)
    files = {}
    for rel in manifest.loc[manifest["table"].isin(tables), "path"]:
        path = root / rel
        if path.is_file():
            files[str(rel)] = sha256_of(path)
    return files


def always_inputs(root: Path) -> dict[str, str]:
    """Files every page of a data folder depends on, whatever its kernel reports: the manifest
    (it decides which files a table has and the descriptions in the sources list) and the files
    of :data:`ALWAYS_TABLES` (the registry places associations in counties; the standard costs
    price the money cells of the pattern)."""
    root = Path(root)
    files = {loaders.MANIFEST_NAME: sha256_of(root / loaders.MANIFEST_NAME)}
    files.update(_table_files(root, ALWAYS_TABLES))
    return files


#: Where :class:`PatternStore` keeps patterns between runs, under the records folder (the
#: files end in ``.pattern``, not ``.json``: they are not page records).
PATTERN_DIR = "patterns"
#: How many patterns :class:`PatternStore` keeps (the newest): one per data folder and threshold
#: a user renders into the same output folder, as a rule.
PATTERNS_KEPT = 8


class PatternStore:
    """The run's suppression patterns kept between runs in the output folder
    (``OUT/_cache/patterns``), by the fingerprint of what they were made from (the participant
    rows, the registry, the standard costs, the threshold and the method's versions:
    :func:`finsamlib.reports.cells.data_fingerprint`) and the finsamlib code. A run whose
    participant rows did not change (a changed notebook, budget file or parameter) reuses its
    pattern instead of auditing every cell again.

    ``read=False`` (``--force``) computes afresh and keeps the result. An unreadable or foreign
    file counts as missing. The files are trusted as much as the pages and records beside them:
    whoever can change the output folder can change the pages themselves."""

    def __init__(self, out: Path, *, read: bool = True) -> None:
        self.folder = Path(out) / RECORD_DIR / PATTERN_DIR
        self.read = read

    def path(self, fingerprint: str) -> Path:
        name = hashlib.sha256(f"{fingerprint}|{code_digest()}".encode()).hexdigest()
        return self.folder / f"{name}.pattern"

    def get(self, fingerprint: str) -> disclosure.Pattern | None:
        """The pattern kept for ``fingerprint``, or None."""
        if not self.read:
            return None
        try:
            pattern = disclosure.Pattern.from_json(
                self.path(fingerprint).read_text(encoding="utf-8")
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return pattern if pattern.fingerprint == fingerprint else None

    def put(self, fingerprint: str, pattern: disclosure.Pattern) -> None:
        """Keep ``pattern`` (whole, or not at all) and forget the oldest beyond
        :data:`PATTERNS_KEPT`; an output folder that cannot take it only costs the next run
        the audit."""
        path = self.path(fingerprint)
        if self.read and path.is_file():
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(pattern.to_json(), encoding="utf-8")
            tmp.replace(path)
            kept = sorted(self.folder.glob("*.pattern"), key=lambda p: p.stat().st_mtime_ns)
            for old in kept[:-PATTERNS_KEPT]:
                old.unlink()
        except OSError:
            pass


class Dependencies:
    """What the pages of one data folder and threshold depend on through the run's suppression
    pattern: every participant file (``files``, read now), and only when asked
    (:meth:`page`) the digests of a page's participant rows and of its part of the pattern."""

    def __init__(self, root: Path, threshold: object, memory: PatternStore | None = None) -> None:
        self.root = Path(root)
        self.threshold = threshold
        self.memory = memory
        self.files = _table_files(self.root, (PATTERN_TABLE,))
        #: the run's pattern of these data, if the runner has it (else computed when asked)
        self.pattern: disclosure.Pattern | None = None
        self._loaded: tuple | None = None

    def _load(self) -> tuple:
        if self._loaded is None:
            from .cells import folder_pattern

            inputs = ReportInputs(self.root)
            registry = inputs.load("registry")
            participants = inputs.load_table(PATTERN_TABLE, remember=False)
            pattern = self.pattern
            if pattern is None:
                pattern = folder_pattern(self.root, int(self.threshold), memory=self.memory)  # type: ignore[call-overload]
            self._loaded = (registry, participants, pattern)
        return self._loaded

    def page(self, parameters: Mapping[str, object]) -> dict[str, str] | None:
        """``rows`` and ``pattern`` digests of the page of an association report or county
        overview (None for another page: it is kept only while no participant file changed)."""
        from .cells import page_pattern_digest, page_rows_digest

        association, county = parameters.get("association"), parameters.get("county")
        if association is None and county is None:
            return None
        registry, participants, pattern = self._load()
        who = {
            "association": None if association is None else str(association),
            "county": None if county is None else str(county),
        }
        year = parameters.get("year")
        return {
            "rows": page_rows_digest(participants, registry, **who),
            "pattern": page_pattern_digest(
                pattern, registry, **who, year=None if year is None else int(year)
            ),
        }


def key(notebook: str, parameters: Mapping[str, object]) -> dict[str, object]:
    """What a page is made from apart from its input files."""
    kept = {k: v for k, v in parameters.items() if k not in VOLATILE_PARAMETERS}
    return {
        "format": FORMAT,
        "notebook": sha256_of(notebook),
        "parameters": json.loads(json.dumps(kept, sort_keys=True, ensure_ascii=False)),
        "version": __version__,
        "code": code_digest(),
    }


def fresh(
    out: Path,
    output: str,
    notebook: str,
    parameters: Mapping[str, object],
    always: Mapping[str, str] | None = None,
    digests: dict[Path, str] | None = None,
    dependencies: Dependencies | None = None,
) -> bool:
    """Whether the page ``output`` under ``out`` may be kept as it is: its record matches the
    notebook, parameters, version and code, the page is the one written, every recorded
    input file still has its recorded SHA-256 (and so do :func:`always_inputs`; ``always``:
    them as computed already), and either no participant file changed or the page's rows and
    its part of the suppression pattern are the same (``dependencies``: of the page's data
    folder and threshold, shared by the pages of a run). ``digests`` memoises files' SHA-256
    over the pages of a run."""
    known = {} if digests is None else digests

    def digest(path: Path) -> str:
        if path not in known:
            known[path] = sha256_of(path)
        return known[path]

    page = Path(out) / output
    try:
        record = json.loads(record_path(out, output).read_text(encoding="utf-8"))
        if not isinstance(record, dict) or not page.is_file():
            return False
        if any(record.get(k) != v for k, v in key(notebook, parameters).items()):
            return False
        if record.get("page") != sha256_of(page):
            return False
        root = data_root(parameters)
        inputs = record.get("inputs")
        if not isinstance(inputs, dict) or not inputs:
            return False
        if always is None:
            always = always_inputs(root)
        if any(inputs.get(rel) != d for rel, d in always.items()):
            return False
        if any(digest(root / rel) != d for rel, d in inputs.items()):
            return False
        if dependencies is None:
            dependencies = Dependencies(root, parameters.get("threshold"))
        if record.get("participants") == dependencies.files:
            return True
        now = dependencies.page(parameters)
        return now is not None and all(record.get(k) == v for k, v in now.items())
    except Exception:
        return False


def write(
    out: Path,
    output: str,
    notebook: str,
    parameters: Mapping[str, object],
    html: str,
    inputs: Mapping[str, str],
    always: Mapping[str, str],
    dependencies: Dependencies,
) -> Path:
    """Write the record of a page just written (``always`` and ``dependencies``: as they were
    before the page was rendered, so a file changed meanwhile renders again next time)."""
    from .runner import atomic_write

    record = {
        **key(notebook, parameters),
        "page": hashlib.sha256(html.encode("utf-8")).hexdigest(),
        "inputs": dict(sorted({**inputs, **always}.items())),
        "participants": dict(sorted(dependencies.files.items())),
        **(dependencies.page(parameters) or {}),
    }
    target = record_path(out, output)
    atomic_write(target, json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return target


def remove(out: Path, output: str) -> None:
    """Remove a page's record (before it is rendered again, or when it failed)."""
    record_path(out, output).unlink(missing_ok=True)
