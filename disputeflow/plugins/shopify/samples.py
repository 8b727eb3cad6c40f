"""Sample deliveries, signed as Shopify signs them, from the payloads in Shopify's docs
(Webhooks 2026-07 and the REST dispute examples). ``disputeflow demo`` sends them and the
conformance kit translates them. ``shop/redact`` is left out on purpose: it would erase
the demo's cases.
"""

from __future__ import annotations

from typing import Any

from disputeflow import Connection, SampleDelivery, redate, shift_for
from disputeflow.plugins.shopify.webhooks import signed_request

DISPUTE = {
    "id": 285332461850802063,
    "order_id": 820982911946154508,
    "type": "chargeback",
    "amount": "11.50",
    "currency": "CAD",
    "reason": "fraudulent",
    "network_reason_code": "4837",
    "status": "under_review",
    "evidence_due_by": "2021-12-30T19:00:00-05:00",
    "evidence_sent_on": None,
    "finalized_on": None,
    "initiated_at": "2021-12-31T19:00:00-05:00",
}
INQUIRY = {
    "id": 670893524,
    "order_id": 625362839,
    "type": "inquiry",
    "amount": "11.50",
    "currency": "USD",
    "reason": "fraudulent",
    "network_reason_code": "4827",
    "status": "needs_response",
    "evidence_due_by": None,
    "evidence_sent_on": None,
    "finalized_on": None,
    "initiated_at": "2013-05-03T20:00:00-04:00",
}
RETURN_REQUEST = {
    "id": 123134564567890,
    "admin_graphql_api_id": "gid://shopify/Return/123134564567890",
    "status": "requested",
    "order": {"id": 4783296544821, "admin_graphql_api_id": "gid://shopify/Order/4783296544821"},
    "total_return_line_items": 2,
    "name": None,
    "return_line_items": [],
    "return_shipping_fees": [],
    "exchange_line_items": [],
    "total_exchange_line_items": 0,
}
RETURN_DECLINE = {
    "id": 123134564567890,
    "admin_graphql_api_id": "gid://shopify/Return/123134564567890",
    "order_id": 4783296544821,
    "status": "declined",
    "decline": {"reason": "return_period_ended", "note": "Our 30-day window has passed."},
}
REFUND = {
    "id": 890088186047892319,
    "order_id": 820982911946154508,
    "created_at": "2021-12-31T19:00:00-05:00",
    "note": "Things were damaged",
    "processed_at": "2021-12-31T19:00:00-05:00",
    "restock": False,
    "total_duties_set": {
        "shop_money": {"amount": "0.00", "currency_code": "USD"},
        "presentment_money": {"amount": "0.00", "currency_code": "USD"},
    },
    "refund_line_items": [],
    "transactions": [
        {"id": 245135271310201194, "order_id": 820982911946154508, "kind": "refund",
         "gateway": "bogus", "status": "success", "amount": "75.00", "currency": None},
        {"id": 839212141605670573, "order_id": 820982911946154508, "kind": "refund",
         "gateway": "bogus", "status": "success", "amount": "10.00", "currency": None},
    ],
}  # fmt: skip


def _customer(shop: str, orders_key: str) -> dict[str, Any]:
    return {
        "shop_id": 954889,
        "shop_domain": shop,
        "customer": {"id": 191167, "email": "john@example.com", "phone": "555-625-1199"},
        orders_key: [299938, 280263, 220458],
    }


def sample_deliveries(connection: Connection) -> list[SampleDelivery]:
    """One delivery per documented path: dispute opened and won, an inquiry, a return
    requested and declined, a refund, a data request and a customer erasure. Each object's
    dates move together so that its last delivery is now in the demo (``shift_for``)."""
    shop = connection.settings["shop_domain"]
    won = {**DISPUTE, "status": "won", "finalized_on": "2022-02-01T10:00:00-05:00"}
    data_request = {**_customer(shop, "orders_requested"), "data_request": {"id": 9999}}
    # (name, topic, payload, triggered at, the object it belongs to)
    deliveries: list[tuple[str, str, Any, str, str]] = [
        ("dispute_created", "disputes/create", DISPUTE, "2022-01-01T00:00:05.000000Z", "order"),
        ("dispute_won", "disputes/update", won, "2022-02-01T15:00:05.000000Z", "order"),
        ("inquiry_opened", "disputes/create", INQUIRY, "2013-05-04T00:00:05.000000Z", "inquiry"),
        ("return_requested", "returns/request", RETURN_REQUEST, "2026-03-01T10:00:00.000000Z",
         "return"),
        ("return_declined", "returns/decline", RETURN_DECLINE, "2026-03-02T10:00:00.000000Z",
         "return"),
        ("refund_created", "refunds/create", REFUND, "2022-01-01T00:00:06.000000Z", "order"),
        ("customer_data_request", "customers/data_request", data_request,
         "2026-03-03T10:00:00.000000Z", "data_request"),
        ("customer_redact", "customers/redact", _customer(shop, "orders_to_redact"),
         "2026-03-04T10:00:00.000000Z", "redact"),
    ]  # fmt: skip
    last = {group: max(at for *_, at, g in deliveries if g == group) for *_, group in deliveries}
    shifts = {group: shift_for(at) for group, at in last.items()}
    return [
        SampleDelivery(
            name,
            signed_request(
                redate(payload, shifts[group]),
                secret=connection.settings["client_secret"],
                shop=shop,
                topic=topic,
                webhook_id=f"sample-{name}",
                triggered_at=redate(at, shifts[group]),
            ),
        )
        for name, topic, payload, at, group in deliveries
    ]
