"""The Admin API token of a connection, renewed before it expires.

Three kinds of token (shopify.dev, checked 2026-12-04):

- a **non-expiring** token (an admin-created custom app, an older install): used as it is,
  never renewed; ``apps/build/authentication-authorization/legacy/admin-custom-apps``.
- an **expiring offline** token (public apps must use them from 2027-01-01): it lasts an
  hour and comes with a refresh token that Shopify replaces on every use. It is renewed at
  ``POST /admin/oauth/access_token`` with ``client_id``, ``client_secret``,
  ``grant_type=refresh_token`` and ``refresh_token``, five minutes before it expires or
  after a 401; ``apps/build/authentication-authorization/access-tokens/offline-access-tokens``,
  changelog ``offline-access-tokens-now-support-expiry-and-refresh`` and
  ``more-resilient-refreshes-for-expiring-offline-access-tokens``; Shopify/shopify-api-ruby
  ``lib/shopify_api/auth/refresh_token.rb`` (the JSON body).
- a **client-credentials** token (a Dev Dashboard app installed in the merchant's own
  organisation): fetched at the same URL with ``grant_type=client_credentials``; it lasts
  about a day and has no refresh token;
  ``apps/build/authentication-authorization/access-tokens/client-credentials-grant``.

Renewal goes through the connection's :class:`~disputeflow.core.credentials.CredentialStore`,
so one worker renews and every other one uses what it stored. A refused refresh token
(``invalid_grant``) raises :class:`ReauthorizationRequired`: the merchant must install again.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from disputeflow import Connection, MarketplaceError, PlatformClient
from disputeflow.core.clock import parse_rfc3339, to_rfc3339, utcnow
from disputeflow.core.errors import InvalidInputError, ReauthorizationRequired
from disputeflow.plugins.shopify.settings import CLIENT_CREDENTIALS, api_root

log = logging.getLogger(__name__)

RENEW_BEFORE = timedelta(minutes=5)
TOKEN_PATH = "/admin/oauth/access_token"  # noqa: S105  (a path, not a secret)
CLIENT_ID_ENV = "DISPUTEFLOW_SHOPIFY_CLIENT_ID"
# What Shopify's token endpoint answers for a refresh token it no longer accepts.
REFUSED_GRANTS = frozenset({"invalid_grant", "invalid_client", "unauthorized_client"})


def renewable(settings: Mapping[str, Any]) -> bool:
    """Whether this connection's token can be renewed without the merchant."""
    return settings.get("grant") == CLIENT_CREDENTIALS or bool(settings.get("refresh_token"))


def expires_soon(settings: Mapping[str, Any], now: datetime) -> bool:
    """A renewable token that is missing, unreadable or expires within five minutes."""
    if not renewable(settings):
        return False
    if not settings.get("access_token"):
        return True
    try:
        expires_at = parse_rfc3339(str(settings.get("access_token_expires_at") or ""))
    except InvalidInputError:
        return True
    return expires_at - now <= RENEW_BEFORE


class TokenSource:
    """The token to send now, renewed (single-flight, through the store) when it must be."""

    def __init__(
        self,
        connection: Connection,
        *,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._connection = connection
        self._settings: Mapping[str, Any] = connection.settings
        self._clock = clock
        self._sleep = sleep

    @property
    def renewable(self) -> bool:
        return renewable(self._settings)

    def token(self) -> str:
        """The access token, renewed first when it expires within five minutes."""
        if expires_soon(self._settings, self._clock()):
            self.renew()
        token = self._settings.get("access_token")
        if not token:
            raise MarketplaceError(
                "this Shopify connection has no access_token: install the app "
                "(/install/shopify) or set access_token for a custom app"
            )
        return str(token)

    def renew(self) -> str:
        """Renew now (after a 401); another worker's fresh token is taken as it is."""
        stale = self._settings.get("access_token")
        now = self._clock()

        def exchange(current: Mapping[str, Any]) -> Mapping[str, Any] | None:
            if current.get("access_token") != stale and not expires_soon(current, now):
                return None  # renewed by someone else while we waited for the lock
            return self._exchange(current)

        store = self._connection.credentials
        if store is None:
            raise MarketplaceError("this Shopify token expires, and this process cannot store it")
        self._settings = store.renew(exchange)
        return str(self._settings.get("access_token") or "")

    def _exchange(self, current: Mapping[str, Any]) -> dict[str, Any]:
        """One call to the token endpoint; the settings to store from its answer."""
        body = token_request(current)
        # Short: this runs under the connection's lock (on SQLite, the one writer lock),
        # so two tries of 10 s stay well inside the 30 s other writers wait for it.
        sleep = self._sleep or _no_wait
        client = PlatformClient(api_root(current), timeout=10.0, retries=1, sleep=sleep)
        response = client.request("POST", TOKEN_PATH, json=body)
        answer = _answer(response.status_code, _json(response))
        log.info("renewed the Shopify token of connection %s", self._connection.id)
        return stored_tokens(answer, current, self._clock())


def client_id_of(settings: Mapping[str, Any]) -> str:
    """The app's client id: the connection's own, else the installation's."""
    client_id = settings.get("client_id") or os.environ.get(CLIENT_ID_ENV)
    if not client_id:
        raise MarketplaceError(f"renewing a Shopify token needs client_id (or {CLIENT_ID_ENV})")
    return str(client_id)


def token_request(settings: Mapping[str, Any]) -> dict[str, str]:
    """The JSON body of a renewal: a client-credentials grant or a refresh."""
    body = {"client_id": client_id_of(settings), "client_secret": str(settings["client_secret"])}
    if settings.get("grant") == CLIENT_CREDENTIALS:
        return {**body, "grant_type": CLIENT_CREDENTIALS}
    return {**body, "grant_type": "refresh_token", "refresh_token": str(settings["refresh_token"])}


def stored_tokens(
    answer: Mapping[str, Any], current: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """The settings a token answer changes: the token, its expiry, the rotated refresh token."""
    changes: dict[str, Any] = {"access_token": str(answer["access_token"])}
    expires_in = answer.get("expires_in")
    if isinstance(expires_in, int | float) and expires_in > 0:
        changes["access_token_expires_at"] = to_rfc3339(now + timedelta(seconds=expires_in))
    if answer.get("refresh_token"):
        changes["refresh_token"] = str(answer["refresh_token"])
    elif current.get("grant") != CLIENT_CREDENTIALS and current.get("refresh_token"):
        changes["refresh_token"] = current["refresh_token"]
    return changes


def _json(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _answer(status: int, body: dict[str, Any]) -> dict[str, Any]:
    """The token answer, or the error it means (never echoing a token)."""
    if status < 300 and body.get("access_token"):
        return body
    error = str(body.get("error") or "")
    words = str(body.get("error_description") or error or f"HTTP {status}")[:300]
    if error in REFUSED_GRANTS or status == 401:
        raise ReauthorizationRequired(
            f"Shopify refused to renew the access token ({words}): install the app again"
        )
    raise MarketplaceError(f"Shopify token renewal failed: {words}", platform_status=status)


def _no_wait(seconds: float) -> None:
    """Tests and adapters without a sleeper: a retry waits for nothing."""
