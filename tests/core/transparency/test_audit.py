"""The audit trail: every timeline entry, notice and view chained by hash; verify finds the
first edited, missing or re-linked entry; appends never fork, even from many threads."""

from __future__ import annotations

import itertools
import threading
from dataclasses import replace

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text, update

from disputeflow.cli import cli
from disputeflow.core.taxonomy import ActionType
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.store import audit, audit_verify
from disputeflow.engine.store.tables import AuditRow
from tests.core.transparency.conftest import a_return


def busy(runtime, add):
    """Two cases with a note each: four entries on the trail at least."""
    for external_id in ("r1", "r2"):
        case_id = add(a_return(external_id)).case.id
        request_action(runtime, case_id, ActionInput(ActionType.ADD_NOTE, message="checked"))
    assert len(rows(runtime)) >= 4


def rows(runtime):
    with runtime.database.session() as session:
        return list(session.scalars(select(AuditRow).order_by(AuditRow.seq)))


def check(runtime):
    with runtime.database.session(readonly=True) as session:
        return audit_verify.verify(session)


def test_every_step_is_chained_to_the_one_before(runtime, add):
    case_id = add(a_return()).case.id
    request_action(
        runtime, case_id, ActionInput(ActionType.DECLINE_RETURN, rationale="opened and used")
    )
    found = rows(runtime)
    assert [r.seq for r in found] == list(range(1, len(found) + 1))
    assert found[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(found))
    assert {"state", "action"} <= {r.kind for r in found}
    assert "opened" in {r.subject for r in found}
    requested = next(r for r in found if r.subject == "action_requested")
    assert requested.details["action"] == "decline_return"
    assert requested.actor == "merchant"
    assert check(runtime).ok
    assert check(runtime).checked == len(found)


def test_the_trail_holds_no_personal_data(runtime, add):
    add(a_return(buyer=replace(a_return().buyer, name="Ada Lovelace")))
    dump = " ".join(str(audit.describe(r)) for r in rows(runtime))
    assert "ada@example.org" not in dump
    assert "Lovelace" not in dump
    assert all(len(r.details["content_sha256"]) == 64 for r in rows(runtime) if r.kind == "state")


def test_editing_one_entry_fails_verify_at_that_entry(runtime, add):
    busy(runtime, add)
    target = rows(runtime)[2].seq
    with runtime.database.session() as session:
        session.execute(update(AuditRow).where(AuditRow.seq == target).values(actor="someone-else"))
    result = check(runtime)
    assert not result.ok
    assert result.broken_seq == target
    assert "edited" in result.reason
    assert result.checked == target - 1


def test_rehashing_an_edited_entry_breaks_the_next_link(runtime, add):
    # Entries link within their lane (a case's entries share one): entry 1 ("opened" of
    # r1) is followed in its lane by entry 2 (its note). With the single chain this test
    # edited entry 2 and expected entry 3, another case's, to break: no longer the next link.
    busy(runtime, add)
    first, second = rows(runtime)[:2]
    assert (first.case_id, second.lane, second.prev_seq) == (second.case_id, first.lane, 1)
    with runtime.database.session() as session:
        row = session.get(AuditRow, 1)
        row.subject = "forged"
        row.hash = audit.entry_hash(row)  # a careful forger recomputes the hash...
    result = check(runtime)
    assert result.broken_seq == 2  # ...and the next entry no longer links to it
    assert "previous hash" in result.reason


def test_rehashing_the_newest_entry_of_a_lane_breaks_its_recorded_head(runtime, add):
    busy(runtime, add)
    newest = rows(runtime)[-1]  # r2's note: nothing follows it in its lane
    with runtime.database.session() as session:
        row = session.get(AuditRow, newest.seq)
        row.subject = "forged"
        row.hash = audit.entry_hash(row)
    result = check(runtime)
    assert result.broken_seq == newest.seq
    assert result.reason == "its hash does not match the head its lane records"


def test_a_deleted_entry_is_named(runtime, add):
    # Entry 1 is followed by entry 2 in its lane (with one chain: entry 2 deleted, 3 found).
    busy(runtime, add)
    with runtime.database.session() as session:
        session.execute(text("DELETE FROM audit_log WHERE seq = 1"))
    result = check(runtime)
    assert (result.broken_seq, result.reason) == (1, "entry 1 is missing (found 2 next)")


def test_a_deleted_newest_entry_is_named_by_its_lane_head(runtime, add):
    busy(runtime, add)
    newest = rows(runtime)[-1].seq
    with runtime.database.session() as session:
        session.execute(text("DELETE FROM audit_log WHERE seq = :seq"), {"seq": newest})
    result = check(runtime)
    assert (result.broken_seq, result.reason) == (
        newest,
        f"entry {newest} is missing (the head its lane records)",
    )


def test_a_rolled_back_transaction_leaves_no_entry(runtime, add):
    add(a_return())
    before = len(rows(runtime))

    def roll_back():
        with runtime.database.session() as session:
            audit.record(session, audit.VIEW, "test", case_id=None, actor="x")
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        roll_back()
    assert len(rows(runtime)) == before
    assert check(runtime).ok


def test_a_late_snapshot_does_not_record_the_history_again(runtime, add):
    from datetime import timedelta

    first = a_return("r1")
    add(first)
    add(replace(first, observed_at=first.observed_at + timedelta(hours=2), status="resolved",
                outcome="buyer_favor"))  # fmt: skip
    before = [r.subject for r in rows(runtime)]
    add(replace(first, observed_at=first.observed_at + timedelta(hours=1), status="awaiting_buyer"))
    added = [r.subject for r in rows(runtime)][len(before) :]
    assert added.count("opened") == 0  # the refold rewrote the timeline; only news is audited
    assert check(runtime).ok


def test_appends_from_many_threads_never_fork(runtime):
    errors = []

    def append(worker):
        try:
            for n in range(8):
                with runtime.database.session() as session:
                    audit.record(session, audit.VIEW, "test", case_id=None, actor=f"{worker}-{n}")
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=append, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = check(runtime)
    assert result.ok
    assert result.checked == 32


def test_cli_audit_verify_names_the_broken_entry(runtime, add, fake_plugins):
    busy(runtime, add)
    base = ["--database-url", runtime.settings.database_url, "--home", str(runtime.settings.home)]
    runner = CliRunner()
    ok = runner.invoke(cli, [*base, "audit", "verify"], obj=fake_plugins)
    assert ok.exit_code == 0, ok.output
    assert "audit trail intact" in ok.output
    with runtime.database.session() as session:
        session.execute(update(AuditRow).where(AuditRow.seq == 2).values(details={"forged": 1}))
    broken = runner.invoke(cli, [*base, "audit", "verify", "--json"], obj=fake_plugins)
    assert broken.exit_code == 1
    assert '"broken_seq": 2' in broken.output
    listed = runner.invoke(cli, [*base, "audit", "list", "--limit", "2"], obj=fake_plugins)
    assert listed.exit_code == 0
    assert len(listed.output.strip().splitlines()) == 2
