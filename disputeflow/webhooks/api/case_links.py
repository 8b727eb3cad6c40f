"""``/api/v1/cases/{id}/links``: the other cases of the same order (viewer reads; an agent
links or unlinks two cases by hand, and the reason goes on both timelines)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from disputeflow.core.taxonomy import Role
from disputeflow.engine import case_links
from disputeflow.engine.store import cases
from disputeflow.webhooks.api import link_schemas
from disputeflow.webhooks.api.auth import ApiBlueprint, current_caller, current_runtime

blp = ApiBlueprint(
    "case_links",
    __name__,
    url_prefix="/api/v1/cases",
    description="One order's cases across channels: linked by a matching identifier, or by "
    "an agent. Viewer reads; agent links and unlinks.",
    read=Role.VIEWER,
    write=Role.AGENT,
)


@blp.route("/<case_id>/links")
class CaseLinks(MethodView):
    @blp.response(200, link_schemas.LinkListSchema)
    def get(self, case_id: str) -> dict[str, Any]:
        """The other cases of the same order

        Each with why it is linked (the identifier that matched, or the agent and their
        reason) and since when. ``GET /api/v1/cases?order=`` lists them whole.
        """
        with current_runtime().database.session(readonly=True) as session:
            case = cases.get(session, case_id)
        return {"items": [link.to_dict() for link in case.links], "next_cursor": None}

    @blp.arguments(link_schemas.LinkChangeSchema)
    @blp.response(201, link_schemas.CaseLinkSchema, description="Linked.")
    @blp.alt_response(200, schema=link_schemas.CaseLinkSchema, description="Already linked.")
    def post(self, body: dict[str, Any], case_id: str) -> tuple[dict[str, Any], int]:
        """Link another case of the same order

        For two cases no shared identifier links (a buyer who paid on one channel and wrote
        on another, say). The reason is recorded on both timelines; refunds on either then
        count against the order's total on both.
        """
        link, created = case_links.link(
            current_runtime(),
            case_id,
            body["case_id"],
            by=current_caller().name,
            reason=body["reason"],
        )
        return link.to_dict(), 201 if created else 200

    @blp.arguments(link_schemas.LinkChangeSchema)
    @blp.response(204, description="Unlinked.")
    def delete(self, body: dict[str, Any], case_id: str) -> Response:
        """Unlink two cases

        They are not one order's (an order number two stores share, say). The reason is
        recorded on both timelines, and a matching identifier never links them again.
        """
        case_links.unlink(
            current_runtime(),
            case_id,
            body["case_id"],
            by=current_caller().name,
            reason=body["reason"],
        )
        return Response(status=204)
