"""The facts analytics counts: one :class:`CaseFact` per case, read from the store.

:func:`load_facts` reads the cases opened in a period (one query for the cases, one for the
timeline entries that matter). Category and platform reason are normalised here
(:func:`normalised`), so ``FRAUD``, ``fraud`` and ``Fraud `` are counted as one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from disputeflow.core.case import Case
from disputeflow.core.money import Money
from disputeflow.core.taxonomy import (
    ActionType,
    Actor,
    CaseKind,
    CaseStatus,
    Outcome,
    TimelineKind,
)
from disputeflow.engine.store.tables import ActionRow, CaseRow, ConnectionRow, TimelineRow
from disputeflow.features.handling.conditions import tracking_of
from disputeflow.features.handling.fees import reported_fees

_RESPONSES = (
    TimelineKind.ACTION_REQUESTED,
    TimelineKind.MESSAGE_ADDED,
    TimelineKind.EVIDENCE_ADDED,
)
_SEPARATORS = re.compile(r"[\s_\-]+")
CONTESTED, ACCEPTED = "contested", "accepted"
_ANSWERS = {str(ActionType.CONTEST): CONTESTED, str(ActionType.ACCEPT): ACCEPTED}


def normalised(value: str | None) -> str | None:
    """A category or platform reason as one spelling: lower case, words joined by ``_``
    (``FRAUD``, ``Fraud`` and `` fraud`` are one value; ``item not received`` and
    ``ITEM_NOT_RECEIVED`` too)."""
    if value is None:
        return None
    text = _SEPARATORS.sub("_", str(value).strip().casefold()).strip("_")
    return text or None


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
    external_id: str = ""  # the platform's id, for a readable title
    order: str | None = None  # the order's name or id
    response: str | None = None  # CONTESTED, ACCEPTED, or None: the merchant did neither
    evidence_items: tuple[str, ...] | None = None  # a packet's items sent; None: no packet

    @property
    def is_dispute(self) -> bool:
        """Chargebacks, inquiries and marketplace claims; returns are counted apart."""
        return self.kind is not CaseKind.RETURN


def fees_of(extra: dict[str, Any]) -> tuple[Money, ...]:
    """Fees the platform charged for the case (:func:`~disputeflow.features.handling.fees.
    reported_fees`: ``extra["fees"]`` and ``extra["dispute_fee"]``)."""
    return reported_fees(extra)


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


@dataclass(frozen=True)
class Answer:
    """The merchant's last contest or accept through disputeflow that did not fail (a
    contest saved as a draft answers nothing), and the evidence items a packet sent."""

    response: str
    evidence_items: tuple[str, ...] | None = None  # None: not sent as a packet


def _answers(session: Session, since: datetime, until: datetime) -> dict[str, Answer]:
    """Each case's :class:`Answer`, by case id."""
    query = (
        select(ActionRow.case_id, ActionRow.type, ActionRow.params)
        .join(CaseRow, CaseRow.id == ActionRow.case_id)
        .where(CaseRow.opened_at >= since, CaseRow.opened_at < until)
        .where(ActionRow.type.in_(list(_ANSWERS)), ActionRow.status != "failed")
        .order_by(ActionRow.created_at, ActionRow.id)
    )
    found: dict[str, Answer] = {}
    for case_id, type_, params in session.execute(query):
        params = params if isinstance(params, dict) else {}
        if params.get("submit") is False:
            continue
        items = params.get("evidence_items")
        packet = tuple(sorted(map(str, items))) if isinstance(items, list) else None
        found[case_id] = Answer(_ANSWERS[type_], packet)
    return found


def response_of(entries: Iterable[TimelineRow], answer: str | None = None) -> str | None:
    """How the merchant answered a dispute: its contest or accept through disputeflow
    (``answer``), else ``CONTESTED`` when the timeline shows the merchant's evidence (sent on
    the platform itself), else ``None``."""
    if answer is not None:
        return answer
    evidence = (TimelineKind.EVIDENCE_ADDED, Actor.MERCHANT)
    return CONTESTED if any((e.kind, e.actor) == evidence for e in entries) else None


def fact_of(
    case: Case, store: str, entries: Sequence[TimelineRow] = (), answer: Answer | None = None
) -> CaseFact:
    """The analytics view of one case, its response and resolution entries, and the
    merchant's contest or accept (``answer``)."""
    resolved = [e.at for e in entries if e.kind == TimelineKind.RESOLVED]
    return CaseFact(
        id=case.id,
        external_id=case.external_id,
        order=(case.order.name or case.order.external_id) if case.order else None,
        connection_id=case.connection_id,
        store=store,
        platform=case.platform,
        kind=case.kind,
        status=case.status,
        category=normalised(str(case.category)) or "other",
        outcome=case.outcome,
        platform_reason=normalised(case.platform_reason),
        buyer_country=case.buyer.country if case.buyer else None,
        opened_at=case.opened_at,
        amount=case.amount,
        refunded=case.refunded,
        resolved_at=max(resolved) if resolved and case.status is CaseStatus.RESOLVED else None,
        first_response_at=_first_response(entries),
        fees=fees_of(case.extra),
        products=products_of(case.extra),
        carriers=carriers_of(case),
        response=response_of(entries, answer.response if answer else None),
        evidence_items=answer.evidence_items if answer else None,
    )


def load_facts(session: Session, since: datetime, until: datetime) -> list[CaseFact]:
    """One fact per case opened in ``[since, until)``, oldest first."""
    names = {
        str(i): str(n) for i, n in session.execute(select(ConnectionRow.id, ConnectionRow.name))
    }
    events = _events(session, since, until)
    answers = _answers(session, since, until)
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
            answers.get(row.id),
        )
        for row in rows
    ]


def connection_ids(session: Session) -> dict[str, tuple[str, str]]:
    """Every connection: ``{id: (name, platform)}``, the denominators of order rates."""
    rows = session.execute(select(ConnectionRow.id, ConnectionRow.name, ConnectionRow.platform))
    return {id_: (name, platform) for id_, name, platform in rows}
