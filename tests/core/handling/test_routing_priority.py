"""Priority (deadline, amount in the reporting currency, category, kind, history) and routing
(a plugin, then the rules file, then by kind)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from disputeflow import Deadline, Money, Party, hookimpl
from disputeflow.core.testing import minimal_case
from disputeflow.engine.store import cases
from disputeflow.features.handling import priority
from disputeflow.features.handling.rules import PriorityWeights, Rules
from tests.builders import T0, snapshot
from tests.core.handling.conftest import a_return, ingest

ROUTES = """
reporting_currency = "EUR"
[rates]
USD = "0.90"
JPY = "0.0061"

[[route]]
name = "big"
queue = "big-money"
when = { amount_at_least = "500" }

[[route]]
name = "dach"
queue = "team-dach"
when = { buyer_country = ["DE", "AT", "CH"] }

[[route]]
name = "japanese-speakers"
queue = "team-ja"
when = { buyer_language = "ja" }
"""


class Rates:
    """A plugin that knows one rate."""

    @hookimpl
    def disputeflow_exchange_rate(self, base, quote):
        return Decimal("0.0065") if (base, quote) == ("KRW", "EUR") else None


def test_amounts_convert_into_the_reporting_currency(plugin_manager):
    rules = Rules(reporting_currency="EUR", rates={"USD": Decimal("0.92")})
    assert priority.to_reporting(Money("100.00", "USD"), rules, plugin_manager) == Money(
        "92.00", "EUR"
    )
    assert priority.to_reporting(Money("12.34", "EUR"), rules, plugin_manager) == Money(
        "12.34", "EUR"
    )
    assert priority.to_reporting(Money("1000", "KRW"), rules, plugin_manager) is None
    plugin_manager.register(Rates(), name="rates")
    assert priority.to_reporting(Money("1005", "KRW"), rules, plugin_manager) == Money(
        "6.53",
        "EUR",  # 6.5325, half-even to the cent
    )
    assert priority.to_reporting(Money("1", "USD"), Rules(), plugin_manager) == Money("1", "USD")
    assert priority.to_reporting(None, rules, plugin_manager) is None


def test_the_rates_table_comes_before_the_hook(plugin_manager):
    class Wrong:
        @hookimpl
        def disputeflow_exchange_rate(self, base, quote):
            return Decimal(100)

    plugin_manager.register(Wrong(), name="wrong")
    rules = Rules(reporting_currency="EUR", rates={"USD": Decimal("0.5")})
    assert priority.to_reporting(Money("10", "USD"), rules, plugin_manager) == Money("5", "EUR")
    assert priority.to_reporting(Money("10", "GBP"), rules, plugin_manager) == Money("1000", "EUR")


@pytest.mark.parametrize(
    ("hours", "points"), [(-5, 35), (10, 35), (48, 25), (100, 15), (300, 8), (1000, 2)]
)
def test_deadline_points_grow_as_it_nears(hours, points):
    case = minimal_case("fake", "chargeback")
    case.deadlines = [Deadline("platform_response", T0 + timedelta(hours=hours), "fake")]
    scored = priority.score(case, now=T0, amount=None, previous_cases=0)
    assert scored["factors"]["deadline"] == points


def test_each_factor_counts_and_resolved_cases_score_nothing():
    case = minimal_case("fake", "chargeback")
    case.category = "fraud"
    scored = priority.score(case, now=T0, amount=Money("1200", "EUR"), previous_cases=5)
    assert scored["factors"] == {
        "deadline": 0,
        "amount": 25,
        "category": 15,
        "kind": 15,
        "history": 15,
    }
    assert scored["score"] == 70
    assert scored["reporting_amount"] == {"value": "1200.00", "currency": "EUR"}
    weights = PriorityWeights(categories={"fraud": 40}, kinds={"chargeback": 0})
    assert priority.score(case, now=T0, amount=None, previous_cases=0, weights=weights)[
        "factors"
    ] == {"deadline": 0, "amount": 0, "category": 40, "kind": 0, "history": 0}
    case.status = "resolved"
    assert priority.score(case, now=T0, amount=None, previous_cases=5)["score"] == 0


def test_the_buyers_history_counts_earlier_cases_on_the_connection(runtime, make_connection):
    shop, other = make_connection("shop"), make_connection("other")
    ada = Party(email="Ada@Example.org", country="GB")
    for number in range(3):
        ingest(
            runtime,
            shop,
            snapshot(
                f"c{number}",
                opened_at=T0 + timedelta(days=number),
                observed_at=T0 + timedelta(days=number),
                buyer=ada,
            ),
        )
    ingest(runtime, other, snapshot("elsewhere", buyer=ada))
    same_id = Party(external_id="cust-9", country="GB")
    ingest(runtime, shop, snapshot("by-id-1", buyer=same_id))
    later = ingest(
        runtime,
        shop,
        snapshot(
            "c9",
            opened_at=T0 + timedelta(days=9),
            observed_at=T0 + timedelta(days=9),
            buyer=Party(email="ada@example.ORG", external_id="cust-9"),
        ),
    )
    assert later.extra["priority"]["previous_cases"] == 4  # three by email, one by customer id
    assert later.extra["priority"]["factors"]["history"] == 10
    first = ingest(runtime, shop, snapshot("c0", hours=1, buyer=ada))
    assert first.extra["priority"]["previous_cases"] == 0


def test_priority_is_on_every_case_with_its_amount_converted(runtime, connection_id, use_rules):
    use_rules(ROUTES)
    case = ingest(runtime, connection_id, snapshot(amount=Money("100.00", "USD")))
    scored = case.extra["priority"]
    assert scored["reporting_amount"] == {"value": "90.00", "currency": "EUR"}
    assert scored["factors"]["amount"] == 10
    assert 0 < scored["score"] <= 100


def test_routing_rules_pick_the_first_matching_queue(runtime, connection_id, use_rules):
    use_rules(ROUTES)
    rich = ingest(
        runtime,
        connection_id,
        snapshot("1", amount=Money("600.00", "USD"), buyer=Party(country="DE")),
    )
    german = ingest(runtime, connection_id, snapshot("2", buyer=Party(country="AT")))
    japanese = ingest(runtime, connection_id, snapshot("3", buyer=Party(locale="ja-JP")))
    yen = ingest(runtime, connection_id, snapshot("4", amount=Money("100000", "JPY")))
    unconverted = ingest(runtime, connection_id, snapshot("5", amount=Money("9999", "CHF")))
    assert [c.queue for c in (rich, german, japanese, yen, unconverted)] == [
        "big-money",
        "team-dach",
        "team-ja",
        "big-money",  # 610 EUR
        "chargebacks",  # no rate for CHF: the amount condition does not match
    ]
    assert rich.extra["routing"] == {"queue": "big-money", "rule": "big"}
    [entry] = [e for e in rich.timeline if e.kind == "routed"]
    assert (entry.actor, entry.summary) == ("system", "routed to big-money by rule big")
    assert "routing" not in unconverted.extra


def test_a_route_is_named_once_and_follows_the_case(runtime, connection_id, use_rules):
    use_rules(ROUTES)
    ingest(runtime, connection_id, snapshot("1", buyer=Party(country="DE")))
    again = ingest(
        runtime,
        connection_id,
        snapshot("1", hours=1, buyer=Party(country="DE"), status="under_review"),
    )
    assert [e.kind for e in again.timeline].count("routed") == 1
    moved = ingest(runtime, connection_id, snapshot("1", hours=2, buyer=Party(country="FR")))
    assert moved.queue == "chargebacks"
    assert "routing" not in moved.extra


def test_a_plugin_routes_before_the_rules_file(runtime, connection_id, use_rules):
    use_rules(ROUTES)

    class Router:
        @hookimpl
        def disputeflow_route_case(self, case):
            return "plugin-queue" if case.external_id == "p" else None

    runtime.plugins.register(Router(), name="router")
    assert ingest(runtime, connection_id, snapshot("p", buyer=Party(country="DE"))).queue == (
        "plugin-queue"
    )
    assert ingest(runtime, connection_id, snapshot("q", buyer=Party(country="DE"))).queue == (
        "team-dach"
    )


def test_the_case_list_filters_by_queue(runtime, connection_id, use_rules):
    use_rules(ROUTES)
    ingest(runtime, connection_id, snapshot("1", buyer=Party(country="DE")))
    ingest(runtime, connection_id, a_return("r1", country="US"))
    with runtime.database.session() as session:
        rows, _ = cases.list_rows(session, cases.CaseFilter(queue="team-dach"))
        assert [row.external_id for row in rows] == ["1"]
        rows, _ = cases.list_rows(session, cases.CaseFilter(queue="returns"))
        assert [row.external_id for row in rows] == ["r1"]
