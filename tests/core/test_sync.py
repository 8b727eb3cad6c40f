"""Polling: pages, cursors, failures, scheduling, and webhooks feeding the same objects."""

from __future__ import annotations

import gc
import json
import threading
import time
import tracemalloc
from datetime import timedelta

import pytest
import responses
from sqlalchemy import select

from disputeflow import Capabilities, hookimpl
from disputeflow.core.clock import utcnow
from disputeflow.core.errors import UnsupportedError
from disputeflow.core.merge import MergeResult
from disputeflow.engine import sync as sync_module
from disputeflow.engine.processing import RetryPolicy, process_deliveries
from disputeflow.engine.store import cases
from disputeflow.engine.store.tables import CaseRow, SyncCursorRow
from disputeflow.engine.sync import LEASE, run_due_syncs, sync_connection
from disputeflow.webhooks.app import create_app
from tests.fakes.http_api import BASE_URL, FakePlatformAPI
from tests.fakes.marketplace import FakeMarketplace, encode, sign

SECRET, SHOP = "whsec-sync", "eu-shop"


@pytest.fixture
def mock():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def api(mock):
    return FakePlatformAPI(mock, page_size=3)


def add_connection(runtime, name="eu"):
    settings = {"signing_secret": SECRET, "shop": SHOP, "api_base_url": BASE_URL}
    return runtime.add_connection("fake", name, settings)["id"]


@pytest.fixture
def connection_id(runtime):
    return add_connection(runtime)


def case_rows(runtime, connection_id):
    with runtime.database.session() as session:
        rows = session.scalars(select(CaseRow).where(CaseRow.connection_id == connection_id))
        return {row.external_id: cases.get(session, row.id) for row in rows}


def cursor_row(runtime, connection_id):
    with runtime.database.session() as session:
        return session.get(SyncCursorRow, connection_id)


def put_many(api, count):
    return [api.put(f"d{n}") for n in range(1, count + 1)]


def test_multi_page_sync_creates_cases_and_saves_the_cursor_after_each_page(
    runtime, api, connection_id
):
    objects = put_many(api, 7)
    saved = []

    def progress(report):
        saved.append((report.pages, cursor_row(runtime, connection_id).cursor))

    report = sync_connection(runtime, connection_id, progress=progress)

    stamps = [obj["updated_at"] for obj in objects]
    # pages [d1 d2 d3] [d3 d4 d5] [d5 d6 d7]: each starts with the last of the one before
    assert saved == [(1, stamps[2]), (2, stamps[4]), (3, stamps[6])]
    assert api.list_calls == ["", stamps[2], stamps[4]]
    assert (report.pages, report.created, report.updated, report.unchanged, report.failed) == (
        3, 7, 0, 2, 0,
    )  # fmt: skip
    assert report.cursor == stamps[6]
    found = case_rows(runtime, connection_id)
    assert sorted(found) == [f"d{n}" for n in range(1, 8)]
    assert {case.status for case in found.values()} == {"needs_response"}
    row = cursor_row(runtime, connection_id)
    assert row.last_error is None
    assert row.next_sync_at > row.last_synced_at


def test_a_second_sync_from_the_saved_cursor_is_unchanged_only(runtime, api, connection_id):
    objects = put_many(api, 7)
    sync_connection(runtime, connection_id)
    before = {k: len(c.timeline) for k, c in case_rows(runtime, connection_id).items()}

    again = sync_connection(runtime, connection_id)

    assert api.list_calls[-1] == objects[-1]["updated_at"]  # resumed from the saved cursor
    assert (again.created, again.updated, again.failed, again.unchanged) == (0, 0, 0, 1)
    full = sync_connection(runtime, connection_id, since="")
    assert (full.created, full.updated, full.failed, full.unchanged) == (0, 0, 0, 9)
    after = {k: len(c.timeline) for k, c in case_rows(runtime, connection_id).items()}
    assert after == before

    api.put("d4", status="under_review")
    changed = sync_connection(runtime, connection_id)
    assert (changed.created, changed.updated) == (0, 1)
    assert case_rows(runtime, connection_id)["d4"].status == "under_review"


class BrokenClassifier:
    """Fails the merge of one object while ``broken`` (a plugin bug, then its fix)."""

    def __init__(self, external_id):
        self.external_id = external_id
        self.broken = True

    @hookimpl
    def disputeflow_classify_case(self, case, snapshot):
        if self.broken and case.external_id == self.external_id:
            raise RuntimeError("classifier crashed")


