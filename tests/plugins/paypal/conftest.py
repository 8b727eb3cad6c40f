"""Fixtures for the PayPal plugin: the plugin registered in the manager, a connection,
deliveries signed with the test certificate's key, and PayPal's API behind ``responses``."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import responses
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from disputeflow.engine.store import cases
from disputeflow.engine.store.tables import CaseRow
from disputeflow.plugins.paypal import plugin as paypal_plugin
from disputeflow.plugins.paypal.certs import CertificateCache, RateLimit
from disputeflow.plugins.paypal.samples import signed_request
from disputeflow.plugins.paypal.verification import ask_paypal, fetch_certificate
from disputeflow.plugins.paypal.webhooks import REMOTE_PER_MINUTE, Verifier
from disputeflow.webhooks.app import create_app
from tests.webhooks.conftest import drain

FIXTURES = Path(__file__).parent / "fixtures"
API = "https://api-m.sandbox.paypal.com"
CERT_URL = "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77"
WEBHOOK_ID = "4JH86294D6297924G"
CLIENT_ID = "AYtest-client-0123456789abcdefABCDEF0123456789abcdef0123"
CLIENT_SECRET = "EKtest-secret-fedcba9876543210FEDCBA9876543210fedcba9876"
NOW = datetime(2025, 10, 1, 12, tzinfo=UTC)
TOKEN_ANSWER = {
    # The fields of the answer https://developer.paypal.com/api/rest/authentication/ describes
    # (checked 2026-12-04); the values are made up.
    "scope": "https://uri.paypal.com/services/disputes/read-seller",
    "access_token": "A21AA-test-access-token",
    "token_type": "Bearer",
    "app_id": "APP-80W284485P519543T",
    "expires_in": 32400,
    "nonce": "2025-10-01T12:00:00Ztest-nonce",
}


def fixture(name: str) -> Any:
    """A payload from ``fixtures/`` (a fresh copy each time)."""
    return json.loads((FIXTURES / name).read_text())


def test_key() -> Any:
    """The private key of ``fixtures/webhook_cert.pem`` (made once, see make_vector.py)."""
    return serialization.load_pem_private_key((FIXTURES / "webhook_key.pem").read_bytes(), None)


def paypal_settings(**changes: Any) -> dict[str, Any]:
    return {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "webhook_id": WEBHOOK_ID,
        "environment": "sandbox",
        "api_base_url": API,
        **changes,
    }


def signed(
    payload: dict[str, Any],
    *,
    transmission_id: str = "0a1b2c3d-0000-11f0-9c4e-d7a1c6e0b2f5",
    webhook_id: str = WEBHOOK_ID,
) -> Any:
    """``payload`` posted as PayPal posts it, signed with the test certificate's key."""
    return signed_request(
        payload,
        key=test_key(),
        webhook_id=webhook_id,
        transmission_id=transmission_id,
        cert_url=CERT_URL,
    )


def dispute_event(event_id: str, event_type: str, resource: dict[str, Any]) -> dict[str, Any]:
    from disputeflow.plugins.paypal.samples import event

    return event(event_id, event_type, copy.deepcopy(resource))


@pytest.fixture
def verifier():
    """A fresh verifier (empty certificate cache) for the plugin's marketplace."""
    fresh = Verifier(CertificateCache(fetch_certificate), ask_paypal, RateLimit(REMOTE_PER_MINUTE))
    previous = paypal_plugin.MARKETPLACE.verifier
    paypal_plugin.MARKETPLACE.verifier = fresh
    yield fresh
    paypal_plugin.MARKETPLACE.verifier = previous


@pytest.fixture
def fake_plugins(plugin_manager, verifier):
    """The manager with the PayPal plugin module registered, as the entry point does."""
    plugin_manager.register(paypal_plugin, name="paypal")
    return plugin_manager


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """No real sleeping; a fixed clock."""
    waits: list[float] = []
    monkeypatch.setattr(paypal_plugin.MARKETPLACE, "sleep", waits.append)
    monkeypatch.setattr(paypal_plugin.MARKETPLACE, "now", lambda: NOW)
    return waits


@pytest.fixture(autouse=True)
def fresh_tokens():
    """Tokens are kept per process: each test starts without one."""
    from disputeflow.plugins.paypal.oauth import TOKENS

    TOKENS._tokens.clear()
    yield
    TOKENS._tokens.clear()


@pytest.fixture
def api():
    """PayPal's API: every registered call must be made."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def with_token(mock: responses.RequestsMock) -> None:
    mock.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)


def serve_certificate(mock: responses.RequestsMock) -> None:
    mock.get(CERT_URL, body=(FIXTURES / "webhook_cert.pem").read_bytes())


@pytest.fixture
def app(runtime):
    return create_app(runtime, {"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def connection(runtime):
    return runtime.add_connection("paypal", "paypal-shop", paypal_settings())


def deliver(client, connection, request) -> Any:
    return client.post(
        f"/webhooks/paypal/{connection['id']}", data=request.body, headers=dict(request.headers)
    )


def load_case(runtime, external_id: str):
    with runtime.database.session() as session:
        row = session.scalar(select(CaseRow).where(CaseRow.external_id == external_id))
        return cases.load(session, row) if row is not None else None


__all__ = ["drain"]
