"""The runner's own process pool, and what happens when a process of the run dies or is told to.

:class:`ReportPool` is a pool of warm worker processes that fork their kernels from one zygote
(:mod:`finsamlib.reports.zygote`). Its faults:

* **A worker is killed** (SIGKILL, the OOM killer, a crash in C): ``concurrent.futures`` then
  fails every unfinished job of the pool with ``BrokenProcessPool``. Each worker notes the job it
  starts in the run's private folder, so the pool knows which job was on the worker that died
  (an exit code other than 0 and other than the SIGTERM the pool sends the survivors): that job
  fails (:class:`WorkerDied`), every other unfinished job is retried once in a fresh pool. A
  worker that died of someone else's SIGTERM looks like a survivor, so its job is retried too;
  a job that breaks the fresh pool again fails. The dead worker's kernel is ended by the zygote.
* **The run is interrupted** (Ctrl-C, or SIGTERM turned into :class:`Interrupted` by
  :func:`sigterm_interrupts`): leaving the ``with`` block on the exception kills the workers,
  stops the zygote (which kills every kernel it forked) and removes the run's socket folder;
  more SIGINT/SIGTERM meanwhile are ignored, so the cleanup is never cut short.

* **The main process is killed** (SIGKILL): nothing cleans up, so each worker
  (:func:`exit_with_parent`) and the zygote watch their parent and exit when it is gone; the
  zygote kills its kernels as it goes.

Workers ignore SIGINT (a Ctrl-C on the terminal reaches the whole process group; the main
process alone decides what to do) and are started with SIGINT and SIGTERM blocked until they
have set that up, so an early Ctrl-C never prints a worker's traceback.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

#: Rounds of a job list: the first, and one retry of the jobs a dead worker took down with it.
ROUNDS = 2
_SIGNALS = {signal.SIGINT, signal.SIGTERM}


class Interrupted(KeyboardInterrupt):
    """The run was told to stop by a signal (SIGTERM); like Ctrl-C's KeyboardInterrupt."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class WorkerDied(Exception):
    """The worker process running a job died (killed by a signal, or crashed)."""


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Interrupted` in the main thread (as SIGINT
    raises KeyboardInterrupt), so both stop a run the same way."""
    if not _in_main_thread():
        yield
        return

    received: list[int] = []

    def interrupt(signum: int, _frame: object) -> None:
        received.append(signum)
        raise Interrupted(signum)

    old = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)
    # A signal that lands in a callback Python runs for itself (an import lock's weakref
    # callback, a __del__) has its exception printed as "ignored" and the block goes on; the
    # run was still told to stop, so it ends as interrupted, not as a success.
    if received:
        raise Interrupted(received[0])


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """Ignore SIGINT and SIGTERM within the block (a cleanup that must finish)."""
    if not _in_main_thread():
        yield
        return
    old = {s: signal.signal(s, signal.SIG_IGN) for s in _SIGNALS}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


@contextlib.contextmanager
def _blocked() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while worker processes are started (they inherit the
    mask, and unblock after ignoring SIGINT); a signal that arrives meanwhile is delivered at
    the end of the block."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def worker_signals() -> None:
    """In a worker process: ignore SIGINT, then take signals again; exit with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
    exit_with_parent()


#: How often (seconds) a worker looks whether the process that started it is still there.
PARENT_CHECK_SECONDS = 0.5


def exit_with_parent(every: float = PARENT_CHECK_SECONDS) -> None:
    """End this process soon after its parent is gone. A pool's worker holds both ends of its
    task queue, so a parent that died without cleaning up (SIGKILL, or SIGTERM in a script
    without :func:`sigterm_interrupts`) left it waiting forever, and one whose job was
    starting a kernel retried against a zygote that had gone with the parent."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="finsam-exit-with-parent", daemon=True).start()


def _marked(fn: Callable[[Any], Any], item: Any, marker: str) -> Any:
    """In a worker: note this process as the one running ``item``, then run it."""
    tmp = Path(f"{marker}.tmp")
    tmp.write_text(str(os.getpid()), encoding="ascii")
    tmp.replace(marker)  # whole, for whoever reads it
    return fn(item)


def _how(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        return f"killed by {signal.Signals(-exitcode).name}"
    return f"exit code {exitcode}"


class ReportPool:
    """Warm worker processes and their zygote for one run; use as a context manager.

    ``make_executor(n, zygote_address, socket_root)`` makes the process pool of one round.
    """

    def __init__(
        self,
        workers: int,
        make_executor: Callable[[int, str | None, str], ProcessPoolExecutor],
        warm: Iterable[str] = (),
    ) -> None:
        self.workers = max(1, workers)
        self.make_executor = make_executor
        self.warm = list(warm)
        self.retried: list[Any] = []  # items run again after a worker died
        self.folder: Path | None = None
        self._zygote = None
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> ReportPool:
        from . import kernels, zygote

        self.folder = Path(tempfile.mkdtemp(prefix="fsr-", dir=kernels._SOCKET_ROOT))
        try:
            (self.folder / "started").mkdir()
            if zygote.fork_available():
                # one warm kernel parent for every worker, started first: its imports overlap
                # the workers' start-up
                self._zygote = zygote.Zygote(warm=self.warm)
            self._start_workers()
        except BaseException as exc:  # e.g. Ctrl-C now: __exit__ would not run
            self.__exit__(type(exc), exc, None)
            raise
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        with shielded():
            if exc_type is not None:
                self._kill_workers()
            self._shutdown()
            if self._zygote is not None:
                self._zygote.close()
            if self.folder is not None:
                shutil.rmtree(self.folder, ignore_errors=True)

    def _start_workers(self) -> None:
        """Start every worker now, so that their imports overlap whatever the caller does
        before :meth:`results` (the runner computes the run's suppression pattern): a spawn
        pool starts a process only for a task that finds none idle, so one no-op each."""
        address = self._zygote.address if self._zygote is not None else None
        self._executor = self.make_executor(self.workers, address, str(self.folder))
        with _blocked():
            for _ in range(self.workers):
                self._executor.submit(os.getpid)

    def share_parsed(self) -> None:
        """Share the datasets this process parsed with the zygote (see
        :meth:`~finsamlib.reports.zygote.Zygote.share_parsed`), if there is one."""
        if self._zygote is not None:
            self._zygote.share_parsed()

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        """``fn`` over ``items`` on the workers, in order (the runner's suppression pattern
        shares its audit with them while they would otherwise wait); in this process if the
        workers are not started or one died (a fresh pool then runs the reports)."""
        items = list(items)
        if self._executor is not None:
            try:
                return list(self._executor.map(fn, items))
            except BrokenProcessPool:
                self._shutdown()
        return [fn(item) for item in items]

    def _kill_workers(self) -> None:
        if self._executor is None:
            return
        for proc in list((self._executor._processes or {}).values()):
            with contextlib.suppress(Exception):
                proc.kill()

    def _shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def _marker(self, round_: int, i: int) -> Path:
        assert self.folder is not None
        return self.folder / "started" / f"{round_}-{i}"

    def _started_by(self, round_: int, i: int) -> int | None:
        try:
            return int(self._marker(round_, i).read_text(encoding="ascii"))
        except (OSError, ValueError):
            return None  # never started

    def results(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """Run ``fn`` on every item; (item, what it returned) as each finishes, or (item, the
        exception): :class:`WorkerDied` for the job of a worker that died."""
        assert self.folder is not None, "use ReportPool as a context manager"
        address = self._zygote.address if self._zygote is not None else None
        todo = list(items)
        for round_ in range(ROUNDS):
            if not todo:
                return
            if round_ > 0 or self._executor is None:  # round 0: the workers started early
                self._executor = self.make_executor(
                    min(self.workers, len(todo)), address, str(self.folder)
                )
            with _blocked():
                futures = {
                    self._executor.submit(_marked, fn, item, str(self._marker(round_, i))): (
                        i,
                        item,
                    )
                    for i, item in enumerate(todo)
                }
            processes = dict(self._executor._processes or {})
            broken = []
            for fut in as_completed(futures):
                i, item = futures[fut]
                try:
                    value = fut.result()
                except BrokenProcessPool:
                    broken.append((i, item))
                    continue
                except Exception as exc:
                    value = exc
                yield item, value
            self._shutdown()  # joins the workers: their exit codes are final
            dead = {
                pid: p.exitcode
                for pid, p in processes.items()
                if p.exitcode not in (None, 0, -signal.SIGTERM)
            }
            todo = []
            for i, item in broken:
                pid = self._started_by(round_, i)
                if pid in dead:
                    yield item, WorkerDied(f"its worker process was {_how(dead[pid])}")
                elif round_ == ROUNDS - 1:
                    yield item, WorkerDied("a worker process died again in the retry")
                else:
                    todo.append(item)
            self.retried.extend(todo)
