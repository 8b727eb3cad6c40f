"""Merchant actions through the outbox to eBay: the exact requests sent, what is recorded,
and eBay's refusals (401, 404, 409 revision conflicts, 422, 429, 5xx)."""

from __future__ import annotations

import base64
import itertools
import json
from datetime import timedelta
from decimal import Decimal

import pytest
import requests
import responses

from disputeflow import ActionNotAllowedError, Money
from disputeflow.core.clock import to_rfc3339, utcnow
from disputeflow.engine.action_runner import process_actions
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.store import actions
from tests.plugins.ebay.conftest import API, deliver_object, load_case
from tests.plugins.ebay.payloads import a_case, a_dispute, a_return, amount, an_inquiry, to_json
from tests.webhooks.conftest import drain

_ids = itertools.count(1)


@pytest.fixture
def case_of(client, runtime, shop, mocked, signing_key):
    def case_of(object_type, obj, external_id):
        deliver_object(
            client, shop, signing_key, object_type, obj, f"a-{next(_ids)}", "2026-03-10T10:00:00Z"
        )
        assert drain(runtime) == (1, 0)
        return load_case(runtime, object_type, external_id)

    return case_of


def run(runtime, case, action_type, now=None, **options):
    """Request an action, run the worker once (at ``now``); the stored action afterwards."""
    requested, _ = request_action(runtime, case.id, ActionInput(action_type, **options))
    process_actions(runtime, now=now or utcnow() + timedelta(seconds=1))
    with runtime.database.session() as session:
        return actions.describe(actions.get(session, requested["id"]))


def sent(call):
    """A request body as eBay reads it: JSON numbers exactly, as Decimal."""
    return json.loads(call.request.body, parse_float=Decimal)


# -- returns ----------------------------------------------------------------------------------


def test_approving_a_return_decides_on_ebay_and_shows_ebays_answer(runtime, mocked, case_of):
    case = case_of("return", a_return("8001"), "8001")
    read = mocked.get("post-order/v2/return/8001", a_return("8001"))
    decide = mocked.post("post-order/v2/return/8001/decide", {})
    action = run(runtime, case, "approve_return", idempotency_key="idem-approve-1")
    assert action["status"] == "succeeded", action["last_error"]
    assert sent(decide.calls[0]) == {"decision": "APPROVE"}
    headers = decide.calls[0].request.headers
    assert (headers["Authorization"], headers["X-EBAY-C-MARKETPLACE-ID"]) == (
        "IAF user-1",
        "EBAY_DE",
    )
    assert read.call_count == 2  # checked before, read back after
    assert action["idempotency_key"] == "idem-approve-1"
    timeline = [e.kind for e in load_case(runtime, "return", "8001").timeline]
    assert {"action_requested", "action_succeeded"} <= set(timeline)


def test_declining_sends_the_reason_and_an_offer_sends_exact_money(runtime, mocked, case_of):
    case = case_of("return", a_return("8002"), "8002")
    mocked.get("post-order/v2/return/8002", a_return("8002"))
    decide = mocked.post("post-order/v2/return/8002/decide", {})
    run(runtime, case, "decline_return", message="Used and scratched, not as returned.")
    assert sent(decide.calls[0]) == {
        "decision": "DECLINE",
        "comments": {"content": "Used and scratched, not as returned."},
    }
    run(
        runtime,
        case,
        "approve_return",
        amount=Money("10", "EUR"),
        params={"decision": "OFFER_PARTIAL_REFUND"},
    )
    # Post-Order's Amount.value is a JSON number: sent as one, with the currency's digits
    assert sent(decide.calls[1]) == {
        "decision": "OFFER_PARTIAL_REFUND",
        "partialRefundAmount": {"value": Decimal("10.00"), "currency": "EUR"},
    }
    assert b'"value":10.00,' in decide.calls[1].request.body


