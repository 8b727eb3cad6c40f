"""The case page: timeline, both parties side by side, deadlines, rights, and action forms.

Every form goes through the action outbox (:func:`~disputeflow.engine.outbox.request_action`),
as the API's ``POST /api/v1/cases/{id}/actions`` does; the page then shows the action's
progress, and ``status.json`` lets a small script reload the page when it changes.
"""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from disputeflow.core.case import Case
from disputeflow.core.clock import utcnow
from disputeflow.core.errors import ActionNotAllowedError, DisputeflowError, NotFoundError
from disputeflow.core.ids import new_id
from disputeflow.core.money import Money
from disputeflow.core.taxonomy import ActionType, Actor, Role, TimelineKind
from disputeflow.core.values import COMPUTED_SOURCE
from disputeflow.engine import order_links, order_total
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.store import actions, cases
from disputeflow.engine.store.tables import CaseRow, ConnectionRow, TimelineRow
from disputeflow.features.handling.rights import rights_for
from disputeflow.webhooks.api.auth import current_runtime
from disputeflow.webhooks.web import forms
from disputeflow.webhooks.web.auth import current_user, signed_in
from disputeflow.webhooks.web.blueprint import bp

ACTIVE = (actions.PENDING, actions.RUNNING)
FORM_ORDER = (*ActionType, forms.ASSIGN)
PARTIES = (Actor.BUYER, Actor.MERCHANT, Actor.PLATFORM)


def _sides(case: Case) -> dict[str, list[dict[str, Any]]]:
    """Evidence and messages per party, oldest first: the same standing for each side."""
    sides: dict[str, list[dict[str, Any]]] = {str(p): [] for p in PARTIES}
    for item in case.evidence:
        sides.setdefault(str(item.party), []).append(
            {
                "what": "evidence",
                "at": item.submitted_at,
                "title": item.kind.replace("_", " "),
                "text": item.description,
                "url": item.url,
                "filename": item.filename,
            }
        )
    for message in case.messages:
        sides.setdefault(str(message.party), []).append(
            {"what": "message", "at": message.sent_at, "title": "message", "text": message.body}
        )
    for items in sides.values():
        items.sort(key=lambda item: item["at"])
    return sides


def _source(source: str) -> str:
    if source.startswith(COMPUTED_SOURCE):
        return f"computed by disputeflow ({source.removeprefix(COMPUTED_SOURCE)})"
    return f"stated by {source}"


def _assignee(case: Case) -> str | None:
    notes = [e for e in case.timeline if e.kind is TimelineKind.NOTE and e.data.get("assign_to")]
    return str(notes[-1].data["assign_to"]) if notes else None


def _refundable(case: Case, listed: list[dict[str, Any]]) -> Money | None:
    """A suggestion for the refund form: the amount less what is refunded or queued."""
    if case.amount is None:
        return None
    left = case.amount - (
        case.refunded
        if case.refunded and case.refunded.currency == case.amount.currency
        else Money.zero(case.amount.currency)
    )
    for action in listed:
        if (
            action["type"] == "refund"
            and action["status"] in ACTIVE
            and action["params"].get("amount")
        ):
            left = left - Money.from_dict(action["params"]["amount"])
    return max(left, Money.zero(case.amount.currency))


def signature(listed: list[dict[str, Any]], timeline: int) -> str:
    """What the page shows of its actions and timeline: it changes when they do."""
    return ";".join(f"{a['id']}:{a['status']}" for a in listed) + f"#{timeline}"


def _same_order(session: Session, case: Case) -> dict[str, Any]:
    """What the panel shows: each link with its case (``None``: erased since), and the
    order's total against what every linked case gave back or queued."""
    found = {other.id: other for other in order_links.linked_cases(session, case)}
    return {
        "links": [(link, found.get(link.case_id)) for link in case.links],
        "order_room": order_total.order_room(session, case) if case.links else None,
    }


