"""A Stripe dispute's evidence packet: assembled from the disputed charge, completed by an
agent, saved as a draft and submitted through the outbox, the request checked field by field.

Answers are stripe/openapi ``fixtures3.json`` (f6c2a48): its ``dispute`` with its ``charge``
expanded (fixtures/README.md), with the statuses and reasons the Dispute object documents.
The evidence fields are those of https://docs.stripe.com/api/disputes/update (``evidence``
hash, ``submit``), checked 2026-12-05; which ones win each category is docs/evidence.md.
"""

from __future__ import annotations

import base64
import io
from urllib.parse import parse_qsl

import pytest
from pypdf import PdfReader

from disputeflow.engine.action_runner import process_actions
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.store import tokens
from disputeflow.plugins.stripe.actions import META_KEY
from disputeflow.plugins.stripe.disputes import dispute_snapshot
from disputeflow.plugins.stripe.settings import DEFAULT_ORDER_KEYS
from tests.plugins.evidence_support import items
from tests.plugins.stripe.conftest import API, FILES, NOW, WOO_METADATA, charge, dispute, fixture

DISPUTE_ID = "dp_1Pgc71B7WZ01zgkWMevJiAUx"
READ = f"{API}/v1/disputes/{DISPUTE_ID}"
PDF = b"%PDF-1.4\n% proof of delivery\n"
FILE_ID = "file_1Pgag2B7WZ01zgkWITx3dIQc"  # fixtures3_file.json


def disputed(reason, **changes):
    base = {"status": "needs_response", "reason": reason, "charge": charge(metadata=WOO_METADATA)}
    return dispute(**{**base, **changes})


@pytest.fixture
def agent(runtime):
    with runtime.database.session() as session:
        token = tokens.create(session, name="agent-ana", role="agent").token
    return {"Authorization": f"Bearer {token}"}


def open_case(runtime, account, item):
    snapshot = dispute_snapshot(item, NOW, DEFAULT_ORDER_KEYS)
    return ingest_snapshot(runtime.database, runtime.plugins, account["id"], snapshot).case.id


def form(call):
    body = call.request.body
    return dict(parse_qsl(body if isinstance(body, str) else body.decode()))


def evidence_posts(api):
    return [c for c in api.calls if c.request.method == "POST" and c.request.url == READ]


def pdf_text(multipart):
    """The text of the PDF inside a multipart upload's body."""
    start = multipart.index(b"%PDF-")
    end = multipart.rindex(b"%%EOF") + len(b"%%EOF")
    reader = PdfReader(io.BytesIO(multipart[start:end]))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_a_fraud_packet_from_the_charge_is_submitted(client, runtime, account, api, agent):
    api.get(READ, json=disputed("fraudulent"))
    case_id = open_case(runtime, account, disputed("fraudulent"))
    packet = client.get(f"/api/v1/cases/{case_id}/evidence", headers=agent).get_json()
    assert packet["category"] == "fraud"
    found = items(packet)
    assert found["customer_name"]["text"] == "Jenny Rosen"  # the charge's billing_details
    assert found["customer_name"]["field"] == "customer_name"
    assert found["customer_name"]["source"] == "Stripe charge ch_1PgafuB7WZ01zgkWXYmPNZs8"
    assert found["card_checks"]["text"] == "CVC: pass"  # checks.cvc_check; AVS unchecked
    assert found["product_description"]["text"] == "My First Test Charge (created for API docs)"
    assert "billing_address" in {m["name"] for m in packet["missing"] if m["required"]}
    assert packet["complete"] is False

    edit = {
        "statement": "The cardholder placed this order.",
        "items": {"billing_address": "510 Townsend St, 94103, San Francisco, CA, US"},
        "files": [{"item": "delivery", "filename": "pod.pdf",
                   "data": base64.b64encode(PDF).decode()}],
    }  # fmt: skip
    assert client.put(f"/api/v1/cases/{case_id}/evidence", headers=agent, json=edit)
    submitted = client.post(f"/api/v1/cases/{case_id}/evidence/submit", headers=agent, json={})
    assert submitted.status_code == 202, submitted.get_json()
    key = submitted.get_json()["action"]["idempotency_key"]

    api.post(f"{FILES}/v1/files", json=fixture("fixtures3_file.json"))
    api.post(READ, json=disputed("fraudulent", status="under_review"))
    assert process_actions(runtime).succeeded == 1
    upload, summary = [c for c in api.calls if c.request.url == f"{FILES}/v1/files"]
    assert b'filename="pod.pdf"' in upload.request.body
    assert b'name="purpose"\r\n\r\ndispute_evidence' in upload.request.body
    # The packet's PDF summary goes in Stripe's free file field (docs/evidence.md).
    assert f'filename="evidence-summary-stripe-{DISPUTE_ID}.pdf"'.encode() in summary.request.body
    assert b'name="purpose"\r\n\r\ndispute_evidence' in summary.request.body
    text = pdf_text(summary.request.body)
    assert DISPUTE_ID in text
    assert "510 Townsend St, 94103, San Francisco, CA, US" in text
    (sent,) = evidence_posts(api)
    body = form(sent)
    uncategorized = body.pop("evidence[uncategorized_text]")
    assert body == {
        "evidence[billing_address]": "510 Townsend St, 94103, San Francisco, CA, US",
        "evidence[customer_name]": "Jenny Rosen",
        "evidence[product_description]": "My First Test Charge (created for API docs)",
        "evidence[shipping_documentation]": FILE_ID,
        "evidence[uncategorized_file]": FILE_ID,
        "submit": "true",
        f"metadata[{META_KEY}]": key,
        "expand[]": "charge",
    }
    assert uncategorized.startswith("The cardholder placed this order.\n\n")
    assert "Card checks (AVS, CVC, 3-D Secure) (Stripe charge ch_1Pgaf" in uncategorized
    assert "CVC: pass" in uncategorized
    assert "receipt https://sangeekp-15t6ai--manage-mydev.dev.stripe.me/receipts/" in uncategorized
    shown = client.get(f"/api/v1/cases/{case_id}/evidence", headers=agent).get_json()
    assert (shown["state"], shown["submitted_by"]) == ("submitted", "agent-ana")


