"""Webhook deliveries: how Shopify signs them and how we check them.

``X-Shopify-Hmac-Sha256`` is base64(HMAC-SHA256(client secret, raw body)); it is compared in
constant time with the current secret and, during a rotation, the previous one.
``X-Shopify-Shop-Domain`` must be the connection's shop.

Only the body is signed: ``X-Shopify-Webhook-Id``, ``X-Shopify-Topic`` and
``X-Shopify-Triggered-At`` can be sent again with any value alongside a body once seen. So
the dedup key is the body's SHA-256 (a replayed body is a duplicate, whatever its headers;
a retry by Shopify is the same body, as before), and :func:`observed_time` orders a
snapshot by the body's own times where it has them, by the header time only when it is not
after the delivery was received.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from disputeflow import AppDelivery, Connection, InboundRequest, SignatureError, VerifiedDelivery
from disputeflow.core.clock import parse_rfc3339, utcnow
from disputeflow.core.errors import InvalidInputError
from disputeflow.plugins.shopify.settings import DEFAULT_API_VERSION, secrets_of

HMAC = "X-Shopify-Hmac-Sha256"
TOPIC = "X-Shopify-Topic"
SHOP = "X-Shopify-Shop-Domain"
WEBHOOK_ID = "X-Shopify-Webhook-Id"
EVENT_ID = "X-Shopify-Event-Id"
TRIGGERED_AT = "X-Shopify-Triggered-At"
API_VERSION = "X-Shopify-API-Version"
KEPT = (TOPIC, SHOP, WEBHOOK_ID, EVENT_ID, TRIGGERED_AT, API_VERSION)


def sign(body: bytes, secret: str) -> str:
    """The ``X-Shopify-Hmac-Sha256`` value Shopify sends for ``body``."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def encode(payload: Any) -> bytes:
    """A JSON body as Shopify sends it (compact; ids stay exact integers)."""
    return json.dumps(payload, separators=(",", ":")).encode("utf-8")


def signed_request(
    payload: Any,
    *,
    secret: str,
    shop: str,
    topic: str,
    webhook_id: str,
    triggered_at: str = "2026-03-01T10:00:00.000000Z",
    event_id: str | None = None,
    api_version: str = DEFAULT_API_VERSION,
) -> InboundRequest:
    """A delivery of ``payload`` with the headers and signature Shopify sends."""
    body = payload if isinstance(payload, bytes) else encode(payload)
    headers = {
        "Content-Type": "application/json",
        HMAC: sign(body, secret),
        TOPIC: topic,
        SHOP: shop,
        API_VERSION: api_version,
        WEBHOOK_ID: webhook_id,
        TRIGGERED_AT: triggered_at,
        EVENT_ID: event_id or f"evt-{webhook_id}",
    }
    return InboundRequest(method="POST", headers=headers, body=body)


def body_key(body: bytes) -> str:
    """The dedup key: the signed body's digest (the headers are not signed)."""
    return f"sha256:{hashlib.sha256(body).hexdigest()}"


def _signed_with(request: InboundRequest, keys: Sequence[str]) -> str | None:
    """The key among ``keys`` that signed the body (every key tried: no early exit)."""
    given = (request.header(HMAC) or "").strip().encode("ascii", "replace")
    found = None
    for secret in keys:
        expected = sign(request.body, secret).encode("ascii")
        if hmac.compare_digest(expected, given):
            found = secret
    return found


def _signature_matches(request: InboundRequest, connection: Connection) -> bool:
    return _signed_with(request, secrets_of(connection.settings)) is not None


