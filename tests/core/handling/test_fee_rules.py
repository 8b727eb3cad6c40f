"""Fight or accept by the numbers: the fee facts, and a fee-aware accept rule on both sides
of its threshold, in a dry run and for real, with the rule named on the timeline.

Hand-computed figures: the fake platform's fees are 15.00 USD to open and 15.00 USD to
counter (returned on a win), at 0.90 EUR per USD: 13.50 EUR each. A fight that is lost costs
27.00 EUR; a fight that is won still costs the 13.50 EUR dispute fee, so a 33.50 EUR dispute
nets 20.00 EUR if won.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from disputeflow import Money
from disputeflow.core.testing import minimal_case
from disputeflow.features.handling.automation import evaluate_case
from disputeflow.features.handling.conditions import matches
from disputeflow.features.handling.fee_facts import amount_at_stake, fee_facts
from disputeflow.features.handling.rules import Rules
from disputeflow.features.handling.rules_file import parse_rules
from tests.builders import T0, snapshot
from tests.core.handling.conftest import a_return, ingest, load
from tests.core.handling.test_automation import rule_entries, runs, stored_actions
from tests.core.handling.test_docs import example_text

FEES = """
reporting_currency = "EUR"

[rates]
USD = "0.90"

[fees.fake]
dispute_fee = "15.00 USD"
counter_fee = "15.00 USD"
"""
ACCEPT = (
    FEES
    + """
[[automation]]
name = "accept-not-worth-it"
action = "accept"
when = { kind = "chargeback", net_if_won_under = "20" }
rationale = "What a win would leave after fees is under 20 EUR."
"""
)


def test_fee_facts_in_the_reporting_currency(runtime):
    rules = parse_rules(FEES)
    facts = fee_facts_for(runtime, rules, amount=Money("33.50", "EUR"))
    assert facts == {
        "amount_at_stake": Decimal("33.50"),
        "dispute_fee": Decimal("13.50"),
        "counter_fee": Decimal("13.50"),
        "fight_cost": Decimal("27.00"),
        "net_if_won": Decimal("20.00"),
    }


def fee_facts_for(runtime, rules, **fields):
    case = minimal_case("fake", "chargeback")
    for name, value in fields.items():
        setattr(case, name, value)
    return fee_facts(case, rules, runtime.plugins)


def test_a_refund_already_made_lowers_the_amount_at_stake(runtime):
    case = minimal_case("fake", "chargeback")
    case.amount, case.refunded = Money("80.00", "USD"), Money("30.00", "USD")
    assert amount_at_stake(case) == Money("50.00", "USD")
    facts = fee_facts(case, parse_rules(FEES), runtime.plugins)
    # 50 USD at 0.90 = 45.00 EUR; less the 13.50 EUR dispute fee a win still costs.
    assert (facts["amount_at_stake"], facts["net_if_won"]) == (Decimal("45.00"), Decimal("31.50"))


def test_the_fee_the_case_reports_replaces_the_setting(runtime):
    facts = fee_facts_for(
        runtime,
        parse_rules(FEES),
        amount=Money("100.00", "EUR"),
        extra={"dispute_fee": {"value": "20.00", "currency": "EUR"}},
    )
    assert facts["dispute_fee"] == Decimal("20.00")
    assert facts["fight_cost"] == Decimal("33.50")
    assert facts["net_if_won"] == Decimal("80.00")


def test_unknown_fees_leave_the_fee_facts_out(runtime):
    # no [fees] for the platform, and it publishes none: no guess
    facts = fee_facts_for(runtime, Rules(reporting_currency="EUR"), amount=Money("9.00", "EUR"))
    assert facts["amount_at_stake"] == Decimal("9.00")
    assert [facts[k] for k in ("dispute_fee", "counter_fee", "fight_cost", "net_if_won")] == [
        None
    ] * 4
    # a fee in a currency nobody has a rate for: none either
    rules = parse_rules('reporting_currency = "EUR"\n[fees.fake]\ncounter_fee = "900 JPY"\n')
    facts = fee_facts_for(runtime, rules, amount=Money("9.00", "EUR"))
    assert (facts["counter_fee"], facts["net_if_won"]) == (None, None)


def test_without_a_reporting_currency_facts_are_in_the_cases_currency(runtime):
    rules = parse_rules('[fees.fake]\ndispute_fee = "15.00 USD"\n')
    facts = fee_facts_for(runtime, rules, amount=Money("40.00", "USD"))
    assert (facts["fight_cost"], facts["net_if_won"]) == (Decimal("15.00"), Decimal("25.00"))
    euros = fee_facts_for(runtime, rules, amount=Money("40.00", "EUR"))  # USD fee, no rate
    assert (euros["amount_at_stake"], euros["fight_cost"]) == (Decimal("40.00"), None)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("33.49", {"accept-not-worth-it": "requested"}),  # nets 19.99 if won: accepted
        ("33.50", {}),  # nets exactly 20.00: not under the threshold
        ("250.00", {}),
    ],
)
def test_the_accept_rule_on_both_sides_of_its_threshold(
    runtime, connection_id, use_rules, amount, expected
):
    use_rules(ACCEPT)
    case = ingest(runtime, connection_id, snapshot("cb", amount=Money(amount, "EUR")))
    assert evaluate_case(runtime, case.id, now=T0) == expected
    done = stored_actions(runtime, case.id)
    if not expected:
        assert (done, runs(runtime), rule_entries(runtime, case.id)) == ([], [], [])
        return
    [accept] = done
    assert (accept["type"], accept["requested_by"]) == ("accept", "rule:accept-not-worth-it")
    entry = load(runtime, case.id).timeline[-1]
    assert entry.summary == (
        "accept requested by rule:accept-not-worth-it: "
        "What a win would leave after fees is under 20 EUR."
    )
    assert runs(runtime) == [("accept-not-worth-it", "requested", False)]


def test_the_accept_rule_in_a_dry_run_only_records(runtime, connection_id, use_rules):
    use_rules(ACCEPT.replace('rationale = "', 'dry_run = true\nrationale = "'))
    case = ingest(runtime, connection_id, snapshot("cb", amount=Money("33.49", "EUR")))
    assert evaluate_case(runtime, case.id, now=T0) == {"accept-not-worth-it": "dry_run"}
    assert stored_actions(runtime, case.id) == []
    [entry] = rule_entries(runtime, case.id)
    assert entry.summary == (
        "rule accept-not-worth-it would accept (dry run): "
        "What a win would leave after fees is under 20 EUR."
    )
    assert runs(runtime) == [("accept-not-worth-it", "dry_run", True)]


def test_a_rule_comparing_stake_and_cost_never_acts_on_unknown_fees(
    runtime, connection_id, use_rules
):
    use_rules(ACCEPT.replace("[fees.fake]", "[fees.other]"))
    case = ingest(runtime, connection_id, snapshot("cb", amount=Money("1.00", "EUR")))
    assert evaluate_case(runtime, case.id, now=T0) == {}


def test_a_route_can_use_the_fee_facts(runtime, connection_id, use_rules):
    use_rules(
        FEES
        + """
