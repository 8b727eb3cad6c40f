"""The action outbox: each merchant action stored with its idempotency key before it runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Exists, and_, or_, select
from sqlalchemy.orm import Session

from disputeflow.core.clock import to_rfc3339
from disputeflow.core.errors import NotFoundError
from disputeflow.core.taxonomy import ConnectionState
from disputeflow.engine.ids import new_id
from disputeflow.engine.store.tables import ActionRow, CaseRow, ConnectionRow

PENDING, RUNNING, SUCCEEDED, FAILED = "pending", "running", "succeeded", "failed"
STATUSES = (PENDING, RUNNING, SUCCEEDED, FAILED)


def find_by_key(session: Session, idempotency_key: str) -> ActionRow | None:
    return session.scalar(select(ActionRow).where(ActionRow.idempotency_key == idempotency_key))


def create(
    session: Session,
    *,
    case_id: str,
    type_: str,
    idempotency_key: str,
    params: dict[str, Any],
    requested_by: str | None,
    now: datetime,
    status: str = PENDING,
) -> ActionRow:
    row = ActionRow(
        id=new_id("act"),
        case_id=case_id,
        type=type_,
        idempotency_key=idempotency_key,
        params=params,
        status=status,
        attempts=0,
        next_attempt_at=now if status == PENDING else None,
        requested_by=requested_by,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def claim_due(session: Session, now: datetime, limit: int, lease: timedelta) -> list[ActionRow]:
    """Take pending actions that are due, and running ones whose worker died (lease over)."""
    query = (
        select(ActionRow)
        .where(
            or_(
                and_(ActionRow.status == PENDING, ActionRow.next_attempt_at <= now),
                and_(ActionRow.status == RUNNING, ActionRow.lease_until < now),
            ),
            ~_of_inactive_connection(),
        )
        .order_by(ActionRow.next_attempt_at, ActionRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list(session.scalars(query))
    for row in rows:
        row.status = RUNNING
        row.attempts += 1
        row.lease_until = now + lease
        row.updated_at = now
    return rows


def _of_inactive_connection() -> Exists:
    """Whether the action's connection waits for the merchant (needs_reauth, uninstalled):
    its actions stay queued, unclaimed, until it is active again."""
    return (
        select(CaseRow.id)
        .join(ConnectionRow, ConnectionRow.id == CaseRow.connection_id)
        .where(CaseRow.id == ActionRow.case_id, ConnectionRow.state != ConnectionState.ACTIVE)
        .exists()
    )


def abandoned(session: Session, now: datetime, max_attempts: int) -> list[tuple[str, int]]:
    """Running actions (id, attempts) whose lease ran out after their last allowed attempt."""
    query = select(ActionRow.id, ActionRow.attempts).where(
        ActionRow.status == RUNNING,
        ActionRow.lease_until < now,
        ActionRow.attempts >= max_attempts,
    )
    return [(action_id, attempts) for action_id, attempts in session.execute(query)]


def get(session: Session, action_id: str) -> ActionRow:
    row = session.get(ActionRow, action_id)
    if row is None:
        raise NotFoundError(f"no action {action_id!r}")
    return row


def list_for_case(session: Session, case_id: str) -> Sequence[ActionRow]:
    return session.scalars(
        select(ActionRow).where(ActionRow.case_id == case_id).order_by(ActionRow.id)
    ).all()


def describe(row: ActionRow) -> dict[str, Any]:
    """The JSON form of an action."""

    def stamp(value: datetime | None) -> str | None:
        return to_rfc3339(value) if value else None

    return {
        "id": row.id,
        "case_id": row.case_id,
        "type": row.type,
        "status": row.status,
        "idempotency_key": row.idempotency_key,
        "params": dict(row.params),
        "attempts": row.attempts,
        "last_error": row.last_error,
        "external_id": row.external_id,
        "result": row.result,
        "requested_by": row.requested_by,
        "next_attempt_at": stamp(row.next_attempt_at),
        "created_at": stamp(row.created_at),
        "updated_at": stamp(row.updated_at),
    }
