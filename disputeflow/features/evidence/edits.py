"""An agent's changes to a case's packet: texts per catalogue item, items left out, the
statement, files added and removed. Checked whole before anything is stored, so a bad item
name stores nothing; files are checked by content like every evidence file
(:mod:`disputeflow.features.transparency.files`).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from disputeflow.core.clock import utcnow
from disputeflow.core.errors import InvalidInputError
from disputeflow.core.taxonomy import Actor
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import cases, packets
from disputeflow.engine.store.tables import EvidenceFileRow
from disputeflow.features.evidence import catalogue
from disputeflow.features.transparency import files

TEXT_LIMIT = 20_000  # what one platform text field takes (Stripe's long fields, say)
MAX_FILES = 10


@dataclass(frozen=True)
class FileUpload:
    item: str
    filename: str
    data: bytes


@dataclass(frozen=True)
class Change:
    """One PUT: ``items`` (text, or ``None`` to drop the agent's text), ``excluded``
    (replaces the list when given), ``statement``, ``files`` to add, ``remove_files``."""

    items: Mapping[str, str | None] = field(default_factory=dict)
    excluded: Sequence[str] | None = None
    statement: str | None = None
    files: Sequence[FileUpload] = ()
    remove_files: Sequence[str] = ()


def _unknown(names: Sequence[str]) -> list[str]:
    known = catalogue.load().items
    return sorted({name for name in names if name not in known})


def check(change: Change) -> None:
    """Refuse unknown item names and texts too long for a platform field, naming each."""
    errors: dict[str, Any] = {}
    for key, names in (("items", list(change.items)), ("excluded", list(change.excluded or ())),
                       ("files", [f.item for f in change.files])):  # fmt: skip
        bad = _unknown(names)
        if bad:
            errors[key] = {name: ["not an item of the evidence catalogue"] for name in bad}
    long = [name for name, text in change.items.items() if text and len(text) > TEXT_LIMIT]
    if long:
        errors.setdefault("items", {}).update(
            {name: [f"longer than {TEXT_LIMIT} characters"] for name in long}
        )
    if errors:
        raise InvalidInputError("the packet change names unknown items or is too long",
                                errors=errors)  # fmt: skip


def decode(data: str, filename: str) -> bytes:
    """A file's base64 data (422 naming the file when it is not base64)."""
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInputError(
            f"{filename}: data is not base64", errors={"files": [f"{filename}: not base64"]}
        ) from None


def _texts(current: Mapping[str, str], given: Mapping[str, str | None]) -> dict[str, str]:
    texts = dict(current)
    for name, text in given.items():
        if text is None:
            texts.pop(name, None)
        else:
            texts[name] = text
    return texts


def _files(
    session: Session, runtime: Runtime, case_id: str, edits: dict[str, Any], change: Change,
    now: datetime,
) -> list[dict[str, str]]:  # fmt: skip
    """The packet's files after the change: removed ones deleted (rows now, files after the
    commit), new ones checked and stored as the merchant's."""
    kept = [f for f in edits.get("files") or () if f["id"] not in set(change.remove_files)]
    gone = [f["id"] for f in edits.get("files") or () if f["id"] in set(change.remove_files)]
    if gone:
        query = select(EvidenceFileRow).where(EvidenceFileRow.id.in_(gone))
        files.remove(session, runtime.settings.home, list(session.scalars(query)))
    if len(kept) + len(change.files) > MAX_FILES:
        raise InvalidInputError(f"a packet takes at most {MAX_FILES} files",
                                errors={"files": ["too many"]})  # fmt: skip
    for upload in change.files:
        row = files.store(session, runtime.settings.home,
                          files.Upload(upload.filename, upload.data), case_id=case_id, now=now,
                          party=Actor.MERCHANT)  # fmt: skip
        kept.append({"id": row.id, "item": upload.item})
    return kept


def apply(runtime: Runtime, case_id: str, change: Change, *, by: str | None) -> None:
    """Store the change (NotFoundError for an unknown case, InvalidInputError for a bad one)."""
    check(change)
    now = utcnow()
    with runtime.database.session() as session:
        cases.get(session, case_id)
        row = packets.get_or_create(session, case_id, now)
        edits = dict(row.edits)
        edits["items"] = _texts(edits.get("items") or {}, change.items)
        if change.excluded is not None:
            edits["excluded"] = sorted(set(change.excluded))
        edits["files"] = _files(session, runtime, case_id, edits, change, now)
        row.edits = edits
        if change.statement is not None:
            row.statement = change.statement
        row.updated_by, row.updated_at = by, now
