"""The store on SQLite and PostgreSQL: migrations, secrets, tokens, cases."""

from __future__ import annotations

import stat
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from disputeflow import Evidence, Money
from disputeflow.core.errors import ConfigurationError, InvalidInputError, NotFoundError
from disputeflow.core.merge import fold
from disputeflow.core.taxonomy import Role
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.store import cases, connections, migrate, tokens
from disputeflow.engine.store.secrets import KEY_FILE_NAME, SecretBox
from disputeflow.engine.store.tables import ConnectionRow, TokenRow
from tests.builders import T0, snapshot


@pytest.fixture
def fake_plugins(plugin_manager):
    """The store needs no marketplace: rows are written directly."""
    return plugin_manager


@pytest.fixture
def connection_id(runtime):
    with runtime.database.session() as session:
        row = connections.create(
            session,
            runtime.secrets,
            platform="fake",
            name="eu-shop",
            settings={"shop": "eu", "signing_secret": "s3cr3t-value"},
            secret_fields=frozenset({"signing_secret"}),
        )
        return row.id


def test_migrations_reach_head_and_are_idempotent(runtime):
    assert migrate.current_revision(runtime.database) == migrate.head_revision()
    runtime.upgrade()
    assert migrate.is_up_to_date(runtime.database)


def test_secrets_are_encrypted_at_rest(runtime, connection_id):
    with runtime.database.session() as session:
        raw = session.execute(
            text("SELECT settings, secrets FROM connections WHERE id = :id"), {"id": connection_id}
        ).one()
        row = session.get(ConnectionRow, connection_id)
        connection = runtime.connection(row)
    assert "s3cr3t-value" not in str(raw.settings) + str(raw.secrets)
    assert connection.settings == {"shop": "eu", "signing_secret": "s3cr3t-value"}
    assert connection.webhook_url == f"http://127.0.0.1:8000/webhooks/fake/{connection_id}"


def test_generated_key_file_is_private(runtime):
    key_file = runtime.settings.home / KEY_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_wrong_key_is_a_clear_error(runtime, connection_id):
    with runtime.database.session() as session:
        row = session.get(ConnectionRow, connection_id)
    with pytest.raises(ConfigurationError, match="not the key"):
        SecretBox(["another key entirely"]).decrypt(row.secrets)


def test_key_rotation_decrypts_old_secrets():
    old = SecretBox(["old passphrase"])
    token = old.encrypt({"a": "b"})
    assert SecretBox(["new passphrase", "old passphrase"]).decrypt(token) == {"a": "b"}


def test_connection_names_are_unique(runtime, connection_id):
    with runtime.database.session() as session, pytest.raises(InvalidInputError, match="eu-shop"):
        connections.create(
            session,
            runtime.secrets,
            platform="fake",
            name="eu-shop",
            settings={},
            secret_fields=frozenset(),
        )


def test_unknown_connection_is_not_found(runtime):
    with runtime.database.session() as session, pytest.raises(NotFoundError):
        connections.get_row(session, "con_missing")


def test_tokens_are_hashed_and_revocable(runtime):
    with runtime.database.session() as session:
        issued = tokens.create(session, name="ci", role=Role.AGENT)
    with runtime.database.session() as session:
        stored = session.scalar(select(TokenRow.token_hash))
        assert issued.token not in stored
        assert tokens.authenticate(session, issued.token).role == "agent"
        assert tokens.authenticate(session, issued.token + "x") is None
        tokens.revoke(session, issued.id)
    with runtime.database.session() as session:
        assert tokens.authenticate(session, issued.token) is None
        assert tokens.count_active(session) == 0


def test_ingest_creates_then_updates_one_case(runtime, connection_id):
    first = ingest_snapshot(runtime.database, runtime.plugins, connection_id, snapshot())
    again = ingest_snapshot(runtime.database, runtime.plugins, connection_id, snapshot())
    won = snapshot(hours=5, status="resolved", outcome="merchant_favor")
    later = ingest_snapshot(runtime.database, runtime.plugins, connection_id, won)
    assert first.created
    assert again.duplicate
    assert not later.created
    with runtime.database.session() as session:
        rows, _ = cases.list_rows(session, cases.CaseFilter())
        case = cases.get(session, first.case.id)
    assert len(rows) == 1
    assert case.status == "resolved"
    assert case.outcome == "merchant_favor"
    assert case.queue == "chargebacks"
    assert [e.kind for e in case.timeline] == ["opened", "resolved"]
    assert case.amount == Money("12.50", "EUR")
    assert case.opened_at.tzinfo is not None


