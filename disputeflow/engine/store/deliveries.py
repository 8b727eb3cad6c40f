"""Webhook deliveries: stored raw before acknowledgement, claimed by workers, never deleted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from disputeflow.core.clock import to_rfc3339
from disputeflow.core.errors import InvalidInputError, NotFoundError
from disputeflow.core.marketplace import StoredDelivery, VerifiedDelivery
from disputeflow.engine.ids import new_id
from disputeflow.engine.store.db import connection_of
from disputeflow.engine.store.tables import DeliveryRow

PENDING, DONE, FAILED, DEAD = "pending", "done", "failed", "dead"
STATUSES = (PENDING, DONE, FAILED, DEAD)


_TABLE = cast(Table, DeliveryRow.__table__)
_INSERTED = (
    "id", "connection_id", "platform", "dedup_key", "topic", "headers", "body",
    "received_at", "status", "attempts", "next_attempt_at",
)  # fmt: skip


def _insert_statement(insert_: Any) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING RETURNING id``, built once per dialect with a
    bound parameter per column: each delivery only binds its values (no statement to
    build, no ORM bulk-insert machinery, one cached compiled form)."""
    return (
        insert_(_TABLE)
        .values({name: bindparam(name, type_=_TABLE.c[name].type) for name in _INSERTED})
        .on_conflict_do_nothing(index_elements=["connection_id", "dedup_key"])
        .returning(_TABLE.c.id)
    )


_INSERT = {"postgresql": _insert_statement(pg_insert), "sqlite": _insert_statement(sqlite_insert)}
_EXISTING = select(_TABLE.c.id).where(
    _TABLE.c.connection_id == bindparam("connection_id"),
    _TABLE.c.dedup_key == bindparam("dedup_key"),
)


def insert(
    session: Session | Connection,
    *,
    connection_id: str,
    platform: str,
    verified: VerifiedDelivery,
    body: bytes,
    received_at: datetime,
) -> tuple[str, bool]:
    """Store a verified delivery unless its dedup key was seen: ``(id, created)``.

    ``INSERT ... ON CONFLICT DO NOTHING``, so concurrent duplicates never raise. In the
    transaction of ``session``, or of a plain connection (the intake's).
    """
    values: dict[str, Any] = {
        "id": new_id("dlv"),
        "connection_id": connection_id,
        "platform": platform,
        "dedup_key": verified.dedup_key,
        "topic": verified.topic,
        "headers": dict(verified.headers),
        "body": body,
        "received_at": received_at,
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": received_at,
    }
    connection = connection_of(session)
    statement = _INSERT.get(connection.dialect.name, _INSERT["sqlite"])
    if (inserted := connection.execute(statement, values).scalar()) is not None:
        return inserted, True
    key = {"connection_id": connection_id, "dedup_key": verified.dedup_key}
    existing = connection.execute(_EXISTING, key).scalar()
    assert existing is not None  # the conflict means it exists
    return existing, False


_CLAIMED = (
    _TABLE.c.id,
    _TABLE.c.connection_id,
    _TABLE.c.platform,
    _TABLE.c.topic,
    _TABLE.c.dedup_key,
    _TABLE.c.headers,
    _TABLE.c.body,
    _TABLE.c.received_at,
    _TABLE.c.attempts,
)


