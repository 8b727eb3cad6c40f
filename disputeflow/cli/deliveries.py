"""``disputeflow deliveries``: what the platforms sent, and replaying what failed."""

from __future__ import annotations

import click

from disputeflow.cli.state import CliState, emit_json, json_option, pass_state
from disputeflow.core.clock import utcnow
from disputeflow.core.errors import InvalidInputError
from disputeflow.engine.store import deliveries as store


@click.group("deliveries")
def deliveries_group() -> None:
    """List and replay webhook deliveries."""


@deliveries_group.command("list")
@click.option("--status", type=click.Choice(store.STATUSES), help="Only this status.")
@click.option("--failed", is_flag=True, help="Only failed and dead deliveries.")
@click.option("--connection", "connection_id", help="Only this connection.")
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
@json_option
@pass_state
def list_(
    state: CliState,
    status: str | None,
    failed: bool,
    connection_id: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """List deliveries, newest first."""
    with state.runtime().database.session() as session:
        statuses = (store.FAILED, store.DEAD) if failed else (status,)
        items = []
        for wanted in statuses:
            rows, _ = store.list_rows(
                session, status=wanted, connection_id=connection_id, limit=limit
            )
            items += [store.describe(r) for r in rows]
    items.sort(key=lambda item: item["id"], reverse=True)
    if as_json:
        emit_json({"items": items[:limit], "next_cursor": None})
        return
    if not items:
        click.echo("no deliveries match")
    for item in items[:limit]:
        error = f"  {item['last_error']}" if item["last_error"] else ""
        click.echo(
            f"{item['id']}  {item['platform']:<11} {item['topic']:<24} "
            f"{item['status']:<8} attempts={item['attempts']}{error}"
        )


@deliveries_group.command("replay")
@click.argument("delivery_ids", nargs=-1)
@click.option("--failed", is_flag=True, help="Replay every failed and dead delivery.")
@pass_state
def replay(state: CliState, delivery_ids: tuple[str, ...], failed: bool) -> None:
    """Queue deliveries for processing again (a worker picks them up)."""
    if bool(delivery_ids) == failed:
        raise InvalidInputError("name delivery ids or pass --failed (not both)")
    with state.runtime().database.session() as session:
        count = store.replay(session, utcnow(), ids=delivery_ids, failed=failed)
    click.echo(f"queued {count} deliver{'y' if count == 1 else 'ies'} for processing")


def register(cli: click.Group) -> None:
    cli.add_command(deliveries_group)
