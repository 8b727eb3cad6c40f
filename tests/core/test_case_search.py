"""Case search (``q``) through its index gives exactly the cases the plain filter gives.

The plain filter is what ``q`` was before the index: the stored ``search_text`` holding the
lower-cased term, ``%`` and ``_`` taken literally. Every query below is asked both ways on
the same seeded store, on SQLite and PostgreSQL, with the SQLite candidate limit at its
default and at 2 (so the "frequent term" path runs too), and some have known answers
written out. The index follows inserts, changes and deletes (the connection's cascade
included), migration 0011 fills it from existing cases and its downgrade removes it.
"""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import event, select, text

from disputeflow.core.values import Order, Party
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.store import (
    case_search,
    cases,
    connections,
    migrate,
    search_pg,
    search_schema,
)
from disputeflow.engine.store.db import Database
from disputeflow.engine.store.tables import CaseRow
from tests.builders import snapshot
from tests.store_support import downgrade

# external id, buyer name, buyer e-mail, order name
SEEDED = [
    ("1001", "Jörg Müller", "joerg.mueller@example.de", "#1001"),
    ("1002", "MÜLLER GmbH", "einkauf@mueller.example", "#1002"),
    ("1003", "山田 太郎", "yamada@example.jp", "注文1003"),
    ("1004", "Ana 100% Cotton_Shirt", "first_last@example.com", "#100%_A"),
    ("1005", "Ana 100x CottonXShirt", "firstxlast@example.com", "#100xxA"),
    ("1006", 'Tom "Tiny" Jones', "tom/jones@example.com", "#A/B"),
    ("1007", "İlker Straße", "ilker@example.com.tr", None),
    ("7", None, None, None),
    *((f"20{n:02}", f"Buyer {n}", f"buyer{n}@example.com", f"#2{n:03}") for n in range(12)),
]
QUERIES = [
    "müller", "MÜLLER", "Müller", "mül", "ül", "ü", "jörg m", "山田", "山", "山田 太郎", "太郎",
    "注文", "yamada@", "%", "_", "0%_", "100%", "100%_a", "n_s", "first_last", "t_l", "/", "a/b",
    "m/j", '"', '"tiny"', 'tom "t', "İlker", "i̇lker", "ilker", "straße", "STRASSE", "7", "07",
    "ex", "example", "EXAMPLE.COM", "buyer 1", "buyer1", "buyer 11", "#20", "zzz", "x", " ",
    "a a", "fraud", "chargeback", "\\", "'", "%%", "__",
]  # fmt: skip
KNOWN = {  # answers read off SEEDED, not from any query
    "müller": {"1001", "1002"},
    "MÜLLER": {"1001", "1002"},
    "山田": {"1003"},
    "注文": {"1003"},
    "100%": {"1004"},
    "0%_": {"1004"},
    "n_s": {"1004"},
    "t_l": {"1004"},
    "a/b": {"1006"},
    '"tiny"': {"1006"},
    "straße": {"1007"},
    "STRASSE": set(),
    "buyer 11": {"2011"},
    "zzz": set(),
}


# a test of one database's index runs on that one only
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
postgresql_only = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def fake_plugins(plugin_manager):
    return plugin_manager


@pytest.fixture
def connection_id(runtime):
    with runtime.database.session() as session:
        row = connections.create(session, runtime.secrets, platform="fake", name="shop",
                                 settings={}, secret_fields=frozenset())  # fmt: skip
        return row.id


def seed(runtime, connection_id, rows=SEEDED, start=0):
    for n, (external_id, name, email, order) in enumerate(rows, start=start):
        ingest_snapshot(runtime.database, runtime.plugins, connection_id, snapshot(
            external_id, hours=n, buyer=Party(name=name, email=email) if name else None,
            order=Order(external_id=f"o-{external_id}", name=order) if order else None,
        ))  # fmt: skip


