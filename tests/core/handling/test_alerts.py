"""Approaching deadlines are raised once per deadline and lead time, as a case change."""

from __future__ import annotations

from datetime import timedelta

import pytest

from disputeflow import Deadline, hookimpl
from disputeflow.engine.store.tables import CaseRow
from disputeflow.engine.worker import Worker, WorkerOptions
from disputeflow.features.handling.alerts import raise_approaching
from tests.builders import T0, snapshot
from tests.core.handling.conftest import ingest, load

DUE = T0 + timedelta(days=5)


class Changes:
    def __init__(self):
        self.seen = []

    @hookimpl
    def disputeflow_case_changed(self, change):
        self.seen.append(change)


@pytest.fixture
def changes(runtime):
    recorder = Changes()
    runtime.plugins.register(recorder, name="changes")
    return recorder.seen


@pytest.fixture
def case_id(runtime, connection_id):
    platform = Deadline("platform_response", DUE, "fake")
    return ingest(runtime, connection_id, snapshot("cb1", deadlines=(platform,))).id


def alerts(runtime, case_id):
    return [
        (e.kind, e.data["lead_hours"])
        for e in load(runtime, case_id).timeline
        if e.kind in ("deadline_approaching", "deadline_missed")
    ]


def test_each_lead_time_is_raised_once_then_the_miss(runtime, case_id, changes):
    assert raise_approaching(runtime, now=DUE - timedelta(days=4)) == 0  # 96 h: not yet
    assert raise_approaching(runtime, now=DUE - timedelta(hours=60)) == 1
    assert raise_approaching(runtime, now=DUE - timedelta(hours=50)) == 0  # 72 h raised already
    assert raise_approaching(runtime, now=DUE - timedelta(hours=20)) == 1
    assert raise_approaching(runtime, now=DUE - timedelta(hours=1)) == 0
    assert raise_approaching(runtime, now=DUE + timedelta(hours=1)) == 1
    assert raise_approaching(runtime, now=DUE + timedelta(hours=5)) == 0
    assert alerts(runtime, case_id) == [
        ("deadline_approaching", 72),
        ("deadline_approaching", 24),
        ("deadline_missed", 0),
    ]
    assert [(c.cause, c.created, len(c.entries)) for c in changes] == [("deadline", False, 1)] * 3
    first = load(runtime, case_id).timeline
    summaries = [e.summary for e in first if e.kind == "deadline_approaching"]
    assert summaries[0] == (
        "merchant must act by 2026-11-06 12:00 UTC (within 72 h): platform_response (fake)"
    )


def test_a_deadline_first_seen_late_is_raised_at_its_tightest_lead_only(runtime, case_id):
    assert raise_approaching(runtime, now=DUE - timedelta(hours=10)) == 1
    assert raise_approaching(runtime, now=DUE - timedelta(hours=9)) == 0
    assert alerts(runtime, case_id) == [("deadline_approaching", 24)]


def test_raising_recomputes_priority_and_wakes_the_rules(runtime, case_id):
    with runtime.database.session() as session:
        session.get(CaseRow, case_id).rules_due_at = None
    raise_approaching(runtime, now=DUE - timedelta(hours=10))
    case = load(runtime, case_id)
    assert case.extra["priority"]["factors"]["deadline"] == 35
    with runtime.database.session() as session:
        assert session.get(CaseRow, case_id).rules_due_at is not None


def test_the_lead_times_come_from_the_rules(runtime, case_id, use_rules):
    use_rules("[deadlines]\nalert_lead_hours = [6]\n")
    assert raise_approaching(runtime, now=DUE - timedelta(hours=20)) == 0
    assert raise_approaching(runtime, now=DUE - timedelta(hours=5)) == 1
    assert alerts(runtime, case_id) == [("deadline_approaching", 6)]


def test_only_the_acting_partys_deadlines_of_open_cases(runtime, connection_id, case_id):
    buyer = Deadline("return_window", DUE, "fake", "buyer")
    ingest(runtime, connection_id, snapshot("cb2", deadlines=(buyer,), status="under_review"))
    ingest(
        runtime,
        connection_id,
        snapshot(
            "cb3",
            deadlines=(Deadline("platform_response", DUE, "fake"),),
            status="resolved",
            outcome="merchant_favor",
        ),
    )
    assert raise_approaching(runtime, now=DUE - timedelta(hours=10)) == 1  # cb1 only
    awaiting = ingest(
        runtime,
        connection_id,
        snapshot("cb2", hours=1, deadlines=(buyer,), status="awaiting_buyer"),
    )
    assert raise_approaching(runtime, now=DUE - timedelta(hours=9)) == 1
    assert alerts(runtime, awaiting.id) == [("deadline_approaching", 24)]
    assert "buyer must act by" in load(runtime, awaiting.id).timeline[-1].summary


def test_the_worker_raises_in_its_housekeeping(runtime, connection_id, monkeypatch):
    soon = Deadline("platform_response", T0 + timedelta(days=400), "fake")
    case = ingest(runtime, connection_id, snapshot("cb9", deadlines=(soon,)))
    calls = []
    monkeypatch.setattr(
        "disputeflow.features.handling.plugin.raise_approaching",
        lambda runtime: calls.append("raise"),
    )
    monkeypatch.setattr(
        "disputeflow.features.handling.plugin.refresh_policies",
        lambda runtime: calls.append("policies"),
    )
    worker = Worker(runtime, WorkerOptions(housekeeping_interval=3600))
    worker.housekeeping()
    worker.housekeeping()  # within the interval: skipped
    worker.housekeeping(force=True)
    assert calls == ["raise", "policies", "raise", "policies"]
    assert alerts(runtime, case.id) == []


def test_a_failing_housekeeping_step_is_logged_not_raised(runtime, monkeypatch, caplog):
    def broken(runtime):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr("disputeflow.features.handling.plugin.raise_approaching", broken)
    monkeypatch.setattr("disputeflow.features.handling.plugin.refresh_policies", lambda runtime: 0)
    Worker(runtime).housekeeping()
    assert "housekeeping step broken failed" in caplog.text
