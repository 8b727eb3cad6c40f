"""An eBay payment dispute's evidence packet through the evidence feature: assembled from the
Fulfillment API's answers, completed by an agent, submitted through
``POST /api/v1/cases/{id}/evidence/submit`` and the outbox, and the requests eBay got
checked field by field.

Answers: the same as ``test_evidence.py``'s (eBay publishes field lists, not sample bodies,
for getPaymentDispute, getOrder and getShippingFulfillments, so ``payloads.py`` builds them
from those field lists: ``a_dispute``, ``an_order``, ``shipping_fulfillments``). The
oracles are eBay's request types (checked 2026-12-05): ``ContestPaymentDisputeRequest``
(``revision``, ``returnAddress``, ``note`` of at most 1,000 characters),
``AddEvidencePaymentDisputeRequest`` (``evidenceType``, ``files[].fileId``,
``lineItems[]``), ``uploadEvidenceFile`` ("The three image formats supported at this time
are .JPEG, .JPG, and .PNG", multipart key ``file``) and EvidenceTypeEnum
(``PROOF_OF_DELIVERY``), developer.ebay.com/api-docs/sell/fulfillment/.
"""

from __future__ import annotations

import base64
import json

import pytest
import responses

from disputeflow.engine.action_runner import process_actions
from disputeflow.engine.store import tokens
from disputeflow.plugins.ebay import plugin as ebay_plugin
from tests.plugins.ebay.conftest import API
from tests.plugins.ebay.payloads import a_dispute, an_order, shipping_fulfillments, to_json
from tests.plugins.ebay.test_actions import case_of, sent
from tests.plugins.ebay.test_evidence import ADD_EVIDENCE_KEYS, CONTEST_KEYS, ORDER_PATH
from tests.plugins.evidence_support import items, packet_of

__all__ = ["case_of"]  # the fixture, used by name

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n% proof of delivery\n"
LINE_ITEMS = [{"itemId": "110551991300", "lineItemId": "10055199130001"}]


@pytest.fixture(autouse=True)
def fresh_market():
    """The hook keeps one adapter per process: each test gets its own (the fake clock's)."""
    ebay_plugin.evidence_market.cache_clear()
    yield
    ebay_plugin.evidence_market.cache_clear()


@pytest.fixture
def agent(runtime):
    with runtime.database.session() as session:
        token = tokens.create(session, name="agent-ana", role="agent").token
    return {"Authorization": f"Bearer {token}"}


class Dispute:
    """eBay's payment dispute as it moves: its revision goes up once evidence is added."""

    def __init__(self, mocked, dispute_id, **fields):
        self.path = f"sell/fulfillment/v1/payment_dispute/{dispute_id}"
        self.body = a_dispute(dispute_id, **fields)
        mocked.mock.add_callback(responses.GET, f"{API}/{self.path}", callback=self.read)
        self.added = []

    def read(self, request):
        return 200, {"Content-Type": "application/json"}, to_json(self.body)

    def add_evidence(self, request):
        self.added.append(json.loads(request.body))
        self.body = {**self.body, "revision": self.body["revision"] + 1}
        return 200, {"Content-Type": "application/json"}, to_json({"evidenceId": "ev-1"})


def submit(client, case_id, agent, **body):
    return client.post(f"/api/v1/cases/{case_id}/evidence/submit", headers=agent, json=body)


NOT_RECEIVED = {
    "reason": "ITEM_NOT_RECEIVED",
    "evidenceRequests": [{"evidenceId": "1", "evidenceType": "PROOF_OF_DELIVERY",
                          "lineItems": LINE_ITEMS, "requestDate": "2026-03-05T10:00:00.000Z",
                          "respondByDate": "2026-03-15T10:00:00.000Z"}],
}  # fmt: skip
STATEMENT = (
    "The compass left our warehouse the day after the order and Royal Mail delivered "
    "it to the address the buyer gave on eBay; the photo shows it on the doorstep."
)


