"""Sending queued notices: claim with a lease, deliver outside any transaction, record.

The same pattern as the action outbox (:mod:`disputeflow.engine.action_runner`). Each channel
a notice goes through (the marketplace's own channel to the buyer, e-mail, the merchant's
webhook, a plugin's notifier) is recorded in the notice's ``channels`` as soon as it is
done, so a retry sends only to the channels still owed, with the same idempotency key.
Transient failures retry with backoff; every delivery, failure and skip is on the audit trail.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select

from disputeflow.core.clock import utcnow
from disputeflow.core.errors import MarketplaceError, UnsupportedError
from disputeflow.engine.notices import Audience, Notice, NoticeResult, Notifier
from disputeflow.engine.processing import DEFAULT_POLICY, RetryPolicy
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import audit
from disputeflow.engine.store.tables import CaseRow, NoticeRow
from disputeflow.features.notices import registry
from disputeflow.features.notices.prepare import prepare

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MARKETPLACE = "marketplace"
PENDING, RUNNING, SENT, FAILED, SKIPPED = "pending", "running", "sent", "failed", "skipped"


@dataclass
class NoticesReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed + self.skipped


def claim_due(runtime: Runtime, now: datetime, limit: int) -> list[str]:
    """Take due notices (and those whose worker died: lease over) for this worker."""
    with runtime.database.session() as session:
        query = (
            select(NoticeRow)
            .where(
                or_(
                    and_(NoticeRow.status == PENDING, NoticeRow.next_attempt_at <= now),
                    and_(NoticeRow.status == RUNNING, NoticeRow.lease_until < now),
                )
            )
            .order_by(NoticeRow.next_attempt_at, NoticeRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = list(session.scalars(query))
        for row in rows:
            row.status, row.attempts = RUNNING, row.attempts + 1
            row.lease_until, row.updated_at = now + LEASE, now
        return [row.id for row in rows]


def process_notices(
    runtime: Runtime,
    *,
    limit: int = 20,
    now: datetime | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> NoticesReport:
    """Send every due notice to every channel it is owed to."""
    now = now or utcnow()
    report = NoticesReport()
    notifiers = registry.notifiers(runtime)
    claimed = claim_due(runtime, now, limit)
    unreachable = _unreachable(runtime, notifiers, claimed)
    report.skipped += _skip(runtime, unreachable, now)
    for notice_id in (n for n in claimed if n not in unreachable):
        try:
            outcome = _send_one(runtime, notifiers, notice_id, now, policy)
        except Exception as error:  # a bug must not stop the other notices
            log.exception("notice %s crashed", notice_id)
            outcome = _finish(runtime, notice_id, now, policy, [], f"{type(error).__name__}")
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def _unreachable(
    runtime: Runtime, notifiers: dict[str, Notifier], notice_ids: list[str]
) -> set[str]:
    """The notices no channel could carry (nobody serves their audience, and for a buyer
    the marketplace has no channel of its own): skipped without rendering them."""
    if not notice_ids:
        return set()
    served = {audience for n in notifiers.values() for audience in n.audiences}
    markets = runtime.plugins.marketplaces()
    channels = {name for name, m in markets.items() if m.capabilities.buyer_messages}
    with runtime.database.session(readonly=True) as session:
        found = session.execute(
            select(NoticeRow.id, NoticeRow.audience, CaseRow.platform)
            .join(CaseRow, CaseRow.id == NoticeRow.case_id)
            .where(NoticeRow.id.in_(notice_ids))
        ).all()
    return {
        notice_id
        for notice_id, audience, platform in found
        if audience not in served and not (audience == Audience.BUYER and platform in channels)
    }


def _skip(runtime: Runtime, notice_ids: set[str], now: datetime) -> int:
    """Mark notices nobody can be told by as skipped, on the audit trail, in one go."""
    with runtime.database.session() as session:
        for notice_id in sorted(notice_ids):
            row = session.get(NoticeRow, notice_id)
            assert row is not None
            row.status, row.lease_until, row.next_attempt_at = SKIPPED, None, None
            row.updated_at, row.last_error = now, "no channel serves this audience"
            details = {"notice_id": row.id, "step": row.step, "audience": row.audience,
                       "channel": None, "status": SKIPPED}  # fmt: skip
            audit.record(session, audit.NOTICE, row.step, case_id=row.case_id,
                         actor="disputeflow", details=details)  # fmt: skip
    return len(notice_ids)


def _targets(
    runtime: Runtime, notice: Notice, notifiers: dict[str, Notifier]
) -> list[tuple[str, Any]]:
    """The channels a notice goes through, in order: for a buyer, the marketplace's own
    channel where it has one (then e-mail and the others are not used)."""
    found: list[tuple[str, Any]] = []
    if notice.audience is Audience.BUYER:
        found.append((MARKETPLACE, lambda n: _via_marketplace(runtime, n)))
    found += [(name, n.send) for name, n in notifiers.items() if notice.audience in n.audiences]
    return found


def _via_marketplace(runtime: Runtime, notice: Notice) -> NoticeResult | None:
    marketplace = runtime.plugins.marketplaces().get(notice.case.platform)
    if marketplace is None or not marketplace.capabilities.buyer_messages:
        raise UnsupportedError("no marketplace channel")
    connection = registry.connection_of(runtime, notice.case.connection_id)
    body = f"{notice.subject}\n\n{notice.text}"
    external_id = marketplace.send_buyer_message(
        connection, notice.case, body, notice.idempotency_key
    )
    return NoticeResult(recipient=f"{notice.case.platform}:buyer", external_id=external_id)


def _send_one(
    runtime: Runtime,
    notifiers: dict[str, Notifier],
    notice_id: str,
    now: datetime,
    policy: RetryPolicy,
) -> str:
    notice, done, skip = prepare(runtime, notice_id, now)
    if notice is None:
        _record(runtime, notice_id, "-", {"status": SKIPPED, "reason": skip}, now)
        return _finish(runtime, notice_id, now, policy, [], None, skipped=True)
    transient: list[str] = []
    for name, send in _targets(runtime, notice, notifiers):
        if done.get(MARKETPLACE, {}).get("status") == SENT:
            break  # the marketplace reached the buyer on an earlier attempt
        if name in done:
            continue
        try:
            result = send(notice)
        except UnsupportedError:
            if name == MARKETPLACE:
                continue  # no channel of its own for this case: e-mail and the others
            result = None
        except MarketplaceError as error:
            if error.transient:
                transient.append(f"{name}: {error.message}")
                continue
            _record(runtime, notice_id, name, {"status": FAILED, "error": error.message}, now)
            continue
        status = SENT if result is not None else SKIPPED
        _record(runtime, notice_id, name, _channel(status, result), now)
        if name == MARKETPLACE and result is not None:
            break  # the marketplace reached the buyer: that is their notice
    return _finish(runtime, notice_id, now, policy, transient, None)


def _channel(status: str, result: NoticeResult | None) -> dict[str, Any]:
    if result is None:
        return {"status": status}
    return {"status": status, "recipient": result.recipient, "external_id": result.external_id}


def _record(
    runtime: Runtime, notice_id: str, name: str, outcome: dict[str, Any], now: datetime
) -> None:
    """Keep one channel's outcome (so a retry skips it) and put it on the audit trail."""
    with runtime.database.session() as session:
        row = session.get(NoticeRow, notice_id)
        assert row is not None
        if name != "-":
            row.channels = {**row.channels, name: outcome}
        row.updated_at = now
        recipient = str(outcome.get("recipient") or "")
        details = {
            "notice_id": row.id,
            "step": row.step,
            "audience": row.audience,
            "channel": name,
            "status": outcome["status"],
            "recipient_sha256": hashlib.sha256(recipient.encode()).hexdigest()
            if recipient
            else None,
        }
        audit.record(session, audit.NOTICE, row.step, case_id=row.case_id, actor="disputeflow",
                     details=details)  # fmt: skip


def _finish(
    runtime: Runtime,
    notice_id: str,
    now: datetime,
    policy: RetryPolicy,
    transient: list[str],
    error: str | None,
    *,
    skipped: bool = False,
) -> str:
    with runtime.database.session() as session:
        row = session.get(NoticeRow, notice_id)
        assert row is not None
        row.lease_until, row.updated_at = None, now
        failed = any(c.get("status") == FAILED for c in row.channels.values())
        if (transient or error) and row.attempts < policy.max_attempts:
            backoff = policy.backoff_seconds[min(row.attempts - 1, len(policy.backoff_seconds) - 1)]
            row.status, row.next_attempt_at = PENDING, now + timedelta(seconds=backoff)
            row.last_error = "; ".join(transient) or error
            return "retrying"
        row.next_attempt_at = None
        if transient or error or failed:
            row.status, row.last_error = FAILED, "; ".join(transient) or error or row.last_error
            return "failed"
        reached = any(c.get("status") == SENT for c in row.channels.values())
        row.status = SENT if reached and not skipped else SKIPPED  # skipped: nobody to tell
        return "sent" if row.status == SENT else "skipped"
