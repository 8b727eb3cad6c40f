"""Dispute-ratio monitoring: states against thresholds, projections, and alerts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from disputeflow.features.analytics.ratios import (
    THRESHOLDS,
    Threshold,
    alerts,
    elapsed_fraction,
    evaluate_month,
    state_of,
)
from tests.seeded import seed, volume_per_day

NOV = datetime(2026, 11, 1, tzinfo=UTC)
MID_NOV = datetime(2026, 11, 16, tzinfo=UTC)  # 15 of 30 days gone
MC_EXCESSIVE = next(t for t in THRESHOLDS if t.label == "Mastercard ECP excessive")


def test_the_design_thresholds():
    assert [(t.label, t.ratio, t.min_count) for t in THRESHOLDS] == [
        ("Visa VAMP excessive", Decimal("0.015"), 1500),
        ("Mastercard ECP monitored", Decimal("0.01"), 100),
        ("Mastercard ECP excessive", Decimal("0.015"), 100),
        ("Mastercard ECP high excessive", Decimal("0.03"), 300),
    ]


@pytest.mark.parametrize(
    ("chargebacks", "ratio", "projected", "state"),
    [
        (120, Decimal("0.016"), Decimal(240), "crossed"),  # 1.6% and 120 >= 100 already
        (60, Decimal("0.016"), Decimal(120), "projected"),  # count crosses by month end
        (60, Decimal("0.013"), Decimal(120), "approaching"),  # 1.3% >= 80% of 1.5%
        (60, Decimal("0.011"), Decimal(120), "ok"),  # 1.1% < 1.2%
        (10, Decimal("0.05"), Decimal(79), "ok"),  # 79 projected < 80% of 100
        (10, Decimal("0.05"), Decimal(80), "approaching"),
        (50, None, Decimal(100), "needs_volume"),
        (5, None, Decimal(10), "ok"),  # whatever the ratio: too few to count
    ],
)
def test_state_of(chargebacks, ratio, projected, state):
    found = state_of(MC_EXCESSIVE, chargebacks=chargebacks, ratio=ratio, projected=projected)
    assert found == state


def test_elapsed_fraction():
    end = datetime(2026, 12, 1, tzinfo=UTC)
    assert elapsed_fraction(NOV, end, MID_NOV) == Decimal("0.5")
    assert elapsed_fraction(NOV, end, NOV) == Decimal(1) / Decimal(30), "at least a day"
    assert elapsed_fraction(NOV, end, datetime(2027, 1, 1, tzinfo=UTC)) == 1


def test_month_so_far_projected(runtime):
    ids = seed(runtime)
    tight = Threshold("visa", "Test", "tight", Decimal("0.01"), 3)
    volume = volume_per_day({ids["us"]: 5})
    with runtime.database.session(readonly=True) as session:
        eu, us = evaluate_month(session, NOV, now=MID_NOV, volume=volume, thresholds=(tight,))
        blind = evaluate_month(session, NOV, now=MID_NOV, thresholds=(tight,))
        real = evaluate_month(session, NOV, now=MID_NOV, volume=volume)
        october = evaluate_month(session, datetime(2026, 10, 9, tzinfo=UTC), now=MID_NOV)
    assert (us.name, us.month, us.elapsed, us.chargebacks) == (
        "us-store",
        "2026-11",
        Decimal("0.5"),
        2,
    )
    assert us.transactions == 75  # 15 days * 5
    assert us.ratio == Decimal(2) / Decimal(75)
    assert (us.projected_chargebacks, us.projected_transactions) == (Decimal(4), Decimal(150))
    assert us.networks == (("unknown", 2),)
    assert [s.state for s in us.states] == ["projected"]  # 2.67% >= 1%, 2 now, 4 by month end
    assert (eu.chargebacks, eu.transactions, eu.worst) == (0, None, "ok")
    assert [c.worst for c in blind] == ["ok", "needs_volume"]
    assert all(c.worst == "ok" for c in real), "4 projected is far below every minimum count"
    assert [(c.name, c.chargebacks, c.elapsed) for c in october] == [
        ("eu-store", 2, Decimal(1)),
        ("us-store", 0, Decimal(1)),
    ]

    (alert,) = alerts([eu, us])
    assert (alert.connection_name, alert.state, alert.month) == ("us-store", "projected", "2026-11")
    assert alert.message == (
        "us-store (shopify) is projected to cross by the month's end the Test tight threshold "
        "(1.00% and 3 a month) in 2026-11: 2 chargebacks over 75 transactions (2.67%) so "
        "far, 4.0 projected"
    )
    assert alert.to_dict()["ratio_percent"] == "2.67"
    assert alert.to_dict()["threshold"] == {
        "network": "visa",
        "programme": "Test",
        "level": "tight",
        "ratio_percent": "1.00",
        "min_count": 3,
    }
