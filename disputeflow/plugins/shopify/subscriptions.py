"""Subscribing a shop's webhooks to a connection's URL (GraphQL ``webhookSubscriptionCreate``).

Topics already delivered to the URL are left alone, so registering twice changes nothing.
The compliance topics cannot be created through the API: they belong in the app's
configuration (Partner Dashboard or ``shopify.app.toml``), pointed at the same URL.
"""

from __future__ import annotations

from typing import Any

from disputeflow import Connection, MarketplaceError
from disputeflow.plugins.shopify import queries
from disputeflow.plugins.shopify.client import ShopifyClient
from disputeflow.plugins.shopify.values import dig

SUBSCRIBED_TOPICS = (
    "disputes/create",
    "disputes/update",
    "refunds/create",
    "returns/request",
    "returns/approve",
    "returns/decline",
    "returns/cancel",
    "returns/close",
    "returns/reopen",
    "returns/update",
    "app/uninstalled",
    "app/scopes_update",
)


def enum_of(topic: str) -> str:
    """``returns/request`` -> ``RETURNS_REQUEST`` (the ``WebhookSubscriptionTopic`` value)."""
    return topic.replace("/", "_").upper()


def _existing(client: ShopifyClient, uri: str) -> set[str]:
    """The topic enums already delivered to ``uri``."""
    found: set[str] = set()
    after: str | None = None
    while True:
        page = client.graphql(queries.WEBHOOK_SUBSCRIPTIONS, {"after": after})
        connection: dict[str, Any] = page.get("webhookSubscriptions") or {}
        found |= {n["topic"] for n in connection.get("nodes") or () if n.get("uri") == uri}
        if not dig(connection, "pageInfo", "hasNextPage"):
            return found
        after = dig(connection, "pageInfo", "endCursor")


def register(client: ShopifyClient, connection: Connection) -> list[str]:
    """Subscribe every topic the plugin follows; return the topics now delivered."""
    uri = connection.webhook_url
    if not uri:
        raise MarketplaceError(f"connection {connection.id} has no webhook_url to subscribe")
    existing = _existing(client, uri)
    for topic in SUBSCRIBED_TOPICS:
        if enum_of(topic) in existing:
            continue
        variables = {"topic": enum_of(topic),
                     "webhookSubscription": {"uri": uri, "format": "JSON"}}  # fmt: skip
        client.mutate(queries.WEBHOOK_SUBSCRIPTION_CREATE, variables, "webhookSubscriptionCreate")
    return list(SUBSCRIBED_TOPICS)
