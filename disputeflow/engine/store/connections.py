"""Connections in the store: non-secret settings as JSON, secret ones sealed in one token."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from disputeflow.core.clock import utcnow
from disputeflow.core.errors import InvalidInputError, NotFoundError
from disputeflow.core.marketplace import Connection
from disputeflow.core.taxonomy import ConnectionState
from disputeflow.engine.ids import new_id
from disputeflow.engine.store.secrets import SecretBox
from disputeflow.engine.store.tables import ConnectionRow


def create(
    session: Session,
    box: SecretBox,
    *,
    platform: str,
    name: str,
    settings: Mapping[str, Any],
    secret_fields: frozenset[str],
    demo: bool = False,
) -> ConnectionRow:
    """Store a connection whose ``settings`` are already validated by its marketplace."""
    if session.scalar(select(ConnectionRow.id).where(ConnectionRow.name == name)):
        raise InvalidInputError(
            f"a connection named {name!r} already exists", errors={"name": ["already exists"]}
        )
    now = utcnow()
    row = ConnectionRow(id=new_id("con"), platform=platform, name=name, created_at=now, demo=demo)
    store_settings(row, box, settings, secret_fields)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise InvalidInputError(f"a connection named {name!r} already exists") from None
    return row


def store_settings(
    row: ConnectionRow,
    box: SecretBox,
    settings: Mapping[str, Any],
    secret_fields: frozenset[str],
    *,
    reread_policy: bool = True,
) -> None:
    """Split settings into public JSON and one sealed token of the secret ones."""
    row.settings = {k: v for k, v in settings.items() if k not in secret_fields}
    row.secrets = box.encrypt({k: v for k, v in settings.items() if k in secret_fields})
    row.updated_at = utcnow()
    if reread_policy:  # new settings may state another return policy: read the platform's again
        row.return_policy = None
        row.return_policy_checked_at = None


def set_state(row: ConnectionRow, state: ConnectionState, reason: str | None = None) -> bool:
    """Move a connection to ``state`` (with why); whether anything changed."""
    if row.state == state and row.state_reason == reason:
        return False
    row.state, row.state_reason, row.state_changed_at = str(state), reason, utcnow()
    return True


def get_row(session: Session, connection_id: str) -> ConnectionRow:
    """The row by id or by name; a 404-style error otherwise."""
    row = session.get(ConnectionRow, connection_id) or session.scalar(
        select(ConnectionRow).where(ConnectionRow.name == connection_id)
    )
    if row is None:
        raise NotFoundError(f"no connection {connection_id!r}")
    return row


def list_rows(session: Session, *, platform: str | None = None) -> list[ConnectionRow]:
    """Every connection, oldest first."""
    query = select(ConnectionRow).order_by(ConnectionRow.id)
    if platform:
        query = query.where(ConnectionRow.platform == platform)
    return list(session.scalars(query))


def delete(session: Session, connection_id: str) -> ConnectionRow:
    """Remove a connection (and, by cascade, its cases and deliveries)."""
    row = get_row(session, connection_id)
    session.delete(row)
    return row


def to_connection(row: ConnectionRow, box: SecretBox, webhook_url: str | None) -> Connection:
    """The plugin-facing connection, with secrets decrypted."""
    settings = {**row.settings, **box.decrypt(row.secrets)}
    return Connection(
        id=row.id,
        platform=row.platform,
        name=row.name,
        settings=settings,
        created_at=row.created_at,
        webhook_url=webhook_url,
        state=row.state or ConnectionState.ACTIVE,
        demo=bool(row.demo),
    )


def _stamp(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def describe(row: ConnectionRow, secret_fields: frozenset[str], webhook_url: str) -> dict[str, Any]:
    """The public JSON form: secrets are never echoed, only their names and which are set.
    The ``None`` entries are the runtime's to fill (they need the plugin or other tables)."""
    return {
        "id": row.id,
        "platform": row.platform,
        "name": row.name,
        "settings": dict(row.settings),
        "secrets": sorted(secret_fields),
        "secrets_set": [],  # the runtime decrypts to tell which secrets have a value
        "webhook_url": webhook_url,
        "webhook_verified_at": _stamp(row.webhook_verified_at),
        "created_at": _stamp(row.created_at),
        "policy": None,  # the runtime asks the plugins (``disputeflow_connection_details``)
        "state": row.state or str(ConnectionState.ACTIVE),
        "state_reason": row.state_reason,
        "state_changed_at": _stamp(row.state_changed_at),
        "install_url": None,  # signed by the runtime when inactive or not authorised
        "authorised": None,  # API access granted, as the plugin tells (None: nothing to grant)
        "next_step": None,  # what the merchant does next, in full
        "last_delivery_at": None,
        "rejected_deliveries": row.rejected_deliveries or 0,  # bad signatures, for one
        "last_rejected_at": _stamp(row.last_rejected_at),
        "last_sync_at": None,
        "last_sync_error": None,
        "demo": bool(row.demo),  # made by `disputeflow demo`, with random secrets
    }
