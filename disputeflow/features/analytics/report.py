"""The analytics of one period as tables: breakdowns, series, outcomes, money, root causes.

:func:`build` reads the facts (:func:`.figures.load_facts`) and the order volume the
plugins give, and returns :class:`~.figures.Analytics`; the workspace page, its CSV
export and ``disputeflow report`` all show the same object.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from disputeflow.features.analytics.converted import (
    ConvertedRecovery,
    convert_recovery,
    converted_table,
)
from disputeflow.features.analytics.figures import (
    UNKNOWN,
    Analytics,
    CaseFact,
    Cell,
    OrderVolume,
    Table,
    connection_ids,
    load_facts,
    outcomes,
    percent,
    recovery,
    resolution_hours,
    response_hours,
    root_causes,
)
from disputeflow.features.analytics.outcomes import with_outcomes
from disputeflow.features.analytics.periods import (
    month_label,
    period_end,
    period_of,
    period_starts,
    week_label,
)
from disputeflow.features.handling.fees import FeeSettings
from disputeflow.features.i18n.labels import N_
from disputeflow.features.rates.convert import Converter

Key = Callable[[CaseFact], Iterable[str]]


class Orders:
    """Order counts from the plugins, asked once per connection and interval."""

    def __init__(self, volume: OrderVolume | None, connections: Iterable[str]) -> None:
        self._volume = volume
        self._cache: dict[tuple[str, datetime, datetime], int | None] = {}
        self.connections = tuple(connections)

    def of(self, ids: Iterable[str], start: datetime, end: datetime) -> int | None:
        """The orders of every connection in ``ids`` over ``[start, end)``; ``None`` unless
        each one is known."""
        ids = tuple(ids)
        if self._volume is None or not ids:
            return None
        total = 0
        for connection_id in ids:
            key = (connection_id, start, end)
            if key not in self._cache:
                self._cache[key] = self._volume(connection_id, start, end)
            found = self._cache[key]
            if found is None:
                return None
            total += found
        return total

    def known(self, start: datetime, end: datetime) -> int:
        """How many connections supply their orders for ``[start, end)``."""
        return sum(self.of([c], start, end) is not None for c in self.connections)


def breakdown(facts: Iterable[CaseFact], key: Key) -> list[tuple[str, int, int]]:
    """``(value, disputes, returns)`` per value of ``key``, most cases first; a case with no
    value counts under ``(not stated)``, one with several under each."""
    disputes: Counter[str] = Counter()
    returns: Counter[str] = Counter()
    for fact in facts:
        for value in list(key(fact)) or [UNKNOWN]:
            (disputes if fact.is_dispute else returns)[value] += 1
    names = sorted(set(disputes) | set(returns), key=lambda v: (-(disputes[v] + returns[v]), v))
    return [(name, disputes[name], returns[name]) for name in names]


def _counted(
    name: str, title: str, label: str, facts: Sequence[CaseFact], key: Key, note: str = "",
    words: str = "label",
) -> Table:  # fmt: skip
    rows = tuple(
        (value, d, r, d + r, percent(d + r, len(facts))) for value, d, r in breakdown(facts, key)
    )
    return Table(
        name,
        title,
        (label, N_("Disputes"), N_("Returns"), N_("Total"), N_("Share of cases %")),
        rows,
        note,
        chart="bar",
        plot=("Disputes", "Returns"),
        words={0: words},
    )


def by_time(
    facts: Sequence[CaseFact], since: datetime, until: datetime, period: str, orders: Orders
) -> Table:
    """Disputes and returns per week or month (empty periods included); per month also the
    orders and cases per 100 orders, where every store's orders are known."""
    counts: dict[datetime, list[int]] = {s: [0, 0] for s in period_starts(since, until, period)}
    for fact in facts:
        counts.setdefault(period_of(fact.opened_at, period), [0, 0])[
            0 if fact.is_dispute else 1
        ] += 1
    rows: list[tuple[Cell, ...]] = []
    for start, (disputes, returns) in sorted(counts.items()):
        if period == "week":
            rows.append((week_label(start), f"{start:%Y-%m-%d}", disputes, returns))
            continue
        window = (max(start, since), min(period_end(start, period), until))
        volume = orders.of(orders.connections, *window)
        rows.append(
            (month_label(start), disputes, returns, volume, percent(disputes + returns, volume))
        )
    columns = (
        (N_("Week"), N_("Starts"), N_("Disputes"), N_("Returns"))
        if period == "week"
        else (N_("Month"), N_("Disputes"), N_("Returns"), N_("Orders"), N_("Cases per 100 orders"))
    )
    by_week, by_month = N_("Disputes and returns by week"), N_("Disputes and returns by month")
    title = by_week if period == "week" else by_month
    return Table(
        f"by_{period}", title, columns, tuple(rows), chart="line", plot=("Disputes", "Returns")
    )


