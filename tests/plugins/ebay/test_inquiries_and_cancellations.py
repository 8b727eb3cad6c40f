"""An item-not-received inquiry answered with tracking through the Order Inquiry API
(GraphQL), and a buyer's cancellation request as a case, approved (signed) or rejected.

The GraphQL answer shapes follow the operation names of eBay's Order Inquiry API release
notes 1.0.0 (developer.ebay.com/develop/api/order-inquiry-api/release-notes) and a published
migration guide's union types (docs/platforms/ebay.md, "Guesses and gaps"); cancellation
bodies follow eBay's CancelDetail field list (payloads.a_cancellation)."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta

import pytest
import responses

from disputeflow import ActionNotAllowedError
from disputeflow.core.clock import utcnow
from disputeflow.engine.action_runner import process_actions
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.store import actions
from tests.plugins.ebay.conftest import API, deliver_object, load_case
from tests.plugins.ebay.payloads import a_cancellation, an_inquiry, to_json
from tests.webhooks.conftest import drain

_ids = itertools.count(1)
GRAPHQL = f"{API}/graphql"


@pytest.fixture
def case_of(client, runtime, shop, mocked, signing_key):
    def case_of(object_type, obj, external_id):
        at = "2026-03-10T10:00:00Z"
        deliver_object(client, shop, signing_key, object_type, obj, f"i-{next(_ids)}", at)
        assert drain(runtime) == (1, 0)
        return load_case(runtime, object_type, external_id)

    return case_of


def run(runtime, case, action_type, **options):
    requested, _ = request_action(runtime, case.id, ActionInput(action_type, **options))
    process_actions(runtime, now=utcnow() + timedelta(seconds=1))
    with runtime.database.session() as session:
        return actions.describe(actions.get(session, requested["id"]))


def tracking_answer(typename, **fields):
    return {"data": {"provideShipmentInfoForItemNotReceivedInquiry": {"__typename": typename,
                                                                       **fields}}}  # fmt: skip


def test_an_inquiry_is_answered_with_tracking_through_the_order_inquiry_api(
    runtime, mocked, case_of
):
    case = case_of("inquiry", an_inquiry("8501"), "8501")
    with pytest.raises(ActionNotAllowedError, match="tracking_number"):
        request_action(runtime, case.id, ActionInput("contest"))
    mocked.get("post-order/v2/inquiry/8501", an_inquiry("8501"))
    graphql = mocked.mock.post(GRAPHQL, json=tracking_answer(
        "ProvideShipmentInfoForItemNotReceivedInquirySuccess",
        orderInquiry={"inquiryId": "8501", "status": {"code": "WAITING_BUYER_RESPONSE"}},
    ))  # fmt: skip
    old = mocked.post("post-order/v2/inquiry/8501/provide_shipment_info", {})
    action = run(runtime, case, "contest",
                 params={"tracking_number": "00340434161094015902", "carrier": "DHL"})  # fmt: skip
    assert action["status"] == "succeeded", action["last_error"]
    assert old.call_count == 0
    request = graphql.calls[0].request
    assert request.headers["Authorization"] == "Bearer user-1"
    query = json.loads(request.body)["query"]
    assert "provideShipmentInfoForItemNotReceivedInquiry" in query
    assert 'inquiryId: "8501"' in query
    assert 'trackingNumber: "00340434161094015902"' in query
    assert 'carrierCode: "DHL"' in query
    assert action["result"]["data"]["inquiry_status"] == "WAITING_BUYER_RESPONSE"


def test_ebays_refusal_of_the_tracking_fails_the_action_with_its_words(runtime, mocked, case_of):
    case = case_of("inquiry", an_inquiry("8502"), "8502")
    mocked.get("post-order/v2/inquiry/8502", an_inquiry("8502"))
    mocked.mock.post(GRAPHQL, json=tracking_answer(
        "OrderInquiryActionNotPermittedError", errorCode="NOT_PERMITTED",
        errorMessage="Tracking was already provided",
    ))  # fmt: skip
    action = run(runtime, case, "contest",
                 params={"tracking_number": "1Z999AA10123456784", "carrier": "UPS"})  # fmt: skip
    assert action["status"] == "failed"
    assert "Tracking was already provided" in action["last_error"]


def test_a_quote_in_a_tracking_number_cannot_break_out_of_the_query(runtime, mocked, case_of):
    case = case_of("inquiry", an_inquiry("8503"), "8503")
    mocked.get("post-order/v2/inquiry/8503", an_inquiry("8503"))
    graphql = mocked.mock.post(GRAPHQL, json=tracking_answer(
        "ProvideShipmentInfoForItemNotReceivedInquirySuccess", orderInquiry={"inquiryId": "8503"}
    ))  # fmt: skip
    run(runtime, case, "contest", params={"tracking_number": 'X" } evil', "carrier": "DHL"})
    assert 'trackingNumber: "X\\" } evil"' in json.loads(graphql.calls[0].request.body)["query"]


def test_a_cancellation_request_is_a_case_approved_with_a_signed_call(runtime, mocked, case_of):
    case = case_of("cancellation", a_cancellation("8601"), "8601")
    assert (case.kind, case.status, case.object_type) == ("return", "needs_response",
                                                          "cancellation")  # fmt: skip
    assert str(case.amount) == "59.00 EUR"
    assert [d.source for d in case.deadlines] == ["ebay:cancel_respond_by"]
    read = mocked.get("post-order/v2/cancellation/8601", a_cancellation("8601"))
    approve = mocked.post("post-order/v2/cancellation/8601/approve")
    action = run(runtime, case, "approve_return")
    assert action["status"] == "succeeded", action["last_error"]
    assert read.call_count >= 1
    headers = approve.calls[0].request.headers
    assert headers["Authorization"] == "IAF user-1"
    assert headers["Signature-Input"].startswith('sig1=("x-ebay-signature-key" "@method"')
    assert "Content-Digest" not in headers  # no body, no digest


def test_a_cancellation_is_rejected_with_the_shipment_and_never_decided_twice(
    runtime, mocked, case_of
):
    case = case_of("cancellation", a_cancellation("8602"), "8602")
    mocked.get("post-order/v2/cancellation/8602", a_cancellation("8602"))
    reject = mocked.post("post-order/v2/cancellation/8602/reject", {})
    run(runtime, case, "decline_return", params={"tracking_number": "00340434161094015999"})
    assert json.loads(reject.calls[0].request.body) == {"trackingNumber": "00340434161094015999"}
    rejected = a_cancellation("8602", state="CLOSED", status="CANCEL_REJECTED")
    mocked.mock.replace(responses.GET, f"{API}/post-order/v2/cancellation/8602",
                        body=to_json(rejected), content_type="application/json")  # fmt: skip
    again = run(runtime, case, "decline_return")
    assert (again["status"], reject.call_count) == ("succeeded", 1)
    assert "already decided" in again["result"]["message"]

    with pytest.raises(ActionNotAllowedError, match="only approved or rejected"):
        request_action(runtime, case.id, ActionInput("send_message", message="hello"))

    closed = a_cancellation("8603", state="CLOSED", status="CANCEL_CLOSED_WITH_REFUND")
    done = case_of("cancellation", closed, "8603")
    assert (done.status, done.outcome) == ("resolved", "buyer_favor")
