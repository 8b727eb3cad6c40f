"""Refunds: ``refundCreate`` for an order, ``returnProcess`` for a return's items.

The parent transactions and how much each can still give back come from Shopify's own
suggestion (``Order.suggestedRefund``, ``Return.suggestedFinancialOutcome``): an order paid
with two tenders (a card and a gift card, say) has two parents, and the amount is spread
across them in Shopify's order, each up to its ``maximumRefundableSet``. ``refundCreate``
carries Shopify's ``@idempotent`` key, so a retried refund returns the first one.
``returnProcess`` has none: before it runs, the return's processable quantities are read,
and a return with nothing left to process is not processed again. Amounts are decimal
strings with the currency's own minor units, in the order's presentment currency.
Pages: shopify.dev/docs/api/admin-graphql/2026-10/mutations/refundCreate,
.../mutations/returnProcess, .../objects/SuggestedOrderTransaction; checked 2026-12-04.
"""

from __future__ import annotations

from typing import Any

from disputeflow import ActionRequest, ActionResult, Case, MarketplaceError, Money
from disputeflow.plugins.shopify import queries
from disputeflow.plugins.shopify.client import ShopifyClient
from disputeflow.plugins.shopify.values import dig, gid, money_v2, numeric_id

Share = tuple[dict[str, Any], Money]  # a suggested transaction and what it refunds


def _check_currency(currency: Any, amount: Money, where: str) -> None:
    if currency and currency != amount.currency:
        raise MarketplaceError(
            f"{where} was paid in {currency}; a refund in {amount.currency} "
            "cannot be sent (Shopify refunds in the presentment currency)"
        )


def spread(amount: Money, suggested: list[dict[str, Any]], where: str) -> list[Share]:
    """``amount`` across the suggested parent transactions, each up to its maximum."""
    left, shares = amount, []
    for transaction in suggested:
        parent = dig(transaction, "parentTransaction", "id")
        cap = money_v2(dig(transaction, "maximumRefundableSet", "presentmentMoney")) or money_v2(
            dig(transaction, "amountSet", "presentmentMoney")
        )
        if not parent or cap is None or cap.currency != amount.currency or cap.value <= 0:
            continue
        share = cap if cap.value < left.value else left
        shares.append((transaction, share))
        left = left - share
        if left.value <= 0:
            return shares
    raise MarketplaceError(
        f"{where}: Shopify suggests at most {amount - left} to refund, not {amount}"
    )


def _order_id(case: Case) -> str:
    order_id = case.order.external_id if case.order else None
    if not order_id:
        raise MarketplaceError(f"case {case.id} names no Shopify order to refund")
    return order_id


def _amount(action: ActionRequest) -> Money:
    if action.amount is None:
        raise MarketplaceError("a refund needs an amount")
    return action.amount


def _suggested_refund(client: ShopifyClient, order_id: str) -> dict[str, Any]:
    variables = {"id": gid("Order", order_id), "lines": None, "full": True}
    order = client.graphql(queries.ORDER_SUGGESTED_REFUND, variables).get("order")
    if not isinstance(order, dict):
        raise MarketplaceError(f"Shopify has no order {order_id}", platform_status=404)
    return order


def refund_order(client: ShopifyClient, case: Case, action: ActionRequest) -> ActionResult:
    """``refundCreate`` for ``action.amount`` on the case's order, split over its tenders."""
    amount = _amount(action)
    order_id = _order_id(case)
    order = _suggested_refund(client, order_id)
    _check_currency(order.get("presentmentCurrencyCode"), amount, f"order {order_id}")
    suggested = dig(order, "suggestedRefund", "suggestedTransactions") or []
    shares = spread(amount, suggested, f"order {order_id}")
    refund_input = {
        "orderId": gid("Order", order_id),
        "currency": amount.currency,
        "notify": bool(action.params.get("notify", False)),
        "note": action.message or f"disputeflow {case.kind} {case.external_id}",
        "transactions": [
            {"orderId": gid("Order", order_id), "parentId": t["parentTransaction"]["id"],
             "kind": "REFUND", "gateway": t.get("gateway"), "amount": str(share.value)}
            for t, share in shares
        ],
    }  # fmt: skip
    query = queries.refund_create(action.idempotency_key)
    payload = client.mutate(query, {"input": refund_input}, "refundCreate")
    refund = payload.get("refund") or {}
    total = money_v2(dig(refund, "totalRefundedSet", "presentmentMoney")) or amount
    suggested = _money(order, "suggestedRefund", "amountSet")
    return ActionResult(
        external_id=numeric_id(refund.get("legacyResourceId") or refund.get("id")),
        message=f"refunded {total} on order {order_id}",
        refunded=total,
        data={"order_id": order_id, "transactions": len(shares),
              "suggested": str(suggested) if suggested else None},
    )  # fmt: skip


