"""Polling: the safety net for lost webhooks, and the only feed for some platforms.

Each connection of a marketplace that can poll has a cursor and an interval. A sync walks
the platform's pages of changed objects, merges each snapshot through the same path as
webhooks, and saves the cursor after each page, so memory stays flat and an interrupted
sync resumes where it stopped. A page with a failed snapshot does not move the cursor, so
the next sync fetches it again (merges are idempotent).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from disputeflow.core.clock import utcnow
from disputeflow.core.errors import (
    ConnectionInactiveError,
    ReauthorizationRequired,
    UnsupportedError,
)
from disputeflow.core.merge import MergeResult
from disputeflow.core.taxonomy import ConnectionState
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import connections
from disputeflow.engine.store.tables import ConnectionRow, SyncCursorRow

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = timedelta(minutes=15)
LEASE = timedelta(minutes=30)


@dataclass
class SyncReport:
    """What a sync did."""

    connection_id: str
    pages: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    dropped: int = 0  # update-only snapshots that found no case (not an error)
    cursor: str | None = None

    @property
    def seen(self) -> int:
        return self.created + self.updated + self.unchanged + self.failed + self.dropped


Progress = Callable[[SyncReport], None]


def sync_connection(
    runtime: Runtime,
    connection_id: str,
    *,
    since: str | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> SyncReport:
    """Sync one connection now, from ``since`` or its saved cursor; report the counts.

    ``now`` is when the sync counts as done (the next one is due an interval later).
    """
    with runtime.database.session() as session:
        row = connections.get_row(session, connection_id)
        connection = runtime.connection(row)
        saved = session.get(SyncCursorRow, row.id)
        cursor = since if since is not None else (saved.cursor if saved else None)
    marketplace = runtime.plugins.marketplace(row.platform)
    if not marketplace.capabilities.polling:
        raise UnsupportedError(f"{row.platform} does not support polling")
    _check_active(row)
    report = SyncReport(connection_id=row.id, cursor=cursor)
    cursor_moves = True
    for page in marketplace.list_changes(connection, cursor):
        report.pages += 1
        for snapshot in page.snapshots:
            try:
                result = ingest_snapshot(
                    runtime.database, runtime.plugins, row.id, snapshot, rules=runtime.rules
                )
            except Exception:
                log.exception("sync of %s: snapshot %s failed", row.id, snapshot.external_id)
                report.failed += 1
                cursor_moves = False
                continue
            _count(report, result)
        if cursor_moves and page.cursor is not None:  # None: the page names no new cursor
            report.cursor = page.cursor
            _save_cursor(runtime, row.id, page.cursor)
        if progress is not None:
            progress(report)
    _finish(runtime, row.id, failed=report.failed, now=now or utcnow())
    return report


def _check_active(row: ConnectionRow) -> None:
    if row.state != ConnectionState.ACTIVE:
        raise ConnectionInactiveError(
            f"connection {row.name!r} is {row.state}: {row.state_reason or 'install it again'}"
        )


def _count(report: SyncReport, result: MergeResult | None) -> None:
    if result is None:
        report.dropped += 1
    elif result.created:
        report.created += 1
    elif result.changed:
        report.updated += 1
    else:
        report.unchanged += 1


def _cursor_row(session: Session, connection_id: str) -> SyncCursorRow:
    row = session.get(SyncCursorRow, connection_id)
    if row is None:
        row = SyncCursorRow(
            connection_id=connection_id, interval_seconds=int(DEFAULT_INTERVAL.total_seconds())
        )
        session.add(row)
    return row


def _save_cursor(runtime: Runtime, connection_id: str, cursor: str | None) -> None:
    with runtime.database.session() as session:
        _cursor_row(session, connection_id).cursor = cursor


def _finish(runtime: Runtime, connection_id: str, *, failed: int, now: datetime) -> None:
    with runtime.database.session() as session:
        row = _cursor_row(session, connection_id)
        row.last_synced_at = now
        row.next_sync_at = now + timedelta(seconds=row.interval_seconds)
        row.lease_until = None
        row.last_error = f"{failed} object(s) failed" if failed else None


def run_due_syncs(runtime: Runtime, *, now: datetime | None = None) -> int:
    """Start the syncs whose time has come (one worker per connection, by lease)."""
    now = now or utcnow()
    polling = {
        name for name, market in runtime.plugins.marketplaces().items()
        if market.capabilities.polling
    }  # fmt: skip
    if not polling:
        return 0
    try:
        due = _claim_due(runtime, now, polling)
    except IntegrityError:  # another worker scheduled the same new connection first
        return 0
    for connection_id in due:
        try:
            sync_connection(runtime, connection_id, now=now)
        except Exception as error:
            log.warning("scheduled sync of %s failed: %s", connection_id, error)
            if isinstance(error, ReauthorizationRequired):
                runtime.set_connection_state(
                    connection_id, ConnectionState.NEEDS_REAUTH, error.message
                )
            with runtime.database.session() as session:
                row = _cursor_row(session, connection_id)
                row.last_error = f"{type(error).__name__}: {error}"
                row.next_sync_at = now + timedelta(seconds=row.interval_seconds)
                row.lease_until = None
    return len(due)


def _claim_due(runtime: Runtime, now: datetime, platforms: set[str]) -> list[str]:
    with runtime.database.session() as session:
        known = set(session.scalars(select(SyncCursorRow.connection_id)))
        candidates = session.scalars(
            select(ConnectionRow.id).where(
                ConnectionRow.platform.in_(platforms),
                ConnectionRow.state == ConnectionState.ACTIVE,
            )
        )
        for connection_id in candidates:
            if connection_id not in known:
                _cursor_row(session, connection_id).next_sync_at = now
        session.flush()
        query = (
            select(SyncCursorRow)
            .join(ConnectionRow, ConnectionRow.id == SyncCursorRow.connection_id)
            .where(
                ConnectionRow.platform.in_(platforms),
                ConnectionRow.state == ConnectionState.ACTIVE,
                SyncCursorRow.next_sync_at <= now,
                (SyncCursorRow.lease_until.is_(None)) | (SyncCursorRow.lease_until < now),
            )
            .with_for_update(skip_locked=True, of=SyncCursorRow)
        )
        claimed = list(session.scalars(query))
        for cursor_row in claimed:
            cursor_row.lease_until = now + LEASE
        return [cursor_row.connection_id for cursor_row in claimed]
