"""``refunds/create`` and the compliance topics, applied by the core through the intake."""

from __future__ import annotations

import json

from sqlalchemy import select

from disputeflow import Money
from disputeflow.engine.store.tables import CaseRow, DeliveryRow, PrivacyRequestRow
from tests.plugins.shopify.conftest import SHOP, deliver, fixture, graphql_router, load_case
from tests.plugins.shopify.returns_data import RETURN_ID, return_node

ORDER = 820982911946154508


def usd_dispute():
    return {
        **fixture("disputes_create"),
        "currency": "USD",
        "amount": "100.00",
        "status": "needs_response",
    }


def privacy_rows(runtime):
    with runtime.database.session() as session:
        return [
            (r.kind, r.reason, r.cases_affected, r.export)
            for r in session.scalars(select(PrivacyRequestRow))
        ]


def test_documented_refund_shows_on_the_orders_case_once(app_client, runtime, connection, api):
    deliver(app_client, runtime, connection, "disputes/create", usd_dispute())
    refund = fixture("refunds_create")
    deliver(app_client, runtime, connection, "refunds/create", refund)
    deliver(app_client, runtime, connection, "refunds/create", refund)  # another delivery of it
    case = load_case(runtime, "285332461850802063")
    assert case.refunded == Money("85.00", "USD")  # 75.00 + 10.00 in transactions
    entries = [e for e in case.timeline if e.kind == "refunded"]
    assert len(entries) == 1
    assert entries[0].summary == "order refunded 85.00 USD: Things were damaged"
    assert entries[0].at.isoformat() == "2022-01-01T00:00:00+00:00"


def test_refund_in_the_presentment_currency(app_client, runtime, connection, api):
    deliver(
        app_client,
        runtime,
        connection,
        "disputes/create",
        {**usd_dispute(), "currency": "JPY", "amount": "5000"},
    )
    refund = {
        "id": 1,
        "order_id": ORDER,
        "processed_at": "2026-03-02T10:00:00+09:00",
        "transactions": [
            {"kind": "refund", "status": "success", "amount": "1500", "currency": "JPY"},
            {"kind": "refund", "status": "failure", "amount": "900", "currency": "JPY"},
            {"kind": "sale", "status": "success", "amount": "5000", "currency": "JPY"},
        ],
    }
    deliver(app_client, runtime, connection, "refunds/create", refund)
    assert load_case(runtime, "285332461850802063").refunded.to_dict() == {
        "value": "1500",
        "currency": "JPY",
    }


def test_refund_without_money_moved_changes_nothing(app_client, runtime, connection, api):
    deliver(app_client, runtime, connection, "disputes/create", usd_dispute())
    restock_only = {"id": 2, "order_id": ORDER, "restock": True, "transactions": []}
    deliver(app_client, runtime, connection, "refunds/create", restock_only)
    case = load_case(runtime, "285332461850802063")
    assert case.refunded is None
    assert "refunded" not in [e.kind for e in case.timeline]


def _return_with_buyer(app_client, runtime, connection, api):
    graphql_router(api, {"Return": [{"data": {"return": return_node()}}]})
    deliver(app_client, runtime, connection, "returns/request", fixture("returns_request"))
    return load_case(runtime, RETURN_ID)


def test_customers_redact_erases_the_buyer_and_keeps_money(
    app_client, runtime, api_connection, api
):
    before = _return_with_buyer(app_client, runtime, api_connection, api)
    assert before.buyer.email == "john@example.com"
    payload = {**fixture("customers_redact"), "shop_domain": SHOP}
    deliver(app_client, runtime, api_connection, "customers/redact", payload)
    case = load_case(runtime, RETURN_ID)
    assert (case.buyer.email, case.buyer.name, case.buyer.external_id) == (None, None, None)
    assert case.buyer.country == "DE"
    assert case.amount == before.amount
    assert case.status == before.status
    assert [m.body for m in case.messages] == ["[erased]"]
    assert case.timeline[-1].kind == "personal_data_erased"
    assert privacy_rows(runtime) == [("erasure", "shopify customers/redact", 1, None)]


def test_customers_data_request_records_an_export(app_client, runtime, api_connection, api):
    _return_with_buyer(app_client, runtime, api_connection, api)
    payload = {**fixture("customers_data_request"), "shop_domain": SHOP}
    deliver(app_client, runtime, api_connection, "customers/data_request", payload)
    ((kind, reason, affected, export),) = privacy_rows(runtime)
    assert (kind, reason, affected) == ("data_request", "shopify customers/data_request 9999", 1)
    assert export["cases"][0]["buyer"]["email"] == "john@example.com"


def test_data_request_by_order_id_only(app_client, runtime, connection, api):
    deliver(
        app_client, runtime, connection, "disputes/create", {**usd_dispute(), "order_id": 299938}
    )
    payload = {
        "shop_id": 1,
        "shop_domain": SHOP,
        "customer": {"id": 5},
        "orders_requested": [299938],
    }
    deliver(app_client, runtime, connection, "customers/data_request", payload)
    assert privacy_rows(runtime)[0][:3] == ("data_request", "shopify customers/data_request", 1)


def test_shop_redact_erases_everything(app_client, runtime, connection, api):
    deliver(app_client, runtime, connection, "disputes/create", usd_dispute())
    deliver(
        app_client,
        runtime,
        connection,
        "shop/redact",
        {**fixture("shop_redact"), "shop_domain": SHOP},
    )
    with runtime.database.session() as session:
        assert session.scalar(select(CaseRow)) is None
        bodies = [json.loads(bytes(b)) for b in session.scalars(select(DeliveryRow.body))]
    assert {"erased": True} in bodies
    assert privacy_rows(runtime)[0][:2] == ("erasure", "shopify shop/redact")
