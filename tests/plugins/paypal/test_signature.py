"""The webhook signature checked against the stored vector (made once with a real RSA key and
certificate, see fixtures/README.md), the CRC-32 against its standard check value, and every
way a delivery can fail before or after the certificate is fetched."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import responses

from disputeflow import InboundRequest, SignatureError
from disputeflow.core.testing import make_connection
from disputeflow.plugins.paypal.certs import CertificateCache, RateLimit
from disputeflow.plugins.paypal.marketplace import PaypalMarketplace
from disputeflow.plugins.paypal.samples import INQUIRY, event
from disputeflow.plugins.paypal.signatures import crc32_decimal
from disputeflow.plugins.paypal.verification import ask_paypal, fetch_certificate
from disputeflow.plugins.paypal.webhooks import Verifier
from tests.plugins.paypal.conftest import (
    API,
    CERT_URL,
    FIXTURES,
    TOKEN_ANSWER,
    paypal_settings,
    serve_certificate,
    signed,
)

VECTOR = json.loads((FIXTURES / "signed_vector.json").read_text())
BODY = (FIXTURES / "dispute_created_event.json").read_bytes()


def vector_request(**header_changes: str) -> InboundRequest:
    return InboundRequest("POST", {**VECTOR["headers"], **header_changes}, BODY)


@pytest.fixture
def marketplace():
    verifier = Verifier(CertificateCache(fetch_certificate), ask_paypal, RateLimit(10))
    return PaypalMarketplace(verifier)


@pytest.fixture
def connection(marketplace):
    return make_connection(marketplace, paypal_settings())


def test_crc32_is_written_unsigned_in_decimal_as_the_standard_check_value():
    assert crc32_decimal(b"123456789") == "3421780262"  # 0xCBF43926, above 2**31
    assert crc32_decimal(b"") == "0"


def test_the_stored_vector_verifies_with_the_certificate_fetched_from_paypal(
    marketplace, connection, api
):
    serve_certificate(api)
    verified = marketplace.verify_delivery(connection, vector_request())
    assert verified.dedup_key == "WH-4M0448861G563140B-9EX36365822141321"
    assert verified.topic == "CUSTOMER.DISPUTE.CREATED"
    assert verified.occurred_at == datetime(2025, 9, 18, 9, 49, 53, 336000, tzinfo=UTC)
    assert dict(verified.headers) == {}
    assert crc32_decimal(BODY) == VECTOR["crc32"]
    assert [call.request.url for call in api.calls] == [CERT_URL]


def test_the_certificate_is_fetched_once_and_kept(marketplace, connection, api):
    serve_certificate(api)
    for _ in range(3):
        marketplace.verify_delivery(connection, vector_request())
    assert len(api.calls) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"PAYPAL-TRANSMISSION-ID": "69cd13f0-d67a-11e5-baa3-778b53f4ae56"},
        {"PAYPAL-TRANSMISSION-TIME": "2025-09-18T09:50:02Z"},
        {"PAYPAL-TRANSMISSION-SIG": VECTOR["headers"]["PAYPAL-TRANSMISSION-SIG"][:-8] + "AAAAAAA="},
    ],
)
def test_any_signed_value_changed_is_refused(marketplace, connection, api, change):
    serve_certificate(api)
    with pytest.raises(SignatureError):
        marketplace.verify_delivery(connection, vector_request(**change))


def test_another_webhook_id_is_refused(marketplace, api):
    """The signature covers the webhook id: a delivery for another webhook never verifies."""
    serve_certificate(api)
    other = make_connection(marketplace, paypal_settings(webhook_id="8PT597110X687430LKGECATA"))
    with pytest.raises(SignatureError, match="does not match"):
        marketplace.verify_delivery(other, vector_request())


def test_a_body_changed_by_one_byte_is_refused(marketplace, connection, api):
    serve_certificate(api)
    forged = replace(vector_request(), body=BODY.replace(b'"2.00"', b'"3.00"', 1))
    with pytest.raises(SignatureError):
        marketplace.verify_delivery(connection, forged)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77",
        "http://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42",
        "https://api.sandbox.paypal.com:8443/v1/notifications/certs/CERT-360caa42",
        "https://user@api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42",
        "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42?x=1",
        "https://api.sandbox.paypal.com/v1/oauth2/token",
        "https://api.sandbox.paypal.com/v1/notifications/certs/../../oauth2/token",
        "https://api.sandbox.paypal.com.evil.example/v1/notifications/certs/CERT-1",
        "https://api.paypal.com/v1/notifications/certs/CERT-360caa42",  # live, for sandbox
    ],
)
def test_certificate_urls_other_than_paypals_are_never_fetched(marketplace, connection, api, url):
    with pytest.raises(SignatureError, match="PAYPAL-CERT-URL"):
        marketplace.verify_delivery(connection, vector_request(**{"PAYPAL-CERT-URL": url}))
    assert not api.calls


def test_a_refused_certificate_url_is_remembered(marketplace, connection, api):
    missing = CERT_URL.replace("a5cafa77", "00000000")
    api.get(missing, status=404, json={"name": "RESOURCE_NOT_FOUND"})
    for _ in range(3):
        with pytest.raises(SignatureError, match="no certificate"):
            marketplace.verify_delivery(connection, vector_request(**{"PAYPAL-CERT-URL": missing}))
    assert len(api.calls) == 1


def test_certificate_fetches_are_bounded_and_then_paypal_decides_within_its_own_budget(
    marketplace, connection, api
):
    """Forged deliveries naming new certificate URLs on PayPal's host: six fetches a minute,
    then PayPal's verify API, ten a minute, then nothing at all until the minute is over."""
    for number in range(6):
        api.get(f"{CERT_URL[:-8]}{number:08d}", status=404)
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    api.post(
        f"{API}/v1/notifications/verify-webhook-signature", json={"verification_status": "FAILURE"}
    )
    for number in range(30):
        url = f"{CERT_URL[:-8]}{number:08d}"
        with pytest.raises(SignatureError):
            marketplace.verify_delivery(connection, vector_request(**{"PAYPAL-CERT-URL": url}))
    fetched = [c for c in api.calls if "/notifications/certs/" in c.request.url]
    asked = [c for c in api.calls if c.request.url.endswith("verify-webhook-signature")]
    assert (len(fetched), len(asked)) == (6, 10)