[[route]]
name = "not-worth-fighting"
queue = "accept-desk"
when = { fight_cost_at_least = "27", amount_at_stake_under = "40" }
"""
    )
    cheap = ingest(runtime, connection_id, snapshot("cb1", amount=Money("39.99", "EUR")))
    dear = ingest(runtime, connection_id, snapshot("cb2", amount=Money("40.00", "EUR")))
    assert (cheap.queue, dear.queue) == ("accept-desk", "chargebacks")
    ret = ingest(runtime, connection_id, a_return("r1", country="US", amount="10.00"))
    assert ret.queue == "returns"  # a return has no dispute fees: no fight cost


@pytest.mark.parametrize(
    ("amount", "net", "accepted"), [("33.79", "19.99", True), ("33.80", "20.00", False)]
)
def test_the_docs_worked_example_with_stripes_published_fees(runtime, amount, net, accepted):
    """docs/handling.md: 15 USD each at 0.92 EUR per USD; fight_cost 27.60, and a 33.79 EUR
    chargeback nets 19.99 if won."""
    rules = parse_rules('reporting_currency = "EUR"\n[rates]\nUSD = "0.92"\n')
    case = minimal_case("stripe", "chargeback")
    case.amount = Money(amount, "EUR")
    facts = fee_facts(case, rules, runtime.plugins)
    assert facts["fight_cost"] == Decimal("27.60")
    assert facts["net_if_won"] == Decimal(net)
    rule = parse_rules(ACCEPT).automation[0]
    assert matches(rule.when, {"kind": "chargeback", **facts}) is accepted


def test_the_docs_example_sets_stripes_fees():
    fees = parse_rules(example_text()).fees.of("stripe")
    assert (fees.dispute_fee, fees.counter_fee) == (Money("20.00", "EUR"), Money("20.00", "EUR"))
    [accept] = [r for r in parse_rules(example_text()).automation if r.action == "accept"]
    assert [c.field for c in accept.when] == ["kind", "net_if_won", "category"]


def test_a_connections_own_fees_by_its_name(runtime, connection_id, use_rules):
    # the connection is named "eu-shop": its table replaces the platform's 15 + 15 USD
    use_rules(ACCEPT + '\n[fees.connection."eu-shop"]\ndispute_fee = "30.00 EUR"\n')
    case = ingest(runtime, connection_id, snapshot("cb", amount=Money("49.99", "EUR")))
    # nets 49.99 - 30.00 = 19.99 if won (no counter fee here): accepted
    assert evaluate_case(runtime, case.id, now=T0) == {"accept-not-worth-it": "requested"}
    other = ingest(runtime, connection_id, snapshot("cb2", amount=Money("50.00", "EUR")))
    assert evaluate_case(runtime, other.id, now=T0) == {}
