"""Refunds on eBay's live endpoints: a case (and any order-level or partial refund) through
Fulfillment ``issueRefund`` with ``getOrder`` read first, signed for an EU seller (eBay's
published test key, see test_httpsig.py) and unsigned for a US seller; a return refund with
eBay's own itemised amounts as JSON numbers.

Bodies are synthetic, from eBay's field lists: Order/PaymentSummary/OrderRefund
(developer.ebay.com/api-docs/sell/fulfillment/types/sel:Order, checked 2026-12-04),
IssueRefundRequest and Refund (``refundId``, ``refundStatus``) of the issueRefund page."""

from __future__ import annotations

import base64
import itertools
import json
from datetime import timedelta
from decimal import Decimal

import requests
from cryptography.hazmat.primitives import serialization

from disputeflow import Money
from disputeflow.core.clock import utcnow
from disputeflow.engine.action_runner import process_actions
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.store import actions
from disputeflow.engine.store import connections as store
from disputeflow.plugins.ebay.httpsig import content_digest, signature_base
from tests.plugins.ebay.conftest import (
    API,
    EBAY_SIGNATURE_EXAMPLE,
    SETTINGS,
    START,
    deliver_object,
    load_case,
)
from tests.plugins.ebay.payloads import a_case, a_return, amount
from tests.webhooks.conftest import drain

_ids = itertools.count(1)
ORDER = "12-34567-89012"
ORDER_URL = f"{API}/sell/fulfillment/v1/order/{ORDER}"


def a_case_with_order(case_id, **fields):
    return a_case(case_id, orderId=ORDER, claimAmount=amount("59.00", "EUR"), **fields)


def an_order(*refunds):
    """getOrder: ``paymentSummary.refunds`` (order-level) and one line item."""
    return {
        "orderId": ORDER,
        "paymentSummary": {"refunds": list(refunds)},
        "lineItems": [{"lineItemId": "10055199130001", "legacyItemId": "110551991300"}],
    }


def a_refund(value, status="PENDING", refund_id="5000099999"):
    return {"amount": {"value": value, "currency": "EUR"}, "refundId": refund_id,
            "refundStatus": status, "refundDate": "2026-03-10T12:00:05.000Z"}  # fmt: skip


def open_case(client, runtime, connection, key, object_type, obj, external_id):
    at = "2026-03-10T10:00:00Z"
    deliver_object(client, connection, key, object_type, obj, f"r-{next(_ids)}", at)
    assert drain(runtime) == (1, 0)
    return load_case(runtime, object_type, external_id)


def run(runtime, case, action_type, now=None, **options):
    requested, _ = request_action(runtime, case.id, ActionInput(action_type, **options))
    process_actions(runtime, now=now or utcnow() + timedelta(seconds=1))
    with runtime.database.session() as session:
        return actions.describe(actions.get(session, requested["id"]))


