"""``/api/v1/sessions``: the workspace's signed-in browsers (admin only), and ending them.

Sessions live on the server (:mod:`disputeflow.engine.store.sessions`): ending one signs that
browser out at once, and its cookie is refused from then on, copies included.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from marshmallow import Schema, fields

from disputeflow.core.clock import to_rfc3339
from disputeflow.core.taxonomy import Role
from disputeflow.engine.store import sessions
from disputeflow.engine.store.tables import TokenRow
from disputeflow.webhooks.api.auth import ApiBlueprint, current_runtime

blp = ApiBlueprint(
    "sessions",
    __name__,
    url_prefix="/api/v1/sessions",
    description="Signed-in workspace sessions: list them, end any of them. Admin only.",
    read=Role.ADMIN,
    write=Role.ADMIN,
)


class SessionSchema(Schema):
    id = fields.String()
    token_id = fields.String()
    token_name = fields.String(allow_none=True)
    client = fields.String(metadata={"description": "The address it signed in from."})
    user_agent = fields.String()
    created_at = fields.String(metadata={"format": "date-time"})
    last_seen_at = fields.String(metadata={"format": "date-time"})


class SessionListSchema(Schema):
    items = fields.List(fields.Nested(SessionSchema))
    next_cursor = fields.String(allow_none=True)


@blp.route("")
class SessionList(MethodView):
    @blp.response(200, SessionListSchema)
    def get(self) -> dict[str, Any]:
        """List live workspace sessions, most recently active first"""
        with current_runtime().database.session(readonly=True) as db:
            names = {row.id: row.name for row in db.query(TokenRow)}
            items = [
                {
                    "id": row.id,
                    "token_id": row.token_id,
                    "token_name": names.get(row.token_id),
                    "client": row.client,
                    "user_agent": row.user_agent,
                    "created_at": to_rfc3339(row.created_at),
                    "last_seen_at": to_rfc3339(row.last_seen_at),
                }
                for row in sessions.list_live(db)
            ]
        return {"items": items, "next_cursor": None}


@blp.route("/<session_id>")
class SessionDetail(MethodView):
    @blp.response(204)
    def delete(self, session_id: str) -> Response:
        """End a session: that browser is signed out at once"""
        with current_runtime().database.session() as db:
            sessions.revoke(db, session_id)
        return Response(status=204)
