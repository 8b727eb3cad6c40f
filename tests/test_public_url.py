"""The public URL follows the address served unless DISPUTEFLOW_PUBLIC_URL names one (issue 21).

Every URL handed out (webhook URLs, buyer links, install links) starts with
``Settings.public_url``; without ``DISPUTEFLOW_PUBLIC_URL`` it is the address ``serve`` is
bound to, in ``serve`` itself and, through the file it records, in commands run beside it.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from disputeflow.engine.config import SERVED_URL_FILE, Settings, record_served_url, served_url

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _no_address_in_the_environment(monkeypatch):
    for name in ("DISPUTEFLOW_PUBLIC_URL", "DISPUTEFLOW_HOST", "DISPUTEFLOW_PORT"):
        monkeypatch.delenv(name, raising=False)


def test_without_anything_it_is_the_default_address(tmp_path):
    settings = Settings.from_env(home=tmp_path)
    assert settings.public_url == "http://127.0.0.1:8000"
    assert settings.public_url_source == "the default address"


def test_serve_uses_the_address_it_is_bound_to(tmp_path):
    settings = Settings.from_env(home=tmp_path, served_at=("127.0.0.1", 8080))
    assert settings.public_url == "http://127.0.0.1:8080"
    assert settings.public_url_source == "the address served"
    assert settings.webhook_url("fake", "con_1") == "http://127.0.0.1:8080/webhooks/fake/con_1"


def test_the_environment_names_the_port_and_host(tmp_path, monkeypatch):
    monkeypatch.setenv("DISPUTEFLOW_PORT", "9090")
    assert Settings.from_env(home=tmp_path).public_url == "http://127.0.0.1:9090"
    monkeypatch.setenv("DISPUTEFLOW_HOST", "shop-box.lan")
    assert Settings.from_env(home=tmp_path).public_url == "http://shop-box.lan:9090"
    monkeypatch.setenv("DISPUTEFLOW_PORT", "port")
    with pytest.raises(Exception, match="DISPUTEFLOW_PORT must be a port number"):
        Settings.from_env(home=tmp_path)


def test_an_explicit_public_url_wins_over_the_address_served(tmp_path, monkeypatch):
    monkeypatch.setenv("DISPUTEFLOW_PUBLIC_URL", "https://disputes.example.com/")
    monkeypatch.setenv("DISPUTEFLOW_PORT", "9090")
    record_served_url(tmp_path, "http://127.0.0.1:7000")
    settings = Settings.from_env(home=tmp_path, served_at=("0.0.0.0", 8080))  # noqa: S104
    assert settings.public_url == "https://disputes.example.com"
    assert settings.public_url_source == "DISPUTEFLOW_PUBLIC_URL"


def test_commands_beside_serve_read_the_address_it_recorded(tmp_path):
    record_served_url(tmp_path, "http://127.0.0.1:8123")
    assert (tmp_path / SERVED_URL_FILE).read_text() == "http://127.0.0.1:8123\n"
    settings = Settings.from_env(home=tmp_path)
    assert settings.public_url == "http://127.0.0.1:8123"
    (tmp_path / SERVED_URL_FILE).write_text("javascript:alert(1)\n")  # never a URL to hand out
    assert Settings.from_env(home=tmp_path).public_url == "http://127.0.0.1:8000"


def test_a_wildcard_address_is_named_by_the_host_name():
    name = socket.gethostname()
    assert served_url("0.0.0.0", 8080) == f"http://{name}:8080"  # noqa: S104
    assert served_url("::", 8080) == f"http://{name}:8080"
    assert served_url("::1", 8080) == "http://[::1]:8080"
    assert served_url("[::1]", 8080) == "http://[::1]:8080"
    assert served_url("localhost", 80) == "http://localhost:80"


def test_cli_urls_follow_the_recorded_address(invoke, tmp_path):
    """What ``connections add`` prints and the buyer link both start with it."""
    record_served_url(tmp_path / "home", "http://127.0.0.1:8123")
    added = json.loads(
        invoke("connections", "add", "fake", "--name", "eu", "--set", "shop=eu",
               "--set", "signing_secret=s", "--json").output
    )  # fmt: skip
    assert added["webhook_url"] == f"http://127.0.0.1:8123/webhooks/fake/{added['id']}"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_passes_port_and_host_on():
    dry = subprocess.run(
        ["make", "-n", "run", "PORT=8080", "HOST=0.0.0.0"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "disputeflow serve" in dry.stdout
    assert "--host '0.0.0.0' --port '8080'" in dry.stdout
    plain = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True)
    assert "--port" not in plain.stdout  # serve's own default (or DISPUTEFLOW_PORT)
