"""``disputeflow.webhooks.wsgi:create_wsgi_app`` under another WSGI server process
(``waitress-serve --call``, as docs/deploy.md shows): it answers health checks and takes
deliveries for the worker processes; an out-of-date schema stops it at start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from disputeflow.core.errors import ConfigurationError
from disputeflow.engine.store.tables import DeliveryRow
from disputeflow.webhooks.wsgi import create_wsgi_app
from tests import load

SERVER = Path(sys.executable).parent / "waitress-serve"


@pytest.fixture
def fake_plugins(plugin_manager):
    from tests.fakes import slow_plugin

    plugin_manager.register(slow_plugin, name="fake_slow")
    return plugin_manager


def test_waitress_serve_runs_the_factory_and_takes_deliveries(runtime):
    connection = load.add_connection(runtime)
    port = load.free_port()
    env = load.child_env(runtime.settings.database_url, runtime.settings.home)
    command = [str(SERVER), "--host", "127.0.0.1", "--port", str(port), "--threads", "4",
               "--call", "disputeflow.webhooks.wsgi:create_wsgi_app"]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        load.wait_until(lambda: _healthy(base), 60, "waitress-serve answering", [process])
        health = requests.get(f"{base}/healthz", timeout=5).json()
        assert health["schema_current"] is True
        assert "fake" in health["marketplaces"]  # plugins from their entry points
        sender = load.Sender(connection["id"], lambda: [base], threads=2)
        sender.send(load.updates(5))
        assert len(sender.acknowledged()) == 15
    finally:
        load.stop([process])
    assert load.count(runtime, DeliveryRow.status == "pending") == 15  # for the workers


def _healthy(base):
    try:
        return requests.get(f"{base}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_out_of_date_schema_stops_the_factory(runtime, monkeypatch):
    with runtime.database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    monkeypatch.setenv("DISPUTEFLOW_DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("DISPUTEFLOW_HOME", str(runtime.settings.home))
    monkeypatch.setenv("DISPUTEFLOW_LOAD_PLUGINS", "")
    with pytest.raises(ConfigurationError, match="db upgrade"):
        create_wsgi_app()
