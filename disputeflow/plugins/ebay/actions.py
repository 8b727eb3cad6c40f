"""Merchant actions on Post-Order returns, inquiries, cases and cancellations.

eBay takes no idempotency key, so every action first reads the object: what is already
done (a refund issued, a decision made) is reported as done and never sent twice, and what
eBay no longer allows fails with eBay's state named. The object is read again afterwards,
so the case shows eBay's answer at once (a failed re-read never fails an action that eBay
carried out). Calls marked "signed" carry RFC 9421 signatures for EU/UK sellers.

| kind (object) | action | eBay call |
|---|---|---|
| return | approve_return | ``decide`` APPROVE, or ``params.decision`` (signed) |
| return | decline_return | ``decide`` DECLINE with the message as comments (signed) |
| return | refund | ``return/{id}/issue_refund``, eBay's itemised amounts as numbers (signed;
  ``params.mark_received``: ``mark_as_received`` first) |
| inquiry | accept, refund | ``inquiry/{id}/issue_refund`` (in full only; signed) |
| inquiry | contest | Order Inquiry API ``provideShipmentInfoForItemNotReceivedInquiry`` |
| case | accept, refund | Fulfillment ``issueRefund`` on the case's order (see refunds.py) |
| return (cancellation) | approve_return, decline_return | ``cancellation/{id}/approve``
  (signed) or ``/reject`` |
| return, inquiry | send_message | ``send_message`` |

A case has no "contest": ``casemanagement/{id}/provide_shipment_info`` is the buyer's
return tracking, and a seller appeals only after eBay decided, on a closed case.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from disputeflow import (
    ActionRequest,
    ActionResult,
    ActionType,
    Case,
    CaseSnapshot,
    MarketplaceError,
    Money,
)
from disputeflow.plugins.ebay.api import EbayApi, segment
from disputeflow.plugins.ebay.cancellations import CancellationActions
from disputeflow.plugins.ebay.inquiry_api import provide_tracking
from disputeflow.plugins.ebay.objects import fetch
from disputeflow.plugins.ebay.refunds import REASONS, refund_order
from disputeflow.plugins.ebay.values import amount_text, dig, money, text

SELLER_DECISIONS = frozenset(
    {"APPROVE", "OFFER_RETURN", "OFFER_RETURN_WITHOUT_LABEL", "PROVIDE_RMA",
     "OFFER_PARTIAL_REFUND"}
)  # fmt: skip
DECIDABLE_STATES = frozenset(
    {"INITIAL", "RETURN_REQUESTED", "RETURN_REQUEST_TIMEOUT", "RMA_PENDING",
     "REPLACEMENT_REQUESTED", "REPLACEMENT_REQUEST_TIMEOUT", "PARTIAL_REFUND_DECLINED"}
)  # fmt: skip
REFUNDED_STATES = frozenset(
    {"REFUND_INITIATED", "AUTO_REFUND_INITIATED", "PAYOUT_INITIATED",
     "REFUND_SENT_PENDING_CONFIRMATION", "ITEM_KEPT", "PARTIAL_REFUNDED",
     "PARTIAL_REFUND_INITIATED", "LESS_THAN_A_FULL_REFUND_ISSUED"}
)  # fmt: skip
# InquiryStateEnum (Post-Order 2.8.0): the seller's full refund is agreed or under way.
INQUIRY_REFUNDED_STATES = frozenset(
    {"FULL_REFUND_AGREED", "SELLER_ECHECK_FULL_REFUND_INITIATED",
     "VOLUNTARY_REFUND_PAYOUT_PENDING"}
)  # fmt: skip
CLOSED = frozenset({"CLOSED", "CS_CLOSED", "CLOSED_WITH_ESCALATION"})
PATHS = {"return": "return", "inquiry": "inquiry", "case": "casemanagement",
         "cancellation": "cancellation"}  # fmt: skip


def refuse(message: str) -> MarketplaceError:
    """A permanent failure the merchant must act on (never retried)."""
    return MarketplaceError(message, transient=False)


def check_params(case: Case, action: ActionRequest) -> str | None:
    """Why eBay cannot take ``action`` as asked, before anything is queued, or ``None``."""
    if case.object_type == "return" and action.type is ActionType.APPROVE_RETURN:
        return _check_decision(action)
    decisions = (ActionType.APPROVE_RETURN, ActionType.DECLINE_RETURN)
    if case.object_type == "cancellation" and action.type not in decisions:
        return "a cancellation request is only approved or rejected (eBay refunds it)"
    in_full = action.type in (ActionType.REFUND, ActionType.ACCEPT)
    partial = None not in (action.amount, case.amount) and action.amount != case.amount
    if case.object_type == "inquiry" and in_full and partial:
        return f"eBay refunds an inquiry in full only ({case.amount})"
    if action.type is ActionType.CONTEST and case.object_type == "inquiry":
        return _check_contest(action.params)
    if action.type is ActionType.CONTEST and case.object_type == "case":
        return "eBay takes no seller answer on a case: an appeal comes after eBay decides"
    return None


def _check_decision(action: ActionRequest) -> str | None:
    decision = str(action.params.get("decision", "APPROVE")).upper()
    if decision not in SELLER_DECISIONS:
        return f"decision must be one of {', '.join(sorted(SELLER_DECISIONS))}"
    if decision == "PROVIDE_RMA" and not action.params.get("rma_number"):
        return "PROVIDE_RMA needs params.rma_number"
    if decision == "OFFER_PARTIAL_REFUND" and action.amount is None:
        return "OFFER_PARTIAL_REFUND needs an amount"
    return None


def _check_contest(params: Mapping[str, Any]) -> str | None:
    if not (params.get("tracking_number") and params.get("carrier")):
        return "contest needs params.tracking_number and params.carrier (the shipment)"
    return None


def _text_body(message: str | None) -> dict[str, Any]:
    return {"content": message} if message else {}


class PostOrderActions:
    """Actions on one connection's returns, inquiries and cases."""

    def __init__(self, api: EbayApi) -> None:
        self.api = api

    def perform(self, case: Case, action: ActionRequest) -> ActionResult:
        problem = check_params(case, action)
        if problem:
            raise refuse(problem)
        if case.object_type == "cancellation":
            return CancellationActions(self.api).perform(case, action)
        current, _ = fetch(self.api, case.object_type, case.external_id)
        handler = {
            ("return", ActionType.APPROVE_RETURN): self._decide,
            ("return", ActionType.DECLINE_RETURN): self._decide,
            ("return", ActionType.REFUND): self._refund_return,
            ("inquiry", ActionType.REFUND): self._refund_claim,
            ("inquiry", ActionType.ACCEPT): self._refund_claim,
            ("case", ActionType.REFUND): self._refund_case,
            ("case", ActionType.ACCEPT): self._refund_case,
            ("inquiry", ActionType.CONTEST): self._tracking,
            ("return", ActionType.SEND_MESSAGE): self._message,
            ("inquiry", ActionType.SEND_MESSAGE): self._message,
        }.get((case.object_type, action.type))
        if handler is None:
            raise refuse(f"eBay cannot {action.type} a {case.object_type}")
        result = handler(case, action, current)
        return ActionResult(
            external_id=result.external_id,
            message=result.message,
            refunded=result.refunded,
            snapshot=self._reread(case),
            data=result.data,
        )

    def _post(self, case: Case, verb: str, body: Mapping[str, Any], signed: bool = False) -> Any:
        path = f"{PATHS[case.object_type]}/{segment(case.external_id)}/{verb}"
        return self.api.post_order("POST", path, json=dict(body), signed=signed).body

    def _reread(self, case: Case) -> CaseSnapshot | None:
        try:
            return fetch(self.api, case.object_type, case.external_id)[1]
        except MarketplaceError:
            return None  # eBay did it; the next poll or notification shows the new state

    def _decide(self, case: Case, action: ActionRequest, current: Any) -> ActionResult:
        state = text(dig(current, "summary", "state"))
        decline = action.type is ActionType.DECLINE_RETURN
        decision = "DECLINE" if decline else str(action.params.get("decision", "APPROVE")).upper()
        if state not in DECIDABLE_STATES:
            if (state == "RETURN_REJECTED") == decline and state not in CLOSED:
                return ActionResult(message=f"already decided on eBay (return is {state})")
            raise refuse(f"eBay's return is {state}: {decision} is no longer possible")
        body: dict[str, Any] = {"decision": decision}
        if comments := _text_body(action.message):
            body["comments"] = comments
        if decision == "PROVIDE_RMA":
            body["RMANumber"] = str(action.params["rma_number"])
        if decision == "OFFER_PARTIAL_REFUND" and action.amount is not None:
            body["partialRefundAmount"] = _amount(action.amount)
        self._post(case, "decide", body, signed=True)
        return ActionResult(message=f"return {decision.lower()}", data={"decision": decision})

    def _refund_return(self, case: Case, action: ActionRequest, current: Any) -> ActionResult:
        state = text(dig(current, "summary", "state"))
        if state in REFUNDED_STATES or dig(current, "detail", "refundInfo", "actualRefundDetail"):
            return ActionResult(message=f"already refunded on eBay (return is {state})")
        if state in CLOSED:
            raise refuse(f"eBay's return is {state}: it can no longer be refunded")
        assert action.amount is not None  # the flow requires an amount for a refund
        if action.params.get("mark_received") and state in ("ITEM_SHIPPED", "ITEM_DELIVERED"):
            self._post(case, "mark_as_received", {})
        body: dict[str, Any] = {"refundDetail": refund_detail(current, action.amount)}
        if comments := _text_body(action.message):
            body["comments"] = comments
        answer = self._post(case, "issue_refund", body, signed=True)
        status = text(dig(answer, "refundStatus")) or "PENDING"
        if status == "FAILED":
            raise refuse("eBay answered refundStatus FAILED for the return refund")
        return ActionResult(message=f"refund {status}", refunded=action.amount,
                            data={"refund_status": status})  # fmt: skip

    def _refund_claim(self, case: Case, action: ActionRequest, current: Any) -> ActionResult:
        status = text(dig(current, "status")) or text(dig(current, "caseStatusEnum"))
        state = text(dig(current, "state"))
        if state in INQUIRY_REFUNDED_STATES:  # an earlier attempt whose answer was lost
            return ActionResult(message=f"already refunded on eBay (inquiry is {state})")
        if status in CLOSED:
            raise refuse(f"eBay's {case.object_type} is {status}: nothing left to refund")
        answer = self._post(case, "issue_refund", {"comments": _text_body(action.message)}
                            if action.message else {}, signed=True)  # fmt: skip
        # VoluntaryRefundResponse: {"refundResult": {"refundSource", "refundStatus"}}
        result = text(dig(answer, "refundResult", "refundStatus"))
        if result == "FAILED":
            raise refuse(f"eBay answered refundStatus FAILED for the {case.object_type} refund")
        return ActionResult(message=f"refund issued ({result or 'accepted'})",
                            refunded=case.amount, data={"refund_result": result})  # fmt: skip

    def _refund_case(self, case: Case, action: ActionRequest, current: Any) -> ActionResult:
        status = text(dig(current, "status")) or text(dig(current, "caseStatusEnum"))
        if status in CLOSED:
            raise refuse(f"eBay's case is {status}: nothing left to refund")
        amount = action.amount or case.amount or money(dig(current, "claimAmount"))
        order_id = text(action.params.get("order_id")) or text(dig(current, "orderId"))
        if order_id is None and case.order is not None:
            order_id = case.order.external_id
        if amount is None or order_id is None:
            raise refuse("eBay names no order (or amount) for this case: pass params.order_id")
        reason = str(action.params.get("reason") or REASONS.get(
            text(dig(current, "caseType")) or "", "OTHER"))  # fmt: skip
        return refund_order(self.api, order_id, amount, reason=reason, comment=action.message)

    def _tracking(self, case: Case, action: ActionRequest, current: Any) -> ActionResult:
        params = action.params
        number, carrier = str(params["tracking_number"]), str(params["carrier"])
        status = provide_tracking(self.api, case.external_id, number, carrier)
        return ActionResult(message="tracking provided",
                            data={"tracking_number": number, "carrier": carrier,
                                  "inquiry_status": status})  # fmt: skip

    def _message(self, case: Case, action: ActionRequest, current: Any) -> ActionResult:
        self.message(case, action.message or "")
        return ActionResult(message="message sent")

    def message(self, case: Case, text: str) -> None:
        """A message to the buyer of a return or an inquiry."""
        self._post(case, "send_message", {"message": _text_body(text)})


def _amount(value: Money) -> dict[str, Any]:
    """A Post-Order ``Amount``: its value a JSON number with the currency's digits."""
    return {"value": Decimal(amount_text(value)), "currency": value.currency}


def refund_detail(current: Any, amount: Money) -> dict[str, Any]:
    """``refundDetail`` of a return refund: eBay's own itemised estimate (item price,
    original shipping, restocking fee ...) when the refund is the estimated total, else the
    whole amount as the purchase price."""
    estimate = dig(current, "detail", "refundInfo", "estimatedRefundDetail")
    items: list[tuple[str, Money]] = []
    for line in dig(estimate, "itemizedRefundDetail") or []:
        paid = money(dig(line, "refundAmount"))
        kind = text(dig(line, "refundFeeType"))
        if paid is None or kind is None or paid.currency != amount.currency:
            items = []
            break
        items.append((kind, paid))
    if not items or sum((paid.value for _, paid in items), Decimal(0)) != amount.value:
        items = [("PURCHASE_PRICE", amount)]
    lines = [{"refundFeeType": kind, "refundAmount": _amount(paid)} for kind, paid in items]
    return {"totalAmount": _amount(amount), "itemizedRefundDetail": lines}
