"""Stripe webhooks: the ``Stripe-Signature`` check, and the events disputeflow reads.

Stripe signs ``{t}.{raw body}`` with HMAC-SHA256 under the endpoint's secret and sends
``Stripe-Signature: t=<unix time>,v1=<hex>[,v1=<hex>...][,v0=...]``; while a secret is rolled
it signs with both, so each ``v1`` is tried against each secret of the connection. Only
``v1`` counts (``v0`` is a test-mode scheme the libraries ignore). A timestamp more than 300
seconds old is refused, after the signature, as Stripe's libraries do (stripe-python
``Webhook.DEFAULT_TOLERANCE``, stripe-node ``DEFAULT_TOLERANCE``: only old timestamps are
refused). Sources: https://docs.stripe.com/webhooks#verify-manually (checked 2026-12-04),
stripe-python ``stripe/_webhook.py`` (6c6e373), stripe-node ``src/Webhooks.ts`` (6639421).

The event's ``id`` is signed and stays the same on every retry of one event: it is the
delivery's dedup key. Its ``created`` is the moment the snapshot describes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from disputeflow import Connection, InboundRequest, SignatureError, VerifiedDelivery
from disputeflow.plugins.stripe.objects import unix_time
from disputeflow.plugins.stripe.settings import signing_secrets

SIGNATURE_HEADER = "Stripe-Signature"
SCHEME = "v1"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``v1`` signature of ``body`` sent at ``timestamp``: hex HMAC-SHA256 of ``t.body``."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def parse_header(value: str) -> tuple[int, list[str]]:
    """``t`` and every ``v1`` of a ``Stripe-Signature`` value."""
    timestamp: int | None = None
    signatures: list[str] = []
    for item in value.split(","):
        key, _, part = item.strip().partition("=")
        if key == "t" and part.isascii() and part.isdigit():
            timestamp = int(part)
        elif key == SCHEME and part:
            signatures.append(part)
    if timestamp is None:
        raise SignatureError(f"{SIGNATURE_HEADER} names no timestamp (t=)")
    if not signatures:
        raise SignatureError(f"{SIGNATURE_HEADER} has no {SCHEME} signature")
    return timestamp, signatures


def verify(connection: Connection, request: InboundRequest, now: datetime) -> VerifiedDelivery:
    """Check the signature in constant time against every secret, then the timestamp's age,
    then that the signed body is an event."""
    header = request.header(SIGNATURE_HEADER)
    if not header:
        raise SignatureError(f"missing {SIGNATURE_HEADER}")
    timestamp, signatures = parse_header(header)
    expected = [signature(secret, timestamp, request.body) for secret in signing_secrets(
        connection.settings
    )]  # fmt: skip
    matched = [
        hmac.compare_digest(want.encode(), given.encode())
        for want in expected
        for given in signatures
    ]
    if not any(matched):
        raise SignatureError(f"{SIGNATURE_HEADER} does not match the body")
    if now.timestamp() - timestamp > TOLERANCE_SECONDS:
        raise SignatureError(f"{SIGNATURE_HEADER} timestamp is older than {TOLERANCE_SECONDS} s")
    event = parse_event(request.body)
    return VerifiedDelivery(
        dedup_key=str(event["id"]), topic=str(event["type"]), occurred_at=event_time(event)
    )


def parse_event(body: bytes) -> Mapping[str, Any]:
    """The signed body as a snapshot event (``object: event``, with ``id``, ``type`` and
    ``created``); thin events (``v2.core.event``) go to event destinations, not here."""
    try:
        event = json.loads(body)
    except ValueError:
        raise SignatureError("the signed body is not JSON") from None
    if not isinstance(event, dict) or event.get("object") != "event":
        raise SignatureError("the signed body is not a Stripe event")
    for name in ("id", "type"):
        if not isinstance(event.get(name), str) or not event[name]:
            raise SignatureError(f"the signed event has no {name}")
    if event_time(event) is None:
        raise SignatureError("the signed event has no created time")
    return event


def event_time(event: Mapping[str, Any]) -> datetime | None:
    return unix_time(event.get("created"))


def encode(payload: Mapping[str, Any]) -> bytes:
    """A body as Stripe sends it (pretty-printed JSON, two spaces)."""
    return json.dumps(payload, indent=2).encode()


def signed_request(payload: Mapping[str, Any], *, secret: str, timestamp: int) -> InboundRequest:
    """A delivery of ``payload`` signed with ``secret`` at ``timestamp`` as Stripe signs it."""
    body = encode(payload)
    value = f"t={timestamp},{SCHEME}={signature(secret, timestamp, body)}"
    headers = {"Content-Type": "application/json; charset=utf-8", SIGNATURE_HEADER: value}
    return InboundRequest(method="POST", headers=headers, body=body)
