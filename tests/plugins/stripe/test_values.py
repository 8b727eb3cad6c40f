"""Stripe's minor units, value tables and settings.

Minor units: https://docs.stripe.com/currencies (zero-decimal list, three-decimal list,
special cases) and Stripe support's "Deprecation of fractional ISK charges and refunds"
("ISK will remain a two-decimal currency in the Stripe API, and an ISK amount of 100 will
continue to represent 1 krona"); checked 2026-12-04. Statuses and reasons: stripe-python
``stripe/_dispute.py`` (6c6e373), generated from Stripe's OpenAPI spec.
"""

from __future__ import annotations

import pytest

from disputeflow import InvalidInputError, Money
from disputeflow.core.testing import make_connection
from disputeflow.plugins.stripe.amounts import to_minor, to_money
from disputeflow.plugins.stripe.mapping import REASONS, STATUS_RANK, STATUSES, kind_of
from tests.plugins.stripe.conftest import settings

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
        (500, "JPY", Money("500", "JPY")),  # "to charge 500 JPY, provide an amount of 500"
        (1000, "krw", Money("1000", "KRW")),
        (5120, "kwd", Money("5.120", "KWD")),  # "5.124 KWD must be rounded to 5120"
        (100, "isk", Money("1", "ISK")),  # "an ISK amount of 100 ... represent 1 krona"
        (150000, "huf", Money("1500", "HUF")),  # two decimals at Stripe, none in CLDR
        (1234500, "idr", Money("12345", "IDR")),
    ],
)
def test_stripe_amounts_become_money(amount, currency, expected):
    money = to_money(amount, currency)
    assert money == expected
    assert to_minor(money) == amount


def test_cldr_exponents_alone_would_be_wrong_for_isk():
    """Why the plugin does not call Money.from_minor for every currency."""
    assert Money.from_minor(100, "ISK") == Money("100", "ISK")  # CLDR: ISK has no decimals
    assert to_money(100, "isk") == Money("1", "ISK")  # Stripe: 100 is 1 krona


@pytest.mark.parametrize(
    ("amount", "currency"),
    [(150050, "huf"), (None, "usd"), (True, "usd"), ("1000", "usd"), (1000, None),
     (1000, "xyz")],
)  # fmt: skip
def test_an_amount_money_cannot_hold_is_left_unstated(amount, currency):
    assert to_money(amount, currency) is None  # HUF 1500.50 has a fraction CLDR's HUF lacks


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
