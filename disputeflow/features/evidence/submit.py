"""Sending a packet to the platform: a ``contest`` action through the outbox, so it has the
audit trail, the idempotency and the retries of every action.

The packet becomes the action the plugins already take: each item that fills a text field
is an evidence entry of that ``kind`` (the field's name), everything else goes into the
message (the platform's free text), with the agent's statement first; files go in
``params.files`` as ``{document_type, filename, mimetype, data}`` (base64), one per file
field, the rest in the platform's free file field; the packet's PDF summary
(:mod:`.summary`) takes the free file field when the agent's files leave it free
(``params.evidence_summary`` names it). ``params.submit`` false saves a draft on platforms
that keep one; elsewhere a draft is refused (409), never sent as a submission.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Mapping
from typing import Any

from disputeflow.core.clock import utcnow
from disputeflow.core.errors import ActionNotAllowedError, InvalidInputError
from disputeflow.core.ids import new_id
from disputeflow.core.taxonomy import ActionType, Actor
from disputeflow.core.values import Evidence
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import actions, packets
from disputeflow.engine.store.tables import EvidenceFileRow
from disputeflow.features.evidence import catalogue, summary
from disputeflow.features.evidence.assemble import assemble
from disputeflow.features.evidence.packet import Packet, PacketItem
from disputeflow.features.transparency import files

log = logging.getLogger(__name__)
LIVE = (actions.PENDING, actions.RUNNING, actions.SUCCEEDED)


def _note(item: PacketItem) -> str:
    dated = f", as of {item.as_of:%Y-%m-%d}" if item.as_of else ""
    return f"{item.title} ({item.source}{dated}):\n{item.text.strip()}"


def free_text(packet: Packet) -> str:
    """The statement, then each present text item no field takes, titled and sourced."""
    notes = [packet.statement.strip()] if packet.statement.strip() else []
    notes += [_note(i) for i in packet.present() if i.field is None and i.text.strip()]
    return "\n\n".join(notes)


def text_fields(packet: Packet) -> dict[str, str]:
    """Each text field with the texts of the present items that fill it."""
    fields: dict[str, list[str]] = {}
    for item in packet.present():
        filled = item.field and item.field != catalogue.PREFILLED and item.text.strip()
        if filled and not (item.file_id or item.content):
            fields.setdefault(str(item.field), []).append(item.text.strip())
    return {field: "\n".join(texts) for field, texts in fields.items()}


def _document_type(item: PacketItem, taken: set[str], platform: str) -> str:
    free = catalogue.platform(platform).free_file
    for wanted in (item.field, free):
        if wanted and wanted != catalogue.PREFILLED and wanted not in taken:
            taken.add(wanted)
            return wanted
    raise InvalidInputError(
        f"{platform} takes no more files for {item.title} ({item.filename})",
        errors={"files": [f"{item.filename}: no file field left on {platform}"]},
    )


def file_params(packet: Packet, contents: Mapping[str, bytes]) -> list[dict[str, str]]:
    """``params.files`` for the present files (``contents``: stored files' bytes by id)."""
    taken: set[str] = set()
    uploads = []
    for item in packet.present():
        data = contents.get(item.file_id or "") if item.file_id else item.content
        if data is None:
            continue
        uploads.append({
            "document_type": _document_type(item, taken, packet.platform),
            "filename": item.filename or f"{item.name}.pdf",
            "mimetype": item.content_type or "application/pdf",
            "data": base64.b64encode(data).decode("ascii"),
        })  # fmt: skip
    return uploads


def summary_field(packet: Packet) -> str | None:
    """The file field the packet's PDF summary goes in: the platform's free file field when
    the agent's files leave it free; ``None`` where the platform takes no file there."""
    free = catalogue.platform(packet.platform).free_file
    taken: set[str] = set()
    try:
        for item in packet.present():
            if item.file_id or item.content:
                _document_type(item, taken, packet.platform)
    except InvalidInputError:
        return None
    return free if free and free not in taken else None


def _attach(
    uploads: list[dict[str, str]], packet: Packet, pdf: tuple[str, bytes] | None
) -> dict[str, str]:
    """Add the summary ``(filename, bytes)`` to ``uploads`` where it has a field; the params
    that say so."""
    field = summary_field(packet)
    if pdf is None or field is None:
        return {}
    uploads.append({"document_type": field, "filename": pdf[0], "mimetype": summary.CONTENT_TYPE,
                    "data": base64.b64encode(pdf[1]).decode("ascii")})  # fmt: skip
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
    message = free_text(packet) or None
    digest = hashlib.sha256(
        json.dumps([texts, message, uploads, draft, present], sort_keys=True).encode()
    ).hexdigest()[:40]
    params.update(_attach(uploads, packet, pdf))
    if uploads:
        params["files"] = uploads
    return ActionInput(
        type=ActionType.CONTEST, message=message, evidence=evidence, params=params,
        idempotency_key=idempotency_key or f"evidence:{packet.case_id}:{digest}",
        requested_by=by, rationale=packet.statement.strip() or "evidence packet submitted",
    )  # fmt: skip


def _contents(runtime: Runtime, packet: Packet) -> dict[str, bytes]:
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


def _record(runtime: Runtime, case_id: str, action_id: str, draft: bool, by: str | None) -> None:
    now = utcnow()
    with runtime.database.session() as session:
        row = packets.get_or_create(session, case_id, now)
        row.state = packets.DRAFT if draft else packets.SUBMITTED
        row.submitted_by, row.submitted_at, row.action_id = by, now, action_id


def submit(
    runtime: Runtime, case_id: str, *, draft: bool, by: str | None,
    idempotency_key: str | None = None,
) -> tuple[dict[str, Any], bool, Packet]:  # fmt: skip
    """Queue the packet as a contest (or a draft): ``(action, created, packet)``; a repeat
    of the same packet (or key) answers the first action, ``created`` false."""
    packet = assemble(runtime, case_id)
    pdf = _summary(runtime, packet)
    wanted = contest_input(packet, _contents(runtime, packet), draft=draft, by=by,
                           idempotency_key=idempotency_key, pdf=pdf)  # fmt: skip
    with runtime.database.session(readonly=True) as session:
        repeated = actions.find_by_key(session, str(wanted.idempotency_key)) is not None
    if not repeated:
        _check_state(runtime, packet, draft)
    action, created = request_action(runtime, case_id, wanted)
    if created:
        _record(runtime, case_id, action["id"], draft, by)
    return action, created, assemble(runtime, case_id) if created else packet
