"""Merchant actions carried out on the store: refunds, notes to the buyer, and WooPayments'
accept and contest.

WooCommerce takes no idempotency key, so every write first reads what the store already
has: a refund carrying this action's key in its meta (the reason is the merchant's text
only: WooCommerce shows it to the customer in order totals and e-mails), an identical note
to the customer, a dispute already closed or already answered. A worker that died between the
call and the commit therefore never refunds twice: the retry finds its own refund.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from disputeflow import ActionRequest, ActionResult, ActionType, Case, MarketplaceError, Money
from disputeflow.plugins.woocommerce import dispute_actions, return_actions
from disputeflow.plugins.woocommerce.client import WooClient
from disputeflow.plugins.woocommerce.disputes import dispute_snapshot, read_dispute
from disputeflow.plugins.woocommerce.values import money

META_KEY = "disputeflow_idempotency_key"


def marker(key: str) -> str:
    """What refunds made by earlier versions carried in their reason (still recognised)."""
    return f"[disputeflow {key}]"


def order_of(case: Case) -> str:
    """The WooCommerce order a case is about."""
    if case.order is not None and case.order.external_id:
        return case.order.external_id
    if case.object_type == "return":
        return case.external_id
    raise MarketplaceError(f"case {case.id} names no WooCommerce order", transient=False)


def perform(
    client: WooClient, settings: Mapping[str, Any], case: Case, action: ActionRequest
) -> ActionResult:
    """Run one declared action (the caller has checked the capability)."""
    if action.type is ActionType.REFUND:
        return refund(client, settings, case, action)
    if action.type is ActionType.SEND_MESSAGE:
        return customer_note(client, case, action)
    if action.type in return_actions.ROUTES:
        return return_actions.perform(client, settings, case, action)
    if action.type is ActionType.ACCEPT:
        return accept(client, settings, case, action)
    if action.type is ActionType.CONTEST:
        return dispute_actions.contest(client, case, action, META_KEY)
    raise MarketplaceError(f"woocommerce cannot {action.type}", transient=False)


# -- refunds ----------------------------------------------------------------------------------


def refund(
    client: WooClient, settings: Mapping[str, Any], case: Case, action: ActionRequest
) -> ActionResult:
    """``POST /orders/{id}/refunds``, unless a refund of this action already exists."""
    if action.amount is None:
        raise MarketplaceError("a refund needs an amount", transient=False)
    order_id = order_of(case)
    existing = own_refund(client, order_id, action.idempotency_key)
    if existing is not None:
        return _refund_result(client, settings, case, order_id, existing, action.amount, True)
    created = client.post_json(f"orders/{order_id}/refunds", refund_body(settings, action))
    if not isinstance(created, Mapping):
        raise MarketplaceError("WooCommerce answered the refund without a refund", transient=True)
    return _refund_result(client, settings, case, order_id, created, action.amount, False)


def refund_body(settings: Mapping[str, Any], action: ActionRequest) -> dict[str, Any]:
    """Amount as a string with the currency's own decimals; the reason is the merchant's
    text only (the customer reads it), the idempotency key lives in the refund's meta."""
    assert action.amount is not None
    body: dict[str, Any] = {
        "amount": str(action.amount.value),
        "api_refund": bool(settings.get("api_refund", True)),
        "meta_data": [{"key": META_KEY, "value": action.idempotency_key}],
    }
    reason = (action.message or "").strip()
    if reason:
        body["reason"] = reason
    line_items = action.params.get("line_items")
    if isinstance(line_items, list) and line_items:
        body["line_items"] = line_items
        body["api_restock"] = bool(action.params.get("restock", False))
    return body


def own_refund(client: WooClient, order_id: str, key: str) -> Mapping[str, Any] | None:
    """This action's refund on the order, if an earlier attempt made it."""
    for page in client.pages(f"orders/{order_id}/refunds", {}):
        for item in page:
            if isinstance(item, Mapping) and _is_ours(item, key):
                return item
    return None


