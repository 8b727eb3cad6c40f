"""Automation rules: through the outbox like a person, dry runs, daily limits, once per case,
the statutory refusal, and a timeline entry naming the rule on every decision."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from disputeflow import Money
from disputeflow.engine.store import actions
from disputeflow.engine.store.tables import CaseRow, RuleRunRow
from disputeflow.engine.worker import Worker
from disputeflow.features.handling.automation import evaluate_case, run_automation
from tests.builders import T0, snapshot
from tests.core.handling.conftest import a_return, ingest, load

APPROVE = """
[[automation]]
name = "approve-small"
action = "approve_return"
when = { kind = "return", amount_under = "50", within_window = true }
rationale = "Small returns in the window are approved."
daily_limit = 2
"""
DECLINE = """
[[automation]]
name = "decline-all"
action = "decline_return"
when = { kind = "return" }
rationale = "We take no returns."
"""


def stored_actions(runtime, case_id):
    with runtime.database.session() as session:
        return [actions.describe(row) for row in actions.list_for_case(session, case_id)]


def runs(runtime):
    with runtime.database.session() as session:
        rows = session.scalars(select(RuleRunRow).order_by(RuleRunRow.id))
        return [(row.rule, row.outcome, row.dry_run) for row in rows]


def rule_entries(runtime, case_id):
    return [e for e in load(runtime, case_id).timeline if e.kind == "rule_applied"]


def test_a_rule_acts_through_the_outbox_like_a_person(runtime, connection_id, use_rules):
    use_rules(APPROVE)
    case = ingest(runtime, connection_id, a_return("r1", country="US"))
    assert evaluate_case(runtime, case.id, now=T0) == {"approve-small": "requested"}
    [action] = stored_actions(runtime, case.id)
    assert (action["type"], action["status"], action["requested_by"]) == (
        "approve_return",
        "pending",
        "rule:approve-small",
    )
    assert action["idempotency_key"] == f"rule:approve-small:{case.id}"
    entry = load(runtime, case.id).timeline[-1]
    assert (entry.kind, entry.actor) == ("action_requested", "system")
    assert entry.summary == (
        "approve_return requested by rule:approve-small: Small returns in the window are approved."
    )
    assert runs(runtime) == [("approve-small", "requested", False)]


def test_a_rule_acts_once_per_case(runtime, connection_id, use_rules):
    use_rules(APPROVE)
    case = ingest(runtime, connection_id, a_return("r1", country="US"))
    evaluate_case(runtime, case.id, now=T0)
    assert evaluate_case(runtime, case.id, now=T0) == {"approve-small": "skipped"}
    assert len(stored_actions(runtime, case.id)) == 1


def test_conditions_that_fail_do_nothing(runtime, connection_id, use_rules):
    use_rules(APPROVE)
    big = ingest(runtime, connection_id, a_return("r1", country="US", amount="80.00"))
    late = ingest(runtime, connection_id, a_return("r2", country="US", days_after_order=40))
    assert evaluate_case(runtime, big.id, now=T0) == {}
    assert evaluate_case(runtime, late.id, now=T0) == {}  # within_window unknown: no guess
    assert runs(runtime) == []


def test_a_dry_run_records_what_would_happen_and_does_nothing(runtime, connection_id, use_rules):
    use_rules(APPROVE.replace("daily_limit = 2", "dry_run = true"))
    case = ingest(runtime, connection_id, a_return("r1", country="US"))
    assert evaluate_case(runtime, case.id, now=T0) == {"approve-small": "dry_run"}
    assert stored_actions(runtime, case.id) == []
    [entry] = rule_entries(runtime, case.id)
    assert entry.actor == "system"
    assert entry.summary == (
        "rule approve-small would approve_return (dry run): "
        "Small returns in the window are approved."
    )
    assert entry.data == {"rule": "approve-small", "action": "approve_return", "dry_run": True}
    assert runs(runtime) == [("approve-small", "dry_run", True)]


def test_a_file_wide_dry_run_covers_every_rule(runtime, connection_id, use_rules):
    use_rules("dry_run = true\n" + APPROVE)
    case = ingest(runtime, connection_id, a_return("r1", country="US"))
    assert evaluate_case(runtime, case.id, now=T0) == {"approve-small": "dry_run"}
    assert stored_actions(runtime, case.id) == []


def test_the_daily_limit_leaves_the_rest_to_a_person(runtime, connection_id, use_rules):
    use_rules(APPROVE)
    ids = [ingest(runtime, connection_id, a_return(f"r{n}", country="US")).id for n in range(3)]
    outcomes = [evaluate_case(runtime, case_id, now=T0) for case_id in ids]
    assert outcomes == [
        {"approve-small": "requested"},
        {"approve-small": "requested"},
        {"approve-small": "skipped"},
    ]
    [entry] = rule_entries(runtime, ids[2])
    assert entry.summary == (
        "rule approve-small matched, but its daily limit of 2 is reached: "
        "approve_return is left to a person"
    )
    assert stored_actions(runtime, ids[2]) == []
    tomorrow = T0 + timedelta(days=1)
    assert evaluate_case(runtime, ids[2], now=tomorrow) == {"approve-small": "requested"}


def test_dry_runs_count_towards_the_daily_limit(runtime, connection_id, use_rules):
    use_rules(APPROVE.replace("daily_limit = 2", "daily_limit = 1\ndry_run = true"))
    first = ingest(runtime, connection_id, a_return("r1", country="US"))
    second = ingest(runtime, connection_id, a_return("r2", country="US"))
    evaluate_case(runtime, first.id, now=T0)
    assert evaluate_case(runtime, second.id, now=T0) == {"approve-small": "skipped"}
    assert "daily limit of 1" in rule_entries(runtime, second.id)[0].summary


def test_a_rule_cannot_decline_what_the_buyers_rights_grant(runtime, connection_id, use_rules):
    use_rules(DECLINE)
    case = ingest(runtime, connection_id, a_return("r1", country="DE"))
    assert evaluate_case(runtime, case.id, now=T0) == {"decline-all": "refused"}
    assert stored_actions(runtime, case.id) == []
    [entry] = rule_entries(runtime, case.id)
    assert entry.summary.startswith(
        "rule decline-all tried decline_return, refused: decline_return refused: "
        "a buyer in Germany (DE) may withdraw"
    )
    assert runs(runtime) == [("decline-all", "refused", False)]
    american = ingest(runtime, connection_id, a_return("r2", country="US"))
    assert evaluate_case(runtime, american.id, now=T0) == {"decline-all": "requested"}


def test_a_dry_run_says_when_the_flow_would_refuse(runtime, connection_id, use_rules):
    use_rules(DECLINE + "dry_run = true\n")
    case = ingest(runtime, connection_id, a_return("r1", country="AT"))
    assert evaluate_case(runtime, case.id, now=T0) == {"decline-all": "refused"}
    [entry] = rule_entries(runtime, case.id)
    assert entry.summary.startswith("rule decline-all would try decline_return, refused:")
    assert entry.data["dry_run"] is True


def test_only_the_first_matching_platform_rule_acts_and_assign_rules_always_may(
    runtime, connection_id, use_rules
):
    use_rules(
        APPROVE
        + DECLINE
        + """
