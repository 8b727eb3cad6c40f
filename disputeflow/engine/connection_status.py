"""Where a connection stands: what arrived, what failed, and what the merchant does next.

``connections show``, the API and the workspace read the same answer, so a merchant sees in
one place whether API access is authorised (with the link that grants it), whether the
platform reaches the webhook URL, the last sync and the last error.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from disputeflow.core.marketplace import SetupState
from disputeflow.engine.store.tables import DeliveryRow, SyncCursorRow

WEBHOOK_STEP = "give the platform this webhook URL: {url}"  # the workspace translates it


def _stamp(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def activity(session: Session, connection_id: str) -> dict[str, Any]:
    """The last delivery received, the last sync and its error, if any."""
    last = session.scalar(
        select(func.max(DeliveryRow.received_at)).where(DeliveryRow.connection_id == connection_id)
    )
    cursor = session.get(SyncCursorRow, connection_id)
    return {
        "last_delivery_at": _stamp(last),
        "last_sync_at": _stamp(cursor.last_synced_at) if cursor else None,
        "last_sync_error": cursor.last_error if cursor else None,
    }


def next_step(described: dict[str, Any], state: SetupState) -> str | None:
    """The plugin's next step while the setup is not done (API access not authorised, or
    nothing received from the platform yet); when the plugin names none, the webhook URL to
    give the platform. ``None`` once deliveries arrive and nothing is left to authorise."""
    reached = bool(described.get("last_delivery_at") or described.get("webhook_verified_at"))
    if state.authorised is not False and reached:
        return None
    if state.next_step:
        return state.next_step
    if reached:
        return None
    return WEBHOOK_STEP.format(url=described["webhook_url"])
