"""``disputeflow serve`` for real: a waitress server on 127.0.0.1 in a child process."""

from __future__ import annotations

import os
import pty
import re
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from disputeflow.core.plugins import get_plugin_manager
from disputeflow.engine.config import Settings
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import tokens


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> requests.Response:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early ({process.returncode})")
        try:
            return requests.get(url, timeout=1)
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {seconds}s")


def _read_all(fd: int) -> str:
    chunks = []
    while select.select([fd], [], [], 0.5)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


def _serve(home: Path, port: int, stdout: int) -> subprocess.Popen:
    env = {**os.environ, "DISPUTEFLOW_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    env.pop("DISPUTEFLOW_DATABASE_URL", None)
    command = [sys.executable, "-m", "disputeflow", "serve", "--port", str(port)]
    return subprocess.Popen(command, env=env, stdout=stdout, stderr=subprocess.STDOUT)


def test_serve_on_a_fresh_home_prints_a_working_admin_token(tmp_path: Path):
    port = _free_port()
    home = tmp_path / "home"
    terminal, child_side = pty.openpty()  # the token is shown on a terminal only
    process = _serve(home, port, child_side)
    os.close(child_side)
    try:
        response = _wait_for(f"http://127.0.0.1:{port}/healthz", process)
        assert response.status_code == 200
        assert response.json()["database"] == "sqlite"
        assert response.json()["schema_current"] is True
        assert response.headers["Server"] == "disputeflow"
    finally:
        output = _read_all(terminal)
        process.terminate()
        process.wait(timeout=10)
        os.close(terminal)
    token = re.search(r"\b(dft_[A-Za-z0-9_-]{40,})\b", output)
    assert token, output
    assert f"http://127.0.0.1:{port}" in output
    runtime = Runtime.create(Settings.from_env(home=home), plugins=get_plugin_manager())
    try:
        with runtime.database.session() as session:
            assert tokens.authenticate(session, token.group(1)).role == "admin"
    finally:
        runtime.close()


def test_without_a_terminal_no_token_is_made_or_printed(tmp_path: Path):
    """Output that is not a terminal may be a log file or a journal: no secret goes there."""
    port = _free_port()
    home = tmp_path / "home"
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = _serve(home, port, sink.fileno())
        try:
            assert _wait_for(f"http://127.0.0.1:{port}/healthz", process).status_code == 200
        finally:
            process.terminate()
            process.wait(timeout=10)
    written = log.read_text()
    assert "dft_" not in written
    assert "disputeflow tokens create --name admin --role admin" in written
    runtime = Runtime.create(Settings.from_env(home=home), plugins=get_plugin_manager())
    try:
        with runtime.database.session() as session:
            assert tokens.count_active(session) == 0  # nobody could know it: none was made
    finally:
        runtime.close()


def test_a_busy_port_is_one_line_and_nothing_is_created(tmp_path: Path):
    """Bound first: no store, no secret key, no token printed above a traceback (issue 21)."""
    home = tmp_path / "home"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        terminal, child_side = pty.openpty()  # where a token would be shown
        process = _serve(home, port, child_side)
        os.close(child_side)
        try:
            code = process.wait(timeout=30)
        finally:
            output = _read_all(terminal)
            os.close(terminal)
    assert code == 1
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines == [
        f"Error: cannot serve on 127.0.0.1:{port}: the port is already in use; stop what "
        "uses it or choose another with --port (DISPUTEFLOW_PORT, or `make run PORT=...`)"
    ], output
    assert "dft_" not in output
    assert not home.exists()


def test_urls_follow_the_port_served(tmp_path: Path):
    """DISPUTEFLOW_PORT picks the port; serve says which public URL it uses; a command run
    in another terminal (no port in its environment) prints URLs on that port."""
    port = _free_port()
    home = tmp_path / "home"
    log = tmp_path / "serve.log"
    env = {**os.environ, "DISPUTEFLOW_HOME": str(home), "PYTHONUNBUFFERED": "1",
           "DISPUTEFLOW_PORT": str(port)}  # fmt: skip
    for name in ("DISPUTEFLOW_DATABASE_URL", "DISPUTEFLOW_PUBLIC_URL", "DISPUTEFLOW_HOST"):
        env.pop(name, None)
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "disputeflow", "serve"], env=env,
                                   stdout=sink, stderr=subprocess.STDOUT)  # fmt: skip
        try:
            assert _wait_for(f"http://127.0.0.1:{port}/healthz", process).status_code == 200
        finally:
            process.terminate()
            process.wait(timeout=10)
    written = log.read_text()
    assert f"public URL: http://127.0.0.1:{port} (from the address served)" in written
    beside = {k: v for k, v in env.items() if k != "DISPUTEFLOW_PORT"}
    link = subprocess.run(
        [sys.executable, "-m", "disputeflow", "connections", "install-link", "shopify",
         "--shop", "acme.myshopify.com"],
        env=beside, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert link.stdout.startswith(f"http://127.0.0.1:{port}/install/shopify?shop=acme")
