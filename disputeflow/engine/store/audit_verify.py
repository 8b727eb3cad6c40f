"""Checking the audit trail: every lane walked link by link, the lanes' recorded heads, and
the signed checkpoints that housekeeping writes over all of them.

:func:`verify` walks every entry once in sequence order, keeping each lane's last entry, and
names the first entry (by sequence number) that is edited, missing, out of its lane's order,
or no longer what a signed checkpoint says. :func:`write_checkpoint` signs the heads of all
lanes (HMAC-SHA256 with a key derived from the installation's secret key); a forger who
rewrites a lane and its recorded head still cannot sign for it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from disputeflow.core.clock import to_rfc3339, utcnow
from disputeflow.engine.store.audit import GENESIS, canonical, entry_hash
from disputeflow.engine.store.audit_tables import AuditCheckpointRow, AuditLaneRow
from disputeflow.engine.store.tables import AuditRow

CHECKPOINT_PURPOSE = "audit checkpoints"
_AUDIT = cast(Table, AuditRow.__table__)
_CHECKPOINTS = cast(Table, AuditCheckpointRow.__table__)


@dataclass(frozen=True)
class Verification:
    """The outcome of walking the trail: how many entries matched before the first that did
    not (``broken_seq``), or all of them; ``reason`` says what is wrong (a checkpoint not
    signed by this installation names no entry)."""

    checked: int
    head: str
    broken_seq: int | None = None
    reason: str | None = None
    lanes: dict[int, tuple[int, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.reason is None


def mac_of(key: bytes, at: str, heads: dict[str, Any], prev_mac: str) -> str:
    content = canonical({"at": at, "heads": heads, "prev_mac": prev_mac})
    return hmac.new(key, content, hashlib.sha256).hexdigest()


def write_checkpoint(session: Session, key: bytes) -> bool:
    """Sign every lane's head, unless nothing was appended since the last checkpoint;
    whether one was written (two workers at once: one wins, the other writes nothing)."""
    lanes = AuditLaneRow.__table__
    heads = {
        str(row.lane): [row.head_seq, row.head_hash]
        for row in session.execute(select(lanes.c.lane, lanes.c.head_seq, lanes.c.head_hash))
    }
    last = session.execute(
        select(_CHECKPOINTS.c.heads, _CHECKPOINTS.c.mac).order_by(_CHECKPOINTS.c.id.desc()).limit(1)
    ).first()
    if last is not None and last.heads == heads:
        return False
    prev_mac = last.mac if last is not None else GENESIS
    at = utcnow()
    mac = mac_of(key, to_rfc3339(at), heads, prev_mac)
    try:
        with session.begin_nested():
            values = {"at": at, "heads": heads, "prev_mac": prev_mac, "mac": mac}
            session.execute(insert(_CHECKPOINTS).values(**values))
    except IntegrityError:  # another worker signed the same heads first
        return False
    return True


def _entries(session: Session, batch: int = 2000) -> Iterator[Any]:
    after = None
    while True:
        query = select(_AUDIT).order_by(_AUDIT.c.seq).limit(batch)
        if after is not None:
            query = query.where(_AUDIT.c.seq > after)
        rows = session.execute(query).all()
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].seq


class _Walk:
    """Each lane's last intact entry, and the first problem (lowest sequence number)."""

    def __init__(self) -> None:
        self.lanes: dict[int, tuple[int, str]] = {}
        self.broken: dict[int, tuple[int, str]] = {}  # lane -> (seq named, reason)

    def step(self, row: Any) -> None:
        if row.lane in self.broken:
            return
        last_seq, last_hash = self.lanes.get(row.lane, (0, GENESIS))
        problem = None
        if row.prev_seq > last_seq:
            problem = row.prev_seq, f"entry {row.prev_seq} is missing (found {row.seq} next)"
        elif row.prev_seq < last_seq:
            problem = row.seq, f"it follows entry {row.prev_seq}, not {last_seq} (forked)"
        elif row.prev_hash != last_hash:
            problem = row.seq, "its previous hash does not match the entry before it"
        elif entry_hash(row) != row.hash:
            problem = row.seq, "its content does not match its hash (edited)"
        if problem is not None:
            self.broken[row.lane] = problem
        else:
            self.lanes[row.lane] = (row.seq, row.hash)

    def end_at(self, lane: int, seq: int, digest: str, source: str, *, exact: bool) -> None:
        """The lane must end at (``exact``) or pass through ``seq`` with ``digest``."""
        if lane in self.broken:
            return
        last_seq, last_hash = self.lanes.get(lane, (0, GENESIS))
        if last_seq < seq:
            self.broken[lane] = (seq, f"entry {seq} is missing (the head {source})")
        elif last_seq == seq and last_hash != digest:
            self.broken[lane] = (seq, f"its hash does not match the head {source}")
        elif last_seq > seq and exact:
            self.broken[lane] = (last_seq, f"it is past the head {source} ({seq})")

    def first(self) -> tuple[int, str] | None:
        return min(self.broken.values(), default=None)


