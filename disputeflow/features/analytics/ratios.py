"""Dispute-ratio monitoring: each payment channel's monthly chargeback ratio against the card
networks' programme thresholds (DESIGN.md section 8), projected to the month's end.

A channel is a connection. Its ratio is chargebacks opened in the month over the card
transactions it took, which only a plugin can count (``disputeflow_order_volume``). Without
them the ratio is unknown, but a month whose projected chargebacks stay below a programme's
minimum count is still safely below that programme, and is said to be.

Each threshold is in one of these states:

* ``crossed``: the month so far already meets it (ratio and count);
* ``projected``: the month-end projection meets it;
* ``approaching``: the projection reaches ``warn_at`` (80%) of both its ratio and count;
* ``needs_volume``: the count could reach it, but the ratio needs transactions;
* ``ok``.

Every state but ``ok`` is a :class:`RatioAlert`, raised through the
``disputeflow_ratio_alert`` hook by ``disputeflow ratios --alert``.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from disputeflow.core.case import Case
from disputeflow.core.taxonomy import CaseKind
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store.tables import CaseRow, ConnectionRow
from disputeflow.features.analytics.figures import OrderVolume
from disputeflow.features.analytics.periods import month_label, month_start, next_month
from disputeflow.features.handling.deadlines import card_network

log = logging.getLogger(__name__)

WARN_AT = Decimal("0.8")
MIN_ELAPSED = timedelta(days=1)  # never project from less than a day of the month
STATES = ("ok", "needs_volume", "approaching", "projected", "crossed")


@dataclass(frozen=True)
class Threshold:
    """One level of a card network's monitoring programme."""

    network: str
    programme: str
    level: str
    ratio: Decimal  # a fraction: 0.015 is 1.5%
    min_count: int

    @property
    def label(self) -> str:
        return f"{self.programme} {self.level}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "network": self.network,
            "programme": self.programme,
            "level": self.level,
            "ratio_percent": str(self.ratio * 100),
            "min_count": self.min_count,
        }


THRESHOLDS = (
    Threshold("visa", "Visa VAMP", "excessive", Decimal("0.015"), 1500),
    Threshold("mastercard", "Mastercard ECP", "monitored", Decimal("0.01"), 100),
    Threshold("mastercard", "Mastercard ECP", "excessive", Decimal("0.015"), 100),
    Threshold("mastercard", "Mastercard ECP", "high excessive", Decimal("0.03"), 300),
)


@dataclass(frozen=True)
class ThresholdState:
    threshold: Threshold
    state: str


@dataclass(frozen=True)
class ChannelMonth:
    """One channel's month: so far, projected to the month's end, and against each threshold."""

    connection_id: str
    name: str
    platform: str
    month: str
    as_of: datetime
    elapsed: Decimal  # the fraction of the month gone (1 for a past month)
    chargebacks: int
    networks: tuple[tuple[str, int], ...]
    transactions: int | None
    projected_chargebacks: Decimal
    projected_transactions: Decimal | None
    states: tuple[ThresholdState, ...]

    @property
    def ratio(self) -> Decimal | None:
        """Chargebacks over transactions, as a fraction; ``None`` without transactions."""
        if not self.transactions:
            return None
        return Decimal(self.chargebacks) / Decimal(self.transactions)

    @property
    def worst(self) -> str:
        return max((s.state for s in self.states), key=STATES.index, default="ok")


@dataclass(frozen=True)
class RatioAlert:
    """A threshold a channel has crossed, is projected to cross, or is approaching."""

    connection_id: str
    connection_name: str
    platform: str
    month: str
    state: str
    threshold: Threshold
    chargebacks: int
    transactions: int | None
    ratio: Decimal | None
    projected_chargebacks: Decimal
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "connection_id": self.connection_id,
            "connection_name": self.connection_name,
            "platform": self.platform,
            "month": self.month,
            "state": self.state,
            "threshold": self.threshold.to_dict(),
            "chargebacks": self.chargebacks,
            "transactions": self.transactions,
            "ratio_percent": percent_text(self.ratio),
            "projected_chargebacks": str(self.projected_chargebacks),
            "message": self.message,
        }


def percent_text(ratio: Decimal | None) -> str | None:
    """A fraction as a percentage with two decimals (``0.0125`` -> ``"1.25"``)."""
    return None if ratio is None else str((ratio * 100).quantize(Decimal("0.01")))


def state_of(
    threshold: Threshold,
    *,
    chargebacks: int,
    ratio: Decimal | None,
    projected: Decimal,
    warn_at: Decimal = WARN_AT,
) -> str:
    """Where one channel-month stands against one threshold (see the module docstring).

    The ratio does not change with a projection that scales chargebacks and transactions
    alike, so only the count is projected."""
    if projected < threshold.min_count * warn_at:
        return "ok"
    if ratio is None:
        return "needs_volume"
    if ratio >= threshold.ratio and chargebacks >= threshold.min_count:
        return "crossed"
    if ratio >= threshold.ratio and projected >= threshold.min_count:
        return "projected"
    if ratio >= threshold.ratio * warn_at:
        return "approaching"
    return "ok"


def elapsed_fraction(start: datetime, end: datetime, as_of: datetime) -> Decimal:
    """How much of ``[start, end)`` is gone at ``as_of`` (at least a day, at most all)."""
    if as_of >= end:
        return Decimal(1)
    gone = max(as_of - start, MIN_ELAPSED)
    return min(Decimal(gone.total_seconds()) / Decimal((end - start).total_seconds()), Decimal(1))