def _money(data: Any, *path: str) -> Money | None:
    """A ``MoneyBag``'s presentment half at ``path``."""
    return money_v2(dig(data, *path, "presentmentMoney"))


def _processable(client: ShopifyClient, return_id: str) -> tuple[dict[str, Any], list[Any]]:
    """The return and its lines with something left to process (every page of them)."""
    found: dict[str, Any] = {}
    lines: list[dict[str, Any]] = []
    after = None
    while True:
        data = client.graphql(queries.RETURN_PROCESSABLE, {"id": return_id, "after": after})
        node = data.get("return")
        if not isinstance(node, dict):
            raise MarketplaceError(f"Shopify has no return {return_id}", platform_status=404)
        found = found or node
        page = node.get("returnLineItems") or {}
        lines += [
            {"id": item["id"], "quantity": int(item["processableQuantity"])}
            for item in page.get("nodes") or ()
            if int(item.get("processableQuantity") or 0) > 0
        ]
        info = page.get("pageInfo") or {}
        after = info.get("endCursor") if info.get("hasNextPage") else None
        if not after:
            return found, lines


def _suggested_outcome(
    client: ShopifyClient, return_id: str, lines: list[dict[str, Any]]
) -> dict[str, Any]:
    variables = {"id": return_id, "lines": lines}
    data = client.graphql(queries.RETURN_SUGGESTED_OUTCOME, variables)
    transfer = dig(data, "return", "suggestedFinancialOutcome", "financialTransfer") or {}
    if transfer.get("__typename") != "RefundReturnOutcome":
        raise MarketplaceError(f"Shopify suggests no refund for return {return_id}")
    return transfer


def process_return(client: ShopifyClient, case: Case, action: ActionRequest) -> ActionResult:
    """``returnProcess``: confirm the returned quantities and refund ``action.amount``."""
    amount = _amount(action)
    return_id = gid("Return", case.external_id)
    found, lines = _processable(client, return_id)
    if not lines:  # processed before (by us, in a run that died before recording it, or by hand)
        return ActionResult(
            message="return already processed; nothing sent",
            data={"skipped": True, "return_status": found.get("status")},
        )
    where = f"return {case.external_id}"
    _check_currency(dig(found, "order", "presentmentCurrencyCode"), amount, where)
    transfer = _suggested_outcome(client, return_id, lines)
    shares = spread(amount, transfer.get("suggestedTransactions") or [], where)
    process_input = {
        "returnId": return_id,
        "returnLineItems": lines,
        "notifyCustomer": bool(action.params.get("notify", False)),
        "financialTransfer": {"issueRefund": {"orderTransactions": [
            {"parentId": t["parentTransaction"]["id"],
             "transactionAmount": {"amount": str(share.value), "currencyCode": share.currency}}
            for t, share in shares
        ]}},
    }  # fmt: skip
    payload = client.mutate(queries.PROCESS_RETURN, {"input": process_input}, "returnProcess")
    suggested = _money(transfer, "amount")
    return ActionResult(
        external_id=case.external_id,
        message=f"return processed, {amount} refunded",
        refunded=amount,
        data={"return_status": dig(payload, "return", "status"), "lines": len(lines),
              "transactions": len(shares), "suggested": str(suggested) if suggested else None},
    )  # fmt: skip
