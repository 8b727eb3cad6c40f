"""A Post-Order item-not-received inquiry (``GET inquiry/{id}`` or a search member).

An inquiry is the buyer's pre-dispute question ("where is my item?"): kind ``inquiry``,
category ``not_received``. ``sellerMakeItRightByDate`` is eBay's window for the seller
(three business days by eBay's rules, given here as a date). An inquiry escalated to a case
is in eBay's hands; the case is a claim of its own.
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
    Order,
    Outcome,
    Party,
    SnapshotError,
)
from disputeflow.plugins.ebay import mapping
from disputeflow.plugins.ebay.values import dig, money, text, time

PLATFORM = "ebay"
INR = "ITEM_NOT_RECEIVED"


def inquiry_snapshot(data: Mapping[str, Any], observed_at: datetime) -> CaseSnapshot:
    """One INR inquiry as eBay showed it at ``observed_at``."""
    inquiry_id = text(data.get("inquiryId"))
    if inquiry_id is None:
        raise SnapshotError("an eBay inquiry without inquiryId")
    raw_status = text(data.get("status")) or text(data.get("inquiryStatusEnum"))
    state = text(data.get("state"))
    status, outcome = _status(raw_status, state)
    buyer = text(data.get("buyer"))
    order_id = text(data.get("orderId"))
    return CaseSnapshot(
        platform=PLATFORM,
        object_type="inquiry",
        external_id=inquiry_id,
        kind=CaseKind.INQUIRY,
        observed_at=observed_at,
        status=status,
        outcome=outcome,
        category=Category.NOT_RECEIVED,
        platform_reason=INR,
        platform_status=raw_status,
        amount=money(data.get("claimAmount")),
        order=Order(external_id=order_id) if order_id else None,
        buyer=Party(external_id=buyer) if buyer else None,
        opened_at=time(dig(data, "inquiryDetails", "creationDate"))
        or time(data.get("creationDate")),
        deadlines=() if status is CaseStatus.RESOLVED else _deadlines(data),
        extra=_extra(data, state),
    )


def _status(raw: str | None, state: str | None) -> tuple[CaseStatus | None, Outcome | None]:
    status, outcome = mapping.INQUIRY_STATUSES.get(raw or "", (None, None))
    if status is CaseStatus.NEEDS_RESPONSE and state in mapping.INQUIRY_OPEN_STATES:
        return mapping.INQUIRY_OPEN_STATES[state], None
    if status is CaseStatus.RESOLVED:
        return status, mapping.INQUIRY_CLOSED_STATES.get(state or "")
    return status, outcome


def _deadlines(data: Mapping[str, Any]) -> tuple[Deadline, ...]:
    found = (
        (data.get("sellerMakeItRightByDate"), "ebay:seller_make_it_right_by"),
        (data.get("respondByDate"), "ebay:respond_by"),
        (dig(data, "inquiryDetails", "refundDeadlineDate"), "ebay:refund_deadline"),
    )
    deadlines = []
    for value, source in found:
        due = time(value)
        if due is not None:
            deadlines.append(Deadline(DeadlineKind.PLATFORM_RESPONSE, due, source, Actor.MERCHANT))
    return tuple(deadlines)


def _extra(data: Mapping[str, Any], state: str | None) -> dict[str, Any]:
    escalated = time(dig(data, "inquiryDetails", "escalationDate"))
    expires = time(dig(data, "inquiryDetails", "expirationDate"))
    extra = {
        "state": state,
        "item_id": text(data.get("itemId")),
        "transaction_id": text(data.get("transactionId")),
        "item_title": text(dig(data, "itemDetails", "itemTitle")),
        "escalated_at": escalated.isoformat() if escalated else None,
        "expires_at": expires.isoformat() if expires else None,
    }
    return {key: value for key, value in extra.items() if value is not None}
