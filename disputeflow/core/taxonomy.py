"""The common vocabularies of DESIGN.md section 4.

Every value is a :class:`enum.StrEnum`, so it serialises as its plain string in JSON and
compares equal to that string. These names are public contract: add members, never rename.
"""

from __future__ import annotations

from enum import StrEnum


class CaseKind(StrEnum):
    """What sort of case this is, whatever the platform calls it."""

    CHARGEBACK = "chargeback"  # a card or payment-network dispute
    INQUIRY = "inquiry"  # a pre-dispute question from a bank, provider or buyer
    RETURN = "return"  # a buyer's return request
    CLAIM = "claim"  # a marketplace case the marketplace arbitrates


class Stage(StrEnum):
    """How far a payment dispute has escalated."""

    INQUIRY = "inquiry"
    CHARGEBACK = "chargeback"
    PRE_ARBITRATION = "pre_arbitration"
    ARBITRATION = "arbitration"
    APPEAL = "appeal"


class Category(StrEnum):
    """What the buyer says went wrong, in one vocabulary across platforms."""

    FRAUD = "fraud"
    NOT_RECEIVED = "not_received"
    NOT_AS_DESCRIBED = "not_as_described"
    DAMAGED = "damaged"
    DEFECTIVE = "defective"
    WRONG_ITEM = "wrong_item"
    MISSING_PARTS = "missing_parts"
    CREDIT_NOT_PROCESSED = "credit_not_processed"
    DUPLICATE_CHARGE = "duplicate_charge"
    INCORRECT_AMOUNT = "incorrect_amount"
    SUBSCRIPTION_CANCELED = "subscription_canceled"
    CHANGED_MIND = "changed_mind"
    SIZE_FIT = "size_fit"
    PROCESSING_ERROR = "processing_error"
    OTHER = "other"


class CaseStatus(StrEnum):
    """Who must act next."""

    NEEDS_RESPONSE = "needs_response"  # the merchant
    AWAITING_BUYER = "awaiting_buyer"  # the other party
    UNDER_REVIEW = "under_review"  # the platform, bank or an arbiter
    RESOLVED = "resolved"


class Outcome(StrEnum):
    """How a resolved case ended."""

    MERCHANT_FAVOR = "merchant_favor"
    BUYER_FAVOR = "buyer_favor"
    PARTIAL = "partial"
    WITHDRAWN = "withdrawn"


class Actor(StrEnum):
    """Who did something on a case; evidence and messages carry the same standing per party."""

    BUYER = "buyer"
    MERCHANT = "merchant"
    PLATFORM = "platform"
    SYSTEM = "system"


class ActionType(StrEnum):
    """What a merchant can ask disputeflow to do on a case."""

    REFUND = "refund"
    ACCEPT = "accept"
    CONTEST = "contest"
    APPROVE_RETURN = "approve_return"
    DECLINE_RETURN = "decline_return"
    SEND_MESSAGE = "send_message"
    ADD_NOTE = "add_note"  # internal: recorded on the timeline, never sent to the platform


class DeadlineKind(StrEnum):
    """Where a deadline comes from."""

    PLATFORM_RESPONSE = "platform_response"
    NETWORK_RESPONSE = "network_response"
    STATUTORY_REFUND = "statutory_refund"
    RETURN_WINDOW = "return_window"
    INTERNAL_SLA = "internal_sla"
    BUYER_RESPONSE = "buyer_response"  # the buyer's window to answer a request for information


class TimelineKind(StrEnum):
    """What a timeline entry records."""

    OPENED = "opened"
    STATUS_CHANGED = "status_changed"
    KIND_CHANGED = "kind_changed"
    REOPENED = "reopened"
    RESOLVED = "resolved"
    STAGE_CHANGED = "stage_changed"
    CATEGORY_CHANGED = "category_changed"
    AMOUNT_CHANGED = "amount_changed"
    REFUNDED = "refunded"
    DEADLINE_SET = "deadline_set"
    DEADLINE_REMOVED = "deadline_removed"
    EVIDENCE_ADDED = "evidence_added"
    MESSAGE_ADDED = "message_added"
    ACTION_REQUESTED = "action_requested"
    ACTION_SUCCEEDED = "action_succeeded"
    ACTION_FAILED = "action_failed"
    NOTE = "note"
    PERSONAL_DATA_ERASED = "personal_data_erased"
    ROUTED = "routed"  # a routing rule chose the queue
    POLICY_FLAGGED = "policy_flagged"  # the store's return policy is below the statutory minimum
    DEADLINE_APPROACHING = "deadline_approaching"
    DEADLINE_MISSED = "deadline_missed"
    RULE_APPLIED = "rule_applied"  # an automation rule decided (or would have, in a dry run)
    LINKED = "linked"  # another case of the same order: an identifier matched, or an agent said so
    UNLINKED = "unlinked"  # an agent said the two cases are not one order's
    LINKED_REFUND = "linked_refund"  # a linked case (another channel) refunded the order


class Role(StrEnum):
    """API token roles: viewer reads, agent acts on cases, admin manages everything."""

    VIEWER = "viewer"
    AGENT = "agent"
    ADMIN = "admin"


class ConnectionState(StrEnum):
    """Whether a connection may talk to its platform. Only an active one syncs and acts;
    the others keep their cases and queued actions until the merchant fixes them."""

    ACTIVE = "active"
    NEEDS_REAUTH = "needs_reauth"  # the platform refuses its credentials: install again
    UNINSTALLED = "uninstalled"  # the merchant removed the app: install again to resume
