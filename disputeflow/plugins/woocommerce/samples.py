"""Sample deliveries, signed as WooCommerce signs them, for ``disputeflow demo`` and the
conformance kit: a return requested, the same return refunded, a return in a JPY store, a
partial refund, an order that concerns no case, and a return marked by order status only,
requested then refunded (its closing order is an update-only snapshot). The demo dates them
relative to now (``shift_for``), before signing.

Orders follow the REST v3 order shape of the WooCommerce REST API docs (``_orders.md``), with
the fields newer versions add, and the order meta the WPSwings returns plugin records.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from disputeflow import Connection, SampleDelivery, redate, shift_for
from disputeflow.plugins.woocommerce.webhooks import signed_request


def sample_order(
    order_id: int = 7301,
    *,
    status: str = "processing",
    currency: str = "EUR",
    total: str = "24.90",
    country: str = "DE",
    modified: str = "2026-11-05T10:00:00",
    refunds: list[dict[str, Any]] | None = None,
    meta: list[dict[str, Any]] | None = None,
    payment_method: str = "stripe",
) -> dict[str, Any]:
    """An order as ``GET /wp-json/wc/v3/orders/{id}`` (and so an order webhook) gives it."""
    return {
        "id": order_id, "parent_id": 0, "number": str(order_id),
        "order_key": f"wc_order_{order_id}", "created_via": "checkout", "version": "9.8.1",
        "status": status, "currency": currency,
        "date_created": "2026-11-01T09:12:00", "date_created_gmt": "2026-11-01T08:12:00",
        "date_modified": modified, "date_modified_gmt": modified,
        "discount_total": "0.00", "shipping_total": "4.90", "total": total, "total_tax": "0.00",
        "prices_include_tax": True, "customer_id": 12, "customer_note": "",
        "billing": _billing(country),
        "shipping": {"first_name": "João", "last_name": "Silva", "country": country},
        "payment_method": payment_method, "payment_method_title": "Credit card",
        "transaction_id": "", "date_paid_gmt": "2026-11-01T08:13:00",
        "date_completed_gmt": None,
        "meta_data": meta or [],
        "line_items": [
            {"id": 315, "name": "Stoneware mug", "product_id": 93, "variation_id": 0,
             "quantity": 1, "subtotal": total, "total": total, "sku": "MUG-1"},
        ],
        "refunds": refunds or [],
        "payment_url": f"https://demo-store.example/checkout/order-pay/{order_id}/",
        "is_editable": False, "needs_payment": False, "needs_processing": True,
        "_links": {
            "self": [{"href": f"https://demo-store.example/wp-json/wc/v3/orders/{order_id}"}],
            "collection": [{"href": "https://demo-store.example/wp-json/wc/v3/orders"}],
        },
    }  # fmt: skip


def _billing(country: str) -> dict[str, str]:
    return {
        "first_name": "João", "last_name": "Silva", "company": "", "address_1": "Rua Augusta 10",
        "city": "Lisboa", "postcode": "1100-053", "country": country,
        "email": "joao.silva@example.com", "phone": "",
    }  # fmt: skip


def return_request_meta(
    subject: str = "Product arrived damaged",
    reason: str = "The box was crushed and the mug is cracked.",
    amount: str | None = "24.90",
    status: str = "pending",
    date: str = "1793869200",
    key: str = "wps_rma_return_product",
) -> list[dict[str, Any]]:
    """The WPSwings returns plugin's request meta: ``wps_rma_return_product`` keyed by the
    request's Unix time (4.3.7+; older versions: a date in the store's format, and older
    meta keys). ``amount`` is there when the request came through the plugin's REST API."""
    request: dict[str, Any] = {
        "products": [
            {"item_id": 315, "product_id": 93, "variation_id": 0, "qty": "1", "price": 24.9}
        ],
        "subject": subject, "reason": reason, "status": status,
    }  # fmt: skip
    if amount is not None:
        request["amount"] = amount
    return [{"id": 9001, "key": key, "value": {date: request}}]


def sample_payloads() -> list[tuple[str, str, dict[str, Any]]]:
    """``(name, topic, order)`` of each sample."""
    requested = sample_order(status="return-requested", meta=return_request_meta())
    refunded = sample_order(
        status="refunded",
        modified="2026-11-07T15:30:00",
        meta=return_request_meta(status="complete"),
        refunds=[{"id": 7310, "reason": "Return received", "total": "-24.90"}],
    )
    jpy = sample_order(
        7302, status="return-requested", currency="JPY", total="4800", country="JP",
        meta=return_request_meta("Wrong size", "Too small for me.", "4800", date="04-11-2026"),
    )  # fmt: skip
    partial = sample_order(
        7303, currency="USD", total="59.00", country="US",
        refunds=[{"id": 7311, "reason": "Late delivery: goodwill", "total": "-5.00"}],
    )  # fmt: skip
    plain = sample_order(7304, currency="GBP", total="12.00", country="GB")
    # A returns extension that marks returns by order status only: once refunded, the order
    # no longer says it had a return, so its snapshot is update-only.
    by_status = sample_order(7305, status="return-requested", modified="2026-11-06T09:00:00")
    by_status_refunded = sample_order(
        7305, status="refunded", modified="2026-11-08T11:00:00",
        refunds=[{"id": 7312, "reason": "Returned to the shop", "total": "-24.90"}],
    )  # fmt: skip
    return [
        ("return_requested", "order.updated", requested),
        ("return_refunded", "order.updated", refunded),
        ("return_requested_jpy", "order.updated", jpy),
        ("order_partially_refunded", "order.updated", partial),
        ("order_created", "order.created", plain),
        ("status_return_requested", "order.updated", by_status),
        ("status_return_refunded", "order.updated", by_status_refunded),
    ]


def sample_deliveries(connection: Connection) -> list[SampleDelivery]:
    """The samples, signed with ``connection``'s webhook secret for its store. In the demo
    each order's dates move together so that its last delivery is now (``shift_for``)."""
    secret = str(connection.settings["webhook_secret"])
    store = str(connection.settings["store_url"])
    payloads = sample_payloads()
    last: dict[int, str] = {}
    for _, _, order in payloads:
        last[order["id"]] = max(order["date_modified_gmt"], last.get(order["id"], ""))
    return [
        SampleDelivery(
            name,
            signed_request(
                moved(order, shift_for(f"{last[order['id']]}Z")),
                secret=secret,
                store_url=store,
                topic=topic,
                webhook_id=41 if topic == "order.created" else 42,
                moment=1_793_000_000 + position,  # the delivery id: the same in every demo
            ),
        )
        for position, (name, topic, order) in enumerate(payloads)
    ]


def moved(order: dict[str, Any], delta: timedelta) -> dict[str, Any]:
    """``order`` with every date moved by ``delta``: its ISO dates, and the dates that key
    the returns plugin's requests in its meta (Unix time, or the store's ``d-m-Y``)."""
    if not delta:
        return order
    order = redate(order, delta)
    for meta in order.get("meta_data") or ():
        if isinstance(meta.get("value"), dict):
            meta["value"] = {_moved_key(key, delta): item for key, item in meta["value"].items()}
    return order


def _moved_key(key: str, delta: timedelta) -> str:
    if key.isascii() and key.isdigit():
        return str(int(key) + int(delta.total_seconds()))
    try:
        day = datetime.strptime(key, "%d-%m-%Y").replace(tzinfo=UTC)
    except ValueError:
        return key
    return f"{day + timedelta(days=delta.days):%d-%m-%Y}"
