"""The audit trail as lanes: many writers at once, entries of several cases in one
transaction, entries written before lanes (0010) still verified as the chain they were, and
the signed checkpoints that catch a lane rewritten together with its recorded head."""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from datetime import UTC, datetime

from sqlalchemy import select, text, update

from disputeflow.engine.store import audit, audit_verify, migrate
from disputeflow.engine.store.audit_tables import AuditCheckpointRow, AuditLaneRow
from disputeflow.engine.store.audit_verify import write_checkpoint
from disputeflow.engine.store.db import Database
from disputeflow.engine.store.tables import AuditRow

KEY = b"k" * 32


def entries(runtime):
    with runtime.database.session() as session:
        return list(session.scalars(select(AuditRow).order_by(AuditRow.seq)))


def check(runtime, keys=()):
    with runtime.database.session(readonly=True) as session:
        return audit_verify.verify(session, keys)


def cases_in_two_lanes():
    """Two case ids whose lanes differ (found by the lane function, which is sha256 mod 16)."""
    first = "case_a"
    second = next(
        f"case_{n}" for n in range(100) if audit.lane_of(f"case_{n}") != audit.lane_of(first)
    )
    return first, second


def test_lanes_are_a_stable_hash_of_the_case_id():
    digest = hashlib.sha256(b"case_01").digest()
    assert audit.lane_of("case_01") == int.from_bytes(digest[:4], "big") % 16
    assert {audit.lane_of(f"case_{n}") for n in range(200)} == set(range(16))


def test_entries_of_two_cases_in_one_transaction_chain_in_their_own_lanes(runtime):
    one, two = cases_in_two_lanes()
    for _ in range(2):
        with runtime.database.session() as session:  # like a link: both cases at once
            for case_id in (one, two, one):
                audit.record(session, audit.STATE, "linked", case_id=case_id, actor="system")
    found = entries(runtime)
    assert [e.seq for e in found] == [1, 2, 3, 4, 5, 6]
    lane_one = [e for e in found if e.case_id == one]
    assert [e.prev_seq for e in lane_one] == [0, 1, 3, 4]  # each follows the one before
    assert lane_one[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(lane_one))
    result = check(runtime)
    assert (result.ok, result.checked) == (True, 6)


def test_many_writers_on_many_lanes_never_fork_or_deadlock(runtime):
    errors = []

    def append(worker):
        try:
            for n in range(10):
                with runtime.database.session() as session:
                    for case in (f"case_{worker}_{n}", f"case_{(worker + 1) % 4}_{n}"):
                        audit.record(session, audit.VIEW, "test", case_id=case, actor=str(worker))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=append, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = check(runtime)
    assert (result.ok, result.checked) == (True, 80)
    assert len({e.lane for e in entries(runtime)}) > 4
    with runtime.database.session() as session:
        counted = sum(session.scalars(select(AuditLaneRow.entries).where(AuditLaneRow.lane >= 0)))
    assert counted == 80


def _old_hash(seq, at, prev_hash):
    """The hash of an entry before lanes, as 0003 defined it (no lane, no prev_seq)."""
    content = {"seq": seq, "at": at, "kind": "view", "case_id": None, "actor": "x",
               "subject": "old", "details": {}, "prev_hash": prev_hash}  # fmt: skip
    raw = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def test_a_trail_written_before_lanes_still_verifies_and_goes_on(database_url):
    database = Database.from_url(database_url)
    try:
        migrate.upgrade(database, "0009")
        previous, stamp = audit.GENESIS, "2026-11-01T12:00:00Z"
        with database.engine.begin() as connection:
            for seq in (1, 2, 3):
                digest = _old_hash(seq, stamp, previous)
                connection.execute(
                    text("INSERT INTO audit_log (seq, at, kind, case_id, actor, subject, details,"
                         " prev_hash, hash) VALUES (:seq, :at, 'view', NULL, 'x', 'old', '{}',"
                         " :prev, :hash)"),
                    {"seq": seq, "at": datetime(2026, 11, 1, 12, tzinfo=UTC), "prev": previous,
                     "hash": digest},
                )  # fmt: skip
                previous = digest
        migrate.upgrade(database)
        with database.session() as session:
            audit.record(session, audit.VIEW, "new", case_id="case_1", actor="y")
        with database.session(readonly=True) as session:
            result = audit_verify.verify(session)
        assert (result.ok, result.checked) == (True, 4)
        with database.session() as session:
            new = session.scalar(select(AuditRow).where(AuditRow.seq == 4))
            assert (new.lane, new.prev_seq) == (audit.lane_of("case_1"), 0)
            session.execute(update(AuditRow).where(AuditRow.seq == 2).values(actor="forger"))
        with database.session(readonly=True) as session:
            broken = audit_verify.verify(session)
        assert (broken.broken_seq, broken.checked) == (2, 1)
        assert "edited" in broken.reason
    finally:
        database.dispose()


def _rewrite_lane(runtime, lane):
    """What a forger with write access does: edit an entry, re-hash the whole lane after it
    and move the lane's recorded head."""
    with runtime.database.session() as session:
        found = list(
            session.scalars(select(AuditRow).where(AuditRow.lane == lane).order_by(AuditRow.seq))
        )
        previous = audit.GENESIS
        for row in found:
            if row is found[0]:
                row.actor = "forger"
            row.prev_hash = previous
            row.hash = previous = audit.entry_hash(row)
        session.execute(
            update(AuditLaneRow).where(AuditLaneRow.lane == lane).values(head_hash=previous)
        )


def test_a_lane_rewritten_with_its_head_is_caught_by_the_signed_checkpoint(runtime):
    one, two = cases_in_two_lanes()
    with runtime.database.session() as session:
        for case_id in (one, two, one):
            audit.record(session, audit.STATE, "x", case_id=case_id, actor="system")
    with runtime.database.session() as session:
        assert write_checkpoint(session, KEY)
    with runtime.database.session() as session:
        assert not write_checkpoint(session, KEY)  # nothing appended since
    assert check(runtime, [KEY]).ok
    _rewrite_lane(runtime, audit.lane_of(one))
    assert check(runtime).ok  # links and recorded heads alone cannot tell
    result = check(runtime, [KEY])
    assert result.broken_seq == 3  # the lane's head as signed
    assert result.reason == "its hash differs from signed checkpoint 1"
    assert not check(runtime, [b"another installation's key"]).ok


def test_a_forged_checkpoint_is_refused(runtime):
    with runtime.database.session() as session:
        audit.record(session, audit.STATE, "x", case_id="case_1", actor="system")
    with runtime.database.session() as session:
        write_checkpoint(session, KEY)
        row = session.scalar(select(AuditCheckpointRow))
        row.heads = {**row.heads, "0": [99, "f" * 64]}
    result = check(runtime, [KEY])
    assert (result.ok, result.broken_seq) == (False, None)
    assert result.reason == "checkpoint 1 is not signed by this installation's key"
