"""``disputeflow plugins``: what is installed and what it can do; ``disputeflow plugin new``:
a new marketplace plugin to start from (docs/writing-a-plugin.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from disputeflow.cli.state import CliState, emit_json, json_option, pass_state
from disputeflow.kit import SIGNATURE_SCHEMES, PluginNames, write_plugin


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


@click.group("plugin")
def plugin_group() -> None:
    """Write a new plugin."""


@plugin_group.command("new")
@click.argument("name")
@click.option(
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write it (new or empty; default: ./disputeflow-NAME).",
)
@click.option(
    "--signature",
    type=click.Choice(sorted(SIGNATURE_SCHEMES)),
    default="hmac-hex",
    show_default=True,
    help="How the platform signs its webhooks: an HMAC-SHA256 of the body in hex or base64, "
    "or Standard Webhooks (id, time and body signed, replays refused).",
)
@pass_state
def new(state: CliState, name: str, directory: Path | None, signature: str) -> None:
    """Write an installable marketplace plugin NAME that passes the conformance kit."""
    names = PluginNames.of(name)
    manager = state.manager()
    if name in manager.marketplaces() or manager.get_plugin(name) is not None:
        raise click.ClickException(
            f"a plugin or marketplace named {name!r} is already installed "
            "(see `disputeflow plugins list`): choose another name"
        )
    target = directory if directory is not None else Path(names.dist)
    written = write_plugin(name, target, signature=signature)
    click.echo(f"wrote {len(written)} files to {target}/ ({names.dist}, marketplace {name!r})")
    click.echo(f"next: pip install -e '{target}[test]' && pytest {target}")
    click.echo("then: disputeflow plugins list   (see docs/writing-a-plugin.md)")


def register(cli: click.Group) -> None:
    cli.add_command(plugins_group)
    cli.add_command(plugin_group)
