"""``disputeflow serve`` for real: a waitress server on 127.0.0.1 in a child process."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from disputeflow.core.config import Settings
from disputeflow.core.plugins import get_plugin_manager
from disputeflow.core.runtime import Runtime
from disputeflow.core.store import tokens


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> requests.Response:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early: {process.stdout.read()}")
        try:
            return requests.get(url, timeout=1)
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {seconds}s")


def test_serve_on_a_fresh_home_prints_a_working_admin_token(tmp_path: Path):
    port = _free_port()
    home = tmp_path / "home"
    env = {**os.environ, "DISPUTEFLOW_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    env.pop("DISPUTEFLOW_DATABASE_URL", None)
    command = [sys.executable, "-m", "disputeflow", "serve", "--port", str(port)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        response = _wait_for(f"http://127.0.0.1:{port}/healthz", process)
        assert response.status_code == 200
        assert response.json()["database"] == "sqlite"
        assert response.json()["schema_current"] is True
        assert response.headers["Server"] == "disputeflow"
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    token = re.search(r"\b(dft_[A-Za-z0-9_-]{40,})\b", output)
    assert token, output
    assert f"http://127.0.0.1:{port}" in output
    runtime = Runtime.create(Settings.from_env(home=home), plugins=get_plugin_manager())
    try:
        with runtime.database.session() as session:
            assert tokens.authenticate(session, token.group(1)).role == "admin"
    finally:
        runtime.close()
