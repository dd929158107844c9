"""Warm kernels: fork each report's kernel from a process that has already imported everything.

Starting an ipykernel and importing pandas, matplotlib, scipy, statsmodels and finsamlib costs
about two seconds of CPU per report, more than most reports spend computing. A *zygote* is a
small server process that imports those modules once and then, on request, ``fork()``\\ s a
child that becomes the kernel (``IPKernelApp`` on the given connection file). Every report still
gets a fresh kernel process of its own — nothing a notebook does can leak into the next one — but
the imports are already in memory (copy-on-write), so a kernel is ready in a fraction of the time.

The zygote never creates a zmq context, thread or event loop before forking (those belong to the
child), ignores SIGCHLD so the kernels it forks are reaped by the system, and exits when the
worker that started it closes its stdin. :class:`ForkingKernelManager` is the kernel manager that
launches through it; where ``fork`` is unavailable the plain :class:`IPCKernelManager` is used.

Protocol (one JSON object per line): the worker sends ``{"argv": [...], "env": {...}, "cwd":
"..."}``, the zygote answers ``{"pid": N}`` (or ``{"error": "..."}``).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

#: Modules a report kernel needs; imported once in the zygote, before any fork.
PRELOAD: tuple[str, ...] = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "IPython.core.interactiveshell",
    "matplotlib.pyplot",
    "finsamlib.reports.sections",
)
#: Environment of the zygote: one BLAS thread (workers already run in parallel, and BLAS
#: thread pools do not survive a fork).
ZYGOTE_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


# --------------------------------------------------------------------------- the zygote process


def _child(request: dict) -> None:
    """In the forked child: become the kernel."""
    os.setsid()  # own process group, so interrupts and kills reach the kernel only
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    os.environ.clear()
    os.environ.update(request.get("env") or {})
    os.chdir(request.get("cwd") or os.getcwd())
    argv = list(request["argv"])
    # argv is [python, -m, ipykernel_launcher, -f, FILE, ...]: IPKernelApp gets what follows
    args = argv[argv.index("ipykernel_launcher") + 1 :] if "ipykernel_launcher" in argv else argv
    # exit with the zygote (ipykernel polls its parent; the parent is the zygote, not the worker)
    args.append(f"--IPKernelApp.parent_handle={os.getppid()}")
    from ipykernel.kernelapp import IPKernelApp

    IPKernelApp.launch_instance(argv=args)


def serve(preload: Sequence[str] = PRELOAD) -> None:
    """Run the zygote: import ``preload``, then fork one kernel per request on stdin."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the system
    for name in preload:
        importlib.import_module(name)
    stdin = sys.stdin.buffer
    out = sys.stdout.buffer
    out.write(b'{"ready": true}\n')
    out.flush()
    for line in stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            pid = os.fork()
        except Exception as exc:
            out.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode() + b"\n")
            out.flush()
            continue
        if pid == 0:
            code = 0
            try:
                _child(request)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 0
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        out.write(json.dumps({"pid": pid}).encode() + b"\n")
        out.flush()


# --------------------------------------------------------------------------- the worker side


class Zygote:
    """A zygote process started by (and private to) the current process."""

    def __init__(self, preload: Sequence[str] = PRELOAD) -> None:
        env = {**os.environ, **ZYGOTE_ENV}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from finsamlib.reports.zygote import serve; serve()"]
            if tuple(preload) == PRELOAD
            else [
                sys.executable,
                "-c",
                f"from finsamlib.reports.zygote import serve; serve({list(preload)!r})",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        self.lock = threading.Lock()
        ready = self.proc.stdout.readline()  # type: ignore[union-attr]
        if not ready:
            raise RuntimeError("the kernel zygote did not start")
        atexit.register(self.close)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def spawn(self, argv: Sequence[str], env: dict[str, str], cwd: str) -> int:
        """Fork a kernel; its pid."""
        request = json.dumps({"argv": list(argv), "env": env, "cwd": cwd}).encode() + b"\n"
        with self.lock:
            assert self.proc.stdin is not None and self.proc.stdout is not None
            self.proc.stdin.write(request)
            self.proc.stdin.flush()
            reply = self.proc.stdout.readline()
        if not reply:
            raise RuntimeError("the kernel zygote exited")
        answer = json.loads(reply)
        if "error" in answer:
            raise RuntimeError(f"the kernel zygote could not fork: {answer['error']}")
        return int(answer["pid"])

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()  # type: ignore[union-attr]
                self.proc.wait(timeout=5)
            except Exception:
                self.proc.kill()


_zygote: Zygote | None = None
_zygote_lock = threading.Lock()


def zygote() -> Zygote:
    """This process's zygote (started on first use, restarted if it died)."""
    global _zygote
    with _zygote_lock:
        if _zygote is None or not _zygote.alive():
            _zygote = Zygote()
        return _zygote


class ForkedProcess:
    """Enough of ``subprocess.Popen`` for jupyter_client's provisioner, for a forked kernel.

    The kernel is the zygote's child, not ours: it is reaped there, so "gone" means exited.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
            except PermissionError:  # pragma: no cover - pid reused by another user
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.02)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)
        # the zygote reaps it at once; wait briefly so the caller's next poll sees it gone
        # (jupyter_client polls every 0.1 s)
        deadline = time.monotonic() + 0.2
        while self.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)


def fork_available() -> bool:
    """Whether kernels can be forked here (POSIX, and not switched off by FINSAM_KERNEL)."""
    return hasattr(os, "fork") and os.environ.get("FINSAM_KERNEL", "fork") != "plain"
