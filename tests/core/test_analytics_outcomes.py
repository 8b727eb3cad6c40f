"""Outcomes measured: win rate when fought, recovery rate over every closed dispute, fees
paid, per marketplace, category and reason code; figures computed by hand.

The store is tests/seeded.py's, plus three disputes:

=====  ========  ============  ====================  ======  ===========  ===============
case   platform  category      platform reason       amount  answer       outcome
=====  ========  ============  ====================  ======  ===========  ===============
d3     fake      fraud         fraudulent            30 EUR  accepted     lost
s3     shopify   not_received  product_not_received  60 USD  contested    lost
d2'    (d2 gets a contest that failed: still not answered)
=====  ========  ============  ====================  ======  ===========  ===============

So, with the seeded ones: d1 contested (evidence on the platform) and won, 100 EUR, the
platform's fee 15 EUR; d2 not answered, lost, 50 EUR; s1 contested (evidence), partial,
80 USD of which 30 refunded, the platform's fee 15 USD; s2 not answered, withdrawn, 20 USD.

Fee settings: fake 10 EUR to open (kept) and 5 EUR to counter (returned on a win); Shopify
15 USD to open, not charged on a win. Fees paid: d1 15 EUR (its own), d2 10, d3 10 EUR;
s1 15 USD (its own), s2 0 (withdrawn: kept, so not charged), s3 15 USD.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import update

from disputeflow import CaseSnapshot, Money, Party
from disputeflow.core.clock import utcnow
from disputeflow.engine.ids import new_id
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.store.tables import ActionRow
from disputeflow.features.analytics.facts import ACCEPTED, CONTESTED, load_facts
from disputeflow.features.analytics.report import build
from disputeflow.features.handling.rules_file import parse_rules
from tests.seeded import SINCE, UNTIL, at, seed

D = Decimal
FEES = parse_rules(
    """
[fees.fake]
dispute_fee = "10.00 EUR"
counter_fee = "5.00 EUR"

[fees.shopify]
dispute_fee = "15.00 USD"
dispute_fee_returned_if_won = true
"""
).fees


def _snapshot(platform, external_id, opened, **fields):
    return dict(
        platform=platform,
        object_type="dispute",
        external_id=external_id,
        kind="chargeback",
        observed_at=opened,
        opened_at=opened,
        status="needs_response",
        **fields,
    )


def _open(runtime, connection_id, values):
    snap = CaseSnapshot(**values)
    return ingest_snapshot(runtime.database, runtime.plugins, connection_id, snap).case.id


def _close(runtime, connection_id, values, when, outcome):
    closed = {**values, "observed_at": when, "status": "resolved", "outcome": outcome}
    ingest_snapshot(runtime.database, runtime.plugins, connection_id, CaseSnapshot(**closed))


def _action(runtime, case_id, type_, status, params=None):
    """An action as the outbox stores it (a Shopify case: no Shopify plugin in these tests);
    ``params`` as the evidence feature's contest records them (``evidence_items``)."""
    now = utcnow()
    with runtime.database.session() as session:
        session.add(
            ActionRow(
                id=new_id("act"),
                case_id=case_id,
                type=type_,
                idempotency_key=new_id("key"),
                params=params or {},
                status=status,
                attempts=1,
                requested_by="agent",
                created_at=now,
                updated_at=now,
            )
        )


