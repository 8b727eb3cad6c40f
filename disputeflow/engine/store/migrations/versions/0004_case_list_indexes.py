"""case list: an index for the urgent order (due_at, then id)

The case list's ``sort=urgent`` reads cases with a deadline by ``(due_at, id)`` and then
those without one by ``id``: with this index both are range scans, at any page depth
(docs/benchmarks.md has the figures at a million cases).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 08:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_due_at_id", "cases", ["due_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cases_due_at_id", table_name="cases")
