"""The reports folder (``--out``) before a run: it must be creatable, writable and have room.

:func:`check` runs before any kernel starts, so a folder that cannot take the pages fails the
run at once with one line (:class:`OutputFolderError`) instead of failing every report after
its notebook ran. Folders it created for a check that then fails are removed again.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

#: The least free space (MiB) on the reports folder's file system to start a run: a report page
#: with its figures is a few hundred kB, the failed notebooks of a county a few MB.
MIN_FREE_MB = 50


class OutputFolderError(Exception):
    """The reports folder cannot take the pages (one line, for the user)."""


def _created_by_mkdir(out: Path) -> list[Path]:
    """Make ``out`` and its missing parents; the folders made, innermost first."""
    missing = []
    p = out.absolute()
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    out.mkdir(parents=True, exist_ok=True)
    return missing


def check(out: str | Path, min_free_mb: float = MIN_FREE_MB) -> Path:
    """Make ``out`` if needed and check that a file can be written in it and that it has at
    least ``min_free_mb`` MiB free; ``out``. Raises OutputFolderError with one line."""
    out = Path(out)
    try:
        made = _created_by_mkdir(out)
    except OSError as exc:
        raise OutputFolderError(
            f"cannot create the reports folder {out}: {exc.strerror or exc}"
        ) from None
    try:
        try:
            fd, probe = tempfile.mkstemp(prefix=".finsam-probe-", dir=out)
        except OSError as exc:
            raise OutputFolderError(
                f"cannot write in the reports folder {out}: {exc.strerror or exc}"
            ) from None
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(b"finsam\n")
        except OSError as exc:
            raise OutputFolderError(
                f"cannot write in the reports folder {out}: {exc.strerror or exc}"
            ) from None
        finally:
            Path(probe).unlink(missing_ok=True)
        free = shutil.disk_usage(out).free
        if free < min_free_mb * 2**20:
            raise OutputFolderError(
                f"only {free / 2**20:.1f} MiB free for the reports folder {out}; a run needs at "
                f"least {min_free_mb:g} MiB"
            )
    except OutputFolderError:
        for folder in made:
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    return out