def test_a_failed_snapshot_keeps_the_cursor_before_its_page_until_a_later_sync(
    runtime, api, connection_id
):
    objects = put_many(api, 7)
    api.put("d5", reason="general")  # category OTHER: the classify hook is asked
    classifier = BrokenClassifier("d5")
    runtime.plugins.register(classifier, name="broken-classifier")
    stamps = [obj["updated_at"] for obj in objects]

    first = sync_connection(runtime, connection_id)

    # d5 now sorts last: pages [d1 d2 d3] [d3 d4 d6] [d6 d7 d5]; d5 failed on page 3
    assert (first.failed, first.created, first.pages) == (1, 6, 3)
    assert first.cursor == stamps[5] == cursor_row(runtime, connection_id).cursor
    assert cursor_row(runtime, connection_id).last_error == "1 object(s) failed"
    assert "d5" not in case_rows(runtime, connection_id)

    classifier.broken = False
    second = sync_connection(runtime, connection_id)

    assert api.list_calls[-1] == stamps[5]  # the failed page was fetched again
    assert (second.failed, second.created) == (0, 1)
    assert second.cursor == api.objects[("dispute", "d5")]["updated_at"]
    assert cursor_row(runtime, connection_id).last_error is None
    assert len(case_rows(runtime, connection_id)) == 7


def test_a_failure_on_an_early_page_holds_the_cursor_for_every_later_page(
    runtime, api, connection_id
):
    put_many(api, 7)
    runtime.plugins.register(BrokenClassifier("d2"), name="broken-classifier")
    api.objects[("dispute", "d2")]["reason"] = "general"  # same stamp: stays on page 1

    report = sync_connection(runtime, connection_id)

    assert report.failed == 1
    assert report.pages == 3  # the later pages were still merged ...
    assert len(case_rows(runtime, connection_id)) == 6
    assert report.cursor is None  # ... but the cursor never moved past page 1
    assert cursor_row(runtime, connection_id).cursor is None
    calls = len(api.list_calls)
    assert sync_connection(runtime, connection_id).created == 0
    assert api.list_calls[calls] == ""  # so the next sync starts from the beginning again


# -- webhooks and polling feeding the same objects ------------------------------------


def post(client, connection_id, payload, delivery_id):
    body = encode(payload)
    headers = {
        "Content-Type": "application/json",
        "X-Fake-Signature": sign(body, SECRET),
        "X-Fake-Shop": SHOP,
        "X-Fake-Delivery-Id": delivery_id,
        "X-Fake-Topic": f"{payload['type']}s/update",
    }
    answer = client.post(f"/webhooks/fake/{connection_id}", data=body, headers=headers)
    assert answer.status_code < 300, answer.get_data(as_text=True)


def drain(runtime):
    policy = RetryPolicy(max_attempts=3, backoff_seconds=(0,))
    while (report := process_deliveries(runtime, policy=policy)).processed or report.failed:
        assert report.failed == 0


def timeline_keys(case):
    return [(entry.kind, entry.at, entry.summary) for entry in case.timeline]


def test_webhooks_and_polling_never_duplicate_a_case_or_a_timeline_entry(runtime, api):
    """Each scenario on its own connection; every order ends like the webhook-only feed."""
    first = api.put("d1", due_by="2026-11-20T23:59:59Z")
    second = api.put("d1", status="under_review")
    a_return = api.put("r1", "return", buyer_country="FR")
    deliveries = [(first, "dlv-1"), (second, "dlv-2"), (a_return, "dlv-3")]
    client = create_app(runtime, {"TESTING": True}).test_client()

    def webhooks(connection_id, process=True):
        for payload, delivery_id in deliveries:
            post(client, connection_id, payload, delivery_id)
        if process:
            drain(runtime)

    scenarios = {
        "webhook only": lambda c: webhooks(c),
        "webhook, then poll": lambda c: (webhooks(c), sync_connection(runtime, c)),
        "poll, then webhook": lambda c: (sync_connection(runtime, c), webhooks(c)),
        "stored, poll, processed": lambda c: (
            webhooks(c, process=False), sync_connection(runtime, c), drain(runtime)
        ),
        "poll, webhook, webhook again, poll again": lambda c: (
            sync_connection(runtime, c), webhooks(c), webhooks(c),
            sync_connection(runtime, c, since=""),
        ),
    }  # fmt: skip
    outcomes = {}
    for index, (name, run) in enumerate(scenarios.items()):
        connection_id = add_connection(runtime, f"shop-{index}")
        run(connection_id)
        found = case_rows(runtime, connection_id)
        assert sorted(found) == ["d1", "r1"], name
        for case in found.values():
            keys = timeline_keys(case)
            assert len(keys) == len(set(keys)), (name, keys)
        outcomes[name] = {k: (c.status, timeline_keys(c)) for k, c in found.items()}

    reference = outcomes.pop("webhook only")
    assert reference["d1"][0] == "under_review"
    assert {name: outcome == reference for name, outcome in outcomes.items()} == dict.fromkeys(
        outcomes, True
    )


