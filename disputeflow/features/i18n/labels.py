"""Words for the common vocabularies, as buyers read them (translated through the
catalogues: :func:`N_` only marks a string for extraction)."""

from __future__ import annotations


def N_(message: str) -> str:  # the gettext convention for "mark, translate later"
    return message


STATUS = {
    "needs_response": N_("Waiting for the store"),
    "awaiting_buyer": N_("Waiting for you"),
    "under_review": N_("Being reviewed by the marketplace or bank"),
    "resolved": N_("Resolved"),
}
OUTCOME = {
    "merchant_favor": N_("Decided in the store's favour"),
    "buyer_favor": N_("Decided in your favour"),
    "partial": N_("Partly in your favour"),
    "withdrawn": N_("Withdrawn"),
}
KIND = {
    "chargeback": N_("Payment dispute"),
    "inquiry": N_("Question about an order"),
    "return": N_("Return or refund request"),
    "claim": N_("Marketplace claim"),
}
CATEGORY = {
    "fraud": N_("Payment not recognised"),
    "not_received": N_("Item not received"),
    "not_as_described": N_("Item not as described"),
    "damaged": N_("Item arrived damaged"),
    "defective": N_("Item is faulty"),
    "wrong_item": N_("Wrong item sent"),
    "missing_parts": N_("Parts are missing"),
    "credit_not_processed": N_("Refund not received"),
    "duplicate_charge": N_("Charged twice"),
    "incorrect_amount": N_("Wrong amount charged"),
    "subscription_canceled": N_("Subscription was cancelled"),
    "changed_mind": N_("Changed my mind"),
    "size_fit": N_("Size or fit"),
    "processing_error": N_("Payment processing error"),
    "other": N_("Something else"),
}
PARTY = {
    "buyer": N_("You"),
    "merchant": N_("The store"),
    "platform": N_("The marketplace"),
    "system": N_("Automatic"),
}
MUST_ACT = {
    "buyer": N_("You need to answer."),
    "merchant": N_("The store needs to respond."),
    "platform": N_("The marketplace or bank is deciding."),
}
ACTION = {
    "accept": N_("accepted your claim"),
    "contest": N_("contested the claim"),
    "approve_return": N_("approved the return"),
    "decline_return": N_("declined the return"),
    "refund": N_("refunded"),
    "send_message": N_("sent a message"),
}
# The steps of a case a buyer sees on their page (others are the store's own bookkeeping).
STEP = {
    "opened": N_("Case opened"),
    "status_changed": N_("Status changed"),
    "reopened": N_("Case reopened"),
    "resolved": N_("Case resolved"),
    "refunded": N_("Refund recorded"),
    "evidence_added": N_("Evidence added"),
    "message_added": N_("Message added"),
    "action_succeeded": N_("The store acted"),
    "deadline_set": N_("Deadline set"),
}
