"""Hook implementations of the built-in Shopify plugin (entry point ``shopify``)."""

from __future__ import annotations

from flask import Blueprint

from disputeflow import Marketplace, hookimpl
from disputeflow.plugins.shopify.install import blueprint
from disputeflow.plugins.shopify.marketplace import ShopifyMarketplace


@hookimpl
def disputeflow_register_marketplaces() -> list[Marketplace]:
    return [ShopifyMarketplace()]


@hookimpl
def disputeflow_register_blueprints() -> list[Blueprint]:
    return [blueprint]
