"""Inserts a worker's group writes together: one ``executemany`` per table, not one
statement per merge.

Inside :func:`deferring`, the rows that :func:`insert` is given (a merge's snapshot and its
timeline entries, each with its ``case_id``) are kept, and written before the next
statement on the connection that is not known to leave them alone (:func:`unaffected`, or
:func:`per_case` for another case), so anything that reads them in the same transaction
sees them, as it would have without the deferral. A savepoint's ``SAVEPOINT`` and
``ROLLBACK TO`` are such statements too, so a savepoint keeps the rows written inside it.
What is still kept when the block ends is written then; when the block ends with an
error, it is dropped, with the transaction the caller rolls back.

SQL statements cost about as much to issue as to run (SQLAlchemy's execution path and
SQLite's per-statement work): a group of 50 new cases writes two statements here, not 100.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Executable, event

_KEY = "disputeflow.deferred_inserts"
_UNAFFECTED: set[Any] = set()
_PER_CASE: dict[Any, str] = {}


@dataclass
class _Kept:
    rows: dict[Executable, list[dict[str, Any]]] = field(default_factory=dict)
    cases: set[str] = field(default_factory=set)


def unaffected(*statements: Executable) -> None:
    """Declare prebuilt statements that neither read nor write the kept rows: running
    them writes nothing kept (the hot path's case lookup and case row writes)."""
    _UNAFFECTED.update(statements)


def per_case(parameter: str, *statements: Executable) -> None:
    """Declare prebuilt statements that read or change the rows of one case only, the
    case whose id is bound to ``parameter``: they write what is kept only when some of it
    is that case's (loading a case, deleting its derived timeline entries)."""
    _PER_CASE.update(dict.fromkeys(statements, parameter))


@contextmanager
def deferring(connection: Connection) -> Iterator[None]:
    """Keep :func:`insert`'s rows until a statement needs them, or the block ends."""
    connection.info[_KEY] = _Kept()
    try:
        yield
        write(connection)
    finally:
        connection.info.pop(_KEY, None)


def insert(connection: Connection, statement: Executable, rows: list[dict[str, Any]]) -> None:
    """Run ``statement`` for ``rows`` (each with its ``case_id``) now, or keep the rows
    while :func:`deferring`."""
    kept: _Kept | None = connection.info.get(_KEY)
    if kept is None:
        connection.execute(statement, rows)
    elif rows:
        kept.rows.setdefault(statement, []).extend(rows)
        kept.cases.update(row["case_id"] for row in rows)


def write(connection: Connection) -> None:
    """Write what is kept, one statement per table, in the order first kept."""
    kept: _Kept | None = connection.info.get(_KEY)
    if not kept or not kept.rows:
        return
    connection.info[_KEY] = _Kept()  # these statements must not come back here
    for statement, rows in kept.rows.items():
        connection.execute(statement, rows)


def install(engine: Engine) -> None:
    """Write kept rows before any other statement on ``engine``'s connections."""
    if not event.contains(engine, "before_execute", _before_execute):
        event.listen(engine, "before_execute", _before_execute)


def _before_execute(
    conn: Connection, clauseelement: Any, multiparams: Any, params: Any, execution_options: Any
) -> None:
    kept: _Kept | None = conn.info.get(_KEY)
    if not kept or not kept.rows or clauseelement in _UNAFFECTED:
        return
    parameter = _PER_CASE.get(clauseelement)
    if parameter is None or multiparams or params.get(parameter) in kept.cases:
        write(conn)
