"""Kernels for the report runner, started over the IPC transport.

With the default TCP transport, jupyter_client picks five free ports by binding and releasing
them, and the kernel binds them a moment later; kernels started in parallel can take each other's
ports in between and fail with ``ZMQError: Address already in use`` (nteract/papermill#511).
Over IPC the channels are Unix sockets named after a path; every kernel gets its own private
folder for them, so no two kernels can ever collide, and the sockets vanish with the folder.

:class:`ForkingKernelManager` also starts the kernel by forking it from a warm zygote process
(:mod:`finsamlib.reports.zygote`) instead of launching a new interpreter; :func:`manager_class`
picks it where ``fork`` exists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum, DottedObjectName, Type, default

#: Unix socket paths are limited to about 107 bytes; keep the per-kernel folders short.
_SOCKET_ROOT = "/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir()


class ReportKernelClient(AsyncKernelClient):
    """The kernel client of a report: waits for the kernel without a fixed pause.

    jupyter_client's ``wait_for_ready`` ends by draining IOPub until 0.2 s pass without a
    message; a report kernel is fresh and nbclient ignores IOPub messages that are not replies
    to its own requests, so a short drain does and a second per five reports is saved.
    """

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        import asyncio
        import time
        from queue import Empty

        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=0.5)
            except Empty:
                msg = None
            if msg is not None and msg["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)  # IOPub is connected
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(msg)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
            await asyncio.sleep(0)
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0.01)
            except Empty:
                break

    wait_for_ready = _async_wait_for_ready


class IPCKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernel talks over Unix sockets in a private folder.

    The kernel is ipykernel in the runner's own interpreter (``sys.executable``), whatever
    kernelspecs are installed, so a report always runs against the finsamlib that runs it.
    """

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)
    client_class = DottedObjectName("finsamlib.reports.kernels.ReportKernelClient")
    client_factory = Type(klass=AsyncKernelClient, default_value=ReportKernelClient)

    @default("ip")
    def _ip_default(self) -> str:
        folder = tempfile.mkdtemp(prefix="fsk-", dir=_SOCKET_ROOT)
        self._ipc_folder = folder
        return os.path.join(folder, "k")

    @property
    def kernel_spec(self) -> KernelSpec:
        if self._kernel_spec is None:
            self._kernel_spec = KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name="Python 3 (finsam)",
                language="python",
                metadata={"debugger": False},
            )
        return self._kernel_spec

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: object) -> None:
        # The kernel's own console output (e.g. a KeyboardInterrupt logged while it shuts down)
        # is noise on the runner's terminal; what a notebook prints goes to its outputs anyway.
        kw.setdefault("stdout", subprocess.DEVNULL)
        kw.setdefault("stderr", subprocess.DEVNULL)
        await super()._async_launch_kernel(kernel_cmd, **kw)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self._remove_folder()

    cleanup_resources = _async_cleanup_resources  # as AsyncKernelManager aliases it

    def _remove_folder(self) -> None:
        folder = getattr(self, "_ipc_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


class ForkingKernelManager(IPCKernelManager):
    """An IPC kernel forked from this process's zygote, whose imports are already done."""

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: object) -> None:
        from . import zygote

        env = dict(kw.get("env") or os.environ)  # type: ignore[call-overload]
        cwd = str(kw.get("cwd") or os.getcwd())
        pid = zygote.spawn(zygote.address(), kernel_cmd, env, cwd)
        prov = self.provisioner
        assert prov is not None
        prov.process = zygote.ForkedProcess(pid)  # type: ignore[attr-defined]
        prov.pid = pid  # type: ignore[attr-defined]
        prov.pgid = pid  # type: ignore[attr-defined]  # the child called setsid()
        prov.cwd = cwd  # type: ignore[attr-defined]
        self._reconcile_connection_info(prov.connection_info)  # type: ignore[attr-defined]

    async def _async_kill_kernel(self, restart: bool = False) -> None:
        # as jupyter_client's, but polls every few ms instead of every 0.1 s: the zygote reaps
        # a killed kernel at once, and this wait is on every report's critical path
        import asyncio
        import time

        if not self.has_kernel:
            return
        prov = self.provisioner
        assert prov is not None
        await prov.kill(restart=restart)
        deadline = time.monotonic() + 5.0
        while await prov.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.003)
        if self.has_kernel:
            await prov.wait()


def manager_class() -> type[IPCKernelManager]:
    """The kernel manager the runner uses: forked kernels where possible (POSIX), else plain
    IPC kernels. ``FINSAM_KERNEL=plain`` forces plain kernels."""
    from .zygote import fork_available

    return ForkingKernelManager if fork_available() else IPCKernelManager
