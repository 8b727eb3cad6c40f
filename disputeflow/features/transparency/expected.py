"""When a case is expected to be resolved: measured history, bounded by the deadlines.

History: the resolution times (opened to resolved) of the most recent closed cases of the
same platform, kind and category; the median is the expected time, the 90th percentile the
"at the latest" time. With fewer than :data:`MIN_SAMPLES` such cases the group widens
(platform and kind, then kind alone); with none, a default per kind is used. A case open
longer than the median uses only the cases that took at least as long (what is left, given
how long it has already run). The estimate never lies in the past, and a statutory refund
deadline in force caps it: the law says the buyer has their money by then.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from disputeflow.core.case import Case
from disputeflow.core.clock import to_rfc3339, utcnow
from disputeflow.core.taxonomy import CaseKind, CaseStatus, DeadlineKind, TimelineKind
from disputeflow.engine.store.tables import CaseRow, TimelineRow

MIN_SAMPLES = 5
HISTORY_LIMIT = 500
# Typical resolution times when there is no history: card networks decide in weeks to
# months; returns and buyer questions in about two weeks; marketplace claims in a month.
DEFAULT_DAYS: dict[CaseKind, tuple[int, int]] = {
    CaseKind.CHARGEBACK: (60, 90),
    CaseKind.INQUIRY: (10, 20),
    CaseKind.RETURN: (14, 30),
    CaseKind.CLAIM: (30, 45),
}


@dataclass(frozen=True)
class ExpectedResolution:
    """The estimate and what it rests on."""

    expected_at: datetime
    latest_at: datetime
    median_days: float
    p90_days: float
    sample_size: int
    basis: str  # "history:platform,kind,category", "history:platform,kind", "default:<kind>"
    capped_by: str | None = None  # the deadline that bounds it, if one does

    def to_dict(self) -> dict[str, Any]:
        return {
            "expected_at": to_rfc3339(self.expected_at),
            "latest_at": to_rfc3339(self.latest_at),
            "median_days": round(self.median_days, 1),
            "p90_days": round(self.p90_days, 1),
            "sample_size": self.sample_size,
            "basis": self.basis,
            "capped_by": self.capped_by,
        }


def durations(session: Session, **where: str) -> list[timedelta]:
    """How long the most recent resolved cases matching ``where`` (platform, kind,
    category) took, from opening to their last resolution."""
    resolved = func.max(TimelineRow.at)
    query = (
        select(CaseRow.opened_at, resolved)
        .join(TimelineRow, TimelineRow.case_id == CaseRow.id)
        .where(CaseRow.status == str(CaseStatus.RESOLVED))
        .where(TimelineRow.kind == str(TimelineKind.RESOLVED))
        .group_by(CaseRow.id, CaseRow.opened_at)
        .order_by(resolved.desc())
        .limit(HISTORY_LIMIT)
    )
    for name, value in where.items():
        query = query.where(getattr(CaseRow, name) == value)
    found = []
    for opened, closed in session.execute(query):
        if closed is not None and closed >= opened:
            found.append(closed - opened)
    return found


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile (nearest rank) of a non-empty list."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[rank]


def _history(session: Session, case: Case) -> tuple[list[float], str] | None:
    groups = (
        ("platform,kind,category", {"platform": case.platform, "kind": str(case.kind),
                                    "category": str(case.category)}),
        ("platform,kind", {"platform": case.platform, "kind": str(case.kind)}),
        ("kind", {"kind": str(case.kind)}),
    )  # fmt: skip
    for name, where in groups:
        days = [d.total_seconds() / 86400 for d in durations(session, **where)]
        if len(days) >= MIN_SAMPLES:
            return days, f"history:{name}"
    return None


def estimate(
    session: Session, case: Case, now: datetime | None = None
) -> ExpectedResolution | None:
    """The expected resolution of an open case (``None`` once it is resolved)."""
    if case.status is CaseStatus.RESOLVED:
        return None
    now = now or utcnow()
    found = _history(session, case)
    elapsed = max(0.0, (now - case.opened_at).total_seconds() / 86400)
    if found is None:
        median, p90 = (float(d) for d in DEFAULT_DAYS[case.kind])
        basis, size = f"default:{case.kind}", 0
    else:
        days, basis = found
        longer = [d for d in days if d >= elapsed] or [max(days)]
        median, p90 = statistics.median(longer), percentile(longer, 0.9)
        size = len(days)
    expected = max(now, case.opened_at + timedelta(days=median))
    latest = max(expected, case.opened_at + timedelta(days=p90))
    cap = _cap(case, now)
    capped_by = None
    if cap is not None and latest > cap[0]:
        expected, latest, capped_by = min(expected, cap[0]), cap[0], cap[1]
    return ExpectedResolution(expected, latest, median, p90, size, basis, capped_by)


def _cap(case: Case, now: datetime) -> tuple[datetime, str] | None:
    """The statutory refund deadline in force, if one is still ahead."""
    dues = [
        (d.due_at, d.source)
        for d in case.deadlines
        if d.kind is DeadlineKind.STATUTORY_REFUND and d.due_at > now
    ]
    return min(dues) if dues else None
