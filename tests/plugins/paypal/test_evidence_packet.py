"""A PayPal dispute's evidence packet through the evidence feature: assembled from PayPal's
recorded answers, completed by an agent, submitted through
``POST /api/v1/cases/{id}/evidence/submit`` and the outbox, and the ``provide-evidence``
request PayPal got checked field by field.

Recorded answers (the same as ``test_evidence.py``'s, checked 2026-12-05): the "Show
dispute details" sample of PayPal's guide *Use Disputes API*
(``fixtures/dispute_details_response.json``: not received, PayPal asks for
``PROOF_OF_FULFILLMENT``); for fraud the same sample as a card chargeback for an
unauthorised payment (documented values of ``reason``, ``dispute_channel`` and
``dispute_life_cycle_stage``); the tracker of PayPal's Postman collection ("Show tracking
information"); the 404 ``fixtures/error_404_resource_not_found.json``; the action's answer
``fixtures/action_response.json``.

The oracle is the Disputes API v1 ``evidence`` schema (paypal-rest-api-specifications
``customer_disputes_v1.json``): ``EVIDENCE_KEYS``, ``INFO_KEYS`` and ``TRACKING_KEYS`` of
``test_evidence.py`` are copied from it; the values are the recorded answers' own.
"""

from __future__ import annotations

import base64
import json

import pytest

from disputeflow.engine.action_runner import process_actions
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.store import tokens
from disputeflow.plugins.paypal.disputes import to_snapshot
from tests.plugins.evidence_support import items, packet_of
from tests.plugins.paypal.conftest import API, fixture
from tests.plugins.paypal.test_actions import multipart
from tests.plugins.paypal.test_evidence import (
    EVIDENCE_KEYS,
    INFO_KEYS,
    POSTMAN_TRACKER,
    TRACKING_KEYS,
    paypal_answers,
    unauthorised,
)

DISPUTES = f"{API}/v1/customer/disputes"
PDF = b"%PDF-1.4\n% proof of delivery\n"


@pytest.fixture
def agent(runtime):
    with runtime.database.session() as session:
        token = tokens.create(session, name="agent-ana", role="agent").token
    return {"Authorization": f"Bearer {token}"}


def open_case(runtime, connection, dispute):
    snapshot = to_snapshot("paypal", dispute)
    return ingest_snapshot(runtime.database, runtime.plugins, connection["id"], snapshot).case


def submit(client, case_id, agent, **body):
    return client.post(f"/api/v1/cases/{case_id}/evidence/submit", headers=agent, json=body)


def provided(api, dispute):
    """The ``provide-evidence`` PayPal answers; after the run, the parts it got."""
    return api.post(f"{DISPUTES}/{dispute['dispute_id']}/provide-evidence",
                    json=fixture("action_response.json"))  # fmt: skip


def evidences_sent(call):
    parts = multipart(call.request)
    content_type, _, data = parts.pop("input")
    assert content_type == "application/json"
    body = json.loads(data)
    assert set(body) == {"evidences"}
    for evidence in body["evidences"]:
        assert set(evidence) <= EVIDENCE_KEYS
        assert set(evidence.get("evidence_info", {})) <= INFO_KEYS
        for tracker in evidence.get("evidence_info", {}).get("tracking_info", ()):
            assert set(tracker) <= TRACKING_KEYS
        assert 1 <= len(evidence.get("notes", "x")) <= 2000
    return body["evidences"], parts


ORDER = (
    "Order details (items, totals, payment) (PayPal dispute PP-R-AYP-10135034, as of "
    "2025-09-18):\nPayPal payment 8AW70038VH226914P (buyer's transaction "
    "7XB07472F52871902) of 2.00 USD on 2025-09-18 09:42 UTC; status HELD"
)
PRODUCT = "Product description (PayPal dispute PP-R-AYP-10135034, as of 2025-09-18):\n1 x Check Ngo"
NAME = "Customer name (PayPal dispute PP-R-AYP-10135034, as of 2025-09-18):\nJohn Doe"
PAYPAL_MESSAGES = (
    "Messages with the buyer (PayPal dispute PP-R-AYP-10135034):\n"
    "2025-09-18 09:46 UTC BUYER: Test support case"
)
CASE_MESSAGES = (
    "Messages with the buyer (disputeflow: messages on the case, as of "
    "2025-09-18):\n2025-09-18 09:46 UTC, buyer: Test support case"
)


