"""Money: exact Decimal amounts in the currency's own minor units (DESIGN.md section 4)."""

from __future__ import annotations

import json
import operator
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from disputeflow.core.errors import CurrencyMismatchError, DisputeflowError, InvalidInputError
from disputeflow.core.money import Money, minor_units

CURRENCIES = ["USD", "JPY", "KWD", "EUR", "CLP", "BHD"]


# -- minor units come from Babel (CLDR) ---------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "places"),
    [("USD", 2), ("EUR", 2), ("CAD", 2), ("JPY", 0), ("CLP", 0), ("KWD", 3), ("BHD", 3)],
)
def test_minor_units_come_from_cldr(currency, places):
    assert minor_units(currency) == places


@pytest.mark.parametrize("code", ["ZZZ", "US", "DOLLAR", "", "usd"])
def test_minor_units_refuses_unknown_codes(code):
    # minor_units itself takes the normalised (upper-case) code; Money normalises first.
    with pytest.raises(InvalidInputError, match="currency"):
        minor_units(code)


# -- construction: exact to the currency's minor units -------------------------------------


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (100, "JPY", "100"),
        ("100", "JPY", "100"),
        ("100.00", "JPY", "100"),  # trailing zeros are not extra precision
        (Decimal("1E+2"), "JPY", "100"),
        ("11.5", "USD", "11.50"),
        (Decimal("11.50"), "USD", "11.50"),
        ("11", "USD", "11.00"),
        (0, "USD", "0.00"),
        ("  11.50 ", "USD", "11.50"),
        ("1.234", "KWD", "1.234"),
        ("1.2", "KWD", "1.200"),
        ("5", "BHD", "5.000"),
        ("-3.25", "EUR", "-3.25"),
        ("1500", "CLP", "1500"),
    ],
)
def test_value_is_quantized_to_minor_units(value, currency, expected):
    money = Money(value, currency)
    assert str(money.value) == expected
    assert money.to_dict() == {"value": expected, "currency": currency}
    assert isinstance(money.value, Decimal)


def test_value_exponent_matches_minor_units():
    assert Money("11.5", "USD").value.as_tuple().exponent == -2
    assert Money("7", "KWD").value.as_tuple().exponent == -3
    assert Money("7", "JPY").value.as_tuple().exponent == 0


@pytest.mark.parametrize("value", [0.1, 1.0, 11.5, float("nan"), float("inf"), True, False])
def test_float_and_bool_are_refused(value):
    with pytest.raises(InvalidInputError, match="money amounts must be"):
        Money(value, "USD")


@pytest.mark.parametrize(
    ("value", "currency"),
    [
        ("1.5", "JPY"),
        (Decimal("0.1"), "JPY"),
        ("1.005", "USD"),
        ("0.001", "EUR"),
        ("1.2345", "KWD"),
        ("10.5", "CLP"),
    ],
)
def test_more_decimals_than_the_currency_allows_are_refused(value, currency):
    with pytest.raises(InvalidInputError, match="decimal places"):
        Money(value, currency)


@pytest.mark.parametrize(
    "value", ["", "abc", "1,50", "1.5.0", "NaN", "Infinity", "-inf", Decimal("NaN"), None, [1]]
)
def test_non_amounts_are_refused(value):
    with pytest.raises(InvalidInputError):
        Money(value, "USD")


@pytest.mark.parametrize("currency", ["ZZZ", "XYZ", "US", "", "dollars", None, 840])
def test_unknown_currency_codes_are_refused(currency):
    with pytest.raises(InvalidInputError, match="currency"):
        Money("1", currency)


@pytest.mark.parametrize("currency", ["usd", "Usd", " usd ", "USD"])
def test_currency_is_normalised_to_upper_case(currency):
    money = Money("11.5", currency)
    assert money.currency == "USD"
    assert money == Money("11.50", "USD")


def test_too_large_amounts_are_refused_as_invalid_input_not_decimal_errors():
    # Beyond the exact Decimal range the amount is refused with the common error,
    # never silently rounded and never a bare decimal.InvalidOperation (an HTTP 500).
    with pytest.raises(InvalidInputError):
        Money(10**30, "USD")
    with pytest.raises(InvalidInputError):
        Money("1e40", "JPY")
    with pytest.raises(InvalidInputError):
        Money.from_minor(10**40 + 7, "USD")
    with pytest.raises(InvalidInputError):
        Money(10**5000, "USD")  # would exceed int->str conversion limits


