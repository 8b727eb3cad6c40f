"""A PayPal dispute's evidence: gathered from PayPal's recorded answers, then provided as a
contest and checked field by field against PayPal's documented evidence object.

Payload sources (checked 2026-12-05):

- the not-received dispute: the "Show dispute details" sample of PayPal's guide *Use
  Disputes API* (``fixtures/dispute_details_response.json``, verbatim); it asks the seller
  for ``PROOF_OF_FULFILLMENT``;
- the fraud dispute: the same sample as a card chargeback for an unauthorised payment
  (``reason`` ``UNAUTHORISED``, ``dispute_channel`` ``EXTERNAL``, stage ``CHARGEBACK``: documented
  values of the same fields); PayPal publishes no filled-in unauthorised example;
- the tracker: the "Show tracking information" example of PayPal's public Postman collection
  (Shipment Tracking folder), its ``transaction_id`` set to the disputed payment and its
  ``links`` left out, inside the ``trackers`` array of the documented ``tracker_collection``
  (paypal-rest-api-specifications ``shipping_shipment_tracking_v1.json``);
- the 404: ``fixtures/error_404_resource_not_found.json``.

The oracle is the Disputes API v1 ``evidence`` schema (paypal-rest-api-specifications
``customer_disputes_v1.json``): the keys and carrier codes below are copied from it.
"""

from __future__ import annotations

import base64
import copy
import json
from dataclasses import replace

import pytest
from responses import matchers

from disputeflow import ActionRequest, ActionType, Evidence, MarketplaceError
from disputeflow.core.clock import utcnow
from disputeflow.core.testing import make_connection
from disputeflow.plugins.paypal import plugin as paypal_plugin
from disputeflow.plugins.paypal.evidence import tracking_items
from disputeflow.plugins.paypal.evidence_body import grouped, tracking
from tests.plugins.evidence_support import as_evidence, by_name, collected
from tests.plugins.paypal.conftest import API, TOKEN_ANSWER, fixture, paypal_settings
from tests.plugins.paypal.test_actions import case_of, multipart

DISPUTES = f"{API}/v1/customer/disputes"
TRACKERS = f"{API}/v1/shipping/trackers"
PAYMENT = "8AW70038VH226914P"  # the sample's seller_transaction_id
EVIDENCE_KEYS = {"evidence_type", "evidence_info", "documents", "notes", "item_id"}
INFO_KEYS = {"tracking_info", "refund_ids"}
TRACKING_KEYS = {"carrier_name", "carrier_name_other", "tracking_url", "tracking_number"}
POSTMAN_TRACKER = {
    "transaction_id": PAYMENT,
    "tracking_number": "1681231012",
    "status": "SHIPPED",
    "shipment_date": "2023-04-11",
    "carrier": "FEDEX",
    "notify_buyer": True,
    "shipment_direction": "FORWARD",
    "shipment_uploader": "PARTNER",
}
PDF = b"%PDF-1.4 packet summary"


@pytest.fixture
def connection():
    return make_connection(paypal_plugin.MARKETPLACE, paypal_settings())


def unauthorised():
    sample = copy.deepcopy(fixture("dispute_details_response.json"))
    sample.update(reason="UNAUTHORISED", dispute_channel="EXTERNAL",
                  dispute_life_cycle_stage="CHARGEBACK")  # fmt: skip
    return sample


def paypal_answers(api, dispute, trackers):
    """Token, the dispute, then the payment's trackers (a status and body, or a list)."""
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    api.get(f"{DISPUTES}/{dispute['dispute_id']}", json=dispute)
    query = [matchers.query_param_matcher({"transaction_id": PAYMENT})]
    if isinstance(trackers, list):
        api.get(TRACKERS, json={"trackers": trackers}, match=query)
    else:
        api.get(TRACKERS, status=trackers[0], json=trackers[1], match=query)


def provide(api, connection, dispute, items):
    """Contest with the items (kinds = their fields) and the PDF; the ``input`` PayPal got."""
    api.get(f"{DISPUTES}/{dispute['dispute_id']}", json=dispute)
    posted = api.post(f"{DISPUTES}/{dispute['dispute_id']}/provide-evidence",
                      json=fixture("action_response.json"))  # fmt: skip
    api.get(f"{DISPUTES}/{dispute['dispute_id']}", json=dispute)
    files = [{"filename": "packet.pdf", "content_type": "application/pdf",
              "content_base64": base64.b64encode(PDF).decode()}]  # fmt: skip
    request = ActionRequest(ActionType.CONTEST, "case_1", "idem-ev-1",
                            evidence=as_evidence(items), params={"files": files})  # fmt: skip
    paypal_plugin.MARKETPLACE.perform_action(connection, case_of(dispute), request)
    parts = multipart(posted.calls[0].request)
    assert parts["file1"] == ("application/pdf", "packet.pdf", PDF)
    assert posted.calls[0].request.headers["PayPal-Request-Id"] == "idem-ev-1"
    content_type, _, data = parts["input"]
    assert content_type == "application/json"
    body = json.loads(data)
    assert set(body) == {"evidences"}
    for evidence in body["evidences"]:
        assert set(evidence) <= EVIDENCE_KEYS
        assert set(evidence.get("evidence_info", {})) <= INFO_KEYS
        assert 1 <= len(evidence.get("notes", "x")) <= 2000
    return body["evidences"]