def _is_ours(refund: Mapping[str, Any], key: str) -> bool:
    """The key in the refund's meta; or, for refunds made before the key moved out of the
    reason, the old marker there."""
    metas: Iterable[Any] = refund.get("meta_data") or ()
    if any(isinstance(m, Mapping) and m.get("key") == META_KEY and m.get("value") == key
           for m in metas):  # fmt: skip
        return True
    reason = refund.get("reason")
    return isinstance(reason, str) and marker(key) in reason


def _refund_result(
    client: WooClient,
    settings: Mapping[str, Any],
    case: Case,
    order_id: str,
    made: Mapping[str, Any],
    asked: Money,
    recovered: bool,
) -> ActionResult:
    refunded = money(made.get("amount"), asked.currency, absolute=True) or asked
    snapshot = None
    if case.object_type == "return":
        snapshot = return_actions.fresh_return(client, settings, order_id)
    return ActionResult(
        external_id=str(made.get("id")) if made.get("id") is not None else None,
        message=f"refunded {refunded} on order {order_id}",
        refunded=refunded,
        snapshot=snapshot,
        data={"order_id": order_id, "recovered": recovered},
    )


# -- notes to the customer ----------------------------------------------------------------


def customer_note(client: WooClient, case: Case, action: ActionRequest) -> ActionResult:
    """A note the customer sees and is e-mailed (``customer_note: true``); an identical
    customer note already on the order is this action's own."""
    text = (action.message or "").strip()
    if not text:
        raise MarketplaceError("a message to the customer needs text", transient=False)
    order_id = order_of(case)
    for page in client.pages(f"orders/{order_id}/notes", {"type": "customer"}):
        for note in page:
            if isinstance(note, Mapping) and str(note.get("note", "")).strip() == text:
                return _note_result(note, order_id, recovered=True)
    created = client.post_json(f"orders/{order_id}/notes", {"note": text, "customer_note": True})
    return _note_result(created if isinstance(created, Mapping) else {}, order_id, False)


def _note_result(note: Mapping[str, Any], order_id: str, recovered: bool) -> ActionResult:
    return ActionResult(
        external_id=str(note["id"]) if note.get("id") is not None else None,
        message=f"note sent to the customer of order {order_id}",
        data={"order_id": order_id, "recovered": recovered},
    )


# -- WooPayments disputes ----------------------------------------------------------------------


def accept(
    client: WooClient, settings: Mapping[str, Any], case: Case, action: ActionRequest
) -> ActionResult:
    """A chargeback is closed (conceded). An inquiry is refunded in full through the gateway,
    as WooPayments' own screen does ("Issue refund"): closing it would read as a loss."""
    if not dispute_actions.is_inquiry(case):
        return dispute_actions.close(client, case)
    dispute_id = dispute_actions.dispute_id_of(case)
    current = read_dispute(client, dispute_id)
    amount = dispute_snapshot(current).amount or case.amount
    if amount is None:
        raise MarketplaceError(f"inquiry {dispute_id} states no amount to refund")
    gateway = {**settings, "api_refund": True}  # the charge itself must be refunded
    refund_action = replace(action, type=ActionType.REFUND, amount=amount)
    result = refund(client, gateway, case, refund_action)
    answer = dispute_actions.dispute_result(
        read_dispute(client, dispute_id), dispute_id, "accepted by a refund", recovered=False
    )
    return replace(result, snapshot=answer.snapshot, message=f"{result.message} ({answer.message})")


def veto(case: Case, action: ActionRequest) -> str | None:
    """Why the store would refuse this action, said before it is queued (or ``None``)."""
    if reason := return_actions.veto(case, action):
        return reason
    try:
        if action.type is ActionType.CONTEST:
            dispute_actions.evidence_fields(action)
        elif action.type in (ActionType.REFUND, ActionType.SEND_MESSAGE):
            order_of(case)
    except MarketplaceError as error:
        return error.message
    return None
