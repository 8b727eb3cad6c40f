"""Refuse JSON nested deeper than any real payload, before anything parses it.

Python's ``json`` recurses once per level, so ``[[[[...]]]]`` a hundred thousand deep ends
in ``RecursionError`` (a 500) wherever a body is parsed: webargs, the install callbacks.
Every request body that is not a form is checked before it is parsed and answered 400 in
the common error shape when it nests deeper than :data:`MAX_DEPTH`: on the JSON API right
after the token is checked (an unauthenticated body is never read: 401 first), at the
webhook intake by the plugin's own verification (raw bytes first), everywhere else before
any view runs.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import BadRequest

from disputeflow.engine.json_limits import MAX_DEPTH, depth_exceeds

__all__ = ["MAX_DEPTH", "check_body", "depth_exceeds", "init_app"]

_FORMS = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


API_PREFIX = "/api/v1/"  # checked by the API's authorization, after the token


def check_body() -> None:
    """400 when this request's body nests deeper than :data:`MAX_DEPTH` (forms skipped)."""
    if request.mimetype in _FORMS:
        return
    if depth_exceeds(request.get_data(cache=True)):
        raise BadRequest(f"the JSON body is nested more than {MAX_DEPTH} levels deep")


# Deliveries are verified over their raw bytes before anything parses them, and each
# plugin refuses a forged one in its platform's own code (eBay: 412), so intake is left to them.
INTAKE_PREFIX = "/webhooks/"


def _guard() -> None:
    if not request.path.startswith((API_PREFIX, INTAKE_PREFIX)):
        check_body()


def init_app(app: Flask) -> None:
    """Check request bodies before any view (the API's after its token check)."""
    app.before_request(_guard)
