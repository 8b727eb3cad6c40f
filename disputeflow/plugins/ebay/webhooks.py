"""What arrives on an eBay connection's webhook URL, verified and translated.

Three things share the URL, told apart by their shape:

- ``GET ?challenge_code=``: eBay checking the account-deletion endpoint;
- a JSON body with ``X-EBAY-SIGNATURE``: a Notification API message (ECDSA-signed);
  ``MARKETPLACE_ACCOUNT_DELETION`` erases that eBay user's personal data, and
  ``DISPUTEFLOW_OBJECT`` (disputeflow's own topic, never sent by eBay: the demo's samples)
  carries one Post-Order or Fulfillment object exactly as the API returns it;
- an XML body: a platform notification, only a trigger to fetch the return or case it
  names from eBay's API, so that what reaches a case comes from the API.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from disputeflow import (
    CaseSnapshot,
    ChallengeResponse,
    Connection,
    InboundRequest,
    MarketplaceError,
    SnapshotError,
    StoredDelivery,
    VerifiedDelivery,
)
from disputeflow.core.effects import PersonalDataErasure, Subject, Translation
from disputeflow.plugins.ebay import soap
from disputeflow.plugins.ebay.errors import MalformedNotification
from disputeflow.plugins.ebay.objects import snapshot_of
from disputeflow.plugins.ebay.signatures import PublicKey, parse_header, verify
from disputeflow.plugins.ebay.values import dig, text, time

ACCOUNT_DELETION = "MARKETPLACE_ACCOUNT_DELETION"
OBJECT_TOPIC = "DISPUTEFLOW_OBJECT"
ERASURE_REASON = "ebay marketplace account deletion"
KEPT_HEADERS = ("Content-Type", "SOAPAction")

KeyLookup = Callable[[Connection, str], PublicKey]
Fetcher = Callable[[str, str], CaseSnapshot]


def answer_challenge(connection: Connection, request: InboundRequest) -> ChallengeResponse | None:
    """eBay's endpoint check: hex SHA-256 of challenge code + verification token + endpoint."""
    code = request.query.get("challenge_code")
    token = connection.settings.get("verification_token")
    endpoint = connection.settings.get("endpoint_url") or connection.webhook_url
    if not code or not token or not endpoint:
        return None
    digest = hashlib.sha256()
    for part in (code, token, endpoint):
        digest.update(str(part).encode("utf-8"))
    body = json.dumps({"challengeResponse": digest.hexdigest()}).encode()
    return ChallengeResponse(body, 200, "application/json", webhook_verified=True)


def _kept(request: InboundRequest) -> dict[str, str]:
    return {name: value for name in KEPT_HEADERS if (value := request.header(name)) is not None}


def envelope(body: bytes) -> dict[str, Any]:
    """A Notification API message: ``{"metadata": {...}, "notification": {...}}``."""
    try:
        message = json.loads(body, parse_float=Decimal)
    except (ValueError, RecursionError):
        raise MalformedNotification("the notification is not JSON") from None
    if not isinstance(message, dict) or not text(dig(message, "notification", "notificationId")):
        raise MalformedNotification("the notification has no notificationId")
    return message


def verify_delivery(
    connection: Connection, request: InboundRequest, keys: KeyLookup
) -> VerifiedDelivery:
    """Check a delivery; 412 for a bad signature, 400 for a malformed body."""
    signature = request.header("X-EBAY-SIGNATURE")
    if signature is None and soap.looks_like_xml(request.body):
        return _verify_platform_notification(connection, request)
    header = parse_header(signature)
    verify(keys(connection, header.kid), header, request.body)
    message = envelope(request.body)
    notification = message["notification"]
    return VerifiedDelivery(
        dedup_key=f"notification:{notification['notificationId']}",
        topic=text(dig(message, "metadata", "topic")) or "UNKNOWN",
        headers=_kept(request),
        occurred_at=time(notification.get("eventDate")) or time(notification.get("publishDate")),
        ack_status=204,
    )


def _verify_platform_notification(
    connection: Connection, request: InboundRequest
) -> VerifiedDelivery:
    note = soap.parse(request.body)
    soap.check_signature(note, connection.settings)
    digest = hashlib.sha256(request.body).hexdigest()[:40]
    return VerifiedDelivery(
        dedup_key=f"platform:{digest}",
        topic=note.event or "PlatformNotification",
        headers=_kept(request),
        occurred_at=note.occurred_at,
        ack_status=200,  # eBay expects 200 for platform notifications
    )


def translate_delivery(delivery: StoredDelivery, fetch: Fetcher) -> Sequence[Translation]:
    """Snapshots and effects of a stored JSON delivery (platform notifications: the
    adapter decides between :func:`fetch_targets` and a mark for the next poll)."""
    message = envelope(delivery.body)
    topic = dig(message, "metadata", "topic")
    data = dig(message, "notification", "data")
    if topic == ACCOUNT_DELETION:
        return _erasures(data)
    if topic == OBJECT_TOPIC:
        notification = message["notification"]
        at = time(notification.get("eventDate")) or time(notification.get("publishDate"))
        if at is None:
            raise SnapshotError("a DISPUTEFLOW_OBJECT notification without eventDate")
        return [snapshot_of(str(dig(data, "objectType")), dig(data, "object"), at)]
    return []


def _erasures(data: Any) -> list[Translation]:
    """One erasure per identifier eBay names (username, and the immutable user id that
    replaces usernames in some API answers)."""
    found: list[str] = []
    for key in ("username", "userId"):
        value = text(dig(data, key))
        if value and value not in found:
            found.append(value)
    if not found:
        raise SnapshotError("an account deletion naming no eBay user")
    return [PersonalDataErasure(ERASURE_REASON, Subject(customer_external_id=v)) for v in found]


def fetch_targets(
    targets: Sequence[tuple[str, str]],
    fetch: Fetcher,
    *,
    case_type: str = "",
    skip_missing: bool = False,
) -> list[Translation]:
    """Read each named object from eBay. An INR ``CaseId`` eBay does not know as a case is
    read as an inquiry (not escalated yet); with ``skip_missing`` (objects marked by
    unchecked notifications, whose case type is no longer at hand) any unknown ``CaseId``
    is tried as an inquiry, and an object eBay does not know at all is skipped."""
    snapshots: list[Translation] = []
    for object_type, object_id in targets:
        try:
            snapshots.append(fetch(object_type, object_id))
        except MarketplaceError as error:
            if error.platform_status != 404:
                raise
            if object_type == "case" and ("INR" in case_type or skip_missing):
                try:
                    snapshots.append(fetch("inquiry", object_id))
                    continue
                except MarketplaceError as again:
                    error = again
            if not (skip_missing and error.platform_status == 404):
                raise error
    return snapshots
