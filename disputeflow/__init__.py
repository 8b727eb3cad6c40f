"""disputeflow: one case flow for cross-border disputes, returns and refunds.

This module is the public API for plugin authors: import ``hookimpl``, the
:class:`Marketplace` base class, the model, the errors, the HTTP client and the
:class:`Runtime` an install flow works with from here (or the model's modules in
``disputeflow.core``), never from pluggy, ``disputeflow.engine`` or ``disputeflow.features``.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

from disputeflow.core.actions import ActionRequest, ActionResult
from disputeflow.core.capabilities import Capabilities
from disputeflow.core.case import Case
from disputeflow.core.errors import (
    ActionNotAllowedError,
    ConfigurationError,
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
from disputeflow.core.evidence import EvidenceItem
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
    SetupState,
    StoredDelivery,
    SyncPage,
    VerifiedDelivery,
)
from disputeflow.core.money import Money
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
from disputeflow.engine.calendar import BusinessCalendar
from disputeflow.engine.evidence_files import EvidenceFile, evidence_files, file_param
from disputeflow.engine.http import PlatformClient, error_message
from disputeflow.engine.json_limits import depth_exceeds
from disputeflow.engine.minor_units import MinorUnits
from disputeflow.engine.notices import (
    Audience,
    Notice,
    NoticeError,
    NoticeResult,
    Notifier,
    Step,
)
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.sample_dates import redate, samples_dated_at, shift_for
from disputeflow.engine.signed_tokens import LinkError
from disputeflow.engine.volume import DailyVolumes

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
    "ConfigurationError",
    "Connection",
    "DailyVolumes",
    "Deadline",
    "DeadlineKind",
    "DisputeflowError",
    "DuplicateMarketplaceError",
    "Evidence",
    "EvidenceFile",
    "EvidenceItem",
    "FoundOrder",
    "InboundRequest",
    "InvalidInputError",
    "LinkError",
    "Marketplace",
    "MarketplaceError",
    "Message",
    "MinorUnits",
    "Money",
    "NotFoundError",
    "Notice",
    "NoticeError",
    "NoticeResult",
    "Notifier",
    "Order",
    "Outcome",
    "Party",
    "PlatformClient",
    "PluginError",
    "ReauthorizationRequired",
    "ReturnPolicy",
    "Runtime",
    "SampleDelivery",
    "SetupState",
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
    "depth_exceeds",
    "error_message",
    "evidence_files",
    "file_param",
    "get_plugin_manager",
    "hookimpl",
    "redate",
    "samples_dated_at",
    "shift_for",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        return metadata.version("disputeflow")
    raise AttributeError(f"module 'disputeflow' has no attribute {name!r}")
