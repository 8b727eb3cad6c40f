"""Value objects, CaseSnapshot and Case: validation and the JSON forms (DESIGN.md section 4)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from disputeflow.core.case import Case
from disputeflow.core.clock import ensure_utc, parse_rfc3339, to_rfc3339, utcnow
from disputeflow.core.errors import InvalidInputError, SnapshotError
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
from disputeflow.core.values import Deadline, Evidence, Message, Order, Party, TimelineEntry

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NAIVE = datetime(2026, 3, 1, 12, 0)  # noqa: DTZ001 - deliberately naive
TOKYO = timezone(timedelta(hours=9))


def snap(**overrides):
    fields = {
        "platform": "shopify",
        "object_type": "dispute",
        "external_id": "9007199254740993",  # > 2**53: must stay a string
        "kind": CaseKind.CHARGEBACK,
        "observed_at": T0,
    }
    fields.update(overrides)
    return CaseSnapshot(**fields)


def full_snapshot():
    return snap(
        revision=3,
        status=CaseStatus.RESOLVED,
        outcome=Outcome.BUYER_FAVOR,
        stage=Stage.CHARGEBACK,
        category=Category.FRAUD,
        platform_reason="fraudulent",
        network_reason_code="10.4",
        platform_status="lost",
        amount=Money("11.50", "CAD"),
        refunded=Money("11.50", "CAD"),
        order=Order("1001", "#1001", Money("20", "CAD"), T0 - timedelta(days=9)),
        buyer=Party("Ana", "ana@example.com", "br", "pt-BR", "c-1"),
        opened_at=T0 - timedelta(days=2),
        deadlines=(
            Deadline(DeadlineKind.PLATFORM_RESPONSE, T0 + timedelta(days=7), "shopify"),
            Deadline("return_window", T0 + timedelta(days=14), "law", Actor.BUYER),
        ),
        evidence=(
            Evidence("ev-1", Actor.MERCHANT, "shipping_documentation", T0, "tracking", "https://x"),
            Evidence("ev-2", "buyer", "photo", T0 + timedelta(hours=1)),
        ),
        messages=(Message("m-1", Actor.BUYER, "where is it?", T0 - timedelta(days=1)),),
        extra={"network": "visa", "nested": {"a": [1, 2]}},
    )


def make_case(**overrides):
    fields = {
        "id": "case_1",
        "connection_id": "conn_1",
        "platform": "shopify",
        "object_type": "dispute",
        "external_id": "9007199254740993",
        "kind": CaseKind.CHARGEBACK,
        "status": CaseStatus.NEEDS_RESPONSE,
        "category": Category.FRAUD,
        "opened_at": T0,
        "updated_at": T0 + timedelta(hours=1),
    }
    fields.update(overrides)
    return Case(**fields)


# -- clock ----------------------------------------------------------------------------------


def test_clock_refuses_naive_and_normalises_to_utc():
    with pytest.raises(InvalidInputError, match="naive"):
        ensure_utc(NAIVE)
    tokyo = datetime(2026, 3, 1, 21, 0, tzinfo=TOKYO)
    assert ensure_utc(tokyo) == T0
    assert ensure_utc(tokyo).tzinfo is UTC
    assert utcnow().tzinfo is UTC


def test_rfc3339_writes_z_and_parses_offsets():
    assert to_rfc3339(T0) == "2026-03-01T12:00:00Z"
    assert to_rfc3339(T0.replace(microsecond=5)) == "2026-03-01T12:00:00.000005Z"
    assert to_rfc3339(datetime(2026, 3, 1, 21, 0, tzinfo=TOKYO)) == "2026-03-01T12:00:00Z"
    assert parse_rfc3339("2026-03-01T12:00:00Z") == T0
    assert parse_rfc3339("2026-03-01T21:00:00+09:00") == T0
    assert parse_rfc3339("2026-03-01t12:00:00z") == T0
    assert parse_rfc3339(" 2026-03-01T12:00:00Z ").tzinfo is UTC


@pytest.mark.parametrize("text", ["2026-03-01T12:00:00", "yesterday", "", None, 5])
def test_parse_rfc3339_refuses_zoneless_or_garbage(text):
    with pytest.raises(InvalidInputError):
        parse_rfc3339(text)


# -- naive datetimes are refused everywhere -----------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda: snap(observed_at=NAIVE),
        lambda: snap(opened_at=NAIVE),
        lambda: Order(placed_at=NAIVE),
        lambda: Evidence("e", Actor.BUYER, "photo", NAIVE),
        lambda: Message("m", Actor.BUYER, "hi", NAIVE),
        lambda: Deadline(DeadlineKind.PLATFORM_RESPONSE, NAIVE, "shopify"),
        lambda: TimelineEntry(NAIVE, Actor.SYSTEM, TimelineKind.NOTE, "note"),
    ],
)
def test_naive_datetimes_are_refused(build):
    with pytest.raises(InvalidInputError, match="naive"):
        build()


def test_aware_datetimes_are_converted_to_utc():
    tokyo = datetime(2026, 3, 1, 21, 0, tzinfo=TOKYO)
    snapshot = snap(observed_at=tokyo, opened_at=tokyo)
    assert snapshot.observed_at == T0
    assert snapshot.observed_at.tzinfo is UTC
    assert snapshot.opened_at is not None
    assert snapshot.opened_at.tzinfo is UTC
    assert Deadline("platform_response", tokyo, "x").due_at.tzinfo is UTC
    assert Evidence("e", "buyer", "photo", tokyo).submitted_at.tzinfo is UTC
    assert Message("m", "buyer", "hi", tokyo).sent_at.tzinfo is UTC
    assert Order(placed_at=tokyo).placed_at == T0
    assert TimelineEntry(tokyo, "system", "note", "n").at.tzinfo is UTC


# -- value objects ------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "stored"), [("de", "DE"), (" br ", "BR"), ("US", "US")])
def test_party_country_is_normalised(given, stored):
    assert Party(country=given).country == stored


@pytest.mark.parametrize("country", ["", "DEU", "D", "1A", "  ", "ÄÖ", "de-DE", 49])
def test_party_country_must_be_iso_alpha_2(country):
    with pytest.raises(SnapshotError, match="ISO 3166-1"):
        Party(country=country)


def test_party_round_trip_and_all_optional():
    assert Party().to_dict() == {
        "name": None,
        "email": None,
        "country": None,
        "locale": None,
        "external_id": None,
    }
    party = Party("Ana", "ana@example.com", "br", "pt-BR", "c-1")
    assert Party.from_dict(party.to_dict()) == party
    assert Party.from_dict({"country": "fr", "unknown_key": 1}) == Party(country="FR")


def test_enums_are_coerced_from_strings():
    assert Evidence("e", "buyer", "photo", T0).party is Actor.BUYER
    assert Message("m", "merchant", "hi", T0).party is Actor.MERCHANT
    deadline = Deadline("statutory_refund", T0, "law", "buyer")
    assert deadline.kind is DeadlineKind.STATUTORY_REFUND
    assert deadline.party is Actor.BUYER
    entry = TimelineEntry(T0, "platform", "opened", "x")
    assert entry.kind is TimelineKind.OPENED
    assert entry.actor is Actor.PLATFORM
    with pytest.raises(ValueError, match="nobody"):
        Evidence("e", "nobody", "photo", T0)
    with pytest.raises(ValueError, match="someday"):
        Deadline("someday", T0, "x")


def test_deadline_defaults_to_the_merchant():
    deadline = Deadline(DeadlineKind.PLATFORM_RESPONSE, T0, "shopify")
    assert deadline.party is Actor.MERCHANT
    data = deadline.to_dict()
    del data["party"]
    assert Deadline.from_dict(data).party is Actor.MERCHANT


@pytest.mark.parametrize(
    "value",
    [
        Order(),
        Order("1", "#1", Money("1.5", "USD"), T0),
        Evidence("e", Actor.BUYER, "photo", T0),
        Evidence("e", Actor.MERCHANT, "doc", T0, "desc", "https://u", "f.pdf", "application/pdf"),
        Message("m", Actor.PLATFORM, "ruling", T0),
        Deadline(DeadlineKind.NETWORK_RESPONSE, T0, "visa", Actor.MERCHANT),
        TimelineEntry(T0, Actor.SYSTEM, TimelineKind.NOTE, "note", {"k": [1]}, derived=False),
        TimelineEntry(T0, Actor.PLATFORM, TimelineKind.OPENED, "x", {}, derived=True),
    ],
)
def test_value_round_trips_through_json(value):
    data = json.loads(json.dumps(value.to_dict()))
    assert type(value).from_dict(data) == value


def test_value_json_uses_rfc3339_and_strings():
    assert Evidence("e", Actor.BUYER, "photo", T0).to_dict()["submitted_at"] == (
        "2026-03-01T12:00:00Z"
    )
    assert Order(total=Money("1.5", "USD")).to_dict()["total"] == {
        "value": "1.50",
        "currency": "USD",
    }
    assert Deadline("platform_response", T0, "s").to_dict() == {
        "kind": "platform_response",
        "due_at": "2026-03-01T12:00:00Z",
        "source": "s",
        "party": "merchant",
    }


def test_timeline_sort_key_is_a_total_order_on_content():
    early = TimelineEntry(T0, Actor.PLATFORM, TimelineKind.STATUS_CHANGED, "b")
    late = TimelineEntry(T0 + timedelta(seconds=1), Actor.PLATFORM, TimelineKind.NOTE, "a")
    same_time_a = TimelineEntry(T0, Actor.PLATFORM, TimelineKind.NOTE, "a", {"x": 1})
    same_time_b = TimelineEntry(T0, Actor.PLATFORM, TimelineKind.NOTE, "a", {"x": 2})
    entries = [late, same_time_b, early, same_time_a]
    assert sorted(entries, key=TimelineEntry.sort_key) == [
        same_time_a,
        same_time_b,
        early,
        late,
    ]


# -- CaseSnapshot validation ----------------------------------------------------------------


@pytest.mark.parametrize("field", ["platform", "object_type", "external_id"])
@pytest.mark.parametrize("value", ["", None, 123, 9007199254740993])
def test_identity_fields_must_be_non_empty_strings(field, value):
    with pytest.raises(SnapshotError, match=field):
        snap(**{field: value})


@pytest.mark.parametrize(
    "status", [CaseStatus.NEEDS_RESPONSE, CaseStatus.AWAITING_BUYER, "under_review"]
)
def test_outcome_with_an_open_status_is_refused(status):
    with pytest.raises(SnapshotError, match="outcome"):
        snap(status=status, outcome=Outcome.MERCHANT_FAVOR)


def test_outcome_with_resolved_or_unknown_status_is_accepted():
    resolved = snap(status="resolved", outcome="merchant_favor")
    assert resolved.status is CaseStatus.RESOLVED
    assert resolved.outcome is Outcome.MERCHANT_FAVOR
    assert snap(status=None, outcome=Outcome.WITHDRAWN).outcome is Outcome.WITHDRAWN


def test_enums_are_coerced_and_unknown_values_refused():
    snapshot = snap(kind="return", status="awaiting_buyer", stage="appeal", category="damaged")
    assert snapshot.kind is CaseKind.RETURN
    assert snapshot.status is CaseStatus.AWAITING_BUYER
    assert snapshot.stage is Stage.APPEAL
    assert snapshot.category is Category.DAMAGED
    with pytest.raises(ValueError, match="teleported"):
        snap(status="teleported")
    with pytest.raises(ValueError, match="dispute"):
        snap(kind="dispute")


@pytest.mark.parametrize("revision", ["3", 3.0, True])
def test_revision_must_be_an_int(revision):
    with pytest.raises(SnapshotError, match="revision"):
        snap(revision=revision)


def test_amount_and_refunded_must_share_a_currency():
    with pytest.raises(SnapshotError, match="currency"):
        snap(amount=Money("10", "USD"), refunded=Money("10", "EUR"))
    # zero amounts are still amounts: the check must not depend on truthiness
    with pytest.raises(SnapshotError, match="currency"):
        snap(amount=Money("0", "USD"), refunded=Money("5", "EUR"))
    with pytest.raises(SnapshotError, match="currency"):
        snap(amount=Money("5", "USD"), refunded=Money("0", "JPY"))
    ok = snap(amount=Money("10", "USD"), refunded=Money("0", "USD"))
    assert ok.refunded == Money.zero("USD")


def test_sequences_become_tuples():
    deadline = Deadline("platform_response", T0, "s")
    evidence = Evidence("e", "buyer", "photo", T0)
    message = Message("m", "buyer", "hi", T0)
    snapshot = snap(deadlines=[deadline], evidence=[evidence], messages=[message])
    assert snapshot.deadlines == (deadline,)
    assert snapshot.evidence == (evidence,)
    assert snapshot.messages == (message,)
    assert snap().deadlines is None  # "does not say" differs from "no deadlines"
    assert snap(deadlines=[]).deadlines == ()


def test_snapshot_is_frozen():
    snapshot = snap()
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.status = CaseStatus.RESOLVED  # type: ignore[misc]


# -- CaseSnapshot JSON, fingerprint and order -----------------------------------------------


@pytest.mark.parametrize("build", [snap, full_snapshot, lambda: snap(deadlines=())])
def test_snapshot_round_trips_through_json(build):
    snapshot = build()
    data = json.loads(json.dumps(snapshot.to_dict()))
    again = CaseSnapshot.from_dict(data)
    assert again == snapshot
    assert again.to_dict() == snapshot.to_dict()
    assert again.fingerprint == snapshot.fingerprint


def test_snapshot_json_shape():
    data = full_snapshot().to_dict()
    assert data["external_id"] == "9007199254740993"
    assert data["observed_at"] == "2026-03-01T12:00:00Z"
    assert data["amount"] == {"value": "11.50", "currency": "CAD"}
    assert data["status"] == "resolved"
    assert data["outcome"] == "buyer_favor"
    assert data["buyer"]["country"] == "BR"
    assert snap().to_dict()["deadlines"] is None
    assert snap(deadlines=()).to_dict()["deadlines"] == []


def test_fingerprint_is_equal_for_equal_snapshots():
    a, b = full_snapshot(), full_snapshot()
    assert a is not b
    assert a.fingerprint == b.fingerprint
    assert len(a.fingerprint) == 64
    # the same instant written in another zone is the same snapshot
    tokyo = datetime(2026, 3, 1, 21, 0, tzinfo=TOKYO)
    assert snap(observed_at=tokyo).fingerprint == snap().fingerprint
    assert snap(extra={"a": 1, "b": 2}).fingerprint == snap(extra={"b": 2, "a": 1}).fingerprint


@pytest.mark.parametrize(
    "change",
    [
        {"external_id": "other"},
        {"object_type": "return"},
        {"observed_at": T0 + timedelta(microseconds=1)},
        {"revision": 4},
        {"status": None, "outcome": None},
        {"outcome": Outcome.PARTIAL},
        {"category": Category.OTHER},
        {"platform_status": "charge_refunded"},
        {"amount": Money("11.51", "CAD")},
        {"refunded": None},
        {"deadlines": None},
        {"deadlines": ()},
        {"evidence": ()},
        {"messages": ()},
        {"buyer": Party(country="PT")},
        {"extra": {}},
    ],
)
def test_fingerprint_differs_when_a_field_differs(change):
    base = full_snapshot()
    changed = dataclasses.replace(base, **change)
    assert changed != base
    assert changed.fingerprint != base.fingerprint


def test_order_key_orders_by_time_then_revision():
    early = snap(observed_at=T0, revision=9)
    late = snap(observed_at=T0 + timedelta(seconds=1), revision=1)
    rev_none = snap(observed_at=T0 + timedelta(seconds=1))
    rev_two = snap(observed_at=T0 + timedelta(seconds=1), revision=2)
    ordered = sorted([rev_two, late, early, rev_none], key=lambda s: s.order_key)
    assert ordered == [early, rev_none, late, rev_two]
    assert early.order_key < late.order_key  # the platform's clock comes first
    assert rev_none.order_key[1] == -1  # no revision sorts before any revision


def test_order_key_is_total_for_ties():
    a = snap(status=CaseStatus.NEEDS_RESPONSE)
    b = snap(status=CaseStatus.UNDER_REVIEW)
    assert a.order_key[:2] == b.order_key[:2]
    assert a.order_key != b.order_key
    assert sorted([a, b], key=lambda s: s.order_key) == sorted([b, a], key=lambda s: s.order_key)
    assert snap().order_key == snap().order_key


# -- Case -----------------------------------------------------------------------------------


def full_case():
    return make_case(
        stage=Stage.PRE_ARBITRATION,
        outcome=None,
        platform_reason="fraudulent",
        network_reason_code="10.4",
        platform_status="needs_response",
        amount=Money("100", "JPY"),
        refunded=Money("0", "JPY"),
        order=Order("1001", "#1001", Money("150", "JPY"), T0 - timedelta(days=3)),
        buyer=Party("Ken", None, "jp", "ja-JP"),
        deadlines=[
            Deadline(DeadlineKind.PLATFORM_RESPONSE, T0 + timedelta(days=7), "shopify"),
            Deadline(DeadlineKind.RETURN_WINDOW, T0 + timedelta(days=2), "law", Actor.BUYER),
        ],
        evidence=[Evidence("ev-1", Actor.BUYER, "photo", T0)],
        messages=[Message("m-1", Actor.MERCHANT, "hello", T0)],
        timeline=[
            TimelineEntry(T0, Actor.PLATFORM, TimelineKind.OPENED, "opened", {}, derived=True),
            TimelineEntry(T0, Actor.MERCHANT, TimelineKind.NOTE, "called buyer", {"by": "me"}),
        ],
        allowed_actions=[ActionType.ACCEPT, ActionType.ADD_NOTE],
        queue="fraud",
        extra={"network": "jcb"},
    )


@pytest.mark.parametrize("build", [make_case, full_case])
def test_case_round_trips_through_json(build):
    case = build()
    data = json.loads(json.dumps(case.to_dict()))
    assert Case.from_dict(data) == case
    assert Case.from_dict(data).to_dict() == case.to_dict()


def test_case_json_has_the_public_names():
    data = full_case().to_dict()
    for key in (
        "id",
        "connection_id",
        "platform",
        "external_id",
        "kind",
        "stage",
        "category",
        "platform_reason",
        "network_reason_code",
        "platform_status",
        "status",
        "outcome",
        "amount",
        "refunded",
        "order",
        "buyer",
        "due_at",
        "deadlines",
        "opened_at",
        "updated_at",
        "allowed_actions",
        "evidence",
        "timeline",
    ):
        assert key in data, key
    assert data["amount"] == {"value": "100", "currency": "JPY"}
    assert data["opened_at"] == "2026-03-01T12:00:00Z"
    assert data["external_id"] == "9007199254740993"
    assert data["allowed_actions"] == ["accept", "add_note"]
    assert data["must_act"] == "merchant"
    # the merchant must act: the merchant's deadline, not the buyer's earlier one
    assert data["due_at"] == "2026-03-08T12:00:00Z"


def test_case_from_dict_ignores_derived_keys():
    data = full_case().to_dict()
    data["due_at"] = "1999-01-01T00:00:00Z"
    data["must_act"] = "buyer"
    case = Case.from_dict(data)
    assert case == full_case()
    assert case.due_at == T0 + timedelta(days=7)


@pytest.mark.parametrize(
    ("status", "must_act", "due"),
    [
        (CaseStatus.NEEDS_RESPONSE, Actor.MERCHANT, T0 + timedelta(days=7)),
        (CaseStatus.AWAITING_BUYER, Actor.BUYER, T0 + timedelta(days=2)),
        (CaseStatus.UNDER_REVIEW, Actor.PLATFORM, None),
        (CaseStatus.RESOLVED, None, None),
    ],
)
def test_due_at_follows_the_party_that_must_act(status, must_act, due):
    case = dataclasses.replace(full_case(), status=status)
    assert case.must_act == must_act
    assert case.due_at == due


def test_due_at_is_the_earliest_deadline_of_that_party():
    case = make_case(
        deadlines=[
            Deadline(DeadlineKind.PLATFORM_RESPONSE, T0 + timedelta(days=9), "shopify"),
            Deadline(DeadlineKind.INTERNAL_SLA, T0 + timedelta(days=1), "sla"),
            Deadline(DeadlineKind.NETWORK_RESPONSE, T0 + timedelta(days=30), "visa"),
        ]
    )
    assert case.due_at == T0 + timedelta(days=1)
    assert make_case().due_at is None
    assert make_case().to_dict()["due_at"] is None
