"""Merchant actions on PayPal disputes: the call PayPal's links allow, the body PayPal's guide
shows for it, the idempotency key, and the refusals made before anything is sent."""

from __future__ import annotations

import base64
import copy
import json
from email.parser import BytesParser
from email.policy import HTTP

import pytest

from disputeflow import ActionRequest, ActionType, MarketplaceError, Money
from disputeflow.core.testing import make_connection, minimal_case
from disputeflow.plugins.paypal import plugin as paypal_plugin
from disputeflow.plugins.paypal.actions import check
from disputeflow.plugins.paypal.disputes import to_snapshot
from disputeflow.plugins.paypal.marketplace import PaypalMarketplace
from disputeflow.plugins.paypal.samples import ESCALATED, INQUIRY, RESOLVED
from tests.plugins.paypal.conftest import API, TOKEN_ANSWER, fixture, paypal_settings

DISPUTES = f"{API}/v1/customer/disputes"
PDF = base64.b64encode(b"%PDF-1.4 proof of shipment").decode()


@pytest.fixture
def marketplace(clock):
    market = PaypalMarketplace(paypal_plugin.MARKETPLACE.verifier)
    market.sleep = clock.append
    return market


@pytest.fixture
def connection(marketplace):
    return make_connection(marketplace, paypal_settings())


def case_of(dispute, **changes):
    """The case disputeflow holds for ``dispute`` (its snapshot's values)."""
    snapshot = to_snapshot("paypal", dispute)
    case = minimal_case("paypal", str(snapshot.kind), connection_id="con_test")
    case.external_id, case.object_type = snapshot.external_id, "dispute"
    case.amount, case.platform_reason = snapshot.amount, snapshot.platform_reason
    case.extra = dict(snapshot.extra)
    for name, value in changes.items():
        setattr(case, name, value)
    return case


def reads(api, *answers):
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    for answer in answers:
        api.get(f"{DISPUTES}/{answer['dispute_id']}", json=answer)


def action(kind, **options):
    return ActionRequest(ActionType(kind), "case_1", options.pop("key", "idem-1"), **options)


def multipart(request):
    """The parts of a multipart/form-data body: name -> (content type, filename, bytes)."""
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.body)
    return {
        part.get_param("name", header="content-disposition"): (
            part.get_content_type(),
            part.get_filename(),
            part.get_payload(decode=True),
        )
        for part in message.iter_parts()
    }


def test_accept_sends_accept_claim_with_the_allowed_type(marketplace, connection, api):
    resolved = {
        **copy.deepcopy(INQUIRY),
        "status": "RESOLVED",
        "dispute_state": "RESOLVED",
        "update_time": "2025-09-19T10:00:00Z",
        "links": [],
        "dispute_outcome": {
            "outcome_code": "ACCEPTED",
            "amount_refunded": {"currency_code": "USD", "value": "2.00"},
        },
    }
    reads(api, INQUIRY, resolved)
    post = api.post(
        f"{DISPUTES}/PP-R-AYP-10135034/accept-claim", json=fixture("action_response.json")
    )
    request = action("accept", message="Full refund to the customer.")
    result = marketplace.perform_action(connection, case_of(INQUIRY), request)
    sent = post.calls[0].request
    assert json.loads(sent.body) == {
        "note": "Full refund to the customer.",
        "accept_claim_type": "REFUND",
    }
    assert sent.headers["PayPal-Request-Id"] == "idem-1"
    assert result.refunded == Money("2.00", "USD")
    assert (result.snapshot.status, result.snapshot.outcome) == ("resolved", "buyer_favor")


def test_a_partial_accept_of_a_not_received_claim_is_refused_before_sending(
    marketplace, connection, api
):
    """PayPal: AMOUNT_SHOULD_NOT_BE_PASSED for MERCHANDISE_OR_SERVICE_NOT_RECEIVED."""
    reads(api, INQUIRY)
    request = action("accept", amount=Money("1.00", "USD"))
    with pytest.raises(MarketplaceError, match="not-received"):
        marketplace.perform_action(connection, case_of(INQUIRY), request)
    assert [c.request.method for c in api.calls] == ["POST", "GET"]  # token, read


