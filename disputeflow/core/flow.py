"""The case state machine: statuses, the transitions between them, and allowed actions.

Platforms are the source of truth for their own cases, so a platform snapshot may move a
case along any transition below; the table still tells the timeline whether a move is a
plain change, a resolution or a re-opening (e.g. a won dispute going to pre-arbitration).
"""

from __future__ import annotations

from disputeflow.core.capabilities import Capabilities
from disputeflow.core.case import Case
from disputeflow.core.taxonomy import ActionType, CaseKind, CaseStatus, TimelineKind

_OPEN = (CaseStatus.NEEDS_RESPONSE, CaseStatus.AWAITING_BUYER, CaseStatus.UNDER_REVIEW)

TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.NEEDS_RESPONSE: frozenset(
        {CaseStatus.AWAITING_BUYER, CaseStatus.UNDER_REVIEW, CaseStatus.RESOLVED}
    ),
    CaseStatus.AWAITING_BUYER: frozenset(
        {CaseStatus.NEEDS_RESPONSE, CaseStatus.UNDER_REVIEW, CaseStatus.RESOLVED}
    ),
    CaseStatus.UNDER_REVIEW: frozenset(
        {CaseStatus.NEEDS_RESPONSE, CaseStatus.AWAITING_BUYER, CaseStatus.RESOLVED}
    ),
    # Re-opening: pre-arbitration after a win, an appeal, a return re-opened by the platform.
    CaseStatus.RESOLVED: frozenset(_OPEN),
}

# Actions that make sense for each kind while the merchant must act or waits on the buyer.
_RESPONDING: dict[CaseKind, frozenset[ActionType]] = {
    CaseKind.CHARGEBACK: frozenset({ActionType.ACCEPT, ActionType.CONTEST}),
    CaseKind.INQUIRY: frozenset(
        {ActionType.ACCEPT, ActionType.CONTEST, ActionType.REFUND, ActionType.SEND_MESSAGE}
    ),
    CaseKind.RETURN: frozenset(
        {
            ActionType.APPROVE_RETURN,
            ActionType.DECLINE_RETURN,
            ActionType.REFUND,
            ActionType.SEND_MESSAGE,
        }
    ),
    CaseKind.CLAIM: frozenset(
        {ActionType.ACCEPT, ActionType.CONTEST, ActionType.REFUND, ActionType.SEND_MESSAGE}
    ),
}
_WAITING: frozenset[ActionType] = frozenset({ActionType.REFUND, ActionType.SEND_MESSAGE})

# Recorded by disputeflow itself: allowed on every case, whatever the platform offers.
LOCAL_ACTIONS: frozenset[ActionType] = frozenset({ActionType.ADD_NOTE})


def is_transition_allowed(old: CaseStatus, new: CaseStatus) -> bool:
    """Whether ``old -> new`` is a move of the state machine (staying put is not a move)."""
    return new in TRANSITIONS[old]


def transition_kind(old: CaseStatus, new: CaseStatus) -> TimelineKind:
    """What the timeline calls a status move."""
    if new == CaseStatus.RESOLVED:
        return TimelineKind.RESOLVED
    if old == CaseStatus.RESOLVED:
        return TimelineKind.REOPENED
    return TimelineKind.STATUS_CHANGED


def _candidates(case: Case) -> frozenset[ActionType]:
    if case.status == CaseStatus.NEEDS_RESPONSE:
        return _RESPONDING[case.kind]
    if case.status in (CaseStatus.AWAITING_BUYER, CaseStatus.UNDER_REVIEW):
        return _WAITING & _RESPONDING[case.kind]
    return frozenset()


def _fully_refunded(case: Case) -> bool:
    if case.amount is None or case.refunded is None:
        return False
    if case.amount.currency != case.refunded.currency:
        return False
    return case.refunded >= case.amount


def allowed_actions(case: Case, capabilities: Capabilities) -> list[ActionType]:
    """The actions a merchant may take on ``case`` now, in a stable order.

    An action is allowed when the case's kind and status call for it and the marketplace
    can carry it out; a refund stops being offered once the whole amount is refunded.
    """
    allowed = {a for a in _candidates(case) if capabilities.supports(case.kind, a)}
    if _fully_refunded(case):
        allowed.discard(ActionType.REFUND)
    allowed |= LOCAL_ACTIONS
    return sorted(allowed, key=list(ActionType).index)
