"""``disputeflow db``: schema migrations."""

from __future__ import annotations

import click

from disputeflow.cli.state import CliState, emit_json, json_option, pass_state
from disputeflow.engine.store import case_search, migrate


@click.group("db")
def db_group() -> None:
    """Manage the database schema."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@pass_state
def upgrade(state: CliState, revision: str) -> None:
    """Apply migrations (idempotent); needed once per release on PostgreSQL."""
    runtime = state.runtime(upgrade_embedded=False, check_schema=False)
    before = migrate.current_revision(runtime.database)
    search = migrate.upgrade(runtime.database, revision)
    after = migrate.current_revision(runtime.database)
    if before == after:
        click.echo(f"database already at revision {after}")
    else:
        click.echo(f"database upgraded from {before or 'empty'} to {after}")
    if search is not None:
        click.echo(search.message(), err=not search.indexed)


@db_group.command("current")
@json_option
@pass_state
def current(state: CliState, as_json: bool) -> None:
    """Show the schema revision of the database and the newest one known."""
    runtime = state.runtime(upgrade_embedded=False, check_schema=False)
    with runtime.database.engine.connect() as connection:
        search = case_search.status(connection)
    data = {
        "database": runtime.database.dialect,
        "revision": migrate.current_revision(runtime.database),
        "head": migrate.head_revision(),
        "search_indexed": search.indexed,
        "search": search.message(),
    }
    if as_json:
        emit_json(data)
    else:
        click.echo(f"{data['database']}: revision {data['revision']} (newest {data['head']})")
        click.echo(search.message())


def register(cli: click.Group) -> None:
    cli.add_command(db_group)
