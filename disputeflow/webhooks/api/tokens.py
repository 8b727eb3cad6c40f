"""``/api/v1/tokens``: API tokens (admin only). A token is shown once, when created."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from flask.views import MethodView

from disputeflow.core.clock import to_rfc3339
from disputeflow.core.errors import NotFoundError
from disputeflow.core.taxonomy import Role
from disputeflow.engine.store import tokens
from disputeflow.engine.store.tables import TokenRow
from disputeflow.webhooks.api import schemas
from disputeflow.webhooks.api.auth import ApiBlueprint, current_runtime

blp = ApiBlueprint(
    "tokens",
    __name__,
    url_prefix="/api/v1/tokens",
    description="API tokens and their roles (viewer, agent, admin). Admin only.",
    read=Role.ADMIN,
    write=Role.ADMIN,
)


def describe(row: TokenRow) -> dict[str, Any]:
    """The JSON form of a token: never its secret or hash."""

    def stamp(value: Any) -> str | None:
        return to_rfc3339(value) if value else None

    return {
        "id": row.id,
        "name": row.name,
        "role": row.role,
        "prefix": row.prefix,
        "created_at": stamp(row.created_at),
        "last_used_at": stamp(row.last_used_at),
        "revoked_at": stamp(row.revoked_at),
    }


@blp.route("")
class TokenList(MethodView):
    @blp.response(200, schemas.TokenListSchema)
    def get(self) -> dict[str, Any]:
        """List tokens, oldest first (revoked ones too)"""
        with current_runtime().database.session(readonly=True) as session:
            items = [describe(row) for row in tokens.list_rows(session)]
        return {"items": items, "next_cursor": None}

    @blp.arguments(schemas.TokenCreateSchema)
    @blp.response(201, schemas.IssuedTokenSchema)
    def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Create a token

        The answer's ``token`` is the only time the secret is shown: store it now.
        ``role`` defaults to ``agent``.
        """
        with current_runtime().database.session() as session:
            issued = tokens.create(session, name=body["name"], role=Role(body["role"]))
            row = session.get(TokenRow, issued.id)
            assert row is not None  # just created
            answer = {**describe(row), "token": issued.token}
        headers = {
            "Location": url_for(".TokenDetail", token_id=issued.id),
            "Cache-Control": "no-store",
        }
        return answer, 201, headers


@blp.route("/<token_id>")
class TokenDetail(MethodView):
    @blp.response(200, schemas.TokenSchema)
    def get(self, token_id: str) -> dict[str, Any]:
        """Show a token (never its secret)"""
        with current_runtime().database.session(readonly=True) as session:
            row = session.get(TokenRow, token_id)
            if row is None:
                raise NotFoundError(f"no token {token_id!r}")
            return describe(row)

    @blp.response(204)
    def delete(self, token_id: str) -> Response:
        """Revoke a token: it stops working at once (it stays listed, as revoked)"""
        with current_runtime().database.session() as session:
            tokens.revoke(session, token_id)
        return Response(status=204)