def plain(session, term, status=None):
    """The filter as it was: every row read, ``LIKE`` on the stored text."""
    query = select(CaseRow).where(CaseRow.search_text.contains(term.lower(), autoescape=True))
    if status:
        query = query.where(CaseRow.status == status)
    rows = session.scalars(query.order_by(CaseRow.updated_at.desc(), CaseRow.id.desc()))
    return [row.external_id for row in rows]


def indexed(session, term, sort="newest", status=None):
    found, cursor = [], None
    while True:
        rows, cursor = cases.list_rows(session, cases.CaseFilter(q=term, status=status),
                                       limit=3, cursor=cursor, sort=sort)  # fmt: skip
        found += [row.external_id for row in rows]
        if cursor is None:
            return found


@pytest.fixture(params=["default", "narrow"])
def candidates(request, monkeypatch):
    """``narrow``: SQLite takes at most 2 candidates, so most terms are "frequent" and read
    in page order (counted by id up to 4 matches, beyond by reading every case);
    PostgreSQL counts trigrams held by half the sampled texts as rare, so most terms ask
    the index for their rarest trigrams and test the whole term after."""
    search_pg.forget()
    if request.param == "narrow":
        monkeypatch.setattr(case_search, "CANDIDATES", 2)
        monkeypatch.setattr(case_search, "COUNTED", 4)
        monkeypatch.setattr(search_pg, "RARE", 0.5)
        monkeypatch.setattr(search_pg, "_MIN_SAMPLE", 1)
    yield request.param
    search_pg.forget()


def analyse(runtime):
    """PostgreSQL's sample of the search texts (autovacuum's ANALYZE makes it in use)."""
    if runtime.database.dialect == "postgresql":
        with runtime.database.engine.begin() as connection:
            connection.execute(text("ANALYZE cases"))


def test_the_index_finds_what_the_plain_filter_finds(runtime, connection_id, candidates):
    seed(runtime, connection_id)
    analyse(runtime)
    with runtime.database.session(readonly=True) as session:
        everything = {r.external_id: r.search_text for r in session.scalars(select(CaseRow))}
        for term in QUERIES:
            expected = plain(session, term)
            assert set(expected) == {i for i, t in everything.items() if term.lower() in t}
            assert indexed(session, term) == expected, term
            urgent = cases.list_rows(session, cases.CaseFilter(q=term), limit=500, sort="urgent")
            assert sorted(r.external_id for r in urgent[0]) == sorted(expected), term
            counts = cases.count_by_status(session, cases.CaseFilter(q=term))
            assert counts == ({"needs_response": len(expected)} if expected else {}), term
            if term in KNOWN:
                assert set(expected) == KNOWN[term], term


def test_other_filters_narrow_the_search(runtime, connection_id):
    seed(runtime, connection_id)
    seed(runtime, connection_id, [("3001", "Hans Müller", "hans@example.de", None)], 100)
    with runtime.database.session() as session:
        row = session.scalars(select(CaseRow).where(CaseRow.external_id == "3001")).one()
        row.status = "resolved"
    with runtime.database.session(readonly=True) as session:
        assert indexed(session, "müller", status="resolved") == ["3001"]
        assert sorted(indexed(session, "müller", status="needs_response")) == ["1001", "1002"]


@pytest.fixture
def statements(runtime):
    seen = []

    def record(_conn, _cursor, statement, parameters, *_):
        seen.append((statement, parameters))

    event.listen(runtime.database.engine, "before_cursor_execute", record)
    yield seen
    event.remove(runtime.database.engine, "before_cursor_execute", record)


def page_query(statements):
    """The first page's query among those sent (with its parameters)."""
    return next((s, p) for s, p in statements if "FROM cases" in s and "LIMIT" in s)


