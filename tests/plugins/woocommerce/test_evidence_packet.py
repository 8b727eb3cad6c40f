"""A WooPayments dispute's evidence packet through the evidence feature: assembled from the
store's recorded answers, completed by an agent, saved as a draft, submitted through
``POST /api/v1/cases/{id}/evidence/submit`` and the outbox, and the request WooPayments got
checked field by field.

Recorded answers (the same as ``test_evidence.py``'s, checked 2026-12-05):

- the dispute: WooPayments' documented ``GET /payments/disputes/dp_123``
  (``fixtures/wcpay_dispute_response.json``, reason ``product_not_received``); for fraud the
  same dispute with reason ``fraudulent`` and ``charge`` as the object WooPayments forwards
  from Stripe (stripe/openapi ``fixtures3.json`` ``charge``,
  ``tests/plugins/stripe/fixtures/fixtures3_charge.json``);
- the order: the WooCommerce REST API docs' order 727 (``order_retrieve_response.json``) as
  order 123 paid with WooPayments; for fraud with a customer IP from the RFC 5737
  documentation range;
- the tracking item: the example of https://woocommerce.com/document/shipment-tracking/;
- the customer note: the docs' note 281 (``order_note_create_response.json``) sent to the
  customer;
- the uploaded file's answer: Stripe's file object (``fixtures3_file.json`` of the Stripe
  plugin's fixtures, the object WooPayments' ``POST /payments/file`` returns).

The oracle for the body is WooPayments' own evidence form, ``client/disputes/evidence/
fields.js`` of Automattic/woocommerce-payments (e280f2a): ``TEXT_FIELDS`` and
``FILE_FIELDS`` of ``test_evidence.py`` are copied from it, not from the plugin; the values
are the recorded answers' own.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from responses import matchers

from disputeflow.engine.action_runner import process_actions
from disputeflow.engine.store import tokens
from disputeflow.plugins.woocommerce.dispute_actions import FILE_PURPOSE
from tests.plugins.evidence_support import items, packet_of
from tests.plugins.woocommerce.conftest import API
from tests.plugins.woocommerce.test_actions import dispute_case
from tests.plugins.woocommerce.test_disputes import dispute, wcpay_order
from tests.plugins.woocommerce.test_evidence import (
    DOCUMENTED_TRACKING,
    FILE_FIELDS,
    STRIPE_CHARGE,
    TEXT_FIELDS,
    store_answers,
)

DISPUTE = f"{API}/payments/disputes/dp_123"
STRIPE_FILE = Path(__file__).parents[1] / "stripe" / "fixtures" / "fixtures3_file.json"
FILE_ID = "file_1Pgag2B7WZ01zgkWITx3dIQc"  # fixtures3_file.json's id
PDF = b"%PDF-1.4\n% proof of delivery\n"
ADDRESS = "John Doe\n969 Market\nSan Francisco, CA 94103\nUS"  # the docs' order, as lines


@pytest.fixture
def agent(runtime):
    with runtime.database.session() as session:
        token = tokens.create(session, name="agent-ana", role="agent").token
    return {"Authorization": f"Bearer {token}"}


def posted_bodies(api):
    return [json.loads(c.request.body) for c in api.calls
            if c.request.method == "POST" and c.request.url == DISPUTE]  # fmt: skip


def uploads(api):
    return [c for c in api.calls if c.request.url == f"{API}/payments/file"]


def serve_writes(api, *answers):
    """The file upload, then the dispute's answers to each ``POST`` in turn (a draft leaves
    it ``needs_response``)."""
    api.post(
        f"{API}/payments/file",
        json=json.loads(STRIPE_FILE.read_text()),
        match=[matchers.multipart_matcher(
            {"file": ("pod.pdf", PDF, "application/pdf")}, data={"purpose": FILE_PURPOSE}
        )],
    )  # fmt: skip
    serve_summary_upload(api)
    for answer in answers:
        api.post(DISPUTE, json=answer)


def serve_summary_upload(api):
    """The upload of the packet's PDF summary (its free file field, ``uncategorized_file``)."""
    api.post(f"{API}/payments/file", json=json.loads(STRIPE_FILE.read_text()),
             match=[summary_upload])  # fmt: skip


