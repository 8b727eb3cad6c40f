"""Signed webhooks to the merchant's own systems, by the Standard Webhooks scheme.

Each notice is one ``POST`` of its JSON payload with ``webhook-id`` (the notice's
idempotency key: the same on every retry, so the receiver can drop duplicates),
``webhook-timestamp`` (unix seconds) and ``webhook-signature`` = ``v1,`` + base64 of
HMAC-SHA256 over ``id.timestamp.body`` keyed with the base64 secret after ``whsec_``.
A redirect is a refusal (never followed), and the receiver must not be an internal
address unless the installation allows it (:mod:`disputeflow.engine.outbound`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import ClassVar

import requests

from disputeflow.core.errors import ConfigurationError
from disputeflow.engine import outbound
from disputeflow.engine.notices import Audience, Notice, NoticeError, NoticeResult, Notifier

SECRET_PREFIX = "whsec_"  # noqa: S105  # the prefix, not a secret
TIMEOUT = 15


def secret_bytes(secret: str) -> bytes:
    """The key of a ``whsec_<base64>`` secret."""
    raw = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
    except ValueError:
        raise ConfigurationError("the notice webhook secret must be whsec_<base64>") from None
    if len(key) < 16:
        raise ConfigurationError("the notice webhook secret must be at least 16 bytes")
    return key


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    mac = hmac.new(secret_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


class WebhookNotifier(Notifier):
    """Every step of every case, for the merchant's systems."""

    name = "webhook"
    audiences: ClassVar[frozenset[Audience]] = frozenset({Audience.MERCHANT})

    def __init__(self, url: str, secret: str, *, clock: Callable[[], float] = time.time) -> None:
        secret_bytes(secret)  # refuse a bad secret at start, not at the first notice
        self.url, self.secret, self.clock = url, secret, clock
        self.session = outbound.guard(requests.Session())

    def send(self, notice: Notice) -> NoticeResult | None:
        body = json.dumps(notice.payload, separators=(",", ":"), ensure_ascii=False).encode()
        stamp = int(self.clock())
        message_id = notice.idempotency_key
        headers = {
            "Content-Type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": sign(self.secret, message_id, stamp, body),
            "User-Agent": "disputeflow-notices",
        }
        try:
            response = self.session.post(
                self.url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False
            )
        except outbound.InternalAddressError as error:
            raise NoticeError(str(error), transient=False) from None
        except requests.RequestException as error:
            raise NoticeError(
                f"webhook unreachable: {type(error).__name__}", transient=True
            ) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise NoticeError(f"webhook answered {response.status_code}", transient=True)
        if response.status_code >= 300:
            raise NoticeError(f"webhook refused: HTTP {response.status_code}", transient=False)
        return NoticeResult(recipient=self.url, external_id=message_id)