@sqlite_only
def test_sqlite_asks_the_trigram_index_and_the_narrow_table(runtime, connection_id, statements):
    seed(runtime, connection_id)
    with runtime.database.session(readonly=True) as session:
        statements.clear()
        assert indexed(session, "mül") == ["1002", "1001"]
        assert any("MATCH" in s for s, _ in statements)
        statements.clear()
        assert indexed(session, "ül") == ["1002", "1001"]
        assert any("FROM case_search_docs WHERE" in s for s, _ in statements), statements
        assert not any("MATCH" in s for s, _ in statements)


@postgresql_only
def test_postgresql_serves_the_like_from_the_trigram_index(runtime, connection_id, statements):
    seed(runtime, connection_id)
    with runtime.database.session(readonly=True) as session:
        statements.clear()
        assert indexed(session, "müller") == ["1002", "1001"]
        sent, parameters = page_query(statements)
        session.execute(text("SET LOCAL enable_seqscan = off"))  # 20 rows: else it reads them
        connection = session.connection()
        plan = "\n".join(connection.exec_driver_sql(f"EXPLAIN {sent}", parameters).scalars())
    assert "'%%müller%%'" in sent  # the term reaches the planner as a literal (% doubled)
    assert search_schema.PG_INDEX in plan, plan


def test_the_index_follows_changes_and_deletes(runtime, connection_id, candidates):
    seed(runtime, connection_id)
    analyse(runtime)
    seed(runtime, connection_id, [("1001", "Jörg Schmidt", "js@example.de", "#1001")], 100)
    with runtime.database.session() as session:
        session.delete(session.scalars(select(CaseRow).where(CaseRow.external_id == "1003")).one())
    with runtime.database.session(readonly=True) as session:
        assert indexed(session, "müller") == ["1002"]
        assert indexed(session, "schmidt") == ["1001"]
        assert indexed(session, "山田") == []
        for term in QUERIES:
            assert indexed(session, term) == plain(session, term), term
    with runtime.database.session() as session:
        connections.delete(session, connection_id)  # its cases go by the cascade
    with runtime.database.session(readonly=True) as session:
        assert [indexed(session, t) for t in ("buyer", "ex", "mül")] == [[], [], []]
        if runtime.database.dialect == "sqlite":
            docs = session.scalar(text("SELECT count(*) FROM case_search_docs"))
            assert docs == 0
    assert_index_intact(runtime)


def assert_index_intact(runtime):
    """SQLite: FTS5 compares its index with the text it was built from."""
    if runtime.database.dialect == "sqlite":
        with runtime.database.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO case_search(case_search, rank) VALUES ('integrity-check', 1)"
            )


def index_blocks(connection):
    """The SQLite index's pages (not its structure record, which numbers segments)."""
    return (
        connection.exec_driver_sql("SELECT block FROM case_search_data WHERE id > 10 ORDER BY id")
        .scalars()
        .all()
    )


def rebuilt_blocks(connection):
    connection.exec_driver_sql("INSERT INTO case_search(case_search) VALUES ('rebuild')")
    connection.exec_driver_sql("INSERT INTO case_search(case_search) VALUES ('optimize')")
    return index_blocks(connection)


@sqlite_only
def test_purge_leaves_the_index_as_if_built_from_the_text_there_is(runtime, connection_id):
    seed(runtime, connection_id)
    with runtime.database.session() as session:
        row = session.scalars(select(CaseRow).where(CaseRow.external_id == "1003")).one()
        row.search_text = "[erased]"
        session.flush()
        case_search.purge(session)
    with runtime.database.engine.begin() as connection:
        purged = index_blocks(connection)
        assert purged == rebuilt_blocks(connection)
    # without the purge the erased text's trigrams stay in older segments
    with runtime.database.session() as session:
        row = session.scalars(select(CaseRow).where(CaseRow.external_id == "1001")).one()
        row.search_text = "[erased]"
    with runtime.database.engine.begin() as connection:
        assert index_blocks(connection) != rebuilt_blocks(connection)