# -- scheduled syncs ------------------------------------------------------------------


class PushOnly(FakeMarketplace):
    """A marketplace fed by webhooks only."""

    name = "pushonly"
    capabilities = Capabilities.build({"chargeback": ["accept"]}, webhooks=True, polling=False)


class PushOnlyPlugin:
    @hookimpl
    def disputeflow_register_marketplaces(self):
        return [PushOnly()]


def test_run_due_syncs_syncs_each_due_connection_once(runtime, api, connection_id):
    put_many(api, 4)
    now = utcnow() + timedelta(days=1)  # a worker's clock, not the wall clock

    assert run_due_syncs(runtime, now=now) == 1
    assert len(case_rows(runtime, connection_id)) == 4
    calls = len(api.list_calls)
    row = cursor_row(runtime, connection_id)
    assert row.next_sync_at == now + sync_module.DEFAULT_INTERVAL
    assert row.lease_until is None

    assert run_due_syncs(runtime, now=now) == 0  # right after: not due yet
    assert run_due_syncs(runtime, now=now + timedelta(minutes=14)) == 0
    assert len(api.list_calls) == calls
    assert run_due_syncs(runtime, now=now + timedelta(minutes=15)) == 1
    assert len(api.list_calls) > calls


def test_run_due_syncs_honours_another_workers_lease(runtime, api, connection_id):
    put_many(api, 2)
    now = utcnow()
    with runtime.database.session() as session:  # another worker claimed it a minute ago
        session.add(
            SyncCursorRow(
                connection_id=connection_id,
                interval_seconds=900,
                next_sync_at=now - timedelta(minutes=1),
                lease_until=now - timedelta(minutes=1) + LEASE,
            )
        )

    assert run_due_syncs(runtime, now=now) == 0
    assert api.list_calls == []
    assert run_due_syncs(runtime, now=now + LEASE) == 1  # that worker died: lease over
    assert len(case_rows(runtime, connection_id)) == 2


def test_two_workers_scheduling_a_new_connection_at_once_do_not_fail(runtime, api, connection_id):
    """Worker A has added the new connection's schedule but not committed yet; worker B
    tries the same (on PostgreSQL its insert waits, then conflicts). B never raises."""
    put_many(api, 1)
    now = utcnow()
    results = []
    with runtime.database.session() as session:  # worker A, mid-transaction
        session.add(
            SyncCursorRow(connection_id=connection_id, interval_seconds=900, next_sync_at=now)
        )
        session.flush()
        worker_b = threading.Thread(target=lambda: results.append(run_due_syncs(runtime, now=now)))
        worker_b.start()
        time.sleep(0.5)  # B reaches its insert (and waits on A's, on PostgreSQL)
    worker_b.join(timeout=30)

    assert results == [1] if runtime.database.dialect == "sqlite" else results == [0]
    assert run_due_syncs(runtime, now=now) == (0 if results == [1] else 1)
    assert cursor_row(runtime, connection_id).last_synced_at is not None


def test_run_due_syncs_skips_marketplaces_without_polling(runtime, api, connection_id):
    runtime.plugins.register(PushOnlyPlugin(), name="pushonly")
    push = runtime.add_connection("pushonly", "push", {"signing_secret": "x", "shop": "p"})["id"]
    put_many(api, 1)

    assert run_due_syncs(runtime) == 1
    assert cursor_row(runtime, push) is None
    assert cursor_row(runtime, connection_id).last_synced_at is not None
    with pytest.raises(UnsupportedError, match="does not support polling"):
        sync_connection(runtime, push)