def verify(connection: Connection, request: InboundRequest) -> VerifiedDelivery:
    """Check a delivery; raise :class:`SignatureError` (HTTP 401) when anything is off."""
    if not request.header(HMAC):
        raise SignatureError(f"missing {HMAC} header")
    if not request.body:
        raise SignatureError("empty body: nothing to verify")
    if not _signature_matches(request, connection):
        raise SignatureError(f"{HMAC} does not match the body for this app's secret")
    shop = (request.header(SHOP) or "").strip().lower()
    if shop != connection.settings["shop_domain"]:
        raise SignatureError(f"{SHOP} {shop or '(missing)'!r} is not this connection's shop")
    topic, webhook_id = request.header(TOPIC), request.header(WEBHOOK_ID)
    if not topic or not webhook_id:
        raise SignatureError(f"missing {TOPIC} or {WEBHOOK_ID} header")
    kept = {name: value for name in KEPT if (value := request.header(name))}
    return VerifiedDelivery(
        dedup_key=body_key(request.body),
        topic=topic.strip().lower(),
        headers=kept,
        occurred_at=observed_time(kept, utcnow(), {}),
    )


def verify_app(
    request: InboundRequest, connections: Sequence[Connection], app_secret: str | None
) -> AppDelivery:
    """A delivery to the app-level URL (``/webhooks/shopify/app``): Shopify sends the
    compliance topics once per app (shopify.dev ``apps/build/compliance/privacy-law-compliance``,
    checked 2026-12-04), so the key is the app's client secret, which every connection of
    the app shares, and the shop it names picks the connection."""
    if not request.header(HMAC) or not request.body:
        raise SignatureError(f"missing {HMAC} header or body")
    keys = {key for c in connections for key in secrets_of(c.settings)}
    key = _signed_with(request, sorted(keys | ({app_secret} if app_secret else set())))
    if key is None:
        raise SignatureError(f"{HMAC} does not match the secret of any connection of this app")
    shop = (request.header(SHOP) or "").strip().lower() or _shop_in(request.body)
    for connection in connections:
        if connection.settings.get("shop_domain") == shop and key in secrets_of(
            connection.settings
        ):
            return AppDelivery(verify(connection, request), shop, connection)
    topic, webhook_id = request.header(TOPIC), request.header(WEBHOOK_ID)
    if not shop or not topic or not webhook_id:
        raise SignatureError(f"missing {SHOP}, {TOPIC} or {WEBHOOK_ID}")
    verified = VerifiedDelivery(dedup_key=body_key(request.body), topic=topic.strip().lower())
    return AppDelivery(verified, shop, None)


def _shop_in(body: bytes) -> str:
    """``shop_domain`` of a signed compliance payload (when the header is missing)."""
    try:
        payload = json.loads(body)
    except ValueError:
        return ""
    shop = payload.get("shop_domain") if isinstance(payload, dict) else None
    return shop.strip().lower() if isinstance(shop, str) else ""


# Times a body states about itself (signed); a snapshot is never older than the newest.
SIGNED_TIMES = ("updated_at", "finalized_on", "evidence_sent_on", "processed_at", "created_at",
                "initiated_at")  # fmt: skip


def observed_time(headers: Any, received_at: datetime, payload: Any) -> datetime:
    """When the platform saw what the body says: its ``updated_at`` when it has one; else
    ``X-Shopify-Triggered-At`` bounded by the receipt time (an unsigned header cannot put
    a snapshot in the future), and never before the newest time the body states."""
    body = payload if isinstance(payload, dict) else {}
    updated = _time(body.get("updated_at"))
    if updated is not None:
        return updated
    header = triggered_at(headers)
    bounded = min(header, received_at) if header is not None else received_at
    stated = [t for key in SIGNED_TIMES if (t := _time(body.get(key))) is not None]
    floor = min(max(stated), received_at) if stated else bounded
    return max(bounded, floor)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_rfc3339(value)
    except InvalidInputError:
        return None


def triggered_at(headers: dict[str, str] | Any) -> datetime | None:
    """``X-Shopify-Triggered-At`` as an aware time, or ``None`` when absent or unreadable."""
    value = next((v for k, v in dict(headers).items() if k.lower() == TRIGGERED_AT.lower()), None)
    return _time(value)
