"""Merging platform snapshots into cases: idempotent, ordered by the platform's clock.

A case's platform state is a fold of its snapshots in :attr:`CaseSnapshot.order_key`
order: each field takes the newest value any snapshot states, evidence and messages
accumulate by id, and every real change becomes a timeline entry. When a snapshot arrives
late (older than the newest one applied), the derived part of the timeline is recomputed
from the sorted history, so any arrival order, with any duplicates, ends in the same case.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from disputeflow.core.case import Case
from disputeflow.core.errors import SnapshotError
from disputeflow.core.flow import transition_kind
from disputeflow.core.snapshot import CaseSnapshot
from disputeflow.core.taxonomy import Actor, CaseStatus, Category, TimelineKind
from disputeflow.core.values import Deadline, TimelineEntry

# Scalar fields a snapshot sets when it states them (``None`` keeps the case's value).
_SCALARS = (
    "kind",
    "stage",
    "category",
    "platform_reason",
    "network_reason_code",
    "platform_status",
    "amount",
    "order",
    "buyer",
    "opened_at",
)


@dataclass
class MergeResult:
    """What merging one snapshot did; ``new_entries`` are the timeline entries it added."""

    case: Case
    created: bool = False
    duplicate: bool = False
    late: bool = False  # older than the newest snapshot already applied
    new_entries: list[TimelineEntry] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether anything a person would see changed."""
        return self.created or bool(self.new_entries)


def merge_snapshot(
    case: Case | None,
    snapshot: CaseSnapshot,
    history: Sequence[CaseSnapshot],
    *,
    case_id: str,
    connection_id: str,
) -> MergeResult:
    """Merge ``snapshot`` into ``case`` (``None`` creates it), given the snapshots applied so far.

    Pure: ``case`` is not modified. ``case_id`` names a new case; ``history`` must hold
    every snapshot previously merged into ``case``.
    """
    if case is None:
        fresh, entries = _open(snapshot, case_id=case_id, connection_id=connection_id)
        fresh.timeline = sorted(entries, key=TimelineEntry.sort_key)
        fresh.updated_at = fresh.timeline[-1].at
        return MergeResult(fresh, created=True, new_entries=fresh.timeline)
    _check_same_object(case, snapshot)
    if any(s.fingerprint == snapshot.fingerprint for s in history):
        return MergeResult(case, duplicate=True)
    newest = max((s.order_key for s in history), default=None)
    if newest is None or snapshot.order_key > newest:
        merged = _copy(case)
        entries = _apply(merged, snapshot)
        merged.timeline = sorted([*case.timeline, *entries], key=TimelineEntry.sort_key)
        _touch(merged)
        return MergeResult(merged, new_entries=entries)
    return _refold(case, [*history, snapshot])


def fold(snapshots: Iterable[CaseSnapshot], *, case_id: str, connection_id: str) -> Case:
    """The case that the given snapshots make, in any order and with any duplicates."""
    case: Case | None = None
    history: list[CaseSnapshot] = []
    for snapshot in snapshots:
        case = merge_snapshot(
            case, snapshot, history, case_id=case_id, connection_id=connection_id
        ).case
        history.append(snapshot)
    if case is None:
        raise SnapshotError("cannot fold an empty list of snapshots")
    return case


def _check_same_object(case: Case, snapshot: CaseSnapshot) -> None:
    ours = (case.platform, case.object_type, case.external_id)
    theirs = (snapshot.platform, snapshot.object_type, snapshot.external_id)
    if ours != theirs:
        raise SnapshotError(f"snapshot for {theirs} cannot merge into case of {ours}")


def _copy(case: Case) -> Case:
    return replace(
        case,
        deadlines=list(case.deadlines),
        evidence=list(case.evidence),
        messages=list(case.messages),
        timeline=list(case.timeline),
        allowed_actions=list(case.allowed_actions),
        extra=dict(case.extra),
        links=list(case.links),
    )


def _touch(case: Case) -> None:
    case.updated_at = max(entry.at for entry in case.timeline)


