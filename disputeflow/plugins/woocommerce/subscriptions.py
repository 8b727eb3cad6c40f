"""Webhook subscriptions on the store: ``order.created`` and ``order.updated`` to the
connection's webhook URL, signed with its secret.

Safe to run again: a webhook that already delivers a topic to this URL is updated (secret
re-sent, status back to ``active`` if WooCommerce disabled it after failures) rather than
created twice. WooCommerce has no refund or dispute topic: both arrive as ``order.updated``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from disputeflow import Connection, MarketplaceError
from disputeflow.plugins.woocommerce.client import WooClient

TOPICS = ("order.created", "order.updated")
APP_NAME = "disputeflow"


def register(client: WooClient, connection: Connection) -> list[str]:
    """Create or refresh one webhook per topic; the topics now delivering."""
    url = connection.webhook_url
    if not url:
        raise MarketplaceError("the connection has no webhook URL to subscribe", transient=False)
    secret = str(connection.settings["webhook_secret"])
    existing = [
        hook
        for page in client.pages("webhooks", {"status": "all"})
        for hook in page
        if isinstance(hook, Mapping) and _same_url(hook.get("delivery_url"), url)
    ]
    for topic in TOPICS:
        match = next((hook for hook in existing if hook.get("topic") == topic), None)
        if match is not None:
            client.put_json(f"webhooks/{match['id']}", {"secret": secret, "status": "active"})
            continue
        client.post_json("webhooks", _new_webhook(topic, url, secret))
    return list(TOPICS)


def _new_webhook(topic: str, url: str, secret: str) -> dict[str, Any]:
    return {
        "name": f"{APP_NAME} {topic}",
        "topic": topic,
        "delivery_url": url,
        "secret": secret,
        "status": "active",
    }


def _same_url(delivery_url: Any, url: str) -> bool:
    return isinstance(delivery_url, str) and delivery_url.rstrip("/") == url.rstrip("/")
