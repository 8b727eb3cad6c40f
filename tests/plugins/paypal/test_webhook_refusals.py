"""Each refusal says what is wrong, and the ``PAYPAL-*`` headers are held to PayPal's lengths.

The intake answers a refused delivery with the refusal's message and logs it, so the message
is what an operator reads: each is pinned word for word. The lengths are those PayPal's own
API allows for the same values in ``POST /v1/notifications/verify-webhook-signature``:
``transmission_id`` at most 50 characters, ``cert_url`` 500, ``auth_algo`` and
``transmission_time`` 100 (paypal/paypal-rest-api-specifications
``openapi/notifications_webhooks_v1.json``, schema ``verify_webhook_signature``, checked
2026-12-05). The signature is held to :data:`~disputeflow.plugins.paypal.signatures.MAX_SIGNATURE`
(1024) characters, more than the 684 of a 4096-bit RSA signature in base64. A value of the
limit is read on; one character more is refused, naming the header.

The deliveries are ``fixtures/signed_vector.json`` (fixtures/README.md), checked with a
verifier whose certificate source and PayPal API stand-in answer from memory, so no test
here makes an HTTP call.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import replace

import pytest

from disputeflow import InboundRequest, MarketplaceError, SignatureError
from disputeflow.core.testing import make_connection
from disputeflow.plugins.paypal.certs import CertificateCache, RateLimit
from disputeflow.plugins.paypal.marketplace import PaypalMarketplace
from disputeflow.plugins.paypal.signatures import MAX_SIGNATURE, decode_signature
from disputeflow.plugins.paypal.webhooks import Verifier, delivered
from tests.plugins.paypal.conftest import CERT_URL, FIXTURES, paypal_settings

VECTOR = json.loads((FIXTURES / "signed_vector.json").read_text())
BODY = (FIXTURES / "dispute_created_event.json").read_bytes()
PEM = (FIXTURES / "webhook_cert.pem").read_bytes()
MISMATCH = "PAYPAL-TRANSMISSION-SIG does not match the delivery"
NO_ID = "the body is not a PayPal event (no id or event_type)"


def exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


def too_long(header: str) -> str:
    return exactly(f"{header} is missing or too long to be PayPal's")


def vector_request(**header_changes: str) -> InboundRequest:
    return InboundRequest("POST", {**VECTOR["headers"], **header_changes}, BODY)


def without(header: str) -> InboundRequest:
    headers = {k: v for k, v in VECTOR["headers"].items() if k != header}
    return InboundRequest("POST", headers, BODY)


def marketplace_with(remote=lambda *_: False, remote_per_minute: int = 10) -> PaypalMarketplace:
    """A marketplace whose certificate source always gives the test certificate, and whose
    stand-in for PayPal's verify API answers ``remote``."""
    certificates = CertificateCache(lambda url: PEM)
    return PaypalMarketplace(Verifier(certificates, remote, RateLimit(remote_per_minute)))


def refusal(request: InboundRequest, **verifier: object) -> str:
    marketplace = marketplace_with(**verifier)  # type: ignore[arg-type]
    connection = make_connection(marketplace, paypal_settings())
    with pytest.raises(SignatureError) as refused:
        marketplace.verify_delivery(connection, request)
    return refused.value.message


HEADERS = [
    "PAYPAL-TRANSMISSION-ID",
    "PAYPAL-TRANSMISSION-TIME",
    "PAYPAL-TRANSMISSION-SIG",
    "PAYPAL-CERT-URL",
    "PAYPAL-AUTH-ALGO",
]


@pytest.mark.parametrize("header", HEADERS)
@pytest.mark.parametrize("missing", ["absent", "empty", "blank"])
def test_a_missing_header_is_named(header, missing):
    request = {
        "absent": without(header),
        "empty": vector_request(**{header: ""}),
        "blank": vector_request(**{header: "   "}),
    }[missing]
    assert re.fullmatch(too_long(header), refusal(request))


def _at_length(header: str, length: int) -> str:
    """A value of ``length`` characters, well formed enough to be read on."""
    if header == "PAYPAL-TRANSMISSION-TIME":  # RFC 3339 allows any number of fraction digits
        return "2025-09-18T09:50:01." + "0" * (length - 21) + "Z"
    if header == "PAYPAL-CERT-URL":  # still on PayPal's certificate path
        return CERT_URL + "0" * (length - len(CERT_URL))
    if header == "PAYPAL-TRANSMISSION-SIG":
        return "A" * length
    return "a" * length


LIMITS = [
    ("PAYPAL-TRANSMISSION-ID", 50, MISMATCH),
    ("PAYPAL-TRANSMISSION-TIME", 100, MISMATCH),
    ("PAYPAL-TRANSMISSION-SIG", MAX_SIGNATURE, MISMATCH),
    ("PAYPAL-CERT-URL", 500, None),  # the URL is not signed: the delivery verifies
    ("PAYPAL-AUTH-ALGO", 100, "PayPal says the signature does not verify"),
]


