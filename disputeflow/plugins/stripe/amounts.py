"""Stripe's amounts: integers in the currency's minor unit, as Stripe counts minor units.

Stripe's table (https://docs.stripe.com/currencies, "Minor units in API amounts",
"Zero-decimal currencies", "Three-decimal currencies", "Special cases"; checked 2026-12-04)
agrees with ISO 4217 and CLDR for most currencies, and ``Money.from_minor``/``Money.minor``
(CLDR exponents) serve those. It differs where CLDR says a currency has no decimals but
Stripe keeps two for backwards compatibility: ISK ("ISK will remain a two-decimal currency
in the Stripe API, and an ISK amount of 100 will continue to represent 1 krona", Stripe
support, "Deprecation of fractional ISK charges and refunds"), and likewise HUF, IDR, COP
and every other currency outside Stripe's zero- and three-decimal lists. Those are scaled
with Stripe's own exponent, so 10000 ISK-minor is ISK 100, never ISK 10,000.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from disputeflow import InvalidInputError, Money
from disputeflow.core.money import minor_units

# https://docs.stripe.com/currencies#zero-decimal (checked 2026-12-04)
ZERO_DECIMAL = frozenset({
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA",
    "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
})  # fmt: skip
# https://docs.stripe.com/currencies#three-decimal (checked 2026-12-04)
THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})


def exponent(currency: str) -> int:
    """Digits Stripe's integer amounts carry for ``currency`` (``JPY`` 0, ``KWD`` 3, else 2)."""
    code = currency.strip().upper()
    if code in ZERO_DECIMAL:
        return 0
    return 3 if code in THREE_DECIMAL else 2


def to_money(amount: Any, currency: Any) -> Money | None:
    """A Stripe amount as Money; ``None`` when either is missing, or when the amount has a
    fraction the currency cannot hold in ISO terms (an old fractional ISK or HUF charge)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not isinstance(currency, str):
        return None
    code = currency.strip().upper()
    try:
        if exponent(code) == minor_units(code):
            return Money.from_minor(amount, code)
        return Money(Decimal(amount).scaleb(-exponent(code)), code)
    except InvalidInputError:
        return None


def to_minor(money: Money) -> int:
    """``money`` as the integer a Stripe request takes."""
    if exponent(money.currency) == minor_units(money.currency):
        return money.minor
    return int(money.value.scaleb(exponent(money.currency)))
