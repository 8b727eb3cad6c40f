"""A WooCommerce store's evidence for a WooPayments dispute: gathered from the store's
recorded answers, then submitted as a contest and checked field by field.

Payload sources (checked 2026-12-05):

- the dispute: WooPayments' documented ``GET /payments/disputes/dp_123``
  (``fixtures/wcpay_dispute_response.json``, reason ``product_not_received``); for fraud the
  same dispute with reason ``fraudulent`` (a documented ``reason`` value) and ``charge`` as
  the object WooPayments forwards from Stripe, stripe/openapi ``fixtures3.json`` ``charge``
  (``tests/plugins/stripe/fixtures/fixtures3_charge.json``);
- the order: the WooCommerce REST API docs' order 727 (``order_retrieve_response.json``) as
  order 123 paid with WooPayments (``wcpay_order``); for fraud with a customer IP from the
  RFC 5737 documentation range (the docs' order has none);
- the tracking item: the example of https://woocommerce.com/document/shipment-tracking/
  ("Understand Shipment Tracking REST API responses");
- the customer note: the docs' note 281 (``order_note_create_response.json``) sent to the
  customer (``customer_note: true``).

The oracle for the submitted body is WooPayments' own evidence form,
``client/disputes/evidence/fields.js`` of Automattic/woocommerce-payments (e280f2a): the
field names below are copied from it, not from the plugin.
"""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from pathlib import Path

import pytest
from responses import matchers

from disputeflow import ActionType, MarketplaceError
from disputeflow.engine.outbox import ActionInput
from tests.plugins.evidence_support import as_evidence, by_name, collected
from tests.plugins.woocommerce.conftest import API, STORE, fixture
from tests.plugins.woocommerce.test_actions import KEY, META, dispute_case, run
from tests.plugins.woocommerce.test_disputes import dispute, wcpay_order

TRACKING = f"{STORE}/wp-json/wc-shipment-tracking/v3/orders/123/shipment-trackings"
NOTES_QUERY = {"type": "customer", "per_page": "100", "page": "1"}
STRIPE_CHARGE = Path(__file__).parents[1] / "stripe" / "fixtures" / "fixtures3_charge.json"
DOCUMENTED_TRACKING = {
    "tracking_id": "7f4978c390ee633c6294ae0f258656f9",
    "tracking_provider": "USPS",
    "tracking_link": "https://tools.usps.com/tracking/9400111899560000000000",
    "tracking_number": "9400111899560000000000",
    "date_shipped": "2026-07-10",
}
# WooPayments' evidence form (fields.js): text fields, then file fields.
TEXT_FIELDS = {
    "product_description", "customer_name", "customer_email_address", "billing_address",
    "customer_purchase_ip", "refund_policy_disclosure", "refund_refusal_explanation",
    "duplicate_charge_id", "duplicate_charge_explanation", "shipping_carrier",
    "shipping_tracking_number", "shipping_date", "shipping_address",
    "cancellation_policy_disclosure", "cancellation_rebuttal", "service_date",
    "uncategorized_text",
}  # fmt: skip
FILE_FIELDS = {
    "customer_signature", "receipt", "customer_communication", "refund_policy",
    "duplicate_charge_documentation", "shipping_documentation", "service_documentation",
    "cancellation_policy", "access_activity_log", "uncategorized_file",
}  # fmt: skip
PDF = b"%PDF-1.4 packet summary"


def customer_note():
    note = fixture("order_note_create_response.json")
    note["customer_note"] = True
    return note


def store_answers(api, *, order, dispute_body, tracking=None):
    """The reads the collector makes: the dispute, the order, tracking, customer notes."""
    api.get(f"{API}/payments/disputes/dp_123", json=dispute_body)
    api.get(f"{API}/orders/123", json=order)
    if tracking is None:
        api.get(TRACKING, status=404, json=fixture("error_rest_no_route.json"))
    else:
        api.get(TRACKING, json=tracking)
    api.get(
        f"{API}/orders/123/notes",
        json=[customer_note()],
        match=[matchers.query_param_matcher(NOTES_QUERY)],
    )


def contest_files():
    """The packet's PDF summary, as WooPayments' ``params.files`` entry."""
    data = base64.b64encode(PDF).decode()
    return [{"document_type": "uncategorized_file", "filename": "packet.pdf",
             "mimetype": "application/pdf", "data": data}]  # fmt: skip