def test_a_not_received_packet_is_saved_as_a_draft_then_submitted(
    client, runtime, account, api, agent
):
    api.get(READ, json=disputed("product_not_received"))
    case_id = open_case(runtime, account, disputed("product_not_received"))
    packet = client.get(f"/api/v1/cases/{case_id}/evidence", headers=agent).get_json()
    assert packet["category"] == "not_received"
    required = {m["name"] for m in packet["missing"] if m["required"]}
    assert required == {"tracking", "carrier", "shipping_date", "delivery", "shipping_address"}
    assert packet["drafts_supported"] is True
    edit = {"items": {"tracking": "1Z999AA10123456784", "carrier": "UPS",
                      "shipping_date": "2026-10-28",
                      "shipping_address": "Jenny Rosen, 510 Townsend St, San Francisco, US"},
            "files": [{"item": "delivery", "filename": "pod.pdf",
                       "data": base64.b64encode(PDF).decode()}]}  # fmt: skip
    completed = client.put(f"/api/v1/cases/{case_id}/evidence", headers=agent, json=edit)
    assert completed.get_json()["complete"] is True

    url = f"/api/v1/cases/{case_id}/evidence/submit"
    draft = client.post(url, headers=agent, json={"draft": True})
    assert draft.status_code == 202
    assert draft.get_json()["packet"]["state"] == "draft"
    api.post(f"{FILES}/v1/files", json=fixture("fixtures3_file.json"))
    api.post(READ, json=disputed("product_not_received"))
    assert process_actions(runtime).succeeded == 1
    submit = client.post(url, headers=agent, json={"draft": False})
    assert submit.status_code == 202
    assert process_actions(runtime).succeeded == 1

    first, second = (form(call) for call in evidence_posts(api))
    fields = {
        "evidence[shipping_tracking_number]": "1Z999AA10123456784",
        "evidence[shipping_carrier]": "UPS",
        "evidence[shipping_date]": "2026-10-28",
        "evidence[shipping_address]": "Jenny Rosen, 510 Townsend St, San Francisco, US",
        "evidence[shipping_documentation]": FILE_ID,
        "evidence[uncategorized_file]": FILE_ID,
        "evidence[customer_name]": "Jenny Rosen",
        "evidence[product_description]": "My First Test Charge (created for API docs)",
    }
    for sent, submit_flag in ((first, "false"), (second, "true")):
        assert {k: sent[k] for k in fields} == fields
        assert sent["submit"] == submit_flag
    # the proof of delivery and the PDF summary, for the draft and again for the submission
    assert len([c for c in api.calls if c.request.url == f"{FILES}/v1/files"]) == 4


def test_no_call_for_a_demo_connection(connection, api):
    from dataclasses import replace

    from disputeflow.core.testing import minimal_case
    from disputeflow.plugins.stripe import plugin

    case = replace(minimal_case("stripe", "chargeback"), object_type="dispute")
    demo = replace(connection, demo=True)
    assert plugin.disputeflow_collect_evidence(case=case, connection=demo) == []
    assert len(api.calls) == 0  # responses refuses any call it was not told of
