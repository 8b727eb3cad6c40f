"""A Shopify Payments dispute's evidence packet: assembled from the disputed order, saved
as a draft and submitted through ``disputeEvidenceUpdate``, the input checked field by field.

Sources. The dispute is Shopify's documented sample (``rest_disputes_list_response.json``,
598735659, order 625362839). The answer to ``DisputeOrderEvidence`` has the shape of
shopify.dev ``admin-graphql/2026-10`` objects Order (``fulfillments``, ``billingAddress``,
``shippingAddress``, ``billingAddressMatchesShippingAddress``, ``transactions``), Fulfillment
(``trackingInfo``, ``displayStatus``, ``deliveredAt``, ``events``), CardPaymentDetails and
ShopPolicy, filled with the values of Shopify's documented dispute-evidence sample
(``rest_dispute_evidence_get_response.json``: Kermit the Frog, example@shopify.com, the Ottawa
address, UPS 1234 shipped 2017-01-01), documented enum values (FulfillmentDisplayStatus and
FulfillmentEventStatus ``DELIVERED``, OrderTransactionKind ``SALE``, status ``SUCCESS``) and
the single-letter AVS/CVV codes CardPaymentDetails documents; no GraphQL sample of these
objects is published. The evidence answers are those of test_evidence_graphql.py.
Input fields: ShopifyPaymentsDisputeEvidenceUpdateInput (2026-10), checked 2026-12-05.
"""

from __future__ import annotations

import base64
import io
import json

import pytest
from pypdf import PdfReader

from disputeflow.engine.action_runner import process_actions
from disputeflow.engine.store import tokens
from tests.plugins.evidence_support import items
from tests.plugins.shopify.conftest import fixture, graphql_router
from tests.plugins.shopify.test_actions import dispute, open_case
from tests.plugins.shopify.test_evidence_graphql import (
    EVIDENCE,
    EVIDENCE_GID,
    UPDATED,
    UPLOADS,
    evidence_answer,
)

OTTAWA = {
    "name": "Kermit the Frog",
    "address1": "123 Amoebobacterieae St",
    "address2": "",
    "city": "Ottawa",
    "provinceCode": "ON",
    "zip": "K2P0V6",
    "countryCodeV2": "CA",
}
ADDRESS = "Kermit the Frog, 123 Amoebobacterieae St, K2P0V6, Ottawa, ON, CA"
REFUND_POLICY = "Returns within 30 days of delivery."


def order_answer():
    return {"data": {
        "dispute": {"id": "gid://shopify/ShopifyPaymentsDispute/598735659", "order": {
            "id": "gid://shopify/Order/625362839", "name": "#1001",
            "createdAt": "2017-01-01T10:00:00Z", "email": "example@shopify.com",
            "customer": {"displayName": "Kermit the Frog", "email": "example@shopify.com"},
            "billingAddress": OTTAWA, "shippingAddress": OTTAWA,
            "billingAddressMatchesShippingAddress": True,
            "transactions": [{"kind": "SALE", "status": "SUCCESS",
                              "paymentDetails": {"avsResultCode": "Y", "cvvResultCode": "M"}}],
            "fulfillments": [{
                "createdAt": "2017-01-01T12:00:00Z", "deliveredAt": "2017-01-02T15:30:00Z",
                "inTransitAt": "2017-01-01T18:00:00Z", "displayStatus": "DELIVERED",
                "trackingInfo": [{"company": "UPS", "number": "1234", "url": None}],
                "events": {"nodes": [
                    {"status": "IN_TRANSIT", "happenedAt": "2017-01-01T18:00:00Z", "message": None},
                    {"status": "DELIVERED", "happenedAt": "2017-01-02T15:30:00Z", "message": None},
                ]},
            }],
        }},
        "shop": {"shopPolicies": [
            {"type": "REFUND_POLICY", "body": REFUND_POLICY, "url": None,
             "updatedAt": "2016-12-01T09:00:00Z"},
        ]},
    }}  # fmt: skip


@pytest.fixture
def agent(runtime):
    with runtime.database.session() as session:
        token = tokens.create(session, name="agent-ana", role="agent").token
    return {"Authorization": f"Bearer {token}"}


def routed(api):
    return graphql_router(api, {
        "DisputeOrderEvidence": [order_answer()], "DisputeEvidence": [evidence_answer()],
        "DisputeEvidenceUpdate": [UPDATED],
    })  # fmt: skip


def rest_evidence(api, *uncategorized_file_ids):
    """Shopify's documented REST evidence, answered once per id given (``None``: no free
    file attached yet), and its documented answer to a file upload."""
    for file_id in uncategorized_file_ids:
        current = fixture("rest_dispute_evidence_get_response")
        current["dispute_evidence"]["dispute_evidence_files"]["uncategorized_file_id"] = file_id
        api.get(EVIDENCE, json=current)
    api.post(UPLOADS, json=fixture("rest_dispute_file_upload_create_response"))


