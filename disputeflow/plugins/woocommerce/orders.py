"""An order (a webhook's payload, a polled order) as the order's state now.

WooCommerce coalesces deliveries and builds each payload when it sends it, so an order is
read as a whole every time: a return case while a returns extension says so, the refunds on
it, and whether WooPayments may hold a dispute on it (then the dispute is read from the API).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from disputeflow import (
    Actor,
    CaseKind,
    CaseSnapshot,
    CaseStatus,
    Message,
    Money,
    Order,
    Outcome,
    Party,
    SnapshotError,
)
from disputeflow.core.effects import OrderRefund
from disputeflow.plugins.woocommerce.mapping import (
    DISPUTE_LOST_REFUND_REASON,
    DISPUTE_ORDER_STATUSES,
    FULLY_REFUNDED_STATUS,
    RETURN_FOLLOW_UP_STATUSES,
    RETURN_META_KEYS,
    RETURN_REQUEST_STATUSES,
    WOOPAYMENTS_GATEWAY_PREFIX,
    return_category,
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
    )


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


def return_request(
    order: Mapping[str, Any], meta_keys: Sequence[str] = RETURN_META_KEYS
) -> dict[str, Any] | None:
    """The latest request a returns extension recorded in the order's meta (WPSwings keeps
    ``{"d-m-Y": {"subject", "reason", "amount", "status", ...}}``); ``{}`` when the meta is
    there in another shape, ``None`` when there is none."""
    for meta in order.get("meta_data") or ():
        if not isinstance(meta, Mapping) or meta.get("key") not in meta_keys:
            continue
        value = meta.get("value")
        if not isinstance(value, Mapping) or not value:
            return {}
        dated = [(_request_date(str(k)), str(k), v) for k, v in value.items()]
        requests = [(d, k, v) for d, k, v in dated if isinstance(v, Mapping)]
        if not requests:
            return {}
        epoch = datetime.min.replace(tzinfo=UTC)
        date, key, latest = max(requests, key=lambda item: (item[0] or epoch, item[1]))
        return {**latest, "_key": key, "_date": date}
    return None


def _request_date(key: str) -> datetime | None:
    try:
        return datetime.strptime(key, "%d-%m-%Y").replace(tzinfo=UTC)
    except ValueError:
        return None


def _return_state(
    order: Mapping[str, Any], statuses: Sequence[str], request: Mapping[str, Any] | None
) -> tuple[CaseStatus | None, Outcome | None] | None:
    """The return's status, or ``None`` when nothing says this order has a return."""
    raw = order.get("status")
    evidence = raw in statuses or raw in RETURN_FOLLOW_UP_STATUSES or request is not None
    if not evidence:
        return None
    if fully_refunded(order):  # the buyer has their money back, whatever the status says
        return CaseStatus.RESOLVED, Outcome.BUYER_FAVOR
    if raw in statuses:
        return CaseStatus.NEEDS_RESPONSE, None
    if raw in RETURN_FOLLOW_UP_STATUSES:
        return RETURN_FOLLOW_UP_STATUSES[raw]
    return RETURN_REQUEST_STATUSES.get(str((request or {}).get("status")), (None, None))


def return_snapshot(
    order: Mapping[str, Any],
    statuses: Sequence[str],
    meta_keys: Sequence[str] = RETURN_META_KEYS,
) -> CaseSnapshot | None:
    """The order's return case (one per order), or ``None`` when it has no return."""
    request = return_request(order, meta_keys)
    state = _return_state(order, statuses, request)
    if state is None:
        return None
    request = request or {}
    subject, text = _clean(request.get("subject")), _clean(request.get("reason"))
    currency = order.get("currency")
    return CaseSnapshot(
        platform=PLATFORM,
        object_type=RETURN_OBJECT,
        external_id=order_id(order),
        kind=CaseKind.RETURN,
        observed_at=observed_at(order),
        status=state[0],
        outcome=state[1],
        category=return_category(subject, text),
        platform_reason=subject,
        platform_status=_clean(order.get("status")),
        amount=money(request.get("amount"), currency) or money(order.get("total"), currency),
        refunded=refunded_total(order),
        order=order_value(order),
        buyer=order_buyer(order),
        opened_at=request.get("_date"),
        messages=_buyer_message(order, request, text),
    )


def _clean(value: Any) -> str | None:
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return str(value)
    return (value.strip() or None) if isinstance(value, str) else None


def _buyer_message(
    order: Mapping[str, Any], request: Mapping[str, Any], text: str | None
) -> tuple[Message, ...]:
    """The buyer's own words with the request: heard, and kept on the case."""
    if not text:
        return ()
    sent_at = request.get("_date") or observed_at(order)
    key = request.get("_key") or "request"
    return (Message(f"{order_id(order)}:return:{key}", Actor.BUYER, text, sent_at),)


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
