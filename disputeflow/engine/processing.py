"""Turning stored deliveries into case changes, exactly once in effect.

Each delivery is claimed (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers on many
hosts share the queue), translated and merged inside a savepoint, and its status is
committed in the same transaction as the case changes it caused. A worker killed midway
commits nothing for that delivery, which is simply claimed again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from disputeflow.core.clock import utcnow
from disputeflow.core.effects import (
    ConnectionStateChange,
    OrderRefund,
    Translation,
)
from disputeflow.core.errors import SnapshotError
from disputeflow.core.marketplace import Connection
from disputeflow.core.merge import MergeResult
from disputeflow.core.snapshot import CaseSnapshot
from disputeflow.engine import order_refunds
from disputeflow.engine.ingest import merge_into_store, notify
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import deliveries
from disputeflow.engine.store.connections import set_state
from disputeflow.engine.store.tables import ConnectionRow, DeliveryRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failing delivery or action is tried again."""

    max_attempts: int = 5
    backoff_seconds: Sequence[float] = (10, 60, 300, 1800, 7200)


DEFAULT_POLICY = RetryPolicy()


@dataclass
class BatchReport:
    """What one batch did."""

    processed: int = 0
    failed: int = 0
    dropped: int = 0  # update-only snapshots that found no case (not an error)
    results: list[MergeResult] = field(default_factory=list)


def process_deliveries(
    runtime: Runtime,
    *,
    limit: int = 20,
    now: datetime | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> BatchReport:
    """Process up to ``limit`` due deliveries, each in a transaction of its own.

    One delivery per transaction keeps locks short: a transaction holds one delivery and
    the one case it changes, so workers never deadlock on each other's batches, and
    SQLite's single writer is released between deliveries.
    """
    now = now or utcnow()
    report = BatchReport()
    connections: dict[str, Connection] = {}
    for _ in range(limit):
        results: list[MergeResult] = []
        with runtime.database.session() as session:
            claimed = deliveries.claim_due(session, now, 1)
            if not claimed:
                break
            row = claimed[0]
            try:
                results, dropped = _process_one(session, runtime, row, connections)
            except Exception as error:  # kept as failed with its reason, never lost
                deliveries.mark_failed(
                    row, _describe(error), now, policy.backoff_seconds, policy.max_attempts
                )
                log.warning("delivery %s failed (attempt %s): %s", row.id, row.attempts, error)
                report.failed += 1
            else:
                deliveries.mark_done(row, now)
                report.processed += 1
                report.dropped += dropped
        notify(runtime.plugins, results)
        report.results += results
    return report


def _process_one(
    session: Session, runtime: Runtime, row: DeliveryRow, connections: dict[str, Connection]
) -> tuple[list[MergeResult], int]:
    """Translate and merge one delivery inside a savepoint (retried once on a create race);
    return the changes and how many update-only snapshots found no case."""
    for attempt in (1, 2):
        try:
            with session.begin_nested():
                connection = connections.get(row.connection_id)
                if connection is None:
                    connection_row = session.get(ConnectionRow, row.connection_id)
                    assert connection_row is not None  # deliveries cascade with connections
                    connection = connections[row.connection_id] = runtime.connection(connection_row)
                marketplace = runtime.plugins.marketplace(row.platform)
                items = marketplace.translate_delivery(connection, deliveries.to_stored(row))
                results: list[MergeResult] = []
                dropped = 0
                for item in items:
                    applied = _apply(session, runtime, row, item)
                    if applied is None:
                        dropped += 1
                    else:
                        results += applied
                return results, dropped
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _apply(
    session: Session, runtime: Runtime, row: DeliveryRow, item: Translation
) -> list[MergeResult] | None:
    """Merge a snapshot, or apply an effect; return the case changes to announce (``None``:
    an update-only snapshot without a case, dropped)."""
    if isinstance(item, CaseSnapshot):
        merged = merge_into_store(
            session, runtime.plugins, row.connection_id, item, rules=runtime.rules
        )
        return [merged] if merged is not None else None
    if isinstance(item, OrderRefund):
        return order_refunds.record(session, row.connection_id, item)
    if isinstance(item, ConnectionStateChange):
        connection = session.get(ConnectionRow, row.connection_id)
        changed_at = connection.state_changed_at if connection else None
        if connection is not None and (changed_at is None or changed_at <= item.at):
            set_state(connection, item.state, item.reason)
        return []
    handled = runtime.plugins.hook.disputeflow_apply_effect(
        session=session,
        settings=runtime.settings,
        connection_id=row.connection_id,
        effect=item,
        delivery_id=row.id,
    )
    if handled:
        return []
    raise SnapshotError(f"the {row.platform} plugin returned {item!r}, not a snapshot or effect")


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"
