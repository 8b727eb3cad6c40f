"""Plugin-facing connections kept per process, secrets decrypted once per version.

The intake and the worker need a connection's settings for every delivery; decrypting them
(Fernet) and building the connection each time cost more than storing the delivery. An entry
is good while the stored row's version (when its settings, state or name last changed)
is the same: every use checks the version with one indexed read in the caller's
transaction, so a connection changed by another process (``connections update``, a
``PATCH``, a renewed token, an uninstall) is read afresh at its next use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, cast

import sqlalchemy
from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from disputeflow.core.marketplace import Connection
from disputeflow.engine.store.db import connection_of
from disputeflow.engine.store.tables import ConnectionRow

_TABLE = cast(Table, ConnectionRow.__table__)
_VERSION = (
    _TABLE.c.platform,
    _TABLE.c.name,
    _TABLE.c.updated_at,
    _TABLE.c.state,
    _TABLE.c.state_changed_at,
    _TABLE.c.demo,
)

# built once: each use binds the id (no statement to build per delivery)
_VERSION_OF = select(*_VERSION).where(_TABLE.c.id == bindparam("id"))

Version = tuple[Any, ...]


class ConnectionCache:
    """Connections by id, each with the version of the row it was built from."""

    def __init__(self, build: Callable[[ConnectionRow], Connection]) -> None:
        self._build = build
        self._entries: dict[str, tuple[Version, Connection]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def version(session: Session | sqlalchemy.Connection, connection_id: str) -> Version | None:
        """The stored version of a connection (``None``: there is none), read in the
        transaction of ``session`` (or of a plain connection)."""
        row = connection_of(session).execute(_VERSION_OF, {"id": connection_id}).first()
        return tuple(row) if row is not None else None

    def peek(self, connection_id: str) -> tuple[Version, Connection] | None:
        """The cached entry without checking it (the caller checks the version later)."""
        return self._entries.get(connection_id)

    def get(self, session: Session, connection_id: str) -> Connection | None:
        """The connection as stored now: the cached one when its version still matches."""
        version = self.version(session, connection_id)
        if version is None:
            self.forget(connection_id)
            return None
        entry = self._entries.get(connection_id)
        if entry is not None and entry[0] == version:
            return entry[1]
        return self.load(session, connection_id, version)

    def load(
        self, session: Session, connection_id: str, version: Version | None = None
    ) -> Connection | None:
        """Build and keep the connection from its row, read in ``session``."""
        row = session.get(ConnectionRow, connection_id)
        if row is None:
            self.forget(connection_id)
            return None
        connection = self._build(row)
        if version is None:
            version = self.version(session, connection_id)
        with self._lock:
            self._entries[connection_id] = (version or (), connection)
        return connection

    def forget(self, connection_id: str) -> None:
        with self._lock:
            self._entries.pop(connection_id, None)
