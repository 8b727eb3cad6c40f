"""A Post-Order case (``GET casemanagement/{id}`` or a search member): a claim eBay decides.

A case is an inquiry or a return escalated to eBay's customer service (or opened by the
buyer directly for an item not received): kind ``claim``. Its windows are deadlines: the
absolute dates eBay gives, and ``actionDeadlines`` day counts taken from the moment the
case was observed (calendar days, the earlier reading of eBay's unspecified "days"). A
decided appeal overrides the case's own closure reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from disputeflow import (
    Actor,
    CaseKind,
    CaseSnapshot,
    CaseStatus,
    Deadline,
    DeadlineKind,
    Order,
    Outcome,
    Party,
    SnapshotError,
    Stage,
)
from disputeflow.plugins.ebay import mapping
from disputeflow.plugins.ebay.values import dig, money, text, time

PLATFORM = "ebay"

# actionDeadlines day counts -> (who must act, deadline source).
DAY_COUNTS = {
    "daysToExpireWithoutResponse": (Actor.MERCHANT, "ebay:days_to_expire_without_response"),
    "daysToReturnItem": (Actor.BUYER, "ebay:days_to_return_item"),
    "daysForBuyerToProvideProofOfShipment": (Actor.BUYER, "ebay:days_for_proof_of_shipment"),
}


def case_snapshot(data: Mapping[str, Any], observed_at: datetime) -> CaseSnapshot:
    """One case as eBay showed it at ``observed_at``."""
    case_id = text(data.get("caseId"))
    if case_id is None:
        raise SnapshotError("an eBay case without caseId")
    raw_status = text(data.get("status")) or text(data.get("caseStatusEnum"))
    case_type = text(data.get("caseType"))
    status, outcome, stage = _status(data, raw_status)
    buyer, order_id = text(data.get("buyer")), text(data.get("orderId"))
    return CaseSnapshot(
        platform=PLATFORM,
        object_type="case",
        external_id=case_id,
        kind=CaseKind.CLAIM,
        observed_at=observed_at,
        status=status,
        outcome=outcome,
        stage=stage,
        category=mapping.CASE_TYPES.get(case_type or ""),
        platform_reason=text(data.get("escalateReason")) or case_type,
        platform_status=raw_status,
        amount=money(data.get("claimAmount")),
        order=Order(external_id=order_id) if order_id else None,
        buyer=Party(external_id=buyer) if buyer else None,
        opened_at=time(data.get("creationDate")) or time(dig(data, "caseDetails", "creationDate")),
        deadlines=() if status is CaseStatus.RESOLVED else _deadlines(data, observed_at),
        extra=_extra(data, case_type),
    )


def _status(
    data: Mapping[str, Any], raw: str | None
) -> tuple[CaseStatus | None, Outcome | None, Stage | None]:
    status, outcome = mapping.CASE_STATUSES.get(raw or "", (None, None))
    appeal = data.get("appealDetails")
    if not isinstance(appeal, Mapping) or not appeal.get("appealStatusEnum"):
        if status is CaseStatus.RESOLVED:
            reason = text(data.get("sellerClosureReason")) or text(data.get("buyerClosureReason"))
            outcome = mapping.CASE_CLOSE_REASONS.get(reason or "")
        return status, outcome, None
    decided = text(appeal.get("appealCloseReasonEnum"))
    if decided is None:
        return CaseStatus.UNDER_REVIEW, None, Stage.APPEAL
    return CaseStatus.RESOLVED, mapping.APPEAL_CLOSE_REASONS.get(decided), Stage.APPEAL


def _deadlines(data: Mapping[str, Any], observed_at: datetime) -> tuple[Deadline, ...]:
    merchant = Actor.MERCHANT
    found = [
        (time(data.get("respondByDate")), "ebay:respond_by", merchant),
        (time(dig(data, "caseDetails", "refundDeadlineDate")), "ebay:refund_deadline", merchant),
        (time(dig(data, "caseDetails", "expirationDate")), "ebay:case_expires", merchant),
    ]
    counts = data.get("actionDeadlines")
    for field, (party, source) in DAY_COUNTS.items():
        days = dig(counts, field)
        if isinstance(days, int) and not isinstance(days, bool) and days >= 0:
            found.append((observed_at + timedelta(days=days), source, party))
    return tuple(
        Deadline(DeadlineKind.PLATFORM_RESPONSE, due, source, party)
        for due, source, party in found
        if due is not None
    )


def _extra(data: Mapping[str, Any], case_type: str | None) -> dict[str, Any]:
    appeal = data.get("appealDetails")
    extra = {
        "case_type": case_type,
        "return_id": text(data.get("returnId")),
        "item_id": text(data.get("itemId")),
        "transaction_id": text(data.get("transactionId")),
        "initiator": text(data.get("initiator")),
        "escalated_by": text(data.get("escalatedBy")),
        "seller_closure_reason": text(data.get("sellerClosureReason")),
        "buyer_closure_reason": text(data.get("buyerClosureReason")),
        "eligible_for_appeal": dig(appeal, "eligibleForAppeal"),
        "appeal_status": text(dig(appeal, "appealStatusEnum")),
    }
    return {key: value for key, value in extra.items() if value is not None}
