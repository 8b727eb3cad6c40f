"""audit lanes: the trail as 16 chains appended to at once, with signed checkpoints

Each entry gains its lane and the sequence number of the entry before it in that lane;
``audit_lanes`` holds each lane's head (the row an appender locks, instead of one global
lock); ``audit_checkpoints`` holds housekeeping's signed checkpoints of every head. The
entries already written become the legacy lane (-1): they keep their hashes and still
verify as the one chain they were. On PostgreSQL sequence numbers come from a sequence.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 22:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

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
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE audit_log_seq")
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_lanes")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint("uq_audit_log_lane", type_="unique")
        batch_op.drop_column("prev_seq")
        batch_op.drop_column("lane")
        batch_op.create_unique_constraint("uq_audit_log_prev_hash", ["prev_hash"])