def test_a_case_refund_goes_through_issue_refund_signed_for_a_german_seller(
    client, runtime, shop, mocked, signing_key
):
    case = open_case(client, runtime, shop, signing_key, "case", a_case_with_order("8401"), "8401")
    mocked.get("post-order/v2/casemanagement/8401", a_case_with_order("8401"))
    read_order = mocked.get(f"sell/fulfillment/v1/order/{ORDER}", an_order())
    issue = mocked.post(f"sell/fulfillment/v1/order/{ORDER}/issue_refund",
                        {"refundId": "5000012345", "refundStatus": "PENDING"})  # fmt: skip
    old = mocked.post("post-order/v2/casemanagement/8401/issue_refund", {})

    action = run(runtime, case, "accept", message="Sorry it went missing.")
    assert action["status"] == "succeeded", action["last_error"]
    assert old.call_count == 0  # decommissioned 2026-03-02
    assert read_order.call_count == 1  # reconciled before the refund
    request = issue.calls[0].request
    assert json.loads(request.body) == {
        "reasonForRefund": "ITEM_NOT_RECEIVED",
        "orderLevelRefundAmount": {"value": "59.00", "currency": "EUR"},  # SimpleAmount
        "comment": "Sorry it went missing.",
    }
    assert request.headers["Authorization"] == "Bearer user-1"
    assert action["result"]["refunded"] == {"value": "59.00", "currency": "EUR"}
    assert action["result"]["data"] == {"refund_id": "5000012345", "refund_status": "PENDING"}

    # RFC 9421, verified with eBay's published public key (the mocked createSigningKey
    # hands out eBay's test key): the signature covers this very request.
    assert request.headers["x-ebay-signature-key"] == EBAY_SIGNATURE_EXAMPLE["jwe"]
    assert request.headers["Content-Digest"] == content_digest(request.body)
    created = int(START.timestamp())
    assert request.headers["Signature-Input"] == (
        'sig1=("content-digest" "x-ebay-signature-key" "@method" "@path" "@authority")'
        f";created={created}"
    )
    params = request.headers["Signature-Input"].removeprefix("sig1=")
    components = ("content-digest", "x-ebay-signature-key", "@method", "@path", "@authority")
    base = signature_base("POST", request.url, request.headers, components, params)
    public = serialization.load_pem_public_key(EBAY_SIGNATURE_EXAMPLE["public_key_pem"].encode())
    sig = request.headers["Signature"].removeprefix("sig1=:").removesuffix(":")
    public.verify(base64.b64decode(sig), base.encode())
    assert mocked.signing_keys.call_count == 1  # createSigningKey once, with an app token
    assert mocked.signing_keys.calls[0].request.headers["Authorization"] == "Bearer app-1"
    with runtime.database.session() as session:  # kept, encrypted, for the next worker
        kept = runtime.connection(store.get_row(session, shop["id"])).settings
    assert kept["signing_key_jwe"] == EBAY_SIGNATURE_EXAMPLE["jwe"]
    assert kept["signing_private_key"]


def test_a_partial_refund_that_timed_out_is_reconciled_with_get_order_never_sent_twice(
    client, runtime, shop, mocked, signing_key
):
    case = open_case(client, runtime, shop, signing_key, "case", a_case_with_order("8402"), "8402")
    mocked.get("post-order/v2/casemanagement/8402", a_case_with_order("8402"))
    read_order = mocked.get(f"sell/fulfillment/v1/order/{ORDER}", an_order())
    issue = mocked.mock.post(f"{ORDER_URL}/issue_refund", body=requests.Timeout("slow"))
    first = run(runtime, case, "refund", amount=Money("20.00", "EUR"))
    assert first["status"] == "pending"  # a lost answer: maybe done, maybe not
    assert issue.call_count == 1
    assert json.loads(issue.calls[0].request.body)["orderLevelRefundAmount"] == {
        "value": "20.00",
        "currency": "EUR",
    }

    # eBay did carry it out: getOrder shows it, so the retry sends nothing.
    mocked.mock.remove(read_order)
    mocked.get(f"sell/fulfillment/v1/order/{ORDER}", an_order(a_refund("20.00")))
    process_actions(runtime, now=utcnow() + timedelta(minutes=5))
    with runtime.database.session() as session:
        again = actions.describe(actions.get(session, first["id"]))
    assert again["status"] == "succeeded"
    assert "already refunded" in again["result"]["message"]
    assert issue.call_count == 1  # one refund


def test_a_failed_earlier_refund_does_not_count_as_done(client, runtime, shop, mocked, signing_key):
    case = open_case(client, runtime, shop, signing_key, "case", a_case_with_order("8403"), "8403")
    mocked.get("post-order/v2/casemanagement/8403", a_case_with_order("8403"))
    mocked.get(f"sell/fulfillment/v1/order/{ORDER}", an_order(a_refund("20.00", "FAILED")))
    issue = mocked.post(f"sell/fulfillment/v1/order/{ORDER}/issue_refund",
                        {"refundId": "5000012346", "refundStatus": "PENDING"})  # fmt: skip
    assert run(runtime, case, "refund", amount=Money("20.00", "EUR"))["status"] == "succeeded"
    assert issue.call_count == 1


