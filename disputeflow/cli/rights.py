"""``disputeflow rights``: a buyer's statutory return rights, the store's policy, the result."""

from __future__ import annotations

from typing import Any

import click

from disputeflow.cli.state import CliState, emit_json, json_option, pass_state
from disputeflow.features.handling.policies import connection_store_policy, rights_report


def _days(value: int | None, none: str = "none by statute") -> str:
    return none if value is None else f"{value} days"


def _echo_statutory(statutory: dict[str, Any]) -> None:
    click.echo(f"{statutory['name']} ({statutory['country']}): {statutory['law'] or 'no law'}")
    withdrawal = _days(statutory["withdrawal_days"])
    if statutory["only_without_store_policy"]:
        withdrawal += " (only when the store states no return policy)"
    click.echo(
        f"  withdrawal: {withdrawal}"
        + (f", from {statutory['clock']}" if statutory["clock"] else "")
    )
    if statutory["refund_note"]:
        click.echo(f"  refund: {statutory['refund_note']}")
    click.echo(f"  return shipping: {statutory['return_shipping']}")
    for exception in statutory["exceptions"]:
        click.echo(f"  exception {exception['id']}: {exception['text']}")
    if statutory["notes"]:
        click.echo(f"  notes: {statutory['notes']}")
    for source in statutory["sources"]:
        click.echo(f"  source: {source}")
    if not statutory["verified"]:
        click.echo("  (not confirmed by the project's research: verify before relying on it)")


@click.command("rights")
@click.option("--country", required=True, help="The buyer's country (ISO 3166-1 alpha-2).")
@click.option("--connection", "connection_id", help="Compare with this connection's policy.")
@json_option
@pass_state
def rights(state: CliState, country: str, connection_id: str | None, as_json: bool) -> None:
    """Show a buyer's statutory return rights, the store's policy and the effective window."""
    store = None
    if connection_id is not None:
        connection_id, store = connection_store_policy(state.runtime(), connection_id)
    report = rights_report(country, store=store, connection_id=connection_id)
    if as_json:
        emit_json(report)
        return
    _echo_statutory(report["statutory"])
    policy, effective = report["store_policy"], report["effective"]
    if policy is not None:
        source = f" ({policy['source']})" if policy["source"] else ""
        click.echo(f"store policy: {_days(policy['window_days'], 'not stated')}{source}")
    line = f"effective window: {_days(effective['effective_window_days'], 'none')}"
    if effective["below_statutory"]:
        line += " (the store's policy is below the statutory minimum: the law's applies)"
    click.echo(line)


def register(cli: click.Group) -> None:
    cli.add_command(rights)
