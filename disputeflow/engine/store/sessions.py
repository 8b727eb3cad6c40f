"""Workspace sessions kept on the server, so that signing out really ends them.

The browser's signed cookie holds only a random session id; each request looks the row up,
and a revoked or unknown row (or a revoked token behind it) is no session at all. So a
cookie copied before sign-out is refused afterwards, an admin can list every signed-in
browser and end any of them (``GET``/``DELETE /api/v1/sessions``, ``disputeflow sessions``).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from disputeflow.core.clock import utcnow
from disputeflow.core.errors import NotFoundError
from disputeflow.engine.store.tables import Base, TokenRow

TOUCH_EVERY = timedelta(minutes=1)
LIFETIME = timedelta(hours=12)  # idle time after which a session ends (the cookie's too)


class WorkspaceSessionRow(Base):
    """A signed-in browser: the cookie names this row; revoked means signed out."""

    __tablename__ = "workspace_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_id: Mapped[str] = mapped_column(String(40), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    client: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(200))


def create(session: Session, token_id: str, *, client: str, user_agent: str) -> str:
    """A new session for ``token_id``; returns its id (256 random bits)."""
    now = utcnow()
    row = WorkspaceSessionRow(
        id="ses_" + secrets.token_urlsafe(32), token_id=token_id, created_at=now,
        last_seen_at=now, revoked_at=None, client=client[:64], user_agent=user_agent[:200],
    )  # fmt: skip
    session.add(row)
    return row.id


def live(
    session: Session, session_id: str, now: datetime | None = None
) -> tuple[WorkspaceSessionRow, TokenRow] | None:
    """The live session and its token, or ``None`` (unknown, revoked, expired, or its
    token revoked)."""
    row = session.get(WorkspaceSessionRow, session_id)
    now = now or utcnow()
    if row is None or row.revoked_at is not None or row.last_seen_at + LIFETIME < now:
        return None
    token = session.get(TokenRow, row.token_id)
    if token is None or token.revoked_at is not None:
        return None
    return row, token


def needs_touch(row: WorkspaceSessionRow, now: datetime) -> bool:
    """Whether the last activity is old enough to be written again."""
    return row.last_seen_at < now - TOUCH_EVERY


def touch(session: Session, session_id: str, now: datetime) -> None:
    """Note activity, at most once per :data:`TOUCH_EVERY`."""
    session.execute(
        update(WorkspaceSessionRow)
        .where(WorkspaceSessionRow.id == session_id)
        .where(WorkspaceSessionRow.last_seen_at < now - TOUCH_EVERY)
        .values(last_seen_at=now)
    )


def revoke(session: Session, session_id: str) -> WorkspaceSessionRow:
    """End a session (idempotent); :class:`NotFoundError` for an unknown id."""
    row = session.get(WorkspaceSessionRow, session_id)
    if row is None:
        raise NotFoundError(f"no session {session_id!r}")
    row.revoked_at = row.revoked_at or utcnow()
    return row


def list_live(session: Session, now: datetime | None = None) -> list[WorkspaceSessionRow]:
    """Every session not revoked nor expired, newest activity first."""
    cutoff = (now or utcnow()) - LIFETIME
    query = (
        select(WorkspaceSessionRow)
        .where(WorkspaceSessionRow.revoked_at.is_(None))
        .where(WorkspaceSessionRow.last_seen_at >= cutoff)
        .order_by(WorkspaceSessionRow.last_seen_at.desc(), WorkspaceSessionRow.id)
    )
    return list(session.scalars(query))
