"""Signed, expiring tokens for one purpose each (a buyer's case link, an install link).

A token is ``<expiry>.<mac>``: the expiry in unix seconds and the base64url HMAC-SHA256,
with a key derived from the installation's secret key, over the purpose, every value it
vouches for and the expiry. Changing any of them fails the check (compared in constant
time); past its expiry it is refused as expired. Rotating ``DISPUTEFLOW_SECRET_KEY``
invalidates every token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from disputeflow.core.clock import utcnow
from disputeflow.core.errors import DisputeflowError
from disputeflow.engine.store.secrets import SecretBox


class LinkError(DisputeflowError):
    """A link whose signature does not match its values (HTTP 403)."""

    status = 403
    code = "invalid_link"


class LinkExpiredError(LinkError):
    """A link past its expiry (HTTP 410): the store can send a new one."""

    status = 410
    code = "link_expired"


class Signer:
    """Signs and checks tokens for one purpose."""

    def __init__(self, secrets: SecretBox, purpose: str) -> None:
        self._key = secrets.derive_key(purpose)
        self._purpose = purpose

    def _mac(self, values: tuple[str, ...], expires: int) -> str:
        message = "\x1f".join((self._purpose, *values, str(expires))).encode()
        raw = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def sign(self, values: tuple[str, ...], expires_at: datetime) -> str:
        expires = int(expires_at.timestamp())
        return f"{expires}.{self._mac(values, expires)}"

    def check(self, values: tuple[str, ...], token: str, now: datetime | None = None) -> datetime:
        """The expiry of a valid token; :class:`LinkError` or :class:`LinkExpiredError`."""
        stamp, _, mac = (token or "").partition(".")
        # ASCII digits only: str.isdigit() also accepts "²", which int() then refuses.
        if not (stamp.isascii() and stamp.isdigit()) or len(stamp) > 12 or not mac.isascii():
            raise LinkError("this link is not valid")
        expected = self._mac(values, int(stamp))
        if not hmac.compare_digest(expected.encode(), mac.encode()):
            raise LinkError("this link is not valid")
        expires_at = datetime.fromtimestamp(int(stamp), UTC)
        if expires_at <= (now or utcnow()):
            raise LinkExpiredError("this link has expired")
        return expires_at
