"""Request size limits, through the real server (waitress): a body over the limit is a 413
in the common error shape whether it announces its length or streams it in chunks, and
nothing of it is stored; oversized headers are refused; the server keeps serving."""

from __future__ import annotations

import pytest
import requests

from disputeflow.core.taxonomy import Role
from disputeflow.engine.config import Settings
from disputeflow.engine.store import tokens
from disputeflow.engine.store.tables import DeliveryRow
from disputeflow.webhooks.app import create_app
from tests import load
from tests.webhooks.conftest import dispute, signed

LIMIT = 64 * 1024


@pytest.fixture
def settings(database_url, tmp_path):
    home = tmp_path / "home"
    return Settings(home=home, database_url=database_url, public_url="http://127.0.0.1",
                    secret_key=None, max_body_bytes=LIMIT)  # fmt: skip


@pytest.fixture
def server(runtime):
    with load.serve_in_thread(create_app(runtime), threads=4) as url:
        yield url


@pytest.fixture
def connection(runtime):
    return runtime.add_connection("fake", "eu", {"signing_secret": "whsec-test", "shop": "eu-shop"})


def _assert_413(response):
    assert response.status_code == 413
    body = response.json()
    assert (body["status"], set(body)) == (413, {"code", "status", "message", "errors"})


def test_a_delivery_over_the_limit_is_413_and_not_stored(server, runtime, connection):
    body, headers = signed(dispute(note="x" * LIMIT))  # signed: only its size is wrong
    url = f"{server}/webhooks/fake/{connection['id']}"
    _assert_413(requests.post(url, data=body, headers=headers, timeout=30))
    chunks = (body[i : i + 8192] for i in range(0, len(body), 8192))  # no Content-Length
    _assert_413(requests.post(url, data=chunks, headers=headers, timeout=30))
    assert load.count(runtime) == 0
    small, headers = signed(dispute())
    assert requests.post(url, data=small, headers=headers, timeout=30).status_code == 200
    assert load.count(runtime, DeliveryRow.status == "pending") == 1


def test_api_and_page_bodies_over_the_limit_are_413(server, runtime):
    big = {"name": "x" * LIMIT}
    tokens_url = f"{server}/api/v1/tokens"
    # Without a token the body is never read: 401 before anything else.
    assert requests.post(tokens_url, json=big, timeout=30).status_code == 401
    with runtime.database.session() as session:
        admin = tokens.create(session, name="admin", role=Role.ADMIN).token
    bearer = {"Authorization": f"Bearer {admin}"}
    _assert_413(requests.post(tokens_url, json=big, headers=bearer, timeout=30))
    with runtime.database.session(readonly=True) as session:
        assert [row.name for row in tokens.list_rows(session)] == ["admin"]
    page = requests.post(f"{server}/workspace/sign-in", data={"token": "x" * LIMIT}, timeout=30)
    assert page.status_code == 413


def test_oversized_headers_are_refused_and_the_server_goes_on(server):
    refused = requests.get(f"{server}/healthz", headers={"X-Big": "y" * 300_000}, timeout=30)
    assert 400 <= refused.status_code < 500
    assert requests.get(f"{server}/healthz", timeout=30).status_code == 200


def test_the_limit_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DISPUTEFLOW_MAX_BODY_BYTES", "2048")
    assert Settings.from_env(home=tmp_path).max_body_bytes == 2048
    monkeypatch.setenv("DISPUTEFLOW_MAX_BODY_BYTES", "-1")
    with pytest.raises(Exception, match="positive integer"):
        Settings.from_env(home=tmp_path)
