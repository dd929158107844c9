"""Run the report notebooks in parallel and write the HTML reports.

:func:`plan` turns the options of ``finsam reports`` into jobs (one per association report and
one per county overview), checking names and years against the data; :func:`execute` runs one
job — papermill's Python API in a fresh kernel over IPC, then nbconvert — and returns the HTML
or the failed notebook, never raising; :func:`run` spreads the jobs over a process pool (or a
dask cluster through its ``concurrent.futures`` executor) and writes each result atomically as
it arrives, so one failing report stops nothing else.
"""

from __future__ import annotations

import contextlib
import html as htmlmod
import json
import logging
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from .. import __version__, resources
from ..disclosure import Pattern
from ..errors import FinsamDataError, Problem
from ..narrative import generation_time
from ..personnummer import mask_identity_numbers
from ..privacy import DEFAULT_THRESHOLD
from . import cache, outfolder, paths, pool
from .inputs import ReportInputs

log = logging.getLogger("finsamlib.reports")

NOTEBOOK_DIR = resources.notebook_dir()
ASSOCIATION_NOTEBOOK = "association_report.ipynb"
COUNTY_NOTEBOOK = "county_overview.ipynb"
#: How often a job is tried when the kernel fails to start or dies (not when a cell fails).
KERNEL_ATTEMPTS = 3
#: Seconds a kernel may take to start (a loaded 2-core machine can be slow).
START_TIMEOUT = 120
#: Seconds one cell may run before the report is failed.
CELL_TIMEOUT = 600


# --------------------------------------------------------------------------- jobs


@dataclass(frozen=True)
class Job:
    """One notebook to run and the page it becomes."""

    notebook: str  # path to the .ipynb
    parameters: dict[str, object]
    output: str  # the page, relative to the reports root, with /
    title: str  # page title if the notebook does not give one
    kind: str = "association"  # association | county | other

    @property
    def name(self) -> str:
        return self.output.removesuffix(".html")


