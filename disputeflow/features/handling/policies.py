"""Store policies read from the marketplaces, and the rights report the API and CLI show.

Reading a marketplace's return policy may call its API, so the worker does it outside any
transaction, once a day per connection (and again after its settings change), and keeps
the answer on the connection; triage then reads it from there without a network call.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from disputeflow.core.clock import utcnow
from disputeflow.core.errors import DisputeflowError, InvalidInputError, NotFoundError
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import connections
from disputeflow.engine.store.tables import ConnectionRow
from disputeflow.features.handling.rights import StorePolicy, all_rights, evaluate, rights_for
from disputeflow.features.handling.store_policy import store_policy_of

log = logging.getLogger(__name__)

REFRESH_EVERY = timedelta(hours=24)
POLICY_TEXT_LIMIT = 20_000  # a platform's free-text evidence fields take as much


def _read(runtime: Runtime, row: ConnectionRow, now: datetime) -> dict[str, Any] | None:
    """What the marketplace states of its return policy (``None``: it offers none)."""
    marketplace = runtime.plugins.marketplaces().get(row.platform)
    if marketplace is None or not marketplace.capabilities.return_policy:
        return None
    try:
        stated = marketplace.return_policy(runtime.connection(row))
    except DisputeflowError as error:
        return StorePolicy(None, row.platform, now, error.message).to_dict()
    except Exception as error:  # a plugin bug: keep the settings' policy, say why
        log.exception("reading the return policy of connection %s failed", row.id)
        return StorePolicy(None, row.platform, now, f"{type(error).__name__}: {error}").to_dict()
    if stated is None:
        return None
    read = StorePolicy(stated.window_days, f"{row.platform}: {stated.source}", now).to_dict()
    # The policy's words, dated by this reading: evidence of what buyers were shown.
    return {**read, "text": stated.text[:POLICY_TEXT_LIMIT]} if stated.text else read


def refresh_policies(runtime: Runtime, *, now: datetime | None = None) -> int:
    """Read the return policy of each connection not read for a day; how many were read."""
    now = now or utcnow()
    with runtime.database.session(readonly=True) as session:
        due = list(
            session.scalars(
                select(ConnectionRow.id).where(
                    or_(
                        ConnectionRow.return_policy_checked_at.is_(None),
                        ConnectionRow.return_policy_checked_at < now - REFRESH_EVERY,
                    )
                )
            )
        )
    for connection_id in due:
        with runtime.database.session(readonly=True) as session:
            row = session.get(ConnectionRow, connection_id)
            stated = _read(runtime, row, now) if row is not None else None
        with runtime.database.session() as session:
            row = session.get(ConnectionRow, connection_id)
            if row is not None:
                row.return_policy = stated
                row.return_policy_checked_at = now
    return len(due)


def connection_store_policy(runtime: Runtime, connection_id: str) -> tuple[str, StorePolicy | None]:
    """A connection's id (``connection_id`` may be its name) and its store policy."""
    with runtime.database.session(readonly=True) as session:
        row = connections.get_row(session, connection_id)
        return row.id, store_policy_of(row)


def rights_report(
    country: str, *, store: StorePolicy | None = None, connection_id: str | None = None
) -> dict[str, Any]:
    """The statutory rights of a buyer in ``country``, the store's policy (of the
    connection ``connection_id``) and the effective window, with the legal sources."""
    code = (country or "").strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise InvalidInputError(
            f"country must be ISO 3166-1 alpha-2, got {country!r}",
            errors={"country": ["ISO 3166-1 alpha-2, e.g. DE"]},
        )
    rights = rights_for(code)
    if rights is None:
        known = ", ".join(all_rights())
        raise NotFoundError(f"no statutory rights data for {code} (known: {known})")
    policy = None
    if connection_id is not None:
        policy = {**StorePolicy(None, None).to_dict(), **(store.to_dict() if store else {})}
        policy["connection_id"] = connection_id
    return {
        "country": code,
        "statutory": rights.to_dict(),
        "store_policy": policy,
        "effective": evaluate(code, store).to_dict(),
    }
