"""``/api/v1/cases/{id}/evidence``: the packet assembled, edited, refused in the common
error shape, and submitted through the outbox as a ``contest``.

The fake marketplace has no section in the catalogue: its items all go into the free text
and it keeps no drafts, which is what a platform the catalogue does not know gets.
"""

from __future__ import annotations

import base64

from sqlalchemy import select

from disputeflow import Message, Party
from disputeflow.engine.store import cases, packets
from disputeflow.engine.store.tables import ActionRow, EvidenceFileRow
from tests.builders import T0, snapshot
from tests.webhooks.api.test_actions import assert_error

PDF = b"%PDF-1.4\n% a delivery receipt\n"


def fraud_case(add_case):
    buyer = Party(name="Jenny Rosen", email="jenny.rosen@example.com", country="DE")
    said = Message("m1", "buyer", "I never ordered this.", T0)
    return add_case(snapshot("cb1", buyer=buyer, messages=(said,)))


def url(case_id, tail=""):
    return f"/api/v1/cases/{case_id}/evidence{tail}"


def test_the_packet_shows_what_is_held_and_what_is_missing(client, viewer, add_case):
    case_id = fraud_case(add_case)
    packet = client.get(url(case_id), headers=viewer).get_json()
    assert (packet["platform"], packet["category"], packet["state"]) == ("fake", "fraud", "editing")
    found = {item["name"]: item for item in packet["items"]}
    assert found["customer_name"]["text"] == "Jenny Rosen"
    assert found["customer_name"]["origin"] == "disputeflow"
    assert found["buyer_messages"]["text"] == "2026-11-01 12:00 UTC, buyer: I never ordered this."
    assert found["statutory_rights"]["text"].startswith("Buyer in DE:")
    missing = {m["name"]: m for m in packet["missing"]}
    assert missing["billing_address"]["required"] is True
    assert "AVS" in missing["billing_address"]["why"]
    assert "card_checks" in missing
    assert "customer_name" not in missing
    assert packet["complete"] is False
    assert packet["drafts_supported"] is False


def test_an_agent_completes_the_packet(client, agent, runtime, add_case):
    case_id = fraud_case(add_case)
    body = {
        "statement": "The cardholder ordered and received the goods.",
        "items": {"billing_address": "1 Main St, Berlin", "card_checks": "AVS and CVC passed"},
        "excluded": ["buyer_messages"],
        "files": [{"item": "delivery", "filename": "pod.pdf",
                   "data": base64.b64encode(PDF).decode()}],
    }  # fmt: skip
    packet = client.put(url(case_id), headers=agent, json=body).get_json()
    assert packet["complete"] is True, packet["missing"]
    assert (packet["updated_by"], packet["statement"]) == ("agent-bot", body["statement"])
    found = {item["name"]: item for item in packet["items"]}
    assert (found["card_checks"]["origin"], found["buyer_messages"]["excluded"]) == ("agent", True)
    assert found["delivery"]["filename"] == "pod.pdf"
    with runtime.database.session() as session:
        stored = session.get(EvidenceFileRow, found["delivery"]["file_id"])
        assert (stored.party, stored.case_id, stored.content_type) == (
            "merchant", case_id, "application/pdf")  # fmt: skip
    dropped = client.put(url(case_id), headers=agent, json={"items": {"card_checks": None}})
    assert {m["name"] for m in dropped.get_json()["missing"]} >= {"card_checks"}


def test_an_unknown_item_is_refused_and_stores_nothing(client, agent, runtime, add_case):
    case_id = fraud_case(add_case)
    response = client.put(url(case_id), headers=agent, json={"items": {"bogus": "x"}})
    body = assert_error(response, 422, "invalid_input")
    assert body["errors"] == {"items": {"bogus": ["not an item of the evidence catalogue"]}}
    bad_file = {"files": [{"item": "delivery", "filename": "a.pdf", "data": "not base64!"}]}
    assert_error(client.put(url(case_id), headers=agent, json=bad_file), 422, "invalid_input")
    html = {"files": [{"item": "delivery", "filename": "a.pdf",
                       "data": base64.b64encode(b"<html>").decode()}]}  # fmt: skip
    assert_error(client.put(url(case_id), headers=agent, json=html), 422, "invalid_input")
    with runtime.database.session() as session:
        assert packets.get(session, case_id) is None
        assert session.scalars(select(EvidenceFileRow)).all() == []


def test_an_unknown_case_answers_404_in_the_common_shape(client, agent):
    assert_error(client.get(url("case_missing"), headers=agent), 404, "not_found")
    put = client.put(url("case_missing"), headers=agent, json={"statement": "x"})
    assert_error(put, 404, "not_found")
    post = client.post(url("case_missing", "/submit"), headers=agent, json={})
    assert_error(post, 404, "not_found")


def test_a_viewer_cannot_edit(client, viewer, add_case):
    case_id = fraud_case(add_case)
    assert client.put(url(case_id), headers=viewer, json={"statement": "x"}).status_code == 403


def test_a_draft_is_refused_where_the_platform_keeps_none(client, agent, runtime, add_case):
    case_id = fraud_case(add_case)
    response = client.post(url(case_id, "/submit"), headers=agent, json={"draft": True})
    body = assert_error(response, 409, "action_not_allowed")
    assert "keeps no evidence drafts" in body["message"]
    with runtime.database.session() as session:
        assert session.scalars(select(ActionRow)).all() == []


def test_submitting_queues_one_contest_with_the_packet(client, agent, runtime, add_case):
    case_id = fraud_case(add_case)
    edit = {"statement": "Ordered and received.", "items": {"card_checks": "CVC passed"}}
    client.put(url(case_id), headers=agent, json=edit)
    response = client.post(url(case_id, "/submit"), headers=agent, json={})
    assert response.status_code == 202, response.get_json()
    answer = response.get_json()
    action = answer["action"]
    assert (action["type"], action["status"], action["requested_by"]) == (
        "contest", "pending", "agent-bot")  # fmt: skip
    assert action["params"]["submit"] is True
    assert action["params"]["evidence_items"] == [
        "buyer_messages", "card_checks", "customer_email", "customer_name", "statutory_rights"
    ]  # fmt: skip
    message = action["params"]["message"]
    assert message.startswith("Ordered and received.\n\n")
    assert "Card checks (AVS, CVC, 3-D Secure) (the agent):\nCVC passed" in message
    assert "Customer name (fake: the case's buyer):\nJenny Rosen" in message
    assert answer["packet"]["state"] == "submitted"
    assert answer["packet"]["action_id"] == action["id"]
    again = client.post(url(case_id, "/submit"), headers=agent, json={})
    assert again.status_code == 200
    assert again.get_json()["action"]["id"] == action["id"]
    client.put(url(case_id), headers=agent, json={"statement": "Changed my mind."})
    refused = client.post(url(case_id, "/submit"), headers=agent, json={})
    assert "already submitted" in assert_error(refused, 409, "action_not_allowed")["message"]
    with runtime.database.session() as session:
        rows = session.scalars(select(ActionRow)).all()
        assert [row.id for row in rows] == [action["id"]]
        timeline = cases.get(session, case_id).timeline
    requested = [e.summary for e in timeline if e.kind == "action_requested"]
    assert requested == ["contest requested by agent-bot: Ordered and received."]
