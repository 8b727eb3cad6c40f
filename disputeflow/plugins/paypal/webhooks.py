"""Verifying a PayPal webhook delivery: locally first, PayPal's API only when it must.

Order of checks, cheapest and attacker-proof first, so a forged delivery spends nothing:

1. the five ``PAYPAL-*`` headers are there and well formed, and the body is a JSON event
   with an ``id`` and an ``event_type``;
2. ``PAYPAL-CERT-URL`` is one of PayPal's certificate URLs for the connection's environment
   (or the connection's sample key, see :mod:`~disputeflow.plugins.paypal.samplekeys`);
3. with ``SHA256withRSA``, the certificate (kept a day, fetched rarely) verifies the
   signature over ``transmission_id|transmission_time|webhook_id|crc32(body)``: a mismatch
   is final;
4. only when the certificate cannot be had just now, or PayPal names another algorithm,
   ``POST /v1/notifications/verify-webhook-signature`` decides, at most
   :data:`REMOTE_PER_MINUTE` times a minute (https://developer.paypal.com/api/webhooks/v1/,
   "Verify webhook signature", checked 2026-12-04).

Headers: https://developer.paypal.com/api/rest/webhooks/rest/ (checked 2026-12-04). The dedup
key is the event's ``id`` (``WH-...``), the same in every redelivery of one event.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from disputeflow import (
    Connection,
    InboundRequest,
    InvalidInputError,
    MarketplaceError,
    SignatureError,
    VerifiedDelivery,
    depth_exceeds,
)
from disputeflow.core.clock import parse_rfc3339
from disputeflow.plugins.paypal.certs import CertificateCache, CertificateUnavailable, RateLimit
from disputeflow.plugins.paypal.certs import check_url as check_cert_url
from disputeflow.plugins.paypal.samplekeys import SAMPLE_CERT_URL, sample_private_key
from disputeflow.plugins.paypal.signatures import (
    ALGORITHM,
    check_certificate,
    decode_signature,
    signed_message,
    verify,
)

TOPICS = frozenset(
    {"CUSTOMER.DISPUTE.CREATED", "CUSTOMER.DISPUTE.UPDATED", "CUSTOMER.DISPUTE.RESOLVED"}
)
TRANSMISSION_ID = "PAYPAL-TRANSMISSION-ID"
TRANSMISSION_TIME = "PAYPAL-TRANSMISSION-TIME"
TRANSMISSION_SIG = "PAYPAL-TRANSMISSION-SIG"
CERT_URL = "PAYPAL-CERT-URL"
AUTH_ALGO = "PAYPAL-AUTH-ALGO"
REMOTE_PER_MINUTE = 10
MAX_HEADER = 100  # transmission id, time and algorithm are short (verify-webhook-signature)

# (connection, transmission, event) -> whether PayPal's API says the signature is good.
RemoteCheck = Callable[[Connection, "Transmission", Mapping[str, Any]], bool]


@dataclass(frozen=True)
class Transmission:
    """The signature headers of one delivery."""

    id: str
    time: str
    signed_at: datetime
    signature: str
    cert_url: str
    algorithm: str


def _header(request: InboundRequest, name: str, limit: int = MAX_HEADER) -> str:
    value = (request.header(name) or "").strip()
    if not value or len(value) > limit:
        raise SignatureError(f"{name} is missing or too long to be PayPal's")
    return value


def read_transmission(request: InboundRequest) -> Transmission:
    """The ``PAYPAL-*`` headers, each present and well formed, or ``SignatureError``."""
    time = _header(request, TRANSMISSION_TIME)
    try:
        signed_at = parse_rfc3339(time, field=TRANSMISSION_TIME)
    except InvalidInputError:
        raise SignatureError(f"{TRANSMISSION_TIME} is not an RFC 3339 time") from None
    return Transmission(
        id=_header(request, TRANSMISSION_ID, 50),
        time=time,
        signed_at=signed_at,
        signature=_header(request, TRANSMISSION_SIG, 1024),
        cert_url=_header(request, CERT_URL, 500),
        algorithm=_header(request, AUTH_ALGO),
    )


def read_event(body: bytes) -> dict[str, Any]:
    """The webhook event in the body: a JSON object with an ``id`` and an ``event_type``."""
    if depth_exceeds(body):
        raise SignatureError("the body nests too deep to be a PayPal event")
    try:
        event = json.loads(body)
    except (ValueError, RecursionError):
        raise SignatureError("the body is not JSON") from None
    if not isinstance(event, dict):
        raise SignatureError("the body is not a PayPal event")
    if not (isinstance(event.get("id"), str) and isinstance(event.get("event_type"), str)):
        raise SignatureError("the body is not a PayPal event (no id or event_type)")
    return event


class Verifier:
    """Verifies deliveries for every PayPal connection of this process."""

    def __init__(self, certificates: CertificateCache, remote: RemoteCheck,
                 remote_limit: RateLimit) -> None:  # fmt: skip
        self.certificates = certificates
        self.remote = remote
        self.remote_limit = remote_limit

    def verify(self, connection: Connection, request: InboundRequest) -> VerifiedDelivery:
        """The delivery, verified; ``SignatureError`` for anything PayPal did not sign."""
        transmission = read_transmission(request)
        event = read_event(request.body)
        settings = connection.settings
        message = signed_message(
            transmission.id, transmission.time, str(settings["webhook_id"]), request.body
        )
        signature = decode_signature(transmission.signature)
        if transmission.cert_url == SAMPLE_CERT_URL:
            self._check_sample(settings, transmission, message, signature)
        else:
            url = check_cert_url(transmission.cert_url, str(settings.get("environment")))
            self._check(connection, transmission, event, message, signature, url)
        return delivered(event)

    def _check_sample(self, settings: Mapping[str, Any], transmission: Transmission,
                      message: bytes, signature: bytes) -> None:  # fmt: skip
        if not settings.get("accept_sample_signatures") or transmission.algorithm != ALGORITHM:
            raise SignatureError("this connection does not accept sample signatures")
        key = sample_private_key(str(settings["client_id"]), str(settings["client_secret"]))
        verify(key.public_key(), message, signature)

    def _check(self, connection: Connection, transmission: Transmission,
               event: Mapping[str, Any], message: bytes, signature: bytes,
               url: str) -> None:  # fmt: skip
        if transmission.algorithm == ALGORITHM:
            try:
                certificate = self.certificates.certificate(url)
            except CertificateUnavailable:
                pass  # PayPal's API decides below
            else:
                check_certificate(certificate, transmission.signed_at)
                verify(certificate.public_key(), message, signature)
                return
        self._ask_paypal(connection, transmission, event)

    def _ask_paypal(self, connection: Connection, transmission: Transmission,
                    event: Mapping[str, Any]) -> None:  # fmt: skip
        if not self.remote_limit.take():
            raise SignatureError("cannot verify the delivery now; PayPal delivers it again")
        try:
            good = self.remote(connection, transmission, event)
        except MarketplaceError:
            raise SignatureError("PayPal could not verify the delivery now") from None
        if not good:
            raise SignatureError("PayPal says the signature does not verify")


def delivered(event: Mapping[str, Any]) -> VerifiedDelivery:
    """What the intake keeps: the event's id (its dedup key), type and time."""
    created = event.get("create_time")
    try:
        occurred = parse_rfc3339(created) if isinstance(created, str) else None
    except InvalidInputError:
        occurred = None
    return VerifiedDelivery(dedup_key=str(event["id"]), topic=str(event["event_type"]),
                            occurred_at=occurred)  # fmt: skip
