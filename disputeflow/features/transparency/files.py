"""Evidence files from buyers: checked by content, stored under random names.

A file is accepted only when its first bytes are those of an allowed type (JPEG, PNG, GIF,
WebP, PDF): the name and the browser's declared type are ignored, so an HTML page called
``photo.png`` is refused. Files are written to ``DISPUTEFLOW_HOME/evidence`` (0600, folder
0700) under a random name; the original name is kept as metadata only. They are served back
only as downloads (``Content-Disposition: attachment``, ``nosniff``, the detected type).
An erasure removes them (:func:`remove`): the rows in its transaction, the files once it
has committed; :func:`sweep_orphans` removes any file a crash left without its row.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from disputeflow.core.errors import InvalidInputError, NotFoundError
from disputeflow.core.taxonomy import Actor
from disputeflow.core.values import Evidence
from disputeflow.engine.store.db import READONLY_OPTION, after_commit
from disputeflow.engine.store.tables import EvidenceFileRow

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES = 5
FOLDER = "evidence"
EVIDENCE_KIND = "buyer_file"
REMOVED = "disputeflow_removed_files"  # session.info: file id -> stored name, to unlink
ALLOWED = ("image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf")
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif",
               "image/webp": "webp", "application/pdf": "pdf"}  # fmt: skip


@dataclass(frozen=True)
class Upload:
    """A file as a form sent it: the declared name and the bytes."""

    filename: str
    data: bytes


def detect(data: bytes) -> str | None:
    """The content type the bytes are, by their signature (magic bytes), or ``None``."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def safe_name(filename: str, content_type: str) -> str:
    """A display name without paths or control characters, with the detected extension."""
    base = unicodedata.normalize("NFC", filename.replace("\\", "/").rsplit("/", 1)[-1])
    base = re.sub(r"[\x00-\x1f\x7f\"<>]", "", base).strip(" .") or "file"
    stem = base.rsplit(".", 1)[0][:120] or "file"
    return f"{stem}.{_EXTENSIONS[content_type]}"


def check(upload: Upload) -> str:
    """The detected type of an acceptable file; :class:`InvalidInputError` otherwise."""
    if not upload.data:
        raise InvalidInputError("the file is empty", errors={"files": ["empty"]})
    if len(upload.data) > MAX_FILE_BYTES:
        raise InvalidInputError(
            f"{upload.filename or 'a file'} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB",
            errors={"files": ["too_large"]},
        )
    found = detect(upload.data)
    if found is None:
        raise InvalidInputError(
            f"{upload.filename or 'a file'} is not a photo (JPEG, PNG, GIF, WebP) or a PDF",
            errors={"files": ["type_not_allowed"]},
        )
    return found


def check_case_caps(
    session: Session, case_id: str, uploads: Sequence[Upload], max_files: int, max_bytes: int
) -> None:
    """Refuse uploads beyond a case's lifetime caps (files and bytes a buyer sent to it)."""
    count, size = session.execute(
        select(func.count(), func.coalesce(func.sum(EvidenceFileRow.size), 0))
        .where(EvidenceFileRow.case_id == case_id)
        .where(EvidenceFileRow.party == str(Actor.BUYER))
    ).one()
    adding = sum(len(u.data) for u in uploads)
    if int(count) + len(uploads) > max_files or int(size) + adding > max_bytes:
        raise InvalidInputError(
            f"this case takes at most {max_files} files and {max_bytes // (1024 * 1024)} MB "
            "from the buyer",
            errors={"files": ["case_limit"]},
        )


def folder(home: Path) -> Path:
    path = home / FOLDER
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def store(
    session: Session, home: Path, upload: Upload, *, case_id: str | None, now: datetime,
    party: Actor = Actor.BUYER,
) -> EvidenceFileRow:  # fmt: skip
    """Check, write and record one file (the caller's transaction commits the record);
    ``party``: who gave it (an agent's evidence files are the merchant's)."""
    content_type = check(upload)
    file_id = "fil_" + secrets.token_urlsafe(24)
    stored_name = secrets.token_hex(24)
    fd = os.open(folder(home) / stored_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(upload.data)
    row = EvidenceFileRow(
        id=file_id,
        case_id=case_id,
        stored_name=stored_name,
        filename=safe_name(upload.filename, content_type),
        content_type=content_type,
        size=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
        party=str(party),
        created_at=now,
    )
    session.add(row)
    return row


def evidence_of(row: EvidenceFileRow, description: str = "") -> Evidence:
    """The file as a piece of the buyer's evidence on the case."""
    return Evidence(
        external_id=row.id,
        party=Actor(row.party),
        kind=EVIDENCE_KIND,
        submitted_at=row.created_at,
        description=description,
        filename=row.filename,
        content_type=row.content_type,
    )


def find(session: Session, case_id: str, file_id: str) -> EvidenceFileRow:
    """A file of this case (another case's file is not found)."""
    row = session.get(EvidenceFileRow, file_id)
    if row is None or row.case_id != case_id:
        raise NotFoundError(f"no file {file_id!r} on case {case_id!r}")
    return row


def read(home: Path, row: EvidenceFileRow) -> bytes:
    return (folder(home) / row.stored_name).read_bytes()


def remove(session: Session, home: Path, rows: Iterable[EvidenceFileRow]) -> int:
    """Delete these files' rows now and the files themselves after the commit (a rolled
    back erasure keeps both); how many."""
    found = {row.id: row.stored_name for row in rows}
    if not found:
        return 0
    session.execute(delete(EvidenceFileRow).where(EvidenceFileRow.id.in_(found)))
    session.info.setdefault(REMOVED, {}).update(found)
    after_commit(session, "disputeflow_unlink_files", lambda s: _unlink_removed(s, home))
    return len(found)


def _unlink_removed(session: Session, home: Path) -> None:
    """Unlink the files whose rows are gone (a savepoint rolled back may have kept some)."""
    pending: dict[str, str] = session.info.pop(REMOVED, {})
    bind: Any = session.get_bind()
    with bind.execution_options(**{READONLY_OPTION: True}).connect() as connection:
        query = select(EvidenceFileRow.id).where(EvidenceFileRow.id.in_(pending))
        kept = set(connection.scalars(query))
    for file_id, stored_name in pending.items():
        if file_id not in kept:
            (folder(home) / stored_name).unlink(missing_ok=True)


def sweep_orphans(session: Session, home: Path, older_than: timedelta) -> int:
    """Unlink files older than ``older_than`` that no row names (a crash between an
    erasure's commit and its unlink, or between a write and its record); how many."""
    path = home / FOLDER
    if not path.is_dir():
        return 0
    known = set(session.scalars(select(EvidenceFileRow.stored_name)))
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    for item in path.iterdir():
        if item.name not in known and item.is_file() and item.stat().st_mtime < cutoff:
            item.unlink(missing_ok=True)
            removed += 1
    if removed:
        log.info("removed %d evidence files no row names", removed)
    return removed
