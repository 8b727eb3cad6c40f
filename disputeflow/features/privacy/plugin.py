"""The privacy feature as a plugin: a buyer's erasure and data requests carried out as
their deliveries are processed, and personal data past its retention dropped in the
worker's housekeeping."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from disputeflow.core.effects import DataRequest, PersonalDataErasure
from disputeflow.core.hookspecs import hookimpl
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import case_search
from disputeflow.features.privacy import erasure
from disputeflow.features.privacy.retention import apply_retention


@hookimpl
def disputeflow_apply_effect(
    session: Session, settings: Any, connection_id: str, effect: object, delivery_id: str
) -> bool | None:
    """Erase what is held about a buyer (keeping the delivery that asked), or record what
    is held for a data request."""
    if isinstance(effect, PersonalDataErasure):
        erasure.erase(session, connection_id, effect, keep=delivery_id, home=settings.home)
        return True
    if isinstance(effect, DataRequest):
        erasure.export(session, connection_id, effect)
        return True
    return None


@hookimpl
def disputeflow_housekeeping(runtime: Runtime) -> None:
    """Expire old data-request exports and sweep orphan buyer files; merge the search
    index's small segments (the old texts of changed cases leave it with them)."""
    apply_retention(runtime)
    with runtime.database.session() as session:
        case_search.tidy(session)
