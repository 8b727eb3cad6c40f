"""``disputeflow tokens``: API tokens with roles."""

from __future__ import annotations

import click

from disputeflow.cli.state import CliState, emit_json, json_option, pass_state
from disputeflow.core.clock import to_rfc3339
from disputeflow.core.taxonomy import Role
from disputeflow.engine.store import sessions
from disputeflow.engine.store import tokens as store


@click.group("tokens")
def tokens_group() -> None:
    """Create, list and revoke API tokens."""


@tokens_group.command("create")
@click.option("--name", required=True, help="Who or what uses the token.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.AGENT.value,
    show_default=True,
    help="viewer reads, agent acts on cases, admin manages everything.",
)
@json_option
@pass_state
def create(state: CliState, name: str, role: str, as_json: bool) -> None:
    """Create a token; it is printed once and cannot be shown again."""
    with state.runtime().database.session() as session:
        issued = store.create(session, name=name, role=Role(role))
    if as_json:
        emit_json(
            {"id": issued.id, "name": issued.name, "role": str(issued.role), "token": issued.token}
        )
        return
    click.echo(f"token {issued.id} ({issued.role}) for {name}:")
    click.echo(issued.token)
    click.echo("Store it now: it is not shown again.")


@tokens_group.command("list")
@json_option
@pass_state
def list_(state: CliState, as_json: bool) -> None:
    """List tokens (never their secrets)."""
    with state.runtime().database.session() as session:
        items = [
            {
                "id": r.id,
                "name": r.name,
                "role": r.role,
                "prefix": r.prefix,
                "created_at": to_rfc3339(r.created_at),
                "last_used_at": to_rfc3339(r.last_used_at) if r.last_used_at else None,
                "revoked": r.revoked_at is not None,
            }
            for r in store.list_rows(session)
        ]
    if as_json:
        emit_json({"items": items, "next_cursor": None})
        return
    for item in items:
        state_text = "revoked" if item["revoked"] else "active"
        click.echo(f"{item['id']}  {item['role']:<7} {state_text:<8} {item['name']}")


@tokens_group.command("revoke")
@click.argument("token_id")
@pass_state
def revoke(state: CliState, token_id: str) -> None:
    """Revoke a token by id."""
    with state.runtime().database.session() as session:
        row = store.revoke(session, token_id)
    click.echo(f"token {row.id} ({row.name}) revoked")


@click.group("sessions")
def sessions_group() -> None:
    """List and end the workspace's signed-in sessions."""


@sessions_group.command("list")
@json_option
@pass_state
def list_sessions(state: CliState, as_json: bool) -> None:
    """Live sessions, most recently active first."""
    with state.runtime().database.session(readonly=True) as session:
        items = [
            {
                "id": r.id,
                "token_id": r.token_id,
                "client": r.client,
                "user_agent": r.user_agent,
                "created_at": to_rfc3339(r.created_at),
                "last_seen_at": to_rfc3339(r.last_seen_at),
            }
            for r in sessions.list_live(session)
        ]
    if as_json:
        emit_json({"items": items, "next_cursor": None})
        return
    for item in items:
        click.echo(f"{item['id']}  {item['token_id']}  {item['client']:<15} {item['last_seen_at']}")


@sessions_group.command("revoke")
@click.argument("session_id")
@pass_state
def revoke_session(state: CliState, session_id: str) -> None:
    """End a session: that browser is signed out at once."""
    with state.runtime().database.session() as session:
        sessions.revoke(session, session_id)
    click.echo(f"session {session_id} ended")


def register(cli: click.Group) -> None:
    cli.add_command(tokens_group)
    cli.add_command(sessions_group)