@pytest.fixture
def seeded(runtime):
    ids = seed(runtime)
    d3 = _snapshot(
        "fake",
        "d3",
        at("2026-10-20T00:00:00"),
        category="fraud",
        platform_reason="fraudulent",
        amount=Money("30.00", "EUR"),
        buyer=Party(country="DE"),
    )
    ids["d3"] = _open(runtime, ids["eu"], d3)
    request_action(runtime, ids["d3"], ActionInput("accept", rationale="not worth it"))
    with runtime.database.session() as session:  # the worker ran it
        session.execute(update(ActionRow).where(ActionRow.case_id == ids["d3"]).values(
            status="succeeded"))  # fmt: skip
    _close(runtime, ids["eu"], d3, at("2026-10-22T00:00:00"), "buyer_favor")
    s3 = _snapshot(
        "shopify",
        "s3",
        at("2026-11-10T00:00:00"),
        category="not_received",
        platform_reason="product_not_received",
        amount=Money("60.00", "USD"),
        buyer=Party(country="US"),
    )
    ids["s3"] = _open(runtime, ids["us"], s3)
    packet = {"evidence_packet": True, "submit": True}
    _action(runtime, ids["s3"], "contest", "succeeded",
            {**packet, "evidence_items": ["tracking", "customer_name"]})  # fmt: skip
    _close(runtime, ids["us"], s3, at("2026-11-30T00:00:00"), "buyer_favor")
    _action(runtime, ids["d2"], "contest", "failed")
    _action(runtime, ids["d2"], "contest", "succeeded",  # a draft: no answer yet
            {**packet, "submit": False, "evidence_items": ["tracking"]})  # fmt: skip
    sent = ["billing_address", "customer_name", "tracking"]
    _action(runtime, ids["d1"], "contest", "succeeded", {**packet, "evidence_items": sent})
    return ids


def tables(runtime, fees):
    with runtime.database.session(readonly=True) as session:
        return build(session, SINCE, UNTIL, fees=fees)


def rows(analytics, name):
    return [list(row) for row in analytics.table(name).rows]


def test_how_the_merchant_answered(runtime, seeded):
    with runtime.database.session(readonly=True) as session:
        facts = {f.id: f for f in load_facts(session, SINCE, UNTIL)}
    answered = {name: facts[seeded[name]].response for name in ("d1", "d2", "d3", "s1", "s2", "s3")}
    assert answered == {
        "d1": CONTESTED,  # evidence on the platform
        "d2": None,  # its contest failed, and the other is a draft
        "d3": ACCEPTED,
        "s1": CONTESTED,
        "s2": None,
        "s3": CONTESTED,
    }


# Currency, closed, fought, accepted, not answered, win rate when fought, disputed,
# recovered, recovery rate, fees paid, without fee figures.
FAKE_EUR = ["EUR", 3, 1, 1, 1, D("100.00"), D("180.00"), D("100.00"), D("55.56"), D("35.00"), 0]
SHOPIFY_USD = ["USD", 3, 2, 0, 1, D("0.00"), D("160.00"), D("70.00"), D("43.75"), D("30.00"), 0]


def test_outcomes_by_marketplace(runtime, seeded):
    found = rows(tables(runtime, FEES), "outcomes_by_marketplace")
    assert found == [
        ["fake", *FAKE_EUR],
        ["shopify", *SHOPIFY_USD],
        ["All marketplaces", *FAKE_EUR],
        ["All marketplaces", *SHOPIFY_USD],
    ]


def test_outcomes_by_category(runtime, seeded):
    assert rows(tables(runtime, FEES), "outcomes_by_category") == [
        # d1 won 100, d3 accepted 0: 100 of 130; fees 15 + 10
        ["fraud", "EUR", 2, 1, 1, 0, D("100.00"), D("130.00"), D("100.00"), D("76.92"),
         D("25.00"), 0],
        # s1 partial keeps 50, s2 withdrawn keeps 20: 70 of 100; fees 15 + 0
        ["fraud", "USD", 2, 1, 0, 1, D("0.00"), D("100.00"), D("70.00"), D("70.00"),
         D("15.00"), 0],
        ["not_received", "EUR", 1, 0, 0, 1, None, D("50.00"), D("0.00"), D("0.00"),
         D("10.00"), 0],
        ["not_received", "USD", 1, 1, 0, 0, D("0.00"), D("60.00"), D("0.00"), D("0.00"),
         D("15.00"), 0],
    ]  # fmt: skip


