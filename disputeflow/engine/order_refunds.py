"""Order refunds on cases: recorded once per refund id, shown on every case of the order."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from disputeflow.core.case import Case
from disputeflow.core.clock import parse_rfc3339
from disputeflow.core.effects import OrderRefund
from disputeflow.core.merge import MergeResult
from disputeflow.core.money import Money
from disputeflow.core.taxonomy import Actor, TimelineKind
from disputeflow.core.values import TimelineEntry
from disputeflow.engine import order_links
from disputeflow.engine.store import cases, deferred
from disputeflow.engine.store.tables import CaseRow, OrderRefundRow

EXTRA_KEY = "order_refunds"


def _from_row(row: Any) -> OrderRefund:
    data = row.data
    return OrderRefund(
        order_external_id=data["order_external_id"],
        refund_external_id=data["refund_external_id"],
        amount=Money.from_dict(data["amount"]),
        refunded_at=parse_rfc3339(data["refunded_at"]),
        note=data.get("note", ""),
    )


_REFUNDS = cast(Table, OrderRefundRow.__table__)
_OF_ORDER = select(_REFUNDS.c.data).where(  # built once: every merge of a case with an order
    _REFUNDS.c.connection_id == bindparam("c"), _REFUNDS.c.order_external_id == bindparam("o")
)
deferred.unaffected(_OF_ORDER)


def for_order(session: Session, connection_id: str, order_external_id: str) -> list[OrderRefund]:
    """Every refund recorded on one order of one connection (those added in this
    transaction too)."""
    session.flush()
    found = session.connection().execute(_OF_ORDER, {"c": connection_id, "o": order_external_id})
    return [_from_row(row) for row in found]


def apply_to_case(case: Case, refunds: Iterable[OrderRefund]) -> list[TimelineEntry]:
    """Show refunds not yet on ``case`` (an entry each) and keep ``refunded`` at least their sum.

    Idempotent: a refund id already on the case adds nothing.
    """
    known: dict[str, dict[str, str]] = dict(case.extra.get(EXTRA_KEY) or {})
    entries = []
    for refund in refunds:
        if refund.refund_external_id in known:
            continue
        known[refund.refund_external_id] = refund.amount.to_dict()
        entries.append(
            TimelineEntry(
                refund.refunded_at,
                Actor.PLATFORM,
                TimelineKind.REFUNDED,
                f"order refunded {refund.amount}" + (f": {refund.note}" if refund.note else ""),
                {"refund_external_id": refund.refund_external_id, **refund.to_dict()},
            )
        )
    if known:
        case.extra[EXTRA_KEY] = known
        _raise_refunded(case, [Money.from_dict(v) for v in known.values()])
    return entries


def _raise_refunded(case: Case, amounts: list[Money]) -> None:
    currency = case.amount.currency if case.amount else amounts[0].currency
    same = [a for a in amounts if a.currency == currency]
    if not same:
        return
    total = sum(same[1:], same[0])
    if case.refunded is None or (case.refunded.currency == currency and total > case.refunded):
        case.refunded = total


def record(session: Session, connection_id: str, refund: OrderRefund) -> list[MergeResult]:
    """Store the refund (once) and show it on the order's existing cases; returns the changes."""
    exists = session.scalar(
        select(OrderRefundRow.id).where(
            OrderRefundRow.connection_id == connection_id,
            OrderRefundRow.refund_external_id == refund.refund_external_id,
        )
    )
    if exists is not None:
        return []
    session.add(
        OrderRefundRow(
            connection_id=connection_id,
            order_external_id=refund.order_external_id,
            refund_external_id=refund.refund_external_id,
            data=refund.to_dict(),
        )
    )
    changed = []
    query = select(CaseRow).where(
        CaseRow.connection_id == connection_id,
        CaseRow.order_external_id == refund.order_external_id,
    )
    for row in session.scalars(query.with_for_update()).all():
        case = cases.load(session, row)
        before = case.refunded
        entries = apply_to_case(case, [refund])
        if entries:
            case.timeline = sorted([*case.timeline, *entries], key=TimelineEntry.sort_key)
            case.updated_at = max(case.updated_at, *(e.at for e in entries))
            cases.save_case(session, case, row)
            cases.add_entries(session, case.id, entries)
            order_links.refund_changed(session, case, before)  # shown on the linked cases
            changed.append(MergeResult(case, new_entries=entries))
    return changed