def by_group(
    facts: Sequence[CaseFact], orders: Orders, since: datetime, until: datetime, *, store: bool
) -> Table:
    """Per store (``store``) or per marketplace: counts, orders and cases per 100 orders."""
    groups: dict[str, set[str]] = {}
    for fact in facts:
        groups.setdefault(fact.store if store else fact.platform, set()).add(fact.connection_id)
    rows: list[tuple[Cell, ...]] = []
    for value, disputes, returns in breakdown(facts, lambda f: [f.store if store else f.platform]):
        volume = orders.of(sorted(groups.get(value, ())), since, until)
        platform = next((f.platform for f in facts if f.store == value), "") if store else None
        first: tuple[Cell, ...] = (value, platform) if store else (value,)
        rows.append(
            (
                *first,
                disputes,
                returns,
                disputes + returns,
                volume,
                percent(disputes + returns, volume),
            )
        )
    label = (N_("Store"), N_("Marketplace")) if store else (N_("Marketplace"),)
    return Table(
        "by_store" if store else "by_marketplace",
        N_("Cases by store") if store else N_("Cases by marketplace"),
        (*label, N_("Disputes"), N_("Returns"), N_("Total"), N_("Orders"),
         N_("Cases per 100 orders")),
        tuple(rows),
        chart="bar",
        plot=("Disputes", "Returns"),
        words={1: "marketplace"} if store else {0: "marketplace"},
    )  # fmt: skip


def by_category(facts: Sequence[CaseFact], orders: int | None) -> Table:
    """Per category, with cases per 100 orders when every store's orders are known."""
    rows = tuple(
        (value, d, r, d + r, percent(d + r, len(facts)), percent(d + r, orders))
        for value, d, r in breakdown(facts, lambda f: [f.category])
    )
    columns = (N_("Category"), N_("Disputes"), N_("Returns"), N_("Total"),
               N_("Share of cases %"), N_("Per 100 orders"))  # fmt: skip
    return Table("by_category", N_("Cases by category"), columns, rows, chart="bar",
                 plot=("Disputes", "Returns"), words={0: "category"})  # fmt: skip


def outcome_table(facts: Sequence[CaseFact]) -> Table:
    """Decided disputes per marketplace and overall, with the win rate."""
    platforms = sorted({f.platform for f in facts if f.is_dispute})
    rows = []
    for label, members in [
        *((p, [f for f in facts if f.platform == p]) for p in platforms),
        (N_("All marketplaces"), list(facts)),
    ]:
        o = outcomes(members)
        rows.append((label, o.won, o.lost, o.partial, o.withdrawn, o.win_rate))
    note = N_("Win rate: won / (won + lost + partial); withdrawn disputes are counted apart.")
    columns = (N_("Marketplace"), N_("Won"), N_("Lost"), N_("Partial"), N_("Withdrawn"),
               N_("Win rate %"))  # fmt: skip
    return Table(
        "outcomes",
        N_("Dispute outcomes"),
        columns,
        tuple(rows),
        note,
        chart="bar",
        plot=("Won", "Lost", "Partial"),
        words={0: "marketplace"},
    )


def recovery_table(facts: Sequence[CaseFact]) -> Table:
    """Money per currency over resolved disputes (never summed across currencies)."""
    rows = tuple(
        (r.currency, r.disputed.value, r.recovered.value, r.fees.value, r.net.value)
        for r in recovery(facts)
    )
    note = N_(
        "Recovered: the disputed amount less refunds, for disputes not lost. Fees: what the "
        "platforms charged, where they say. Each currency on its own."
    )
    columns = (N_("Currency"), N_("Disputed"), N_("Recovered"), N_("Fees"), N_("Net recovered"))
    return Table("recovery", N_("Money recovered after fees"), columns, rows, note)


def timing_table(facts: Sequence[CaseFact]) -> Table:
    """Median hours to the first response and to resolution, for disputes, returns, all."""
    rows = []
    for label, members in (
        (N_("Disputes"), [f for f in facts if f.is_dispute]),
        (N_("Returns"), [f for f in facts if not f.is_dispute]),
        (N_("All cases"), list(facts)),
    ):
        responded = sum(1 for f in members if f.first_response_at)
        resolved = sum(1 for f in members if f.resolved_at)
        rows.append(
            (label, response_hours(members), responded, resolution_hours(members), resolved)
        )
    note = N_(
        "First response: the first action requested (by an agent or a rule), or the "
        "merchant's first message or evidence."
    )
    columns = (
        N_("Cases"),
        N_("Median hours to first response"),
        N_("Responded"),
        N_("Median hours to resolution"),
        N_("Resolved"),
    )
    return Table("timing", N_("Time to first response and to resolution"), columns,
                 tuple(rows), note, words={0: "label"})  # fmt: skip


