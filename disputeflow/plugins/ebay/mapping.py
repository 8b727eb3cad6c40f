"""eBay's values -> common values, one table each (documented in docs/platforms/ebay.md).

Sources: eBay's Post-Order enum pages (ReturnStateEnum, ReturnReasonEnum,
CloseReturnReasonEnum, InquiryStatusEnum, InquiryStateEnum, CaseStatusEnum,
CaseCloseReasonEnum, AppealCloseReasonEnum) and the Fulfillment payment-dispute enums
(DisputeStateEnum, DisputeReasonEnum, OutcomeEnum). A value missing from a table is never an
error: the status is ``None`` (the case keeps what it knew), the category ``other``, and the
raw value is kept in ``platform_status`` / ``platform_reason``.
"""

from __future__ import annotations

from disputeflow import CaseStatus, Category, Outcome

NEEDS = CaseStatus.NEEDS_RESPONSE
BUYER = CaseStatus.AWAITING_BUYER
REVIEW = CaseStatus.UNDER_REVIEW
RESOLVED = CaseStatus.RESOLVED

Status = tuple[CaseStatus, Outcome | None]

# -- returns ---------------------------------------------------------------------------

# summary.state (ReturnStateEnum). CLOSED takes its outcome from CLOSE_REASONS.
RETURN_STATES: dict[str, Status] = {
    "INITIAL": (NEEDS, None),
    "RETURN_REQUESTED": (NEEDS, None),
    "RETURN_REQUEST_TIMEOUT": (NEEDS, None),
    "RMA_PENDING": (NEEDS, None),
    "RETURN_LABEL_PENDING": (NEEDS, None),
    "RETURN_LABEL_PENDING_TIMEOUT": (NEEDS, None),
    "RETURN_LABEL_REQUESTED": (NEEDS, None),
    "RETURN_LABEL_REQUESTED_TIMEOUT": (NEEDS, None),
    "ITEM_READY_TO_SHIP": (BUYER, None),
    "ITEM_SHIPPED": (BUYER, None),
    "ITEM_DELIVERED": (NEEDS, None),
    "PARTIAL_REFUND_REQUESTED": (BUYER, None),
    "PARTIAL_REFUND_DECLINED": (NEEDS, None),
    "PARTIAL_REFUND_FAILED": (NEEDS, None),
    "PARTIAL_REFUND_INITIATED": (REVIEW, None),
    "PARTIAL_REFUND_NON_PAYPAL_INITIATED": (REVIEW, None),
    "PARTIAL_REFUND_AS_PAYOUT_INITIATED": (REVIEW, None),
    "LESS_THAN_A_FULL_REFUND_ISSUED": (BUYER, None),
    "REFUND_INITIATED": (REVIEW, None),
    "AUTO_REFUND_INITIATED": (REVIEW, None),
    "PAYOUT_INITIATED": (REVIEW, None),
    "REFUND_SENT_PENDING_CONFIRMATION": (BUYER, None),
    "REFUND_TIMEOUT": (NEEDS, None),
    "REPLACEMENT_REQUESTED": (NEEDS, None),
    "REPLACEMENT_REQUEST_TIMEOUT": (NEEDS, None),
    "REPLACEMENT_RMA_PENDING": (NEEDS, None),
    "REPLACEMENT_LABEL_REQUESTED": (NEEDS, None),
    "REPLACEMENT_LABEL_REQUESTED_TIMEOUT": (NEEDS, None),
    "REPLACEMENT_STARTED": (BUYER, None),
    "REPLACEMENT_SHIPPED": (BUYER, None),
    "REPLACEMENT_DELIVERED": (BUYER, None),
    "REPLACED": (RESOLVED, None),
    "REPLACEMENT_CLOSED": (RESOLVED, None),
    "ITEM_KEPT": (RESOLVED, Outcome.BUYER_FAVOR),
    "PARTIAL_REFUNDED": (RESOLVED, Outcome.PARTIAL),
    "RETURN_REJECTED": (RESOLVED, Outcome.MERCHANT_FAVOR),
    "CLOSED": (RESOLVED, None),
}

