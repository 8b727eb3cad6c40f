"""Headless Debian Chromium for the workspace's browser tests, and a fake platform API.

Browser tests skip (saying why) only when Chromium or ChromeDriver is missing. Set
``DISPUTEFLOW_SCREENSHOTS=docs/images`` to keep the screenshots they take for the docs.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SCREENSHOTS_ENV = "DISPUTEFLOW_SCREENSHOTS"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)


def chromium(width: int = 1280, height: int = 900) -> Any:
    """A headless Chromium driven through Debian's ChromeDriver, with a fresh profile."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip(
            "browser tests need Debian's chromium and chromedriver (apt-get install "
            "chromium chromium-driver; .ci/run does)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        *FLAGS,
        f"--user-data-dir={tempfile.mkdtemp(prefix='df-chromium-')}",
        f"--window-size={width},{height}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    return driver


def screenshot(driver: Any, name: str, *, full_page: bool = False) -> bytes:
    """A PNG of the page (kept in ``$DISPUTEFLOW_SCREENSHOTS/<name>.png`` when set)."""
    if full_page:
        driver.execute_script("window.scrollTo(0, 0)")
        height = driver.execute_script("return document.documentElement.scrollHeight")
        width = driver.execute_script("return window.innerWidth")
        driver.set_window_size(width, min(int(height) + 40, 6000))
    png: bytes = driver.get_screenshot_as_png()
    assert png.startswith(b"\x89PNG"), "a screenshot is a PNG"
    folder = os.environ.get(SCREENSHOTS_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{name}.png").write_bytes(png)
    return png


class FakePlatform:
    """The fake marketplace's API on 127.0.0.1: empty pages of changes, and actions that
    succeed (one record per Idempotency-Key), each remembered in ``calls``."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._answer({"items": [], "next_cursor": None, "has_more": False})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                key = self.headers.get("Idempotency-Key")
                platform.calls.append({"path": self.path, "key": key, "body": body})
                self._answer(
                    {
                        "id": f"{body.get('type')}-{len(platform.calls)}",
                        "message": f"{body.get('type')} done",
                    }
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakePlatform:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
