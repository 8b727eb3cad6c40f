"""Shopify Payments disputes -> CaseSnapshots (webhook and REST shape; GraphQL via
:func:`from_graphql`, which rewrites a ``ShopifyPaymentsDispute`` node into that shape)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from disputeflow import CaseKind, CaseSnapshot, Deadline, DeadlineKind, Order, Party, SnapshotError
from disputeflow.plugins.shopify import mapping
from disputeflow.plugins.shopify.values import dig, lower, money, money_v2, numeric_id, when

PLATFORM = "shopify"
OBJECT_TYPE = "dispute"


def snapshot(data: dict[str, Any], observed_at: datetime) -> CaseSnapshot:
    """One dispute as Shopify stated it at ``observed_at``."""
    external_id = numeric_id(data.get("id"))
    if not external_id:
        raise SnapshotError("Shopify dispute without an id")
    raw_type, raw_status, raw_reason = data.get("type"), data.get("status"), data.get("reason")
    status, outcome = mapping.dispute_status(raw_status)
    order_id = numeric_id(data.get("order_id"))
    return CaseSnapshot(
        platform=PLATFORM,
        object_type=OBJECT_TYPE,
        external_id=external_id,
        kind=mapping.DISPUTE_KINDS.get(mapping.key(raw_type), CaseKind.CHARGEBACK),
        observed_at=observed_at,
        status=status,
        outcome=outcome,
        stage=mapping.DISPUTE_STAGES.get(mapping.key(raw_type)),
        category=mapping.dispute_category(raw_reason),
        platform_reason=str(raw_reason) if raw_reason else None,
        network_reason_code=_text(data.get("network_reason_code")),
        platform_status=str(raw_status) if raw_status else None,
        amount=money(data.get("amount"), data.get("currency")),
        order=Order(external_id=order_id, name=data.get("order_name")) if order_id else None,
        buyer=_buyer(data.get("buyer")),
        opened_at=when(data.get("initiated_at"), "initiated_at"),
        deadlines=_deadlines(data),
        extra=_extra(data),
    )


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _deadlines(data: dict[str, Any]) -> tuple[Deadline, ...] | None:
    """``evidence_due_by`` is the merchant's response window; ``None`` if the body is silent."""
    if "evidence_due_by" not in data:
        return None
    due = when(data.get("evidence_due_by"), "evidence_due_by")
    return (Deadline(DeadlineKind.PLATFORM_RESPONSE, due, PLATFORM),) if due else ()


def _buyer(data: Any) -> Party | None:
    if not isinstance(data, dict) or not any(data.values()):
        return None
    return Party(**data)


def _extra(data: dict[str, Any]) -> dict[str, Any]:
    kept = {k: data.get(k) for k in ("type", "evidence_sent_on", "finalized_on") if data.get(k)}
    return {"shopify_dispute": kept} if kept else {}


def from_graphql(node: dict[str, Any]) -> dict[str, Any]:
    """A GraphQL ``ShopifyPaymentsDispute`` in the REST/webhook shape (enums lower-cased, so
    both paths keep one spelling of the raw values)."""
    amount = money_v2(node.get("amount"))
    order = node.get("order") or {}
    address = order.get("shippingAddress") or order.get("billingAddress") or {}
    return {
        "id": node.get("legacyResourceId") or numeric_id(node.get("id")),
        "order_id": order.get("legacyResourceId") or numeric_id(order.get("id")),
        "order_name": order.get("name"),
        "type": lower(node.get("type")),
        "amount": str(amount.value) if amount else None,
        "currency": amount.currency if amount else None,
        "reason": lower(dig(node, "reasonDetails", "reason")),
        "network_reason_code": dig(node, "reasonDetails", "networkReasonCode"),
        "status": lower(node.get("status")),
        "evidence_due_by": node.get("evidenceDueBy"),
        "evidence_sent_on": node.get("evidenceSentOn"),
        "finalized_on": node.get("finalizedOn"),
        "initiated_at": node.get("initiatedAt"),
        "buyer": {"country": address.get("countryCodeV2")} if address else None,
    }
