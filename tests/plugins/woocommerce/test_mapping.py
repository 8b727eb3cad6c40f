"""The plugin's tables, settings and signature helpers, value by value."""

from __future__ import annotations

import pytest

from disputeflow import InboundRequest, InvalidInputError, SignatureError
from disputeflow.core.testing import make_connection
from disputeflow.plugins.woocommerce.mapping import (
    DISPUTE_REASONS,
    DISPUTE_STATUS_RANK,
    DISPUTE_STATUSES,
    dispute_category,
    dispute_kind,
    dispute_status,
    return_category,
)
from disputeflow.plugins.woocommerce.marketplace import WooCommerceMarketplace
from disputeflow.plugins.woocommerce.settings import api_base_url, site_identity
from disputeflow.plugins.woocommerce.webhooks import answer_ping, sign, signed_request, verify
from tests.plugins.woocommerce.conftest import fixture, wc_settings

MARKET = WooCommerceMarketplace()
ENUMS = fixture("wcpay_dispute_enums.json")


def test_every_documented_dispute_value_is_mapped():
    assert set(DISPUTE_REASONS) == set(ENUMS["DisputeReason"])
    assert set(DISPUTE_STATUSES) == set(ENUMS["DisputeStatus"]) == set(DISPUTE_STATUS_RANK)


@pytest.mark.parametrize(
    ("reason", "category"),
    [
        ("fraudulent", "fraud"),
        ("unrecognized", "fraud"),
        ("product_not_received", "not_received"),
        ("product_unacceptable", "not_as_described"),
        ("duplicate", "duplicate_charge"),
        ("credit_not_processed", "credit_not_processed"),
        ("subscription_canceled", "subscription_canceled"),
        ("bank_cannot_process", "processing_error"),
        ("insufficient_funds", "processing_error"),
        ("general", "other"),
        ("never_heard_of_it", "other"),
        (None, "other"),
    ],
)
def test_dispute_reasons(reason, category):
    assert dispute_category(reason) == category


@pytest.mark.parametrize(
    ("status", "expected", "kind"),
    [
        ("warning_needs_response", ("needs_response", None), "inquiry"),
        ("warning_under_review", ("under_review", None), "inquiry"),
        ("warning_closed", ("resolved", None), "inquiry"),  # never a merchant win
        ("needs_response", ("needs_response", None), "chargeback"),
        ("under_review", ("under_review", None), "chargeback"),
        ("won", ("resolved", "merchant_favor"), "chargeback"),
        ("lost", ("resolved", "buyer_favor"), "chargeback"),
        ("charge_refunded", ("resolved", "buyer_favor"), "chargeback"),
        ("prearbitration_maybe", (None, None), "chargeback"),
    ],
)
def test_dispute_statuses(status, expected, kind):
    assert dispute_status(status) == expected
    assert dispute_kind(status)[0] == kind


def test_later_dispute_stages_rank_higher():
    order = [
        "warning_needs_response",
        "warning_under_review",
        "needs_response",
        "under_review",
        "won",
    ]
    ranks = [DISPUTE_STATUS_RANK[status] for status in order]
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == len(ranks)


@pytest.mark.parametrize(
    ("texts", "category"),
    [
        (("Product arrived damaged", ""), "damaged"),
        (("Item is defective", None), "defective"),
        (("Other", "It stopped working after a day"), "defective"),
        (("Wrong item received", None), "wrong_item"),
        (("Wrong size", None), "size_fit"),
        (("Not as described", None), "not_as_described"),
        (("I changed my mind", None), "changed_mind"),
        (("Parts missing", None), "missing_parts"),
        (("Sentimental reasons", "no idea"), "other"),
        ((None, None), "other"),
    ],
)
def test_return_reasons_from_free_text(texts, category):
    assert return_category(*texts) == category


def test_cli_strings_are_settings_too():
    loaded = MARKET.validate_settings(
        {
            **wc_settings(store_url="https://example.com/shop/"),
            "woopayments": "true",
            "api_refund": "false",
            "return_statuses": "return-requested, wc-refund-requested",
        }
    )
    assert loaded["woopayments"] is True
    assert loaded["api_refund"] is False
    assert loaded["return_statuses"] == ["return-requested", "refund-requested"]
    assert loaded["store_url"] == "https://example.com/shop"
    assert api_base_url(loaded) == "https://example.com/shop/wp-json/wc/v3"
    assert MARKET.validate_settings(loaded) == loaded  # stored settings validate again


def test_defaults():
    loaded = MARKET.validate_settings(wc_settings())
    assert (loaded["woopayments"], loaded["api_refund"]) == (False, True)
    assert loaded["return_statuses"] == ["return-requested"]
    assert (
        api_base_url({**loaded, "api_base_url": "http://127.0.0.1:9/wc"}) == "http://127.0.0.1:9/wc"
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"consumer_secret": None}, "consumer_secret"),
        ({"consumer_key": "cs_swapped"}, "consumer_key"),
        ({"return_statuses": ""}, "return_statuses"),
        ({"store_url": "ftp://example.com"}, "store_url"),
    ],
)
def test_bad_settings_name_the_field(changes, field):
    settings = {k: v for k, v in {**wc_settings(), **changes}.items() if v is not None}
    with pytest.raises(InvalidInputError, match=field):
        MARKET.validate_settings(settings)


