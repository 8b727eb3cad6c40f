"""Outcomes measured: what fighting won, per marketplace, category and reason code.

Two rates, because dispute services quote the first and it flatters:

* **win rate when fought**: won / (won + lost + partial) among the disputes the merchant
  contested (a contest through disputeflow, or evidence on the platform); withdrawn ones
  apart. Each vendor counts it its own way, so vendors' figures are not comparable.
* **recovery rate**: recovered / disputed over *every* closed dispute, fought, accepted or
  never answered, per currency: the share of the disputed money the merchant kept.

Fees paid are the platform's own figure where the case has one (``extra["fees"]``), else
what the fee settings say the dispute cost as it ended (:meth:`PlatformFees.paid`); a case
with neither is counted, never guessed. Rows are per group *and currency*: money is never
summed across currencies.

The grouping is a ``key`` (a case to the labels it counts under). The win rate by evidence
item sent is :mod:`.evidence_effect`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from disputeflow.core.money import Money
from disputeflow.core.taxonomy import Outcome
from disputeflow.features.analytics.evidence_effect import evidence_table
from disputeflow.features.analytics.facts import ACCEPTED, CONTESTED, CaseFact
from disputeflow.features.analytics.figures import UNKNOWN, Cell, Table, _kept, percent
from disputeflow.features.handling.fees import FeeSettings
from disputeflow.features.i18n.labels import N_

Labels = tuple[str, ...]
GroupKey = Callable[[CaseFact], Iterable[Labels]]
KEPT = (Outcome.MERCHANT_FAVOR, Outcome.WITHDRAWN)  # the merchant keeps the money
DECIDED = (Outcome.MERCHANT_FAVOR, Outcome.BUYER_FAVOR, Outcome.PARTIAL)


def fees_paid(fact: CaseFact, settings: FeeSettings | None) -> tuple[Money, ...] | None:
    """What a closed dispute cost in fees: the platform's figure on the case, else the
    settings' for how it ended; ``None`` when neither says."""
    if fact.fees:
        return fact.fees
    fees = settings.of(fact.platform, fact.connection_id, fact.store) if settings else None
    if fees is None:
        return None
    return fees.paid(fought=fact.response == CONTESTED, won=fact.outcome in KEPT)


@dataclass
class Bucket:
    """One group's closed disputes in one currency."""

    currency: str
    closed: int = 0
    fought: int = 0
    accepted: int = 0
    fought_won: int = 0
    fought_decided: int = 0
    without_fees: int = 0
    money: dict[str, Money] = field(default_factory=dict)

    def add_money(self, part: str, amount: Money) -> None:
        self.money[part] = self.money.get(part, Money.zero(self.currency)) + amount

    def add(self, fact: CaseFact, fees: tuple[Money, ...] | None) -> None:
        self.closed += 1
        self.without_fees += fees is None
        self.accepted += fact.response == ACCEPTED
        if fact.response == CONTESTED:
            self.fought += 1
            self.fought_won += fact.outcome is Outcome.MERCHANT_FAVOR
            self.fought_decided += fact.outcome in DECIDED
        if fact.amount is not None:
            self.add_money("disputed", fact.amount)
            self.add_money("recovered", _kept(fact))

    def cells(self) -> tuple[Cell, ...]:
        value = {p: m.value for p, m in self.money.items()}
        disputed, recovered = value.get("disputed"), value.get("recovered")
        return (
            self.currency,
            self.closed,
            self.fought,
            self.accepted,
            self.closed - self.fought - self.accepted,
            percent(self.fought_won, self.fought_decided),
            disputed,
            recovered,
            percent(recovered, disputed) if recovered is not None else None,
            value.get("fees"),
            self.without_fees,
        )


def outcome_rows(
    facts: Sequence[CaseFact], key: GroupKey, settings: FeeSettings | None
) -> list[tuple[Cell, ...]]:
    """Per labels and currency, over closed disputes: counts, rates, money and fees; the
    groups with the most closed disputes first. A fee in another currency than the case
    counts in that currency's row of the same group."""
    buckets: dict[Labels, dict[str, Bucket]] = {}

    def bucket(labels: Labels, currency: str) -> Bucket:
        return buckets.setdefault(labels, {}).setdefault(currency, Bucket(currency))

    for fact in facts:
        if not fact.is_dispute or fact.outcome is None:
            continue
        fees = fees_paid(fact, settings)
        currency = fact.amount.currency if fact.amount else UNKNOWN
        for labels in list(key(fact)) or [(UNKNOWN,)]:
            bucket(labels, currency).add(fact, fees)
            for fee in fees or ():
                bucket(labels, fee.currency).add_money("fees", fee)
            if fees is not None and fact.amount is not None:  # known, if none: 0, not unknown
                bucket(labels, currency).add_money("fees", Money.zero(currency))
    ranked = sorted(buckets.items(), key=lambda item: (-_closed(item[1]), item[0]))
    return [
        (*labels, *group[currency].cells())
        for labels, group in ranked
        for currency in sorted(group)
    ]


def _closed(group: dict[str, Bucket]) -> int:
    return sum(b.closed for b in group.values())


COLUMNS = (
    N_("Currency"),
    N_("Closed disputes"),
    N_("Fought"),
    N_("Accepted"),
    N_("Not answered"),
    N_("Win rate when fought %"),
    N_("Disputed"),
    N_("Recovered"),
    N_("Recovery rate %"),
    N_("Fees paid"),
    N_("Without fee figures"),
)
NOTE = N_(
    "Win rate when fought: won / (won + lost + partial) among the disputes contested, the "
    "figure dispute services quote; each counts it its own way, so vendors' win rates are "
    "not comparable. Recovery rate: recovered / disputed over every closed dispute, fought, "
    "accepted or not answered. Fees paid: the platform's own figure where the case has one, "
    "else the fee settings; cases with neither are counted apart. Each currency on its own."
)
ALL = N_("All marketplaces")


def outcome_tables(facts: Sequence[CaseFact], settings: FeeSettings | None) -> tuple[Table, ...]:
    """The outcomes per marketplace (with every marketplace together), per category and per
    platform reason."""
    platforms = outcome_rows(facts, lambda f: [(f.platform,), (ALL,)], settings)
    platforms.sort(key=lambda row: row[0] == ALL)  # stable: the total last
    return (
        Table("outcomes_by_marketplace", N_("Outcomes by marketplace"),
              (N_("Marketplace"), *COLUMNS), tuple(platforms), NOTE, words={0: "marketplace"}),
        Table("outcomes_by_category", N_("Outcomes by category"), (N_("Category"), *COLUMNS),
              tuple(outcome_rows(facts, lambda f: [(f.category,)], settings)), NOTE,
              words={0: "category"}),
        Table("outcomes_by_reason", N_("Outcomes by reason code"),
              (N_("Platform reason"), N_("Marketplace"), *COLUMNS),
              tuple(outcome_rows(facts, lambda f: [(f.platform_reason or UNKNOWN, f.platform)],
                                 settings)),
              NOTE, words={0: "label", 1: "marketplace"}),
    )  # fmt: skip


def with_outcomes(
    tables: tuple[Table, ...], facts: Sequence[CaseFact], settings: FeeSettings | None
) -> tuple[Table, ...]:
    """The outcome tables right after the table of dispute outcomes."""
    at = next((i + 1 for i, t in enumerate(tables) if t.name == "outcomes"), len(tables))
    found = (*outcome_tables(facts, settings), evidence_table(facts))
    return (*tables[:at], *found, *tables[at:])
