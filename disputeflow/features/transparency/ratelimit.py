"""Fixed-window rate limits kept in the database, so every process counts the same hits.

Each hit is one upsert (``INSERT ... ON CONFLICT DO UPDATE SET count = count + 1
RETURNING count``) in its own short transaction; windows older than :data:`KEEP` (or two
lengths of a longer window) are deleted as hits come in. The cut-off never depends on the
calling key's window alone: a one-minute limit must not delete an hourly one's count.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from disputeflow.core.clock import utcnow
from disputeflow.engine.store.db import Database
from disputeflow.engine.store.tables import RateLimitRow

KEEP = timedelta(days=2)  # longer than any window in use (the longest is one day)


def window_start(now: datetime, window: timedelta) -> datetime:
    seconds = int(window.total_seconds())
    stamp = int(now.timestamp())
    return datetime.fromtimestamp(stamp - stamp % seconds, UTC)


def hit(
    database: Database,
    key: str,
    *,
    limit: int,
    window: timedelta,
    now: datetime | None = None,
) -> bool:
    """Count one use of ``key``; whether it is still within ``limit`` uses per window."""
    now = now or utcnow()
    start = window_start(now, window)
    dialect = postgresql if database.dialect == "postgresql" else sqlite
    statement = dialect.insert(RateLimitRow).values(key=key[:300], window_start=start, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=["key", "window_start"],
        set_={"count": RateLimitRow.count + 1},
    ).returning(RateLimitRow.count)
    with database.session() as session:
        count = int(session.execute(statement).scalar_one())
        cutoff = now - max(KEEP, 2 * window)
        session.execute(delete(RateLimitRow).where(RateLimitRow.window_start < cutoff))
    return count <= limit


def count(database: Database, key: str, *, window: timedelta, now: datetime | None = None) -> int:
    """How often ``key`` was used in the current window (without counting this look)."""
    start = window_start(now or utcnow(), window)
    with database.session(readonly=True) as session:
        found = session.scalar(
            select(RateLimitRow.count)
            .where(RateLimitRow.key == key[:300])
            .where(RateLimitRow.window_start == start)
        )
    return int(found or 0)
