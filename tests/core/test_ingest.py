"""Ingesting snapshots: hooks after commit, classification, routing, concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from disputeflow import Category, Classification, Money, hookimpl
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.store import cases, connections
from tests.builders import snapshot


@pytest.fixture
def connection_id(runtime):
    with runtime.database.session() as session:
        return connections.create(
            session,
            runtime.secrets,
            platform="fake",
            name="shop",
            settings={"shop": "s", "signing_secret": "x"},
            secret_fields=frozenset({"signing_secret"}),
        ).id


def ingest(runtime, connection_id, snap):
    return ingest_snapshot(runtime.database, runtime.plugins, connection_id, snap)


class Recorder:
    def __init__(self, runtime):
        self.runtime = runtime
        self.changes = []
        self.committed = []

    @hookimpl
    def disputeflow_case_changed(self, change):
        self.changes.append(change)
        with self.runtime.database.session() as session:  # visible: committed before the hook
            self.committed.append(cases.get(session, change.case.id).status)


@pytest.fixture
def recorder(runtime):
    plugin = Recorder(runtime)
    runtime.plugins.register(plugin, name="recorder")
    try:
        yield plugin
    finally:
        runtime.plugins.unregister(name="recorder")


def test_case_changed_fires_after_commit_and_not_for_duplicates(runtime, connection_id, recorder):
    ingest(runtime, connection_id, snapshot())
    ingest(runtime, connection_id, snapshot())
    ingest(runtime, connection_id, snapshot(hours=1, status="under_review"))
    assert [c.created for c in recorder.changes] == [True, False]
    assert recorder.committed == ["needs_response", "under_review"]
    assert [e.kind for e in recorder.changes[1].entries] == ["status_changed"]


def test_a_failing_case_changed_hook_never_undoes_the_change(runtime, connection_id):
    class Broken:
        @hookimpl
        def disputeflow_case_changed(self, change):
            raise RuntimeError("notifier down")

    runtime.plugins.register(Broken(), name="broken")
    result = ingest(runtime, connection_id, snapshot())
    with runtime.database.session() as session:
        assert cases.get(session, result.case.id).status == "needs_response"


def test_generic_cases_are_classified_by_the_hook_with_its_rule(runtime, connection_id):
    class Classifier:
        @hookimpl
        def disputeflow_classify_case(self, case, snapshot):
            if "never came" in (case.platform_reason or ""):
                return Classification(Category.NOT_RECEIVED, 0.8, "phrase:never-came")
            return None

    runtime.plugins.register(Classifier(), name="classifier")
    result = ingest(
        runtime, connection_id, snapshot(category=None, platform_reason="parcel never came")
    )
    again = ingest(
        runtime,
        connection_id,
        snapshot(
            hours=1, category=None, platform_reason="parcel never came", status="under_review"
        ),
    )
    with runtime.database.session() as session:
        stored = cases.get(session, result.case.id)
    assert stored.category == "not_received"
    assert stored.extra["classification"]["rule"] == "phrase:never-came"
    kinds = [(e.kind, e.actor) for e in stored.timeline]
    assert kinds.count(("category_changed", "system")) == 1
    assert again.case.category == "not_received"


def test_routing_hook_overrides_the_default_queue(runtime, connection_id):
    class Router:
        @hookimpl(tryfirst=True)
        def disputeflow_route_case(self, case):
            return "vip" if case.amount and case.amount.value > 100 else None

    runtime.plugins.register(Router(), name="router")
    small = ingest(runtime, connection_id, snapshot("1"))
    large = ingest(runtime, connection_id, snapshot("2", amount=None))
    big = snapshot("3", amount=Money("250.00", "EUR"))
    vip = ingest(runtime, connection_id, big)
    assert (small.case.queue, large.case.queue, vip.case.queue) == (
        "chargebacks",
        "chargebacks",
        "vip",
    )


def test_eight_threads_ingesting_one_snapshot_make_one_case(runtime, connection_id):
    snap = snapshot("race")
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: ingest(runtime, connection_id, snap), range(8)))
    assert sum(r.created for r in results) == 1
    assert sum(r.duplicate for r in results) == 7
    with runtime.database.session() as session:
        rows, _ = cases.list_rows(session, cases.CaseFilter())
        stored = cases.get(session, rows[0].id)
    assert len(rows) == 1
    assert [e.kind for e in stored.timeline] == ["opened"]
