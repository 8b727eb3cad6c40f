"""What a dispute costs in platform fees: the dispute fee and the counter (contest) fee.

Each platform charges differently: Stripe takes a dispute fee when a dispute opens and keeps
it, and a counter fee when the merchant contests, returned if the merchant wins; PayPal's
dispute fee is not charged when the case is decided in the seller's favour; eBay charges
its payment-dispute fee only when the seller contests and loses (a counter fee, in these
terms). The figures are settings (``[fees]`` in the rules file); the defaults below are
only those the platform publishes, each with its source (docs/handling.md, "Dispute fees").
A fee is always :class:`Money` in its own currency: converting it is for comparing only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from disputeflow.core.errors import DisputeflowError
from disputeflow.core.money import Money

STRIPE_SOURCE = (
    "https://support.stripe.com/questions/june-2025-pricing-updates-for-disputes, "
    "https://support.stripe.com/topics/disputes (checked 2026-12-05)"
)
PAYPAL_SOURCE = (
    "https://www.paypal.com/us/business/paypal-business-fees, https://www.paypal.com/us/"
    "smarthelp/article/what-is-the-paypal-dispute-fee-and-why-was-i-charged-one-faq4352 "
    "(checked 2026-12-05)"
)


@dataclass(frozen=True)
class PlatformFees:
    """One platform's (or connection's) fees for one dispute.

    ``dispute_fee`` is charged when a dispute opens, ``counter_fee`` when the merchant
    contests it; ``*_returned_if_won`` say whether the platform gives the fee back (or never
    charges it) when the merchant wins. A fee left out is no fee.
    """

    dispute_fee: Money | None = None
    counter_fee: Money | None = None
    dispute_fee_returned_if_won: bool = False
    counter_fee_returned_if_won: bool = True
    source: str = "rules file"

    def fight_cost(self) -> tuple[Money, ...]:
        """The fees of a fight that is lost: the counter fee and the dispute fee."""
        return tuple(fee for fee in (self.counter_fee, self.dispute_fee) if fee is not None)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``rules check --json``)."""
        return {
            "dispute_fee": self.dispute_fee.to_dict() if self.dispute_fee else None,
            "counter_fee": self.counter_fee.to_dict() if self.counter_fee else None,
            "dispute_fee_returned_if_won": self.dispute_fee_returned_if_won,
            "counter_fee_returned_if_won": self.counter_fee_returned_if_won,
            "source": self.source,
        }

    def __str__(self) -> str:
        def one(fee: Money | None, returned: bool) -> str:
            if fee is None:
                return "none"
            return f"{fee.value} {fee.currency} ({'returned' if returned else 'kept'} if won)"

        dispute = one(self.dispute_fee, self.dispute_fee_returned_if_won)
        counter = one(self.counter_fee, self.counter_fee_returned_if_won)
        return f"dispute fee {dispute}, counter fee {counter}; from {self.source}"

    def paid(self, *, fought: bool, won: bool) -> tuple[Money, ...]:
        """The fees a closed dispute cost: the dispute fee unless won and given back, the
        counter fee when fought, unless won and given back."""
        paid = []
        if self.dispute_fee is not None and not (won and self.dispute_fee_returned_if_won):
            paid.append(self.dispute_fee)
        counter = self.counter_fee
        if fought and counter is not None and not (won and self.counter_fee_returned_if_won):
            paid.append(counter)
        return tuple(paid)


# Published figures only (US accounts; elsewhere the platforms charge a local equivalent,
# which the merchant sets). Shopify Payments, WooPayments and eBay publish no figure in the
# sources found: their fees are the merchant's to set.
DEFAULT_FEES: Mapping[str, PlatformFees] = {
    "stripe": PlatformFees(
        dispute_fee=Money("15.00", "USD"),
        counter_fee=Money("15.00", "USD"),
        dispute_fee_returned_if_won=False,
        counter_fee_returned_if_won=True,
        source=STRIPE_SOURCE,
    ),
    "paypal": PlatformFees(
        dispute_fee=Money("15.00", "USD"),
        dispute_fee_returned_if_won=True,
        source=PAYPAL_SOURCE,
    ),
}


@dataclass(frozen=True)
class FeeSettings:
    """The ``[fees]`` of the rules file: per platform, and per connection (by id or name;
    a connection's table replaces its platform's whole); the published defaults for the
    platforms the file does not name."""

    platforms: Mapping[str, PlatformFees] = field(default_factory=dict)
    connections: Mapping[str, PlatformFees] = field(default_factory=dict)
    defaults: bool = True  # ``use_published_defaults = false`` turns them off

    def of(self, platform: str, *connection: str | None) -> PlatformFees | None:
        """The fees of a case on ``platform`` through ``connection`` (its id, its name):
        ``None`` when nobody has said what the platform charges."""
        for key in connection:
            if key and key in self.connections:
                return self.connections[key]
        if platform in self.platforms:
            return self.platforms[platform]
        return DEFAULT_FEES.get(platform) if self.defaults else None

    def effective(self) -> dict[str, PlatformFees]:
        """Every platform's and connection's fees in force (``connection:<key>`` for a
        connection's own), the published defaults included."""
        found = dict(DEFAULT_FEES) if self.defaults else {}
        found.update(self.platforms)
        found.update({f"connection:{k}": v for k, v in self.connections.items()})
        return found


def _as_money(value: Any) -> Money | None:
    if not isinstance(value, dict):
        return None
    try:
        return Money.from_dict(value)
    except DisputeflowError:
        return None


def reported_fees(extra: Mapping[str, Any]) -> tuple[Money, ...]:
    """Fees the platform reported charging for the case, as its plugin kept them:
    ``extra["fees"]`` (a money dict or a list of them) and ``extra["dispute_fee"]``;
    anything unreadable is left out."""
    found: list[Any] = []
    fees = extra.get("fees")
    found += fees if isinstance(fees, list) else [fees]
    found.append(extra.get("dispute_fee"))
    return tuple(money for money in map(_as_money, found) if money is not None)
