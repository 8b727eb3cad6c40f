"""Fixtures for the WooCommerce plugin: the plugin registered in the manager, a store
connection, deliveries signed as WooCommerce signs them, and the store's API behind
``responses``."""

from __future__ import annotations

import copy
import itertools
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import responses
from sqlalchemy import select

from disputeflow.engine.store import cases
from disputeflow.engine.store.tables import CaseRow, DeliveryRow
from disputeflow.plugins.woocommerce import plugin as wc_plugin
from disputeflow.plugins.woocommerce.samples import return_request_meta
from disputeflow.plugins.woocommerce.webhooks import signed_request
from disputeflow.webhooks.app import create_app
from tests.webhooks.conftest import drain

FIXTURES = Path(__file__).parent / "fixtures"
STORE = "https://example.com"
API = f"{STORE}/wp-json/wc/v3"
SECRET = "wc-webhook-secret-test"
KEY = "ck_" + "1a2b3c4d5e" * 4
KEY_SECRET = "cs_" + "9f8e7d6c5b" * 4
NOW = datetime(2026, 11, 10, 12, tzinfo=UTC)


def fixture(name: str) -> Any:
    """A documented payload from ``fixtures/`` (a fresh copy each time)."""
    return json.loads((FIXTURES / name).read_text())


def order(**changes: Any) -> dict[str, Any]:
    """The documented order (``GET /orders/727``) with ``changes`` applied."""
    payload = copy.deepcopy(fixture("order_retrieve_response.json"))
    payload.update(changes)
    return payload


def return_order(**changes: Any) -> dict[str, Any]:
    """The documented order with a return requested through the WPSwings plugin."""
    meta = return_request_meta(amount="29.35", date="21-03-2017")
    return order(**{"status": "return-requested", "meta_data": meta, **changes})


def wc_settings(**changes: Any) -> dict[str, Any]:
    return {
        "store_url": STORE,
        "consumer_key": KEY,
        "consumer_secret": KEY_SECRET,
        "webhook_secret": SECRET,
        **changes,
    }


@pytest.fixture
def fake_plugins(plugin_manager):
    """The manager with the WooCommerce plugin module registered, as the entry point does."""
    plugin_manager.register(wc_plugin, name="woocommerce")
    return plugin_manager


@pytest.fixture(autouse=True)
def waits(monkeypatch):
    """No real sleeping; a fixed clock. The list records each retry's wait."""
    recorded: list[float] = []
    monkeypatch.setattr(wc_plugin.MARKETPLACE, "sleep", recorded.append)
    monkeypatch.setattr(wc_plugin.MARKETPLACE, "now", lambda: NOW)
    return recorded


@pytest.fixture
def app(runtime):
    return create_app(runtime, {"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def connection(runtime):
    """A store connection with keys made by hand (``connections add``)."""
    return runtime.add_connection("woocommerce", "shop", wc_settings())


@pytest.fixture
def wcpay_connection(runtime):
    """A store taking payments with WooPayments."""
    return runtime.add_connection("woocommerce", "wcpay-shop", wc_settings(woopayments=True))


@pytest.fixture
def api():
    """The store's REST API: every registered call must be made."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


_moments = itertools.count(1_700_000_000)


def deliver(client, connection, payload, *, topic="order.updated", secret=SECRET, **options):
    """POST ``payload`` to the connection's webhook URL exactly as WooCommerce sends it."""
    request = signed_request(
        payload,
        secret=secret,
        store_url=options.pop("store_url", STORE),
        topic=topic,
        moment=options.pop("moment", next(_moments)),
        **options,
    )
    return client.post(
        f"/webhooks/woocommerce/{connection['id']}",
        data=request.body,
        headers=dict(request.headers),
    )


def deliver_and_process(client, runtime, connection, payload, **options):
    response = deliver(client, connection, payload, **options)
    assert response.status_code == 200, response.get_data(as_text=True)
    drain(runtime)
    return response


def load_case(runtime, external_id, object_type):
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


def deliveries(runtime):
    with runtime.database.session() as session:
        return [
            (row.status, row.topic, row.last_error)
            for row in session.scalars(select(DeliveryRow).order_by(DeliveryRow.received_at))
        ]
