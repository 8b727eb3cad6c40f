"""A Post-Order return (``GET return/{id}`` or a ``return/search`` member) as a snapshot.

The state says who must act (mapping.RETURN_STATES); a closed return takes its outcome from
``closeInfo.returnCloseReason`` or, failing that, from the refund actually paid. An
escalated return is in eBay's hands (``under_review``): the case eBay opened is a claim of
its own, linked through ``extra.case_id``.
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
    Message,
    Money,
    Order,
    Outcome,
    Party,
    SnapshotError,
)
from disputeflow.plugins.ebay import mapping
from disputeflow.plugins.ebay.values import add_business_days, country, dig, money, text, time

PLATFORM = "ebay"
AUTHORS = {"BUYER": Actor.BUYER, "SELLER": Actor.MERCHANT}
REFUND_BUSINESS_DAYS = 2  # eBay: refund within 2 business days of receiving the return


def return_snapshot(data: Mapping[str, Any], observed_at: datetime) -> CaseSnapshot:
    """One return as eBay showed it at ``observed_at``."""
    summary, detail = _parts(data)
    return_id = text(summary.get("returnId"))
    if return_id is None:
        raise SnapshotError("an eBay return without returnId")
    state, raw_status = text(summary.get("state")), text(summary.get("status"))
    reason = text(dig(summary, "creationInfo", "reason"))
    amount, refunded = _money(summary, detail)
    status, outcome = _status(summary, detail, amount, refunded)
    return CaseSnapshot(
        platform=PLATFORM,
        object_type="return",
        external_id=return_id,
        kind=CaseKind.RETURN,
        observed_at=observed_at,
        status=status,
        outcome=outcome,
        category=mapping.RETURN_REASONS.get(reason, Category.OTHER) if reason else None,
        platform_reason=reason,
        platform_status=state or raw_status,
        amount=amount,
        refunded=refunded,
        order=_order(summary),
        buyer=_buyer(summary, detail),
        opened_at=time(dig(summary, "creationInfo", "creationDate")),
        deadlines=_deadlines(summary, detail, state),
        messages=_messages(return_id, summary, detail),
        extra=_extra(summary, detail),
    )


def _parts(data: Mapping[str, Any]) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    if isinstance(data.get("summary"), Mapping):
        detail = data.get("detail")
        return data["summary"], detail if isinstance(detail, Mapping) else {}
    return data, {}


def _money(
    summary: Mapping[str, Any], detail: Mapping[str, Any]
) -> tuple[Money | None, Money | None]:
    """The refund at stake in the seller's currency (the buyer's when eBay gives only that),
    and what was actually refunded, when it is in the same currency."""
    for side in ("sellerTotalRefund", "buyerTotalRefund"):
        amount = money(dig(summary, side, "estimatedRefundAmount"))
        if amount is not None:
            paid = money(dig(summary, side, "actualRefundAmount")) or money(
                dig(detail, "refundInfo", "actualRefundDetail", "actualRefund", "totalAmount")
            )
            if paid is None or paid.currency != amount.currency or not paid:
                return amount, None
            return amount, paid
    return None, None


def _status(
    summary: Mapping[str, Any],
    detail: Mapping[str, Any],
    amount: Money | None,
    refunded: Money | None,
) -> tuple[CaseStatus | None, Outcome | None]:
    """Who acts now; a close reason decides a closed return, an escalation hands it to eBay."""
    state, raw_status = summary.get("state"), summary.get("status")
    status, outcome = mapping.RETURN_STATES.get(
        str(state), mapping.RETURN_STATUSES.get(str(raw_status), (None, None))
    )
    reason = text(dig(detail, "closeInfo", "returnCloseReason"))
    if status is CaseStatus.RESOLVED and reason in mapping.RETURN_CLOSE_REASONS:
        return status, mapping.RETURN_CLOSE_REASONS[reason]
    escalated = raw_status == "ESCALATED" or dig(summary, "escalationInfo", "caseId")
    if escalated or reason == "ESCALATED":
        return CaseStatus.UNDER_REVIEW, None
    if status is CaseStatus.RESOLVED and outcome is None:
        return status, _outcome_from_refund(amount, refunded)
    return status, outcome


def _outcome_from_refund(amount: Money | None, refunded: Money | None) -> Outcome | None:
    if amount is None or refunded is None:
        return None
    return Outcome.BUYER_FAVOR if refunded >= amount else Outcome.PARTIAL


def _order(summary: Mapping[str, Any]) -> Order | None:
    order_id = text(summary.get("orderId"))
    return Order(external_id=order_id) if order_id else None


def _buyer(summary: Mapping[str, Any], detail: Mapping[str, Any]) -> Party | None:
    login = text(summary.get("buyerLoginName"))
    name = text(dig(detail, "buyerAddress", "name"))
    code = country(dig(detail, "buyerAddress", "address", "country"))
    if not (login or name or code):
        return None
    return Party(name=name, country=code, external_id=login)


def _deadlines(
    summary: Mapping[str, Any], detail: Mapping[str, Any], state: str | None
) -> tuple[Deadline, ...]:
    deadlines = []
    for side, party in (("sellerResponseDue", Actor.MERCHANT), ("buyerResponseDue", Actor.BUYER)):
        due = time(dig(summary, side, "respondByDate"))
        if due is not None:
            activity = text(dig(summary, side, "activityDue")) or "response"
            deadlines.append(
                Deadline(DeadlineKind.PLATFORM_RESPONSE, due, f"ebay:{activity}", party)
            )
    window = dig(summary, "escalationInfo", "buyerEscalationEligibilityInfo")
    if dig(window, "eligible") is True and (ends := time(dig(window, "endTime"))):
        deadlines.append(
            Deadline(DeadlineKind.PLATFORM_RESPONSE, ends, "ebay:buyer_escalation_window",
                     Actor.BUYER)
        )  # fmt: skip
    if state == "ITEM_DELIVERED" and not any(d.party is Actor.MERCHANT for d in deadlines):
        delivered = _delivered_at(detail)
        if delivered is not None:
            due = add_business_days(delivered, REFUND_BUSINESS_DAYS)
            deadlines.append(
                Deadline(DeadlineKind.PLATFORM_RESPONSE, due, "ebay:refund_2_business_days")
            )
    return tuple(deadlines)


def _delivered_at(detail: Mapping[str, Any]) -> datetime | None:
    history = detail.get("responseHistory")
    for entry in reversed(history if isinstance(history, list) else []):
        if isinstance(entry, Mapping) and entry.get("toState") == "ITEM_DELIVERED":
            return time(entry.get("creationDate"))
    return None


def _messages(
    return_id: str, summary: Mapping[str, Any], detail: Mapping[str, Any]
) -> tuple[Message, ...]:
    messages = []
    comment = text(dig(summary, "creationInfo", "comments", "content"))
    opened = time(dig(summary, "creationInfo", "creationDate"))
    if comment and opened:
        messages.append(Message(f"return-{return_id}-request", Actor.BUYER, comment, opened))
    history = detail.get("responseHistory")
    for entry in history if isinstance(history, list) else []:
        if not isinstance(entry, Mapping):
            continue
        notes, at = text(entry.get("notes")), time(entry.get("creationDate"))
        if notes and at:
            party = AUTHORS.get(str(entry.get("author")), Actor.PLATFORM)
            key = f"return-{return_id}-{at.isoformat()}-{entry.get('activity')}"
            messages.append(Message(key, party, notes, at))
    return tuple(messages)


def _extra(summary: Mapping[str, Any], detail: Mapping[str, Any]) -> dict[str, Any]:
    options = summary.get("sellerAvailableOptions")
    extra = {
        "state": text(summary.get("state")),
        "status": text(summary.get("status")),
        "return_type": text(summary.get("currentType")),
        "item_id": text(dig(summary, "creationInfo", "item", "itemId")),
        "transaction_id": text(dig(summary, "creationInfo", "item", "transactionId")),
        "case_id": text(dig(summary, "escalationInfo", "caseId")),
        "close_reason": text(dig(detail, "closeInfo", "returnCloseReason")),
        "rma_required": dig(summary, "returnPolicy", "RMARequired"),
        "seller_options": sorted(
            str(o["actionType"])
            for o in (options if isinstance(options, list) else [])
            if isinstance(o, Mapping) and o.get("actionType")
        ),
    }
    return {key: value for key, value in extra.items() if value not in (None, [])}
