"""Sending a packet to the platform: a ``contest`` action through the outbox, so it has the
audit trail, the idempotency and the retries of every action.

The packet becomes the action the plugins already take: each item that fills a text field
is an evidence entry of that ``kind`` (the field's name), everything else goes into the
message (the platform's free text), with the agent's statement first. Files go in
``params.files`` in the one shape every plugin reads (:mod:`disputeflow.engine.evidence_files`:
``{filename, content_type, content_base64, field, item}``), ``field`` chosen as the
platform takes files (catalogue ``files``): one file per file field, the rest in the free
file field (Stripe, Shopify, WooPayments); grouped by evidence type (eBay); attached to the
call (PayPal). The packet's PDF summary (:mod:`.summary`) takes the free file field when
the agent's files leave it free (``params.evidence_summary`` names it). ``params.submit``
false saves a draft on platforms that keep one; elsewhere a draft is refused (409), never
sent as a submission.

What the platform cannot take is refused (422) before anything is queued: a file of a type
or size its uploads refuse (a PDF to eBay), a file no field of it takes, a free text longer
than its limit (eBay's 1,000-character note) even in the short form (titles, no sources).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Mapping
from typing import Any

from disputeflow.core.clock import utcnow
from disputeflow.core.errors import ActionNotAllowedError, InvalidInputError
from disputeflow.core.taxonomy import ActionType, Actor
from disputeflow.core.values import Evidence
from disputeflow.engine.evidence_files import EvidenceFile, file_param
from disputeflow.engine.ids import new_id
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import actions, packets
from disputeflow.engine.store.tables import EvidenceFileRow
from disputeflow.features.evidence import catalogue, summary
from disputeflow.features.evidence.assemble import assemble
from disputeflow.features.evidence.packet import Packet, PacketItem, State
from disputeflow.features.transparency import files

log = logging.getLogger(__name__)
LIVE = (actions.PENDING, actions.RUNNING, actions.SUCCEEDED)


def _note(item: PacketItem) -> str:
    dated = f", as of {item.as_of:%Y-%m-%d}" if item.as_of else ""
    return f"{item.title} ({item.source}{dated}):\n{item.text.strip()}"


def _loose(packet: Packet) -> list[PacketItem]:
    return [i for i in packet.present() if i.field is None and i.text.strip()]


def free_text(packet: Packet) -> str:
    """The statement, then each present text item no field takes, titled and sourced."""
    notes = [packet.statement.strip()] if packet.statement.strip() else []
    notes += [_note(i) for i in _loose(packet)]
    return "\n\n".join(notes)


def short_free_text(packet: Packet) -> str:
    """The free text for a platform with a short limit: titles without sources or dates."""
    lines = [packet.statement.strip()] if packet.statement.strip() else []
    lines += [f"{i.title}: {i.text.strip()}" for i in _loose(packet)]
    return "\n".join(lines)


def message(packet: Packet) -> str:
    """The free text as the platform takes it: in full, else short, else a refusal (422)
    naming the limit and each part's length, so the agent knows what to leave out."""
    full, place = free_text(packet), catalogue.platform(packet.platform)
    limit = place.free_text_limit
    if limit is None or len(full) <= limit:
        return full
    short = short_free_text(packet)
    if len(short) <= limit:
        return short
    parts = [f"statement: {len(packet.statement.strip())} characters"]
    parts += [f"{i.name}: {len(i.text.strip())} characters" for i in _loose(packet)]
    raise InvalidInputError(
        f"{place.title} takes at most {limit} characters of free text; this packet's has "
        f"{len(short)} even without sources: leave items out or shorten them",
        errors={"free_text": parts},
    )


def text_fields(packet: Packet) -> dict[str, str]:
    """Each text field with the texts of the present items that fill it."""
    fields: dict[str, list[str]] = {}
    for item in packet.present():
        filled = item.field and item.field != catalogue.PREFILLED and item.text.strip()
        if filled and not (item.file_id or item.content):
            fields.setdefault(str(item.field), []).append(item.text.strip())
    return {field: "\n".join(texts) for field, texts in fields.items()}


