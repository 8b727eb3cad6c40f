"""Effects a delivery can carry besides snapshots: order refunds, erasure, data requests."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from disputeflow import Money, hookimpl
from disputeflow.core.effects import DataRequest, OrderRefund, PersonalDataErasure, Subject
from disputeflow.engine.store import cases
from disputeflow.engine.store.tables import (
    CaseRow,
    CaseSnapshotRow,
    DeliveryRow,
    PrivacyRequestRow,
)
from tests.fakes.marketplace import FakeMarketplace
from tests.webhooks.conftest import drain, signed

T = datetime(2026, 11, 5, 12, tzinfo=UTC)


class EffectsFake(FakeMarketplace):
    """The fake, plus JSON bodies that stand for effects: {"effect": ..., ...}."""

    def translate_delivery(self, connection, delivery):
        payload = json.loads(delivery.body)
        effect = payload.get("effect")
        subject = Subject(payload.get("customer"), payload.get("email"),
                          tuple(payload.get("orders", ())))  # fmt: skip
        if effect == "refund":
            return [OrderRefund(payload["order"], payload["refund"],
                                Money(payload["amount"], "EUR"), T, note="goodwill")]  # fmt: skip
        if effect == "erase":
            return [PersonalDataErasure("test redact", subject, payload.get("all", False))]
        if effect == "data_request":
            return [DataRequest("test request", subject)]
        snapshot = self.snapshot(payload)
        return [snapshot]


class Plugin:
    @hookimpl
    def disputeflow_register_marketplaces(self):
        return [EffectsFake()]


@pytest.fixture
def fake_plugins(plugin_manager):
    plugin_manager.register(Plugin(), name="effects-fake")
    return plugin_manager


@pytest.fixture
def app_client(runtime):
    from disputeflow.webhooks.app import create_app

    return create_app(runtime).test_client()


@pytest.fixture
def connection(runtime):
    return runtime.add_connection("fake", "eu", {"signing_secret": "whsec-test", "shop": "eu-shop"})


def deliver(client, runtime, connection, payload):
    body, headers = signed(payload)
    response = client.post(f"/webhooks/fake/{connection['id']}", data=body, headers=headers)
    assert response.status_code == 200
    drain(runtime)


def dispute(external_id="d1", order="o1", email="ada@example.com", **extra):
    return {
        "id": external_id, "type": "dispute", "status": "needs_response", "reason": "fraudulent",
        "amount": "40.00", "currency": "EUR", "opened_at": "2026-11-01T09:00:00Z",
        "updated_at": "2026-11-01T10:00:00Z", "order_id": order, "buyer_email": email,
        "buyer_country": "DE", **extra,
    }  # fmt: skip


def load(runtime, external_id="d1"):
    with runtime.database.session() as session:
        row = session.scalar(select(CaseRow).where(CaseRow.external_id == external_id))
        return cases.load(session, row) if row else None


def test_order_refund_shows_on_the_orders_cases_once(app_client, runtime, connection):
    deliver(app_client, runtime, connection, dispute())
    refund = {"effect": "refund", "order": "o1", "refund": "r1", "amount": "15.00"}
    deliver(app_client, runtime, connection, refund)
    deliver(app_client, runtime, connection, {**refund})  # the same refund, another delivery
    case = load(runtime)
    assert case.refunded == Money("15.00", "EUR")
    refunds = [e for e in case.timeline if e.kind == "refunded"]
    assert len(refunds) == 1
    assert "goodwill" in refunds[0].summary


def test_a_refund_before_the_case_shows_when_the_case_arrives(app_client, runtime, connection):
    deliver(app_client, runtime, connection,
            {"effect": "refund", "order": "o1", "refund": "r1", "amount": "5.00"})  # fmt: skip
    deliver(app_client, runtime, connection, dispute())
    later = dispute(status="under_review", updated_at="2026-11-02T10:00:00Z")
    deliver(app_client, runtime, connection, later)
    case = load(runtime)
    assert case.refunded == Money("5.00", "EUR")
    assert [e.kind for e in case.timeline].count("refunded") == 1


def test_erasure_removes_personal_data_and_keeps_money(app_client, runtime, connection):
    deliver(app_client, runtime, connection, dispute(buyer_name="Ada Lovelace"))
    deliver(app_client, runtime, connection, dispute("d2", order="o2", email="bob@example.com"))
    deliver(app_client, runtime, connection, {"effect": "erase", "email": "ADA@example.com"})
    case, other = load(runtime), load(runtime, "d2")
    assert case.buyer.email is None
    assert case.buyer.name is None
    assert case.buyer.country == "DE"
    assert case.amount == Money("40.00", "EUR")
    assert case.status == "needs_response"
    assert case.timeline[-1].kind == "personal_data_erased"
    assert other.buyer.email == "bob@example.com"
    with runtime.database.session() as session:
        history = session.scalars(select(CaseSnapshotRow.data)).all()
        bodies = [bytes(b) for b in session.scalars(select(DeliveryRow.body))]
        record = session.scalar(select(PrivacyRequestRow))
    assert not any("ada@example.com" in json.dumps(data).lower() for data in history)
    assert not any(b"ada@example.com" in body for body in bodies)
    assert any(b"bob@example.com" in body for body in bodies)
    assert (record.kind, record.cases_affected) == ("erasure", 1)


def test_shop_erasure_removes_every_case(app_client, runtime, connection):
    deliver(app_client, runtime, connection, dispute())
    deliver(app_client, runtime, connection, {"effect": "erase", "all": True})
    assert load(runtime) is None
    with runtime.database.session() as session:
        bodies = [bytes(b) for b in session.scalars(select(DeliveryRow.body))]
    assert not any(b"ada@example.com" in body for body in bodies)


def test_data_request_records_an_export(app_client, runtime, connection):
    deliver(app_client, runtime, connection, dispute())
    deliver(app_client, runtime, connection, {"effect": "data_request", "orders": ["o1"]})
    with runtime.database.session() as session:
        record = session.scalar(select(PrivacyRequestRow))
    assert record.kind == "data_request"
    assert [c["external_id"] for c in record.export["cases"]] == ["d1"]
    assert record.export["cases"][0]["buyer"]["email"] == "ada@example.com"