def test_a_not_received_dispute_is_answered_with_the_payments_tracking(
    fake_plugins, connection, api
):
    dispute = fixture("dispute_details_response.json")
    paypal_answers(api, dispute, [POSTMAN_TRACKER])
    items = collected(fake_plugins, case_of(dispute), connection)
    found = by_name(items)
    assert (found["tracking"].field, found["tracking"].text) == (
        "PROOF_OF_FULFILLMENT.tracking_number", "1681231012")  # fmt: skip
    assert (found["carrier"].field, found["carrier"].text) == (
        "PROOF_OF_FULFILLMENT.carrier_name", "FEDEX")  # fmt: skip
    assert found["shipping_date"].text == "Shipped 2023-04-11 (FEDEX 1681231012)."
    assert found["shipping_date"].as_of.isoformat() == "2023-04-11T00:00:00+00:00"
    assert "delivery" not in found  # the tracker says SHIPPED, not DELIVERED
    assert found["order_details"].text == (
        "PayPal payment 8AW70038VH226914P (buyer's transaction 7XB07472F52871902) of 2.00 USD "
        "on 2025-09-18 09:42 UTC; status HELD"
    )
    assert found["product_description"].text == "1 x Check Ngo"
    assert found["customer_name"].text == "John Doe"
    assert found["buyer_messages"].text == "2025-09-18 09:46 UTC BUYER: Test support case"

    evidences = provide(api, connection, dispute, items)
    assert [e["evidence_type"] for e in evidences] == ["PROOF_OF_FULFILLMENT"]
    fulfilment = evidences[0]
    assert fulfilment["evidence_info"] == {
        "tracking_info": [{"carrier_name": "FEDEX", "tracking_number": "1681231012"}]
    }
    assert set(fulfilment["evidence_info"]["tracking_info"][0]) <= TRACKING_KEYS
    assert fulfilment["notes"].split("\n") == [
        "Shipped 2023-04-11 (FEDEX 1681231012).",
        "order_details: " + found["order_details"].text,
        "product_description: 1 x Check Ngo",
        "customer_name: John Doe",
        "buyer_messages: 2025-09-18 09:46 UTC BUYER: Test support case",
    ]


def test_an_unauthorised_chargeback_is_answered_in_the_evidence_paypal_asked_for(
    fake_plugins, connection, api
):
    dispute = unauthorised()
    paypal_answers(api, dispute, (404, fixture("error_404_resource_not_found.json")))
    case = case_of(dispute)
    assert (case.kind, case.platform_reason) == ("chargeback", "UNAUTHORISED")
    items = collected(fake_plugins, case, connection)
    assert {item.name for item in items} == {
        "order_details",
        "product_description",
        "customer_name",
        "buyer_messages",
    }
    assert all(item.field is None for item in items)  # PayPal has no field of its own for them

    evidences = provide(api, connection, dispute, items)
    assert evidences == [{
        "evidence_type": "PROOF_OF_FULFILLMENT",  # the dispute's REQUESTED_FROM_SELLER
        "notes": "\n".join(f"{i.name}: {i.text}" for i in items),
    }]  # fmt: skip


def test_a_delivered_tracker_and_a_carrier_paypal_has_no_code_for():
    delivered = dict(POSTMAN_TRACKER, status="DELIVERED")
    other = dict(
        POSTMAN_TRACKER, carrier="OTHER", carrier_name_other="Royal Mail", status="SHIPPED"
    )
    found = [(i.name, i.text) for i in tracking_items([delivered, other], PAYMENT)]
    assert ("delivery", "PayPal shows FEDEX 1681231012 as DELIVERED.") in found
    assert ("carrier", "FEDEX\nRoyal Mail") in found  # a line per tracker, in order
    assert ("tracking", "1681231012\n1681231012") in found
    assert tracking("Royal Mail", "1681231012") == {
        "carrier_name": "OTHER",
        "carrier_name_other": "Royal Mail",
        "tracking_number": "1681231012",
    }


