"""Merchant actions: checked and stored with an idempotency key, then run against the platform."""

from __future__ import annotations

from datetime import timedelta

import pytest
import responses
from sqlalchemy import func, select

from disputeflow import Money, hookimpl
from disputeflow.core.clock import utcnow
from disputeflow.core.errors import ActionNotAllowedError, InvalidInputError, MarketplaceError
from disputeflow.core.taxonomy import ActionType, TimelineKind
from disputeflow.engine import action_runner
from disputeflow.engine.action_runner import LEASE, process_actions
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.processing import RetryPolicy
from disputeflow.engine.store import actions, cases
from disputeflow.engine.store.tables import ActionRow
from tests.fakes.http_api import BASE_URL, FakePlatformAPI
from tests.fakes.marketplace import FakeMarketplace

EUR = "EUR"


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakePlatformAPI(mock)


@pytest.fixture
def connection_id(runtime):
    settings = {"signing_secret": "s", "shop": "eu", "api_base_url": BASE_URL}
    return runtime.add_connection("fake", "eu", settings)["id"]


def ingest(runtime, connection_id, payload):
    snapshot = FakeMarketplace().snapshot(payload)
    return ingest_snapshot(runtime.database, runtime.plugins, connection_id, snapshot).case.id


@pytest.fixture
def return_case(runtime, api, connection_id):
    """A return request for 40.00 EUR: approve, decline and refund are allowed."""
    return ingest(runtime, connection_id, api.put("r1", "return"))


@pytest.fixture
def dispute_case(runtime, api, connection_id):
    """A chargeback that needs a response: accept and contest are allowed."""
    return ingest(runtime, connection_id, api.put("d1"))


class ActionHooks:
    """Records the action hooks, and refuses what ``veto`` names."""

    def __init__(self):
        self.veto = {}
        self.after = []
        self.errors = []

    @hookimpl
    def disputeflow_before_action(self, case, action):
        return self.veto.get(action.type)

    @hookimpl
    def disputeflow_after_action(self, case, action, result):
        self.after.append((case.id, action.idempotency_key, result))

    @hookimpl
    def disputeflow_on_action_error(self, case, action, error):
        self.errors.append((case.id, action.idempotency_key, error))


@pytest.fixture
def hooks(runtime):
    recorder = ActionHooks()
    runtime.plugins.register(recorder, name="action-hooks")
    return recorder


def refund(runtime, case_id, value="40.00", currency=EUR, **options):
    wanted = ActionInput(ActionType.REFUND, amount=Money(value, currency), **options)
    return request_action(runtime, case_id, wanted)[0]


def stored(runtime, action_id):
    with runtime.database.session() as session:
        return actions.describe(actions.get(session, action_id))


def timeline(runtime, case_id):
    with runtime.database.session() as session:
        return cases.get(session, case_id).timeline


def kinds(runtime, case_id):
    return [entry.kind for entry in timeline(runtime, case_id)]


def action_count(runtime):
    with runtime.database.session() as session:
        return session.scalar(select(func.count()).select_from(ActionRow))


# -- requesting -----------------------------------------------------------------------


def test_an_action_the_case_does_not_allow_is_refused(runtime, dispute_case, api, connection_id):
    with pytest.raises(ActionNotAllowedError, match=r"allowed: accept, contest, add_note"):
        refund(runtime, dispute_case, "12.50")
    won = ingest(runtime, connection_id, api.put("d2", status="won"))
    with pytest.raises(ActionNotAllowedError, match="resolved"):
        request_action(runtime, won, ActionInput(ActionType.ACCEPT))
    assert action_count(runtime) == 0


@pytest.mark.parametrize(
    ("amount", "field_error"),
    [
        (None, "required"),
        (Money("-5.00", EUR), "must be > 0"),
        (Money("0", EUR), "must be > 0"),
        (Money("10.00", "USD"), "wrong currency"),
        (Money("40.01", EUR), "exceeds refundable"),
    ],
)
def test_refund_amounts_are_checked(runtime, return_case, amount, field_error):
    with pytest.raises(InvalidInputError) as caught:
        request_action(runtime, return_case, ActionInput(ActionType.REFUND, amount=amount))
    assert caught.value.errors == {"amount": [field_error]}
    assert action_count(runtime) == 0
    assert TimelineKind.ACTION_REQUESTED not in kinds(runtime, return_case)


