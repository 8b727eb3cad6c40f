"""Running stored actions against the platform: claim with a lease, call, record.

Transient failures (timeouts, 429, 5xx) go back to pending after a backoff that honours
``Retry-After``; permanent ones fail with the platform's message. Results are recorded on
the case's timeline, and a snapshot in the platform's answer is merged like any other.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from disputeflow.core.actions import ActionResult
from disputeflow.core.clock import utcnow
from disputeflow.core.errors import MarketplaceError, ReauthorizationRequired
from disputeflow.core.merge import MergeResult
from disputeflow.core.money import Money
from disputeflow.core.taxonomy import ActionType, Actor, ConnectionState, TimelineKind
from disputeflow.core.values import TimelineEntry
from disputeflow.engine import order_links
from disputeflow.engine.ingest import merge_into_store, notify
from disputeflow.engine.outbox import append_entry, request_from_row
from disputeflow.engine.processing import DEFAULT_POLICY, RetryPolicy
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import actions, cases
from disputeflow.engine.store.tables import ActionRow, CaseRow, ConnectionRow

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)


@dataclass
class ActionsReport:
    succeeded: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.succeeded + self.retrying + self.failed


def process_actions(
    runtime: Runtime,
    *,
    limit: int = 10,
    now: datetime | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> ActionsReport:
    """Claim due actions (a short transaction), run each, record each result."""
    now = now or utcnow()
    with runtime.database.session() as session:
        abandoned = actions.abandoned(session, now, policy.max_attempts)
    for action_id, attempt in abandoned:  # workers died on it again and again: stop, visibly
        error = MarketplaceError(f"no worker finished this action in {attempt} attempts")
        _fail(runtime, action_id, error, now, attempt)
    with runtime.database.session() as session:
        claimed = [row.id for row in actions.claim_due(session, now, limit, LEASE)]
    report = ActionsReport()
    for action_id in claimed:
        outcome = _run_one(runtime, action_id, now, policy)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def _run_one(runtime: Runtime, action_id: str, now: datetime, policy: RetryPolicy) -> str:
    with runtime.database.session() as session:
        row = actions.get(session, action_id)
        case = cases.get(session, row.case_id)
        connection_row = session.get(ConnectionRow, case.connection_id)
        assert connection_row is not None  # cases cascade with their connection
        connection = runtime.connection(connection_row)
        request = request_from_row(row)
    attempt = row.attempts
    try:
        marketplace = runtime.plugins.marketplace(case.platform)
        result = marketplace.perform_action(connection, case, request)
    except ReauthorizationRequired as error:
        _hold_for_reauth(runtime, action_id, error, now, attempt, connection.id)
        return "retrying"
    except MarketplaceError as error:
        if error.transient and attempt < policy.max_attempts:
            _retry_later(runtime, action_id, error, now, attempt, policy)
            return "retrying"
        _fail(runtime, action_id, error, now, attempt)
        return "failed"
    except Exception as error:  # a plugin bug: fail visibly, never retry blindly
        log.exception("action %s crashed in the %s plugin", action_id, case.platform)
        _fail(runtime, action_id, error, now, attempt)
        return "failed"
    record_success(runtime, action_id, result, now, attempt=attempt)
    return "succeeded"


def _retry_later(
    runtime: Runtime,
    action_id: str,
    error: MarketplaceError,
    now: datetime,
    attempts: int,
    policy: RetryPolicy,
) -> None:
    backoff = policy.backoff_seconds[min(attempts - 1, len(policy.backoff_seconds) - 1)]
    delay = max(backoff, error.retry_after or 0)
    with runtime.database.session() as session:
        row = actions.get(session, action_id)
        if not _still_ours(row, attempts):
            return
        row.status = actions.PENDING
        row.next_attempt_at = now + timedelta(seconds=delay)
        row.lease_until = None
        row.last_error = error.message
        row.updated_at = now
    log.info("action %s will retry in %ss: %s", action_id, delay, error.message)


def _hold_for_reauth(
    runtime: Runtime,
    action_id: str,
    error: ReauthorizationRequired,
    now: datetime,
    attempts: int,
    connection_id: str,
) -> None:
    """The platform refused the connection's credentials: mark the connection and put the
    action back, its attempt not counted, to run once the merchant has authorised again
    (claims skip the actions of connections that are not active)."""
    runtime.set_connection_state(connection_id, ConnectionState.NEEDS_REAUTH, error.message)
    with runtime.database.session() as session:
        row = actions.get(session, action_id)
        if not _still_ours(row, attempts):
            return
        row.status = actions.PENDING
        row.attempts = max(0, attempts - 1)
        row.next_attempt_at = now
        row.lease_until = None
        row.last_error = error.message
        row.updated_at = now
    log.warning("action %s waits for connection %s: %s", action_id, connection_id, error)


def _fail(runtime: Runtime, action_id: str, error: Exception, now: datetime, attempt: int) -> None:
    message = (
        error.message if isinstance(error, MarketplaceError) else f"{type(error).__name__}: {error}"
    )
    with runtime.database.session() as session:
        row = actions.get(session, action_id)
        if not _still_ours(row, attempt):
            return
        row.status = actions.FAILED
        row.lease_until = None
        row.next_attempt_at = None
        row.last_error = message
        row.updated_at = now
        entry = TimelineEntry(
            now, Actor.SYSTEM, TimelineKind.ACTION_FAILED, f"{row.type} failed: {message}",
            {"action_id": action_id},
        )  # fmt: skip
        append_entry(session, row.case_id, entry)
        case = cases.get(session, row.case_id)
        request = request_from_row(row)
    _call_hook(runtime, "disputeflow_on_action_error", case=case, action=request, error=error)


def record_success(
    runtime: Runtime,
    action_id: str,
    result: ActionResult,
    now: datetime,
    *,
    attempt: int | None = None,
) -> None:
    """Commit what the platform answered; merge its snapshot; then run the hooks.

    With ``attempt``, nothing is recorded if another worker has taken the action over
    since (this worker's lease ran out during the platform call): that worker records it.
    """
    merged: list[MergeResult] = []
    with runtime.database.session() as session:
        row = actions.get(session, action_id)
        if attempt is not None and not _still_ours(row, attempt):
            return
        row.status = actions.SUCCEEDED
        row.lease_until = None
        row.next_attempt_at = None
        row.last_error = None
        row.external_id = result.external_id
        row.result = _result_dict(result)
        row.updated_at = now
        summary = f"{row.type} done" + (f" ({result.external_id})" if result.external_id else "")
        entry = TimelineEntry(
            now, Actor.MERCHANT, TimelineKind.ACTION_SUCCEEDED, summary,
            {"action_id": action_id, **row.result},
        )  # fmt: skip
        append_entry(session, row.case_id, entry)
        if result.snapshot is not None:
            connection_id = cases.get(session, row.case_id).connection_id
            plugins, rules = runtime.plugins, runtime.rules
            found = merge_into_store(session, plugins, connection_id, result.snapshot, rules=rules)
            merged += [found] if found is not None else []
        if row.type == ActionType.REFUND:
            _reflect_refunds(session, row.case_id)
        case = cases.get(session, row.case_id)
        request = request_from_row(row)
    notify(runtime.plugins, merged, cause="action")
    _call_hook(runtime, "disputeflow_after_action", case=case, action=request, result=result)


def _reflect_refunds(session: Session, case_id: str) -> None:
    """Show our confirmed refunds in ``case.refunded`` until the platform reports its own
    total: at least what our succeeded refunds add up to, never counted twice."""
    case = cases.get(session, case_id)
    ours = [
        Money.from_dict(stored.result.get("refunded") or stored.params["amount"])
        for stored in actions.list_for_case(session, case_id)
        if stored.type == ActionType.REFUND and stored.status == actions.SUCCEEDED and stored.result
    ]
    currency = case.amount.currency if case.amount else None
    same = [money for money in ours if money.currency == (currency or money.currency)]
    if not same:
        return
    total = sum(same[1:], same[0])
    if case.refunded is None or (
        case.refunded.currency == total.currency and case.refunded < total
    ):
        before, case.refunded = case.refunded, total
        row = session.get(CaseRow, case_id)
        assert row is not None
        cases.save_case(session, case, row)
        order_links.refund_changed(session, case, before)  # shown on the linked cases


def _still_ours(row: ActionRow, attempt: int) -> bool:
    """Whether the worker that made ``attempt`` still holds the action: its lease may have
    run out during a slow platform call, and another worker claimed the action again."""
    if row.status == actions.RUNNING and row.attempts == attempt:
        return True
    log.warning(
        "action %s: attempt %s finished after another worker took over (now %s, attempt %s); "
        "its result is left to that worker",
        row.id, attempt, row.status, row.attempts,
    )  # fmt: skip
    return False


def _result_dict(result: ActionResult) -> dict[str, Any]:
    return {
        "external_id": result.external_id,
        "message": result.message,
        "refunded": result.refunded.to_dict() if result.refunded else None,
        "data": result.data,
    }


def _call_hook(runtime: Runtime, name: str, **kwargs: Any) -> None:
    try:
        getattr(runtime.plugins.hook, name)(**kwargs)
    except Exception:  # a hook's failure never undoes a recorded result
        log.exception("%s failed", name)
