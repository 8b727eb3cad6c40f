"""Never refund one order twice across channels: a refund (or an accepted dispute) on a case
is refused, before anything is queued, when with what the order's linked cases have already
given back it would exceed the order's total.

What a case has given back: the most of its ``refunded``, its succeeded refunds, and (for a
dispute or claim decided for the buyer, or accepted) its amount; plus its refunds and
accepts still queued. Cases of one connection count once (the most of them): they see the
same order's refunds. The order's total is the largest any of the cases states, in the
currency of the refund; a case in another currency, or an order without a total, is not
limited here (the case's own amount still is).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from disputeflow.core.case import Case
from disputeflow.core.errors import ActionNotAllowedError
from disputeflow.core.money import Money
from disputeflow.core.taxonomy import ActionType, CaseKind, CaseStatus, Outcome
from disputeflow.engine.order_links import linked_cases
from disputeflow.engine.store import actions, cases
from disputeflow.engine.store.tables import ActionRow, CaseRow

MONEY_OUT = frozenset({ActionType.REFUND, ActionType.ACCEPT})
QUEUED = (actions.PENDING, actions.RUNNING)


@dataclass(frozen=True)
class OrderRoom:
    """The order's total, what its linked cases gave back or have queued, and what is left."""

    total: Money
    used: Money

    @property
    def left(self) -> Money:
        return max(self.total - self.used, Money.zero(self.total.currency))


def lock_group(session: Session, case_id: str) -> None:
    """Lock the case and the cases linked to it, in id order (so two requests on linked cases
    queue instead of deadlocking, and neither misses the other's refund)."""
    row = session.get(CaseRow, case_id)
    ids = {case_id, *(link.case_id for link in cases.summary(row).links)} if row else {case_id}
    query = select(CaseRow.id).where(CaseRow.id.in_(ids)).order_by(CaseRow.id)
    session.scalars(query.with_for_update()).all()


def check(session: Session, case: Case, action: ActionType, amount: Money | None) -> None:
    """Refuse (409) a refund or accept that would take the order past its total."""
    out = money_out(session, case, action, amount)
    if out is None or not case.links:
        return
    room = order_room(session, case, out.currency)
    if room is not None and out > room.left:
        raise ActionNotAllowedError(
            f"{action} of {out} refused: the order's total is {room.total} and its cases on "
            f"every channel have given back or queued {room.used}, so at most {room.left} can "
            "still go back to the buyer",
            errors={"amount": [f"exceeds what is left of the order's total ({room.left})"]},
        )


def money_out(
    session: Session, case: Case, action: ActionType, amount: Money | None
) -> Money | None:
    """What the action gives back: a refund's amount; an accept's amount, else what is left
    of the case's amount."""
    if action not in MONEY_OUT:
        return None
    if amount is not None or action == ActionType.REFUND:
        return amount
    if case.amount is None:
        return None
    given = _settled(case, _actions(session, case.id), case.amount.currency)
    return max(case.amount - given, Money.zero(case.amount.currency))


def order_room(session: Session, case: Case, currency: str | None = None) -> OrderRoom | None:
    """The order's room for refunds across ``case`` and its linked cases; ``None`` without
    an order total in ``currency`` (default: the case's)."""
    group = [case, *linked_cases(session, case)]
    currency = currency or (case.amount.currency if case.amount else None)
    totals = [
        c.order.total
        for c in group
        if c.order and c.order.total and c.order.total.currency == currency
    ]
    if not totals or currency is None:
        return None
    settled: dict[str, Money] = defaultdict(lambda: Money.zero(currency))
    queued = Money.zero(currency)
    for member in group:
        rows = _actions(session, member.id)
        settled[member.connection_id] = max(
            settled[member.connection_id], _settled(member, rows, currency)
        )
        queued += _queued(member, rows, currency)
    used = sum(settled.values(), Money.zero(currency)) + queued
    return OrderRoom(max(totals), used)


def _actions(session: Session, case_id: str) -> list[ActionRow]:
    return [row for row in actions.list_for_case(session, case_id) if row.type in MONEY_OUT]


def _settled(case: Case, rows: list[ActionRow], currency: str) -> Money:
    """What the case has given back for good."""
    zero = Money.zero(currency)
    figures = [case.refunded or zero]
    figures.append(sum(_amounts(rows, ActionType.REFUND, (actions.SUCCEEDED,), currency), zero))
    if case.amount is not None and case.kind != CaseKind.RETURN:
        accepted = [
            r for r in rows if r.type == ActionType.ACCEPT and r.status == actions.SUCCEEDED
        ]
        lost = case.status == CaseStatus.RESOLVED and case.outcome == Outcome.BUYER_FAVOR
        if lost or any(not r.params.get("amount") for r in accepted):
            figures.append(case.amount)
        figures.append(
            sum(_amounts(accepted, ActionType.ACCEPT, (actions.SUCCEEDED,), currency), zero)
        )
    return max(f for f in figures if f.currency == currency)


def _queued(case: Case, rows: list[ActionRow], currency: str) -> Money:
    """What the case's queued refunds and accepts will give back (an accept without an
    amount: what is left of the case's amount)."""
    zero = Money.zero(currency)
    queued = sum(_amounts(rows, ActionType.REFUND, QUEUED, currency), zero)
    queued += sum(_amounts(rows, ActionType.ACCEPT, QUEUED, currency), zero)
    whole = [r for r in rows if r.type == ActionType.ACCEPT and r.status in QUEUED]
    if (
        case.amount
        and case.amount.currency == currency
        and any(not r.params.get("amount") for r in whole)
    ):
        queued += max(case.amount - _settled(case, rows, currency), zero)
    return queued


def _amounts(
    rows: list[ActionRow], action: ActionType, statuses: tuple[str, ...], currency: str
) -> list[Money]:
    found = [
        Money.from_dict(row.params["amount"])
        for row in rows
        if row.type == action and row.status in statuses and row.params.get("amount")
    ]
    return [money for money in found if money.currency == currency]