@postgresql_only
def test_postgresql_asks_the_index_for_the_rare_trigrams_only(
    runtime, connection_id, statements, monkeypatch
):
    """In the sample of 20 texts, ``joe``, ``oer`` and ``erg`` are in one, ``mue`` in two,
    ``exa`` and ``com`` in most: the index is asked for the first three, and the whole term
    tested after. ``buyer11@example.com`` has one rare trigram only (``r11``): it goes to
    the index whole."""
    monkeypatch.setattr(search_pg, "_MIN_SAMPLE", 1)
    monkeypatch.setattr(search_pg, "RARE", 0.1)
    search_pg.forget()
    seed(runtime, connection_id)
    analyse(runtime)
    term = "joerg.mueller@example.de"
    with runtime.database.session(readonly=True) as session:
        assert search_pg.rare_trigrams(session, term) == ["joe", "oer", "erg"]
        assert search_pg.rare_trigrams(session, "buyer11@example.com") == []
        statements.clear()
        assert indexed(session, term) == ["1001"]
        sent, parameters = page_query(statements)
        # 20 rows: a plan reading them all is the cheapest, unless told otherwise
        session.execute(text("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off"))
        explained = session.connection().exec_driver_sql(f"EXPLAIN {sent}", parameters)
        plan = "\n".join(explained.scalars())
    index_cond = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "~~ '%joe%'" in index_cond, plan
    assert "~~ '%erg%'" in index_cond, plan
    assert "example" not in index_cond, plan
    assert f"'%{term}%'" in plan  # tested on every row the index gave
    search_pg.forget()


@sqlite_only
def test_housekeeping_merges_the_small_segments_of_the_sqlite_index(runtime, connection_id):
    """Every commit that changes a search text writes a small segment of its own."""
    seed(runtime, connection_id)
    for n in range(40):
        with runtime.database.session() as session:
            row = session.scalars(select(CaseRow).where(CaseRow.external_id == "2003")).one()
            row.search_text = f"{row.search_text} {n}"

    def pages():
        with runtime.database.engine.connect() as connection:
            return connection.exec_driver_sql("SELECT count(*) FROM case_search_data").scalar()

    before = pages()
    runtime.plugins.hook.disputeflow_housekeeping(runtime=runtime)
    assert pages() < before / 4
    with runtime.database.session(readonly=True) as session:
        assert indexed(session, "example.com 0 1 2") == ["2003"]
        assert indexed(session, "38 39") == ["2003"]
        assert indexed(session, "39 40") == []
    assert_index_intact(runtime)


@postgresql_only
def test_postgresql_plans_each_search_and_skips_the_index_without_a_trigram(runtime, connection_id):
    """A prepared statement's generic plan (any LIMIT, any term) walked every case in
    order for ``zq`` (3.3 s at a million); a term without three letters or digits in a row
    has no trigram the index could look up."""
    seed(runtime, connection_id)

    def settings(term):
        with runtime.database.session(readonly=True) as session:
            assert indexed(session, term) == plain(session, term)
            show = [f"SHOW {name}" for name in ("plan_cache_mode", "enable_bitmapscan")]
            return [session.scalar(text(line)) for line in show]

    assert settings("müller") == ["force_custom_plan", "on"]
    assert settings("ül") == ["force_custom_plan", "off"]
    assert settings("a/b") == ["force_custom_plan", "off"]
    assert settings("t_l") == ["force_custom_plan", "off"]  # pg_trgm splits words at "_"


def _down_revision():
    return ScriptDirectory.from_config(migrate.alembic_config()).get_revision("0011").down_revision


def _objects(database):
    """The search index's tables, triggers and indexes there are."""
    with database.engine.connect() as connection:
        if database.dialect == "sqlite":
            names = set(connection.scalars(text("SELECT name FROM sqlite_master")))
        else:
            query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
            names = set(connection.scalars(text(query)))
    return names & (search_schema.OUTSIDE_MODELS | set(search_schema.TRIGGERS))


