"""The stored side of :class:`~disputeflow.core.credentials.CredentialStore`.

``renew`` runs inside one write transaction that holds the connection's row lock
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` writer lock), so
across threads and processes one worker at a time sees the stored settings, calls the
platform if they are still stale, and commits the new ones before anyone uses them. Those
who waited read the fresh settings and call nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from disputeflow.core.credentials import Renew
from disputeflow.core.errors import NotFoundError, ReauthorizationRequired
from disputeflow.core.marketplace import Marketplace
from disputeflow.core.taxonomy import ConnectionState
from disputeflow.engine.store.connections import set_state, store_settings
from disputeflow.engine.store.db import Database
from disputeflow.engine.store.secrets import SecretBox
from disputeflow.engine.store.tables import ConnectionRow

log = logging.getLogger(__name__)


class StoredCredentials:
    """One connection's settings in the store, renewed under its row lock."""

    def __init__(
        self, database: Database, box: SecretBox, marketplace: Marketplace, connection_id: str
    ) -> None:
        self._database = database
        self._box = box
        self._marketplace = marketplace
        self.connection_id = connection_id

    def renew(self, renew: Renew) -> Mapping[str, Any]:
        refused: ReauthorizationRequired | None = None
        with self._database.session() as session:
            query = select(ConnectionRow).where(ConnectionRow.id == self.connection_id)
            row = session.scalars(query.with_for_update()).one_or_none()
            if row is None:
                raise NotFoundError(f"no connection {self.connection_id!r}")
            current: Mapping[str, Any] = {**row.settings, **self._box.decrypt(row.secrets)}
            try:
                changes = renew(current)
            except ReauthorizationRequired as error:
                set_state(row, ConnectionState.NEEDS_REAUTH, error.message)
                log.warning("connection %s needs to be authorised again: %s", row.id, error)
                refused, changes = error, None
            if changes:
                current = self._marketplace.validate_settings({**current, **changes})
                store_settings(
                    row,
                    self._box,
                    current,
                    self._marketplace.secret_fields(),
                    reread_policy=False,
                )
        if refused is not None:
            raise refused
        return current
