"""``/api/v1/cases``: the case flow (viewer reads; agent requests actions)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Response, url_for
from flask.views import MethodView
from marshmallow import RAISE
from sqlalchemy.exc import IntegrityError

from disputeflow.core.clock import to_rfc3339, utcnow
from disputeflow.core.errors import InvalidInputError, NotFoundError
from disputeflow.core.taxonomy import ActionType, Actor, Role
from disputeflow.core.values import Evidence
from disputeflow.engine.ids import new_id
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import actions, cases
from disputeflow.engine.store.tables import CaseRow
from disputeflow.features.transparency import expected, files, links
from disputeflow.webhooks.api import schemas, transparency_schemas
from disputeflow.webhooks.api.auth import ApiBlueprint, current_caller, current_runtime
from disputeflow.webhooks.downloads import download

blp = ApiBlueprint(
    "cases",
    __name__,
    url_prefix="/api/v1/cases",
    description="Cases from every marketplace. Viewer reads; agent requests actions.",
    read=Role.VIEWER,
    write=Role.AGENT,
)

_FILTERS = (
    *("platform", "connection_id", "kind", "status", "category", "queue", "due_before"),
    *("q", "order"),
)


@blp.route("")
class CaseList(MethodView):
    @blp.arguments(schemas.CaseListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, schemas.CaseListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List cases

        Newest first (``sort=newest``, by ``updated_at``) or most urgent first
        (``sort=urgent``, by ``due_at``; cases without a deadline last). Follow
        ``next_cursor`` with ``?cursor=`` (and the same filters and sort) for the next page.
        """
        runtime = current_runtime()
        filters = cases.CaseFilter(**{name: args.get(name) for name in _FILTERS})
        with runtime.database.session(readonly=True) as session:
            rows, next_cursor = cases.list_rows(
                session, filters, limit=args["limit"], cursor=args.get("cursor"), sort=args["sort"]
            )
            items = [runtime.fill_allowed_actions(cases.summary(row)).to_dict() for row in rows]
        return {"items": items, "next_cursor": next_cursor}


@blp.route("/<case_id>")
class CaseDetail(MethodView):
    @blp.response(200, schemas.CaseSchema)
    def get(self, case_id: str) -> dict[str, Any]:
        """Show a case

        With its deadlines, evidence, messages, timeline and the actions allowed now.
        """
        runtime = current_runtime()
        with runtime.database.session(readonly=True) as session:
            case = cases.get(session, case_id)
            estimate = expected.estimate(session, case)
        data = runtime.fill_allowed_actions(case).to_dict()
        return {**data, "expected_resolution": estimate.to_dict() if estimate else None}


@blp.route("/<case_id>/timeline")
class CaseTimeline(MethodView):
    @blp.response(200, schemas.TimelineSchema)
    def get(self, case_id: str) -> dict[str, Any]:
        """A case's timeline, oldest first"""
        with current_runtime().database.session(readonly=True) as session:
            case = cases.get(session, case_id)
        return {"items": [entry.to_dict() for entry in case.timeline], "next_cursor": None}


def _require_case(runtime: Runtime, case_id: str) -> None:
    with runtime.database.session(readonly=True) as session:
        if session.get(CaseRow, case_id) is None:
            raise NotFoundError(f"no case {case_id!r}")


def _evidence(items: Iterable[dict[str, Any]]) -> tuple[Evidence, ...]:
    """The merchant's evidence, stamped with an id and the time it was submitted."""
    now = utcnow()
    return tuple(
        Evidence(
            external_id=new_id("evd"),
            party=Actor.MERCHANT,
            kind=item["kind"],
            submitted_at=now,
            description=item.get("description") or "",
            url=item.get("url"),
            filename=item.get("filename"),
            content_type=item.get("content_type"),
        )
        for item in items
    )


def _idempotency_key(header: str | None, body: str | None) -> str | None:
    if header and body and header != body:
        raise InvalidInputError(
            "the Idempotency-Key header and the body's idempotency_key differ",
            errors={"idempotency_key": ["differs from the Idempotency-Key header"]},
        )
    return header or body


