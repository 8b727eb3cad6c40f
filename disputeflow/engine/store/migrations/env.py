"""Alembic environment: runs on the connection disputeflow hands it (see store/migrate.py)."""

from __future__ import annotations

from alembic import context

from disputeflow.engine.store import links, packets, sessions  # noqa: F401  # their tables
from disputeflow.engine.store.search_schema import OUTSIDE_MODELS
from disputeflow.engine.store.tables import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `disputeflow db upgrade`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    # the search index is raw SQL by dialect (search_schema.py), not in the models
    include_name=lambda name, _type, _parents: name not in OUTSIDE_MODELS,
)
with context.begin_transaction():
    context.run_migrations()