def upload(client, case_id, agent, item, filename, data):
    change = {"files": [{"item": item, "filename": filename,
                         "data": base64.b64encode(data).decode()}]}  # fmt: skip
    answer = client.put(f"/api/v1/cases/{case_id}/evidence", headers=agent, json=change)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_a_not_received_packet_adds_the_photo_then_contests_with_the_short_note(
    client, runtime, mocked, case_of, agent
):
    case = case_of("payment_dispute", a_dispute("8401", **NOT_RECEIVED), "8401")
    assert case.category == "not_received"
    dispute = Dispute(mocked, "8401", **NOT_RECEIVED)
    mocked.get(ORDER_PATH, an_order())
    mocked.get(f"{ORDER_PATH}/shipping_fulfillment", shipping_fulfillments())
    packet = packet_of(client, case.id, agent)
    assert packet["drafts_supported"] is False
    assert all(item["field"] is None for item in packet["items"])  # eBay: text in the note only
    assert [m["name"] for m in packet["missing"] if m["required"]] == ["delivery"]
    edit = {"statement": STATEMENT}
    assert client.put(f"/api/v1/cases/{case.id}/evidence", headers=agent, json=edit)
    completed = upload(client, case.id, agent, "delivery", "doorstep.png", PNG)
    assert completed["complete"] is True
    assert items(completed)["delivery"]["field"] == "PROOF_OF_DELIVERY"

    assert submit(client, case.id, agent, draft=True).status_code == 409  # eBay has no drafts
    sent_ = submit(client, case.id, agent)
    assert sent_.status_code == 202, sent_.get_json()
    uploaded = mocked.post(f"{dispute.path}/upload_evidence_file", {"fileId": "file-1"})
    mocked.mock.add_callback(responses.POST, f"{API}/{dispute.path}/add_evidence",
                             callback=dispute.add_evidence)  # fmt: skip
    contest = mocked.post(f"{dispute.path}/contest", status=204)
    assert process_actions(runtime).succeeded == 1

    (file_call,) = uploaded.calls
    assert b'name="file"; filename="doorstep.png"' in file_call.request.body
    assert b"Content-Type: image/png" in file_call.request.body
    assert PNG in file_call.request.body
    (added,) = dispute.added
    assert set(added) == ADD_EVIDENCE_KEYS
    assert added == {"evidenceType": "PROOF_OF_DELIVERY", "files": [{"fileId": "file-1"}],
                     "lineItems": LINE_ITEMS}  # fmt: skip
    body = sent(contest.calls[0])
    assert set(body) <= CONTEST_KEYS
    assert body["revision"] == 3  # the revision after our own evidence
    # With sources and dates the free text would pass eBay's 1,000 characters: the short form.
    assert body["note"] == "\n".join([
        STATEMENT,
        "Order details (items, totals, payment): eBay order 21-09876-54321; placed 2026-02-20 "
        "09:15 UTC; total 129.50 GBP; paid by EBAY on 2026-02-20; payment PAID; fulfilment "
        "FULFILLED",
        "Product description: 1 x Vintage brass compass (item 110551991300, SKU CMP-01): "
        "129.50 GBP",
        "Customer name: Alex Smith (eBay buyer uk_buyer_77)",
        "Customer e-mail address: a1b2c3@members.ebay.co.uk",
        "Shipping address: Alex Smith\n1 High Street\nLondon, SW1A 1AA\nGB",
        "Tracking number: 9405509699937003457459",
        "Carrier: ROYAL_MAIL",
        "Shipping date: 2026-02-21",
    ])  # fmt: skip
    assert len(body["note"]) <= 1000


def test_a_fraud_packet_contests_with_the_buyer_and_order_in_the_note(
    client, runtime, mocked, case_of, agent
):
    case = case_of("payment_dispute", a_dispute("8402"), "8402")  # reason FRAUD
    assert case.category == "fraud"
    dispute = Dispute(mocked, "8402")
    mocked.get(ORDER_PATH, an_order(shipped=False))
    packet = packet_of(client, case.id, agent)
    assert {m["name"] for m in packet["missing"] if m["required"]} == {
        "billing_address",
        "card_checks",
    }
    sent_ = submit(client, case.id, agent)  # an agent may send it incomplete
    assert sent_.status_code == 202, sent_.get_json()
    contest = mocked.post(f"{dispute.path}/contest", status=204)
    assert process_actions(runtime).succeeded == 1

    assert dispute.added == []  # no files: nothing added before the contest
    body = sent(contest.calls[0])
    assert set(body) <= CONTEST_KEYS
    assert body["revision"] == 2
    assert body["note"] == "\n\n".join([  # it fits in full: sources and dates kept
        "Order details (items, totals, payment) (eBay order 21-09876-54321, as of "
        "2026-02-20):\neBay order 21-09876-54321; placed 2026-02-20 09:15 UTC; total 129.50 GBP; "
        "paid by EBAY on 2026-02-20; payment PAID; fulfilment NOT_STARTED",
        "Product description (eBay order 21-09876-54321, as of 2026-02-20):\n1 x Vintage "
        "brass compass (item 110551991300, SKU CMP-01): 129.50 GBP",
        "Customer name (eBay order 21-09876-54321, as of 2026-02-20):\nAlex Smith (eBay buyer "
        "uk_buyer_77)",
        "Customer e-mail address (eBay order 21-09876-54321, as of 2026-02-20):\n"
        "a1b2c3@members.ebay.co.uk",
        "Shipping address (eBay order 21-09876-54321, as of 2026-02-20):\nAlex Smith\n"
        "1 High Street\nLondon, SW1A 1AA\nGB",
    ])  # fmt: skip


@pytest.mark.parametrize(
    ("item", "filename", "data", "refusal"),
    [
        ("delivery", "pod.pdf", PDF,
         "pod.pdf: eBay takes image/jpeg, image/png files, not application/pdf"),
        ("buyer_messages", "chat.png", PNG,
         "chat.png: no eBay evidence type for Messages with the buyer"),
    ],
)  # fmt: skip
def test_a_file_ebay_cannot_take_is_refused_before_any_call(
    client, runtime, mocked, case_of, agent, item, filename, data, refusal
):
    case = case_of("payment_dispute", a_dispute("8403", **NOT_RECEIVED), "8403")
    Dispute(mocked, "8403", **NOT_RECEIVED)
    mocked.get(ORDER_PATH, an_order())
    mocked.get(f"{ORDER_PATH}/shipping_fulfillment", shipping_fulfillments())
    upload(client, case.id, agent, item, filename, data)
    before = len(mocked.mock.calls)
    refused = submit(client, case.id, agent)
    assert refused.status_code == 422, refused.get_json()
    error = refused.get_json()
    assert (error["code"], error["errors"]["files"]) == ("invalid_input", [refusal])
    assert not [c for c in mocked.mock.calls[before:] if c.request.method == "POST"]
    assert packet_of(client, case.id, agent)["action_id"] is None  # nothing queued
