"""One item of an evidence packet, as a plugin or a built-in source found it.

A packet gathers, for one case, what wins its reason code (the catalogue in
``docs/evidence.md``); each item says where it came from, so an agent can check it, and
which of the platform's evidence fields it fills, so a contest can send it as it stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from disputeflow.core.clock import ensure_utc


@dataclass(frozen=True)
class EvidenceItem:
    """``name`` is a catalogue item ("tracking", "refund_policy", ...); ``field`` the platform's
    evidence field it fills ("shipping_tracking_number"), ``None`` when it goes into the
    free text; ``as_of`` when the fact held (the date a policy was shown)."""

    name: str
    text: str
    source: str
    field: str | None = None
    as_of: datetime | None = None
    filename: str | None = None
    content_type: str | None = None
    content: bytes | None = None

    def __post_init__(self) -> None:
        if self.as_of is not None:
            object.__setattr__(self, "as_of", ensure_utc(self.as_of))
