"""Merging platform snapshots into cases (disputeflow.core.merge)."""

from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from disputeflow.core.errors import SnapshotError
from disputeflow.core.merge import fold, merge_snapshot
from disputeflow.core.money import Money
from disputeflow.core.snapshot import CaseSnapshot
from disputeflow.core.taxonomy import (
    ActionType,
    Actor,
    CaseKind,
    CaseStatus,
    Category,
    DeadlineKind,
    Outcome,
    Stage,
    TimelineKind,
)
from disputeflow.core.values import Deadline, Evidence, Message, Party, TimelineEntry

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def at(hours):
    return T0 + timedelta(hours=hours)


def snap(hours=0, **overrides):
    fields = {
        "platform": "shopify",
        "object_type": "dispute",
        "external_id": "42",
        "kind": CaseKind.CHARGEBACK,
        "observed_at": at(hours),
    }
    fields.update(overrides)
    return CaseSnapshot(**fields)


def merge(case, snapshot, history=()):
    return merge_snapshot(case, snapshot, list(history), case_id="case_1", connection_id="conn_1")


def run(*snapshots):
    """Merge ``snapshots`` one by one, in the order given; return the last result."""
    case, history, result = None, [], None
    for snapshot in snapshots:
        result = merge(case, snapshot, history)
        case = result.case
        history.append(snapshot)
    assert result is not None
    return result


def kinds(entries):
    return [e.kind for e in entries]


def merchant_deadline(hours, kind=DeadlineKind.PLATFORM_RESPONSE):
    return Deadline(kind, at(hours), "shopify", Actor.MERCHANT)


def buyer_deadline(hours):
    return Deadline(DeadlineKind.RETURN_WINDOW, at(hours), "shopify", Actor.BUYER)


# -- creating a case ------------------------------------------------------------------------


def test_unknown_case_is_created_with_an_opened_entry():
    snapshot = snap(
        status=CaseStatus.NEEDS_RESPONSE,
        category=Category.FRAUD,
        amount=Money("11.50", "CAD"),
        platform_reason="fraudulent",
        platform_status="needs_response",
        opened_at=at(-5),
        buyer=Party(country="de"),
        extra={"network": "visa"},
    )
    result = merge(None, snapshot)
    case = result.case
    assert result.created
    assert not result.duplicate
    assert not result.late
    assert result.changed
    assert (case.id, case.connection_id) == ("case_1", "conn_1")
    assert (case.platform, case.object_type, case.external_id) == ("shopify", "dispute", "42")
    assert case.kind is CaseKind.CHARGEBACK
    assert case.status is CaseStatus.NEEDS_RESPONSE
    assert case.category is Category.FRAUD
    assert case.amount == Money("11.50", "CAD")
    assert case.platform_reason == "fraudulent"
    assert case.buyer == Party(country="DE")
    assert case.extra == {"network": "visa"}
    assert case.opened_at == at(-5)
    assert kinds(case.timeline) == [TimelineKind.OPENED]
    opened = case.timeline[0]
    assert opened.at == at(-5)
    assert opened.actor is Actor.PLATFORM
    assert opened.derived
    assert opened.data == {
        "external_id": "42",
        "object_type": "dispute",
        "status": "needs_response",
        "category": "fraud",
    }
    assert result.new_entries == case.timeline
    assert case.updated_at == at(-5)


def test_created_case_without_opened_at_opens_at_observation_time():
    case = merge(None, snap(3)).case
    assert case.opened_at == at(3)
    assert case.timeline[0].at == at(3)
    assert case.updated_at == at(3)


def test_created_case_with_unknown_status_and_category_needs_the_merchant():
    case = merge(None, snap(status=None, category=None)).case
    assert case.status is CaseStatus.NEEDS_RESPONSE
    assert case.category is Category.OTHER
    assert case.must_act is Actor.MERCHANT


def test_created_resolved_case_records_the_resolution():
    result = merge(None, snap(status="resolved", outcome="merchant_favor", platform_status="won"))
    case = result.case
    assert case.status is CaseStatus.RESOLVED
    assert case.outcome is Outcome.MERCHANT_FAVOR
    assert kinds(case.timeline) == [TimelineKind.OPENED, TimelineKind.RESOLVED]
    resolved = case.timeline[1]
    assert resolved.actor is Actor.PLATFORM
    assert resolved.data["outcome"] == "merchant_favor"
    assert resolved.data["platform_status"] == "won"


