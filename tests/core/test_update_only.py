"""Update-only snapshots: merged into the case they name, dropped and counted without one."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from disputeflow import CaseSnapshot, SnapshotError
from disputeflow.cli.sync import ProgressLine
from disputeflow.engine import sync as sync_module
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.processing import RetryPolicy, process_deliveries
from disputeflow.engine.store import cases, deliveries
from disputeflow.engine.store.tables import CaseRow, DeliveryRow
from disputeflow.engine.sync import SyncReport
from disputeflow.webhooks.app import create_app
from tests.builders import snapshot
from tests.fakes.marketplace import encode, sign

SECRET, SHOP = "whsec-test", "eu-shop"
POLICY = RetryPolicy(max_attempts=3, backoff_seconds=(0,))


@pytest.fixture
def connection(runtime):
    return runtime.add_connection("fake", "eu", {"signing_secret": SECRET, "shop": SHOP})


@pytest.fixture
def client(runtime):
    return create_app(runtime, {"TESTING": True}).test_client()


def closing(external_id="d1", **extra):
    """A fake platform's "refunded" return message that says nothing that makes a case."""
    payload = {
        "id": external_id,
        "type": "return",
        "status": "refunded",
        "amount": "40.00",
        "currency": "EUR",
        "opened_at": "2026-11-01T09:00:00Z",
        "updated_at": "2026-11-03T10:00:00Z",
        "update_only": True,
    }
    return {**payload, **extra}


def post(client, connection, payload, delivery_id):
    body = encode(payload)
    headers = {
        "Content-Type": "application/json",
        "X-Fake-Signature": sign(body, SECRET),
        "X-Fake-Shop": SHOP,
        "X-Fake-Delivery-Id": delivery_id,
        "X-Fake-Topic": "returns/update",
    }
    response = client.post(f"/webhooks/fake/{connection['id']}", data=body, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)


def case_count(runtime):
    with runtime.database.session() as session:
        return session.scalar(select(func.count()).select_from(CaseRow))


def test_flag_round_trips_and_leaves_ordinary_fingerprints_alone():
    plain = snapshot()
    assert "update_only" not in plain.to_dict()
    flagged = CaseSnapshot.from_dict({**plain.to_dict(), "update_only": True})
    assert flagged.update_only
    assert CaseSnapshot.from_dict(flagged.to_dict()).update_only
    assert flagged.fingerprint != plain.fingerprint
    with pytest.raises(SnapshotError, match="update_only must be a bool"):
        snapshot(update_only="yes")


def test_update_only_without_a_case_is_dropped(runtime, connection):
    result = ingest_snapshot(
        runtime.database,
        runtime.plugins,
        connection["id"],
        snapshot(status="resolved", outcome="buyer_favor", update_only=True),
    )
    assert result is None
    assert case_count(runtime) == 0


def test_update_only_merges_into_the_case_it_names(runtime, connection):
    opened = ingest_snapshot(runtime.database, runtime.plugins, connection["id"], snapshot())
    closed = snapshot(hours=2, status="resolved", outcome="buyer_favor", update_only=True)
    result = ingest_snapshot(runtime.database, runtime.plugins, connection["id"], closed)
    assert result is not None
    assert result.case.id == opened.case.id
    with runtime.database.session() as session:
        case = cases.get(session, opened.case.id)
    assert (case.status, case.outcome) == ("resolved", "buyer_favor")
    assert case.amount is not None
    assert str(case.amount.value) == "12.50"
    assert case_count(runtime) == 1


def test_update_only_of_another_object_type_is_dropped(runtime, connection):
    ingest_snapshot(runtime.database, runtime.plugins, connection["id"], snapshot("7"))
    other = snapshot("7", hours=1, object_type="return", kind="return", update_only=True)
    assert ingest_snapshot(runtime.database, runtime.plugins, connection["id"], other) is None
    assert case_count(runtime) == 1


def test_worker_counts_dropped_deliveries_as_done_not_failed(runtime, connection, client):
    post(client, connection, closing("r9"), "dlv-r9-1")
    report = process_deliveries(runtime, policy=POLICY)
    assert (report.processed, report.failed, report.dropped) == (1, 0, 1)
    assert report.results == []
    assert case_count(runtime) == 0
    with runtime.database.session() as session:
        row = session.scalar(select(DeliveryRow))
        assert deliveries.describe(row)["status"] == "done"


def test_worker_closes_a_case_opened_earlier(runtime, connection, client):
    requested = {**closing("r1"), "status": "requested", "updated_at": "2026-11-01T09:00:00Z"}
    del requested["update_only"]
    post(client, connection, requested, "dlv-r1-1")
    post(client, connection, closing("r1"), "dlv-r1-2")
    first = process_deliveries(runtime, policy=POLICY)
    second = process_deliveries(runtime, policy=POLICY)
    assert (first.processed + second.processed, first.dropped + second.dropped) == (2, 0)
    with runtime.database.session() as session:
        row = session.scalar(select(CaseRow))
        case = cases.load(session, row)
    assert (case.status, case.outcome) == ("resolved", "buyer_favor")


def test_sync_report_counts_dropped():
    report = SyncReport(connection_id="con_1")
    sync_module._count(report, None)
    assert (report.dropped, report.seen, report.failed) == (1, 1, 0)


def test_sync_progress_shows_drops_only_when_there_are_some():
    stream = io.StringIO()
    progress = ProgressLine("eu", stream)
    progress(SyncReport("con_1", pages=1, created=2))
    progress(SyncReport("con_1", pages=2, created=2, dropped=3))
    lines = stream.getvalue().splitlines()
    assert lines == [
        "eu: page 1, 2 seen (created 2, updated 0, unchanged 0, failed 0)",
        "eu: page 2, 5 seen (created 2, updated 0, unchanged 0, failed 0, dropped 3)",
    ]
