"""What the packet page shows of an assembled packet, in the reader's words: one card per
catalogue item with its texts, where each came from and which platform field it fills; the
files; what the category still lacks and why; the items an agent may add.

The catalogue's titles and reasons are translated like every page text
(``scripts/i18n_catalog.py`` reads them from the catalogue); item texts and sources are data,
shown as found (marked as such for the language checks: ``lang=""``, ``lang="en"``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from disputeflow.core.case import Case
from disputeflow.core.taxonomy import ActionType
from disputeflow.engine.store.packets import EvidencePacketRow
from disputeflow.features.evidence import catalogue
from disputeflow.features.evidence.packet import AGENT, DISPUTEFLOW, Packet, PacketItem
from disputeflow.features.evidence.submit import summary_field
from disputeflow.webhooks.web.formatting import Local
from disputeflow.webhooks.web.words import N_

ORIGINS = {
    "platform": N_("From %(marketplace)s"),
    DISPUTEFLOW: N_("From disputeflow's records"),
    AGENT: N_("Written by an agent"),
}


@dataclass
class Card:
    """One catalogue item of the packet: its texts (an agent's replaces what was found)."""

    name: str
    title: str
    where: tuple[str, str | None]  # (words, the platform's field name or None)
    items: list[PacketItem] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(item.text.strip() for item in self.items if item.text.strip())

    @property
    def by_agent(self) -> bool:
        return any(item.origin == AGENT for item in self.items)

    @property
    def excluded(self) -> bool:
        return any(item.excluded for item in self.items)


def where(
    reader: Local, platform: str, item_field: str | None, *, file: bool = False
) -> tuple[str, str | None]:
    """Where the platform receives an item: words, and the field's own name (shown as code)."""
    market, known = reader.marketplace(platform), catalogue.platform(platform)
    _ = reader.gettext
    if file:
        if item_field or known.free_file:
            return _(
                "%(marketplace)s file field", marketplace=market
            ), item_field or known.free_file
        return _(
            "%(marketplace)s takes no file here: leave it out to submit", marketplace=market
        ), None
    if item_field == catalogue.PREFILLED:
        return _("%(marketplace)s fills this in from its own records (shown, not sent)",
                 marketplace=market), None  # fmt: skip
    if item_field:
        return _("%(marketplace)s field", marketplace=market), item_field
    return _("Free text for %(marketplace)s", marketplace=market), known.free_text


def is_file(item: PacketItem) -> bool:
    return bool(item.file_id or item.content)


def cards(reader: Local, packet: Packet) -> list[Card]:
    """The text items, one card per catalogue item, in the packet's order."""
    found: dict[str, Card] = {}
    for item in packet.items:
        if is_file(item):
            continue
        card = found.get(item.name)
        if card is None:
            spot = where(reader, packet.platform, item.field)
            card = found[item.name] = Card(item.name, reader.gettext(item.title), spot)
        card.items.append(item)
    return list(found.values())


def origin(reader: Local, item: PacketItem, platform: str) -> str:
    words = ORIGINS.get(item.origin) or ORIGINS["platform"]
    return reader.gettext(words, marketplace=reader.marketplace(platform))


def files(reader: Local, packet: Packet) -> list[dict[str, Any]]:
    return [
        {"item": item, "title": reader.gettext(item.title),
         "where": where(reader, packet.platform, item.field, file=True)}
        for item in packet.items
        if is_file(item)
    ]  # fmt: skip


def missing(reader: Local, packet: Packet) -> list[dict[str, Any]]:
    """What the category calls for and the packet lacks; ``left_out``: the agent excluded
    what was there."""
    excluded = {item.name for item in packet.items if item.excluded}
    return [
        {"name": m.name, "title": reader.gettext(m.title), "required": m.required,
         "why": reader.gettext(m.why), "left_out": m.name in excluded}
        for m in packet.missing
    ]  # fmt: skip


def choices(reader: Local, exclude: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Catalogue items as ``(name, translated title)``, by title, less ``exclude``."""
    skip = set(exclude)
    found = [(name, reader.gettext(item.title)) for name, item in catalogue.load().items.items()]
    return sorted((pair for pair in found if pair[0] not in skip), key=lambda pair: pair[1])


def summary_note(reader: Local, packet: Packet) -> tuple[str, str | None]:
    """Whether the PDF summary goes with the packet, and in which field."""
    market, known = reader.marketplace(packet.platform), catalogue.platform(packet.platform)
    sent = summary_field(packet)
    if sent:
        return reader.gettext("Sent with the packet, in the %(marketplace)s file field",
                              marketplace=market), sent  # fmt: skip
    if known.free_file:
        return reader.gettext("Not sent: your files take every %(marketplace)s file field it "
                              "could go in. Download it to keep it with the case.",
                              marketplace=market), None  # fmt: skip
    return reader.gettext("Not sent: %(marketplace)s takes no file for it here. Download it to "
                          "keep it with the case.", marketplace=market), None  # fmt: skip


def state_line(reader: Local, packet: Packet, status: str | None) -> str | None:
    """Who last did what to the packet, and when."""
    state, market = packet.state, reader.marketplace(packet.platform)
    at: datetime | None = state.submitted_at or state.updated_at
    name = state.submitted_by or state.updated_by or reader.gettext("an agent")
    if state.state == "draft":
        said = N_("Saved as a draft on %(marketplace)s by %(name)s, %(time)s.")
    elif state.state == "submitted":
        said = N_("Submitted to %(marketplace)s by %(name)s, %(time)s.")
    elif state.updated_by:
        said = N_("Last edited by %(name)s, %(time)s.")
    else:
        return None
    line = reader.gettext(said, marketplace=market, name=name, time=reader.when(at))
    if status and state.state != "editing":
        line += " " + reader.gettext("Its action: %(status)s.",
                                     status=reader.term(status, "action_status"))  # fmt: skip
    return line


def panel(reader: Local, case: Case, row: EvidencePacketRow | None) -> dict[str, Any] | None:
    """The case page's note on the packet: for a case that can be contested, or whose packet
    was started; ``line`` says where it stands (``None``: not started)."""
    if row is None and ActionType.CONTEST not in case.allowed_actions:
        return None
    if row is None:
        return {"line": None}
    state = reader.term(row.state, "packet_state")
    who = row.submitted_by or row.updated_by or reader.gettext("an agent")
    at = reader.when(row.submitted_at or row.updated_at)
    return {"line": reader.gettext("The packet is %(state)s (%(name)s, %(time)s).", state=state,
                                   name=who, time=at)}  # fmt: skip