[[automation]]
name = "to-returns-desk"
action = "assign"
queue = "returns-desk"
when = { kind = "return" }
rationale = "Returns go to the returns desk."
"""
    )
    case = ingest(runtime, connection_id, a_return("r1", country="US"))
    assert evaluate_case(runtime, case.id, now=T0) == {
        "approve-small": "requested",
        "to-returns-desk": "assigned",
    }
    stored = load(runtime, case.id)
    assert stored.queue == "returns-desk"
    assert stored.extra["routing"] == {"queue": "returns-desk", "rule": "to-returns-desk"}
    assert [e.summary for e in rule_entries(runtime, case.id)] == [
        "rule to-returns-desk assigned the case to returns-desk: Returns go to the returns desk."
    ]
    assert [a["type"] for a in stored_actions(runtime, case.id)] == ["approve_return"]


def test_accept_a_small_chargeback_and_refund_the_rest(runtime, connection_id, use_rules):
    use_rules(
        """
[[automation]]
name = "accept-tiny"
action = "accept"
when = { kind = "chargeback", amount_under = "15" }
rationale = "Fighting costs more than 15 EUR."

[[automation]]
name = "refund-returns"
action = "refund"
when = { kind = "return", buyer_country = "US" }
rationale = "US returns are refunded."
"""
    )
    tiny = ingest(runtime, connection_id, snapshot("cb", amount=Money("9.99", "EUR")))
    assert evaluate_case(runtime, tiny.id, now=T0) == {"accept-tiny": "requested"}
    part = ingest(
        runtime, connection_id, a_return("r1", country="US", refunded=Money("10.00", "EUR"))
    )
    assert evaluate_case(runtime, part.id, now=T0) == {"refund-returns": "requested"}
    [refund] = stored_actions(runtime, part.id)
    assert refund["params"]["amount"] == {"value": "30.00", "currency": "EUR"}


def test_tracking_is_submitted_for_a_not_received_claim(runtime, connection_id, use_rules):
    use_rules(
        """
