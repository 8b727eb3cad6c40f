"""Deadlines disputeflow computes itself, beside the platform's own.

The platform's deadlines come from snapshots and follow them. These are computed from the
case after every change (their ``source`` starts with ``disputeflow:``, so a merge keeps
them and a refold carries them over):

* a card network's response window for a chargeback whose platform states no deadline
  (Visa 30 days, Mastercard 45, Amex 20, Discover 30; the shortest when the network is
  unknown, so that it is never missed);
* the statutory refund deadline for a return the buyer's law covers (EU/EEA/UK: 14 days
  after the buyer withdraws, i.e. asks to return);
* the merchant's own first-response target (the rules file's ``[deadlines]``);
* the buyer's window to answer the merchant's request for information, never shorter
  than the merchant's own.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from disputeflow.core.case import Case
from disputeflow.core.clock import parse_rfc3339
from disputeflow.core.taxonomy import Actor, CaseKind, CaseStatus, DeadlineKind, TimelineKind
from disputeflow.core.values import COMPUTED_SOURCE, Deadline
from disputeflow.features.handling.rights import rights_for
from disputeflow.features.handling.rules import DeadlineSettings, FairnessSettings, Rules

NETWORK_WINDOWS: dict[str, int] = {"visa": 30, "mastercard": 45, "amex": 20, "discover": 30}
UNKNOWN_NETWORK_DAYS = min(NETWORK_WINDOWS.values())

_BRANDS = {
    "visa": "visa",
    "mastercard": "mastercard",
    "mc": "mastercard",
    "master": "mastercard",
    "amex": "amex",
    "americanexpress": "amex",
    "discover": "discover",
}
# Reason codes whose shape names the network (Visa 13.1, Mastercard 4853, Amex C08, FR2,
# Discover UA02).
_CODES = (
    (re.compile(r"^1[0-3]\.\d(\.\d)?$"), "visa"),
    (re.compile(r"^4[89]\d\d$"), "mastercard"),
    (re.compile(r"^(A|C|F|FR|M|P|R)\d{1,2}$"), "amex"),
    (re.compile(r"^UA\d\d$"), "discover"),
)


def card_network(case: Case) -> str | None:
    """The card network of a chargeback: from what the plugin kept in ``extra``, else from
    the shape of the network's reason code; ``None`` when neither tells."""
    for key in ("network", "card_network", "card_brand", "brand"):
        value = case.extra.get(key)
        if isinstance(value, str):
            brand = _BRANDS.get(re.sub(r"[\s_-]", "", value.lower()))
            if brand:
                return brand
    code = (case.network_reason_code or "").strip()
    return next((network for pattern, network in _CODES if pattern.match(code)), None)


def network_deadline(case: Case) -> Deadline | None:
    """The network's response window, while the merchant must respond to a chargeback whose
    platform states no deadline of its own."""
    if case.kind != CaseKind.CHARGEBACK or case.status != CaseStatus.NEEDS_RESPONSE:
        return None
    if any(d.party is Actor.MERCHANT and not d.computed for d in case.deadlines):
        return None
    network = card_network(case)
    days = NETWORK_WINDOWS.get(network or "", UNKNOWN_NETWORK_DAYS)
    source = f"{COMPUTED_SOURCE}network:{network or 'unknown'}"
    return Deadline(DeadlineKind.NETWORK_RESPONSE, case.opened_at + timedelta(days=days), source)


def _fully_refunded(case: Case) -> bool:
    if case.amount is None or case.refunded is None:
        return False
    return case.amount.currency == case.refunded.currency and case.refunded >= case.amount


def statutory_refund_deadline(case: Case) -> Deadline | None:
    """The refund deadline the buyer's law sets from the withdrawal (the return request),
    while the return is open and not fully refunded."""
    if case.kind != CaseKind.RETURN or case.status == CaseStatus.RESOLVED:
        return None
    policy = case.extra.get("policy") or {}
    rights = rights_for(policy.get("jurisdiction"))
    if rights is None or rights.refund_clock != "withdrawal" or rights.refund_days is None:
        return None
    if rights.window_days(policy.get("store_window_days")) is None:
        return None
    if policy.get("within_statutory_window") is False or _fully_refunded(case):
        return None
    due = case.opened_at + timedelta(days=rights.refund_days)
    source = f"{COMPUTED_SOURCE}statutory:{rights.country}"
    return Deadline(DeadlineKind.STATUTORY_REFUND, due, source)


def merchant_responded(case: Case) -> bool:
    """Whether the merchant has answered: an action requested, a message or evidence."""
    return (
        any(entry.kind is TimelineKind.ACTION_REQUESTED for entry in case.timeline)
        or any(m.party is Actor.MERCHANT for m in case.messages)
        or any(e.party is Actor.MERCHANT for e in case.evidence)
    )


def first_response_deadline(case: Case, settings: DeadlineSettings) -> Deadline | None:
    """The merchant's own first-response target, until the merchant first responds."""
    if case.status != CaseStatus.NEEDS_RESPONSE or merchant_responded(case):
        return None
    due = settings.first_response_due(case.opened_at)
    if due is None:
        return None
    return Deadline(DeadlineKind.INTERNAL_SLA, due, f"{COMPUTED_SOURCE}sla:first_response")


def _answered(case: Case, since: datetime) -> bool:
    return any(m.party is Actor.BUYER and m.sent_at >= since for m in case.messages) or any(
        e.party is Actor.BUYER and e.submitted_at >= since for e in case.evidence
    )


def information_deadlines(case: Case) -> list[Deadline]:
    """The buyer's window for each request for information not answered yet."""
    if case.status == CaseStatus.RESOLVED:
        return []
    found = []
    for entry in case.timeline:
        due = entry.data.get("buyer_response_due")
        if entry.kind is not TimelineKind.ACTION_REQUESTED or not isinstance(due, str):
            continue
        if _answered(case, entry.at):
            continue
        source = f"{COMPUTED_SOURCE}information_request:{entry.data.get('action_id', '')}"
        found.append(Deadline(DeadlineKind.BUYER_RESPONSE, parse_rfc3339(due), source, Actor.BUYER))
    return found


def buyer_response_due(case: Case, settings: FairnessSettings, now: datetime) -> datetime:
    """When a buyer asked for information now must have answered by: at least as long as
    the merchant had to respond (from the case's opening to the merchant's deadline), and
    at least ``buyer_response_days_min`` days."""
    merchant = [d.due_at - case.opened_at for d in case.deadlines if d.party is Actor.MERCHANT]
    window = max([*merchant, timedelta(days=settings.buyer_response_days_min)])
    return now + window


def computed_deadlines(case: Case, rules: Rules) -> list[Deadline]:
    """Every deadline disputeflow computes for ``case`` now."""
    found = [
        network_deadline(case),
        statutory_refund_deadline(case),
        first_response_deadline(case, rules.deadlines),
        *information_deadlines(case),
    ]
    return [d for d in found if d is not None]


def refresh_computed(case: Case, rules: Rules) -> bool:
    """Replace the case's computed deadlines with fresh ones; whether anything changed."""
    platform = [d for d in case.deadlines if not d.computed]
    fresh = sorted({*platform, *computed_deadlines(case, rules)}, key=Deadline.sort_key)
    changed = fresh != case.deadlines
    case.deadlines = fresh
    return changed