def test_errors_are_disputeflow_errors_with_the_422_shape():
    with pytest.raises(DisputeflowError) as info:
        Money(0.5, "USD")
    assert info.value.status == 422
    assert info.value.code == "invalid_input"
    assert isinstance(info.value, ValueError)


def test_money_is_frozen_and_hashable():
    money = Money("1", "USD")
    with pytest.raises(AttributeError):
        money.value = Decimal(2)  # type: ignore[misc]
    assert {money, Money("1.00", "USD")} == {money}


def test_equality_includes_currency():
    assert Money("1", "USD") == Money("1.00", "USD")
    assert Money("1", "USD") != Money("1", "EUR")
    assert Money("1", "USD") != Money("2", "USD")


# -- arithmetic and comparison --------------------------------------------------------------


def test_arithmetic_in_one_currency_is_exact():
    assert Money("0.10", "USD") + Money("0.20", "USD") == Money("0.30", "USD")
    assert Money("11.50", "USD") - Money("1.51", "USD") == Money("9.99", "USD")
    assert -Money("1.5", "EUR") == Money("-1.50", "EUR")
    assert Money("1.234", "KWD") + Money("0.001", "KWD") == Money("1.235", "KWD")
    total = Money("0", "USD")
    for _ in range(10):
        total = total + Money("0.1", "USD")
    assert total == Money("1", "USD")
    assert str(total.value) == "1.00"


def test_zero_and_truthiness():
    zero = Money.zero("JPY")
    assert zero == Money(0, "JPY")
    assert not zero
    assert Money("0.01", "USD")
    assert Money.zero("kwd").to_dict() == {"value": "0.000", "currency": "KWD"}


def test_comparisons_in_one_currency():
    small, big = Money("1.00", "USD"), Money("2.00", "USD")
    assert small < big
    assert small <= big
    assert small <= Money("1", "USD")
    assert big > small
    assert big >= small
    assert big >= Money("2", "USD")
    assert not big < small
    assert max([small, big]) == big


@pytest.mark.parametrize(
    "operation",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
    ],
)
def test_mixing_currencies_raises_currency_mismatch(operation):
    with pytest.raises(CurrencyMismatchError, match="USD"):
        operation(Money("1", "USD"), Money("1", "EUR"))


def test_currency_mismatch_is_a_422():
    with pytest.raises(CurrencyMismatchError) as info:
        Money("1", "USD") + Money("1", "JPY")
    assert info.value.status == 422
    assert info.value.code == "currency_mismatch"


@pytest.mark.parametrize("other", [1, Decimal(1), "1"])
def test_arithmetic_with_non_money_raises_type_error(other):
    with pytest.raises(TypeError):
        Money("1", "USD") + other
    with pytest.raises(TypeError):
        operator.lt(Money("1", "USD"), other)


def test_str_names_the_currency():
    assert str(Money("11.5", "CAD")) == "11.50 CAD"


# -- JSON form ------------------------------------------------------------------------------


def test_to_dict_value_is_a_string_never_a_float():
    data = Money("11.5", "CAD").to_dict()
    assert data == {"value": "11.50", "currency": "CAD"}
    assert isinstance(data["value"], str)
    assert json.dumps(data) == '{"value": "11.50", "currency": "CAD"}'


@pytest.mark.parametrize(
    "money",
    [Money("11.50", "CAD"), Money(100, "JPY"), Money("1.234", "KWD"), Money("-0.01", "USD")],
)
def test_to_dict_from_dict_round_trip(money):
    assert Money.from_dict(money.to_dict()) == money
    assert Money.from_dict(json.loads(json.dumps(money.to_dict()))) == money


def test_from_dict_normalises_and_validates():
    assert Money.from_dict({"value": "11.5", "currency": "cad"}) == Money("11.50", "CAD")
    assert Money.from_dict({"value": 100, "currency": "JPY"}) == Money(100, "JPY")
    with pytest.raises(InvalidInputError):
        Money.from_dict({"value": 11.5, "currency": "CAD"})
    with pytest.raises(InvalidInputError):
        Money.from_dict({"value": "1.5", "currency": "JPY"})


@pytest.mark.parametrize(
    "data", [{}, {"value": "1"}, {"currency": "USD"}, None, "11.50", ["1", "USD"]]
)
def test_from_dict_refuses_incomplete_data(data):
    with pytest.raises(InvalidInputError):
        Money.from_dict(data)


