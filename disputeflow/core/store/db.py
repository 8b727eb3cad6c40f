"""Engines and sessions: SQLite tuned for a single host (WAL, busy timeout, immediate
transactions), PostgreSQL as it is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
READONLY_OPTION = "disputeflow_readonly"


def _tune_sqlite(engine: Engine) -> None:
    """WAL so readers never block the writer; BEGIN IMMEDIATE so writers queue, not deadlock."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" event decide
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        readonly = connection.get_execution_options().get(READONLY_OPTION)
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def create_db_engine(url: str, **options: Any) -> Engine:
    """An engine for ``url``; an SQLite file's folder is created when missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **options)
        _tune_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


class Database:
    """An engine with a session factory; :meth:`session` is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        readonly_engine = engine.execution_options(**{READONLY_OPTION: True})
        self._readonly_sessions = sessionmaker(readonly_engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str, **options: Any) -> Database:
        return cls(create_db_engine(url, **options))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, *, readonly: bool = False) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any error.

        ``readonly`` sessions on SQLite begin a deferred transaction, so reads never queue
        behind a writer (WAL lets them see the last commit); writes must not use them.
        """
        factory = self._readonly_sessions if readonly else self._sessions
        with factory.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
