"""The workspace blueprint, its security headers, its language and its HTML error pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template
from werkzeug.exceptions import HTTPException

from disputeflow.core.errors import DisputeflowError
from disputeflow.webhooks.web import locale
from disputeflow.webhooks.web.words import N_

bp = Blueprint(
    "workspace",
    __name__,
    url_prefix="/workspace",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
bp.after_request(locale.remember)
bp.context_processor(locale.page_globals)

# Everything the pages load comes from disputeflow itself: no other host, no inline script.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
# (title, what to do) per HTTP status, for errors that bring no message of their own.
ERRORS = {
    400: (
        N_("Bad request"),
        N_("Something in this request cannot be used. Go back and try again."),
    ),
    401: (N_("Not signed in"), N_("Sign in to see this page.")),
    403: (N_("Not allowed"), N_("Your role does not allow this.")),
    404: (N_("Not found"), N_("There is nothing at this address.")),
    405: (N_("Not allowed"), N_("This page cannot be used like that.")),
    409: (N_("Conflict"), N_("Something changed in the meantime. Reload the page.")),
    413: (N_("Too large"), N_("What was sent is too large.")),
    422: (N_("Cannot be done"), N_("This cannot be done as it was asked.")),
    429: (N_("Too many requests"), N_("Wait a few minutes and try again.")),
    500: (N_("Something went wrong"), N_("Try again later.")),
    503: (N_("Not available here"), N_("This server cannot do this. Try again later.")),
}


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def error_page(status: int, title: str, message: str) -> tuple[str, int]:
    """An HTML error page in the workspace's layout (``title`` and ``message`` translated)."""
    return render_template(
        "workspace/error.html", status=status, title=title, message=message
    ), status


def error_words(status: int, message: str | None = None) -> tuple[str, str]:
    """The translated title for ``status``, and ``message`` or the status's own advice."""
    reader = locale.current()
    title, advice = ERRORS.get(status) or ERRORS[500 if status >= 500 else 400]
    return reader.gettext(title), message or reader.gettext(advice)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Any:
    status = error.code or 500
    own = error.description if error.description != type(error).description else None
    return error_page(status, *error_words(status, own))


@bp.errorhandler(DisputeflowError)
def _domain_error(error: DisputeflowError) -> Any:
    return error_page(error.status, *error_words(error.status))
