"""Deadlines: the platform's, network windows, statutory refunds, the SLA, the buyer's window;
``due_at`` is the earliest of the party that must act, and computed ones survive merges."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from disputeflow import Deadline, Message, Money, SnapshotError
from disputeflow.core.merge import merge_snapshot
from disputeflow.core.taxonomy import ActionType
from disputeflow.core.testing import minimal_case
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.features.handling.deadlines import (
    NETWORK_WINDOWS,
    buyer_response_due,
    card_network,
    computed_deadlines,
    refresh_computed,
)
from disputeflow.features.handling.rules import FairnessSettings, Rules
from disputeflow.features.handling.rules_file import parse_rules
from tests.builders import T0, snapshot
from tests.core.handling.conftest import a_return, ingest, load


def chargeback(**changes):
    case = replace(minimal_case("fake", "chargeback"), opened_at=T0, updated_at=T0)
    for name, value in changes.items():
        setattr(case, name, value)
    return case


@pytest.mark.parametrize(("network", "days"), sorted(NETWORK_WINDOWS.items()))
def test_each_networks_window_when_the_platform_gives_none(network, days):
    case = chargeback(extra={"network": network})
    [deadline] = computed_deadlines(case, Rules())
    assert (deadline.kind, deadline.party) == ("network_response", "merchant")
    assert deadline.due_at == T0 + timedelta(days=days)
    assert deadline.source == f"disputeflow:network:{network}"
    assert deadline.computed


@pytest.mark.parametrize(
    ("extra", "code", "network"),
    [
        ({"card_brand": "Master Card"}, None, "mastercard"),
        ({"card_brand": "JCB"}, "10.4", "visa"),
        ({"card_brand": "MasterCard"}, None, "mastercard"),
        ({"brand": "American Express"}, None, "amex"),
        ({}, "10.4", "visa"),
        ({}, "12.6.1", "visa"),
        ({}, "4853", "mastercard"),
        ({}, "C08", "amex"),
        ({}, "FR2", "amex"),
        ({}, "UA02", "discover"),
        ({}, "RN2", None),
        ({}, None, None),
    ],
)
def test_the_network_from_extra_or_the_reason_codes_shape(extra, code, network):
    assert card_network(chargeback(extra=extra, network_reason_code=code)) == network


def test_an_unknown_network_gets_the_shortest_window_so_it_is_never_missed():
    [deadline] = computed_deadlines(chargeback(), Rules())
    assert deadline.due_at == T0 + timedelta(days=20)
    assert deadline.source == "disputeflow:network:unknown"


def test_the_platforms_deadline_wins_and_only_a_response_needs_one():
    platform = Deadline("platform_response", T0 + timedelta(days=7), "fake")
    assert computed_deadlines(chargeback(deadlines=[platform]), Rules()) == []
    assert computed_deadlines(chargeback(status="under_review"), Rules()) == []
    assert computed_deadlines(chargeback(kind="inquiry"), Rules()) == []


def test_due_at_is_the_earliest_open_deadline_of_the_party_that_must_act(runtime, connection_id):
    use = parse_rules("[deadlines]\nfirst_response_hours = 48\n")
    runtime.rules = use
    case = ingest(runtime, connection_id, snapshot(extra={"network": "visa"}))
    assert [(d.kind, d.source) for d in case.deadlines] == [
        ("internal_sla", "disputeflow:sla:first_response"),
        ("network_response", "disputeflow:network:visa"),
    ]
    assert case.due_at == T0 + timedelta(hours=48)
    buyer = Deadline("return_window", T0 + timedelta(hours=1), "fake", "buyer")
    case = ingest(runtime, connection_id, snapshot(hours=1, deadlines=(buyer,)))
    assert case.due_at == T0 + timedelta(hours=48), "the buyer's deadline is not the merchant's"


def test_a_sla_in_business_days_follows_the_calendar(runtime, connection_id):
    runtime.rules = parse_rules(
        '[deadlines]\nfirst_response_business_days = 1\ncalendar = "DE"\n'
        'timezone = "Europe/Berlin"\n'
    )
    friday = datetime(2026, 12, 24, 15, 0, tzinfo=UTC)  # Christmas Eve, then two holidays
    case = ingest(runtime, connection_id, snapshot(opened_at=friday, observed_at=friday))
    [sla] = [d for d in case.deadlines if d.kind == "internal_sla"]
    assert sla.due_at == datetime(2026, 12, 28, 22, 59, 59, 999999, tzinfo=UTC)


def test_the_sla_is_met_by_the_merchants_first_response(runtime, connection_id):
    runtime.rules = parse_rules("[deadlines]\nfirst_response_hours = 4\n")
    case = ingest(runtime, connection_id, snapshot())
    assert case.due_at == T0 + timedelta(hours=4)
    request_action(runtime, case.id, ActionInput(ActionType.CONTEST, message="tracked"))
    case = load(runtime, case.id)
    assert [d.kind for d in case.deadlines] == ["network_response"]
    assert case.due_at == T0 + timedelta(days=20)


def test_statutory_refund_deadline_for_an_eu_return_not_for_a_us_one(runtime, connection_id):
    german = ingest(runtime, connection_id, a_return("r1", country="DE"))
    [deadline] = german.deadlines
    assert (deadline.kind, deadline.source) == ("statutory_refund", "disputeflow:statutory:DE")
    assert deadline.due_at == T0 + timedelta(days=14)
    assert german.due_at == deadline.due_at
    american = ingest(runtime, connection_id, a_return("r2", country="US"))
    assert american.deadlines == []


def test_the_statutory_refund_deadline_ends_with_the_refund(runtime, connection_id):
    ingest(runtime, connection_id, a_return("r1", country="FR"))
    refunded = ingest(
        runtime,
        connection_id,
        a_return("r1", country="FR", hours=2, refunded=Money("40.00", "EUR")),
    )
    assert refunded.deadlines == []


def test_outside_the_statutory_window_there_is_no_statutory_refund_deadline(
    runtime, make_connection
):
    connection = make_connection("long", return_window_days=60)
    late = a_return("r1", country="DE", extra={"delivered_at": "2026-09-05T10:00:00Z"})
    case = ingest(runtime, connection, late)
    assert case.extra["policy"]["within_statutory_window"] is False
    assert case.extra["policy"]["within_window"] is True  # the store's 60 days still run
    assert case.deadlines == []


def test_computed_deadlines_survive_a_snapshot_that_states_deadlines(runtime, connection_id):
    first = ingest(runtime, connection_id, snapshot(extra={"network": "amex"}))
    assert [d.source for d in first.deadlines] == ["disputeflow:network:amex"]
    platform = Deadline("platform_response", T0 + timedelta(days=5), "fake")
    second = ingest(runtime, connection_id, snapshot(hours=1, deadlines=(platform,)))
    assert second.deadlines == [platform], "the platform's deadline replaces the network window"
    cleared = ingest(runtime, connection_id, snapshot(hours=2, deadlines=()))
    assert [d.source for d in cleared.deadlines] == ["disputeflow:network:amex"]
    removed = [e for e in cleared.timeline if e.kind == "deadline_removed"]
    assert [e.data["deadline"]["source"] for e in removed] == ["fake"]


def test_a_merge_keeps_computed_deadlines_and_a_refold_carries_them():
    computed = Deadline("internal_sla", T0 + timedelta(hours=4), "disputeflow:sla:first_response")
    first = snapshot(hours=0)
    case = merge_snapshot(None, first, [], case_id="c", connection_id="k").case
    case.deadlines = [computed]
    platform = Deadline("platform_response", T0 + timedelta(days=3), "fake")
    later = snapshot(hours=2, deadlines=(platform,))
    merged = merge_snapshot(case, later, [first], case_id="c", connection_id="k")
    assert merged.case.deadlines == [computed, platform]
    assert all("sla" not in e.summary for e in merged.new_entries)
    late = snapshot(hours=1, status="under_review")
    refolded = merge_snapshot(merged.case, late, [first, later], case_id="c", connection_id="k")
    assert refolded.late
    assert refolded.case.deadlines == [computed, platform]


def test_a_platform_may_not_claim_a_computed_source():
    with pytest.raises(SnapshotError, match="reserved"):
        snapshot(deadlines=(Deadline("platform_response", T0, "disputeflow:network:visa"),))


def test_refresh_reports_whether_anything_changed():
    case = chargeback()
    assert refresh_computed(case, Rules()) is True
    assert refresh_computed(case, Rules()) is False
    case.status = "under_review"
    assert refresh_computed(case, Rules()) is True
    assert case.deadlines == []


def test_a_buyer_asked_for_information_gets_at_least_the_merchants_window():
    platform = Deadline("platform_response", T0 + timedelta(days=10), "fake")
    case = chargeback(deadlines=[platform])
    now = T0 + timedelta(days=2)
    assert buyer_response_due(case, FairnessSettings(), now) == now + timedelta(days=10)
    short = chargeback(deadlines=[replace(platform, due_at=T0 + timedelta(days=2))])
    assert buyer_response_due(short, FairnessSettings(), now) == now + timedelta(days=7)
    minimum = FairnessSettings(buyer_response_days_min=14)
    assert buyer_response_due(case, minimum, now) == now + timedelta(days=14)


def test_buyer_window_on_a_platform_that_sends_messages(runtime, connection_id, monkeypatch):
    from tests.fakes.marketplace import FakeMarketplace

    caps = FakeMarketplace.capabilities
    richer = type(caps).build(
        {"return": ["approve_return", "decline_return", "refund", "send_message"]}
    )
    monkeypatch.setattr(FakeMarketplace, "capabilities", richer)
    case = ingest(runtime, connection_id, a_return("r1", country="US"))
    asked = ActionInput(
        ActionType.SEND_MESSAGE, message="A photo please?", params={"request_info": True}
    )
    action, _ = request_action(runtime, case.id, asked)
    due = action["params"]["buyer_response_due"]
    case = load(runtime, case.id)
    [window] = [d for d in case.deadlines if d.kind == "buyer_response"]
    assert (window.party, window.source) == (
        "buyer",
        f"disputeflow:information_request:{action['id']}",
    )
    assert window.due_at.isoformat().replace("+00:00", "Z") == due
    assert window.due_at - datetime.now(UTC) > timedelta(days=6, hours=23)
    answer = Message("m-answer", "buyer", "here it is", datetime.now(UTC) + timedelta(minutes=1))
    answered = ingest(
        runtime,
        connection_id,
        a_return("r1", country="US", messages=(answer,), observed_at=datetime.now(UTC)),
    )
    assert [d.kind for d in answered.deadlines] == []
