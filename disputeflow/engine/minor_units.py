"""Integer amounts counted in a platform's own minor units (``from disputeflow import
MinorUnits``: part of the plugin API).

Many payment APIs send amounts as integers of the currency's minor unit, and how many digits
that unit has is the platform's word, not always CLDR's (which :class:`Money` follows):
Stripe counts ISK and UGX in hundredths, though neither has decimals in CLDR, so Stripe's
``500`` ISK is 5 krónur where ``Money.from_minor(500, "ISK")`` is 500. A plugin states its
platform's exponents once, as a :class:`MinorUnits` table, and converts through it both ways;
a platform that counts as CLDR does needs no table (``Money.from_minor`` and ``Money.minor``).

Nothing is rounded: an amount whose value has more decimals than :class:`Money` holds for the
currency (Stripe's HUF ``1045``, HUF 10.45, where CLDR gives HUF no decimals) is refused with
:class:`~disputeflow.InvalidInputError`, and so is a Money the platform's unit cannot express.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from disputeflow.core.errors import InvalidInputError
from disputeflow.core.money import Money, minor_units


@dataclass(frozen=True)
class MinorUnits:
    """A platform's digits per currency: ``exponents`` names the currencies that differ,
    ``default`` is the exponent of every other one (``None``: CLDR's, as Money's)."""

    exponents: Mapping[str, int] = field(default_factory=dict)
    default: int | None = None

    def __post_init__(self) -> None:
        table = {str(code).strip().upper(): digits for code, digits in self.exponents.items()}
        if any(not isinstance(d, int) or isinstance(d, bool) or d < 0 for d in table.values()):
            raise InvalidInputError(f"exponents must be whole numbers of digits: {table}")
        object.__setattr__(self, "exponents", table)

    def exponent(self, currency: str) -> int:
        """How many digits the platform's integer amounts of ``currency`` carry."""
        code = str(currency).strip().upper()
        cldr = minor_units(code)  # refuses a code that is no ISO 4217 currency
        if code in self.exponents:
            return self.exponents[code]
        return cldr if self.default is None else self.default

    def to_money(self, amount: int, currency: str) -> Money:
        """The platform's integer ``amount`` of ``currency`` as Money."""
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise InvalidInputError(f"a minor-unit amount must be an int, not {amount!r}")
        code = str(currency).strip().upper()
        digits = self.exponent(code)
        value = Decimal(amount).scaleb(-digits)
        try:
            return Money(value, code)
        except InvalidInputError:
            raise InvalidInputError(
                f"{amount} with {digits} decimals is {value} {code}, more decimals than "
                f"{code} has ({minor_units(code)})"
            ) from None

    def to_minor(self, money: Money) -> int:
        """``money`` as the platform's integer amount."""
        digits = self.exponent(money.currency)
        scaled = money.value.scaleb(digits)
        if scaled != scaled.to_integral_value():
            raise InvalidInputError(
                f"{money} cannot be sent in whole units of 10^-{digits} {money.currency}"
            )
        return int(scaled)