def summary_upload(request):
    body = request.body if isinstance(request.body, bytes) else b""
    named = b'filename="evidence-summary-woocommerce-' in body and b"%PDF" in body
    return named, "" if named else "not the evidence summary's upload"


def submit(client, case_id, agent, *, draft):
    answer = client.post(f"/api/v1/cases/{case_id}/evidence/submit", headers=agent,
                         json={"draft": draft})  # fmt: skip
    assert answer.status_code == 202, answer.get_json()
    return answer.get_json()


def test_a_not_received_packet_is_saved_as_a_draft_then_submitted(client, runtime, connection,
                                                                  api, agent):  # fmt: skip
    case = dispute_case(runtime, connection["id"])
    assert case.category == "not_received"
    store_answers(api, order=wcpay_order("on-hold"), dispute_body=dispute(),
                  tracking=[DOCUMENTED_TRACKING])  # fmt: skip
    packet = packet_of(client, case.id, agent)
    assert (packet["complete"], packet["drafts_supported"], packet["errors"]) == (True, True, [])
    found = items(packet)
    assert {name: found[name]["field"] for name in ("tracking", "carrier", "shipping_date",
                                                     "shipping_address", "delivery")} == {
        "tracking": "shipping_tracking_number", "carrier": "shipping_carrier",
        "shipping_date": "shipping_date", "shipping_address": "shipping_address",
        "delivery": None,  # the carrier's link: free text; a proof-of-delivery file is a file
    }  # fmt: skip
    assert found["tracking"]["source"] == "WooCommerce Shipment Tracking, order #123"

    edit = {"statement": "Delivered by USPS to the address the buyer gave.",
            "files": [{"item": "delivery", "filename": "pod.pdf",
                       "data": base64.b64encode(PDF).decode()}]}  # fmt: skip
    assert (
        client.put(f"/api/v1/cases/{case.id}/evidence", headers=agent, json=edit).status_code == 200
    )
    draft = submit(client, case.id, agent, draft=True)
    assert draft["packet"]["state"] == "draft"
    serve_writes(api, dispute(), dispute(status="under_review"))
    assert process_actions(runtime).succeeded == 1
    final = submit(client, case.id, agent, draft=False)
    assert final["packet"]["state"] == "submitted"
    assert process_actions(runtime).succeeded == 1

    first, second = posted_bodies(api)
    assert (first["submit"], second["submit"]) == (False, True)
    assert second["metadata"] == {"disputeflow_idempotency_key": final["action"]["idempotency_key"]}
    # pod.pdf and the summary, twice: the recorded dispute keeps no file of the draft
    assert len(uploads(api)) == 4
    for body in (first, second):
        evidence = body["evidence"]
        assert set(evidence) <= TEXT_FIELDS | FILE_FIELDS
        free = evidence.pop("uncategorized_text")
        assert evidence == {
            "shipping_tracking_number": "9400111899560000000000",
            "shipping_carrier": "USPS",
            "shipping_date": "2026-07-10",
            "shipping_address": ADDRESS,
            "billing_address": ADDRESS,
            "customer_name": "John Doe",
            "customer_email_address": "john.doe@example.com",
            "product_description": "2 x Woo Single #1\n1 x Ship Your Idea \u2013 Color: Black, "
                                   "Size: M Test (SKU Bar3)",
            "shipping_documentation": FILE_ID,
            "uncategorized_file": FILE_ID,  # the packet's PDF summary
        }  # fmt: skip
        assert free.startswith("Delivered by USPS to the address the buyer gave.\n\n")
        assert (
            "Carrier delivery confirmation (WooCommerce Shipment Tracking, order #123):\n"
            "Carrier tracking: https://tools.usps.com/tracking/9400111899560000000000"
        ) in free
        assert (
            "Order details (items, totals, payment) (WooCommerce order #123, as of "
            "2023-04-01):\nOrder #123; placed 2023-04-01 10:00 UTC"
        ) in free
        assert (
            "Messages with the buyer (WooCommerce order #123, notes to the customer, as of "
            "2017-03-21):\n2017-03-21 19:46 UTC: Order ok!!!"
        ) in free


