"""The workspace's vocabularies as a merchant reads them (the buyer pages have their own, in
:mod:`disputeflow.features.i18n.labels`, written from the buyer's side).

:func:`N_` only marks a string for the catalogue (``scripts/i18n_catalog.py``); the pages
translate it when they show it (``Local.term`` in :mod:`disputeflow.webhooks.web.formatting`).
"""

from __future__ import annotations


def N_(message: str) -> str:  # the gettext convention for "mark, translate later"
    return message


VOCABULARIES: dict[str, dict[str, str]] = {
    "status": {
        "needs_response": N_("Needs your response"),
        "awaiting_buyer": N_("Awaiting the buyer"),
        "under_review": N_("Under review"),
        "resolved": N_("Resolved"),
    },
    "outcome": {
        "merchant_favor": N_("won"),
        "buyer_favor": N_("lost"),
        "partial": N_("partly won"),
        "withdrawn": N_("withdrawn"),
    },
    "kind": {
        "chargeback": N_("Chargeback"),
        "inquiry": N_("Inquiry"),
        "return": N_("Return"),
        "claim": N_("Claim"),
    },
    "stage": {
        "inquiry": N_("Inquiry"),
        "chargeback": N_("Chargeback"),
        "pre_arbitration": N_("Pre-arbitration"),
        "arbitration": N_("Arbitration"),
        "appeal": N_("Appeal"),
    },
    "category": {
        "fraud": N_("Fraud or unrecognised payment"),
        "not_received": N_("Not received"),
        "not_as_described": N_("Not as described"),
        "damaged": N_("Damaged"),
        "defective": N_("Defective"),
        "wrong_item": N_("Wrong item"),
        "missing_parts": N_("Missing parts"),
        "credit_not_processed": N_("Refund not processed"),
        "duplicate_charge": N_("Duplicate charge"),
        "incorrect_amount": N_("Incorrect amount"),
        "subscription_canceled": N_("Subscription cancelled"),
        "changed_mind": N_("Changed mind"),
        "size_fit": N_("Size or fit"),
        "processing_error": N_("Processing error"),
        "other": N_("Other"),
    },
    "actor": {
        "buyer": N_("Buyer"),
        "merchant": N_("Merchant"),
        "platform": N_("Marketplace"),
        "system": N_("disputeflow"),
    },
    "must_act": {
        "buyer": N_("The buyer"),
        "merchant": N_("You (the merchant)"),
        "platform": N_("The marketplace or bank"),
    },
    "deadline_kind": {
        "platform_response": N_("Response to the marketplace"),
        "network_response": N_("Response to the card network"),
        "statutory_refund": N_("Refund required by law"),
        "return_window": N_("Return window"),
        "internal_sla": N_("Your first-response target"),
        "buyer_response": N_("The buyer's answer"),
    },
    "action": {
        "refund": N_("Refund"),
        "accept": N_("Accept the dispute"),
        "contest": N_("Contest with evidence"),
        "approve_return": N_("Approve the return"),
        "decline_return": N_("Decline the return"),
        "send_message": N_("Message the buyer"),
        "add_note": N_("Add an internal note"),
        "assign": N_("Assign"),
        "submit_tracking": N_("Contest with the tracking number"),
        "request_information": N_("Ask the buyer for information"),
    },
    "action_status": {
        "pending": N_("pending"),
        "running": N_("running"),
        "succeeded": N_("succeeded"),
        "failed": N_("failed"),
    },
    "evidence": {
        "shipping_documentation": N_("Shipping documentation"),
        "proof_of_delivery": N_("Proof of delivery"),
        "customer_communication": N_("Customer communication"),
        "receipt": N_("Receipt"),
        "refund_policy": N_("Refund policy"),
        "product_description": N_("Product description"),
        "photo": N_("Photo"),
        "other": N_("Other"),
        "buyer_file": N_("File from the buyer"),
    },
    "state": {
        "active": N_("active"),
        "needs_reauth": N_("needs a new authorisation"),
        "uninstalled": N_("uninstalled"),
    },
    "ratio": {
        "ok": N_("ok"),
        "needs_volume": N_("needs transaction counts"),
        "approaching": N_("approaching"),
        "projected": N_("projected to cross"),
        "crossed": N_("crossed"),
    },
    "level": {
        "monitored": N_("monitored"),
        "excessive": N_("excessive"),
        "high excessive": N_("high excessive"),
    },
    "role": {"viewer": N_("viewer"), "agent": N_("agent"), "admin": N_("admin")},
    "refund_clock": {
        "withdrawal": N_("withdrawal"),
        "goods_returned": N_("return of the goods"),
    },
    "clock_basis": {"delivery": N_("delivery"), "order": N_("the order")},
    "statutory_right": {
        "withdrawal": N_("a right to withdraw"),
        "none": N_("no general right"),
        "unknown": N_("not confirmed"),
    },
    "reference": {"order_number": N_("order number"), "transaction_id": N_("transaction id")},
    "packet_state": {
        "editing": N_("being prepared"),
        "draft": N_("saved as a draft on the platform"),
        "submitted": N_("submitted"),
    },
}

# What each timeline entry records, as a heading.
TIMELINE: dict[str, str] = {
    "opened": N_("Case opened"),
    "status_changed": N_("Status changed"),
    "kind_changed": N_("Kind changed"),
    "reopened": N_("Case reopened"),
    "resolved": N_("Case resolved"),
    "stage_changed": N_("Stage changed"),
    "category_changed": N_("Category changed"),
    "amount_changed": N_("Amount changed"),
    "refunded": N_("Refunded"),
    "deadline_set": N_("Deadline set"),
    "deadline_removed": N_("Deadline removed"),
    "evidence_added": N_("Evidence added"),
    "message_added": N_("Message added"),
    "action_requested": N_("Action requested"),
    "action_succeeded": N_("Action succeeded"),
    "action_failed": N_("Action failed"),
    "note": N_("Note"),
    "personal_data_erased": N_("Personal data erased"),
    "routed": N_("Routed"),
    "policy_flagged": N_("Store policy below the law"),
    "deadline_approaching": N_("Deadline approaching"),
    "deadline_missed": N_("Deadline missed"),
    "rule_applied": N_("Rule applied"),
    "linked": N_("Linked to another case of the order"),
    "unlinked": N_("Unlinked from another case"),
    "linked_refund": N_("Refunded on a linked case"),
}

# The store's return policy as triage evaluated it (case.extra["policy"]).
POLICY_FIELDS: tuple[tuple[str, str], ...] = (
    ("jurisdiction", N_("Buyer country")),
    ("store_window_days", N_("Store's return window (days)")),
    ("statutory_right", N_("Statutory right")),
    ("statutory_business_days", N_("Statutory window (business days)")),
    ("statutory_window_days", N_("Statutory window (days)")),
    ("effective_window_days", N_("Effective window (days)")),
    ("within_window", N_("Within the effective window")),
    ("within_statutory_window", N_("Within the statutory window")),
    ("below_statutory", N_("Store policy below the statutory minimum")),
    ("days_elapsed", N_("Days elapsed")),
    ("clock_basis", N_("Counted from")),
    ("store_policy_source", N_("Store policy from")),
    ("law", N_("Law")),
)
