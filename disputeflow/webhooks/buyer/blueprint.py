"""The buyer blueprint: strict headers, forgery protection, the reader's language, and
HTML error pages in that language.

Forms carry a token bound to a random cookie (``disputeflow_buyer_csrf``, HttpOnly,
SameSite=Strict): the token is an HMAC of the cookie with a key derived from the
installation's secret, so another site can neither read nor forge it. A POST without a
matching pair is refused with 400.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from flask import Blueprint, Response, abort, g, render_template, request
from werkzeug.exceptions import HTTPException

from disputeflow.core.errors import DisputeflowError
from disputeflow.features.i18n import LANGUAGES, Formatter, formatter, negotiate
from disputeflow.webhooks.api.auth import current_runtime

bp = Blueprint(
    "buyer",
    __name__,
    url_prefix="/buyer",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

CSRF_COOKIE = "disputeflow_buyer_csrf"
CSRF_FIELD = "csrf_token"
CSRF_PURPOSE = "buyer form tokens"
# Room for five files of 5 MB and the form around them.
MAX_BODY_BYTES = 27 * 1024 * 1024
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


@bp.before_request
def _limits() -> None:
    request.max_content_length = MAX_BODY_BYTES


def _csrf_key() -> bytes:
    return current_runtime().secrets.derive_key(CSRF_PURPOSE)


def _sign(cookie: str) -> str:
    return hmac.new(_csrf_key(), cookie.encode(), hashlib.sha256).hexdigest()


def csrf_token() -> str:
    """The form token for this browser (a cookie is set with the response if new)."""
    cookie = request.cookies.get(CSRF_COOKIE) or g.get("buyer_csrf_cookie")
    if not cookie or len(cookie) > 100:
        cookie = secrets.token_urlsafe(32)
        g.buyer_csrf_cookie = cookie
    return _sign(cookie)


@bp.before_request
def _check_csrf() -> None:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = request.form.get(CSRF_FIELD, "")
    if not cookie or not sent or not hmac.compare_digest(_sign(cookie).encode(), sent.encode()):
        g.buyer_error_key = "csrf"
        abort(400)


def reader(*preferred: str | None, country: str | None = None) -> Formatter:
    """The language: ``?lang=`` first, then ``preferred`` (the case's buyer), then the
    browser's Accept-Language; times in ``country``'s zone."""
    browser = [tag for tag, _ in request.accept_languages]
    lang = negotiate([request.values.get("lang"), *preferred, *browser])
    fmt = formatter(lang, country)
    g.buyer_fmt = fmt
    return fmt


def render(template: str, fmt: Formatter, code: int = 200, **context: Any) -> tuple[str, int]:
    """A buyer page in ``fmt``'s language, with HTTP status ``code``."""
    page = render_template(
        template,
        fmt=fmt,
        _=fmt.gettext,
        html_lang=fmt.lang.replace("_", "-"),
        languages=LANGUAGES,
        csrf_token=csrf_token,
        CSRF_FIELD=CSRF_FIELD,
        **context,
    )
    return page, code


@bp.after_request
def _headers(response: Response) -> Response:
    cookie = g.get("buyer_csrf_cookie")
    if cookie:
        response.set_cookie(
            CSRF_COOKIE, cookie, httponly=True, samesite="Strict", path="/buyer",
            secure=current_runtime().settings.public_url.startswith("https:"),
        )  # fmt: skip
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"  # links carry their token
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _messages(fmt: Formatter) -> dict[str, tuple[str, str]]:
    _ = fmt.gettext
    return {
        "400": (_("Something is wrong with this request"), _("Please go back and try again.")),
        "csrf": (
            _("This form has expired"),
            _("Please reload the page and send the form again."),
        ),
        "403": (
            _("This link is not valid"),
            _("Please use the exact link the store sent you, or ask the store for a new one."),
        ),
        "404": (_("Not found"), _("There is nothing at this address.")),
        "410": (_("This link has expired"), _("Please ask the store for a new link.")),
        "413": (
            _("The files are too large"),
            _("Each file may be at most 5 MB. Please send smaller files."),
        ),
        "429": (
            _("Too many attempts"),
            _("Please wait an hour and try again."),
        ),
        "500": (_("Something went wrong"), _("Please try again later.")),
        "502": (_("The store cannot be reached right now"), _("Please try again later.")),
    }


def error_page(status: int, key: str | None = None) -> tuple[str, int]:
    fmt = g.get("buyer_fmt") or reader()
    messages = _messages(fmt)
    fallback = messages["500"] if status >= 500 else messages["400"]
    title, message = messages.get(key or str(status)) or fallback
    return render("buyer/error.html", fmt, status, title=title, message=message)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Any:
    return error_page(error.code or 500, g.get("buyer_error_key"))


@bp.errorhandler(DisputeflowError)
def _domain_error(error: DisputeflowError) -> Any:
    return error_page(error.status)