def test_outcomes_by_reason_code(runtime, seeded):
    assert rows(tables(runtime, FEES), "outcomes_by_reason") == [
        ["fraudulent", "fake", "EUR", 2, 1, 1, 0, D("100.00"), D("130.00"), D("100.00"),
         D("76.92"), D("25.00"), 0],
        ["fraudulent", "shopify", "USD", 1, 1, 0, 0, D("0.00"), D("80.00"), D("50.00"),
         D("62.50"), D("15.00"), 0],
        ["not_received", "fake", "EUR", 1, 0, 0, 1, None, D("50.00"), D("0.00"), D("0.00"),
         D("10.00"), 0],
        ["product_not_received", "shopify", "USD", 1, 1, 0, 0, D("0.00"), D("60.00"),
         D("0.00"), D("0.00"), D("15.00"), 0],
        ["unrecognized", "shopify", "USD", 1, 0, 0, 1, None, D("20.00"), D("20.00"),
         D("100.00"), D("0.00"), 0],
    ]  # fmt: skip


def test_without_fee_settings_only_the_platforms_own_fees_count(runtime, seeded):
    found = rows(tables(runtime, None), "outcomes_by_marketplace")
    # fake: d1's own 15 EUR; d2 and d3 without. shopify: s1's own 15 USD; s2, s3 without.
    assert [row[:2] + row[-2:] for row in found[:2]] == [
        ["fake", "EUR", D("15.00"), 2],
        ["shopify", "USD", D("15.00"), 2],
    ]


def test_a_fee_in_another_currency_has_its_own_row(runtime, seeded):
    fees = parse_rules('[fees.fake]\ndispute_fee = "12.00 USD"\n').fees
    found = rows(tables(runtime, fees), "outcomes_by_marketplace")
    # d2 and d3 cost 12 USD each: a USD row for fake, with fees and no dispute of its own
    assert found[0][:3] + found[0][-4:] == ["fake", "EUR", 3, D("100.00"), D("55.56"),
                                            D("15.00"), 0]  # fmt: skip
    assert found[1] == ["fake", "USD", 0, 0, 0, 0, None, None, None, None, D("24.00"), 0]


def test_the_vendor_style_win_rate_is_kept_beside_them(runtime, seeded):
    analytics = tables(runtime, FEES)
    names = [t.name for t in analytics.tables]
    at_ = names.index("outcomes")
    assert names[at_ : at_ + 5] == [
        "outcomes",
        "outcomes_by_marketplace",
        "outcomes_by_category",
        "outcomes_by_reason",
        "outcomes_by_evidence",
    ]
    assert "vendors' win rates are not comparable" in analytics.table("outcomes_by_reason").note
    # won d1; lost d2, d3, s3; partial s1; withdrawn s2: 1 of 5 decided, fought or not
    assert analytics.table("outcomes").rows[-1] == ("All marketplaces", 1, 3, 1, 1, D("20.00"))


def test_the_win_rate_by_evidence_item(runtime, seeded):
    """Packets sent: d1 (won) with billing_address, customer_name, tracking; s3 (lost) with
    customer_name, tracking. d2's draft and s1's evidence on the platform are no packets."""
    with runtime.database.session(readonly=True) as session:
        facts = {f.id: f for f in load_facts(session, SINCE, UNTIL)}
    assert facts[seeded["s3"]].evidence_items == ("customer_name", "tracking")
    assert facts[seeded["d2"]].evidence_items is None
    assert rows(tables(runtime, FEES), "outcomes_by_evidence") == [
        ["billing_address", "in the packet", 1, 1, 0, 0, D("100.00")],
        ["billing_address", "not in the packet", 1, 0, 1, 0, D("0.00")],
        ["customer_name", "in the packet", 2, 1, 1, 0, D("50.00")],
        ["customer_name", "not in the packet", 0, 0, 0, 0, None],
        ["tracking", "in the packet", 2, 1, 1, 0, D("50.00")],
        ["tracking", "not in the packet", 0, 0, 0, 0, None],
    ]