def test_created_case_records_items_deadlines_and_refunds_it_arrives_with():
    snapshot = snap(
        1,
        refunded=Money("5", "USD"),
        amount=Money("10", "USD"),
        deadlines=(merchant_deadline(48),),
        evidence=(Evidence("ev-1", Actor.BUYER, "photo", at(0.5)),),
        messages=(Message("m-1", Actor.MERCHANT, "hello", at(0.25)),),
    )
    case = merge(None, snapshot).case
    assert sorted(kinds(case.timeline)) == sorted(
        [
            TimelineKind.OPENED,
            TimelineKind.REFUNDED,
            TimelineKind.DEADLINE_SET,
            TimelineKind.EVIDENCE_ADDED,
            TimelineKind.MESSAGE_ADDED,
        ]
    )
    assert case.timeline == sorted(case.timeline, key=TimelineEntry.sort_key)
    assert case.updated_at == at(1)
    assert case.due_at == at(48)


# -- duplicates and purity ------------------------------------------------------------------


def test_duplicate_snapshot_is_a_no_op():
    first = snap(status="needs_response", amount=Money("10", "USD"))
    second = snap(1, status="under_review", amount=Money("12", "USD"))
    created = merge(None, first).case
    case = merge(created, second, [first]).case
    again = dataclasses.replace(second)  # equal, not identical
    assert again is not second
    assert again.fingerprint == second.fingerprint
    result = merge(case, again, [first, second])
    assert result.duplicate
    assert not result.changed
    assert result.new_entries == []
    assert result.case == case
    assert result.case.timeline == case.timeline
    # a duplicate of an older snapshot is a no-op as well, not a re-fold
    older = merge(case, dataclasses.replace(first), [first, second])
    assert older.duplicate
    assert not older.late
    assert older.case == case


def test_same_content_at_a_new_time_adds_no_entry():
    first = snap(status="needs_response")
    result = run(first, dataclasses.replace(first, observed_at=at(1)))
    assert not result.duplicate
    assert not result.changed
    assert kinds(result.case.timeline) == [TimelineKind.OPENED]


def test_merge_does_not_modify_its_inputs():
    first = snap(
        status="needs_response",
        deadlines=(merchant_deadline(5),),
        evidence=(Evidence("ev-1", Actor.BUYER, "photo", at(0)),),
        extra={"a": 1},
    )
    case = merge(None, first).case
    before = copy.deepcopy(case.to_dict())
    history = [first]
    newer = snap(
        2,
        status="under_review",
        deadlines=(),
        evidence=(Evidence("ev-2", Actor.MERCHANT, "doc", at(1)),),
        extra={"b": 2},
    )
    older = snap(-2, status="awaiting_buyer", platform_reason="x")
    merge(case, newer, history)
    merge(case, older, history)
    assert case.to_dict() == before
    assert history == [first]


# -- ordering: an older snapshot never moves the case backwards -----------------------------


def test_older_snapshot_keeps_newer_status_and_amount_but_fills_missing_fields():
    newer = snap(
        5, status=CaseStatus.UNDER_REVIEW, amount=Money("20", "USD"), platform_status="under"
    )
    older = snap(
        1,
        status=CaseStatus.NEEDS_RESPONSE,
        amount=Money("10", "USD"),
        platform_status="needs",
        platform_reason="fraudulent",
        network_reason_code="10.4",
        stage=Stage.CHARGEBACK,
        buyer=Party(country="FR"),
        opened_at=at(-24),
    )
    result = run(newer, older)
    case = result.case
    assert result.late
    assert not result.duplicate
    assert case.status is CaseStatus.UNDER_REVIEW
    assert case.amount == Money("20", "USD")
    assert case.platform_status == "under"
    # only the older snapshot states these: they are filled in
    assert case.platform_reason == "fraudulent"
    assert case.network_reason_code == "10.4"
    assert case.stage is Stage.CHARGEBACK
    assert case.buyer == Party(country="FR")
    assert case.opened_at == at(-24)
    # and the history reads as the platform lived it
    assert case.timeline[0].kind is TimelineKind.OPENED
    assert case.timeline[0].at == at(-24)
    status_moves = [e for e in case.timeline if e.kind is TimelineKind.STATUS_CHANGED]
    assert [(e.data["old"], e.data["new"], e.at) for e in status_moves] == [
        ("needs_response", "under_review", at(5))
    ]
    assert case == run(older, newer).case


