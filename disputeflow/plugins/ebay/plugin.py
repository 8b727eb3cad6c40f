"""Hook implementations of the built-in eBay plugin (entry point ``ebay``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache

from flask import Blueprint

from disputeflow import ActionRequest, Case, Connection, EvidenceItem, Marketplace, hookimpl
from disputeflow.plugins.ebay import evidence, volume
from disputeflow.plugins.ebay.actions import check_params
from disputeflow.plugins.ebay.dispute_actions import check_dispute_params
from disputeflow.plugins.ebay.install import blueprint
from disputeflow.plugins.ebay.marketplace import EbayMarketplace


def make_marketplace() -> EbayMarketplace:
    """The adapter this plugin registers (tests swap in one with a fake clock)."""
    return EbayMarketplace()


@hookimpl
def disputeflow_register_marketplaces() -> Iterable[Marketplace]:
    return [make_marketplace()]


@hookimpl
def disputeflow_register_blueprints() -> Iterable[Blueprint]:
    return [blueprint]


@hookimpl
def disputeflow_before_action(case: Case, action: ActionRequest) -> str | None:
    """Refuse, when it is asked, what eBay would refuse later (bad parameters, a partial
    refund of an inquiry), so the merchant hears it at once instead of from the worker."""
    if case.platform != EbayMarketplace.name:
        return None
    if case.object_type == "payment_dispute":
        return check_dispute_params(action)
    return check_params(case, action)


@cache
def volume_market() -> EbayMarketplace:
    """One adapter for the order counts of this process, so its tokens are kept between
    questions (``volume_market.cache_clear()`` lets a test swap it)."""
    return make_marketplace()


@hookimpl
def disputeflow_order_volume(connection: Connection, start: datetime, end: datetime) -> int | None:
    """The seller's orders created in ``[start, end)`` (``getOrders``' total)."""
    if connection.platform != EbayMarketplace.name:
        return None
    return volume.order_volume(volume_market(), connection, start, end)


@cache
def evidence_market() -> EbayMarketplace:
    """One adapter for the evidence reads of this process, so its tokens are kept between
    packets (``evidence_market.cache_clear()`` lets a test swap it)."""
    return make_marketplace()


@hookimpl
def disputeflow_collect_evidence(case: Case, connection: Connection) -> Iterable[EvidenceItem]:
    """The order, its buyer and ship-to address, payments, refunds and shipping fulfillments;
    a demo connection has no seller account to ask."""
    if connection.platform != EbayMarketplace.name or connection.demo:
        return []
    with evidence_market().api(connection) as api:
        return evidence.collect(api, case)
