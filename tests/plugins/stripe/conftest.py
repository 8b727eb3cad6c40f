"""Fixtures for the Stripe plugin: a marketplace on a fixed clock, a connection, Stripe's
documented payloads from ``fixtures/`` (README.md there names each source), events signed as
Stripe signs them, and Stripe's API behind ``responses``."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import responses
from sqlalchemy import select

from disputeflow.core.testing import make_connection
from disputeflow.engine.store import cases
from disputeflow.engine.store.tables import CaseRow
from disputeflow.plugins.stripe import plugin as stripe_plugin
from disputeflow.plugins.stripe.marketplace import StripeMarketplace
from disputeflow.plugins.stripe.samples import envelope
from disputeflow.plugins.stripe.webhooks import signed_request
from disputeflow.webhooks.app import create_app

FIXTURES = Path(__file__).parent / "fixtures"
API = "https://api.stripe.com"
FILES = "https://files.stripe.com"
KEY = "rk_test_" + "4eC39HqLyjWDarjtT1zdp7dc"
SECRET = "whsec_" + "5a1f0e6c2b7d4f3e9a8c1b2d3e4f5a6b"
NOW = datetime(2026, 11, 10, 12, tzinfo=UTC)
NOW_TS = int(NOW.timestamp())

# WooCommerce Stripe Gateway's metadata keys (get_metadata_from_order in
# includes/payment-methods/class-wc-stripe-upe-payment-gateway.php, ba01a9b); the values are
# a store's, the order being the WooCommerce REST API documentation's order 727.
WOO_METADATA = {
    "customer_name": "John Doe",
    "customer_email": "john.doe@example.com",
    "site_url": "https://example.com",
    "order_id": "727",
    "order_key": "wc_order_58d2d042d1d",
    "payment_type": "single",
}


def fixture(name: str) -> Any:
    """A documented payload from ``fixtures/`` (a fresh copy each time)."""
    return json.loads((FIXTURES / name).read_text())


def settings(**changes: Any) -> dict[str, Any]:
    return {"api_key": KEY, "webhook_secret": SECRET, **changes}


def dispute(**changes: Any) -> dict[str, Any]:
    """stripe/openapi's dispute fixture with ``changes``."""
    item = fixture("fixtures3_dispute.json")
    item.update(copy.deepcopy(changes))
    return item


def charge(**changes: Any) -> dict[str, Any]:
    """stripe/openapi's charge fixture with ``changes``."""
    item = fixture("fixtures3_charge.json")
    item.update(copy.deepcopy(changes))
    return item


def listing(path: str, items: list[Any], *, has_more: bool = False) -> dict[str, Any]:
    """A list answer, shaped as https://docs.stripe.com/api/pagination documents it."""
    return {"object": "list", "url": path, "has_more": has_more, "data": items}


def event(event_type: str, item: dict[str, Any], *, created: int, event_id: str) -> dict[str, Any]:
    return envelope(event_id, event_type, created, item)


@pytest.fixture
def stripe():
    """A marketplace with a fixed clock and no real waiting (waits are recorded)."""
    waits: list[float] = []
    market = StripeMarketplace(sleep=waits.append, now=lambda: NOW)
    market.waits = waits
    return market


@pytest.fixture
def connection(stripe):
    return make_connection(stripe, settings())


@pytest.fixture
def api():
    """Stripe's API: every registered call must be made."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


# -- through the service -------------------------------------------------------------------


@pytest.fixture
def fake_plugins(plugin_manager, monkeypatch):
    """The manager with the Stripe plugin module registered, as the entry point does, on the
    fixed clock."""
    monkeypatch.setattr(stripe_plugin.MARKETPLACE, "now", lambda: NOW)
    monkeypatch.setattr(stripe_plugin.MARKETPLACE, "sleep", lambda seconds: None)
    plugin_manager.register(stripe_plugin, name="stripe")
    return plugin_manager


@pytest.fixture
def app(runtime):
    return create_app(runtime, {"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def account(runtime):
    """A Stripe connection added as ``connections add stripe`` adds it."""
    return runtime.add_connection("stripe", "shop", settings())


def post_event(client, account, payload, *, secret=SECRET, timestamp=NOW_TS):
    """POST ``payload`` to the connection's webhook URL exactly as Stripe sends it."""
    request = signed_request(payload, secret=secret, timestamp=timestamp)
    return client.post(
        f"/webhooks/stripe/{account['id']}", data=request.body, headers=dict(request.headers)
    )


def load_case(runtime, object_type, external_id):
    with runtime.database.session() as session:
        row = session.scalar(
            select(CaseRow).where(
                CaseRow.external_id == external_id, CaseRow.object_type == object_type
            )
        )
        return cases.load(session, row) if row else None


def case_count(runtime):
    with runtime.database.session() as session:
        return len(session.scalars(select(CaseRow.id)).all())