def submit(runtime, api, case, items, dispute_body):
    """Contest with the items (kinds = their fields) and the PDF; the body WooPayments got."""
    api.get(f"{API}/payments/disputes/dp_123", json=dispute_body)
    api.post(
        f"{API}/payments/file",
        json={"id": "file_1Mtk", "object": "file", "purpose": "dispute_evidence"},
        match=[matchers.multipart_matcher(
            {"file": ("packet.pdf", PDF, "application/pdf")}, data={"purpose": "dispute_evidence"}
        )],
    )  # fmt: skip
    posted = api.post(
        f"{API}/payments/disputes/dp_123", json=dict(dispute_body, status="under_review")
    )
    wanted = ActionInput(ActionType.CONTEST, evidence=as_evidence(items),
                         params={"files": contest_files()}, idempotency_key=KEY)  # fmt: skip
    _, report = run(runtime, case.id, wanted)
    assert report.succeeded == 1
    return json.loads(posted.calls[0].request.body)


def test_a_not_received_dispute_is_contested_with_the_orders_tracking(runtime, connection, api):
    case = dispute_case(runtime, connection["id"])
    order = wcpay_order("on-hold")
    store_answers(api, order=order, dispute_body=dispute(), tracking=[DOCUMENTED_TRACKING])
    items = collected(runtime.plugins, case, runtime.connection_by_id(connection["id"]))
    found = by_name(items)
    assert (found["tracking"].field, found["tracking"].text) == (
        "shipping_tracking_number", "9400111899560000000000")  # fmt: skip
    assert (found["carrier"].field, found["carrier"].text) == (
        "shipping_carrier", "USPS")  # fmt: skip
    assert (found["shipping_date"].field, found["shipping_date"].text) == (
        "shipping_date", "2026-07-10")  # fmt: skip
    assert found["shipping_date"].as_of.isoformat() == "2026-07-10T00:00:00+00:00"
    assert found["shipping_address"].text == "John Doe\n969 Market\nSan Francisco, CA 94103\nUS"
    assert found["address_match"].text == "The order shipped to the billing address."
    assert found["product_description"].text == (
        "2 x Woo Single #1\n1 x Ship Your Idea \u2013 Color: Black, Size: M Test (SKU Bar3)"
    )
    assert found["buyer_messages"].text == "2017-03-21 19:46 UTC: Order ok!!!"
    assert found["delivery"].text.endswith("tracking/9400111899560000000000")
    assert "customer_ip" not in found  # the docs' order has an empty IP

    body = submit(runtime, api, case, items, dispute())
    evidence = body["evidence"]
    assert set(evidence) <= TEXT_FIELDS | FILE_FIELDS
    assert evidence["shipping_tracking_number"] == "9400111899560000000000"
    assert evidence["shipping_carrier"] == "USPS"
    assert evidence["shipping_date"] == "2026-07-10"
    assert evidence["shipping_address"] == found["shipping_address"].text
    assert evidence["billing_address"] == "John Doe\n969 Market\nSan Francisco, CA 94103\nUS"
    assert evidence["customer_name"] == "John Doe"
    assert evidence["customer_email_address"] == "john.doe@example.com"
    assert evidence["product_description"] == found["product_description"].text
    assert evidence["uncategorized_file"] == "file_1Mtk"
    free = evidence["uncategorized_text"]
    assert free.startswith("order_details: Order #123; placed 2023-04-01 10:00 UTC; 2 x Woo")
    assert "total 20.00 USD; paid by Credit card on 2017-03-22" in free
    assert "buyer_messages: 2017-03-21 19:46 UTC: Order ok!!!" in free
    assert (body["submit"], body["metadata"]) == (True, {META: KEY})


