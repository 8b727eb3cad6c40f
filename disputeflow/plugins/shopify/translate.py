"""Stored webhook deliveries -> snapshots and effects, by topic.

The platform's clock for a delivery is :func:`~disputeflow.plugins.shopify.webhooks.observed_time`:
the body's own time where it states one, else ``X-Shopify-Triggered-At`` (when Shopify
fired it; retries keep it) no later than the delivery was received. Topics this plugin does not
follow are stored, acknowledged and translate to nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from disputeflow import Connection, MarketplaceError, SnapshotError, StoredDelivery
from disputeflow.core.effects import Translation
from disputeflow.plugins.shopify import app_events, compliance, disputes, returns
from disputeflow.plugins.shopify.settings import DEFAULT_API_VERSION
from disputeflow.plugins.shopify.webhooks import API_VERSION, observed_time

log = logging.getLogger(__name__)

FetchReturn = Callable[[Connection, str], dict[str, Any]]

DISPUTE_TOPICS = frozenset({"disputes/create", "disputes/update"})
RETURN_TOPICS = frozenset(
    {
        "returns/request",
        "returns/approve",
        "returns/decline",
        "returns/cancel",
        "returns/close",
        "returns/reopen",
        "returns/update",
    }
)
COMPLIANCE: dict[str, Callable[[dict[str, Any]], Sequence[Translation]]] = {
    "customers/redact": compliance.customers_redact,
    "shop/redact": compliance.shop_redact,
    "customers/data_request": compliance.customers_data_request,
}
TOPICS = (
    *sorted(DISPUTE_TOPICS),
    *sorted(RETURN_TOPICS),
    "refunds/create",
    *COMPLIANCE,
    *app_events.TOPICS,
)


def payload_of(delivery: StoredDelivery) -> dict[str, Any]:
    try:
        payload = json.loads(delivery.body)
    except ValueError as error:
        raise SnapshotError(f"Shopify delivery {delivery.id} is not JSON: {error}") from None
    if not isinstance(payload, dict):
        raise SnapshotError(f"Shopify delivery {delivery.id} is not a JSON object")
    return payload


def translate(
    connection: Connection, delivery: StoredDelivery, fetch_return: FetchReturn | None
) -> list[Translation]:
    """What one delivery means for cases; ``fetch_return`` fills thin return payloads."""
    topic = delivery.topic.lower()
    _check_version(connection, delivery)
    if topic not in TOPICS:
        return []
    payload = payload_of(delivery)
    observed_at = observed_time(delivery.headers, delivery.received_at, payload)
    if topic in DISPUTE_TOPICS:
        return [disputes.snapshot(payload, observed_at)]
    if topic in RETURN_TOPICS:
        plain = returns.from_webhook(payload, topic)
        if fetch_return is not None and plain["id"] and returns.needs_details(plain, topic):
            plain = _with_details(connection, plain, fetch_return)
        snapshot = returns.snapshot(plain, observed_at)
        if topic != "returns/request" and not plain["line_items"]:
            # a bare status change (no token, or the fetch failed): it updates a return we
            # know and never opens a case without its order and items
            snapshot = replace(snapshot, update_only=True)
        return [snapshot]
    if topic == "refunds/create":
        return list(compliance.order_refund(payload, observed_at))
    if topic in app_events.TOPICS:
        return app_events.translate(topic, payload, observed_at)
    return list(COMPLIANCE[topic](payload))


def _check_version(connection: Connection, delivery: StoredDelivery) -> None:
    """Log a delivery serialised with another API version than the connection's: its
    payload may carry fields this plugin reads under other names (Shopify sends the
    subscription's version, and falls forward when that one is no longer supported)."""
    sent = next((v for k, v in delivery.headers.items() if k.lower() == API_VERSION.lower()), None)
    mine = str(connection.settings.get("api_version") or DEFAULT_API_VERSION)
    if sent and sent.strip() != mine:
        log.warning(
            "Shopify delivery %s (%s) was serialised with API version %s; connection %s uses %s",
            delivery.id, delivery.topic, sent.strip(), connection.id, mine,
        )  # fmt: skip


def _with_details(
    connection: Connection, plain: dict[str, Any], fetch_return: FetchReturn
) -> dict[str, Any]:
    """The thin payload plus the fetched Return; the status change alone when the fetch
    fails (the polling sync fills the details in later)."""
    try:
        details = fetch_return(connection, str(plain["id"]))
    except (MarketplaceError, SnapshotError) as error:
        log.warning("return %s: details not fetched (%s); status only", plain["id"], error)
        return plain
    return returns.merge_details(plain, details) if details else plain
