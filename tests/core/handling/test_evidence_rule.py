"""The automatic evidence submission (``action = "submit_evidence"``), run by the worker under
a frozen clock: three business days before the platform's deadline, only with a complete
packet, never on a case an agent took, never twice, and a dry run only records.

Dates (November 2026, checked against a calendar): the 16th is a Monday, the 17th a
Tuesday, the 20th a Friday, the 23rd a Monday; the 26th is Thanksgiving, a US federal
holiday (the fourth Thursday of November).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import responses
import time_machine
from sqlalchemy import select

from disputeflow import Deadline, EvidenceItem, Party, hookimpl
from disputeflow.core.errors import ConfigurationError
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.store import actions
from disputeflow.engine.store.tables import RuleRunRow
from disputeflow.engine.worker import Worker
from disputeflow.features.evidence import edits
from disputeflow.features.handling.evidence_rule import business_days_before
from disputeflow.features.handling.rules_file import parse_rules
from tests.builders import T0, snapshot
from tests.core.handling.conftest import ingest, load
from tests.fakes.http_api import BASE_URL, FakePlatformAPI

RULE = """
[[automation]]
name = "fight-complete-fraud"
action = "submit_evidence"
when = { category = "fraud", packet_complete = true }
rationale = "A complete fraud packet is worth fighting."
"""
BUYER = Party(name="Jo Buyer", email="jo@example.org")
FRIDAY_20 = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)


def at(day, hour=0, minute=0, second=0):
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


class Platform:
    """The platform's evidence for a fraud packet (billing address and card checks; the
    buyer's name comes from the case), for the cases named in ``complete``."""

    def __init__(self, *complete):
        self.complete = set(complete)
        self.asked = 0  # each answer may be calls to the merchant's platform

    @hookimpl
    def disputeflow_collect_evidence(self, case):
        self.asked += 1
        if case.external_id not in self.complete:
            return []
        return [
            EvidenceItem("billing_address", "1 Main St, Springfield", "the payment"),
            EvidenceItem("card_checks", "CVC pass, AVS pass", "the payment"),
        ]


@pytest.fixture
def platform(runtime):
    found = Platform("complete")
    runtime.plugins.register(found, name="platform")
    yield found
    runtime.plugins.unregister(name="platform")


@pytest.fixture
def api():
    """The fake platform's HTTP API: the outbox sends contests here."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakePlatformAPI(mock)


@pytest.fixture
def connection_id(make_connection, api):
    return make_connection("eu-shop", return_window_days=7, api_base_url=BASE_URL)


@pytest.fixture(autouse=True)
def no_syncs(monkeypatch):
    """Worker rounds without the fake platform's scheduled syncs."""
    monkeypatch.setattr("disputeflow.engine.worker.run_due_syncs", lambda runtime: 0)


def a_case(runtime, connection_id, external_id="complete", due=FRIDAY_20, hours=0):
    deadline = Deadline("platform_response", due, "fake")
    snap = snapshot(external_id, hours=hours, buyer=BUYER, deadlines=(deadline,))
    with time_machine.travel(T0, tick=False):
        return ingest(runtime, connection_id, snap)


def round_at(runtime, moment):
    """One worker round (housekeeping included) with the clock stopped at ``moment``."""
    with time_machine.travel(moment, tick=False):
        Worker(runtime).run_once()


def contests(runtime, case_id):
    with runtime.database.session() as session:
        rows = actions.list_for_case(session, case_id)
        return [actions.describe(row) for row in rows if row.type == "contest"]


def notes(runtime, case_id):
    timeline = load(runtime, case_id).timeline
    return [e.summary for e in timeline if e.kind == "rule_applied"]


def test_submitted_three_business_days_before_the_deadline_not_four(
    runtime, connection_id, use_rules, platform
):
    use_rules(RULE)
    case = a_case(runtime, connection_id)
    round_at(runtime, T0)
    round_at(runtime, at(16, 23, 59, 59))  # Monday: four business days before Friday
    assert contests(runtime, case.id) == []
    round_at(runtime, at(17))  # Tuesday 00:00: the third business day before
    [action] = contests(runtime, case.id)
    assert action["requested_by"] == "rule:fight-complete-fraud"
    assert action["status"] == "pending"
    assert action["params"]["evidence_packet"] is True
    assert action["params"]["submit"] is True
    assert {"billing_address", "card_checks"} <= set(action["params"]["evidence_items"])
    assert action["idempotency_key"].startswith(f"evidence:{case.id}:")
    assert notes(runtime, case.id) == [
        "rule fight-complete-fraud submitted the evidence packet: "
        "A complete fraud packet is worth fighting."
    ]