@dataclass(frozen=True)
class JobResult:
    """What came out of a job: the HTML, or the executed notebook and the error."""

    job: Job
    html: str | None = None
    failed_notebook: str | None = None  # executed notebook (JSON) of a failed job
    error: str | None = None
    cell_index: int | None = None
    seconds: float = 0.0
    attempts: int = 1
    synthetic: bool = False
    warnings: tuple[str, ...] = ()
    inputs: dict[str, str] | None = None  # files the report read (path -> SHA-256), if it said

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class RunSummary:
    """The outcome of a run."""

    out: Path
    written: list[Path] = field(default_factory=list)
    failed: list[JobResult] = field(default_factory=list)
    index: Path | None = None
    seconds: float = 0.0
    retried: list[str] = field(default_factory=list)  # run again after a worker died
    removed: list[Path] = field(default_factory=list)  # earlier pages of reports failed now
    kept: list[Path] = field(default_factory=list)  # executed notebooks of failed reports
    index_error: str | None = None
    skipped: list[Path] = field(default_factory=list)  # pages kept: their inputs did not change
    unlinked: list[Path] = field(default_factory=list)  # pages whose dead links became text

    @property
    def ok(self) -> bool:
        return not self.failed and self.index_error is None

    def text(self) -> str:
        n = len(self.written) + len(self.failed)
        lines = [f"{len(self.written)} of {n} reports written in {self.seconds:.1f} s"]
        if self.skipped:
            lines[0] += f"; {len(self.skipped)} skipped (unchanged)"
        for r in self.failed:
            lines.append(f"FAILED {r.job.name}: {r.error}")
        if self.retried:
            lines.append(
                f"a worker process died; retried in a fresh pool: {', '.join(self.retried)}"
            )
        if self.removed:
            shown = ", ".join(p.relative_to(self.out).as_posix() for p in self.removed)
            lines.append(f"removed the earlier pages of failed reports: {shown}")
        if self.unlinked:
            shown = ", ".join(p.relative_to(self.out).as_posix() for p in self.unlinked)
            lines.append(f"links to missing reports made plain text in: {shown}")
        if any(p.is_file() for p in self.kept):
            lines.append(f"executed notebooks of failed reports: {self.out / paths.FAILED_DIR}")
        if self.index_error:
            lines.append(f"index not written: {self.index_error}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- planning


def _registry(inputs: ReportInputs) -> pd.DataFrame:
    return inputs.load("registry")


def available_years(inputs: ReportInputs) -> list[int]:
    """Years in which some participant ended an insats, in the data folder (sorted)."""
    participants = inputs.load_table("participants")
    if participants is None or participants.empty:
        return []
    years = pd.to_datetime(participants["end_date"]).dt.year.dropna().astype(int)
    return sorted(set(years.tolist()))


def _choose(value: str, valid: Iterable[str], what: str) -> str:
    valid = sorted(set(valid))
    if value in valid:
        return value
    hits = [v for v in valid if paths.slug(v) == paths.slug(value)]
    if len(hits) == 1:
        return hits[0]
    if hits:
        both = " and ".join(map(repr, hits))
        raise KeyError(f"{what} {value!r} matches {both}; give the name as printed")
    raise KeyError(f"unknown {what} {value!r}; valid: {', '.join(valid)}")


def plan(
    *,
    county: str | None = None,
    association: str | None = None,
    year: int | None = None,
    data_dir: str | Path | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    generated_at: str | None = None,
    notebook_dir: str | Path | None = None,
    extra: dict[str, dict[str, object]] | None = None,
) -> list[Job]:
    """The jobs for ``finsam reports``: association reports and county overviews.

    With no county or association: every association and county of the data folder; with a
    county: its associations and its overview; with an association: its report and its
    county's overview. With no year: the latest year in which participants ended. Names are
    matched exactly or by their slug (``rar-sormland``). Raises KeyError listing the valid
    names or years for an unknown one. ``extra``: more parameters per notebook file name
    (validated first by :func:`finsamlib.reports.params.validate`).
    """
    inputs = ReportInputs(data_dir)
    registry = _registry(inputs)
    registry_file = inputs.root / inputs.files[0].path
    counties = registry.groupby("county", sort=True)["association"].unique()
    pairs = sorted(set(zip(registry["association"], registry["county"], strict=True)))
    if association is not None:
        association = _choose(association, registry["association"], "association")
        pairs = [(a, c) for a, c in pairs if a == association]
    if county is not None:
        county = _choose(county, registry["county"], "county")
        pairs = [(a, c) for a, c in pairs if c == county]
        if not pairs:
            members = ", ".join(sorted(counties[county]))
            raise KeyError(
                f"association {association!r} is not in {county}; its associations: {members}"
            )
    years = available_years(inputs)
    if not years:
        raise KeyError(
            f"no participant data (a 'participants' table) in {inputs.root}: no year to report"
        )
    if year is None:
        year = years[-1]
    elif int(year) not in years:
        raise KeyError(f"no data for year {year}; years with data: {', '.join(map(str, years))}")
    year = int(year)
    nb_dir = Path(notebook_dir) if notebook_dir else NOTEBOOK_DIR
    data_param = None if data_dir in (None, "") else str(Path(data_dir).resolve())
    when = generation_time(generated_at)
    jobs = []
    shared = {"data_dir": data_param, "threshold": int(threshold), "generated_at": when}
    for a, c in pairs:
        jobs.append(
            Job(
                notebook=str(nb_dir / ASSOCIATION_NOTEBOOK),
                parameters={
                    "association": a,
                    "year": year,
                    **shared,
                    **(extra or {}).get(ASSOCIATION_NOTEBOOK, {}),
                },
                output=paths.association_report(year, c, a).as_posix(),
                title=f"{a} – uppföljning {year}",
                kind="association",
            )
        )
    for c in sorted({c for _, c in pairs}):
        jobs.append(
            Job(
                notebook=str(nb_dir / COUNTY_NOTEBOOK),
                parameters={
                    "county": c,
                    "year": year,
                    **shared,
                    **(extra or {}).get(COUNTY_NOTEBOOK, {}),
                },
                output=paths.county_index(year, c).as_posix(),
                title=f"{c} – översikt {year}",
                kind="county",
            )
        )
    _refuse_shared_pages(jobs, registry_file)
    return jobs


def _refuse_shared_pages(jobs: Sequence[Job], registry_file: Path) -> None:
    """Raise FinsamDataError (naming the registry) when two names of the run give one page."""
    named = [
        (j.output, str(j.parameters.get("association") or j.parameters["county"])) for j in jobs
    ]
    found = paths.clashes(named)
    if found:
        raise FinsamDataError(
            registry_file,
            [
                Problem(None, None, None, f"names that give distinct pages ({c}); rename one")
                for c in found
            ],
        )


# --------------------------------------------------------------------------- one job


def warm_worker(zygote_address: str | None = None, socket_root: str | None = None) -> None:
    """Initializer of a pool's worker processes: take signals as the pool wants
    (:func:`~finsamlib.reports.pool.worker_signals`), import the heavy modules once, note the
    run's zygote, if any, and the folder for the kernels' sockets."""
    from . import pool

    pool.worker_signals()
    import papermill  # noqa: F401

    from . import html, kernels, zygote

    if socket_root:
        kernels._SOCKET_ROOT = socket_root
    zygote.use(zygote_address)
    html.exporter()
    kernels.manager_class()


def _kernel_start_failure(exc: BaseException) -> bool:
    """Whether an exception looks like a kernel that failed to start or died (worth a retry)."""
    import zmq

    if isinstance(exc, zmq.ZMQError | TimeoutError):
        return True
    return isinstance(exc, RuntimeError) and any(
        s in str(exc).lower() for s in ("kernel", "address already in use", "timed out")
    )


def execute(job: Job) -> JobResult:
    """Run one job: execute the notebook in a fresh IPC kernel and convert it to HTML.

    Never raises: a failing cell or a broken kernel gives a result with ``error`` set and the
    executed notebook (as far as it ran) in ``failed_notebook``.
    """
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from . import html
    from .kernels import manager_class

    start = time.perf_counter()
    attempts = 0
    with tempfile.TemporaryDirectory(prefix="finsam-job-") as tmp:
        executed = Path(tmp) / "executed.ipynb"
        while True:
            attempts += 1
            try:
                nb = _in_own_event_loop(
                    pm.execute_notebook,
                    job.notebook,
                    str(executed),
                    parameters=dict(job.parameters),
                    kernel_name="python3",  # the manager runs ipykernel in this interpreter
                    language="python",
                    progress_bar=False,
                    log_output=False,
                    request_save_on_cell_execute=False,
                    cwd=str(Path(job.notebook).parent),
                    start_timeout=START_TIMEOUT,
                    execution_timeout=CELL_TIMEOUT,
                    kernel_manager_class=manager_class(),
                    shutdown_kernel="immediate",  # a report's kernel is never reused
                )
                break
            except PapermillExecutionError as exc:
                failed = executed.read_text(encoding="utf-8") if executed.exists() else None
                return JobResult(
                    job,
                    failed_notebook=failed,
                    error=f"cell {exc.cell_index}: {exc.ename}: {_one_line(exc.evalue)}",
                    cell_index=int(exc.cell_index),
                    seconds=time.perf_counter() - start,
                    attempts=attempts,
                )
            except Exception as exc:
                if attempts < KERNEL_ATTEMPTS and _kernel_start_failure(exc):
                    log.warning("%s: kernel failed (%s), retrying", job.name, _one_line(exc))
                    continue
                failed = executed.read_text(encoding="utf-8") if executed.exists() else None
                return JobResult(
                    job,
                    failed_notebook=failed,
                    error=f"{type(exc).__name__}: {_one_line(exc)}",
                    seconds=time.perf_counter() - start,
                    attempts=attempts,
                )
    try:
        meta = html.page_metadata(nb)
        warnings = tuple(_one_line(t) for t in html.stderr_outputs(nb))
        title = str(meta.get("title") or job.title)
        page = html.notebook_to_html(nb, title)
    except Exception as exc:
        return JobResult(
            job,
            failed_notebook=nbformat.writes(nb),
            error=f"HTML conversion: {type(exc).__name__}: {_one_line(exc)}",
            seconds=time.perf_counter() - start,
            attempts=attempts,
        )
    inputs = meta.get(cache.INPUTS_KEY)
    return JobResult(
        job,
        html=page,
        seconds=time.perf_counter() - start,
        attempts=attempts,
        synthetic=bool(meta.get("synthetic", False)),
        warnings=warnings,
        inputs={str(k): str(v) for k, v in inputs.items()} if isinstance(inputs, dict) else None,
    )


def _in_own_event_loop(func: Callable[..., object], *args: object, **kwargs: object):
    """Call ``func`` in an empty ``contextvars`` context and close the event loop it made.

    nbclient runs its coroutines on an event loop that jupyter_core keeps in a context
    variable; thread pools that copy the caller's context into each task (dask's workers do)
    would hand two concurrent jobs the same loop ("This event loop is already running"). An
    empty context gives every job its own loop.
    """
    import asyncio
    import contextvars

    ctx = contextvars.Context()
    try:
        return ctx.run(func, *args, **kwargs)
    finally:
        for value in ctx.values():
            if isinstance(value, asyncio.AbstractEventLoop) and not value.is_running():
                value.close()


def _one_line(exc: object) -> str:
    text = mask_identity_numbers(" ".join(str(exc).split()))
    return text if len(text) <= 300 else text[:297] + "..."


# --------------------------------------------------------------------------- writing


def atomic_write(path: Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never a partial one (on
    any error, a full disk included, the temporary file is removed and the error raised)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def failed_notebook_path(out: Path, job: Job) -> Path:
    """Where the executed notebook of a failed job is kept."""
    return Path(out) / paths.FAILED_DIR / (job.name.replace("/", "__") + ".ipynb")


def _write_result(result: JobResult, out: Path, summary: RunSummary) -> None:
    """Write a job's page, or for a failed job keep its notebook and remove the page an earlier
    run left (it would be linked as current); a page that cannot be written (a full disk) fails
    its job."""
    target = out / result.job.output
    kept = failed_notebook_path(out, result.job)
    with contextlib.suppress(OSError):
        kept.unlink(missing_ok=True)  # an earlier run's notebook of this job
        # An earlier run's PDF no longer matches the page (--pdf prints it again).
        target.with_suffix(".pdf").unlink(missing_ok=True)
    if result.ok:
        assert result.html is not None
        try:
            atomic_write(target, result.html)
        except OSError as exc:
            result = replace(result, html=None, error=f"writing {target}: {_os_error(exc)}")
        else:
            summary.written.append(target)
            for w in result.warnings:
                log.warning("%s wrote to stderr: %s", result.job.name, w)
            return
    summary.failed.append(result)
    if target.is_file():
        try:
            target.unlink()
            summary.removed.append(target)
        except OSError as exc:
            log.error("could not remove the earlier page %s: %s", target, _os_error(exc))
    where = "not kept"
    if result.failed_notebook:
        try:
            atomic_write(kept, result.failed_notebook)
            summary.kept.append(kept)
            where = str(kept)
        except OSError as exc:
            where = f"not kept: {_os_error(exc)}"
    log.error("report %s failed: %s (notebook: %s)", result.job.name, result.error, where)


#: What a page says instead of linking to a page of its folder that failed in the same run.
UNAVAILABLE_NOTE = "(rapporten kunde inte skapas i den här körningen)"
#: What a page says instead of linking to a page of its folder that was never made (a run of
#: one association writes its county's overview, which names every association of the county).
MISSING_NOTE = "(rapporten har inte skapats)"
#: A link to a page of the same folder (the pages of a county link to each other by file name).
_SIBLING_LINK = re.compile(r'<a href="([^"/\\#?:]+\.html)(?:#[^"]*)?">(.*?)</a>', re.S)


def unlink_missing(out: Path, summary: RunSummary) -> None:
    """After every job of a run: in each page of the folders the run wrote to (a county's: the
    overview links to its associations, each association to the overview), make every link to
    a page of that folder that is not there plain text with a note, atomically:
    :data:`UNAVAILABLE_NOTE` for a report that failed in this run, :data:`MISSING_NOTE` for one
    never made. Links to pages that exist, from this run or an earlier one, stay.

    Jobs run in parallel, so a county overview cannot know which of its associations will fail;
    a failed report's earlier page is gone (:func:`_write_result`). A rewritten page loses its
    cache record, so the next run renders it again (with its links, once the reports exist)."""
    folders: dict[Path, set[str]] = {}
    for target in [*summary.written, *summary.skipped]:
        folders.setdefault(target.parent, set())
    for result in summary.failed:
        target = out / result.job.output
        folders.setdefault(target.parent, set()).add(target.name)
    for folder, failed in sorted(folders.items()):
        for page in sorted(folder.glob("*.html")):
            try:
                text = page.read_text(encoding="utf-8")
                changed = _unlink(text, folder, failed)
                if changed != text:
                    atomic_write(page, changed)
                    cache.remove(out, page.relative_to(out).as_posix())
                    summary.unlinked.append(page)
            except OSError as exc:
                log.error("could not unlink missing reports in %s: %s", page, _os_error(exc))


def _unlink(page: str, folder: Path, failed: set[str]) -> str:
    """``page`` with each link to a page of ``folder`` that failed (``failed``: file names) or
    does not exist made plain text followed by its note."""

    def plain(m: re.Match[str]) -> str:
        name = htmlmod.unescape(m.group(1))
        if name not in failed and (folder / name).is_file():
            return m.group(0)
        note = UNAVAILABLE_NOTE if name in failed else MISSING_NOTE
        return f'{m.group(2)} <span class="finsam-unavailable">{htmlmod.escape(note)}</span>'

    return _SIBLING_LINK.sub(plain, page)


def _os_error(exc: OSError) -> str:
    return exc.strerror or _one_line(exc)


def write_index(out: Path, generated_at: str | None = None) -> Path:
    """(Re)write ``out/index.html`` from every report under ``out``."""
    from . import html

    page = html.index_page(html.scan(out), generation_time(generated_at), __version__)
    target = out / paths.INDEX
    atomic_write(target, page)
    return target


# --------------------------------------------------------------------------- disclosure control

#: The notebook parameter naming the run's suppression pattern (a JSON file).
DISCLOSURE_PARAMETER = "disclosure_file"


def with_disclosure(
    jobs: Sequence[Job],
    folder: str | Path,
    workers: pool.ReportPool | None = None,
    memory: cache.PatternStore | None = None,
    patterns: dict[tuple[str, object], Pattern] | None = None,
) -> list[Job]:
    """Compute the run's suppression pattern once per data folder and threshold (every report
    of a run hides the same cells: :mod:`finsamlib.disclosure`), write it under ``folder`` and
    give each report job its path; ``workers``, if given, share the audit (they would wait
    for the pattern anyway); ``memory``: patterns kept from earlier runs; ``patterns``, if
    given, gets each pattern by (data folder, threshold), for the pages' records. A pattern that
    cannot be computed (a broken threshold or data folder) is left to the reports, which then
    fail on their own."""
    from .cells import folder_pattern

    out = []
    written: dict[tuple[str, object], str | None] = {}
    for i, job in enumerate(jobs):
        if job.kind not in ("association", "county"):
            out.append(job)
            continue
        key = (str(job.parameters.get("data_dir") or ""), job.parameters.get("threshold"))
        if key not in written:
            try:
                share = {}
                if workers is not None:
                    share = {
                        "map_": workers.map,
                        "batches": workers.workers,
                        "after_load": workers.share_parsed,
                    }
                pattern = folder_pattern(key[0] or None, int(key[1]), memory=memory, **share)  # type: ignore[arg-type]
                path = Path(folder) / f"disclosure-{i}.json"
                path.write_text(pattern.to_json(), encoding="utf-8")
                written[key] = str(path)
                if patterns is not None:
                    patterns[key] = pattern
            except Exception as exc:
                log.warning("disclosure pattern for %s: %s", key, _one_line(exc))
                written[key] = None
        if written[key] is None:
            out.append(job)
        else:
            params = {**job.parameters, DISCLOSURE_PARAMETER: written[key]}
            out.append(replace(job, parameters=params))
    return out


# --------------------------------------------------------------------------- running


def _progress(total: int, show: bool | None) -> object:
    from tqdm import tqdm

    if show is None:
        show = sys.stderr.isatty() and os.environ.get("CI", "").lower() not in ("1", "true")
    return tqdm(total=total, desc="rapporter", unit="rapport", disable=not show, leave=False)


def process_pool(
    workers: int | None = None, zygote_address: str | None = None, socket_root: str | None = None
) -> ProcessPoolExecutor:
    """A pool of warm worker processes (spawned: no state inherited from the caller).

    Like any ``spawn`` pool, it must be created under ``if __name__ == "__main__":`` in a
    script (the ``finsam`` command does that).
    """
    import multiprocessing

    n = workers or os.cpu_count() or 1
    return ProcessPoolExecutor(
        max_workers=n,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=warm_worker,
        initargs=(zygote_address, socket_root),
    )


def dask_executor(scheduler: str) -> tuple[Executor, Callable[[], None]]:
    """The ``concurrent.futures`` executor of a dask.distributed cluster, and its closer."""
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "the dask executor needs the 'distributed' extra: pip install 'finsamlib[distributed]'"
        ) from exc
    client = Client(scheduler)
    return client.get_executor(pure=False), client.close


def _as_result(job: Job, value: object) -> JobResult:
    """A job's result from what the pool gave back (a JobResult, or the exception)."""
    if isinstance(value, JobResult):
        return value
    if isinstance(value, pool.WorkerDied):
        return JobResult(job, error=f"worker process died: {value}")
    return JobResult(job, error=f"worker: {type(value).__name__}: {_one_line(value)}")


def _on_executor(
    executor: Executor, jobs: Sequence[Job], handle: Callable[[JobResult], None]
) -> None:
    futures: dict[Future, Job] = {executor.submit(execute, job): job for job in jobs}
    try:
        for fut in as_completed(futures):
            try:
                value: object = fut.result()
            except Exception as exc:
                value = exc
            handle(_as_result(futures[fut], value))
    except KeyboardInterrupt:
        for fut in futures:
            fut.cancel()
        raise


def run(
    jobs: Sequence[Job],
    out: str | Path,
    *,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool | None = None,
    index: bool = True,
    generated_at: str | None = None,
    on_result: Callable[[JobResult], None] | None = None,
    min_free_mb: float = outfolder.MIN_FREE_MB,
    incremental: bool = False,
    force: bool = False,
) -> RunSummary:
    """Run ``jobs`` and write their pages under ``out`` (and ``out/index.html``).

    ``executor`` may be any ``concurrent.futures.Executor`` (e.g. a dask client's); by default a
    :class:`~finsamlib.reports.pool.ReportPool` of ``workers`` warm processes is made and shut
    down here (a killed worker fails only its job; the others are retried). ``out`` is checked
    first (:func:`~finsamlib.reports.outfolder.check`: OutputFolderError before any kernel).
    On KeyboardInterrupt (Ctrl-C, or SIGTERM under ``pool.sigterm_interrupts``) every process
    of the run is ended, finished pages are kept and indexed, and the exception is re-raised.
    ``incremental``: keep a record of each page (:mod:`finsamlib.reports.cache`) and skip
    the jobs whose record still matches (all are run with ``force``, and records written).
    """
    out = outfolder.check(out, min_free_mb)
    summary = RunSummary(out=out)
    start = time.perf_counter()
    always: dict[str, dict[str, str]] = {}
    deps: dict[tuple[str, object], cache.Dependencies] = {}
    if incremental:
        jobs, summary.skipped, always, deps = _skip_unchanged(jobs, out, force)
    bar = _progress(len(jobs), progress)

    def handle(result: JobResult) -> None:
        with contextlib.suppress(OSError):
            cache.remove(out, result.job.output)  # no record of a page being replaced
        _write_result(result, out, summary)
        _record(result, out, summary, always, deps)
        if on_result is not None:
            on_result(result)
        bar.update(1)  # type: ignore[attr-defined]

    memory = cache.PatternStore(out, read=not force) if incremental else None
    patterns: dict[tuple[str, object], Pattern] = {}
    work = tempfile.TemporaryDirectory(prefix="finsam-run-")
    try:
        if executor is not None:
            jobs = with_disclosure(jobs, work.name, memory=memory, patterns=patterns)
            _snapshot(jobs, deps, patterns)
            _on_executor(executor, jobs, handle)
        elif jobs:
            folders = sorted({str(j.parameters.get("data_dir") or "") for j in jobs})
            n = min(workers or os.cpu_count() or 1, len(jobs))
            with pool.ReportPool(n, process_pool, warm=folders) as own:
                # while the workers warm up: the one suppression pattern of the run
                jobs = with_disclosure(jobs, work.name, own, memory, patterns)
                _snapshot(jobs, deps, patterns)
                for job, value in own.results(execute, jobs):
                    handle(_as_result(job, value))
                summary.retried = [j.name for j in own.retried]
    finally:
        with pool.shielded():
            bar.close()  # type: ignore[attr-defined]
            work.cleanup()
            with contextlib.suppress(OSError):
                (out / paths.FAILED_DIR).rmdir()  # only if empty
            unlink_missing(out, summary)
            if index:
                try:
                    summary.index = write_index(out, generated_at)
                except OSError as exc:
                    summary.index_error = f"{out / paths.INDEX}: {_os_error(exc)}"
                    log.error("index not written: %s", summary.index_error)
    summary.written.sort()
    summary.seconds = time.perf_counter() - start
    return summary


def _deps_key(job: Job) -> tuple[str, object]:
    return (str(job.parameters.get("data_dir") or ""), job.parameters.get("threshold"))


def _record(
    result: JobResult,
    out: Path,
    summary: RunSummary,
    always: dict[str, dict[str, str]],
    deps: dict[tuple[str, object], cache.Dependencies],
) -> None:
    """Write the cache record of a page just written, if the report listed its inputs and the
    run is incremental (``always`` has its data folder)."""
    root = str(result.job.parameters.get("data_dir") or "")
    target = out / result.job.output
    written = bool(summary.written) and summary.written[-1] == target
    dependencies = deps.get(_deps_key(result.job))
    if not (written and result.html is not None and result.inputs and root in always):
        return
    if dependencies is None:
        return
    try:
        cache.write(
            out,
            result.job.output,
            result.job.notebook,
            result.job.parameters,
            result.html,
            result.inputs,
            always[root],
            dependencies,
        )
    except OSError as exc:  # no record: the page is rendered again next time
        log.warning("no cache record for %s: %s", result.job.name, _os_error(exc))
    except Exception as exc:  # e.g. no pattern for broken data: no record either
        log.warning("no cache record for %s: %s", result.job.name, _one_line(exc))


def _skip_unchanged(
    jobs: Sequence[Job], out: Path, force: bool
) -> tuple[
    list[Job], list[Path], dict[str, dict[str, str]], dict[tuple[str, object], cache.Dependencies]
]:
    """The jobs to run, the pages kept as they are (their record matches; none with
    ``force``), and :func:`cache.always_inputs` of each data folder and the
    :class:`cache.Dependencies` of each folder and threshold, taken before any job runs (a file
    changed during the run then renders its pages again next time)."""
    always: dict[str, dict[str, str]] = {}
    deps: dict[tuple[str, object], cache.Dependencies] = {}
    for job in jobs:
        root = str(job.parameters.get("data_dir") or "")
        try:
            folder = cache.data_root({"data_dir": root})
            if root not in always:
                always[root] = cache.always_inputs(folder)
            if _deps_key(job) not in deps:
                deps[_deps_key(job)] = cache.Dependencies(
                    folder, job.parameters.get("threshold"), cache.PatternStore(out, read=not force)
                )
        except (OSError, ValueError, FinsamDataError) as exc:  # no records for this folder
            always.pop(root, None)
            log.warning("no cache records for %s: %s", root or "the embedded data", exc)
    todo, skipped = [], []
    digests: dict[Path, str] = {}
    for job in jobs:
        root = str(job.parameters.get("data_dir") or "")
        if (
            not force
            and root in always
            and _deps_key(job) in deps
            and cache.fresh(
                out,
                job.output,
                job.notebook,
                job.parameters,
                always[root],
                digests,
                deps[_deps_key(job)],
            )
        ):
            skipped.append(out / job.output)
        else:
            todo.append(job)
    return todo, sorted(skipped), always, deps


def _snapshot(
    jobs: Sequence[Job],
    deps: dict[tuple[str, object], cache.Dependencies],
    patterns: Mapping[tuple[str, object], Pattern],
) -> None:
    """Read the data the records of ``jobs`` will hold as they are now, before any page is
    rendered (after :func:`with_disclosure`, whose ``patterns`` it reuses)."""
    for key in {_deps_key(j) for j in jobs} & set(deps):
        if key in patterns:
            deps[key].pattern = patterns[key]
        with contextlib.suppress(Exception):  # no pattern: no record (see _record)
            deps[key].page({"county": ""})


def render_reports(
    *,
    county: str | None = None,
    association: str | None = None,
    year: int | None = None,
    data_dir: str | Path | None = None,
    out: str | Path = "reports",
    workers: int | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    executor: str = "process",
    scheduler: str | None = None,
    progress: bool | None = None,
    force: bool = False,
    extra: dict[str, dict[str, object]] | None = None,
) -> RunSummary:
    """Everything ``finsam reports`` does: plan, run (skipping unchanged pages unless
    ``force``), write the index. ``extra``: validated notebook parameters (see :func:`plan`)."""
    if executor not in ("process", "dask"):
        raise ValueError(f"unknown executor {executor!r}; valid: process, dask")
    if executor == "dask" and not scheduler:
        raise ValueError("--executor dask needs --scheduler ADDRESS (e.g. tcp://host:8786)")
    when = generation_time(None)
    jobs = plan(
        county=county,
        association=association,
        year=year,
        data_dir=data_dir,
        threshold=threshold,
        generated_at=when,
        extra=extra,
    )
    how = {"progress": progress, "generated_at": when, "incremental": True, "force": force}
    if executor == "process":
        return run(jobs, out, workers=workers, **how)
    cluster, close = dask_executor(str(scheduler))
    try:
        return run(jobs, out, executor=cluster, **how)
    finally:
        close()


def summary_json(summary: RunSummary) -> str:
    """A machine-readable summary (for CI logs and the benchmark)."""
    return json.dumps(
        {
            "written": [str(p) for p in summary.written],
            "skipped": [str(p) for p in summary.skipped],
            "failed": [{"report": r.job.name, "error": r.error} for r in summary.failed],
            "index": str(summary.index) if summary.index else None,
            "seconds": round(summary.seconds, 2),
        },
        ensure_ascii=False,
        indent=2,
    )
