"""Serving a stored evidence file: always a download of its detected type, never a page."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response

from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store.tables import EvidenceFileRow
from disputeflow.features.transparency import files


def disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the UTF-8 one (RFC 6266)."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def download(runtime: Runtime, row: EvidenceFileRow) -> Response:
    """The file as an attachment, ``nosniff``, sandboxed should a browser open it anyway."""
    response = Response(files.read(runtime.settings.home, row), mimetype=row.content_type)
    response.headers["Content-Disposition"] = disposition(row.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
