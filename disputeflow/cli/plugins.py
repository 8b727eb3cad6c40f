"""``disputeflow plugins``: what is installed and what it can do."""

from __future__ import annotations

from typing import Any

import click

from disputeflow.cli.state import CliState, emit_json, json_option, pass_state


@click.group("plugins")
def plugins_group() -> None:
    """Inspect installed plugins."""


@plugins_group.command("list")
@json_option
@pass_state
def list_(state: CliState, as_json: bool) -> None:
    """List plugins with version, distribution, hooks and marketplace capabilities."""
    manager = state.manager()
    marketplaces = manager.marketplaces()
    items: list[dict[str, Any]] = [
        {
            "name": info.name,
            "version": info.version,
            "distribution": info.distribution,
            "hooks": list(info.hooks),
            "marketplaces": [
                {
                    "name": name,
                    "title": marketplaces[name].title,
                    "capabilities": marketplaces[name].capabilities.to_dict(),
                }
                for name in info.marketplaces
            ],
        }
        for info in manager.plugin_infos()
    ]
    errors = [
        {"name": e.name, "distribution": e.distribution, "error": e.error}
        for e in manager.load_errors
    ]
    if as_json:
        emit_json({"items": items, "errors": errors, "next_cursor": None})
        return
    for item in items:
        version = f" {item['version']}" if item["version"] else ""
        dist = f" ({item['distribution']}{version})" if item["distribution"] else " (built in)"
        click.echo(f"{item['name']}{dist}: {', '.join(item['hooks'])}")
        for market in item["marketplaces"]:
            actions = market["capabilities"]["actions"]
            summary = "; ".join(f"{k}: {', '.join(v)}" for k, v in actions.items()) or "none"
            click.echo(f"  marketplace {market['name']} ({market['title']}) actions: {summary}")
    for error in errors:
        click.echo(f"failed to load {error['name']}: {error['error']}", err=True)


def register(cli: click.Group) -> None:
    cli.add_command(plugins_group)
