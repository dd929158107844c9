"""Print report pages to PDF with the system's headless Chromium (``finsam reports --pdf``).

The page's own print stylesheet decides the paper (A4) and the page breaks; Chromium is only
the printer: ``--headless --print-to-pdf`` without header or footer, a fresh profile per page,
no network. Nothing is downloaded: the binary is Debian's ``chromium`` (or ``chromium-browser``,
``google-chrome``) on the PATH, or the one ``FINSAM_CHROMIUM`` names. Each PDF is written to a
temporary file beside the page and renamed into place, so a reader never sees half a PDF.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

#: Names of a Chromium binary, in the order they are tried.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
#: Environment variable that names the browser binary explicitly.
ENV = "FINSAM_CHROMIUM"
#: Seconds one page may take to print.
TIMEOUT = 120
#: Flags of a headless, offline Chromium that leaves nothing behind.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
    "--no-pdf-header-footer",
)


class PdfError(RuntimeError):
    """A page could not be printed (no browser, or the browser failed)."""


def chromium_binary() -> str:
    """The path of a Chromium binary, or :class:`PdfError` saying how to get one."""
    named = os.environ.get(ENV)
    if named:
        found = shutil.which(named)
        if found:
            return found
        raise PdfError(f"{ENV}={named!r} is not an executable")
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError(
        "no Chromium to print PDFs with: install Debian's chromium (apt-get install chromium) "
        f"or set {ENV} to a Chromium binary"
    )


def pdf_path(page: Path) -> Path:
    """Where the PDF of ``page`` goes: beside it, ``report.html`` → ``report.pdf``."""
    return page.with_suffix(".pdf")


def print_pdf(
    page: str | Path, target: str | Path | None = None, binary: str | None = None
) -> Path:
    """Print one HTML page to ``target`` (default: beside it) and return the PDF's path."""
    page = Path(page).resolve()
    target = Path(target) if target is not None else pdf_path(page)
    binary = binary or chromium_binary()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".pdf.tmp", dir=target.parent)
    os.close(fd)
    try:
        with tempfile.TemporaryDirectory(prefix="finsam-chromium-") as profile:
            cmd = [
                binary,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--print-to-pdf={tmp}",
                page.as_uri(),
            ]
            try:
                done = subprocess.run(
                    cmd,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    timeout=TIMEOUT,
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise PdfError(f"chromium took more than {TIMEOUT} s") from exc
        data = Path(tmp).read_bytes()[:5]
        if done.returncode != 0 or data != b"%PDF-":
            last = (done.stderr or "").strip().splitlines()[-1:] or ["no output"]
            raise PdfError(f"chromium exited with {done.returncode}: {last[0][:200]}")
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


@dataclass
class PdfSummary:
    """The PDFs of a run: written, and the pages that failed with one line each."""

    written: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def text(self) -> str:
        lines = [f"{len(self.written)} of {len(self.written) + len(self.failed)} PDFs written"]
        lines += [f"PDF FAILED {page}: {why}" for page, why in self.failed]
        return "\n".join(lines)


def print_pages(pages: Iterable[str | Path]) -> PdfSummary:
    """Print every page beside itself; a failed page is noted, the others still print. No
    browser at all fails every page with the same line."""
    summary = PdfSummary()
    pages = [Path(p) for p in pages]
    try:
        binary = chromium_binary()
    except PdfError as exc:
        summary.failed = [(p, str(exc)) for p in pages]
        return summary
    for page in pages:
        try:
            summary.written.append(print_pdf(page, binary=binary))
        except (PdfError, OSError) as exc:
            summary.failed.append((page, " ".join(str(exc).split())))
    return summary