def _request(runtime: Runtime, case_id: str, wanted: ActionInput) -> tuple[dict[str, Any], bool]:
    try:
        return request_action(runtime, case_id, wanted)
    except IntegrityError:
        if not wanted.idempotency_key:
            raise
        # A concurrent request with the same key stored its action first: answer with it.
        return request_action(runtime, case_id, wanted)


@blp.route("/<case_id>/actions")
class CaseActions(MethodView):
    @blp.response(200, schemas.ActionListSchema)
    def get(self, case_id: str) -> dict[str, Any]:
        """A case's actions, oldest first"""
        runtime = current_runtime()
        _require_case(runtime, case_id)
        with runtime.database.session(readonly=True) as session:
            items = [actions.describe(row) for row in actions.list_for_case(session, case_id)]
        return {"items": items, "next_cursor": None}

    @blp.arguments(schemas.IdempotencyHeaderSchema, location="headers")
    @blp.arguments(schemas.ActionCreateSchema)
    @blp.response(202, schemas.ActionSchema, description="Accepted: queued for the platform.")
    @blp.alt_response(200, schema=schemas.ActionSchema, description="A repeated key: the original.")
    def post(
        self, headers: dict[str, Any], body: dict[str, Any], case_id: str
    ) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Request an action

        Checked against the case's ``allowed_actions`` (409 otherwise, or when a plugin
        vetoes it) and queued for the platform: 202 with the action and its ``Location``.
        An ``Idempotency-Key`` header (or ``idempotency_key`` in the body) makes retries
        safe: the same key answers the original action with 200.
        """
        wanted = ActionInput(
            type=ActionType(body["type"]),
            amount=body.get("amount"),
            message=body.get("message"),
            evidence=_evidence(body.get("evidence") or ()),
            params=body.get("params"),
            rationale=body.get("rationale"),
            evidence_ids=tuple(body.get("evidence_ids") or ()),
            idempotency_key=_idempotency_key(
                headers.get("idempotency_key"), body.get("idempotency_key")
            ),
            requested_by=current_caller().name,
        )
        action, created = _request(current_runtime(), case_id, wanted)
        location = url_for(".CaseAction", case_id=case_id, action_id=action["id"])
        return action, 202 if created else 200, {"Location": location}


@blp.route("/<case_id>/actions/<action_id>")
class CaseAction(MethodView):
    @blp.response(200, schemas.ActionSchema)
    def get(self, case_id: str, action_id: str) -> dict[str, Any]:
        """Show an action: its status, attempts and the platform's answer"""
        with current_runtime().database.session(readonly=True) as session:
            row = actions.get(session, action_id)
            if row.case_id != case_id:
                raise NotFoundError(f"no action {action_id!r} on case {case_id!r}")
            return actions.describe(row)


@blp.route("/<case_id>/buyer-link")
class CaseBuyerLink(MethodView):
    @blp.arguments(transparency_schemas.BuyerLinkArgsSchema)
    @blp.response(201, transparency_schemas.BuyerLinkSchema)
    def post(self, args: dict[str, Any], case_id: str) -> dict[str, Any]:
        """Mint the buyer's link

        A signed, expiring link to the case's buyer page (status, steps, deadlines, rights,
        messages; the buyer replies and adds evidence there). Send it to the buyer only.
        """
        runtime = current_runtime()
        _require_case(runtime, case_id)
        settings = runtime.settings
        url, expires_at = links.case_link(
            runtime.secrets, settings.public_url, case_id, days=args["days"]
        )
        return {"case_id": case_id, "url": url, "expires_at": to_rfc3339(expires_at)}


@blp.route("/<case_id>/files/<file_id>")
class CaseFile(MethodView):
    @blp.response(200, description="The file, as an attachment of its detected type.")
    def get(self, case_id: str, file_id: str) -> Response:
        """Download a buyer's evidence file

        Evidence of kind ``buyer_file``: its ``external_id`` names the file.
        """
        runtime = current_runtime()
        with runtime.database.session(readonly=True) as session:
            row = files.find(session, case_id, file_id)
        return download(runtime, row)
