"""``/webhooks/{platform}/{connection_id}``: marketplace deliveries in, stored before 2xx.
``/webhooks/{platform}/app`` takes what a platform sends once per app (Shopify's compliance
topics) and routes it, through the plugin, to the connection of the account it names.

The plugin verifies the delivery (signature, shop identity) and names its dedup key; the
raw body, the headers worth keeping and the key are committed before the answer. A
duplicate is a 2xx no-op; a forged delivery is a 401 (counted per connection, logged, and
nothing stored); processing happens in a worker, so a delivery that fails later is kept as
failed for replay and the platform never sees a 5xx loop.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Blueprint, Response, current_app, request
from sqlalchemy import update

from disputeflow.core.clock import utcnow
from disputeflow.core.errors import NotFoundError, SignatureError
from disputeflow.core.marketplace import (
    AppDelivery,
    ChallengeResponse,
    Connection,
    InboundRequest,
    Marketplace,
    VerifiedDelivery,
)
from disputeflow.engine import wakeup
from disputeflow.engine.connection_cache import ConnectionCache, Version
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import connections, deliveries
from disputeflow.engine.store.tables import ConnectionRow
from disputeflow.webhooks.errors import error_response

log = logging.getLogger(__name__)

blueprint = Blueprint("intake", __name__)


def _runtime() -> Runtime:
    runtime: Runtime = current_app.extensions["disputeflow"]
    return runtime


def _resolve(platform: str, connection_id: str) -> tuple[Connection, Version, Marketplace]:
    """The connection (secrets decrypted), as cached by this process, and the stored
    version it was built from: :func:`_store` checks that version in its transaction."""
    runtime = _runtime()
    entry = runtime.connections.peek(connection_id)
    if entry is None:
        with runtime.database.session(readonly=True) as session:
            version = ConnectionCache.version(session, connection_id)
            found = runtime.connections.load(session, connection_id, version) if version else None
        entry = (version or (), found) if found is not None else None
    if entry is None or entry[1].platform != platform:
        raise NotFoundError(f"no {platform} connection {connection_id!r}")
    return entry[1], entry[0], runtime.plugins.marketplace(platform)


class _Stale(Exception):
    """The cached connection changed before the delivery was stored: verify it again."""


def _inbound(method: str, body: bytes = b"") -> InboundRequest:
    return InboundRequest(
        method=method,
        headers=dict(request.headers.items()),
        body=body,
        query=request.args.to_dict(),
    )


def _count_rejection(connection_id: str) -> None:
    with _runtime().database.session() as session:
        session.execute(
            update(ConnectionRow)
            .where(ConnectionRow.id == connection_id)
            .values(
                rejected_deliveries=ConnectionRow.rejected_deliveries + 1,
                last_rejected_at=utcnow(),
            )
        )


@blueprint.post("/webhooks/<platform>/app")
def receive_app(platform: str) -> Any:
    """A delivery the platform sends to the app's one URL (Shopify's compliance topics),
    routed to the connection of the account it names."""
    marketplace = _runtime().plugins.marketplace(platform)
    if not marketplace.capabilities.app_webhooks:
        raise NotFoundError(f"{platform} has no app-level webhook URL")
    body = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        routed = _route(platform, marketplace, _inbound("POST", body))
    except SignatureError as error:
        log.warning(
            "rejected %s app delivery from %s: %s", platform, request.remote_addr, error.message
        )
        return error_response(error.status, error.code, error.message)
    return _store_routed(platform, routed, body)


def _route(platform: str, marketplace: Marketplace, inbound: InboundRequest) -> AppDelivery:
    runtime = _runtime()
    with runtime.database.session(readonly=True) as session:
        rows = connections.list_rows(session, platform=platform)
        candidates = [runtime.connection(row) for row in rows]
    return marketplace.verify_app_delivery(inbound, candidates)


def _store_routed(platform: str, routed: AppDelivery, body: bytes) -> Any:
    if routed.connection is None:  # signed by the app, for an account we hold nothing of
        log.warning(
            "%s %s for %s: no connection here, nothing held; acknowledged",
            platform, routed.verified.topic, routed.account,
        )  # fmt: skip
        return {"status": "no_connection", "account": routed.account}, 200
    return _store(platform, routed.connection.id, routed.verified, body)


@blueprint.post("/webhooks/<platform>/<connection_id>")
def receive(platform: str, connection_id: str) -> Any:
    """Verify (with the connection this process keeps), store and acknowledge, in one
    transaction; verified again if the connection changed meanwhile."""
    body = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        return _receive(platform, connection_id, body)
    except _Stale:
        _runtime().connections.forget(connection_id)
        return _receive(platform, connection_id, body)


def _receive(platform: str, connection_id: str, body: bytes) -> Any:
    connection, version, marketplace = _resolve(platform, connection_id)
    inbound = _inbound("POST", body)
    ping = marketplace.answer_ping(connection, inbound)
    if ping is not None:
        return _answer(connection.id, ping)
    try:
        verified = marketplace.verify_delivery(connection, inbound)
    except SignatureError as error:
        if marketplace.capabilities.app_webhooks:  # another connection's, of the same app?
            try:
                routed = _route(platform, marketplace, inbound)
            except SignatureError:
                routed = None
            if routed is not None and routed.connection is not None:
                return _store(platform, routed.connection.id, routed.verified, body)
        _count_rejection(connection.id)
        log.warning(
            "rejected %s delivery for connection %s from %s: %s",
            platform, connection.id, request.remote_addr, error.message,
        )  # fmt: skip
        return error_response(error.status, error.code, error.message)
    return _store(platform, connection.id, verified, body, version)


def _store(
    platform: str,
    connection_id: str,
    verified: VerifiedDelivery,
    body: bytes,
    version: Version | None = None,
) -> Any:
    """Commit the delivery before the answer (checking, in the same transaction, that the
    connection it was verified with is still the stored one); wake the workers for a new
    one (on PostgreSQL through ``NOTIFY``, delivered at commit). A plain transaction of
    prebuilt statements: no ORM session is needed for one row."""
    with _runtime().database.transaction() as transaction:
        if version is not None and ConnectionCache.version(transaction, connection_id) != version:
            raise _Stale(connection_id)
        delivery_id, created = deliveries.insert(
            transaction,
            connection_id=connection_id,
            platform=platform,
            verified=verified,
            body=body,
            received_at=utcnow(),
        )
        if created:
            wakeup.announce(transaction)
    if created:
        wake = current_app.extensions.get("disputeflow.wake")
        if isinstance(wake, threading.Event):
            wake.set()
    if verified.ack_status == 204:
        return Response(status=204)
    status = "accepted" if created else "duplicate"
    return {"status": status, "delivery_id": delivery_id}, verified.ack_status


@blueprint.get("/webhooks/<platform>/<connection_id>")
def challenge(platform: str, connection_id: str) -> Any:
    """A platform's endpoint check (eBay's ``challenge_code``, say), answered by its plugin."""
    connection, _, marketplace = _resolve(platform, connection_id)
    answer = marketplace.answer_challenge(connection, _inbound("GET"))
    if answer is None:
        return error_response(404, "not_found", f"{platform} does not answer endpoint checks")
    return _answer(connection.id, answer)


def _answer(connection_id: str, answer: ChallengeResponse) -> Response:
    """Send a plugin's own answer; record that the platform reached this URL if it says so."""
    if answer.webhook_verified:
        with _runtime().database.session() as session:
            session.execute(
                update(ConnectionRow)
                .where(ConnectionRow.id == connection_id)
                .values(webhook_verified_at=utcnow())
            )
    return Response(answer.body, status=answer.status, content_type=answer.content_type)