def test_late_snapshot_rebuilds_the_stored_timeline(runtime, connection_id):
    snaps = [
        snapshot(hours=0),
        snapshot(hours=1, status="under_review"),
        snapshot(hours=2, status="resolved", outcome="buyer_favor"),
    ]
    for snap in (snaps[0], snaps[2], snaps[1]):
        result = ingest_snapshot(runtime.database, runtime.plugins, connection_id, snap)
    with runtime.database.session() as session:
        stored = cases.get(session, result.case.id)
    expected = fold(snaps, case_id=stored.id, connection_id=connection_id)
    expected.queue = stored.queue  # triage's, not the fold's
    expected.extra["priority"] = stored.extra["priority"]
    assert stored.to_dict() == expected.to_dict()
    assert [e.kind for e in stored.timeline] == ["opened", "status_changed", "resolved"]


def test_evidence_and_deadlines_round_trip(runtime, connection_id):
    from disputeflow import Deadline

    evidence = Evidence("ev1", "merchant", "tracking", T0, description="DHL 123")
    deadline = Deadline("platform_response", T0 + timedelta(days=7), "fake")
    snap = snapshot(evidence=(evidence,), deadlines=(deadline,))
    result = ingest_snapshot(runtime.database, runtime.plugins, connection_id, snap)
    with runtime.database.session() as session:
        stored = cases.get(session, result.case.id)
    assert stored.evidence == [evidence]
    assert stored.deadlines == [deadline]
    assert stored.due_at == T0 + timedelta(days=7)


def test_list_filters_and_cursor_pages(runtime, connection_id):
    for number in range(5):
        kind = "return" if number % 2 else "chargeback"
        snap = snapshot(str(number), hours=number, kind=kind, object_type=kind)
        ingest_snapshot(runtime.database, runtime.plugins, connection_id, snap)
    seen = []
    cursor = None
    with runtime.database.session() as session:
        while True:
            rows, cursor = cases.list_rows(session, cases.CaseFilter(), limit=2, cursor=cursor)
            seen += [r.external_id for r in rows]
            if cursor is None:
                break
        returns, _ = cases.list_rows(session, cases.CaseFilter(kind="return"))
        found, _ = cases.list_rows(session, cases.CaseFilter(q="3"))
    assert seen == ["4", "3", "2", "1", "0"]
    assert sorted(r.external_id for r in returns) == ["1", "3"]
    assert [r.external_id for r in found] == ["3"]


def test_bad_cursor_is_invalid_input(runtime):
    with runtime.database.session() as session, pytest.raises(InvalidInputError):
        cases.list_rows(session, cases.CaseFilter(), cursor="not-a-cursor")


def test_removing_a_connection_removes_its_cases(runtime, connection_id):
    ingest_snapshot(runtime.database, runtime.plugins, connection_id, snapshot())
    with runtime.database.session() as session:
        connections.delete(session, connection_id)
    with runtime.database.session() as session:
        rows, _ = cases.list_rows(session, cases.CaseFilter())
    assert rows == []


def test_token_use_is_recorded_at_most_once_a_minute(runtime):
    with runtime.database.session() as session:
        issued = tokens.create(session, name="ci", role=Role.VIEWER)
    now = T0 + timedelta(days=30)
    for offset in (0, 30, 90):
        with runtime.database.session() as session:
            tokens.touch(session, issued.id, now + timedelta(seconds=offset))
    with runtime.database.session() as session:
        row = session.get(TokenRow, issued.id)
        assert row.last_used_at == now + timedelta(seconds=90)
        assert not tokens.needs_touch(row, now + timedelta(seconds=100))
        assert tokens.needs_touch(row, now + timedelta(seconds=151))