# summary.status (ReturnStatusEnum), consulted when the state is missing or unknown.
RETURN_STATUSES: dict[str, Status] = {
    "RETURN_REQUESTED": (NEEDS, None),
    "RETURN_REQUESTED_TIMEOUT": (NEEDS, None),
    "WAITING_FOR_RMA": (NEEDS, None),
    "WAITING_FOR_RETURN_LABEL": (NEEDS, None),
    "RETURN_LABEL_REQUESTED": (NEEDS, None),
    "READY_FOR_SHIPPING": (BUYER, None),
    "ITEM_SHIPPED": (BUYER, None),
    "ITEM_DELIVERED": (NEEDS, None),
    "PARTIAL_REFUND_REQUESTED": (BUYER, None),
    "PARTIAL_REFUND_DECLINED": (NEEDS, None),
    "PARTIAL_REFUND_FAILED": (NEEDS, None),
    "PARTIAL_REFUND_INITIATED": (REVIEW, None),
    "LESS_THAN_A_FULL_REFUND_ISSUED": (BUYER, None),
    "ESCALATED": (REVIEW, None),
    "RETURN_REJECTED": (RESOLVED, Outcome.MERCHANT_FAVOR),
    "REPLACED": (RESOLVED, None),
    "REPLACEMENT_CLOSED": (RESOLVED, None),
    "CLOSED": (RESOLVED, None),
}

# detail.closeInfo.returnCloseReason (CloseReturnReasonEnum) -> how a closed return ended.
# ESCALATED is not an end: eBay decides in the case it opened (status under_review).
RETURN_CLOSE_REASONS: dict[str, Outcome | None] = {
    "FULL_REFUNDED": Outcome.BUYER_FAVOR,
    "AUTO_REFUNDED": Outcome.BUYER_FAVOR,
    "FULL_REFUNDED_BY_DISPOSITION_RULE": Outcome.BUYER_FAVOR,
    "MARK_REFUND_RECEIVED": Outcome.BUYER_FAVOR,
    "MARK_REFUND_RECEIVED_TIMEOUT": Outcome.BUYER_FAVOR,
    "REFUND_TIMEOUT": Outcome.BUYER_FAVOR,
    "BUYER_PAYOUT": Outcome.BUYER_FAVOR,
    "STORE_CREDIT_REFUNDED": Outcome.BUYER_FAVOR,
    "SELLER_INVOICED": Outcome.BUYER_FAVOR,
    "PARTIALLY_REFUNDED": Outcome.PARTIAL,
    "AUTO_PARTIAL_REFUNDED": Outcome.PARTIAL,
    "MARK_PARTIAL_REFUND_RECEIVED": Outcome.PARTIAL,
    "BUYER_ACCEPT_LESS_THAN_FULL_REFUND": Outcome.PARTIAL,
    "BUYER_ACCEPT_LESS_THAN_FULL_REFUND_AS_PAYOUT": Outcome.PARTIAL,
    "BUYER_PARTIAL_REFUND_AS_PAYOUT": Outcome.PARTIAL,
    "REQUEST_DECLINED": Outcome.MERCHANT_FAVOR,
    "RETURN_REJECTED": Outcome.MERCHANT_FAVOR,
    "BUYER_CLOSED": Outcome.WITHDRAWN,
    "BUYER_NO_ACTION": Outcome.WITHDRAWN,
    "REQUEST_TIMEOUT": Outcome.WITHDRAWN,
    "SHIPMENT_TIMEOUT": Outcome.WITHDRAWN,
    "REPLACED": None,
    "REPLACEMENT_PAYOUT_RECOUP": None,
    "BUYER_PAYOUT_FAILED": None,
    "SELLER_PAYOUT_FAILED": None,
    "OTHER": None,
}

# creationInfo.reason (ReturnReasonEnum).
RETURN_REASONS: dict[str, Category] = {
    "ARRIVED_DAMAGED": Category.DAMAGED,
    "DEFECTIVE_ITEM": Category.DEFECTIVE,
    "EXPIRED_ITEM": Category.DEFECTIVE,
    "DIFFERENT_FROM_LISTING": Category.NOT_AS_DESCRIBED,
    "NOT_AS_DESCRIBED": Category.NOT_AS_DESCRIBED,
    "FAKE_OR_COUNTERFEIT": Category.NOT_AS_DESCRIBED,
    "ORDERED_DIFFERENT_ITEM": Category.WRONG_ITEM,
    "MISSING_PARTS": Category.MISSING_PARTS,
    "WRONG_SIZE": Category.SIZE_FIT,
    "DOES_NOT_FIT": Category.SIZE_FIT,
    "NO_LONGER_NEED_ITEM": Category.CHANGED_MIND,
    "NO_REASON": Category.CHANGED_MIND,
    "ORDERED_ACCIDENTALLY": Category.CHANGED_MIND,
    "ORDERED_WRONG_ITEM": Category.CHANGED_MIND,
    "FOUND_BETTER_PRICE": Category.CHANGED_MIND,
    "RETURNING_GIFT": Category.CHANGED_MIND,
    "BUYER_CANCEL_ORDER": Category.CHANGED_MIND,
    "ARRIVED_LATE": Category.OTHER,
    "OUT_OF_STOCK": Category.OTHER,
    "IN_STORE_RETURN": Category.OTHER,
    "CUSTOMIZED": Category.OTHER,
    "OTHER": Category.OTHER,
}

