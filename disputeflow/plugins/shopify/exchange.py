"""The one-time exchange of an authorization code for an expiring offline token.

``POST https://{shop}/admin/oauth/access_token`` with ``client_id``, ``client_secret``,
``code`` and ``expiring: "1"`` (the field Shopify's own library sends for an expiring
offline token: Shopify/shopify-app-js ``lib/auth/oauth/oauth.ts``; shopify.dev
``apps/build/authentication-authorization/access-tokens/offline-access-tokens``, checked
2026-12-04). The answer carries ``access_token``, ``scope``, ``expires_in`` (3600),
``refresh_token`` and ``refresh_token_expires_in``. A code is single-use, so the call is
never retried: a lost answer means installing again.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from disputeflow import MarketplaceError, PlatformClient, error_message
from disputeflow.plugins.shopify.tokens import TOKEN_PATH, stored_tokens

ADMIN_URL_ENV = "DISPUTEFLOW_SHOPIFY_ADMIN_URL"  # a proxy, or a local fake in tests


def admin_url(shop: str) -> str:
    """Where the shop's OAuth pages live: ``https://{shop}`` unless the installation
    points them elsewhere."""
    return (os.environ.get(ADMIN_URL_ENV) or f"https://{shop}").rstrip("/")


def exchange_code(
    shop: str, client_id: str, secret: str, code: str, now: datetime
) -> dict[str, Any]:
    """The token settings to store for a freshly installed shop."""
    client = PlatformClient(admin_url(shop), retries=0)
    body = {"client_id": client_id, "client_secret": secret, "code": code, "expiring": "1"}
    response = client.request("POST", TOKEN_PATH, json=body)
    try:
        answer = response.json() if response.status_code < 300 else {}
    except ValueError:
        answer = {}
    if not isinstance(answer, dict) or not answer.get("access_token"):
        raise MarketplaceError(
            f"Shopify refused the code exchange (HTTP {response.status_code}: "
            f"{error_message(response)}): start the install again",
            platform_status=response.status_code,
        )
    return stored_tokens(answer, {}, now)