def test_refunding_a_delivered_return_marks_it_received_first(runtime, mocked, case_of):
    delivered = a_return("8003", state="ITEM_DELIVERED")
    case = case_of("return", delivered, "8003")
    mocked.get("post-order/v2/return/8003", delivered)
    received = mocked.post("post-order/v2/return/8003/mark_as_received", {})
    refund = mocked.post("post-order/v2/return/8003/issue_refund", {"refundStatus": "PENDING"})
    action = run(
        runtime,
        case,
        "refund",
        amount=Money("15.5", "EUR"),
        params={"mark_received": True},
        message="Restocking deduction.",
    )
    assert action["status"] == "succeeded"
    assert received.call_count == 1
    money = {"value": Decimal("15.50"), "currency": "EUR"}
    assert sent(refund.calls[0]) == {
        "refundDetail": {
            "totalAmount": money,
            "itemizedRefundDetail": [{"refundFeeType": "PURCHASE_PRICE", "refundAmount": money}],
        },
        "comments": {"content": "Restocking deduction."},
    }
    assert action["result"]["refunded"] == {"value": "15.50", "currency": "EUR"}
    assert action["result"]["data"] == {"refund_status": "PENDING"}


def test_a_yen_refund_has_no_decimals(runtime, mocked, case_of):
    yen = a_return(
        "8004",
        state="ITEM_DELIVERED",
        sellerTotalRefund={"estimatedRefundAmount": amount("4800", "JPY")},
    )
    case = case_of("return", yen, "8004")
    mocked.get("post-order/v2/return/8004", yen)
    refund = mocked.post("post-order/v2/return/8004/issue_refund", {"refundStatus": "SUCCESS"})
    run(runtime, case, "refund", amount=Money("4800", "JPY"))
    assert sent(refund.calls[0])["refundDetail"]["totalAmount"] == {
        "value": Decimal("4800"),
        "currency": "JPY",
    }
    assert b'"totalAmount":{"value":4800,"currency":"JPY"}' in refund.calls[0].request.body


def test_a_refund_already_issued_is_never_sent_twice(runtime, mocked, case_of):
    case = case_of("return", a_return("8005", state="ITEM_DELIVERED"), "8005")
    mocked.get("post-order/v2/return/8005", a_return("8005", state="REFUND_INITIATED"))
    refund = mocked.post("post-order/v2/return/8005/issue_refund", {"refundStatus": "SUCCESS"})
    action = run(runtime, case, "refund", amount=Money("39.90", "EUR"))
    assert action["status"] == "succeeded"
    assert "already refunded" in action["result"]["message"]
    assert refund.call_count == 0


def test_a_decision_ebay_no_longer_allows_fails_with_its_state(runtime, mocked, case_of):
    case = case_of("return", a_return("8006"), "8006")
    mocked.get("post-order/v2/return/8006", a_return("8006", state="CLOSED"))
    decide = mocked.post("post-order/v2/return/8006/decide", {})
    action = run(runtime, case, "approve_return")
    assert action["status"] == "failed"
    assert "CLOSED" in action["last_error"]
    assert decide.call_count == 0


def test_a_message_to_the_buyer(runtime, mocked, case_of):
    case = case_of("return", a_return("8007"), "8007")
    mocked.get("post-order/v2/return/8007", a_return("8007"))
    message = mocked.post("post-order/v2/return/8007/send_message", {})
    run(runtime, case, "send_message", message="Bitte mit DHL zurücksenden.")
    assert sent(message.calls[0]) == {"message": {"content": "Bitte mit DHL zurücksenden."}}


# -- eBay's refusals -----------------------------------------------------------------------------


def test_a_422_fails_with_ebays_own_words(runtime, mocked, case_of):
    case = case_of("return", a_return("8010"), "8010")
    mocked.get("post-order/v2/return/8010", a_return("8010"))
    mocked.post(
        "post-order/v2/return/8010/decide",
        {
            "errors": [
                {
                    "errorId": 1307,
                    "message": "Invalid input",
                    "longMessage": "RMA number is required",
                }
            ]
        },
        status=422,
    )
    action = run(runtime, case, "approve_return")
    assert action["status"] == "failed"
    assert "HTTP 422: 1307: RMA number is required" in action["last_error"]