@pytest.mark.parametrize(("header", "limit", "outcome"), LIMITS)
def test_a_header_of_its_limit_is_read_on(header, limit, outcome):
    request = vector_request(**{header: _at_length(header, limit)})
    if outcome is None:
        marketplace = marketplace_with()
        connection = make_connection(marketplace, paypal_settings())
        assert marketplace.verify_delivery(connection, request).topic == "CUSTOMER.DISPUTE.CREATED"
    else:
        assert refusal(request) == outcome


@pytest.mark.parametrize(("header", "limit", "outcome"), LIMITS)
def test_a_header_one_character_over_its_limit_is_refused(header, limit, outcome):
    request = vector_request(**{header: _at_length(header, limit + 1)})
    assert re.fullmatch(too_long(header), refusal(request))


def test_a_transmission_time_that_is_not_a_time_is_named():
    request = vector_request(**{"PAYPAL-TRANSMISSION-TIME": "Thu, 18 Sep 2025 09:50:01 GMT"})
    assert refusal(request) == "PAYPAL-TRANSMISSION-TIME is not an RFC 3339 time"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 200 + b"]" * 200, "the body nests too deep to be a PayPal event"),
        (b"not json", "the body is not JSON"),
        (b"[]", "the body is not a PayPal event"),
        (b'"WH-1"', "the body is not a PayPal event"),
        (b'{"id": "WH-1"}', NO_ID),
        (b'{"event_type": "CUSTOMER.DISPUTE.CREATED"}', NO_ID),
        (b'{"id": 1, "event_type": "CUSTOMER.DISPUTE.CREATED"}', NO_ID),
    ],
)
def test_each_body_that_is_not_an_event_is_named(body, message):
    assert refusal(replace(vector_request(), body=body)) == message


def test_sample_signatures_on_a_strict_connection_are_named():
    marketplace = marketplace_with()
    demo = make_connection(marketplace, marketplace.example_settings())
    sample = marketplace.sample_deliveries(demo)[0].request
    strict = make_connection(
        marketplace, {**marketplace.example_settings(), "accept_sample_signatures": False}
    )
    with pytest.raises(SignatureError) as refused:
        marketplace.verify_delivery(strict, sample)
    assert refused.value.message == "this connection does not accept sample signatures"


OTHER_ALGORITHM = {"PAYPAL-AUTH-ALGO": "SHA512withRSA"}  # only PayPal's API can tell


def test_paypals_answer_decides_another_algorithm():
    asked = []
    request = vector_request(**OTHER_ALGORITHM)
    assert refusal(request, remote=lambda *args: asked.append(args) or False) == (
        "PayPal says the signature does not verify"
    )
    marketplace = marketplace_with(remote=lambda *_: True)
    connection = make_connection(marketplace, paypal_settings())
    assert marketplace.verify_delivery(connection, request).topic == "CUSTOMER.DISPUTE.CREATED"
    assert len(asked) == 1


def test_paypal_unreachable_is_named():
    def unreachable(*_: object) -> bool:
        raise MarketplaceError("POST verify-webhook-signature: HTTP 503", transient=True)

    assert refusal(vector_request(**OTHER_ALGORITHM), remote=unreachable) == (
        "PayPal could not verify the delivery now"
    )


def test_no_budget_left_for_paypals_api_is_named():
    assert refusal(vector_request(**OTHER_ALGORITHM), remote_per_minute=0) == (
        "cannot verify the delivery now; PayPal delivers it again"
    )


@pytest.mark.parametrize("value", ["", "A" * (MAX_SIGNATURE + 4)])
def test_decode_signature_names_a_missing_or_oversized_value(value):
    with pytest.raises(SignatureError, match=too_long("PAYPAL-TRANSMISSION-SIG")):
        decode_signature(value)


@pytest.mark.parametrize("value", ["AAAA*", "AA AA", "AAAA\n", "AAA"])
def test_decode_signature_refuses_what_is_not_strict_base64(value):
    with pytest.raises(SignatureError, match=exactly("PAYPAL-TRANSMISSION-SIG is not base64")):
        decode_signature(value)


def test_decode_signature_reads_a_value_of_the_limit():
    assert decode_signature("A" * MAX_SIGNATURE) == base64.b64decode("A" * MAX_SIGNATURE)
    assert len(decode_signature("A" * MAX_SIGNATURE)) == MAX_SIGNATURE * 3 // 4


@pytest.mark.parametrize("created", ["not a time", "2025-09-18", 1758188993, None])
def test_an_event_time_that_cannot_be_read_is_left_out(created):
    """``occurred_at`` is optional and, when present, an aware time (the conformance kit)."""
    event = {"id": "WH-1", "event_type": "CUSTOMER.DISPUTE.CREATED", "create_time": created}
    assert delivered(event).occurred_at is None
