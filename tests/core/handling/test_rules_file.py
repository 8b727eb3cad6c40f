"""The rules file: parsed whole, every problem reported with its line and field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from disputeflow.core.errors import ConfigurationError
from disputeflow.core.testing import minimal_case
from disputeflow.engine.config import Settings
from disputeflow.engine.runtime import Runtime
from disputeflow.features.handling.conditions import case_facts, matches, parse_condition
from disputeflow.features.handling.rules import DEFAULT_LEAD_HOURS, Rules
from disputeflow.features.handling.rules_file import load_rules, parse_rules
from tests.builders import T0


def problems(text):
    with pytest.raises(ConfigurationError) as raised:
        parse_rules(text, source="rules.toml")
    return raised.value.errors["rules"]


def test_no_file_means_the_defaults():
    rules = Rules()
    assert (rules.routes, rules.automation, rules.reporting_currency) == ((), (), None)
    assert rules.deadlines.alert_lead_hours == DEFAULT_LEAD_HOURS
    assert rules.deadlines.first_response_due(T0) is None
    assert parse_rules("") == Rules(source="<rules>")


def test_a_full_file_parses():
    rules = parse_rules(
        """
reporting_currency = "eur"
dry_run = true

[rates]
USD = "0.92"
JPY = 1

[deadlines]
first_response_hours = 24
alert_lead_hours = [24, 72, 24]

[fairness]
require_rationale = true
buyer_response_days_min = 10

[priority]
categories = { fraud = 30 }
kinds = { return = 1 }

[[route]]
name = "vip"
queue = "vip"
when = { amount_at_least = "500", buyer_country = "de" }

