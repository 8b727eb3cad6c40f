"""Bringing a snapshot into the store: lock, merge, triage (a hook), commit, then notify.

Webhook processing and polling both end here, so the two feeds together never duplicate a
case or a timeline entry.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from disputeflow.core.case import Case
from disputeflow.core.clock import utcnow
from disputeflow.core.events import CaseChange
from disputeflow.core.merge import MergeResult, merge_snapshot
from disputeflow.core.plugins import PluginManager
from disputeflow.core.snapshot import CaseSnapshot
from disputeflow.core.values import TimelineEntry
from disputeflow.engine import order_links, order_refunds
from disputeflow.engine.ids import new_id
from disputeflow.engine.store import cases
from disputeflow.engine.store.db import Database

log = logging.getLogger(__name__)


def ingest_snapshot(
    database: Database,
    plugins: PluginManager,
    connection_id: str,
    snapshot: CaseSnapshot,
    *,
    rules: object = None,
) -> MergeResult | None:
    """Merge one snapshot into its case and commit; call ``disputeflow_case_changed`` after.

    ``None``: an update-only snapshot found no case to update, and was dropped.
    ``rules`` are the merchant's (``Runtime.rules``), handed to the triage hook.
    Safe to call concurrently for one case: the case row is locked (PostgreSQL) or the
    transaction is immediate (SQLite); two creators racing retry once and merge.
    """
    try:
        with database.session() as session:
            result = merge_into_store(session, plugins, connection_id, snapshot, rules=rules)
    except IntegrityError:  # another process created the case first: merge into it
        with database.session() as session:
            result = merge_into_store(session, plugins, connection_id, snapshot, rules=rules)
    notify(plugins, [result] if result is not None else [])
    return result


def merge_into_store(
    session: Session,
    plugins: PluginManager,
    connection_id: str,
    snapshot: CaseSnapshot,
    *,
    rules: object = None,
) -> MergeResult | None:
    """Lock, merge, triage (``disputeflow_triage_case``: the built-in handling classifies,
    evaluates the policy, sets deadlines, prioritises and routes) and save, inside the
    caller's transaction.

    An update-only snapshot (:attr:`CaseSnapshot.update_only`) with no case to update is
    dropped: nothing is written and ``None`` is returned for the caller to count.
    The caller commits, then calls :func:`notify` with the results.
    """
    row = cases.find_row(
        session, connection_id, snapshot.object_type, snapshot.external_id, lock=True
    )
    if row is None and snapshot.update_only:
        log.info(
            "update-only %s %s of connection %s: no case to update, dropped",
            snapshot.object_type, snapshot.external_id, connection_id,
        )  # fmt: skip
        return None
    case = cases.load(session, row) if row else None
    history: list[CaseSnapshot] = []
    # newer than every snapshot merged: none can be this one (equal fingerprints, equal keys)
    if row is not None and snapshot.order_key <= cases.newest_key(row):
        earlier = cases.history_unless_merged(session, row.id, snapshot.fingerprint)
        if earlier is None:
            return MergeResult(case or cases.load(session, row), duplicate=True)
        history = earlier  # late: the whole history refolds
    result = merge_snapshot(
        case,
        snapshot,
        history,
        case_id=row.id if row else new_id("case"),
        connection_id=connection_id,
    )
    if result.duplicate:
        return result
    result.new_entries += _order_refunds(session, result.case)
    result.new_entries += _triage(session, plugins, rules, result.case, snapshot)
    cases.save_merge(session, result, snapshot, row, previous=case)
    order_links.after_merge(session, result, case)  # one order's cases on other channels
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


def _triage(
    session: Session, plugins: PluginManager, rules: object, case: Case, snapshot: CaseSnapshot
) -> list[TimelineEntry]:
    """Every plugin's triage of the merged case; the timeline entries they added."""
    found = plugins.hook.disputeflow_triage_case(
        session=session,
        plugins=plugins,
        rules=rules,
        case=case,
        snapshot=snapshot,
        at=snapshot.observed_at,
        now=utcnow(),
    )
    return [entry for entries in found for entry in entries or ()]