def test_a_fraud_dispute_is_contested_with_the_buyers_identity_and_card_checks(
    runtime, connection, api
):
    charge = json.loads(STRIPE_CHARGE.read_text())
    fraud = dispute(reason="fraudulent", charge=charge)
    case = dispute_case(runtime, connection["id"], reason="fraudulent", charge=charge)
    assert case.category == "fraud"
    order = wcpay_order("on-hold", customer_ip_address="192.0.2.44")
    store_answers(api, order=order, dispute_body=fraud)  # no Shipment Tracking extension
    items = collected(runtime.plugins, case, runtime.connection_by_id(connection["id"]))
    found = by_name(items)
    assert not {"tracking", "carrier", "shipping_date"} & set(found)
    assert (found["customer_ip"].field, found["customer_ip"].text) == (
        "customer_purchase_ip", "192.0.2.44")  # fmt: skip
    assert found["address_match"].text == "The order shipped to the billing address."
    assert found["card_checks"].text == "Checks of the visa card ending 4242 at payment: CVC pass."

    body = submit(runtime, api, case, items, fraud)
    evidence = body["evidence"]
    assert set(evidence) <= TEXT_FIELDS | FILE_FIELDS
    assert evidence["customer_purchase_ip"] == "192.0.2.44"
    assert evidence["customer_name"] == "John Doe"
    assert evidence["customer_email_address"] == "john.doe@example.com"
    assert evidence["billing_address"] == evidence["shipping_address"]
    assert "shipping_tracking_number" not in evidence


def test_card_checks_come_from_the_charge_and_staged_text_fills_what_the_order_lacks(
    runtime, connection, api
):
    charge = json.loads(STRIPE_CHARGE.read_text())
    fraud = dispute(reason="fraudulent", charge=charge)
    case = dispute_case(runtime, connection["id"], reason="fraudulent", charge=charge)
    order = wcpay_order("on-hold", shipping={}, billing={})
    store_answers(api, order=order, dispute_body=fraud)
    found = by_name(collected(runtime.plugins, case, runtime.connection_by_id(connection["id"])))
    assert "address_match" not in found  # no addresses to compare
    assert found["card_checks"].text == "Checks of the visa card ending 4242 at payment: CVC pass."
    assert found["card_checks"].source == "WooPayments dispute dp_123"
    # WooPayments' own staged fields fill what the order lacks (the docs' dispute staged them).
    assert (found["customer_name"].text, found["customer_name"].field) == (
        "Test woocommerce", "customer_name")  # fmt: skip
    assert found["billing_address"].text == "60 29th street suite - San Francisco, CA, 94110, US"


@pytest.mark.parametrize(
    ("status", "body", "words"),
    [
        (404, {"code": "woocommerce_rest_shop_order_invalid_id", "message": "Invalid ID.",
               "data": {"status": 404}}, "(HTTP 404, woocommerce_rest_shop_order_invalid_id)"),
        (500, {"code": "internal_server_error", "message": "Critical error"}, "HTTP 500"),
    ],
)  # fmt: skip
def test_a_store_that_fails_while_collecting_is_a_clear_error(
    runtime, connection, api, status, body, words
):
    case = dispute_case(runtime, connection["id"])
    api.get(f"{API}/payments/disputes/dp_123", json=dispute())
    api.get(f"{API}/orders/123", status=status, json=body)
    with pytest.raises(MarketplaceError) as raised:
        collected(runtime.plugins, case, runtime.connection_by_id(connection["id"]))
    message = raised.value.message
    assert message.startswith(f"evidence from WooCommerce for case {case.id}: ")
    assert words in message
    assert raised.value.transient is (status == 500)


def test_a_demo_store_is_not_asked_and_other_platforms_are_not_answered(runtime, connection, api):
    case = dispute_case(runtime, connection["id"])
    store = runtime.connection_by_id(connection["id"])
    assert collected(runtime.plugins, case, replace(store, demo=True)) == []
    assert collected(runtime.plugins, case, replace(store, platform="stripe")) == []
    assert len(api.calls) == 0


def test_a_tracking_route_the_key_may_not_read_gives_no_tracking_not_an_error(
    runtime, connection, api, caplog
):
    case = dispute_case(runtime, connection["id"])
    refused = {
        "code": "woocommerce_rest_cannot_view",
        "message": "Sorry, you cannot list resources.",
        "data": {"status": 401},
    }
    store_answers(api, order=wcpay_order("on-hold"), dispute_body=dispute(), tracking=[])
    api.replace("GET", TRACKING, status=401, json=refused)
    found = by_name(collected(runtime.plugins, case, runtime.connection_by_id(connection["id"])))
    assert "tracking" not in found
    assert found["customer_name"].text == "John Doe"  # the rest of the packet is kept
    assert "Shipment Tracking not readable" in caplog.text
