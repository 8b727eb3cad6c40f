"""Refunds of an order through the Fulfillment API, reconciled with ``getOrder`` first.

Post-Order ``casemanagement/{caseId}/issue_refund`` was decommissioned on 2026-03-02 (its
reference page and the Post-Order 2.8.0 release notes, checked 2026-12-04). A case is now
refunded, in full or in part, with Fulfillment ``issueRefund``
(``POST /sell/fulfillment/v1/order/{orderId}/issue_refund``, developer.ebay.com/api-docs/
sell/fulfillment/resources/order/methods/issueRefund, checked 2026-12-04: not deprecated,
supported in the sandbox, signed for EU/UK sellers). Its amounts are ``SimpleAmount``: the
value is a decimal *string*.

eBay processes the refund asynchronously and takes no idempotency key, so before every
attempt the order is read (``getOrder``, ``GET /sell/fulfillment/v1/order/{orderId}``) and a
refund of the same amount that did not fail, order-level or on a line item, counts as this
one: an attempt whose answer was lost is never sent twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from disputeflow import ActionResult, MarketplaceError, Money
from disputeflow.plugins.ebay.api import EbayApi, segment
from disputeflow.plugins.ebay.values import amount_text, dig, money, text

# ReasonForRefundEnum, by the case type being refunded.
REASONS = {"ITEM_NOT_RECEIVED": "ITEM_NOT_RECEIVED", "RETURN": "BUYER_RETURN"}
COMMENT_LIMIT = 100  # eBay's maximum length of ``comment``


def _refunds(order: Any) -> Iterator[tuple[str | None, Money | None, str | None]]:
    """``(refund id, amount, status)`` of every refund ``getOrder`` shows."""
    for refund in dig(order, "paymentSummary", "refunds") or []:
        yield (
            text(dig(refund, "refundId")),
            money(dig(refund, "amount")),
            text(dig(refund, "refundStatus")),
        )
    for item in dig(order, "lineItems") or []:
        for refund in dig(item, "refunds") or []:
            yield text(dig(refund, "refundId")), money(dig(refund, "amount")), None


def existing_refund(order: Any, amount: Money) -> str | None:
    """The id of a refund of ``amount`` on the order that did not fail, if there is one."""
    for refund_id, paid, status in _refunds(order):
        if paid == amount and status != "FAILED":
            return refund_id or "unknown id"
    return None


def refund_order(
    api: EbayApi,
    order_id: str,
    amount: Money,
    *,
    reason: str,
    comment: str | None,
) -> ActionResult:
    """Refund ``amount`` on the order, unless ``getOrder`` shows it already refunded."""
    path = f"fulfillment/v1/order/{segment(order_id)}"
    order = api.sell("GET", path).body
    done = existing_refund(order, amount)
    if done is not None:
        return ActionResult(external_id=None if done == "unknown id" else done,
                            message=f"already refunded on eBay (refund {done})",
                            refunded=amount, data={"refund_id": done})  # fmt: skip
    body: dict[str, Any] = {
        "reasonForRefund": reason,
        "orderLevelRefundAmount": {"value": amount_text(amount), "currency": amount.currency},
    }
    if comment:
        body["comment"] = comment[:COMMENT_LIMIT]
    answer = api.sell("POST", f"{path}/issue_refund", json=body, signed=True).body
    status = text(dig(answer, "refundStatus")) or "PENDING"
    if status == "FAILED":
        raise MarketplaceError("eBay answered refundStatus FAILED for the refund", transient=False)
    refund_id = text(dig(answer, "refundId"))
    return ActionResult(external_id=refund_id, message=f"refund {status}", refunded=amount,
                        data={"refund_id": refund_id, "refund_status": status})  # fmt: skip