def test_an_accept_paypal_already_carried_out_is_not_sent_again(marketplace, connection, api):
    done = {
        **copy.deepcopy(RESOLVED),
        "dispute_outcome": {
            "outcome_code": "ACCEPTED",
            "amount_refunded": {"currency_code": "EUR", "value": "10.00"},
        },
    }
    reads(api, done)
    result = marketplace.perform_action(connection, case_of(done), action("accept"))
    assert result.refunded == Money("10.00", "EUR")
    assert "already" in result.message
    assert all(call.request.method == "GET" for call in api.calls[1:])


def test_contest_provides_evidence_as_multipart_with_the_file(marketplace, connection, api):
    reads(api, ESCALATED, ESCALATED)
    post = api.post(
        f"{DISPUTES}/PP-R-AYP-10135034/provide-evidence", json=fixture("action_response.json")
    )
    request = action(
        "contest",
        message="Delivered on 2025-09-20.",
        params={
            "carrier_name": "FEDEX",
            "tracking_number": "122533485",
            "files": [
                {"filename": "NewDoc.pdf", "content_type": "application/pdf", "content_base64": PDF}
            ],
        },
    )
    marketplace.perform_action(connection, case_of(ESCALATED), request)
    parts = multipart(post.calls[0].request)
    content_type, _, data = parts["input"]
    assert content_type == "application/json"
    assert json.loads(data) == {
        "evidences": [
            {
                "evidence_type": "PROOF_OF_FULFILLMENT",
                "notes": "Delivered on 2025-09-20.",
                "evidence_info": {
                    "tracking_info": [{"carrier_name": "FEDEX", "tracking_number": "122533485"}]
                },
            }
        ]
    }
    assert parts["file1"] == ("application/pdf", "NewDoc.pdf", b"%PDF-1.4 proof of shipment")


def test_evidence_paypal_asked_for_without_its_tracking_is_refused(marketplace, connection, api):
    reads(api, ESCALATED)
    with pytest.raises(MarketplaceError, match="tracking_number"):
        marketplace.perform_action(connection, case_of(ESCALATED), action("contest"))
    assert len(api.calls) == 2


def test_a_file_paypal_does_not_take_is_refused(marketplace, connection, api):
    reads(api, ESCALATED)
    files = [
        {"filename": "a.exe", "content_type": "application/x-msdownload", "content_base64": PDF}
    ]
    request = action("contest", params={"evidence_type": "OTHER", "files": files})
    with pytest.raises(MarketplaceError, match="JPG, GIF, PNG or PDF"):
        marketplace.perform_action(connection, case_of(ESCALATED), request)


def test_contest_can_escalate_an_inquiry_when_asked(marketplace, connection, api):
    reads(api, INQUIRY, INQUIRY)
    post = api.post(f"{DISPUTES}/PP-R-AYP-10135034/escalate", json=fixture("action_response.json"))
    request = action(
        "contest",
        message="Escalating to PayPal claim for resolution.",
        params={"response": "escalate"},
    )
    marketplace.perform_action(connection, case_of(INQUIRY), request)
    assert json.loads(post.calls[0].request.body) == {
        "note": "Escalating to PayPal claim for resolution."
    }


def test_refund_makes_paypal_an_offer(marketplace, connection, api):
    reads(api, INQUIRY, INQUIRY)
    post = api.post(
        f"{DISPUTES}/PP-R-AYP-10135034/make-offer", json=fixture("action_response.json")
    )
    request = action("refund", amount=Money("1.50", "USD"), message="Partial refund offered.")
    result = marketplace.perform_action(connection, case_of(INQUIRY), request)
    assert json.loads(post.calls[0].request.body) == {
        "note": "Partial refund offered.",
        "offer_type": "REFUND",
        "offer_amount": {"currency_code": "USD", "value": "1.50"},
    }
    assert result.refunded is None  # an offer, until the buyer takes it


