"""One JSON error shape for every failure: ``{"code", "status", "message", "errors"}``.

``errors`` maps each offending field to its messages. Request validation errors from the
JSON API (webargs, 422) come keyed by location (``{"query": {"status": [...]}}``); they are
flattened here to ``{"status": [...]}`` and reported with the code ``invalid_input``, the
same code the core uses for the validation errors it raises itself.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException, InternalServerError

from disputeflow.core.errors import DisputeflowError, InvalidInputError

log = logging.getLogger(__name__)

# Where webargs found the arguments it reports on.
_LOCATIONS = frozenset(
    {"json", "query", "querystring", "form", "headers", "cookies", "files", "json_or_form", "path"}
)


def error_response(
    status: int, code: str, message: str, errors: dict[str, Any] | None = None
) -> tuple[Response, int]:
    """The common error body with its status."""
    body = {"code": code, "status": status, "message": message, "errors": errors or {}}
    return jsonify(body), status


def field_errors(messages: Any) -> dict[str, Any]:
    """Validation messages as ``{field: [...]}``, whatever location webargs filed them under."""
    if not messages:
        return {}
    if not isinstance(messages, dict):
        return {"_schema": messages if isinstance(messages, list) else [str(messages)]}
    if not set(messages) <= _LOCATIONS:
        return dict(messages)
    merged: dict[str, Any] = {}
    for found in messages.values():
        merged.update(field_errors(found))
    return merged


def summarize(errors: dict[str, Any], prefix: str = "") -> str:
    """``"amount.value: Not a valid string.; status: Must be one of: ..."``: one line."""
    parts = []
    for key, value in errors.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            parts.append(summarize(value, f"{name}."))
        elif isinstance(value, list | tuple):
            parts.append(f"{name}: {' '.join(str(v) for v in value)}")
        else:
            parts.append(f"{name}: {value}")
    return "; ".join(parts)


def http_error(error: HTTPException) -> tuple[Response, int]:
    """Any werkzeug/Flask/webargs HTTP error in the common shape, its headers kept."""
    status = error.code or 500
    code = (error.name or "error").lower().replace(" ", "_").replace("'", "")
    message = error.description or error.name
    data = getattr(error, "data", None)
    data = data if isinstance(data, dict) else {}
    errors = field_errors(data.get("errors") or data.get("messages"))
    if errors and status == 422:
        code = InvalidInputError.code
        message = f"invalid input: {summarize(errors)}"
    response, status = error_response(status, code, data.get("message") or message, errors)
    for name, value in error.get_headers():  # e.g. Allow on a 405
        if name.lower() != "content-type":
            response.headers[name] = value
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    return response, status


def _domain_error(error: DisputeflowError) -> tuple[Response, int]:
    if error.status >= 500:
        log.error("%s: %s", error.code, error.message)
    return error_response(error.status, error.code, error.message, error.errors)


def _unexpected(error: Exception) -> tuple[Response, int]:
    log.exception("unhandled error")
    return http_error(InternalServerError())


def init_app(app: Flask) -> None:
    """Register the handlers app-wide (after the JSON API, so that these are the ones)."""
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(DisputeflowError, _domain_error)
    app.register_error_handler(Exception, _unexpected)