def _open(
    snapshot: CaseSnapshot, *, case_id: str, connection_id: str
) -> tuple[Case, list[TimelineEntry]]:
    """A new case from its first snapshot, with the entries that opening it records."""
    opened_at = snapshot.opened_at or snapshot.observed_at
    case = Case(
        id=case_id,
        connection_id=connection_id,
        platform=snapshot.platform,
        object_type=snapshot.object_type,
        external_id=snapshot.external_id,
        kind=snapshot.kind,
        # A platform status we cannot map yet: the merchant looks, rather than nobody.
        status=CaseStatus.NEEDS_RESPONSE,
        category=snapshot.category or Category.OTHER,
        opened_at=opened_at,
        updated_at=opened_at,
    )
    entries = _apply(case, snapshot, opening=True)
    opening = TimelineEntry(
        at=opened_at,
        actor=Actor.PLATFORM,
        kind=TimelineKind.OPENED,
        summary=f"{case.kind} opened on {snapshot.platform} ({case.status})",
        data={
            "external_id": snapshot.external_id,
            "object_type": snapshot.object_type,
            "status": str(case.status),
            "category": str(case.category),
        },
        derived=True,
    )
    return case, [opening, *entries]


def _entry(snapshot: CaseSnapshot, kind: TimelineKind, summary: str, **data: Any) -> TimelineEntry:
    return TimelineEntry(snapshot.observed_at, Actor.PLATFORM, kind, summary, data, derived=True)


def _apply(case: Case, snapshot: CaseSnapshot, *, opening: bool = False) -> list[TimelineEntry]:
    """One fold step: set what ``snapshot`` states on ``case`` and return what changed."""
    entries: list[TimelineEntry] = []
    before = {name: getattr(case, name) for name in (*_SCALARS, "status", "outcome", "refunded")}
    for name in _SCALARS:
        value = getattr(snapshot, name)
        if value is not None:
            setattr(case, name, value)
    _apply_status(case, snapshot)
    if snapshot.refunded is not None:
        case.refunded = snapshot.refunded
    case.extra.update(snapshot.extra)
    if not opening:
        entries += _field_entries(snapshot, before, case)
    entries += _status_entries(snapshot, before, case, opening=opening)
    if case.refunded != before["refunded"] and case.refunded is not None:
        entries.append(
            _entry(
                snapshot,
                TimelineKind.REFUNDED,
                f"refunded {case.refunded}",
                refunded=case.refunded.to_dict(),
            )
        )
    entries += _apply_deadlines(case, snapshot)
    entries += _apply_items(case, snapshot)
    return entries


def _status_entries(
    snapshot: CaseSnapshot, before: dict[str, Any], case: Case, *, opening: bool
) -> list[TimelineEntry]:
    """A status move (or a changed outcome: a ruling reversed while the case stays resolved)."""
    moved = case.status != before["status"] or case.outcome != before["outcome"]
    if not ((moved and not opening) or (opening and case.status is CaseStatus.RESOLVED)):
        return []
    old = before["status"]
    summary = f"status {old} -> {case.status}"
    if case.outcome is not None:
        summary += f" ({case.outcome})"
    return [
        _entry(
            snapshot,
            transition_kind(old, case.status),
            summary,
            old=str(old),
            new=str(case.status),
            outcome=str(case.outcome) if case.outcome else None,
            platform_status=case.platform_status,
        )
    ]


def _apply_status(case: Case, snapshot: CaseSnapshot) -> None:
    if snapshot.status is not None:
        if snapshot.status is not CaseStatus.RESOLVED:
            case.outcome = None
        elif snapshot.outcome is not None or case.status is not CaseStatus.RESOLVED:
            case.outcome = snapshot.outcome  # a resolved snapshot silent on it keeps the outcome
        case.status = snapshot.status
    elif snapshot.outcome is not None and case.status is CaseStatus.RESOLVED:
        case.outcome = snapshot.outcome


# Fields whose change is a timeline entry of its own, in the order entries are made.
_TRACKED = (
    ("amount", TimelineKind.AMOUNT_CHANGED),
    ("stage", TimelineKind.STAGE_CHANGED),
    ("category", TimelineKind.CATEGORY_CHANGED),
    ("kind", TimelineKind.KIND_CHANGED),
)


def _field_entries(
    snapshot: CaseSnapshot, before: dict[str, Any], case: Case
) -> list[TimelineEntry]:
    entries = []
    for name, kind in _TRACKED:
        old, new = before[name], getattr(case, name)
        if new is None or new == old:
            continue
        summary = f"{name} {old} -> {new}"
        entries.append(_entry(snapshot, kind, summary, old=_json(old), new=_json(new)))
    return entries


def _json(value: Any) -> Any:
    if value is None:
        return None
    return value.to_dict() if hasattr(value, "to_dict") else str(value)


