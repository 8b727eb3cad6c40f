"""Stripe's dispute values -> disputeflow's values, one table each.

Sources (checked 2026-12-04): the Dispute object (https://docs.stripe.com/api/disputes/object;
stripe-python ``stripe/_dispute.py`` at 6c6e373, generated from Stripe's OpenAPI spec) for
the statuses and reasons; https://docs.stripe.com/disputes/categories for what each reason
means; the 2025-08-27.basil changelog ("Adds support for Dispute Preventions") for
``prevented``. docs/platforms/stripe.md has the full tables. Unknown values never crash: a
reason maps to ``other``, a status to ``None`` (the case keeps its last known status), and
the raw values are kept by the caller.
"""

from __future__ import annotations

from disputeflow import CaseKind, CaseStatus, Category, Outcome, Stage

StatusOutcome = tuple[CaseStatus, Outcome | None]

STATUSES: dict[str, StatusOutcome] = {
    # Inquiries (retrievals): no money has moved yet.
    "warning_needs_response": (CaseStatus.NEEDS_RESPONSE, None),
    "warning_under_review": (CaseStatus.UNDER_REVIEW, None),
    # Closed without becoming a chargeback: nobody was found right, unless the payment was
    # refunded to close it (then the snapshot says buyer_favor).
    "warning_closed": (CaseStatus.RESOLVED, None),
    "needs_response": (CaseStatus.NEEDS_RESPONSE, None),
    "under_review": (CaseStatus.UNDER_REVIEW, None),
    "won": (CaseStatus.RESOLVED, Outcome.MERCHANT_FAVOR),
    "lost": (CaseStatus.RESOLVED, Outcome.BUYER_FAVOR),
    # Stopped before a chargeback was filed (Visa RDR and the like, 2025-08-27.basil).
    "prevented": (CaseStatus.RESOLVED, None),
    # API versions before 2022-11-15 reported a refunded dispute so.
    "charge_refunded": (CaseStatus.RESOLVED, Outcome.BUYER_FAVOR),
}

# Where each status sits in a dispute's life: the snapshot's ``revision``, so that of two
# snapshots stamped with the same moment the later stage wins.
STATUS_RANK: dict[str, int] = {
    "warning_needs_response": 1,
    "warning_under_review": 2,
    "warning_closed": 3,
    "needs_response": 4,
    "under_review": 5,
    "won": 6,
    "lost": 6,
    "prevented": 6,
    "charge_refunded": 6,
}

RESPONSE_DUE = frozenset({"warning_needs_response", "needs_response"})
OPEN = frozenset(
    {"warning_needs_response", "warning_under_review", "needs_response", "under_review"}
)

REASONS: dict[str, Category] = {
    "bank_cannot_process": Category.PROCESSING_ERROR,
    "check_returned": Category.PROCESSING_ERROR,
    "credit_not_processed": Category.CREDIT_NOT_PROCESSED,
    "customer_initiated": Category.OTHER,
    "debit_not_authorized": Category.FRAUD,  # the account holder never authorised the debit
    "duplicate": Category.DUPLICATE_CHARGE,
    "fraudulent": Category.FRAUD,
    "general": Category.OTHER,
    "incorrect_account_details": Category.PROCESSING_ERROR,
    "insufficient_funds": Category.PROCESSING_ERROR,
    "noncompliant": Category.OTHER,  # the network says a rule was broken (compliance case)
    "product_not_received": Category.NOT_RECEIVED,
    "product_unacceptable": Category.NOT_AS_DESCRIBED,
    "subscription_canceled": Category.SUBSCRIPTION_CANCELED,
    "unrecognized": Category.FRAUD,  # the cardholder does not recognise the payment
}


def status_of(raw: str | None) -> StatusOutcome | tuple[None, None]:
    """Common status and outcome of a dispute status (``(None, None)``: unknown)."""
    return STATUSES.get(raw or "", (None, None))


def kind_of(raw: str | None) -> tuple[CaseKind, Stage]:
    """``warning_*`` statuses are inquiries; every other status a chargeback."""
    if (raw or "").startswith("warning_"):
        return CaseKind.INQUIRY, Stage.INQUIRY
    return CaseKind.CHARGEBACK, Stage.CHARGEBACK


def category_of(raw: str | None) -> Category:
    """The common category of a dispute reason; unknown reasons are ``other``."""
    return REASONS.get(raw or "", Category.OTHER)
