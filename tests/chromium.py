"""A headless Chromium for the tests, driven over the DevTools protocol.

Chromium talks DevTools over a pair of pipes (``--remote-debugging-pipe``: it reads commands on
fd 3 and writes replies and events on fd 4, each JSON message ended by a NUL byte), so the tests
need no network port and no extra package.
"""

from __future__ import annotations

import base64
import json
import os
import select
import subprocess
import time
from pathlib import Path

import pytest

from finsamlib.reports.pdf import PdfError
from finsamlib.reports.pdf import chromium_binary as _binary


def chromium_binary() -> str | None:
    """The Chromium to test with, or None."""
    try:
        return _binary()
    except PdfError:
        return None


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need(tool: str, found: str | None) -> str:
    """Skip without ``tool`` on a developer's machine; in CI (``CI=true``) fail instead."""
    if found is None:
        if in_ci():
            pytest.fail(f"no {tool} in CI: .ci/run must install it")
        pytest.skip(f"no {tool} on this machine")
    return found


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

    def viewport(self, width: int, height: int = 900, mobile: bool = False) -> None:
        """Emulate a screen ``width`` CSS px wide (a phone with ``mobile``)."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
            session=True,
        )

    def screenshot(self, target: Path, width: int = 1200, mobile: bool = False) -> Path:
        """The whole page at ``width`` as a PNG."""
        self.viewport(width, 900, mobile)
        height = int(self.evaluate("document.documentElement.scrollHeight") or 900)
        self.viewport(width, min(height, 16000), mobile)
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
