"""One JSON error shape for every failure: ``{"code", "status", "message", "errors"}``."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException, InternalServerError

from disputeflow.core.errors import DisputeflowError

log = logging.getLogger(__name__)


def error_response(
    status: int, code: str, message: str, errors: dict[str, Any] | None = None
) -> tuple[Response, int]:
    """The common error body with its status."""
    body = {"code": code, "status": status, "message": message, "errors": errors or {}}
    return jsonify(body), status


def _http_error(error: HTTPException) -> tuple[Response, int]:
    status = error.code or 500
    code = (error.name or "error").lower().replace(" ", "_").replace("'", "")
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") if isinstance(data, dict) else None
    return error_response(status, code, error.description or error.name, messages)


def _domain_error(error: DisputeflowError) -> tuple[Response, int]:
    if error.status >= 500:
        log.error("%s: %s", error.code, error.message)
    return error_response(error.status, error.code, error.message, error.errors)


def _unexpected(error: Exception) -> tuple[Response, int]:
    log.exception("unhandled error")
    return _http_error(InternalServerError())


def init_app(app: Flask) -> None:
    """Register the handlers app-wide."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DisputeflowError, _domain_error)
    app.register_error_handler(Exception, _unexpected)