def test_run_due_syncs_does_nothing_without_a_polling_marketplace(runtime, mock):
    runtime.plugins.unregister(name="fake")
    runtime.plugins.register(PushOnlyPlugin(), name="pushonly")
    runtime.add_connection("pushonly", "push", {"signing_secret": "x", "shop": "p"})
    assert run_due_syncs(runtime) == 0
    assert len(mock.calls) == 0


def test_a_failing_scheduled_sync_is_recorded_and_rescheduled(runtime, mock, connection_id):
    mock.add(responses.GET, f"{BASE_URL}/cases", status=503)
    now = utcnow()

    assert run_due_syncs(runtime, now=now) == 1

    row = cursor_row(runtime, connection_id)
    assert row.last_error == "MarketplaceError: fake API answered 503"
    assert row.lease_until is None
    assert row.next_sync_at == now + sync_module.DEFAULT_INTERVAL
    assert run_due_syncs(runtime, now=now) == 0


# -- memory shape ---------------------------------------------------------------------


def synthetic_pages(rsps, total, page_size=100):
    """A platform of ``total`` objects generated on demand (its own memory stays flat)."""

    def answer(request):
        for calls in (rsps.calls, *(r.calls for r in rsps.registered())):
            calls.reset()  # responses would otherwise keep every page it served
        since = request.url.partition("since=")[2]
        start = int(since or 0)
        end = min(start + page_size, total)
        items = [
            {
                "id": str(n), "type": "dispute", "status": "needs_response",
                "reason": "fraudulent", "amount": "12.50", "currency": "EUR",
                "opened_at": "2026-11-01T09:00:00Z", "updated_at": "2026-11-01T10:00:00Z",
            }
            for n in range(start, end)
        ]  # fmt: skip
        body = {"items": items, "next_cursor": str(end), "has_more": end < total}
        return 200, {}, json.dumps(body)

    rsps.add_callback(responses.GET, f"{BASE_URL}/cases", callback=answer)


def sync_peak(runtime, connection_id, total):
    """Peak traced memory of a full sync of ``total`` objects."""
    with responses.RequestsMock() as rsps:
        synthetic_pages(rsps, total)
        gc.collect()
        tracemalloc.start()
        try:
            report = sync_connection(runtime, connection_id, since="")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert (report.created, report.pages, report.cursor) == (total, total // 100, str(total))
    return peak


def test_sync_streams_pages_so_memory_stays_flat(runtime, connection_id, monkeypatch):
    """5,000 objects in pages of 100 peak like 1,000 do.

    Merging is replaced by a counter here: each merge is its own short transaction (its
    memory is per object by construction), and the real one under tracemalloc would take
    about a minute. What is measured is the sync itself: the plugin's page generator, the
    loop, and the cursor saved per page.
    """
    kept = []

    def counting(database, plugins, connection, snapshot, **_options):
        return MergeResult(case=None, created=True)

    def keeping(database, plugins, connection, snapshot, **_options):
        kept.append(snapshot)
        return counting(database, plugins, connection, snapshot)

    monkeypatch.setattr(sync_module, "ingest_snapshot", counting)
    sync_peak(runtime, connection_id, 300)  # warm caches up
    small = sync_peak(runtime, connection_id, 1_000)
    large = sync_peak(runtime, connection_id, 5_000)
    assert large < 2 * small, (small, large)

    # the measurement does see a sync that holds on to what it read
    monkeypatch.setattr(sync_module, "ingest_snapshot", keeping)
    holding = sync_peak(runtime, connection_id, 5_000)
    assert len(kept) == 5_000
    assert holding > 2 * small, (small, holding)


def test_a_page_without_a_cursor_keeps_the_saved_one(runtime, connection_id, monkeypatch):
    from disputeflow import SyncPage

    def pages(self, connection, cursor):
        yield SyncPage(snapshots=[], cursor="after-page-1")
        yield SyncPage(snapshots=[], cursor=None)  # the platform named no new cursor

    monkeypatch.setattr(FakeMarketplace, "list_changes", pages)
    report = sync_connection(runtime, connection_id)
    assert report.pages == 2
    assert report.cursor == "after-page-1"
    assert cursor_row(runtime, connection_id).cursor == "after-page-1"