def test_a_pending_install_has_no_keys():
    settings = {"store_url": "https://example.com", "webhook_secret": "s"}
    assert "consumer_key" not in MARKET.validate_settings(settings)


def test_site_identity_ignores_scheme_case_default_port_and_slash():
    same = {
        site_identity(u)
        for u in ("http://Example.com/", "https://example.com:443", "https://example.com")
    }
    assert same == {("example.com", None, "")}
    assert site_identity("https://example.com/shop/") != site_identity("https://example.com")
    assert site_identity("https://www.example.com") != site_identity("https://example.com")


def test_the_reference_signature_vectors():
    assert sign(b'{"id":1}', "secret") == "A971iWIMgT8Zj9A9eWfikrFj7wQ16/Qwcc4OlRl2PLc="
    body = b'{"id":726,"href":"https:\\/\\/example.com\\/x","name":"Jo\\u00e3o"}'
    assert sign(body, "secret") == "DtJGbYVdfaNd2V/r/WbG72nsDYqk96nhVrp2s20McRs="
    request = signed_request(
        {"id": 726, "href": "https://example.com/x", "name": "João"},
        secret="secret",
        store_url="https://example.com",
    )
    assert request.body == body


def test_the_secret_is_html_decoded_as_wordpress_does():
    """``wp_specialchars_decode($secret, ENT_QUOTES)``: ``a&amp;b`` signs as ``a&b``."""
    assert sign(b"{}", "a&amp;b&quot;c") == sign(b"{}", 'a&b"c')
    connection = make_connection(MARKET, wc_settings(webhook_secret="a&amp;b"))
    request = signed_request({"id": 1}, secret="a&b", store_url="https://example.com")
    assert verify(connection, request).topic == "order.updated"


def test_verification_keeps_routing_headers_only():
    connection = make_connection(MARKET, wc_settings())
    request = signed_request(
        {"id": 1},
        secret=wc_settings()["webhook_secret"],
        store_url="https://example.com",
        webhook_id=142,
    )
    verified = verify(connection, request)
    assert set(verified.headers) == {
        "X-WC-Webhook-Topic",
        "X-WC-Webhook-Resource",
        "X-WC-Webhook-Event",
        "X-WC-Webhook-ID",
        "X-WC-Webhook-Delivery-ID",
        "X-WC-Webhook-Source",
    }
    assert verified.headers["X-WC-Webhook-ID"] == "142"
    # The delivery id is not signed: the same body under another id is the same delivery.
    renamed = InboundRequest(
        "POST", {**request.headers, "X-WC-Webhook-Delivery-ID": "attacker-chosen"}, request.body
    )
    assert verify(connection, renamed).dedup_key == verified.dedup_key
    assert verified.dedup_key.startswith("sha256:")
    missing = InboundRequest(
        "POST",
        {k: v for k, v in request.headers.items() if k != "X-WC-Webhook-Delivery-ID"},
        request.body,
    )
    with pytest.raises(SignatureError, match="Delivery-ID"):
        verify(connection, missing)


@pytest.mark.parametrize(
    ("headers", "body", "is_ping"),
    [
        ({}, b"webhook_id=142", True),
        ({"User-Agent": "WooCommerce/9.8.1 Hookshot"}, b"webhook_id=7\n", True),
        ({}, b"webhook_id=abc", False),
        ({}, b'{"webhook_id": 1}', False),
        ({"X-WC-Webhook-Signature": "x"}, b"webhook_id=1", False),
        ({"X-WC-Webhook-Topic": "order.updated"}, b"webhook_id=1", False),
    ],
)
def test_only_the_real_ping_is_a_ping(headers, body, is_ping):
    answer = answer_ping(InboundRequest("POST", headers, body))
    assert (answer is not None) == is_ping
    if answer is not None:
        assert (answer.status, answer.body, answer.webhook_verified) == (200, b"", False)


@pytest.mark.parametrize(
    ("drop", "change", "message"),
    [
        ("X-WC-Webhook-Signature", {}, "missing X-WC-Webhook-Signature"),
        (
            None,
            {"X-WC-Webhook-Signature": "AAAA"},
            "X-WC-Webhook-Signature does not match the body",
        ),
        ("X-WC-Webhook-Source", {}, "missing X-WC-Webhook-Source"),
        (
            None,
            {"X-WC-Webhook-Source": "https://other.example/"},
            "X-WC-Webhook-Source 'https://other.example/' is not this connection's store",
        ),
        ("X-WC-Webhook-Topic", {}, "missing X-WC-Webhook-Topic or X-WC-Webhook-Delivery-ID"),
    ],
)
def test_each_refusal_names_what_is_wrong(drop, change, message):
    """What the 401 says is what a merchant reads while setting the webhook up (mutants
    that replaced each message survived)."""
    connection = make_connection(MARKET, wc_settings())
    request = signed_request(
        {"id": 1}, secret=wc_settings()["webhook_secret"], store_url="https://example.com"
    )
    headers = {k: v for k, v in request.headers.items() if k != drop} | change
    with pytest.raises(SignatureError) as refused:
        verify(connection, InboundRequest("POST", headers, request.body))
    assert refused.value.message == message
