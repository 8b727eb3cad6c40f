"""A group of deliveries: one transaction without savepoints while all goes well; one
failing delivery sends the group round again with a savepoint each, and only it fails."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select, text

from disputeflow.engine import processing
from disputeflow.engine.processing import process_deliveries
from disputeflow.engine.store import audit_verify, cases, deliveries
from disputeflow.engine.store.tables import AuditRow, CaseRow, CaseSnapshotRow, TimelineRow
from tests.fakes.marketplace import encode
from tests.store_support import store_delivery

T0 = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def connection_id(runtime):
    return runtime.add_connection("fake", "eu", {"signing_secret": "s", "shop": "eu"})["id"]


def payload(n: int, status: str, hours: int) -> dict[str, str]:
    return {
        "id": f"d{n}", "type": "dispute", "status": status, "reason": "fraudulent",
        "amount": "10.00", "currency": "EUR", "opened_at": T0.isoformat(),
        "updated_at": (T0 + timedelta(hours=hours)).isoformat(),
    }  # fmt: skip


def store_disputes(runtime, connection_id, *, late: bool = True) -> list[str]:
    """Four disputes, two of them updated (and when ``late``, one update arriving before
    its opening: the refold audits the entries it rewrites again)."""
    bodies = [payload(n, "needs_response", 0) for n in range(4)]
    bodies[2:2] = [payload(0, "under_review", 1), payload(1, "won", 2)]
    if late:
        bodies.insert(0, payload(3, "under_review", 1))
    return [
        store_delivery(runtime, connection_id, encode(b), f"k{i}") for i, b in enumerate(bodies)
    ]


def counts(runtime) -> tuple[int, ...]:
    with runtime.database.session(readonly=True) as session:
        found = [
            session.scalar(select(func.count()).select_from(table))
            for table in (CaseRow, CaseSnapshotRow, TimelineRow)
        ]
        of_cases = select(func.count()).where(AuditRow.case_id.is_not(None))
        return (*found, session.scalar(of_cases))


def process_while_held(runtime, lock, params=None):
    """``process_deliveries(limit=2)`` while another worker holds a lock (taken by running
    ``lock``) for one second; its report and how long it took."""
    with runtime.database.engine.connect() as other:
        other.execute(lock, params or {})
        release = threading.Timer(1.0, other.rollback)
        release.start()
        started = time.monotonic()
        report = process_deliveries(runtime, limit=2)
        waited = time.monotonic() - started
        release.join()
    return report, waited


@pytest.fixture
def modes(monkeypatch):
    """The ``savepoints`` flag of every group run, in order."""
    seen: list[bool] = []
    run_group = processing._run_group

    def spy(*args, savepoints, **kwargs):
        seen.append(savepoints)
        return run_group(*args, savepoints=savepoints, **kwargs)

    monkeypatch.setattr(processing, "_run_group", spy)
    monkeypatch.setattr(processing, "GROUP_SECONDS", 60)  # one group, however slow the machine
    return seen


def test_a_group_that_goes_well_is_one_transaction_without_savepoints(
    runtime, connection_id, modes
):
    ids = store_disputes(runtime, connection_id)
    statements: list[str] = []
    engine = runtime.database.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731 (statement text)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        report = process_deliveries(runtime, limit=50)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert (report.processed, report.failed) == (len(ids), 0)
    assert modes == [False, False]  # the group, then a claim that found nothing
    assert not [s for s in statements if s.lstrip().upper().startswith("SAVEPOINT")]
    assert counts(runtime)[:2] == (4, len(ids))


def test_a_group_writes_its_snapshots_and_timeline_entries_in_one_statement_each(
    runtime, connection_id, modes
):
    ids = [
        store_delivery(runtime, connection_id, encode(payload(n, "needs_response", 0)), f"n{n}")
        for n in range(5)
    ]
    inserts: list[tuple[str, int]] = []

    def listener(_conn, _cursor, statement, parameters, _context, executemany):
        table = statement.split()[2] if statement.startswith("INSERT INTO") else None
        if table in ("case_snapshots", "timeline_entries"):
            inserts.append((table, len(parameters) if executemany else 1))

    engine = runtime.database.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert process_deliveries(runtime, limit=50).processed == len(ids)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert sorted(inserts) == [("case_snapshots", 5), ("timeline_entries", 5)]
    assert counts(runtime)[:3] == (5, 5, 5)


REFUSE_BOOM = {  # the database itself refuses one snapshot row, when it is written
    "sqlite": [
        "CREATE TRIGGER refuse_boom BEFORE INSERT ON case_snapshots"
        " WHEN instr(new.data, 'boom') > 0 BEGIN SELECT RAISE(ABORT, 'boom refused'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF strpos(NEW.data::text, 'boom') > 0 THEN RAISE EXCEPTION 'boom refused'; END IF;"
        " RETURN NEW; END $$",
        "CREATE TRIGGER refuse_boom BEFORE INSERT ON case_snapshots"
        " FOR EACH ROW EXECUTE FUNCTION refuse_boom()",
    ],
}


def test_a_kept_row_the_database_refuses_fails_only_its_delivery(runtime, connection_id, modes):
    dialect = runtime.database.dialect
    with runtime.database.engine.begin() as connection:
        for statement in REFUSE_BOOM[dialect]:
            connection.exec_driver_sql(statement)
    good = [
        store_delivery(runtime, connection_id, encode(payload(n, "needs_response", 0)), f"g{n}")
        for n in range(3)
    ]
    bad = store_delivery(
        runtime, connection_id, encode({**payload(7, "needs_response", 0), "reason": "boom"}), "b"
    )

    report = process_deliveries(runtime, limit=50)

    # the group's kept rows were refused at its end: it ran again with a savepoint each
    assert modes == [False, True, False]
    assert (report.processed, report.failed) == (3, 1)
    assert counts(runtime)[:2] == (3, 3)
    with runtime.database.session(readonly=True) as session:
        assert {deliveries.get(session, i).status for i in good} == {"done"}
        failed = deliveries.get(session, bad)
        assert failed.status == "failed"
        assert "boom refused" in failed.last_error


def test_one_bad_delivery_fails_alone_and_the_others_are_merged_once(
    runtime, connection_id, modes, tmp_path
):
    good = store_disputes(runtime, connection_id, late=False)
    bad = store_delivery(runtime, connection_id, b"{not json", "broken")
    good.append(
        store_delivery(runtime, connection_id, encode(payload(9, "needs_response", 0)), "k9")
    )

    report = process_deliveries(runtime, limit=50)

    cases, snapshots, entries, audited = counts(runtime)
    assert (cases, snapshots, entries) == (5, len(good), 7)
    assert (report.processed, report.failed) == (len(good), 1)
    assert modes == [False, True, False]  # rolled back, again with savepoints; nothing due
    assert len({r.case.id for r in report.results}) == 5
    with runtime.database.session(readonly=True) as session:
        assert {deliveries.get(session, i).status for i in good} == {"done"}
        failed = deliveries.get(session, bad)
        assert (failed.status, failed.attempts) == ("failed", 1)
        assert "is not JSON" in failed.last_error

    with runtime.database.session() as session:
        verified = audit_verify.verify(session)  # the chain holds, over every entry written
    assert (verified.broken_seq, verified.reason, verified.checked) == (None, None, audited)
    # one audit entry per timeline entry: none of the first try, none lost with its savepoint
    assert audited == entries
    assert process_deliveries(runtime, limit=50).processed == 0  # the bad one waits its turn


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_case_another_worker_holds_is_left_for_a_later_group(runtime, connection_id, modes):
    store_delivery(runtime, connection_id, encode(payload(1, "needs_response", 0)), "b0")
    assert process_deliveries(runtime, limit=50).processed == 1
    first = store_delivery(runtime, connection_id, encode(payload(0, "needs_response", 0)), "a0")
    held = store_delivery(runtime, connection_id, encode(payload(1, "won", 1)), "b1")
    after = store_delivery(runtime, connection_id, encode(payload(2, "needs_response", 0)), "c0")
    modes.clear()
    hold_d1 = select(CaseRow.id).where(CaseRow.external_id == "d1").with_for_update()
    report, waited = process_while_held(runtime, hold_d1)
    # the group found d1 held and left its delivery due, keeping the one before it (no
    # rollback, no second run); the next group began with it and waited for the lock
    assert modes == [False, False]
    assert report.processed == 2
    assert waited >= 0.9
    with runtime.database.session(readonly=True) as session:
        statuses = [deliveries.get(session, i).status for i in (first, held, after)]
        status = session.scalar(select(CaseRow.status).where(CaseRow.external_id == "d1"))
    assert (statuses, status) == (["done", "done", "pending"], "resolved")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_delivery_partly_written_when_it_meets_a_held_case_runs_again_later(
    runtime, connection_id, modes, monkeypatch
):
    store_delivery(runtime, connection_id, encode(payload(1, "needs_response", 0)), "b0")
    assert process_deliveries(runtime, limit=50).processed == 1
    first = store_delivery(runtime, connection_id, encode(payload(0, "needs_response", 0)), "a0")
    both = store_delivery(runtime, connection_id, encode(payload(5, "needs_response", 0)), "e5")
    marketplace = runtime.plugins.marketplace("fake")
    translate = marketplace.translate_delivery

    def two_cases(connection, delivery):  # e5's delivery also updates the held case d1
        found = translate(connection, delivery)
        if delivery.id == both:
            found.append(marketplace.snapshot(payload(1, "won", 1)))
        return found

    monkeypatch.setattr(marketplace, "translate_delivery", two_cases)
    modes.clear()
    hold_d1 = select(CaseRow.id).where(CaseRow.external_id == "d1").with_for_update()
    report, _ = process_while_held(runtime, hold_d1)
    # d5 was written before d1 was found held: the group rolled back and ran again without
    # the delivery; the next group began with it, waited, and wrote both cases once
    assert modes == [False, False, False]
    assert report.processed == 2
    with runtime.database.session(readonly=True) as session:
        assert [deliveries.get(session, i).status for i in (first, both)] == ["done", "done"]
        found = session.execute(select(CaseRow.external_id, CaseRow.status)).all()
    assert sorted(found) == [("d0", "needs_response"), ("d1", "resolved"),
                             ("d5", "needs_response")]  # fmt: skip
    assert counts(runtime)[:2] == (3, 4)  # one snapshot each, and d1's two


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_case_another_worker_is_creating_is_left_for_a_later_group(runtime, connection_id, modes):
    first = store_delivery(runtime, connection_id, encode(payload(0, "needs_response", 0)), "a0")
    racing = store_delivery(runtime, connection_id, encode(payload(9, "needs_response", 0)), "z9")
    key = {"c": connection_id, "o": "dispute", "e": "d9"}
    creating_d9 = text("SELECT pg_advisory_xact_lock(:space, :key)")  # as a creator holds it
    report, waited = process_while_held(
        runtime, creating_d9, {"space": cases._KEY_SPACE, "key": cases._key_lock_id(key)}
    )
    # the group left d9's delivery due without a rollback; the next group began with it and
    # waited for the creator to finish (here: to give up), then created the case itself
    assert modes == [False, False]
    assert report.processed == 2
    assert waited >= 0.9
    with runtime.database.session(readonly=True) as session:
        assert [deliveries.get(session, i).status for i in (first, racing)] == ["done", "done"]
    assert counts(runtime)[:2] == (2, 2)
