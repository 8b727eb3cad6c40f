"""PayPal deliveries through the HTTP intake (Flask's test client), verified with the test
certificate served at PayPal's certificate URL, processed by the worker into cases."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from disputeflow import ActionNotAllowedError, ActionType, Money
from disputeflow.core.clock import utcnow
from disputeflow.engine.action_runner import process_actions
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.store.tables import CaseRow, DeliveryRow
from disputeflow.plugins.paypal.samples import ESCALATED, RESOLVED, event
from tests.plugins.paypal.conftest import (
    API,
    FIXTURES,
    TOKEN_ANSWER,
    deliver,
    drain,
    fixture,
    load_case,
    serve_certificate,
    signed,
)
from tests.plugins.paypal.test_signature import vector_request


def stored(runtime) -> int:
    with runtime.database.session() as session:
        return session.scalar(select(func.count()).select_from(DeliveryRow))


def test_the_signed_vector_opens_an_inquiry_case(client, runtime, connection, api):
    serve_certificate(api)
    response = deliver(client, connection, vector_request())
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "accepted"
    assert drain(runtime) == (1, 0)
    case = load_case(runtime, "PP-R-AYP-10135034")
    assert (case.kind, case.stage, case.status) == ("inquiry", "inquiry", "needs_response")
    assert case.category == "not_received"
    assert case.amount == Money("2.00", "USD")
    assert case.order.external_id == "8AW70038VH226914P"
    assert case.buyer.name == "John Doe"
    assert [m.body for m in case.messages] == ["Test support case"]
    assert case.due_at.isoformat() == "2025-10-08T09:46:54.926000+00:00"
    assert case.extra["paypal_actions"] == [
        "accept_claim",
        "escalate",
        "make_offer",
        "provide_evidence",
        "send_message",
    ]
    assert case.extra["requested_evidence"] == ["PROOF_OF_FULFILLMENT"]
    assert case.extra["transaction_ids"] == ["7XB07472F52871902", "8AW70038VH226914P"]
    allowed = runtime.fill_allowed_actions(case).allowed_actions
    assert allowed == ["refund", "accept", "contest", "send_message", "add_note"]


def test_a_redelivered_event_is_a_duplicate(client, runtime, connection, api):
    serve_certificate(api)
    assert deliver(client, connection, vector_request()).get_json()["status"] == "accepted"
    again = deliver(client, connection, vector_request())
    assert (again.status_code, again.get_json()["status"]) == (200, "duplicate")
    assert stored(runtime) == 1


def test_a_forged_body_is_refused_with_401_and_nothing_is_stored(client, runtime, connection, api):
    serve_certificate(api)
    request = vector_request()
    forged = request.body.replace(b'"2.00"', b'"200.00"', 1)
    response = client.post(
        f"/webhooks/paypal/{connection['id']}", data=forged, headers=dict(request.headers)
    )
    assert response.status_code == 401
    assert response.get_json()["code"] == "invalid_signature"
    assert stored(runtime) == 0


def test_a_certificate_elsewhere_is_refused_without_any_outbound_call(
    client, runtime, connection, api
):
    elsewhere = "https://paypal.example.net/v1/notifications/certs/CERT-1"
    response = deliver(client, connection, vector_request(**{"PAYPAL-CERT-URL": elsewhere}))
    assert response.status_code == 401
    assert not api.calls
    assert stored(runtime) == 0


def test_escalation_then_resolution_moves_the_case(client, runtime, connection, api):
    serve_certificate(api)
    assert deliver(client, connection, vector_request()).status_code == 200
    escalated = event("WH-ESCALATED", "CUSTOMER.DISPUTE.UPDATED", ESCALATED)
    assert deliver(client, connection, signed(escalated, transmission_id="t-2")).status_code == 200
    drain(runtime)
    case = load_case(runtime, "PP-R-AYP-10135034")
    assert (case.kind, case.stage, case.status) == ("claim", "chargeback", "needs_response")
    assert case.extra["paypal_actions"] == ["accept_claim", "make_offer", "provide_evidence"]
    kinds = [entry.kind for entry in case.timeline]
    assert "kind_changed" in kinds
    assert "stage_changed" in kinds
    resolved = {
        **RESOLVED,
        "dispute_id": "PP-R-AYP-10135034",
        "update_time": "2025-09-30T10:00:00Z",
    }
    body = event("WH-RESOLVED", "CUSTOMER.DISPUTE.RESOLVED", resolved)
    assert deliver(client, connection, signed(body, transmission_id="t-3")).status_code == 200
    drain(runtime)
    case = load_case(runtime, "PP-R-AYP-10135034")
    assert (case.status, case.outcome) == ("resolved", "buyer_favor")
    assert case.extra["paypal_actions"] == []
    assert runtime.fill_allowed_actions(case).allowed_actions == ["add_note"]


def test_an_event_that_is_not_about_a_dispute_is_kept_and_makes_no_case(
    client, runtime, connection, api
):
    """PayPal's PHP SDK sample ``PAYMENT.SALE.COMPLETED`` event (sample/notifications/
    ValidateWebhookEvent.php), signed for this connection."""
    serve_certificate(api)
    sale = {
        "id": "WH-9UG43882HX7271132-6E0871324L7949614",
        "event_version": "1.0",
        "create_time": "2025-09-21T22:00:45Z",
        "resource_type": "sale",
        "event_type": "PAYMENT.SALE.COMPLETED",
        "summary": "Payment completed for $ 21.0 USD",
        "resource": {
            "id": "80F85758S3080410K",
            "state": "completed",
            "amount": {"total": "21.00", "currency": "USD"},
        },
    }
    assert deliver(client, connection, signed(sale)).get_json()["status"] == "accepted"
    assert drain(runtime) == (1, 0)
    with runtime.database.session() as session:
        assert session.scalar(select(func.count()).select_from(CaseRow)) == 0


def test_the_stored_event_is_the_raw_body(client, runtime, connection, api):
    serve_certificate(api)
    deliver(client, connection, vector_request())
    with runtime.database.session() as session:
        row = session.scalars(select(DeliveryRow)).one()
        assert json.loads(row.body) == json.loads(
            (FIXTURES / "dispute_created_event.json").read_text()
        )


def test_the_case_offers_only_what_paypal_offers_and_the_worker_sends_it(
    client, runtime, connection, api
):
    """After the escalation PayPal offers accept, an offer and evidence (no messages, which
    the guide's table offers in the inquiry stage only): the case offers those, a message is
    refused with 409 before anything is queued, and an accept queued through
    the outbox reaches PayPal's accept-claim once, with the action's idempotency key."""
    serve_certificate(api)
    escalated = event("WH-ESCALATED", "CUSTOMER.DISPUTE.UPDATED", ESCALATED)
    assert deliver(client, connection, signed(escalated)).status_code == 200
    drain(runtime)
    case = runtime.fill_allowed_actions(load_case(runtime, "PP-R-AYP-10135034"))
    assert case.allowed_actions == ["refund", "accept", "contest", "add_note"]
    with pytest.raises(ActionNotAllowedError, match="send_message is not allowed"):
        request_action(runtime, case.id, ActionInput(ActionType.SEND_MESSAGE, message="hi"))
    wanted = ActionInput(ActionType.ACCEPT, rationale="Lost in the post.", idempotency_key="k-1")
    _, created = request_action(runtime, case.id, wanted)
    assert created
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    dispute = f"{API}/v1/customer/disputes/PP-R-AYP-10135034"
    api.get(dispute, json=ESCALATED)
    accept = api.post(f"{dispute}/accept-claim", json=fixture("action_response.json"))
    api.get(dispute, json=ESCALATED)
    process_actions(runtime, now=utcnow())
    assert len(accept.calls) == 1
    assert json.loads(accept.calls[0].request.body) == {
        "note": "Lost in the post.",
        "accept_claim_type": "REFUND",
    }
    assert accept.calls[0].request.headers["PayPal-Request-Id"].endswith("k-1")
