"""``disputeflow sync``: poll the platforms now, with live progress on stderr.

Progress is one line per connection, rewritten in place on a terminal and printed one
line per page otherwise (so logs and pipes stay readable). The summary goes to stdout;
``--json`` prints ``{"items": [reports], "next_cursor": null}``. The exit status is 1 when
any object failed to merge (its page is fetched again on the next sync) or a sync failed.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import IO, Any

import click

from disputeflow.cli.state import CliState, emit_json, json_option, pass_state
from disputeflow.core.errors import DisputeflowError, InvalidInputError, UnsupportedError
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import connections as store
from disputeflow.engine.sync import SyncReport, sync_connection


@dataclass(frozen=True)
class Target:
    """A connection to sync."""

    id: str
    name: str
    platform: str


class ProgressLine:
    """Shows a running :class:`SyncReport`: in place on a terminal, a line per page if not."""

    def __init__(self, label: str, stream: IO[str] | None = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.in_place = _is_tty(self.stream)
        self.width = 0

    def __call__(self, report: SyncReport) -> None:
        line = (
            f"{self.label}: page {report.pages}, {report.seen} seen "
            f"(created {report.created}, updated {report.updated}, "
            f"unchanged {report.unchanged}, failed {report.failed}"
            + (f", dropped {report.dropped})" if report.dropped else ")")
        )  # dropped: update-only snapshots that found no case
        if self.in_place:
            padding = " " * max(0, self.width - len(line))
            self.width = len(line)
            self.stream.write(f"\r{line}{padding}")
        else:
            self.stream.write(f"{line}\n")
        self.stream.flush()

    def finish(self) -> None:
        """End the in-place line, so what follows starts on a line of its own."""
        if self.in_place and self.width:
            self.stream.write("\n")
            self.stream.flush()
        self.width = 0


def _is_tty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed or unusual stream: plain lines
        return False


def _targets(runtime: Runtime, connection_id: str | None) -> list[Target]:
    """The named connection (refused without polling), or every one that can poll."""
    markets = runtime.plugins.marketplaces()
    with runtime.database.session() as session:
        if connection_id is not None:
            rows = [store.get_row(session, connection_id)]
        else:
            rows = store.list_rows(session)
    if connection_id is not None:
        row = rows[0]
        market = runtime.plugins.marketplace(row.platform)  # a clear error if not installed
        if not market.capabilities.polling:
            raise UnsupportedError(
                f"connection {row.name!r}: the {row.platform} marketplace does not support "
                "polling (its cases arrive by webhook only)"
            )
    return [
        Target(row.id, row.name, row.platform)
        for row in rows
        if row.platform in markets and markets[row.platform].capabilities.polling
    ]


def _describe(target: Target, report: SyncReport, error: str | None) -> dict[str, Any]:
    return {
        "connection_id": target.id,
        "connection": target.name,
        "platform": target.platform,
        "pages": report.pages,
        "seen": report.seen,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "failed": report.failed,
        **({"dropped": report.dropped} if report.dropped else {}),
        "cursor": report.cursor,
        "error": error,
    }


def _summary(item: dict[str, Any]) -> str:
    head = f"{item['connection']} ({item['platform']}): "
    counts = (
        f"{item['pages']} page(s), created {item['created']}, updated {item['updated']}, "
        f"unchanged {item['unchanged']}, failed {item['failed']}"
    )
    if item["error"]:
        return f"{head}sync stopped: {item['error']} ({counts})"
    return head + counts


def _run(runtime: Runtime, target: Target, since: str | None) -> dict[str, Any]:
    """Sync one connection; a platform or plugin error is reported, not raised."""
    progress = ProgressLine(target.name)
    report = SyncReport(connection_id=target.id)

    def show(current: SyncReport) -> None:
        nonlocal report
        report = current
        progress(current)

    error = None
    try:
        report = sync_connection(runtime, target.id, since=since, progress=show)
    except DisputeflowError as failure:
        error = failure.message
    finally:
        progress.finish()
    return _describe(target, report, error)


@click.command("sync")
@click.option("--connection", "connection_id", help="Only this connection (id or name).")
@click.option("--since", help="Start from this platform cursor, not the saved one.")
@json_option
@pass_state
@click.pass_context
def sync(
    ctx: click.Context,
    state: CliState,
    connection_id: str | None,
    since: str | None,
    as_json: bool,
) -> None:
    """Fetch what changed on the platforms now (every connection that can poll)."""
    if since is not None and connection_id is None:
        raise InvalidInputError("--since needs --connection (a cursor belongs to one connection)")
    runtime = state.runtime()
    targets = _targets(runtime, connection_id)
    if not targets and not as_json:
        click.echo("no connection of a marketplace that supports polling", err=True)
    items = []
    for target in targets:
        item = _run(runtime, target, since)
        items.append(item)
        if not as_json:
            click.echo(_summary(item))
    if as_json:
        emit_json({"items": items, "next_cursor": None})
    if any(item["failed"] or item["error"] for item in items):
        click.echo("some objects did not sync; the next sync fetches them again", err=True)
        ctx.exit(1)


def register(cli: click.Group) -> None:
    cli.add_command(sync)