def test_older_resolved_snapshot_does_not_resolve_a_reopened_case():
    won = snap(1, status="resolved", outcome="merchant_favor")
    reopened = snap(9, status="needs_response", stage="pre_arbitration")
    result = run(reopened, won)
    assert result.case.status is CaseStatus.NEEDS_RESPONSE
    assert result.case.outcome is None
    assert kinds(result.case.timeline) == [
        TimelineKind.OPENED,
        TimelineKind.RESOLVED,
        TimelineKind.REOPENED,
        TimelineKind.STAGE_CHANGED,
    ] or kinds(result.case.timeline) == [
        TimelineKind.OPENED,
        TimelineKind.RESOLVED,
        TimelineKind.STAGE_CHANGED,
        TimelineKind.REOPENED,
    ]
    assert result.case == run(won, reopened).case


def test_revision_breaks_ties_in_observed_time():
    rev2 = snap(1, revision=2, status="under_review")
    rev1 = snap(1, revision=1, status="needs_response")
    assert run(rev2, rev1).case.status is CaseStatus.UNDER_REVIEW
    assert run(rev1, rev2).case.status is CaseStatus.UNDER_REVIEW
    assert run(rev2, rev1).late


def test_late_result_lists_only_entries_it_added():
    newer = snap(5, status="under_review")
    older = snap(1, status="needs_response", evidence=(Evidence("ev", "buyer", "photo", at(1)),))
    case = merge(None, newer).case
    result = merge(case, older, [newer])
    assert result.late
    assert TimelineKind.EVIDENCE_ADDED in kinds(result.new_entries)
    assert all(entry in result.case.timeline for entry in result.new_entries)
    # nothing new: a late snapshot that changes nothing lists nothing
    quiet = snap(3, status="needs_response")
    again = merge(result.case, quiet, [newer, older])
    assert again.late
    assert again.new_entries == []


# -- unknown status -------------------------------------------------------------------------


def test_unknown_status_keeps_the_last_known_status():
    result = run(
        snap(0, status="awaiting_buyer"),
        snap(1, status=None, platform_status="some_new_value"),
    )
    assert result.case.status is CaseStatus.AWAITING_BUYER
    assert result.case.platform_status == "some_new_value"  # the raw value is kept
    assert TimelineKind.STATUS_CHANGED not in kinds(result.new_entries)


def test_unknown_status_keeps_resolution_and_may_state_the_outcome():
    result = run(
        snap(0, status="resolved", outcome=None),
        snap(1, status=None, outcome="buyer_favor"),
    )
    assert result.case.status is CaseStatus.RESOLVED
    assert result.case.outcome is Outcome.BUYER_FAVOR


# -- one timeline entry per real change -----------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("needs_response", "under_review", TimelineKind.STATUS_CHANGED),
        ("under_review", "awaiting_buyer", TimelineKind.STATUS_CHANGED),
        ("under_review", "resolved", TimelineKind.RESOLVED),
        ("resolved", "needs_response", TimelineKind.REOPENED),
    ],
)
def test_status_change_is_one_platform_entry(old, new, kind):
    first = snap(0, status=old)
    second = snap(3, status=new, outcome="buyer_favor" if new == "resolved" else None)
    result = run(first, second)
    assert kinds(result.new_entries) == [kind]
    entry = result.new_entries[0]
    assert entry.actor is Actor.PLATFORM
    assert entry.at == at(3)
    assert entry.derived
    assert (entry.data["old"], entry.data["new"]) == (old, new)
    assert result.case.status == new
    assert result.case.updated_at == at(3)
    assert result.case.timeline[-1] == entry


