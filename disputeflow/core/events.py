"""Values handed to cross-cutting hooks."""

from __future__ import annotations

from dataclasses import dataclass, field

from disputeflow.core.case import Case
from disputeflow.core.taxonomy import Category
from disputeflow.core.values import TimelineEntry


@dataclass(frozen=True)
class CaseChange:
    """A committed change to a case: what caused it and the timeline entries it added."""

    case: Case
    created: bool
    entries: tuple[TimelineEntry, ...] = ()
    cause: str = "snapshot"  # "snapshot", "action", "note", "deadline", ...


@dataclass(frozen=True)
class Classification:
    """A category decided by a rule or a model, with how sure it is and which rule decided."""

    category: Category
    confidence: float
    rule: str
    details: dict[str, str] = field(default_factory=dict)
