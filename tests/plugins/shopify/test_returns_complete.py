"""Returns read completely: every line item and every return of an order (pages, no cap),
unverified line items kept, ``returnReasonDefinition`` with the ``returnReason`` fallback,
and a delivery of another API version logged.

Payload shapes follow shopify.dev ``admin-graphql/2026-10/objects/Return``
(``returnLineItems`` connection with ``pageInfo``), ``interfaces/ReturnLineItemType``,
``objects/UnverifiedReturnLineItem`` (``unitPrice``, no fulfillment line item) and
``objects/ReturnReasonDefinition`` (handles such as ``too-tight``, the page's own example),
checked 2026-12-04; the thin webhook body is Shopify's ``returns/request`` sample
(``fixtures/returns_request.json``).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from decimal import Decimal

from disputeflow.engine.sync import sync_connection
from disputeflow.plugins.shopify.webhooks import signed_request
from tests.plugins.shopify.conftest import (
    SECRET,
    SHOP,
    deliver,
    fixture,
    graphql_router,
    load_case,
    make_connection,
)
from tests.plugins.shopify.returns_data import RETURN_ID, line, return_node
from tests.webhooks.conftest import drain

RETURN_GID = f"gid://shopify/Return/{RETURN_ID}"


def defined(number, handle, quantity=1, price="10.00"):
    """A ``ReturnLineItem`` of 2026-07 on: a reason definition instead of the enum."""
    item = line(number, None, quantity, price)
    del item["returnReason"]
    item["__typename"] = "ReturnLineItem"
    item["returnReasonDefinition"] = {"handle": handle, "name": handle.replace("-", " ")}
    return item


def unverified(number, handle="too-tight", price="12.50"):
    return {
        "__typename": "UnverifiedReturnLineItem",
        "id": f"gid://shopify/UnverifiedReturnLineItem/{number}",
        "quantity": 1,
        "returnReasonNote": "",
        "customerNote": "Bought in the shop, no receipt",
        "returnReasonDefinition": {"handle": handle, "name": "Too tight"},
        "unitPrice": {"amount": price, "currencyCode": "EUR"},
    }


def with_pages(node, end):
    node["returnLineItems"]["pageInfo"] = {"hasNextPage": end is not None, "endCursor": end}
    return node


def test_a_twelve_line_return_is_read_to_the_last_line(app_client, runtime, api_connection, api):
    first = [defined(n, "too-tight" if n == 1 else "other") for n in range(1, 11)]
    rest = [defined(11, "other"), unverified(12)]
    node = with_pages(return_node("REQUESTED", first), "page-2")
    sent = graphql_router(
        api,
        {
            "Return": [{"data": {"return": node}}],
            "ReturnLineItems": [
                {"data": {"return": {"returnLineItems": {
                    "nodes": rest, "pageInfo": {"hasNextPage": False, "endCursor": None}}}}}
            ],
        },
    )  # fmt: skip
    deliver(app_client, runtime, api_connection, "returns/request", fixture("returns_request"))
    assert [name for name, _ in sent] == ["Return", "ReturnLineItems"]
    assert sent[1][1]["variables"] == {"id": RETURN_GID, "after": "page-2"}
    assert "returnReasonDefinition { handle name }" in sent[0][1]["query"]
    assert "returnReason\n" not in sent[0][1]["query"]
    case = load_case(runtime, RETURN_ID)
    items = case.extra["shopify_return_line_items"]
    assert len(items) == 12
    assert items[-1]["unverified"] is True  # kept, not dropped
    assert items[-1]["id"] == "12"
    assert case.amount.value == Decimal("10.00") * 11 + Decimal("12.50")
    assert (case.category, case.platform_reason) == ("size_fit", "too-tight")
    assert any("no receipt" in m.body for m in case.messages)


def test_older_api_versions_read_the_reason_enum(app_client, runtime, api):
    connection = make_connection(runtime, "acme-old", access_token="shpat_x", api_version="2026-01")
    url = f"https://{SHOP}/admin/api/2026-01/graphql.json"
    node = with_pages(return_node("REQUESTED", [line(1, "WRONG_ITEM", 1, "5.00")]), None)
    api.post(url, json={"data": {"return": node}})
    deliver(app_client, runtime, connection, "returns/request", fixture("returns_request"))
    query = json.loads(api.calls[0].request.body)["query"]
    assert "returnReasonDefinition" not in query
    assert "returnReason" in query
    case = load_case(runtime, RETURN_ID)
    assert (case.category, case.platform_reason) == ("wrong_item", "wrong_item")


def test_sync_reads_every_return_of_an_order(runtime, api_connection, api, market):
    market.clock = lambda: datetime(2026, 3, 10, 12, tzinfo=UTC)

    def numbered(number):
        node = return_node("OPEN", [defined(number, "other")], id=f"gid://shopify/Return/{number}")
        return with_pages(node, None)

    def returns_page(numbers, end):
        info = {"hasNextPage": end is not None, "endCursor": end}
        return {"nodes": [numbered(n) for n in numbers], "pageInfo": info}

    done = {"nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}
    sent = graphql_router(
        api,
        {
            "Disputes": [{"data": {"disputes": done}}],
            "OrdersWithReturns": [{"data": {"orders": {
                "nodes": [{"id": "gid://shopify/Order/4783296544821",
                           "returns": returns_page(range(901, 906), "r-2")}],
                "pageInfo": {"hasNextPage": False, "endCursor": None}}}}],
            "OrderReturns": [{"data": {"order": {"returns": returns_page(range(906, 908), None)}}}],
        },
    )  # fmt: skip
    report = sync_connection(runtime, api_connection["id"])
    assert report.failed == 0
    assert [name for name, _ in sent] == ["Disputes", "OrdersWithReturns", "OrderReturns"]
    assert sent[2][1]["variables"] == {"id": "gid://shopify/Order/4783296544821", "after": "r-2"}
    assert all(load_case(runtime, str(n), "return") for n in range(901, 908))  # all seven


def test_a_delivery_of_another_api_version_is_logged(app_client, runtime, connection, caplog):
    request = signed_request(
        fixture("disputes_create"),
        secret=SECRET,
        shop=SHOP,
        topic="disputes/create",
        webhook_id="wh-version",
        api_version="2025-10",
    )
    with caplog.at_level(logging.WARNING, logger="disputeflow.plugins.shopify.translate"):
        response = app_client.post(
            f"/webhooks/shopify/{connection['id']}",
            data=request.body,
            headers=dict(request.headers),
        )
        assert response.status_code == 200
        assert drain(runtime)[1] == 0
    warnings = [r.getMessage() for r in caplog.records if "API version" in r.getMessage()]
    assert len(warnings) == 1
    assert "2025-10" in warnings[0]
    assert load_case(runtime, "285332461850802063", "dispute") is not None  # still processed


def test_a_delivery_of_the_connections_version_logs_nothing(
    app_client, runtime, connection, caplog
):
    with caplog.at_level(logging.WARNING, logger="disputeflow.plugins.shopify.translate"):
        deliver(app_client, runtime, connection, "disputes/create", fixture("disputes_create"))
    assert not [r for r in caplog.records if "API version" in r.getMessage()]


def test_a_webhook_line_item_reads_its_reason_definition(app_client, runtime, connection):
    body = fixture("returns_request")
    body["total_return_line_items"] = 1
    body["return_line_items"] = [
        {
            "id": 987654,
            "quantity": 1,
            "return_reason": "other",
            "return_reason_definition": {"handle": "too-tight", "name": "Too tight"},
            "return_reason_note": "",
            "customer_note": None,
        }
    ]
    deliver(app_client, runtime, connection, "returns/request", body)
    case = load_case(runtime, RETURN_ID)
    assert (case.category, case.platform_reason) == ("size_fit", "too-tight")
