"""Money: a Decimal amount in one ISO 4217 currency, exact to that currency's minor units.

Minor units come from the CLDR data Babel maintains (JPY 0, USD 2, KWD 3), never from a
hand-typed table. Floats are refused outright: 0.1 + 0.2 is not a price.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from babel.numbers import get_currency_precision, is_currency

from disputeflow.core.errors import CurrencyMismatchError, InvalidInputError


@cache
def minor_units(currency: str) -> int:
    """Digits after the decimal point for ``currency`` (e.g. JPY 0, USD 2, KWD 3)."""
    if not is_currency(currency):
        raise InvalidInputError(f"unknown currency code {currency!r} (expected ISO 4217)")
    return int(get_currency_precision(currency))


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, bool | float):
        raise InvalidInputError(
            f"money amounts must be Decimal, int or str, not {type(value).__name__} ({value!r})"
        )
    if isinstance(value, Decimal):
        decimal = value
    elif isinstance(value, int):
        decimal = Decimal(value)  # exact; str() would hit the int->str digit limit
    elif isinstance(value, str):
        try:
            decimal = Decimal(value.strip())
        except InvalidOperation:
            raise InvalidInputError(f"{value!r} is not a decimal amount") from None
    else:
        raise InvalidInputError(f"money amounts must be Decimal, int or str, not {value!r}")
    if not decimal.is_finite():
        raise InvalidInputError(f"{value!r} is not a finite amount")
    return decimal


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount of one currency; arithmetic only with the same currency."""

    value: Decimal
    currency: str

    def __init__(self, value: Decimal | int | str, currency: str) -> None:
        code = str(currency).strip().upper()
        places = minor_units(code)
        decimal = _to_decimal(value)
        exponent = Decimal(1).scaleb(-places)
        try:
            quantized = decimal.quantize(exponent)
        except InvalidOperation:  # more digits than Decimal holds exactly: refuse, never round
            raise InvalidInputError(f"amount too large to hold exactly in {code}") from None
        if quantized != decimal:
            raise InvalidInputError(
                f"{decimal} has more decimal places than {code} allows ({places})"
            )
        object.__setattr__(self, "value", quantized)
        object.__setattr__(self, "currency", code)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """The zero amount of ``currency``."""
        return cls(0, currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        """Build from an integer count of minor units (cents, fils): the form many APIs use.

        The exponent is CLDR's; a platform that counts otherwise (Stripe: ISK, UGX in
        hundredths) converts through its own table, ``disputeflow.MinorUnits``."""
        if isinstance(minor, bool) or not isinstance(minor, int):
            raise InvalidInputError(f"minor units must be an int, not {minor!r}")
        places = minor_units(str(currency).strip().upper())
        return cls(Decimal(minor).scaleb(-places), currency)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Money:
        """Parse the JSON form ``{"value": "11.50", "currency": "CAD"}``."""
        try:
            return cls(data["value"], data["currency"])
        except (KeyError, TypeError):
            raise InvalidInputError(f"money needs 'value' and 'currency': {data!r}") from None

    def to_dict(self) -> dict[str, str]:
        """The JSON form: the value as a string, never a float."""
        return {"value": str(self.value), "currency": self.currency}

    @property
    def minor(self) -> int:
        """The amount as an integer count of minor units."""
        return int(self.value.scaleb(minor_units(self.currency)))

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatchError(
                f"cannot combine {self.currency} with {other.currency}; convert first"
            )
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.value + self._same(other).value, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.value - self._same(other).value, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.value, self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.value < self._same(other).value

    def __le__(self, other: Money) -> bool:
        return self.value <= self._same(other).value

    def __gt__(self, other: Money) -> bool:
        return self.value > self._same(other).value

    def __ge__(self, other: Money) -> bool:
        return self.value >= self._same(other).value

    def __bool__(self) -> bool:
        return self.value != 0

    def __str__(self) -> str:
        return f"{self.value} {self.currency}"
