"""Store steps several test modules take: a verified delivery stored as the intake stores
it, and the schema taken down to an earlier migration."""

from __future__ import annotations

from alembic import command

from disputeflow.core.clock import utcnow
from disputeflow.core.marketplace import VerifiedDelivery
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import deliveries, migrate
from disputeflow.engine.store.db import Database


def store_delivery(runtime: Runtime, connection_id: str, body: bytes, key: str) -> str:
    """A fake platform's ``disputes/update`` delivery, stored due; its id."""
    with runtime.database.session() as session:
        delivery_id, _ = deliveries.insert(
            session,
            connection_id=connection_id,
            platform="fake",
            verified=VerifiedDelivery(dedup_key=key, topic="disputes/update", headers={}),
            body=body,
            received_at=utcnow(),
        )
    return delivery_id


def downgrade(database: Database, revision: str) -> None:
    """Alembic's downgrade to ``revision``, on the database's own connection."""
    config = migrate.alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
