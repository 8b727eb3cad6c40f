"""API tokens: random, shown once, stored only as SHA-256, each with a role."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from disputeflow.core.clock import utcnow
from disputeflow.core.errors import ActionNotAllowedError, NotFoundError
from disputeflow.core.taxonomy import Role
from disputeflow.engine.ids import new_id
from disputeflow.engine.store.tables import TokenRow

TOUCH_EVERY = timedelta(minutes=1)
TOKEN_PREFIX = "dft_"  # noqa: S105  (a public marker, not a secret)


@dataclass(frozen=True)
class IssuedToken:
    """A token just created: ``token`` is the only time the secret is visible."""

    id: str
    name: str
    role: Role
    token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(session: Session, *, name: str, role: Role) -> IssuedToken:
    """Issue a token (256 random bits) and keep its hash."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = TokenRow(
        id=new_id("tok"),
        name=name,
        role=str(role),
        token_hash=_digest(token),
        prefix=token[:10],
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return IssuedToken(row.id, name, role, token)


def authenticate(session: Session, token: str) -> TokenRow | None:
    """The live token row for a presented token, or ``None``.

    Read-only (safe in a read-only session); :func:`touch` records the use separately.
    """
    row = session.scalar(select(TokenRow).where(TokenRow.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    return row


def touch(session: Session, token_id: str, now: datetime) -> None:
    """Record a token's use, at most once a minute (so most requests write nothing)."""
    session.execute(
        update(TokenRow)
        .where(TokenRow.id == token_id)
        .where(or_(TokenRow.last_used_at.is_(None), TokenRow.last_used_at < now - TOUCH_EVERY))
        .values(last_used_at=now)
    )


def needs_touch(row: TokenRow, now: datetime) -> bool:
    """Whether :func:`touch` would write."""
    return row.last_used_at is None or row.last_used_at < now - TOUCH_EVERY


def count_active(session: Session) -> int:
    """How many tokens can still be used (the first ``serve`` issues one when none)."""
    total = session.scalar(select(func.count()).where(TokenRow.revoked_at.is_(None)))
    return int(total or 0)


def list_rows(session: Session) -> list[TokenRow]:
    """Every token, oldest first (hashes are never shown)."""
    return list(session.scalars(select(TokenRow).order_by(TokenRow.id)))


def revoke(session: Session, token_id: str) -> TokenRow:
    """Revoke a token by id; it stops working at once. The last active admin token is
    kept (409): without it nobody could manage the installation through the API."""
    row = session.get(TokenRow, token_id)
    if row is None:
        raise NotFoundError(f"no token {token_id!r}")
    if row.revoked_at is None and row.role == Role.ADMIN:
        admins = session.scalar(
            select(func.count())
            .where(TokenRow.revoked_at.is_(None))
            .where(TokenRow.role == str(Role.ADMIN))
        )
        if int(admins or 0) <= 1:
            raise ActionNotAllowedError(
                "this is the last admin token: create another admin token before revoking it"
            )
    row.revoked_at = row.revoked_at or utcnow()
    return row
