"""PayPal's own known answer, and the certificate rules of PayPal's Java SDK.

The delivery is the one paypal/PayPal-Java-SDK's ``ValidateCertTest`` verifies (headers,
webhook id and body of its ``setUp``; ``testValidEndpoint`` asserts it verifies), with the
sandbox message-verification certificate that test serves (fixtures/README.md): signed by
PayPal, so it checks the signed string, the CRC-32 and the RSA check against PayPal and not
against this code. The certificate rules are those of the same SDK's
``SSLUtil.validateCertificateChain``: the subject's CN starts with
``messageverificationcerts`` and ends with ``.paypal.com``, and ``checkValidity`` holds at
the moment of signing, ``notBefore`` and ``notAfter`` included (RFC 5280 4.1.2.5: "from
notBefore through notAfter, inclusive").
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from disputeflow import InboundRequest, SignatureError
from disputeflow.core.testing import make_connection
from disputeflow.plugins.paypal.certs import CertificateCache, RateLimit
from disputeflow.plugins.paypal.marketplace import PaypalMarketplace
from disputeflow.plugins.paypal.signatures import (
    check_certificate,
    crc32_decimal,
    load_certificate,
    signed_message,
    verify,
)
from disputeflow.plugins.paypal.verification import ask_paypal, fetch_certificate
from disputeflow.plugins.paypal.webhooks import Verifier
from tests.plugins.paypal.conftest import FIXTURES, paypal_settings

SDK = json.loads((FIXTURES / "paypal_java_sdk_validate_cert_test.json").read_text())
SDK_BODY = SDK["body"].encode()
SDK_PEM = (FIXTURES / "paypal_java_sdk_client_cert_test.pem").read_bytes()
SDK_CERT_URL = SDK["headers"]["PAYPAL-CERT-URL"]
SDK_SIGNATURE = SDK["headers"]["PAYPAL-TRANSMISSION-SIG"]
NOT_BEFORE = datetime(2019, 4, 2, tzinfo=UTC)  # the SDK certificate's validity (openssl x509)
NOT_AFTER = datetime(2021, 5, 24, 12, tzinfo=UTC)
SECOND = timedelta(seconds=1)
MISMATCH = "PAYPAL-TRANSMISSION-SIG does not match the delivery"
NOT_VALID = "the certificate was not valid when the delivery was signed"
NOT_PAYPALS = "the certificate is not PayPal's message-verification certificate"


def exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


def sdk_request(**header_changes: str) -> InboundRequest:
    return InboundRequest("POST", {**SDK["headers"], **header_changes}, SDK_BODY)


@pytest.fixture
def marketplace():
    verifier = Verifier(CertificateCache(fetch_certificate), ask_paypal, RateLimit(10))
    return PaypalMarketplace(verifier)


@pytest.fixture
def sdk_connection(marketplace):
    return make_connection(marketplace, paypal_settings(webhook_id=SDK["webhook_id"]))


def made_certificate(common_name: str | None) -> x509.Certificate:
    """A certificate valid over the SDK certificate's dates, with this CN (or none)."""
    key = ec.generate_private_key(ec.SECP256R1())
    attribute = (
        x509.NameAttribute(NameOID.COMMON_NAME, common_name)
        if common_name
        else x509.NameAttribute(NameOID.ORGANIZATION_NAME, "PayPal, Inc.")
    )
    name = x509.Name([attribute])
    builder = x509.CertificateBuilder().subject_name(name).issuer_name(name)
    builder = builder.public_key(key.public_key()).serial_number(1)
    builder = builder.not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER)
    return builder.sign(key, hashes.SHA256())


def test_paypals_own_known_answer_verifies(marketplace, sdk_connection, api):
    api.get(SDK_CERT_URL, body=SDK_PEM)
    verified = marketplace.verify_delivery(sdk_connection, sdk_request())
    assert verified.dedup_key == "WH-7MU294299R542214K-4N1831857K851783H"
    assert verified.topic == "PAYMENTS.PAYMENT.CREATED"
    assert verified.occurred_at == datetime(2019, 8, 29, 10, 49, 3, 439000, tzinfo=UTC)


