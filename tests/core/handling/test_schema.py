"""Migration 0002: it matches the models, and fills the buyer columns of existing cases."""

from __future__ import annotations

import json

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from disputeflow.engine.store import migrate, search_schema
from disputeflow.engine.store.db import Database
from disputeflow.engine.store.tables import Base


def test_the_migrated_schema_matches_the_models(runtime):
    with runtime.database.engine.connect() as connection:
        # the case search index (0011) is raw SQL by dialect, outside the models
        opts = {
            "compare_type": True,
            "include_name": lambda name, *_: name not in search_schema.OUTSIDE_MODELS,
        }
        context = MigrationContext.configure(connection, opts=opts)
        assert compare_metadata(context, Base.metadata) == []


def test_the_migration_fills_the_buyer_of_existing_cases(database_url):
    database = Database.from_url(database_url)
    try:
        migrate.upgrade(database, "0001")
        stamp = "2026-11-01 12:00:00"
        document = {"buyer": {"email": "Ada@Example.org", "external_id": "cust-1"}}
        with database.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO connections (id, platform, name, settings, secrets, created_at,"
                    " updated_at, rejected_deliveries) VALUES ('con_1', 'fake', 'shop', '{}',"
                    " '', :at, :at, 0)"
                ),
                {"at": stamp},
            )
            for case_id, doc in (("case_1", document), ("case_2", {"buyer": None})):
                connection.execute(
                    text(
                        "INSERT INTO cases (id, connection_id, platform, object_type,"
                        " external_id, kind, status, category, search_text, opened_at,"
                        " updated_at, snapshot_at, snapshot_revision, snapshot_fingerprint,"
                        " document) VALUES (:id, 'con_1', 'fake', 'dispute', :id, 'chargeback',"
                        " 'needs_response', 'fraud', '', :at, :at, :at, -1, 'f', :doc)"
                    ),
                    {"id": case_id, "at": stamp, "doc": json.dumps(doc)},
                )
        migrate.upgrade(database)
        with database.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, buyer_email, buyer_external_id FROM cases ORDER BY id")
            ).all()
            states = connection.execute(text("SELECT state FROM connections")).scalars().all()
        assert [tuple(row) for row in rows] == [
            ("case_1", "ada@example.org", "cust-1"),
            ("case_2", None, None),
        ]
        assert states == ["active"]  # 0005: existing connections need nothing new
        assert migrate.is_up_to_date(database)
    finally:
        database.dispose()
