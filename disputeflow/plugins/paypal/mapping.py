"""PayPal's dispute values mapped to the common model, table by table.

Every enum below is PayPal's as the Disputes API v1 defines it (``dispute_reason``,
``status``, ``dispute_state``, ``dispute_lifecycle_stage``, ``dispute_channel``,
``dispute_outcome.outcome_code``: https://developer.paypal.com/api/customer-disputes/v1/ and
its OpenAPI document, paypal/paypal-rest-api-specifications ``customer_disputes_v1.json``
v1.10; checked 2026-12-04). docs/platforms/paypal.md gives each table with its reasons.
Unknown values never fail: an unknown reason is ``other``, an unknown status or stage
``None`` (the case keeps what it knew), and the raw value is kept.
"""

from __future__ import annotations

from disputeflow import CaseKind, CaseStatus, Category, Outcome, Stage

REASONS: dict[str, Category] = {
    "MERCHANDISE_OR_SERVICE_NOT_RECEIVED": Category.NOT_RECEIVED,
    "MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED": Category.NOT_AS_DESCRIBED,
    "UNAUTHORISED": Category.FRAUD,
    "CREDIT_NOT_PROCESSED": Category.CREDIT_NOT_PROCESSED,
    "DUPLICATE_TRANSACTION": Category.DUPLICATE_CHARGE,
    "INCORRECT_AMOUNT": Category.INCORRECT_AMOUNT,
    # The buyer paid for the same purchase another way: charged twice, as the networks'
    # "paid by other means" codes count it.
    "PAYMENT_BY_OTHER_MEANS": Category.DUPLICATE_CHARGE,
    "CANCELED_RECURRING_BILLING": Category.SUBSCRIPTION_CANCELED,
    "PROBLEM_WITH_REMITTANCE": Category.PROCESSING_ERROR,
    "OTHER": Category.OTHER,
}

# ``dispute_state``: the merchant's own view (who must act now), preferred when present.
STATES: dict[str, CaseStatus] = {
    "OPEN_INQUIRIES": CaseStatus.NEEDS_RESPONSE,
    "REQUIRED_ACTION": CaseStatus.NEEDS_RESPONSE,
    "REQUIRED_OTHER_PARTY_ACTION": CaseStatus.AWAITING_BUYER,
    "UNDER_PAYPAL_REVIEW": CaseStatus.UNDER_REVIEW,
    # Decided against the merchant, who may still appeal: the merchant acts next.
    "APPEALABLE": CaseStatus.NEEDS_RESPONSE,
    "RESOLVED": CaseStatus.RESOLVED,
}

# ``status``: the dispute's overall status, the same for both parties.
STATUSES: dict[str, CaseStatus] = {
    "OPEN": CaseStatus.NEEDS_RESPONSE,
    "WAITING_FOR_SELLER_RESPONSE": CaseStatus.NEEDS_RESPONSE,
    "WAITING_FOR_BUYER_RESPONSE": CaseStatus.AWAITING_BUYER,
    "UNDER_REVIEW": CaseStatus.UNDER_REVIEW,
    "RESOLVED": CaseStatus.RESOLVED,
}

STAGES: dict[str, Stage] = {
    "INQUIRY": Stage.INQUIRY,
    "CHARGEBACK": Stage.CHARGEBACK,
    "PRE_ARBITRATION": Stage.PRE_ARBITRATION,
    "ARBITRATION": Stage.ARBITRATION,
}

OUTCOMES: dict[str, Outcome] = {
    "RESOLVED_BUYER_FAVOUR": Outcome.BUYER_FAVOR,
    "RESOLVED_SELLER_FAVOUR": Outcome.MERCHANT_FAVOR,
    # PayPal paid the buyer from its own funds (seller protection): the merchant keeps the money.
    "RESOLVED_WITH_PAYOUT": Outcome.MERCHANT_FAVOR,
    "CANCELED_BY_BUYER": Outcome.WITHDRAWN,
    "ACCEPTED": Outcome.BUYER_FAVOR,  # the merchant accepted the claim
    "DENIED": Outcome.MERCHANT_FAVOR,  # PayPal denied the buyer's claim
}


def kind_of(channel: str | None, stage: str | None) -> CaseKind:
    """What sort of case a dispute is: a card issuer's chargeback (``EXTERNAL``), a pre-dispute
    alert or a PayPal inquiry (the buyer and merchant talk), or a PayPal claim (PayPal decides;
    its ``CHARGEBACK`` stage is a claim, not a card chargeback)."""
    if channel == "EXTERNAL":
        return CaseKind.CHARGEBACK
    if channel == "ALERT" or stage == "INQUIRY":
        return CaseKind.INQUIRY
    return CaseKind.CLAIM


def status_of(state: str | None, status: str | None) -> CaseStatus | None:
    """Who must act next: the merchant's ``dispute_state`` first, then the overall status."""
    if state in STATES:
        return STATES[state]
    return STATUSES.get(status or "")
