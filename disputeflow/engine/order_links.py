"""One order, one story: cases of one order on different connections linked, and a refund on
one shown on every other.

Linking is storage, not a decision: two cases whose orders carry the same identifier
(``Order.references``: the same kind and value) on two connections of this installation are
linked when the identifier first appears, and the reason says which identifier matched. An
agent links or unlinks by hand (:mod:`disputeflow.engine.case_links`); an unlinked pair is
never linked again by a match. Each case keeps its links in ``Case.links`` (its document) and
the pairs in ``case_links``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from disputeflow.core.case import Case, CaseLink
from disputeflow.core.clock import utcnow
from disputeflow.core.merge import MergeResult
from disputeflow.core.money import Money
from disputeflow.core.taxonomy import Actor, TimelineKind
from disputeflow.core.values import TimelineEntry
from disputeflow.engine.store import cases, links
from disputeflow.engine.store.tables import CaseRow, TimelineRow


def describe(case: Case) -> str:
    """How a timeline names another case: ``woocommerce return 1234 (case_...)``."""
    return f"{case.platform} {case.object_type} {case.external_id} ({case.id})"


def after_merge(session: Session, result: MergeResult, previous: Case | None) -> None:
    """At ingest, once the merged case is saved: index its order's identifiers and link the
    cases they match when they changed, and show a changed refund on the linked cases.

    Costs nothing for a case whose order carries no identifiers and which has no links.
    """
    case = result.case
    references = case.order.references if case.order else ()
    before = previous.order.references if previous and previous.order else ()
    if references != before:
        links.lock_references(session, references)  # PostgreSQL: two workers see each other
        links.replace_references(session, case)
        result.new_entries += link_matches(session, case)
    if case.links and case.refunded != (previous.refunded if previous else None):
        mirror_refund(session, case)


def link_matches(session: Session, case: Case) -> list[TimelineEntry]:
    """Link ``case`` to the other connections' cases its identifiers match (never to one an
    agent unlinked from it); the entries added to ``case``."""
    found = links.matching(session, case)
    known = links.known_partners(session, case.id)
    entries: list[TimelineEntry] = []
    for other_id, (kind, value) in sorted(found.items()):
        if other_id not in known:
            reason = f"{kind} {value} matches"
            entries += connect(session, case, other_id, reason=reason, by=None)[0].new_entries
    return entries


def connect(
    session: Session, case: Case, other_id: str, *, reason: str, by: str | None
) -> list[MergeResult]:
    """Link two cases both ways, with an entry on each timeline and each one's refunds shown
    on the other; saves both. What changed on each (``case`` first)."""
    now = utcnow()
    links.put_pair(session, case.id, other_id, reason=reason, by=by, at=now)
    other_row = _locked(session, other_id)
    other = cases.summary(other_row)
    mine: list[TimelineEntry] = []
    theirs: list[TimelineEntry] = []
    for one, two, added in ((case, other, mine), (other, case, theirs)):
        one.links = [x for x in one.links if x.case_id != two.id] + [
            CaseLink(two.id, reason, now, by)
        ]
        summary = f"linked to {describe(two)}: {reason}"
        data = {"case_id": two.id, "reason": reason, "by": by}
        added.append(TimelineEntry(now, _actor(by), TimelineKind.LINKED, summary, data))
        added += _refund_entries(session, one, two, now)
    _save(session, case, mine)
    _save(session, other, theirs, other_row)
    return [MergeResult(case, new_entries=mine), MergeResult(other, new_entries=theirs)]


def disconnect(
    session: Session, case: Case, other_id: str, *, reason: str, by: str
) -> list[MergeResult]:
    """Remove a link (both ways), with the reason on both timelines; saves both (only
    ``case`` when the other was erased since). What changed on each (``case`` first)."""
    now = utcnow()
    links.drop_pair(session, case.id, other_id, reason=reason, by=by, at=now)
    other_row = session.get(CaseRow, other_id, with_for_update=True)
    other = cases.summary(other_row) if other_row is not None else None
    name = describe(other) if other is not None else other_id
    changed = [_unlinked(session, case, other_id, name, reason=reason, by=by, at=now)]
    if other is not None:
        changed.append(
            _unlinked(session, other, case.id, describe(case), reason=reason, by=by, at=now)
        )
    return changed


def _unlinked(
    session: Session, case: Case, other_id: str, name: str, *, reason: str, by: str, at: datetime
) -> MergeResult:
    case.links = [x for x in case.links if x.case_id != other_id]
    data = {"case_id": other_id, "reason": reason, "by": by}
    summary = f"unlinked from {name} by {by}: {reason}"
    entry = TimelineEntry(at, Actor.MERCHANT, TimelineKind.UNLINKED, summary, data)
    _save(session, case, [entry])
    return MergeResult(case, new_entries=[entry])


def mirror_refund(session: Session, case: Case) -> None:
    """Show what ``case`` has refunded now on each case linked to it (once per figure)."""
    now = utcnow()
    for link in case.links:
        row = session.get(CaseRow, link.case_id, with_for_update=True)
        if row is None:  # erased since (its connection removed): nowhere to show it
            continue
        other = cases.summary(row)
        _save(session, other, _refund_entries(session, other, case, now), row)


def _refund_entries(
    session: Session, target: Case, source: Case, at: datetime
) -> list[TimelineEntry]:
    """A ``linked_refund`` entry on ``target`` for what ``source`` has refunded, unless the
    same figure of the same case is already shown there."""
    if source.refunded is None:
        return []
    data = {"case_id": source.id, "refunded": source.refunded.to_dict()}
    shown = session.scalars(
        select(TimelineRow.data).where(
            TimelineRow.case_id == target.id,
            TimelineRow.kind == str(TimelineKind.LINKED_REFUND),
        )
    )
    if any(item == data for item in shown):
        return []
    summary = f"{describe(source)}, linked, has refunded {source.refunded} of the order"
    return [TimelineEntry(at, Actor.SYSTEM, TimelineKind.LINKED_REFUND, summary, data)]


def refund_changed(session: Session, case: Case, before: Money | None) -> None:
    """For the paths that raise ``refunded`` outside a merge (order refunds, our refunds)."""
    if case.links and case.refunded != before:
        mirror_refund(session, case)


def linked_cases(session: Session, case: Case) -> list[Case]:
    """The cases linked to ``case`` as stored now (summaries, without their timelines)."""
    ids = [link.case_id for link in case.links]
    rows = session.scalars(select(CaseRow).where(CaseRow.id.in_(ids))) if ids else ()
    return [cases.summary(row) for row in rows]


def _locked(session: Session, case_id: str) -> CaseRow:
    row = session.get(CaseRow, case_id, with_for_update=True)
    assert row is not None  # links cascade with their cases
    return row


def _actor(by: str | None) -> Actor:
    return Actor.SYSTEM if by is None else Actor.MERCHANT


def _save(
    session: Session, case: Case, entries: Iterable[TimelineEntry], row: CaseRow | None = None
) -> None:
    """Save a case's links and new entries, its ``updated_at`` moved with them."""
    entries = list(entries)
    if entries:
        case.updated_at = max(case.updated_at, *(e.at for e in entries))
        case.timeline = sorted([*case.timeline, *entries], key=TimelineEntry.sort_key)
    row = row or session.get(CaseRow, case.id)
    assert row is not None
    cases.save_case(session, case, row)
    cases.add_entries(session, case.id, entries)
