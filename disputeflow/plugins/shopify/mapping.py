"""Shopify values -> common values, one table each (documented in docs/platforms/shopify.md).

Keys are lower case: REST and webhooks send ``fraudulent``, GraphQL sends ``FRAUDULENT``;
both meet here. Unknown values map to ``None`` (status: the case keeps its last one) or
``Category.OTHER`` (reason); callers keep the raw value in ``platform_*``.
"""

from __future__ import annotations

from disputeflow import CaseKind, CaseStatus, Category, Outcome, Stage

StatusOutcome = tuple[CaseStatus, Outcome | None]

DISPUTE_KINDS: dict[str, CaseKind] = {
    "chargeback": CaseKind.CHARGEBACK,
    "inquiry": CaseKind.INQUIRY,
}
DISPUTE_STAGES: dict[str, Stage] = {"chargeback": Stage.CHARGEBACK, "inquiry": Stage.INQUIRY}

DISPUTE_STATUSES: dict[str, StatusOutcome] = {
    "needs_response": (CaseStatus.NEEDS_RESPONSE, None),
    "under_review": (CaseStatus.UNDER_REVIEW, None),
    "won": (CaseStatus.RESOLVED, Outcome.MERCHANT_FAVOR),
    "lost": (CaseStatus.RESOLVED, Outcome.BUYER_FAVOR),
    "accepted": (CaseStatus.RESOLVED, Outcome.BUYER_FAVOR),
    "charge_refunded": (CaseStatus.RESOLVED, Outcome.BUYER_FAVOR),
    # "prevented from becoming a formal chargeback" (2026-07): over, nobody ruled.
    "prevented": (CaseStatus.RESOLVED, Outcome.WITHDRAWN),
}

DISPUTE_REASONS: dict[str, Category] = {
    "fraudulent": Category.FRAUD,
    "unrecognized": Category.FRAUD,
    "debit_not_authorized": Category.FRAUD,
    "product_not_received": Category.NOT_RECEIVED,
    "product_unacceptable": Category.NOT_AS_DESCRIBED,
    "duplicate": Category.DUPLICATE_CHARGE,
    "credit_not_processed": Category.CREDIT_NOT_PROCESSED,
    "subscription_canceled": Category.SUBSCRIPTION_CANCELED,  # REST spelling
    "subscription_cancelled": Category.SUBSCRIPTION_CANCELED,  # GraphQL spelling
    "bank_not_process": Category.PROCESSING_ERROR,  # REST spelling
    "bank_cannot_process": Category.PROCESSING_ERROR,  # GraphQL spelling
    "incorrect_account_details": Category.PROCESSING_ERROR,
    "insufficient_funds": Category.PROCESSING_ERROR,
    "noncompliant": Category.PROCESSING_ERROR,
    "customer_initiated": Category.OTHER,
    "general": Category.OTHER,
}

RETURN_STATUSES: dict[str, StatusOutcome] = {
    "requested": (CaseStatus.NEEDS_RESPONSE, None),
    "open": (CaseStatus.AWAITING_BUYER, None),
    "declined": (CaseStatus.RESOLVED, Outcome.MERCHANT_FAVOR),
    "canceled": (CaseStatus.RESOLVED, Outcome.WITHDRAWN),
    "cancelled": (CaseStatus.RESOLVED, Outcome.WITHDRAWN),
    # "Indicates a return is complete": items back, refund or exchange made.
    "closed": (CaseStatus.RESOLVED, Outcome.BUYER_FAVOR),
}

# The status a thin payload implies when it states none (the payload's own status wins).
RETURN_TOPIC_STATUSES: dict[str, str] = {
    "returns/request": "requested",
    "returns/approve": "open",
    "returns/decline": "declined",
    "returns/cancel": "canceled",
    "returns/close": "closed",
    "returns/reopen": "open",
}

RETURN_REASONS: dict[str, Category] = {
    "color": Category.CHANGED_MIND,
    "defective": Category.DEFECTIVE,
    "damaged": Category.DAMAGED,
    "not_as_described": Category.NOT_AS_DESCRIBED,
    "other": Category.OTHER,
    "size_too_large": Category.SIZE_FIT,
    "size_too_small": Category.SIZE_FIT,
    "style": Category.CHANGED_MIND,
    "unknown": Category.OTHER,
    "unwanted": Category.CHANGED_MIND,
    "wrong_item": Category.WRONG_ITEM,
    # returnReasonDefinition handles (2026-07 on; hyphens read as underscores). Shopify's
    # page names "arrived-late", "comfort", "too-tight", "color-too-bright", "quality" as
    # examples; the handles of the old enum values carry over.
    "too_tight": Category.SIZE_FIT,
    "too_loose": Category.SIZE_FIT,
    "too_small": Category.SIZE_FIT,
    "too_large": Category.SIZE_FIT,
    "color_too_bright": Category.CHANGED_MIND,
    "changed_mind": Category.CHANGED_MIND,
}

DECLINE_REASONS = frozenset({"FINAL_SALE", "OTHER", "RETURN_PERIOD_ENDED"})


def key(value: object) -> str:
    """The lookup form of a raw value: stripped, lower case."""
    return str(value).strip().lower() if value is not None else ""


def dispute_status(raw: object) -> StatusOutcome | tuple[None, None]:
    return DISPUTE_STATUSES.get(key(raw), (None, None))


def return_status(raw: object) -> StatusOutcome | tuple[None, None]:
    return RETURN_STATUSES.get(key(raw), (None, None))


def dispute_category(raw: object) -> Category | None:
    """``None`` when the dispute states no reason; ``OTHER`` for one we do not know."""
    return DISPUTE_REASONS.get(key(raw), Category.OTHER) if raw else None


def return_category(reasons: list[str]) -> tuple[Category | None, str | None]:
    """The category of a return and the raw reason it came from: the first line item whose
    reason says more than "other"; else the first reason (``OTHER``)."""
    for raw in reasons:
        category = RETURN_REASONS.get(key(raw).replace("-", "_"), Category.OTHER)
        if category is not Category.OTHER:
            return category, raw
    return (Category.OTHER, reasons[0]) if reasons else (None, None)
