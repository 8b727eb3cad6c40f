"""The two calls verification makes, seen from PayPal's side (``responses``).

The certificate is fetched once, with a short timeout: a delivery waits on it, and when
PayPal's certificate host cannot answer, PayPal's verify API decides instead (no retry, no
backoff sleep in the webhook handler). An answer of up to ``MAX_CERT_BYTES`` is read, one
byte more is not. ``POST /v1/notifications/verify-webhook-signature`` gets exactly the
request body PayPal's API reference names (``auth_algo``, ``cert_url``, ``transmission_id``,
``transmission_sig``, ``transmission_time``, ``webhook_id``, ``webhook_event``;
https://developer.paypal.com/api/webhooks/v1/#verify-webhook-signature_post and
paypal/paypal-rest-api-specifications ``openapi/notifications_webhooks_v1.json``, checked
2026-12-05), and the process's own verifier (``make_verifier``) is the one that does both.
"""

from __future__ import annotations

import json

import pytest

from disputeflow import InboundRequest, SignatureError
from disputeflow.core.testing import make_connection
from disputeflow.plugins.paypal.certs import MAX_CERT_BYTES, CertificateUnavailable
from disputeflow.plugins.paypal.marketplace import PaypalMarketplace
from disputeflow.plugins.paypal.verification import (
    CERT_TIMEOUT,
    fetch_certificate,
    make_verifier,
)
from tests.plugins.paypal.conftest import (
    API,
    CERT_URL,
    FIXTURES,
    WEBHOOK_ID,
    paypal_settings,
    serve_certificate,
    with_token,
)

VECTOR = json.loads((FIXTURES / "signed_vector.json").read_text())
BODY = (FIXTURES / "dispute_created_event.json").read_bytes()
PEM = (FIXTURES / "webhook_cert.pem").read_bytes()
VERIFY_URL = f"{API}/v1/notifications/verify-webhook-signature"
OTHER_ALGORITHM = {"PAYPAL-AUTH-ALGO": "SHA512withRSA"}  # only PayPal's API can tell


def vector_request(**header_changes: str) -> InboundRequest:
    return InboundRequest("POST", {**VECTOR["headers"], **header_changes}, BODY)


def test_the_certificate_is_fetched_with_a_short_timeout(api):
    api.get(CERT_URL, body=PEM, headers={"Content-Length": str(len(PEM))})
    assert fetch_certificate(CERT_URL) == PEM
    assert api.calls[0].request.req_kwargs["timeout"] == CERT_TIMEOUT == 5.0


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_certificate_host_that_cannot_answer_is_asked_once(api, status):
    api.get(CERT_URL, status=status)
    with pytest.raises(CertificateUnavailable):
        fetch_certificate(CERT_URL)
    assert len(api.calls) == 1


def test_an_answer_of_exactly_the_limit_is_read(api):
    body = b"-" * MAX_CERT_BYTES
    api.get(CERT_URL, body=body, headers={"Content-Length": str(MAX_CERT_BYTES)})
    assert fetch_certificate(CERT_URL) == body


@pytest.mark.parametrize("declared", [True, False])
def test_an_answer_one_byte_over_the_limit_is_refused(api, declared):
    body = b"-" * (MAX_CERT_BYTES + 1)
    headers = {"Content-Length": str(len(body))} if declared else {}
    api.get(CERT_URL, body=body, headers=headers)
    with pytest.raises(SignatureError):
        fetch_certificate(CERT_URL)


def test_paypals_verify_api_gets_exactly_the_documented_request(api):
    api.get(CERT_URL, status=503)
    with_token(api)
    check = api.post(VERIFY_URL, json={"verification_status": "SUCCESS"})
    marketplace = PaypalMarketplace(make_verifier())
    connection = make_connection(marketplace, paypal_settings())
    marketplace.verify_delivery(connection, vector_request())
    headers = VECTOR["headers"]
    assert json.loads(check.calls[0].request.body) == {
        "auth_algo": "SHA256withRSA",
        "cert_url": CERT_URL,
        "transmission_id": headers["PAYPAL-TRANSMISSION-ID"],
        "transmission_sig": headers["PAYPAL-TRANSMISSION-SIG"],
        "transmission_time": headers["PAYPAL-TRANSMISSION-TIME"],
        "webhook_id": WEBHOOK_ID,
        "webhook_event": json.loads(BODY),
    }


def test_the_process_verifier_checks_locally_then_asks_paypal_for_other_algorithms(api):
    """``make_verifier`` (what the plugin runs with): the certificate, kept, verifies the
    vector; a delivery under another algorithm goes to PayPal's API, whose answer decides."""
    serve_certificate(api)
    with_token(api)
    check = api.post(VERIFY_URL, json={"verification_status": "FAILURE"})
    marketplace = PaypalMarketplace(make_verifier())
    connection = make_connection(marketplace, paypal_settings())
    for _ in range(2):
        verified = marketplace.verify_delivery(connection, vector_request())
        assert verified.dedup_key == "WH-4M0448861G563140B-9EX36365822141321"
    with pytest.raises(SignatureError) as refused:
        marketplace.verify_delivery(connection, vector_request(**OTHER_ALGORITHM))
    assert refused.value.message == "PayPal says the signature does not verify"
    fetched = [call for call in api.calls if call.request.url == CERT_URL]
    assert (len(fetched), len(check.calls)) == (1, 1)


def test_the_process_verifier_stops_asking_paypal_past_its_budget(api):
    with_token(api)
    check = api.post(VERIFY_URL, json={"verification_status": "FAILURE"})
    marketplace = PaypalMarketplace(make_verifier())
    connection = make_connection(marketplace, paypal_settings())
    other = vector_request(**OTHER_ALGORITHM)
    messages = set()
    for _ in range(12):
        with pytest.raises(SignatureError) as refused:
            marketplace.verify_delivery(connection, other)
        messages.add(refused.value.message)
    assert len(check.calls) == 10  # REMOTE_PER_MINUTE
    assert messages == {
        "PayPal says the signature does not verify",
        "cannot verify the delivery now; PayPal delivers it again",
    }