# -- item-not-received inquiries -------------------------------------------------------

INQUIRY_STATUSES: dict[str, Status] = {
    "OPEN": (NEEDS, None),
    "WAITING_SELLER_RESPONSE": (NEEDS, None),
    "WAITING_BUYER_RESPONSE": (BUYER, None),
    "PENDING": (REVIEW, None),
    "CLOSED_WITH_ESCALATION": (REVIEW, None),  # eBay decides, in the case it opened
    "CLOSED": (RESOLVED, None),
    "CS_CLOSED": (RESOLVED, None),
}

# state (InquiryStateEnum): refines an open inquiry, and tells how a closed one ended.
INQUIRY_OPEN_STATES: dict[str, CaseStatus] = {
    "TRACKING_PROVIDED": BUYER,
    "SHIPPING_INFO_PROVIDED": BUYER,
    "PARTIAL_REFUND_OFFERED": BUYER,
    "FULL_REFUND_AGREED": REVIEW,
    "ON_HOLD_FOR_UPLOAD": REVIEW,
}
INQUIRY_CLOSED_STATES: dict[str, Outcome] = {
    "FULL_REFUND_AGREED": Outcome.BUYER_FAVOR,
    "SELLER_ECHECK_FULL_REFUND_INITIATED": Outcome.BUYER_FAVOR,
    "VOLUNTARY_REFUND_PAYOUT_PENDING": Outcome.BUYER_FAVOR,
    "AUTO_DISPOSE_MONEY_MOVEMENT_PENDING": Outcome.BUYER_FAVOR,
    "PARTIAL_REFUND_ACCEPTED": Outcome.PARTIAL,
    "SELLER_ECHECK_PARTIAL_REFUND_INITIATED": Outcome.PARTIAL,
}

# -- cases (eBay decides) --------------------------------------------------------------

CASE_STATUSES: dict[str, Status] = {
    "OPEN": (NEEDS, None),
    "REFUND_AGREED_BUT_FAILED": (NEEDS, None),
    "WAITING_DELIVERY": (BUYER, None),
    "WAITING_CS": (REVIEW, None),
    "ON_HOLD": (REVIEW, None),
    "CLOSED": (RESOLVED, None),
    "CS_CLOSED": (RESOLVED, None),
}

_B, _M, _P, _W = Outcome.BUYER_FAVOR, Outcome.MERCHANT_FAVOR, Outcome.PARTIAL, Outcome.WITHDRAWN

