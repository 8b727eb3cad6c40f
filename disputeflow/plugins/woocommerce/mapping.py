"""WooCommerce and WooPayments values -> common values, one table each.

Sources: WooPayments ``client/types/disputes.d.ts`` (reasons, statuses), Stripe's dispute
lifecycle (``warning_*`` statuses are inquiries), DESIGN.md section 4 (the Shopify mapping of
the same Stripe reasons), and the WPSwings returns plugin (order statuses). The full tables
are documented in ``docs/platforms/woocommerce.md``. Unknown values never crash: a reason maps
to ``other``, a status to ``None`` (the case keeps its last known status), and the raw value
is kept by the caller.
"""

from __future__ import annotations

import re

from disputeflow import CaseKind, CaseStatus, Category, Outcome, Stage

StatusOutcome = tuple[CaseStatus, Outcome | None]

# -- WooPayments disputes ---------------------------------------------------------------

DISPUTE_STATUSES: dict[str, StatusOutcome] = {
    "warning_needs_response": (CaseStatus.NEEDS_RESPONSE, None),
    "warning_under_review": (CaseStatus.UNDER_REVIEW, None),
    # An inquiry closed without becoming a chargeback. Never a merchant win: WooPayments'
    # screen closes an inquiry by refunding it (then the snapshot says buyer_favor), and
    # Stripe closes one the bank dropped without saying who was right.
    "warning_closed": (CaseStatus.RESOLVED, None),
    "needs_response": (CaseStatus.NEEDS_RESPONSE, None),
    "under_review": (CaseStatus.UNDER_REVIEW, None),
    "charge_refunded": (CaseStatus.RESOLVED, Outcome.BUYER_FAVOR),
    "won": (CaseStatus.RESOLVED, Outcome.MERCHANT_FAVOR),
    "lost": (CaseStatus.RESOLVED, Outcome.BUYER_FAVOR),
}

# Where each status sits in a dispute's life. WooPayments' dispute objects carry no "updated"
# time, so the rank is the snapshot's ``revision``: a later stage always wins a tie.
DISPUTE_STATUS_RANK: dict[str, int] = {
    "warning_needs_response": 1,
    "warning_under_review": 2,
    "warning_closed": 3,
    "needs_response": 4,
    "under_review": 5,
    "charge_refunded": 6,
    "won": 6,
    "lost": 6,
}

FINAL_DISPUTE_STATUSES = frozenset({"warning_closed", "charge_refunded", "won", "lost"})
RESPONSE_DUE_STATUSES = frozenset({"warning_needs_response", "needs_response"})

DISPUTE_REASONS: dict[str, Category] = {
    "fraudulent": Category.FRAUD,
    "unrecognized": Category.FRAUD,
    "debit_not_authorized": Category.FRAUD,  # the account holder says they never authorised it
    "product_not_received": Category.NOT_RECEIVED,
    "product_unacceptable": Category.NOT_AS_DESCRIBED,
    "duplicate": Category.DUPLICATE_CHARGE,
    "credit_not_processed": Category.CREDIT_NOT_PROCESSED,
    "subscription_canceled": Category.SUBSCRIPTION_CANCELED,
    "bank_cannot_process": Category.PROCESSING_ERROR,
    "check_returned": Category.PROCESSING_ERROR,
    "incorrect_account_details": Category.PROCESSING_ERROR,
    "insufficient_funds": Category.PROCESSING_ERROR,
    "customer_initiated": Category.OTHER,
    "general": Category.OTHER,
}


def dispute_status(raw: str | None) -> StatusOutcome | tuple[None, None]:
    """Common status and outcome of a WooPayments dispute status (``(None, None)``: unknown)."""
    return DISPUTE_STATUSES.get(raw or "", (None, None))


def dispute_kind(raw: str | None) -> tuple[CaseKind, Stage]:
    """Stripe's ``warning_*`` statuses are inquiries; every other status a chargeback."""
    if (raw or "").startswith("warning_"):
        return CaseKind.INQUIRY, Stage.INQUIRY
    return CaseKind.CHARGEBACK, Stage.CHARGEBACK


