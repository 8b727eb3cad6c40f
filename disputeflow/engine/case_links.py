"""An agent links two cases of one order by hand, or unlinks two a matching identifier
linked: the reason goes on both timelines. The API and the workspace both come here."""

from __future__ import annotations

from sqlalchemy.orm import Session

from disputeflow.core.case import Case, CaseLink
from disputeflow.core.errors import InvalidInputError, NotFoundError
from disputeflow.engine import order_links
from disputeflow.engine.ingest import notify
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import cases
from disputeflow.engine.store.tables import CaseRow

MAX_REASON = 2000


def link(
    runtime: Runtime, case_id: str, other_id: str, *, by: str, reason: str
) -> tuple[CaseLink, bool]:
    """Link two cases: ``(link, created)``; when already linked, the link as it is."""
    why = _reason(reason)
    with runtime.database.session() as session:
        case = _pair(session, case_id, other_id)
        existing = next((x for x in case.links if x.case_id == other_id), None)
        if existing is not None:
            return existing, False
        changed = order_links.connect(
            session, case, other_id, reason=f"linked by {by}: {why}", by=by
        )
    notify(runtime.plugins, changed, cause="link")
    return next(x for x in case.links if x.case_id == other_id), True


def unlink(runtime: Runtime, case_id: str, other_id: str, *, by: str, reason: str) -> None:
    """Remove the link between two cases (404 when they are not linked); a matching
    identifier never links them again."""
    why = _reason(reason)
    with runtime.database.session() as session:
        case = _pair(session, case_id, other_id, other_required=False)
        if all(x.case_id != other_id for x in case.links):
            raise NotFoundError(f"case {case_id!r} is not linked to {other_id!r}")
        changed = order_links.disconnect(session, case, other_id, reason=why, by=by)
    notify(runtime.plugins, changed, cause="unlink")


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInputError("say why (recorded on both cases)", errors={"reason": ["required"]})
    if len(text) > MAX_REASON:
        raise InvalidInputError("reason too long", errors={"reason": [f"at most {MAX_REASON}"]})
    return text


def _pair(session: Session, case_id: str, other_id: str, *, other_required: bool = True) -> Case:
    """Lock both cases in id order (as refunds lock them); the first one, whole. Unlinking
    a case erased since (its connection removed) needs only the first."""
    if case_id == other_id:
        raise InvalidInputError("a case cannot be linked to itself", errors={"case_id": ["same"]})
    for one in sorted((case_id, other_id)):
        missing = session.get(CaseRow, one, with_for_update=True) is None
        if missing and (one == case_id or other_required):
            raise NotFoundError(f"no case {one!r}")
    return cases.get(session, case_id)