def test_an_offer_type_paypal_does_not_allow_is_refused(marketplace, connection, api):
    reads(api, INQUIRY)
    request = action("refund", params={"offer_type": "REFUND_WITH_REPLACEMENT"})
    with pytest.raises(MarketplaceError, match="make_offer only as REFUND"):
        marketplace.perform_action(connection, case_of(INQUIRY), request)


def test_send_message_posts_the_message(marketplace, connection, api):
    reads(api, INQUIRY, INQUIRY)
    post = api.post(
        f"{DISPUTES}/PP-R-AYP-10135034/send-message", json=fixture("action_response.json")
    )
    marketplace.perform_action(
        connection, case_of(INQUIRY), action("send_message", message="Shipment is in progress.")
    )
    assert json.loads(post.calls[0].request.body) == {"message": "Shipment is in progress."}


def test_what_paypal_no_longer_offers_is_refused_after_reading_the_dispute(
    marketplace, connection, api
):
    """The case still shows send_message (an inquiry); PayPal's dispute now (a claim) does
    not: the guide's table offers messages in the INQUIRY stage only."""
    reads(api, ESCALATED)
    request = action("send_message", message="Shipment is in progress.")
    with pytest.raises(MarketplaceError, match="does not let the merchant send_message"):
        marketplace.perform_action(connection, case_of(INQUIRY), request)
    assert [call.request.method for call in api.calls] == ["POST", "GET"]  # token, dispute


def test_acknowledging_a_returned_item_is_accept_or_contest():
    returned = {
        **copy.deepcopy(INQUIRY),
        "allowed_response_options": {
            "acknowledge_return_item": {"acknowledgement_types": ["ITEM_RECEIVED", "DAMAGED"]}
        },
        "links": [
            {
                "rel": "acknowledge_return_item",
                "method": "POST",
                "href": f"{DISPUTES}/PP-R-AYP-10135034/acknowledge-return-item",
            }
        ],
    }
    case = case_of(returned)
    assert check(case, action("accept")) is None
    assert "name what was wrong" in check(
        case, action("contest", params={"response": "acknowledge_return_item"})
    )
    assert (
        check(
            case,
            action(
                "contest",
                params={"response": "acknowledge_return_item", "acknowledgement_type": "DAMAGED"},
            ),
        )
        is None
    )
    assert "does not let the merchant contest" in check(case, action("contest"))


def test_the_before_action_hook_refuses_what_the_case_shows_paypal_does_not_offer():
    case = case_of(ESCALATED)
    assert paypal_plugin.disputeflow_before_action(case, action("send_message", message="hi"))
    assert paypal_plugin.disputeflow_before_action(case, action("accept")) is None
    other = minimal_case("ebay", "claim", connection_id="con_test")
    assert paypal_plugin.disputeflow_before_action(other, action("send_message")) is None


def test_files_go_only_with_calls_paypal_takes_files_with():
    case = case_of(INQUIRY)
    files = [{"filename": "label.png", "content_type": "image/png", "content_base64": PDF}]
    assert "takes no files with make-offer" in check(
        case, action("refund", params={"files": files})
    )
    assert (
        check(case, action("send_message", message="See the label.", params={"files": files}))
        is None
    )


def test_a_message_with_a_file_is_sent_as_multipart(marketplace, connection, api):
    reads(api, INQUIRY, INQUIRY)
    post = api.post(
        f"{DISPUTES}/PP-R-AYP-10135034/send-message", json=fixture("action_response.json")
    )
    files = [{"filename": "doc.pdf", "content_type": "application/pdf", "content_base64": PDF}]
    request = action("send_message", message="Shipment is in progress.", params={"files": files})
    marketplace.perform_action(connection, case_of(INQUIRY), request)
    parts = multipart(post.calls[0].request)
    assert json.loads(parts["input"][2]) == {"message": "Shipment is in progress."}
    assert parts["file1"][:2] == ("application/pdf", "doc.pdf")