def _file_field(item: PacketItem, taken: set[str], place: catalogue.Platform) -> str | None:
    """The field a file fills: none where files go with the call; else its item's field,
    else the free file field (each once where a field holds one file)."""
    if place.files == catalogue.CALL:
        return None
    for wanted in (item.field, place.free_file):
        usable = wanted and wanted != catalogue.PREFILLED
        if usable and (place.files == catalogue.TYPE or wanted not in taken):
            taken.add(str(wanted))
            return wanted
    if place.files == catalogue.TYPE:
        raise InvalidInputError(
            f"{place.title} takes files only as evidence of a type, and none is for "
            f"{item.title} ({item.filename})",
            errors={"files": [f"{item.filename}: no {place.title} evidence type for "
                              f"{item.title}"]},
        )  # fmt: skip
    raise InvalidInputError(
        f"{place.name} takes no more files for {item.title} ({item.filename})",
        errors={"files": [f"{item.filename}: no file field left on {place.name}"]},
    )


def _refusals(item: PacketItem, kind: str, data: bytes, place: catalogue.Platform) -> list[str]:
    """Why ``place``'s uploads would refuse this file (its documented types and size)."""
    found = []
    if place.file_types and kind not in place.file_types:
        found.append(f"{item.filename}: {place.title} takes {', '.join(place.file_types)} "
                     f"files, not {kind}")  # fmt: skip
    if place.max_file_bytes is not None and len(data) > place.max_file_bytes:
        found.append(f"{item.filename}: {place.title} takes files of at most "
                     f"{place.max_file_bytes} bytes, this one has {len(data)}")  # fmt: skip
    return found


def file_params(packet: Packet, contents: Mapping[str, bytes]) -> list[dict[str, str]]:
    """``params.files`` for the present files (``contents``: stored files' bytes by id);
    every file the platform cannot take refused at once (422), nothing queued."""
    place = catalogue.platform(packet.platform)
    taken: set[str] = set()
    uploads, refused = [], []
    for item in packet.present():
        data = contents.get(item.file_id or "") if item.file_id else item.content
        if data is None:
            continue
        kind = item.content_type or "application/pdf"
        refused += _refusals(item, kind, data, place)
        name = item.filename or f"{item.name}.pdf"
        field = _file_field(item, taken, place)
        uploads.append(file_param(EvidenceFile(name, data, kind, field, item.name)))
    if refused:
        raise InvalidInputError(f"{place.title} cannot take these files: {'; '.join(refused)}",
                                errors={"files": refused})  # fmt: skip
    return uploads


def summary_field(packet: Packet) -> str | None:
    """The file field the packet's PDF summary goes in: the platform's free file field when
    the agent's files leave it free and it takes PDFs; ``None`` elsewhere (files attached
    to the call, or by evidence type)."""
    place = catalogue.platform(packet.platform)
    free = place.free_file
    if place.files in (catalogue.CALL, catalogue.TYPE) or not free:
        return None
    if place.file_types and summary.CONTENT_TYPE not in place.file_types:
        return None
    taken: set[str] = set()
    try:
        for item in packet.present():
            if item.file_id or item.content:
                _file_field(item, taken, place)
    except InvalidInputError:
        return None
    return free if free not in taken else None


def _attach(
    uploads: list[dict[str, str]], packet: Packet, pdf: tuple[str, bytes] | None
) -> dict[str, str]:
    """Add the summary ``(filename, bytes)`` to ``uploads`` where it has a field; the params
    that say so."""
    field = summary_field(packet)
    if pdf is None or field is None:
        return {}
    uploads.append(file_param(EvidenceFile(pdf[0], pdf[1], summary.CONTENT_TYPE, field,
                                           "summary")))  # fmt: skip
    return {"evidence_summary": field}


