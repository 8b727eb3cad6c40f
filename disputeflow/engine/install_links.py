"""Signed, expiring install links: the only way, besides a request the platform signed,
to start attaching a store to this installation.

Without them anyone who knows the URL could start an install and attach their own store
(its webhooks, its cases) to a merchant's service. A link vouches for one platform and one
account (a Shopify shop) until it expires; ``disputeflow connections install-link`` and
the workspace's admins make them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from disputeflow.core.clock import utcnow
from disputeflow.core.marketplace import Marketplace
from disputeflow.engine.signed_tokens import Signer
from disputeflow.engine.store.secrets import SecretBox

PURPOSE = "install links"
DEFAULT_MINUTES = 60


def sign(secrets: SecretBox, platform: str, account: str, expires_at: datetime) -> str:
    return Signer(secrets, PURPOSE).sign((platform, account), expires_at)


def check(
    secrets: SecretBox, platform: str, account: str, token: str, now: datetime | None = None
) -> datetime:
    """The expiry of a valid link (``LinkError`` 403, ``LinkExpiredError`` 410 otherwise)."""
    return Signer(secrets, PURPOSE).check((platform, account), token, now)


def install_url(
    secrets: SecretBox,
    public_url: str,
    marketplace: Marketplace,
    account: str,
    *,
    minutes: int = DEFAULT_MINUTES,
    now: datetime | None = None,
) -> tuple[str, datetime]:
    """The full URL a merchant opens to install ``marketplace``'s app for ``account``."""
    expires_at = ((now or utcnow()) + timedelta(minutes=minutes)).replace(microsecond=0)
    token = sign(secrets, marketplace.name, account, expires_at)
    path = marketplace.install_path(account, token)
    if urlsplit(path).netloc:  # a plugin must answer with a path on this service
        raise ValueError(f"{marketplace.name} answered an install path with a host: {path}")
    return f"{public_url.rstrip('/')}{path}", expires_at
