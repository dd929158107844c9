"""The reports in a real browser: headless Chromium driven over the DevTools protocol.

Chromium talks DevTools over a pair of pipes (``--remote-debugging-pipe``: it reads commands on
fd 3 and writes replies and events on fd 4, each JSON message ended by a NUL byte), so the test
needs no network port and no extra package. It opens ``index.html``, follows every link in it,
and on every page checks that each image decodes (``naturalWidth > 0``), that nothing was logged
as an error, that no request left the file system, and saves a screenshot under
``_screenshots/`` of the reports folder.

Skipped only where no chromium binary exists, and never in CI (``CI=true``): there it fails.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from finsamlib.reports import paths
from tests.reports_fixtures import rendered

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")


def chromium_binary() -> str | None:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    binary = chromium_binary()
    if binary is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("no chromium binary in CI: .ci/run must install Debian's chromium")
        pytest.skip("no chromium binary on this machine (apt-get install chromium)")
    b = DevTools(binary, tmp_path_factory.mktemp("chromium-profile"))
    yield b
    b.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    return rendered(tmp_path_factory)


class DevTools:
    """A headless Chromium and a minimal DevTools-protocol client over its pipes."""

    def __init__(self, binary: str, profile: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def child_fds() -> None:  # runs in the child before exec: its fds 3 and 4
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-default-apps",
                "--no-first-run",
                "--no-default-browser-check",
                "--mute-audio",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "--window-size=1200,900",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=child_fds,
            close_fds=False,  # fds 3 and 4 are made by child_fds after the fork
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)

    # ---------------------------------------------------------------- protocol
    def _send(self, message: dict) -> None:
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")

    def _receive(self, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self._from_chrome], [], [], left)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed its DevTools pipe")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(
        self, method: str, params: dict | None = None, session: bool = False, timeout: float = 60
    ) -> dict:
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        self._send(msg)
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline - time.monotonic())
            if reply is None:
                raise TimeoutError(f"no reply to {method}")
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, timeout: float = 60) -> dict:
        for i, e in enumerate(self.events):
            if e.get("method") == method:
                return self.events.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            e = self._receive(deadline - time.monotonic())
            if e is None:
                raise TimeoutError(f"no {method} event")
            if e.get("method") == method:
                return e
            self.events.append(e)

    # ---------------------------------------------------------------- pages
    def open(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", {"url": url}, session=True)
        self.wait_event("Page.loadEventFired")

    def evaluate(self, expression: str):
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=True,
        )
        return result["result"].get("value")

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and failed loads since the page was opened."""
        self.call("Runtime.evaluate", {"expression": "0"}, session=True)  # flush events
        found = []
        for e in self.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                found.append(f"console: {p.get('args')}")
            elif m == "Runtime.exceptionThrown":
                found.append(f"exception: {p.get('exceptionDetails', {}).get('text')}")
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                found.append(f"log: {p['entry'].get('text')} {p['entry'].get('url', '')}")
            elif m == "Network.loadingFailed":
                found.append(f"load failed: {p.get('errorText')}")
        return found

    def requests(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def screenshot(self, target: Path) -> Path:
        height = int(self.evaluate("document.documentElement.scrollHeight") or 900)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1200, "height": min(height, 16000), "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )
        data = self.call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        self.call("Emulation.clearDeviceMetricsOverride", session=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(data))
        return target

    def close(self) -> None:
        try:
            self._send({"id": 0, "method": "Browser.close"})
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
        finally:
            os.close(self._to_chrome)
            os.close(self._from_chrome)


IMAGES = """Promise.all(Array.from(document.images).map(img => img.decode().then(
    () => [img.src.slice(0, 22), img.naturalWidth, img.naturalHeight],
    () => [img.src.slice(0, 22), 0, 0])))"""
LINKS = "Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"


def check_page(browser: DevTools, url: str) -> dict:
    browser.open(url)
    images = browser.evaluate(IMAGES)
    assert all(w > 0 and h > 0 for _, w, h in images), (url, images)
    assert browser.errors() == [], (url, browser.errors())
    outside = [u for u in browser.requests() if not u.startswith(("file://", "data:"))]
    assert outside == [], (url, outside)
    return {
        "images": images,
        "title": browser.evaluate("document.title"),
        "lang": browser.evaluate("document.documentElement.lang"),
    }


@pytest.mark.browser
def test_index_and_every_linked_page_in_chromium(browser, reports):
    index = (reports.out / paths.INDEX).resolve()
    info = check_page(browser, index.as_uri())
    assert info["lang"] == "sv" and info["title"] == "Rapporter för samordningsförbund"
    links = browser.evaluate(LINKS)
    pages = sorted({u.split("#")[0] for u in links})
    expected = {
        p.resolve().as_uri()
        for p in reports.out.rglob("*.html")
        if p != index and not p.name.startswith(".")
    }
    assert set(pages) == expected
    shots = reports.out / paths.SCREENSHOT_DIR
    browser.screenshot(shots / "index.png")
    for url in pages:
        info = check_page(browser, url)
        assert info["lang"] == "sv"
        if url.endswith(("/index.html",)):
            assert "översikt" in info["title"]
            assert len(info["images"]) >= 1
        else:
            assert "uppföljning" in info["title"]
            assert len(info["images"]) >= 5
    # one association report, the whole page, for a person to look at
    report = next(u for u in pages if not u.endswith("/index.html"))
    browser.open(report)
    shot = browser.screenshot(shots / "report.png")
    assert shot.stat().st_size > 50_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
