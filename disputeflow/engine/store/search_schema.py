"""The case search index: created by migration 0011, checked and repaired by
:func:`disputeflow.engine.store.case_search.ensure` after every upgrade.

SQLite: ``case_search_docs`` holds each case's id and search text (a narrow copy, its
integer key stable across ``VACUUM``), and ``case_search`` is an FTS5 table over it with
the ``trigram`` tokenizer (SQLite 3.34 or newer), without positions (``detail=none``: a
third of the size; a phrase is checked against the text instead). Triggers on ``cases``
keep both in step with every insert, change of ``search_text`` and delete (cascades
included). PostgreSQL: a ``pg_trgm`` GIN index on ``cases.search_text``, which ``LIKE``
uses as it is; the extension is created when the database user may, and the index is
left out (search then scans) when it may not.

Changing what is created here needs a new migration: 0011 calls these functions.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

DOCS = "case_search_docs"
FTS = "case_search"
TRIGGERS = ("case_search_insert", "case_search_update", "case_search_delete")
PG_INDEX = "ix_cases_search_trgm"
# what the models do not describe (autogenerate leaves them alone: migrations/env.py)
OUTSIDE_MODELS = frozenset({DOCS, FTS, PG_INDEX} | {f"{FTS}_{s}" for s in ("data", "idx",
                           "config", "docsize", "content")})  # fmt: skip

_SQLITE_TABLES = (
    "CREATE TABLE case_search_docs (id INTEGER PRIMARY KEY, case_id VARCHAR(40) NOT NULL"
    " UNIQUE, search_text TEXT NOT NULL)",
    "CREATE VIRTUAL TABLE case_search USING fts5(search_text, content='case_search_docs',"
    " content_rowid='id', tokenize='trigram case_sensitive 1', detail=none, columnsize=0)",
    # Each commit writes a small segment; FTS5 merges them as it goes, by default as soon
    # as 4 share a level: 1.4 ms per changed text on average at a million cases (spikes of
    # 100 ms). At 16 it is 0.3 ms; the worker's housekeeping merges the rest (tidy()).
    "INSERT INTO case_search (case_search, rank) VALUES ('automerge', 16)",
)
# An external-content FTS5 table forgets a row by being handed its old text ('delete');
# a changed text is forgotten, its row deleted and inserted again under a new key.
_SQLITE_TRIGGERS = (
    """CREATE TRIGGER case_search_insert AFTER INSERT ON cases BEGIN
        INSERT INTO case_search_docs (case_id, search_text) VALUES (new.id, new.search_text);
        INSERT INTO case_search (rowid, search_text)
            SELECT id, search_text FROM case_search_docs WHERE case_id = new.id;
    END""",
    """CREATE TRIGGER case_search_update AFTER UPDATE OF id, search_text ON cases
    WHEN old.search_text IS NOT new.search_text OR old.id IS NOT new.id BEGIN
        INSERT INTO case_search (case_search, rowid, search_text)
            SELECT 'delete', id, search_text FROM case_search_docs WHERE case_id = old.id;
        DELETE FROM case_search_docs WHERE case_id = old.id;
        INSERT INTO case_search_docs (case_id, search_text) VALUES (new.id, new.search_text);
        INSERT INTO case_search (rowid, search_text)
            SELECT id, search_text FROM case_search_docs WHERE case_id = new.id;
    END""",
    """CREATE TRIGGER case_search_delete AFTER DELETE ON cases BEGIN
        INSERT INTO case_search (case_search, rowid, search_text)
            SELECT 'delete', id, search_text FROM case_search_docs WHERE case_id = old.id;
        DELETE FROM case_search_docs WHERE case_id = old.id;
    END""",
)


def has_fts5_trigram(connection: Connection) -> bool:
    """Whether this SQLite has FTS5 and its trigram tokenizer (3.34+)."""
    try:
        with connection.begin_nested():
            connection.exec_driver_sql(
                "CREATE VIRTUAL TABLE temp.df_trigram_probe USING fts5(x, tokenize='trigram')"
            )
            connection.exec_driver_sql("DROP TABLE temp.df_trigram_probe")
        return True
    except DBAPIError:
        return False


def create_sqlite(connection: Connection) -> bool:
    """The tables and triggers, filled from the cases there are; ``False`` (nothing made)
    when this SQLite lacks FTS5's trigram tokenizer."""
    if not has_fts5_trigram(connection):
        log.warning("this SQLite has no FTS5 trigram tokenizer: case search scans")
        return False
    for statement in _SQLITE_TABLES:
        connection.exec_driver_sql(statement)
    create_triggers(connection)
    refill(connection)
    return True


def create_triggers(connection: Connection) -> None:
    for statement in _SQLITE_TRIGGERS:
        connection.exec_driver_sql(statement)


def refill(connection: Connection) -> None:
    """Copy every case's search text and rebuild the index from it."""
    connection.exec_driver_sql("DELETE FROM case_search_docs")
    connection.exec_driver_sql(
        "INSERT INTO case_search_docs (case_id, search_text) SELECT id, search_text FROM cases"
    )
    connection.exec_driver_sql("INSERT INTO case_search (case_search) VALUES ('rebuild')")


def drop_sqlite(connection: Connection) -> None:
    for trigger in TRIGGERS:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
    connection.exec_driver_sql("DROP TABLE IF EXISTS case_search")
    connection.exec_driver_sql("DROP TABLE IF EXISTS case_search_docs")


def trigram_schema(connection: Connection, *, install: bool) -> str | None:
    """The schema holding ``pg_trgm`` on PostgreSQL; when it is missing and ``install``,
    it is created first if this user may (PostgreSQL 13+ lets a user with CREATE on the
    database install it). ``None``: not installed."""
    query = text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = 'pg_trgm'"
    )
    found: str | None = connection.scalar(query)
    if found is not None or not install:
        return found
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError as error:
        log.info("pg_trgm could not be created: %s", str(error.orig).strip())
        return None
    installed: str | None = connection.scalar(query)
    return installed


def create_postgresql(connection: Connection) -> bool:
    """The GIN index, with ``pg_trgm`` created when allowed; ``False`` when the extension
    is missing (the migration still succeeds)."""
    schema = trigram_schema(connection, install=True)
    if schema is None:
        return False
    opclass = f"{connection.dialect.identifier_preparer.quote_schema(schema)}.gin_trgm_ops"
    connection.exec_driver_sql(
        f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON cases USING gin (search_text {opclass})"
    )
    return True


def drop_postgresql(connection: Connection) -> None:
    """The index only: the extension may serve others, and only its owner may drop it."""
    connection.exec_driver_sql(f"DROP INDEX IF EXISTS {PG_INDEX}")