def _checkpoint_problem(session: Session, keys: list[bytes], walk: _Walk) -> str | None:
    """Check every checkpoint's signature and chain; the newest one's heads against the
    lanes as walked (a lane may have grown since: its entry at the signed head must match)."""
    prev_mac, newest = GENESIS, None
    for row in session.execute(select(_CHECKPOINTS).order_by(_CHECKPOINTS.c.id)):
        if row.prev_mac != prev_mac:
            return f"checkpoint {row.id} does not follow the checkpoint before it"
        at = to_rfc3339(row.at)
        if not any(hmac.compare_digest(mac_of(k, at, row.heads, prev_mac), row.mac) for k in keys):
            return f"checkpoint {row.id} is not signed by this installation's key"
        prev_mac, newest = row.mac, row
    if newest is not None:
        for lane, (seq, digest) in newest.heads.items():
            if seq and walk.lanes.get(int(lane), (0, ""))[0] >= seq:
                _check_signed(session, walk, int(lane), seq, digest, newest.id)
            else:
                walk.end_at(
                    int(lane), seq, digest, f"signed by checkpoint {newest.id}", exact=False
                )
    return None


def _check_signed(
    session: Session, walk: _Walk, lane: int, seq: int, digest: str, id_: int
) -> None:
    stored = session.scalar(select(_AUDIT.c.hash).where(_AUDIT.c.seq == seq))
    if stored != digest:
        walk.broken.setdefault(lane, (seq, f"its hash differs from signed checkpoint {id_}"))


def verify(session: Session, keys: Iterable[bytes] = ()) -> Verification:
    """Recompute every hash and link; the first entry that does not match, by sequence number.

    Begins ``session``'s transaction (on PostgreSQL a repeatable-read one: every lane as of
    one moment). The lanes' recorded heads catch a lane's last entries deleted or re-hashed;
    with the installation's ``keys``, the signed checkpoints catch a lane rewritten along
    with its recorded head.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
    walk = _Walk()
    for row in _entries(session):
        walk.step(row)
    lanes = AuditLaneRow.__table__
    for lane in session.execute(select(lanes.c.lane, lanes.c.head_seq, lanes.c.head_hash)):
        walk.end_at(lane.lane, lane.head_seq, lane.head_hash, "its lane records", exact=True)
    problem = _checkpoint_problem(session, list(keys), walk) if keys else None
    first = walk.first()
    head = _overall_head(walk.lanes)
    if first is None:
        total = session.scalar(select(func.count()).select_from(_AUDIT)) or 0
        return Verification(total, head, None, problem, dict(walk.lanes))
    query = select(func.count()).select_from(_AUDIT).where(_AUDIT.c.seq < first[0])
    return Verification(session.scalar(query) or 0, head, first[0], first[1], dict(walk.lanes))


def _overall_head(lanes: dict[int, tuple[int, str]]) -> str:
    """One digest of every lane's head: what ``audit verify`` prints as the trail's head."""
    if not lanes:
        return GENESIS
    return hashlib.sha256(
        canonical({str(k): list(v) for k, v in sorted(lanes.items())})
    ).hexdigest()
