"""``refunds/create`` and the mandatory compliance topics -> the core's effects.

A refund is about an order, not one case: it becomes an :class:`OrderRefund` that the core
shows on every case of that order. ``customers/redact``, ``shop/redact`` and
``customers/data_request`` become erasures and a data request, applied by the core.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from disputeflow import Money, SnapshotError
from disputeflow.core.effects import DataRequest, OrderRefund, PersonalDataErasure, Subject
from disputeflow.plugins.shopify.values import dig, money, numeric_id, when

# Refund transactions that moved (or are moving) money back; failures and errors did not.
MONEY_BACK = frozenset({"success", "pending"})
MONEY_SETS = ("total_duties_set", "refund_line_items", "refund_shipping_lines", "order_adjustments")


def order_refund(payload: dict[str, Any], fallback_at: datetime) -> list[OrderRefund]:
    """The money a ``refunds/create`` body returned to the buyer, in the presentment
    currency (the sum of its refund transactions); ``[]`` for a refund that moved no money
    (a restock-only refund)."""
    order_id, refund_id = numeric_id(payload.get("order_id")), numeric_id(payload.get("id"))
    if not order_id or not refund_id:
        raise SnapshotError("refunds/create without id or order_id")
    moved = [
        t for t in payload.get("transactions") or ()
        if isinstance(t, dict) and t.get("kind") == "refund" and t.get("status") in MONEY_BACK
    ]  # fmt: skip
    currency = _currency(payload, moved)
    if not moved or currency is None:
        return []
    amounts = [money(t.get("amount"), t.get("currency") or currency) for t in moved]
    total = sum((a.value for a in amounts if a is not None), Decimal(0))
    refunded_at = (
        when(payload.get("processed_at"), "processed_at")
        or when(payload.get("created_at"), "created_at")
        or fallback_at
    )
    return [
        OrderRefund(
            order_external_id=order_id,
            refund_external_id=refund_id,
            amount=Money(total, currency),
            refunded_at=refunded_at,
            note=str(payload.get("note") or ""),
        )
    ]


def _currency(payload: dict[str, Any], moved: list[dict[str, Any]]) -> str | None:
    """The presentment currency: a transaction's own, else any ``presentment_money`` in the
    body (Shopify's sample sends transactions with ``"currency": null``)."""
    for transaction in moved:
        if transaction.get("currency"):
            return str(transaction["currency"])
    for name in MONEY_SETS:
        for part in _as_list(payload.get(name)):
            code = _presentment_code(part)
            if code:
                return code
    return None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _presentment_code(value: Any) -> str | None:
    """The first ``presentment_money.currency_code`` inside ``value``, searched in depth."""
    if isinstance(value, dict):
        code = dig(value, "presentment_money", "currency_code")
        if code:
            return str(code)
        children: list[Any] = list(value.values())
    elif isinstance(value, list):
        children = value
    else:
        return None
    for child in children:
        found = _presentment_code(child)
        if found:
            return found
    return None


def _subject(payload: dict[str, Any], orders_key: str) -> Subject:
    found = payload.get("customer")
    customer: dict[str, Any] = found if isinstance(found, dict) else {}
    orders = tuple(o for o in map(numeric_id, payload.get(orders_key) or ()) if o)
    email, phone = customer.get("email"), customer.get("phone")
    return Subject(
        customer_external_id=numeric_id(customer.get("id")),
        email=str(email) if email else None,
        order_external_ids=orders,
        phone=str(phone) if phone else None,
    )


def customers_redact(payload: dict[str, Any]) -> list[PersonalDataErasure]:
    """Erase one customer's personal data; money and statuses stay."""
    subject = _subject(payload, "orders_to_redact")
    return [PersonalDataErasure(reason="shopify customers/redact", subject=subject)]


def shop_redact(payload: dict[str, Any]) -> list[PersonalDataErasure]:
    """48 hours after an uninstall: erase everything held for this shop."""
    return [PersonalDataErasure(reason="shopify shop/redact", everything=True)]


def customers_data_request(payload: dict[str, Any]) -> list[DataRequest]:
    """Record what is held about one customer, for the merchant to send them."""
    request_id = numeric_id(dig(payload, "data_request", "id"))
    reason = "shopify customers/data_request" + (f" {request_id}" if request_id else "")
    return [DataRequest(reason=reason, subject=_subject(payload, "orders_requested"))]
