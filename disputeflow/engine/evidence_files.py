"""``params.files`` of a contest: one shape that every marketplace plugin reads.

``[{"filename", "content_type", "content_base64", "field", "item"}]``: ``field`` is the
platform's file field or evidence type the file fills (Stripe ``shipping_documentation``,
eBay ``PROOF_OF_DELIVERY``), absent for the platform's free file or where files go with the
call itself (PayPal); ``item`` (optional) names the catalogue item the file is evidence of.
The evidence feature writes this shape (``features/evidence/submit.py``); a plugin reads it
with :func:`evidence_files` and applies its platform's own rules (types, sizes, fields).

The shapes the plugins took before are still read, so stored actions and scripts keep
working: ``{document_type, filename, mimetype, data}`` (Stripe, Shopify, WooPayments) and
``{filename, content_type, content_base64, evidence_type}`` (PayPal, eBay).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from disputeflow.core.errors import MarketplaceError

# Each part of the shape, then the older names of the same part.
FIELD_KEYS = ("field", "document_type", "evidence_type")
TYPE_KEYS = ("content_type", "mimetype")
DATA_KEYS = ("content_base64", "data")


@dataclass(frozen=True)
class EvidenceFile:
    """One file of a contest, decoded. ``content_type`` and ``field`` may be ``None``."""

    filename: str
    content: bytes
    content_type: str | None = None
    field: str | None = None
    item: str | None = None

    @property
    def content_base64(self) -> str:
        return base64.b64encode(self.content).decode("ascii")


def file_param(file: EvidenceFile) -> dict[str, str]:
    """The ``params.files`` entry for ``file`` (the shape above; empty parts left out)."""
    entry = {"filename": file.filename, "content_type": file.content_type or "",
             "content_base64": file.content_base64, "field": file.field or "",
             "item": file.item or ""}  # fmt: skip
    return {key: value for key, value in entry.items() if value}


def _first(entry: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _refuse(message: str) -> MarketplaceError:
    return MarketplaceError(message, transient=False)


def _read(entry: Any) -> EvidenceFile:
    if not isinstance(entry, Mapping):
        raise _refuse("each file of params.files is an object (filename, content_base64 ...)")
    name = _first(entry, ("filename",))
    data = _first(entry, DATA_KEYS)
    if name is None or data is None:
        raise _refuse("a dispute file needs a filename and its content as base64")
    try:
        content = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise _refuse(f"{name}: the file's data is not base64") from None
    if not content:
        raise _refuse(f"{name}: the file is empty")
    item = _first(entry, ("item",))
    return EvidenceFile(name, content, _first(entry, TYPE_KEYS), _first(entry, FIELD_KEYS), item)


def evidence_files(params: Mapping[str, Any]) -> list[EvidenceFile]:
    """The files of ``params.files``, decoded; a refusal (never retried) naming what is
    wrong when the list or a file is malformed."""
    files = params.get("files") or []
    if not isinstance(files, list):
        raise _refuse("params.files must be a list of files")
    return [_read(entry) for entry in files]