[[automation]]
name = "ask"
action = "request_information"
message = "Photos?"
rationale = "photos help"
when = { category = ["damaged"] }
daily_limit = 3
"""
    )
    assert rules.reporting_currency == "EUR"
    assert rules.rates == {"USD": Decimal("0.92"), "JPY": Decimal(1)}
    assert rules.deadlines.alert_lead_hours == (72, 24)
    assert rules.deadlines.first_response_hours == 24
    assert (rules.fairness.require_rationale, rules.fairness.buyer_response_days_min) == (True, 10)
    assert dict(rules.priority.categories) == {"fraud": 30}
    assert dict(rules.priority.kinds) == {"return": 1}
    [route] = rules.routes
    assert (route.name, route.queue, route.line) == ("vip", "vip", 21)
    [rule] = rules.automation
    assert (rule.action, rule.message, rule.daily_limit, rule.line) == (
        "request_information",
        "Photos?",
        3,
        26,
    )
    assert rules.is_dry_run(rule)
    assert rule.requested_by == "rule:ask"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('reporting_currency = "EUX"', "line 1: rules.reporting_currency: unknown currency"),
        ("colour = 1", "line 1: rules.colour: unknown setting"),
        ("[rates]\nUSD = 0.92", 'line 2: rates.USD: write a positive decimal as text, e.g. "0.92"'),
        ('[rates]\nUSD = "-1"', "line 2: rates.USD: write a positive decimal"),
        ('[rates]\nXXY = "1"', "line 2: rates.XXY: unknown currency code 'XXY'"),
        ("[deadlines]\nfirst_response_hours = 0", "line 2: deadlines.first_response_hours: "),
        ('[deadlines]\ntimezone = "Mars/Olympus"', "line 2: deadlines.timezone: unknown time zone"),
        ('[deadlines]\ncalendar = "XX"', "line 2: deadlines.calendar: no public-holiday calendar"),
        ("[deadlines]\nalert_lead_hours = []", "line 2: deadlines.alert_lead_hours: takes a list"),
        ("[fairness]\nrequire_rationale = 1", "line 2: fairness.require_rationale: takes true"),
        ("[priority]\ncategories = { lost = 3 }", "line 2: priority.categories.lost: unknown"),
        (
            '[[route]]\nname = "Bad Name"\nqueue = "q"',
            "line 2: [[route]] 'Bad Name'.name: required: lower-case letters",
        ),
        ('[[route]]\nname = "r"', "line 1: [[route]] 'r'.queue: required"),
        (
            '[[route]]\nname = "r"\nqueue = "q"\nwhen = { buyer_countryy = "DE" }',
            "line 4: [[route]] 'r'.when.buyer_countryy: unknown field 'buyer_countryy'",
        ),
        (
            '[[route]]\nname = "r"\nqueue = "q"\nwhen = { kind_over = 3 }',
            "line 4: [[route]] 'r'.when.kind_over: _over compares numbers",
        ),
        (
            '[[route]]\nname = "r"\nqueue = "q"\nwhen = { amount_under = "lots" }',
            "line 4: [[route]] 'r'.when.amount_under: expected a number, got 'lots'",
        ),
        (
            '[[route]]\nname = "r"\nqueue = "q"\nwhen = { within_window = "yes" }',
            "line 4: [[route]] 'r'.when.within_window: within_window takes true or false",
        ),
        (
            '[[route]]\nname = "r"\nqueue = "q"\n[[route]]\nname = "r"\nqueue = "p"',
            "line 5: [[route]] 'r'.name: a rule of this name comes earlier",
        ),
        (
            '[[automation]]\nname = "a"\naction = "explode"\nrationale = "r"\n'
            'when = { kind = "return" }',
            "line 3: [[automation]] 'a'.action: one of: approve_return",
        ),
        (
            '[[automation]]\nname = "a"\naction = "accept"\nrationale = "r"',
            "line 1: [[automation]] 'a'.when: an automation rule needs at least one condition",
        ),
        (
            '[[automation]]\nname = "a"\naction = "accept"\nwhen = { kind = "chargeback" }',
            "line 1: [[automation]] 'a'.rationale: required",
        ),
        (
            '[[automation]]\nname = "a"\naction = "request_information"\nrationale = "r"\n'
            'when = { kind = "return" }',
            "line 1: [[automation]] 'a'.message: required",
        ),
        (
            '[[automation]]\nname = "a"\naction = "assign"\nrationale = "r"\n'
            'when = { kind = "return" }\ndaily_limit = 0',
            "line 6: [[automation]] 'a'.daily_limit: takes a whole number from 1",
        ),
        ("route = 3", "line 1: route: write each rule as a [[route]] table"),
    ],
)
def test_each_problem_names_its_line_and_field(text, expected):
    found = problems(text)
    assert any(problem.startswith(expected) for problem in found), found


def test_every_problem_is_reported_at_once():
    found = problems('reporting_currency = "EUX"\ncolour = 1\n[rates]\nUSD = 0.5\n')
    assert len(found) == 3
    with pytest.raises(ConfigurationError, match=r"^rules file rules.toml is invalid: line"):
        parse_rules("colour = 1", source="rules.toml")


def test_broken_toml_names_its_line():
    with pytest.raises(ConfigurationError, match=r"not valid TOML: .*line 2"):
        parse_rules("a = 1\nb = = 2\n", source="rules.toml")


def test_load_rules_reads_a_file_or_says_why_not(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(
        '[[route]]\nname = "all-fraud"\nqueue = "fraud"\nwhen = { category = "fraud" }\n'
    )
    assert load_rules(path).routes[0].queue == "fraud"
    with pytest.raises(ConfigurationError, match="cannot read the rules file"):
        load_rules(tmp_path / "missing.toml")


def test_the_runtime_loads_the_rules_named_by_the_environment(tmp_path, monkeypatch, fake_plugins):
    path = tmp_path / "rules.toml"
    path.write_text('reporting_currency = "GBP"\n')
    monkeypatch.setenv("DISPUTEFLOW_RULES", str(path))
    monkeypatch.setenv("DISPUTEFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DISPUTEFLOW_DATABASE_URL", raising=False)
    settings = Settings.from_env()
    assert settings.rules_path == path
    runtime = Runtime.create(settings, plugins=fake_plugins)
    try:
        assert runtime.rules.reporting_currency == "GBP"
        assert runtime.rules.source == str(path)
    finally:
        runtime.close()
    path.write_text("colour = 1\n")
    with pytest.raises(ConfigurationError, match=r"rules\.colour"):
        Runtime.create(settings, plugins=fake_plugins)


@pytest.mark.parametrize(
    ("key", "value", "facts", "expected"),
    [
        ("kind", "chargeback", {"kind": "chargeback"}, True),
        ("buyer_country", ["DE", "AT"], {"buyer_country": "AT"}, True),
        ("buyer_country", ["DE", "AT"], {"buyer_country": "FR"}, False),
        ("buyer_country_not", ["US"], {"buyer_country": "FR"}, True),
        ("buyer_country_not", ["US"], {"buyer_country": None}, False),
        ("amount_under", "50", {"amount": Decimal("49.99")}, True),
        ("amount_under", "50", {"amount": Decimal("50")}, False),
        ("amount_at_most", "50", {"amount": Decimal("50")}, True),
        ("amount_over", 100, {"amount": None}, False),
        ("previous_cases_at_least", 3, {"previous_cases": 3}, True),
        ("hours_to_deadline_under", 24.5, {"hours_to_deadline": 3.0}, True),
        ("within_window", True, {"within_window": True}, True),
        ("within_window", True, {"within_window": None}, False),
        ("within_window", False, {"within_window": False}, True),
    ],
)
def test_conditions(key, value, facts, expected):
    assert matches([parse_condition(key, value)], facts) is expected


def test_case_facts_read_the_case_and_what_triage_kept():
    case = minimal_case("fake", "return")
    case.extra = {
        "policy": {"within_window": True, "below_statutory": True},
        "priority": {"score": 40, "previous_cases": 2},
        "tracking": [{"number": "1Z999", "carrier": "UPS"}],
    }
    facts = case_facts(case, now=T0, amount=Decimal("10"))
    assert facts["within_window"] is True
    assert (facts["priority"], facts["previous_cases"]) == (40, 2)
    assert facts["has_tracking"] is True
    assert facts["amount"] == Decimal("10")
    assert facts["kind"] == "return"
