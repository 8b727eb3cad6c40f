"""PostgreSQL connections lost under load: the service recovers by itself, nothing is lost.

The shared PostgreSQL server is not ours to restart, so the test does what a restart does
to a client: every backend of the service (found by the ``application_name`` set in its
URL) is terminated with ``pg_terminate_backend``, again and again while deliveries arrive
and the worker thread processes them. Requests that lose their connection may fail (no
2xx: the platform sends them again); the pool (``pool_pre_ping``) and the worker loop must
reconnect without help.
"""

from __future__ import annotations

import secrets
import threading

import pytest
import requests
from sqlalchemy import create_engine, text

from disputeflow.engine.store.tables import DeliveryRow
from tests import load


@pytest.fixture
def fake_plugins(plugin_manager):
    from tests.fakes import slow_plugin

    plugin_manager.register(slow_plugin, name="fake_slow")
    return plugin_manager


class Terminator:
    """Terminates the service's backends every ``every`` seconds until stopped."""

    def __init__(self, admin_url: str, application_name: str, every: float) -> None:
        self.engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.application_name = application_name
        self.every = every
        self.terminated = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        query = text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = :name"
        )
        while not self.stopped.wait(self.every):
            with self.engine.connect() as connection:
                self.terminated += connection.execute(
                    query, {"name": self.application_name}
                ).scalar_one()

    def __enter__(self) -> Terminator:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopped.set()
        self.thread.join(timeout=30)
        self.engine.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_service_recovers_from_lost_connections_by_itself(runtime, postgres_url):
    connection = load.add_connection(runtime)
    disputes = load.scaled(40)
    items = load.updates(disputes, seed=11)
    name = f"df_fault_{secrets.token_hex(4)}"
    url = f"{runtime.settings.database_url}&application_name={name}"
    service = load.start_serve(url, runtime.settings.home, delay=0.01)
    sender = load.Sender(connection["id"], lambda: [service.url], threads=4)
    try:
        with Terminator(postgres_url, name, every=0.3) as terminator:
            sender.send(items, pause=0.02)  # a steady stream while connections drop
        assert terminator.terminated >= 3, "the test should have cut connections"
        assert service.process.poll() is None, service.output()
        answers = list(sender.answers.values())
        assert any(200 <= code < 300 for code in answers)  # it kept serving meanwhile
        health = requests.get(f"{service.url}/healthz", timeout=10)
        assert health.status_code == 200, health.text  # reconnected without a restart
        sender.resend_until_acknowledged(items)
        total = len(items)
        load.wait_until(
            lambda: load.count(runtime, DeliveryRow.status == "done") == total,
            180, "every delivery processed after the storm", [service],
        )  # fmt: skip
    finally:
        load.stop([service])
    load.assert_exactly_once(runtime, disputes, sender.acknowledged())
