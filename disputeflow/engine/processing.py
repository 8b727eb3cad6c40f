"""Turning stored deliveries into case changes, exactly once in effect.

A worker claims several due deliveries in one round trip (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so workers on many hosts share the queue) and processes them as one group: one
transaction, every status written with the case changes it caused, one commit for the
group. The group runs optimistically, without a savepoint per delivery; if a delivery
fails, the whole transaction rolls back and the group runs again with each delivery in a
savepoint of its own, where a failing one rolls back only its savepoint and is kept as
failed with its reason. A worker killed midway commits nothing of its group, which is
simply claimed again.

Workers never deadlock on each other's groups. On PostgreSQL, a delivery after a group's
first whose case another worker holds is left due at once (``SKIP LOCKED`` finds it held;
nothing is rolled back); any other lock is waited for at most :data:`LOCK_WAIT_MS`, past
which the group rolls back and the deliveries before it run again without it. A delivery
left due comes again in a later group, first if need be, where it may wait as long as it
needs while holding nothing else. The audit lanes are locked last, at commit, in one
order. A group ends after :data:`GROUP_SECONDS`, so SQLite's one writer lock is never held
long.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from disputeflow.core.clock import utcnow
from disputeflow.core.effects import (
    ConnectionStateChange,
    OrderRefund,
    Translation,
)
from disputeflow.core.errors import NotFoundError, SnapshotError
from disputeflow.core.marketplace import Connection
from disputeflow.core.merge import MergeResult
from disputeflow.core.snapshot import CaseSnapshot
from disputeflow.engine import order_refunds
from disputeflow.engine.ingest import merge_into_store, notify
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import cases, deferred, deliveries
from disputeflow.engine.store.connections import set_state
from disputeflow.engine.store.tables import ConnectionRow

log = logging.getLogger(__name__)

GROUP_SIZE = 50  # deliveries claimed and committed together, at most
GROUP_SECONDS = 0.05  # a group takes no more deliveries after this long
LOCK_WAIT_MS = 20  # PostgreSQL: how long a delivery after a group's first waits for a lock
_LOCK_CONFLICTS = ("55P03", "40P01")  # lock_not_available, deadlock_detected


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
    group_size: int = GROUP_SIZE,
) -> BatchReport:
    """Process up to ``limit`` due deliveries, in groups of up to ``group_size`` that are
    each one transaction (see the module's docstring)."""
    now = now or utcnow()
    report = BatchReport()
    while (left := limit - report.processed - report.failed) > 0:
        if not _process_group(runtime, min(left, group_size), now, policy, report):
            break
    return report


class _Redo(Exception):
    """The delivery at ``position`` of an optimistic group failed: the group rolls back."""

    def __init__(self, position: int) -> None:
        super().__init__(position)
        self.position = position


@dataclass
class _Memo:
    """What a group's runs share: connections read, and each delivery's translation (or
    the error it raised), so a run again never calls the platform again."""

    connections: dict[str, Connection] = field(default_factory=dict)
    translations: dict[str, Sequence[Translation] | Exception] = field(default_factory=dict)


def _process_group(
    runtime: Runtime, size: int, now: datetime, policy: RetryPolicy, report: BatchReport
) -> bool:
    """Claim up to ``size`` deliveries and process them in one transaction; whether any
    were due. Optimistic first, without a savepoint per delivery. When one fails the
    transaction rolls back (nothing of it is kept) and: after a clash with another worker
    (its lock, or the case it created just now), the deliveries before it run again, and
    it heads a later group, where it may wait; otherwise the group runs again with a
    savepoint each, so one bad delivery never loses the others."""
    memo = _Memo()
    try:
        return _run_group(runtime, size, now, policy, report, memo, savepoints=False)
    except _Redo as redo:
        cause = redo.__cause__
        log.debug("delivery %s of a group failed: %s", redo.position, type(cause).__name__)
        if redo.position and _clash(cause):
            try:
                return _run_group(
                    runtime, redo.position, now, policy, report, memo, savepoints=False
                )
            except _Redo:
                pass
        return _run_group(runtime, size, now, policy, report, memo, savepoints=True)


def _clash(error: BaseException | None) -> bool:
    """Whether ``error`` came from another worker's work: a lock it holds, or a case it
    created after this one found none (a redo merges into it)."""
    if isinstance(error, OperationalError):
        return _lock_conflict(error)
    return isinstance(error, IntegrityError | cases.CaseHeld)


@dataclass
class _Run:
    """One run of a claimed group: what its steps share."""

    session: Session
    runtime: Runtime
    now: datetime
    policy: RetryPolicy
    memo: _Memo
    group: BatchReport = field(default_factory=BatchReport)  # counted once committed


def _run_group(
    runtime: Runtime,
    size: int,
    now: datetime,
    policy: RetryPolicy,
    report: BatchReport,
    memo: _Memo,
    *,
    savepoints: bool,
) -> bool:
    with runtime.database.session() as session:
        run = _Run(session, runtime, now, policy, memo)
        claimed = deliveries.claim_due(session, now, size)
        done = _run_claimed(run, claimed, True) if savepoints else _run_deferring(run, claimed)
        deliveries.mark_done(session, done, now)
        run.group.processed = len(done)
        _lock_wait(session, 0)  # the audit lanes, at commit, may be waited for
    notify(runtime.plugins, run.group.results)
    for name in ("processed", "failed", "dropped", "results"):
        setattr(report, name, getattr(report, name) + getattr(run.group, name))
    return bool(claimed)


def _run_deferring(run: _Run, claimed: Sequence[Any]) -> list[str]:
    """The optimistic run, its snapshots and timeline entries written together at its end
    (:mod:`~disputeflow.engine.store.deferred`); a failure there redoes the group with a
    savepoint each, where every delivery's rows are written before its savepoint ends."""
    connection = run.session.connection()
    with deferred.deferring(connection):
        done = _run_claimed(run, claimed, False)
        try:
            deferred.write(connection)
        except Exception as error:
            raise _Redo(0) from error
    return done


def _run_claimed(run: _Run, claimed: Sequence[Any], savepoints: bool) -> list[str]:
    """Each claimed delivery in turn, until :data:`GROUP_SECONDS` have passed; the ids of
    those done (the failed ones are marked so here)."""
    session, started = run.session, time.monotonic()
    done: list[str] = []
    session.info[cases.LOCK_NEW] = True  # two workers never create one case at once
    for position, row in enumerate(claimed):
        if position and time.monotonic() - started > GROUP_SECONDS:
            break  # the rest stay due for the next group
        if position == 1:  # from now on, another worker's case is left, not waited for
            _lock_wait(session, LOCK_WAIT_MS)
            session.info[cases.SKIP_HELD] = True
        outcome = _attempt(
            session, run.runtime, row, run.memo, position=position, savepoint=savepoints
        )
        if outcome is None:
            continue  # a case another worker holds: left due, for a later group
        if isinstance(outcome, Exception):
            _failed(session, row, outcome, run.now, run.policy)
            run.group.failed += 1
            continue
        run.group.results += outcome[0]
        run.group.dropped += outcome[1]
        done.append(row.id)
    return done


_LOCK_WAITS = {ms: text(f"SET LOCAL lock_timeout = {ms}") for ms in (0, LOCK_WAIT_MS)}
deferred.unaffected(*_LOCK_WAITS.values())


def _lock_wait(session: Session, milliseconds: int) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_LOCK_WAITS[milliseconds])


