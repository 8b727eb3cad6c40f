"""Stripe's minor units, value tables and settings.

Minor units: every example below is one of https://docs.stripe.com/currencies (checked
2026-12-05): "Specify amounts in API requests" ("1000 to charge 10 USD", "10 to charge 10
JPY"), "Zero-decimal currencies" ("to charge 500 JPY, provide an amount value of 500"),
"Special cases" (ISK and UGX: "to charge 5 ISK [UGX], provide an amount value of 500"; HUF:
"if you have an available balance of HUF 10.45, you can pay out HUF 10 by submitting 1000";
TWD: "TWD 800.45 ... 80045", "TWD 800 by submitting 80000"), "Maximum charge amounts"
("9,999,999,999.99 IDR (999999999999)", "99,999,999.99 COP (9999999999)") and the
three-decimal rule as that page gave it ("5.124 KWD must be rounded to 5120 or 5130").
Statuses and reasons: stripe-python ``stripe/_dispute.py`` (6c6e373), generated from Stripe's
OpenAPI spec.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from disputeflow import InvalidInputError, MinorUnits, Money
from disputeflow.core.testing import make_connection
from disputeflow.plugins.stripe.amounts import to_minor, to_money
from disputeflow.plugins.stripe.disputes import dispute_snapshot
from disputeflow.plugins.stripe.mapping import REASONS, STATUS_RANK, STATUSES, kind_of
from tests.plugins.stripe.conftest import dispute, settings

# stripe-python stripe/_dispute.py: Dispute.status Literal and the reason docstring.
STRIPE_STATUSES = ["lost", "needs_response", "prevented", "under_review", "warning_closed",
                   "warning_needs_response", "warning_under_review", "won"]  # fmt: skip
STRIPE_REASONS = ["bank_cannot_process", "check_returned", "credit_not_processed",
                  "customer_initiated", "debit_not_authorized", "duplicate", "fraudulent",
                  "general", "incorrect_account_details", "insufficient_funds", "noncompliant",
                  "product_not_received", "product_unacceptable", "subscription_canceled",
                  "unrecognized"]  # fmt: skip


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (1000, "usd", Money("10.00", "USD")),  # "1000 to charge 10 USD"
        (10, "jpy", Money("10", "JPY")),  # "10 to charge 10 JPY"
        (500, "JPY", Money("500", "JPY")),  # "to charge 500 JPY, provide ... 500"
        (5120, "kwd", Money("5.120", "KWD")),  # "5.124 KWD must be rounded to 5120"
        (500, "isk", Money("5", "ISK")),  # "to charge 5 ISK, provide ... 500"
        (500, "ugx", Money("5", "UGX")),  # "to charge 5 UGX, provide ... 500"
        (1000, "huf", Money("10", "HUF")),  # "you can pay out HUF 10 by submitting 1000"
        (80000, "twd", Money("800", "TWD")),  # "TWD 800 by submitting 80000"
        (80045, "twd", Money("800.45", "TWD")),  # "TWD 800.45 ... 80045"
    ],
)
def test_stripe_amounts_become_money(amount, currency, expected):
    money = to_money(amount, currency)
    assert money == expected
    assert to_minor(money) == amount


def test_cldr_exponents_alone_would_be_wrong_for_isk_and_ugx():
    """Why the plugin does not call Money.from_minor: CLDR gives ISK and UGX no decimals."""
    for code in ("ISK", "UGX"):
        assert Money.from_minor(500, code) == Money("500", code)
        assert to_money(500, code.lower()) == Money("5", code)


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        (1045, "huf"),  # "HUF 10.45": Stripe charges it, CLDR's HUF has no decimals
        (999999999999, "idr"),  # "9,999,999,999.99 IDR (999999999999)"
        (9999999999, "cop"),  # "99,999,999.99 COP (9999999999)"
        (550, "isk"),  # "You can't charge fractions of ISK"
        (None, "usd"),
        (True, "usd"),
        ("1000", "usd"),
        (1000, None),
        (1000, "xyz"),
    ],
)
def test_an_amount_money_cannot_hold_is_left_unstated(amount, currency):
    assert to_money(amount, currency) is None


def test_stripes_own_figure_is_kept_when_money_cannot_hold_it():
    """stripe/openapi's dispute fixture, its amount and currency changed to HUF 10.45."""
    held = dispute_snapshot(dispute(amount=1045, currency="huf"), datetime.now(UTC), ())
    assert held.amount is None
    assert held.extra["stripe_amount"] == {"amount": 1045, "currency": "huf"}
    plain = dispute_snapshot(dispute(amount=1000, currency="huf"), datetime.now(UTC), ())
    assert plain.amount == Money("10", "HUF")
    assert "stripe_amount" not in plain.extra