def cause_table(facts: Sequence[CaseFact]) -> Table:
    """The top root causes as a table (the evidence as text, for the CSV)."""

    def listed(pairs: Iterable[tuple[str, int]]) -> str:
        return ", ".join(f"{value} ({count})" for value, count in pairs)

    rows = tuple(
        (
            c.kind,
            c.category,
            c.cases,
            c.share,
            listed(c.reasons),
            listed(c.products),
            listed(c.countries),
            " ".join(c.case_ids),
        )
        for c in root_causes(facts)
    )
    columns = (
        "Kind",
        "Category",
        "Cases",
        "Share %",
        "Top platform reasons",
        "Top products",
        "Top buyer countries",
        "Newest cases",
    )
    return Table("root_causes", "Top root causes", columns, rows)


def _volume_note(orders: Orders, since: datetime, until: datetime) -> tuple[str, dict[str, int]]:
    known, total = orders.known(since, until), len(orders.connections)
    if total and known == total:
        return N_("Every store supplies its order counts: rates are per 100 orders."), {}
    note = N_(
        "Rates per order need order counts from the marketplace plugins; %(known)s of "
        "%(total)s stores supply them for this period, so rates are shown only where every "
        "order they divide by is known."
    )
    return note, {"known": known, "total": total}


UNSTATED = N_("Cases that name none are counted as (not stated).")
PER_ITEM = N_(
    "Cases that name none are counted as (not stated). A case about several counts for each."
)


def tables_of(
    facts: Sequence[CaseFact], orders: Orders, since: datetime, until: datetime
) -> tuple[Table, ...]:
    """Every table, in the order the pages show them; those with order columns carry the
    note on where order counts come from."""
    tables = (
        by_time(facts, since, until, "month", orders),
        by_time(facts, since, until, "week", orders),
        by_category(facts, orders.of(orders.connections, since, until)),
        _counted("by_product", N_("Cases by product / SKU"), N_("Product / SKU"), facts,
                 lambda f: f.products, PER_ITEM),
        _counted("by_country", N_("Cases by buyer country"), N_("Buyer country"), facts,
                 lambda f: [f.buyer_country] if f.buyer_country else [], words="country"),
        _counted("by_carrier", N_("Cases by carrier"), N_("Carrier"), facts,
                 lambda f: f.carriers, UNSTATED),
        by_group(facts, orders, since, until, store=False),
        by_group(facts, orders, since, until, store=True),
        outcome_table(facts),
        recovery_table(facts),
        timing_table(facts),
        cause_table(facts),
    )  # fmt: skip
    note, values = _volume_note(orders, since, until)
    return tuple(
        replace(t, note=t.note or note, note_values=values if not t.note else {})
        if "Orders" in t.columns or "Per 100 orders" in t.columns
        else t
        for t in tables
    )


def with_converted(tables: tuple[Table, ...], found: ConvertedRecovery | None) -> tuple[Table, ...]:
    """The converted recovery's table right after the per-currency one."""
    if found is None:
        return tables
    at = next((i + 1 for i, t in enumerate(tables) if t.name == "recovery"), len(tables))
    return (*tables[:at], converted_table(found), *tables[at:])


def build(
    session: Session,
    since: datetime,
    until: datetime,
    *,
    volume: OrderVolume | None = None,
    convert: Converter | None = None,
    fees: FeeSettings | None = None,
) -> Analytics:
    """Every figure for cases opened in ``[since, until)``; with ``convert``, the money
    recovered in the reporting currency too (each figure beside the rate it used); with
    ``fees``, the fees closed disputes cost where the platform did not say."""
    facts = load_facts(session, since, until)
    orders = Orders(volume, sorted(connection_ids(session)))
    money = recovery(facts)
    found = convert_recovery(money, convert, convert.target) if convert else None
    return Analytics(
        since=since,
        until=until,
        disputes=sum(1 for f in facts if f.is_dispute),
        returns=sum(1 for f in facts if not f.is_dispute),
        orders=orders.of(orders.connections, since, until),
        outcomes=outcomes(facts),
        recovery=money,
        first_response_hours=response_hours(facts),
        resolution_hours=resolution_hours(facts),
        root_causes=root_causes(facts),
        tables=with_converted(
            with_outcomes(tables_of(facts, orders, since, until), facts, fees), found
        ),
        converted=found,
    )
