"""``disputeflow demo`` against a live server with a worker: real cases within seconds."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from disputeflow.cli import cli
from disputeflow.cli.demo import random_like
from disputeflow.core.clock import parse_rfc3339
from disputeflow.engine.store.tables import ConnectionRow
from disputeflow.engine.worker import Worker, WorkerOptions
from tests.fakes.marketplace import FakeMarketplace


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


def test_demo_connections_have_random_secrets_and_say_demo(live_server, runtime, fake_plugins,
                                                           worker):  # fmt: skip
    assert run(runtime, fake_plugins, "demo", "--url", live_server, "--wait", "5").exit_code == 0
    with runtime.database.session() as session:
        row = session.scalar(select(ConnectionRow).where(ConnectionRow.name == "demo-fake"))
        connection = runtime.connection(row)
        described = runtime.describe_connection(row)
    example = FakeMarketplace().example_settings()["signing_secret"]
    assert connection.settings["signing_secret"] != example  # the public one would sign
    assert len(connection.settings["signing_secret"]) == len(example)
    assert described["demo"] is True
    listed = run(runtime, fake_plugins, "connections", "list")
    assert "demo-fake  [demo]" in listed.output
    as_json = json.loads(run(runtime, fake_plugins, "connections", "list", "--json").output)
    assert [item["demo"] for item in as_json["items"]] == [True]


def test_demo_refuses_an_installation_with_real_connections(runtime, fake_plugins):
    runtime.add_connection("fake", "real-store", {"signing_secret": "s", "shop": "real"})
    refused = CliRunner().invoke(
        cli, ["--database-url", runtime.settings.database_url, "--home",
              str(runtime.settings.home), "demo", "--url", "http://127.0.0.1:9", "--wait", "0"],
        obj=fake_plugins,
    )  # fmt: skip
    assert refused.exit_code == 1
    assert "real connection" in refused.output
    with runtime.database.session() as session:
        assert session.scalar(select(ConnectionRow).where(ConnectionRow.demo.is_(True))) is None
    told = run(runtime, fake_plugins, "demo", "--alongside-real-connections",
               "--url", "http://127.0.0.1:9", "--wait", "0")  # fmt: skip
    assert "start the service first" in told.output  # it went on (and found no service)


def test_random_secrets_keep_the_shape_of_the_examples():
    for example in ("ck_0123456789abcdef0123456789abcdef01234567", "shpss_demo_secret_0123",
                    "SBX-0a1b2c3d4e5f-6a7b", "wc-demo-webhook-secret"):  # fmt: skip
        made = random_like(example)
        assert made != example
        assert len(made) == len(example)
        assert made[:3] == example[:3]


def test_demo_dates_its_cases_relative_to_now(live_server, runtime, fake_plugins, worker):
    """Each sample object's last delivery happens now: no case opened months ago and
    overdue since, and the analytics' six-month window holds them."""
    started = datetime.now(UTC)
    result = run(runtime, fake_plugins, "demo", "--url", live_server, "--wait", "20")
    assert result.exit_code == 0, result.output
    listed = json.loads(run(runtime, fake_plugins, "cases", "list", "--json").output)["items"]
    opened = {case["external_id"]: parse_rfc3339(case["opened_at"]) for case in listed}
    assert set(opened) == {"1001", "2001"}
    # the dispute opens 2026-03-01T10:00 and is won 2026-03-20T08:30: 18 d 22 h 30 min;
    # the return opens 2026-03-02T09:00 and is refunded 2026-03-06T12:00: 4 d 3 h
    for external_id, before in (("1001", timedelta(days=18, hours=22, minutes=30)),
                                ("2001", timedelta(days=4, hours=3))):  # fmt: skip
        lag = started - before - opened[external_id]
        assert timedelta(minutes=-2) < lag < timedelta(seconds=2), (external_id, lag)
    for case in listed:
        assert parse_rfc3339(case["updated_at"]) > started - timedelta(minutes=5), case


@pytest.mark.parametrize("url", ["not-a-url", "http://", "ftp://127.0.0.1:8000", "127.0.0.1:8000"])
def test_a_bad_demo_url_is_one_clear_line(runtime, fake_plugins, url):
    result = run(runtime, fake_plugins, "demo", "--url", url, "--wait", "0")
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: --url must be the running service's address, like http://127.0.0.1:8000; "
        f"got {url!r}"
    )
    with runtime.database.session() as session:  # refused before anything was made
        assert session.scalar(select(ConnectionRow)) is None