def _insert_raw(database, case_id, search_text):
    stamp = "2026-11-01 12:00:00"
    with database.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO cases (id, connection_id, platform, object_type, external_id, kind,"
            " status, category, search_text, opened_at, updated_at, snapshot_at,"
            " snapshot_revision, snapshot_fingerprint, document) VALUES (:id, 'con_1', 'fake',"
            " 'dispute', :id, 'chargeback', 'needs_response', 'fraud', :text, :at, :at, :at,"
            " -1, 'f', '{}')"
        ), {"id": case_id, "text": search_text, "at": stamp})  # fmt: skip


def _search(database, term):
    with database.session(readonly=True) as session:
        rows, _ = cases.list_rows(session, cases.CaseFilter(q=term))
        return sorted(row.id for row in rows)


def test_migration_fills_the_index_and_downgrades_cleanly(database_url):
    database = Database.from_url(database_url)
    try:
        migrate.upgrade(database, _down_revision())
        with database.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO connections (id, platform, name, settings, secrets, created_at,"
                " updated_at, rejected_deliveries, state, demo) VALUES ('con_1', 'fake', 'shop',"
                " '{}', '', :at, :at, 0, 'active', false)"
            ), {"at": "2026-11-01 12:00:00"})  # fmt: skip
        _insert_raw(database, "case_1", "1 jörg müller joerg@example.de")
        _insert_raw(database, "case_2", "2 山田 太郎 yamada@example.jp")
        assert migrate.upgrade(database).indexed
        assert _objects(database)  # the index is there
        assert _search(database, "müller") == ["case_1"]
        assert _search(database, "山田") == ["case_2"]
        assert _search(database, "ü") == ["case_1"]
        downgrade(database, _down_revision())
        assert _objects(database) == set()
        _insert_raw(database, "case_3", "3 hans müller")  # no trigger is left behind
        assert migrate.upgrade(database).indexed
        assert _search(database, "müller") == ["case_1", "case_3"]
    finally:
        database.dispose()


@sqlite_only
def test_an_upgrade_repairs_missing_sqlite_triggers(runtime, connection_id):
    """A later migration that rebuilds ``cases`` (SQLite's batch mode) drops its triggers."""
    seed(runtime, connection_id)
    with runtime.database.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER case_search_insert")
    assert not case_search.check(runtime.database).indexed
    seed(runtime, connection_id, [("4001", "Ohne Index", "ohne@example.de", None)], 100)
    state = migrate.upgrade(runtime.database)
    assert state.indexed
    with runtime.database.session(readonly=True) as session:
        assert indexed(session, "ohne index") == ["4001"]
        for term in QUERIES:
            assert indexed(session, term) == plain(session, term), term
    assert_index_intact(runtime)


@sqlite_only
def test_without_fts5_trigram_sqlite_still_searches_and_says_so(database_url, monkeypatch):
    """An SQLite built without FTS5 (or older than 3.34): the migration goes on without
    the index, ``q`` reads every case, and the status names what is missing."""
    monkeypatch.setattr(search_schema, "has_fts5_trigram", lambda _connection: False)
    monkeypatch.setattr(case_search, "_sqlite_has_trigram", lambda _connection: False)
    database = Database.from_url(database_url)
    try:
        state = migrate.upgrade(database)
        assert not state.indexed
        assert "no FTS5 trigram tokenizer" in state.message()
        assert "disputeflow db upgrade" in state.message()
        assert _objects(database) == set()
        with database.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO connections (id, platform, name, settings, secrets, created_at,"
                " updated_at, rejected_deliveries, state, demo) VALUES ('con_1', 'fake', 'shop',"
                " '{}', '', :at, :at, 0, 'active', false)"
            ), {"at": "2026-11-01 12:00:00"})  # fmt: skip
        _insert_raw(database, "case_1", "1 jörg müller joerg@example.de")
        assert _search(database, "MÜLLER") == ["case_1"]
        assert _search(database, "ü") == ["case_1"]
    finally:
        database.dispose()
