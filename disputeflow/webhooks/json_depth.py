"""Refuse JSON nested deeper than any real payload, before anything parses it.

Python's ``json`` recurses once per level, so ``[[[[...]]]]`` a hundred thousand deep ends
in ``RecursionError`` (a 500) wherever a body is parsed: webargs, the intake's plugins, the
install callbacks. Every request body that is not a form is checked before it is parsed
and answered 400 in the common error shape when it nests deeper than :data:`MAX_DEPTH`:
on the JSON API right after the token is checked (an unauthenticated body is never
read: 401 first), everywhere else before any view runs. The
check is one C-speed count of brackets for ordinary bodies; only a body with more opening
brackets than the limit is scanned byte by byte (strings skipped).
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import BadRequest

MAX_DEPTH = 64  # platforms' payloads nest about ten deep
_FORMS = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
_QUOTE, _ESCAPE = ord('"'), ord("\\")
_OPEN, _CLOSE = frozenset(b"[{"), frozenset(b"]}")


def depth_exceeds(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether ``body``, read as JSON, nests deeper than ``limit`` (outside strings)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _ESCAPE:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSE:
            depth -= 1
    return False


API_PREFIX = "/api/v1/"  # checked by the API's authorization, after the token


def check_body() -> None:
    """400 when this request's body nests deeper than :data:`MAX_DEPTH` (forms skipped)."""
    if request.mimetype in _FORMS:
        return
    if depth_exceeds(request.get_data(cache=True)):
        raise BadRequest(f"the JSON body is nested more than {MAX_DEPTH} levels deep")


def _guard() -> None:
    if not request.path.startswith(API_PREFIX):
        check_body()


def init_app(app: Flask) -> None:
    """Check request bodies before any view (the API's after its token check)."""
    app.before_request(_guard)
