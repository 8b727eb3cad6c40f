"""Merchant actions on Post-Order returns, inquiries and cases.

eBay takes no idempotency key, so every action first reads the object: what is already
done (a refund issued, a decision made) is reported as done and never sent twice, and what
eBay no longer allows fails with eBay's state named. Amounts go out as decimal strings with
the currency's own digits. The object is read again afterwards, so the case shows eBay's
answer at once (a failed re-read never fails an action that eBay carried out).

| kind (object) | action | eBay call |
|---|---|---|
| return | approve_return | ``decide`` APPROVE, or ``params.decision`` (OFFER_RETURN ...) |
| return | decline_return | ``decide`` DECLINE with the message as comments |
| return | refund | ``issue_refund`` (``params.mark_received``: ``mark_as_received`` first) |
| inquiry | accept, refund | ``issue_refund`` (eBay refunds an inquiry in full only) |
| inquiry | contest | ``provide_shipment_info`` (``params.tracking_number``, ``params.carrier``) |
| case | accept, refund | ``issue_refund`` (in full only) |
| case | contest | ``provide_shipment_info``, or ``appeal`` with ``params.appeal`` |
| return, inquiry | send_message | ``send_message`` |
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from disputeflow import (
    ActionRequest,
    ActionResult,
    ActionType,
    Case,
    CaseSnapshot,
    MarketplaceError,
)
from disputeflow.plugins.ebay.api import EbayApi, segment
from disputeflow.plugins.ebay.objects import fetch
from disputeflow.plugins.ebay.values import amount_text, dig, text

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
CLOSED = frozenset({"CLOSED", "CS_CLOSED", "CLOSED_WITH_ESCALATION"})
PATHS = {"return": "return", "inquiry": "inquiry", "case": "casemanagement"}


def refuse(message: str) -> MarketplaceError:
    """A permanent failure the merchant must act on (never retried)."""
    return MarketplaceError(message, transient=False)


def check_params(case: Case, action: ActionRequest) -> str | None:
    """Why eBay cannot take ``action`` as asked, before anything is queued, or ``None``."""
    if case.object_type == "return" and action.type is ActionType.APPROVE_RETURN:
        return _check_decision(action)
    claim = case.object_type in ("inquiry", "case")
    in_full = action.type in (ActionType.REFUND, ActionType.ACCEPT)
    partial = None not in (action.amount, case.amount) and action.amount != case.amount
    if claim and in_full and partial:
        return f"eBay refunds an {case.object_type} in full only ({case.amount})"
    if action.type is ActionType.CONTEST and case.object_type in ("inquiry", "case"):
        return _check_contest(case, action.params)
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


def _check_contest(case: Case, params: Mapping[str, Any]) -> str | None:
    if params.get("appeal"):
        return None if case.object_type == "case" else "only a case can be appealed"
    if not (params.get("tracking_number") and params.get("carrier")):
        return "contest needs params.tracking_number and params.carrier (or params.appeal)"
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
        current, _ = fetch(self.api, case.object_type, case.external_id)
        handler = {
            ("return", ActionType.APPROVE_RETURN): self._decide,
            ("return", ActionType.DECLINE_RETURN): self._decide,
            ("return", ActionType.REFUND): self._refund_return,
            ("inquiry", ActionType.REFUND): self._refund_claim,
            ("inquiry", ActionType.ACCEPT): self._refund_claim,
            ("case", ActionType.REFUND): self._refund_claim,
            ("case", ActionType.ACCEPT): self._refund_claim,
            ("inquiry", ActionType.CONTEST): self._contest,
            ("case", ActionType.CONTEST): self._contest,
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

    def _post(self, case: Case, verb: str, body: Mapping[str, Any]) -> Any:
        path = f"{PATHS[case.object_type]}/{segment(case.external_id)}/{verb}"
        return self.api.post_order("POST", path, json=dict(body)).body

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
            body["partialRefundAmount"] = {
                "value": amount_text(action.amount),
                "currency": action.amount.currency,
            }
        self._post(case, "decide", body)
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
        amount = {"value": amount_text(action.amount), "currency": action.amount.currency}
        body: dict[str, Any] = {
            "refundDetail": {
                "totalAmount": amount,
                "itemizedRefundDetail": [
                    {"refundFeeType": "PURCHASE_PRICE", "refundAmount": amount}
                ],
            }
        }
        if comments := _text_body(action.message):
            body["comments"] = comments
        answer = self._post(case, "issue_refund", body)
        status = text(dig(answer, "refundStatus")) or "PENDING"
        if status == "FAILED":
            raise refuse("eBay answered refundStatus FAILED for the return refund")
        return ActionResult(message=f"refund {status}", refunded=action.amount,
                            data={"refund_status": status})  # fmt: skip

    def _refund_claim(self, case: Case, action: ActionRequest, current: Any) -> ActionResult:
        status = text(dig(current, "status")) or text(dig(current, "caseStatusEnum"))
        if status in CLOSED:
            raise refuse(f"eBay's {case.object_type} is {status}: nothing left to refund")
        answer = self._post(case, "issue_refund", {"comments": _text_body(action.message)}
                            if action.message else {})  # fmt: skip
        result = text(dig(answer, "refundResult")) or text(dig(answer, "refundStatus"))
        return ActionResult(message=f"refund issued ({result or 'accepted'})",
                            refunded=case.amount, data={"refund_result": result})  # fmt: skip

    def _contest(self, case: Case, action: ActionRequest, current: Any) -> ActionResult:
        params = action.params
        if params.get("appeal"):
            self._post(case, "appeal", {"comments": _text_body(action.message or "appeal")})
            return ActionResult(message="appeal filed")
        body: dict[str, Any] = {
            "trackingNumber": str(params["tracking_number"]),
            "shippingCarrierName": str(params["carrier"]),
        }
        if case.object_type == "inquiry":
            body["shippedWithTracking"] = True
            if params.get("shipped_at"):
                body["shippingDate"] = {"value": str(params["shipped_at"])}
            if action.message:
                body["sellerComments"] = _text_body(action.message)
        self._post(case, "provide_shipment_info", body)
        return ActionResult(message="shipment info provided", data={"tracking": body})

    def _message(self, case: Case, action: ActionRequest, current: Any) -> ActionResult:
        self.message(case, action.message or "")
        return ActionResult(message="message sent")

    def message(self, case: Case, text: str) -> None:
        """A message to the buyer of a return or an inquiry."""
        self._post(case, "send_message", {"message": _text_body(text)})
