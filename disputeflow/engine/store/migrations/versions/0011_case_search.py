"""case search served by an index: FTS5 trigram on SQLite, pg_trgm GIN on PostgreSQL

The case list's ``q`` used to read every case (``LIKE '%term%'``, seconds at a million
cases). SQLite gains ``case_search_docs`` and the FTS5 table ``case_search`` over it, kept
by triggers on ``cases`` and filled here from the existing cases. PostgreSQL gains the
GIN index ``ix_cases_search_trgm``, with ``CREATE EXTENSION pg_trgm`` tried first: when
the database user may not create it, the migration still succeeds, search scans as
before, and ``disputeflow db upgrade`` says which command the database owner runs
(``disputeflow.engine.store.case_search.ensure`` builds the index on the next upgrade).
What ``q`` matches does not change (``docs/api.md``).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 22:00:00.000000
"""

from __future__ import annotations

from alembic import op

from disputeflow.engine.store import search_schema

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        search_schema.create_sqlite(connection)
    elif connection.dialect.name == "postgresql":
        search_schema.create_postgresql(connection)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        search_schema.drop_sqlite(connection)
    elif connection.dialect.name == "postgresql":
        search_schema.drop_postgresql(connection)
