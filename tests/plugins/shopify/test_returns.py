"""Return webhooks: thin payloads, the GraphQL fetch of details, and the status flow."""

from __future__ import annotations

import json

import pytest

from disputeflow import Money
from tests.plugins.shopify.conftest import (
    TOKEN,
    deliver,
    fixture,
    graphql_router,
    load_case,
)
from tests.plugins.shopify.returns_data import ORDER_ID, RETURN_ID, line, return_node


def thin(status=None, **extra):
    payload = {
        "id": int(RETURN_ID),
        "admin_graphql_api_id": f"gid://shopify/Return/{RETURN_ID}",
        "order_id": int(ORDER_ID),
        **extra,
    }
    if status:
        payload["status"] = status
    return payload


def test_thin_request_is_filled_from_graphql(app_client, runtime, api_connection, api):
    sent = graphql_router(api, {"Return": [{"data": {"return": return_node()}}]})
    deliver(app_client, runtime, api_connection, "returns/request", fixture("returns_request"))
    case = load_case(runtime, RETURN_ID)
    assert (case.kind, case.status, case.category) == ("return", "needs_response", "size_fit")
    assert case.platform_reason == "size_too_small"
    assert case.amount == Money("109.99", "EUR")
    assert (case.order.external_id, case.order.name) == (ORDER_ID, "#1001")
    assert (case.buyer.country, case.buyer.email, case.buyer.external_id) == (
        "DE",
        "john@example.com",
        "191167",
    )
    assert case.buyer.locale == "de-DE"
    assert case.opened_at.isoformat() == "2026-03-01T09:59:00+00:00"
    assert [(m.party, m.body) for m in case.messages] == [("buyer", "Too tight at the shoulders")]
    lines = case.extra["shopify_return_line_items"]
    assert [(x["line_item_id"], x["quantity"], x["reason"]) for x in lines] == [
        ("10", 2, "other"),
        ("20", 1, "size_too_small"),
    ]
    assert case.allowed_actions == ["refund", "approve_return", "decline_return", "add_note"]
    ((_name, body),) = sent
    assert body["variables"] == {"id": f"gid://shopify/Return/{RETURN_ID}"}
    assert api.calls[0].request.headers["X-Shopify-Access-Token"] == TOKEN


def test_status_comes_from_the_webhook_not_the_fetch(app_client, runtime, api_connection, api):
    graphql_router(api, {"Return": [{"data": {"return": return_node(status="CLOSED")}}]})
    deliver(app_client, runtime, api_connection, "returns/approve", thin("open"))
    assert load_case(runtime, RETURN_ID).status == "awaiting_buyer"


@pytest.mark.parametrize(
    "answer",
    [
        (500, {"errors": "Internal"}),
        (401, {"errors": "[API] Invalid API key or access token"}),
        (200, {"errors": [{"message": "Field 'return' doesn't exist"}]}),
        (200, {"data": {"return": None}}),
    ],
)
def test_failed_fetch_still_applies_the_status(
    app_client, runtime, api_connection, api, sleeps, answer
):
    graphql_router(api, {"Return": [answer]})
    deliver(app_client, runtime, api_connection, "returns/request", fixture("returns_request"))
    deliver(app_client, runtime, api_connection, "returns/decline", thin("declined"))
    case = load_case(runtime, RETURN_ID)
    assert (case.status, case.outcome, case.platform_status) == (
        "resolved",
        "merchant_favor",
        "declined",
    )
    assert case.order is not None  # kept from the request: the thin change only updates
    assert len(api.calls) == 2  # one attempt per delivery, never retried
    assert sleeps == []


def test_a_bare_status_change_of_an_unknown_return_opens_no_case(
    app_client, runtime, connection, api
):
    deliver(app_client, runtime, connection, "returns/decline", thin("declined"))
    assert load_case(runtime, RETURN_ID) is None  # update-only: the sync brings it whole
    assert not api.calls


def test_webhook_only_connection_never_calls_shopify(app_client, runtime, connection, api):
    deliver(app_client, runtime, connection, "returns/request", fixture("returns_request"))
    assert load_case(runtime, RETURN_ID).status == "needs_response"
    assert len(api.calls) == 0


def test_return_lifecycle_from_thin_payloads(app_client, runtime, connection, api):
    steps = [
        ("returns/request", thin("requested"), "needs_response", None),
        ("returns/approve", thin(), "awaiting_buyer", None),  # no status: the topic says open
        (
            "returns/update",
            {
                "admin_graphql_api_id": f"gid://shopify/Return/{RETURN_ID}",
                "return_line_items": {"removals": []},
            },
            "awaiting_buyer",
            None,
        ),
        ("returns/close", thin("closed"), "resolved", "buyer_favor"),
        ("returns/reopen", thin("open"), "awaiting_buyer", None),
        ("returns/cancel", thin("canceled"), "resolved", "withdrawn"),
    ]
    for hour, (topic, payload, status, outcome) in enumerate(steps, start=10):
        deliver(
            app_client,
            runtime,
            connection,
            topic,
            payload,
            triggered_at=f"2026-03-01T{hour}:00:00Z",
        )
        case = load_case(runtime, RETURN_ID)
        assert (case.status, case.outcome) == (status, outcome), topic
    kinds = [entry.kind for entry in case.timeline]
    assert kinds[0] == "opened"
    assert kinds.count("resolved") == 2
    assert "reopened" in kinds


def test_full_request_payload_needs_no_fetch(app_client, runtime, api_connection, api):
    payload = {
        **fixture("returns_request"),
        "total_return_line_items": 1,
        "return_line_items": [
            {
                "id": 1,
                "fulfillment_line_item": {"line_item": {"id": 77}},
                "quantity": 1,
                "return_reason": "defective",
                "return_reason_note": "",
                "customer_note": "Broken zip",
            }
        ],
    }
    deliver(app_client, runtime, api_connection, "returns/request", payload)
    case = load_case(runtime, RETURN_ID)
    assert (case.category, case.platform_reason) == ("defective", "defective")
    assert [m.body for m in case.messages] == ["Broken zip"]
    assert len(api.calls) == 0


def test_unknown_return_reason_and_jpy_amounts(app_client, runtime, api_connection, api):
    node = return_node(lines=[line(1, "GIFT_FOR_AN_ENEMY", 2, "1500", currency="JPY")])
    graphql_router(api, {"Return": [{"data": {"return": node}}]})
    deliver(app_client, runtime, api_connection, "returns/request", fixture("returns_request"))
    case = load_case(runtime, RETURN_ID)
    assert (case.category, case.platform_reason) == ("other", "gift_for_an_enemy")
    assert case.amount.to_dict() == {"value": "3000", "currency": "JPY"}


def test_graphql_request_shape(app_client, runtime, api_connection, api):
    sent = graphql_router(api, {"Return": [{"data": {"return": return_node()}}]})
    deliver(app_client, runtime, api_connection, "returns/update", thin())
    ((name, body),) = sent
    assert name == "Return"
    assert "returnLineItems(first: 50)" in body["query"]
    assert json.loads(api.calls[0].request.body)["variables"]["id"].endswith(RETURN_ID)