[[automation]]
name = "tracking"
action = "submit_tracking"
when = { kind = "chargeback", category = "not_received" }
rationale = "Delivered, says the carrier."
"""
    )
    bare = ingest(runtime, connection_id, snapshot("cb0", category="not_received"))
    assert evaluate_case(runtime, bare.id, now=T0) == {}  # nothing to submit: nothing done
    tracked = snapshot(
        "cb1",
        category="not_received",
        extra={"tracking": {"number": "1Z999", "carrier": "UPS", "url": "https://ups.test/1Z999"}},
    )
    case = ingest(runtime, connection_id, tracked)
    assert evaluate_case(runtime, case.id, now=T0) == {"tracking": "requested"}
    [contest] = stored_actions(runtime, case.id)
    assert contest["type"] == "contest"
    [evidence] = contest["params"]["evidence"]
    assert (evidence["kind"], evidence["party"], evidence["url"]) == (
        "shipping_documentation",
        "merchant",
        "https://ups.test/1Z999",
    )
    assert evidence["description"] == "Shipped with UPS, tracking number 1Z999"


def test_a_request_for_information_gives_the_buyer_a_window(
    runtime, connection_id, use_rules, monkeypatch
):
    from tests.fakes.marketplace import FakeMarketplace

    richer = type(FakeMarketplace.capabilities).build(
        {"return": ["approve_return", "decline_return", "refund", "send_message"]}
    )
    monkeypatch.setattr(FakeMarketplace, "capabilities", richer)
    use_rules(
        """
[[automation]]
name = "photos"
action = "request_information"
when = { kind = "return", category = "damaged" }
message = "Could you send a photo?"
rationale = "Photos save a return trip."
"""
    )
    case = ingest(runtime, connection_id, a_return("r1", country="US", category="damaged"))
    assert evaluate_case(runtime, case.id, now=T0) == {"photos": "requested"}
    [message] = stored_actions(runtime, case.id)
    assert (message["type"], message["params"]["message"]) == (
        "send_message",
        "Could you send a photo?",
    )
    assert message["params"]["request_info"] is True
    assert [d.kind for d in load(runtime, case.id).deadlines] == ["buyer_response"]


def test_the_worker_runs_the_rules_on_changed_cases_once(runtime, connection_id, use_rules):
    use_rules(APPROVE)
    case = ingest(runtime, connection_id, a_return("r1", country="US"))
    with runtime.database.session() as session:
        assert session.get(CaseRow, case.id).rules_due_at is not None
    assert run_automation(runtime) == 1
    assert run_automation(runtime) == 0  # seen: nothing changed since
    ingest(runtime, connection_id, a_return("r1", country="US", hours=1, status="awaiting_buyer"))
    assert run_automation(runtime) == 1
    assert len(stored_actions(runtime, case.id)) == 1  # once per case, however often it changes


@pytest.fixture
def no_syncs(monkeypatch):
    """Worker rounds without the fake platform's scheduled syncs (they count as work)."""
    monkeypatch.setattr("disputeflow.engine.worker.run_due_syncs", lambda runtime: 0)


def test_no_rules_leave_the_worker_idle(runtime, connection_id, no_syncs):
    ingest(runtime, connection_id, a_return("r1", country="US"))
    assert run_automation(runtime) == 0
    assert Worker(runtime).run_once() == 0


def test_a_worker_round_counts_the_cases_the_rules_looked_at(
    runtime, connection_id, use_rules, no_syncs
):
    use_rules(APPROVE)
    case = ingest(runtime, connection_id, a_return("r1", country="US"))
    assert Worker(runtime).run_once() == 1
    with runtime.database.session() as session:
        assert session.get(CaseRow, case.id).rules_due_at is None
    assert [a["requested_by"] for a in stored_actions(runtime, case.id)] == ["rule:approve-small"]


@pytest.mark.parametrize("country", ["DE", "US"])
def test_buyer_facts_from_the_triage_are_what_rules_see(runtime, connection_id, use_rules, country):
    use_rules(
        """
[[automation]]
name = "flag-short-policies"
action = "assign"
queue = "policy-review"
when = { below_statutory = true }
rationale = "Our policy is below the law here: a person checks."
"""
    )
    case = ingest(runtime, connection_id, a_return("r1", country=country))
    expected = {"flag-short-policies": "assigned"} if country == "DE" else {}
    assert evaluate_case(runtime, case.id, now=T0) == expected


def test_workers_racing_on_one_case_act_once_and_keep_the_limit(runtime, connection_id, use_rules):
    from concurrent.futures import ThreadPoolExecutor

    use_rules(APPROVE.replace("daily_limit = 2", "daily_limit = 3"))
    ids = [ingest(runtime, connection_id, a_return(f"r{n}", country="US")).id for n in range(5)]
    work = [case_id for case_id in ids for _ in range(3)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda case_id: evaluate_case(runtime, case_id, now=T0), work))
    requested = [a for case_id in ids for a in stored_actions(runtime, case_id)]
    assert len(requested) == 3, "the daily limit holds across racing workers"
    assert len({a["case_id"] for a in requested}) == 3, "and no case gets two"
    assert [outcome for _, outcome, _ in runs(runtime)] == ["requested"] * 3