def summary_uploads(api):
    """The uploads of the packet's PDF summary, each ``(upload, text of the PDF)``."""
    found = []
    for call in api.calls:
        if call.request.method == "POST" and call.request.url == UPLOADS:
            upload = json.loads(call.request.body)["dispute_file_upload"]
            pdf = PdfReader(io.BytesIO(base64.b64decode(upload["data"])))
            found.append((upload, "\n".join(page.extract_text() for page in pdf.pages)))
    return found


def test_a_not_received_packet_comes_from_the_order_and_is_submitted(
    app_client, runtime, api_connection, api, agent
):
    case = open_case(app_client, runtime, api_connection, "disputes/create",
                     dispute(reason="product_not_received"))  # fmt: skip
    sent = routed(api)
    url = f"/api/v1/cases/{case.id}/evidence"
    packet = app_client.get(url, headers=agent).get_json()
    assert packet["category"] == "not_received"
    assert packet["complete"] is True, packet["missing"]  # all from Shopify's own records
    found = items(packet)
    assert (found["tracking"]["text"], found["tracking"]["field"]) == ("1234", "-")
    assert found["carrier"]["text"] == "UPS"
    assert found["shipping_date"]["text"] == "2017-01-01"
    assert found["shipping_address"]["text"] == ADDRESS
    assert found["delivery"]["text"].splitlines() == [
        "Delivered on 2017-01-02 15:30 UTC (Shopify status DELIVERED; tracking 1234).",
        "2017-01-01 18:00 UTC: IN_TRANSIT",
        "2017-01-02 15:30 UTC: DELIVERED",
    ]
    assert found["refund_policy"]["as_of"] == "2016-12-01T09:00:00Z"
    assert sent[0][1]["variables"] == {"id": "gid://shopify/ShopifyPaymentsDispute/598735659"}

    answer = app_client.post(f"{url}/submit", headers=agent, json={})
    assert answer.status_code == 202, answer.get_json()
    rest_evidence(api, None)
    assert process_actions(runtime).succeeded == 1
    ((upload, text),) = summary_uploads(api)  # the PDF summary, in Shopify's free file field
    assert (upload["document_type"], upload["mimetype"]) == ("uncategorized_file",
                                                              "application/pdf")  # fmt: skip
    assert upload["filename"] == "evidence-summary-shopify-598735659.pdf"
    assert "598735659" in text
    assert "Delivered on 2017-01-02 15:30 UTC" in text
    (update,) = [body for name, body in sent if name == "DisputeEvidenceUpdate"]
    assert update["variables"]["id"] == EVIDENCE_GID
    given = dict(update["variables"]["input"])
    text = given.pop("uncategorizedText")
    assert given == {
        "customerEmailAddress": "example@shopify.com",
        "refundPolicyDisclosure": REFUND_POLICY,
        "submitEvidence": True,
    }
    assert text.startswith("Sample uncategorized text\n\n")  # the merchant's own text first
    assert "Carrier delivery confirmation (Shopify order #1001, as of 2017-01-02):\n" in text
    assert "Delivered on 2017-01-02 15:30 UTC" in text
    assert "Billing and shipping addresses match." in text
    assert "1234" in text  # inside the delivery confirmation; the tracking row is Shopify's


def test_a_fraud_packet_is_saved_as_a_draft_then_submitted(
    app_client, runtime, api_connection, api, agent
):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute())
    sent = routed(api)
    url = f"/api/v1/cases/{case.id}/evidence"
    packet = app_client.get(url, headers=agent).get_json()
    assert packet["category"] == "fraud"
    found = items(packet)
    assert found["card_checks"]["text"] == "SALE: AVS result code Y; CVV result code M"
    assert found["customer_name"]["text"] == "Kermit the Frog"
    assert found["billing_address"]["text"] == ADDRESS
    assert packet["complete"] is True
    statement = {"statement": "The cardholder's verified address received the goods."}
    app_client.put(url, headers=agent, json=statement)

    draft = app_client.post(f"{url}/submit", headers=agent, json={"draft": True})
    assert draft.get_json()["packet"]["state"] == "draft"
    rest_evidence(api, None, 1047018778)  # the draft attaches the summary; it stays there
    assert process_actions(runtime).succeeded == 1
    final = app_client.post(f"{url}/submit", headers=agent, json={"draft": False})
    assert final.status_code == 202
    assert process_actions(runtime).succeeded == 1
    first, second = [body["variables"]["input"] for name, body in sent
                     if name == "DisputeEvidenceUpdate"]  # fmt: skip
    assert "submitEvidence" not in first, "a draft is saved, not submitted"
    assert second["submitEvidence"] is True
    for given in (first, second):
        assert given["customerEmailAddress"] == "example@shopify.com"
        assert given["uncategorizedText"].startswith(
            "Sample uncategorized text\n\nThe cardholder's verified address received the goods."
        )
        assert "AVS result code Y" in given["uncategorizedText"]
        assert set(given) <= {"customerEmailAddress", "refundPolicyDisclosure",
                              "uncategorizedText", "submitEvidence"}  # fmt: skip
    ((upload, text),) = summary_uploads(api)  # uploaded with the draft, never twice
    assert upload["document_type"] == "uncategorized_file"
    assert "The cardholder's verified address received the goods." in text