def test_a_us_sellers_refund_is_not_signed(client, runtime, mocked, signing_key):
    us = runtime.add_connection("ebay", "us-shop", {**SETTINGS, "marketplace_id": "EBAY_US"})
    case = open_case(client, runtime, us, signing_key, "case", a_case_with_order("8404"), "8404")
    mocked.get("post-order/v2/casemanagement/8404", a_case_with_order("8404"))
    mocked.get(f"sell/fulfillment/v1/order/{ORDER}", an_order())
    issue = mocked.post(f"sell/fulfillment/v1/order/{ORDER}/issue_refund",
                        {"refundId": "5000012347", "refundStatus": "PENDING"})  # fmt: skip
    assert run(runtime, case, "accept")["status"] == "succeeded"
    headers = issue.calls[0].request.headers
    assert "Signature" not in headers
    assert "x-ebay-signature-key" not in headers
    assert headers["X-EBAY-C-MARKETPLACE-ID"] == "EBAY_US"
    assert mocked.signing_keys.call_count == 0


def test_a_stored_signing_key_is_used_without_asking_ebay(
    client, runtime, shop, mocked, signing_key
):
    pem = EBAY_SIGNATURE_EXAMPLE["private_key_pem"]
    runtime.update_connection_settings(
        shop["id"],
        {"signing_key_jwe": EBAY_SIGNATURE_EXAMPLE["jwe"], "signing_private_key": pem},
    )
    case = open_case(client, runtime, shop, signing_key, "case", a_case_with_order("8405"), "8405")
    mocked.get("post-order/v2/casemanagement/8405", a_case_with_order("8405"))
    mocked.get(f"sell/fulfillment/v1/order/{ORDER}", an_order())
    issue = mocked.post(f"sell/fulfillment/v1/order/{ORDER}/issue_refund",
                        {"refundId": "5000012348", "refundStatus": "PENDING"})  # fmt: skip
    assert run(runtime, case, "accept")["status"] == "succeeded"
    assert issue.calls[0].request.headers["x-ebay-signature-key"] == EBAY_SIGNATURE_EXAMPLE["jwe"]
    assert mocked.signing_keys.call_count == 0


def test_a_return_refund_sends_ebays_itemised_amounts_as_numbers(
    client, runtime, shop, mocked, signing_key
):
    delivered = a_return("8406", state="ITEM_DELIVERED")
    delivered["detail"]["refundInfo"] = {"estimatedRefundDetail": {
        "totalAmount": amount("39.90", "EUR"),
        "itemizedRefundDetail": [
            {"refundFeeType": "PURCHASE_PRICE", "refundAmount": amount("37.00", "EUR")},
            {"refundFeeType": "ORIGINAL_SHIPPING", "refundAmount": amount("4.90", "EUR")},
            {"refundFeeType": "RESTOCKING_FEE", "refundAmount": amount("-2.00", "EUR")},
        ],
    }}  # fmt: skip
    case = open_case(client, runtime, shop, signing_key, "return", delivered, "8406")
    mocked.get("post-order/v2/return/8406", delivered)
    refund = mocked.post("post-order/v2/return/8406/issue_refund", {"refundStatus": "PENDING"})
    assert run(runtime, case, "refund", amount=Money("39.90", "EUR"))["status"] == "succeeded"
    body = refund.calls[0].request.body
    assert json.loads(body, parse_float=Decimal)["refundDetail"] == {
        "totalAmount": {"value": Decimal("39.90"), "currency": "EUR"},
        "itemizedRefundDetail": [
            {"refundFeeType": "PURCHASE_PRICE",
             "refundAmount": {"value": Decimal("37.00"), "currency": "EUR"}},
            {"refundFeeType": "ORIGINAL_SHIPPING",
             "refundAmount": {"value": Decimal("4.90"), "currency": "EUR"}},
            {"refundFeeType": "RESTOCKING_FEE",
             "refundAmount": {"value": Decimal("-2.00"), "currency": "EUR"}},
        ],
    }  # fmt: skip
    assert b'"value":37.00,' in body  # a JSON number, never a string or a float
    assert refund.calls[0].request.headers["Signature"].startswith("sig1=:")  # EU seller
