"""Prevention analytics: what closed and open cases say about where disputes come from.

:func:`~.facts.load_facts` reads one :class:`~.facts.CaseFact` per case opened in a period;
everything here is a pure function of those facts, so each figure can be checked by hand.
:func:`~.report.build` puts them together as :class:`Analytics`, whose :class:`Table`
objects the workspace, the CSV export and ``disputeflow report`` all show.

Honesty rules:

* Rates per order need the number of orders, which only a plugin can give (the
  ``disputeflow_order_volume`` hook). A rate is shown only when every order it divides by
  is known; otherwise the table shows counts and says what is missing.
* Money is summed per currency, never across currencies.
* Product/SKU, carrier and fees are read from ``case.extra`` where a plugin keeps them (see
  :func:`~.facts.products_of`, :func:`~.facts.carriers_of`, :func:`~.facts.fees_of`); cases
  that do not say are counted as such, never guessed.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from disputeflow.core.money import Money
from disputeflow.core.taxonomy import Outcome
from disputeflow.features.analytics.facts import (
    CaseFact,
    carriers_of,
    connection_ids,
    fact_of,
    fees_of,
    load_facts,
    normalised,
    products_of,
)
from disputeflow.features.i18n.labels import N_

__all__ = [
    "UNKNOWN",
    "Analytics",
    "CaseFact",
    "CaseRef",
    "RootCause",
    "Table",
    "carriers_of",
    "connection_ids",
    "fact_of",
    "fees_of",
    "load_facts",
    "normalised",
    "products_of",
]

# ``volume(connection_id, start, end)``: orders the connection took in [start, end), or None.
OrderVolume = Callable[[str, datetime, datetime], int | None]
Cell = str | int | Decimal | None

HUNDRED = Decimal(100)
UNKNOWN = N_("(not stated)")  # the pages translate it


@dataclass(frozen=True)
class Table:
    """One table of figures: shown as HTML, exported as CSV, optionally charted.

    ``chart`` is ``"bar"`` or ``"line"``; ``plot`` names the columns charted against the
    first column. ``title``, ``columns`` and ``note`` are English message ids (the pages
    translate them; ``note_values`` fill the note's placeholders); ``words`` says which
    vocabulary a text column's values belong to (``category``, ``country``,
    ``marketplace``, ``label``: one of the table's own English words), by column index.
    """

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""
    chart: str | None = None
    plot: tuple[str, ...] = ()
    words: Mapping[int, str] = field(default_factory=dict)
    note_values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def note_text(self) -> str:
        """The note in English, its placeholders filled."""
        return self.note % dict(self.note_values) if self.note_values else self.note

    def column(self, name: str) -> list[Cell]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


@dataclass(frozen=True)
class RootCause:
    """A kind and category that keeps coming back, with the evidence behind it."""

    kind: str
    category: str
    cases: int
    share: Decimal
    reasons: tuple[tuple[str, int], ...]
    products: tuple[tuple[str, int], ...]
    countries: tuple[tuple[str, int], ...]
    case_ids: tuple[str, ...]
    newest: tuple[CaseRef, ...] = ()  # the same cases, with what a title needs


@dataclass(frozen=True)
class CaseRef:
    """A case as a link names it: its kind, the platform's id and the order."""

    id: str
    kind: str
    platform: str
    external_id: str
    order: str | None = None


@dataclass(frozen=True)
class Recovery:
    """Money in one currency: disputed, kept after decisions, fees, and what is left."""

    currency: str
    disputed: Money
    recovered: Money
    fees: Money
    net: Money

    @property
    def rate(self) -> Decimal | None:
        """The recovery rate: recovered / disputed over every closed dispute, fought or not."""
        return percent(self.recovered.value, self.disputed.value)


@dataclass(frozen=True)
class Outcomes:
    """Decided disputes: ``win_rate`` = won / (won + lost + partial), withdrawn apart."""

    won: int = 0
    lost: int = 0
    partial: int = 0
    withdrawn: int = 0

    @property
    def decided(self) -> int:
        return self.won + self.lost + self.partial

    @property
    def win_rate(self) -> Decimal | None:
        return percent(self.won, self.decided)


@dataclass(frozen=True)
class Analytics:
    """Every figure of one period, ready to show."""

    since: datetime
    until: datetime
    disputes: int
    returns: int
    orders: int | None
    outcomes: Outcomes
    recovery: tuple[Recovery, ...]
    first_response_hours: Decimal | None
    resolution_hours: Decimal | None
    root_causes: tuple[RootCause, ...]
    tables: tuple[Table, ...] = field(default=())
    converted: Any = None  # .converted.ConvertedRecovery, with a reporting currency

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)