def test_resolution_and_reopening_clear_or_set_the_outcome():
    resolved = run(snap(0, status="needs_response"), snap(1, status="resolved", outcome="partial"))
    assert resolved.case.outcome is Outcome.PARTIAL
    assert resolved.new_entries[0].data["outcome"] == "partial"
    reopened = run(
        snap(0, status="needs_response"),
        snap(1, status="resolved", outcome="partial"),
        snap(2, status="needs_response"),
    )
    assert reopened.case.outcome is None
    assert kinds(reopened.new_entries) == [TimelineKind.REOPENED]


def test_outcome_change_on_a_resolved_case_is_recorded():
    # e.g. a won dispute whose ruling is reversed without passing through an open status
    result = run(
        snap(0, status="resolved", outcome="merchant_favor"),
        snap(1, status="resolved", outcome="buyer_favor"),
    )
    assert result.case.outcome is Outcome.BUYER_FAVOR
    assert kinds(result.new_entries) == [TimelineKind.RESOLVED]
    entry = result.new_entries[0]
    assert entry.actor is Actor.PLATFORM
    assert entry.at == at(1)
    assert entry.data["outcome"] == "buyer_favor"
    assert result.case.updated_at == at(1)


def test_resolved_snapshot_silent_on_the_outcome_keeps_it():
    result = run(
        snap(0, status="resolved", outcome="merchant_favor"),
        snap(1, status="resolved", outcome=None, platform_status="closed"),
    )
    assert result.case.outcome is Outcome.MERCHANT_FAVOR
    assert result.new_entries == []


def test_amount_change_is_one_entry():
    result = run(snap(0, amount=Money("10", "USD")), snap(2, amount=Money("12.5", "USD")))
    assert kinds(result.new_entries) == [TimelineKind.AMOUNT_CHANGED]
    entry = result.new_entries[0]
    assert entry.actor is Actor.PLATFORM
    assert entry.at == at(2)
    assert entry.data == {
        "old": {"value": "10.00", "currency": "USD"},
        "new": {"value": "12.50", "currency": "USD"},
    }
    assert result.case.amount == Money("12.50", "USD")


def test_amount_first_stated_later_is_an_entry_and_none_keeps_it():
    result = run(snap(0), snap(1, amount=Money("10", "USD")))
    assert kinds(result.new_entries) == [TimelineKind.AMOUNT_CHANGED]
    assert result.new_entries[0].data["old"] is None
    kept = run(snap(0, amount=Money("10", "USD")), snap(1, amount=None))
    assert kept.case.amount == Money("10", "USD")
    assert kept.new_entries == []


def test_refund_is_one_entry():
    result = run(
        snap(0, amount=Money("10", "USD"), refunded=Money("0", "USD")),
        snap(4, amount=Money("10", "USD"), refunded=Money("10", "USD")),
    )
    assert kinds(result.new_entries) == [TimelineKind.REFUNDED]
    entry = result.new_entries[0]
    assert (entry.actor, entry.at) == (Actor.PLATFORM, at(4))
    assert entry.data == {"refunded": {"value": "10.00", "currency": "USD"}}
    assert result.case.refunded == Money("10", "USD")
    same = run(
        snap(0, refunded=Money("3", "USD")),
        snap(1, refunded=Money("3", "USD"), status="under_review"),
    )
    assert TimelineKind.REFUNDED not in kinds(same.new_entries)


@pytest.mark.parametrize(
    ("field", "old", "new", "kind"),
    [
        ("stage", Stage.INQUIRY, Stage.CHARGEBACK, TimelineKind.STAGE_CHANGED),
        ("category", Category.FRAUD, Category.NOT_RECEIVED, TimelineKind.CATEGORY_CHANGED),
        ("kind", CaseKind.INQUIRY, CaseKind.CHARGEBACK, TimelineKind.KIND_CHANGED),
    ],
)
def test_classification_changes_are_one_entry_each(field, old, new, kind):
    result = run(snap(0, **{field: old}), snap(1, **{field: new}))
    assert kinds(result.new_entries) == [kind]
    assert result.new_entries[0].at == at(1)
    assert result.new_entries[0].actor is Actor.PLATFORM
    assert getattr(result.case, field) == new


