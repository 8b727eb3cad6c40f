"""one order's cases across connections: order identifiers and case links

``case_references`` holds the identifiers each case's order carries (``Order.references``:
a marketplace order number, a payment's transaction id), found by value; ``case_links``
links two cases of one order both ways, and keeps a link an agent removed (``unlinked_at``)
so that the identifiers never link the two again. New tables only: existing cases gain
their identifiers from their next snapshot.

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-04 22:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_references",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("connection_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_references_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_references")),
        sa.UniqueConstraint("case_id", "kind", "value", name=op.f("uq_case_references_case_id")),
    )  # fmt: skip
    op.create_index("ix_case_references_value", "case_references", ["value"], unique=False)
    op.create_table(
        "case_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("other_case_id", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("linked_by", sa.String(length=200), nullable=True),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unlinked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unlinked_by", sa.String(length=200), nullable=True),
        sa.Column("unlink_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_links_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["other_case_id"], ["cases.id"], name=op.f("fk_case_links_other_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_links")),
        sa.UniqueConstraint("case_id", "other_case_id", name=op.f("uq_case_links_case_id")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_case_links_other_case_id"), "case_links", ["other_case_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_case_links_other_case_id"), table_name="case_links")
    op.drop_table("case_links")
    op.drop_index("ix_case_references_value", table_name="case_references")
    op.drop_table("case_references")
