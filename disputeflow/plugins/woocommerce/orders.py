"""An order (a webhook's payload, a polled order) as the order's state now.

WooCommerce coalesces deliveries and builds each payload when it sends it, so an order is
read as a whole every time: a return case while a returns extension says so, the refunds on
it, and whether WooPayments may hold a dispute on it (then the dispute is read from the API).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from disputeflow import (
    Money,
    Order,
    Party,
    SnapshotError,
)
from disputeflow.core.effects import OrderRefund
from disputeflow.plugins.woocommerce.mapping import (
    DISPUTE_LOST_REFUND_REASON,
    DISPUTE_ORDER_STATUSES,
    FULLY_REFUNDED_STATUS,
    WOOPAYMENTS_GATEWAY_PREFIX,
)
from disputeflow.plugins.woocommerce.values import external_id, gmt_time, money, party, require

PLATFORM = "woocommerce"
RETURN_OBJECT = "return"


def order_id(order: Mapping[str, Any]) -> str:
    """The order's id as a string; an order without one cannot be read."""
    identifier = external_id(order.get("id"))
    if identifier is None:
        raise SnapshotError("a WooCommerce order without an id")
    return identifier


def observed_at(order: Mapping[str, Any]) -> datetime:
    """The order's own clock: when it was last modified (GMT)."""
    moment = gmt_time(order.get("date_modified_gmt")) or gmt_time(order.get("date_created_gmt"))
    return require(moment, "date_modified_gmt")


def order_value(order: Mapping[str, Any]) -> Order:
    number = order.get("number")
    return Order(
        external_id=order_id(order),
        name=f"#{number}" if number not in (None, "") else None,
        total=money(order.get("total"), order.get("currency")),
        placed_at=gmt_time(order.get("date_created_gmt")),
        references=order_references(order),
    )


def order_references(order: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """What other channels carry of this order, to link their cases to its own: its number
    (``number``, WooCommerce's ``get_order_number()``, which the WooCommerce Stripe Gateway
    writes to the payment's ``metadata.order_id``) and the gateway's ``transaction_id`` (a
    PayPal capture id, a Stripe charge or PaymentIntent id)."""
    found = [("order_number", external_id(order.get("number")))]
    transaction = order.get("transaction_id")
    found.append(("transaction_id", transaction.strip() if isinstance(transaction, str) else None))
    return tuple((kind, value) for kind, value in found if value)


def order_buyer(order: Mapping[str, Any]) -> Party:
    billing = _section(order, "billing")
    shipping = _section(order, "shipping")
    names = (billing.get("first_name"), billing.get("last_name"))
    name = " ".join(n.strip() for n in names if isinstance(n, str) and n.strip())
    return party(
        name or None,
        billing.get("email"),
        billing.get("country") or shipping.get("country"),
        order.get("customer_id"),
    )


def _section(order: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = order.get(name)
    return section if isinstance(section, Mapping) else {}


def _refund_entries(order: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    refunds = order.get("refunds")
    return [r for r in refunds if isinstance(r, Mapping)] if isinstance(refunds, list) else []


def _refund_reason(entry: Mapping[str, Any]) -> str:
    reason = entry.get("reason", entry.get("refund"))  # WC 3.0 named it "refund"
    return reason.strip() if isinstance(reason, str) else ""


def order_refunds(order: Mapping[str, Any]) -> list[OrderRefund]:
    """One effect per refund (``total`` is a negative string); recorded once per refund id,
    at the time of the first delivery that shows it."""
    identifier, currency, at = order_id(order), order.get("currency"), observed_at(order)
    effects = []
    for entry in _refund_entries(order):
        refund_id = external_id(entry.get("id"))
        amount = money(entry.get("total"), currency, absolute=True)
        if refund_id is None or amount is None:
            continue
        effects.append(OrderRefund(identifier, refund_id, amount, at, note=_refund_reason(entry)))
    return effects


def refunded_total(order: Mapping[str, Any]) -> Money | None:
    """The sum of the order's refunds (``None`` when it has none)."""
    amounts = [refund.amount for refund in order_refunds(order)]
    return sum(amounts[1:], amounts[0]) if amounts else None


def fully_refunded(order: Mapping[str, Any]) -> bool:
    """Status ``refunded``, or refunds that add up to the order total."""
    if order.get("status") == FULLY_REFUNDED_STATUS:
        return True
    total, refunded = money(order.get("total"), order.get("currency")), refunded_total(order)
    return bool(total and refunded and total.value > 0 and refunded >= total)


def may_hold_dispute(order: Mapping[str, Any], settings: Mapping[str, Any]) -> bool:
    """A WooPayments order in a status WooPayments sets around disputes (on-hold when one
    opens, completed when won, refunded when lost), or with a "Dispute lost." refund."""
    if not settings.get("woopayments"):
        return False
    gateway = order.get("payment_method")
    if not isinstance(gateway, str) or not gateway.startswith(WOOPAYMENTS_GATEWAY_PREFIX):
        return False
    lost = any(_refund_reason(r) == DISPUTE_LOST_REFUND_REASON for r in _refund_entries(order))
    return lost or order.get("status") in DISPUTE_ORDER_STATUSES


def charge_of(order: Mapping[str, Any]) -> str | None:
    """WooPayments' charge id (order meta ``_charge_id``, else ``transaction_id``)."""
    for meta in order.get("meta_data") or ():
        if isinstance(meta, Mapping) and meta.get("key") == "_charge_id":
            return external_id(meta.get("value"))
    transaction = order.get("transaction_id")
    if isinstance(transaction, str) and transaction.startswith(("ch_", "py_")):
        return transaction
    return None


def payment_extra(order: Mapping[str, Any]) -> dict[str, str]:
    """What a payment provider's dispute of the same order carries, to link the two later:
    the gateway (``payment_method``: ``stripe``, ``ppcp-gateway``, ``woocommerce_payments``),
    its title, the gateway's ``transaction_id`` (a Stripe ``pi_``/``ch_`` id, a PayPal
    capture id) and WooPayments' ``_charge_id`` / ``_intent_id`` meta."""
    extra: dict[str, str] = {}
    for field in ("payment_method", "payment_method_title", "transaction_id"):
        value = order.get(field)
        if isinstance(value, str) and value.strip():
            extra[field] = value.strip()
    for meta in order.get("meta_data") or ():
        if isinstance(meta, Mapping) and meta.get("key") in ("_charge_id", "_intent_id"):
            value = external_id(meta.get("value"))
            if value is not None:
                extra[str(meta["key"]).lstrip("_")] = value
    return extra
