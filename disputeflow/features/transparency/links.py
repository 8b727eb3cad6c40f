"""Signed, expiring links: a buyer's case page, and the order a request form has proved.

A token is ``<expiry>.<mac>``: the expiry in unix seconds and the base64url HMAC-SHA256,
with a key derived from the installation's secret key, over the purpose, every value it
vouches for and the expiry. Changing any of them, or using the token with another case,
fails the check (compared in constant time); past its expiry it is refused as expired.
Rotating ``DISPUTEFLOW_SECRET_KEY`` invalidates every link.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from disputeflow.core.clock import utcnow
from disputeflow.engine.signed_tokens import LinkError as LinkError
from disputeflow.engine.signed_tokens import LinkExpiredError as LinkExpiredError
from disputeflow.engine.signed_tokens import Signer
from disputeflow.engine.store.secrets import SecretBox

CASE_PURPOSE = "buyer case links"
ORDER_PURPOSE = "buyer request orders"
DEFAULT_DAYS = 90
MAX_DAYS = 366


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
