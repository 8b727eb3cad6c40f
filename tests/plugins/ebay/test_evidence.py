"""An eBay payment dispute's evidence: gathered from the Fulfillment API's answers, then
submitted as a contest and checked field by field against eBay's documented requests.

Payloads: eBay publishes field lists, not sample bodies, for getPaymentDispute, getOrder and
getShippingFulfillments, so the bodies are synthetic and built from those field lists in
``payloads.py`` (``a_dispute``, ``an_order``, ``shipping_fulfillments``; see the fixtures
README). The oracles are eBay's request types (checked 2026-12-05):
``AddEvidencePaymentDisputeRequest`` (``evidenceType``, ``files[].fileId``,
``lineItems[]{itemId, lineItemId}``) and ``ContestPaymentDisputeRequest`` (``revision``,
``returnAddress``, ``note`` of at most 1,000 characters), developer.ebay.com/api-docs/sell/
fulfillment/types/api:AddEvidencePaymentDisputeRequest and api:ContestPaymentDisputeRequest;
``PROOF_OF_DELIVERY`` is an ``EvidenceTypeEnum`` value (api:EvidenceTypeEnum).
"""

from __future__ import annotations

import base64
from dataclasses import replace

import pytest

from disputeflow import ActionNotAllowedError, ActionRequest, ActionType, Evidence, MarketplaceError
from disputeflow.core.clock import utcnow
from disputeflow.plugins.ebay import plugin as ebay_plugin
from disputeflow.plugins.ebay.dispute_actions import contest_note
from tests.plugins.ebay.payloads import a_dispute, an_order, shipping_fulfillments
from tests.plugins.ebay.test_actions import case_of, run, sent
from tests.plugins.evidence_support import as_evidence, by_name, collected

__all__ = ["case_of"]  # the fixture, used by name

