"""The store's return policy: Shopify's refund policy text, with the window and rules the
connection's settings state (Shopify's API exposes the policy as text, not as numbers)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from disputeflow import MarketplaceError, ReturnPolicy
from disputeflow.plugins.shopify import queries
from disputeflow.plugins.shopify.client import ShopifyClient
from disputeflow.plugins.shopify.values import dig

log = logging.getLogger(__name__)

POLICY_TYPE = "REFUND_POLICY"


def _policy_text(client: ShopifyClient) -> str:
    policies = dig(client.graphql(queries.SHOP_POLICIES), "shop", "shopPolicies") or []
    for policy in policies:
        if isinstance(policy, dict) and policy.get("type") == POLICY_TYPE:
            return str(policy.get("body") or "")
    return ""


def return_policy(settings: Mapping[str, Any], client: ShopifyClient | None) -> ReturnPolicy:
    """The policy from the shop and the settings; the settings alone if the shop is out of
    reach, and the error when there is nothing to go on."""
    stated = settings.get("return_window_days") is not None
    text, sources = "", ["connection settings"] if stated else []
    if client is not None:
        try:
            text = _policy_text(client)
            sources.append("shopify refund policy")
        except MarketplaceError:
            if not stated:
                raise
            log.warning("Shopify refund policy not read; using the connection's settings")
    if not sources:
        raise MarketplaceError("no return policy: set return_window_days or an access_token")
    return ReturnPolicy(
        window_days=settings.get("return_window_days"),
        source=" + ".join(sources),
        buyer_pays_return_shipping=settings.get("buyer_pays_return_shipping"),
        restocking_fee_percent=settings.get("restocking_fee_percent"),
        text=text,
    )
