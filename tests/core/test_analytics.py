"""Prevention analytics against figures computed by hand from tests/seeded.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from disputeflow import Money
from disputeflow.core.taxonomy import CaseKind, CaseStatus
from disputeflow.features.analytics.figures import (
    UNKNOWN,
    CaseFact,
    fees_of,
    load_facts,
    median_hours,
    percent,
    products_of,
)
from disputeflow.features.analytics.report import Orders, breakdown, build
from tests.seeded import SINCE, UNTIL, seed, volume_per_day


@pytest.fixture
def seeded(runtime):
    return seed(runtime)


@pytest.fixture
def analytics(runtime, seeded):
    with runtime.database.session(readonly=True) as session:
        return build(session, SINCE, UNTIL)


def rows(analytics, name):
    return [list(row) for row in analytics.table(name).rows]


def test_facts_cover_the_period_only(runtime, seeded):
    with runtime.database.session(readonly=True) as session:
        facts = load_facts(session, SINCE, UNTIL)
    by_id = {fact.id: fact for fact in facts}
    assert set(by_id) == {seeded[n] for n in ("d1", "d2", "r1", "s1", "s2")}
    d1 = by_id[seeded["d1"]]
    assert d1.store == "eu-store"
    assert d1.first_response_at - d1.opened_at == timedelta(hours=24)
    assert d1.resolved_at - d1.opened_at == timedelta(days=15)
    assert d1.fees == (Money("15.00", "EUR"),)
    assert by_id[seeded["d2"]].carriers == ("DHL",)
    assert by_id[seeded["d2"]].first_response_at is None
    r1 = by_id[seeded["r1"]]
    assert (r1.products, r1.carriers, r1.resolved_at) == (("TEE-9",), ("DPD",), None)
    assert r1.first_response_at - r1.opened_at == timedelta(hours=2)


def test_headline_figures(analytics):
    assert (analytics.disputes, analytics.returns, analytics.orders) == (4, 1, None)
    o = analytics.outcomes
    assert (o.won, o.lost, o.partial, o.withdrawn) == (1, 1, 1, 1)
    assert o.win_rate == Decimal("33.33")  # 1 won of 3 decided
    # first responses 24h, 2h, 6h -> 6; resolutions 360h, 48h, 240h, 24h -> (48 + 240) / 2
    assert analytics.first_response_hours == Decimal("6.0")
    assert analytics.resolution_hours == Decimal("144.0")


def test_money_recovered_per_currency(analytics):
    got = {r.currency: (r.disputed, r.recovered, r.fees, r.net) for r in analytics.recovery}
    eur, usd = (lambda v: Money(v, "EUR")), (lambda v: Money(v, "USD"))
    # EUR: d1 won keeps 100, d2 lost keeps 0; fee 15.  USD: s1 partial 80 - 30, s2 20; fee 15.
    assert got == {
        "EUR": (eur("150.00"), eur("100.00"), eur("15.00"), eur("85.00")),
        "USD": (usd("100.00"), usd("70.00"), usd("15.00"), usd("55.00")),
    }
    assert rows(analytics, "recovery")[1] == [
        "USD",
        Decimal("100.00"),
        Decimal("70.00"),
        Decimal("15.00"),
        Decimal("55.00"),
    ]


def test_breakdowns(analytics):
    assert rows(analytics, "by_category") == [
        ["fraud", 3, 0, 3, Decimal("60.00"), None],
        ["changed_mind", 0, 1, 1, Decimal("20.00"), None],
        ["not_received", 1, 0, 1, Decimal("20.00"), None],
    ]
    assert [r[:4] for r in rows(analytics, "by_product")] == [
        [UNKNOWN, 2, 0, 2],
        ["MUG-1", 2, 0, 2],
        ["TEE-9", 0, 1, 1],
    ]
    assert [r[:4] for r in rows(analytics, "by_country")] == [
        ["DE", 1, 1, 2],
        ["US", 2, 0, 2],
        ["FR", 1, 0, 1],
    ]
    assert [r[:4] for r in rows(analytics, "by_carrier")] == [
        [UNKNOWN, 3, 0, 3],
        ["DHL", 1, 0, 1],
        ["DPD", 0, 1, 1],
    ]
    assert rows(analytics, "by_marketplace") == [
        ["fake", 2, 1, 3, None, None],
        ["shopify", 2, 0, 2, None, None],
    ]
    assert [r[:5] for r in rows(analytics, "by_store")] == [
        ["eu-store", "fake", 2, 1, 3],
        ["us-store", "shopify", 2, 0, 2],
    ]
    outcomes = rows(analytics, "outcomes")
    assert outcomes[-1] == ["All marketplaces", 1, 1, 1, 1, Decimal("33.33")]
    assert outcomes[0] == ["fake", 1, 1, 0, 0, Decimal("50.00")]


def test_series_include_empty_periods(analytics):
    assert rows(analytics, "by_month") == [
        ["2026-10", 2, 0, None, None],
        ["2026-11", 2, 1, None, None],
    ]
    weeks = rows(analytics, "by_week")
    assert weeks[0] == ["2026-W40", "2026-09-28", 0, 0]  # Oct 1 is a Thursday
    assert ["2026-W41", "2026-10-05", 1, 0] in weeks
    assert sum(w[2] for w in weeks) == 4
    assert sum(w[3] for w in weeks) == 1
    assert len(weeks) == 10  # 2026-09-28 .. 2026-11-30


def test_timing_table(analytics):
    assert rows(analytics, "timing") == [
        ["Disputes", Decimal("15.0"), 2, Decimal("144.0"), 4],  # 24h, 6h
        ["Returns", Decimal("2.0"), 1, None, 0],
        ["All cases", Decimal("6.0"), 3, Decimal("144.0"), 4],
    ]


def test_root_causes_name_their_evidence(analytics, seeded):
    first, *rest = analytics.root_causes
    assert (first.kind, first.category, first.cases, first.share) == (
        "chargeback",
        "fraud",
        3,
        Decimal("60.00"),
    )
    assert first.reasons == (("fraudulent", 2), ("unrecognized", 1))
    assert first.countries == (("US", 2), ("DE", 1))
    assert first.products == (("MUG-1", 1),)
    assert first.case_ids == (seeded["s2"], seeded["s1"], seeded["d1"])  # newest first
    assert [(c.kind, c.category) for c in rest] == [
        ("chargeback", "not_received"),
        ("return", "changed_mind"),
    ]
    csv_row = rows(analytics, "root_causes")[0]
    assert csv_row[4] == "fraudulent (2), unrecognized (1)"


def test_rates_only_where_every_order_is_known(runtime, seeded):
    partly = volume_per_day({seeded["eu"]: 10})
    with runtime.database.session(readonly=True) as session:
        some = build(session, SINCE, UNTIL, volume=partly)
        every = build(
            session, SINCE, UNTIL, volume=volume_per_day({seeded["eu"]: 10, seeded["us"]: 5})
        )
    assert some.orders is None, "the us store gives no orders: no overall rate"
    assert rows(some, "by_store")[0][5:] == [610, Decimal("0.49")]  # 3 / (61 days * 10)
    assert rows(some, "by_store")[1][5:] == [None, None]
    assert rows(some, "by_category")[0][5] is None
    assert "1 of 2 stores supply them" in some.table("by_store").note_text
    assert every.orders == 915  # 61 days * 15
    assert rows(every, "by_category")[0][5] == Decimal("0.33")  # 3 / 915
    assert rows(every, "by_month") == [
        ["2026-10", 2, 0, 465, Decimal("0.43")],
        ["2026-11", 2, 1, 450, Decimal("0.67")],
    ]
    assert "Every store supplies" in every.table("by_month").note


def test_orders_asks_each_interval_once():
    calls = []

    def volume(connection_id, start, end):
        calls.append(connection_id)
        return 7 if connection_id == "a" else None

    orders = Orders(volume, ["a", "b"])
    assert orders.of(["a"], SINCE, UNTIL) == 7
    assert orders.of(["a"], SINCE, UNTIL) == 7
    assert orders.of(["a", "b"], SINCE, UNTIL) is None
    assert orders.known(SINCE, UNTIL) == 1
    assert calls == ["a", "b"]
    assert Orders(None, ["a"]).of(["a"], SINCE, UNTIL) is None


def test_extra_conventions():
    assert products_of({"skus": ["A-1", "B-2", "A-1"]}) == ("A-1", "B-2")
    assert products_of({"line_items": [{"itemId": 123}, {"title": "Mug"}, "junk"]}) == (
        "123",
        "Mug",
    )
    assert products_of({"sku": "X", "line_items": [{"sku": "Y"}]}) == ("X",)
    assert fees_of(
        {
            "fees": [{"value": "1.50", "currency": "EUR"}, {"value": "x"}],
            "dispute_fee": {"value": "15", "currency": "USD"},
        }
    ) == (Money("1.50", "EUR"), Money("15.00", "USD"))
    assert fees_of({"fees": "15 EUR"}) == ()


def test_small_helpers():
    assert percent(1, 3) == Decimal("33.33")
    assert percent(1, 0) is None
    assert percent(1, None) is None
    assert median_hours([]) is None
    assert median_hours([timedelta(minutes=90), timedelta(hours=3)]) == Decimal("2.3")
    fact = CaseFact(
        "c",
        "con",
        "eu",
        "fake",
        CaseKind.RETURN,
        CaseStatus.NEEDS_RESPONSE,
        "other",
        None,
        None,
        None,
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert breakdown([fact, fact], lambda f: f.products) == [(UNKNOWN, 0, 2)]
