"""Downgrading below the audit lanes (0010) once lanes hold entries: the entries written
in lanes are chained after the legacy ones as the one chain the schema before lanes had,
their content kept; a broken lane stops the downgrade (naming its entry) with nothing changed."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, select, text, update

from disputeflow.core.clock import to_rfc3339
from disputeflow.engine.store import audit, audit_verify, migrate
from disputeflow.engine.store.audit_verify import write_checkpoint
from disputeflow.engine.store.db import Database
from disputeflow.engine.store.tables import AuditRow
from tests.store_support import downgrade

GENESIS = "0" * 64
FIELDS = ("seq", "at", "kind", "case_id", "actor", "subject", "details")


def one_chain_hash(content, prev_hash):
    """The hash of an entry before lanes (migration 0003): no lane, no prev_seq."""
    raw = json.dumps({**content, "prev_hash": prev_hash}, sort_keys=True,
                     separators=(",", ":"), ensure_ascii=False)  # fmt: skip
    return hashlib.sha256(raw.encode()).hexdigest()


@pytest.fixture
def database(database_url):
    """A store with three entries from before lanes, then entries of three cases in lanes
    (two in one transaction) and a signed checkpoint."""
    database = Database.from_url(database_url)
    migrate.upgrade(database, "0009")
    previous = GENESIS
    with database.engine.begin() as connection:
        for seq in (1, 2, 3):
            at = datetime(2026, 11, 1, 12, seq, tzinfo=UTC)
            content = {"seq": seq, "at": to_rfc3339(at), "kind": "view", "case_id": None,
                       "actor": "x", "subject": "old", "details": {}}  # fmt: skip
            digest = one_chain_hash(content, previous)
            connection.execute(
                text("INSERT INTO audit_log (seq, at, kind, case_id, actor, subject, details,"
                     " prev_hash, hash) VALUES (:seq, :at, 'view', NULL, 'x', 'old', '{}',"
                     " :prev, :hash)"),
                {"seq": seq, "at": at, "prev": previous, "hash": digest},
            )  # fmt: skip
            previous = digest
    migrate.upgrade(database)
    for case_id in ("case_a", "case_b", "case_a", "case_c"):
        with database.session() as session:
            details = {"new": "open", "note": "ünïcode"}
            audit.record(session, audit.STATE, "x", case_id=case_id, actor="system",
                         details=details)  # fmt: skip
            audit.record(session, audit.VIEW, "page", case_id="case_b", actor="token:t")
    with database.session() as session:
        assert write_checkpoint(session, b"k" * 32)
    try:
        yield database
    finally:
        database.dispose()


def contents(database):
    with database.session(readonly=True) as session:
        rows = session.scalars(select(AuditRow).order_by(AuditRow.seq))
        return [{**{name: getattr(row, name) for name in FIELDS}, "at": to_rfc3339(row.at)}
                for row in rows]  # fmt: skip


def test_downgrade_chains_the_lanes_as_one_chain_and_upgrades_again(database):
    before = contents(database)
    assert len({audit.lane_of(e["case_id"]) for e in before[3:]}) > 1  # several lanes
    downgrade(database, "0009")
    assert migrate.current_revision(database) == "0009"
    names = inspect(database.engine)
    assert {"audit_lanes", "audit_checkpoints"}.isdisjoint(names.get_table_names())
    assert {"lane", "prev_seq"}.isdisjoint(c["name"] for c in names.get_columns("audit_log"))
    with database.engine.connect() as connection:
        chained = connection.execute(
            text("SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq")
        ).all()
    assert [seq for seq, _, _ in chained] == [entry["seq"] for entry in before]
    previous = GENESIS
    for entry, (_, prev_hash, digest) in zip(before, chained, strict=True):
        assert prev_hash == previous
        assert digest == one_chain_hash(entry, previous)
        previous = digest
    migrate.upgrade(database)  # and back: the one chain is the legacy lane, and goes on
    assert contents(database) == before
    with database.session() as session:
        audit.record(session, audit.VIEW, "again", case_id="case_a", actor="y")
    with database.session(readonly=True) as session:
        result = audit_verify.verify(session)
    assert (result.ok, result.checked) == (True, len(before) + 1)


def test_downgrade_refuses_a_broken_lane_and_changes_nothing(database):
    with database.session() as session:
        session.execute(update(AuditRow).where(AuditRow.seq == 5).values(actor="forger"))
    before = contents(database)
    with pytest.raises(RuntimeError, match="audit trail broken at entry 5: its content"):
        downgrade(database, "0009")
    assert migrate.current_revision(database) == migrate.head_revision()
    assert contents(database) == before
    with database.session(readonly=True) as session:
        assert audit_verify.verify(session).broken_seq == 5


def test_downgrade_refuses_a_lane_whose_newest_entry_was_deleted(database):
    newest = contents(database)[-1]["seq"]
    with database.session() as session:
        session.execute(AuditRow.__table__.delete().where(AuditRow.seq == newest))
    with pytest.raises(RuntimeError, match=f"broken at entry {newest}: lane .* recorded head"):
        downgrade(database, "0009")
    assert migrate.current_revision(database) == migrate.head_revision()


def test_downgrade_refuses_an_entry_in_a_lane_that_does_not_exist(database):
    with database.session() as session:
        last = session.scalar(select(AuditRow).order_by(AuditRow.seq.desc()).limit(1))
        seq = last.seq + 1
        forged = AuditRow(seq=seq, at=last.at, kind="view", case_id=None, actor="x",
                          subject="forged", details={}, lane=99, prev_seq=0,
                          prev_hash=GENESIS, hash="")  # fmt: skip
        forged.hash = audit.entry_hash(forged)
        session.add(forged)
    with pytest.raises(RuntimeError, match=f"broken at entry {seq}: it is in lane 99"):
        downgrade(database, "0009")
    assert migrate.current_revision(database) == migrate.head_revision()
