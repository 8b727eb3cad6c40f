"""``disputeflow demo`` shows Stripe: a demo connection with random secrets, its signed
samples through a live server, cases made by a worker. Stripe's API is mocked: the worker's
scheduled sync of the demo connection must not reach the network."""

from __future__ import annotations

import json

import pytest
import responses
from click.testing import CliRunner
from sqlalchemy import select

from disputeflow.cli import cli
from disputeflow.engine.store.tables import ConnectionRow
from disputeflow.engine.worker import Worker, WorkerOptions
from disputeflow.plugins.stripe.marketplace import StripeMarketplace
from tests.plugins.stripe.conftest import API, listing
from tests.webhooks.conftest import live_server  # noqa: F401  (the fixture, used below)


@pytest.fixture
def database_url(tmp_path):
    """The demo talks to one embedded store, as `make run` sets it up."""
    return f"sqlite:///{tmp_path / 'demo.sqlite3'}"


@pytest.fixture
def stripe_api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_passthru("http://127.0.0.1")
        mock.get(f"{API}/v1/disputes", json=listing("/v1/disputes", []))
        mock.get(f"{API}/v1/radar/early_fraud_warnings", json=listing("/v1/x", []))
        yield mock


@pytest.fixture
def worker(runtime, stripe_api):
    loop = Worker(runtime, WorkerOptions(poll_interval=0.05))
    thread = loop.start_thread()
    yield loop
    loop.stop()
    thread.join(timeout=10)


def run(runtime, plugins, *args):
    base = ["--database-url", runtime.settings.database_url, "--home", str(runtime.settings.home)]
    return CliRunner().invoke(cli, [*base, *args], obj=plugins, catch_exceptions=False)


def test_demo_sends_the_stripe_samples_and_makes_cases(
    live_server,  # noqa: F811
    runtime,
    fake_plugins,
    worker,
):
    result = run(runtime, fake_plugins, "demo", "--url", live_server, "--wait", "20")
    assert result.exit_code == 0, result.output
    assert "Stripe (con_" in result.output
    for name in ("inquiry_opened", "chargeback_opened", "chargeback_won", "fraud_warning"):
        assert f"{name}: HTTP 200 accepted" in result.output
    assert "0 still waiting" in result.output
    listed = json.loads(run(runtime, fake_plugins, "cases", "list", "--json").output)
    assert {case["platform"] for case in listed["items"]} == {"stripe"}
    assert len(listed["items"]) == 3
    with runtime.database.session() as session:
        row = session.scalar(select(ConnectionRow).where(ConnectionRow.name == "demo-stripe"))
        secrets = runtime.connection(row).settings
    example = StripeMarketplace().example_settings()
    for name in ("api_key", "webhook_secret"):  # the public examples would sign for anyone
        assert secrets[name] != example[name]
        assert secrets[name].split("_")[0] == example[name].split("_")[0]  # rk, whsec
        assert len(secrets[name]) == len(example[name])
