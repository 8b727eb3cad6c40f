"""eBay's own answer codes, as error classes the intake and the worker already understand.

eBay's notification SDKs answer 412 to a signature mismatch and 500 when the public key
cannot be fetched (so that eBay retries); a malformed platform notification gets a 400.
Every class is a :class:`~disputeflow.SignatureError` or a
:class:`~disputeflow.MarketplaceError`, so nothing is stored for a refused delivery.
"""

from __future__ import annotations

from typing import Any

from disputeflow import MarketplaceError, SignatureError


class SignatureMismatch(SignatureError):
    """The X-EBAY-SIGNATURE (or NotificationSignature) does not verify (HTTP 412)."""

    status = 412
    code = "signature_mismatch"


class MalformedNotification(SignatureError):
    """The body is not a notification eBay would send: bad XML, an entity attack (HTTP 400)."""

    status = 400
    code = "malformed_notification"


class KeyLookupsThrottled(SignatureError):
    """A connection looked up too many unknown keys this minute (HTTP 429; eBay retries a
    genuine message later, an anonymous flood costs eBay's quota nothing)."""

    status = 429
    code = "key_lookups_throttled"


class KeyServiceError(MarketplaceError):
    """eBay's public key (or the app token to fetch it) is out of reach (HTTP 500: eBay
    retries the delivery later)."""

    status = 500
    code = "key_service_unavailable"


class RevisionConflict(MarketplaceError):
    """A payment dispute changed since the merchant looked at it (eBay's 409 on ``revision``).

    Never retried: the merchant must look at the dispute again. ``current`` is the dispute
    as eBay shows it now.
    """

    code = "revision_conflict"

    def __init__(self, message: str, *, current: dict[str, Any] | None = None) -> None:
        super().__init__(message, transient=False, platform_status=409)
        self.current = current or {}
