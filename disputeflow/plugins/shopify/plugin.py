"""Hook implementations of the built-in Shopify plugin (entry point ``shopify``)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint

from disputeflow import Case, Connection, EvidenceItem, Marketplace, hookimpl
from disputeflow.plugins.shopify import collect, volume
from disputeflow.plugins.shopify.install import blueprint
from disputeflow.plugins.shopify.marketplace import ShopifyMarketplace

# The adapter the evidence hook reads through (the hook is given no marketplace).
EVIDENCE_READER = ShopifyMarketplace()


@hookimpl
def disputeflow_register_marketplaces() -> list[Marketplace]:
    return [ShopifyMarketplace()]


@hookimpl
def disputeflow_register_blueprints() -> list[Blueprint]:
    return [blueprint]


@hookimpl
def disputeflow_order_volume(connection: Connection, start: datetime, end: datetime) -> int | None:
    """The shop's orders created in ``[start, end)`` (``ordersCount``), kept for the day."""
    if connection.platform != ShopifyMarketplace.name:
        return None
    return volume.order_volume(connection, start, end)


@hookimpl
def disputeflow_collect_evidence(case: Case, connection: Connection) -> list[EvidenceItem]:
    """The disputed order's fulfillments, addresses and customer, and the store's policies;
    nothing for a return, another platform, a demo connection or one without API access."""
    if connection.platform != ShopifyMarketplace.name or case.object_type != "dispute":
        return []
    if connection.demo or not EVIDENCE_READER.has_api_access(connection):
        return []
    return collect.collect(EVIDENCE_READER.client(connection), case)
