"""Polling through the core's sync: paginated GraphQL, resumable cursors, rate limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from disputeflow import MarketplaceError
from disputeflow.engine.sync import sync_connection
from tests.plugins.shopify.conftest import graphql_router, load_case
from tests.plugins.shopify.returns_data import RETURN_ID, return_node

T0 = datetime(2026, 3, 10, 12, tzinfo=UTC)
T1 = datetime(2026, 3, 10, 12, 15, tzinfo=UTC)


def node(number, status, kind="CHARGEBACK", reason="FRAUDULENT", amount="11.50", currency="USD"):
    return {
        "id": f"gid://shopify/ShopifyPaymentsDispute/{number}",
        "legacyResourceId": str(number),
        "type": kind,
        "status": status,
        "initiatedAt": "2026-03-01T10:00:00Z",
        "evidenceDueBy": "2026-03-20",
        "evidenceSentOn": None,
        "finalizedOn": None,
        "amount": {"amount": amount, "currencyCode": currency},
        "reasonDetails": {"reason": reason, "networkReasonCode": "10.4"},
        "order": {
            "id": "gid://shopify/Order/625362839",
            "legacyResourceId": "625362839",
            "name": "#1001",
            "shippingAddress": {"countryCodeV2": "FR"},
            "billingAddress": None,
        },
    }


def page(key, nodes, end=None):
    info = {"hasNextPage": end is not None, "endCursor": end}
    return {
        "data": {key: {"nodes": nodes, "pageInfo": info}},
        "extensions": {
            "cost": {
                "requestedQueryCost": 52,
                "actualQueryCost": 40,
                "throttleStatus": {
                    "maximumAvailable": 2000,
                    "currentlyAvailable": 1960,
                    "restoreRate": 100,
                },
            }
        },
    }


@pytest.fixture
def first_sync(runtime, api_connection, api, market):
    market.clock = lambda: T0
    sent = graphql_router(
        api,
        {
            "Disputes": [
                page("disputes", [node(1, "NEEDS_RESPONSE"), node(2, "WON")], end="c1"),
                page(
                    "disputes",
                    [node(3, "UNDER_REVIEW", kind="INQUIRY", reason="SUBSCRIPTION_CANCELLED")],
                ),
            ],
            "OrdersWithReturns": [
                page(
                    "orders",
                    [
                        {"returns": {"nodes": [return_node(status="OPEN")]}},
                        {"returns": {"nodes": []}},
                    ],
                )
            ],
        },
    )
    report = sync_connection(runtime, api_connection["id"])
    return report, sent


def test_first_sync_reads_every_page(runtime, first_sync):
    report, sent = first_sync
    assert (report.pages, report.created, report.failed) == (4, 4, 0)
    assert [name for name, _ in sent] == ["Disputes", "Disputes", "OrdersWithReturns"]
    assert sent[0][1]["variables"] == {"first": 50, "after": None, "query": None}
    assert sent[1][1]["variables"]["after"] == "c1"
    assert sent[2][1]["variables"]["query"] == "updated_at:>='2025-12-10T12:00:00Z'"
    one = load_case(runtime, "1", "dispute")
    assert (one.status, one.category, one.platform_reason) == (
        "needs_response",
        "fraud",
        "fraudulent",
    )
    assert one.due_at.isoformat() == "2026-03-20T00:00:00+00:00"
    assert (one.buyer.country, one.order.name, one.network_reason_code) == ("FR", "#1001", "10.4")
    assert one.updated_at == T0
    two, three = load_case(runtime, "2", "dispute"), load_case(runtime, "3", "dispute")
    assert (two.status, two.outcome) == ("resolved", "merchant_favor")
    assert (three.kind, three.category) == ("inquiry", "subscription_canceled")
    returned = load_case(runtime, RETURN_ID, "return")
    assert (returned.status, returned.buyer.country) == ("awaiting_buyer", "DE")
    state = json.loads(report.cursor)
    assert state == {
        "since": "2026-03-10T12:00:00Z",
        "open": {"1": "needs_response", "3": "under_review"},
    }


def test_next_sync_rereads_open_disputes_and_yields_only_changes(
    runtime, api_connection, api, market, first_sync
):
    api.reset()
    market.clock = lambda: T1
    sent = graphql_router(
        api,
        {
            "Disputes": [page("disputes", [])],
            "DisputesById": [{"data": {"nodes": [node(1, "NEEDS_RESPONSE"), node(3, "LOST")]}}],
            "OrdersWithReturns": [page("orders", [])],
        },
    )
    report = sync_connection(runtime, api_connection["id"])
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    assert sent[0][1]["variables"]["query"] == "initiated_at:>='2026-03-10T11:50:00Z'"
    assert sent[1][1]["variables"] == {
        "ids": ["gid://shopify/ShopifyPaymentsDispute/1", "gid://shopify/ShopifyPaymentsDispute/3"]
    }
    assert sent[2][1]["variables"]["query"] == "updated_at:>='2026-03-10T11:50:00Z'"
    three = load_case(runtime, "3", "dispute")
    assert (three.status, three.outcome) == ("resolved", "buyer_favor")
    assert json.loads(report.cursor)["open"] == {"1": "needs_response"}


def test_an_interrupted_sync_resumes_at_its_page(runtime, api_connection, api, market):
    market.clock = lambda: T0
    graphql_router(
        api, {"Disputes": [page("disputes", [node(1, "WON")], end="c1"), (500, {"errors": "boom"})]}
    )
    with pytest.raises(MarketplaceError):
        sync_connection(runtime, api_connection["id"])
    api.reset()
    sent = graphql_router(
        api,
        {
            "Disputes": [page("disputes", [node(2, "WON")])],
            "OrdersWithReturns": [page("orders", [])],
        },
    )
    report = sync_connection(runtime, api_connection["id"])
    assert sent[0][1]["variables"]["after"] == "c1"
    assert report.created == 1
    assert load_case(runtime, "1", "dispute") is not None


def test_throttled_query_waits_for_the_budget(runtime, api_connection, api, market, sleeps):
    market.clock = lambda: T0
    throttled = {
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
        "extensions": {
            "cost": {
                "requestedQueryCost": 302,
                "actualQueryCost": None,
                "throttleStatus": {
                    "maximumAvailable": 1000,
                    "currentlyAvailable": 2,
                    "restoreRate": 50,
                },
            }
        },
    }
    graphql_router(
        api,
        {"Disputes": [throttled, page("disputes", [])], "OrdersWithReturns": [page("orders", [])]},
    )
    report = sync_connection(runtime, api_connection["id"])
    assert report.failed == 0
    assert sleeps == [6.0]  # (302 - 2) / 50 points per second


def test_sync_needs_a_token(runtime, connection):
    with pytest.raises(MarketplaceError, match="no access_token"):
        sync_connection(runtime, connection["id"])
