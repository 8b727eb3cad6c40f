"""The inbox: every case of every connection, most urgent first, with filters and search."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from disputeflow.core.clock import utcnow
from disputeflow.core.errors import InvalidInputError
from disputeflow.core.taxonomy import CaseKind, CaseStatus, Category
from disputeflow.engine.store import cases
from disputeflow.engine.store.tables import CaseRow, ConnectionRow
from disputeflow.webhooks.api.auth import current_runtime
from disputeflow.webhooks.web.auth import signed_in
from disputeflow.webhooks.web.blueprint import bp
from disputeflow.webhooks.web.locale import current
from disputeflow.webhooks.web.words import N_

PAGE_SIZE = 25
CHOICES: dict[str, type[StrEnum]] = {"kind": CaseKind, "status": CaseStatus, "category": Category}
FILTER_NAMES = {"kind": N_("kind"), "status": N_("status"), "category": N_("category")}
FILTERS = ("platform", "connection_id", "kind", "status", "category", "buyer_country", "queue")


def _distinct(session: Session, column: Any) -> list[str]:
    return sorted(v for v in session.scalars(select(column).distinct()) if v)


def _args() -> tuple[dict[str, str], dict[str, str]]:
    """The filters asked for, and a message for each one that cannot be used."""
    chosen, problems, _ = {}, {}, current().gettext
    for name in (*FILTERS, "q"):
        value = (request.args.get(name) or "").strip()
        if not value:
            continue
        if name in CHOICES and value not in {str(v) for v in CHOICES[name]}:
            problems[name] = _("Unknown %(filter)s %(value)s: ignored.",
                               filter=_(FILTER_NAMES[name]), value=repr(value))  # fmt: skip
            continue
        if name == "buyer_country":
            value = value.upper()
            if len(value) != 2 or not value.isalpha():
                problems[name] = _("A country is two letters, e.g. DE.")
                continue
        if name == "q" and len(value) > 200:
            problems[name] = _("Search for at most 200 characters.")
            continue
        chosen[name] = value
    return chosen, problems


def _options(session: Session) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The stores by id, and the values the select filters offer."""
    named = select(ConnectionRow.id, ConnectionRow.name, ConnectionRow.demo).order_by(
        ConnectionRow.name
    )
    _ = current().gettext
    stores = {  # demo connections say so wherever a store is named
        str(id_): _("%(name)s (demo)", name=name) if demo else str(name)
        for id_, name, demo in session.execute(named)
    }
    platforms = set(current_runtime().plugins.marketplaces())
    return stores, {
        "platform": sorted(platforms | set(_distinct(session, ConnectionRow.platform))),
        "queue": _distinct(session, CaseRow.queue),
        "buyer_country": _distinct(session, CaseRow.buyer_country),
    }


def _page(
    session: Session, filters: cases.CaseFilter, cursor: str | None, problems: dict[str, str]
) -> tuple[list[CaseRow], str | None, str | None]:
    """One page of cases from ``cursor`` (the first page, said so, when it is stale)."""
    try:
        rows, next_cursor = cases.list_rows(
            session, filters, limit=PAGE_SIZE, cursor=cursor, sort="urgent"
        )
        return rows, next_cursor, cursor
    except InvalidInputError:
        _ = current().gettext
        problems["cursor"] = _("That page link is no longer valid: showing the first page.")
        rows, next_cursor = cases.list_rows(session, filters, limit=PAGE_SIZE, sort="urgent")
        return rows, next_cursor, None


@bp.get("/")
@signed_in()
def inbox() -> Any:
    """Cases across every connection, nearest deadline first."""
    runtime = current_runtime()
    chosen, problems = _args()
    overdue = request.args.get("overdue") == "1"
    now = utcnow()
    values = {name: chosen.get(name) for name in FILTERS}
    filters = cases.CaseFilter(**values, q=chosen.get("q"), due_before=now if overdue else None)
    everywhere = cases.CaseFilter(
        **{**values, "status": None}, q=chosen.get("q"), due_before=now if overdue else None
    )
    cursor = request.args.get("cursor") or None
    with runtime.database.session(readonly=True) as session:
        rows, next_cursor, cursor = _page(session, filters, cursor, problems)
        items = [cases.summary(row) for row in rows]
        counts = cases.count_by_status(session, everywhere)
        stores, options = _options(session)
    next_args = {**request.args.to_dict(), "cursor": next_cursor} if next_cursor else None
    reader = current()
    return render_template(
        "workspace/inbox.html",
        items=items,
        counts=counts,
        stores=stores,
        options=options,
        chosen=chosen,
        overdue=overdue,
        problems=problems,
        now=now,
        next_args=next_args,
        first_args={k: v for k, v in request.args.items() if k != "cursor"} if cursor else None,
        choices={k: [str(v) for v in e] for k, e in CHOICES.items()},
        titles={name: reader.marketplace(name) for name in options["platform"]},
        countries={code: reader.country(code) for code in options["buyer_country"]},
        statuses=list(CaseStatus),
    )
