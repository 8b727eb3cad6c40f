"""``disputeflow connections``: the merchant accounts disputeflow listens to."""

from __future__ import annotations

from typing import Any

import click

from disputeflow.cli.state import CliState, emit_json, json_option, pass_state
from disputeflow.core.clock import to_rfc3339
from disputeflow.core.errors import InvalidInputError
from disputeflow.engine import install_links
from disputeflow.engine.store import connections as store


def _parse_settings(pairs: tuple[str, ...]) -> dict[str, str]:
    settings: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInputError(f"--set takes key=value, got {pair!r}")
        settings[key.strip()] = value
    return settings


@click.group("connections")
def connections_group() -> None:
    """Add, list, show, update and remove marketplace connections."""


@connections_group.command("add")
@click.argument("platform")
@click.option("--name", required=True, help="A unique name, e.g. 'eu-shop'.")
@click.option("--set", "pairs", multiple=True, metavar="KEY=VALUE", help="A setting (repeat).")
@json_option
@pass_state
def add(state: CliState, platform: str, name: str, pairs: tuple[str, ...], as_json: bool) -> None:
    """Connect a marketplace account; settings are checked by the marketplace's plugin."""
    described = state.runtime().add_connection(platform, name, _parse_settings(pairs))
    if as_json:
        emit_json(described)
        return
    click.echo(f"connection {described['id']} ({platform}, {name}) added")
    click.echo(f"webhook URL: {described['webhook_url']}")
    if described.get("next_step"):
        click.echo(f"next step: {described['next_step']}")


@connections_group.command("list")
@click.option("--platform", help="Only this marketplace.")
@json_option
@pass_state
def list_(state: CliState, platform: str | None, as_json: bool) -> None:
    """List connections."""
    runtime = state.runtime()
    with runtime.database.session() as session:
        items = [
            runtime.describe_connection(r) for r in store.list_rows(session, platform=platform)
        ]
    if as_json:
        emit_json({"items": items, "next_cursor": None})
        return
    if not items:
        click.echo("no connections yet: disputeflow connections add PLATFORM --name NAME ...")
    for item in items:
        flag = "" if item["state"] == "active" else f"  [{item['state']}]"
        demo = "  [demo]" if item.get("demo") else ""
        click.echo(f"{item['id']}  {item['platform']:<12} {item['name']}{demo}{flag}")


@connections_group.command("show")
@click.argument("connection_id")
@json_option
@pass_state
def show(state: CliState, connection_id: str, as_json: bool) -> None:
    """Show one connection (by id or name) and where its setup stands; secrets are never
    printed, only whether each is set."""
    runtime = state.runtime()
    with runtime.database.session() as session:
        item = runtime.describe_connection(store.get_row(session, connection_id))
    if as_json:
        emit_json(item)
        return
    for key in ("id", "platform", "name", "state", "webhook_url", "created_at"):
        click.echo(f"{key}: {item[key]}")
    if item["state"] != "active":
        click.echo(f"why: {item['state_reason'] or 'not given'}")
    for line in status_lines(item):
        click.echo(line)
    for key, value in sorted(item["settings"].items()):
        click.echo(f"settings.{key}: {value}")
    for key in item["secrets"]:
        given = "******** (encrypted)" if key in item["secrets_set"] else "not set"
        click.echo(f"settings.{key}: {given}")
    policy = item["policy"]
    if policy["store_window_days"] is not None:
        click.echo(f"return policy: {policy['store_window_days']} days ({policy['source']})")
    if policy["below_statutory_in"]:
        countries = ", ".join(policy["below_statutory_in"])
        click.echo(f"return policy below the statutory minimum for buyers in: {countries}")


def status_lines(item: dict[str, Any]) -> list[str]:
    """Authorised or not (with the URL that authorises), what arrived, what failed, and
    the next step."""
    authorised = {True: "yes", False: "no", None: "nothing to authorise"}[item["authorised"]]
    lines = [f"authorised: {authorised}"]
    if item.get("install_url"):
        verb = "authorise" if item["state"] == "active" else "fix"
        lines.append(f"to {verb} it, open: {item['install_url']}")
    verified = item["webhook_verified_at"]
    lines.append(f"webhooks verified: {f'yes, {verified}' if verified else 'no'}")
    lines.append(f"last delivery: {item['last_delivery_at'] or 'none yet'}")
    lines.append(f"last sync: {item['last_sync_at'] or 'never'}")
    errors = [item["last_sync_error"]] if item["last_sync_error"] else []
    if item["rejected_deliveries"]:
        errors.append(
            f"{item['rejected_deliveries']} delivery(ies) rejected (a bad signature or "
            f"secret), the last at {item['last_rejected_at']}"
        )
    lines.append(f"last error: {'; '.join(errors) or 'none'}")
    if item.get("next_step"):
        lines.append(f"next step: {item['next_step']}")
    return lines


