"""PostgreSQL without ``pg_trgm``: the migration still succeeds, search still answers, and
``db upgrade``, ``db current``, ``serve`` and ``/healthz`` say so with the command the
database owner runs; after the owner ran it, ``db upgrade`` builds the index. A user who
may create the extension gets it from the migration itself.

Each test gets a database of its own (extensions are per database) and a role that owns
only a schema in it; the server of ``DISPUTEFLOW_TEST_POSTGRES_URL`` creates both.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from disputeflow.cli import cli
from disputeflow.engine.config import Settings
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import case_search, cases, connections, migrate
from disputeflow.engine.store.db import Database
from disputeflow.webhooks.app import create_app
from tests.servers import free_port


@dataclass
class Owned:
    """A fresh database: its name, the app role's URL, and a superuser URL to it."""

    name: str
    url: str
    owner_url: str


def _admin(url: str):
    return create_engine(url, isolation_level="AUTOCOMMIT")


@pytest.fixture
def owned(postgres_url: str, request: pytest.FixtureRequest) -> Iterator[Owned]:
    """``may_create``: whether the role has CREATE on the database (PostgreSQL 13+ then
    lets it install the trusted ``pg_trgm``)."""
    may_create = getattr(request, "param", False)
    name = f"df_search_{secrets.token_hex(4)}"
    password = secrets.token_hex(8)
    server = _admin(postgres_url)
    with server.connect() as connection:
        connection.execute(text(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    base = make_url(postgres_url)
    owner_url = base.set(database=name).render_as_string(hide_password=False)
    inside = _admin(owner_url)
    with inside.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA app AUTHORIZATION {name}"))
        if may_create:
            connection.execute(text(f"GRANT CREATE ON DATABASE {name} TO {name}"))
    inside.dispose()
    url = base.set(username=name, password=password, database=name)
    app_url = url.render_as_string(hide_password=False) + "?options=-csearch_path%3Dapp"
    try:
        yield Owned(name, app_url, owner_url)
    finally:
        with server.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            connection.execute(text(f"DROP ROLE IF EXISTS {name}"))
        server.dispose()


def _runtime(owned: Owned, tmp_path, plugin_manager) -> Runtime:
    settings = Settings(home=tmp_path / "home", database_url=owned.url, public_url="",
                        secret_key=None)  # fmt: skip
    return Runtime.create(settings, plugins=plugin_manager)


def _seed_and_search(runtime: Runtime) -> list[str]:
    stamp = "2026-11-01 12:00:00"
    with runtime.database.session() as session:
        connection_id = connections.create(session, runtime.secrets, platform="fake", name="s",
                                           settings={}, secret_fields=frozenset()).id  # fmt: skip
        session.execute(text(
            "INSERT INTO cases (id, connection_id, platform, object_type, external_id, kind,"
            " status, category, search_text, opened_at, updated_at, snapshot_at,"
            " snapshot_revision, snapshot_fingerprint, document) VALUES ('case_1', :c, 'fake',"
            " 'dispute', '1', 'chargeback', 'needs_response', 'fraud', '1 jörg müller', :at,"
            " :at, :at, -1, 'f', '{}')"
        ), {"c": connection_id, "at": stamp})  # fmt: skip
    with runtime.database.session(readonly=True) as session:
        rows, _ = cases.list_rows(session, cases.CaseFilter(q="MÜLLER"))
        return [row.id for row in rows]


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_without_pg_trgm_the_migration_succeeds_and_says_what_to_run(
    owned, tmp_path, plugin_manager
):
    fix = f"psql -d {owned.name} -c 'CREATE EXTENSION pg_trgm' then: disputeflow db upgrade"
    code, output = _cli("--database-url", owned.url, "--home", str(tmp_path), "db", "upgrade")
    assert code == 0
    assert "database upgraded from empty to" in output
    assert output.count("case search is NOT indexed") == 1
    assert fix in output
    runtime = _runtime(owned, tmp_path, plugin_manager)
    try:
        assert migrate.is_up_to_date(runtime.database)
        assert _seed_and_search(runtime) == ["case_1"]  # unindexed, still right
        health = create_app(runtime).test_client().get("/healthz").get_json()
        assert health["search_indexed"] is False
        code, output = _cli("--database-url", owned.url, "--home", str(tmp_path), "db",
                            "current")  # fmt: skip
        assert fix in output
        # the owner installs it; the next upgrade builds the index
        owner = _admin(owned.owner_url)
        with owner.connect() as connection:
            connection.execute(text("CREATE EXTENSION pg_trgm"))
        owner.dispose()
        code, output = _cli("--database-url", owned.url, "--home", str(tmp_path), "db",
                            "upgrade")  # fmt: skip
        assert "database already at revision" in output
        assert "case search: indexed (pg_trgm gin)" in output
        assert case_search.check(runtime.database).indexed
        assert create_app(runtime).test_client().get("/healthz").get_json()["search_indexed"]
        assert _search_uses_index(runtime.database)
    finally:
        runtime.close()


def _search_uses_index(database: Database) -> bool:
    with database.engine.begin() as connection:
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        plan = connection.execute(
            text("EXPLAIN SELECT id FROM cases WHERE search_text LIKE '%müller%'")
        ).scalars()
        return any("ix_cases_search_trgm" in line for line in plan)


@pytest.mark.parametrize("owned", [True], indirect=True)
def test_a_user_who_may_create_it_gets_pg_trgm_from_the_migration(owned, tmp_path):
    database = Database.from_url(owned.url)
    try:
        state = migrate.upgrade(database)
        assert state.indexed, state.message()
        with database.engine.connect() as connection:
            schema = connection.scalar(text(
                "SELECT extnamespace::regnamespace::text FROM pg_extension"
                " WHERE extname = 'pg_trgm'"
            ))  # fmt: skip
        assert schema == "app"  # where the user could create it: its own schema
        assert _search_uses_index(database)
    finally:
        database.dispose()


def test_serve_says_once_that_search_is_unindexed(owned, tmp_path):
    assert _cli("--database-url", owned.url, "--home", str(tmp_path), "db", "upgrade")[0] == 0
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "disputeflow", "--database-url", owned.url, "--home",
         str(tmp_path), "serve", "--no-worker", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        health = _wait_for_health(f"http://127.0.0.1:{port}/healthz", process)
        assert health["search_indexed"] is False
        for _ in range(3):
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0]
    said = re.findall(r"case search is NOT indexed.*", output)
    assert len(said) == 1, output
    assert f"psql -d {owned.name} -c 'CREATE EXTENSION pg_trgm'" in said[0]


def _wait_for_health(url: str, process: subprocess.Popen[str]) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "serve exited"
        try:
            return requests.get(url, timeout=1).json()
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError("serve did not answer")