def test_a_submission_asks_the_platform_for_the_packet_once(
    runtime, connection_id, use_rules, platform
):
    """The rule's test of ``packet_complete``, its check and the submission share one
    assembled packet: the platform is asked once, not four times."""
    use_rules(RULE)
    case = a_case(runtime, connection_id)
    round_at(runtime, at(16, 23, 59, 59))  # outside the window: no packet is needed
    assert platform.asked == 0
    round_at(runtime, at(17))
    assert len(contests(runtime, case.id)) == 1
    assert platform.asked == 1


def test_a_weekend_before_the_deadline_does_not_count(runtime, connection_id, use_rules, platform):
    """A Monday deadline: Friday, Thursday, Wednesday are the three business days."""
    use_rules(RULE)
    case = a_case(runtime, connection_id, due=at(23, 23))
    round_at(runtime, at(17, 12))  # Tuesday: four business days before
    assert contests(runtime, case.id) == []
    round_at(runtime, at(18))  # Wednesday
    assert len(contests(runtime, case.id)) == 1


def test_the_calendars_holidays_and_time_zone_count(runtime, connection_id, use_rules, platform):
    """A Friday deadline after Thanksgiving: Wednesday, Tuesday, Monday 23rd, from midnight
    in New York (05:00 UTC)."""
    use_rules(f'[deadlines]\ncalendar = "US"\ntimezone = "America/New_York"\n{RULE}')
    case = a_case(runtime, connection_id, due=at(27, 22))
    round_at(runtime, at(23, 4, 59))
    assert contests(runtime, case.id) == []
    round_at(runtime, at(23, 5))
    assert len(contests(runtime, case.id)) == 1


def test_days_before_the_deadline_is_a_setting(runtime, connection_id, use_rules, platform):
    use_rules(RULE + "days_before_deadline = 5\n")
    case = a_case(runtime, connection_id)
    round_at(runtime, at(12, 23))  # Thursday: six business days before Friday 20th
    assert contests(runtime, case.id) == []
    round_at(runtime, at(13))  # Friday 13th: the fifth
    assert len(contests(runtime, case.id)) == 1


def test_not_submitted_when_the_packet_is_incomplete(runtime, connection_id, use_rules, platform):
    """The rule without ``packet_complete`` in its conditions: the action checks it itself,
    says so once, and keeps its turn for when the packet is complete."""
    use_rules(RULE.replace(", packet_complete = true", ""))
    case = a_case(runtime, connection_id, external_id="lacking")
    round_at(runtime, at(17))
    round_at(runtime, at(17, 1))
    assert contests(runtime, case.id) == []
    assert notes(runtime, case.id) == [
        "rule fight-complete-fraud did not submit the evidence packet: the evidence packet "
        "is incomplete (missing: billing_address, card_checks)"
    ]
    platform.complete.add("lacking")  # the platform's data arrives, the case changes
    snap = snapshot("lacking", hours=2, buyer=BUYER,
                    deadlines=(Deadline("platform_response", FRIDAY_20, "fake"),))  # fmt: skip
    with time_machine.travel(at(17, 2), tick=False):
        ingest(runtime, connection_id, snap)
    round_at(runtime, at(17, 2))
    assert len(contests(runtime, case.id)) == 1


def test_a_rule_testing_packet_complete_does_not_match_an_incomplete_one(
    runtime, connection_id, use_rules, platform
):
    use_rules(RULE)
    case = a_case(runtime, connection_id, external_id="lacking")
    round_at(runtime, at(17))
    assert contests(runtime, case.id) == []
    assert notes(runtime, case.id) == []


def _assign(runtime, case_id):
    """The workspace's "assign" form: a note action requested by the agent."""
    wanted = ActionInput(
        "add_note", message="Assigned to ana", params={"assign_to": "ana"},
        requested_by="ana@example.org",
    )  # fmt: skip
    request_action(runtime, case_id, wanted)


def _edit_packet(runtime, case_id):
    edits.apply(runtime, case_id, edits.Change(statement="Our reply"), by="ana@example.org")


@pytest.mark.parametrize("take", [_assign, _edit_packet])
def test_not_submitted_when_an_agent_holds_the_case(
    runtime, connection_id, use_rules, platform, take
):
    use_rules(RULE)
    case = a_case(runtime, connection_id)
    with time_machine.travel(at(16), tick=False):
        take(runtime, case.id)
    round_at(runtime, at(17))
    round_at(runtime, at(18))
    assert contests(runtime, case.id) == []
    [said] = notes(runtime, case.id)
    assert said.startswith("rule fight-complete-fraud did not submit the evidence packet: ")
    assert "ana@example.org took the case" in said


def test_not_submitted_twice(runtime, connection_id, use_rules, platform, api):
    """Rounds after the submission (the outbox sends it; the case changes) add nothing,
    nor does a second rule of the same kind."""
    use_rules(RULE + RULE.replace('"fight-complete-fraud"', '"second"'))
    case = a_case(runtime, connection_id)
    round_at(runtime, at(17))
    round_at(runtime, at(17, 0, 1))  # the outbox sends the contest
    round_at(runtime, at(18))
    [action] = contests(runtime, case.id)
    assert action["status"] == "succeeded"
    assert [(call.external_id, call.body["type"]) for call in api.action_calls] == [
        ("complete", "contest")
    ]
    with runtime.database.session() as session:
        rows = session.execute(select(RuleRunRow.rule, RuleRunRow.outcome)).all()
    assert [tuple(row) for row in rows] == [("fight-complete-fraud", "requested")]
    assert notes(runtime, case.id)[1:] == [
        f"rule second did not submit the evidence packet: a contest was already requested "
        f"(action {action['id']})"
    ]


