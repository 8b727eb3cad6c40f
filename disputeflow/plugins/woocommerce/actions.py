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
from typing import Any

from disputeflow import ActionRequest, ActionResult, ActionType, Case, MarketplaceError, Money
from disputeflow.plugins.woocommerce.client import WooClient
from disputeflow.plugins.woocommerce.disputes import DISPUTES_PATH, dispute_snapshot, read_dispute
from disputeflow.plugins.woocommerce.mapping import (
    DEFAULT_RETURN_STATUSES,
    RESPONSE_DUE_STATUSES,
)
from disputeflow.plugins.woocommerce.returns import return_snapshot
from disputeflow.plugins.woocommerce.values import money

META_KEY = "disputeflow_idempotency_key"
UNDER_REVIEW_STATUSES = frozenset({"under_review", "warning_under_review"})
# Stripe's dispute evidence fields that take text (the others take uploaded file ids).
STRIPE_TEXT_FIELDS = frozenset({
    "access_activity_log", "billing_address", "cancellation_policy_disclosure",
    "cancellation_rebuttal", "customer_email_address", "customer_name", "customer_purchase_ip",
    "duplicate_charge_explanation", "duplicate_charge_id", "product_description",
    "refund_policy_disclosure", "refund_refusal_explanation", "service_date", "shipping_address",
    "shipping_carrier", "shipping_date", "shipping_tracking_number",
})  # fmt: skip


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
    if action.type is ActionType.ACCEPT:
        return accept(client, case)
    if action.type is ActionType.CONTEST:
        return contest(client, case, action)
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
        snapshot = _fresh_return(client, settings, order_id)
    return ActionResult(
        external_id=str(made.get("id")) if made.get("id") is not None else None,
        message=f"refunded {refunded} on order {order_id}",
        refunded=refunded,
        snapshot=snapshot,
        data={"order_id": order_id, "recovered": recovered},
    )


def _fresh_return(client: WooClient, settings: Mapping[str, Any], order_id: str) -> Any:
    """The return as the order now stands (best effort: the refund is done either way)."""
    try:
        order = client.get_json(f"orders/{order_id}")
    except MarketplaceError:
        return None
    statuses = settings.get("return_statuses") or DEFAULT_RETURN_STATUSES
    return return_snapshot(order, statuses) if isinstance(order, Mapping) else None


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


def _dispute_id(case: Case) -> str:
    if case.object_type != "dispute":
        raise MarketplaceError(f"case {case.id} is not a WooPayments dispute", transient=False)
    return case.external_id


def _metadata(dispute: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = dispute.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}


def _still_open(dispute: Mapping[str, Any], dispute_id: str, wanted: frozenset[str]) -> None:
    """Refuse an action the dispute no longer waits for, saying where it stands."""
    status = dispute.get("status")
    if status not in wanted:
        raise MarketplaceError(
            f"dispute {dispute_id} is {status} on WooPayments: nothing to answer any more",
            transient=False,
        )


def accept(client: WooClient, case: Case) -> ActionResult:
    """``POST /payments/disputes/{id}/close``: concede. A dispute this merchant already
    closed is the earlier attempt's result."""
    dispute_id = _dispute_id(case)
    current = read_dispute(client, dispute_id)
    if _metadata(current).get("__closed_by_merchant") == "1":
        return _dispute_result(current, dispute_id, "accepted", recovered=True)
    _still_open(current, dispute_id, RESPONSE_DUE_STATUSES | UNDER_REVIEW_STATUSES)
    closed = client.post_json(f"{DISPUTES_PATH}/{dispute_id}/close", {})
    return _dispute_result(closed, dispute_id, "accepted", recovered=False)


def contest(client: WooClient, case: Case, action: ActionRequest) -> ActionResult:
    """``POST /payments/disputes/{id}`` with the evidence and ``submit: true``. Evidence
    already submitted is the earlier attempt's result (WooPayments takes one submission)."""
    dispute_id = _dispute_id(case)
    evidence = evidence_fields(action)
    current = read_dispute(client, dispute_id)
    if _metadata(current).get("__evidence_submitted_at"):
        return _dispute_result(current, dispute_id, "contested", recovered=True)
    _still_open(current, dispute_id, RESPONSE_DUE_STATUSES)
    body = {"evidence": evidence, "submit": True, "metadata": {META_KEY: action.idempotency_key}}
    updated = client.post_json(f"{DISPUTES_PATH}/{dispute_id}", body)
    return _dispute_result(updated, dispute_id, "contested", recovered=False)


def evidence_fields(action: ActionRequest) -> dict[str, str]:
    """Stripe's text evidence fields: an evidence item whose ``kind`` names one fills it with
    its description; other items (with their links), and the message, go together into
    ``uncategorized_text``. File fields would need an upload to WooPayments first."""
    fields: dict[str, str] = {}
    notes = [action.message.strip()] if action.message and action.message.strip() else []
    for item in action.evidence:
        text = item.description.strip()
        if item.kind in STRIPE_TEXT_FIELDS and text and item.kind not in fields:
            fields[item.kind] = text
            continue
        line = " ".join(part for part in (f"{item.kind}:", text, item.url or "") if part)
        notes.append(line)
    if notes:
        fields["uncategorized_text"] = "\n\n".join(notes)
    if not fields:
        raise MarketplaceError("contesting needs evidence or a message", transient=False)
    return fields


def _dispute_result(dispute: Any, dispute_id: str, verb: str, *, recovered: bool) -> ActionResult:
    snapshot = None
    if isinstance(dispute, Mapping) and (dispute.get("id") or dispute.get("dispute_id")):
        snapshot = dispute_snapshot(dispute)
    return ActionResult(
        external_id=dispute_id,
        message=f"dispute {dispute_id} {verb}",
        snapshot=snapshot,
        data={"recovered": recovered},
    )


def veto(case: Case, action: ActionRequest) -> str | None:
    """Why the store would refuse this action, said before it is queued (or ``None``)."""
    try:
        if action.type is ActionType.CONTEST:
            evidence_fields(action)
        elif action.type in (ActionType.REFUND, ActionType.SEND_MESSAGE):
            order_of(case)
    except MarketplaceError as error:
        return error.message
    return None
