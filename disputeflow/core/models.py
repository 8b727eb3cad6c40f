"""The common case model of DESIGN.md section 4, in one import.

:class:`Case` is the aggregate; :class:`CaseSnapshot` is what a marketplace plugin makes of
one platform object; the rest are the values both are made of.
"""

from __future__ import annotations

from disputeflow.core.actions import ActionRequest, ActionResult
from disputeflow.core.case import Case
from disputeflow.core.money import Money
from disputeflow.core.snapshot import CaseSnapshot
from disputeflow.core.values import Deadline, Evidence, Message, Order, Party, TimelineEntry

__all__ = [
    "ActionRequest",
    "ActionResult",
    "Case",
    "CaseSnapshot",
    "Deadline",
    "Evidence",
    "Message",
    "Money",
    "Order",
    "Party",
    "TimelineEntry",
]