# Built once (the worker runs them for every group): only their values are bound.
_CLAIM = (
    select(*_CLAIMED)
    .where(_TABLE.c.status.in_((PENDING, FAILED)), _TABLE.c.next_attempt_at <= bindparam("now"))
    .order_by(_TABLE.c.next_attempt_at, _TABLE.c.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)
_MARK_DONE = (
    update(_TABLE)
    .where(_TABLE.c.id.in_(bindparam("ids", expanding=True)))
    .values(status=DONE, attempts=_TABLE.c.attempts + 1, processed_at=bindparam("now"),
            last_error=None, next_attempt_at=None)
)  # fmt: skip


def claim_due(session: Session, now: datetime, limit: int) -> Sequence[Any]:
    """Lock up to ``limit`` deliveries due for processing, in one round trip; rows other
    workers hold are skipped (``SKIP LOCKED``). Plain rows, not ORM objects: the worker
    reads them once and updates their status with one statement."""
    return session.connection().execute(_CLAIM, {"now": now, "limit": limit}).all()


def to_stored(row: Any) -> StoredDelivery:
    """The plugin-facing form of a stored (or claimed) delivery."""
    return StoredDelivery(
        id=row.id,
        connection_id=row.connection_id,
        platform=row.platform,
        topic=row.topic,
        dedup_key=row.dedup_key,
        headers=dict(row.headers),
        body=bytes(row.body),
        received_at=row.received_at,
    )


def mark_done(session: Session, ids: Sequence[str], now: datetime) -> None:
    """Record deliveries as processed (one statement for the lot)."""
    if ids:
        session.connection().execute(_MARK_DONE, {"ids": list(ids), "now": now})


def mark_failed(
    session: Session,
    row: Any,
    error: str,
    now: datetime,
    backoff: Sequence[float],
    max_attempts: int,
) -> int:
    """Record a failure; retry after the next backoff step, or keep the delivery as dead.
    Returns the attempts made."""
    attempts = int(row.attempts) + 1
    values: dict[str, Any] = {"attempts": attempts, "last_error": error[:2000]}
    if attempts >= max_attempts:
        values.update(status=DEAD, next_attempt_at=None)
    else:
        step = backoff[min(attempts - 1, len(backoff) - 1)]
        values.update(status=FAILED, next_attempt_at=now + timedelta(seconds=step))
    session.execute(update(_TABLE).where(_TABLE.c.id == row.id).values(**values))
    return attempts


def get(session: Session, delivery_id: str) -> DeliveryRow:
    row = session.get(DeliveryRow, delivery_id)
    if row is None:
        raise NotFoundError(f"no delivery {delivery_id!r}")
    return row


def list_rows(
    session: Session,
    *,
    status: str | None = None,
    connection_id: str | None = None,
    limit: int = 50,
    after: str | None = None,
) -> tuple[list[DeliveryRow], str | None]:
    """Newest first; ``after`` is the last id of the previous page (ids sort by time)."""
    if status is not None and status not in STATUSES:
        raise InvalidInputError(
            f"unknown delivery status {status!r}", errors={"status": [f"one of {STATUSES}"]}
        )
    query = select(DeliveryRow)
    if status:
        query = query.where(DeliveryRow.status == status)
    if connection_id:
        query = query.where(DeliveryRow.connection_id == connection_id)
    if after:
        query = query.where(DeliveryRow.id < after)
    rows = list(session.scalars(query.order_by(DeliveryRow.id.desc()).limit(limit + 1)))
    next_cursor = rows[limit - 1].id if len(rows) > limit else None
    return rows[:limit], next_cursor


def replay(
    session: Session, now: datetime, *, ids: Sequence[str] = (), failed: bool = False
) -> int:
    """Queue deliveries again (by id, or every failed and dead one); returns how many."""
    query = update(DeliveryRow).values(status=PENDING, attempts=0, next_attempt_at=now)
    if failed:
        query = query.where(DeliveryRow.status.in_((FAILED, DEAD)))
    else:
        for delivery_id in ids:
            get(session, delivery_id)
        query = query.where(DeliveryRow.id.in_(list(ids)))
    count = session.execute(query).rowcount  # type: ignore[attr-defined]
    return int(count or 0)


def describe(row: DeliveryRow) -> dict[str, Any]:
    """The JSON form (the body as text, since platforms send JSON, XML or forms)."""

    def stamp(value: datetime | None) -> str | None:
        return to_rfc3339(value) if value else None

    return {
        "id": row.id,
        "connection_id": row.connection_id,
        "platform": row.platform,
        "topic": row.topic,
        "dedup_key": row.dedup_key,
        "status": row.status,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "received_at": stamp(row.received_at),
        "next_attempt_at": stamp(row.next_attempt_at),
        "processed_at": stamp(row.processed_at),
        "headers": dict(row.headers),
        "body": bytes(row.body).decode("utf-8", errors="replace"),
    }
