"""Prevention analytics: what closed and open cases say about where disputes come from.

:func:`load_facts` reads one :class:`CaseFact` per case opened in a period (one query for
the cases, one for the timeline entries that matter); everything else here is a pure
function of those facts, so each figure can be checked by hand. :func:`build` puts them
together as :class:`Analytics`, whose :class:`Table` objects the workspace, the CSV export
and ``disputeflow report`` all show.

Honesty rules:

* Rates per order need the number of orders, which only a plugin can give (the
  ``disputeflow_order_volume`` hook). A rate is shown only when every order it divides by
  is known; otherwise the table shows counts and says what is missing.
* Money is summed per currency, never across currencies.
* Product/SKU, carrier and fees are read from ``case.extra`` where a plugin keeps them (see
  :func:`products_of`, :func:`carriers_of`, :func:`fees_of`); cases that do not say are
  counted as such, never guessed.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from disputeflow.core.case import Case
from disputeflow.core.errors import DisputeflowError
from disputeflow.core.money import Money
from disputeflow.core.taxonomy import Actor, CaseKind, CaseStatus, Outcome, TimelineKind
from disputeflow.engine.store.tables import CaseRow, ConnectionRow, TimelineRow
from disputeflow.features.handling.conditions import tracking_of

# ``volume(connection_id, start, end)``: orders the connection took in [start, end), or None.
OrderVolume = Callable[[str, datetime, datetime], int | None]
Cell = str | int | Decimal | None

HUNDRED = Decimal(100)
UNKNOWN = "(not stated)"
_RESPONSES = (
    TimelineKind.ACTION_REQUESTED,
    TimelineKind.MESSAGE_ADDED,
    TimelineKind.EVIDENCE_ADDED,
)


@dataclass(frozen=True)
class CaseFact:
    """What analytics needs of one case."""

    id: str
    connection_id: str
    store: str
    platform: str
    kind: CaseKind
    status: CaseStatus
    category: str
    outcome: Outcome | None
    platform_reason: str | None
    buyer_country: str | None
    opened_at: datetime
    amount: Money | None = None
    refunded: Money | None = None
    resolved_at: datetime | None = None
    first_response_at: datetime | None = None
    fees: tuple[Money, ...] = ()
    products: tuple[str, ...] = ()
    carriers: tuple[str, ...] = ()

    @property
    def is_dispute(self) -> bool:
        """Chargebacks, inquiries and marketplace claims; returns are counted apart."""
        return self.kind is not CaseKind.RETURN


@dataclass(frozen=True)
class Table:
    """One table of figures: shown as HTML, exported as CSV, optionally charted.

    ``chart`` is ``"bar"`` or ``"line"``; ``plot`` names the columns charted against the
    first column.
    """

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""
    chart: str | None = None
    plot: tuple[str, ...] = ()

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


@dataclass(frozen=True)
class Recovery:
    """Money in one currency: disputed, kept after decisions, fees, and what is left."""

    currency: str
    disputed: Money
    recovered: Money
    fees: Money
    net: Money


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


# -- reading the store --------------------------------------------------------------------


def _as_money(value: Any) -> Money | None:
    if not isinstance(value, dict):
        return None
    try:
        return Money.from_dict(value)
    except DisputeflowError:
        return None


def fees_of(extra: dict[str, Any]) -> tuple[Money, ...]:
    """Fees the platform charged for the case: ``extra["fees"]`` (a money dict or a list of
    them) and ``extra["dispute_fee"]``; anything unreadable is left out."""
    found: list[Any] = []
    fees = extra.get("fees")
    found += fees if isinstance(fees, list) else [fees]
    found.append(extra.get("dispute_fee"))
    return tuple(money for money in map(_as_money, found) if money is not None)


def _texts(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in values if isinstance(v, str | int) and str(v).strip()]


def products_of(extra: dict[str, Any]) -> tuple[str, ...]:
    """The products or SKUs a case is about: ``extra["sku"]``/``["skus"]``/``["product"]``/
    ``["products"]``, else each of ``extra["line_items"]`` by its ``sku``, ``product_id``,
    ``itemId``, ``title`` or ``name`` (the first it has)."""
    found: list[str] = []
    for key in ("sku", "skus", "product", "products"):
        found += _texts(extra.get(key))
    items = extra.get("line_items")
    for item in items if isinstance(items, list) and not found else ():
        if isinstance(item, dict):
            keys = ("sku", "product_id", "itemId", "title", "name")
            found += next((_texts(item[k]) for k in keys if _texts(item.get(k))), [])
    return tuple(dict.fromkeys(found))


def carriers_of(case: Case) -> tuple[str, ...]:
    """The carriers that shipped the order: from the case's tracking, or ``extra["carrier"]``."""
    found = [t["carrier"] for t in tracking_of(case) if t.get("carrier")]
    found += _texts(case.extra.get("carrier"))
    return tuple(dict.fromkeys(found))


