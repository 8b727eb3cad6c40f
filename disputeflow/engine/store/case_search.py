"""The case list's text search (``q``): which cases hold a term, found through an index.

What matches never depends on the index: a case matches when the lower-cased term is a
substring of its lower-cased search text (platform id, reason, platform status, order
name and id, buyer name and e-mail), ``%`` and ``_`` taken literally; the ``LIKE`` that
says so is always part of the query. The index only finds the candidates without reading
every case (:mod:`disputeflow.engine.store.search_schema` creates it):

- PostgreSQL: the ``pg_trgm`` GIN index serves that ``LIKE``, asked for the term's rare
  trigrams only when it has some (:mod:`disputeflow.engine.store.search_pg`). The
  patterns are sent as literals and each search is planned for itself (no generic plan of
  a prepared statement), so the planner sees how rare the term is: a rare one is looked
  up in the index, a frequent one read in page order.
- SQLite: up to :data:`CANDIDATES` ids are collected first, by the trigrams of a term of
  three characters or more (FTS5), or by a scan of the narrow ``case_search_docs`` table
  for a shorter one. The page then comes from those cases alone. A term with more matches
  is frequent: the ordered scan of ``cases`` finds a page of them soonest, and is used.
  A count (the workspace's counts by status) takes the ids up to :data:`COUNTED`.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    String,
    and_,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.orm import Session

from disputeflow.core.case import Case
from disputeflow.engine.store import search_pg, search_schema
from disputeflow.engine.store.db import READONLY_OPTION, Database
from disputeflow.engine.store.tables import CaseRow

log = logging.getLogger(__name__)

TRIGRAM = 3  # the shortest term the trigram index finds
CANDIDATES = 5000  # more matches than this: the term is frequent, an ordered scan is faster
# A count reads every match: by id up to this many (about 13 us each), else every case
# (about 2 s at a million); the crossing is near 150,000 matches.
COUNTED = 50_000
_FTS_READY: WeakKeyDictionary[Engine, bool] = WeakKeyDictionary()


def text_of(case: Case) -> str:
    """What ``q`` searches, lower-cased (kept in ``cases.search_text``)."""
    parts = [case.external_id, case.platform_reason or "", case.platform_status or ""]
    if case.order:
        parts += [case.order.name or "", case.order.external_id or ""]
    if case.buyer:
        parts += [case.buyer.name or "", case.buyer.email or ""]
    return " ".join(p for p in parts if p).lower()


def like_pattern(term: str) -> str:
    """``%term%`` for ``LIKE ... ESCAPE '/'``, the term lower-cased and taken literally."""
    escaped = term.lower().replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def condition(session: Session, term: str, *, every: bool = False) -> ColumnElement[bool]:
    """The cases holding ``term`` (a ``WHERE`` clause for the case list and its counts;
    ``every``: all of them are read, as a count does, not only a first page)."""
    pattern = like_pattern(term)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return _postgresql(session, term.lower(), pattern)
    like = CaseRow.search_text.like(pattern, escape="/")
    if dialect != "sqlite" or not _fts_ready(session):
        return like
    ids = _candidates(session, term.lower(), pattern)
    if ids is not None:
        return and_(CaseRow.id.in_(ids), like)
    if every and _count(session, term.lower(), pattern) <= COUNTED:
        return and_(CaseRow.id.in_(_matching(term.lower(), pattern)), like)
    return like


def _postgresql(session: Session, term: str, pattern: str) -> ColumnElement[bool]:
    """The ``LIKE`` for the GIN index; or, when the term has rare trigrams, those for the
    index and the ``LIKE`` on an expression it does not serve (``|| ''``), so the scan
    reads only their rows (:mod:`disputeflow.engine.store.search_pg`)."""
    # psycopg prepares a statement run five times, and PostgreSQL may then plan it once for
    # any LIMIT: for a term no trigram serves, an ordered walk of every case (3.3 s at a
    # million) instead of a parallel scan (0.4 s). Plan each search for what it asks.
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    if not any(len(run) >= TRIGRAM for run in re.findall(r"[^\W_]+", term)):
        # no trigram to look up ("zq", "a/b"): the GIN index would read most of itself
        # (1 s); a parallel scan (0.4 s) or the newest cases in order do better
        session.execute(text("SET LOCAL enable_bitmapscan = off"))
    whole = literal(pattern, literal_execute=True)
    rare = search_pg.rare_trigrams(session, term)
    if not rare:
        return CaseRow.search_text.like(whole, escape="/")
    narrow = [CaseRow.search_text.like(literal(f"%{g}%", literal_execute=True)) for g in rare]
    return and_(*narrow, CaseRow.search_text.concat("").like(whole, escape="/"))


def _candidates(session: Session, term: str, pattern: str) -> list[str] | None:
    """The ids of the cases holding ``term`` (SQLite), or ``None`` when there are more
    than :data:`CANDIDATES`."""
    ids = [str(i) for i in session.scalars(_matching(term, pattern).limit(CANDIDATES + 1))]
    return ids if len(ids) <= CANDIDATES else None


def _count(session: Session, term: str, pattern: str) -> int:
    """How many cases hold ``term``, counted up to :data:`COUNTED` and one."""
    limited = _matching(term, pattern).limit(COUNTED + 1).subquery()
    return int(session.scalar(select(func.count()).select_from(limited)) or 0)


_BY_TRIGRAMS = text(
    "SELECT d.case_id FROM case_search AS f JOIN case_search_docs AS d ON d.id = f.rowid"
    " WHERE f.case_search MATCH :match AND d.search_text LIKE :pattern ESCAPE '/'"
)
_BY_SCAN = text("SELECT case_id FROM case_search_docs WHERE search_text LIKE :pattern ESCAPE '/'")


def _matching(term: str, pattern: str) -> Select[Any]:
    """The ids of the cases holding ``term`` (SQLite): from the trigram index for three
    characters or more (read as a stream: a limit stops it early), else from a scan of the
    narrow table."""
    if len(term) >= TRIGRAM and "\x00" not in term:
        found = _BY_TRIGRAMS.bindparams(match=_trigrams(term), pattern=pattern)
    else:
        found = _BY_SCAN.bindparams(pattern=pattern)
    ids = found.columns(case_id=String).subquery()
    return select(ids.c.case_id)


def _trigrams(term: str) -> str:
    """An FTS5 query for the documents holding every trigram of ``term`` (the ``LIKE``
    then checks they are in a row: without positions the index cannot)."""
    seen = dict.fromkeys(term[i : i + TRIGRAM] for i in range(len(term) - TRIGRAM + 1))
    return " AND ".join('"{}"'.format(gram.replace('"', '""')) for gram in seen)


def _fts_ready(session: Session) -> bool:
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    if engine not in _FTS_READY:
        found = session.execute(
            text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN"
                 " ('case_search_insert', 'case_search_update', 'case_search_delete')")
        ).scalar_one()  # fmt: skip
        _FTS_READY[engine] = found == len(search_schema.TRIGGERS)
    return _FTS_READY[engine]


@dataclass(frozen=True)
class SearchIndex:
    """Whether ``q`` is served by an index, and what to do when it is not."""

    indexed: bool
    kind: str  # "fts5 trigram", "pg_trgm gin", or what is missing
    fix: str | None = None  # the commands an owner runs

    def message(self) -> str:
        if self.indexed:
            return f"case search: indexed ({self.kind})"
        return f"case search is NOT indexed ({self.kind}): every q= reads all cases. {self.fix}"


def status(connection: Connection) -> SearchIndex:
    """Where the search index stands on this database (reads only)."""
    upgrade = "Run: disputeflow db upgrade"
    if connection.dialect.name == "sqlite":
        names = set(connection.scalars(text("SELECT name FROM sqlite_master")))
        if {search_schema.FTS, *search_schema.TRIGGERS} <= names:
            return SearchIndex(True, "fts5 trigram")
        if not _sqlite_has_trigram(connection):
            fix = "Use SQLite 3.34 or newer with FTS5 (Python's own has it), then: " + upgrade
            return SearchIndex(False, "this SQLite has no FTS5 trigram tokenizer", fix)
        return SearchIndex(False, "not built yet", upgrade)
    found = connection.scalar(
        text("SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = :n"),
        {"n": search_schema.PG_INDEX},
    )
    if found:
        return SearchIndex(True, "pg_trgm gin")
    if search_schema.trigram_schema(connection, install=False) is not None:
        return SearchIndex(False, "pg_trgm is installed, the index not built yet", upgrade)
    database = connection.engine.url.database or "DATABASE"
    fix = (f"As the database owner run: psql -d {database} -c 'CREATE EXTENSION pg_trgm'"
           " then: disputeflow db upgrade")  # fmt: skip
    return SearchIndex(False, "the pg_trgm extension is not installed", fix)


def check(database: Database) -> SearchIndex:
    """:func:`status` in a read-only transaction of its own."""
    readonly = database.engine.execution_options(**{READONLY_OPTION: True})
    with readonly.connect() as connection:
        return status(connection)


def _sqlite_has_trigram(connection: Connection) -> bool:
    options = set(connection.exec_driver_sql("PRAGMA compile_options").scalars())
    return sqlite3.sqlite_version_info >= (3, 34) and "ENABLE_FTS5" in options


def ensure(database: Database) -> SearchIndex:
    """After an upgrade: build what is missing (the GIN index once ``pg_trgm`` is there;
    the SQLite triggers, which rebuilding ``cases`` in a later migration would drop) and
    say where search stands."""
    _FTS_READY.pop(database.engine, None)
    with database.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            _repair_sqlite(connection)
        elif connection.dialect.name == "postgresql":
            search_schema.create_postgresql(connection)
        return status(connection)


def _repair_sqlite(connection: Connection) -> None:
    names = set(connection.scalars(text("SELECT name FROM sqlite_master")))
    if search_schema.DOCS not in names or set(search_schema.TRIGGERS) <= names:
        return  # before 0011 (or without FTS5), or whole
    log.warning("case search triggers were missing: recreated, index rebuilt")
    for trigger in set(search_schema.TRIGGERS) & names:
        connection.exec_driver_sql(f"DROP TRIGGER {trigger}")
    search_schema.create_triggers(connection)
    search_schema.refill(connection)


def purge(session: Session) -> None:
    """Merge the SQLite index into one segment, so the text of rows just changed or deleted
    (an erasure) is gone from it, not only marked deleted. PostgreSQL's ``VACUUM`` does
    the same for the GIN index and the rows (autovacuum runs it)."""
    if session.get_bind().dialect.name == "sqlite" and _fts_ready(session):
        session.flush()  # the changed search texts reach the index first
        session.execute(text("INSERT INTO case_search (case_search) VALUES ('optimize')"))


TIDY_PAGES = 500  # about 2 MB of index rewritten: 0.1 s at a million cases


def tidy(session: Session) -> None:
    """Merge a bounded share of the SQLite index's small segments (the worker's
    housekeeping, once a minute): searches read fewer segments, and the text of changed
    and deleted rows leaves the index sooner. PostgreSQL's autovacuum does this for GIN."""
    if session.get_bind().dialect.name == "sqlite" and _fts_ready(session):
        merge = text("INSERT INTO case_search (case_search, rank) VALUES ('merge', :pages)")
        session.execute(merge, {"pages": TIDY_PAGES})