def _attempt(
    session: Session,
    runtime: Runtime,
    row: Any,
    memo: _Memo,
    *,
    position: int,
    savepoint: bool,
) -> tuple[list[MergeResult], int] | Exception | None:
    """One delivery (in its savepoint when ``savepoint``): its changes, the error it failed
    with, or ``None`` when it met another worker's lock or case (never for a group's first
    delivery): left due, for a later group. Without a savepoint any error raises
    :class:`_Redo` instead."""
    try:
        if not savepoint:
            changes = _translate(session, runtime, row, memo)
            session.flush()  # its ORM changes fail here, on it, never at the group's commit
            return changes
        return _process_one(session, runtime, row, memo)
    except Exception as error:  # kept as failed with its reason, never lost
        if not savepoint:
            raise _Redo(position) from error
        if position and _clash(error) and not isinstance(error, IntegrityError):
            return None  # another worker's lock (or its case, held)
        return error


def _lock_conflict(error: OperationalError) -> bool:
    return getattr(error.orig, "sqlstate", None) in _LOCK_CONFLICTS


def _failed(
    session: Session, row: Any, error: Exception, now: datetime, policy: RetryPolicy
) -> None:
    attempts = deliveries.mark_failed(
        session, row, _describe(error), now, policy.backoff_seconds, policy.max_attempts
    )
    log.warning("delivery %s failed (attempt %s): %s", row.id, attempts, error)


def _connection(
    session: Session, runtime: Runtime, connection_id: str, connections: dict[str, Connection]
) -> Connection:
    """The delivery's connection, read once per group (from the runtime's cache while its
    stored version is unchanged)."""
    connection = connections.get(connection_id)
    if connection is None:
        connection = runtime.connections.get(session, connection_id)
        if connection is None:  # deliveries cascade with their connection
            raise NotFoundError(f"no connection {connection_id!r}")
        connections[connection_id] = connection
    return connection


def _process_one(
    session: Session, runtime: Runtime, row: Any, memo: _Memo
) -> tuple[list[MergeResult], int] | None:
    """:func:`_translate` inside a savepoint (retried once on a create race)."""
    for attempt in (1, 2):
        try:
            with session.begin_nested():
                return _translate(session, runtime, row, memo)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _translate(
    session: Session, runtime: Runtime, row: Any, memo: _Memo
) -> tuple[list[MergeResult], int] | None:
    """Translate and merge one delivery; return the changes and how many update-only
    snapshots found no case (``None``: its case is another worker's, nothing written)."""
    results: list[MergeResult] = []
    dropped = 0
    for index, item in enumerate(_translation(session, runtime, row, memo)):
        try:
            applied = _apply(session, runtime, row, item)
        except cases.CaseHeld:
            if index:
                raise  # some of the delivery is written: the caller rolls it back
            return None  # nothing of it written: left due, for a later group
        if applied is None:
            dropped += 1
        else:
            results += applied
    return results, dropped


def _translation(
    session: Session, runtime: Runtime, row: Any, memo: _Memo
) -> Sequence[Translation]:
    """The plugin's translation of the delivery, asked once per group (it may call the
    platform); the error it raised, raised again."""
    found = memo.translations.get(row.id)
    if found is None:
        connection = _connection(session, runtime, row.connection_id, memo.connections)
        marketplace = runtime.plugins.marketplace(row.platform)
        try:
            found = list(marketplace.translate_delivery(connection, deliveries.to_stored(row)))
        except Exception as error:
            found = error
        memo.translations[row.id] = found
    if isinstance(found, Exception):
        raise found
    return found


def _apply(
    session: Session, runtime: Runtime, row: Any, item: Translation
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
