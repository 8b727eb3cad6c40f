"""verify_app (the app-level URL) directly, each test aimed at a mutant that survived
``make mutate`` (docs/testing.md): the app secret alone verifies, the shop comes from the
header or else from the signed body, every missing routing header is refused, errors say
what is wrong.

The signature is the known-answer vector of Shopify/shopify-app-js @ ef2043d4
(``packages/apps/shopify-api/lib/webhooks/__tests__/validate.test.ts``: body
``{"foo": "bar"}``, secret ``test_secret_key``, HMAC
``B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=``), as in test_webhook_vectors.py. The one
test of a body naming its shop signs Shopify's documented ``shop_redact`` sample with the
plugin's signer, whose output the vector above pins.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from disputeflow import SignatureError
from disputeflow.plugins.shopify import webhooks
from tests.plugins.shopify.conftest import SHOP, fixture
from tests.plugins.shopify.test_webhook_vectors import BODY, EXPECTED, SECRET, connection, request


def without(name, signed=None):
    signed = signed or request(EXPECTED)
    headers = {key: value for key, value in signed.headers.items() if key != name}
    return type(signed)(method="POST", headers=headers, body=signed.body)


def test_the_app_secret_alone_verifies_a_shop_with_no_connection():
    delivery = webhooks.verify_app(request(EXPECTED), [], SECRET)
    assert delivery.connection is None
    assert delivery.account == SHOP
    assert delivery.verified.topic == "products/create"
    assert delivery.verified.dedup_key == webhooks.body_key(BODY)


def test_a_delivery_routed_to_its_connection_names_the_shop():
    acme = connection(client_secret=SECRET)
    delivery = webhooks.verify_app(request(EXPECTED), [acme], None)
    assert delivery.connection is acme
    assert delivery.account == SHOP


@pytest.mark.parametrize(
    "forged",
    [
        without("X-Shopify-Hmac-Sha256"),
        type(request(EXPECTED))("POST", request(EXPECTED).headers, b""),
    ],
    ids=["no signature", "no body"],
)
def test_a_delivery_without_signature_or_body_is_refused(forged):
    with pytest.raises(SignatureError, match="missing X-Shopify-Hmac-Sha256 header or body"):
        webhooks.verify_app(forged, [], SECRET)


def test_a_signature_of_no_known_secret_is_refused_and_says_so():
    with pytest.raises(SignatureError, match="does not match the secret of any connection"):
        webhooks.verify_app(request(EXPECTED), [connection(client_secret="shpss_other")], None)


@pytest.mark.parametrize("header", ["X-Shopify-Topic", "X-Shopify-Webhook-Id"])
def test_a_missing_routing_header_is_refused(header):
    with pytest.raises(SignatureError, match="missing X-Shopify-Shop-Domain, X-Shopify-Topic"):
        webhooks.verify_app(without(header), [], SECRET)


def test_without_shop_header_or_shop_in_body_it_is_refused():
    with pytest.raises(SignatureError, match="missing X-Shopify-Shop-Domain"):
        webhooks.verify_app(without("X-Shopify-Shop-Domain"), [], SECRET)


def test_without_shop_header_the_signed_body_names_the_shop():
    payload = {**fixture("shop_redact"), "shop_domain": "Acme-US.myshopify.com "}
    signed = webhooks.signed_request(
        payload, secret=SECRET, shop=SHOP, topic="shop/redact", webhook_id="wh-1"
    )
    delivery = webhooks.verify_app(without("X-Shopify-Shop-Domain", signed), [], SECRET)
    assert delivery.account == "acme-us.myshopify.com"
    assert delivery.verified.topic == "shop/redact"


def test_the_topic_is_kept_lower_case():
    upper = request(EXPECTED)
    headers = {**upper.headers, "X-Shopify-Topic": "Products/Create"}
    delivery = webhooks.verify_app(type(upper)("POST", headers, upper.body), [], SECRET)
    assert delivery.verified.topic == "products/create"


@pytest.mark.parametrize("body", [b"not json", b"[]"], ids=["not JSON", "a JSON list"])
def test_a_body_that_names_no_shop_leaves_the_delivery_unrouted(body):
    signed = webhooks.signed_request(
        body, secret=SECRET, shop=SHOP, topic="shop/redact", webhook_id="wh-2"
    )
    with pytest.raises(SignatureError, match="missing X-Shopify-Shop-Domain"):
        webhooks.verify_app(without("X-Shopify-Shop-Domain", signed), [], SECRET)


def with_headers(changes, body=BODY):
    signed = request(EXPECTED)
    headers = {k: v for k, v in {**signed.headers, **changes}.items() if v is not None}
    return type(signed)(method="POST", headers=headers, body=body)


@pytest.mark.parametrize(
    ("changes", "body", "message"),
    [
        ({"X-Shopify-Hmac-Sha256": None}, BODY, "^missing X-Shopify-Hmac-Sha256 header$"),
        ({}, b"", "^empty body: nothing to verify$"),
        ({"X-Shopify-Hmac-Sha256": "AAAA"}, BODY, "does not match the body for this app's secret"),
        ({"X-Shopify-Shop-Domain": None}, BODY, r"Domain '\(missing\)' is not this connection's"),
        ({"X-Shopify-Shop-Domain": "b.myshopify.com"}, BODY, "Domain 'b.myshopify.com' is not"),
        ({"X-Shopify-Topic": None}, BODY, "^missing X-Shopify-Topic or X-Shopify-Webhook-Id"),
    ],
    ids=["no signature", "no body", "wrong signature", "no shop", "other shop", "no topic"],
)
def test_each_refusal_says_why(changes, body, message):
    """The reason goes into the error answer and the log: it must name what is wrong."""
    with pytest.raises(SignatureError, match=message):
        webhooks.verify(connection(client_secret=SECRET), with_headers(changes, body))


def test_a_signature_with_non_ascii_characters_is_refused_not_a_crash():
    with pytest.raises(SignatureError, match="does not match"):
        webhooks.verify(
            connection(client_secret=SECRET),
            with_headers({"X-Shopify-Hmac-Sha256": EXPECTED[:-2] + "é="}),
        )


def test_a_verified_delivery_occurred_when_shopify_triggered_it():
    triggered = {"X-Shopify-Triggered-At": "2026-03-01T10:00:00.000000Z"}
    verified = webhooks.verify(connection(client_secret=SECRET), with_headers(triggered))
    assert verified.occurred_at == datetime(2026, 3, 1, 10, tzinfo=UTC)