ORDER = "21-09876-54321"
ORDER_PATH = f"sell/fulfillment/v1/order/{ORDER}"
CONTEST_KEYS = {"revision", "returnAddress", "note"}
ADD_EVIDENCE_KEYS = {"evidenceType", "files", "lineItems"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def fresh_market():
    """The hook keeps one adapter per process: each test gets its own (the fake clock's)."""
    ebay_plugin.evidence_market.cache_clear()
    yield
    ebay_plugin.evidence_market.cache_clear()


def not_received(dispute_id):
    request = {"evidenceId": "1", "evidenceType": "PROOF_OF_DELIVERY",
               "lineItems": [{"itemId": "110551991300", "lineItemId": "10055199130001"}],
               "requestDate": "2026-03-05T10:00:00.000Z",
               "respondByDate": "2026-03-15T10:00:00.000Z"}  # fmt: skip
    return a_dispute(dispute_id, reason="ITEM_NOT_RECEIVED", evidenceRequests=[request])


def test_a_not_received_dispute_is_contested_with_the_orders_shipment(
    runtime, mocked, case_of, shop
):
    dispute = not_received("8401")
    case = case_of("payment_dispute", dispute, "8401")
    path = "sell/fulfillment/v1/payment_dispute/8401"
    mocked.get(path, dispute)  # read for the evidence
    order = mocked.get(ORDER_PATH, an_order())
    mocked.get(f"{ORDER_PATH}/shipping_fulfillment", shipping_fulfillments())
    items = collected(runtime.plugins, case, runtime.connection_by_id(shop["id"]))
    assert order.call_count == 1
    found = by_name(items)
    assert all(item.field is None for item in items)  # eBay takes text only in the note
    assert found["tracking"].text == "9405509699937003457459"
    assert found["carrier"].text == "ROYAL_MAIL"
    assert found["shipping_date"].text == "2026-02-21"
    assert found["shipping_address"].text == "Alex Smith\n1 High Street\nLondon, SW1A 1AA\nGB"
    assert found["customer_name"].text == "Alex Smith (eBay buyer uk_buyer_77)"
    assert found["product_description"].text == (
        "1 x Vintage brass compass (item 110551991300, SKU CMP-01): 129.50 GBP"
    )
    assert found["order_details"].text == (
        "eBay order 21-09876-54321; placed 2026-02-20 09:15 UTC; total 129.50 GBP; paid by EBAY "
        "on 2026-02-20; payment PAID; fulfilment FULFILLED")  # fmt: skip
    assert "earlier_refunds" not in found

    mocked.get(path, dispute)  # the revision the merchant saw (2)
    mocked.get(path, a_dispute("8401", reason="ITEM_NOT_RECEIVED", revision=3))
    upload = mocked.post(f"{path}/upload_evidence_file", {"fileId": "file-1"})
    add = mocked.post(f"{path}/add_evidence", {"evidenceId": "ev-1"})
    contest = mocked.post(f"{path}/contest", status=204)
    photo = {"filename": "doorstep.png", "evidence_type": "PROOF_OF_DELIVERY",
             "content_base64": base64.b64encode(PNG).decode()}  # fmt: skip
    action = run(runtime, case, "contest", evidence=as_evidence(items), params={"files": [photo]})
    assert action["status"] == "succeeded", action["last_error"]
    assert b'name="file"; filename="doorstep.png"' in upload.calls[0].request.body
    added = sent(add.calls[0])
    assert set(added) == ADD_EVIDENCE_KEYS
    assert added == {
        "evidenceType": "PROOF_OF_DELIVERY",
        "files": [{"fileId": "file-1"}],
        "lineItems": [{"itemId": "110551991300", "lineItemId": "10055199130001"}],
    }
    body = sent(contest.calls[0])
    assert set(body) <= CONTEST_KEYS
    assert body["revision"] == 3  # after our own evidence
    assert len(body["note"]) <= 1000
    assert body["note"] == "\n".join(f"{item.name}: {item.text}" for item in items)
    assert "note_left_out" not in action["result"]["data"]


def test_a_fraud_dispute_is_contested_with_the_buyer_and_order(runtime, mocked, case_of, shop):
    dispute = a_dispute("8402")  # reason FRAUD
    case = case_of("payment_dispute", dispute, "8402")
    assert case.category == "fraud"
    path = "sell/fulfillment/v1/payment_dispute/8402"
    mocked.get(path, dispute)
    mocked.get(ORDER_PATH, an_order(shipped=False))
    shipments = mocked.get(f"{ORDER_PATH}/shipping_fulfillment", shipping_fulfillments())
    items = collected(runtime.plugins, case, runtime.connection_by_id(shop["id"]))
    assert shipments.call_count == 0  # no fulfillmentHrefs: nothing shipped to ask about
    found = by_name(items)
    assert set(found) == {"order_details", "product_description", "customer_name",
                          "customer_email", "shipping_address"}  # fmt: skip
    assert found["customer_email"].text == "a1b2c3@members.ebay.co.uk"

    mocked.get(path, dispute)
    add = mocked.post(f"{path}/add_evidence", {"evidenceId": "ev-1"})
    contest = mocked.post(f"{path}/contest", status=204)
    message = "The buyer's own eBay account placed and paid for this order."
    action = run(runtime, case, "contest", message=message, evidence=as_evidence(items))
    assert action["status"] == "succeeded", action["last_error"]
    assert add.call_count == 0  # no files: nothing to add before the contest
    body = sent(contest.calls[0])
    assert set(body) <= CONTEST_KEYS
    assert body["revision"] == 2
    assert body["note"].split("\n")[0] == message
    assert "customer_email: a1b2c3@members.ebay.co.uk" in body["note"]
    assert len(body["note"]) <= 1000


def test_the_note_keeps_the_message_and_leaves_out_what_does_not_fit():
    at = utcnow()
    evidence = (
        Evidence("e1", "merchant", "tracking", at, "9405509699937003457459"),
        Evidence("e2", "merchant", "order_details", at, "x" * 990),
        Evidence("e3", "merchant", "carrier", at, "ROYAL_MAIL"),
    )
    request = ActionRequest(ActionType.CONTEST, "c", "k", message="Shipped.", evidence=evidence)
    note, left_out = contest_note(request)
    assert note == "Shipped.\ntracking: 9405509699937003457459\ncarrier: ROYAL_MAIL"
    assert left_out == ["order_details"]


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, {"errors": [{"errorId": 32100, "domain": "API_FULFILLMENT", "category": "REQUEST",
                           "message": f"Invalid order ID: {ORDER}"}]}),
        (500, {"errors": [{"errorId": 30500, "domain": "API_FULFILLMENT",
                           "category": "APPLICATION", "message": "System error"}]}),
    ],
)  # fmt: skip
def test_ebay_failing_while_collecting_is_a_clear_error(
    runtime, mocked, case_of, shop, status, body
):
    case = case_of("payment_dispute", a_dispute("8403"), "8403")
    mocked.get("sell/fulfillment/v1/payment_dispute/8403", a_dispute("8403"))
    mocked.get(ORDER_PATH, body, status=status)
    with pytest.raises(MarketplaceError) as raised:
        collected(runtime.plugins, case, runtime.connection_by_id(shop["id"]))
    message = raised.value.message
    assert message.startswith(f"evidence from eBay for case {case.id}: GET ")
    assert f"HTTP {status}" in message
    assert str(body["errors"][0]["errorId"]) in message
    assert raised.value.transient is (status == 500)