def test_a_not_received_packet_goes_as_proof_of_fulfillment(client, runtime, connection, api,
                                                            agent):  # fmt: skip
    dispute = fixture("dispute_details_response.json")
    paypal_answers(api, dispute, [POSTMAN_TRACKER])
    case = open_case(runtime, connection, dispute)
    assert case.category == "not_received"
    packet = packet_of(client, case.id, agent)
    assert packet["drafts_supported"] is False
    found = items(packet)
    fields = {name: found[name]["field"] for name in ("tracking", "carrier", "shipping_date")}
    assert fields == {"tracking": "PROOF_OF_FULFILLMENT.tracking_number",
                      "carrier": "PROOF_OF_FULFILLMENT.carrier_name",
                      "shipping_date": "PROOF_OF_FULFILLMENT"}  # fmt: skip
    assert {m["name"] for m in packet["missing"] if m["required"]} == {
        "delivery",
        "shipping_address",
    }
    edit = {"statement": "Shipped by FedEx to the buyer's PayPal address.",
            "items": {"shipping_address": "John Doe, 1 Main St, San Jose, CA 95131, US"},
            "files": [{"item": "delivery", "filename": "pod.pdf",
                       "data": base64.b64encode(PDF).decode()}]}  # fmt: skip
    edited = client.put(f"/api/v1/cases/{case.id}/evidence", headers=agent, json=edit)
    assert edited.get_json()["complete"] is True

    no_draft = submit(client, case.id, agent, draft=True)
    assert no_draft.status_code == 409  # PayPal keeps no drafts: nothing queued
    assert "PayPal keeps no evidence drafts" in no_draft.get_json()["message"]
    sent = submit(client, case.id, agent)
    assert sent.status_code == 202, sent.get_json()
    post = provided(api, dispute)
    assert process_actions(runtime).succeeded == 1

    (call,) = post.calls
    assert call.request.headers["PayPal-Request-Id"] == sent.get_json()["action"]["idempotency_key"]
    evidences, files = evidences_sent(call)
    assert files == {"file1": ("application/pdf", "pod.pdf", PDF)}
    assert evidences == [{
        "evidence_type": "PROOF_OF_FULFILLMENT",  # what PayPal asked for (REQUESTED_FROM_SELLER)
        "evidence_info": {"tracking_info": [{"carrier_name": "FEDEX",
                                             "tracking_number": "1681231012"}]},
        "notes": "\n\n".join([
            "Shipped by FedEx to the buyer's PayPal address.", ORDER, PRODUCT, NAME,
            PAYPAL_MESSAGES, CASE_MESSAGES,
            "Shipping address (the agent):\nJohn Doe, 1 Main St, San Jose, CA 95131, US",
        ]) + "\nShipped 2023-04-11 (FEDEX 1681231012).",
    }]  # fmt: skip


def test_an_unauthorised_chargeback_packet_goes_in_the_evidence_paypal_asked_for(
    client, runtime, connection, api, agent
):
    dispute = unauthorised()
    paypal_answers(api, dispute, (404, fixture("error_404_resource_not_found.json")))
    case = open_case(runtime, connection, dispute)
    assert (case.category, case.kind) == ("fraud", "chargeback")
    packet = packet_of(client, case.id, agent)
    assert "tracking" not in items(packet)  # PayPal has none for the payment (404)
    assert {m["name"] for m in packet["missing"] if m["required"]} == {
        "billing_address",
        "card_checks",
    }
    edit = {"items": {"billing_address": "John Doe, 1 Main St, San Jose, CA 95131, US"}}
    assert client.put(f"/api/v1/cases/{case.id}/evidence", headers=agent, json=edit)
    sent = submit(client, case.id, agent, draft=False)  # an agent may send it incomplete
    assert sent.status_code == 202, sent.get_json()
    post = provided(api, dispute)
    assert process_actions(runtime).succeeded == 1

    evidences, files = evidences_sent(post.calls[0])
    assert files == {}
    assert evidences == [{
        "evidence_type": "PROOF_OF_FULFILLMENT",
        "notes": "\n\n".join([
            ORDER, PRODUCT, NAME, PAYPAL_MESSAGES, CASE_MESSAGES,
            "Billing address (the agent):\nJohn Doe, 1 Main St, San Jose, CA 95131, US",
        ]),
    }]  # fmt: skip
