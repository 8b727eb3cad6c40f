"""Bringing a snapshot into the store: lock, merge, classify, route, commit, then notify.

Webhook processing and polling both end here, so the two feeds together never duplicate a
case or a timeline entry.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from disputeflow.core import order_refunds
from disputeflow.core.case import Case
from disputeflow.core.events import CaseChange, Classification
from disputeflow.core.ids import new_id
from disputeflow.core.merge import MergeResult, merge_snapshot
from disputeflow.core.plugins import PluginManager
from disputeflow.core.snapshot import CaseSnapshot
from disputeflow.core.store import cases
from disputeflow.core.store.db import Database
from disputeflow.core.taxonomy import Actor, Category, TimelineKind
from disputeflow.core.values import TimelineEntry

log = logging.getLogger(__name__)


def ingest_snapshot(
    database: Database, plugins: PluginManager, connection_id: str, snapshot: CaseSnapshot
) -> MergeResult:
    """Merge one snapshot into its case and commit; call ``disputeflow_case_changed`` after.

    Safe to call concurrently for one case: the case row is locked (PostgreSQL) or the
    transaction is immediate (SQLite); two creators racing retry once and merge.
    """
    try:
        with database.session() as session:
            result = merge_into_store(session, plugins, connection_id, snapshot)
    except IntegrityError:  # another process created the case first: merge into it
        with database.session() as session:
            result = merge_into_store(session, plugins, connection_id, snapshot)
    notify(plugins, [result])
    return result


def merge_into_store(
    session: Session, plugins: PluginManager, connection_id: str, snapshot: CaseSnapshot
) -> MergeResult:
    """Lock, merge, classify, route and save, inside the caller's transaction.

    The caller commits, then calls :func:`notify` with the results.
    """
    row = cases.find_row(
        session, connection_id, snapshot.object_type, snapshot.external_id, lock=True
    )
    case = cases.load(session, row) if row else None
    history: list[CaseSnapshot] = []
    if row is not None:
        if cases.has_snapshot(session, row.id, snapshot.fingerprint):
            return MergeResult(case or cases.load(session, row), duplicate=True)
        if snapshot.order_key <= cases.newest_key(row):  # late: the whole history refolds
            history = cases.history(session, row.id)
    result = merge_snapshot(
        case,
        snapshot,
        history,
        case_id=row.id if row else new_id("case"),
        connection_id=connection_id,
    )
    if result.duplicate:
        return result
    result.new_entries += _triage(plugins, result.case, snapshot)
    result.new_entries += _order_refunds(session, result.case)
    cases.save_merge(session, result, snapshot, row, previous=case)
    return result


def notify(plugins: PluginManager, results: list[MergeResult], cause: str = "snapshot") -> None:
    """Call ``disputeflow_case_changed`` for each committed change; failures are logged."""
    for result in results:
        if not result.changed:
            continue
        change = CaseChange(result.case, result.created, tuple(result.new_entries), cause)
        try:
            plugins.hook.disputeflow_case_changed(change=change)
        except Exception:  # a notifier's failure never undoes a committed change
            log.exception("disputeflow_case_changed failed for case %s", result.case.id)


def _order_refunds(session: Session, case: Case) -> list[TimelineEntry]:
    """Refunds recorded on the case's order (before or after the case arrived) show on it."""
    if case.order is None or case.order.external_id is None:
        return []
    refunds = order_refunds.for_order(session, case.connection_id, case.order.external_id)
    entries = order_refunds.apply_to_case(case, refunds)
    if entries:
        case.timeline = sorted([*case.timeline, *entries], key=TimelineEntry.sort_key)
        case.updated_at = max(case.updated_at, *(e.at for e in entries))
    return entries


def _triage(plugins: PluginManager, case: Case, snapshot: CaseSnapshot) -> list[TimelineEntry]:
    """Classify a generic case through the ``classify`` hook, then route it to a queue."""
    entries: list[TimelineEntry] = []
    if case.category is Category.OTHER:
        decided: Classification | None = plugins.hook.disputeflow_classify_case(
            case=case, snapshot=snapshot
        )
        if decided is not None and decided.category is not Category.OTHER:
            record = {
                "category": str(decided.category),
                "confidence": decided.confidence,
                "rule": decided.rule,
            }
            case.category = decided.category
            if case.extra.get("classification") != record:
                case.extra["classification"] = record
                entry = TimelineEntry(
                    snapshot.observed_at,
                    Actor.SYSTEM,
                    TimelineKind.CATEGORY_CHANGED,
                    f"classified as {decided.category} by {decided.rule}",
                    record,
                )
                case.timeline = sorted([*case.timeline, entry], key=TimelineEntry.sort_key)
                entries.append(entry)
    case.queue = plugins.hook.disputeflow_route_case(case=case)
    return entries