# -- pure figures -------------------------------------------------------------------------


def percent(part: int | Decimal, whole: int | Decimal | None) -> Decimal | None:
    """``part`` as a percentage of ``whole`` to two places; ``None`` when ``whole`` is 0 or
    unknown."""
    if not whole:
        return None
    share = Decimal(part) * HUNDRED / Decimal(whole)
    return share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def median_hours(durations: Iterable[timedelta]) -> Decimal | None:
    """The median of ``durations`` in hours (one decimal); ``None`` for none."""
    seconds = [max(d.total_seconds(), 0.0) for d in durations]
    if not seconds:
        return None
    hours = Decimal(str(statistics.median(seconds))) / 3600
    return hours.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def response_hours(facts: Iterable[CaseFact]) -> Decimal | None:
    """Median time from opening to the first response, over cases that had one."""
    return median_hours(f.first_response_at - f.opened_at for f in facts if f.first_response_at)


def resolution_hours(facts: Iterable[CaseFact]) -> Decimal | None:
    """Median time from opening to resolution, over resolved cases."""
    return median_hours(f.resolved_at - f.opened_at for f in facts if f.resolved_at)


def outcomes(facts: Iterable[CaseFact]) -> Outcomes:
    """How resolved disputes ended (returns are not won or lost)."""
    counted = Counter(f.outcome for f in facts if f.is_dispute and f.outcome is not None)
    return Outcomes(
        won=counted[Outcome.MERCHANT_FAVOR],
        lost=counted[Outcome.BUYER_FAVOR],
        partial=counted[Outcome.PARTIAL],
        withdrawn=counted[Outcome.WITHDRAWN],
    )


def _kept(fact: CaseFact) -> Money:
    """What the merchant kept of a decided dispute: nothing when lost, else the amount less
    what was refunded (never below zero)."""
    assert fact.amount is not None
    zero = Money.zero(fact.amount.currency)
    if fact.outcome is Outcome.BUYER_FAVOR:
        return zero
    refunded = fact.refunded if fact.refunded and fact.refunded.currency == zero.currency else zero
    return max(fact.amount - refunded, zero)


def recovery(facts: Iterable[CaseFact]) -> tuple[Recovery, ...]:
    """Per currency, over resolved disputes: disputed, recovered, fees and net recovered."""
    sums: dict[str, dict[str, Money]] = {}

    def add(currency: str, key: str, amount: Money) -> None:
        bucket = sums.setdefault(currency, {})
        bucket[key] = bucket.get(key, Money.zero(currency)) + amount

    for fact in facts:
        if not fact.is_dispute or fact.outcome is None or fact.amount is None:
            continue
        add(fact.amount.currency, "disputed", fact.amount)
        add(fact.amount.currency, "recovered", _kept(fact))
        for fee in fact.fees:
            add(fee.currency, "fees", fee)
    found = []
    for currency in sorted(sums):
        zero = Money.zero(currency)
        got = {k: sums[currency].get(k, zero) for k in ("disputed", "recovered", "fees")}
        found.append(Recovery(currency, **got, net=got["recovered"] - got["fees"]))
    return tuple(found)


def top(values: Iterable[str], limit: int = 3) -> tuple[tuple[str, int], ...]:
    """The most common values with their counts, most common first, ties by name."""
    counted = Counter(values)
    return tuple(sorted(counted.items(), key=lambda item: (-item[1], item[0]))[:limit])


def root_causes(facts: Sequence[CaseFact], limit: int = 5) -> tuple[RootCause, ...]:
    """The kinds and categories with the most cases, each with its most common platform
    reasons, products and buyer countries, and its newest cases."""
    groups: dict[tuple[str, str], list[CaseFact]] = defaultdict(list)
    for fact in facts:
        groups[(str(fact.kind), fact.category)].append(fact)
    ranked = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))[:limit]
    causes = []
    for (kind, category), members in ranked:
        newest = sorted(members, key=lambda f: (f.opened_at, f.id), reverse=True)
        causes.append(
            RootCause(
                kind=kind,
                category=category,
                cases=len(members),
                share=percent(len(members), len(facts)) or Decimal(0),
                reasons=top(f.platform_reason for f in members if f.platform_reason),
                products=top(p for f in members for p in f.products),
                countries=top(f.buyer_country for f in members if f.buyer_country),
                case_ids=tuple(f.id for f in newest[:5]),
                newest=tuple(
                    CaseRef(f.id, str(f.kind), f.platform, f.external_id, f.order)
                    for f in newest[:5]
                ),
            )
        )
    return tuple(causes)