def contest_input(
    packet: Packet, contents: Mapping[str, bytes], *, draft: bool, by: str | None,
    idempotency_key: str | None = None, pdf: tuple[str, bytes] | None = None,
) -> ActionInput:  # fmt: skip
    """The ``contest`` action a packet stands for (the same packet: the same key; the
    summary ``pdf``, ``(filename, bytes)``, is not part of the key: it is dated)."""
    now = utcnow()
    texts = text_fields(packet)
    evidence = tuple(Evidence(new_id("evd"), Actor.MERCHANT, field, now, text)
                     for field, text in sorted(texts.items()))  # fmt: skip
    present = sorted({item.name for item in packet.present()})
    # ``evidence_items``: which catalogue items went in (outcome analytics count them).
    params: dict[str, Any] = {"submit": not draft, "evidence_packet": True,
                              "evidence_items": present}  # fmt: skip
    uploads = file_params(packet, contents)
    note = message(packet) or None
    digest = hashlib.sha256(
        json.dumps([texts, note, uploads, draft, present], sort_keys=True).encode()
    ).hexdigest()[:40]
    params.update(_attach(uploads, packet, pdf))
    if uploads:
        params["files"] = uploads
    return ActionInput(
        type=ActionType.CONTEST, message=note, evidence=evidence, params=params,
        idempotency_key=idempotency_key or f"evidence:{packet.case_id}:{digest}",
        requested_by=by, rationale=packet.statement.strip() or "evidence packet submitted",
    )  # fmt: skip


def stored_contents(runtime: Runtime, packet: Packet) -> dict[str, bytes]:
    """The bytes of the agent's files the packet holds, by file id."""
    ids = [item.file_id for item in packet.present() if item.file_id]
    with runtime.database.session(readonly=True) as session:
        rows = [session.get(EvidenceFileRow, file_id) for file_id in ids]
        return {row.id: files.read(runtime.settings.home, row) for row in rows if row}


def _summary(runtime: Runtime, packet: Packet) -> tuple[str, bytes] | None:
    """The packet's PDF summary where the platform takes it; without one (WeasyPrint
    missing here) the packet is still sent, and the log says why."""
    if summary_field(packet) is None:
        return None
    facts = summary.facts_of(runtime, packet.case_id)
    try:
        return summary.filename(facts.case), summary.pdf(packet, facts)
    except summary.SummaryUnavailableError as error:
        log.error("case %s: evidence sent without its PDF summary: %s", packet.case_id, error)
        return None


def _check_state(runtime: Runtime, packet: Packet, draft: bool) -> None:
    if draft and not packet.drafts:
        title = catalogue.platform(packet.platform).title
        raise ActionNotAllowedError(
            f"{title} keeps no evidence drafts: keep editing the packet here, or submit it"
        )
    if packet.state.state != packets.SUBMITTED or not packet.state.action_id:
        return
    with runtime.database.session(readonly=True) as session:
        status = actions.get(session, packet.state.action_id).status
    if status in LIVE:
        raise ActionNotAllowedError(
            f"this packet was already submitted by {packet.state.submitted_by or 'an agent'} "
            f"(action {packet.state.action_id}, {status})"
        )


def _record(runtime: Runtime, case_id: str, action_id: str, draft: bool, by: str | None) -> State:
    """Store the packet's new state; that state (the packet's items are as assembled)."""
    now = utcnow()
    with runtime.database.session() as session:
        row = packets.get_or_create(session, case_id, now)
        row.state = packets.DRAFT if draft else packets.SUBMITTED
        row.submitted_by, row.submitted_at, row.action_id = by, now, action_id
        return State(row.state, row.updated_by, row.updated_at, by, now, action_id)


def submit(
    runtime: Runtime, case_id: str, *, draft: bool, by: str | None,
    idempotency_key: str | None = None, packet: Packet | None = None,
) -> tuple[dict[str, Any], bool, Packet]:  # fmt: skip
    """Queue the packet as a contest (or a draft): ``(action, created, packet)``; a repeat
    of the same packet (or key) answers the first action, ``created`` false. ``packet`` is
    one just assembled for the case (assembling may call the platform: once is enough)."""
    packet = packet if packet is not None else assemble(runtime, case_id)
    pdf = _summary(runtime, packet)
    wanted = contest_input(packet, stored_contents(runtime, packet), draft=draft, by=by,
                           idempotency_key=idempotency_key, pdf=pdf)  # fmt: skip
    with runtime.database.session(readonly=True) as session:
        repeated = actions.find_by_key(session, str(wanted.idempotency_key)) is not None
    if not repeated:
        _check_state(runtime, packet, draft)
    action, created = request_action(runtime, case_id, wanted)
    if not created:
        return action, False, packet
    state = _record(runtime, case_id, action["id"], draft, by)
    return action, True, dataclasses.replace(packet, state=state)
