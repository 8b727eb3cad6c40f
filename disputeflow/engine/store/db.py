"""Engines and sessions: SQLite tuned for a single host (WAL, busy timeout, immediate
transactions, deleted content overwritten, a file only its owner reads), PostgreSQL as it is."""

from __future__ import annotations

import json
import logging
import os
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from disputeflow.core.plugins import PluginManager
from disputeflow.engine.hooks import builtin_plugin_manager
from disputeflow.engine.store import deferred

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
READONLY_OPTION = "disputeflow_readonly"
PLUGINS_KEY = "disputeflow.plugins"


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
        # deleted and overwritten content is zeroed, not left in free pages (erasure)
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        readonly = connection.get_execution_options().get(READONLY_OPTION)
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def _create_private_file(path: Path) -> None:
    """Create the SQLite file 0600 before SQLite does (its -wal and -shm files copy the
    mode), like the secret key file; warn when an existing one is readable by others."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("database file %s is readable by others (mode %o)", path, mode)


_ORJSON = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


def json_text(value: Any) -> str:
    """A JSON column's text. orjson takes a tenth of ``json.dumps``'s time, and a worker
    writes several JSON columns per merge; what orjson refuses and ``json`` takes (an
    integer past 64 bits) goes to ``json``, which also refuses what it always did (a
    datetime, a dataclass)."""
    try:
        return orjson.dumps(value, option=_ORJSON).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value)


def json_value(text: str | bytes) -> Any:
    """A JSON column's value (``json`` for what orjson refuses: ``NaN``, say)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def create_db_engine(url: str, **options: Any) -> Engine:
    """An engine for ``url``; an SQLite file (and its folder) is created when missing."""
    options = {"json_serializer": json_text, "json_deserializer": json_value, **options}
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _create_private_file(Path(parsed.database).expanduser())
        engine = create_engine(url, connect_args={"check_same_thread": False}, **options)
        _tune_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


class Database:
    """An engine with a session factory; :meth:`session` is one transaction (on SQLite, a
    process's writing transactions take turns: :meth:`_queued`)."""

    def __init__(self, engine: Engine, plugins: PluginManager | None = None) -> None:
        self.engine = engine
        deferred.install(engine)
        # whose hooks the store calls inside its transactions (the runtime's manager)
        self.plugins = plugins
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        readonly_engine = engine.execution_options(**{READONLY_OPTION: True})
        self._readonly_sessions = sessionmaker(readonly_engine, expire_on_commit=False)
        self._writers = threading.RLock() if engine.dialect.name == "sqlite" else None

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
        if readonly:
            with self._readonly_sessions.begin() as session:
                session.info[PLUGINS_KEY] = self.plugins
                yield session
            return
        with self._queued(), self._sessions.begin() as session:
            session.info[PLUGINS_KEY] = self.plugins
            yield session

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One writing transaction on a plain connection, without an ORM session: for a hot
        path that only runs prebuilt Core statements (the webhook intake). Committed on
        success, rolled back on any error; no store hooks run in it."""
        with self._queued(), self.engine.begin() as connection:
            yield connection

    @contextmanager
    def _queued(self) -> Iterator[None]:
        """SQLite has one writer at a time: this process's writers take turns here instead
        of sleeping in SQLite's busy handler (1 to 100 ms a try) until the lock is free.
        Past SQLite's own busy timeout a writer goes on and lets SQLite decide, as without
        the queue. Reentrant: a thread nesting transactions queues once."""
        if self._writers is None:
            yield
            return
        queued = self._writers.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        try:
            yield
        finally:
            if queued:
                self._writers.release()

    def dispose(self) -> None:
        self.engine.dispose()


def wipe_wal(engine: Engine) -> None:
    """After an erasure, copy SQLite's WAL into the database file and truncate it, so the
    erased values are left in neither (``secure_delete`` zeroes them in the file). A
    checkpoint a reader holds back is logged. A no-op elsewhere: PostgreSQL's autovacuum
    reclaims dead row versions on its own."""
    if engine.dialect.name != "sqlite":
        return
    connection = engine.raw_connection()  # outside any transaction (a checkpoint must be)
    try:
        cursor = connection.cursor()
        busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.close()
    finally:
        connection.close()
    if busy is not None and busy[0]:
        log.warning("the WAL checkpoint after an erasure was held back by a reader")


def connection_of(target: Session | Connection) -> Connection:
    """The connection a session's transaction runs on, or the connection itself."""
    return target.connection() if isinstance(target, Session) else target


def hooks_of(session: Session) -> Any:
    """The hook caller of the plugins a session's store code answers to: the runtime's, or
    the built-in features' for a database opened without one."""
    plugins = session.info.get(PLUGINS_KEY) or builtin_plugin_manager()
    return plugins.hook


def after_commit(session: Session, key: str, action: Callable[[Session], None]) -> None:
    """Run ``action`` once the session's outermost transaction has committed (not when a
    savepoint is released, and never after a rollback); once per ``key``."""
    if key in session.info:
        return
    session.info[key] = True

    def run(committed: Session) -> None:
        if committed.get_nested_transaction() is None and committed.info.pop(key, None):
            action(committed)

    event.listen(session, "after_commit", run)
