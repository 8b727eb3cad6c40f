"""``disputeflow rules check``: validate a rules file before the service reads it."""

from __future__ import annotations

import click

from disputeflow.cli.state import CliState, emit_json, json_option, pass_state
from disputeflow.core.errors import ConfigurationError
from disputeflow.features.handling.rules_file import load_rules


@click.group("rules")
def rules_group() -> None:
    """The merchant's routing and automation rules (docs/handling.md)."""


@rules_group.command("check")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@json_option
@pass_state
def check(state: CliState, path: str | None, as_json: bool) -> None:
    """Validate PATH (default: --rules / DISPUTEFLOW_RULES) and summarise it; every problem
    is listed with its line and field."""
    target = path or state.settings().rules_path
    if target is None:
        raise ConfigurationError("name a rules file: disputeflow rules check FILE (or --rules)")
    rules = load_rules(target)
    summary = {
        "source": rules.source,
        "reporting_currency": rules.reporting_currency,
        "dry_run": rules.dry_run,
        "routes": [{"name": r.name, "queue": r.queue, "line": r.line} for r in rules.routes],
        "automation": [
            {
                "name": r.name,
                "action": r.action,
                "daily_limit": r.daily_limit,
                "dry_run": rules.is_dry_run(r),
                "line": r.line,
            }
            for r in rules.automation
        ],
        "alert_lead_hours": list(rules.deadlines.alert_lead_hours),
        "fees": {name: fees.to_dict() for name, fees in rules.fees.effective().items()},
    }
    if as_json:
        emit_json(summary)
        return
    click.echo(f"{rules.source}: valid")
    click.echo(f"  {len(rules.routes)} routing rule(s), {len(rules.automation)} automation rule(s)")
    for rule in rules.automation:
        mode = " (dry run)" if rules.is_dry_run(rule) else ""
        click.echo(f"  {rule.name}: {rule.action}, at most {rule.daily_limit} a day{mode}")
    for name, fees in rules.fees.effective().items():
        click.echo(f"  fees {name}: {fees}")


def register(cli: click.Group) -> None:
    cli.add_command(rules_group)
