"""Deferred inserts: kept until a statement might need them, never lost, never seen late."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, func, insert, select

from disputeflow.engine.store import deferred
from disputeflow.engine.store.db import Database

METADATA = MetaData()
ITEMS = Table("deferred_items", METADATA, Column("id", Integer, primary_key=True),
              Column("case_id", String(20)), Column("name", String(20)))  # fmt: skip
OTHERS = Table("deferred_others", METADATA, Column("id", Integer, primary_key=True))
INSERT_ITEM = insert(ITEMS)
COUNT_OTHERS = select(func.count()).select_from(OTHERS)
deferred.unaffected(COUNT_OTHERS)
NAMES_OF_CASE = select(ITEMS.c.name).where(ITEMS.c.case_id == bindparam("case_key"))
deferred.per_case("case_key", NAMES_OF_CASE)


@pytest.fixture
def database(database_url):
    database = Database.from_url(database_url)
    METADATA.create_all(database.engine)
    yield database
    database.dispose()


def written(connection) -> list[str]:
    """The rows in the table as the database has them, read past SQLAlchemy (whose
    statements would write the kept rows first)."""
    cursor = connection.connection.driver_connection.cursor()
    cursor.execute("SELECT name FROM deferred_items ORDER BY id")
    names = [row[0] for row in cursor.fetchall()]
    cursor.close()
    return names


def test_rows_wait_for_a_statement_that_may_read_them(database):
    with database.transaction() as connection, deferred.deferring(connection):
        deferred.insert(connection, INSERT_ITEM, [{"case_id": "c1", "name": "a"}])
        deferred.insert(
            connection,
            INSERT_ITEM,
            [{"case_id": "c1", "name": "b"}, {"case_id": "c2", "name": "c"}],
        )
        assert written(connection) == []
        connection.execute(COUNT_OTHERS)  # declared unaffected: nothing written
        assert written(connection) == []
        assert connection.execute(select(ITEMS.c.name).order_by(ITEMS.c.id)).scalars().all() == [
            "a", "b", "c"
        ]  # fmt: skip
        deferred.insert(connection, INSERT_ITEM, [{"case_id": "c1", "name": "d"}])
    with database.transaction() as connection:
        assert written(connection) == ["a", "b", "c", "d"]  # the last, at the block's end


def test_outside_a_deferring_block_rows_are_written_at_once(database):
    with database.transaction() as connection:
        deferred.insert(connection, INSERT_ITEM, [{"case_id": "c1", "name": "now"}])
        assert written(connection) == ["now"]


def test_an_error_in_the_block_writes_nothing_kept(database):
    def fail_in_the_block() -> None:
        with database.transaction() as connection, deferred.deferring(connection):
            deferred.insert(connection, INSERT_ITEM, [{"case_id": "c1", "name": "lost"}])
            raise RuntimeError("the group failed")

    with pytest.raises(RuntimeError):
        fail_in_the_block()
    with database.transaction() as connection:
        assert written(connection) == []
        assert not connection.info.get("disputeflow.deferred_inserts")


def test_a_savepoint_keeps_the_rows_kept_before_it(database):
    with database.transaction() as connection, deferred.deferring(connection):
        deferred.insert(connection, INSERT_ITEM, [{"case_id": "c1", "name": "before"}])
        savepoint = connection.begin_nested()
        deferred.insert(connection, INSERT_ITEM, [{"case_id": "c1", "name": "inside"}])
        savepoint.rollback()  # ROLLBACK TO writes "inside" first, then undoes it
        deferred.insert(connection, INSERT_ITEM, [{"case_id": "c1", "name": "after"}])
    with database.transaction() as connection:
        assert written(connection) == ["before", "after"]


def test_a_read_of_one_case_writes_the_kept_rows_only_when_some_are_that_cases(database):
    with database.transaction() as connection, deferred.deferring(connection):
        deferred.insert(connection, INSERT_ITEM, [{"case_id": "c1", "name": "a"}])
        deferred.insert(connection, INSERT_ITEM, [{"case_id": "c2", "name": "b"}])
        assert connection.execute(NAMES_OF_CASE, {"case_key": "c3"}).all() == []
        assert written(connection) == []
        assert connection.execute(NAMES_OF_CASE, {"case_key": "c2"}).scalars().all() == ["b"]
        assert written(connection) == ["a", "b"]
