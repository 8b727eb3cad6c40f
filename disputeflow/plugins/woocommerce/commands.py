"""``disputeflow woocommerce install``: connect an existing store through its key flow."""

from __future__ import annotations

import json
from typing import Any, Protocol

import click

from disputeflow import Runtime
from disputeflow.plugins.woocommerce.install import start_install


class _HasRuntime(Protocol):
    def runtime(self) -> Runtime: ...


@click.group("woocommerce")
def woocommerce_group() -> None:
    """WooCommerce stores: install into an existing store."""


@woocommerce_group.command("install")
@click.option("--name", required=True, help="A unique name for the connection.")
@click.option("--store-url", required=True, help="The store's home URL.")
@click.option("--woopayments", is_flag=True, help="The store takes payments with WooPayments.")
@click.option(
    "--return-status",
    "return_statuses",
    multiple=True,
    help="An order status meaning 'return requested' (repeat; default return-requested).",
)
@click.option("--no-api-refund", is_flag=True, help="Record refunds without the gateway.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def install(
    state: _HasRuntime,
    name: str,
    store_url: str,
    woopayments: bool,
    return_statuses: tuple[str, ...],
    no_api_refund: bool,
    as_json: bool,
) -> None:
    """Create a pending connection and print the URL the merchant opens to approve it."""
    options: dict[str, Any] = {"woopayments": woopayments, "api_refund": not no_api_refund}
    if return_statuses:
        options["return_statuses"] = list(return_statuses)
    described, url = start_install(state.runtime(), name, store_url, options)
    if as_json:
        click.echo(json.dumps({"connection": described, "authorize_url": url}, indent=2))
        return
    click.echo(f"connection {described['id']} ({name}) waits for the store's approval")
    click.echo("open this URL as a store administrator and approve:")
    click.echo(url)
