"""The merge law: feeding any permutation (and any duplication) of a case's snapshots yields
the same final case as feeding them in order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from disputeflow.core.merge import fold, merge_snapshot
from disputeflow.core.money import Money
from disputeflow.core.snapshot import CaseSnapshot
from disputeflow.core.taxonomy import (
    Actor,
    CaseKind,
    CaseStatus,
    Category,
    DeadlineKind,
    Outcome,
    Stage,
    TimelineKind,
)
from disputeflow.core.values import Deadline, Evidence, Message, TimelineEntry

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
IDS = {"case_id": "case_p", "connection_id": "conn_p"}


def minutes(n):
    return T0 + timedelta(minutes=n)


# A handful of instants, so that ties in observed_at (and in item times) are common.
times = st.integers(min_value=0, max_value=5).map(minutes)

money = st.sampled_from(["0", "5", "10", "12.50", "20"]).map(lambda v: Money(v, "USD"))

deadline_pool = [
    Deadline(DeadlineKind.PLATFORM_RESPONSE, minutes(600), "shopify", Actor.MERCHANT),
    Deadline(DeadlineKind.PLATFORM_RESPONSE, minutes(900), "shopify", Actor.MERCHANT),
    Deadline(DeadlineKind.NETWORK_RESPONSE, minutes(600), "visa", Actor.MERCHANT),
    Deadline(DeadlineKind.RETURN_WINDOW, minutes(700), "shopify", Actor.BUYER),
]
deadlines = st.one_of(
    st.none(),
    st.lists(st.sampled_from(deadline_pool), max_size=3, unique=True).map(tuple),
)

# The same id may come back with other content (a caption added, a later edit).
evidence_pool = [
    Evidence(external_id, party, "photo", minutes(minute), description)
    for external_id, party, minute in (
        ("ev-1", Actor.BUYER, 1),
        ("ev-2", Actor.MERCHANT, 1),
        ("ev-3", Actor.PLATFORM, 3),
    )
    for description in ("", "captioned")
]
message_pool = [
    Message(external_id, party, body, minutes(minute))
    for external_id, party, minute in (
        ("m-1", Actor.BUYER, 0),
        ("m-2", Actor.MERCHANT, 2),
        ("m-3", Actor.BUYER, 2),
    )
    for body in ("hello", "hello (edited)")
]


def unique_items(pool):
    """A tuple of items from ``pool`` with no id twice (as one platform object lists them)."""
    return st.lists(st.sampled_from(pool), max_size=3, unique_by=lambda i: i.external_id).map(tuple)


@st.composite
def snapshots(draw):
    status = draw(st.one_of(st.none(), st.sampled_from(CaseStatus)))
    outcome = (
        draw(st.one_of(st.none(), st.sampled_from(Outcome)))
        if status is CaseStatus.RESOLVED
        else None
    )
    return CaseSnapshot(
        platform="shopify",
        object_type="dispute",
        external_id="9007199254740993",
        kind=draw(st.sampled_from([CaseKind.CHARGEBACK, CaseKind.INQUIRY])),
        observed_at=draw(times),
        revision=draw(st.one_of(st.none(), st.integers(min_value=0, max_value=3))),
        status=status,
        outcome=outcome,
        stage=draw(st.one_of(st.none(), st.sampled_from([Stage.INQUIRY, Stage.CHARGEBACK]))),
        category=draw(
            st.one_of(
                st.none(),
                st.sampled_from([Category.FRAUD, Category.NOT_RECEIVED, Category.OTHER]),
            )
        ),
        platform_status=draw(st.one_of(st.none(), st.sampled_from(["open", "won", "lost"]))),
        amount=draw(st.one_of(st.none(), money)),
        refunded=draw(st.one_of(st.none(), money)),
        opened_at=draw(st.one_of(st.none(), times)),
        deadlines=draw(deadlines),
        evidence=draw(unique_items(evidence_pool)),
        messages=draw(unique_items(message_pool)),
        extra=draw(st.sampled_from([{}, {"network": "visa"}, {"network": "mastercard"}])),
    )


histories = st.lists(snapshots(), min_size=1, max_size=8)


@st.composite
def shuffled_with_duplicates(draw, items):
    """Any permutation of ``items`` with any of them repeated anywhere."""
    sequence = list(draw(st.permutations(items)))
    for extra in draw(st.lists(st.sampled_from(items), max_size=len(items))):
        sequence.insert(draw(st.integers(min_value=0, max_value=len(sequence))), extra)
    return sequence


def in_order(items):
    return sorted(items, key=lambda s: s.order_key)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), history=histories)
def test_any_arrival_order_with_duplicates_gives_the_same_case(data, history):
    expected = fold(in_order(history), **IDS)
    arrival = data.draw(shuffled_with_duplicates(history), label="arrival")
    actual = fold(arrival, **IDS)
    assert actual.to_dict() == expected.to_dict()
    assert actual == expected
    # invariants of the folded case
    timeline = expected.timeline
    assert [e.kind for e in timeline].count(TimelineKind.OPENED) == 1
    assert expected.updated_at == max(e.at for e in timeline)
    newest = in_order(history)[-1]
    stated = [s.status for s in in_order(history) if s.status is not None]
    assert expected.status == (stated[-1] if stated else CaseStatus.NEEDS_RESPONSE)
    assert newest.status is None or expected.status == newest.status
    assert {e.external_id for e in expected.evidence} == {
        e.external_id for s in history for e in s.evidence
    }
    assert {m.external_id for m in expected.messages} == {
        m.external_id for s in history for m in s.messages
    }
    if expected.status is CaseStatus.RESOLVED:
        assert expected.due_at is None


@settings(max_examples=300, deadline=None)
@given(history=histories, data=st.data())
def test_merging_the_same_snapshot_twice_changes_nothing(history, data):
    case = fold(history, **IDS)
    snapshot = data.draw(st.sampled_from(history), label="again")
    # the very same object, and an equal copy made from its JSON form
    for again in (snapshot, CaseSnapshot.from_dict(snapshot.to_dict())):
        result = merge_snapshot(case, again, history, **IDS)
        assert result.duplicate
        assert not result.changed
        assert result.new_entries == []
        assert result.case.to_dict() == case.to_dict()


@settings(max_examples=300, deadline=None)
@given(history=histories)
def test_merge_twice_in_a_row_is_idempotent(history):
    *before, last = history
    case = fold(before, **IDS) if before else None
    once = merge_snapshot(case, last, before, **IDS)
    twice = merge_snapshot(once.case, last, [*before, last], **IDS)
    assert twice.duplicate
    assert twice.case.to_dict() == once.case.to_dict()
    # and each result's new entries really are in its case's timeline
    assert all(entry in once.case.timeline for entry in once.new_entries)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), history=histories)
def test_local_entries_and_items_survive_any_arrival_order(data, history):
    """A note, a locally recorded piece of evidence, a local ``extra`` key and a deadline
    disputeflow computed, added between any two merges, end in the same case as when added
    after the in-order fold: snapshots that state deadlines replace only the platform's."""
    note = TimelineEntry(
        data.draw(times, label="note at"),
        Actor.MERCHANT,
        TimelineKind.NOTE,
        "called the buyer",
        {"by": "agent"},
    )
    local = Evidence("ev-local", Actor.MERCHANT, "doc", data.draw(times, label="local at"))
    computed = Deadline(
        DeadlineKind.INTERNAL_SLA, data.draw(times, label="sla at"), "disputeflow:sla:first"
    )

    def add_local(case):
        case.timeline = sorted([*case.timeline, note], key=TimelineEntry.sort_key)
        case.evidence = sorted(
            [*case.evidence, local], key=lambda e: (e.submitted_at, e.external_id)
        )
        case.updated_at = max(e.at for e in case.timeline)
        case.extra["classification"] = {"category": "fraud", "rule": "r1"}
        case.deadlines = sorted([*case.deadlines, computed], key=Deadline.sort_key)
        return case

    expected = add_local(fold(in_order(history), **IDS))
    arrival = data.draw(shuffled_with_duplicates(history), label="arrival")
    cut = data.draw(st.integers(min_value=1, max_value=len(arrival)), label="cut")
    case = add_local(fold(arrival[:cut], **IDS))
    seen = list(arrival[:cut])
    for snapshot in arrival[cut:]:
        case = merge_snapshot(case, snapshot, seen, **IDS).case
        seen.append(snapshot)
    assert case.to_dict() == expected.to_dict()
    assert note in case.timeline
    assert local in case.evidence
    assert case.extra["classification"] == {"category": "fraud", "rule": "r1"}
    assert computed in case.deadlines
    stated = [s.deadlines for s in in_order(history) if s.deadlines is not None]
    platform = set(stated[-1]) if stated else set()
    assert {d for d in case.deadlines if not d.computed} == platform