def test_when_the_certificate_host_fails_paypals_api_verifies(marketplace, connection, api):
    api.get(CERT_URL, status=503)
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    check = api.post(
        f"{API}/v1/notifications/verify-webhook-signature", json={"verification_status": "SUCCESS"}
    )
    verified = marketplace.verify_delivery(connection, vector_request())
    assert verified.dedup_key == "WH-4M0448861G563140B-9EX36365822141321"
    sent = json.loads(check.calls[0].request.body)
    assert sent["webhook_id"] == "4JH86294D6297924G"
    assert sent["cert_url"] == CERT_URL
    assert sent["transmission_sig"] == VECTOR["headers"]["PAYPAL-TRANSMISSION-SIG"]
    assert sent["webhook_event"] == json.loads(BODY)
    assert check.calls[0].request.headers["Authorization"] == "Bearer A21AA-test-access-token"


def test_paypals_api_saying_failure_is_a_refusal(marketplace, connection, api):
    api.get(CERT_URL, status=500)
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    api.post(
        f"{API}/v1/notifications/verify-webhook-signature", json={"verification_status": "FAILURE"}
    )
    with pytest.raises(SignatureError, match="PayPal says"):
        marketplace.verify_delivery(connection, vector_request())


def test_a_certificate_not_valid_when_the_delivery_was_signed_is_refused(
    marketplace, connection, api
):
    """The test certificate is valid from 2025-01-01: a delivery signed in 2024 is refused."""
    serve_certificate(api)
    old = event(
        "WH-OLD", "CUSTOMER.DISPUTE.UPDATED", {**INQUIRY, "update_time": "2024-06-01T10:00:00Z"}
    )
    with pytest.raises(SignatureError, match="not valid when"):
        marketplace.verify_delivery(connection, signed(old))


def test_sample_signatures_are_refused_unless_the_connection_accepts_them(marketplace):
    demo = make_connection(marketplace, marketplace.example_settings())
    sample = marketplace.sample_deliveries(demo)[0].request
    assert marketplace.verify_delivery(demo, sample).topic == "CUSTOMER.DISPUTE.CREATED"
    strict = make_connection(
        marketplace, {**marketplace.example_settings(), "accept_sample_signatures": False}
    )
    with pytest.raises(SignatureError, match="sample"):
        marketplace.verify_delivery(strict, sample)


@pytest.mark.parametrize(
    "body", [b"", b"[]", b'{"id": "WH-1"}', b"{" * 100 + b"}" * 100, b"not json"]
)
def test_bodies_that_are_not_paypal_events_are_refused_before_any_fetch(
    marketplace, connection, api, body
):
    with pytest.raises(SignatureError):
        marketplace.verify_delivery(connection, replace(vector_request(), body=body))
    assert not api.calls


def test_the_rate_limit_frees_up_after_a_minute():
    moments = iter(
        [datetime(2025, 1, 1, 12, 0, s, tzinfo=UTC) for s in (0, 10, 20)]
        + [datetime(2025, 1, 1, 12, 1, 1, tzinfo=UTC)]
    )
    limit = RateLimit(2, clock=lambda: next(moments))
    assert [limit.take(), limit.take(), limit.take(), limit.take()] == [True, True, False, True]


@responses.activate
def test_a_certificate_answer_larger_than_a_certificate_is_refused():
    responses.get(CERT_URL, body=b"-" * 20000)
    with pytest.raises(SignatureError, match="more than a certificate"):
        fetch_certificate(CERT_URL)