def test_a_demo_connection_is_not_asked(runtime, mocked, case_of, shop):
    case = case_of("payment_dispute", a_dispute("8404"), "8404")
    before = len(mocked.mock.calls)
    seller = runtime.connection_by_id(shop["id"])
    assert collected(runtime.plugins, case, replace(seller, demo=True)) == []
    assert collected(runtime.plugins, case, replace(seller, platform="paypal")) == []
    assert len(mocked.mock.calls) == before


def test_files_of_two_evidence_types_are_added_as_two_evidences(runtime, mocked, case_of):
    case = case_of("payment_dispute", a_dispute("8405"), "8405")
    path = "sell/fulfillment/v1/payment_dispute/8405"
    mocked.get(path, a_dispute("8405"))
    mocked.get(path, a_dispute("8405", revision=4))  # after our two evidences
    mocked.post(f"{path}/upload_evidence_file", {"fileId": "file-1"})
    mocked.post(f"{path}/upload_evidence_file", {"fileId": "file-2"})
    add = mocked.post(f"{path}/add_evidence", {"evidenceId": "ev-1"})
    contest = mocked.post(f"{path}/contest", status=204)
    data = base64.b64encode(PNG).decode()
    files = [
        {"filename": "label.png", "evidence_type": "PROOF_OF_DELIVERY", "content_base64": data},
        {"filename": "photo.png", "content_base64": data},  # takes params.evidence_type
    ]
    params = {"files": files, "evidence_type": "PROOF_OF_ITEM_AS_DESCRIBED"}
    action = run(runtime, case, "contest", message="Shipped as listed.", params=params)
    assert action["status"] == "succeeded", action["last_error"]
    assert [sent(call)["evidenceType"] for call in add.calls] == [
        "PROOF_OF_DELIVERY",
        "PROOF_OF_ITEM_AS_DESCRIBED",
    ]
    assert [sent(call)["files"] for call in add.calls] == [
        [{"fileId": "file-1"}],
        [{"fileId": "file-2"}],
    ]
    assert sent(contest.calls[0]) == {"revision": 4, "note": "Shipped as listed."}
    assert action["result"]["data"]["evidence_ids"] == ["ev-1", "ev-1"]


def test_a_file_without_an_evidence_type_is_refused_before_it_is_queued(runtime, mocked, case_of):
    case = case_of("payment_dispute", a_dispute("8406"), "8406")
    png = {"filename": "photo.png", "content_base64": base64.b64encode(PNG).decode()}
    with pytest.raises(ActionNotAllowedError, match=r"photo\.png: evidence files need"):
        run(runtime, case, "contest", params={"files": [png]})
