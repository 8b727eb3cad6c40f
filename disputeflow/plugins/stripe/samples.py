"""Sample Stripe deliveries: what ``disputeflow demo`` sends and the conformance kit reads.

The objects are Stripe's own examples: the Dispute object of the API reference
(https://docs.stripe.com/api/disputes/object, checked 2026-12-04) and the ``dispute`` and
``radar.early_fraud_warning`` fixtures of stripe/openapi ``openapi/fixtures3.json`` (commit
f6c2a48), in the event envelope of that file's ``event`` fixture. Where a sample shows a later
step of a dispute's life, only the fields that step changes differ, each to a value the
Dispute object documents (status, reason, currency, ``case_type``, ``submission_count``).
"""

from __future__ import annotations

import copy
from typing import Any

from disputeflow.plugins.stripe.client import API_VERSION

EVIDENCE_FIELDS = (
    "access_activity_log", "billing_address", "cancellation_policy",
    "cancellation_policy_disclosure", "cancellation_rebuttal", "customer_communication",
    "customer_email_address", "customer_name", "customer_purchase_ip", "customer_signature",
    "duplicate_charge_documentation", "duplicate_charge_explanation", "duplicate_charge_id",
    "product_description", "receipt", "refund_policy", "refund_policy_disclosure",
    "refund_refusal_explanation", "service_date", "service_documentation", "shipping_address",
    "shipping_carrier", "shipping_date", "shipping_documentation", "shipping_tracking_number",
    "uncategorized_file", "uncategorized_text",
)  # fmt: skip

# https://docs.stripe.com/api/disputes/object: the example object, as published.
REFERENCE_DISPUTE: dict[str, Any] = {
    "id": "du_1MtJUT2eZvKYlo2CNaw2HvEv",
    "object": "dispute",
    "amount": 1000,
    "balance_transactions": [],
    "charge": "ch_1AZtxr2eZvKYlo2CJDX8whov",
    "created": 1680651737,
    "currency": "usd",
    "evidence": dict.fromkeys(EVIDENCE_FIELDS),
    "evidence_details": {
        "due_by": 1682294399,
        "has_evidence": False,
        "past_due": False,
        "submission_count": 0,
    },
    "is_charge_refundable": True,
    "livemode": False,
    "metadata": {},
    "payment_intent": None,
    "reason": "general",
    "status": "warning_needs_response",
}

# stripe/openapi openapi/fixtures3.json, resources.dispute (f6c2a48).
FIXTURE_DISPUTE: dict[str, Any] = {
    **copy.deepcopy(REFERENCE_DISPUTE),
    "evidence": {**REFERENCE_DISPUTE["evidence"], "enhanced_evidence": {}},
    "charge": "ch_1PgafuB7WZ01zgkWXYmPNZs8",
    "created": 1234567890,
    "evidence_details": {
        "due_by": 1723679999,
        "has_evidence": False,
        "past_due": False,
        "submission_count": 0,
        "enhanced_eligibility": {},
    },
    "id": "dp_1Pgc71B7WZ01zgkWMevJiAUx",
    "payment_method_details": {
        "card": {
            "brand": "visa",
            "case_type": "inquiry",
            "network_reason_code": "10.4",
            "network": "visa",
        },
        "type": "card",
    },
    "enhanced_eligibility_types": ["visa_compelling_evidence_3"],
}

# stripe/openapi openapi/fixtures3.json, resources["radar.early_fraud_warning"] (f6c2a48).
FIXTURE_WARNING: dict[str, Any] = {
    "actionable": True,
    "charge": "ch_1234",
    "created": 1234567890,
    "fraud_type": "misc",
    "id": "issfr_1Pgc79B7WZ01zgkWxwDzEIPX",
    "livemode": False,
    "object": "radar.early_fraud_warning",
}


def chargeback(**changes: Any) -> dict[str, Any]:
    """The fixture dispute as a chargeback for fraud (Visa 10.4 is "Other Fraud - Card-Absent
    Environment") in JPY, a zero-decimal currency: 1000 is 1,000 yen."""
    dispute = copy.deepcopy(FIXTURE_DISPUTE)
    dispute.update(status="needs_response", reason="fraudulent", currency="jpy")
    dispute["payment_method_details"]["card"]["case_type"] = "chargeback"
    dispute.update(changes)
    return dispute


def won(dispute: dict[str, Any]) -> dict[str, Any]:
    """The same dispute after evidence was submitted and the bank decided for the merchant."""
    closed = copy.deepcopy(dispute)
    closed["status"] = "won"
    closed["evidence_details"].update(has_evidence=True, submission_count=1)
    return closed


def envelope(event_id: str, event_type: str, created: int, item: dict[str, Any]) -> dict[str, Any]:
    """The snapshot event Stripe posts (the ``event`` fixture's fields)."""
    return {
        "api_version": API_VERSION,
        "created": created,
        "data": {"object": item},
        "id": event_id,
        "livemode": False,
        "object": "event",
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def sample_bodies() -> list[tuple[str, dict[str, Any]]]:
    """(name, event) of each sample delivery."""
    opened = chargeback()
    month = 30 * 24 * 3600
    return [
        ("inquiry_opened", envelope("evt_sample_inquiry", "charge.dispute.created",
                                    REFERENCE_DISPUTE["created"], REFERENCE_DISPUTE)),
        ("chargeback_opened", envelope("evt_sample_chargeback", "charge.dispute.created",
                                       opened["created"], opened)),
        ("chargeback_won", envelope("evt_sample_won", "charge.dispute.closed",
                                    opened["created"] + month, won(opened))),
        ("fraud_warning", envelope("evt_sample_warning", "radar.early_fraud_warning.created",
                                   FIXTURE_WARNING["created"], FIXTURE_WARNING)),
    ]  # fmt: skip