def test_a_fraud_packet_from_the_order_and_the_charge_is_submitted(client, runtime, connection,
                                                                   api, agent):  # fmt: skip
    charge = json.loads(STRIPE_CHARGE.read_text())
    fraud = dispute(reason="fraudulent", charge=charge)
    case = dispute_case(runtime, connection["id"], reason="fraudulent", charge=charge)
    assert case.category == "fraud"
    order = wcpay_order("on-hold", customer_ip_address="192.0.2.44")
    store_answers(api, order=order, dispute_body=fraud)  # no Shipment Tracking extension
    packet = packet_of(client, case.id, agent)
    assert packet["complete"] is True  # customer_name, billing_address, card_checks
    found = items(packet)
    assert found["card_checks"]["text"] == (
        "Checks of the visa card ending 4242 at payment: CVC pass."
    )
    assert found["card_checks"]["field"] is None  # Stripe has no field for them: free text
    assert "tracking" not in found

    sent = submit(client, case.id, agent, draft=False)
    serve_summary_upload(api)
    api.post(DISPUTE, json=dict(fraud, status="under_review"))
    assert process_actions(runtime).succeeded == 1
    (body,) = posted_bodies(api)
    assert body["submit"] is True
    assert body["metadata"] == {"disputeflow_idempotency_key": sent["action"]["idempotency_key"]}
    evidence = body["evidence"]
    assert set(evidence) <= TEXT_FIELDS | FILE_FIELDS
    free = evidence.pop("uncategorized_text")
    assert evidence == {
        "customer_purchase_ip": "192.0.2.44",
        "customer_name": "John Doe",
        "customer_email_address": "john.doe@example.com",
        "billing_address": ADDRESS,
        "shipping_address": ADDRESS,
        "product_description": "2 x Woo Single #1\n1 x Ship Your Idea \u2013 Color: Black, "
                               "Size: M Test (SKU Bar3)",
        "uncategorized_file": FILE_ID,  # the packet's PDF summary
    }  # fmt: skip
    assert (
        "Card checks (AVS, CVC, 3-D Secure) (WooPayments dispute dp_123):\n"
        "Checks of the visa card ending 4242 at payment: CVC pass."
    ) in free
    assert (
        "Billing and shipping addresses match (WooCommerce order #123, as of 2023-04-01):"
        "\nThe order shipped to the billing address."
    ) in free
    assert len(uploads(api)) == 1  # the summary only


GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"


def test_a_file_woopayments_cannot_take_is_refused_before_anything_is_queued(
    client, runtime, connection, api, agent
):
    """WooPayments uploads to Stripe as ``dispute_evidence``: PDF, JPEG or PNG only
    (https://docs.stripe.com/file-upload); disputeflow keeps GIFs, WooPayments does not."""
    case = dispute_case(runtime, connection["id"])
    store_answers(api, order=wcpay_order("on-hold"), dispute_body=dispute(),
                  tracking=[DOCUMENTED_TRACKING])  # fmt: skip
    edit = {"files": [{"item": "delivery", "filename": "pod.gif",
                       "data": base64.b64encode(GIF + b"\x00" * 16).decode()}]}  # fmt: skip
    assert (
        client.put(f"/api/v1/cases/{case.id}/evidence", headers=agent, json=edit).status_code == 200
    )
    refused = client.post(f"/api/v1/cases/{case.id}/evidence/submit", headers=agent, json={})
    assert refused.status_code == 422, refused.get_json()
    error = refused.get_json()
    assert (error["status"], error["code"]) == (422, "invalid_input")
    assert error["errors"]["files"] == [
        "pod.gif: WooPayments takes application/pdf, image/jpeg, image/png files, not image/gif"
    ]
    assert packet_of(client, case.id, agent)["state"] == "editing"
    assert not posted_bodies(api)
    assert not uploads(api)