def _chargebacks(session: Session, start: datetime, end: datetime) -> dict[str, Counter[str]]:
    """Per connection, chargebacks opened in ``[start, end)`` counted by card network."""
    rows = session.scalars(
        select(CaseRow).where(
            CaseRow.kind == str(CaseKind.CHARGEBACK),
            CaseRow.opened_at >= start,
            CaseRow.opened_at < end,
        )
    )
    found: dict[str, Counter[str]] = {}
    for row in rows:
        network = card_network(Case.from_dict(row.document)) or "unknown"
        found.setdefault(row.connection_id, Counter())[network] += 1
    return found


def evaluate_month(
    session: Session,
    month: datetime,
    *,
    now: datetime,
    volume: OrderVolume | None = None,
    warn_at: Decimal = WARN_AT,
    thresholds: tuple[Threshold, ...] = THRESHOLDS,
) -> list[ChannelMonth]:
    """Every channel's figures for the month of ``month`` as of ``now``, against
    ``thresholds`` (the card networks' by default)."""
    start, end = month_start(month), next_month(month)
    as_of = min(max(now, start), end)
    elapsed = elapsed_fraction(start, end, as_of)
    counted = _chargebacks(session, start, end)
    channels = []
    for row in session.scalars(select(ConnectionRow).order_by(ConnectionRow.name)):
        networks = counted.get(row.id, Counter())
        transactions = volume(row.id, start, as_of) if volume and as_of > start else None
        channels.append(
            _channel(row, networks, transactions, start, as_of, elapsed, thresholds, warn_at)
        )
    return channels


def _channel(
    row: ConnectionRow,
    networks: Counter[str],
    transactions: int | None,
    start: datetime,
    as_of: datetime,
    elapsed: Decimal,
    thresholds: tuple[Threshold, ...],
    warn_at: Decimal,
) -> ChannelMonth:
    count = sum(networks.values())
    projected = (Decimal(count) / elapsed).quantize(Decimal("0.1"))
    ratio = Decimal(count) / Decimal(transactions) if transactions else None
    return ChannelMonth(
        connection_id=row.id,
        name=row.name,
        platform=row.platform,
        month=month_label(start),
        as_of=as_of,
        elapsed=elapsed.quantize(Decimal("0.001")),
        chargebacks=count,
        networks=tuple(sorted(networks.items())),
        transactions=transactions,
        projected_chargebacks=projected,
        projected_transactions=(
            (Decimal(transactions) / elapsed).quantize(Decimal(1))
            if transactions is not None
            else None
        ),
        states=tuple(
            ThresholdState(
                t, state_of(t, chargebacks=count, ratio=ratio, projected=projected, warn_at=warn_at)
            )
            for t in thresholds
        ),
    )


_WORDS = {
    "crossed": "has crossed",
    "projected": "is projected to cross by the month's end",
    "approaching": "is approaching",
    "needs_volume": "may reach (its count could; the ratio needs transaction counts)",
}


def alerts(channels: list[ChannelMonth]) -> list[RatioAlert]:
    """One alert per channel and threshold that is not ``ok``."""
    found = []
    for channel in channels:
        for item in channel.states:
            if item.state == "ok":
                continue
            t = item.threshold
            ratio = percent_text(channel.ratio)
            figures = f"{channel.chargebacks} chargebacks" + (
                f" over {channel.transactions} transactions ({ratio}%)" if ratio else ""
            )
            message = (
                f"{channel.name} ({channel.platform}) {_WORDS[item.state]} the {t.label} "
                f"threshold ({percent_text(t.ratio)}% and {t.min_count} a month) in "
                f"{channel.month}: {figures} so far, {channel.projected_chargebacks} projected"
            )
            found.append(
                RatioAlert(
                    connection_id=channel.connection_id,
                    connection_name=channel.name,
                    platform=channel.platform,
                    month=channel.month,
                    state=item.state,
                    threshold=t,
                    chargebacks=channel.chargebacks,
                    transactions=channel.transactions,
                    ratio=channel.ratio,
                    projected_chargebacks=channel.projected_chargebacks,
                    message=message,
                )
            )
    return found


def plugin_volume(runtime: Runtime) -> OrderVolume:
    """Order counts from the ``disputeflow_order_volume`` hook (a failing plugin is logged
    and counts as not knowing)."""

    def volume(connection_id: str, start: datetime, end: datetime) -> int | None:
        try:
            with runtime.database.session(readonly=True) as session:
                row = session.get(ConnectionRow, connection_id)
                connection = runtime.connection(row) if row is not None else None
            if connection is None:
                return None
            found = runtime.plugins.hook.disputeflow_order_volume(
                connection=connection, start=start, end=end
            )
        except Exception:
            log.exception("disputeflow_order_volume failed for connection %s", connection_id)
            return None
        return int(found) if found is not None else None

    return volume


def raise_alerts(runtime: Runtime, found: list[RatioAlert]) -> int:
    """Hand each alert to the ``disputeflow_ratio_alert`` hook; how many were raised."""
    for alert in found:
        log.warning("dispute ratio: %s", alert.message)
        try:
            runtime.plugins.hook.disputeflow_ratio_alert(alert=alert)
        except Exception:
            log.exception("disputeflow_ratio_alert failed for %s", alert.connection_id)
    return len(found)