def test_a_404_fails_for_good(runtime, mocked, case_of):
    case = case_of("return", a_return("8011"), "8011")
    mocked.get("post-order/v2/return/8011", {"errors": [{"message": "no such return"}]}, status=404)
    action = run(runtime, case, "approve_return")
    assert (action["status"], action["attempts"]) == ("failed", 1)  # never retried
    assert "no such return" in action["last_error"]


@pytest.mark.parametrize(("status", "headers"), [(429, {"Retry-After": "30"}), (503, {})])
def test_throttling_and_outages_are_retried_later(runtime, mocked, case_of, status, headers):
    case = case_of("return", a_return("8012"), "8012")
    mocked.get("post-order/v2/return/8012", a_return("8012"))
    mocked.post("post-order/v2/return/8012/decide", {"errors": []}, status=status, headers=headers)
    now = utcnow() + timedelta(seconds=1)
    action = run(runtime, case, "approve_return", now=now)
    assert action["status"] == "pending"
    assert f"HTTP {status}" in action["last_error"]
    wait = 30 if headers else 10  # eBay's Retry-After, else the outbox's first backoff
    assert action["next_attempt_at"] == to_rfc3339(now + timedelta(seconds=wait))


def test_a_401_on_an_action_refreshes_once_then_succeeds(runtime, mocked, case_of):
    case = case_of("return", a_return("8013"), "8013")
    mocked.get("post-order/v2/return/8013", a_return("8013"))
    denied = {"errors": [{"errorId": 1001, "message": "Invalid access token"}]}
    mocked.post("post-order/v2/return/8013/decide", denied, status=401)
    decide = mocked.post("post-order/v2/return/8013/decide", {})
    assert run(runtime, case, "approve_return")["status"] == "succeeded"
    auth = [c.request.headers["Authorization"] for c in mocked.calls("/decide")]
    assert auth == ["IAF user-1", "IAF user-2"]
    assert decide.call_count == 1


# -- inquiries and cases -----------------------------------------------------------------------


def test_an_inquiry_is_refunded_in_full_only(runtime, mocked, case_of):
    case = case_of("inquiry", an_inquiry("8101"), "8101")
    with pytest.raises(ActionNotAllowedError, match="in full only"):
        request_action(runtime, case.id, ActionInput("refund", amount=Money("5.00", "USD")))
    mocked.get("post-order/v2/inquiry/8101", an_inquiry("8101"))
    refund = mocked.post("post-order/v2/inquiry/8101/issue_refund", refund_answer("SUCCESS"))
    action = run(runtime, case, "refund", amount=Money("24.99", "USD"))
    assert action["status"] == "succeeded"
    assert sent(refund.calls[0]) == {}
    assert action["result"]["refunded"] == {"value": "24.99", "currency": "USD"}
    assert action["result"]["data"]["refund_result"] == "SUCCESS"


def refund_answer(status):
    """eBay's VoluntaryRefundResponse (devzone/post-order/types/VoluntaryRefundResponse.html):
    ``refundResult`` is a VoluntaryRefundResult whose ``refundStatus`` is a RefundStatusEnum
    value (FAILED, OTHER, PENDING, SUCCESS)."""
    return {"refundResult": {"refundStatus": status}}


def test_a_failed_inquiry_refund_fails_the_action_and_records_no_money(runtime, mocked, case_of):
    case = case_of("inquiry", an_inquiry("8102"), "8102")
    mocked.get("post-order/v2/inquiry/8102", an_inquiry("8102"))
    mocked.post("post-order/v2/inquiry/8102/issue_refund", refund_answer("FAILED"))
    action = run(runtime, case, "refund", amount=Money("24.99", "USD"))
    assert action["status"] == "failed"
    assert "refundStatus FAILED" in action["last_error"]
    assert not action["result"]


