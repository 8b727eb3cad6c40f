"""A Stripe dispute or early fraud warning as a case snapshot.

The snapshot is a function of the object and the moment it was seen: a webhook's event time
(``created`` of the signed event), or the start of the sync or the action that read it. A
dispute object has no "updated" time of its own, so the status's rank in a dispute's life is
the snapshot's ``revision``. Webhooks never expand the charge, so their snapshots name no order
and no buyer ("this object does not say"): the next sync, which expands it, fills them in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from disputeflow import (
    Actor,
    CaseKind,
    CaseSnapshot,
    CaseStatus,
    Category,
    Deadline,
    DeadlineKind,
    Evidence,
    Money,
    Outcome,
    SnapshotError,
    Stage,
)
from disputeflow.plugins.stripe.amounts import to_money
from disputeflow.plugins.stripe.mapping import (
    RESPONSE_DUE,
    STATUS_RANK,
    category_of,
    kind_of,
    status_of,
)
from disputeflow.plugins.stripe.objects import (
    buyer_of,
    expanded,
    metadata_value,
    object_id,
    order_of,
    payment_of,
    require_time,
    text,
    unix_time,
)

PLATFORM = "stripe"
DISPUTE = "dispute"
WARNING = "early_fraud_warning"
WARNING_OBJECT = "radar.early_fraud_warning"
# Evidence fields that hold the id of an uploaded file rather than text.
FILE_FIELDS = frozenset({
    "cancellation_policy", "customer_communication", "customer_signature",
    "duplicate_charge_documentation", "receipt", "refund_policy", "service_documentation",
    "shipping_documentation", "uncategorized_file",
})  # fmt: skip


def snapshot_of(
    item: Mapping[str, Any], observed_at: datetime, order_keys: Sequence[str]
) -> CaseSnapshot | None:
    """The snapshot of a dispute or early fraud warning; ``None`` for any other object."""
    if item.get("object") == DISPUTE:
        return dispute_snapshot(item, observed_at, order_keys)
    if item.get("object") == WARNING_OBJECT:
        return warning_snapshot(item, observed_at, order_keys)
    return None


def dispute_snapshot(
    dispute: Mapping[str, Any], observed_at: datetime, order_keys: Sequence[str]
) -> CaseSnapshot:
    """A dispute (webhook, list entry, or an action's answer) as a snapshot."""
    identifier = object_id(dispute.get("id"))
    if identifier is None:
        raise SnapshotError("a Stripe dispute without an id")
    raw_status, raw_reason = text(dispute.get("status")), text(dispute.get("reason"))
    kind, stage = kind_of(raw_status)
    status, outcome = status_of(raw_status)
    if status is CaseStatus.RESOLVED and outcome is None and _refunded_in_full(dispute):
        outcome = Outcome.BUYER_FAVOR  # the payment was refunded to close the inquiry
    amount = to_money(dispute.get("amount"), dispute.get("currency"))
    return CaseSnapshot(
        platform=PLATFORM,
        object_type=DISPUTE,
        external_id=identifier,
        kind=kind,
        observed_at=observed_at,
        revision=STATUS_RANK.get(raw_status or "", 0),
        status=status,
        outcome=outcome,
        stage=stage,
        category=category_of(raw_reason),
        platform_reason=raw_reason,
        network_reason_code=_network_reason_code(dispute),
        platform_status=raw_status,
        amount=amount,
        refunded=_refunded(dispute, amount),
        order=order_of(dispute, order_keys),
        buyer=buyer_of(dispute),
        opened_at=require_time(dispute.get("created"), "dispute created"),
        deadlines=_deadlines(dispute, raw_status),
        evidence=_evidence(dispute, identifier, observed_at),
        extra=_extra(dispute, dispute),
    )


def warning_snapshot(
    warning: Mapping[str, Any], observed_at: datetime, order_keys: Sequence[str]
) -> CaseSnapshot:
    """An early fraud warning (Visa TC40 / Mastercard SAFE report): an inquiry-kind case the
    merchant may answer by refunding before a dispute comes; ``actionable`` turns false once
    the payment is refunded or disputed. Every warning is a fraud report."""
    identifier = object_id(warning.get("id"))
    if identifier is None:
        raise SnapshotError("a Stripe early fraud warning without an id")
    actionable = warning.get("actionable")
    if not isinstance(actionable, bool):
        raise SnapshotError(f"early fraud warning {identifier}: actionable is not a boolean")
    charge, _ = payment_of(warning)
    resolved_outcome = Outcome.BUYER_FAVOR if charge.get("refunded") is True else None
    return CaseSnapshot(
        platform=PLATFORM,
        object_type=WARNING,
        external_id=identifier,
        kind=CaseKind.INQUIRY,
        observed_at=observed_at,
        revision=0 if actionable else 1,
        status=CaseStatus.NEEDS_RESPONSE if actionable else CaseStatus.RESOLVED,
        outcome=None if actionable else resolved_outcome,
        stage=Stage.INQUIRY,
        category=Category.FRAUD,
        platform_reason=text(warning.get("fraud_type")),
        platform_status="actionable" if actionable else "not_actionable",
        amount=to_money(charge.get("amount"), charge.get("currency")),
        refunded=_refunded(warning, None),
        order=order_of(warning, order_keys),
        buyer=buyer_of(warning),
        opened_at=require_time(warning.get("created"), "early fraud warning created"),
        extra=_extra(warning, charge),
    )


def _refunded_in_full(item: Mapping[str, Any]) -> bool:
    charge, _ = payment_of(item)
    return charge.get("refunded") is True


def _refunded(item: Mapping[str, Any], amount: Money | None) -> Money | None:
    """What the merchant refunded of the disputed charge (expanded charges only)."""
    charge, _ = payment_of(item)
    refunded = charge.get("amount_refunded")
    if not isinstance(refunded, int) or isinstance(refunded, bool) or refunded <= 0:
        return None
    money = to_money(refunded, charge.get("currency"))
    if money is None or (amount is not None and amount.currency != money.currency):
        return None  # disputed in another currency than charged: not comparable
    return money


def _network_reason_code(dispute: Mapping[str, Any]) -> str | None:
    details = expanded(dispute.get("payment_method_details"))
    card = expanded(details.get("card"))
    return text(card.get("network_reason_code")) or text(dispute.get("network_reason_code"))


def _deadlines(dispute: Mapping[str, Any], raw_status: str | None) -> tuple[Deadline, ...] | None:
    """The evidence deadline while a response is due (``due_by`` is 0 when the bank allows
    none); cleared once answered or closed; unknown statuses leave it as it was."""
    if raw_status not in STATUS_RANK:
        return None
    due = unix_time(expanded(dispute.get("evidence_details")).get("due_by"))
    if raw_status in RESPONSE_DUE and due is not None:
        return (Deadline(DeadlineKind.PLATFORM_RESPONSE, due, PLATFORM),)
    return ()


def _evidence(
    dispute: Mapping[str, Any], identifier: str, observed: datetime
) -> tuple[Evidence, ...]:
    """What was submitted to the bank (staged evidence is a draft, not evidence yet)."""
    count = expanded(dispute.get("evidence_details")).get("submission_count")
    fields = expanded(dispute.get("evidence"))
    if not (isinstance(count, int) and count > 0):
        return ()
    items = []
    for name, value in sorted(fields.items()):
        found = object_id(value) if name in FILE_FIELDS else text(value)
        if found is None:
            continue
        described = f"Stripe file {found}" if name in FILE_FIELDS else found[:2000]
        items.append(
            Evidence(f"{identifier}:{name}", Actor.MERCHANT, str(name), observed, described)
        )
    return tuple(items)


def _extra(item: Mapping[str, Any], priced: Mapping[str, Any]) -> dict[str, Any]:
    """Ids other channels can match the payment by (charge, PaymentIntent), what the card
    network calls the case, and Stripe's own figure for an amount Money cannot hold."""
    charge, intent = payment_of(item)
    extra: dict[str, Any] = {}
    amount, currency = priced.get("amount"), priced.get("currency")
    if isinstance(amount, int) and isinstance(currency, str) and to_money(amount, currency) is None:
        extra["stripe_amount"] = {"amount": amount, "currency": currency}
    for key, value in (
        ("charge_id", object_id(item.get("charge"))),
        (
            "payment_intent_id",
            object_id(item.get("payment_intent"))
            or object_id(intent)
            or object_id(charge.get("payment_intent")),
        ),
        ("site_url", metadata_value((charge, intent), ("site_url",))),
    ):
        if value is not None:
            extra[key] = value
    card = expanded(expanded(item.get("payment_method_details")).get("card"))
    for key in ("brand", "network", "case_type"):
        if text(card.get(key)):
            extra[f"card_{key}"] = text(card.get(key))
    if fees := _fees(item):
        extra["fees"] = fees
    return extra


def _fees(item: Mapping[str, Any]) -> list[dict[str, str]]:
    """What Stripe charged for the dispute, as it reports it: the ``fee`` of each of the
    dispute's ``balance_transactions`` (the withdrawal's dispute fee, and any reinstatement),
    summed per currency; none without a balance transaction (analytics then says so).
    https://docs.stripe.com/api/disputes/object (checked 2026-12-05)."""
    totals: dict[str, Money] = {}
    for transaction in item.get("balance_transactions") or ():
        if not isinstance(transaction, Mapping):
            continue
        fee = to_money(transaction.get("fee"), transaction.get("currency"))
        if fee is not None:
            totals[fee.currency] = totals.get(fee.currency, Money.zero(fee.currency)) + fee
    return [money.to_dict() for money in totals.values()]
