"""``disputeflow demo`` against a live server with a worker: real cases within seconds."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from disputeflow.cli import cli
from disputeflow.core.worker import Worker, WorkerOptions


@pytest.fixture
def database_url(tmp_path):
    """The demo talks to one embedded store, as `make run` sets it up."""
    return f"sqlite:///{tmp_path / 'demo.sqlite3'}"


@pytest.fixture
def worker(runtime):
    loop = Worker(runtime, WorkerOptions(poll_interval=0.05))
    thread = loop.start_thread()
    yield loop
    loop.stop()
    thread.join(timeout=10)


def run(runtime, fake_plugins, *args):
    base = ["--database-url", runtime.settings.database_url, "--home", str(runtime.settings.home)]
    return CliRunner().invoke(cli, [*base, *args], obj=fake_plugins, catch_exceptions=False)


def test_demo_sends_signed_samples_through_the_intake(live_server, runtime, fake_plugins, worker):
    result = run(runtime, fake_plugins, "demo", "--url", live_server, "--wait", "20")
    assert result.exit_code == 0, result.output
    assert "HTTP 200 accepted" in result.output
    assert "0 still waiting" in result.output
    listed = json.loads(run(runtime, fake_plugins, "cases", "list", "--json").output)
    assert {case["platform"] for case in listed["items"]} == {"fake"}
    assert len(listed["items"]) >= 2
    again = run(runtime, fake_plugins, "demo", "--url", live_server, "--wait", "20")
    assert "HTTP 200 duplicate" in again.output  # same demo connection, same samples
    relisted = json.loads(run(runtime, fake_plugins, "cases", "list", "--json").output)
    assert len(relisted["items"]) == len(listed["items"])


def test_demo_without_a_running_service_says_so(runtime, fake_plugins):
    result = run(runtime, fake_plugins, "demo", "--url", "http://127.0.0.1:9", "--wait", "0")
    assert result.exit_code == 1
    assert "start the service first" in result.output
