"""docs/handling.md: its example rules file is the one these tests load, and it works."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from disputeflow import Money, Party
from disputeflow.engine.store import actions
from disputeflow.features.handling.automation import evaluate_case
from disputeflow.features.handling.rules_file import parse_rules
from tests.builders import T0, snapshot
from tests.core.handling.conftest import a_return, ingest, load

DOC = Path(__file__).parents[3] / "docs" / "handling.md"


def example_text():
    """The ```toml block under "Example rules file", as the reader sees it."""
    text = DOC.read_text()
    section = text.split("### Example rules file", 1)[1]
    found = re.search(r"```toml\n(.*?)```", section, re.S)
    assert found, "docs/handling.md must show the example rules file in a toml block"
    return found.group(1)


@pytest.fixture
def example(runtime):
    runtime.rules = parse_rules(example_text(), source="docs/handling.md")
    return runtime.rules


def test_the_documented_example_parses_as_documented(example):
    assert example.reporting_currency == "EUR"
    assert example.rates["USD"] == Decimal("0.92")
    assert example.deadlines.first_response_business_days == 1
    assert example.deadlines.calendar.country == "DE"
    assert example.fairness.require_rationale is True
    assert [route.name for route in example.routes] == [
        "dach-high-value",
        "fraud",
        "asia-returns",
    ]
    assert [(rule.name, rule.action) for rule in example.automation] == [
        ("approve-small-returns-in-window", "approve_return"),
        ("accept-tiny-chargebacks", "accept"),
        ("tracking-for-not-received", "submit_tracking"),
        ("fight-complete-fraud", "submit_evidence"),
        ("ask-for-photos", "request_information"),
        ("repeat-buyers-to-review", "assign"),
    ]
    assert [example.is_dry_run(rule) for rule in example.automation] == [
        False,
        True,
        False,
        False,
        False,
        False,
    ]


def test_every_condition_field_the_doc_lists_exists():
    from disputeflow.features.handling.conditions import FIELDS

    text = DOC.read_text()
    listed = text.split("**Conditions**", 1)[1].split("**Automation rules**", 1)[0]
    named = set(re.findall(r"`([a-z_]+)`", listed)) - {"when", "_not", "_over", "_under"}
    named -= {"_at_least", "_at_most"}
    assert named == set(FIELDS)


def test_the_example_routes_and_approves_as_the_doc_says(runtime, connection_id, example):
    german = Party(country="DE", email="de@example.org")
    big_german = ingest(
        runtime, connection_id, snapshot("cb1", amount=Money("300.00", "EUR"), buyer=german)
    )
    assert big_german.queue == "team-dach-priority"
    chinese = ingest(runtime, connection_id, a_return("r-cn", country="CN", amount="10.00"))
    assert chinese.queue == "returns-asia"
    small = ingest(runtime, connection_id, a_return("r-de", country="DE", amount="20.00"))
    outcomes = evaluate_case(runtime, small.id, now=T0)
    assert outcomes == {"approve-small-returns-in-window": "requested"}
    with runtime.database.session() as session:
        [action] = [actions.describe(row) for row in actions.list_for_case(session, small.id)]
    assert (action["type"], action["requested_by"]) == (
        "approve_return",
        "rule:approve-small-returns-in-window",
    )
    damaged = a_return("r-dmg", country="US", category="other", words="it arrived damaged")
    case = ingest(runtime, connection_id, damaged)
    assert load(runtime, case.id).category == "damaged"


def test_the_doc_names_every_deadline_source():
    text = DOC.read_text()
    for source in ("disputeflow:network:", "disputeflow:statutory:", "disputeflow:sla:"):
        assert source in text
