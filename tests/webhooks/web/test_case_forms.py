"""The case page's action forms through the Flask test client: validation next to the
fields, roles, forgery, and each form reaching the action outbox."""

from __future__ import annotations

import re

import pytest

from disputeflow import Capabilities, Money, hookimpl
from disputeflow.engine.store import actions, cases
from tests.builders import snapshot
from tests.fakes.marketplace import FakeMarketplace
from tests.webhooks.web.conftest import csrf_of


@pytest.fixture
def a_return(add_case):
    return add_case(
        snapshot(
            "r-100",
            kind="return",
            object_type="return",
            category="changed_mind",
            amount=Money("40.00", "EUR"),
        )
    )


@pytest.fixture
def a_dispute(add_case):
    return add_case(snapshot("d-100"))


@pytest.fixture
def agent(as_role):
    return as_role("agent")


def post(client, case_id, **fields):
    page = client.get(f"/workspace/cases/{case_id}")
    data = {"csrf_token": csrf_of(page.text), **fields}
    return client.post(f"/workspace/cases/{case_id}/actions", data=data)


def stored(runtime, case_id):
    with runtime.database.session(readonly=True) as session:
        return [actions.describe(row) for row in actions.list_for_case(session, case_id)]


def field_error(html, form, field):
    found = re.search(rf'id="f-{form}-{field}-error">([^<]*)<', html)
    return found.group(1) if found else None


def test_offers_the_allowed_forms_only(agent, a_return, a_dispute):
    page = agent.get(f"/workspace/cases/{a_return}").text
    for name in ("refund", "approve_return", "decline_return", "add_note", "assign"):
        assert f'id="form-{name}"' in page
    assert 'id="form-contest"' not in page
    assert 'value="40.00"' in page, "the refund form suggests what is left to refund"
    dispute = agent.get(f"/workspace/cases/{a_dispute}").text
    assert 'id="form-contest"' in dispute
    assert 'id="form-accept"' in dispute
    assert 'id="form-refund"' not in dispute


def test_refund_validation_messages_sit_next_to_the_field(runtime, agent, a_return):
    empty = post(agent, a_return, type="refund", amount="")
    assert empty.status_code == 422
    assert field_error(empty.text, "refund", "amount") == "Enter the amount to refund."
    assert 'aria-invalid="true" aria-describedby="f-refund-amount-error' in empty.text
    assert '<details open id="form-refund">' in empty.text
    precise = post(agent, a_return, type="refund", amount="1.234")
    assert field_error(precise.text, "refund", "amount") == "EUR allows at most 2 decimal places."
    too_much = post(agent, a_return, type="refund", amount="45.00")
    assert too_much.status_code == 422
    assert field_error(too_much.text, "refund", "amount") == (
        "At most €40.00 can still be refunded."
    )
    assert 'value="45.00"' in too_much.text, "what was typed is kept"
    assert stored(runtime, a_return) == []