# -- minor units ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minor", "currency", "expected"),
    [
        (1150, "USD", "11.50"),
        (-1, "USD", "-0.01"),
        (100, "JPY", "100"),
        (1234, "KWD", "1.234"),
        (0, "BHD", "0.000"),
        (5, "usd", "0.05"),
        (5, " usd ", "0.05"),
    ],
)
def test_from_minor(minor, currency, expected):
    money = Money.from_minor(minor, currency)
    assert str(money.value) == expected
    assert money.currency == currency.strip().upper()
    assert money.minor == minor


@pytest.mark.parametrize("minor", [1.5, "100", Decimal(100), True, None])
def test_from_minor_refuses_non_ints(minor):
    with pytest.raises(InvalidInputError, match="minor units"):
        Money.from_minor(minor, "USD")


def test_from_minor_refuses_unknown_currency():
    with pytest.raises(InvalidInputError, match="currency"):
        Money.from_minor(1, "ZZZ")


def test_minor_property():
    assert Money("11.50", "USD").minor == 1150
    assert Money("100", "JPY").minor == 100
    assert Money("1.234", "KWD").minor == 1234
    assert Money("-0.05", "EUR").minor == -5
    assert isinstance(Money("1", "USD").minor, int)


# -- properties -----------------------------------------------------------------------------

# Every amount up to 10**25 minor units (far beyond any real price) is exact in every
# currency sampled; larger ones are refused (see the too-large test above).
minor_amounts = st.integers(min_value=-(10**25), max_value=10**25)
currencies = st.sampled_from(CURRENCIES)


@given(minor=minor_amounts, currency=currencies)
def test_from_minor_round_trips(minor, currency):
    money = Money.from_minor(minor, currency)
    assert money.minor == minor
    assert money.currency == currency
    assert -money.value.as_tuple().exponent == minor_units(currency)
    assert Money.from_dict(money.to_dict()) == money
    assert Money.from_dict(json.loads(json.dumps(money.to_dict()))) == money
    assert Money(money.to_dict()["value"], currency.lower()) == money


@given(a=minor_amounts, b=minor_amounts, currency=currencies)
def test_addition_matches_integer_arithmetic(a, b, currency):
    total = Money.from_minor(a, currency) + Money.from_minor(b, currency)
    assert total.minor == a + b
    assert (Money.from_minor(a, currency) - Money.from_minor(b, currency)).minor == a - b
    assert (Money.from_minor(a, currency) < Money.from_minor(b, currency)) == (a < b)


# -- aimed at mutants that survived `make mutate` (docs/testing.md) ---------------------------


def test_greater_than_is_strict():
    assert not Money("1.00", "EUR") > Money("1.00", "EUR")
    assert Money("1.01", "EUR") > Money("1.00", "EUR")
    assert Money("1.00", "EUR") >= Money("1.00", "EUR")


@pytest.mark.parametrize("other", [1, Decimal("1.00"), "1.00"])
def test_combining_with_a_non_money_names_its_type(other):
    with pytest.raises(TypeError, match=f"cannot combine Money with {type(other).__name__}$"):
        Money("1.00", "EUR") + other


def test_a_negative_amount_is_truthy():
    """Only zero is falsy: a negative balance (a refund larger than the charge) is not."""
    assert Money("-0.01", "EUR")
    assert not Money("0.00", "EUR")
    assert not Money("-0", "EUR")


# The message is what an API client or a CLI user reads: each refusal names what was wrong.
@pytest.mark.parametrize(
    ("value", "currency", "message"),
    [
        (1.5, "EUR", "money amounts must be Decimal, int or str, not float (1.5)"),
        (True, "EUR", "money amounts must be Decimal, int or str, not bool (True)"),
        ("12,50", "EUR", "'12,50' is not a decimal amount"),
        ([1], "EUR", "money amounts must be Decimal, int or str, not [1]"),
        ("NaN", "EUR", "'NaN' is not a finite amount"),
        (Decimal("1E+30"), "EUR", "amount too large to hold exactly in EUR"),
    ],
)
def test_each_refusal_says_what_was_wrong(value, currency, message):
    with pytest.raises(InvalidInputError) as refused:
        Money(value, currency)
    assert refused.value.message == message


def test_a_dict_without_currency_is_refused_with_what_it_holds():
    with pytest.raises(InvalidInputError) as refused:
        Money.from_dict({"value": "1.00"})
    assert refused.value.message == "money needs 'value' and 'currency': {'value': '1.00'}"
