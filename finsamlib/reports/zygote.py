"""Warm kernels: fork each report's kernel from a process that has already imported everything.

Starting an ipykernel and importing pandas, matplotlib, scipy, statsmodels and finsamlib costs
about two seconds of CPU per report, more than most reports spend computing. A *zygote* is a
small server process that imports those modules once and then, on request, ``fork()``\\ s a
child that becomes the kernel (``IPKernelApp`` on the given connection file). Every report still
gets a fresh kernel process of its own — nothing a notebook does can leak into the next one — but
the imports are already in memory (copy-on-write), so a kernel is ready in a fraction of the time.

The zygote never creates a zmq context, thread or event loop before forking (those belong to the
child), ignores SIGCHLD so the kernels it forks are reaped by the system, and exits with the
process that started it. It remembers which worker asked for each kernel: a kernel whose worker
is gone (killed mid-report) is killed within a second, and on SIGTERM or exit the zygote kills
every kernel it forked, so stopping the zygote ends every kernel of the run. The runner starts
one zygote per run, before its worker processes, and every worker asks it for kernels over a
Unix socket (one JSON line each way: ``{"argv": [...], "env": {...}, "cwd": "...", "owner":
PID}`` → ``{"pid": N}`` or ``{"error": "..."}``); a process that was not
given one (a dask worker) starts its own. :class:`~finsamlib.reports.kernels.ForkingKernelManager`
launches through it; where ``fork`` is unavailable the plain
:class:`~finsamlib.reports.kernels.IPCKernelManager` is used.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence

from . import kernels

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
#: Names the file where the runner may share the datasets it parsed
#: (:func:`~finsamlib.reports.inputs.share_parsed`) before the zygote warms up.
PARSED_ENV = "FINSAM_ZYGOTE_PARSED"


# --------------------------------------------------------------------------- the zygote process


def _child(request: dict) -> None:
    """In the forked child: become the kernel."""
    os.setsid()  # own process group, so interrupts and kills reach the kernel only
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
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


def _fork_kernel(request: dict) -> int:
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            _child(request)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    return pid


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - pid reused by another user
        return False
    return True


def _kill_kernel(pid: int) -> None:
    """Kill a forked kernel and whatever it started (its own process group)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)  # it had not called setsid() yet


def _tend(forked: dict[int, int]) -> None:
    """Forget kernels that exited; kill those whose worker (owner) is gone."""
    for pid, owner in list(forked.items()):
        if not _alive(pid):
            del forked[pid]
        elif owner and not _alive(owner):
            _kill_kernel(pid)
            del forked[pid]


def serve(address: str, preload: Sequence[str] = PRELOAD, warm: Sequence[str] = ()) -> None:
    """Run the zygote: listen on the Unix socket ``address``, import ``preload``, parse the
    data folders ``warm`` ("" for the embedded data; taking first what the runner parsed
    already, if it has shared it by then: :data:`PARSED_ENV`), then fork one kernel per
    request. Exits when its parent process goes away or on SIGTERM, killing every kernel it
    forked."""
    import socket

    parent = os.getppid()
    me = os.getpid()
    forked: dict[int, int] = {}  # kernel pid -> pid of the worker that asked for it

    def stop(_signum: int, _frame: object) -> None:
        if os.getpid() == me:  # not in a just-forked child that has not reset it yet
            for pid in forked:
                _kill_kernel(pid)
            os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the system
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(address)  # bind first: requests queue while the imports run
    server.listen(128)
    for name in preload:
        importlib.import_module(name)
    if warm:
        from .inputs import take_parsed
        from .inputs import warm as warm_folder

        if os.environ.get(PARSED_ENV):
            take_parsed(os.environ[PARSED_ENV])

        for folder in warm:
            with contextlib.suppress(Exception):  # a broken folder fails its reports, not us
                warm_folder(folder or None)
    server.settimeout(1.0)
    try:
        while os.getppid() == parent:
            _tend(forked)
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(30)
                try:
                    request = json.loads(_read_line(conn))
                    if request.get("quit"):
                        break
                    pid = _fork_kernel(request)
                    forked[pid] = int(request.get("owner") or 0)
                    answer = {"pid": pid}
                except Exception as exc:
                    answer = {"error": f"{type(exc).__name__}: {exc}"}
                with contextlib.suppress(OSError):
                    conn.sendall(json.dumps(answer).encode() + b"\n")
    finally:
        for pid in forked:
            _kill_kernel(pid)


def _read_line(conn) -> bytes:
    chunks = []
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
        if chunk.endswith(b"\n"):
            break
    return b"".join(chunks)


# --------------------------------------------------------------------------- the worker side


class Zygote:
    """A zygote process, started by the current process and stopped with it (or by close())."""

    def __init__(self, preload: Sequence[str] = PRELOAD, warm: Sequence[str] = ()) -> None:
        self.folder = tempfile.mkdtemp(prefix="fsz-", dir=kernels._SOCKET_ROOT)
        self.address = os.path.join(self.folder, "z.sock")
        #: where :meth:`share_parsed` writes what this process parsed, for the zygote's warm-up
        self.parsed = os.path.join(self.folder, "parsed.pickle")
        env = {**os.environ, **ZYGOTE_ENV, PARSED_ENV: self.parsed}
        code = (
            "import sys; from finsamlib.reports.zygote import serve; "
            "i = sys.argv.index('--warm'); serve(sys.argv[1], sys.argv[2:i], sys.argv[i + 1:])"
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, self.address, *preload, "--warm", *warm],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        atexit.register(self.close)

    def share_parsed(self) -> None:
        """Share the datasets this process has parsed with the zygote, if it has not warmed up
        yet (it then parses only the others); a failure only costs it the parsing."""
        from .inputs import share_parsed

        with contextlib.suppress(Exception):  # only an optimisation: never fails the run
            share_parsed(self.parsed)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        """Stop the zygote (kernels it forked exit with it) and remove its socket."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


def spawn(
    address: str, argv: Sequence[str], env: dict[str, str], cwd: str, timeout: float = 120.0
) -> int:
    """Ask the zygote at ``address`` to fork a kernel; its pid."""
    import socket

    payload = {"argv": list(argv), "env": env, "cwd": cwd, "owner": os.getpid()}
    request = json.dumps(payload).encode() + b"\n"
    deadline = time.monotonic() + timeout
    while True:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.connect(address)
            break
        except (FileNotFoundError, ConnectionRefusedError):
            conn.close()
            if time.monotonic() > deadline:
                raise RuntimeError(f"no kernel zygote listening at {address}") from None
            time.sleep(0.02)  # the zygote is still starting
    with conn:
        conn.settimeout(timeout)
        conn.sendall(request)
        reply = _read_line(conn)
    if not reply:
        raise RuntimeError("the kernel zygote closed the connection (did it exit?)")
    answer = json.loads(reply)
    if "error" in answer:
        raise RuntimeError(f"the kernel zygote could not fork: {answer['error']}")
    return int(answer["pid"])


#: The zygote this process uses: an address given by the runner (one zygote shared by every
#: worker of a run), else a private one started on first use.
_address: str | None = None
_private: Zygote | None = None
_lock = threading.Lock()


def use(address: str | None) -> None:
    """Use the zygote at ``address`` (set in each worker by the runner); None: a private one."""
    global _address
    _address = address


def address() -> str:
    """The address of the zygote this process forks its kernels from."""
    global _private
    if _address is not None:
        return _address
    with _lock:
        if _private is None or not _private.alive():
            _private = Zygote()
        return _private.address


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
