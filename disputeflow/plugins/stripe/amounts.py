"""Stripe's amounts: integers in the currency's minor unit, as Stripe counts minor units.

Stripe's rules (https://docs.stripe.com/currencies, "Specify amounts in API requests",
"Zero-decimal currencies", "Special cases"; the three-decimal list as the same page gave it;
checked 2026-12-05):

- "Currencies are two-decimal currencies unless otherwise specified": ``1000`` is USD 10.
- Zero-decimal currencies take the amount as it is: ``500`` is JPY 500.
- Three-decimal currencies (BHD, JOD, KWD, OMR, TND) count thousandths: ``5120`` is KWD 5.120.
- Special cases. ISK and UGX "transitioned to a zero-decimal currency, but backward
  compatibility requires you to represent it as a two-decimal value, where the decimal
  amount is always 00. For example, to charge 5 ISK, provide an amount value of 500" (UGX
  word for word, although the zero-decimal list names UGX too: the special case governs).
  HUF and TWD are zero-decimal for payouts only, "even though you can charge two-decimal
  amounts" (HUF 10.45 is ``1045``).

CLDR, which :class:`~disputeflow.Money` follows, gives ISK, UGX, HUF, IDR and COP no
decimals, so the plugin converts through its own :class:`~disputeflow.MinorUnits` table, never
``Money.from_minor``. A HUF, IDR or COP amount with a fraction (HUF 10.45) has more decimals
than Money holds for that currency: it is left unstated (``None``), and the snapshot keeps
Stripe's own figure in ``extra["stripe_amount"]``.
"""

from __future__ import annotations

from typing import Any

from disputeflow import InvalidInputError, MinorUnits, Money

# https://docs.stripe.com/currencies#zero-decimal, less UGX (a special case, see above).
ZERO_DECIMAL = frozenset({
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA",
    "PYG", "RWF", "VND", "VUV", "XAF", "XOF", "XPF",
})  # fmt: skip
# https://docs.stripe.com/currencies#three-decimal
THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})
STRIPE_UNITS = MinorUnits(
    {**dict.fromkeys(ZERO_DECIMAL, 0), **dict.fromkeys(THREE_DECIMAL, 3)}, default=2
)


def exponent(currency: str) -> int:
    """Digits Stripe's integer amounts carry for ``currency`` (``JPY`` 0, ``KWD`` 3, else 2)."""
    return STRIPE_UNITS.exponent(currency)


def to_money(amount: Any, currency: Any) -> Money | None:
    """A Stripe amount as Money; ``None`` when either is missing or not Stripe's kind of
    value, or when Money cannot hold it (a fractional HUF, IDR or COP amount)."""
    if not isinstance(currency, str):
        return None
    try:
        return STRIPE_UNITS.to_money(amount, currency)
    except InvalidInputError:
        return None


def to_minor(money: Money) -> int:
    """``money`` as the integer a Stripe request takes."""
    return STRIPE_UNITS.to_minor(money)