def test_a_partial_refund_is_queued_in_the_outbox(runtime, agent, a_return):
    response = post(
        agent,
        a_return,
        type="refund",
        amount="15.00",
        rationale="scratched box",
        idempotency_key="web-k1",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/workspace/cases/{a_return}#actions")
    (action,) = stored(runtime, a_return)
    assert (action["type"], action["status"]) == ("refund", "pending")
    assert action["params"]["amount"] == {"value": "15.00", "currency": "EUR"}
    assert action["requested_by"] == "agent-person"
    page = agent.get(f"/workspace/cases/{a_return}").text
    assert "Refund: queued." in page
    assert 'data-active="1"' in page
    assert '<meta http-equiv="refresh" content="5">' in page
    assert 'value="25.00"' in page, "the queued refund is taken off the suggestion"
    again = post(agent, a_return, type="refund", amount="15.00", idempotency_key="web-k1")
    assert again.status_code == 302
    assert len(stored(runtime, a_return)) == 1, "a form sent twice queues one refund"
    status = agent.get(f"/workspace/cases/{a_return}/status.json").get_json()
    assert status["active"] is True
    assert status["actions"][0]["status"] == "pending"
    assert status["signature"].startswith(f"{action['id']}:pending#")


def test_decline_needs_a_reason(runtime, agent, a_return):
    response = post(agent, a_return, type="decline_return", rationale=" ")
    assert response.status_code == 422
    assert field_error(response.text, "decline_return", "rationale") == (
        "Give the reason for declining."
    )
    ok = post(agent, a_return, type="decline_return", rationale="used and washed")
    assert ok.status_code == 302
    assert stored(runtime, a_return)[0]["params"]["rationale"] == "used and washed"


def test_approve_and_accept(runtime, agent, a_return, a_dispute):
    assert post(agent, a_return, type="approve_return").status_code == 302
    assert stored(runtime, a_return)[0]["type"] == "approve_return"
    assert post(agent, a_dispute, type="accept", rationale="no proof").status_code == 302
    assert stored(runtime, a_dispute)[0]["params"]["rationale"] == "no proof"


def test_contest_with_evidence(runtime, agent, a_dispute):
    missing = post(agent, a_dispute, type="contest", evidence_description="label")
    assert field_error(missing.text, "contest", "evidence_kind") == "Choose the kind of evidence."
    bad_url = post(
        agent,
        a_dispute,
        type="contest",
        evidence_kind="proof_of_delivery",
        evidence_description="signed",
        evidence_url="ftp://x",
    )
    assert field_error(bad_url.text, "contest", "evidence_url") == (
        "Give a full http:// or https:// address."
    )
    ok = post(
        agent,
        a_dispute,
        type="contest",
        evidence_kind="proof_of_delivery",
        evidence_description="signed by the buyer",
        evidence_url="https://files.example/pod.pdf",
        rationale="delivered",
    )
    assert ok.status_code == 302
    (evidence,) = stored(runtime, a_dispute)[0]["params"]["evidence"]
    assert (evidence["kind"], evidence["party"], evidence["url"]) == (
        "proof_of_delivery",
        "merchant",
        "https://files.example/pod.pdf",
    )


def test_notes_and_assignment_are_recorded_at_once(runtime, agent, a_dispute):
    empty = post(agent, a_dispute, type="add_note", message="")
    assert field_error(empty.text, "add_note", "message") == "Write the message."
    assert post(agent, a_dispute, type="add_note", message="called the bank").status_code == 302
    nobody = post(agent, a_dispute, type="assign", assignee="")
    assert field_error(nobody.text, "assign", "assignee") == "Say who takes the case."
    assert post(agent, a_dispute, type="assign", assignee="Team DACH").status_code == 302
    notes = stored(runtime, a_dispute)
    assert [(a["type"], a["status"]) for a in notes] == [("add_note", "succeeded")] * 2
    assert notes[1]["params"]["assign_to"] == "Team DACH"
    page = agent.get(f"/workspace/cases/{a_dispute}").text
    assert "<dt>Assigned to</dt><dd>Team DACH</dd>" in page
    assert "called the bank" in page
    assert "Assign: recorded." in page


def test_message_the_buyer_where_the_marketplace_can(runtime, plugin_manager, agent, add_case):
    class Chatty(FakeMarketplace):
        name = "chatty"
        capabilities = Capabilities.build({"return": ["send_message", "refund"]})

    class Plugin:
        @hookimpl
        def disputeflow_register_marketplaces(self):
            return [Chatty()]

    plugin_manager.register(Plugin(), name="chatty")
    connection = runtime.add_connection("chatty", "chat", {"signing_secret": "s", "shop": "c"})
    case_id = add_case(
        snapshot("c-1", platform="chatty", kind="return", object_type="return"),
        connection_id=connection["id"],
    )
    assert 'id="form-send_message"' in agent.get(f"/workspace/cases/{case_id}").text
    response = post(agent, case_id, type="send_message", message="Photo please?", request_info="1")
    assert response.status_code == 302
    (action,) = stored(runtime, case_id)
    assert action["params"]["message"] == "Photo please?"
    assert action["params"]["request_info"] is True
    assert "buyer_response_due" in action["params"], "the buyer gets a window to answer"


def test_refused_actions_say_why(runtime, agent, a_dispute):
    response = post(agent, a_dispute, type="refund", amount="1.00")
    assert response.status_code == 409
    assert "refund is not allowed on this chargeback case" in response.text
    unknown = post(agent, a_dispute, type="teleport")
    assert unknown.status_code == 422
    assert "Unknown action &#39;teleport&#39;." in unknown.text
    assert stored(runtime, a_dispute) == []


def test_viewers_read_but_cannot_act(runtime, as_role, a_return):
    viewer = as_role("viewer")
    page = viewer.get(f"/workspace/cases/{a_return}")
    assert page.status_code == 200
    assert "you can read this case but not act on it" in page.text
    assert 'id="form-refund"' not in page.text
    refused = viewer.post(
        f"/workspace/cases/{a_return}/actions",
        data={"csrf_token": csrf_of(page.text), "type": "approve_return"},
    )
    assert refused.status_code == 403
    assert "This needs the agent role" in refused.text
    assert stored(runtime, a_return) == []


def test_action_forms_need_the_form_token(runtime, agent, a_return):
    response = agent.post(f"/workspace/cases/{a_return}/actions", data={"type": "approve_return"})
    assert response.status_code == 400
    assert stored(runtime, a_return) == []


def test_unknown_case_is_a_page_not_json(agent):
    response = agent.get("/workspace/cases/case_nope")
    assert response.status_code == 404
    assert "There is nothing at this address." in response.text
    assert response.mimetype == "text/html"
    assert agent.get("/workspace/cases/case_nope/status.json").status_code == 404


def test_case_page_shows_both_sides_rights_and_deadlines(runtime, agent, add_case):
    from datetime import timedelta

    from disputeflow import Deadline, Evidence, Message, Party
    from tests.builders import T0

    case_id = add_case(
        snapshot(
            "r-200",
            kind="return",
            object_type="return",
            category="changed_mind",
            buyer=Party(name="Ana", country="DE"),
            evidence=(
                Evidence("e-b", "buyer", "photo", T0, "torn seam"),
                Evidence("e-m", "merchant", "receipt", T0, "invoice"),
            ),
            messages=(Message("m-b", "buyer", "It arrived torn", T0),),
            deadlines=(Deadline("platform_response", T0 + timedelta(days=3), "fake"),),
        )
    )
    page = agent.get(f"/workspace/cases/{case_id}").text
    buyer = page.split('id="side-buyer"')[1].split("</section>")[0]
    merchant = page.split('id="side-merchant"')[1].split("</section>")[0]
    assert "torn seam" in buyer
    assert "It arrived torn" in buyer
    assert "invoice" in merchant
    assert "torn seam" not in merchant
    assert "Fake marketplace&#39;s response deadline" in page
    assert "Statutory rights in Germany" in page
    with runtime.database.session(readonly=True) as session:
        policy = cases.get(session, case_id).extra["policy"]  # triage evaluated the return
    assert "Policy evaluation" in page
    assert f"<dt>Statutory window (days)</dt><dd>{policy['statutory_window_days']}</dd>" in page