def test_several_changes_in_one_snapshot_are_one_entry_each():
    first = snap(0, status="needs_response", amount=Money("10", "USD"))
    second = snap(
        1,
        status="under_review",
        amount=Money("11", "USD"),
        refunded=Money("1", "USD"),
        deadlines=(merchant_deadline(10),),
        evidence=(Evidence("ev-1", Actor.MERCHANT, "doc", at(0.5)),),
        messages=(Message("m-1", Actor.BUYER, "hi", at(0.75)),),
    )
    result = run(first, second)
    assert sorted(kinds(result.new_entries)) == sorted(
        [
            TimelineKind.STATUS_CHANGED,
            TimelineKind.AMOUNT_CHANGED,
            TimelineKind.REFUNDED,
            TimelineKind.DEADLINE_SET,
            TimelineKind.EVIDENCE_ADDED,
            TimelineKind.MESSAGE_ADDED,
        ]
    )
    assert len(result.case.timeline) == 1 + len(result.new_entries)
    assert result.case.timeline == sorted(result.case.timeline, key=TimelineEntry.sort_key)


# -- evidence and messages ------------------------------------------------------------------


def test_evidence_entries_carry_the_party_and_submission_time():
    buyer_photo = Evidence("ev-b", Actor.BUYER, "photo", at(0.5))
    merchant_doc = Evidence("ev-m", Actor.MERCHANT, "shipping_documentation", at(0.7))
    platform_note = Evidence("ev-p", Actor.PLATFORM, "ruling", at(0.9))
    result = run(snap(0), snap(1, evidence=(merchant_doc, buyer_photo, platform_note)))
    entries = result.new_entries
    assert kinds(entries) == [TimelineKind.EVIDENCE_ADDED] * 3
    by_id = {e.data["external_id"]: e for e in entries}
    assert (by_id["ev-b"].actor, by_id["ev-b"].at) == (Actor.BUYER, at(0.5))
    assert (by_id["ev-m"].actor, by_id["ev-m"].at) == (Actor.MERCHANT, at(0.7))
    assert (by_id["ev-p"].actor, by_id["ev-p"].at) == (Actor.PLATFORM, at(0.9))
    assert [e.external_id for e in result.case.evidence] == ["ev-b", "ev-m", "ev-p"]


def test_message_entries_carry_the_party_and_sending_time():
    result = run(
        snap(0),
        snap(
            2,
            messages=(
                Message("m-2", Actor.MERCHANT, "sent", at(1.5)),
                Message("m-1", Actor.BUYER, "where?", at(1)),
            ),
        ),
    )
    assert kinds(result.new_entries) == [TimelineKind.MESSAGE_ADDED] * 2
    by_id = {e.data["external_id"]: e for e in result.new_entries}
    assert (by_id["m-1"].actor, by_id["m-1"].at) == (Actor.BUYER, at(1))
    assert (by_id["m-2"].actor, by_id["m-2"].at) == (Actor.MERCHANT, at(1.5))
    assert [m.external_id for m in result.case.messages] == ["m-1", "m-2"]


def test_evidence_and_messages_accumulate_by_external_id():
    ev1 = Evidence("ev-1", Actor.BUYER, "photo", at(0))
    ev1_updated = dataclasses.replace(ev1, description="now with a caption")
    ev2 = Evidence("ev-2", Actor.MERCHANT, "doc", at(1))
    m1 = Message("m-1", Actor.BUYER, "a", at(0))
    m2 = Message("m-2", Actor.MERCHANT, "b", at(1))
    result = run(
        snap(0, evidence=(ev1,), messages=(m1,)),
        snap(1, evidence=(ev2,), messages=(m2,)),  # the platform lists only the new ones
        snap(2, evidence=(ev1_updated, ev2), messages=(m1, m2)),  # or all of them again
    )
    case = result.case
    assert case.evidence == [ev1_updated, ev2]
    assert case.messages == [m1, m2]
    assert result.new_entries == []  # seen before: no new entry, content updated
    assert kinds(case.timeline).count(TimelineKind.EVIDENCE_ADDED) == 2
    assert kinds(case.timeline).count(TimelineKind.MESSAGE_ADDED) == 2


