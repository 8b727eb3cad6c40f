"""The workspace blueprint, its security headers and its HTML error pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template
from werkzeug.exceptions import HTTPException

from disputeflow.core.errors import DisputeflowError

bp = Blueprint(
    "workspace",
    __name__,
    url_prefix="/workspace",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

# Everything the pages load comes from disputeflow itself: no other host, no inline script.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def error_page(status: int, title: str, message: str) -> tuple[str, int]:
    """An HTML error page in the workspace's layout."""
    return render_template(
        "workspace/error.html", status=status, title=title, message=message
    ), status


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Any:
    status = error.code or 500
    return error_page(status, error.name or "Error", error.description or "")


@bp.errorhandler(DisputeflowError)
def _domain_error(error: DisputeflowError) -> Any:
    return error_page(error.status, error.code.replace("_", " ").capitalize(), error.message)
