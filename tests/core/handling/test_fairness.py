"""Fairness in the flow: rationale and evidence on every resolution, the buyer's window to
answer, and the statutory refusal of declines, whoever asks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from disputeflow import Evidence
from disputeflow.core.errors import ActionNotAllowedError, InvalidInputError
from disputeflow.core.taxonomy import ActionType
from disputeflow.engine.outbox import ActionInput, check_action, request_action
from disputeflow.engine.store import actions
from tests.builders import T0
from tests.core.handling.conftest import a_return, ingest, load


def decline(**options):
    return ActionInput(ActionType.DECLINE_RETURN, **options)


def stored_actions(runtime, case_id):
    with runtime.database.session() as session:
        return [actions.describe(row) for row in actions.list_for_case(session, case_id)]


def test_an_eu_buyers_change_of_mind_return_within_14_days_cannot_be_declined(
    runtime, connection_id
):
    case = ingest(runtime, connection_id, a_return("r1", country="DE", days_after_order=10))
    assert case.extra["policy"]["within_statutory_window"] is True
    with pytest.raises(ActionNotAllowedError) as refused:
        request_action(runtime, case.id, decline(message="we do not take returns after 7 days"))
    message = refused.value.message
    assert message.startswith("decline_return refused: a buyer in Germany (DE) may withdraw")
    assert "within 14 days without giving a reason" in message
    assert "10 days after the order" in message
    assert "https://eur-lex.europa.eu/eli/dir/2011/83/oj" in message
    assert "params.statutory_exception" in message
    assert refused.value.status == 409
    assert stored_actions(runtime, case.id) == []
    with pytest.raises(ActionNotAllowedError, match="Germany"):
        check_action(runtime, case.id, decline(message="dry"))


@pytest.mark.parametrize(
    ("country", "days_after_order"),
    # no statutory right; past 7 days; delivery unknown; a sourced "none"; not confirmed
    [("US", 3), ("CN", 9), ("DE", 30), ("HK", 3), ("LA", 3)],
)
def test_declines_the_law_does_not_forbid_go_through(
    runtime, connection_id, country, days_after_order
):
    case = ingest(
        runtime, connection_id, a_return("r1", country=country, days_after_order=days_after_order)
    )
    action, created = request_action(runtime, case.id, decline(message="worn"))
    assert created
    assert action["type"] == "decline_return"


def test_a_mexican_buyers_five_business_days_are_told_as_such(runtime, connection_id):
    """Ordered Thu 29 Oct 2026, asked Sun 1 Nov: inside LFPC Art. 56's five business days
    (Fri 30 Oct, Mon 2 to Thu 5 Nov: seven calendar days)."""
    case = ingest(runtime, connection_id, a_return("r1", country="MX", days_after_order=3))
    policy = case.extra["policy"]
    assert (policy["statutory_business_days"], policy["statutory_window_days"]) == (5, 7)
    with pytest.raises(ActionNotAllowedError) as refused:
        request_action(runtime, case.id, decline(message="no returns"))
    assert "within 5 business days (7 days) without giving a reason" in refused.value.message
    assert "Ley Federal de Protección al Consumidor" in refused.value.message
    assert "https://juristas.mx/en/laws/ley-federal-de-proteccion-al-consumidor/articulo-56" in (
        refused.value.message
    )


def test_a_named_exception_with_a_rationale_allows_the_decline(runtime, connection_id):
    case = ingest(runtime, connection_id, a_return("r1", country="FR"))
    exception = {"statutory_exception": "sealed_hygiene_unsealed"}
    with pytest.raises(ActionNotAllowedError, match="needs a rationale"):
        request_action(runtime, case.id, decline(params=exception))
    with pytest.raises(ActionNotAllowedError, match="'worn_once' is not an exception"):
        request_action(
            runtime, case.id, decline(params={"statutory_exception": "worn_once"}, rationale="worn")
        )
    action, _ = request_action(
        runtime, case.id, decline(params=exception, rationale="Earrings, seal broken")
    )
    assert action["params"]["statutory_exception"] == "sealed_hygiene_unsealed"
    entry = load(runtime, case.id).timeline[-1]
    assert entry.summary == "decline_return requested by merchant: Earrings, seal broken"
    assert entry.data["statutory_exception"] == "sealed_hygiene_unsealed"


def test_every_resolution_records_its_rationale_and_evidence(runtime, connection_id):
    photo = Evidence("ev-photo", "buyer", "photo", T0, "scratched lid")
    case = ingest(runtime, connection_id, a_return("r1", country="US", evidence=(photo,)))
    request_action(
        runtime,
        case.id,
        ActionInput(
            ActionType.APPROVE_RETURN,
            rationale="The buyer's photo shows the damage",
            evidence_ids=("ev-photo",),
            requested_by="agent-ana",
        ),
    )
    entry = load(runtime, case.id).timeline[-1]
    assert (entry.kind, entry.actor) == ("action_requested", "merchant")
    assert (
        entry.summary == "approve_return requested by agent-ana: The buyer's photo shows the damage"
    )
    assert entry.data["rationale"] == "The buyer's photo shows the damage"
    assert entry.data["evidence_ids"] == ["ev-photo"]
    [action] = stored_actions(runtime, case.id)
    assert action["params"] == {
        "rationale": "The buyer's photo shows the damage",
        "evidence_ids": ["ev-photo"],
    }


def test_a_resolution_without_a_rationale_says_so(runtime, connection_id):
    case = ingest(runtime, connection_id, a_return("r1", country="US"))
    request_action(runtime, case.id, ActionInput(ActionType.APPROVE_RETURN))
    assert load(runtime, case.id).timeline[-1].summary == (
        "approve_return requested by merchant (no rationale given)"
    )


def test_the_merchant_can_require_a_rationale(runtime, connection_id, use_rules):
    use_rules("[fairness]\nrequire_rationale = true\n")
    case = ingest(runtime, connection_id, a_return("r1", country="US"))
    with pytest.raises(InvalidInputError) as missing:
        request_action(runtime, case.id, ActionInput(ActionType.APPROVE_RETURN))
    assert missing.value.errors == {"rationale": ["required"]}
    request_action(runtime, case.id, ActionInput(ActionType.APPROVE_RETURN, rationale="ok"))


def test_evidence_a_decision_rests_on_must_be_the_cases(runtime, connection_id):
    case = ingest(runtime, connection_id, a_return("r1", country="US"))
    with pytest.raises(InvalidInputError) as unknown:
        request_action(
            runtime, case.id, ActionInput(ActionType.APPROVE_RETURN, evidence_ids=("ev-x",))
        )
    assert unknown.value.errors == {"evidence_ids": ["unknown: ev-x"]}


def test_no_decline_while_the_buyer_may_still_answer_a_request(runtime, connection_id, monkeypatch):
    from tests.fakes.marketplace import FakeMarketplace

    richer = type(FakeMarketplace.capabilities).build(
        {"return": ["approve_return", "decline_return", "refund", "send_message"]}
    )
    monkeypatch.setattr(FakeMarketplace, "capabilities", richer)
    case = ingest(runtime, connection_id, a_return("r1", country="US", days_after_order=3))
    request_action(
        runtime,
        case.id,
        ActionInput(ActionType.SEND_MESSAGE, message="Photo?", params={"request_info": True}),
    )
    with pytest.raises(ActionNotAllowedError, match=r"they have until .* to answer"):
        request_action(runtime, case.id, decline(message="no photo"))
    window = next(d for d in load(runtime, case.id).deadlines if d.kind == "buyer_response")
    assert window.due_at - T0 > timedelta(days=7)


def test_the_refusal_reaches_the_api_as_409(client_for, runtime, connection_id, make_token):
    case = ingest(runtime, connection_id, a_return("r1", country="IT"))
    client = client_for(runtime)
    token = make_token("agent")
    response = client.post(
        f"/api/v1/cases/{case.id}/actions",
        headers={"Authorization": f"Bearer {token}"},
        json={"type": "decline_return", "message": "no", "rationale": "policy is 7 days"},
    )
    assert response.status_code == 409
    body = response.get_json()
    assert body["code"] == "action_not_allowed"
    assert "a buyer in Italy (IT) may withdraw" in body["message"]
    ok = client.post(
        f"/api/v1/cases/{case.id}/actions",
        headers={"Authorization": f"Bearer {token}"},
        json={"type": "approve_return", "rationale": "within the legal window"},
    )
    assert ok.status_code == 202
    assert ok.get_json()["params"] == {"rationale": "within the legal window"}


@pytest.fixture
def client_for():
    from disputeflow.webhooks.app import create_app

    return lambda runtime: create_app(runtime, {"TESTING": True}).test_client()


@pytest.fixture
def make_token(runtime):
    from disputeflow.core.taxonomy import Role
    from disputeflow.engine.store import tokens

    def make(role):
        with runtime.database.session() as session:
            return tokens.create(session, name=f"{role}-bot", role=Role(role)).token

    return make


def test_a_decline_whose_timing_is_unknown_goes_through_with_a_note(runtime, connection_id):
    case = ingest(runtime, connection_id, a_return("r1", country="DE", days_after_order=30))
    assert case.extra["policy"]["within_statutory_window"] is None
    request_action(runtime, case.id, decline(message="returned after two months of use"))
    entry = load(runtime, case.id).timeline[-1]
    assert entry.summary == (
        "decline_return requested by merchant: returned after two months of use (not known "
        "whether the buyer in DE is still inside the statutory 14 days (no delivery date): "
        "the decline relies on it)"
    )
    assert entry.data["statutory_note"].startswith("not known whether")
    us = ingest(runtime, connection_id, a_return("r2", country="US", days_after_order=30))
    request_action(runtime, us.id, decline(message="late"))
    assert "statutory_note" not in load(runtime, us.id).timeline[-1].data