def test_a_partial_refund_is_queued_and_counts_against_what_is_left(runtime, return_case):
    first = refund(runtime, return_case, "30.00")
    assert (first["status"], first["params"]["amount"]) == (
        "pending",
        {"value": "30.00", "currency": EUR},
    )
    with pytest.raises(InvalidInputError, match=r"at most 10\.00 EUR"):
        refund(runtime, return_case, "20.00")  # a second click must not refund twice
    assert refund(runtime, return_case, "10.00")["status"] == "pending"
    assert kinds(runtime, return_case).count(TimelineKind.ACTION_REQUESTED) == 2


def test_a_failed_refund_frees_its_amount_and_a_succeeded_one_keeps_it(runtime, return_case, api):
    api.script.append((400, {}, {"error": "card expired"}))
    failed = refund(runtime, return_case, "40.00")
    process_actions(runtime, now=utcnow())
    assert stored(runtime, failed["id"])["status"] == "failed"

    done = refund(runtime, return_case, "25.00")  # the failed one no longer counts
    process_actions(runtime, now=utcnow())
    assert stored(runtime, done["id"])["status"] == "succeeded"
    # the platform has not confirmed it yet (no snapshot), but 25.00 is gone all the same
    with pytest.raises(InvalidInputError, match=r"at most 15\.00 EUR"):
        refund(runtime, return_case, "40.00")


def test_add_note_is_recorded_at_once(runtime, dispute_case, api):
    action, created = request_action(
        runtime, dispute_case, ActionInput(ActionType.ADD_NOTE, message="called the buyer")
    )
    assert created
    assert action["status"] == "succeeded"
    entry = timeline(runtime, dispute_case)[-1]
    assert (entry.kind, entry.summary) == (TimelineKind.NOTE, "called the buyer")
    assert entry.data["action_id"] == action["id"]
    assert process_actions(runtime, now=utcnow() + timedelta(days=1)).handled == 0
    assert api.action_calls == []
    with pytest.raises(InvalidInputError, match="needs a message"):
        request_action(runtime, dispute_case, ActionInput(ActionType.ADD_NOTE, message="  "))


def test_before_action_can_veto(runtime, return_case, hooks):
    hooks.veto[ActionType.REFUND] = "refunds over 30 need a manager"
    with pytest.raises(ActionNotAllowedError, match="refunds over 30 need a manager"):
        refund(runtime, return_case)
    assert action_count(runtime) == 0
    approved, created = request_action(runtime, return_case, ActionInput(ActionType.APPROVE_RETURN))
    assert created
    assert approved["status"] == "pending"


def test_the_same_idempotency_key_returns_the_same_action(runtime, return_case, dispute_case):
    first = refund(runtime, return_case, "10.00", idempotency_key="key-1")
    again, created = request_action(
        runtime,
        return_case,
        ActionInput(ActionType.REFUND, amount=Money("10.00", EUR), idempotency_key="key-1"),
    )
    assert not created
    assert again["id"] == first["id"]
    assert again["idempotency_key"] == "key-1"
    assert action_count(runtime) == 1
    assert kinds(runtime, return_case).count(TimelineKind.ACTION_REQUESTED) == 1
    with pytest.raises(InvalidInputError, match="already used"):
        request_action(
            runtime, return_case, ActionInput(ActionType.APPROVE_RETURN, idempotency_key="key-1")
        )
    with pytest.raises(InvalidInputError, match="already used"):
        request_action(
            runtime, dispute_case, ActionInput(ActionType.ACCEPT, idempotency_key="key-1")
        )


def test_actions_without_a_key_get_one_each(runtime, return_case):
    first = refund(runtime, return_case, "10.00")
    second = refund(runtime, return_case, "10.00")
    assert first["idempotency_key"] != second["idempotency_key"]
    assert first["idempotency_key"].startswith("idem")


# -- running --------------------------------------------------------------------------


def test_transient_failures_retry_with_backoff_and_retry_after(runtime, return_case, api, hooks):
    api.script += [(500, {}, {"error": "boom"}), (429, {"Retry-After": "120"}, {})]
    action = refund(runtime, return_case)
    t0 = utcnow()

    first = process_actions(runtime, now=t0)
    assert (first.retrying, first.succeeded) == (1, 0)
    after_500 = stored(runtime, action["id"])
    assert (after_500["status"], after_500["attempts"]) == ("pending", 1)
    assert after_500["last_error"] == "fake API answered 500"
    t1 = t0 + timedelta(seconds=10)  # the first backoff step
    assert process_actions(runtime, now=t1 - timedelta(seconds=1)).handled == 0

    assert process_actions(runtime, now=t1).retrying == 1
    after_429 = stored(runtime, action["id"])
    assert after_429["status"] == "pending"
    # Retry-After (120 s) wins over the second backoff step (60 s)
    assert after_429["next_attempt_at"] == (t1 + timedelta(seconds=120)).isoformat().replace(
        "+00:00", "Z"
    )
    assert process_actions(runtime, now=t1 + timedelta(seconds=119)).handled == 0

    assert process_actions(runtime, now=t1 + timedelta(seconds=120)).succeeded == 1
    done = stored(runtime, action["id"])
    assert (done["status"], done["attempts"], done["external_id"]) == ("succeeded", 3, "refund-1")
    assert [call.idempotency_key for call in api.action_calls] == [action["idempotency_key"]] * 3
    assert api.action_calls[0].body == {
        "type": "refund",
        "amount": {"value": "40.00", "currency": EUR},
    }
    assert kinds(runtime, return_case).count(TimelineKind.ACTION_SUCCEEDED) == 1
    assert [(case_id, key) for case_id, key, _ in hooks.after] == [
        (return_case, action["idempotency_key"])
    ]
    assert hooks.after[0][2].refunded == Money("40.00", EUR)
    assert hooks.errors == []


