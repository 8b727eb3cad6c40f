"""``/api/v1/cases/{id}/actions``: checked, stored in the outbox, idempotent by key."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from disputeflow import hookimpl
from disputeflow.engine.store import actions
from disputeflow.engine.store.tables import ActionRow
from tests.builders import snapshot


@pytest.fixture
def chargeback(add_case):
    """A chargeback of the fake marketplace that needs a response."""
    return add_case(snapshot("cb1"))


@pytest.fixture
def a_return(add_case):
    return add_case(snapshot("rt1", kind="return", object_type="return"))


def post(client, headers, case_id, body, key=None):
    headers = {**headers, **({"Idempotency-Key": key} if key else {})}
    return client.post(f"/api/v1/cases/{case_id}/actions", headers=headers, json=body)


def stored(runtime):
    with runtime.database.session() as session:
        return [actions.describe(row) for row in session.scalars(select(ActionRow))]


def assert_error(response, status, code):
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert (body["status"], body["code"]) == (status, code)
    return body


def test_accept_is_queued_with_202_and_a_location(client, agent, runtime, chargeback):
    response = post(client, agent, chargeback, {"type": "accept"})
    assert response.status_code == 202
    action = response.get_json()
    assert (action["type"], action["status"]) == ("accept", "pending")
    assert action["case_id"] == chargeback
    assert action["requested_by"] == "agent-bot"
    location = f"/api/v1/cases/{chargeback}/actions/{action['id']}"
    assert response.headers["Location"].endswith(location)
    assert stored(runtime) == [action]
    shown = client.get(response.headers["Location"], headers=agent)
    assert shown.status_code == 200
    assert shown.get_json() == action


def test_a_request_shows_on_the_timeline_and_in_the_action_list(client, agent, chargeback):
    action = post(client, agent, chargeback, {"type": "contest", "message": "tracked"}).get_json()
    assert action["params"] == {"message": "tracked"}
    listed = client.get(f"/api/v1/cases/{chargeback}/actions", headers=agent).get_json()
    assert listed == {"items": [action], "next_cursor": None}
    timeline = client.get(f"/api/v1/cases/{chargeback}/timeline", headers=agent).get_json()
    assert timeline["items"][-1]["kind"] == "action_requested"
    assert timeline["items"][-1]["data"]["action_id"] == action["id"]


def test_an_action_not_allowed_is_409_and_nothing_is_stored(client, agent, runtime, chargeback):
    response = post(client, agent, chargeback, {"type": "approve_return"})
    body = assert_error(response, 409, "action_not_allowed")
    assert "accept, contest, add_note" in body["message"]
    assert stored(runtime) == []


def test_refund_without_amount_is_422(client, agent, runtime, a_return):
    body = assert_error(post(client, agent, a_return, {"type": "refund"}), 422, "invalid_input")
    assert body["errors"] == {"amount": ["required"]}
    assert stored(runtime) == []


def test_refund_in_another_currency_is_422(client, agent, runtime, a_return):
    wanted = {"type": "refund", "amount": {"value": "12.50", "currency": "USD"}}
    body = assert_error(post(client, agent, a_return, wanted), 422, "invalid_input")
    assert body["errors"] == {"amount": ["wrong currency"]}
    assert stored(runtime) == []


def test_refund_of_the_whole_amount_is_queued(client, agent, a_return):
    wanted = {"type": "refund", "amount": {"value": "12.5", "currency": "eur"}}
    response = post(client, agent, a_return, wanted)
    assert response.status_code == 202
    assert response.get_json()["params"]["amount"] == {"value": "12.50", "currency": "EUR"}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"type": ["Missing data for required field."]}),
        ({"type": "explode"}, {"type": ["Must be one of: refund, accept, contest, approve_return, "
                                         "decline_return, send_message, add_note."]}),
        ({"type": "refund", "amount": {"value": 12.5, "currency": "EUR"}},
         {"amount": {"value": ["Not a valid string."]}}),
        ({"type": "refund", "amount": {"value": "12.505", "currency": "EUR"}},
         {"amount": {"value": ["12.505 has more decimal places than EUR allows (2)"]}}),
        ({"type": "refund", "amount": {"value": "1", "currency": "XXY"}},
         {"amount": {"currency": ["Unknown currency code (expected ISO 4217)."]}}),
        ({"type": "accept", "colour": "red"}, {"colour": ["Unknown field."]}),
        ({"type": "accept", "params": {"amount": {"value": "1", "currency": "EUR"}}},
         {"params": {"amount": {"key": ["Reserved: use amount."]}}}),
    ],
    ids=["no-type", "unknown-type", "float", "too-precise", "bad-currency", "unknown-field",
         "reserved-param"],
)  # fmt: skip
def test_invalid_bodies_are_422_with_field_errors(client, agent, runtime, a_return, body, errors):
    response = post(client, agent, a_return, body)
    assert assert_error(response, 422, "invalid_input")["errors"] == errors
    assert stored(runtime) == []


def test_broken_json_is_400_in_the_common_shape(client, agent, chargeback):
    response = client.post(
        f"/api/v1/cases/{chargeback}/actions",
        headers={**agent, "Content-Type": "application/json"},
        data=b'{"type": ',
    )
    assert_error(response, 400, "bad_request")


def test_a_note_needs_a_message_and_is_recorded_at_once(client, agent, chargeback):
    missing = post(client, agent, chargeback, {"type": "add_note"})
    assert assert_error(missing, 422, "invalid_input")["errors"] == {"message": ["required"]}
    note = post(client, agent, chargeback, {"type": "add_note", "message": "called the bank"})
    assert note.status_code == 202
    assert note.get_json()["status"] == "succeeded"


@pytest.mark.parametrize("where", ["header", "body"])
def test_the_same_idempotency_key_twice_makes_one_action(client, agent, runtime, chargeback, where):
    def send():
        if where == "header":
            return post(client, agent, chargeback, {"type": "accept"}, key="k-1")
        return post(client, agent, chargeback, {"type": "accept", "idempotency_key": "k-1"})

    first, again = send(), send()
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert first.get_json()["idempotency_key"] == "k-1"
    assert len(stored(runtime)) == 1


def test_header_and_body_keys_must_agree(client, agent, runtime, chargeback):
    body = {"type": "accept", "idempotency_key": "k-body"}
    response = post(client, agent, chargeback, body, key="k-header")
    assert "idempotency_key" in assert_error(response, 422, "invalid_input")["errors"]
    assert stored(runtime) == []


def test_a_key_reused_for_another_action_is_422(client, agent, chargeback):
    assert post(client, agent, chargeback, {"type": "accept"}, key="k-2").status_code == 202
    reused = post(client, agent, chargeback, {"type": "contest"}, key="k-2")
    errors = assert_error(reused, 422, "invalid_input")["errors"]
    assert errors == {"idempotency_key": ["already used"]}


def test_a_concurrent_duplicate_key_answers_the_first_action(
    client, agent, runtime, chargeback, monkeypatch
):
    first = post(client, agent, chargeback, {"type": "accept"}, key="k-race").get_json()
    real = actions.find_by_key
    calls = []

    def blind_once(session, key):  # as if the other request had not committed yet
        calls.append(key)
        return None if len(calls) == 1 else real(session, key)

    monkeypatch.setattr(actions, "find_by_key", blind_once)
    again = post(client, agent, chargeback, {"type": "accept"}, key="k-race")
    assert again.status_code == 200
    assert again.get_json() == first
    assert len(calls) == 2
    with runtime.database.session() as session:
        assert session.scalar(select(func.count()).select_from(ActionRow)) == 1


def test_a_veto_from_a_plugin_is_409_with_its_reason(client, agent, runtime, chargeback):
    class Freeze:
        @hookimpl
        def disputeflow_before_action(self, case, action):
            return "the account is frozen by finance" if action.type == "accept" else None

    runtime.plugins.register(Freeze(), name="freeze")
    response = post(client, agent, chargeback, {"type": "accept"})
    body = assert_error(response, 409, "action_not_allowed")
    assert "the account is frozen by finance" in body["message"]
    assert stored(runtime) == []
    assert post(client, agent, chargeback, {"type": "contest"}).status_code == 202


def test_an_action_on_an_unknown_case_is_404(client, agent, runtime):
    assert_error(post(client, agent, "case_missing", {"type": "accept"}), 404, "not_found")


def test_an_action_is_shown_only_under_its_own_case(client, agent, chargeback, a_return):
    action = post(client, agent, chargeback, {"type": "accept"}).get_json()
    elsewhere = client.get(f"/api/v1/cases/{a_return}/actions/{action['id']}", headers=agent)
    assert_error(elsewhere, 404, "not_found")
    missing = client.get(f"/api/v1/cases/{chargeback}/actions/act_missing", headers=agent)
    assert_error(missing, 404, "not_found")


def test_contest_carries_the_merchants_evidence_to_the_worker(client, agent, runtime, chargeback):
    from disputeflow.engine.outbox import request_from_row

    body = {
        "type": "contest",
        "evidence": [
            {"kind": "shipping_documentation", "description": "DHL 00340434", "url": "https://x.test/p.pdf"},
            {"kind": "customer_communication", "description": "buyer confirmed receipt"},
        ],
    }  # fmt: skip
    response = post(client, agent, chargeback, body)
    assert response.status_code == 202
    with runtime.database.session() as session:
        request = request_from_row(session.scalar(select(ActionRow)))
    assert [e.kind for e in request.evidence] == [
        "shipping_documentation",
        "customer_communication",
    ]
    assert request.evidence[0].party == "merchant"
    assert request.evidence[0].url == "https://x.test/p.pdf"
    assert request.evidence[0].submitted_at.tzinfo is not None
    assert request.params == {}


def test_evidence_without_a_kind_is_422(client, agent, runtime, chargeback):
    response = post(
        client, agent, chargeback, {"type": "contest", "evidence": [{"description": "x"}]}
    )
    body = assert_error(response, 422, "invalid_input")
    assert "evidence" in body["errors"]
    assert stored(runtime) == []
