"""Refunds: ``refundCreate`` with the outbox's idempotency key, and ``returnProcess``.

``refundCreate`` carries Shopify's ``@idempotent`` key, so a retried refund returns the
first one. ``returnProcess`` has no such key: before it runs, the return's processable
quantities are read, and a return with nothing left to process is not processed again.
Amounts are sent as decimal strings with the currency's own minor units, in the order's
presentment currency (the buyer's checkout currency).
"""

from __future__ import annotations

from typing import Any

from disputeflow import ActionRequest, ActionResult, Case, MarketplaceError, Money
from disputeflow.plugins.shopify import queries
from disputeflow.plugins.shopify.client import ShopifyClient
from disputeflow.plugins.shopify.values import dig, gid, money_v2, numeric_id

PAYMENT_KINDS = frozenset({"SALE", "CAPTURE"})


def _payment(client: ShopifyClient, order_id: str, amount: Money) -> dict[str, Any]:
    """The order's successful sale or capture to refund against, in the right currency."""
    order = client.graphql(queries.ORDER_PAYMENTS, {"id": gid("Order", order_id)}).get("order")
    if not isinstance(order, dict):
        raise MarketplaceError(f"Shopify has no order {order_id}", platform_status=404)
    currency = order.get("presentmentCurrencyCode")
    if currency and currency != amount.currency:
        raise MarketplaceError(
            f"order {order_id} was paid in {currency}; a refund in {amount.currency} "
            "cannot be sent (Shopify refunds in the presentment currency)"
        )
    payments = [
        t for t in order.get("transactions") or ()
        if t.get("kind") in PAYMENT_KINDS and t.get("status") == "SUCCESS"
    ]  # fmt: skip
    if not payments:
        raise MarketplaceError(f"order {order_id} has no successful payment to refund")
    return max(
        payments, key=lambda t: (money_v2(dig(t, "amountSet", "presentmentMoney")) or amount).value
    )


def _order_id(case: Case) -> str:
    order_id = case.order.external_id if case.order else None
    if not order_id:
        raise MarketplaceError(f"case {case.id} names no Shopify order to refund")
    return order_id


def _refund_lines(case: Case, action: ActionRequest) -> list[dict[str, Any]]:
    """Line items to restock: the return's own items when ``params.restock`` is set."""
    if not action.params.get("restock"):
        return []
    lines = case.extra.get("shopify_return_line_items") or []
    location = action.params.get("location_id")
    return [
        {"lineItemId": gid("LineItem", line["line_item_id"]), "quantity": int(line["quantity"]),
         "restockType": "RETURN", **({"locationId": gid("Location", location)} if location else {})}
        for line in lines if line.get("line_item_id") and line.get("quantity")
    ]  # fmt: skip


def refund_order(client: ShopifyClient, case: Case, action: ActionRequest) -> ActionResult:
    """``refundCreate`` for ``action.amount`` on the case's order."""
    amount = _amount(action)
    order_id = _order_id(case)
    payment = _payment(client, order_id, amount)
    refund_input: dict[str, Any] = {
        "orderId": gid("Order", order_id),
        "currency": amount.currency,
        "notify": bool(action.params.get("notify", False)),
        "note": action.message or f"disputeflow {case.kind} {case.external_id}",
        "transactions": [
            {"orderId": gid("Order", order_id), "parentId": payment["id"], "kind": "REFUND",
             "gateway": payment.get("gateway"), "amount": str(amount.value)}
        ],
    }  # fmt: skip
    lines = _refund_lines(case, action)
    if lines:
        refund_input["refundLineItems"] = lines
    query = queries.refund_create(action.idempotency_key)
    payload = client.mutate(query, {"input": refund_input}, "refundCreate")
    refund = payload.get("refund") or {}
    total = money_v2(dig(refund, "totalRefundedSet", "presentmentMoney")) or amount
    return ActionResult(
        external_id=numeric_id(refund.get("legacyResourceId") or refund.get("id")),
        message=f"refunded {total} on order {order_id}",
        refunded=total,
        data={"order_id": order_id, "restocked_lines": len(lines)},
    )


def _amount(action: ActionRequest) -> Money:
    if action.amount is None:
        raise MarketplaceError("a refund needs an amount")
    return action.amount


def process_return(client: ShopifyClient, case: Case, action: ActionRequest) -> ActionResult:
    """``returnProcess``: confirm the returned quantities and refund ``action.amount``."""
    amount = _amount(action)
    node = client.graphql(queries.RETURN_PROCESSABLE, {"id": gid("Return", case.external_id)})
    found = node.get("return")
    if not isinstance(found, dict):
        raise MarketplaceError(f"Shopify has no return {case.external_id}", platform_status=404)
    lines = [
        {"id": item["id"], "quantity": int(item["processableQuantity"])}
        for item in dig(found, "returnLineItems", "nodes") or ()
        if int(item.get("processableQuantity") or 0) > 0
    ]
    if not lines:  # processed before (by us, in a run that died before recording it, or by hand)
        return ActionResult(
            message="return already processed; nothing sent", data={"skipped": True}
        )
    order_id = numeric_id(dig(found, "order", "id")) or _order_id(case)
    payment = _payment(client, order_id, amount)
    process_input = {
        "returnId": gid("Return", case.external_id),
        "returnLineItems": lines,
        "notifyCustomer": bool(action.params.get("notify", False)),
        "financialTransfer": {"issueRefund": {"orderTransactions": [
            {"parentId": payment["id"],
             "transactionAmount": {"amount": str(amount.value), "currencyCode": amount.currency}}
        ]}},
    }  # fmt: skip
    payload = client.mutate(queries.PROCESS_RETURN, {"input": process_input}, "returnProcess")
    status = dig(payload, "return", "status")
    return ActionResult(
        external_id=case.external_id,
        message=f"return processed, {amount} refunded",
        refunded=amount,
        data={"return_status": status, "lines": len(lines)},
    )