def _events(session: Session, since: datetime, until: datetime) -> dict[str, list[TimelineRow]]:
    query = (
        select(TimelineRow)
        .join(CaseRow, CaseRow.id == TimelineRow.case_id)
        .where(CaseRow.opened_at >= since, CaseRow.opened_at < until)
        .where(TimelineRow.kind.in_([str(k) for k in (*_RESPONSES, TimelineKind.RESOLVED)]))
    )
    found: dict[str, list[TimelineRow]] = defaultdict(list)
    for row in session.scalars(query):
        found[row.case_id].append(row)
    return found


def _first_response(entries: Iterable[TimelineRow]) -> datetime | None:
    """The first action requested (by a person or a rule), or merchant message or evidence."""
    times = [
        e.at
        for e in entries
        if e.kind == TimelineKind.ACTION_REQUESTED
        or (e.kind in _RESPONSES and e.actor == Actor.MERCHANT)
    ]
    return min(times) if times else None


def fact_of(case: Case, store: str, entries: Sequence[TimelineRow] = ()) -> CaseFact:
    """The analytics view of one case and its response and resolution entries."""
    resolved = [e.at for e in entries if e.kind == TimelineKind.RESOLVED]
    return CaseFact(
        id=case.id,
        connection_id=case.connection_id,
        store=store,
        platform=case.platform,
        kind=case.kind,
        status=case.status,
        category=str(case.category),
        outcome=case.outcome,
        platform_reason=case.platform_reason,
        buyer_country=case.buyer.country if case.buyer else None,
        opened_at=case.opened_at,
        amount=case.amount,
        refunded=case.refunded,
        resolved_at=max(resolved) if resolved and case.status is CaseStatus.RESOLVED else None,
        first_response_at=_first_response(entries),
        fees=fees_of(case.extra),
        products=products_of(case.extra),
        carriers=carriers_of(case),
    )


def load_facts(session: Session, since: datetime, until: datetime) -> list[CaseFact]:
    """One fact per case opened in ``[since, until)``, oldest first."""
    names = {
        str(i): str(n) for i, n in session.execute(select(ConnectionRow.id, ConnectionRow.name))
    }
    events = _events(session, since, until)
    rows = session.scalars(
        select(CaseRow)
        .where(CaseRow.opened_at >= since, CaseRow.opened_at < until)
        .order_by(CaseRow.opened_at, CaseRow.id)
    )
    return [
        fact_of(
            Case.from_dict(row.document),
            names.get(row.connection_id, row.connection_id),
            events.get(row.id, ()),
        )
        for row in rows
    ]


def connection_ids(session: Session) -> dict[str, tuple[str, str]]:
    """Every connection: ``{id: (name, platform)}``, the denominators of order rates."""
    rows = session.execute(select(ConnectionRow.id, ConnectionRow.name, ConnectionRow.platform))
    return {id_: (name, platform) for id_, name, platform in rows}


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
            )
        )
    return tuple(causes)