def test_snapshot_without_items_keeps_them():
    ev = Evidence("ev-1", Actor.BUYER, "photo", at(0))
    result = run(snap(0, evidence=(ev,)), snap(1, evidence=()))
    assert result.case.evidence == [ev]


# -- deadlines and due_at -------------------------------------------------------------------


def test_deadlines_replace_and_record_set_and_removed():
    old = merchant_deadline(24)
    new = merchant_deadline(48)
    result = run(snap(0, deadlines=(old,)), snap(1, deadlines=(new,)))
    case = result.case
    assert case.deadlines == [new]
    assert sorted(kinds(result.new_entries)) == sorted(
        [TimelineKind.DEADLINE_SET, TimelineKind.DEADLINE_REMOVED]
    )
    for entry in result.new_entries:
        assert (entry.actor, entry.at) == (Actor.PLATFORM, at(1))
    set_entry = next(e for e in result.new_entries if e.kind is TimelineKind.DEADLINE_SET)
    assert set_entry.data["deadline"] == new.to_dict()
    assert set_entry.data["deadline"]["party"] == "merchant"
    removed = next(e for e in result.new_entries if e.kind is TimelineKind.DEADLINE_REMOVED)
    assert removed.data["deadline"] == old.to_dict()


def test_deadlines_none_keeps_and_empty_clears():
    deadline = merchant_deadline(24)
    kept = run(snap(0, deadlines=(deadline,)), snap(1, deadlines=None))
    assert kept.case.deadlines == [deadline]
    assert kept.new_entries == []
    same = run(snap(0, deadlines=(deadline,)), snap(1, deadlines=(deadline,)))
    assert same.new_entries == []
    cleared = run(snap(0, deadlines=(deadline,)), snap(1, deadlines=()))
    assert cleared.case.deadlines == []
    assert kinds(cleared.new_entries) == [TimelineKind.DEADLINE_REMOVED]
    assert cleared.case.due_at is None


def test_deadlines_are_kept_sorted():
    deadlines = (merchant_deadline(30), buyer_deadline(10), merchant_deadline(20))
    case = run(snap(0, deadlines=deadlines)).case
    assert [d.due_at for d in case.deadlines] == [at(10), at(20), at(30)]


@pytest.mark.parametrize(
    ("status", "due"),
    [
        ("needs_response", 20),  # the merchant's earliest deadline
        ("awaiting_buyer", 10),  # the buyer's deadline
        ("resolved", None),
    ],
)
def test_due_at_is_the_acting_partys_earliest_deadline(status, due):
    deadlines = (
        merchant_deadline(30, DeadlineKind.NETWORK_RESPONSE),
        buyer_deadline(10),
        merchant_deadline(20),
    )
    case = run(snap(0, status=status, deadlines=deadlines)).case
    assert case.due_at == (at(due) if due is not None else None)
    assert case.to_dict()["due_at"] == (
        case.due_at and case.due_at.isoformat().replace("+00:00", "Z")
    )


def test_due_at_follows_status_changes():
    deadlines = (merchant_deadline(20), buyer_deadline(10))
    result = run(
        snap(0, status="needs_response", deadlines=deadlines),
        snap(1, status="awaiting_buyer"),
    )
    assert result.case.due_at == at(10)
    result = run(
        snap(0, status="needs_response", deadlines=deadlines),
        snap(1, status="awaiting_buyer"),
        snap(2, status="resolved", outcome="merchant_favor"),
    )
    assert result.case.due_at is None


# -- identity -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [{"platform": "ebay"}, {"object_type": "return"}, {"external_id": "43"}],
)
def test_snapshot_for_another_object_is_refused(change):
    first = snap(0)
    case = merge(None, first).case
    with pytest.raises(SnapshotError, match="cannot merge"):
        merge(case, snap(1, **change), [first])
    with pytest.raises(SnapshotError, match="cannot merge"):
        merge(case, snap(-1, **change), [first])  # late ones too


def test_fold_of_nothing_is_refused():
    with pytest.raises(SnapshotError, match="empty"):
        fold([], case_id="c", connection_id="x")


# -- updated_at -----------------------------------------------------------------------------


