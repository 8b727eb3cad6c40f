"""``/api/v1/connections``: the marketplaces this installation talks to (admin only).

Secret settings are write-only: answers name them in ``secrets`` (and which are set in
``secrets_set``) but never echo a value. ``PATCH`` changes settings and keeps the cases.
"""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from flask.views import MethodView
from marshmallow import RAISE

from disputeflow.core.errors import InvalidInputError
from disputeflow.core.taxonomy import Role
from disputeflow.engine.store import connections
from disputeflow.webhooks.api import connection_schemas
from disputeflow.webhooks.api.auth import ApiBlueprint, current_runtime

blp = ApiBlueprint(
    "connections",
    __name__,
    url_prefix="/api/v1/connections",
    description="Marketplace connections. Admin only; secret settings are write-only.",
    read=Role.ADMIN,
    write=Role.ADMIN,
)


@blp.route("")
class ConnectionList(MethodView):
    @blp.arguments(connection_schemas.ConnectionListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, connection_schemas.ConnectionListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List connections, oldest first"""
        runtime = current_runtime()
        with runtime.database.session(readonly=True) as session:
            rows = connections.list_rows(session, platform=args.get("platform"))
            items = [runtime.describe_connection(row) for row in rows]
        return {"items": items, "next_cursor": None}

    @blp.arguments(connection_schemas.ConnectionCreateSchema)
    @blp.response(201, connection_schemas.ConnectionSchema)
    def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Add a connection

        The marketplace validates ``settings`` (422 with each bad field under
        ``errors.settings``). Point the platform's webhooks at the answer's ``webhook_url``.
        """
        runtime = current_runtime()
        platform = body["platform"]
        installed = sorted(runtime.plugins.marketplaces())
        if platform not in installed:
            raise InvalidInputError(
                f"no marketplace named {platform!r} (installed: {', '.join(installed) or 'none'})",
                errors={"platform": [f"one of {installed}"]},
            )
        described = runtime.add_connection(platform, body["name"], body["settings"])
        location = url_for(".ConnectionDetail", connection_id=described["id"])
        return described, 201, {"Location": location}


@blp.route("/<connection_id>")
class ConnectionDetail(MethodView):
    @blp.response(200, connection_schemas.ConnectionSchema)
    def get(self, connection_id: str) -> dict[str, Any]:
        """Show a connection (by id or name)"""
        runtime = current_runtime()
        with runtime.database.session(readonly=True) as session:
            return runtime.describe_connection(connections.get_row(session, connection_id))

    @blp.arguments(connection_schemas.ConnectionUpdateSchema)
    @blp.response(200, connection_schemas.ConnectionSchema)
    def patch(self, body: dict[str, Any], connection_id: str) -> dict[str, Any]:
        """Change a connection's settings, keeping it and every case

        ``{"settings": {"key": value, "other": null}}``: a value sets, ``null`` removes
        (JSON merge patch). The marketplace validates the result (422 with each bad field);
        rotate a secret or add a token without losing a case.
        """
        settings = body["settings"]
        changes = {key: value for key, value in settings.items() if value is not None}
        remove = [key for key, value in settings.items() if value is None]
        return current_runtime().change_connection_settings(connection_id, changes, remove)

    @blp.response(204)
    def delete(self, connection_id: str) -> Response:
        """Remove a connection, with its cases and deliveries"""
        with current_runtime().database.session() as session:
            connections.delete(session, connection_id)
        return Response(status=204)
