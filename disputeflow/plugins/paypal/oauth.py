"""OAuth 2.0 client credentials: one access token per REST app, kept until shortly before
it expires.

``POST /v1/oauth2/token`` with the app's ``client_id:client_secret`` as HTTP Basic and
``grant_type=client_credentials`` answers ``{"access_token", "token_type", "expires_in",
...}`` (https://developer.paypal.com/api/rest/authentication/, checked 2026-12-04). A 401
there (``invalid_client``) means PayPal no longer accepts the app's credentials: only the
merchant can fix that, so it is :class:`~disputeflow.ReauthorizationRequired`.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from disputeflow import MarketplaceError, PlatformClient, ReauthorizationRequired, error_message
from disputeflow.core.clock import utcnow

TOKEN_PATH = "/v1/oauth2/token"  # noqa: S105  (a path, not a password)
EARLY = timedelta(minutes=5)  # renew this long before PayPal's expiry


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: datetime


def _key(base_url: str, client_id: str, client_secret: str) -> tuple[str, str, str]:
    digest = hashlib.sha256(client_secret.encode()).hexdigest()
    return (base_url, client_id, digest)


class TokenCache:
    """Access tokens by app (the secret only as a digest), shared by every thread."""

    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        self.clock = clock
        self._tokens: dict[tuple[str, str, str], Token] = {}
        self._lock = threading.Lock()

    def token(self, client: PlatformClient, client_id: str, client_secret: str) -> str:
        """A valid access token for the app, asking PayPal for one when none is kept."""
        key = _key(client.base_url, client_id, client_secret)
        with self._lock:
            kept = self._tokens.get(key)
            if kept is not None and kept.expires_at - EARLY > self.clock():
                return kept.value
        fresh = self._request(client, client_id, client_secret)
        with self._lock:
            self._tokens[key] = fresh
        return fresh.value

    def forget(self, client: PlatformClient, client_id: str, client_secret: str) -> None:
        """Drop the app's token (PayPal refused it)."""
        with self._lock:
            self._tokens.pop(_key(client.base_url, client_id, client_secret), None)

    def _request(self, client: PlatformClient, client_id: str, client_secret: str) -> Token:
        response = client.request(
            "POST",
            TOKEN_PATH,
            auth=(client_id, client_secret),
            data={"grant_type": "client_credentials"},
            headers={"Accept": "application/json"},
        )
        if response.status_code == 401:
            raise ReauthorizationRequired(
                f"PayPal refused the app's credentials: {error_message(response)}",
                platform_status=401,
            )
        if response.status_code != 200:
            raise MarketplaceError(
                f"PayPal token request: HTTP {response.status_code}: {error_message(response)}",
                platform_status=response.status_code,
            )
        try:
            return self._parse(response.json())
        except ValueError:
            raise MarketplaceError("PayPal's token answer is not JSON") from None

    def _parse(self, answer: Any) -> Token:
        if not isinstance(answer, dict) or not isinstance(answer.get("access_token"), str):
            raise MarketplaceError("PayPal's token answer holds no access_token")
        try:
            lifetime = int(answer.get("expires_in") or 0)
        except (TypeError, ValueError):
            lifetime = 0
        return Token(answer["access_token"], self.clock() + timedelta(seconds=max(lifetime, 0)))


TOKENS = TokenCache()
