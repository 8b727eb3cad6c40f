"""workspace sessions kept server-side; demo connections marked

Signing out of the workspace now ends the session on the server: the signed cookie only
names a row here, and a revoked (or unknown) row signs the browser out, so a cookie copied
before sign-out is refused. ``connections.demo`` marks what ``disputeflow demo`` created.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspace_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("token_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspace_sessions")),
    )
    op.create_index(
        op.f("ix_workspace_sessions_token_id"), "workspace_sessions", ["token_id"], unique=False
    )
    # A plain ADD COLUMN, never a batch: on SQLite a batch rebuilds the table, and dropping
    # the old connections table would cascade to every case (foreign keys are on).
    op.add_column(
        "connections", sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false())
    )


def downgrade() -> None:
    op.drop_column("connections", "demo")  # SQLite 3.35+ drops a column in place
    op.drop_index(op.f("ix_workspace_sessions_token_id"), table_name="workspace_sessions")
    op.drop_table("workspace_sessions")