# sellerClosureReason / buyerClosureReason (CaseCloseReasonEnum, all 40 values).
CASE_CLOSE_REASONS: dict[str, Outcome | None] = {
    "AGENT_CLOSE_FOR_BUYER": _B,
    "AGENT_CLOSE_FOR_SELLER": _M,
    "AGENT_CLOSE_FOR_EBAY": None,
    "AUTO_DISPOSE_BUYER_WIN_NO_SELLER_FAULT": _B,
    "AUTO_DISPOSE_SELLER_WIN_BUYER_FAULT": _M,
    "BUYER_CLOSE": _W,
    "BUYER_CONFIRM_FULL_REFUND_NPP": _B,
    "BUYER_CONFIRM_FULL_REFUND_PP": _B,
    "BUYER_CONFIRM_PARTIAL_REFUND_NPP": _P,
    "BUYER_CONFIRM_PARTIAL_REFUND_PP": _P,
    "BUYER_REFUNDED": _B,
    "BUYER_WINS_DESTROY_ITEM": _B,
    "BUYER_WINS_NO_ITEM_RETURNS": _B,
    "BUYER_WINS_NO_SELLER_FAULT": _B,
    "BUYER_WINS_NO_SELLER_FAULT_FOR_FORCED_RETURN": _B,
    "BUYER_WINS_NO_SELLER_FAULT_PARTIAL_CREDIT": _B,
    "BUYER_WINS_SELLER_FAULT": _B,
    "BUYER_WINS_SELLER_FAULT_BUYER_RETURNS_ITEM": _B,
    "BUYER_WINS_SELLER_FAULT_FOR_FORCED_RETURN": _B,
    "BUYER_WINS_SELLER_FAULT_NO_CREDIT": _B,
    "CLOSED_CS_CLOSE": None,
    "ECHECK_TIMEOUT": None,
    "ESCALATE_CS_AUTO_DISPOSE_BUYER_WINS_NO_SELLER_FAULT_NO_CREDIT": _B,
    "ESCALATE_CS_AUTO_DISPOSE_BUYER_WIN_SELLER_FAULT": _B,
    "ESCALATE_CS_AUTO_DISPOSE_BUYER_WIN_SELLER_FAULT_NO_RECOUP": _B,
    "ESCALATE_CS_AUTO_DISPOSE_SELLER_WIN_BUYER_FAULT": _M,
    "EXPIRE_AFTER_ENTER_TRACKING_FOR_FORCED_RETURN": None,
    "EXPIRE_ENTER_TRACKING_AFTER_CS_DECISION": None,
    "ITEM_DELIVERED_FOR_FORCED_RETURN": None,
    "NO_SELLER_FAULT_BUYER_DESTROYS_ITEM": _B,
    "NO_SELLER_FAULT_BUYER_RETURNS_ITEM": _B,
    "OTHER": None,
    "PAYMENT_PROCESSOR_CLAIM_FILED": None,
    "RETURN_TRACKING_DELIVERED": None,
    "SELLER_FULL_REFUND_PP": _B,
    "SELLER_PARTIAL_REFUND_PP": _P,
    "SELLER_WINS_BUYER_FAULT": _M,
    "SELLER_WINS_BUYER_FAULT_FOR_FORCED_RETURN": _M,
    "UNDEFINED": None,
}

# appealDetails.appealCloseReasonEnum: a decided appeal overrides the case's closure.
# A party appeals only a decision against it, so "denied" keeps the other party's win.
APPEAL_CLOSE_REASONS: dict[str, Outcome | None] = {
    "APPEAL_BUYER_DENIED": _M,
    "APPEAL_BUYER_WINS": _B,
    "APPEAL_BUYER_WINS_PARTIAL_CREDIT": _B,
    "APPEAL_SELLER_DENIED": _B,
    "APPEAL_SELLER_WINS_FULL_CREDIT": _M,
    "APPEAL_SELLER_WINS_FULL_CREDIT_CANCEL_RECOUP": _M,
    "APPEAL_SELLER_WINS_PARTIAL_CREDIT": _P,
    "OTHER": None,
}

# caseType: an escalated return says nothing of its reason here (the return does).
CASE_TYPES: dict[str, Category] = {"ITEM_NOT_RECEIVED": Category.NOT_RECEIVED}

# -- payment disputes (Fulfillment API) ------------------------------------------------

DISPUTE_STATUSES: dict[str, CaseStatus] = {
    "OPEN": REVIEW,  # "no seller action needed"
    "ACTION_NEEDED": NEEDS,
    "CLOSED": RESOLVED,
}

DISPUTE_OUTCOMES: dict[str, Outcome] = {
    "SELLER_WON": Outcome.MERCHANT_FAVOR,
    "SELLER_LOST": Outcome.BUYER_FAVOR,
    "SELLER_ACCEPT": Outcome.BUYER_FAVOR,
}

DISPUTE_REASONS: dict[str, Category] = {
    "FRAUD": Category.FRAUD,
    "ITEM_NOT_RECEIVED": Category.NOT_RECEIVED,
    "SIGNIFICANTLY_NOT_AS_DESCRIBED": Category.NOT_AS_DESCRIBED,
    "COUNTERFEIT": Category.NOT_AS_DESCRIBED,
    "CREDIT_NOT_PROCESSED": Category.CREDIT_NOT_PROCESSED,
    "RETURN_REFUND_NOT_PROCESSED": Category.CREDIT_NOT_PROCESSED,
    "CANCELLATION": Category.CREDIT_NOT_PROCESSED,
    "DUPLICATE_AMOUNT": Category.DUPLICATE_CHARGE,
    "INCORRECT_AMOUNT": Category.INCORRECT_AMOUNT,
    "TRANSACTION_ISSUE": Category.PROCESSING_ERROR,
    "AUTHORIZATION_FAILED": Category.PROCESSING_ERROR,
}
