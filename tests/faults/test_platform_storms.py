"""The platform's API in a storm: timeouts (before and after it did the work), 5xx and 429
with ``Retry-After``, answered to three workers at once. Every action completes once, and
no refund is issued twice."""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import Counter

import pytest
import requests
import responses
from sqlalchemy import select

from disputeflow import Money
from disputeflow.core.errors import InvalidInputError
from disputeflow.core.taxonomy import ActionType, TimelineKind
from disputeflow.engine.action_runner import process_actions
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.processing import RetryPolicy
from disputeflow.engine.store import actions, cases
from disputeflow.engine.store.tables import ActionRow
from tests.fakes.marketplace import FakeMarketplace
from tests.load import scaled

BASE = "https://storm.test"
FAULTS = ("timeout_before", "timeout_after", "500", "502", "503", "429")


class StormPlatform:
    """The fake platform's action endpoint, failing each idempotency key's first few calls
    with a random fault; it keeps one record per key, like a platform honouring the key."""

    def __init__(self, mock: responses.RequestsMock, seed: int) -> None:
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.records: dict[str, dict[str, object]] = {}
        self.planned: dict[str, list[str]] = {}
        self.calls: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        pattern = re.compile(rf"{re.escape(BASE)}/(dispute|return)s/([^/?]+)/actions")
        mock.add_callback(responses.POST, pattern, callback=self._act)

    def _act(self, request):
        key = request.headers["Idempotency-Key"]
        with self.lock:
            self.calls[key] += 1
            plan = self.planned.setdefault(
                key, [self.rng.choice(FAULTS) for _ in range(self.rng.randrange(0, 5))]
            )
            fault = plan.pop(0) if plan else None
            if fault is not None:
                self.faults[fault] += 1
            if fault in (None, "timeout_after") and key not in self.records:
                body = json.loads(request.body)
                self.records[key] = {"id": f"{body['type']}-{len(self.records) + 1}", **body}
        if fault in ("timeout_before", "timeout_after"):
            raise requests.ReadTimeout("the platform did not answer in time")
        if fault == "429":
            return 429, {"Retry-After": "0.05"}, json.dumps({"error": "slow down"})
        if fault is not None:
            return int(fault), {}, json.dumps({"error": "storm"})
        return 200, {}, json.dumps({"id": self.records[key]["id"]})


@pytest.fixture
def storm():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield StormPlatform(mock, seed=3)


def _return_case(runtime, connection_id, n):
    payload = {
        "id": f"r{n}", "type": "return", "status": "requested", "reason": "changed_mind",
        "amount": "40.00", "currency": "EUR", "opened_at": "2026-11-01T10:00:00Z",
        "updated_at": "2026-11-01T10:00:00Z",
    }  # fmt: skip
    snapshot = FakeMarketplace().snapshot(payload)
    return ingest_snapshot(runtime.database, runtime.plugins, connection_id, snapshot).case.id


def _request_refunds(runtime, case_ids):
    """A refund per case, as a merchant's client sends it: each with a key, sent twice
    (a retried request), and a second click without a key that must be refused."""
    requested = {}
    for case_id in case_ids:
        wanted = ActionInput(ActionType.REFUND, amount=Money("40.00", "EUR"),
                             idempotency_key=f"refund-{case_id}")  # fmt: skip
        first, created = request_action(runtime, case_id, wanted)
        again, created_again = request_action(runtime, case_id, wanted)
        assert (created, created_again, again["id"]) == (True, False, first["id"])
        with pytest.raises(InvalidInputError, match=r"at most 0\.00 EUR"):
            request_action(runtime, case_id, ActionInput(ActionType.REFUND,
                                                         amount=Money("40.00", "EUR")))  # fmt: skip
        requested[case_id] = first
    return requested


def _settled(runtime):
    with runtime.database.session(readonly=True) as session:
        statuses = set(session.scalars(select(ActionRow.status)))
    return statuses <= {actions.SUCCEEDED, actions.FAILED}


def test_a_storm_of_timeouts_5xx_and_429_refunds_each_case_once(runtime, storm):
    settings = {"signing_secret": "s", "shop": "storm", "api_base_url": BASE}
    connection_id = runtime.add_connection("fake", "storm", settings)["id"]
    case_ids = [_return_case(runtime, connection_id, n) for n in range(scaled(12))]
    requested = _request_refunds(runtime, case_ids)
    policy = RetryPolicy(max_attempts=8, backoff_seconds=(0.01, 0.02, 0.05))
    errors = []

    def worker():
        deadline = time.monotonic() + 120
        try:
            while not _settled(runtime) and time.monotonic() < deadline:
                if not process_actions(runtime, limit=3, policy=policy).handled:
                    time.sleep(0.02)
        except Exception as error:  # a worker must never crash on the platform's faults
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=150)

    assert errors == []
    assert sum(storm.faults.values()) >= len(case_ids)  # it was a storm
    assert set(storm.faults) >= {"timeout_after", "429"}
    with runtime.database.session(readonly=True) as session:
        for case_id, action in requested.items():
            stored = actions.describe(actions.get(session, action["id"]))
            assert stored["status"] == "succeeded", stored
            assert stored["attempts"] == storm.calls[action["idempotency_key"]]
            timeline = cases.get(session, case_id).timeline
            kinds = Counter(entry.kind for entry in timeline)
            assert kinds[TimelineKind.ACTION_SUCCEEDED] == 1
            assert kinds[TimelineKind.ACTION_FAILED] == 0
    # One refund per case on the platform, for the full amount, whatever the storm did.
    assert len(storm.records) == len(case_ids)
    assert {record["amount"]["value"] for record in storm.records.values()} == {"40.00"}
    assert set(storm.records) == {action["idempotency_key"] for action in requested.values()}
