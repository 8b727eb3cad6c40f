"""audit lanes: the trail as 16 chains appended to at once, with signed checkpoints

Each entry gains its lane and the sequence number of the entry before it in that lane;
``audit_lanes`` holds each lane's head (the row an appender locks, instead of one global
lock); ``audit_checkpoints`` holds housekeeping's signed checkpoints of every head. The
entries already written become the legacy lane (-1): they keep their hashes and still
verify as the one chain they were. On PostgreSQL sequence numbers come from a sequence.

The downgrade first checks every lane (each entry's hash, its link to the one before in its
lane, the recorded heads) and refuses, naming the entry, when one is broken: it then chains
the entries written in lanes after the legacy ones, in sequence order, as the one chain the
schema before lanes verifies (their content kept, only ``prev_hash`` and ``hash`` written
anew), so that a broken lane is never hidden by the new hashes. The signed checkpoints go.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 22:30:00.000000
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from disputeflow.core.clock import to_rfc3339
from disputeflow.engine.store.tables import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

LANES = 16
LEGACY_LANE = -1
GENESIS = "0" * 64


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lane", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_seq", sa.BigInteger(), nullable=True))
        batch_op.drop_constraint("uq_audit_log_prev_hash", type_="unique")
    op.execute(
        sa.text("UPDATE audit_log SET lane = :lane, prev_seq = seq - 1").bindparams(
            lane=LEGACY_LANE
        )
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("lane", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("prev_seq", existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_unique_constraint("uq_audit_log_lane", ["lane", "prev_seq"])
    lanes = op.create_table(
        "audit_lanes",
        sa.Column("lane", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("head_seq", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("entries", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("lane", name=op.f("pk_audit_lanes")),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heads", sa.JSON(), nullable=False),
        sa.Column("prev_mac", sa.String(length=64), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
        sa.UniqueConstraint("prev_mac", name=op.f("uq_audit_checkpoints_prev_mac")),
    )
    connection = op.get_bind()
    last = connection.execute(
        sa.text("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    ).first()
    count = connection.execute(sa.text("SELECT count(*) FROM audit_log")).scalar() or 0
    rows = [
        {"lane": lane, "head_seq": 0, "head_hash": GENESIS, "entries": 0} for lane in range(LANES)
    ]
    rows.append({
        "lane": LEGACY_LANE, "head_seq": last[0] if last else 0,
        "head_hash": last[1] if last else GENESIS, "entries": count,
    })  # fmt: skip
    op.bulk_insert(lanes, rows)
    if connection.dialect.name == "postgresql":
        start = (last[0] if last else 0) + 1
        op.execute(f"CREATE SEQUENCE audit_log_seq START WITH {start}")


def downgrade() -> None:
    _rechain(op.get_bind())  # while lanes and heads still tell each entry's place
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE audit_log_seq")
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_lanes")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint("uq_audit_log_lane", type_="unique")
        batch_op.drop_column("prev_seq")
        batch_op.drop_column("lane")
        batch_op.create_unique_constraint("uq_audit_log_prev_hash", ["prev_hash"])


_LOG = sa.table(
    "audit_log",
    *(sa.column(name) for name in ("seq", "kind", "case_id", "actor", "subject", "lane")),
    *(sa.column(name) for name in ("prev_seq", "prev_hash", "hash")),
    sa.column("at", UTCDateTime()),
    sa.column("details", sa.JSON()),
)
_BATCH = 2000


def _hash(row: Any, prev_hash: str, *, lanes: bool) -> str:
    """An entry's hash as 0003 defined it, or (``lanes``) as this revision does."""
    content = {
        "seq": row.seq, "at": to_rfc3339(row.at), "kind": row.kind, "case_id": row.case_id,
        "actor": row.actor, "subject": row.subject, "details": row.details,
        "prev_hash": prev_hash,
    }  # fmt: skip
    if lanes:
        content.update(lane=row.lane, prev_seq=row.prev_seq)
    raw = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def _refuse(seq: int, reason: str) -> None:
    raise RuntimeError(
        f"audit trail broken at entry {seq}: {reason}. The downgrade below revision 0010 "
        "would chain the entries anew and hide that, so it stops here, with nothing changed: "
        "`disputeflow audit verify` names the entry; restore the database from a backup "
        "taken before it broke, or keep this revision."
    )


def _rechain(connection: sa.Connection) -> None:
    """Check every lane, then chain the lanes' entries after the legacy ones, page by page."""
    heads = {
        lane: (seq, digest)
        for lane, seq, digest in connection.execute(
            sa.text("SELECT lane, head_seq, head_hash FROM audit_lanes")
        )
    }
    last: dict[int, tuple[int, str]] = {}
    chain, after = GENESIS, 0
    while rows := connection.execute(
        sa.select(_LOG).where(_LOG.c.seq > after).order_by(_LOG.c.seq).limit(_BATCH)
    ).all():
        changes = []
        for row in rows:
            legacy = row.lane == LEGACY_LANE
            before_seq, before_hash = last.get(row.lane, (0, GENESIS))
            if row.prev_hash != before_hash or (not legacy and row.prev_seq != before_seq):
                _refuse(row.seq, "it does not follow the entry before it in its lane")
            if _hash(row, row.prev_hash, lanes=not legacy) != row.hash:
                _refuse(row.seq, "its content does not match its hash (edited)")
            last[row.lane] = (row.seq, row.hash)
            if not legacy:
                changes.append({"s": row.seq, "p": chain, "h": _hash(row, chain, lanes=False)})
            chain, after = (row.hash if legacy else changes[-1]["h"]), row.seq
        if changes:
            connection.execute(
                sa.text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE seq = :s"), changes
            )
    for lane, head in heads.items():
        if last.get(lane, (0, GENESIS)) != head:
            _refuse(head[0], f"lane {lane}'s recorded head is not its last entry")
    for lane, (seq, _) in last.items():
        if lane not in heads:
            _refuse(seq, f"it is in lane {lane}, which has no recorded head")
