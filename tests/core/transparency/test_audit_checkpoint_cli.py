"""``disputeflow audit checkpoint``: it signs every lane's head with the installation's key,
``audit verify`` accepts what it signed, and names a lane rewritten after it (with its
recorded head moved, which the links alone cannot tell) or a checkpoint edited after it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from disputeflow.cli import cli
from disputeflow.engine.store import audit_verify
from disputeflow.engine.store.audit_tables import AuditCheckpointRow, AuditLaneRow
from disputeflow.engine.store.audit_verify import CHECKPOINT_PURPOSE
from tests.core.transparency.test_audit import busy
from tests.core.transparency.test_audit import rows as busy_entries
from tests.core.transparency.test_audit_lanes import _rewrite_lane


@pytest.fixture
def audit_cli(runtime, fake_plugins, monkeypatch):
    """``audit_cli(*args)``: ``disputeflow audit ARGS`` on the runtime's store and home."""
    monkeypatch.delenv("DISPUTEFLOW_SECRET_KEY", raising=False)
    base = ["--database-url", runtime.settings.database_url, "--home", str(runtime.settings.home)]
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(cli, [*base, "audit", *args], obj=fake_plugins)

    return run


def checkpoints(runtime):
    with runtime.database.session(readonly=True) as session:
        return list(session.scalars(select(AuditCheckpointRow).order_by(AuditCheckpointRow.id)))


def verified(audit_cli):
    result = audit_cli("verify", "--json")
    return result.exit_code, json.loads(result.output)


def test_checkpoint_signs_every_lane_head_and_verify_accepts_it(runtime, add, audit_cli):
    busy(runtime, add)
    written = audit_cli("checkpoint")
    assert (written.exit_code, written.output) == (0, "checkpoint written\n")
    [signed] = checkpoints(runtime)
    with runtime.database.session(readonly=True) as session:
        lanes = {
            str(lane.lane): [lane.head_seq, lane.head_hash]
            for lane in session.scalars(select(AuditLaneRow))
        }
    assert signed.heads == lanes
    assert max(seq for seq, _ in lanes.values()) == len(busy_entries(runtime))
    again = audit_cli("checkpoint")
    assert (again.exit_code, again.output) == (0, "nothing appended since the last checkpoint\n")
    assert len(checkpoints(runtime)) == 1
    code, report = verified(audit_cli)
    assert (code, report["ok"], report["broken_seq"]) == (0, True, None)
    # the CLI signed with this installation's key: another key refuses the checkpoint
    keys = runtime.secrets.derive_keys(CHECKPOINT_PURPOSE)
    with runtime.database.session(readonly=True) as session:
        assert audit_verify.verify(session, keys).ok
        assert not audit_verify.verify(session, [b"x" * 32]).ok


def test_verify_names_a_lane_rewritten_after_the_cli_checkpoint(runtime, add, audit_cli):
    busy(runtime, add)
    assert audit_cli("checkpoint").exit_code == 0
    [signed] = checkpoints(runtime)
    lane, (head_seq, _) = max(signed.heads.items(), key=lambda item: item[1][0])
    _rewrite_lane(runtime, int(lane))
    code, report = verified(audit_cli)
    assert code == 1
    assert report["ok"] is False
    assert report["broken_seq"] == head_seq  # the lane's head as signed
    assert report["reason"] == f"its hash differs from signed checkpoint {signed.id}"
    plain = audit_cli("verify")
    assert plain.exit_code == 1
    assert f"audit trail broken at entry {head_seq}" in plain.output


def test_verify_names_a_checkpoint_edited_after_the_cli_wrote_it(runtime, add, audit_cli):
    busy(runtime, add)
    assert audit_cli("checkpoint").exit_code == 0
    with runtime.database.session() as session:
        row = session.scalar(select(AuditCheckpointRow))
        lane, (seq, _) = max(row.heads.items(), key=lambda item: item[1][0])
        row.heads = {**row.heads, lane: [seq, "0" * 64]}  # a forger's head, unsigned
        checkpoint_id = row.id
    code, report = verified(audit_cli)
    assert (code, report["ok"], report["broken_seq"]) == (1, False, None)
    assert (
        report["reason"] == f"checkpoint {checkpoint_id} is not signed by this installation's key"
    )
    plain = audit_cli("verify")
    assert plain.exit_code == 1
    assert "audit trail not trusted: checkpoint" in plain.output