@pytest.mark.parametrize(
    ("kinds", "words"),
    [
        ([("PROOF_OF_FULFILLMENT.tracking_number", "1681231012")], "needs its carrier"),
        ([("PROOF_OF_FULFILLMENT.weight", "2 kg")], "no field 'weight'"),
        ([("PROOF_OF_REFUND", "Refunded in the shop.")], "refund ids"),
        ([("OTHER", "x" * 2001)], "at most 2000"),
    ],
)
def test_evidence_paypal_would_refuse_is_refused_before_sending(connection, api, kinds, words):
    dispute = fixture("dispute_details_response.json")
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    api.get(f"{DISPUTES}/{dispute['dispute_id']}", json=dispute)
    evidence = tuple(
        Evidence(f"e{n}", "merchant", k, utcnow(), t) for n, (k, t) in enumerate(kinds)
    )
    request = ActionRequest(ActionType.CONTEST, "case_1", "idem-2", evidence=evidence)
    with pytest.raises(MarketplaceError, match=words):
        paypal_plugin.MARKETPLACE.perform_action(connection, case_of(dispute), request)


@pytest.mark.parametrize("status", [404, 500])
def test_paypal_failing_while_collecting_is_a_clear_error(fake_plugins, connection, api, status):
    dispute = fixture("dispute_details_response.json")
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    body = (
        fixture("error_404_resource_not_found.json")
        if status == 404
        else {"name": "INTERNAL_SERVER_ERROR", "message": "An internal server error occurred."}
    )
    api.get(f"{DISPUTES}/{dispute['dispute_id']}", status=status, json=body)
    case = case_of(dispute)
    with pytest.raises(MarketplaceError) as raised:
        collected(fake_plugins, case, connection)
    assert raised.value.message.startswith(f"evidence from PayPal for case {case.id}: GET ")
    assert f"HTTP {status}" in raised.value.message
    assert raised.value.platform_status == status


def test_a_demo_connection_is_not_asked(fake_plugins, connection, api):
    case = case_of(fixture("dispute_details_response.json"))
    assert collected(fake_plugins, case, replace(connection, demo=True)) == []
    assert collected(fake_plugins, case, replace(connection, platform="ebay")) == []
    assert len(api.calls) == 0


def test_a_single_tracker_answer_is_read_as_well(fake_plugins, connection, api):
    """paypal-rest-api-specifications 1.6 names one ``tracker`` as the list's answer."""
    dispute = fixture("dispute_details_response.json")
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    api.get(f"{DISPUTES}/{dispute['dispute_id']}", json=dispute)
    api.get(TRACKERS, json=POSTMAN_TRACKER)
    found = by_name(collected(fake_plugins, case_of(dispute), connection))
    assert found["tracking"].text == "1681231012"


def test_an_app_without_the_tracking_permission_still_gets_the_dispute(
    fake_plugins, connection, api, caplog
):
    dispute = fixture("dispute_details_response.json")
    denied = {
        "name": "NOT_AUTHORIZED",
        "message": "Authorization failed due to insufficient permissions.",
    }
    paypal_answers(api, dispute, (403, denied))
    found = by_name(collected(fake_plugins, case_of(dispute), connection))
    assert "tracking" not in found
    assert found["customer_name"].text == "John Doe"
    assert "PayPal tracking not readable" in caplog.text


def test_several_trackers_go_as_tracking_info_pairs_in_order(fake_plugins, connection, api):
    """A packet joins a text field's values with new lines: the numbers and the carriers of
    two trackers come as two lines each and leave as two ``tracking_info`` entries."""
    dispute = fixture("dispute_details_response.json")
    other = dict(POSTMAN_TRACKER, carrier="OTHER", carrier_name_other="Royal Mail")
    paypal_answers(api, dispute, [POSTMAN_TRACKER, other])
    found = by_name(collected(fake_plugins, case_of(dispute), connection))
    assert found["tracking"].text == "1681231012\n1681231012"
    assert found["carrier"].text == "FEDEX\nRoyal Mail"
    tracked = [found["tracking"], found["carrier"]]
    (evidence,) = provide(api, connection, dispute, tracked)
    assert evidence["evidence_info"] == {"tracking_info": [
        {"carrier_name": "FEDEX", "tracking_number": "1681231012"},
        {"carrier_name": "OTHER", "carrier_name_other": "Royal Mail",
         "tracking_number": "1681231012"},
    ]}  # fmt: skip


def test_one_carrier_goes_with_each_of_several_numbers():
    at = utcnow()
    request = ActionRequest(ActionType.CONTEST, "case_1", "idem-3", evidence=(
        Evidence("e1", "merchant", "PROOF_OF_FULFILLMENT.tracking_number", at, "1Z1\n1Z2"),
        Evidence("e2", "merchant", "PROOF_OF_FULFILLMENT.carrier_name", at, "UPS"),
    ))  # fmt: skip
    (evidence,) = grouped(case_of(fixture("dispute_details_response.json")), request)
    assert evidence["evidence_info"]["tracking_info"] == [
        {"carrier_name": "UPS", "tracking_number": "1Z1"},
        {"carrier_name": "UPS", "tracking_number": "1Z2"},
    ]