def context(case_id: str) -> dict[str, Any]:
    """Everything the case page shows."""
    runtime = current_runtime()
    with runtime.database.session(readonly=True) as session:
        case = runtime.fill_allowed_actions(cases.get(session, case_id))
        listed = [actions.describe(row) for row in actions.list_for_case(session, case_id)]
        connection = session.get(ConnectionRow, case.connection_id)
        store = connection.name if connection else case.connection_id
        same_order = _same_order(session, case)
    country = case.buyer.country if case.buyer else None
    rights = rights_for(country)
    offered = [str(a) for a in case.allowed_actions]
    user = current_user()
    return {
        "case": case,
        "store": store,
        "actions": listed,
        "active": any(a["status"] in ACTIVE for a in listed),
        "signature": signature(listed, len(case.timeline)),
        "sides": _sides(case),
        "deadlines": [
            (d, _source(d.source)) for d in sorted(case.deadlines, key=lambda d: d.sort_key())
        ],
        "rights": rights.to_dict() if rights else None,
        "policy": case.extra.get("policy") or None,
        "triage": {
            k: case.extra[k] for k in ("classification", "priority", "routing") if case.extra.get(k)
        },
        "assignee": _assignee(case),
        "forms": [f for f in map(str, FORM_ORDER) if f in offered or f == forms.ASSIGN],
        "can_act": bool(user and user.can(Role.AGENT)),
        "refundable": _refundable(case, listed),
        "evidence_kinds": forms.EVIDENCE_KINDS,
        "form_key": new_id("web"),
        "now": utcnow(),
        **same_order,
    }


@bp.get("/cases/<case_id>")
@signed_in()
def case_detail(case_id: str) -> Any:
    """One case, its parties, deadlines, rights, actions and timeline."""
    return render_template(
        "workspace/case.html",
        **context(case_id),
        posted=None,
        values={},
        errors={},
        form_error=None,
    )


def _send(case_id: str, wanted: ActionInput) -> dict[str, Any]:
    runtime = current_runtime()
    try:
        action, _created = request_action(runtime, case_id, wanted)
    except IntegrityError:  # the same form sent twice at once: answer with the first
        action, _created = request_action(runtime, case_id, wanted)
    return action


@bp.post("/cases/<case_id>/actions")
@signed_in(Role.AGENT)
def case_action(case_id: str) -> Any:
    """Check a form, queue its action in the outbox, and come back to the case."""
    user = current_user()
    assert user is not None
    runtime = current_runtime()
    with runtime.database.session(readonly=True) as session:
        case = cases.get(session, case_id)
    posted = request.form.get("type", "")
    try:
        wanted = forms.parse(request.form, case, user.name)
        action = _send(case_id, wanted)
    except forms.FormError as error:
        return _refused(case_id, posted, error.errors, error.message, 422)
    except ActionNotAllowedError as error:
        return _refused(case_id, posted, {}, error.message, error.status)
    except DisputeflowError as error:
        return _refused(case_id, posted, forms.field_errors(error), error.message, error.status)
    label = "assignment" if posted == forms.ASSIGN else action["type"].replace("_", " ")
    flash(f"The {label} is queued." if action["status"] in ACTIVE else f"The {label} is recorded.")
    return redirect(url_for("workspace.case_detail", case_id=case_id, _anchor="actions"))


def _refused(
    case_id: str, posted: str, errors: dict[str, list[str]], message: str, status: int
) -> tuple[str, int]:
    page = render_template(
        "workspace/case.html",
        **context(case_id),
        posted=posted,
        values=request.form,
        errors=errors,
        form_error=message,
    )
    return page, status


@bp.get("/cases/<case_id>/status.json")
@signed_in()
def case_status(case_id: str) -> Any:
    """The case's actions and timeline length, for the page's progress script."""
    runtime = current_runtime()
    with runtime.database.session(readonly=True) as session:
        if session.get(CaseRow, case_id) is None:
            raise NotFoundError(f"no case {case_id!r}")
        listed = [actions.describe(row) for row in actions.list_for_case(session, case_id)]
        entries = session.scalar(
            select(func.count(TimelineRow.id)).where(TimelineRow.case_id == case_id)
        )
    return jsonify(
        {
            "actions": [
                {k: a[k] for k in ("id", "type", "status", "last_error", "result")} for a in listed
            ],
            "timeline": int(entries or 0),
            "signature": signature(listed, int(entries or 0)),
            "active": any(a["status"] in ACTIVE for a in listed),
        }
    )
