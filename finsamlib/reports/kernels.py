"""Kernels for the report runner, started over the IPC transport.

With the default TCP transport, jupyter_client picks five free ports by binding and releasing
them, and the kernel binds them a moment later; kernels started in parallel can take each other's
ports in between and fail with ``ZMQError: Address already in use`` (nteract/papermill#511).
Over IPC the channels are Unix sockets named after a path; every kernel gets its own private
folder for them, so no two kernels can ever collide, and the sockets vanish with the folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum, default

#: Unix socket paths are limited to about 107 bytes; keep the per-kernel folders short.
_SOCKET_ROOT = "/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir()


class IPCKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernel talks over Unix sockets in a private folder.

    The kernel is ipykernel in the runner's own interpreter (``sys.executable``), whatever
    kernelspecs are installed, so a report always runs against the finsamlib that runs it.
    """

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

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
