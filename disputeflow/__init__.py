"""disputeflow: one case flow for cross-border disputes, returns and refunds.

This module is the public API for plugin authors: import ``hookimpl``, the
:class:`Marketplace` base class, the model and the errors from here, never from pluggy or
from submodules.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

from disputeflow.core.actions import ActionRequest, ActionResult
from disputeflow.core.capabilities import Capabilities
from disputeflow.core.case import Case
from disputeflow.core.errors import (
    ActionNotAllowedError,
    DisputeflowError,
    DuplicateMarketplaceError,
    InvalidInputError,
    MarketplaceError,
    NotFoundError,
    PluginError,
    ReauthorizationRequired,
    SignatureError,
    SnapshotError,
    UnsupportedError,
)
from disputeflow.core.events import CaseChange, Classification
from disputeflow.core.handling.calendar import BusinessCalendar
from disputeflow.core.hookspecs import hookimpl
from disputeflow.core.marketplace import (
    AppDelivery,
    BaseSettingsSchema,
    ChallengeResponse,
    Connection,
    FoundOrder,
    InboundRequest,
    Marketplace,
    ReturnPolicy,
    SampleDelivery,
    StoredDelivery,
    SyncPage,
    VerifiedDelivery,
)
from disputeflow.core.money import Money
from disputeflow.core.notices.model import (
    Audience,
    Notice,
    NoticeError,
    NoticeResult,
    Notifier,
    Step,
)
from disputeflow.core.plugins import get_plugin_manager
from disputeflow.core.snapshot import CaseSnapshot
from disputeflow.core.taxonomy import (
    ActionType,
    Actor,
    CaseKind,
    CaseStatus,
    Category,
    DeadlineKind,
    Outcome,
    Stage,
    TimelineKind,
)
from disputeflow.core.values import Deadline, Evidence, Message, Order, Party, TimelineEntry

__all__ = [
    "ActionNotAllowedError",
    "ActionRequest",
    "ActionResult",
    "ActionType",
    "Actor",
    "AppDelivery",
    "Audience",
    "BaseSettingsSchema",
    "BusinessCalendar",
    "Capabilities",
    "Case",
    "CaseChange",
    "CaseKind",
    "CaseSnapshot",
    "CaseStatus",
    "Category",
    "ChallengeResponse",
    "Classification",
    "Connection",
    "Deadline",
    "DeadlineKind",
    "DisputeflowError",
    "DuplicateMarketplaceError",
    "Evidence",
    "FoundOrder",
    "InboundRequest",
    "InvalidInputError",
    "Marketplace",
    "MarketplaceError",
    "Message",
    "Money",
    "NotFoundError",
    "Notice",
    "NoticeError",
    "NoticeResult",
    "Notifier",
    "Order",
    "Outcome",
    "Party",
    "PluginError",
    "ReauthorizationRequired",
    "ReturnPolicy",
    "SampleDelivery",
    "SignatureError",
    "SnapshotError",
    "Stage",
    "Step",
    "StoredDelivery",
    "SyncPage",
    "TimelineEntry",
    "TimelineKind",
    "UnsupportedError",
    "VerifiedDelivery",
    "get_plugin_manager",
    "hookimpl",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        return metadata.version("disputeflow")
    raise AttributeError(f"module 'disputeflow' has no attribute {name!r}")