def test_a_dry_run_records_and_sends_nothing(runtime, connection_id, use_rules, platform):
    use_rules(RULE + "dry_run = true\n")
    case = a_case(runtime, connection_id)
    round_at(runtime, at(17))
    round_at(runtime, at(18))
    with runtime.database.session() as session:
        assert actions.list_for_case(session, case.id) == []
        rows = session.execute(select(RuleRunRow.outcome, RuleRunRow.dry_run)).all()
    assert [tuple(row) for row in rows] == [("dry_run", True)]
    assert notes(runtime, case.id) == [
        "rule fight-complete-fraud would submit_evidence (dry run): "
        "A complete fraud packet is worth fighting."
    ]


def test_the_daily_limit_leaves_the_rest_to_a_person(runtime, connection_id, use_rules):
    runtime.plugins.register(Platform("a", "b"), name="platform")
    try:
        use_rules(RULE + "daily_limit = 1\n")
        first = a_case(runtime, connection_id, external_id="a")
        second = a_case(runtime, connection_id, external_id="b")
        round_at(runtime, at(17))
    finally:
        runtime.plugins.unregister(name="platform")
    sent = [case.id for case in (first, second) if contests(runtime, case.id)]
    assert len(sent) == 1, "one a day"
    [left] = {first.id, second.id} - set(sent)
    assert notes(runtime, left) == [
        "rule fight-complete-fraud matched, but its daily limit of 1 is reached: "
        "submit_evidence is left to a person"
    ]


def test_never_after_the_deadline(runtime, connection_id, use_rules, platform):
    use_rules(RULE)
    case = a_case(runtime, connection_id)
    round_at(runtime, at(21))
    assert contests(runtime, case.id) == []


@pytest.mark.parametrize(
    ("due", "days", "expected"),
    [
        ((2026, 11, 20), 3, (2026, 11, 17)),  # Friday -> Tuesday
        ((2026, 11, 23), 3, (2026, 11, 18)),  # Monday -> Wednesday
        ((2026, 11, 22), 3, (2026, 11, 18)),  # Sunday -> Wednesday
        ((2026, 11, 20), 0, (2026, 11, 20)),
    ],
)
def test_business_days_before(due, days, expected):
    from datetime import date

    from disputeflow.engine.calendar import BusinessCalendar

    assert business_days_before(BusinessCalendar(), date(*due), days) == date(*expected)


def test_the_rules_file_checks_days_before_deadline():
    with pytest.raises(ConfigurationError) as raised:
        parse_rules(
            RULE + "days_before_deadline = 31\n"
            + RULE.replace('"fight-complete-fraud"', '"x"').replace("submit_evidence", "accept")
            + "days_before_deadline = 2\n"
        )  # fmt: skip
    assert raised.value.errors["rules"] == [
        "line 7: [[automation]] 'fight-complete-fraud'.days_before_deadline: takes a whole "
        "number from 0 to 30, got 31",
        "line 14: [[automation]] 'x'.days_before_deadline: only a submit_evidence rule takes it",
    ]
    assert parse_rules(RULE).automation[0].days_before_deadline == 3


def test_without_the_evidence_feature_nothing_is_submitted(
    runtime, connection_id, use_rules, platform
):
    use_rules(RULE.replace(", packet_complete = true", ""))
    case = a_case(runtime, connection_id)
    evidence = runtime.plugins.unregister(name="disputeflow.features.evidence.plugin")
    try:
        round_at(runtime, at(17))
    finally:
        runtime.plugins.register(evidence, name="disputeflow.features.evidence.plugin")
    assert contests(runtime, case.id) == []
    assert notes(runtime, case.id) == [
        "rule fight-complete-fraud did not submit the evidence packet: no plugin assembles "
        "evidence packets (the evidence feature is off)"
    ]


def test_the_evidence_docs_examples_parse():
    import re
    from pathlib import Path

    text = (Path(__file__).parents[3] / "docs" / "evidence.md").read_text()
    section = text.split("## Submitted automatically", 1)[1]
    block = re.search(r"```toml\n(.*?)```", section, re.S)
    assert block, "docs/evidence.md shows the example rules in a toml block"
    rules = parse_rules(block.group(1), source="docs/evidence.md").automation
    assert [(r.action, r.days_before_deadline) for r in rules] == [
        ("accept", 3),
        ("submit_evidence", 3),
        ("submit_evidence", 5),
    ]
