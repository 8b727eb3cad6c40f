"""connections: a state (active, needs_reauth, uninstalled) with its reason and time

A connection whose credentials the platform refuses (a revoked refresh token) or whose app
was uninstalled stops syncing and acting until the merchant fixes it; its cases and queued
actions stay. Existing connections are ``active``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs, never a batch: on SQLite a batch rebuilds the table, and dropping
    # the old connections table would cascade to every case (foreign keys are on).
    op.add_column(
        "connections",
        sa.Column("state", sa.String(length=20), nullable=False, server_default="active"),
    )
    op.add_column("connections", sa.Column("state_reason", sa.Text(), nullable=True))
    op.add_column(
        "connections", sa.Column("state_changed_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    for column in ("state_changed_at", "state_reason", "state"):
        op.drop_column("connections", column)  # SQLite 3.35+ drops a column in place
