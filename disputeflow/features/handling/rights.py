"""Buyers' statutory rights by country, and the effective return window they make.

The figures live in one data file shipped with the package (``data/rights.toml``), a row
per country with its legal source. A row says which of three things the law is known to
do for a distance sale: grant a withdrawal period (``right = "withdrawal"``), grant none
(``"none"``, sourced like any other answer) or something not confirmed (``"unknown"``):
a known "none" is not the same as not knowing. The effective window for a buyer is the
longer of the store's own policy and the statutory period of the buyer's country; a store
policy below the statutory minimum is flagged, never applied silently.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from disputeflow.core.clock import to_rfc3339
from disputeflow.engine.calendar import BusinessCalendar, supported_countries

DATA_FILE = "rights.toml"
REFUND_CLOCKS = ("withdrawal", "goods_returned")
WITHDRAWAL, NONE, UNKNOWN = "withdrawal", "none", "unknown"
RIGHTS = (WITHDRAWAL, NONE, UNKNOWN)
WEEK = 7
WORKING_WEEK = 5


@cache
def _calendar(country: str) -> BusinessCalendar:
    """The country's business days (weekend and public holidays), else Saturday-Sunday."""
    return BusinessCalendar(country if country in supported_countries() else None)


def _weeks(business_days: int) -> int:
    """Calendar days ``business_days`` take without public holidays, at the longest: five
    make a week, and a part week may straddle a weekend."""
    weeks, rest = divmod(business_days, WORKING_WEEK)
    return weeks * WEEK + rest + (WEEK - WORKING_WEEK if rest else 0)


@dataclass(frozen=True)
class StatutoryRights:
    """What the law of one country grants a buyer of goods at a distance."""

    country: str
    name: str
    region: str
    law: str
    national_law: str = ""
    right: str = WITHDRAWAL  # or NONE (sourced: the law gives none) or UNKNOWN (not confirmed)
    withdrawal_days: int | None = None  # None unless right is WITHDRAWAL
    withdrawal_business_days: bool = False  # the period counts business days (Mexico...)
    only_without_store_policy: bool = False  # Japan: only when the store states no policy
    clock: str = ""
    refund_days: int | None = None
    refund_business_days: bool = False
    refund_clock: str | None = None
    refund_note: str = ""
    return_shipping: str = ""
    exceptions: dict[str, str] = field(default_factory=dict)
    notes: str = ""
    sources: tuple[str, ...] = ()
    verified: bool = True

    def window_days(self, store_window_days: int | None) -> int | None:
        """The statutory change-of-mind period for a store with that policy (``None``: the
        store states none), in its own unit (business days where the law counts them), or
        ``None`` where the law sets none or it is not known."""
        if self.right != WITHDRAWAL:
            return None
        if self.only_without_store_policy and store_window_days is not None:
            return None
        return self.withdrawal_days

    def calendar_days(self, store_window_days: int | None, start: date | None = None) -> int | None:
        """The statutory period in calendar days: business days counted on the country's
        calendar from ``start`` (the delivery, else the order), or as full weeks without it."""
        days = self.window_days(store_window_days)
        if days is None or not self.withdrawal_business_days:
            return days
        if start is None:
            return _weeks(days)
        return (_calendar(self.country).add_business_days(start, days) - start).days

    def describe(self) -> str:
        """The right in a few words: "14 days", "5 business days", "none", "unknown"."""
        if self.right != WITHDRAWAL:
            return self.right
        unit = "business days" if self.withdrawal_business_days else "days"
        return f"{self.withdrawal_days} {unit}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form the API and the CLI show."""
        return {
            "country": self.country,
            "name": self.name,
            "region": self.region,
            "law": self.law,
            "national_law": self.national_law or None,
            "right": self.right,
            "withdrawal_days": self.withdrawal_days,
            "withdrawal_business_days": self.withdrawal_business_days,
            "only_without_store_policy": self.only_without_store_policy,
            "clock": self.clock or None,
            "refund_days": self.refund_days,
            "refund_business_days": self.refund_business_days,
            "refund_clock": self.refund_clock,
            "refund_note": self.refund_note or None,
            "return_shipping": self.return_shipping,
            "exceptions": [{"id": k, "text": v} for k, v in self.exceptions.items()],
            "notes": self.notes or None,
            "sources": list(self.sources),
            "verified": self.verified,
        }


def _check(country: str, merged: dict[str, Any]) -> None:
    """A row says what the law does, and only a withdrawal right has a period."""
    if merged.get("refund_clock") not in (None, *REFUND_CLOCKS):
        raise ValueError(f"{country}: refund_clock must be one of {REFUND_CLOCKS}")
    right = merged.get("right")
    if right not in RIGHTS:
        raise ValueError(f"{country}: right must be one of {RIGHTS} (a row without a period)")
    if (right == WITHDRAWAL) != (merged.get("withdrawal_days") is not None):
        raise ValueError(f"{country}: withdrawal_days goes with right = {WITHDRAWAL!r} only")
    if not merged["sources"]:
        raise ValueError(f"{country}: every row names its sources, a 'none' as well")


