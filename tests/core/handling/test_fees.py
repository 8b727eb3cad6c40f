"""Dispute fees: the ``[fees]`` settings, the published defaults, and what a dispute costs."""

from __future__ import annotations

import pytest

from disputeflow import Money
from disputeflow.core.errors import ConfigurationError
from disputeflow.features.handling.fees import DEFAULT_FEES, FeeSettings, PlatformFees
from disputeflow.features.handling.rules import Rules
from disputeflow.features.handling.rules_file import parse_rules

USD = lambda value: Money(value, "USD")  # noqa: E731
EUR = lambda value: Money(value, "EUR")  # noqa: E731


def problems(text):
    with pytest.raises(ConfigurationError) as raised:
        parse_rules(text, source="rules.toml")
    return raised.value.errors["rules"]


def test_published_defaults_apply_without_a_file():
    fees = Rules().fees
    # Stripe (support.stripe.com, June 2025 pricing): 15 USD on receipt, kept; 15 USD to
    # counter, returned on a win.
    stripe = fees.of("stripe", "conn_1")
    assert (stripe.dispute_fee, stripe.counter_fee) == (USD("15.00"), USD("15.00"))
    assert (stripe.dispute_fee_returned_if_won, stripe.counter_fee_returned_if_won) == (
        False,
        True,
    )
    assert "support.stripe.com" in stripe.source
    # PayPal's Standard Dispute Fee: 15 USD, not charged when decided in the seller's favour.
    paypal = fees.of("paypal")
    assert (paypal.dispute_fee, paypal.counter_fee) == (USD("15.00"), None)
    assert paypal.dispute_fee_returned_if_won is True
    # No published figure: nobody knows, so no fee facts and no estimate.
    assert [fees.of(p) for p in ("shopify", "woocommerce", "ebay", "fake")] == [None] * 4


def test_what_a_dispute_costs_by_how_it_ended():
    stripe = DEFAULT_FEES["stripe"]
    assert stripe.fight_cost() == (USD("15.00"), USD("15.00"))
    assert stripe.paid(fought=True, won=True) == (USD("15.00"),)
    assert stripe.paid(fought=True, won=False) == (USD("15.00"), USD("15.00"))
    assert stripe.paid(fought=False, won=False) == (USD("15.00"),)
    paypal = DEFAULT_FEES["paypal"]
    assert paypal.paid(fought=True, won=True) == ()
    assert paypal.paid(fought=False, won=False) == (USD("15.00"),)
    ebay = PlatformFees(counter_fee=USD("20.00"))  # charged only when contested and lost
    assert ebay.paid(fought=False, won=False) == ()
    assert ebay.paid(fought=True, won=True) == ()
    assert ebay.paid(fought=True, won=False) == (USD("20.00"),)


def test_the_rules_file_sets_fees_per_platform_and_connection():
    fees = parse_rules(
        """
[fees.stripe]
dispute_fee = "20.00 EUR"
counter_fee = "20.00 eur"

[fees.ebay]
counter_fee = "20.00 USD"

[fees.connection."eu-shop"]
dispute_fee = "2500 JPY"
dispute_fee_returned_if_won = true
"""
    ).fees
    stripe = fees.of("stripe", "conn_9", "other-shop")
    assert (stripe.dispute_fee, stripe.counter_fee) == (EUR("20.00"), EUR("20.00"))
    assert stripe.counter_fee_returned_if_won is True  # the default when left out
    assert stripe.source == "rules file, [fees.stripe]"
    assert fees.of("ebay").dispute_fee is None  # left out: no fee
    shop = fees.of("stripe", "conn_1", "eu-shop")  # by name, replacing the platform's
    assert (shop.dispute_fee, shop.counter_fee) == (Money("2500", "JPY"), None)
    assert shop.dispute_fee_returned_if_won is True
    assert fees.of("paypal").dispute_fee == USD("15.00")  # not named: the published default


def test_published_defaults_can_be_turned_off():
    fees = parse_rules("[fees]\nuse_published_defaults = false\n").fees
    assert fees == FeeSettings(defaults=False)
    assert fees.of("stripe") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[fees.stripe]\ndispute_fee = 15\n",
            "line 2: fees.stripe.dispute_fee: write an amount and its currency as text, "
            'e.g. "15.00 USD" (got 15)',
        ),
        (
            '[fees.stripe]\ncounter_fee = "15.001 USD"\n',
            "line 2: fees.stripe.counter_fee: 15.001 has more decimal places than USD allows (2)",
        ),
        (
            '[fees.stripe]\ncounter_fee = "15 XXY"\n',
            "line 2: fees.stripe.counter_fee: unknown currency code 'XXY' (expected ISO 4217)",
        ),
        (
            '\n[fees.stripe]\nfee = "15 USD"\n',
            "line 3: fees.stripe.fee: unknown setting (known: dispute_fee, counter_fee, "
            "dispute_fee_returned_if_won, counter_fee_returned_if_won)",
        ),
        (
            '[fees.connection.eu-shop]\ncounter_fee_returned_if_won = "yes"\n',
            "line 2: fees.connection.eu-shop.counter_fee_returned_if_won: takes true or false",
        ),
        (
            "[fees]\nstripe = 15\n",
            "line 2: fees.stripe: write each platform's fees as a table, e.g. [fees.stripe]",
        ),
    ],
)
def test_each_fee_problem_names_its_line_and_field(text, expected):
    assert problems(text) == [expected]


def test_the_fees_in_force_name_their_source():
    fees = parse_rules('[fees.connection.eu-shop]\ncounter_fee = "5.00 EUR"\n').fees
    found = fees.effective()
    assert sorted(found) == ["connection:eu-shop", "paypal", "stripe"]
    assert str(found["connection:eu-shop"]) == (
        "dispute fee none, counter fee 5.00 EUR (returned if won); "
        "from rules file, [fees.connection.eu-shop]"
    )
    off = parse_rules("[fees]\nuse_published_defaults = false\n").fees
    assert off.effective() == {}