def test_a_permanent_refusal_fails_with_the_platforms_message(runtime, return_case, api, hooks):
    api.script.append((400, {}, {"error": "return window closed"}))
    action = request_action(runtime, return_case, ActionInput(ActionType.APPROVE_RETURN))[0]

    report = process_actions(runtime, now=utcnow())

    assert report.failed == 1
    failed = stored(runtime, action["id"])
    assert failed["status"] == "failed"
    assert "return window closed" in failed["last_error"]
    entry = timeline(runtime, return_case)[-1]
    assert entry.kind == TimelineKind.ACTION_FAILED
    assert "return window closed" in entry.summary
    assert len(hooks.errors) == 1
    error = hooks.errors[0][2]
    assert isinstance(error, MarketplaceError)
    assert (error.transient, error.platform_status) == (False, 400)
    assert hooks.after == []
    assert process_actions(runtime, now=utcnow() + timedelta(days=1)).handled == 0  # no retry
    assert len(api.action_calls) == 1


def test_the_platforms_answer_is_merged_into_the_case(runtime, return_case, api):
    opened = {**api.put("r1", "return", status="open")}
    api.script.append((200, {}, {"id": "ret-7", "case": opened}))
    request_action(runtime, return_case, ActionInput(ActionType.APPROVE_RETURN))

    assert process_actions(runtime, now=utcnow()).succeeded == 1

    with runtime.database.session() as session:
        case = cases.get(session, return_case)
    assert case.status == "awaiting_buyer"
    assert TimelineKind.STATUS_CHANGED in [entry.kind for entry in case.timeline]


class ProcessDied(BaseException):
    """The worker process dying: not an error any code catches."""


def test_a_crash_between_the_platform_call_and_the_commit_never_refunds_twice(
    runtime, return_case, api, hooks, monkeypatch
):
    action = refund(runtime, return_case)
    t0 = utcnow()

    def die(*args, **kwargs):
        raise ProcessDied

    monkeypatch.setattr(action_runner, "record_success", die)
    with pytest.raises(ProcessDied):
        process_actions(runtime, now=t0)
    monkeypatch.undo()
    assert len(api.refunds) == 1  # the platform did refund ...
    assert stored(runtime, action["id"])["status"] == "running"  # ... we never recorded it
    assert process_actions(runtime, now=t0 + LEASE - timedelta(seconds=1)).handled == 0

    report = process_actions(runtime, now=t0 + LEASE + timedelta(seconds=1))

    assert report.succeeded == 1
    assert len(api.refunds) == 1
    assert [call.idempotency_key for call in api.action_calls] == [action["idempotency_key"]] * 2
    done = stored(runtime, action["id"])
    assert (done["status"], done["attempts"], done["external_id"]) == ("succeeded", 2, "refund-1")
    assert kinds(runtime, return_case).count(TimelineKind.ACTION_SUCCEEDED) == 1
    assert len(hooks.after) == 1


def test_an_action_under_another_workers_lease_is_not_claimed(runtime, return_case, api):
    action = refund(runtime, return_case)
    t0 = utcnow()
    with runtime.database.session() as session:  # worker A claims it (and is still at it)
        assert [row.id for row in actions.claim_due(session, t0, 10, LEASE)] == [action["id"]]

    assert process_actions(runtime, now=t0 + LEASE - timedelta(seconds=1)).handled == 0
    assert api.action_calls == []
    assert stored(runtime, action["id"])["attempts"] == 1


