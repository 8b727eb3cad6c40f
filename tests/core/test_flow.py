"""The case state machine and the actions it allows (disputeflow.core.flow)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from disputeflow.core.capabilities import Capabilities
from disputeflow.core.case import Case
from disputeflow.core.flow import (
    LOCAL_ACTIONS,
    TRANSITIONS,
    allowed_actions,
    is_transition_allowed,
    transition_kind,
)
from disputeflow.core.money import Money
from disputeflow.core.taxonomy import ActionType, CaseKind, CaseStatus, Category, TimelineKind

T0 = datetime(2026, 3, 1, tzinfo=UTC)
OPEN = [CaseStatus.NEEDS_RESPONSE, CaseStatus.AWAITING_BUYER, CaseStatus.UNDER_REVIEW]
KIND_STATUS = list(itertools.product(CaseKind, CaseStatus))

EVERYTHING = Capabilities.build({kind: list(ActionType) for kind in CaseKind})
NOTHING = Capabilities()


def case(kind=CaseKind.CHARGEBACK, status=CaseStatus.NEEDS_RESPONSE, amount=None, refunded=None):
    return Case(
        id="c",
        connection_id="conn",
        platform="p",
        object_type="dispute",
        external_id="1",
        kind=kind,
        status=status,
        category=Category.OTHER,
        opened_at=T0,
        updated_at=T0,
        amount=amount,
        refunded=refunded,
    )


# -- transitions ----------------------------------------------------------------------------


def test_every_status_has_transitions():
    assert set(TRANSITIONS) == set(CaseStatus)


@pytest.mark.parametrize(("old", "new"), list(itertools.product(CaseStatus, CaseStatus)))
def test_any_move_between_different_statuses_is_allowed_staying_is_not(old, new):
    assert is_transition_allowed(old, new) == (old != new)


@pytest.mark.parametrize("new", OPEN)
def test_resolved_to_open_is_a_reopening(new):
    assert is_transition_allowed(CaseStatus.RESOLVED, new)
    assert transition_kind(CaseStatus.RESOLVED, new) is TimelineKind.REOPENED


@pytest.mark.parametrize("old", OPEN)
def test_moving_to_resolved_is_a_resolution(old):
    assert transition_kind(old, CaseStatus.RESOLVED) is TimelineKind.RESOLVED


@pytest.mark.parametrize(("old", "new"), [(a, b) for a in OPEN for b in OPEN if a != b])
def test_moves_between_open_statuses_are_status_changes(old, new):
    assert transition_kind(old, new) is TimelineKind.STATUS_CHANGED


def test_resolved_to_needs_response_example():
    # e.g. a won dispute going to pre-arbitration
    assert transition_kind(CaseStatus.RESOLVED, CaseStatus.NEEDS_RESPONSE) == "reopened"


# -- capabilities ---------------------------------------------------------------------------


def test_capabilities_build_and_supports():
    caps = Capabilities.build({"return": ["refund", "approve_return"]}, polling=True)
    assert caps.supports(CaseKind.RETURN, ActionType.REFUND)
    assert not caps.supports(CaseKind.RETURN, ActionType.DECLINE_RETURN)
    assert not caps.supports(CaseKind.CHARGEBACK, ActionType.REFUND)
    assert caps.polling
    assert caps.all_actions() == {ActionType.REFUND, ActionType.APPROVE_RETURN}
    assert NOTHING.all_actions() == frozenset()
    assert caps.to_dict()["actions"] == {"return": ["approve_return", "refund"]}
    with pytest.raises(ValueError, match="teleport"):
        Capabilities.build({"return": ["teleport"]})


# -- allowed actions ------------------------------------------------------------------------

EXPECTED_NEEDS_RESPONSE = {
    CaseKind.CHARGEBACK: {ActionType.ACCEPT, ActionType.CONTEST},
    CaseKind.INQUIRY: {
        ActionType.ACCEPT,
        ActionType.CONTEST,
        ActionType.REFUND,
        ActionType.SEND_MESSAGE,
    },
    CaseKind.RETURN: {
        ActionType.APPROVE_RETURN,
        ActionType.DECLINE_RETURN,
        ActionType.REFUND,
        ActionType.SEND_MESSAGE,
    },
    CaseKind.CLAIM: {
        ActionType.ACCEPT,
        ActionType.CONTEST,
        ActionType.REFUND,
        ActionType.SEND_MESSAGE,
    },
}
EXPECTED_WAITING = {
    CaseKind.CHARGEBACK: set(),
    CaseKind.INQUIRY: {ActionType.REFUND, ActionType.SEND_MESSAGE},
    CaseKind.RETURN: {ActionType.REFUND, ActionType.SEND_MESSAGE},
    CaseKind.CLAIM: {ActionType.REFUND, ActionType.SEND_MESSAGE},
}


@pytest.mark.parametrize("kind", list(CaseKind))
def test_needs_response_offers_the_kinds_responses(kind):
    actions = allowed_actions(case(kind, CaseStatus.NEEDS_RESPONSE), EVERYTHING)
    assert set(actions) == EXPECTED_NEEDS_RESPONSE[kind] | {ActionType.ADD_NOTE}


@pytest.mark.parametrize("kind", list(CaseKind))
@pytest.mark.parametrize("status", [CaseStatus.AWAITING_BUYER, CaseStatus.UNDER_REVIEW])
def test_waiting_offers_only_refund_and_message(kind, status):
    actions = allowed_actions(case(kind, status), EVERYTHING)
    assert set(actions) == EXPECTED_WAITING[kind] | {ActionType.ADD_NOTE}


@pytest.mark.parametrize("kind", list(CaseKind))
def test_resolved_cases_offer_only_add_note(kind):
    resolved = case(kind, CaseStatus.RESOLVED, Money("10", "USD"), Money("0", "USD"))
    assert allowed_actions(resolved, EVERYTHING) == [ActionType.ADD_NOTE]


@pytest.mark.parametrize(("kind", "status"), KIND_STATUS)
def test_add_note_is_always_offered(kind, status):
    assert ActionType.ADD_NOTE in allowed_actions(case(kind, status), NOTHING)
    assert ActionType.ADD_NOTE in allowed_actions(case(kind, status), EVERYTHING)
    assert {ActionType.ADD_NOTE} == LOCAL_ACTIONS


@pytest.mark.parametrize(("kind", "status"), KIND_STATUS)
def test_a_marketplace_without_actions_offers_only_add_note(kind, status):
    assert allowed_actions(case(kind, status), NOTHING) == [ActionType.ADD_NOTE]


@pytest.mark.parametrize(("kind", "status"), KIND_STATUS)
@pytest.mark.parametrize("supported", [(), ("refund",), ("accept", "send_message"), ("contest",)])
def test_unsupported_actions_are_never_offered(kind, status, supported):
    caps = Capabilities.build({kind: supported})
    offered = set(allowed_actions(case(kind, status), caps)) - LOCAL_ACTIONS
    assert offered <= set(supported)
    # and the full marketplace offers a superset of this one
    assert offered <= set(allowed_actions(case(kind, status), EVERYTHING))


def test_support_is_per_kind():
    # refunds supported for returns only: an inquiry never offers one
    caps = Capabilities.build({"return": ["refund"], "inquiry": ["send_message"]})
    assert allowed_actions(case(CaseKind.RETURN), caps) == [
        ActionType.REFUND,
        ActionType.ADD_NOTE,
    ]
    assert allowed_actions(case(CaseKind.INQUIRY), caps) == [
        ActionType.SEND_MESSAGE,
        ActionType.ADD_NOTE,
    ]
    assert allowed_actions(case(CaseKind.CLAIM), caps) == [ActionType.ADD_NOTE]


@pytest.mark.parametrize(
    ("refunded", "offered"),
    [
        (None, True),
        ("0", True),
        ("9.99", True),
        ("10.00", False),
        ("12.00", False),
    ],
)
@pytest.mark.parametrize("status", [CaseStatus.NEEDS_RESPONSE, CaseStatus.AWAITING_BUYER])
def test_refund_stops_once_the_whole_amount_is_refunded(refunded, offered, status):
    amount = Money("10", "USD")
    refunded_money = Money(refunded, "USD") if refunded is not None else None
    actions = allowed_actions(case(CaseKind.RETURN, status, amount, refunded_money), EVERYTHING)
    assert (ActionType.REFUND in actions) == offered
    assert ActionType.SEND_MESSAGE in actions
    assert ActionType.ADD_NOTE in actions


def test_refund_offered_when_amount_unknown_or_currencies_differ():
    unknown = case(CaseKind.RETURN, refunded=Money("10", "USD"))
    assert ActionType.REFUND in allowed_actions(unknown, EVERYTHING)
    mixed = case(CaseKind.RETURN, amount=Money("10", "USD"), refunded=Money("10", "EUR"))
    assert ActionType.REFUND in allowed_actions(mixed, EVERYTHING)


@pytest.mark.parametrize(("kind", "status"), KIND_STATUS)
def test_order_is_stable_and_follows_the_action_type_order(kind, status):
    actions = allowed_actions(case(kind, status), EVERYTHING)
    order = list(ActionType)
    assert actions == sorted(actions, key=order.index)
    assert len(actions) == len(set(actions))
    assert actions[-1] is ActionType.ADD_NOTE


def test_allowed_actions_does_not_modify_the_case():
    c = case(CaseKind.RETURN)
    before = c.to_dict()
    allowed_actions(c, EVERYTHING)
    assert c.to_dict() == before
