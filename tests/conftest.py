"""Fixtures shared by the whole suite.

Tests never see installed plugins by accident: every manager here is built with
``load_entrypoints=False``. Storage tests run on SQLite and, when
``DISPUTEFLOW_TEST_POSTGRES_URL`` is set, on PostgreSQL too (each test in a schema of its
own, dropped afterwards).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from disputeflow.cli import cli
from disputeflow.core.plugins import PluginManager, get_plugin_manager
from disputeflow.engine.config import Settings
from disputeflow.engine.runtime import Runtime

POSTGRES_URL_ENV = "DISPUTEFLOW_TEST_POSTGRES_URL"

# The suite's platforms and notice receivers live on 127.0.0.1 (or on names that do not
# resolve here, mocked with responses): allow internal addresses, as local development
# does. tests/security/test_outbound.py turns it off to show the refusals.
os.environ.setdefault("DISPUTEFLOW_ALLOW_PRIVATE_URLS", "1")


@pytest.fixture
def plugin_manager() -> PluginManager:
    """A fresh manager with the hook specs and built-ins, and no installed plugins."""
    return get_plugin_manager(load_entrypoints=False)


@pytest.fixture
def fake_plugins(plugin_manager: PluginManager) -> PluginManager:
    """The manager with the fake marketplace of ``tests/fakes`` registered."""
    from tests.fakes import plugin as fake_plugin

    plugin_manager.register(fake_plugin, name="fake")
    return plugin_manager


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL test server, or a skip that says how to enable these tests."""
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_URL_ENV} (CI sets it; see README)")
    install_trigram(url)
    return url


def install_trigram(url: str) -> None:
    """``pg_trgm`` in the database's ``public`` schema, as an owner installs it once. Were
    a test's migration to create it in the test's own schema, dropping that schema would
    drop it under every other test using it at the time."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    except DBAPIError:  # another run created it just now, or this user may not
        pass
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: an SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'disputeflow.sqlite3'}"
        return
    base = request.getfixturevalue("postgres_url")
    schema = f"df_test_{secrets.token_hex(6)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings for an isolated installation in ``tmp_path``."""
    return Settings(
        home=tmp_path / "home",
        database_url=database_url,
        public_url="http://127.0.0.1:8000",
        secret_key=None,
    )


@pytest.fixture
def runtime(settings: Settings, fake_plugins: PluginManager) -> Iterator[Runtime]:
    """A migrated store with the fake marketplace installed."""
    runtime = Runtime.create(settings, plugins=fake_plugins)
    runtime.upgrade()
    try:
        yield runtime
    finally:
        runtime.close()


@pytest.fixture
def invoke(
    tmp_path: Path, fake_plugins: PluginManager, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """Run ``disputeflow ARGS`` through click's runner with an isolated home."""
    monkeypatch.setenv("DISPUTEFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DISPUTEFLOW_DATABASE_URL", raising=False)
    monkeypatch.delenv("DISPUTEFLOW_SECRET_KEY", raising=False)
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(cli, list(args), obj=fake_plugins, catch_exceptions=False)

    return run
