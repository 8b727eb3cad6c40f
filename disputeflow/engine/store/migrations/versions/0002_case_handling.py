"""case handling: store return policies, buyer history, automation rule runs, deadline alerts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 06:43:02.674611
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deadline_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_deadline_alerts_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_alerts")),
        sa.UniqueConstraint("case_id", "key", name=op.f("uq_deadline_alerts_case_id")),
    )
    with op.batch_alter_table("deadline_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadline_alerts_case_id"), ["case_id"], unique=False)

    op.create_table(
        "rule_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("action_id", sa.String(length=40), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_rule_runs_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_runs")),
        sa.UniqueConstraint("rule", "case_id", name=op.f("uq_rule_runs_rule")),
    )
    with op.batch_alter_table("rule_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rule_runs_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_rule_runs_rule_at", ["rule", "at"], unique=False)

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("buyer_email", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("buyer_external_id", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("rules_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_cases_buyer_email", ["connection_id", "buyer_email"], unique=False
        )
        batch_op.create_index(
            "ix_cases_buyer_external_id", ["connection_id", "buyer_external_id"], unique=False
        )
        batch_op.create_index("ix_cases_rules_due_at", ["rules_due_at"], unique=False)

    with op.batch_alter_table("connections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("return_policy", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("return_policy_checked_at", sa.DateTime(timezone=True), nullable=True)
        )

    _backfill_buyers()


def _backfill_buyers() -> None:
    """Cases stored before this revision: their buyer's email and id, to count history."""
    cases = sa.table(
        "cases",
        sa.column("id", sa.String),
        sa.column("document", sa.JSON),
        sa.column("buyer_email", sa.String),
        sa.column("buyer_external_id", sa.String),
    )
    connection = op.get_bind()
    for case_id, document in connection.execute(sa.select(cases.c.id, cases.c.document)).all():
        buyer = (document or {}).get("buyer") or {}
        email, external_id = buyer.get("email"), buyer.get("external_id")
        if email or external_id:
            connection.execute(
                cases.update()
                .where(cases.c.id == case_id)
                .values(
                    buyer_email=str(email).lower()[:320] if email else None,
                    buyer_external_id=str(external_id)[:200] if external_id else None,
                )
            )


def downgrade() -> None:
    with op.batch_alter_table("connections", schema=None) as batch_op:
        batch_op.drop_column("return_policy_checked_at")
        batch_op.drop_column("return_policy")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_rules_due_at")
        batch_op.drop_index("ix_cases_buyer_external_id")
        batch_op.drop_index("ix_cases_buyer_email")
        batch_op.drop_column("rules_due_at")
        batch_op.drop_column("buyer_external_id")
        batch_op.drop_column("buyer_email")

    with op.batch_alter_table("rule_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_rule_runs_rule_at")
        batch_op.drop_index(batch_op.f("ix_rule_runs_case_id"))

    op.drop_table("rule_runs")
    with op.batch_alter_table("deadline_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadline_alerts_case_id"))

    op.drop_table("deadline_alerts")
