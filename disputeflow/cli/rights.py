"""``disputeflow rights``: a buyer's statutory return rights, the store's policy, the result;
``disputeflow rights list``: every country of the table with its sources."""

from __future__ import annotations

from typing import Any

import click

from disputeflow.cli.state import CliState, emit_json, json_option
from disputeflow.features.handling.policies import connection_store_policy, rights_report
from disputeflow.features.handling.rights import NONE, RIGHTS, UNKNOWN, all_rights

UNVERIFIED = "(not confirmed by the sources: verify before relying on it)"


def _days(value: int | None, none: str) -> str:
    return none if value is None else f"{value} days"


def _withdrawal(statutory: dict[str, Any]) -> str:
    """The withdrawal right in words: its period, or a known "none", or "unknown"."""
    if statutory["right"] == NONE:
        return (
            f"none: the law of {statutory['name']} gives no general right to withdraw "
            "from a distance sale"
        )
    if statutory["right"] == UNKNOWN:
        return "unknown: not confirmed in the sources (see the notes)"
    unit = "business days" if statutory["withdrawal_business_days"] else "days"
    text = f"{statutory['withdrawal_days']} {unit}"
    if statutory["only_without_store_policy"]:
        text += " (only when the store states no return policy)"
    return text + (f", from {statutory['clock']}" if statutory["clock"] else "")


def _echo_statutory(statutory: dict[str, Any]) -> None:
    click.echo(f"{statutory['name']} ({statutory['country']}): {statutory['law'] or 'no law'}")
    click.echo(f"  withdrawal: {_withdrawal(statutory)}")
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
        click.echo(f"  {UNVERIFIED}")


def _show(state: CliState, country: str, connection_id: str | None, as_json: bool) -> None:
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


@click.group("rights", invoke_without_command=True)
@click.option("--country", help="The buyer's country (ISO 3166-1 alpha-2).")
@click.option("--connection", "connection_id", help="Compare with this connection's policy.")
@json_option
@click.pass_context
def rights(
    ctx: click.Context, country: str | None, connection_id: str | None, as_json: bool
) -> None:
    """Show a buyer's statutory return rights, the store's policy and the effective window
    (`rights --country DE`); `rights list` prints every country with its sources."""
    if ctx.invoked_subcommand is not None:
        return
    if country is None:
        raise click.UsageError("give --country XX, or run `disputeflow rights list`")
    _show(ctx.obj, country, connection_id, as_json)


@rights.command("list")
@click.option(
    "--right", "only", type=click.Choice(RIGHTS), help="Only the countries whose law does this."
)
@json_option
def list_rights(only: str | None, as_json: bool) -> None:
    """Every country of the rights table: what its law grants for a distance sale, the law,
    when the period starts, and each source. "none" is a sourced answer, "unknown" is not."""
    rows = [r for r in all_rights().values() if only in (None, r.right)]
    if as_json:
        emit_json({"items": [r.to_dict() for r in rows], "count": len(rows)})
        return
    click.echo(f"{'COUNTRY':<8}{'NAME':<22}{'WITHDRAWAL':<18}LAW")
    for row in rows:
        mark = "" if row.verified else " *"
        click.echo(f"{row.country:<8}{row.name:<22}{row.describe() + mark:<18}{row.law}")
        if row.window_days(None) is not None and row.clock:
            click.echo(f"{'':<8}from: {row.clock}")
        for source in row.sources:
            click.echo(f"{'':<8}source: {source}")
    footnote = f"; * {UNVERIFIED}" if any(not row.verified for row in rows) else ""
    click.echo(f"{len(rows)} countries{footnote}")


def register(cli: click.Group) -> None:
    cli.add_command(rights)