@pytest.mark.parametrize(("status", "state"), [
    ("WAITING_BUYER_RESPONSE", "FULL_REFUND_AGREED"),
    ("CLOSED", "SELLER_ECHECK_FULL_REFUND_INITIATED"),
    ("CLOSED", "VOLUNTARY_REFUND_PAYOUT_PENDING"),
])  # fmt: skip
def test_an_inquiry_refund_ebay_already_made_is_recorded_as_done_never_sent_again(
    runtime, mocked, case_of, status, state
):
    """A retry after a lost answer: eBay's InquiryStateEnum (Post-Order 2.8.0) shows the
    seller's full refund agreed or under way, so nothing is sent and nothing fails."""
    case = case_of("inquiry", an_inquiry("8103"), "8103")
    mocked.get("post-order/v2/inquiry/8103", an_inquiry("8103", status=status, state=state))
    refund = mocked.post("post-order/v2/inquiry/8103/issue_refund", refund_answer("SUCCESS"))
    action = run(runtime, case, "refund", amount=Money("24.99", "USD"))
    assert action["status"] == "succeeded", action["last_error"]
    assert refund.call_count == 0
    assert action["result"]["message"] == f"already refunded on eBay (inquiry is {state})"


def test_a_case_takes_no_contest(runtime, mocked, case_of):
    """``casemanagement/{id}/provide_shipment_info`` is the buyer's return tracking, not a
    seller's answer; eBay takes an appeal only after it decided (tests/plugins/ebay/
    test_refunds.py covers case refunds through issueRefund,
    test_inquiries_and_cancellations.py the inquiry's tracking answer)."""
    case = case_of("case", a_case("8201"), "8201")
    with pytest.raises(ActionNotAllowedError, match="contest"):
        request_action(runtime, case.id, ActionInput("contest", params={"appeal": True}))
    assert not mocked.calls("provide_shipment_info")


def test_no_message_can_be_sent_on_a_case(runtime, mocked, case_of):
    case = case_of("case", a_case("8202"), "8202")
    with pytest.raises(ActionNotAllowedError):
        request_action(runtime, case.id, ActionInput("send_message", message="hello"))


# -- payment disputes ------------------------------------------------------------------------------


def test_accepting_a_dispute_names_its_revision(runtime, mocked, case_of):
    case = case_of("payment_dispute", a_dispute("8301"), "8301")
    read = mocked.get("sell/fulfillment/v1/payment_dispute/8301", a_dispute("8301"))
    accept = mocked.post("sell/fulfillment/v1/payment_dispute/8301/accept", status=204)
    action = run(runtime, case, "accept")
    assert action["status"] == "succeeded"
    assert sent(accept.calls[0]) == {"revision": 2}
    assert accept.calls[0].request.headers["Authorization"] == "Bearer user-1"
    assert read.call_count == 2


def test_contesting_with_evidence_uploads_adds_then_contests(runtime, mocked, case_of):
    case = case_of("payment_dispute", a_dispute("8302"), "8302")
    path = "sell/fulfillment/v1/payment_dispute/8302"
    mocked.get(path, a_dispute("8302"))  # the revision the merchant saw
    mocked.get(path, a_dispute("8302", revision=3))  # after our evidence
    upload = mocked.post(f"{path}/upload_evidence_file", {"fileId": "file-1"})
    add = mocked.post(f"{path}/add_evidence", {"evidenceId": "ev-1"})
    contest = mocked.post(f"{path}/contest", status=204)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    action = run(
        runtime,
        case,
        "contest",
        message="Delivered with signature.",
        params={
            "evidence_type": "PROOF_OF_DELIVERY",
            "files": [{"filename": "pod.png", "content_base64": _b64(png)}],
        },
    )
    assert action["status"] == "succeeded", action["last_error"]
    multipart = upload.calls[0].request
    assert b'name="file"; filename="pod.png"' in multipart.body
    assert png in multipart.body
    assert sent(add.calls[0]) == {
        "evidenceType": "PROOF_OF_DELIVERY",
        "files": [{"fileId": "file-1"}],
        "lineItems": [{"itemId": "110551991300", "lineItemId": "10055199130001"}],
    }
    assert sent(contest.calls[0]) == {"revision": 3, "note": "Delivered with signature."}
    assert action["result"]["data"] == {
        "file_ids": ["file-1"],
        "evidence_id": "ev-1",
        "revision": 3,
    }


