"""A buyer's order cancellation request (Post-Order ``cancellation``): a case of kind
``return`` (object type ``cancellation``).

A cancellation asks the seller to undo an order before it ships and the seller approves or
rejects it, exactly the decision a return asks for, so it needs no kind of its own:
``approve_return`` approves it and ``decline_return`` rejects it. eBay's Post-Order call
index (developer.ebay.com/devzone/post-order/index.html, checked 2026-12-04) still serves
Search, Get, Approve and Reject Cancellation (only the buyer's Confirm Cancellation Refund
was decommissioned, on 2026-03-02); Approve is signed for EU/UK sellers.

Shapes: ``GET cancellation/{cancelId}`` answers ``{"cancelDetail": CancelDetail}``, the
search ``{"cancellations": [CancelSummary], "paginationOutput"}``; ``cancelState``
(CancelStateEnum) says who acts, ``cancelStatus`` (CancelStatusEnum) how it ended.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from disputeflow import (
    ActionRequest,
    ActionResult,
    ActionType,
    Actor,
    Case,
    CaseKind,
    CaseSnapshot,
    CaseStatus,
    Category,
    Deadline,
    DeadlineKind,
    MarketplaceError,
    Order,
    Outcome,
    Party,
    SnapshotError,
)
from disputeflow.plugins.ebay.api import EbayApi, segment
from disputeflow.plugins.ebay.values import money, text, time

STATES: dict[str, CaseStatus] = {
    "INITIAL": CaseStatus.NEEDS_RESPONSE,
    "APPROVAL_PENDING": CaseStatus.NEEDS_RESPONSE,
    "REFUND_PENDING": CaseStatus.UNDER_REVIEW,
    "REFUND_INITIATED": CaseStatus.UNDER_REVIEW,
    "REFUND_FAILED_RETRY": CaseStatus.UNDER_REVIEW,
    "CONFIRM_REFUND_PENDING": CaseStatus.AWAITING_BUYER,
    "CLOSED": CaseStatus.RESOLVED,
}
OUTCOMES: dict[str, Outcome | None] = {
    "CANCEL_CLOSED_WITH_REFUND": Outcome.BUYER_FAVOR,
    "CANCEL_CLOSED_UNKNOWN_REFUND": Outcome.BUYER_FAVOR,
    "CANCEL_CLOSED_NO_REFUND": Outcome.BUYER_FAVOR,  # cancelled before payment: undone
    "CANCEL_CLOSED_FOR_COMMITMENT": Outcome.BUYER_FAVOR,
    "CANCEL_REJECTED": Outcome.MERCHANT_FAVOR,
    "INVALID": None,
}
DECIDABLE = frozenset({"INITIAL", "APPROVAL_PENDING"})


def _detail(data: Mapping[str, Any]) -> Mapping[str, Any]:
    inner = data.get("cancelDetail")
    return inner if isinstance(inner, Mapping) else data


def cancellation_snapshot(data: Mapping[str, Any], observed_at: datetime) -> CaseSnapshot:
    """One cancellation request as eBay showed it at ``observed_at``."""
    detail = _detail(data)
    cancel_id = text(detail.get("cancelId"))
    if cancel_id is None:
        raise SnapshotError("an eBay cancellation without cancelId")
    state, status_code = text(detail.get("cancelState")), text(detail.get("cancelStatus"))
    status = STATES.get(state or "")
    if status_code == "CANCEL_REJECTED":
        status = CaseStatus.RESOLVED
    outcome = OUTCOMES.get(status_code or "") if status is CaseStatus.RESOLVED else None
    buyer, order_id = text(detail.get("buyerLoginName")), text(detail.get("legacyOrderId"))
    due = time(detail.get("sellerResponseDueDate"))
    deadlines: tuple[Deadline, ...] = ()
    if due is not None and status is CaseStatus.NEEDS_RESPONSE:
        deadlines = (Deadline(DeadlineKind.PLATFORM_RESPONSE, due, "ebay:cancel_respond_by",
                              Actor.MERCHANT),)  # fmt: skip
    return CaseSnapshot(
        platform="ebay",
        object_type="cancellation",
        external_id=cancel_id,
        kind=CaseKind.RETURN,
        observed_at=observed_at,
        status=status,
        outcome=outcome,
        category=Category.CHANGED_MIND,
        platform_reason=text(detail.get("cancelReason")),
        platform_status=status_code or state,
        amount=money(detail.get("requestRefundAmount")),
        order=Order(external_id=order_id) if order_id else None,
        buyer=Party(external_id=buyer) if buyer else None,
        opened_at=time(detail.get("cancelRequestDate")),
        deadlines=deadlines,
        extra={"cancel_state": state} if state else {},
    )


class CancellationActions:
    """Approve or reject a buyer's cancellation request."""

    def __init__(self, api: EbayApi) -> None:
        self.api = api

    def perform(self, case: Case, action: ActionRequest) -> ActionResult:
        path = f"cancellation/{segment(case.external_id)}"
        current = _detail(self.api.post_order("GET", path).body or {})
        state = text(current.get("cancelState")) or "OTHER"
        approve = action.type is ActionType.APPROVE_RETURN
        if action.type not in (ActionType.APPROVE_RETURN, ActionType.DECLINE_RETURN):
            raise MarketplaceError(f"eBay cannot {action.type} a cancellation", transient=False)
        if state not in DECIDABLE:
            rejected = text(current.get("cancelStatus")) == "CANCEL_REJECTED"
            if rejected != approve:
                return ActionResult(message=f"already decided on eBay (cancellation is {state})")
            raise MarketplaceError(f"eBay's cancellation is {state}: too late to decide",
                                   transient=False)  # fmt: skip
        if approve:
            self.api.post_order("POST", f"{path}/approve", signed=True)
            return ActionResult(message="cancellation approved", data={"decision": "APPROVE"})
        body: dict[str, Any] = {}  # eBay wants {} when nothing was shipped
        if action.params.get("tracking_number"):
            body["trackingNumber"] = str(action.params["tracking_number"])
        if action.params.get("shipped_at"):
            body["shipmentDate"] = {"value": str(action.params["shipped_at"])}
        self.api.post_order("POST", f"{path}/reject", json=body)
        return ActionResult(message="cancellation rejected", data={"decision": "REJECT"})