@connections_group.command("update")
@click.argument("connection_id")
@click.option("--set", "pairs", multiple=True, metavar="KEY=VALUE", help="A setting (repeat).")
@click.option("--unset", "unset", multiple=True, metavar="KEY", help="Remove a setting (repeat).")
@json_option
@pass_state
def update(
    state: CliState, connection_id: str, pairs: tuple[str, ...], unset: tuple[str, ...],
    as_json: bool,
) -> None:  # fmt: skip
    """Change a connection's settings (checked by its marketplace's plugin), keeping the
    connection and every case: rotate a secret, add a token, fix a URL."""
    changes = _parse_settings(pairs)
    described = state.runtime().change_connection_settings(connection_id, changes, unset)
    if as_json:
        emit_json(described)
        return
    done = [f"set {', '.join(sorted(changes))}"] if changes else []
    done += [f"unset {', '.join(sorted(unset))}"] if unset else []
    click.echo(f"connection {described['id']} ({described['name']}) updated: {'; '.join(done)}")
    if described.get("next_step"):
        click.echo(f"next step: {described['next_step']}")


@connections_group.command("remove")
@click.argument("connection_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_state
def remove(state: CliState, connection_id: str, yes: bool) -> None:
    """Remove a connection and every case and delivery it brought in."""
    runtime = state.runtime()
    with runtime.database.session(readonly=True) as session:
        row = store.get_row(session, connection_id)  # an unknown id says so before asking
        found, name = row.id, row.name
    if not yes:
        click.confirm(f"Remove {found} ({name}) with all its cases?", abort=True)
    with runtime.database.session() as session:
        row = store.delete(session, found)
        click.echo(f"connection {row.id} ({row.name}) removed")


@connections_group.command("register-webhooks")
@click.argument("connection_id")
@json_option
@pass_state
def register_webhooks(state: CliState, connection_id: str, as_json: bool) -> None:
    """Subscribe the platform to this connection's webhook URL (keys made by hand)."""
    runtime = state.runtime()
    with runtime.database.session(readonly=True) as session:
        row = store.get_row(session, connection_id)
        connection = runtime.connection(row)
    topics = runtime.marketplace_of(row).register_webhooks(connection)
    if as_json:
        emit_json({"connection_id": row.id, "webhook_url": connection.webhook_url,
                   "topics": topics})  # fmt: skip
        return
    click.echo(f"{len(topics)} topic(s) now deliver to {connection.webhook_url}:")
    for topic in topics:
        click.echo(f"  {topic}")


@connections_group.command("install-link")
@click.argument("platform")
@click.option("--shop", "account", required=True, help="The account, e.g. acme.myshopify.com.")
@click.option("--minutes", default=60, show_default=True, type=click.IntRange(1, 7 * 24 * 60))
@json_option
@pass_state
def install_link(state: CliState, platform: str, account: str, minutes: int, as_json: bool) -> None:
    """A signed, expiring link that installs the app into one store (send it to the
    merchant; unsigned installs are refused)."""
    runtime = state.runtime()
    marketplace = runtime.plugins.marketplace(platform)
    if not marketplace.capabilities.install:
        raise InvalidInputError(f"{platform} has no install flow: use connections add")
    url, expires_at = install_links.install_url(
        runtime.secrets, runtime.settings.public_url, marketplace, account.strip().lower(),
        minutes=minutes,
    )  # fmt: skip
    if as_json:
        emit_json({"url": url, "expires_at": to_rfc3339(expires_at)})
        return
    click.echo(url)
    click.echo(f"valid until {to_rfc3339(expires_at)}", err=True)


def register(cli: click.Group) -> None:
    cli.add_command(connections_group)