def test_updated_at_is_the_time_of_the_latest_entry():
    result = run(snap(0, status="needs_response"), snap(2, status="under_review"))
    assert result.case.updated_at == at(2)
    # a snapshot that changes nothing does not touch the case
    quiet = run(snap(0, status="needs_response"), snap(2, status="under_review"), snap(9))
    assert quiet.case.updated_at == at(2)
    # an item's own time counts, whatever the snapshot time
    late_item = run(snap(0), snap(1, evidence=(Evidence("ev", Actor.BUYER, "photo", at(1.5)),)))
    assert late_item.case.updated_at == at(1.5)
    assert late_item.case.updated_at == max(e.at for e in late_item.case.timeline)


def test_updated_at_after_a_late_snapshot():
    result = run(snap(5, status="under_review"), snap(1, status="needs_response"))
    assert result.case.updated_at == at(5)
    assert result.case.updated_at == max(e.at for e in result.case.timeline)


# -- local state survives late snapshots ----------------------------------------------------


def test_local_entries_and_state_survive_a_late_snapshot():
    newer = snap(5, status="under_review", extra={"network": "visa"})
    case = merge(None, newer).case
    note = TimelineEntry(at(6), Actor.MERCHANT, TimelineKind.NOTE, "called the bank", {"by": "a"})
    action = TimelineEntry(
        at(5.5), Actor.MERCHANT, TimelineKind.ACTION_SUCCEEDED, "contested", {"id": "x"}
    )
    case.timeline = sorted([*case.timeline, note, action], key=TimelineEntry.sort_key)
    case.updated_at = at(6)
    case.queue = "fraud"
    case.allowed_actions = [ActionType.ADD_NOTE]
    case.extra["classification"] = {"category": "fraud", "rule": "keywords"}
    older = snap(
        1, status="needs_response", platform_reason="fraudulent", extra={"network": "amex"}
    )
    result = merge(case, older, [newer])
    rebuilt = result.case
    assert result.late
    assert note in rebuilt.timeline
    assert action in rebuilt.timeline
    assert not any(e.derived for e in [note, action])
    assert rebuilt.timeline == sorted(rebuilt.timeline, key=TimelineEntry.sort_key)
    assert rebuilt.queue == "fraud"
    assert rebuilt.allowed_actions == [ActionType.ADD_NOTE]
    assert rebuilt.extra["classification"] == {"category": "fraud", "rule": "keywords"}
    assert rebuilt.extra["network"] == "visa"  # platform keys follow the newest snapshot
    assert rebuilt.updated_at == at(6)
    assert rebuilt.status is CaseStatus.UNDER_REVIEW
    assert rebuilt.platform_reason == "fraudulent"
    assert rebuilt.timeline[0].kind is TimelineKind.OPENED
    assert rebuilt.timeline[0].at == at(1)
    # each derived entry is there once, none of the old OPENED-at-5 survives
    assert kinds(rebuilt.timeline).count(TimelineKind.OPENED) == 1
    # and a later in-order snapshot keeps them too
    after = merge(rebuilt, snap(7, status="resolved", outcome="merchant_favor"), [newer, older])
    assert note in after.case.timeline
    assert action in after.case.timeline


def test_local_evidence_survives_a_late_snapshot_in_order():
    newer = snap(5, evidence=(Evidence("ev-p2", Actor.BUYER, "photo", at(4)),))
    case = merge(None, newer).case
    local = Evidence("ev-local", Actor.MERCHANT, "doc", at(0.5))  # not (yet) on the platform
    case.evidence = sorted([*case.evidence, local], key=lambda e: (e.submitted_at, e.external_id))
    older = snap(1, evidence=(Evidence("ev-p1", Actor.BUYER, "photo", at(0.25)),))
    rebuilt = merge(case, older, [newer]).case
    assert [e.external_id for e in rebuilt.evidence] == ["ev-p1", "ev-local", "ev-p2"]
    in_order = merge(case, snap(6, evidence=older.evidence), [newer]).case
    assert [e.external_id for e in in_order.evidence] == ["ev-p1", "ev-local", "ev-p2"]


# -- fold -----------------------------------------------------------------------------------


