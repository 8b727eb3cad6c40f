"""The two network calls verification may make: fetching a certificate, and asking PayPal.

The certificate is fetched from a URL :func:`~disputeflow.plugins.paypal.certs.check_url`
accepted, once, with a short timeout and no redirects, and at most :data:`MAX_CERT_BYTES`
are read. ``POST /v1/notifications/verify-webhook-signature`` takes the five headers'
values, the connection's ``webhook_id`` and the event, and answers ``{"verification_status":
"SUCCESS"}`` or ``"FAILURE"`` (https://developer.paypal.com/api/webhooks/v1/, "Verify webhook
signature", checked 2026-12-04).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from disputeflow import Connection, MarketplaceError, PlatformClient, SignatureError
from disputeflow.plugins.paypal.api import PaypalApi
from disputeflow.plugins.paypal.certs import (
    MAX_CERT_BYTES,
    CertificateCache,
    CertificateUnavailable,
    RateLimit,
)
from disputeflow.plugins.paypal.webhooks import REMOTE_PER_MINUTE, Transmission, Verifier

VERIFY_PATH = "/v1/notifications/verify-webhook-signature"
CERT_TIMEOUT = 5.0


def fetch_certificate(url: str) -> bytes:
    """The PEM at ``url``: ``CertificateUnavailable`` when PayPal could not answer now,
    ``SignatureError`` when it answered with anything but a certificate."""
    parts = urlsplit(url)
    client = PlatformClient(f"https://{parts.netloc}", retries=0, timeout=CERT_TIMEOUT)
    try:
        response = client.request("GET", url, headers={"Accept": "application/x-pem-file"})
    except MarketplaceError:
        raise CertificateUnavailable("PayPal's certificate host did not answer") from None
    if response.status_code != 200:
        raise SignatureError(f"PAYPAL-CERT-URL answered HTTP {response.status_code}")
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > MAX_CERT_BYTES:
        raise SignatureError("PAYPAL-CERT-URL holds more than a certificate")
    content = response.content
    if len(content) > MAX_CERT_BYTES:
        raise SignatureError("PAYPAL-CERT-URL holds more than a certificate")
    return content


def ask_paypal(connection: Connection, transmission: Transmission,
               event: Mapping[str, Any]) -> bool:  # fmt: skip
    """Whether PayPal's own check says the delivery is PayPal's."""
    body = {
        "auth_algo": transmission.algorithm,
        "cert_url": transmission.cert_url,
        "transmission_id": transmission.id,
        "transmission_sig": transmission.signature,
        "transmission_time": transmission.time,
        "webhook_id": str(connection.settings["webhook_id"]),
        "webhook_event": dict(event),
    }
    answer = PaypalApi(connection).post(VERIFY_PATH, body)
    if not isinstance(answer, Mapping):
        raise MarketplaceError("PayPal's verification answer is not an object")
    return answer.get("verification_status") == "SUCCESS"


def make_verifier() -> Verifier:
    """The process's verifier: one certificate cache, one budget of calls to PayPal."""
    return Verifier(CertificateCache(fetch_certificate), ask_paypal, RateLimit(REMOTE_PER_MINUTE))