def _b64(data):
    return base64.b64encode(data).decode()


def test_evidence_must_be_an_image_eBay_takes(runtime, mocked, case_of):
    case = case_of("payment_dispute", a_dispute("8303"), "8303")
    pdf = {"filename": "invoice.pdf", "content_base64": _b64(b"%PDF-1.7")}
    with pytest.raises(ActionNotAllowedError, match="JPEG or PNG"):
        request_action(
            runtime,
            case.id,
            ActionInput("contest", params={"evidence_type": "PROOF_OF_DELIVERY", "files": [pdf]}),
        )


def test_a_dispute_that_moved_on_is_a_revision_conflict(runtime, mocked, case_of):
    case = case_of("payment_dispute", a_dispute("8304"), "8304")
    mocked.get("sell/fulfillment/v1/payment_dispute/8304", a_dispute("8304", revision=3))
    accept = mocked.post("sell/fulfillment/v1/payment_dispute/8304/accept", status=204)
    action = run(runtime, case, "accept")
    assert action["status"] == "failed"
    assert "since revision 2 (now revision 3" in action["last_error"]
    assert accept.call_count == 0


def test_ebays_409_is_reported_never_retried_blindly(runtime, mocked, case_of):
    case = case_of("payment_dispute", a_dispute("8305"), "8305")
    path = "sell/fulfillment/v1/payment_dispute/8305"
    mocked.get(path, a_dispute("8305"))
    mocked.get(path, a_dispute("8305", revision=3, paymentDisputeStatus="OPEN"))
    accept = mocked.post(
        f"{path}/accept",
        {"errors": [{"errorId": 33106, "message": "Revision mismatch"}]},
        status=409,
    )
    action = run(runtime, case, "accept")
    assert action["status"] == "failed"
    assert "409" in action["last_error"]
    assert "now at revision 3, OPEN" in action["last_error"]
    assert accept.call_count == 1
    assert process_actions(runtime, now=utcnow() + timedelta(hours=1)).handled == 0


def test_a_dispute_already_accepted_on_ebay_is_done(runtime, mocked, case_of):
    case = case_of("payment_dispute", a_dispute("8306"), "8306")
    mocked.get(
        "sell/fulfillment/v1/payment_dispute/8306",
        a_dispute("8306", sellerResponse="ACCEPT", revision=3),
    )
    accept = mocked.post("sell/fulfillment/v1/payment_dispute/8306/accept", status=204)
    action = run(runtime, case, "accept")
    assert (action["status"], accept.call_count) == ("succeeded", 0)


def test_a_refund_that_timed_out_is_checked_on_ebay_before_it_is_sent_again(
    runtime, mocked, case_of
):
    """eBay takes no idempotency key: a POST is never repeated inside a call, and the
    outbox's next attempt reads the return first and finds the refund done."""
    case = case_of("return", a_return("8014", state="ITEM_DELIVERED"), "8014")
    read = mocked.get("post-order/v2/return/8014", a_return("8014", state="ITEM_DELIVERED"))
    refund = mocked.mock.post(
        f"{API}/post-order/v2/return/8014/issue_refund", body=requests.Timeout("slow")
    )
    first = run(runtime, case, "refund", amount=Money("39.90", "EUR"))
    assert first["status"] == "pending"
    assert refund.call_count == 1
    mocked.mock.replace(
        responses.GET,
        f"{API}/post-order/v2/return/8014",
        body=to_json(a_return("8014", state="REFUND_INITIATED")),
    )
    process_actions(runtime, now=utcnow() + timedelta(minutes=5))
    with runtime.database.session() as session:
        again = actions.describe(actions.get(session, first["id"]))
    assert again["status"] == "succeeded"
    assert "already refunded" in again["result"]["message"]
    assert refund.call_count == 1
    assert read.call_count >= 1