def test_the_signed_string_is_the_one_paypal_signed():
    message = signed_message(
        SDK["headers"]["PAYPAL-TRANSMISSION-ID"],
        SDK["headers"]["PAYPAL-TRANSMISSION-TIME"],
        SDK["webhook_id"],
        SDK_BODY,
    )
    certificate = load_certificate(SDK_PEM)
    verify(certificate.public_key(), message, base64.b64decode(SDK_SIGNATURE))
    assert message.endswith(f"|{crc32_decimal(SDK_BODY)}".encode())


def test_the_java_sdks_unknown_webhook_id_is_refused(marketplace, api):
    """``testInvalidWebhookId``: the same delivery for the webhook ``NotToBeFound`` fails."""
    api.get(SDK_CERT_URL, body=SDK_PEM)
    other = make_connection(marketplace, paypal_settings(webhook_id="NotToBeFound"))
    with pytest.raises(SignatureError, match=exactly(MISMATCH)):
        marketplace.verify_delivery(other, sdk_request())


def test_a_signature_with_a_character_outside_base64_is_refused(marketplace, sdk_connection, api):
    """RFC 4648 3.3: characters outside the alphabet are refused, not skipped (skipped, this
    one would leave PayPal's genuine signature, and the delivery would verify)."""
    dotted = SDK_SIGNATURE[:100] + "." + SDK_SIGNATURE[100:]
    with pytest.raises(SignatureError, match=exactly("PAYPAL-TRANSMISSION-SIG is not base64")):
        marketplace.verify_delivery(
            sdk_connection, sdk_request(**{"PAYPAL-TRANSMISSION-SIG": dotted})
        )
    assert not api.calls


def test_the_sdk_certificate_is_the_one_described():
    certificate = load_certificate(SDK_PEM)
    assert (certificate.not_valid_before_utc, certificate.not_valid_after_utc) == (
        NOT_BEFORE,
        NOT_AFTER,
    )


@pytest.mark.parametrize("signed_at", [NOT_BEFORE, NOT_AFTER])
def test_the_certificate_holds_on_its_first_and_last_moment(signed_at):
    check_certificate(load_certificate(SDK_PEM), signed_at)


@pytest.mark.parametrize("signed_at", [NOT_BEFORE - SECOND, NOT_AFTER + SECOND])
def test_the_certificate_does_not_hold_a_second_outside(signed_at):
    with pytest.raises(SignatureError, match=exactly(NOT_VALID)):
        check_certificate(load_certificate(SDK_PEM), signed_at)


def test_a_delivery_signed_after_the_certificate_expired_is_refused(
    marketplace, sdk_connection, api
):
    api.get(SDK_CERT_URL, body=SDK_PEM)
    late = sdk_request(**{"PAYPAL-TRANSMISSION-TIME": "2021-05-24T12:00:01Z"})
    with pytest.raises(SignatureError, match=exactly(NOT_VALID)):
        marketplace.verify_delivery(sdk_connection, late)


@pytest.mark.parametrize(
    "common_name",
    ["messageverificationcerts.paypal.com", "messageverificationcerts.sandbox.paypal.com"],
)
def test_paypals_message_verification_names_are_accepted(common_name):
    check_certificate(made_certificate(common_name), datetime(2020, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    "common_name",
    [
        "messageverificationcerts.paypal.com.evil.example",  # the prefix only
        "messageverificationcerts.example.com",
        "api.paypal.com",  # the suffix only
        "evil.paypal.com",
        None,  # no CN at all
    ],
)
def test_other_names_are_refused(common_name):
    with pytest.raises(SignatureError, match=exactly(NOT_PAYPALS)):
        check_certificate(made_certificate(common_name), datetime(2020, 1, 1, tzinfo=UTC))


def test_a_certificate_key_that_is_not_rsa_is_refused():
    """PayPal signs with SHA256withRSA: a certificate with another kind of key verifies
    nothing, whatever the signature."""
    key = made_certificate("messageverificationcerts.paypal.com").public_key()
    with pytest.raises(SignatureError, match=exactly("the certificate's key is not an RSA key")):
        verify(key, b"message", b"signature")
