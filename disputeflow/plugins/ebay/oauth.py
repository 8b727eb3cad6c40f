"""eBay OAuth: user tokens from the refresh token, app tokens from client credentials.

Access tokens live two hours; they are kept in memory per connection (and per app for
client-credentials tokens) until a minute before they expire, and a 401 drops the user
token so the next call refreshes it once. eBay normally keeps the refresh token (18
months); if a refresh answer carries a new one, it is used from then on in this process
(the adapter cannot write connection settings; reinstalling stores a fresh one).
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from disputeflow import Connection, MarketplaceError, PlatformClient
from disputeflow.plugins.ebay.settings import Hosts

API_SCOPE = "https://api.ebay.com/oauth/api_scope"
# Payment disputes, fulfillment and return policies (Account API, read only) by their
# documented scopes; Post-Order documents none (integrators call it with the base scope).
USER_SCOPES = (
    API_SCOPE,
    "https://api.ebay.com/oauth/api_scope/sell.fulfillment",
    "https://api.ebay.com/oauth/api_scope/sell.payment.dispute",
    "https://api.ebay.com/oauth/api_scope/sell.account.readonly",
)
EXPIRY_MARGIN = timedelta(seconds=60)
DEFAULT_LIFETIME = 7200


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: datetime


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]


def request_token(
    http: PlatformClient, settings: Mapping[str, Any], form: dict[str, str]
) -> dict[str, Any]:
    """POST eBay's token endpoint with the app's Basic credentials; the JSON answer."""
    pair = f"{settings['client_id']}:{settings['client_secret']}".encode()
    headers = {
        "Authorization": f"Basic {base64.b64encode(pair).decode()}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    url = Hosts.of(settings).token_url
    response = http.request("POST", url, data=form, headers=headers)
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 400 or not isinstance(body, dict) or not body.get("access_token"):
        error = body.get("error") if isinstance(body, dict) else None
        detail = body.get("error_description") if isinstance(body, dict) else None
        raise MarketplaceError(
            f"eBay refused the {form.get('grant_type')} token request "
            f"(HTTP {response.status_code}: {error or 'no token'}: {detail or ''})",
            transient=False,
            platform_status=response.status_code,
        )
    return body


class TokenStore:
    """Access tokens in memory, per connection (user) and per app (client credentials)."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, Token] = {}
        self._refresh_tokens: dict[str, str] = {}  # newer ones eBay handed back

    def _cached(self, key: str) -> str | None:
        with self._lock:
            token = self._tokens.get(key)
        if token is not None and token.expires_at - EXPIRY_MARGIN > self._clock():
            return token.value
        return None

    def _keep(self, key: str, answer: Mapping[str, Any]) -> str:
        lifetime = answer.get("expires_in")
        seconds = lifetime if isinstance(lifetime, int) and lifetime > 0 else DEFAULT_LIFETIME
        token = Token(str(answer["access_token"]), self._clock() + timedelta(seconds=seconds))
        with self._lock:
            self._tokens[key] = token
        return token.value

    def app_token(self, http: PlatformClient, settings: Mapping[str, Any]) -> str:
        """A client-credentials token for app-level calls (the Notification API's keys)."""
        key = "app:" + _fingerprint(
            Hosts.of(settings).token_url, settings["client_id"], settings["client_secret"]
        )
        cached = self._cached(key)
        if cached is not None:
            return cached
        form = {"grant_type": "client_credentials", "scope": API_SCOPE}
        return self._keep(key, request_token(http, settings, form))

    def _user_key(self, connection: Connection) -> str:
        refresh = str(connection.settings.get("refresh_token") or "")
        return f"user:{connection.id}:{_fingerprint(refresh, connection.settings['client_id'])}"

    def user_token(self, http: PlatformClient, connection: Connection) -> str:
        """The seller's access token, refreshed from the refresh token when needed."""
        key = self._user_key(connection)
        cached = self._cached(key)
        if cached is not None:
            return cached
        refresh = self._refresh_tokens.get(key) or connection.settings.get("refresh_token")
        if not refresh:
            raise MarketplaceError(
                f"eBay connection {connection.id} is not authorised yet: open "
                f"/install/ebay/{connection.id} to grant access",
                transient=False,
            )
        form = {"grant_type": "refresh_token", "refresh_token": refresh,
                "scope": " ".join(USER_SCOPES)}  # fmt: skip
        answer = request_token(http, connection.settings, form)
        if answer.get("refresh_token"):
            with self._lock:
                self._refresh_tokens[key] = str(answer["refresh_token"])
        return self._keep(key, answer)

    def remember_user(self, connection: Connection, answer: Mapping[str, Any]) -> None:
        """Keep the access token an authorization-code exchange just returned."""
        self._keep(self._user_key(connection), answer)

    def forget_user(self, connection: Connection) -> None:
        """Drop the seller's access token (after a 401), so the next call refreshes it."""
        with self._lock:
            self._tokens.pop(self._user_key(connection), None)


def consent_url(settings: Mapping[str, Any], state: str) -> str:
    """The page where the seller grants this app access (eBay's user consent)."""
    query = urlencode(
        {
            "client_id": settings["client_id"],
            "redirect_uri": settings["ru_name"],
            "response_type": "code",
            "scope": " ".join(USER_SCOPES),
            "state": state,
        }
    )
    return f"{Hosts.of(settings).auth}/oauth2/authorize?{query}"
