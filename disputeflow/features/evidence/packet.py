"""A case's evidence packet: the items found (by whom, from where, into which field), what
its category still lacks and why it matters, and the agent's work on it.

:func:`build` is pure: it takes what the plugins and disputeflow found, the agent's edits and
files, and the catalogue, and says what the packet is. ``complete`` is what a rule may rely
on before submitting on its own: every required item of the category is present.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from disputeflow.core.clock import to_rfc3339
from disputeflow.core.evidence import EvidenceItem
from disputeflow.features.evidence import catalogue

PLATFORM, DISPUTEFLOW, AGENT = "platform", "disputeflow", "agent"
# disputeflow's copy of what the platform's own record says better: shown only without it.
FALLBACKS = frozenset({"customer_name", "customer_email"})


def _stamp(moment: datetime | None) -> str | None:
    return to_rfc3339(moment) if moment else None


@dataclass(frozen=True)
class PacketItem:
    """One item of the packet. ``field``: the platform's evidence field it fills, PREFILLED
    (the platform has it already) or ``None`` (the free text); a file names ``file_id``."""

    name: str
    title: str
    text: str
    source: str
    origin: str  # platform, disputeflow or agent
    field: str | None = None
    as_of: datetime | None = None
    file_id: str | None = None
    filename: str | None = None
    content_type: str | None = None
    excluded: bool = False  # the agent left it out of the submission
    content: bytes | None = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def present(self) -> bool:
        return not self.excluded and bool(self.text.strip() or self.file_id or self.content)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "title": self.title, "text": self.text, "source": self.source,
            "origin": self.origin, "field": self.field,
            "as_of": _stamp(self.as_of),
            "file_id": self.file_id, "filename": self.filename,
            "content_type": self.content_type, "excluded": self.excluded,
        }  # fmt: skip


@dataclass(frozen=True)
class Missing:
    """An item the case's category calls for that the packet lacks, and why it matters."""

    name: str
    title: str
    required: bool
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "required": self.required, "why": self.why}


@dataclass(frozen=True)
class StoredFile:
    """A file the agent added to an item (a row of ``evidence_files``)."""

    id: str
    item: str
    filename: str
    content_type: str


@dataclass(frozen=True)
class Edits:
    """The agent's work: texts by item, items left out, the statement, files."""

    items: Mapping[str, str] = dataclasses.field(default_factory=dict)
    excluded: frozenset[str] = frozenset()
    statement: str = ""
    files: tuple[StoredFile, ...] = ()


@dataclass(frozen=True)
class State:
    """Where the packet is: editing, draft (saved on the platform) or submitted."""

    state: str = "editing"
    updated_by: str | None = None
    updated_at: datetime | None = None
    submitted_by: str | None = None
    submitted_at: datetime | None = None
    action_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state, "updated_by": self.updated_by,
            "updated_at": _stamp(self.updated_at), "submitted_by": self.submitted_by,
            "submitted_at": _stamp(self.submitted_at), "action_id": self.action_id,
        }  # fmt: skip


@dataclass(frozen=True)
class Packet:
    """What a case's evidence packet is now; ``to_dict`` is the API's shape."""

    case_id: str
    platform: str
    category: str
    items: tuple[PacketItem, ...]
    missing: tuple[Missing, ...]
    errors: tuple[str, ...]
    statement: str
    state: State
    drafts: bool

    @property
    def complete(self) -> bool:
        """Every required item of the category is present."""
        return not any(m.required for m in self.missing)

    def present(self) -> list[PacketItem]:
        """The items that go into a submission."""
        return [item for item in self.items if item.present]

    def to_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id, "platform": self.platform, "category": self.category,
            "complete": self.complete, "drafts_supported": self.drafts,
            "items": [item.to_dict() for item in self.items],
            "missing": [missing.to_dict() for missing in self.missing],
            "errors": list(self.errors), "statement": self.statement, **self.state.to_dict(),
        }  # fmt: skip


def _field(found: EvidenceItem, platform: str) -> str | None:
    """The field a found item fills: the plugin's, else the catalogue's for the platform."""
    if found.field is not None:
        return found.field
    if found.filename and found.content is not None:
        return catalogue.file_field(found.name, platform)
    return catalogue.text_field(found.name, platform)


def _found(found: EvidenceItem, origin: str, platform: str) -> PacketItem:
    return PacketItem(
        name=found.name, title=catalogue.title(found.name), text=found.text,
        source=found.source, origin=origin, field=_field(found, platform), as_of=found.as_of,
        filename=found.filename, content_type=found.content_type, content=found.content,
    )  # fmt: skip


def _edited(name: str, text: str, platform: str) -> PacketItem:
    return PacketItem(name, catalogue.title(name), text, "the agent", AGENT,
                      catalogue.text_field(name, platform))  # fmt: skip


def _file(stored: StoredFile, platform: str) -> PacketItem:
    return PacketItem(
        name=stored.item, title=catalogue.title(stored.item), text="",
        source=f"file added by the agent: {stored.filename}", origin=AGENT,
        field=catalogue.file_field(stored.item, platform), file_id=stored.id,
        filename=stored.filename, content_type=stored.content_type,
    )  # fmt: skip


def _items(
    found: Sequence[tuple[str, EvidenceItem]], edits: Edits, platform: str
) -> list[PacketItem]:
    """Found items (the platform's first, the same text once), each replaced by the agent's
    text for its name where they wrote one."""
    ordered = sorted(found, key=lambda pair: pair[0] != PLATFORM)
    from_platform = {item.name for origin, item in ordered if origin == PLATFORM}
    seen: set[tuple[str, str]] = set()
    items = []
    for origin, item in ordered:
        key = (item.name, item.text.strip().casefold())
        fallback = origin != PLATFORM and item.name in FALLBACKS and item.name in from_platform
        if (key in seen and not item.content) or fallback:
            continue
        seen.add(key)
        items.append(_found(item, origin, platform))
    items = [item for item in items if item.name not in edits.items]
    items += [_edited(name, text, platform) for name, text in sorted(edits.items.items())]
    items += [_file(stored, platform) for stored in edits.files]
    return [PacketItem(**{**vars(item), "excluded": item.name in edits.excluded}) for item in items]


def _missing(category: str, items: Iterable[PacketItem]) -> tuple[Missing, ...]:
    have = {item.name for item in items if item.present}
    return tuple(
        Missing(r.item, catalogue.title(r.item), r.required, r.why)
        for r in catalogue.requirements(category)
        if r.item not in have
    )


def build(
    case_id: str,
    platform: str,
    category: str,
    found: Sequence[tuple[str, EvidenceItem]],
    *,
    edits: Edits | None = None,
    errors: Sequence[str] = (),
    state: State | None = None,
) -> Packet:
    """The packet from ``found`` (``(origin, item)`` pairs), the agent's ``edits``, the
    plugins' ``errors`` and the stored ``state``."""
    edits = edits or Edits()
    items = _items(found, edits, platform)
    return Packet(
        case_id=case_id, platform=platform, category=str(category), items=tuple(items),
        missing=_missing(category, items), errors=tuple(errors), statement=edits.statement,
        state=state or State(), drafts=catalogue.platform(platform).drafts,
    )  # fmt: skip