def test_a_money_the_platform_cannot_count_is_refused_not_rounded():
    """TWD counted in whole units (as Stripe counts its payouts) cannot send TWD 800.45."""
    with pytest.raises(InvalidInputError, match=r"800\.45 TWD cannot be sent in whole units"):
        MinorUnits({"TWD": 0}).to_minor(Money("800.45", "TWD"))
    assert MinorUnits({"TWD": 0}).to_minor(Money("800", "TWD")) == 800


def test_a_table_converts_both_ways_and_refuses_what_money_cannot_hold():
    units = MinorUnits({"isk": 2, " ugx": 2}, default=None)
    assert units.exponent("ISK") == 2
    assert units.exponent("USD") == 2  # CLDR's, no default given
    assert units.exponent("JPY") == 0
    assert units.to_money(500, "ugx") == Money("5", "UGX")
    with pytest.raises(InvalidInputError, match=r"550 with 2 decimals is 5\.50 ISK"):
        units.to_money(550, "ISK")
    with pytest.raises(InvalidInputError, match="must be an int"):
        units.to_money(True, "ISK")
    with pytest.raises(InvalidInputError, match="unknown currency"):
        units.exponent("XYZ")
    with pytest.raises(InvalidInputError, match="whole numbers of digits"):
        MinorUnits({"ISK": -1})


def test_every_documented_status_and_reason_is_mapped():
    assert set(STRIPE_STATUSES) <= set(STATUSES) == set(STATUS_RANK)
    assert set(STRIPE_REASONS) == set(REASONS)


def test_only_warning_statuses_are_inquiries():
    inquiries = [status for status in STATUSES if kind_of(status)[0] == "inquiry"]
    assert inquiries == ["warning_needs_response", "warning_under_review", "warning_closed"]
    assert kind_of("something_new")[0] == "chargeback"


def test_a_rotation_takes_both_secrets_and_the_order_keys_may_be_named(stripe):
    connection = make_connection(stripe, settings(
        webhook_secret=" whsec_old_0123456789 , whsec_new_0123456789 ",
        order_metadata_keys="order_number, order_id",
    ))  # fmt: skip
    assert connection.settings["webhook_secret"] == "whsec_old_0123456789,whsec_new_0123456789"
    assert connection.settings["order_metadata_keys"] == ["order_number", "order_id"]
    assert stripe.validate_settings(settings())["order_metadata_keys"] == ["order_id"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("api_key", "pk_live_0123456789abcdef"),  # a publishable key reads nothing
        ("api_key", "whsec_0123456789"),
        ("webhook_secret", "0123456789abcdef"),  # not an endpoint secret
        ("webhook_secret", "whsec_0123456789,rk_live_0123456789"),
        ("webhook_secret", " , "),
        ("order_metadata_keys", ""),
        ("order_metadata_keys", "x" * 41),
    ],
)
def test_settings_that_cannot_work_are_refused(stripe, name, value):
    with pytest.raises(InvalidInputError, match=name):
        stripe.validate_settings(settings(**{name: value}))


def test_secrets_are_marked_secret(stripe):
    assert stripe.secret_fields() == {"api_key", "webhook_secret"}


def test_the_samples_are_the_published_fixtures():
    from disputeflow.plugins.stripe import samples
    from tests.plugins.stripe.conftest import fixture

    assert fixture("fixtures3_dispute.json") == samples.FIXTURE_DISPUTE
    assert fixture("fixtures3_early_fraud_warning.json") == samples.FIXTURE_WARNING
