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
from disputeflow.core.money import Money
from disputeflow.core.taxonomy import ActionType, Actor, Role, TimelineKind
from disputeflow.engine import order_links, order_total
from disputeflow.engine.ids import new_id
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.store import actions, cases, packets
from disputeflow.engine.store.tables import CaseRow, ConnectionRow, TimelineRow
from disputeflow.features.handling.rights import rights_for
from disputeflow.webhooks.api.auth import current_runtime
from disputeflow.webhooks.web import evidence_view, forms, timeline
from disputeflow.webhooks.web.auth import current_user, signed_in
from disputeflow.webhooks.web.blueprint import bp
from disputeflow.webhooks.web.locale import current
from disputeflow.webhooks.web.words import N_, POLICY_FIELDS

ACTIVE = (actions.PENDING, actions.RUNNING)
FORM_ORDER = (*ActionType, forms.ASSIGN)
PARTIES = (Actor.BUYER, Actor.MERCHANT, Actor.PLATFORM)
# The points each factor gives a case's priority (features.handling.priority).
PRIORITY_FACTORS = {
    "deadline": N_("deadline"),
    "amount": N_("amount"),
    "category": N_("category"),
    "kind": N_("kind of case"),
    "history": N_("the buyer's earlier cases"),
}


def _sides(case: Case) -> dict[str, list[dict[str, Any]]]:
    """Evidence and messages per party, oldest first: the same standing for each side."""
    sides: dict[str, list[dict[str, Any]]] = {str(p): [] for p in PARTIES}
    for item in case.evidence:
        sides.setdefault(str(item.party), []).append(
            {
                "what": "evidence",
                "at": item.submitted_at,
                "title": item.kind,
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


def _assignee(case: Case) -> str | None:
    notes = [e for e in case.timeline if e.kind is TimelineKind.NOTE and e.data.get("assign_to")]
    return str(notes[-1].data["assign_to"]) if notes else None


def _refundable(case: Case, listed: list[dict[str, Any]]) -> Money | None:
    """What can still be refunded, counted as the outbox counts it: the amount less the
    larger of what the platform shows refunded and what our refunds did, less those queued."""
    if case.amount is None:
        return None
    zero = Money.zero(case.amount.currency)
    done, queued = zero, zero
    for action in listed:
        amount = action["params"].get("amount") if action["type"] == "refund" else None
        if not amount or Money.from_dict(amount).currency != zero.currency:
            continue
        if action["status"] in ACTIVE:
            queued = queued + Money.from_dict(amount)
        elif action["status"] == actions.SUCCEEDED:
            done = done + Money.from_dict(amount)
    refunded = case.refunded if case.refunded and case.refunded.currency == zero.currency else zero
    return max(case.amount - max(refunded, done) - queued, zero)


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


def _deadlines(case: Case) -> list[dict[str, Any]]:
    """The case's deadlines, soonest first: when (also on the buyer's clock), and whence."""
    reader, country = current(), case.buyer.country if case.buyer else None
    return [
        {"deadline": d, "source": reader.source(d.source),
         "buyer_time": reader.buyer_time(d.due_at, country)}
        for d in sorted(case.deadlines, key=lambda d: d.sort_key())
    ]  # fmt: skip


def _triage(case: Case) -> dict[str, Any]:
    found = {
        k: case.extra[k] for k in ("classification", "priority", "routing") if case.extra.get(k)
    }
    priority = found.get("priority")
    if isinstance(priority, dict):
        factors = priority.get("factors") or {}
        found["factors"] = [
            (PRIORITY_FACTORS[k], v) for k, v in factors.items() if k in PRIORITY_FACTORS
        ]
    return found


def context(case_id: str) -> dict[str, Any]:
    """Everything the case page shows."""
    runtime = current_runtime()
    with runtime.database.session(readonly=True) as session:
        case = runtime.fill_allowed_actions(cases.get(session, case_id))
        listed = [actions.describe(row) for row in actions.list_for_case(session, case_id)]
        connection = session.get(ConnectionRow, case.connection_id)
        store = connection.name if connection else case.connection_id
        same_order = _same_order(session, case)
        packet = packets.get(session, case_id)
    country = case.buyer.country if case.buyer else None
    rights = rights_for(country)
    offered = [str(a) for a in case.allowed_actions]
    user, reader = current_user(), current()
    names = {str(a["id"]): str(a["type"]) for a in listed}
    return {
        "case": case,
        "store": store,
        "actions": listed,
        "active": any(a["status"] in ACTIVE for a in listed),
        "signature": signature(listed, len(case.timeline)),
        "sides": _sides(case),
        "timeline": timeline.lines(reader, case, names),
        "deadlines": _deadlines(case),
        "buyer_due": reader.buyer_time(case.due_at, country),
        "rights": rights.to_dict() if rights else None,
        "policy": case.extra.get("policy") or None,
        "policy_fields": POLICY_FIELDS,
        "triage": _triage(case),
        "assignee": _assignee(case),
        "forms": [f for f in map(str, FORM_ORDER) if f in offered or f == forms.ASSIGN],
        "can_act": bool(user and user.can(Role.AGENT)),
        "refundable": _refundable(case, listed),
        "evidence_kinds": forms.EVIDENCE_KINDS,
        "form_key": new_id("web"),
        "packet_panel": evidence_view.panel(reader, case, packet),
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
        refusal = current().gettext("Refused: %(reason)s", reason=error.message)
        return _refused(case_id, posted, {}, refusal, error.status)
    except DisputeflowError as error:
        words = forms.core_words(error, case, _left(case_id))
        problems = forms.field_errors(error, words)
        return _refused(case_id, posted, problems, words or error.message, error.status)
    reader = current()
    label = reader.term(forms.ASSIGN if posted == forms.ASSIGN else action["type"], "action")
    said = N_("%(action)s: queued.") if action["status"] in ACTIVE else N_("%(action)s: recorded.")
    flash(reader.gettext(said, action=label))
    return redirect(url_for("workspace.case_detail", case_id=case_id, _anchor="actions"))


def _left(case_id: str) -> Money | None:
    runtime = current_runtime()
    with runtime.database.session(readonly=True) as session:
        case = cases.get(session, case_id)
        listed = [actions.describe(row) for row in actions.list_for_case(session, case_id)]
    return _refundable(case, listed)


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
