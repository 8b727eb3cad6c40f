"""``/api/v1/deliveries``: what the platforms sent (viewer reads; admin replays).

A delivery that failed to process is kept as ``failed`` (retried with backoff) and then
``dead``; replaying queues it again for a worker, e.g. after a plugin fix.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import current_app
from flask.views import MethodView
from marshmallow import RAISE

from disputeflow.core.clock import utcnow
from disputeflow.core.taxonomy import Role
from disputeflow.engine.store import deliveries
from disputeflow.webhooks.api import schemas
from disputeflow.webhooks.api.auth import ApiBlueprint, current_runtime

blp = ApiBlueprint(
    "deliveries",
    __name__,
    url_prefix="/api/v1/deliveries",
    description="Webhook deliveries as received. Viewer reads; admin replays.",
    read=Role.VIEWER,
    write=Role.ADMIN,
)


def _wake_worker() -> None:
    """Tell an in-process worker (``serve``) that there is work now."""
    wake = current_app.extensions.get("disputeflow.wake")
    if isinstance(wake, threading.Event):
        wake.set()


@blp.route("")
class DeliveryList(MethodView):
    @blp.arguments(schemas.DeliveryListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, schemas.DeliveryListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List deliveries, newest first

        ``?status=failed`` lists those waiting for a retry, ``?status=dead`` those that
        ran out of attempts. Bodies and headers are in each delivery's own answer.
        """
        with current_runtime().database.session(readonly=True) as session:
            rows, next_cursor = deliveries.list_rows(
                session,
                status=args.get("status"),
                connection_id=args.get("connection_id"),
                limit=args["limit"],
                after=args.get("cursor"),
            )
            items = [deliveries.describe(row) for row in rows]
        return {"items": items, "next_cursor": next_cursor}


@blp.route("/replay")
class DeliveryReplayMany(MethodView):
    @blp.arguments(schemas.ReplaySchema)
    @blp.response(202, schemas.ReplayResultSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Replay deliveries

        ``{"ids": [...]}`` queues those deliveries again; ``{"failed": true}`` queues
        every failed and dead one. Answers how many were queued.
        """
        with current_runtime().database.session() as session:
            count = deliveries.replay(
                session, utcnow(), ids=body.get("ids") or (), failed=bool(body.get("failed"))
            )
        _wake_worker()
        return {"queued": count}


@blp.route("/<delivery_id>")
class DeliveryDetail(MethodView):
    @blp.response(200, schemas.DeliverySchema)
    def get(self, delivery_id: str) -> dict[str, Any]:
        """Show a delivery, with its headers and raw body"""
        with current_runtime().database.session(readonly=True) as session:
            return deliveries.describe(deliveries.get(session, delivery_id))


@blp.route("/<delivery_id>/replay")
class DeliveryReplay(MethodView):
    @blp.response(202, schemas.DeliverySchema)
    def post(self, delivery_id: str) -> dict[str, Any]:
        """Replay one delivery

        Queues it for processing again, whatever its status (processing is idempotent).
        """
        with current_runtime().database.session() as session:
            deliveries.replay(session, utcnow(), ids=[delivery_id])
        _wake_worker()
        with current_runtime().database.session(readonly=True) as session:
            return deliveries.describe(deliveries.get(session, delivery_id))
