"""Signed, expiring links: a buyer's case page, and the order a request form has proved.

A token is ``<expiry>.<mac>``: the expiry in unix seconds and the base64url HMAC-SHA256,
with a key derived from the installation's secret key, over the purpose, every value it
vouches for and the expiry. Changing any of them, or using the token with another case,
fails the check (compared in constant time); past its expiry it is refused as expired.
Rotating ``DISPUTEFLOW_SECRET_KEY`` invalidates every link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from disputeflow.core.clock import utcnow
from disputeflow.core.errors import DisputeflowError
from disputeflow.core.store.secrets import SecretBox

CASE_PURPOSE = "buyer case links"
ORDER_PURPOSE = "buyer request orders"
DEFAULT_DAYS = 90
MAX_DAYS = 366


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


def case_token(secrets: SecretBox, case_id: str, expires_at: datetime) -> str:
    return Signer(secrets, CASE_PURPOSE).sign((case_id,), expires_at)


def check_case_token(
    secrets: SecretBox, case_id: str, token: str, now: datetime | None = None
) -> datetime:
    return Signer(secrets, CASE_PURPOSE).check((case_id,), token, now)


def case_link(
    secrets: SecretBox,
    public_url: str,
    case_id: str,
    *,
    days: int = DEFAULT_DAYS,
    now: datetime | None = None,
) -> tuple[str, datetime]:
    """The buyer's URL of a case and when it expires."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"a buyer link lasts 1 to {MAX_DAYS} days")
    expires_at = ((now or utcnow()) + timedelta(days=days)).replace(microsecond=0)
    token = case_token(secrets, case_id, expires_at)
    return f"{public_url.rstrip('/')}/buyer/cases/{case_id}/{token}", expires_at
