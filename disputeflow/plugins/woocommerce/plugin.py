"""Hook implementations of the built-in WooCommerce plugin (entry point ``woocommerce``)."""

from __future__ import annotations

from collections.abc import Iterable

import click
from flask import Blueprint

from disputeflow import ActionRequest, Case, Marketplace, hookimpl
from disputeflow.plugins.woocommerce import install
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
