"""WooCommerce webhook deliveries: the signature, the origin, the ping, the body.

``WC_Webhook::generate_signature``: ``base64(hmac_sha256(body, wp_specialchars_decode(secret,
ENT_QUOTES)))`` over the exact body WordPress sent (``wp_json_encode``: escaped slashes,
``\\uXXXX`` for non-ASCII), so the raw bytes are checked and never re-serialised.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from decimal import Decimal
from typing import Any

from disputeflow import (
    ChallengeResponse,
    Connection,
    InboundRequest,
    SignatureError,
    SnapshotError,
    VerifiedDelivery,
)
from disputeflow.plugins.woocommerce.settings import site_identity

SIGNATURE = "X-WC-Webhook-Signature"
SOURCE = "X-WC-Webhook-Source"
TOPIC = "X-WC-Webhook-Topic"
RESOURCE = "X-WC-Webhook-Resource"
EVENT = "X-WC-Webhook-Event"
WEBHOOK_ID = "X-WC-Webhook-ID"
DELIVERY_ID = "X-WC-Webhook-Delivery-ID"
KEPT_HEADERS = (TOPIC, RESOURCE, EVENT, WEBHOOK_ID, DELIVERY_ID, SOURCE)

PING_BODY = re.compile(rb"^webhook_id=\d+$")

# wp_specialchars_decode( $secret, ENT_QUOTES ): only these entities are decoded.
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#039;", "'"), ("&#x27;", "'"))


def wp_specialchars_decode(text: str) -> str:
    """WordPress's decoding of a stored secret (``&amp;`` last, so ``&amp;lt;`` stays ``&lt;``)."""
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text.replace("&amp;", "&")


def sign(body: bytes, secret: str) -> str:
    """``X-WC-Webhook-Signature`` of ``body``: standard base64 of the raw HMAC-SHA256."""
    key = wp_specialchars_decode(secret).encode()
    return base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode()


def wp_json_encode(payload: Any) -> bytes:
    """The body WooCommerce sends: PHP ``json_encode`` with flags 0 (``\\/``, ``\\u00e3``)."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=True, default=str)
    return text.replace("/", "\\/").encode()


def delivery_id(webhook_id: int, moment: int) -> str:
    """A delivery id shaped like ``wp_hash($webhook_id . time)``: 32 hex characters."""
    return hashlib.md5(f"{webhook_id}{moment}".encode(), usedforsecurity=False).hexdigest()


def signed_request(
    payload: Any,
    *,
    secret: str,
    store_url: str,
    topic: str = "order.updated",
    webhook_id: int = 1,
    moment: int = 1_700_000_000,
    body: bytes | None = None,
) -> InboundRequest:
    """A delivery of ``payload`` exactly as ``WC_Webhook::deliver`` sends it."""
    raw = body if body is not None else wp_json_encode(payload)
    resource, _, event = topic.partition(".")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "WooCommerce/9.8.1 Hookshot (WordPress/6.8)",
        SOURCE: store_url.rstrip("/") + "/",
        TOPIC: topic,
        RESOURCE: resource,
        EVENT: event,
        SIGNATURE: sign(raw, secret),
        WEBHOOK_ID: str(webhook_id),
        DELIVERY_ID: delivery_id(webhook_id, moment),
    }
    return InboundRequest(method="POST", headers=headers, body=raw)


def answer_ping(request: InboundRequest) -> ChallengeResponse | None:
    """The unsigned ``webhook_id=N`` form post WooCommerce sends when a webhook is created
    (``WC_Webhook::deliver_ping``): exactly 200, nothing stored. It is unsigned, so anyone
    could send it: it never marks the connection's webhook verified."""
    if request.header(SIGNATURE) or request.header(TOPIC):
        return None
    if not PING_BODY.match(request.body.strip()):
        return None
    return ChallengeResponse(b"", status=200, content_type="text/plain", webhook_verified=False)


def verify(connection: Connection, request: InboundRequest) -> VerifiedDelivery:
    """Check the signature (constant time, raw bytes), then that the store is this one."""
    signature = request.header(SIGNATURE)
    if not signature:
        raise SignatureError(f"missing {SIGNATURE}")
    expected = sign(request.body, str(connection.settings["webhook_secret"]))
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise SignatureError(f"{SIGNATURE} does not match the body")
    source = request.header(SOURCE)
    if not source:
        raise SignatureError(f"missing {SOURCE}")
    if site_identity(source) != site_identity(str(connection.settings["store_url"])):
        raise SignatureError(f"{SOURCE} {source!r} is not this connection's store")
    topic, delivery = request.header(TOPIC), request.header(DELIVERY_ID)
    if not topic or not delivery:
        raise SignatureError(f"missing {TOPIC} or {DELIVERY_ID}")
    kept = {name: value for name in KEPT_HEADERS if (value := request.header(name)) is not None}
    return VerifiedDelivery(dedup_key=dedup_key(request.body), topic=topic, headers=kept)


def dedup_key(body: bytes) -> str:
    """The SHA-256 of the body: the only part of a delivery the signature covers.

    ``X-WC-Webhook-Delivery-ID`` (``wp_hash($webhook_id . time)``) is not signed, so a body
    sent again under a new id is still the same delivery; two orders delivered within one
    second under one id differ in their bodies. Ordering comes from the body's own times
    (``date_modified_gmt``), never from a header.
    """
    return f"sha256:{hashlib.sha256(body).hexdigest()}"


def parse_body(body: bytes) -> Any:
    """The JSON body, with decimals kept exact (never floats)."""
    try:
        return json.loads(body, parse_float=Decimal)
    except (UnicodeDecodeError, ValueError) as error:
        raise SnapshotError(f"the WooCommerce delivery is not JSON: {error}") from None