def dispute_category(raw: str | None) -> Category:
    """The common category of a dispute reason; unknown reasons are ``other``."""
    return DISPUTE_REASONS.get(raw or "", Category.OTHER)


# -- Returns: order statuses of returns extensions ----------------------------------------

DEFAULT_RETURN_STATUSES: tuple[str, ...] = ("return-requested",)

# Later steps of a return, as the WPSwings plugin names them (``wc-`` prefix stripped by REST).
RETURN_FOLLOW_UP_STATUSES: dict[str, StatusOutcome] = {
    "return-approved": (CaseStatus.AWAITING_BUYER, None),  # the buyer sends the goods back
    "return-cancelled": (CaseStatus.RESOLVED, Outcome.WITHDRAWN),
}

# The WPSwings request record (order meta): its own status of the latest request.
# ``complete`` is set by ``wps_rma_return_req_approve_callback``: the merchant approved the
# return (the order becomes ``return-approved``); no money has moved, a refund comes later.
APPROVED_REQUEST_STATUS = "complete"
RETURN_REQUEST_STATUSES: dict[str, StatusOutcome] = {
    "pending": (CaseStatus.NEEDS_RESPONSE, None),
    APPROVED_REQUEST_STATUS: (CaseStatus.AWAITING_BUYER, None),
    "cancel": (CaseStatus.RESOLVED, Outcome.WITHDRAWN),
}

# Order meta keys under which returns extensions keep a request: WPSwings 4.0+, then the
# MakeWebBetter-era names of older builds (3.x wrote ``ced_rnx_return_product``).
RETURN_META_KEYS: tuple[str, ...] = (
    "wps_rma_return_product",
    "mwb_rma_return_product",
    "mwb_rma_return_request_product",
    "mwb_wrma_return_product",
    "ced_rnx_return_product",
)

# Order statuses that end a return when the order no longer says it has one: the merchant
# refunded it, cancelled the order, or took the return status away (processing, completed).
CANCELLED_ORDER_STATUS = "cancelled"
CLOSING_ORDER_STATUSES = frozenset({"refunded", CANCELLED_ORDER_STATUS, "completed", "processing"})

# Return reasons are free text a merchant configures; the first pattern that matches decides.
RETURN_REASON_PATTERNS: tuple[tuple[re.Pattern[str], Category], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), category)
    for pattern, category in (
        (r"damag|arrived broken|crack|dent", Category.DAMAGED),
        (r"defect|faulty|broken|not work|doesn.t work|stopped working", Category.DEFECTIVE),
        (r"wrong (item|product|colou?r|model)|incorrect item", Category.WRONG_ITEM),
        (r"missing|incomplete", Category.MISSING_PARTS),
        (r"\bsize\b|too (small|large|big|tight|loose)|\bfit\b", Category.SIZE_FIT),
        (r"not as described|different from|not as (pictured|shown)", Category.NOT_AS_DESCRIBED),
        (r"changed? (my )?mind|no longer (need|want)|don.t (need|want)", Category.CHANGED_MIND),
        (r"never (arrived|received)|not (arrived|received)", Category.NOT_RECEIVED),
    )
)


def return_category(*texts: str | None) -> Category:
    """The common category of a return's stated reason (subject, then free text)."""
    for text in texts:
        for pattern, category in RETURN_REASON_PATTERNS:
            if text and pattern.search(text):
                return category
    return Category.OTHER


# -- Orders ----------------------------------------------------------------------------------

# WooPayments' gateway ids all start with this (split UPE gateways add a suffix).
WOOPAYMENTS_GATEWAY_PREFIX = "woocommerce_payments"
# Order statuses WooPayments sets around a dispute: on-hold when it opens, completed when it
# is won, refunded when it is lost. A WooPayments order in one of these is "in doubt".
DISPUTE_ORDER_STATUSES = frozenset({"on-hold", "completed", "refunded"})
DISPUTE_LOST_REFUND_REASON = "Dispute lost."
FULLY_REFUNDED_STATUS = "refunded"