def test_fold_matches_merging_one_by_one():
    snapshots = [
        snap(0, status="needs_response", amount=Money("10", "USD")),
        snap(1, status="under_review", evidence=(Evidence("e", "merchant", "doc", at(1)),)),
        snap(2, status="resolved", outcome="merchant_favor"),
    ]
    folded = fold(snapshots, case_id="case_1", connection_id="conn_1")
    assert folded == run(*snapshots).case
    assert folded.status is CaseStatus.RESOLVED
    assert fold(reversed(snapshots), case_id="case_1", connection_id="conn_1") == folded


# -- aimed at mutants that survived `make mutate` (docs/testing.md) ---------------------------


def test_folding_no_snapshots_is_a_snapshot_error():
    with pytest.raises(SnapshotError, match=r"^cannot fold an empty list of snapshots$"):
        fold([], case_id="case_1", connection_id="conn_1")


def test_a_category_change_keeps_old_and_new_values_in_the_entry():
    result = run(snap(0, category=Category.FRAUD), snap(1, category=Category.NOT_RECEIVED))
    (entry,) = [e for e in result.new_entries if e.kind is TimelineKind.CATEGORY_CHANGED]
    assert entry.data == {"old": "fraud", "new": "not_received"}
    assert entry.summary == "category fraud -> not_received"


def test_merging_never_changes_the_case_it_was_given():
    """The store keeps the case it read until the merge commits: the merge works on a copy,
    lists included (a shared list would change the stored case behind its back)."""
    first = run(
        snap(
            0,
            deadlines=(merchant_deadline(24),),
            evidence=(Evidence("ev-1", Actor.BUYER, "photo", at(0)),),
            messages=(Message("m-1", Actor.BUYER, "where is it?", at(0)),),
        )
    ).case
    before = copy.deepcopy(first)
    later = snap(
        1,
        deadlines=(merchant_deadline(48),),
        evidence=(Evidence("ev-2", Actor.MERCHANT, "tracking", at(1)),),
        messages=(Message("m-2", Actor.MERCHANT, "on its way", at(1)),),
    )
    merged = merge(first, later, [snap(0)]).case
    assert first == before
    assert [e.external_id for e in merged.evidence] == ["ev-1", "ev-2"]
    assert len(merged.messages) == 2
    assert len(merged.timeline) > len(first.timeline)


def test_a_case_first_seen_resolved_records_its_resolution_once():
    result = run(snap(0, status=CaseStatus.RESOLVED, outcome=Outcome.MERCHANT_FAVOR))
    resolved = [e for e in result.new_entries if e.kind is TimelineKind.RESOLVED]
    assert len(resolved) == 1
    assert resolved[0].summary == "status needs_response -> resolved (merchant_favor)"
    assert resolved[0].data["outcome"] == "merchant_favor"


def test_a_move_without_an_outcome_says_so_in_its_entry():
    result = run(snap(0, status=CaseStatus.NEEDS_RESPONSE), snap(1, status=CaseStatus.UNDER_REVIEW))
    (moved,) = [e for e in result.new_entries if e.kind is TimelineKind.STATUS_CHANGED]
    assert moved.summary == "status needs_response -> under_review"
    assert moved.data["outcome"] is None


def test_an_outcome_without_a_status_never_lands_on_an_open_case():
    """A snapshot silent on the status but naming an outcome changes only a resolved case
    (the property tests never generate an outcome on an open case)."""
    result = run(snap(0, status=CaseStatus.NEEDS_RESPONSE), snap(1, outcome=Outcome.BUYER_FAVOR))
    assert (result.case.status, result.case.outcome) == (CaseStatus.NEEDS_RESPONSE, None)
    resolved = run(
        snap(0, status=CaseStatus.RESOLVED, outcome=Outcome.MERCHANT_FAVOR),
        snap(1, category=Category.FRAUD),
    )
    assert resolved.case.outcome is Outcome.MERCHANT_FAVOR, "a silent snapshot keeps it"


def test_a_case_first_seen_under_review_records_no_move():
    """Opening is not a move: the status the case is first seen in is no step of its own."""
    result = run(snap(0, status=CaseStatus.UNDER_REVIEW))
    assert TimelineKind.STATUS_CHANGED not in kinds(result.new_entries)
    assert result.case.status is CaseStatus.UNDER_REVIEW
