"""Hook implementations of the built-in WooCommerce plugin (entry point ``woocommerce``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import click
from flask import Blueprint

from disputeflow import ActionRequest, Case, Connection, EvidenceItem, Marketplace, hookimpl
from disputeflow.plugins.woocommerce import evidence, install, volume
from disputeflow.plugins.woocommerce.actions import veto
from disputeflow.plugins.woocommerce.commands import woocommerce_group
from disputeflow.plugins.woocommerce.marketplace import WooCommerceMarketplace

MARKETPLACE = WooCommerceMarketplace()


@hookimpl
def disputeflow_register_marketplaces() -> Iterable[Marketplace]:
    return [MARKETPLACE]


@hookimpl
def disputeflow_register_blueprints() -> Iterable[Blueprint]:
    return [install.blueprint]


@hookimpl
def disputeflow_register_commands(cli: click.Group) -> None:
    cli.add_command(woocommerce_group)


@hookimpl
def disputeflow_before_action(case: Case, action: ActionRequest) -> str | None:
    """Refuse at once what the store would refuse later (a contest without evidence)."""
    if case.platform != MARKETPLACE.name:
        return None
    return veto(case, action)


@hookimpl
def disputeflow_order_volume(connection: Connection, start: datetime, end: datetime) -> int | None:
    """The store's paid orders created in ``[start, end)`` (the orders list's total)."""
    if connection.platform != MARKETPLACE.name:
        return None
    return volume.order_volume(MARKETPLACE, connection, start, end)


@hookimpl
def disputeflow_collect_evidence(case: Case, connection: Connection) -> Iterable[EvidenceItem]:
    """The order, its tracking and customer notes, and the WooPayments dispute's record; a
    demo connection has no store to ask."""
    if connection.platform != MARKETPLACE.name or connection.demo:
        return []
    return evidence.collect(MARKETPLACE.client(connection), case)
