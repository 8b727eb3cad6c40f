"""``disputeflow cases``: read the case flow from the terminal."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import click

from disputeflow.cli.state import CliState, echo_table, emit_json, json_option, pass_state
from disputeflow.core.clock import parse_rfc3339, to_rfc3339
from disputeflow.core.taxonomy import CaseKind, CaseStatus, Category
from disputeflow.engine.store import cases as store
from disputeflow.features.transparency.links import DEFAULT_DAYS, MAX_DAYS, case_link


def _choice(enum: type[StrEnum]) -> click.Choice[str]:
    return click.Choice([member.value for member in enum])


@click.group("cases")
def cases_group() -> None:
    """List and show cases."""


@cases_group.command("list")
@click.option("--platform")
@click.option("--connection", "connection_id", help="Connection id.")
@click.option("--kind", type=_choice(CaseKind))
@click.option("--status", type=_choice(CaseStatus))
@click.option("--category", type=_choice(Category))
@click.option("--queue", help="The queue routing put cases in.")
@click.option("--due-before", help="RFC 3339 time, e.g. 2026-12-01T00:00:00Z.")
@click.option("-q", "query", help="Search order, buyer, platform id and reason.")
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
@click.option("--cursor", help="Continue from a previous page's next_cursor.")
@json_option
@pass_state
def list_(state: CliState, limit: int, cursor: str | None, as_json: bool, **filters: str) -> None:
    """List cases, most recently changed first."""
    due_before = filters.pop("due_before")
    case_filter = store.CaseFilter(
        platform=filters["platform"],
        connection_id=filters["connection_id"],
        kind=filters["kind"],
        status=filters["status"],
        category=filters["category"],
        queue=filters["queue"],
        due_before=parse_rfc3339(due_before, field="--due-before") if due_before else None,
        q=filters["query"],
    )
    with state.runtime().database.session() as session:
        rows, next_cursor = store.list_rows(session, case_filter, limit=limit, cursor=cursor)
        items = [store.summary(row) for row in rows]
    if as_json:
        emit_json({"items": [c.to_dict() for c in items], "next_cursor": next_cursor})
        return
    if not items:
        click.echo("no cases match")
    else:
        table: list[tuple[str, ...]] = [
            (case.id, case.platform, case.kind, case.status, case.category,
             str(case.amount) if case.amount else "-",
             to_rfc3339(case.due_at) if case.due_at else "-") for case in items
        ]  # fmt: skip
        echo_table(("case", "platform", "kind", "status", "category", "amount", "due"), table)
    if next_cursor:
        click.echo(f"more: --cursor {next_cursor}")


@cases_group.command("show")
@click.argument("case_id")
@json_option
@pass_state
def show(state: CliState, case_id: str, as_json: bool) -> None:
    """Show one case with its deadlines and timeline."""
    runtime = state.runtime()
    with runtime.database.session() as session:
        case = store.get(session, case_id)
    runtime.fill_allowed_actions(case)
    if as_json:
        emit_json(case.to_dict())
        return
    data = case.to_dict()
    for key in (
        "id",
        "platform",
        "external_id",
        "kind",
        "category",
        "status",
        "outcome",
        "must_act",
        "due_at",
        "amount",
        "refunded",
        "queue",
        "allowed_actions",
    ):
        value = data[key]
        if isinstance(value, dict) and "currency" in value:
            value = f"{value['value']} {value['currency']}"
        click.echo(f"{key}: {value}")
    _echo_handling(case.extra)
    click.echo("timeline:")
    for entry in case.timeline:
        click.echo(f"  {to_rfc3339(entry.at)}  {entry.actor:<8} {entry.summary}")


def _echo_handling(extra: dict[str, Any]) -> None:
    """Triage's results: priority, and a return's windows under the store and the law."""
    if "priority" in extra:
        click.echo(f"priority: {extra['priority'].get('score')}")
    policy = extra.get("policy")
    if policy:
        flag = " (store policy below the statutory minimum)" if policy["below_statutory"] else ""
        click.echo(
            f"return window: {policy['effective_window_days']} days in "
            f"{policy['jurisdiction']} (store {policy['store_window_days']}, law "
            f"{policy['statutory_window_days']}){flag}; within: {policy['within_window']}"
        )


@cases_group.command("buyer-link")
@click.argument("case_id")
@click.option(
    "--days", type=click.IntRange(1, MAX_DAYS), default=DEFAULT_DAYS, show_default=True,
    help="How long the link works.",
)  # fmt: skip
@json_option
@pass_state
def buyer_link(state: CliState, case_id: str, days: int, as_json: bool) -> None:
    """Print a signed, expiring link to the case's buyer page (send it to the buyer only)."""
    runtime = state.runtime()
    with runtime.database.session(readonly=True) as session:
        store.get(session, case_id)  # a clear error for an unknown case
    url, expires_at = case_link(runtime.secrets, runtime.settings.public_url, case_id, days=days)
    if as_json:
        emit_json({"case_id": case_id, "url": url, "expires_at": to_rfc3339(expires_at)})
        return
    click.echo(url)
    click.echo(f"expires {to_rfc3339(expires_at)}", err=True)


def register(cli: click.Group) -> None:
    cli.add_command(cases_group)
