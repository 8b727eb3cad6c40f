"""Every kind of timeline entry in the reader's words, from its data: nothing of the English
summary written when the entry was made shows, except what people wrote."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from disputeflow.core.taxonomy import Actor, TimelineKind
from disputeflow.core.values import TimelineEntry
from disputeflow.webhooks.web.formatting import Local
from disputeflow.webhooks.web.timeline import lines

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
DEADLINE = {"kind": "platform_response", "due_at": "2026-11-05T09:30:00Z",
            "source": "ebay:respond_by", "party": "merchant"}  # fmt: skip
# (kind, actor, data) as the core, the engine and the features record them.
ENTRIES = [
    ("opened", "platform", {"external_id": "5300011111", "status": "needs_response"}),
    ("status_changed", "platform", {"old": "needs_response", "new": "under_review"}),
    (
        "resolved",
        "platform",
        {"old": "under_review", "new": "resolved", "outcome": "merchant_favor"},
    ),
    ("reopened", "platform", {"old": "resolved", "new": "needs_response"}),
    ("kind_changed", "platform", {"old": "inquiry", "new": "claim"}),
    ("stage_changed", "platform", {"old": "chargeback", "new": "pre_arbitration"}),
    ("category_changed", "platform", {"old": "other", "new": "damaged"}),
    ("category_changed", "system", {"category": "fraud", "confidence": 0.8, "rule": "words"}),
    (
        "amount_changed",
        "platform",
        {
            "old": {"value": "10.00", "currency": "EUR"},
            "new": {"value": "12.50", "currency": "EUR"},
        },
    ),
    ("refunded", "platform", {"refunded": {"value": "5.00", "currency": "EUR"}}),
    ("deadline_set", "platform", {"deadline": DEADLINE}),
    ("deadline_removed", "platform", {"deadline": DEADLINE}),
    ("deadline_approaching", "system", {"deadline": DEADLINE, "lead_hours": 24}),
    ("deadline_missed", "system", {"deadline": DEADLINE, "lead_hours": 0}),
    ("evidence_added", "merchant", {"external_id": "ev-1"}),
    ("message_added", "buyer", {"external_id": "m-1"}),
    (
        "action_requested",
        "merchant",
        {"action_id": "a1", "action": "refund", "requested_by": "Ana", "rationale": "Box torn"},
    ),
    ("action_succeeded", "merchant", {"action_id": "a1", "external_id": "rf-9"}),
    ("action_failed", "system", {"action_id": "a1"}),
    ("note", "merchant", {"action_id": "a2", "assign_to": "Team DACH", "assign_note": "Sizes"}),
    ("routed", "system", {"queue": "returns", "rule": "dach"}),
    (
        "policy_flagged",
        "system",
        {
            "store_window_days": 7,
            "statutory_window_days": 14,
            "effective_window_days": 14,
            "jurisdiction": "DE",
        },
    ),
    ("rule_applied", "system", {"rule": "auto", "action": "submit_tracking", "dry_run": True}),
    ("rule_applied", "system", {"rule": "auto", "action": "refund", "limited": True}),
    ("personal_data_erased", "system", {}),
    ("linked", "system", {"case_id": "case_2", "reason": "order_number 727 matches", "by": None}),
    ("unlinked", "merchant", {"case_id": "case_2", "reason": "two orders", "by": "Ana"}),
    (
        "linked_refund",
        "system",
        {"case_id": "case_2", "refunded": {"value": "5.00", "currency": "EUR"}},
    ),
]
SUMMARY = "ENGLISH SUMMARY"


def case_with(entries):
    timeline = [
        TimelineEntry(AT, Actor(actor), TimelineKind(kind), SUMMARY, data)
        for kind, actor, data in entries
    ]
    return SimpleNamespace(kind="claim", platform="ebay", timeline=timeline)


def test_every_kind_of_entry_is_said():
    said = {kind for kind, _, _ in ENTRIES}
    assert said == {str(kind) for kind in TimelineKind}, "a new kind needs its words"


@pytest.mark.parametrize("lang", ["en", "de", "ja"])
def test_entries_are_said_from_their_data(lang):
    reader = Local(lang, {"ebay": "eBay"})
    shown = lines(reader, case_with(ENTRIES), {"a1": "refund"})
    for line, (kind, _, _) in zip(shown, ENTRIES, strict=True):
        assert line.detail, kind
        assert SUMMARY not in line.detail, kind
        assert line.what != kind, kind
    words = {kind: line for line, (kind, _, _) in zip(shown, ENTRIES, strict=True)}
    if lang == "de":
        assert words["deadline_set"].detail == (
            "Sie (der Händler): handeln bis 05.11.2026 09:30 (UTC) (Antwortfrist von eBay)."
        )
        assert words["opened"].detail == "Reklamation auf eBay eröffnet."
        assert words["resolved"].detail == "In Prüfung → Abgeschlossen (gewonnen)"
    if lang == "en":
        assert words["note"].detail == "Assigned to Team DACH."
        assert words["note"].said == "Sizes", "the note as written, not the English summary"
        assert words["action_requested"].said == "Box torn"
        assert words["policy_flagged"].detail == (
            "The store's 7 days are below the 14 days the law of Germany gives: the buyer "
            "gets 14 days."
        )
