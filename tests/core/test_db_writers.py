"""Writing transactions of one process on SQLite take turns on a lock (instead of sleeping
in SQLite's busy handler); a plain Core transaction commits and rolls back like a session;
a writer whose turn does not come within SQLite's busy timeout goes on and lets SQLite
decide."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from disputeflow.engine.store import db as db_module
from disputeflow.engine.store.db import Database

INSERT = text("INSERT INTO notes VALUES (:n, 'w')")


@pytest.fixture
def database(database_url):
    database = Database.from_url(database_url)
    with database.engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (n INTEGER PRIMARY KEY, who VARCHAR(20))"))
    try:
        yield database
    finally:
        database.dispose()


def stored(database):
    with database.engine.connect() as connection:
        return sorted(connection.execute(text("SELECT n, who FROM notes")).all())


def test_a_plain_transaction_commits_and_rolls_back(database):
    with database.transaction() as connection:
        connection.execute(text("INSERT INTO notes VALUES (1, 'core')"))

    def fail_after_writing():
        with database.transaction() as connection:
            connection.execute(text("INSERT INTO notes VALUES (2, 'lost')"))
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        fail_after_writing()
    assert stored(database) == [(1, "core")]


def test_writers_of_many_threads_take_turns_and_all_commit(database):
    """Each writer holds its transaction a while: on SQLite the others wait their turn on
    the queue (no transaction ever overlaps another), none fails for a busy database."""
    inside, overlaps, errors = [0], [], []

    def write(worker):
        try:
            for n in range(5):
                use = database.transaction if n % 2 else database.session
                with use() as target:
                    inside[0] += 1
                    overlaps.append(inside[0])
                    target.execute(INSERT, {"n": worker * 10 + n})
                    time.sleep(0.002)
                    inside[0] -= 1
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(stored(database)) == 30
    if database.dialect == "sqlite":
        assert max(overlaps) == 1


def test_a_thread_nesting_writes_queues_once(database):
    if database.dialect != "sqlite":
        pytest.skip("the queue is SQLite's")
    with database.session() as session:
        session.execute(text("INSERT INTO notes VALUES (1, 'outer')"))
    with database._queued(), database._queued():  # reentrant: no deadlock with itself
        pass
    assert stored(database) == [(1, "outer")]


def test_a_turn_that_never_comes_falls_back_to_sqlite(database, monkeypatch):
    """A holder of the queue that is not writing (stuck elsewhere) delays a writer by the
    busy timeout at most; then the writer goes on, and SQLite lets it write."""
    if database.dialect != "sqlite":
        pytest.skip("the queue is SQLite's")
    monkeypatch.setattr(db_module, "SQLITE_BUSY_TIMEOUT_MS", 100)
    held, release = threading.Event(), threading.Event()

    def hold():
        with database._queued():
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    started = time.monotonic()
    try:
        with database.transaction() as connection:
            connection.execute(text("INSERT INTO notes VALUES (1, 'late')"))
    finally:
        release.set()
        holder.join()
    assert 0.09 <= time.monotonic() - started < 5
    assert stored(database) == [(1, "late")]
