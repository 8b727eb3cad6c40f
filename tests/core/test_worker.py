"""The worker loop: one round over deliveries, actions and syncs; stopping; surviving errors."""

from __future__ import annotations

import logging
import threading
import time

import pytest
import responses
from sqlalchemy import func, select

from disputeflow.core.taxonomy import ActionType
from disputeflow.engine import worker as worker_module
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.store import actions, deliveries
from disputeflow.engine.store.tables import NoticeRow, SyncCursorRow
from disputeflow.engine.worker import Worker, WorkerOptions
from tests.fakes.http_api import BASE_URL, FakePlatformAPI
from tests.fakes.marketplace import FakeMarketplace, encode
from tests.store_support import store_delivery


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakePlatformAPI(mock)


@pytest.fixture
def connection_id(runtime):
    settings = {"signing_secret": "s", "shop": "eu", "api_base_url": BASE_URL}
    return runtime.add_connection("fake", "eu", settings)["id"]


def test_run_once_processes_deliveries_actions_and_due_syncs(runtime, api, connection_id):
    delivery = store_delivery(runtime, connection_id, encode(api.put("d1")), "dlv-1")
    a_return = FakeMarketplace().snapshot(api.put("r1", "return"))
    case_id = ingest_snapshot(runtime.database, runtime.plugins, connection_id, a_return).case.id
    action, _ = request_action(runtime, case_id, ActionInput(ActionType.APPROVE_RETURN))
    api.put("d2")  # only the platform knows this one: polling brings it in

    handled = Worker(runtime).run_once()

    with runtime.database.session() as session:
        notices = session.scalar(select(func.count()).where(NoticeRow.status != "pending"))
    assert notices > 0  # the steps those made are told of in the same round
    assert handled == 3 + notices  # one delivery, one action, one sync, and the notices
    with runtime.database.session() as session:
        assert deliveries.get(session, delivery).status == "done"
        assert actions.get(session, action["id"]).status == "succeeded"
        assert session.get(SyncCursorRow, connection_id).last_synced_at is not None
    assert len(api.action_calls) == 1
    assert api.list_calls == [""]
    assert Worker(runtime).run_once() == 0  # nothing left: the sync is not due again yet


def test_run_stops_promptly_after_stop(runtime):
    loop = Worker(runtime, WorkerOptions(poll_interval=30))
    rounds = threading.Event()
    real_run_once = loop.run_once

    def counted():
        handled = real_run_once()
        rounds.set()
        return handled

    loop.run_once = counted
    thread = loop.start_thread()
    assert rounds.wait(5)  # it is idle now, waiting out a 30 s poll interval

    started = time.monotonic()
    loop.stop()
    thread.join(timeout=5)

    assert not thread.is_alive()
    assert time.monotonic() - started < 2


def test_a_failing_round_is_logged_and_the_loop_goes_on(runtime, monkeypatch, caplog):
    real = worker_module.process_deliveries
    calls = []
    again = threading.Event()

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        again.set()
        return real(*args, **kwargs)

    monkeypatch.setattr(worker_module, "process_deliveries", flaky)
    loop = Worker(runtime, WorkerOptions(poll_interval=0.05))
    with caplog.at_level(logging.ERROR, logger="disputeflow.engine.worker"):
        thread = loop.start_thread()
        try:
            assert again.wait(5)
        finally:
            loop.stop()
            thread.join(timeout=5)

    assert not thread.is_alive()
    assert len(calls) >= 2
    failures = [r for r in caplog.records if "worker round failed" in r.getMessage()]
    assert len(failures) == 1
    assert failures[0].exc_info[1].args == ("database went away",)
