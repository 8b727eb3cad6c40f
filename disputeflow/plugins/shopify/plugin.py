"""Hook implementations of the built-in Shopify plugin (entry point ``shopify``)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint

from disputeflow import Connection, Marketplace, hookimpl
from disputeflow.plugins.shopify import volume
from disputeflow.plugins.shopify.install import blueprint
from disputeflow.plugins.shopify.marketplace import ShopifyMarketplace


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