def _row(country: str, row: dict[str, Any], regimes: dict[str, dict[str, Any]]) -> StatutoryRights:
    merged = {**regimes[row["regime"]], **{k: v for k, v in row.items() if k != "regime"}}
    merged["exceptions"] = dict(merged.get("exceptions") or {})
    merged["sources"] = tuple(merged.get("sources") or ())
    if "right" not in merged and merged.get("withdrawal_days") is not None:
        merged["right"] = WITHDRAWAL
    _check(country, merged)
    return StatutoryRights(country=country, **merged)


@cache
def all_rights() -> dict[str, StatutoryRights]:
    """Every country of the data file, by ISO 3166-1 alpha-2 code."""
    text = (
        resources.files("disputeflow.features.handling.data").joinpath(DATA_FILE).read_text("utf-8")
    )
    data = tomllib.loads(text)
    regimes = data["regimes"]
    return {code: _row(code, row, regimes) for code, row in sorted(data["countries"].items())}


def rights_for(country: str | None) -> StatutoryRights | None:
    """The statutory rights of a buyer in ``country``, or ``None`` if the data has none."""
    if not country:
        return None
    return all_rights().get(country.strip().upper())


@dataclass(frozen=True)
class StorePolicy:
    """The store's own return window and where it was read."""

    window_days: int | None
    source: str | None
    checked_at: datetime | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "window_days": self.window_days,
            "source": self.source,
            "checked_at": to_rfc3339(self.checked_at) if self.checked_at else None,
            "error": self.error,
        }


@dataclass(frozen=True)
class PolicyEvaluation:
    """A buyer's return window: the store's, the law's, the effective one, and whether a
    return requested at a given moment falls inside them."""

    jurisdiction: str | None
    store_window_days: int | None
    statutory_window_days: int | None  # calendar days (business days counted out)
    effective_window_days: int | None
    below_statutory: bool
    within_window: bool | None = None
    within_statutory_window: bool | None = None
    days_elapsed: int | None = None
    clock_basis: str | None = None  # "delivery" or "order": what the elapsed days count from
    store_policy_source: str | None = None
    law: str | None = None
    sources: tuple[str, ...] = ()
    statutory_right: str | None = None  # withdrawal, none or unknown; None: no data
    statutory_business_days: int | None = None  # the law's period where it counts business days

    def to_dict(self) -> dict[str, Any]:
        return {
            "jurisdiction": self.jurisdiction,
            "store_window_days": self.store_window_days,
            "statutory_window_days": self.statutory_window_days,
            "effective_window_days": self.effective_window_days,
            "below_statutory": self.below_statutory,
            "within_window": self.within_window,
            "within_statutory_window": self.within_statutory_window,
            "days_elapsed": self.days_elapsed,
            "clock_basis": self.clock_basis,
            "store_policy_source": self.store_policy_source,
            "law": self.law,
            "sources": list(self.sources),
            "statutory_right": self.statutory_right,
            "statutory_business_days": self.statutory_business_days,
        }


def _within(window: int | None, elapsed: int | None, basis: str | None) -> bool | None:
    """Inside the window? Counted from the order date the answer can only be "yes" (the
    goods arrived later than they were ordered) or "unknown"."""
    if window is None or elapsed is None:
        return None
    if elapsed <= window:
        return True
    return False if basis == "delivery" else None


def evaluate(
    country: str | None,
    store: StorePolicy | None,
    *,
    requested_at: datetime | None = None,
    clock_start: datetime | None = None,
    clock_basis: str | None = None,
) -> PolicyEvaluation:
    """The effective return window for a buyer in ``country`` under ``store``'s policy; with
    ``requested_at`` and ``clock_start`` (delivery, else order time), whether a return
    requested then is inside it."""
    rights = rights_for(country)
    store_days = store.window_days if store else None
    start = clock_start.date() if clock_start is not None else None
    statutory = rights.calendar_days(store_days, start) if rights else None
    known = [d for d in (store_days, statutory) if d is not None]
    elapsed = None
    if requested_at is not None and start is not None:
        elapsed = max(0, (requested_at.date() - start).days)
    effective = max(known) if known else None
    business = None
    if rights is not None and rights.withdrawal_business_days:
        business = rights.window_days(store_days)
    return PolicyEvaluation(
        jurisdiction=country.upper() if country else None,
        store_window_days=store_days,
        statutory_window_days=statutory,
        effective_window_days=effective,
        below_statutory=store_days is not None and statutory is not None and store_days < statutory,
        within_window=_within(effective, elapsed, clock_basis),
        within_statutory_window=_within(statutory, elapsed, clock_basis),
        days_elapsed=elapsed,
        clock_basis=clock_basis if elapsed is not None else None,
        store_policy_source=store.source if store else None,
        law=rights.law if rights else None,
        sources=rights.sources if rights else (),
        statutory_right=rights.right if rights else None,
        statutory_business_days=business,
    )


def below_statutory_countries(store_window_days: int | None) -> list[str]:
    """The countries whose buyers get more than a store policy of that many days."""
    if store_window_days is None:
        return []
    return [
        code
        for code, rights in all_rights().items()
        if (days := rights.calendar_days(store_window_days)) is not None
        and days > store_window_days
    ]
