"""Real ``disputeflow worker`` processes against a real database: many at once, and killed.

The workers load the fake marketplace through an entry point (``tests/data/worker_site``),
exactly as a third-party plugin would be loaded.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from disputeflow.core.clock import utcnow
from disputeflow.core.marketplace import VerifiedDelivery
from disputeflow.engine.processing import process_deliveries
from disputeflow.engine.store import deliveries
from disputeflow.engine.store.tables import CaseRow, CaseSnapshotRow, DeliveryRow, TimelineRow

ROOT = Path(__file__).resolve().parents[2]
STATUSES = ("needs_response", "under_review", "won")
T0 = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def fake_plugins(plugin_manager):
    from tests.fakes import slow_plugin

    plugin_manager.register(slow_plugin, name="fake_slow")
    return plugin_manager


@pytest.fixture
def connection(runtime):
    return runtime.add_connection("fake", "load", {"signing_secret": "s", "shop": "load"})


def enqueue(runtime, connection_id, disputes):
    """Store each dispute's three updates as deliveries, in a shuffled order."""
    items = [(n, step) for n in range(disputes) for step in range(len(STATUSES))]
    random.Random(7).shuffle(items)
    with runtime.database.session() as session:
        for n, step in items:
            payload = {
                "id": f"d{n}", "type": "dispute", "status": STATUSES[step], "reason": "fraudulent",
                "amount": "10.00", "currency": "EUR", "opened_at": T0.isoformat(),
                "updated_at": (T0 + timedelta(hours=step)).isoformat(),
            }  # fmt: skip
            deliveries.insert(
                session,
                connection_id=connection_id,
                platform="fake",
                verified=VerifiedDelivery(f"{n}-{step}", "disputes/update"),
                body=json.dumps(payload).encode(),
                received_at=utcnow(),
            )
    return len(items)


def start_worker(runtime, *, delay=0.0, batch=25):
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests/data/worker_site")]),
        "DISPUTEFLOW_DATABASE_URL": runtime.settings.database_url,
        "DISPUTEFLOW_HOME": str(runtime.settings.home),
        "DISPUTEFLOW_LOAD_PLUGINS": "fake_slow",
        "FAKE_TRANSLATE_DELAY": str(delay),
    }
    command = [sys.executable, "-m", "disputeflow", "worker",
               "--batch-size", str(batch), "--poll-interval", "0.2"]  # fmt: skip
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def done_count(runtime):
    with runtime.database.session(readonly=True) as session:
        return session.scalar(select(func.count()).where(DeliveryRow.status == deliveries.DONE))


def wait_until(predicate, seconds, processes=()):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        for process in processes:
            if process.poll() is not None:
                raise AssertionError(f"worker died: {process.stderr.read().decode()}")
        time.sleep(0.1)
    raise AssertionError(f"not done within {seconds}s")


def assert_processed_exactly_once(runtime, disputes, total):
    with runtime.database.session() as session:
        grouped = select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status)
        statuses = dict(session.execute(grouped).all())
        attempts = set(session.scalars(select(DeliveryRow.attempts).distinct()))
        case_states = {
            tuple(row) for row in session.execute(select(CaseRow.status, CaseRow.outcome))
        }
        case_count = session.scalar(select(func.count()).select_from(CaseRow))
        snapshots = session.scalar(select(func.count()).select_from(CaseSnapshotRow))
        # what the platform's snapshots made (the worker also raises past deadlines)
        derived = select(func.count()).select_from(TimelineRow).where(TimelineRow.derived)
        entries = session.scalar(derived)
    assert statuses == {"done": total}
    assert attempts == {1}  # no delivery was processed (committed) twice
    assert case_count == disputes
    assert case_states == {("resolved", "merchant_favor")}
    assert snapshots == total
    # opened, needs_response -> under_review, under_review -> resolved: three per case.
    assert entries == disputes * 3


# Scale-out is a PostgreSQL feature (SKIP LOCKED); SQLite serves one host.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_four_worker_processes_drain_2000_deliveries_on_postgres(runtime, connection):
    disputes = 667
    total = enqueue(runtime, connection["id"], disputes)
    assert total >= 2000
    workers = [start_worker(runtime) for _ in range(4)]
    try:
        wait_until(lambda: done_count(runtime) == total, 240, workers)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)
    assert [w.returncode for w in workers] == [0, 0, 0, 0]
    assert_processed_exactly_once(runtime, disputes, total)


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(runtime, connection):
    disputes = 100
    total = enqueue(runtime, connection["id"], disputes)
    worker = start_worker(runtime, delay=0.01, batch=50)
    try:
        wait_until(lambda: done_count(runtime) >= 50, 120, [worker])
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    assert done_count(runtime) < total  # it died with work left, mid-batch
    while process_deliveries(runtime, limit=50).processed:  # a restarted worker
        pass
    assert_processed_exactly_once(runtime, disputes, total)