def _apply_deadlines(case: Case, snapshot: CaseSnapshot) -> list[TimelineEntry]:
    if snapshot.deadlines is None:
        return []
    # the platform's deadlines follow the snapshot; those disputeflow computed stay
    old = {d for d in case.deadlines if not d.computed}
    new = set(snapshot.deadlines)
    computed = [d for d in case.deadlines if d.computed]
    case.deadlines = sorted([*new, *computed], key=Deadline.sort_key)
    entries = [
        _entry(
            snapshot,
            TimelineKind.DEADLINE_SET,
            f"{d.party} must act by {d.due_at:%Y-%m-%d %H:%M} UTC",
            deadline=d.to_dict(),
        )
        for d in sorted(new - old, key=lambda d: (d.due_at, d.kind))
    ]
    entries += [
        _entry(
            snapshot,
            TimelineKind.DEADLINE_REMOVED,
            f"deadline {d.kind} removed",
            deadline=d.to_dict(),
        )
        for d in sorted(old - new, key=lambda d: (d.due_at, d.kind))
    ]
    return entries


def _apply_items(case: Case, snapshot: CaseSnapshot) -> list[TimelineEntry]:
    """Union evidence and messages by id; the first sight of each is a timeline entry."""
    evidence, entries = _union(
        case.evidence, snapshot.evidence, TimelineKind.EVIDENCE_ADDED,
        lambda e: (e.submitted_at, f"{e.party} added evidence: {e.kind}"),
    )  # fmt: skip
    messages, more = _union(
        case.messages, snapshot.messages, TimelineKind.MESSAGE_ADDED,
        lambda m: (m.sent_at, f"message from {m.party}"),
    )  # fmt: skip
    case.evidence = sorted(evidence, key=lambda e: (e.submitted_at, e.external_id))
    case.messages = sorted(messages, key=lambda m: (m.sent_at, m.external_id))
    return entries + more


def _union(
    known: Sequence[Any], seen: Sequence[Any], kind: TimelineKind, describe: Any
) -> tuple[list[Any], list[TimelineEntry]]:
    """Items by ``external_id`` (the newest version wins) and an entry for each new one."""
    items = {item.external_id: item for item in known}
    entries = []
    for item in seen:
        if item.external_id not in items:
            at, summary = describe(item)
            entries.append(
                TimelineEntry(at, item.party, kind, summary,
                              {"external_id": item.external_id}, derived=True)
            )  # fmt: skip
        items[item.external_id] = item
    return list(items.values()), entries


def _refold(case: Case, snapshots: list[CaseSnapshot]) -> MergeResult:
    """Rebuild the platform part of ``case`` from its whole (unordered) history."""
    unique = {s.fingerprint: s for s in snapshots}
    ordered = sorted(unique.values(), key=lambda s: s.order_key)
    rebuilt, entries = _open(ordered[0], case_id=case.id, connection_id=case.connection_id)
    for snapshot in ordered[1:]:
        entries += _apply(rebuilt, snapshot)
    known_evidence = {e.external_id for s in ordered for e in s.evidence}
    known_messages = {m.external_id for s in ordered for m in s.messages}
    rebuilt.evidence += [e for e in case.evidence if e.external_id not in known_evidence]
    rebuilt.messages += [m for m in case.messages if m.external_id not in known_messages]
    # the same order _apply_items keeps, so local items sit where an in-order merge puts them
    rebuilt.evidence.sort(key=lambda e: (e.submitted_at, e.external_id))
    rebuilt.messages.sort(key=lambda m: (m.sent_at, m.external_id))
    local = [entry for entry in case.timeline if not entry.derived]
    rebuilt.timeline = sorted([*entries, *local], key=TimelineEntry.sort_key)
    rebuilt.queue = case.queue
    rebuilt.links = list(case.links)  # kept by the service, never stated by a snapshot
    computed = [d for d in case.deadlines if d.computed]  # recomputed locally, never stated
    rebuilt.deadlines = sorted([*rebuilt.deadlines, *computed], key=Deadline.sort_key)
    rebuilt.allowed_actions = list(case.allowed_actions)
    # keys no snapshot states were set locally (e.g. triage): kept, as an in-order merge does
    known_extra = {key for s in ordered for key in s.extra}
    rebuilt.extra.update({k: v for k, v in case.extra.items() if k not in known_extra})
    _touch(rebuilt)
    old_derived = {e.sort_key() for e in case.timeline if e.derived}
    added = [e for e in entries if e.sort_key() not in old_derived]
    return MergeResult(rebuilt, late=True, new_entries=added)
