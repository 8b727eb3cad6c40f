"""A Fulfillment payment dispute (``GET payment_dispute/{id}`` or a summary) as a snapshot.

A payment dispute is the buyer's bank (or payment provider) pulling the money back: kind
``chargeback``. ``revision`` grows with every action on it and orders its snapshots; the
merchant's choices (``availableChoices``), the evidence each side gave, and eBay's
resolution are kept.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    Message,
    Order,
    Party,
    SnapshotError,
    Stage,
)
from disputeflow.plugins.ebay import mapping
from disputeflow.plugins.ebay.values import dig, money, text, time

PLATFORM = "ebay"


def dispute_snapshot(data: Mapping[str, Any], observed_at: datetime) -> CaseSnapshot:
    """One payment dispute as eBay showed it at ``observed_at``."""
    dispute_id = text(data.get("paymentDisputeId"))
    if dispute_id is None:
        raise SnapshotError("an eBay payment dispute without paymentDisputeId")
    raw_status, reason = text(data.get("paymentDisputeStatus")), text(data.get("reason"))
    status = mapping.DISPUTE_STATUSES.get(raw_status or "")
    closure = text(dig(data, "resolution", "reasonForClosure"))
    resolved = status is CaseStatus.RESOLVED
    buyer, order_id = text(data.get("buyerUsername")), text(data.get("orderId"))
    return CaseSnapshot(
        platform=PLATFORM,
        object_type="payment_dispute",
        external_id=dispute_id,
        kind=CaseKind.CHARGEBACK,
        observed_at=observed_at,
        revision=_revision(data.get("revision")),
        status=status,
        outcome=mapping.DISPUTE_OUTCOMES.get(closure or "") if resolved else None,
        stage=Stage.CHARGEBACK,
        category=mapping.DISPUTE_REASONS.get(reason, Category.OTHER) if reason else None,
        platform_reason=reason,
        platform_status=raw_status,
        amount=money(data.get("amount")),
        order=Order(external_id=order_id) if order_id else None,
        buyer=Party(external_id=buyer) if buyer else None,
        opened_at=time(data.get("openDate")),
        deadlines=() if resolved else _deadlines(data),
        evidence=_evidence(data),
        messages=_messages(dispute_id, data),
        extra=_extra(data, closure),
    )


def _revision(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _deadlines(data: Mapping[str, Any]) -> tuple[Deadline, ...]:
    deadlines = []
    due = time(data.get("respondByDate"))
    if due is not None:
        deadlines.append(Deadline(DeadlineKind.PLATFORM_RESPONSE, due, "ebay:respond_by"))
    requests = data.get("evidenceRequests")
    for request in requests if isinstance(requests, list) else []:
        due = time(dig(request, "respondByDate"))
        kind = text(dig(request, "evidenceType")) or "evidence"
        if due is not None:
            deadlines.append(
                Deadline(DeadlineKind.PLATFORM_RESPONSE, due, f"ebay:evidence_request:{kind}")
            )
    return tuple(deadlines)


def _evidence(data: Mapping[str, Any]) -> tuple[Evidence, ...]:
    items = []
    given = data.get("evidence")
    for evidence in given if isinstance(given, list) else []:
        evidence_id = text(dig(evidence, "evidenceId"))
        kind = (text(dig(evidence, "evidenceType")) or "other").lower()
        provided = time(dig(evidence, "providedDate"))
        files = dig(evidence, "files")
        for file in files if isinstance(files, list) else []:
            file_id = text(dig(file, "fileId"))
            at = time(dig(file, "uploadedDate")) or provided
            if evidence_id and file_id and at:
                items.append(
                    Evidence(f"{evidence_id}:{file_id}", Actor.MERCHANT, kind, at,
                             filename=text(dig(file, "name")),
                             content_type=text(dig(file, "fileType")))
                )  # fmt: skip
        tracking = dig(evidence, "shipmentTracking")
        if evidence_id and provided and isinstance(tracking, list) and tracking:
            numbers = ", ".join(
                f"{text(dig(t, 'shippingCarrierCode')) or '?'} "
                f"{text(dig(t, 'shipmentTrackingNumber')) or '?'}"
                for t in tracking
            )
            items.append(Evidence(evidence_id, Actor.MERCHANT, kind, provided, numbers))
    return tuple(items)


def _messages(dispute_id: str, data: Mapping[str, Any]) -> tuple[Message, ...]:
    note, opened = text(dig(data, "buyerProvided", "note")), time(data.get("openDate"))
    if note and opened:
        return (Message(f"{dispute_id}-buyer-note", Actor.BUYER, note, opened),)
    return ()


def _extra(data: Mapping[str, Any], closure: str | None) -> dict[str, Any]:
    choices = data.get("availableChoices")
    lines = data.get("lineItems")
    closed = time(data.get("closedDate"))
    extra = {
        "revision": _revision(data.get("revision")),
        "available_choices": [str(c) for c in choices] if isinstance(choices, list) else None,
        "seller_response": text(data.get("sellerResponse")),
        "reason_for_closure": closure,
        "protection_status": text(dig(data, "resolution", "protectionStatus")),
        "closed_at": closed.isoformat() if closed else None,
        "line_items": [
            {"itemId": text(dig(line, "itemId")), "lineItemId": text(dig(line, "lineItemId"))}
            for line in lines
            if isinstance(line, Mapping)
        ]
        if isinstance(lines, list)
        else None,
    }
    return {key: value for key, value in extra.items() if value is not None}