def test_transient_failures_beyond_max_attempts_end_failed(runtime, return_case, api, hooks):
    api.script += [(503, {}, {})] * 5
    policy = RetryPolicy(max_attempts=3, backoff_seconds=(1, 2))
    action = refund(runtime, return_case)
    now = utcnow()

    outcomes = []
    for step in (0, 1, 2):  # each attempt is due after the backoff: +1 s, then +2 s
        now += timedelta(seconds=step)
        report = process_actions(runtime, now=now, policy=policy)
        outcomes.append((report.retrying, report.failed))

    assert outcomes == [(1, 0), (1, 0), (0, 1)]
    failed = stored(runtime, action["id"])
    assert (failed["status"], failed["attempts"]) == ("failed", 3)
    assert failed["last_error"] == "fake API answered 503"
    assert kinds(runtime, return_case)[-1] == TimelineKind.ACTION_FAILED
    assert len(api.action_calls) == 3
    assert len(hooks.errors) == 1
    assert process_actions(runtime, now=now + timedelta(days=1), policy=policy).handled == 0


def test_a_worker_whose_lease_ran_out_mid_call_leaves_the_result_to_its_successor(
    runtime, return_case, api, hooks
):
    """Worker A's platform call outlives its lease; worker B claims, calls, records. When
    A's call returns, A must not record the refund a second time."""
    action = refund(runtime, return_case)
    t0 = utcnow()
    successor = []
    api.during_call.append(  # while A waits on the platform, B runs past A's lease
        lambda: successor.append(process_actions(runtime, now=t0 + LEASE + timedelta(seconds=1)))
    )

    first = process_actions(runtime, now=t0)

    assert successor[0].succeeded == 1
    assert first.handled == 1
    done = stored(runtime, action["id"])
    assert (done["status"], done["attempts"]) == ("succeeded", 2)
    assert len(api.refunds) == 1
    assert kinds(runtime, return_case).count(TimelineKind.ACTION_SUCCEEDED) == 1
    assert len(hooks.after) == 1


@pytest.mark.parametrize("late_answer", [400, 503])
def test_a_late_failure_never_overwrites_the_successors_success(
    runtime, return_case, api, hooks, late_answer
):
    action = refund(runtime, return_case)
    t0 = utcnow()
    api.during_call.append(lambda: process_actions(runtime, now=t0 + LEASE + timedelta(seconds=1)))
    # B's call (nested inside A's) is answered first; A's own answer comes after
    api.script += [(200, {}, {"id": "refund-9"}), (late_answer, {}, {"error": "late"})]

    process_actions(runtime, now=t0)

    done = stored(runtime, action["id"])
    assert (done["status"], done["external_id"], done["last_error"]) == (
        "succeeded", "refund-9", None,
    )  # fmt: skip
    assert TimelineKind.ACTION_FAILED not in kinds(runtime, return_case)
    assert hooks.errors == []
    assert len(hooks.after) == 1


def test_an_action_whose_workers_keep_dying_fails_after_its_last_attempt(
    runtime, return_case, api, hooks, monkeypatch
):
    policy = RetryPolicy(max_attempts=2, backoff_seconds=(1,))
    action = refund(runtime, return_case)
    now = utcnow()

    def die(*args, **kwargs):
        raise ProcessDied

    monkeypatch.setattr(action_runner, "record_success", die)
    for _ in range(2):  # two workers die after the platform call
        with pytest.raises(ProcessDied):
            process_actions(runtime, now=now, policy=policy)
        now += LEASE + timedelta(seconds=1)
    monkeypatch.undo()

    report = process_actions(runtime, now=now, policy=policy)

    assert report.handled == 0  # not claimed a third time
    failed = stored(runtime, action["id"])
    assert (failed["status"], failed["attempts"]) == ("failed", 2)
    assert "no worker finished this action in 2 attempts" in failed["last_error"]
    assert kinds(runtime, return_case)[-1] == TimelineKind.ACTION_FAILED
    assert len(hooks.errors) == 1
    assert len(api.refunds) == 1  # the platform's idempotency key kept it to one refund


def test_succeeded_refunds_show_on_the_case_until_the_platform_reports_its_total(
    runtime, return_case, api, connection_id
):
    def refunded():
        with runtime.database.session() as session:
            return cases.get(session, return_case).refunded

    refund(runtime, return_case, "15.00")
    process_actions(runtime, now=utcnow())
    assert refunded() == Money("15.00", EUR)
    refund(runtime, return_case, "10.00")
    process_actions(runtime, now=utcnow())
    assert refunded() == Money("25.00", EUR)
    # The platform's own report of both refunds: the total, not ours added again.
    confirmed = api.put("r1", "return", refunded="25.00", updated_at="2026-12-01T00:00:00Z")
    ingest(runtime, connection_id, confirmed)
    assert refunded() == Money("25.00", EUR)
